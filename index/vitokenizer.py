"""pyvi's word segmentation on arrays: the same output as `ViTokenizer.tokenize`, much faster.

pyvi builds one Python dict of ~15 features per syllable and hands them to crfsuite, which
turns every dict back into attribute ids before a two-label Viterbi; that is ~12 µs per
syllable, and it is nearly the whole cost of a reload. The model is tiny (a linear-chain
CRF over B_W/I_W, ~6,300 weighted attributes, a 2×2 transition matrix, pyvi's lists of
known two- and three-syllable words), so this module scores the *same* features from the
*same* weights with integer ids and numpy, and runs the Viterbi over a whole batch.

The output must be identical, not close: the index, the tests and every answer rest on
pyvi's segmentation. So every score is summed in crfsuite's own order (attribute by
attribute, in the order pyvi's feature dict lists them), in float64 as crfsuite does, and
the Viterbi breaks ties the way crfsuite's does; the weights are read bit for bit from the
crfsuite model inside the installed pyvi package (`Tagger.info()` rounds them to six
decimals and cannot parse this model at all: two attributes end in a newline).

Nothing of pyvi is copied here: at start-up the module reads the installed package's
model and `words.txt`. If that package is not the one re-implemented (its ViTokenizer.py
differs) or its model is not of the expected form, it says so once in the log and calls
pyvi itself — slower, never different.
"""

from __future__ import annotations

import codecs
import hashlib
import importlib.util
import logging
import os
import pickle
import re
import string
import struct
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import De06Error

log = logging.getLogger(__name__)

# The ViTokenizer.py this module re-implements (pyvi 0.1.1, pinned in pyproject.toml).
PYVI_TOKENIZER_SHA256 = "ad11cdacf45b5b2801cd97a473f70effb3a36b94779b80c776a11cedaa18e1c1"

# pyvi's syllable pattern, alternative by alternative in its order (sylabelize()); only
# the inner groups are non-capturing, so findall returns the tokens themselves.
_SYLLABLE = re.compile(
    "|".join(
        [
            r"[A-ZĐ]+\.", r"Tp\.", r"Mr\.", r"Mrs\.", r"Ms\.", r"Dr\.", r"ThS\.",  # abbreviations
            r"==>", r"->", r"\.\.\.", r">>", "\n",  # specials
            r"\w+://[^\s]+",  # web
            r"[a-zA-Z0-9_.+-]+@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+",  # e-mail
            r"\d+(?:[\.,_]\d+)+",  # digits with separators
            r"[^\w\s]",  # one non-word character
            r"\w+",  # word
        ]
    )
)  # fmt: skip

# The attributes pyvi's word2features emits, in the order crfsuite adds their weights.
_NGRAMS = ("-1:word.bi_gram()", "-2:word.tri_gram()", "+1:word.bi_gram()", "+2:word.tri_gram()")
_LOWER = ("word.lower():", "-1:word.lower():", "+1:word.lower():")
_FIXED = frozenset(
    ("bias", "word.isupper()", "word.istitle()", "word.isdigit()", "-1:word.istitle()",
     "-1:word.isupper()", "+1:word.istitle()", "+1:word.isupper()", *_NGRAMS)
)  # fmt: skip
_LABELS = ("B_W", "I_W")

# Columns of a token's row: its contribution to each label's score in each role.
_SELF, _PREV, _NEXT = 0, 2, 8  # self: 2 columns; prev: lower, title, upper; next: same
_ROW = 14
# Join-rule bits of a token (pyvi's tokenize(): punctuation, leading digit, leading title).
_PUNCT, _DIGIT, _TITLE = 1, 2, 4

# Caches of chunks and tokens grow with the text seen (numbers, codes, URLs); past this
# many of either both start again, which bounds the arrays to ~25 MB and the dicts too.
MAX_TOKENS = 200_000
# Costs of the two Viterbi loops in µs (measured on the 2-core Xeon this project runs on),
# to choose which texts go to which: a numpy step costs _COLUMN_US plus _BATCH_US per text
# in the batch; the pure-Python loop costs _SCALAR_US per syllable.
_COLUMN_US = 5.5
_BATCH_US = 0.035
_SCALAR_US = 0.14
_BATCH_ROWS = 512  # texts per batch Viterbi: its arrays stay a few MB
_GROUP_TEXTS, _GROUP_CHARS = 2048, 400_000  # texts segmented at once: ~5 MB of arrays


class _UnexpectedModel(De06Error):
    """The installed pyvi is not the one re-implemented here; pyvi itself must be called."""


@dataclass(frozen=True)
class Model:
    """pyvi's CRF as arrays: per-attribute weights by label, the transitions, the n-grams."""

    weights: dict[bytes, tuple[float | None, float | None]]  # attribute → weight per label
    transitions: tuple[tuple[float, float], tuple[float, float]]  # [from][to]
    syllables: dict[str, int]  # every syllable of a known 2- or 3-syllable word → its id
    words: _Words  # which id pairs and triples are known words
    inside: int  # label id of I_W (a syllable that continues a word)


def pyvi_dir() -> Path:
    """The installed pyvi package, found without importing it (its import loads sklearn)."""
    spec = importlib.util.find_spec("pyvi")
    if spec is None or not spec.submodule_search_locations:
        raise _UnexpectedModel("pyvi is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def load_model(package: Path | None = None) -> Model:
    """Read pyvi's CRF weights and word list from the installed package."""
    package = package or pyvi_dir()
    source = (package / "ViTokenizer.py").read_bytes()
    if hashlib.sha256(source).hexdigest() != PYVI_TOKENIZER_SHA256:
        raise _UnexpectedModel(f"{package / 'ViTokenizer.py'} is not pyvi 0.1.1's")
    crf = _read_pickle(package / "models" / "pyvi3.pkl")
    try:
        data = crf.modelfile.__dict__["__FILE_RESOURCE_DATA__"]
    except (AttributeError, KeyError) as e:
        raise _UnexpectedModel("pyvi3.pkl holds no crfsuite model file") from e
    weights, transitions, inside = _read_crfsuite(bytes(data))
    syllables, (pairs, triples) = _read_words(package / "models" / "words.txt")
    return Model(weights, transitions, syllables, _Words(syllables, pairs, triples), inside)


class _Stub:
    """Stands for every class the pickle names: only its state is wanted."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def __setstate__(self, state) -> None:
        if isinstance(state, dict):
            self.__dict__.update(state)


class _ModelUnpickler(pickle.Unpickler):
    """Unpickles pyvi's sklearn-crfsuite estimator without importing sklearn or running code.

    The pickle needs `_codecs.encode` to rebuild its bytes (protocol 2); every other class
    it names (the estimator, numpy scalars, the training log) becomes an inert stub.
    """

    def find_class(self, module: str, name: str) -> object:
        if (module, name) == ("_codecs", "encode"):
            return codecs.encode
        return type(name, (_Stub,), {})


def _read_pickle(path: Path) -> object:
    try:
        with path.open("rb") as f:
            return _ModelUnpickler(f).load()
    except (OSError, pickle.UnpicklingError, EOFError, TypeError, ValueError) as e:
        raise _UnexpectedModel(f"{path} cannot be read: {e}") from e


def _read_crfsuite(data: bytes) -> tuple[dict, tuple, int]:
    """Exact weights from a crfsuite CRF1d model file (crf1d_model.c's layout)."""
    try:
        head = struct.unpack_from("<4sI4s9I", data, 0)
    except struct.error as e:
        raise _UnexpectedModel("the crfsuite model is truncated") from e
    magic, size, kind, version, _, n_labels, n_attrs = head[:7]
    off_feat, off_lab, off_attr, off_lref, off_aref = head[7:]
    if (magic, kind, version, size) != (b"lCRF", b"FOMC", 100, len(data)):
        raise _UnexpectedModel(f"not a crfsuite CRF1d model: {magic!r} {kind!r} {version}")
    labels = _cqdb_strings(data, off_lab)
    attrs = _cqdb_strings(data, off_attr)
    if tuple(x.decode() for x in labels) != _LABELS or len(attrs) != n_attrs or n_labels != 2:
        raise _UnexpectedModel(f"unexpected labels {labels!r}")
    chunk, _, n_feat = struct.unpack_from("<4sII", data, off_feat)
    if chunk != b"FEAT":
        raise _UnexpectedModel("no feature chunk in the crfsuite model")
    feature = np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")])
    feats = np.frombuffer(data, dtype=feature, count=n_feat, offset=off_feat + 12)
    trans = [[0.0, 0.0], [0.0, 0.0]]
    for fid in _refs(data, off_lref, b"LFRF", n_labels):
        kind_, src, dst, w = feats[fid].item()
        if kind_ != 1 or src > 1 or dst > 1:
            raise _UnexpectedModel("unexpected transition feature")
        trans[src][dst] = w  # crfsuite sets, never adds, a transition
    weights: dict[bytes, list[float | None]] = {}
    refs = _refs_by_owner(data, off_aref, b"AFRF", n_attrs)
    for aid, fids in enumerate(refs):
        name = attrs[aid]
        if name.decode("utf-8", "replace") not in _FIXED and not name.startswith(
            tuple(p.encode() for p in _LOWER)
        ):
            raise _UnexpectedModel(f"unexpected attribute {name[:40]!r}")
        per_label: list[float | None] = [None, None]
        for fid in fids:
            kind_, src, dst, w = feats[fid].item()
            if kind_ != 0 or src != aid or dst > 1 or per_label[dst] is not None:
                raise _UnexpectedModel(f"unexpected state feature of {name[:40]!r}")
            per_label[dst] = w
        weights[name] = per_label
    frozen = {k: (v[0], v[1]) for k, v in weights.items()}
    transitions = ((trans[0][0], trans[0][1]), (trans[1][0], trans[1][1]))
    return frozen, transitions, _LABELS.index("I_W")


def _cqdb_strings(data: bytes, offset: int) -> list[bytes]:
    """Id → string of a CQDB chunk, read through its backward array as crfsuite does."""
    chunk, _, _, _, n, bwd = struct.unpack_from("<4s5I", data, offset)
    if chunk != b"CQDB":
        raise _UnexpectedModel("no string table in the crfsuite model")
    out = []
    for i, rec in enumerate(struct.unpack_from(f"<{n}I", data, offset + bwd)):
        rid, ksize = struct.unpack_from("<II", data, offset + rec)
        if rid != i or ksize < 1:
            raise _UnexpectedModel("inconsistent string table in the crfsuite model")
        start = offset + rec + 8
        out.append(data[start : start + ksize - 1])
    return out


def _refs_by_owner(data: bytes, offset: int, chunk_id: bytes, n: int) -> list[list[int]]:
    chunk, _, num = struct.unpack_from("<4sII", data, offset)
    if chunk != chunk_id or num < n:
        raise _UnexpectedModel(f"no {chunk_id!r} chunk in the crfsuite model")
    out = []
    for ref in struct.unpack_from(f"<{n}I", data, offset + 12):
        (k,) = struct.unpack_from("<I", data, ref)
        out.append(list(struct.unpack_from(f"<{k}I", data, ref + 4)))
    return out


def _refs(data: bytes, offset: int, chunk_id: bytes, n: int) -> list[int]:
    return [fid for fids in _refs_by_owner(data, offset, chunk_id, n) for fid in fids]


def _read_words(path: Path) -> tuple[dict[str, int], list[np.ndarray]]:
    """pyvi's known 2- and 3-syllable words as syllable-id rows, read exactly as
    ViTokenizer reads words.txt (split on newlines, then on single spaces)."""
    with codecs.open(str(path), "r", encoding="utf-8") as f:
        entries = f.read().split("\n")
    syllables: dict[str, int] = {}
    grams: dict[int, list[list[int]]] = {2: [], 3: []}
    for entry in entries:
        parts = entry.split(" ")
        if len(parts) in grams:
            grams[len(parts)].append([syllables.setdefault(p, len(syllables)) for p in parts])
    return syllables, [np.array(grams[n], dtype=np.int64).reshape(-1, n) for n in (2, 3)]


class _Words:
    """Membership of syllable-id pairs and triples in pyvi's word list, for whole arrays.

    Pairs are bits of a dense (S+1)² table (S ≈ 6,000 syllables: ~4.4 MB); triples are
    first narrowed by which syllables occur where in a three-syllable word, then looked up
    among the ~1,900 sorted codes. Id S stands for any syllable not in the list.
    """

    def __init__(self, syllables: dict[str, int], pairs: np.ndarray, triples: np.ndarray):
        self.base = len(syllables) + 1
        codes = pairs[:, 0] * self.base + pairs[:, 1]
        self.pair_bits = np.zeros((self.base * self.base + 7) // 8, dtype=np.uint8)
        np.bitwise_or.at(self.pair_bits, codes >> 3, (1 << (codes & 7)).astype(np.uint8))
        self.in_triple = np.zeros((3, self.base), dtype=bool)
        for col in range(3):
            self.in_triple[col, triples[:, col]] = True
        a, b, c = triples.T
        self.triples = np.unique((a * self.base + b) * self.base + c)

    def pairs(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        code = a * self.base + b
        return ((self.pair_bits[code >> 3] >> (code & 7).astype(np.uint8)) & 1).astype(bool)

    def triples_of(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        found = self.in_triple[0, a] & self.in_triple[1, b] & self.in_triple[2, c]
        where = np.flatnonzero(found)
        if len(where):
            code = (a[where] * self.base + b[where]) * self.base + c[where]
            at = np.minimum(np.searchsorted(self.triples, code), len(self.triples) - 1)
            found[where] = self.triples[at] == code
        return found


class _Chunks(dict):
    """Whitespace-free chunk → chunk id; a dict, so `map(chunks.__getitem__, …)` stays in C."""

    def __init__(self, vocab: _Vocabulary) -> None:
        super().__init__()
        self.vocab = vocab

    def __missing__(self, chunk: str) -> int:
        cid = self[chunk] = self.vocab.add_chunk(_SYLLABLE.findall(chunk))
        return cid


class _Vocabulary:
    """Every chunk and token seen so far → ids, and what the model needs of each token.

    A token's column holds its contribution to both labels' scores as the word itself
    (bias, lower case, case and digit flags, summed in crfsuite's order), as the previous
    word and as the next word; plus its syllable id for the word list and its join-rule
    bits. Token 0 is the separator put between texts: it contributes nothing and is no
    syllable of any known word, so a batch needs no masks at text boundaries. A chunk is
    a run of tokens (CSR: start and length into `chunk_tokens`).
    """

    def __init__(self, model: Model, capacity: int = 4096) -> None:
        self.model = model
        self.unknown = len(model.syllables)
        self.token_ids: dict[str, int] = {}
        self.strings = np.full(capacity, "", dtype=object)
        self.columns = np.zeros((_ROW, capacity))
        self.syllable = np.full(capacity, self.unknown, dtype=np.int64)
        self.bits = np.zeros(capacity, dtype=np.uint8)
        self.n_tokens = 1  # token 0: the separator
        self.chunk_start = np.zeros(capacity, dtype=np.intp)
        self.chunk_len = np.zeros(capacity, dtype=np.intp)
        self.chunk_tokens = np.zeros(capacity, dtype=np.intp)
        self.n_chunks = self.n_chunk_tokens = 0
        self.chunks = _Chunks(self)
        self.chunks[_GAP] = self.add_chunk_ids([0])
        self.chunks["\n"] = self.add_chunk(["\n"])  # pyvi's newline token

    def __len__(self) -> int:
        return self.n_tokens

    def add_chunk(self, tokens: list[str]) -> int:
        return self.add_chunk_ids([self.token(t) for t in tokens])

    def add_chunk_ids(self, ids: list[int]) -> int:
        cid, at = self.n_chunks, self.n_chunk_tokens
        self.chunk_start = _fit(self.chunk_start, cid + 1)
        self.chunk_len = _fit(self.chunk_len, cid + 1)
        self.chunk_tokens = _fit(self.chunk_tokens, at + len(ids))
        self.chunk_start[cid], self.chunk_len[cid] = at, len(ids)
        self.chunk_tokens[at : at + len(ids)] = ids
        self.n_chunks, self.n_chunk_tokens = cid + 1, at + len(ids)
        return cid

    def token(self, token: str) -> int:
        tid = self.token_ids.get(token)
        if tid is not None:
            return tid
        tid = self.n_tokens
        self.strings = _fit(self.strings, tid + 1)
        self.columns = _fit(self.columns, tid + 1)
        self.syllable = _fit(self.syllable, tid + 1, self.unknown)
        self.bits = _fit(self.bits, tid + 1)
        self.columns[:, tid] = _contributions(self.model.weights, token)
        self.syllable[tid] = self.model.syllables.get(token.lower(), self.unknown)
        self.bits[tid] = (
            (_PUNCT if token in string.punctuation else 0)
            | (_DIGIT if token[0].isdigit() else 0)
            | (_TITLE if token[0].istitle() else 0)
        )
        self.strings[tid] = token
        self.token_ids[token] = tid
        self.n_tokens = tid + 1
        return tid


def _fit(array: np.ndarray, size: int, fill: object = 0) -> np.ndarray:
    """The array itself if it holds `size` items along its last axis, else one twice as big."""
    have = array.shape[-1]
    if size <= have:
        return array
    more = np.full((*array.shape[:-1], max(size, 2 * have) - have), fill, dtype=array.dtype)
    return np.concatenate([array, more], axis=-1)


def _contributions(weights: dict, token: str) -> list[float]:
    """A token's score contributions (_ROW values), each label summed in pyvi's order.

    crfsuite adds weight × value per attribute (True → 1.0, False → 0.0); the attribute
    string is UTF-8 (a lone surrogate raises, as in pyvi) cut at a NUL (crfsuite reads a C
    string); attributes the model does not know add nothing.
    """
    lower = token.lower().encode("utf-8").split(b"\0", 1)[0]
    upper, title, digit = (float(token.isupper()), float(token.istitle()), float(token.isdigit()))

    def weight(attr: bytes, label: int) -> float | None:
        return weights.get(attr, (None, None))[label]

    own = [
        (b"bias", 1.0), (b"word.lower():" + lower, 1.0), (b"word.isupper()", upper),
        (b"word.istitle()", title), (b"word.isdigit()", digit),
    ]  # fmt: skip
    out = []
    for label in (0, 1):
        total = 0.0
        for attr, value in own:
            w = weight(attr, label)
            if w is not None:
                total += w * value
        out.append(total)
    near = ((b"word.lower():" + lower, 1.0), (b"word.istitle()", title), (b"word.isupper()", upper))
    for side in (b"-1:", b"+1:"):
        for attr, value in near:
            for label in (0, 1):
                w = weight(side + attr, label)
                out.append(0.0 if w is None else w * value)
    return out


_GAP = " "  # the chunk that stands for the separator: never a chunk of real text


class Segmenter:
    """Tokenises batches of texts exactly as pyvi's ViTokenizer.tokenize would."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._lock = threading.Lock()
        self._vocab = _Vocabulary(model)
        absent = (None, None)
        self._ngram_w = [  # each a (2, 1) column: weight per label, 0.0 where there is none
            np.array([[0.0 if w is None else w] for w in model.weights.get(a.encode(), absent)])
            for a in _NGRAMS
        ]
        (t00, t01), (t10, t11) = model.transitions
        self._trans = (t00, t01, t10, t11)
        self._from0 = np.array([[t00], [t01]])  # score of going from B_W to (B_W, I_W)
        self._from1 = np.array([[t10], [t11]])

    def nbytes(self) -> int:
        """Bytes held in arrays: the word list's tables and the vocabulary seen so far."""
        words, vocab = self.model.words, self._vocab
        arrays = [words.pair_bits, words.in_triple, words.triples, vocab.strings,
                  vocab.columns, vocab.syllable, vocab.bits, vocab.chunk_start, vocab.chunk_len,
                  vocab.chunk_tokens]  # fmt: skip
        return sum(a.nbytes for a in arrays)

    def tokenize_many(self, texts: Iterable[str]) -> list[str]:
        out: list[str] = []
        group: list[str] = []
        size = 0
        for text in texts:  # in groups, so that the arrays of one stay a few MB
            group.append(text)
            size += len(text)
            if len(group) == _GROUP_TEXTS or size >= _GROUP_CHARS:
                out += self._locked(group)
                group, size = [], 0
        if group or not out:
            out += self._locked(group)
        return out

    def _locked(self, texts: list[str]) -> list[str]:
        with self._lock:
            if max(self._vocab.n_tokens, self._vocab.n_chunks) > MAX_TOKENS:
                self._vocab = _Vocabulary(self.model)
            return self._tokenize(texts)

    def _tokenize(self, texts: list[str]) -> list[str]:
        vocab = self._vocab
        keys: list[str] = []
        gaps = np.empty(len(texts) + 1, dtype=np.intp)  # where each text's gap chunk is
        for i, text in enumerate(texts):
            gaps[i] = len(keys)
            keys.append(_GAP)
            text = unicodedata.normalize("NFC", text)
            if "\n" in text:  # the only whitespace that is a token
                for j, part in enumerate(text.split("\n")):
                    if j:
                        keys.append("\n")
                    keys.extend(part.split())
            else:
                keys.extend(text.split())
        gaps[-1] = len(keys)
        keys.append(_GAP)
        chunks = np.fromiter(map(vocab.chunks.__getitem__, keys), dtype=np.intp, count=len(keys))
        sizes = vocab.chunk_len[chunks]
        ends = np.cumsum(sizes)
        begins = ends - sizes
        where = np.repeat(vocab.chunk_start[chunks] - begins, sizes) + np.arange(ends[-1])
        ids = vocab.chunk_tokens[where]
        starts = ends[gaps[:-1]]  # first token of each text, just after its gap
        lengths = begins[gaps[1:]] - starts
        labels = self._labels(self._scores(ids), starts, lengths)
        code = np.where(self._joined(ids, labels), 2, 1)
        code[starts] = 0
        parts: list = [None] * (2 * len(ids))
        parts[0::2] = _SEPARATORS[code].tolist()
        parts[1::2] = vocab.strings[ids].tolist()
        return [
            "".join(parts[2 * s : 2 * (s + n)]) if n else text
            for text, s, n in zip(texts, starts.tolist(), lengths.tolist(), strict=True)
        ]

    def _scores(self, ids: np.ndarray) -> np.ndarray:
        """(label, token) state scores: each the sum of its features' weights, added in the
        order pyvi's feature dict lists them (crfsuite adds them in that order)."""
        vocab, words = self._vocab, self.model.words
        col = vocab.columns[:, ids]
        syl = vocab.syllable[ids]
        pair = words.pairs(syl[:-1], syl[1:]).astype(float)  # pair[k]: tokens k, k+1
        triple = words.triples_of(syl[:-2], syl[1:-1], syl[2:]).astype(float)
        bi_before, tri_before, bi_after, tri_after = self._ngram_w
        s = col[_SELF : _SELF + 2].copy()
        s[:, 1:] += col[_PREV : _PREV + 2, :-1]  # -1:word.lower()
        s[:, 1:] += col[_PREV + 2 : _PREV + 4, :-1]  # -1:word.istitle()
        s[:, 1:] += col[_PREV + 4 : _PREV + 6, :-1]  # -1:word.isupper()
        s[:, 1:] += bi_before * pair  # -1:word.bi_gram()
        s[:, 2:] += tri_before * triple  # -2:word.tri_gram()
        s[:, :-1] += col[_NEXT : _NEXT + 2, 1:]  # +1:word.lower()
        s[:, :-1] += col[_NEXT + 2 : _NEXT + 4, 1:]  # +1:word.istitle()
        s[:, :-1] += col[_NEXT + 4 : _NEXT + 6, 1:]  # +1:word.isupper()
        s[:, :-1] += bi_after * pair  # +1:word.bi_gram()
        s[:, :-2] += tri_after * triple  # +2:word.tri_gram()
        return s

    def _labels(self, scores: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Viterbi labels of every token: the longest texts one by one, the rest as a batch."""
        labels = np.zeros(scores.shape[1], dtype=bool)
        if len(starts) == 1:  # a question: no batch to share a loop with
            s, e = int(starts[0]), int(starts[0] + lengths[0])
            if e > s:
                labels[s:e] = self._viterbi_one(scores[0, s:e].tolist(), scores[1, s:e].tolist())
            return labels
        order = np.argsort(-lengths, kind="stable")
        sizes = lengths[order]
        # The scalar loop costs per syllable, the batch loop per column of its longest text
        # (and a little per syllable): the k longest texts go to the scalar loop, k chosen
        # to make the sum smallest.
        done = np.concatenate([[0], np.cumsum(sizes)])
        cost = _SCALAR_US * done + _BATCH_US * (done[-1] - done)
        cost += _COLUMN_US * np.concatenate([sizes, [0]])
        k = int(np.argmin(cost))
        s0, s1 = scores
        for row in order[:k].tolist():
            s, e = int(starts[row]), int(starts[row] + lengths[row])
            labels[s:e] = self._viterbi_one(s0[s:e].tolist(), s1[s:e].tolist())
        batch = order[k:]
        batch = batch[lengths[batch] > 1]
        for i in range(0, len(batch), _BATCH_ROWS):  # similar lengths together, bounded memory
            rows = batch[i : i + _BATCH_ROWS]
            self._viterbi_batch(scores, labels, starts[rows], lengths[rows])
        return labels

    def _viterbi_one(self, s0: list[float], s1: list[float]) -> list[int]:
        """crfsuite's crf1dc_viterbi for one sequence, float for float: a predecessor
        replaces the first only if strictly better, and so does the last label."""
        t00, t01, t10, t11 = self._trans
        p0, p1 = s0[0], s1[0]
        back: list[int] = []  # bit j: the best predecessor of label j was I_W
        push = back.append
        for x0, x1 in zip(s0[1:], s1[1:], strict=True):  # unrolled: ~0.12 µs a syllable
            a, b, c, d = p0 + t00, p1 + t10, p0 + t01, p1 + t11
            if a < b:
                p0 = b + x0
                if c < d:
                    p1 = d + x1
                    push(3)
                else:
                    p1 = c + x1
                    push(1)
            else:
                p0 = a + x0
                if c < d:
                    p1 = d + x1
                    push(2)
                else:
                    p1 = c + x1
                    push(0)
        cur = 1 if p0 < p1 else 0
        out = [cur]
        push = out.append
        for k in reversed(back):
            cur = (k >> cur) & 1
            push(cur)
        out.reverse()
        return out

    def _viterbi_batch(
        self, scores: np.ndarray, labels: np.ndarray, starts: np.ndarray, lengths: np.ndarray
    ) -> None:
        """The same recurrence, one numpy step per position over texts sorted by length
        (the texts still running at step t are always the first ones)."""
        n_rows, n_cols = len(starts), int(lengths[0])
        cols = np.arange(n_cols)
        index = starts[None, :] + np.minimum(cols[:, None], lengths[None, :] - 1)  # (t, row)
        state = np.stack([scores[0][index], scores[1][index]], axis=1)  # (t, label, row)
        running = np.searchsorted(-lengths, -cols, side="left")  # rows with length > t
        back = np.zeros((n_cols, 2, n_rows), dtype=bool)
        p = state[0].copy()  # (label, row): best score of a path ending in that label
        from0, from1 = self._from0, self._from1
        for t in range(1, n_cols):
            n = running[t]
            q = p[:, :n]
            a = q[0] + from0  # (to, row): from B_W
            b = q[1] + from1  # from I_W
            better = np.less(a, b, out=back[t, :, :n])
            np.add(np.where(better, b, a), state[t, :, :n], out=q)
        cur = p[0] < p[1]
        out = np.zeros((n_cols, n_rows), dtype=bool)
        for t in range(n_cols - 1, 0, -1):
            n = running[t]
            out[t, :n] = c = cur[:n]
            cur[:n] = np.where(c, back[t, 1, :n], back[t, 0, :n])
        out[0] = cur
        valid = cols[:, None] < lengths[None, :]
        labels[index[valid]] = out[valid]

    def _joined(self, ids: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """pyvi's rule for '_' between tokens i-1 and i: i is I_W, neither is punctuation
        nor starts with a digit, and i does not start title-case after a non-title one."""
        bits = self._vocab.bits[ids]
        prev = np.zeros_like(bits)
        prev[1:] = bits[:-1]
        blocked = ((bits | prev) & (_PUNCT | _DIGIT)) != 0
        blocked |= ((bits & _TITLE) != 0) & ((prev & _TITLE) == 0)
        inside = labels if self.model.inside == 1 else ~labels
        return inside & ~blocked


_SEPARATORS = np.array(["", " ", "_"], dtype=object)


class PyviSegmenter:
    """The fallback: pyvi itself (imported only then: its import loads scikit-learn)."""

    def tokenize_many(self, texts: Iterable[str]) -> list[str]:
        from pyvi import ViTokenizer

        return [ViTokenizer.tokenize(t) for t in texts]


def load_engine(package: Path | None = None) -> Segmenter | PyviSegmenter:
    """The fast segmenter, or pyvi itself (said once in the log) if its model is not as expected."""
    try:
        return Segmenter(load_model(package))
    except (_UnexpectedModel, OSError) as e:
        log.warning(
            "Fast Vietnamese segmentation is off, pyvi itself is called instead (same output, "
            "about ten times slower): %s. Install the pyvi version pinned in pyproject.toml "
            "to turn it back on.",
            e,
        )
        return PyviSegmenter()


def _after_fork_in_child() -> None:
    # A reload forks its workers from a thread while another may hold the lock mid-batch;
    # the child's copy of that lock would never be released. Its vocabulary is consistent
    # at any instant (an id is published last), so only the lock is replaced.
    if isinstance(_engine, Segmenter):
        _engine._lock = threading.Lock()


# Loaded at import, once per process: reload workers forked from it inherit the arrays.
_engine = load_engine()
os.register_at_fork(after_in_child=_after_fork_in_child)


def tokenize(text: str) -> str:
    """Exactly `pyvi.ViTokenizer.ViTokenizer.tokenize(text)`."""
    return _engine.tokenize_many([text])[0]


def tokenize_many(texts: Iterable[str]) -> list[str]:
    """Exactly `[ViTokenizer.tokenize(t) for t in texts]`, segmented as one batch."""
    return _engine.tokenize_many(texts)


def engine() -> Segmenter | PyviSegmenter:
    """What `tokenize` runs on in this process (the benchmark and tests look)."""
    return _engine
