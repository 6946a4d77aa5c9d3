"""A passage as words: what a question's coverage and highlights are judged against.

Passages are analysed once, at reload; besides their terms, the analysis keeps the
*joins* of their tokens ("_" where the next token belongs to the same pyvi word), so at
answer time we know that "Bộ trưởng" is one word and "Bộ Tư pháp" two, without running
pyvi again. Two views are built from text + joins:

- features: three strings a question's needles are looked up in with `in` — every
  syllable in order (abbreviations expanded, as the index sees them), the same folded,
  and the folded words with their compounds joined by "_", where " to " is found only
  if "to" is a word of its own (a lone syllable typed without diacritics must not be
  satisfied by a syllable of a compound);
- `Tokens`: the table a hit's snippet is scored (sentence by sentence) and marked (word
  by word) from.

Both are built with a handful of C-level string operations per passage: they run for
every candidate of every question.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from operator import add

from index.normalize import fold, passage_match_form
from index.segment import Analyzer

_TOKEN = re.compile(r"\w+")
_SPACE = re.compile(" ")

Strings = tuple[str, str, str]  # (plain, folded, words): see the module docstring


def features(text: str, joins: str | None, analyzer: Analyzer, mf: str | None = None) -> Strings:
    """The coverage strings of a whole passage (`mf`: its passage_match_form, if known)."""
    mf = passage_match_form(text) if mf is None else mf
    tokens = _TOKEN.findall(mf)
    expanded = _TOKEN.findall(analyzer.expand(mf)) if analyzer.may_abbreviate(tokens) else tokens
    plain = " " + " ".join(expanded) + " "
    seps = joins if joins is not None and len(joins) == len(tokens) else " " * len(tokens)
    return plain, fold(plain), " " + fold("".join(map(add, tokens, seps)))


def sentence_features(
    text: str, joins: str | None, sentences: list[tuple[int, int]], analyzer: Analyzer, mf: str
) -> tuple[list[Strings], list[int]]:
    """The coverage strings of each sentence of a passage (to pick the snippet), and the
    index of each sentence's first token."""
    if len(mf) != len(text):  # lower() changed a length: no safe slicing, no joins
        return [features(text[s:e], None, analyzer) for s, e in sentences], [0] * len(sentences)
    pieces = [mf[s:e] for s, e in sentences]
    tokens = [_TOKEN.findall(p) for p in pieces]
    total = sum(map(len, tokens))
    if joins is None or len(joins) != total:
        joins = " " * total
    abbreviated = [analyzer.may_abbreviate(t) for t in tokens]
    out, firsts = [], []
    at = 0
    for piece, toks, abbr in zip(pieces, tokens, abbreviated, strict=True):
        plain = " " + " ".join(_TOKEN.findall(analyzer.expand(piece)) if abbr else toks) + " "
        n = len(toks)
        words = "".join(map(add, toks, joins[at : at + n - 1] + " ")) if n else ""
        out.append((plain, fold(plain), " " + fold(words)))
        firsts.append(at)
        at += n
    return out, firsts


class Tokens:
    """The tokens of text[start:end] (the snippet) with their spans, forms and joins, to
    mark it word by word."""

    def __init__(
        self,
        text: str,
        joins: str | None,
        analyzer: Analyzer,
        mf: str,
        span: tuple[int, int],
        first: int,
    ) -> None:
        """`span`: the characters to cover; `first`: the index of its first token."""
        start, end = span
        self.text = text
        aligned = len(mf) == len(text)
        spans = [m.span() for m in _TOKEN.finditer(text, start, end)]
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]
        self.forms = [mf[s:e] for s, e in spans] if aligned else [
            passage_match_form(text[s:e]) for s, e in spans
        ]
        folded = fold(mf[start:end])
        self.folded = (
            [folded[s - start : e - start] for s, e in spans]
            if aligned and len(folded) == end - start
            else [fold(f) for f in self.forms]
        )
        n = len(spans)
        picked = joins[first : first + n] if joins is not None else ""
        self.joins = picked if len(picked) == n else " " * n
        if n:
            self.joins = self.joins[:-1] + " "  # the range ends a word
        self.stop = analyzer.lexicon.stopwords
        self.abbreviation: dict[int, tuple[int, str]] = {}  # first token -> (end, key)
        maybe = aligned and analyzer.may_abbreviate(self.forms)
        for s, e, key in analyzer.abbreviation_spans(mf[start:end]) if maybe else []:
            a, b = bisect_left(self.starts, s + start), bisect_left(self.starts, e + start)
            if a < b:
                self.abbreviation[a] = (b, key)

    def __len__(self) -> int:
        return len(self.starts)

    def words(self) -> list[tuple[int, int, str]]:
        """The words as token ranges (first, end, abbreviation key or ""); an abbreviation
        ("TT&TT", two tokens) is one word."""
        out: list[tuple[int, int, str]] = []
        t, b = 0, len(self.starts)
        joins, abbreviation = self.joins, self.abbreviation
        if not abbreviation:  # the common case: words end where the joins have a space
            for end in (m.end() for m in _SPACE.finditer(joins)):
                out.append((t, end, ""))
                t = end
            return out
        while t < b:
            abbr = abbreviation.get(t)
            if abbr is not None:
                end = min(abbr[0], b)
                out.append((t, end, abbr[1]))
                t = end
                continue
            end = t + 1
            while joins[end - 1] == "_" and end < b:
                end += 1
            out.append((t, end, ""))
            t = end
        return out

    def syllables(self, word: tuple[int, int, str], folded: bool = False) -> list[str]:
        if word[2]:
            return [word[2]]
        return (self.folded if folded else self.forms)[word[0] : word[1]]

    def is_stop(self, word: tuple[int, int, str]) -> bool:
        return not word[2] and "_".join(self.forms[word[0] : word[1]]) in self.stop

    def in_name(self, t: int) -> bool:
        """Is the one-syllable word at token t part of a name, a run of capitalised
        one-syllable words ("Tô Lâm", "Nguyễn Kim Sơn")?"""
        text, starts, joins = self.text, self.starts, self.joins
        if not text[starts[t]].isupper():
            return False

        def capital_alone(i: int) -> bool:
            return (
                0 <= i < len(starts)
                and text[starts[i]].isupper()
                and joins[i] != "_"
                and (i == 0 or joins[i - 1] != "_")
            )

        return capital_alone(t - 1) or capital_alone(t + 1)
