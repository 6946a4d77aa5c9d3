"""The values every stage produces: a deadline and, for repeating work, its rule.

Plain frozen dataclasses so the store, the chat and the JSON output share one shape. The
fields added for plans (`partners`, `recurrence`) have defaults, so a `Deadline` built the
old way (seven positional fields) still means what it meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["Deadline", "Recurrence", "PRECISIONS", "KINDS", "FREQS", "TEXT_LIMIT"]

# "none" is the precision of ongoing work, which has no date to be precise about.
PRECISIONS = ("day", "month", "quarter", "half", "year", "none")
KINDS = ("deadline", "effective", "recurring", "ongoing")
FREQS = ("monthly", "quarterly", "half-yearly", "yearly")
TEXT_LIMIT = 250


@dataclass(frozen=True)
class Recurrence:
    """How often repeating work falls due ("trước ngày 10 hằng quý" = quarterly, day 10).

    `day` is the day of the month when the document names one, else the work falls on the
    last day of each period. `month` is which month of the period the day falls in (1 = the
    period's first month, the usual reading of "trước ngày 10 hằng quý"); for yearly rules
    it is the calendar month ("trước ngày 15/12 hằng năm").
    """

    freq: str  # monthly | quarterly | half-yearly | yearly
    day: int | None = None
    month: int | None = None

    @property
    def rule(self) -> str:
        """A compact, stable spelling of the rule ("quarterly/10"), used in keys."""
        parts = [self.freq]
        if self.day is not None:
            parts.append(str(self.day))
        if self.month is not None:
            parts.append(f"m{self.month}")
        return "/".join(parts)


@dataclass(frozen=True)
class Deadline:
    """One dated commitment; `start`/`end` index the timing phrase ("trước ngày 30/3/2024").

    `due` is None only for ongoing work ("thường xuyên"). For recurring work it is the first
    occurrence on or after the document's date; what a reader sees is the next occurrence on
    or after their day (`recurrence.next_occurrence`). `agency` is the lead (chủ trì).
    """

    due: date | None
    precision: str  # day | month | quarter | half | year | none
    kind: str  # deadline | effective | recurring | ongoing
    text: str  # the task as written, trimmed to at most ~250 characters
    agency: str  # the lead agency named for it, "" when none
    start: int
    end: int
    partners: tuple[str, ...] = ()
    recurrence: Recurrence | None = None
