"""The progress report (báo cáo tiến độ) as plain values: which tasks, in which order, and
the words of every cell, before any file format is involved.

Officials send the Tổ công tác a report every month, usually a Word table per lead agency;
this is that table, read from the plans the assistant already holds and the progress people
reported. `bot/render/report.py` turns it into Word and Excel files; the chat, the command
line and the HTTP side server all build it here, so the three never disagree.

Effective dates ("có hiệu lực từ …") are not work anyone does and stay out. Within an agency,
tasks with a day come first by that day (recurring work by its next occurrence), ongoing
work last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.deadline_chat import (
    due_label,
    matching,
    parse_deadline_args,
    progress_state,
    recurrence_label,
)
from index.deadline_store import DeadlineRecord
from index.normalize import fold
from index.progress import Progress

__all__ = ["ReportRow", "AgencyGroup", "Counts", "ProgressReport", "build_report", "file_name"]

NO_LEAD = "Chưa rõ đơn vị chủ trì"
KIND_WORDS = {"deadline": "Có thời hạn", "recurring": "Định kỳ", "ongoing": "Thường xuyên"}


def _day(d: date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


@dataclass(frozen=True)
class ReportRow:
    record: DeadlineRecord
    due: date | None  # the day it falls due seen from the report's day; None for ongoing work
    days_left: int | None
    progress: Progress | None  # what counts on the report's day; None: nothing reported

    @property
    def state(self) -> str:
        """ "done", "overdue" (reported in progress and past its day), "doing" or "unknown"."""
        if self.progress is None:
            return "unknown"
        if self.progress.state == "doing" and self.days_left is not None and self.days_left < 0:
            return "overdue"
        return self.progress.state

    @property
    def past(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    def due_text(self) -> str:
        r = self.record
        if r.recurrence is not None and self.due is not None:
            return f"{recurrence_label(r.recurrence)} — kỳ tới {_day(self.due)}"
        return due_label(r)

    def progress_text(self) -> str:
        p, state = self.progress, self.state
        if state == "done" and p is not None and p.done_on is not None:
            if p.occurrence is not None:
                return f"Đã xong kỳ {_day(p.occurrence)} (ngày {_day(p.done_on)})"
            return f"Đã xong ngày {_day(p.done_on)}"
        if state == "overdue":
            return f"Đang làm — quá hạn {-(self.days_left or 0)} ngày"
        if state == "doing":
            return "Đang làm"
        if self.past:
            return f"Chưa cập nhật — hạn đã qua {-(self.days_left or 0)} ngày"
        return "Chưa cập nhật"

    def note_text(self) -> str:
        p = self.progress
        if p is None:
            return ""
        who = ", ".join(x for x in (p.by, _day(p.at.date()) if p.at else "") if x)
        return "\n".join(x for x in (p.note, f"(cập nhật: {who})" if who else "") if x)

    def source_text(self) -> str:
        r = self.record
        title = r.title or r.doc_id
        when = f" ({_day(date.fromisoformat(r.date))})" if r.date else ""
        return f"{title}{when}" + (f"\nMục: {r.section}" if r.section else "")


@dataclass(frozen=True)
class AgencyGroup:
    agency: str
    rows: list[ReportRow]

    @property
    def counts(self) -> Counts:
        return Counts.of(self.rows)


@dataclass(frozen=True)
class Counts:
    total: int = 0
    done: int = 0
    doing: int = 0
    overdue: int = 0
    unknown: int = 0
    unknown_past: int = 0  # of `unknown`, those whose day has gone by

    @classmethod
    def of(cls, rows: Sequence[ReportRow]) -> Counts:
        states = [r.state for r in rows]
        return cls(
            total=len(rows),
            done=states.count("done"),
            doing=states.count("doing"),
            overdue=states.count("overdue"),
            unknown=states.count("unknown"),
            unknown_past=sum(1 for r in rows if r.state == "unknown" and r.past),
        )

    def line(self) -> str:
        """ "Tổng số 12 nhiệm vụ: 3 đã xong, 2 đang làm, 1 quá hạn, 6 chưa cập nhật (4 đã qua
        hạn)." — quá hạn counts only work reported in progress, as the chat says it."""
        unknown = f"{self.unknown} chưa cập nhật"
        if self.unknown_past:
            unknown += f" ({self.unknown_past} đã qua hạn)"
        return (
            f"Tổng số {self.total} nhiệm vụ: {self.done} đã xong, {self.doing} đang làm, "
            f"{self.overdue} quá hạn, {unknown}."
        )


@dataclass(frozen=True)
class ProgressReport:
    today: date
    query: str  # the filter words, "" for everything
    groups: list[AgencyGroup]

    @property
    def counts(self) -> Counts:
        return Counts.of([row for g in self.groups for row in g.rows])

    @property
    def rows(self) -> list[ReportRow]:
        return [row for g in self.groups for row in g.rows]

    @property
    def title(self) -> str:
        return "BÁO CÁO TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ ĐỀ ÁN 06"

    @property
    def subtitle(self) -> str:
        scope = f" — lọc theo “{self.query}”" if self.query else ""
        return f"Tính đến ngày {_day(self.today)}{scope}"


def build_report(
    records: Sequence[DeadlineRecord],
    progress: Mapping[str, Progress],
    today: date,
    words: Sequence[str] = (),
) -> ProgressReport:
    """The report on `today` of the tasks matching `words` (as /deadline filters them)."""
    _, words = parse_deadline_args(" ".join(words))
    groups: dict[str, list[tuple[tuple, ReportRow]]] = {}
    for r in matching(records, words, today):
        if r.kind == "effective":
            continue
        due = r.due_on(today)
        left = None if due is None else (due - today).days
        row = ReportRow(r, due, left, progress_state(r, progress, today))
        order = (due is None, due or date.max, r.doc_id, r.passage_id, r.start, r.text)
        groups.setdefault(r.agency.strip() or NO_LEAD, []).append((order, row))
    ordered = sorted(groups, key=lambda a: (a == NO_LEAD, fold(a).lower()))
    return ProgressReport(
        today,
        " ".join(words),
        [AgencyGroup(a, [row for _, row in sorted(groups[a], key=_order)]) for a in ordered],
    )


def _order(item: tuple[tuple, ReportRow]) -> tuple:
    return item[0]


def file_name(report: ProgressReport, extension: str) -> str:
    """ "bao-cao-tien-do-2025-05-03.docx": ASCII, so every platform and mail client keeps it."""
    return f"bao-cao-tien-do-{report.today.isoformat()}.{extension}"
