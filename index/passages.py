"""Cutting a document into passages a person can read in one chat bubble."""

from __future__ import annotations

import re

from index.boilerplate import boilerplate
from index.models import Passage

MIN_WORDS = 40
MAX_WORDS = 120

# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets) then a space and
# an upper-case letter, digit or opening quote. Abbreviations with dots are rare in these texts.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-ZÀ-Ỹ0-9Đ])")
_PARAGRAPH = re.compile(r"[^\n]+")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence in text[start:end], whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for found in _SENTENCE_END.finditer(text, start, end):
        spans.append(_trim(text, cursor, found.start()))
        cursor = found.end()
    spans.append(_trim(text, cursor, end))
    return [s for s in spans if s[1] > s[0]]


def split_passages(doc_id: str, body: str, title: str = "") -> list[Passage]:
    """Paragraph-based passages of about MIN_WORDS..MAX_WORDS words.

    Short paragraphs (captions, datelines, one-line leads) are merged with the next one
    so no passage is a lonely caption; long paragraphs are cut at sentence boundaries.
    Page chrome (index/boilerplate.py) is left out, and no passage spans across it.
    """
    groups: list[list[tuple[int, int]]] = [[]]
    paragraphs = [_trim(body, p.start(), p.end()) for p in _PARAGRAPH.finditer(body)]
    dropped = boilerplate([body[s:e] for s, e in paragraphs], title)
    for n, (s, e) in enumerate(paragraphs):
        if n in dropped:
            groups.append([])
            continue
        if e <= s:
            continue
        if _words(body, s, e) <= MAX_WORDS:
            groups[-1].append((s, e))
        else:
            groups[-1].extend(_cut_long(body, s, e))
    merged = [m for chunks in groups for m in _merge_short(body, chunks)]
    return [
        Passage(doc_id=doc_id, ordinal=i, start=s, end=e, text=body[s:e])
        for i, (s, e) in enumerate(merged)
    ]


def _cut_long(body: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    cur_s, cur_e, cur_words = -1, -1, 0
    for s, e in sentence_spans(body, start, end):
        n = _words(body, s, e)
        if cur_s >= 0 and cur_words + n > MAX_WORDS and cur_words >= MIN_WORDS // 2:
            out.append((cur_s, cur_e))
            cur_s, cur_words = -1, 0
        if cur_s < 0:
            cur_s = s
        cur_e, cur_words = e, cur_words + n
    if cur_s >= 0:
        if (
            out
            and cur_words < MIN_WORDS // 2
            and _words(body, *out[-1]) + cur_words <= MAX_WORDS * 1.3
        ):
            out[-1] = (out[-1][0], cur_e)
        else:
            out.append((cur_s, cur_e))
    return out


def _merge_short(body: str, chunks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for s, e in chunks:
        if pending is not None:
            if _words(body, pending[0], e) <= MAX_WORDS:
                s = pending[0]
            else:
                out.append(pending)
            pending = None
        if _words(body, s, e) < MIN_WORDS:
            pending = (s, e)
        else:
            out.append((s, e))
    if pending is not None:
        if out and _words(body, out[-1][0], pending[1]) <= MAX_WORDS:
            out[-1] = (out[-1][0], pending[1])
        else:
            out.append(pending)
    return out


def _words(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
