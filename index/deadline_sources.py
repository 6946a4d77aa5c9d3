"""Where a passage's deadlines are read from: a task row's time cell, or dated prose.

A row says who leads, who cooperates and by when in cells of their own, so its deadline is its
time cell with the row's lead and partners — no cue word needed. Prose deadlines need their cue
("trước ngày …"); a bullet under an agency heading ("2. Công an thành phố" › "- …") is led by
that agency unless its own sentence names another.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from index.deadlines import Deadline, agency_name, cell_deadlines, extract_deadlines, split_agencies
from index.models import Passage


def passage_deadlines(
    passage: Passage, *, default_year: int | None, doc_date: date | None
) -> list[Deadline]:
    if passage.cells:
        cells: dict[str, str] = {}
        for role, _, text in passage.cells:
            cells.setdefault(role, text)
        time = cells.get("time", "")
        if time:
            found = cell_deadlines(
                time,
                task=cells.get("task") or passage.text,
                lead=cells.get("lead", ""),
                partners=split_agencies(cells.get("partners", "")),
                default_year=default_year,
                doc_date=doc_date,
            )
            at = passage.text.rfind(time)
            return [replace(d, start=d.start + at, end=d.end + at) for d in found]
    # A passage that opens its section starts with the heading's line ("1. Sở Tư pháp"): the
    # heading names the lead, it is not part of the first bullet's task.
    skip = _heading_line(passage)
    found = extract_deadlines(
        passage.text[skip:],
        default_year=default_year,
        doc_date=doc_date,
        section_lead=section_lead(passage.path),
    )
    return [replace(d, start=d.start + skip, end=d.end + skip) for d in found] if skip else found


def _heading_line(passage: Passage) -> int:
    """Length of the heading line a passage starts with (with its line break), else 0."""
    if not passage.path or "\n" not in passage.text:
        return 0
    first = passage.text.split("\n", 1)[0]
    heading = passage.path[-1].label.rstrip("…")
    return len(first) + 1 if heading and first.startswith(heading) else 0


def section_lead(path: tuple) -> str:
    """The agency the innermost agency heading above a passage names, "" when none does."""
    for section in reversed(path):
        if section.kind in ("row", "group"):
            continue
        name = agency_name(section.title or section.label)
        if name:
            return name
    return ""
