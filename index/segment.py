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
from collections.abc import Iterable, Iterator
from functools import lru_cache

from index import vitokenizer
from index.lexicon import Lexicon
from index.normalize import fold, has_diacritics, match_form

FOLDED = "~"
_WORD = re.compile(r"\w+", re.UNICODE)
_KEEP = re.compile(r"\W")
_SENTENCE_CACHE_MAX = 200_000


class Analyzer:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._stop = lexicon.stopwords
        self._cache: dict[str, list[str]] = {}
        keys = sorted(lexicon.abbreviations, key=len, reverse=True)
        self._abbr_keys = frozenset(_KEEP.sub("", k) for k in keys)
        self._abbr = (
            re.compile(r"(?<![\w&-])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w&-])")
            if keys
            else None
        )

    def words(self, text: str, *, cache: bool = True) -> list[str]:
        """pyvi words of the text, lower case, compounds joined with '_', no punctuation.

        Questions repeat, so their lines are cached; passages are analysed once each and
        caching them only grew every analysis worker by ~1 GB at 100k passages.
        """
        text = self.expand(match_form(text))
        out: list[str] = []
        for line in text.split("\n"):
            if line.strip():
                out.extend(self._segment(line) if cache else _pyvi_words(line))
        return out

    def expand(self, text: str) -> str:
        """Abbreviation → itself (as one word) plus its long form, so both match."""
        if self._abbr is None:
            return text
        return self._abbr.sub(
            lambda m: f" {_KEEP.sub('', m[1])} {self.lexicon.abbreviations[m[1]]} ", text
        )

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
        return list(self._terms(self.words(text, cache=False)))

    def passages_terms(self, texts: list[str]) -> Iterator[list[str]]:
        """`passage_terms` of each text, their lines segmented as one batch.

        vitokenizer runs its Viterbi across a batch, which is several times faster than
        line by line; the terms are still made one passage at a time as they are read.
        """
        lines, counts = [], []
        for text in texts:
            ours = [line for line in self.expand(match_form(text)).split("\n") if line.strip()]
            lines += ours
            counts.append(len(ours))
        segmented = iter(vitokenizer.tokenize_many(lines))
        # A token's terms depend on the token alone, and tokens repeat: expand each once.
        expanded: dict[str, tuple[str, ...]] = {}
        for n in counts:
            terms: list[str] = []
            for _ in range(n):
                for raw in next(segmented).split(" "):
                    found = expanded.get(raw)
                    if found is None:
                        found = expanded[raw] = tuple(self._terms(_words_of(raw)))
                    terms += found
            yield terms

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
        """Terms of a question, word by word: as written if typed with diacritics, folded if not.

        A word typed with its diacritics is matched exactly (sharper, and half the postings
        of matching it both ways); a word typed without them is matched in the folded
        namespace, so "bo tu phap" and "Bộ Tư pháp" reach the same passages, as does a
        question mixing both. Folded 2- and 3-syllable compounds the index knows are added
        for stretches typed without diacritics, where pyvi cannot see compounds.
        """
        terms: list[str] = []
        plain: list[str | None] = []  # folded syllables typed without diacritics, else None
        for w in self.words(question):
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

    def content_syllables(self, question: str, folded_stop: frozenset[str]) -> list[str]:
        """The question's content syllables as `word_forms` writes them, one by one.

        A syllable typed with diacritics must be found as written ("tín dụng đen" is not
        satisfied by "ứng dụng … đến"); one typed without them is compared folded ("~tu"),
        so accented, unaccented and mixed questions are all judged fairly.
        """
        out = []
        for w in self.words(question):
            for s in w.split("_"):
                if s in self._abbr_keys:  # its long form follows and is what counts
                    continue
                if has_diacritics(s):
                    form = None if s in self._stop else s
                else:
                    form = None if s in self._stop or s in folded_stop else FOLDED + s
                if form is not None and form not in out:
                    out.append(form)
        return out


def _pyvi_words(line: str) -> list[str]:
    return _words_of(vitokenizer.tokenize(line))


def _words_of(segmented: str) -> list[str]:
    """Words of pyvi's output (vitokenizer's is the same): compounds '_'-joined, no punctuation."""
    words = []
    for raw in segmented.split(" "):
        parts = _WORD.findall(raw)
        if parts:
            words.append("_".join(parts))
    return words


@lru_cache(maxsize=262_144)
def word_forms(word: str) -> tuple[str, str]:
    """A passage word as compared with question syllables: as written, and folded ("~")."""
    return match_form(word), FOLDED + fold(word).lower()
