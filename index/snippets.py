"""The 1-2 sentences of a passage that answer, with the matched words marked."""

from __future__ import annotations

import re
from collections.abc import Callable

from index.passages import sentence_spans

MAX_CHARS = 300
_WORD = re.compile(r"\w+")
DATE_RE = re.compile(
    r"\b\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?\b|\b(?:tháng|quý|quí)\s+[\dIVX]+|\bnăm\s+\d{4}",
    re.IGNORECASE,
)


Forms = Callable[[str], tuple[str, ...]]  # a word → the forms a query syllable may take


def matched_spans(text: str, wanted: set[str], forms: Forms) -> list[tuple[int, int]]:
    """Spans of matched words; neighbours separated by spaces only become one span."""
    spans: list[tuple[int, int]] = []
    for m in _WORD.finditer(text):
        if wanted.isdisjoint(forms(m[0])):
            continue
        if spans and not text[spans[-1][1] : m.start()].strip():
            spans[-1] = (spans[-1][0], m.end())
        else:
            spans.append((m.start(), m.end()))
    return spans


def make_snippet(
    text: str, weights: dict[str, float], forms: Forms, *, prefer_dates: bool = False
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Best sentence (plus its best neighbour if both fit) and the spans of matched words.

    weights: query syllable (as `forms` writes it) -> importance (idf). A sentence's score is
    the summed weight of the distinct query words it contains; dates add weight for
    "when" questions.
    """
    spans = sentence_spans(text) or [(0, len(text))]
    wanted = set(weights)
    scores = [_score(text[s:e], weights, forms, prefer_dates) for s, e in spans]
    best = max(range(len(spans)), key=lambda i: scores[i])
    chosen = [best]
    neighbours = [i for i in (best - 1, best + 1) if 0 <= i < len(spans) and scores[i] > 0]
    if neighbours:
        other = max(neighbours, key=lambda i: scores[i])
        lo, hi = min(best, other), max(best, other)
        if spans[hi][1] - spans[lo][0] <= MAX_CHARS:
            chosen = [lo, hi]
    start, end = spans[min(chosen)][0], spans[max(chosen)][1]
    snippet = text[start:end]
    if len(snippet) > MAX_CHARS:
        snippet = _window(snippet, wanted, forms)
    return snippet, tuple(matched_spans(snippet, wanted, forms))


def present_words(text: str, forms: Forms) -> set[str]:
    return {f for w in _WORD.findall(text) for f in forms(w)}


def _score(sentence: str, weights: dict[str, float], forms: Forms, prefer_dates: bool) -> float:
    present = present_words(sentence, forms)
    score = sum(w for term, w in weights.items() if term in present)
    if prefer_dates and DATE_RE.search(sentence):
        score *= 1.5
    return score


def _window(sentence: str, wanted: set[str], forms: Forms) -> str:
    """Cut a long sentence to MAX_CHARS around its densest stretch of matches."""
    hits = matched_spans(sentence, wanted, forms)
    budget = MAX_CHARS - 2
    if not hits:
        start = 0
    else:
        best_start, best_count = hits[0][0], 0
        for s, _ in hits:
            count = sum(1 for h in hits if s <= h[0] and h[1] <= s + budget)
            if count > best_count:
                best_start, best_count = s, count
        start = max(0, best_start - 40)
    end = min(len(sentence), start + budget)
    if end == len(sentence):
        start = max(0, end - budget)
    if start > 0:
        space = sentence.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    if end < len(sentence):
        space = sentence.rfind(" ", start, end)
        end = space if space > start + budget // 2 else end
    text = sentence[start:end].strip()
    return ("…" if start > 0 else "") + text + ("…" if end < len(sentence) else "")
