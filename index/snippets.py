"""The 1-2 sentences of a passage that answer, with the question's words marked.

Marks are placed on whole words of the passage (pyvi's, kept from the reload as
joins): a passage word, or a run of them, is marked when it spells the same syllables
as a run of whole question words. So "đề" of "Đề án 06" never lights up "đề ra", "bộ"
never "đồng bộ", "trình" never "quy trình"; a lone syllable typed without diacritics
("to") only marks a one-syllable word that is not a stop word nor part of a name ("Tổ",
not "Tô" of "Tô Lâm").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.normalize import fold
from index.passage_words import Tokens, passage_match_form, sentence_features
from index.passages import sentence_spans
from index.query import Query, Word
from index.segment import FOLDED, Analyzer

MAX_CHARS = 300
_TOKEN = re.compile(r"\w+")
DATE_RE = re.compile(
    r"\b\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?\b|\b(?:tháng|quý|quí)\s+[\dIVX]+|\bnăm\s+\d{4}",
    re.IGNORECASE,
)
DATE_BONUS = 1.5  # a "when" question prefers the sentence with a date
CLOSE = 0.8  # a neighbour sentence scoring this share of the best one is shown with it
NAME_BONUS = 2.0  # "who": the sentence naming a person ("Lê Thành Long") holds the answer
NUMBER_BONUS = 1.5  # "how many": the sentence with a figure
_NUMBER = re.compile(r"\d")
_FIGURE = re.compile(r"\d[\d.,/]*")
_CODE = re.compile(r"\b\d+/(?:\d{4}/)?[A-ZĐ][\w-]*")  # 148/QĐ-BTP, 73/2019/NĐ-CP
ANSWER_WEIGHT = 20  # characters: where the answer is counts like a long marked word


def make_snippet(
    text: str, joins: str | None, query: Query, analyzer: Analyzer, mf: str | None = None
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Best sentence (plus its best neighbour if both fit) and the spans of marked words.

    A sentence's score is the weight of the question's units it contains (synonyms and
    abbreviations count as for coverage), more when it holds the kind of answer asked for
    (`_score`). `mf` is the passage's match form when the caller has it already.
    """
    spans = sentence_spans(text) or [(0, len(text))]
    mf = passage_match_form(text) if mf is None else mf
    if len(spans) == 1:  # nothing to choose between
        scores, firsts = [1.0], [0]
    else:
        strings, firsts = sentence_features(text, joins, spans, analyzer, mf)
        scores = [_score(text[s:e], f, query) for (s, e), f in zip(spans, strings, strict=True)]
    best = max(range(len(spans)), key=lambda i: scores[i])
    chosen = [best]
    neighbours = [i for i in (best - 1, best + 1) if 0 <= i < len(spans) and scores[i] > 0]
    if neighbours:
        other = max(neighbours, key=lambda i: scores[i])
        lo, hi = min(best, other), max(best, other)
        # Both when they fit, or when the neighbour matters almost as much: then the pair
        # is cut to its densest stretch of marks (the answer is often in the other one).
        if spans[hi][1] - spans[lo][0] <= MAX_CHARS or scores[other] >= CLOSE * scores[best]:
            chosen = [lo, hi]
    start, end = spans[min(chosen)][0], spans[max(chosen)][1]
    tokens = Tokens(text, joins, analyzer, mf, (start, end), firsts[min(chosen)])
    marks = mark_words(tokens, query)
    prefix = suffix = ""
    if end - start > MAX_CHARS:
        first, last = start, end
        weighted = marks + _answer_spans(text, start, end, query)
        start, end = _window(text, start, end, weighted, _anchor(text, start, end, query))
        prefix = "…" if start > first else ""
        suffix = "…" if end < last else ""
    shift = len(prefix) - start
    shown = tuple((s + shift, e + shift) for s, e in marks if start <= s and e <= end)
    return prefix + text[start:end] + suffix, shown


def _score(sentence: str, strings: tuple[str, str, str], query: Query) -> float:
    """What the sentence holds of the question, more if it holds what kind of answer is
    asked for: a date for "when", a person's name for "who", a number for "how many", a
    document's code ("148/QĐ-BTP") for "which decision"."""
    score = sum(u.weight for u in query.units if u.present(strings))
    if query.timing and DATE_RE.search(sentence):
        score *= DATE_BONUS
    elif query.asks == "who" and _names_someone(sentence):
        score *= NAME_BONUS
    elif query.asks == "count" and _NUMBER.search(sentence):
        score *= NUMBER_BONUS
    elif query.asks == "document" and _CODE.search(sentence):
        score *= NUMBER_BONUS
    return score


def _answer_spans(text: str, start: int, end: int, query: Query) -> list[tuple[int, int]]:
    """Where the kind of answer asked for is (names for "who", figures for "how many",
    dates for "when", codes for "which decision"), counted like marks when a long stretch
    is cut to its best part."""
    if query.timing:
        found = [m.span() for m in DATE_RE.finditer(text, start, end)]
    elif query.asks == "who":
        found = _names(text, start, end)
    elif query.asks == "count":
        found = [m.span() for m in _FIGURE.finditer(text, start, end)]
    elif query.asks == "document":
        found = [m.span() for m in _CODE.finditer(text, start, end)]
    else:
        return []
    return [(s, max(e, s + ANSWER_WEIGHT)) for s, e in found]


def _names_someone(sentence: str) -> bool:
    return bool(_names(sentence, 0, len(sentence)))


def _names(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of persons' names: three or four capitalised words in a row, only spaces
    between them ("Nguyễn Kim Sơn"). Agencies have lower-case words in them ("Bộ Tư pháp",
    "Văn phòng Chính phủ")."""
    found: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(text, start, end):
        word = m[0]
        joined = run and text[run[-1][1] : m.start()] == " "
        if word[0].isupper() and word[1:].islower() and (joined or not run):
            run.append(m.span())
            continue
        if len(run) >= 3:
            found.append((run[0][0], run[-1][1]))
        run = [m.span()] if word[0].isupper() and word[1:].islower() else []
    if len(run) >= 3:
        found.append((run[0][0], run[-1][1]))
    return found


def _anchor(text: str, start: int, end: int, query: Query) -> int | None:
    """For "X là gì": where "(X)" ends, so a long sentence is cut to show what precedes it
    (the spelled-out long form) rather than what follows."""
    if not query.defined:
        return None
    found = query.definition_at(fold(text[start:end]).lower())
    return None if found is None else start + found


def mark_words(tokens: Tokens, query: Query) -> list[tuple[int, int]]:
    """Character spans of the words that match whole question words; neighbours
    separated by spaces only become one span."""
    starts = _starts(query)
    words = tokens.words()
    marked = [False] * len(words)
    forms, folded = tokens.forms, tokens.folded
    for j, word in enumerate(words):
        if word[2]:
            candidates = starts.get(word[2], ())
            marked[j] = marked[j] or word[2] in query.keys
        else:
            first, first_folded = forms[word[0]], FOLDED + folded[word[0]]
            if first not in starts and first_folded not in starts:
                continue
            candidates = starts.get(first, ()) + starts.get(first_folded, ())
        if not candidates or tokens.is_stop(word):
            continue
        longest = max(_align(tokens, words, j, r, i, query, whole) for r, i, whole in candidates)
        for k in range(j, j + longest):
            marked[k] = marked[k] or not tokens.is_stop(words[k])
    spans: list[tuple[int, int]] = []
    text = tokens.text
    for word, on in zip(words, marked, strict=True):
        if not on:
            continue
        start, end = tokens.starts[word[0]], tokens.ends[word[1] - 1]
        if spans and not text[spans[-1][1] : start].strip():
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


_STARTS: dict[int, tuple[Query, dict]] = {}


def _starts(query: Query) -> dict[str, tuple[tuple[Sequence[Word], int, bool], ...]]:
    """Where a match may begin: question words by their first syllable (for the 1-3 hits of
    one answer, so the question is indexed once, not per passage word)."""
    cached = _STARTS.get(id(query))
    if cached is not None and cached[0] is query:
        return cached[1]
    found: dict[str, list[tuple[Sequence[Word], int, bool]]] = {}
    for run in query.runs:
        for i, word in enumerate(run):
            found.setdefault(word[0], []).append((run, i, False))
    for phrase in query.phrases:
        found.setdefault(phrase[0][0], []).append((phrase, 0, True))
    index = {k: tuple(v) for k, v in found.items()}
    if len(_STARTS) > 64:
        _STARTS.clear()
    _STARTS[id(query)] = (query, index)
    return index


def _align(
    tokens: Tokens, words: list, j: int, run: Sequence[Word], i: int, query: Query, whole: bool
) -> int:
    """How many passage words from j spell the same syllables as question words from i,
    both sides ending on a word boundary (0 when none do); `whole`: all of the run."""
    best = 0
    q_word, q_syl = i, 0
    for k in range(j, len(words)):
        word = words[k]
        for syllable, folded in zip(
            tokens.syllables(word), tokens.syllables(word, folded=True), strict=True
        ):
            if q_word >= len(run):
                return best
            typed = run[q_word][q_syl]
            if typed != syllable and typed != FOLDED + folded:
                return best
            q_syl += 1
            if q_syl == len(run[q_word]):
                q_word, q_syl = q_word + 1, 0
        if q_syl == 0 and (not whole or q_word == len(run)):  # both at a word boundary
            one = k == j and word[1] - word[0] == 1 and len(run[i]) == 1
            if not one or _lone_ok(tokens, word, run[i][0], query):
                best = k - j + 1
    return best


def _lone_ok(tokens: Tokens, word: tuple[int, int, str], typed: str, query: Query) -> bool:
    """A one-syllable match. The passage word is a word of its own (one syllable); one
    typed without diacritics must not be a stop word ("co" is "có") nor match a syllable
    of a name ("Tô" of "Tô Lâm"); a number is marked only within a longer match."""
    if word[2]:
        return True
    if typed.lstrip(FOLDED).isdigit():  # "06" alone would light up every date
        return False
    if not typed.startswith(FOLDED):
        return True
    return typed not in query.stop_forms and not tokens.in_name(word[0])


def _window(
    text: str, start: int, end: int, marks: list[tuple[int, int]], anchor: int | None = None
) -> tuple[int, int]:
    """Cut a long stretch to MAX_CHARS around its densest run of marks (or ending just after
    `anchor`), at spaces."""
    budget = MAX_CHARS - 2
    inside = [m for m in marks if start <= m[0] and m[1] <= end]
    lo = start
    if anchor is not None:
        lo = max(start, anchor + 20 - budget)
    elif inside:
        # densest by marked characters: "tiện ích lên" says more than "bộ"
        best_start, best_count = inside[0][0], 0
        for s, _ in inside:
            count = sum(h[1] - h[0] for h in inside if s <= h[0] and h[1] <= s + budget)
            if count > best_count:
                best_start, best_count = s, count
        last = max(e for s, e in inside if best_start <= s and e <= best_start + budget)
        lo = max(start, best_start - max(0, (budget - (last - best_start)) // 2))  # centred
    hi = min(end, lo + budget)
    if hi == end:
        lo = max(start, hi - budget)
    if lo > start:
        space = text.find(" ", lo, lo + 30)
        lo = space + 1 if space >= 0 else lo
    if hi < end:
        space = text.rfind(" ", lo, hi)
        hi = space if space > lo + budget // 2 else hi
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi
