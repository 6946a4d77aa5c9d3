"""A question, analysed once: every later stage (search, coverage, timing and definition
flags, snippets, highlights, deadline leads) reads this value and none re-reads the text.

What a question is made of:

- **terms** for BM25, as `Analyzer.terms_of_words` writes them, with a weight each
  (1 for the question's own words, less for words a synonym or a learned abbreviation
  brought in, so a 30-word long form does not drown the rest of the question);
- **units** for coverage: one per content word as typed (a compound is one unit, an
  abbreviation is one unit whose long form counts), each with the alternatives that
  satisfy it ("online" is satisfied by "trực tuyến"). A unit is a few `in` look-ups in
  a passage's `Features`;
- **runs** for highlighting: the question's words in order, to be matched against whole
  words of the passage (see `index/snippets.py`), and **phrases**, the short synonyms
  it brought in, which are marked only where they appear whole;
- flags: "when" questions, definition questions ("X là gì") with their X.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from index.lexicon import phrase_tokens
from index.normalize import fold, has_diacritics
from index.segment import FOLDED, Analyzer, Segmented

PLAIN, FOLD, SINGLE = 0, 1, 2  # which string of `Features` a needle is looked up in
Needle = tuple[int, str]
Word = tuple[str, ...]  # a question word as syllable forms: "tư" as typed, "~tu" if unaccented
ALTERNATIVE_WEIGHT = 0.8  # BM25 weight of words a synonym brings in, per word of the question

_WORD = re.compile(r"\w+")
_KEEP = re.compile(r"\W")
_TIMING = re.compile(
    r"\b(?:khi nao|bao gio|luc nao|ngay nao|thang nao|quy nao|nam nao|thoi han|han chot|"
    r"han cuoi|hieu luc|cham nhat|den han|may gio|thoi diem nao|thoi gian nao|truoc ngay|"
    r"deadline|han(?! che))\b"  # "hạn chế" is a shortcoming, not a deadline
)
_TIMING_WORDS = re.compile(
    r"^(?:han|chot|han chot|han cuoi|thoi han|deadline|thoi diem|thoi gian|cham nhat)$"
)
_DEFINITION = (
    re.compile(
        r"^(?:cho (?:toi |em |minh )?hoi |xin hoi |hoi )?(?:(?:cac|nhung) )?(?P<x>.+?) "
        r"(?:la gi|la cai gi|la (?:mot )?(?:\w+ ){1,2}gi|co nghia la gi|nghia la gi|"
        r"(?:bao )?gom (?:co )?(?:nhung )?(?:\w+ ){0,2}(?:gi|ai))$"
    ),
    re.compile(r"^(?:the nao la|the nao duoc goi la|dinh nghia) (?P<x>.+)$"),
)
_WHO = re.compile(r"(?:^|\s)(?:ai|nguoi nao|dong chi nao|vi nao|ong nao|ba nao)(?:\s|$)")
_COUNT = re.compile(r"\b(?:bao nhieu|may|so luong)\b")
_WHICH_DOCUMENT = re.compile(
    r"\b(?:quyet dinh|nghi dinh|nghi quyet|ke hoach|van ban|thong tu|chi thi|cong van|luat) "
    r"(?:so )?nao\b"
)
MAX_DEFINED_WORDS = 6
MAX_MARKED_PHRASE = 4  # words; longer alternatives (long forms) bring terms, not marks
MAX_SEARCHED_PHRASE = 6  # words; longer ones bring terms only to "X là gì?"


def is_timing_question(question: str) -> bool:
    """"When" questions: their answer should lead with a date."""
    return bool(_TIMING.search(" ".join(_WORD.findall(fold(question).lower()))))


@dataclass(frozen=True)
class Unit:
    """One content word (or phrase) of the question, and what satisfies it."""

    weight: float  # idf-based importance
    alternatives: tuple[tuple[Needle, ...], ...]  # any alternative, all of its needles
    tokens: range  # the question tokens it stands for
    label: str  # those words as typed (match form)
    strong: bool = True  # False: one syllable typed without diacritics ("pho": phó? phở?)

    def present(self, strings: tuple[str, str, str]) -> bool:
        for alternative in self.alternatives:  # plain loops: this runs per candidate per unit
            for where, needle in alternative:
                if needle not in strings[where]:
                    break
            else:
                return True
        return False


@dataclass(frozen=True)
class Query:
    text: str  # the question as asked
    tokens: tuple[str, ...]  # its own words' tokens, match form
    terms: tuple[str, ...]
    term_ids: tuple[int, ...]
    term_weights: tuple[float, ...]
    units: tuple[Unit, ...]
    runs: tuple[tuple[Word, ...], ...]  # question words in order, for highlighting
    phrases: tuple[tuple[Word, ...], ...]  # synonyms of its words: marked only when whole
    keys: frozenset[str]  # abbreviations (kept keys) the question names, by either form
    stop_forms: frozenset[str]  # typed-without-diacritics stop words ("~co"): never marked alone
    timing: bool
    defined: str = ""  # X of "X là gì", folded
    asks: str = ""  # the kind of answer asked for: "who", "count", "document" or ""
    folded_words: tuple[str, ...] = field(default=())  # the text folded, for deadline leads

    @property
    def total_weight(self) -> float:
        return sum(u.weight for u in self.units) or 1.0

    def coverage(self, strings: tuple[str, str, str]) -> float:
        """Share of the question's content (idf-weighted) a passage or sentence contains."""
        return self.judge(strings)[0]

    def judge(self, strings: tuple[str, str, str]) -> tuple[float, int, bool]:
        """(coverage, units found, convincing): a passage that only matches lone syllables
        typed without diacritics ("cach nau pho bo" → "cách", "Phó", "bộ") proves nothing,
        unless the question is a single such word."""
        found = [u for u in self.units if u.present(strings)]
        share = sum(u.weight for u in found) / self.total_weight
        convincing = len(self.units) == 1 or any(u.strong for u in found)
        return share, len(found), convincing

    @property
    def content(self) -> str:
        """The content words as typed: what a follow-up question carries over."""
        return " ".join(u.label for u in self.units)

    def defines(self, folded_text: str) -> bool:
        """Does the passage name or spell out X: "… (X)", "X là …", "X gồm …"?"""
        return self.definition_at(folded_text) is not None

    def definition_at(self, folded_text: str) -> int | None:
        """Where the naming of X ends in a folded text, or None."""
        if not self.defined:
            return None
        found = _definition_pattern(self.defined).search(folded_text)
        return None if found is None else found.end()


class PhraseTable:
    """Phrases looked up in a question's tokens, each with a payload.

    Used for synonym groups and learned abbreviations (payload: the other phrases of the
    group) and for curated long forms (payload: the abbreviation's key).
    """

    def __init__(self, entries: Sequence[tuple[Sequence[str], object]]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], object]]] = {}
        for tokens, payload in entries:
            if tokens:
                folded = tuple(fold(t) for t in tokens)
                self._by_first.setdefault(folded[0], []).append((tuple(tokens), folded, payload))
        for entries_ in self._by_first.values():
            entries_.sort(key=lambda e: -len(e[0]))

    @classmethod
    def of_groups(cls, groups: Sequence[Sequence[str]]) -> PhraseTable:
        """Every phrase of a group, with the group's other phrases (as tokens) as payload."""
        entries = []
        for group in groups:
            forms = [f for f in dict.fromkeys(phrase_tokens(p) for p in group) if f]
            for f in forms:
                others = tuple(o for o in forms if o != f)
                if others:
                    entries.append((f, others))
        return cls(entries)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_first.values())

    def matches(
        self, tokens: Sequence[str], folded: Sequence[str], *, overlap: bool = False
    ) -> list[tuple[int, int, object]]:
        """(start, end, payload) of each phrase found in the tokens (and the same folded),
        longest first, no overlap unless asked. A token typed with diacritics must match as
        written, one typed without them matches folded."""
        found: list[tuple[int, int, object]] = []
        taken = [False] * len(tokens)
        for i, first in enumerate(folded):
            for phrase, phrase_folded, payload in self._by_first.get(first, ()):
                end = i + len(phrase)
                if end > len(tokens) or any(taken[i:end]):
                    continue
                if all(
                    (q == p) if q != f else (f == pf)
                    for q, f, p, pf in zip(
                        tokens[i:end], folded[i:end], phrase, phrase_folded, strict=True
                    )
                ):
                    found.append((i, end, payload))
                    if overlap:
                        continue
                    for k in range(i, end):
                        taken[k] = True
                    break
        return found


class QueryAnalyzer:
    """Makes `Query` values for one index: its vocabulary, idf and phrase table."""

    def __init__(
        self,
        analyzer: Analyzer,
        vocab: dict[str, int],
        idf,
        folded_stop: frozenset[str],
        phrases: PhraseTable,
    ) -> None:
        self.analyzer, self.vocab, self.idf = analyzer, vocab, idf
        self.folded_stop, self.phrases = folded_stop, phrases
        self.max_idf = float(idf.max()) if len(idf) else 1.0
        # A lone syllable typed without diacritics that folds to a stop word ("co", "tu",
        # "de") is most likely that stop word: it is neither content nor marked.
        self.all_folded_stop = analyzer.lexicon.folded_stopwords
        self._curated = PhraseTable(
            [
                (phrase_tokens(long), _KEEP.sub("", short))
                for short, long in analyzer.lexicon.abbreviations.items()
            ]
        )
        self._phrase_terms: dict[tuple[str, ...], tuple[list[str], tuple[Word, ...]]] = {}

    def analyse(self, text: str) -> Query:
        seg = self.analyzer.segment(text)
        folded = [fold(t) for t in seg.tokens]
        folded_words = tuple(_WORD.findall(fold(text).lower()))
        flat = " ".join(folded_words)
        defined, timing = _defined(flat), bool(_TIMING.search(flat))
        units, runs, keys = self._units(seg, folded, _capitals(text, len(seg.tokens)))
        if timing:  # "hạn chót", "thời hạn" ask for a date: the date boost answers them
            units = [u for u in units if not _TIMING_WORDS.match(fold(u.label))]
        units, extra = self._with_phrases(seg.tokens, folded, units, defined)
        terms = self.analyzer.terms_of_words(seg.words, self.vocab, self.folded_stop)
        weights = [1.0] * len(terms)
        phrases = []
        for (own_terms, alt_terms), words in extra:
            terms += alt_terms
            weights += [ALTERNATIVE_WEIGHT * min(1.0, own_terms / max(1, len(alt_terms)))] * len(
                alt_terms
            )
            if words and len(words) <= MAX_MARKED_PHRASE:  # a spelled-out long form is not
                phrases.append(words)
        keys |= {str(k) for _, _, k in self._curated.matches(seg.tokens, folded, overlap=True)}
        ids, id_weights = [], []
        for term, w in zip(terms, weights, strict=True):
            tid = self.vocab.get(term)
            if tid is not None:
                ids.append(tid)
                id_weights.append(w)
        return Query(
            text=text,
            tokens=tuple(seg.tokens),
            terms=tuple(terms),
            term_ids=tuple(ids),
            term_weights=tuple(id_weights),
            units=tuple(units),
            runs=tuple(tuple(r) for r in runs if r),
            phrases=tuple(phrases),
            keys=frozenset(keys),
            stop_forms=frozenset(
                FOLDED + t
                for t, f in zip(seg.tokens, folded, strict=True)
                if t == f and t in self.all_folded_stop
            ),
            timing=timing,
            defined=defined,
            asks=_asks(flat),
            folded_words=folded_words,
        )

    def _units(self, seg: Segmented, folded: list[str], capital: list[bool]):
        """The question's words as coverage units, highlight runs and abbreviation keys."""
        stop = self.analyzer.lexicon.stopwords
        units: list[Unit] = []
        runs: list[list[Word]] = [[]]
        keys: set[str] = set()
        unaccented: list[int] = []  # tokens of the current stretch typed without diacritics

        def flush() -> None:
            if not unaccented:
                return
            units.extend(self._unaccented_units(seg.tokens, folded, unaccented, capital))
            runs[-1].extend((FOLDED + folded[t],) for t in unaccented)
            unaccented.clear()

        for item in seg.items:
            if item.abbreviation:
                flush()
                keys.add(item.abbreviation)
                content = [s for w in item.long if w not in stop for s in w.split("_")]
                weight = self._weight([fold(s) for s in content])
                needle = _needle(_syllables(item.long))
                units.append(Unit(weight, ((needle,),), item.tokens, item.written))
                runs[-1].append((item.abbreviation,))
                runs.append([tuple(w.split("_")) for w in item.long if w not in stop])
                runs.append([])
                continue
            if all(seg.tokens[t] == folded[t] for t in item.tokens):
                unaccented.extend(item.tokens)
                continue
            flush()
            word = item.syllables
            if "_".join(word) in stop:
                continue
            at = item.tokens.start
            for piece in self._pieces(word):
                tokens = range(at, at + len(piece))
                needles: tuple[Needle, ...] = (_needle(piece),)
                if len(word) == 1 and piece[0].isalpha():  # a word of its own, as typed:
                    needles += ((SINGLE, " " + folded[at] + " "),)  # "giá", not "đánh giá"
                weight = self._weight([folded[t] for t in tokens])
                label = " ".join(seg.tokens[t] for t in tokens)
                units.append(Unit(weight, (needles,), tokens, label))
                runs[-1].append(piece)
                at += len(piece)
        flush()
        return _distinct(units), runs, keys

    def _weight(self, folded: Sequence[str]) -> float:
        """Importance of folded syllables: their idf (the most for one the index lacks)."""
        total = 0.0
        for s in folded:
            tid = self.vocab.get(FOLDED + s)
            idf = float(self.idf[tid]) if tid is not None else self.max_idf
            total += max(idf, 0.05)
        return total

    def _pieces(self, word: Word) -> list[Word]:
        """A long compound the index has never seen ("nghị_định_danh_mục", glued by pyvi in
        the question but written "Nghị định quy định danh mục") is split into the
        compounds it knows, so each counts and marks on its own."""
        if len(word) < 3 or "_".join(word) in self.vocab:
            return [word]
        out: list[Word] = []
        i = 0
        while i < len(word):
            n = next(
                (n for n in range(len(word) - i, 1, -1) if "_".join(word[i : i + n]) in self.vocab),
                1,
            )
            out.append(word[i : i + n])
            i += n
        return [p for p in out if "_".join(p) not in self.analyzer.lexicon.stopwords]

    def _unaccented_units(
        self,
        tokens: Sequence[str],
        folded: Sequence[str],
        stretch: list[int],
        capital: Sequence[bool],
    ) -> list[Unit]:
        """Units of a stretch typed without diacritics: names typed with capitals ("To Lam")
        and the longest compounds the index knows (pyvi cannot see compounds without
        diacritics), else single syllables, which must then be a word of their own in the
        passage."""
        out: list[Unit] = []
        i = 0
        while i < len(stretch):
            name = _name_length(stretch, i, capital)
            for n in (name, 3, 2, 1):
                if n == 0:
                    continue
                part = [folded[t] for t in stretch[i : i + n]]
                if len(part) < n or (
                    n > 1 and n != name and FOLDED + "_".join(part) not in self.vocab
                ):
                    continue
                if n == 1 and part[0] in self.all_folded_stop:
                    break
                # digits are often glued to their neighbours ("8/28"): matched in sequence
                weak = n == 1 and part[0].isalpha()
                out.append(
                    Unit(
                        self._weight(part),
                        ((((SINGLE if weak else FOLD), " " + " ".join(part) + " "),),),
                        range(stretch[i], stretch[i + n - 1] + 1),
                        " ".join(tokens[t] for t in stretch[i : i + n]),
                        strong=not weak,
                    )
                )
                i += n - 1
                break
            i += 1
        return out

    def _with_phrases(
        self, tokens: Sequence[str], folded: Sequence[str], units: list[Unit], defined: str
    ):
        """Units merged with the synonyms and learned abbreviations the question contains.

        A phrase found in the question ("online", "nêu tên", "Đề án 06") becomes one unit
        that any phrase of its group satisfies; its alternatives also bring BM25 terms and
        highlight runs. A long alternative (a spelled-out long form) brings terms only when
        the question asks what the phrase is ("Đề án 06 là gì?"): otherwise its thirty words
        would outweigh the question and cost thirty postings. Returns the units and, per
        alternative, ((own term count, terms), words).
        """
        extra = []
        for start, end, others in self.phrases.matches(tokens, folded):
            inside = [u for u in units if start <= u.tokens.start and u.tokens.stop <= end]
            straddle = [
                u for u in units
                if u not in inside and u.tokens.start < end and start < u.tokens.stop
            ]  # fmt: skip
            if not inside or straddle:
                continue
            own = tuple(n for u in inside for n in u.alternatives[0])
            alternatives = [own]
            asked = " ".join(folded[start:end]) == defined
            for alt in others:  # type: ignore[attr-defined]
                alternatives.append(((PLAIN, " " + " ".join(alt) + " "),))
                if len(alt) > MAX_SEARCHED_PHRASE and not asked:
                    continue
                alt_terms, alt_words = self._terms_of_phrase(alt)
                own_terms = max(1, sum(len(u.tokens) for u in inside))
                extra.append(((own_terms, alt_terms), alt_words))
            merged = Unit(
                sum(u.weight for u in inside),
                tuple(alternatives),
                range(start, end),
                " ".join(u.label for u in inside),
            )
            at = units.index(inside[0])
            units = [u for u in units if u not in inside]
            units.insert(at, merged)
        return units, extra

    def _terms_of_phrase(self, tokens: tuple[str, ...]) -> tuple[list[str], tuple[Word, ...]]:
        """BM25 terms and highlight words of an alternative phrase. Only its whole words
        are searched ("công_dân", not "công" and "dân", whose postings are half the index)."""
        cached = self._phrase_terms.get(tokens)
        if cached is None:
            stop = self.analyzer.lexicon.stopwords
            words = [w for w in self.analyzer.words(" ".join(tokens)) if w not in stop]
            terms = [w if has_diacritics(w) else FOLDED + w for w in words]
            runs = tuple(tuple(w.split("_")) if has_diacritics(w) else (FOLDED + w,) for w in words)
            cached = self._phrase_terms[tokens] = ([t for t in terms if t in self.vocab], runs)
        return cached


def _distinct(units: list[Unit]) -> list[Unit]:
    """A word asked twice counts once ("x x x x …" is one unknown word, not 200)."""
    seen: set = set()
    out = []
    for u in units:
        if u.alternatives not in seen:
            seen.add(u.alternatives)
            out.append(u)
    return out


def _capitals(text: str, n: int) -> list[bool]:
    """Which of the question's n tokens were typed with a capital (names: "To Lam")."""
    raw = _WORD.findall(text)
    return [t[:1].isupper() for t in raw] if len(raw) == n else []


def _name_length(stretch: list[int], i: int, capital: Sequence[bool]) -> int:
    """Length of a run of capitalised tokens ("To Lam") starting at stretch[i], if ≥ 2; the
    question's first word is capitalised anyway and does not start one."""
    if not capital:
        return 0
    n = 0
    while (
        i + n < len(stretch)
        and n < 4
        and capital[stretch[i + n]]
        and stretch[i + n] > 0
        and (n == 0 or stretch[i + n] == stretch[i + n - 1] + 1)
    ):
        n += 1
    return n if n >= 2 else 0


def _syllables(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(s for w in words for s in w.split("_"))


def _needle(syllables: Sequence[str]) -> Needle:
    """Where and what to look up: as written when typed with diacritics, else folded."""
    if any(has_diacritics(s) for s in syllables):
        return PLAIN, " " + " ".join(syllables) + " "
    return FOLD, " " + " ".join(fold(s) for s in syllables) + " "


@lru_cache(maxsize=1024)
def _definition_pattern(defined: str) -> re.Pattern[str]:
    """How a text names X: "… (X)", "X là …", "X gồm …" (folded, X's words any spacing)."""
    x = r"\W+".join(re.escape(w) for w in defined.split())
    return re.compile(rf"\(\s*{x}\s*\)|\b{x}\s+(?:la|gom|bao gom)\b")


def _asks(folded: str) -> str:
    if _WHO.search(folded):
        return "who"
    if _COUNT.search(folded):
        return "count"
    if _WHICH_DOCUMENT.search(folded):
        return "document"
    return ""


def _defined(folded: str) -> str:
    """X of a definition question ("de an 06" of "De an 06 la gi"), or ""."""
    for pattern in _DEFINITION:
        m = pattern.match(folded)
        if m and len(m["x"].split()) <= MAX_DEFINED_WORDS:
            return m["x"]
    return ""
