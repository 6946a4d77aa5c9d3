"""Date expressions as Vietnamese documents write them, and the day each one means.

One small pure module for prose and table cells alike: single days ("30/6/2025", "ngày 15
tháng 8 năm 2025"), months, quarters ("Quý III/2025", "Q3/2025"), halves ("6 tháng đầu năm
2025"), years, ranges ("2025 - 2027", "giai đoạn 2022–2025": the end year), and dates
relative to the document's own date ("kể từ ngày ký", "sau 15 ngày kể từ ngày ký").

A period falls due on its last day and keeps its precision, so "quý II/2024" is 2024-06-30
with precision "quarter"; "trước tháng 6/2024" is read literally (before June starts):
2024-05-31; an effective date falls on the first day of its period. Whether a date is a
deadline at all is not decided here — prose needs a cue and an obligation (prose.py), a
time cell needs nothing (cells.py).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "DateExpr",
    "RelativeExpr",
    "find_dates",
    "find_relative",
    "relative_due",
    "resolve",
    "period_bounds",
    "context_year",
    "LOOKBACK",
]

LOOKBACK = 3000  # no sentence is longer; keeps whole-document extraction linear

_I = re.IGNORECASE
_SEP = r"\s*(?:/|-|\.|năm)\s*"
_YEAR4 = r"(?:19|20|21)\d{2}"
_SHAPES = rf"""
      (?P<half>(?:0?6|sáu)\s+tháng\s+(?P<h_which>đầu|cuối)\s+năm(?:\s+(?P<h_y>\d{{4}}))?
              |nửa\s+(?P<h_which2>đầu|cuối)\s+năm(?:\s+(?P<h_y2>\d{{4}}))?)
     |(?P<dayw>(?:ngày\s+)?(?P<dw_d>\d{{1,2}})\s+tháng\s+(?P<dw_m>\d{{1,2}})
              (?:\s*(?:năm|,)\s*(?P<dw_y>\d{{4}}))?)
     |(?P<dayn>(?:ngày\s+)?(?P<dn_d>\d{{1,2}})\s*(?P<sep>[/.-])\s*(?P<dn_m>\d{{1,2}})
              (?:\s*(?P=sep)\s*(?P<dn_y>\d{{4}}|\d{{2}}))?)
     |(?P<month>tháng\s+(?:\d{{1,2}}\s*[-–]\s*(?:tháng\s+)?)?(?P<m_m>\d{{1,2}})
              (?:{_SEP}(?P<m_y>\d{{4}}))?)
     |(?P<quarter>(?:quý|quí|qúy)\s+(?:(?:iv|i{{1,3}}|[1-4])\s*[-–]\s*(?:(?:quý|quí)\s+)?)?
              (?P<q_q>iv|i{{1,3}}|[1-4])(?:{_SEP}(?P<q_y>\d{{4}}))?
              |(?-i:Q)(?P<q_q2>[1-4])(?:{_SEP}(?P<q_y2>\d{{4}}))?)
     |(?P<range>(?P<r_a>{_YEAR4})
              \s*(?:[-–—]|đến(?:\s+hết)?(?:\s+năm)?)\s*(?P<r_b>{_YEAR4}))
     |(?P<year>năm\s+(?P<y_y>\d{{4}}))
"""
# Only a time cell means a bare year ("2025") or a bare month ("6/2025") as a date.
_CELL_SHAPES = rf"""
     |(?P<bare_month>(?P<bm_m>\d{{1,2}})\s*/\s*(?P<bm_y>{_YEAR4})(?!/))
     |(?P<bare_year>{_YEAR4})
"""
# Not followed by more of a date, nor by the rest of a range ("năm 2025 đến năm 2027").
_AFTER = r"(?![\w]|[/.-]\d|\s*(?:[-–—]|đến(?:\s+hết)?(?:\s+năm)?)\s*\d{4})"
# Words that open a range ("giai đoạn 2022-2025"), read behind the match: as an optional
# prefix inside the pattern they cost every passage a third more time.
_RANGE_PREFIX = re.compile(r"(?:giai\s+đoạn|từ\s+năm|các\s+năm|năm)\s+$", re.IGNORECASE)
_DATE = re.compile(rf"(?<![\w/.])(?:{_SHAPES}){_AFTER}", re.IGNORECASE | re.VERBOSE)
_DATE_CELL = re.compile(
    rf"(?<![\w/.])(?:{_SHAPES}{_CELL_SHAPES}){_AFTER}", re.IGNORECASE | re.VERBOSE
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class DateExpr:
    """One date expression: `index` is the month, quarter or half (a day is month*100+day,
    a year 0); `year` is None when the text leaves it out; `since` opens a range."""

    start: int
    end: int
    precision: str
    index: int
    year: int | None
    since: int | None = None


def find_dates(
    text: str, start: int = 0, end: int | None = None, *, cell: bool = False
) -> Iterator[DateExpr]:
    """Every date expression in `text[start:end]`, in order.

    `cell` also reads what only a time cell means as a date: a bare year ("2025") and a bare
    month ("6/2025"); in prose those are numbers and document numbers far too often.
    """
    pattern = _DATE_CELL if cell else _DATE
    for m in pattern.finditer(text, start, len(text) if end is None else end):
        parsed = _parse(m)
        if parsed is not None:
            yield parsed


def _parse(m: re.Match[str]) -> DateExpr | None:
    a, b = m.start(), m.end()
    if m["half"]:
        which = (m["h_which"] or m["h_which2"]).lower()
        y = m["h_y"] or m["h_y2"]
        return DateExpr(a, b, "half", 1 if which == "đầu" else 2, int(y) if y else None)
    if m["dayw"]:
        d, mo, y = int(m["dw_d"]), int(m["dw_m"]), m["dw_y"]
        return DateExpr(a, b, "day", mo * 100 + d, int(y) if y else None)
    if m["dayn"]:
        d, mo, y = int(m["dn_d"]), int(m["dn_m"]), m["dn_y"]
        if m["sep"] == "." and not y:
            return None  # "5.142" is a number, not 5 December
        year = None if not y else int(y) if len(y) == 4 else 2000 + int(y)
        return DateExpr(a, b, "day", mo * 100 + d, year)
    if m["month"]:
        y = m["m_y"]
        return DateExpr(a, b, "month", int(m["m_m"]), int(y) if y else None)
    if m["quarter"]:
        q = (m["q_q"] or m["q_q2"]).lower()
        y = m["q_y"] or m["q_y2"]
        return DateExpr(a, b, "quarter", _ROMAN.get(q) or int(q), int(y) if y else None)
    if m["range"]:
        first, last = int(m["r_a"]), int(m["r_b"])
        if not 0 < last - first <= 30:
            return None
        prefix = _RANGE_PREFIX.search(m.string, max(0, a - 12), a)
        return DateExpr(prefix.start() if prefix else a, b, "year", 0, last, since=first)
    if m["year"]:
        return DateExpr(a, b, "year", 0, int(m["y_y"]))
    if m.re is _DATE:
        return None
    if m["bare_month"]:
        month = int(m["bm_m"])
        return DateExpr(a, b, "month", month, int(m["bm_y"])) if 1 <= month <= 12 else None
    if m["bare_year"]:
        return DateExpr(a, b, "year", 0, int(m[0]))
    return None


def period_bounds(precision: str, year: int, index: int) -> tuple[date, date]:
    """First and last day of a period: month 1-12, quarter 1-4, half 1-2, year (index ignored)."""
    if precision == "month":
        return date(year, index, 1), date(year, index, calendar.monthrange(year, index)[1])
    if precision == "quarter":
        last = index * 3
        return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])
    if precision == "half":
        if index == 1:
            return date(year, 1, 1), date(year, 6, 30)
        return date(year, 7, 1), date(year, 12, 31)
    if precision == "year":
        return date(year, 1, 1), date(year, 12, 31)
    raise ValueError(f"not a period precision: {precision}")


def resolve(precision: str, index: int, year: int, mode: str) -> date | None:
    """The day meant: a period's last day ("end"), the day before it starts ("before"), or
    its first day ("effective"); None for an impossible date (30/2)."""
    if not 1990 <= year <= 2100:
        return None
    try:
        if precision == "day":
            return date(year, index // 100, index % 100)
        first, last = period_bounds(precision, year, index)
    except ValueError:
        return None
    if mode == "before":
        return first - timedelta(days=1)
    if mode == "effective":
        return first
    return last


_YEAR_CONTEXT = re.compile(
    r"(?<![\w/])(?P<lead>(?:đến|tới|tầm\s+nhìn|giai\s+đoạn)\s+)?năm\s+(?P<y>\d{4})(?![\d/-])"
    r"|(?<![\w/])\d{1,2}[/.-]\d{1,2}[/.-](?P<y2>\d{4})(?!\d)"
    r"|(?<![\w/])(?:tháng\s+\d{1,2}|quý\s+[IVX\d]+)\s*/\s*(?P<y3>\d{4})(?!\d)",
    _I,
)


def context_year(
    text: str, pos: int, sentence: tuple[int, int], default_year: int | None
) -> int | None:
    """Year for a date written without one: its sentence, then the passage, then the document."""

    def years(a: int, b: int) -> list[tuple[int, int]]:
        out = []
        for m in _YEAR_CONTEXT.finditer(text, a, b):
            if m["lead"]:
                continue
            out.append((m.start(), int(m["y"] or m["y2"] or m["y3"])))
        return out

    in_sentence = years(*sentence)
    before = [y for p, y in in_sentence if p < pos]
    if before:
        return before[-1]
    after = [y for p, y in in_sentence if p > pos]
    if after:
        return after[0]
    earlier = years(max(0, sentence[0] - LOOKBACK), sentence[0])
    if earlier:
        return earlier[-1][1]
    return default_year


# --- relative to the document's own date -------------------------------------------------------

_RELATIVE = re.compile(
    r"""
    (?<!\w)
    (?P<eff>(?:(?:có\s+)?hiệu\s+lực(?:\s+thi\s+hành)?|được\s+áp\s+dụng|áp\s+dụng)\s+)?
    (?:(?P<within>trong\s+(?:thời\s+hạn|vòng|phạm\s+vi)|trong|sau|chậm\s+nhất(?:\s+là)?
         |không\s+quá|tối\s+đa)\s+
       (?P<n>\d{1,3})\s+ngày(?P<work>\s+làm\s+việc)?\s*,?\s+)?
    (?:kể\s+)?từ\s+ngày\s+
    (?:(?:Quyết\s+định|Kế\s+hoạch|Chỉ\s+thị|Thông\s+tư|Văn\s+bản|Công\s+văn|Nghị\s+quyết
         |Quy\s+chế|Quy\s+định|Thông\s+báo)\s+(?:này\s+)?(?:được\s+)?)?
    (?:ký(?:\s+ban\s+hành)?|ban\s+hành)
    (?!\w)(?!\s+kết)
    """,
    re.IGNORECASE | re.VERBOSE,
)


_FROM_DAY = re.compile(r"từ\s+ngày", re.IGNORECASE)


@dataclass(frozen=True)
class RelativeExpr:
    """A date counted from the document's own date: "sau 15 ngày kể từ ngày ký"."""

    start: int  # the timing phrase: "sau 15 ngày kể từ ngày ký"
    end: int
    cue: int  # where the whole phrase starts, "có hiệu lực" included
    effective: bool  # "có hiệu lực …" rather than a task's time limit
    days: int
    working: bool  # "ngày làm việc": weekends do not count


def find_relative(text: str, start: int = 0, end: int | None = None) -> Iterator[RelativeExpr]:
    """Every phrase that counts from the day the document was signed, in order."""
    if not _FROM_DAY.search(text, start, len(text) if end is None else end):
        return  # every such phrase holds it: most passages skip the long pattern
    for m in _RELATIVE.finditer(text, start, len(text) if end is None else end):
        if not (m["eff"] or m["n"]):
            continue  # "kể từ ngày ký" alone says nothing is due
        start = m.end("eff") if m["eff"] else m.start()
        yield RelativeExpr(
            start, m.end(), m.start(), bool(m["eff"]), int(m["n"] or 0), bool(m["work"])
        )


def relative_due(doc_date: date, expr: RelativeExpr) -> date:
    """The day `expr` names, counted from `doc_date` (weekends skipped for working days)."""
    if not expr.working:
        return doc_date + timedelta(days=expr.days)
    day, left = doc_date, expr.days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day
