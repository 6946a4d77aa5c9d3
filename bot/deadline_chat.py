"""What the conversation core says about deadlines: `/deadline`, its JSON twin, timing questions.

Everything here is pure: the core loads the records from the store and passes `today`
(from DE06_TODAY or the clock), so tests and the `--today` option see the same answers.
The assistant does not know whether work was done, so a deadline that has gone by is
"đã quá hạn", never "đã hoàn thành".
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from bot.answer_view import source_line
from bot.models import Action, Block, Reply, ReplyKind, Run, Style
from index.deadline_store import DeadlineRecord
from index.normalize import fold, match_form
from index.query import Query
from index.search import is_timing_question

__all__ = [
    "DeadlineRecord",
    "Listed",
    "parse_deadline_args",
    "matches",
    "select",
    "days_left",
    "due_label",
    "status_text",
    "deadline_block",
    "deadline_reply",
    "deadlines_json",
    "is_timing_question",
    "timing_matches",
]

MAX_LISTED = 15
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_ROMAN_IN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class Listed:
    """A deadline as shown on a given day."""

    record: DeadlineRecord
    days_left: int  # negative once the day has gone by
    status: str  # "upcoming" (today included) | "past"


_WORD = re.compile(r"\w+")


def _tokens(text: str) -> list[str]:
    """Folded lower-case words: tone placement no longer matters once the tones are gone."""
    return _WORD.findall(fold(text).lower())


# --- arguments and filters --------------------------------------------------------------------

_ALL_WORDS = {"all", "--all", "-a", "tatca"}


def parse_deadline_args(args: str) -> tuple[bool, list[str]]:
    """`/deadline all Bộ Tư pháp` → (True, ["Bộ", "Tư", "pháp"]); "tất cả" also means all."""
    words = args.split()
    include_past = False
    out: list[str] = []
    i = 0
    while i < len(words):
        w = fold(words[i]).lower()
        nxt = fold(words[i + 1]).lower() if i + 1 < len(words) else ""
        if w in _ALL_WORDS:
            include_past = True
        elif w == "tat" and nxt == "ca":
            include_past = True
            i += 1
        else:
            out.append(words[i])
        i += 1
    return include_past, out


@dataclass(frozen=True)
class _Period:
    year: int | None = None
    month: int | None = None
    quarter: int | None = None
    half: int | None = None

    def contains(self, day: date) -> bool:
        return (
            (self.year is None or day.year == self.year)
            and (self.month is None or day.month == self.month)
            and (self.quarter is None or (day.month - 1) // 3 + 1 == self.quarter)
            and (self.half is None or (1 if day.month <= 6 else 2) == self.half)
        )


_FILLER = {"cua", "ve", "cho", "han", "deadline", "nhung", "la"}
_YEAR = r"(?:nam\s+)?(\d{4})"
_PERIOD_PATTERNS = (
    (re.compile(r"\b(?:6|sau)\s+thang\s+(dau|cuoi)\s+nam(?:\s+(\d{4}))?\b"), "half"),
    (re.compile(rf"\bthang\s+(\d{{1,2}})(?:\s*(?:/|-|\s)\s*{_YEAR})?\b"), "month"),
    (re.compile(rf"\b(?:quy|qui)\s+(iv|i{{1,3}}|[1-4])(?:\s*(?:/|-|\s)\s*{_YEAR})?\b"), "quarter"),
    (re.compile(rf"\bq([1-4])(?:\s*(?:/|-|\s)\s*{_YEAR})?\b"), "quarter"),
    (re.compile(r"\b(?:nam\s+)?(\d{4})\b"), "year"),
)


def _parse_filter(words: Sequence[str]) -> tuple[list[_Period], list[str]]:
    """Split filter words into periods ("quý II", "tháng 3/2024", "2024") and plain words."""
    text = " ".join(fold(match_form(w)) for w in words)
    periods: list[_Period] = []
    for pattern, kind in _PERIOD_PATTERNS:

        def take(m: re.Match[str], kind: str = kind) -> str:
            periods.append(_period(kind, m))
            return " "

        text = pattern.sub(take, text)
    plain = [t for t in re.findall(r"\w+", text) if t not in _FILLER]
    return periods, plain


def _period(kind: str, m: re.Match[str]) -> _Period:
    year = int(m[2]) if m.lastindex and m.lastindex >= 2 and m[2] else None
    if kind == "half":
        return _Period(year=year, half=1 if m[1] == "dau" else 2)
    if kind == "month":
        return _Period(year=year, month=int(m[1]))
    if kind == "quarter":
        return _Period(year=year, quarter=_ROMAN_IN.get(m[1]) or int(m[1]))
    return _Period(year=int(m[1]))


def matches(record: DeadlineRecord, words: Sequence[str]) -> bool:
    """Every filter word matches: periods by due date, other words in agency, task or title."""
    periods, plain = _parse_filter(words)
    if not all(p.contains(record.due) for p in periods):
        return False
    hay = set(_tokens(f"{record.agency} {record.text} {record.title}"))
    return all(t in hay for t in plain)


def days_left(record: DeadlineRecord, today: date) -> int:
    return (record.due - today).days


def select(
    records: Iterable[DeadlineRecord], today: date, include_past: bool, words: Sequence[str]
) -> list[Listed]:
    """The deadlines to show: matching ones, ahead of today unless `include_past`, by due date."""
    out = []
    for r in records:
        left = days_left(r, today)
        if left < 0 and not include_past:
            continue
        if words and not matches(r, words):
            continue
        out.append(Listed(r, left, "upcoming" if left >= 0 else "past"))
    out.sort(key=lambda x: (x.record.due, x.record.doc_id, x.record.start))
    return out


# --- wording ----------------------------------------------------------------------------------


def _day(d: date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


def due_label(record: DeadlineRecord) -> str:
    """How the source states it: "30/3/2024", "quý II/2024 (hạn 30/6/2024)"."""
    d = record.due
    if record.precision == "day" or record.kind == "effective":
        return _day(d)
    if record.precision == "month":
        period = f"tháng {d.month}/{d.year}"
    elif record.precision == "quarter":
        period = f"quý {_ROMAN[(d.month - 1) // 3 + 1]}/{d.year}"
    elif record.precision == "half":
        period = f"6 tháng {'đầu' if d.month <= 6 else 'cuối'} năm {d.year}"
    else:
        period = f"năm {d.year}"
    return f"{period} (hạn {_day(d)})"


def status_text(record: DeadlineRecord, left: int) -> str:
    if record.kind == "effective":
        if left > 0:
            return f"còn {left} ngày nữa có hiệu lực"
        return "có hiệu lực từ hôm nay" if left == 0 else f"đã có hiệu lực được {-left} ngày"
    if left > 1:
        return f"còn {left} ngày"
    if left == 1:
        return "còn 1 ngày (hạn là ngày mai)"
    return "hạn là hôm nay" if left == 0 else f"đã quá hạn {-left} ngày"


def _citation(record: DeadlineRecord) -> str:
    return source_line(record.title or record.doc_id, record.source, record.date)


def deadline_block(record: DeadlineRecord, left: int) -> Block:
    """One deadline: due date, how far away, who, what, and where it is written."""
    lead = "Có hiệu lực: " if record.kind == "effective" else "Hạn: "
    runs = [
        Run(lead),
        Run(due_label(record), Style.STRONG),
        Run(f" — {status_text(record, left)}\n"),
    ]
    if record.agency:
        runs.append(Run(f"Đơn vị thực hiện: {record.agency}\n"))
    runs.append(Run(f"{record.text}\n"))
    runs.append(Run(_citation(record), Style.CITE))
    return tuple(runs)


def deadline_reply(records: Sequence[DeadlineRecord], today: date, args: str) -> Reply:
    """The answer to `/deadline [all] [từ lọc…]`."""
    include_past, words = parse_deadline_args(args)
    listed = select(records, today, include_past, words)
    query = " ".join(words)
    all_cmd = f"/deadline all {query}".strip()
    subscribe_hint = (Run("/subscribe", Style.COMMAND), Run(" để được nhắc trước hạn."))
    if include_past:
        hint: Block = (Run("Gõ "), *subscribe_hint)
    else:
        hint = (
            Run("Gõ "),
            Run(all_cmd, Style.COMMAND),
            Run(" để xem cả các hạn đã qua, "),
            *subscribe_hint,
        )
    actions = [] if include_past else [Action("Xem cả hạn đã qua", all_cmd)]
    actions.append(Action("Nhắc tôi trước hạn", f"/subscribe {query}".strip()))
    if not listed:
        return Reply(ReplyKind.INFO, [_empty(records, today, include_past, query)], actions, hint)
    scope = "Tất cả các hạn" if include_past else "Các hạn sắp tới"
    header = [Run(scope, Style.STRONG), Run(f" (tính đến ngày {_day(today)})")]
    if query:
        header.append(Run(f", lọc theo “{query}”"))
    header.append(Run(f": {len(listed)} hạn."))
    blocks: list[Block] = [tuple(header)]
    blocks += [deadline_block(x.record, x.days_left) for x in listed[:MAX_LISTED]]
    if len(listed) > MAX_LISTED:
        blocks.append(
            (
                Run(f"… và {len(listed) - MAX_LISTED} hạn khác. Thêm từ lọc, ví dụ "),
                Run("/deadline Bộ Tư pháp", Style.COMMAND),
                Run(" hoặc "),
                Run("/deadline quý II", Style.COMMAND),
                Run(", để thu hẹp danh sách."),
            )
        )
    return Reply(ReplyKind.INFO, blocks, actions, hint)


def _empty(records: Sequence[DeadlineRecord], today: date, include_past: bool, query: str) -> Block:
    if not records:
        return (
            Run(
                "Chưa có hạn nào được trích ra từ các tài liệu hiện có. "
                "Khi tài liệu mới có nêu thời hạn được nạp, các hạn sẽ hiện ở đây."
            ),
        )
    if query:
        text = f"Không có hạn nào{'' if include_past else ' sắp tới'} khớp với “{query}”. "
        text += "Hãy thử bỏ bớt hoặc đổi từ lọc (tên cơ quan, chủ đề, năm, quý)"
        tail = (Run("."),)
        if not include_past:
            return (
                Run(text + ", hoặc gõ "),
                Run(f"/deadline all {query}", Style.COMMAND),
                Run(" để xem cả các hạn đã qua."),
            )
        return (Run(text), *tail)
    return (
        Run(f"Không còn hạn nào sắp tới tính từ ngày {_day(today)}. Gõ "),
        Run("/deadline all", Style.COMMAND),
        Run(" để xem cả các hạn đã qua."),
    )


def deadlines_json(
    records: Sequence[DeadlineRecord], today: date, include_past: bool, words: Sequence[str]
) -> dict:
    """The `de06 deadline --json` document."""
    return {
        "today": today.isoformat(),
        "deadlines": [
            {
                "due": x.record.due.isoformat(),
                "precision": x.record.precision,
                "kind": x.record.kind,
                "status": x.status,
                "days_left": x.days_left,
                "text": x.record.text,
                "agency": x.record.agency,
                "title": x.record.title,
                "doc": x.record.doc_id,
                "date": x.record.date,
            }
            for x in select(records, today, include_past, words)
        ],
    }


# --- timing questions -------------------------------------------------------------------------

_QUESTION_STOP = set(
    """
    khi nao bao gio luc ngay thang quy nam thoi han chot cuoi la co tu den truoc sau the may gio
    diem cua va cho ve o tai duoc phai can bi nhung cac mot nay do gi hay khong a vay nhi de
    hieu luc cham nhat deadline phai xong hoan thanh khi
    """.split()
)
MIN_COVERAGE = 0.6


class TimingIndex:
    """The deadlines' words, indexed once per knowledge-base snapshot.

    Tokenising every deadline for every "when" question costs far too much once the plans of
    every ministry are loaded; an inverted index makes a question cost its own words' postings.
    """

    def __init__(self, records: Sequence[DeadlineRecord]) -> None:
        self.records = list(records)
        postings: dict[str, list[int]] = {}
        for i, r in enumerate(self.records):
            for token in set(_tokens(f"{r.agency} {r.text}")):
                postings.setdefault(token, []).append(i)
        self._postings = {t: np.array(ids, dtype=np.int64) for t, ids in postings.items()}

    def postings(self, token: str) -> np.ndarray:
        return self._postings.get(token, _EMPTY)


_EMPTY = np.zeros(0, dtype=np.int64)


def timing_matches(
    question: str | Query, index: TimingIndex, limit: int = 3
) -> list[DeadlineRecord]:
    """Deadlines whose task best covers the question's content words; [] when none fits well.

    Words are weighted by rarity among the deadlines, so "Luật Căn cước" counts for more
    than "bộ"; a word found in no deadline counts against every one of them. A `Query`
    (the core's, analysed once) is read as it is; a string is analysed here.
    """
    records = index.records
    if isinstance(question, Query):
        timing, tokens = question.timing, list(question.folded_words)
    else:
        timing, tokens = is_timing_question(question), _tokens(question)
    if not records or not timing:
        return []
    folded = " ".join(tokens)
    wants_effective = "hieu luc" in folded
    content = [t for t in dict.fromkeys(folded.split()) if t not in _QUESTION_STOP]
    if not content:
        return []
    n = len(records)
    weight = {t: math.log(1 + n / (len(index.postings(t)) or 0.5)) for t in content}
    total = sum(weight.values())
    score = np.zeros(n)
    found = np.zeros(n, dtype=np.int64)
    for t in content:
        ids = index.postings(t)
        score[ids] += weight[t] / total
        found[ids] += 1
    candidates = np.flatnonzero((score >= MIN_COVERAGE) & (found >= min(2, len(content))))
    scored = []
    for i in candidates:
        r = records[i]
        # "có hiệu lực từ ngày nào?" asks for an effective date, not a task's deadline
        fits_kind = (r.kind == "effective") == wants_effective
        scored.append((-(float(score[i]) + (0.2 if fits_kind else 0.0)), r.due, r))
    best = heapq.nsmallest(limit, scored, key=lambda s: s[:2])
    return [s[2] for s in best]
