"""Vietnamese text → index terms, the same way for passages and for questions.

Each word pyvi finds is indexed in two namespaces: as written (tone-unified, lower case)
and accent-folded with a "~" prefix, so "bo tu phap" and "Bộ Tư pháp" meet in the folded
one while accented questions also get the sharper accented match. Compound words
("tư_pháp") are indexed whole and as their syllables, because pyvi may segment a
question differently from the passage. Abbreviations are expanded to their long form
on both sides, which makes "CSDL" ≡ "cơ sở dữ liệu" in either direction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from index import vitokenizer
from index.lexicon import Lexicon
from index.normalize import fold, has_diacritics, match_form, passage_match_form

FOLDED = "~"
_WORD = re.compile(r"\w+", re.UNICODE)
_KEEP = re.compile(r"\W")
_SENTENCE_CACHE_MAX = 200_000


@dataclass(frozen=True)
class Item:
    """One word of a text as it was written: a pyvi word, or an abbreviation.

    `tokens` are the indices of its word tokens in the text; an abbreviation ("TT&TT",
    two tokens) carries its kept key ("tttt") and its long form's pyvi words.
    """

    tokens: range
    syllables: tuple[str, ...]  # match form; for an abbreviation, its key alone
    abbreviation: str = ""  # kept key, e.g. "tttt"; "" for a word of the text itself
    long: tuple[str, ...] = ()  # the abbreviation's long form, pyvi words
    written: str = ""  # the abbreviation as written, e.g. "tt&tt"


@dataclass(frozen=True)
class Segmented:
    """A text segmented once: the words for index terms, and how they map to the text."""

    words: list[str]  # pyvi words, abbreviations expanded (key, then long form)
    tokens: list[str]  # the text's own \w+ tokens, match form
    items: list[Item]  # the text's own words and abbreviations, in order
    joins: str  # per own token: "_" when the next token belongs to the same word


@dataclass(frozen=True)
class _Line:
    expanded: str  # the line with abbreviations expanded, as pyvi sees it
    origin: list[int]  # per token of `expanded`: the own token it is, or -1 (inserted)
    first: int  # the line's own tokens are tokens[first:end]
    end: int


@dataclass(frozen=True)
class _Prepared:
    tokens: list[str]
    items: list[Item]  # abbreviations found while expanding; words are added when traced
    lines: list[_Line]


class Analyzer:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._stop = lexicon.stopwords
        self._cache: dict[str, list[str]] = {}
        # People type "GD&DT" for "GD&ĐT": an abbreviation is also recognised folded.
        self._keys: dict[str, str] = {
            fold(k): k for k in lexicon.abbreviations if fold(k) not in lexicon.stopwords
        }
        self._keys.update({k: k for k in lexicon.abbreviations})
        keys = sorted(self._keys, key=len, reverse=True)
        self._abbr = (
            re.compile(r"(?<![\w&-])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w&-])")
            if keys
            else None
        )
        self._long_words: dict[str, tuple[str, ...]] = {}
        # The first word of every abbreviation ("tt" of "tt&tt"): text without any of them
        # has no abbreviation, and the regex (an alternation of every key) can be skipped.
        self.abbreviation_heads = frozenset(_WORD.findall(" ".join(self._keys)))
        self._long_text = {_KEEP.sub("", k): v for k, v in lexicon.abbreviations.items()}

    def words(self, text: str, *, cache: bool = True) -> list[str]:
        """pyvi words of the text, lower case, compounds joined with '_', no punctuation.

        Questions repeat, so their lines are cached; passages are analysed once each and
        caching them only grew every analysis worker by ~1 GB at 100k passages.
        """
        return self.segment(text, cache=cache).words

    def may_abbreviate(self, tokens: Iterable[str]) -> bool:
        """Could these (match-form) tokens contain an abbreviation?"""
        return not self.abbreviation_heads.isdisjoint(tokens)

    def expand(self, text: str) -> str:
        """Abbreviation → itself (as one word) plus its long form, so both match."""
        if self._abbr is None:
            return text
        return self._abbr.sub(lambda m: self._insert(m[1]), text)

    def _insert(self, written: str) -> str:
        key = self._keys[written]
        return f" {_KEEP.sub('', key)} {self.lexicon.abbreviations[key]} "

    def abbreviation_spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, kept key) of each abbreviation in a match-form text."""
        if self._abbr is None:
            return []
        return [
            (m.start(), m.end(), _KEEP.sub("", self._keys[m[1]])) for m in self._abbr.finditer(text)
        ]

    def long_text(self, key: str) -> str:
        """An abbreviation's long form (match form), by its kept key ("tttt")."""
        return self._long_text.get(key, "")

    def long_form(self, key: str) -> tuple[str, ...]:
        """The pyvi words of an abbreviation's long form, by its kept key."""
        found = self._long_words.get(key)
        if found is None:
            full = self.long_text(key)
            found = self._long_words[key] = tuple(self._segment(full)) if full else ()
        return found

    def segment(self, text: str, *, cache: bool = True) -> Segmented:
        """Words for the index, and for each of the text's own tokens which word it is in.

        Abbreviations are expanded before pyvi sees the text (as in `expand`), then every
        pyvi word is traced back: to the text's own tokens (whose joins record the
        compounds, "Bộ trưởng" vs "Bộ Tư pháp"), or to the abbreviation it came from.
        """
        prepared = self._prepare(text)
        segment = self._segment if cache else _pyvi_words
        return self._traced(prepared, [segment(line.expanded) for line in prepared.lines])

    def segment_many(self, texts: list[str]) -> list[Segmented]:
        """`segment` of each text, every line of all of them segmented in one batch.

        vitokenizer runs its Viterbi across a batch, which is several times faster than
        line by line (this is how reload workers analyse passages).
        """
        prepared = [self._prepare(t) for t in texts]
        flat = [line.expanded for p in prepared for line in p.lines]
        segmented = iter(vitokenizer.tokenize_many(flat))
        return [
            self._traced(p, [_words_of(next(segmented)) for _ in p.lines]) for p in prepared
        ]

    def _prepare(self, text: str, *, normalised: bool = False) -> _Prepared:
        """The text's own tokens and abbreviations, and each line as pyvi is to see it.

        `normalised`: the text went through normalize_text already (a passage), so only its
        case and, where an old-style tone placement may be, its tones need unifying.
        """
        prepared = _Prepared([], [], [])
        form = passage_match_form(text) if normalised else match_form(text)
        for line in form.split("\n"):
            if not line.strip():
                continue
            first = len(prepared.tokens)
            expanded, origin = self._expand_line(line, prepared.tokens, prepared.items)
            prepared.lines.append(_Line(expanded, origin, first, len(prepared.tokens)))
        return prepared

    def _traced(self, prepared: _Prepared, segmented: list[list[str]]) -> Segmented:
        """Each line's pyvi words traced back to the text's own tokens (see `segment`)."""
        tokens, items = prepared.tokens, list(prepared.items)
        words: list[str] = []
        joins = [" "] * len(tokens)
        for line, line_words in zip(prepared.lines, segmented, strict=True):
            words.extend(line_words)
            parts = [w.split("_") for w in line_words]
            if sum(map(len, parts)) != len(line.origin):  # pyvi changed a token: no compounds
                own_tokens = set(line.origin)
                items.extend(
                    Item(range(t, t + 1), (tokens[t],))
                    for t in range(line.first, line.end)
                    if t in own_tokens
                )
                continue
            at = 0
            for word_parts in parts:
                span = line.origin[at : at + len(word_parts)]
                at += len(word_parts)
                own = [t for t in span if t >= 0]
                if own and len(own) == len(span):
                    for t in own[:-1]:
                        joins[t] = "_"
                    items.append(Item(range(own[0], own[-1] + 1), tuple(word_parts)))
        # abbreviation tokens are one word, and items come in text order
        for item in items:
            if item.abbreviation:
                for t in item.tokens[:-1]:
                    joins[t] = "_"
        items.sort(key=lambda i: i.tokens.start)
        return Segmented(words, tokens, items, "".join(joins))

    def _expand_line(self, line: str, tokens: list[str], items: list[Item]):
        """The line with abbreviations expanded, and per token of it the own token it is
        (an index into `tokens`, which this extends) or -1 for inserted words."""
        origin: list[int] = []
        pieces: list[str] = []
        at = 0
        for start, end, key in self.abbreviation_spans(line):
            own = _WORD.findall(line, at, start)
            origin.extend(range(len(tokens), len(tokens) + len(own)))
            tokens.extend(own)
            written = _WORD.findall(line, start, end)
            items.append(
                Item(range(len(tokens), len(tokens) + len(written)), (key,), key,
                     self.long_form(key), line[start:end])
            )  # fmt: skip
            tokens.extend(written)
            inserted = self._insert(line[start:end])
            origin.extend([-1] * len(_WORD.findall(inserted)))
            pieces += [line[at:start], inserted]
            at = end
        own = _WORD.findall(line, at)
        origin.extend(range(len(tokens), len(tokens) + len(own)))
        tokens.extend(own)
        pieces.append(line[at:])
        return "".join(pieces), origin

    def _segment(self, line: str) -> list[str]:
        cached = self._cache.get(line)
        if cached is not None:
            return cached
        words = _pyvi_words(line)
        if len(self._cache) >= _SENTENCE_CACHE_MAX:
            self._cache.clear()
        self._cache[line] = words
        return words

    def passage_terms(self, text: str) -> list[str]:
        """Index terms of a passage (with repetition: BM25 counts them)."""
        return self.analyse_passage(text)[0]

    def analyse_passage(self, text: str) -> tuple[list[str], str]:
        """Index terms of a passage, and the joins of its tokens (kept for highlighting)."""
        seg = self.segment(text, cache=False)
        return list(self._terms(seg.words)), seg.joins

    def passages_terms(self, texts: list[str]) -> list[list[str]]:
        """`passage_terms` of each text, segmented as one batch."""
        return [terms for terms, _ in self.analyse_passages(texts)]

    def analyse_passages(self, texts: list[str]) -> list[tuple[list[str], str]]:
        """`analyse_passage` of each text (already normalised), segmented as one batch.

        This is the reload workers' path, so it does only what the index keeps: the words'
        terms and the joins — not the per-word trace a question's highlights need. A word's
        terms depend on the word alone, and words repeat: each is expanded once.
        """
        prepared = [self._prepare(t, normalised=True) for t in texts]
        flat = [line.expanded for p in prepared for line in p.lines]
        segmented = iter(vitokenizer.tokenize_many(flat))
        expanded: dict[str, tuple[str, ...]] = {}
        out = []
        for p in prepared:
            words, joins = _joined(p, [_words_of(next(segmented)) for _ in p.lines])
            terms: list[str] = []
            for w in words:
                found = expanded.get(w)
                if found is None:
                    found = expanded[w] = tuple(self._terms((w,)))
                terms += found
            out.append((terms, joins))
        return out

    def _terms(self, words: Iterable[str]) -> Iterable[str]:
        stop = self._stop
        for w in words:
            if w in stop:
                continue
            yield w
            folded = fold(w)
            yield FOLDED + folded
            if "_" in w:
                for syllable in w.split("_"):
                    if syllable not in stop:
                        yield syllable
                for syllable in folded.split("_"):
                    yield FOLDED + syllable

    def query_terms(
        self, question: str, vocab: dict[str, int], folded_stop: frozenset[str]
    ) -> list[str]:
        """Terms of a question (see `terms_of_words`)."""
        return self.terms_of_words(self.words(question), vocab, folded_stop)

    def terms_of_words(
        self, words: list[str], vocab: dict[str, int], folded_stop: frozenset[str]
    ) -> list[str]:
        """Terms of a question, word by word: as written if typed with diacritics, folded if not.

        A word typed with its diacritics is matched exactly (sharper, and half the postings
        of matching it both ways); a word typed without them is matched in the folded
        namespace, so "bo tu phap" and "Bộ Tư pháp" reach the same passages, as does a
        question mixing both. Folded 2- and 3-syllable compounds the index knows are added
        for stretches typed without diacritics, where pyvi cannot see compounds.
        """
        terms: list[str] = []
        plain: list[str | None] = []  # folded syllables typed without diacritics, else None
        for w in words:
            if has_diacritics(w):
                plain.extend([None] * (w.count("_") + 1))
                if w in self._stop:
                    continue
                terms.append(w)
                if "_" in w:
                    terms.extend(s for s in w.split("_") if s not in self._stop)
                continue
            for syllable in w.split("_"):
                plain.append(syllable)
                if syllable not in folded_stop:
                    terms.append(FOLDED + syllable)
            if "_" in w:
                terms.append(FOLDED + w)
        for n in (2, 3):
            for i in range(len(plain) - n + 1):
                part = plain[i : i + n]
                if None in part:
                    continue
                gram = FOLDED + "_".join(part)  # type: ignore[arg-type]
                if gram in vocab:
                    terms.append(gram)
        return terms


def _joined(prepared: _Prepared, segmented: list[list[str]]) -> tuple[list[str], str]:
    """The words and joins `Analyzer._traced` would give, without building its Items."""
    joins = [" "] * len(prepared.tokens)
    words: list[str] = []
    for line, line_words in zip(prepared.lines, segmented, strict=True):
        words += line_words
        sizes = [w.count("_") + 1 for w in line_words]
        if sum(sizes) != len(line.origin):  # pyvi changed a token: no compounds
            continue
        at = 0
        for n in sizes:
            if n > 1:
                span = line.origin[at : at + n]
                if min(span) >= 0:  # the text's own tokens, no inserted long form
                    for t in span[:-1]:
                        joins[t] = "_"
            at += n
    for item in prepared.items:  # before tracing, the items are the abbreviations
        for t in item.tokens[:-1]:
            joins[t] = "_"
    return words, "".join(joins)


def _pyvi_words(line: str) -> list[str]:
    return _words_of(vitokenizer.tokenize(line))


def _words_of(segmented: str) -> list[str]:
    """Words of pyvi's output (vitokenizer's is the same): compounds '_'-joined, no punctuation."""
    words = []
    for raw in segmented.split(" "):
        if raw.replace("_", "").isalnum():  # most are: what the pattern would give (\w is these)
            words.append(raw)
            continue
        parts = _WORD.findall(raw)
        if parts:
            words.append("_".join(parts))
    return words
