"""Cutting a document into passages a person can read in one chat bubble.

Prose is cut by paragraphs (merged when short, cut at sentences when long) and never across
a section boundary; a heading opens the first passage of its section; a task-table row is a
passage of its own, so "who leads this task, by when" is answered by that row alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.boilerplate import boilerplate
from index.models import Passage
from index.structure import Unit, path_label, path_reference, section_context

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


def split_passages(doc_id: str, body: str) -> list[Passage]:
    """Passages of plain text, one paragraph per line; offsets index into `body`."""
    lines = [_trim(body, m.start(), m.end()) for m in _PARAGRAPH.finditer(body)]
    spans = _chunk(body, [(s, e) for s, e in lines if e > s])
    return [
        Passage(doc_id=doc_id, ordinal=i, start=s, end=e, text=body[s:e])
        for i, (s, e) in enumerate(spans)
    ]


def passages_from_units(
    doc_id: str, units: Sequence[Unit], title: str = ""
) -> tuple[str, list[Passage]]:
    """The document's display body (one unit per line) and its passages, in document order.

    In a structured document (a plan, a decision) a passage alone rarely says what it is
    about — a row names a task, not the plan or the group it belongs to — so each passage
    gets a `context`: the document's title and the headings above it, indexed with it.
    Page chrome (index/boilerplate.py: captions, "Tin xem nhiều", a repeated title …) stays in
    the body but is in no passage.
    """
    structured = any(u.path for u in units)
    prose = [i for i, u in enumerate(units) if u.kind == "paragraph"]
    chrome = {prose[i] for i in boilerplate([units[i].text for i in prose], title)}
    lines: list[str] = []
    offset = 0
    groups: list[tuple[Unit, list[tuple[int, int]]]] = []  # a row alone, or a run of prose
    heading: tuple[int, int] | None = None
    for n, unit in enumerate(units):
        text = _line(unit)
        span = (offset, offset + len(text))
        lines.append(text)
        offset += len(text) + 1
        if n in chrome:  # kept in the body, never in a passage, and no passage spans it
            groups.append((unit, []))
            continue
        if unit.kind == "heading":
            heading = span  # opens the prose that follows it, if any
            continue
        if unit.kind == "row":
            groups.append((unit, [span]))
            heading = None
            continue
        last, taken = groups[-1] if groups else (None, [])
        if last and last.kind == "paragraph" and taken and (last.path, last.ocr) == (
            unit.path,
            unit.ocr,
        ):
            taken.append(span)
            continue
        spans = [heading, span] if heading is not None else [span]
        groups.append((unit, spans))
        heading = None
    body = "\n".join(lines)
    passages: list[Passage] = []
    for unit, spans in groups:
        cut = spans if unit.kind == "row" else _chunk(body, spans) if spans else []
        for s, e in cut:
            passages.append(
                Passage(
                    doc_id=doc_id,
                    ordinal=len(passages),
                    start=s,
                    end=e,
                    text=body[s:e],
                    section=path_label(unit.path),
                    reference=path_reference(unit.path),
                    path=unit.path,
                    cells=unit.cells,
                    ocr=unit.ocr,
                    context="\n".join(filter(None, (title, section_context(unit.path))))
                    if structured
                    else "",
                )
            )
    return body, passages


def body_of(units: Sequence[Unit]) -> str:
    """The display body `passages_from_units` cuts passages from, without cutting them."""
    return "\n".join(_line(u) for u in units)


def _line(unit: Unit) -> str:
    return " ".join(unit.text.split())


def _chunk(body: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """About MIN_WORDS..MAX_WORDS per chunk: short paragraphs merged, long ones cut.

    Short paragraphs (captions, datelines, one-line leads, a heading) are merged with the
    next one so no passage is a lonely caption; long paragraphs are cut at sentences.
    """
    chunks: list[tuple[int, int]] = []
    for s, e in paragraphs:
        if _words(body, s, e) <= MAX_WORDS:
            chunks.append((s, e))
        else:
            chunks.extend(_cut_long(body, s, e))
    return _merge_short(body, chunks)


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
