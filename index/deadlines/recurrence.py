"""Repeating and continuing work: "trước ngày 10 hằng quý", "định kỳ 6 tháng", "thường xuyên".

Plans give recurring tasks a rule rather than a date, so a recurring deadline stores the rule
and each reader's day picks the occurrence: a bare "hằng tháng" falls on the month's last
day, "hằng quý" on the quarter's, and a named day ("trước ngày 10 hằng quý") on that day of
the period's first month — with today 2025-03-10 the next one is 2025-04-10. Continuing
work ("thường xuyên", "liên tục", "hằng ngày", "hằng tuần") has no date at all: it is
kind `ongoing`, listed on its own and never reminded. Everything here is pure.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from index.deadlines.record import Recurrence

__all__ = [
    "RecurrenceSpan",
    "find_recurrences",
    "find_ongoing",
    "next_occurrence",
    "period_precision",
]

_MONTHS = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}
_PRECISION = {"monthly": "month", "quarterly": "quarter", "half-yearly": "half", "yearly": "year"}
_WORD_FREQ = {"tháng": "monthly", "quý": "quarterly", "quí": "quarterly", "năm": "yearly"}
_N_FREQ = {1: "monthly", 3: "quarterly", 6: "half-yearly", 12: "yearly"}
_NUMBER_WORDS = {"một": 1, "ba": 3, "sáu": 6, "mười hai": 12}

_EVERY = r"(?:hằng|hàng|mỗi)"
_FREQ = r"(?:(?:0?6|sáu)\s+tháng|tháng|quý|quí|năm)"
_DAY = r"\d{1,2}(?:\s*/\s*\d{1,2}|\s+tháng\s+\d{1,2})?"  # 25 | 15/12 | 15 tháng 12
_NOT_A_PERIOD = r"(?!\s*(?:I{1,3}|IV|[1-4])\b)(?!\s*/?\s*\d)"  # "tháng cuối quý II/2025" is one
_RECUR = re.compile(
    rf"""
    (?<!\w)
    (?:
      (?P<dated>(?:(?:trước|chậm\s+nhất(?:\s+là)?|vào|trong|không\s+muộn\s+hơn)\s+(?:ngày\s+)?
                  |ngày\s+)
          (?P<days>{_DAY}(?:\s*(?:,|và|hoặc)\s*(?:ngày\s+)?{_DAY})*)\s+
          (?:của\s+)?
          (?:tháng\s+(?P<which>đầu|cuối)\s+(?:của\s+)?(?:{_EVERY}\s+)?(?P<wf>quý|quí|năm){_NOT_A_PERIOD}
            |{_EVERY}\s+(?P<df>tháng|quý|quí|năm)))
     |(?P<plain>(?:định\s+kỳ\s+)?{_EVERY}\s+(?P<pf>{_FREQ}(?:\s*(?:,|và|hoặc|/)\s*{_FREQ})*))
     |(?P<every>định\s+kỳ\s+(?P<n>0?\d{{1,2}}|một|ba|sáu)\s+tháng(?:\s*(?:/|một)\s*lần)?)
     |(?P<times>(?P<n2>0?\d{{1,2}}|ba|sáu)\s+tháng\s*(?:/\s*|một\s+)lần)
    )
    (?!\w)
    """,
    re.IGNORECASE | re.VERBOSE,
)
# "Hằng tháng (trước ngày 25)": the day in brackets right after the rule.
# "Hằng tháng (trước ngày 25)", "Hằng năm (trước ngày 15/12)": the day right after the rule.
_DAY_AFTER = re.compile(
    r"\s*[(,–-]?\s*(?:trước|chậm\s+nhất|vào)\s+(?:ngày\s+)?(?P<d>\d{1,2})"
    r"(?:\s*/\s*(?P<m>\d{1,2}))?(?![\d/])(?!\s*(?:của\s+)?tháng)\s*\)?",
    re.I,
)
_ONGOING = re.compile(
    rf"""
    (?<!\w)
    (?:thường\s+xuyên|liên\s+tục|{_EVERY}\s+(?:ngày|tuần)|định\s+kỳ\s+{_EVERY}\s+tuần)
    (?:\s*(?:,|và)\s*(?:thường\s+xuyên|liên\s+tục))?
    (?!\w)
    """,
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class RecurrenceSpan:
    """A recurring timing phrase: where it is and the rules it states (one or more)."""

    start: int
    end: int
    rules: tuple[Recurrence, ...]
    dated: bool  # names its day ("trước ngày 25 hằng tháng") or says "định kỳ"


def _number(s: str) -> int:
    return _NUMBER_WORDS.get(s.lower()) or int(s)


def _freq_of(word: str) -> str | None:
    word = " ".join(word.lower().split())
    if word[0].isdigit() or word.startswith("sáu"):
        return "half-yearly"
    return _WORD_FREQ.get(word)


def find_recurrences(text: str, start: int = 0, end: int | None = None) -> Iterator[RecurrenceSpan]:
    """Every recurring phrase in `text[start:end]`, with the rules it states, in text order."""
    end = len(text) if end is None else end
    if not _hinted(text, start, end, _RECUR_HINTS):
        return
    spans: list[RecurrenceSpan] = []
    for m in _RECUR.finditer(text, start, end):
        rules: list[Recurrence] = []
        span_end = m.end()
        if m["dated"]:
            freq = _WORD_FREQ[(m["wf"] or m["df"]).lower()]
            last = (m["which"] or "").lower() == "cuối"  # "ngày 20 tháng cuối quý"
            in_period = None
            if m["which"]:
                in_period = (12 if last else 1) if freq == "yearly" else (3 if last else 1)
            for day in re.findall(_DAY, m["days"]):
                d, _, mo = re.sub(r"\s*(?:/|tháng)\s*", "/", day).partition("/")
                month = int(mo) if mo else in_period
                if mo and freq != "yearly":
                    continue  # "ngày 15/6 hằng tháng" is not a rule anyone writes
                rule = Recurrence(freq, int(d), month)
                if _valid(rule):
                    rules.append(rule)
        elif m["plain"]:
            freqs = [_freq_of(f) for f in re.split(r"\s*(?:,|và|hoặc|/)\s*", m["pf"])]
            day = _DAY_AFTER.match(text, m.end(), end)
            for freq in dict.fromkeys(f for f in freqs if f):
                rule = Recurrence(freq)
                if day and (freq == "yearly") == bool(day["m"]):
                    rule = Recurrence(freq, int(day["d"]), int(day["m"]) if day["m"] else None)
                rules.append(rule if _valid(rule) else Recurrence(freq))
            if day and len(rules) == 1 and rules[0].day is not None:
                span_end = day.end()
        else:
            freq = _N_FREQ.get(_number(m["n"] or m["n2"]))
            if freq:
                rules.append(Recurrence(freq))
        if rules:
            dated = bool(m["dated"] or m["every"] or m["times"]) or m[0].lower().startswith("định")
            spans.append(RecurrenceSpan(m.start(), span_end, tuple(rules), dated))
    yield from _joined(text, spans)


_GAP = re.compile(r"[\s,(–-]*")


def _joined(text: str, spans: list[RecurrenceSpan]) -> list[RecurrenceSpan]:
    """One rule in "Hằng quý (trước ngày 20 tháng cuối quý)": a bare rule right before a
    dated one of the same frequency gives way to it."""
    out: list[RecurrenceSpan] = []
    for span in spans:
        prev = out[-1] if out else None
        if (
            prev is not None
            and _GAP.fullmatch(text, prev.end, span.start)
            and all(r.day is None for r in prev.rules)
            and {r.freq for r in prev.rules} == {r.freq for r in span.rules}
        ):
            out[-1] = RecurrenceSpan(prev.start, span.end, span.rules, True)
        else:
            out.append(span)
    return out


def _valid(rule: Recurrence) -> bool:
    if rule.day is not None and not 1 <= rule.day <= 31:
        return False
    top = 12 if rule.freq == "yearly" else _MONTHS[rule.freq]
    return rule.month is None or 1 <= rule.month <= top


def find_ongoing(text: str, start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
    """Every continuing-work phrase ("thường xuyên", "liên tục", "hằng ngày") in order."""
    end = len(text) if end is None else end
    if not _hinted(text, start, end, _ONGOING_HINTS):
        return iter(())
    return _ONGOING.finditer(text, start, end)


# Words every phrase above contains: most passages have none, and a substring test is far
# cheaper than running the patterns over them (a reload reads every passage; measured: a
# regular expression of these words costs more than the lower-casing and `in`).
_RECUR_HINTS = ("hằng", "hàng", "mỗi", "định kỳ", "lần", "cuối quý", "đầu quý", "cuối năm")
_ONGOING_HINTS = ("thường xuyên", "liên tục", "hằng", "hàng", "mỗi")


def _hinted(text: str, start: int, end: int, hints: tuple[str, ...]) -> bool:
    low = text[start:end].lower()
    return any(h in low for h in hints)


def period_precision(rule: Recurrence) -> str:
    """The precision an occurrence is stated with: its day when named, else its period."""
    return "day" if rule.day is not None else _PRECISION[rule.freq]


def _occurrence(rule: Recurrence, year: int, first_month: int) -> date:
    """The rule's day inside the period starting at `first_month` of `year`."""
    length = _MONTHS[rule.freq]
    if rule.freq == "yearly":
        month = rule.month or (1 if rule.day is not None else 12)
    elif rule.month is not None:
        month = first_month + min(rule.month, length) - 1
    else:
        month = first_month if rule.day is not None else first_month + length - 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if rule.day is None else min(rule.day, last))


def next_occurrence(rule: Recurrence, today: date) -> date:
    """The first day on or after `today` the rule falls on (a day past a short month's end
    falls on its last day: "ngày 31 hằng tháng" is 30 April in April)."""
    length = _MONTHS[rule.freq]
    year, first = today.year, (today.month - 1) // length * length + 1
    while True:
        day = _occurrence(rule, year, first)
        if day >= today:
            return day
        first += length
        if first > 12:
            first, year = first - 12, year + 1
