"""What the conversation core says about deadlines: `/deadline`, its JSON twin, timing questions.

Everything here is pure: the core loads the records and their progress from the store and
passes `today` (from DE06_TODAY or the clock), so tests and the `--today` option see the same
answers. Only what people reported (index/progress.py) says whether work was done, so the
wording follows it honestly: a day gone by with nothing reported is "hạn đã qua N ngày · chưa
có cập nhật tiến độ" — the work may well be finished —, "quá hạn" is said only of work reported
as still in progress, and finished work reads "✅ đã xong ngày …" in a group of its own.
Recurring work is shown with its rule and the next occurrence on or after today; ongoing work
("thường xuyên") has no day to be late for, so it is listed in its own group by
`/deadline all` and never called overdue.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from bot.answer_view import source_line
from bot.models import Action, Block, Reply, ReplyKind, Run, Style
from index.deadline_store import DeadlineRecord
from index.deadlines import Recurrence
from index.normalize import fold, has_diacritics, match_form
from index.progress import Progress, current
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
    "recurrence_label",
    "status_text",
    "deadline_block",
    "people_line",
    "leads",
    "progress_state",
    "ongoing_count",
    "deadline_reply",
    "done_actions",
    "deadlines_json",
    "short_task",
    "chart_args",
    "fitting",
    "CHART_LABEL",
    "is_timing_question",
    "timing_matches",
]

MAX_LISTED = 15
CHART_LABEL = "📊 Biểu đồ"
MAX_ACTION_BYTES = 64  # a button's command must fit Telegram's callback data; longer: no button
MAX_ONGOING = 10
ONGOING_GROUP = "Nhiệm vụ thường xuyên"
DONE_GROUP = "Đã xong"
MAX_DONE = 10
MAX_DONE_BUTTONS = 8
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_ROMAN_IN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class Listed:
    """A deadline as shown on a given day."""

    record: DeadlineRecord
    days_left: int | None  # negative once the day has gone by; None for ongoing work
    status: str  # "upcoming" (today included) | "past" | "ongoing"
    due: date | None = None  # the day it falls due seen from today (next occurrence if recurring)
    progress: Progress | None = None  # what counts today (None: nothing reported)

    @property
    def done(self) -> bool:
        return self.progress is not None and self.progress.state == "done"


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
    """Split filter words into periods ("quý II", "tháng 3/2024", "2024") and plain words.

    Plain words keep the diacritics they were typed with (lower case): "Công an" must not
    match the "án" of "Đề án", while "cong an", typed without them, matches either.
    """
    typed = " ".join(match_form(w) for w in words)
    text = fold(typed)
    if len(text) != len(typed):  # not aligned letter for letter: compare folded only
        typed = text
    periods: list[_Period] = []
    for pattern, kind in _PERIOD_PATTERNS:
        for m in list(pattern.finditer(text)):
            periods.append(_period(kind, m))
            blank = " " * (m.end() - m.start())
            text = text[: m.start()] + blank + text[m.end() :]
            typed = typed[: m.start()] + blank + typed[m.end() :]
    plain = [t for t in re.findall(r"\w+", typed) if fold(t) not in _FILLER]
    return periods, plain


def _has(words: set[str], folded: set[str], word: str) -> bool:
    """A filter word among a text's words: as typed if typed with diacritics, else folded."""
    return word in words if has_diacritics(word) else fold(word) in folded


def _word_sets(text: str) -> tuple[set[str], set[str]]:
    words = set(_WORD.findall(match_form(text)))
    return words, {fold(w) for w in words}


def _period(kind: str, m: re.Match[str]) -> _Period:
    year = int(m[2]) if m.lastindex and m.lastindex >= 2 and m[2] else None
    if kind == "half":
        return _Period(year=year, half=1 if m[1] == "dau" else 2)
    if kind == "month":
        return _Period(year=year, month=int(m[1]))
    if kind == "quarter":
        return _Period(year=year, quarter=_ROMAN_IN.get(m[1]) or int(m[1]))
    return _Period(year=int(m[1]))


def matching(
    records: Iterable[DeadlineRecord], words: Sequence[str], today: date | None = None
) -> list[DeadlineRecord]:
    """The deadlines a filter selects, in their order.

    Periods match by due date (seen from `today` for recurring work; ongoing work has none).
    The other words are taken as one phrase first — "Công an" is the words "Công an" in the
    lead, a partner, the task, the section or the title, not "công" here and "án" of "Đề án"
    there; only when no deadline has the phrase does every word anywhere do
    ("hộ tịch Công an").
    """
    periods, plain = _parse_filter(words)
    dated = []
    for r in records:
        due = r.due_on(today) if today else r.due
        if periods and (due is None or not all(p.contains(due) for p in periods)):
            continue
        dated.append(r)
    if not plain:
        return dated
    phrase = [r for r in dated if any(_has_phrase(f, plain) for f in _fields(r))]
    if phrase or len(plain) == 1:
        return phrase
    return [r for r in dated if all(_has(*_word_sets(" ".join(_fields(r))), t) for t in plain)]


def matches(record: DeadlineRecord, words: Sequence[str], today: date | None = None) -> bool:
    """Whether a filter selects this deadline on its own (see `matching`)."""
    return bool(matching([record], words, today))


def _fields(record: DeadlineRecord) -> list[str]:
    return [record.agency, *record.partners, record.text, record.section, record.title]


def _has_phrase(text: str, phrase: Sequence[str]) -> bool:
    """The filter's words one after another among the text's words (see `_has`)."""
    words = _WORD.findall(match_form(text))
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if all(_same(words[i + k], phrase[k]) for k in range(n)):
            return True
    return False


def _same(word: str, typed: str) -> bool:
    return word == typed if has_diacritics(typed) else fold(word) == fold(typed)


def leads(record: DeadlineRecord, agency: str) -> bool:
    """Whether `agency` names the deadline's lead, as a /deadline filter decides it: every
    word of the name (accents and case aside) is a word of the lead."""
    words = _tokens(agency)
    return bool(words) and set(words) <= set(_tokens(record.agency))


def _rank(record: DeadlineRecord, plain: Sequence[str]) -> int:
    """0 when the filter names the lead, 1 when it names a partner, 2 otherwise: what an
    agency leads comes before what it only cooperates on."""
    if not plain:
        return 0
    lead = _word_sets(record.agency)
    if all(_has(*lead, t) for t in plain):
        return 0
    people = _word_sets(f"{record.agency} {' '.join(record.partners)}")
    return 1 if all(_has(*people, t) for t in plain) else 2


def days_left(record: DeadlineRecord, today: date) -> int | None:
    """Days from `today` to the day it falls due (its next occurrence if recurring)."""
    due = record.due_on(today)
    return None if due is None else (due - today).days


def progress_state(
    record: DeadlineRecord, progress: Mapping[str, Progress] | None, today: date
) -> Progress | None:
    """The reported progress that counts on `today` (None: nothing reported, or an effective
    date, which is not work anyone does)."""
    if not progress or record.kind == "effective":
        return None
    return current(record, progress.get(record.key), today)


def select(
    records: Iterable[DeadlineRecord],
    today: date,
    include_past: bool,
    words: Sequence[str],
    progress: Mapping[str, Progress] | None = None,
) -> list[Listed]:
    """The deadlines to show: matching ones, ahead of today unless `include_past`, the lead's
    before the partners', by due date; ongoing work (only with `include_past`) last."""
    plain = _parse_filter(words)[1]
    ranked = []
    for r in matching(records, words, today) if words else records:
        due = r.due_on(today)
        if due is None and not include_past:
            continue
        state = progress_state(r, progress, today)
        if due is None:
            ranked.append((1, _rank(r, plain), date.max, Listed(r, None, "ongoing", None, state)))
            continue
        left = (due - today).days
        if left < 0 and not include_past:
            continue
        status = "upcoming" if left >= 0 else "past"
        ranked.append((0, _rank(r, plain), due, Listed(r, left, status, due, state)))
    ranked.sort(key=lambda x: (x[0], x[1], x[2], x[3].record.doc_id, x[3].record.start))
    return [x[3] for x in ranked]


def ongoing_count(records: Iterable[DeadlineRecord], words: Sequence[str]) -> int:
    return sum(1 for r in matching(records, words) if r.kind == "ongoing")


_CHART_WORDS = {"bieudo", "chart", "timeline"}


def chart_args(args: str) -> tuple[bool, str]:
    """`/deadline bieudo Sở Tư pháp` → (True, "Sở Tư pháp"); "biểu đồ" in two words too."""
    words = args.split()
    folded = [fold(w).lower() for w in words[:2]]
    if folded[:1] and folded[0] in _CHART_WORDS:
        return True, " ".join(words[1:])
    if folded == ["bieu", "do"]:
        return True, " ".join(words[2:])
    return False, args


def fitting(*actions: Action) -> list[Action]:
    """The actions whose command fits a button (a long filter would not): the others are
    left out rather than sent to be dropped by the platform."""
    return [a for a in actions if len(a.command.encode()) <= MAX_ACTION_BYTES]


# --- wording ----------------------------------------------------------------------------------

_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]|[a-zđ][)]|[-–•+*])\s+", re.I)


def short_task(text: str, limit: int = 60) -> str:
    """The task cut to `limit` characters at a word boundary, without its list numbering:
    what fits a calendar entry's title or a label on a chart."""
    task = " ".join(_NUMBERING.sub("", text, count=1).split()).rstrip(" .;,:")
    if len(task) <= limit:
        return task
    cut = task[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" .;,:-–") + "…"


def _day(d: date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


_FREQ_WORD = {"monthly": "tháng", "quarterly": "quý", "yearly": "năm"}


def recurrence_label(rule: Recurrence) -> str:
    """The rule as a document would say it: "trước ngày 10 hằng quý", "hằng tháng (ngày
    cuối tháng)", "định kỳ 6 tháng (30/6 và 31/12)"."""
    if rule.freq == "half-yearly":
        if rule.day is None:
            return "định kỳ 6 tháng (30/6 và 31/12)"
        month = rule.month or 1
        return f"định kỳ 6 tháng, trước ngày {rule.day}/{month} và {rule.day}/{month + 6}"
    word = _FREQ_WORD[rule.freq]
    if rule.day is None:
        return f"hằng {word} (ngày cuối {word})"
    if rule.freq == "yearly":
        return f"trước ngày {rule.day}/{rule.month or 1} hằng năm"
    if rule.freq == "quarterly" and rule.month and rule.month > 1:
        which = "cuối" if rule.month == 3 else "thứ hai"
        return f"trước ngày {rule.day} tháng {which} của quý, hằng quý"
    return f"trước ngày {rule.day} hằng {word}"


def due_label(record: DeadlineRecord) -> str:
    """How the source states it: "30/3/2024", "quý II/2024 (hạn 30/6/2024)"."""
    d = record.due
    if record.recurrence is not None:
        return recurrence_label(record.recurrence)
    if d is None:
        return "thường xuyên"
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


def status_text(
    record: DeadlineRecord, left: int | None, progress: Progress | None = None
) -> str:
    """How far the day is, worded by what was reported: "còn 12 ngày", "hạn đã qua 30 ngày ·
    chưa có cập nhật tiến độ", "quá hạn 30 ngày · đang làm", "✅ đã xong ngày 2/4/2024"."""
    state = progress.state if progress is not None and record.kind != "effective" else "unknown"
    if state == "done" and progress is not None and progress.done_on is not None:
        return f"✅ đã xong ngày {_day(progress.done_on)}"
    doing = " · đang làm" if state == "doing" else ""
    if left is None:
        return "không có hạn cụ thể, thực hiện liên tục" + doing
    if record.kind == "effective":
        if left > 0:
            return f"còn {left} ngày nữa có hiệu lực"
        return "có hiệu lực từ hôm nay" if left == 0 else f"đã có hiệu lực được {-left} ngày"
    if left > 1:
        return f"còn {left} ngày" + doing
    if left == 1:
        return "còn 1 ngày (hạn là ngày mai)" + doing
    if left == 0:
        return "hạn là hôm nay" + doing
    if state == "doing":
        return f"quá hạn {-left} ngày · đang làm"
    return f"hạn đã qua {-left} ngày · chưa có cập nhật tiến độ"


STATE_WORDS = {"unknown": "chưa có cập nhật", "doing": "đang làm", "done": "đã xong"}


def progress_line(progress: Progress) -> str:
    """"Tiến độ: đang làm — đã rà soát 8/10 xã (telegram:42, 3/4/2024)"."""
    line = f"Tiến độ: {STATE_WORDS.get(progress.state, progress.state)}"
    if progress.note:
        line += f" — {progress.note}"
    who = ", ".join(
        p for p in (progress.by, _day(progress.at.date()) if progress.at else "") if p
    )
    return line + (f" ({who})" if who else "")


def _citation(record: DeadlineRecord) -> str:
    return source_line(record.title or record.doc_id, record.source, record.date)


def people_line(record: DeadlineRecord) -> str:
    """Lead and partners: "Chủ trì: Sở Tư pháp · Phối hợp: Công an tỉnh, Sở Nội vụ"."""
    parts = []
    if record.agency:
        parts.append(f"Chủ trì: {record.agency}")
    if record.partners:
        parts.append(f"Phối hợp: {', '.join(record.partners)}")
    return " · ".join(parts)


def deadline_block(
    record: DeadlineRecord, today: date, progress: Progress | None = None, *, show_id: bool = True
) -> Block:
    """One deadline as seen on `today`: when, how far away, its id (unless `show_id` is
    False: an answer to a question stays as short as it was), what was reported, who, what,
    and where it is written. `progress` is what counts today (see `progress_state`)."""
    left = days_left(record, today)
    status = status_text(record, left, progress)
    if record.recurrence is not None:
        due = record.due_on(today)
        assert due is not None and left is not None
        runs = [
            Run("Định kỳ: "),
            Run(recurrence_label(record.recurrence), Style.STRONG),
            Run(f" — lần tới {_day(due)}, {status}"),
        ]
    elif left is None:
        runs = [Run("Thời hạn: "), Run("thường xuyên", Style.STRONG), Run(f" — {status}")]
    else:
        lead = "Có hiệu lực: " if record.kind == "effective" else "Hạn: "
        runs = [Run(lead), Run(due_label(record), Style.STRONG), Run(f" — {status}")]
    if record.id and show_id:
        runs += [Run(" · mã "), Run(record.id, Style.COMMAND)]
    runs.append(Run("\n"))
    if progress is not None and (progress.note or progress.state == "doing"):
        runs.append(Run(f"{progress_line(progress)}\n"))
    if people := people_line(record):
        runs.append(Run(f"{people}\n"))
    if record.section:
        runs.append(Run(f"Mục: {record.section}\n"))
    runs.append(Run(f"{record.text}\n"))
    runs.append(Run(_citation(record), Style.CITE))
    return tuple(runs)


def deadline_reply(
    records: Sequence[DeadlineRecord],
    today: date,
    args: str,
    progress: Mapping[str, Progress] | None = None,
    may_update: Callable[[DeadlineRecord], bool] | None = None,
) -> Reply:
    """The answer to `/deadline [all] [từ lọc…]`.

    `progress` is what people reported (by key); `may_update` says whether the person asking
    may report progress on a deadline, which earns them a "✅ Đã xong" button under it.
    """
    include_past, words = parse_deadline_args(args)
    listed = select(records, today, include_past, words, progress)
    query = " ".join(words)
    all_cmd = f"/deadline all {query}".strip()
    subscribe_hint = (Run("/subscribe", Style.COMMAND), Run(" để được nhắc trước hạn."))
    if include_past:
        hint: Block = (Run("Gõ "), *subscribe_hint)
    else:
        ongoing = ongoing_count(records, words)
        also = "cả các hạn đã qua" + (f" và {ongoing} nhiệm vụ thường xuyên" if ongoing else "")
        hint = (
            Run("Gõ "),
            Run(all_cmd, Style.COMMAND),
            Run(f" để xem {also}, "),
            *subscribe_hint,
        )
    actions = fitting(
        *([] if include_past else [Action("Xem cả hạn đã qua", all_cmd)]),
        Action("Nhắc tôi trước hạn", f"/subscribe {query}".strip()),
    )
    if listed:
        actions += fitting(Action(CHART_LABEL, f"/deadline bieudo {args.strip()}".strip()))
    if not listed:
        return Reply(ReplyKind.INFO, [_empty(records, today, include_past, query)], actions, hint)
    dated = [x for x in listed if x.status != "ongoing" and not x.done]
    ongoing_listed = [x for x in listed if x.status == "ongoing" and not x.done]
    done = [x for x in listed if x.done]
    scope = "Tất cả các hạn" if include_past else "Các hạn sắp tới"
    header = [Run(scope, Style.STRONG), Run(f" (tính đến ngày {_day(today)})")]
    if query:
        header.append(Run(f", lọc theo “{query}”"))
    count = f"{sum(1 for x in listed if x.status != 'ongoing')} hạn"
    n_ongoing = sum(1 for x in listed if x.status == "ongoing")
    if n_ongoing:
        count += f" và {n_ongoing} nhiệm vụ thường xuyên"
    if done:
        count += f", trong đó {len(done)} đã xong"
    header.append(Run(f": {count}."))
    blocks: list[Block] = [tuple(header)]
    shown = dated[:MAX_LISTED]
    blocks += [deadline_block(x.record, today, x.progress) for x in shown]
    if len(dated) > MAX_LISTED:
        blocks.append(_more(len(dated) - MAX_LISTED, "hạn"))
    if ongoing_listed:
        blocks.append(
            (
                Run(ONGOING_GROUP, Style.STRONG),
                Run(" (làm liên tục, không có hạn cụ thể nên không bao giờ quá hạn):"),
            )
        )
        shown += ongoing_listed[:MAX_ONGOING]
        blocks += [
            deadline_block(x.record, today, x.progress) for x in ongoing_listed[:MAX_ONGOING]
        ]
        if len(ongoing_listed) > MAX_ONGOING:
            blocks.append(_more(len(ongoing_listed) - MAX_ONGOING, "nhiệm vụ thường xuyên"))
    if done:
        blocks.append((Run(DONE_GROUP, Style.STRONG), Run(" (đã có cập nhật hoàn thành):")))
        blocks += [deadline_block(x.record, today, x.progress) for x in done[:MAX_DONE]]
        if len(done) > MAX_DONE:
            blocks.append(_more(len(done) - MAX_DONE, "hạn đã xong"))
    buttons = done_actions([x.record for x in shown], may_update)
    if buttons:
        hint = (*hint, *UPDATE_HINT)
    return Reply(ReplyKind.INFO, blocks, buttons + actions, hint)


UPDATE_HINT: Block = (
    Run("\nKhi một việc đã xong, gõ "),
    Run("/xong <mã> [ghi chú]", Style.COMMAND),
    Run("; đang làm: "),
    Run("/danglam <mã>", Style.COMMAND),
    Run("."),
)


def done_actions(
    records: Iterable[DeadlineRecord], may_update: Callable[[DeadlineRecord], bool] | None
) -> list[Action]:
    """"✅ Đã xong <mã>" for the shown deadlines not done yet that the asker may update."""
    if may_update is None:
        return []
    out = []
    for r in records:
        if r.id and r.kind != "effective" and may_update(r):
            out.append(Action(f"✅ Đã xong {r.id}", f"/xong {r.id}"))
        if len(out) == MAX_DONE_BUTTONS:
            break
    return out


def _more(n: int, what: str) -> Block:
    return (
        Run(f"… và {n} {what} khác. Thêm từ lọc, ví dụ "),
        Run("/deadline Bộ Tư pháp", Style.COMMAND),
        Run(" hoặc "),
        Run("/deadline quý II", Style.COMMAND),
        Run(", để thu hẹp danh sách."),
    )


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


def _recurrence_json(rule: Recurrence | None) -> dict | None:
    if rule is None:
        return None
    out: dict = {"freq": rule.freq, "day": rule.day}
    if rule.month is not None:
        out["month"] = rule.month
    return out


def deadlines_json(
    records: Sequence[DeadlineRecord],
    today: date,
    include_past: bool,
    words: Sequence[str],
    progress: Mapping[str, Progress] | None = None,
) -> dict:
    """The `de06 deadline --json` document."""
    return {
        "today": today.isoformat(),
        "deadlines": [
            {
                "id": x.record.id or None,
                "due": x.due.isoformat() if x.due else None,
                "precision": x.record.precision,
                "kind": x.record.kind,
                "status": x.status,
                "days_left": x.days_left,
                "text": x.record.text,
                "lead": x.record.agency,
                "partners": list(x.record.partners),
                "agency": x.record.agency,
                "section": x.record.section,
                "recurrence": _recurrence_json(x.record.recurrence),
                "title": x.record.title,
                "doc": x.record.doc_id,
                "date": x.record.date,
                **_progress_json(x.progress),
            }
            for x in select(records, today, include_past, words, progress)
        ],
    }


def _progress_json(p: Progress | None) -> dict:
    return {
        "progress": p.state if p is not None else "unknown",
        "progress_note": p.note if p is not None else "",
        "done_on": p.done_on.isoformat() if p is not None and p.done_on else None,
        "progress_by": p.by if p is not None else None,
        "progress_at": p.at.isoformat() if p is not None and p.at else None,
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
            for token in set(_tokens(f"{r.agency} {' '.join(r.partners)} {r.text}")):
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
        scored.append((-(float(score[i]) + (0.2 if fits_kind else 0.0)), r.due or date.max, r))
    best = heapq.nsmallest(limit, scored, key=lambda s: s[:2])
    return [s[2] for s in best]
