"""The time cell of a task-table row: "Quý II/2025", "Trước ngày 10 hằng quý", "Thường xuyên".

A cell in the "Thời gian hoàn thành" column is a deadline by its position, so no cue word
is needed and no obligation has to be read: every date in it is due (two dates are two
deadlines), a range falls due at its end, a rule is recurring and continuing work is
ongoing. The row gives the task, the lead and the partners; the cell gives only the time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from index.deadlines.dates import (
    DateExpr,
    context_year,
    find_dates,
    find_relative,
    relative_due,
    resolve,
)
from index.deadlines.record import TEXT_LIMIT, Deadline
from index.deadlines.recurrence import (
    RecurrenceSpan,
    find_ongoing,
    find_recurrences,
    next_occurrence,
    period_precision,
)

__all__ = ["cell_deadlines"]

_I = re.IGNORECASE
# Words before a date that belong to the timing phrase ("Trước ngày", "Hoàn thành trong").
_LEAD_WORDS = re.compile(
    r"(?:(?:hoàn\s+thành|hoàn\s+tất|xong|thực\s+hiện)\s+)?"
    r"(?:(?:trước|trong|chậm\s+nhất(?:\s+là)?|muộn\s+nhất|đến\s+hết|đến|vào|cuối|từ|không\s+quá"
    r"|hạn|trong\s+thời\s+gian)\s*:?\s*)+$",
    _I,
)
_BEFORE = re.compile(r"(?<!\w)trước\s*$", _I)
_END_OF = re.compile(r"(?<!\w)cuối\s*$", _I)
_FROM = re.compile(r"(?<!\w)(?<!kể\s)từ\s*$", _I)
_EFFECTIVE = re.compile(r"hiệu\s+lực|áp\s+dụng", _I)
_TO_NEXT = re.compile(r"\s*(?:đến|tới|[-–—])\s*(?:hết\s+)?$", _I)
_AND = re.compile(r"\s*(?:,\s*và|,|;|và|hoặc)\s*$", _I)
# A date inside a citation: "theo Kế hoạch số 12/KH-UBND ngày 5/3/2025".
_CITED = re.compile(r"(?:(?<!\w)số\s+\S+|\d+/[A-ZĐ][\w/.-]*)\s*$")
_CONTINUING = re.compile(r"(?:,|và)\s*(?:các|những)\s+năm\s+tiếp\s+theo", _I)
_NOTE = re.compile(r"\s*\(([^()]{2,80})\)")


def cell_deadlines(
    cell: str,
    *,
    task: str,
    lead: str,
    partners: Sequence[str],
    default_year: int | None,
    doc_date: date | None = None,
) -> list[Deadline]:
    """The deadlines a table row's time cell states for its task; [] for a cell with no time.

    `text` of each is the task, `start`/`end` the timing phrase's offsets inside `cell`. A
    note in brackets right after a date ("Quý II/2025 (cấp tỉnh)") is kept with the task, so
    two dates of one cell stay told apart.
    """
    row = _Row(_clip(task), lead.strip(), tuple(p for p in partners if p.strip()))
    anchor = doc_date or (date(default_year, 1, 1) if default_year else date.today())
    taken: list[tuple[int, int]] = []
    out: list[Deadline] = []
    for span in _merged(list(find_recurrences(cell))):
        taken.append((span.start, span.end))
        for rule in span.rules:
            out.append(
                row.deadline(next_occurrence(rule, anchor), period_precision(rule), "recurring",
                             span.start, span.end, recurrence=rule)
            )  # fmt: skip
    for m in find_ongoing(cell):
        if not _overlaps(taken, m.start(), m.end()):
            taken.append((m.start(), m.end()))
            out.append(row.deadline(None, "none", "ongoing", m.start(), m.end()))
    continuing = _CONTINUING.search(cell)
    if continuing:
        # "Năm 2025 và các năm tiếp theo": continuing work, not a 2025 deadline
        first = next(find_dates(cell, cell=True), None)
        start = min(first.start, continuing.start()) if first else continuing.start()
        return _dedupe(out + [row.deadline(None, "none", "ongoing", start, continuing.end())])
    if doc_date is not None:
        for r in find_relative(cell):
            taken.append((r.cue, r.end))
            kind = "effective" if r.effective else "deadline"
            out.append(row.deadline(relative_due(doc_date, r), "day", kind, r.cue, r.end))
    out += _dated(cell, row, taken, default_year)
    return _dedupe(out)


class _Row:
    def __init__(self, task: str, lead: str, partners: tuple[str, ...]) -> None:
        self.task, self.lead, self.partners = task, lead, partners

    def deadline(self, due, precision, kind, start, end, *, note="", recurrence=None) -> Deadline:
        text = f"{self.task} ({note})" if note else self.task
        lead = "" if kind == "effective" else self.lead
        return Deadline(due, precision, kind, text, lead, start, end, self.partners, recurrence)


def _dated(
    cell: str, row: _Row, taken: list[tuple[int, int]], default_year: int | None
) -> list[Deadline]:
    exprs = [e for e in find_dates(cell, cell=True) if not _overlaps(taken, e.start, e.end)]
    out: list[Deadline] = []
    prev_mode = ""
    range_start: int | None = None  # "Từ tháng 3 đến tháng 6/2025" is one phrase
    for i, e in enumerate(exprs):
        line_start = cell.rfind("\n", 0, e.start) + 1
        head = cell[line_start : e.start]
        if _CITED.search(head):
            continue
        nxt = exprs[i + 1] if i + 1 < len(exprs) else None
        if nxt and _TO_NEXT.fullmatch(cell, e.end, nxt.start):
            range_start = _phrase_start(head, e)
            continue  # "Từ tháng 3 đến tháng 6/2025": due at the end
        start, range_start = (range_start, None) if range_start is not None else (None, None)
        if start is None:
            start = _phrase_start(head, e)
        if _FROM.search(head):
            # "Từ quý II/2025": work that starts then and goes on
            out.append(row.deadline(None, "none", "ongoing", start, e.end))
            continue
        if _EFFECTIVE.search(head):
            mode, kind = "effective", "effective"
        elif _BEFORE.search(head) and not _END_OF.search(head):
            mode, kind = "before", "deadline"
        elif out and _AND.fullmatch(cell, exprs[i - 1].end, e.start) and prev_mode:
            mode, kind = prev_mode, "deadline"  # "Trước tháng 6 và tháng 12/2025"
        else:
            mode, kind = "end", "deadline"
        if e.since is not None and mode == "before":
            mode = "end"
        year = e.year or context_year(cell, e.start, (0, len(cell)), default_year)
        if year is None:
            continue
        due = resolve(e.precision, e.index, year, mode)
        if due is None:
            continue
        prev_mode = mode
        note = _NOTE.match(cell, e.end)
        end = note.end() if note else e.end
        out.append(
            row.deadline(due, e.precision, kind, start, e.end,
                         note=note[1].strip() if note else "")
        )  # fmt: skip
        taken.append((e.start, end))
    return out


def _phrase_start(head: str, e: DateExpr) -> int:
    lead = _LEAD_WORDS.search(head)
    return e.start - (len(head) - lead.start()) if lead else e.start


def _merged(spans: list[RecurrenceSpan]) -> list[RecurrenceSpan]:
    """One rule in "Hằng quý, trước ngày 15 tháng cuối quý", not a bare and a dated one."""
    dated = {r.freq for s in spans for r in s.rules if r.day is not None}
    out = []
    for s in spans:
        rules = tuple(r for r in s.rules if r.day is not None or r.freq not in dated)
        if rules:
            out.append(RecurrenceSpan(s.start, s.end, rules, s.dated))
    return out


def _overlaps(taken: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(x < b and a < y for x, y in taken)


def _clip(task: str) -> str:
    """The task on one line, cut at a word under the length every deadline text keeps."""
    text = " ".join(task.split())
    if len(text) <= TEXT_LIMIT:
        return text
    cut = text.rfind(" ", 0, TEXT_LIMIT - 1)
    return text[: cut if cut > 0 else TEXT_LIMIT - 1].rstrip(" ,;") + "…"


def _dedupe(items: list[Deadline]) -> list[Deadline]:
    seen: set[tuple] = set()
    out = []
    for d in sorted(items, key=lambda d: (d.start, d.end)):
        key = (d.due, d.kind, d.recurrence, d.text)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
