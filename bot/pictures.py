"""What the assistant shows as pictures: the deadline timeline and the questions chart.

A working group wants to see at a glance what falls due this quarter and who owns it, and
an admin wants to see whether the assistant keeps up with the questions. This module
decides what each picture shows and every word on it (pure: records and figures in, a
`Reply` with a PNG out); bot/render/charts.py draws.

Only platforms that send files get the picture (calendar_chat.FILE_PLATFORMS); elsewhere the
reply says so and gives the same facts as text, and nothing is drawn for nobody.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.calendar_chat import FILE_PLATFORMS
from bot.deadline_chat import (
    deadline_reply,
    fitting,
    parse_deadline_args,
    select,
    short_task,
)
from bot.models import Action, Attachment, Block, Reply, ReplyKind, Run, Style
from bot.render.charts import MEDIA_TYPE, DailyBars, Marker, Timeline, render_daily_bars
from bot.render.charts import render_timeline as draw_timeline
from index.deadline_store import DeadlineRecord
from index.deadlines import next_occurrence
from index.normalize import fold
from index.stats import Stats

__all__ = ["timeline", "timeline_reply", "questions_chart", "stats_picture", "CHART_NAME"]

CHART_NAME = "bieu-do-han-de-an-06.png"
STATS_NAME = "cau-hoi-30-ngay.png"
WINDOW_DAYS = 120  # how far ahead the unfiltered timeline looks
OVERDUE_DAYS = 30  # how far back it shows what has gone by
SOON_DAYS = 7
MAX_LANES = 12
MAX_MARKERS = 300
LABEL_CHARS = 30
LANE_CHARS = 70
STATS_DAYS = 30
UNKNOWN_LEAD = "Chưa rõ đơn vị chủ trì"
OTHER_LANES = "Các đơn vị khác"
LEGEND = (
    ("overdue", "đã qua hạn"),
    ("soon", f"trong {SOON_DAYS} ngày tới"),
    ("upcoming", "sắp tới"),
    ("recurring", "việc định kỳ"),
    ("effective", "ngày có hiệu lực"),
)


def _day(d: date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


@dataclass(frozen=True)
class _Point:
    day: date
    record: DeadlineRecord
    state: str


def _state(record: DeadlineRecord, day: date, today: date) -> str:
    if record.recurrence is not None:
        return "recurring"
    if record.kind == "effective":
        return "effective"
    left = (day - today).days
    if left < 0:
        return "overdue"
    return "soon" if left <= SOON_DAYS else "upcoming"


def _points(
    records: Sequence[DeadlineRecord], today: date, include_past: bool, words: Sequence[str]
) -> tuple[list[_Point], int]:
    """Every marker to draw, and how many matching tasks are ongoing (no day to draw)."""
    listed = select(records, today, True, words)
    horizon = today + timedelta(days=WINDOW_DAYS)
    earliest = date.min if include_past else today - timedelta(days=OVERDUE_DAYS)
    latest = date.max if (words or include_past) else horizon
    points: list[_Point] = []
    ongoing = 0
    for x in listed:
        r = x.record
        if x.status == "ongoing":
            ongoing += 1
        elif r.recurrence is not None:  # each occurrence ahead, never overdue
            day = next_occurrence(r.recurrence, today)
            while day <= horizon:
                points.append(_Point(day, r, "recurring"))
                day = next_occurrence(r.recurrence, day + timedelta(days=1))
        elif x.due is not None and earliest <= x.due <= latest:
            points.append(_Point(x.due, r, _state(r, x.due, today)))
    if len(points) > MAX_MARKERS:  # the nearest to today matter most
        points = sorted(points, key=lambda p: abs((p.day - today).days))[:MAX_MARKERS]
    return sorted(points, key=lambda p: p.day), ongoing


def _lane_name(record: DeadlineRecord) -> str:
    name = " ".join(record.agency.split()) or UNKNOWN_LEAD
    name = name[0].upper() + name[1:]
    return name if len(name) <= LANE_CHARS else name[: LANE_CHARS - 1].rstrip() + "…"


def _label(record: DeadlineRecord) -> str:
    """The task without the lead it starts with ("Sở Tư pháp tổng hợp…"): the lane says it."""
    task = short_task(record.text, 10_000)
    lead = " ".join(record.agency.split())
    if lead and fold(task[: len(lead)]).lower() == fold(lead).lower():
        rest = task[len(lead) :].lstrip(" ,:–-")
        if len(rest) >= 8:
            task = rest[0].upper() + rest[1:]
    return short_task(task, LABEL_CHARS)


def _lanes(points: Sequence[_Point]) -> tuple[list[str], dict[str, int]]:
    """Lanes top to bottom by their first marker; past MAX_LANES, the quietest share one."""
    counts = Counter(_lane_name(p.record) for p in points)
    kept = {name for name, _ in counts.most_common(MAX_LANES)}
    if len(counts) > MAX_LANES:
        kept = {name for name, _ in counts.most_common(MAX_LANES - 1)}
    first: dict[str, date] = {}
    for p in points:
        name = _lane_name(p.record)
        lane = name if name in kept else OTHER_LANES
        first.setdefault(lane, p.day)
    order = sorted(first, key=lambda n: (n == OTHER_LANES, first[n], n))
    index = {name: i for i, name in enumerate(order)}
    return order, {n: index[n if n in kept else OTHER_LANES] for n in counts}


def _markers(points: Sequence[_Point], lane_of: dict[str, int]) -> list[Marker]:
    """A marker per point; recurring work is labelled at its first occurrence only (the
    colour says the rest are the same work again)."""
    labelled: set[str] = set()
    out = []
    for p in points:
        label = _label(p.record)
        if p.state == "recurring":
            label = "" if p.record.key in labelled else label
            labelled.add(p.record.key)
        out.append(Marker(p.day, lane_of[_lane_name(p.record)], label, p.state))
    return out


def timeline(records: Sequence[DeadlineRecord], today: date, args: str) -> Timeline | None:
    """The timeline `/deadline bieudo [all] [lọc…]` draws; None when there is nothing to draw.

    Unfiltered: the last 30 days (what has gone by, in red) and the next 120. Filtered (or
    with `all`): the whole matching set, recurring work by its occurrences of the next 120 days.
    """
    include_past, words = parse_deadline_args(args)
    points, ongoing = _points(records, today, include_past, words)
    if not points:
        return None
    lanes, lane_of = _lanes(points)
    first, last = points[0].day, points[-1].day
    if not (words or include_past):
        last = today + timedelta(days=WINDOW_DAYS)
    start, end = min(first, today), max(last, today + timedelta(days=14))
    pad = timedelta(days=max(2, (end - start).days // 30))
    query = " ".join(words)
    title = f"Các hạn Đề án 06 từ {_day(start)} đến {_day(end)}"
    subtitle = f"Lọc theo “{query}”. " if query else ""
    subtitle += f"Mỗi dải là một đơn vị chủ trì; {len(points)} mốc."
    notes = []
    if any(p.state == "overdue" for p in points):
        notes.append("Đã qua hạn: trợ lý không biết việc đã hoàn thành hay chưa.")
    if ongoing:
        notes.append(f"{ongoing} nhiệm vụ thường xuyên không có ngày nên không có trên biểu đồ.")
    return Timeline(
        title=title,
        subtitle=subtitle,
        start=start - pad,
        end=end + pad,
        today=today,
        today_label=f"Hôm nay {today.day}/{today.month}",
        lanes=tuple(lanes),
        markers=tuple(_markers(points, lane_of)),
        legend=LEGEND,
        crowded_note="Một số nhãn được ẩn cho khỏi chồng lên nhau; gõ /deadline để đọc đủ.",
        footnote=" ".join(notes),
    )


def _summary(t: Timeline) -> Block:
    states = Counter(m.state for m in t.markers)
    runs = [
        Run("Biểu đồ các hạn", Style.STRONG),
        Run(f": {len(t.markers)} mốc, mỗi dải một đơn vị chủ trì ({len(t.lanes)} dải)."),
    ]
    if states["overdue"]:
        runs.append(Run(f" {states['overdue']} hạn đã qua (màu đỏ)."))
    if states["soon"]:
        runs.append(Run(f" {states['soon']} hạn trong {SOON_DAYS} ngày tới (màu cam)."))
    return tuple(runs)


def timeline_reply(
    records: Sequence[DeadlineRecord], today: date, args: str, *, platform: str
) -> Reply:
    """The answer to `/deadline bieudo [all] [lọc…]` (and the "📊 Biểu đồ" button)."""
    if platform not in FILE_PLATFORMS:
        listing = deadline_reply(records, today, args)
        note = (Run("Biểu đồ chỉ gửi được trên Telegram; đây là danh sách các hạn."),)
        return Reply(listing.kind, [note, *listing.blocks], listing.actions, listing.hint)
    listed_cmd = f"/deadline {args}".strip()
    actions = fitting(Action("📋 Danh sách", listed_cmd))
    chart = timeline(records, today, args)
    if chart is None:
        include_past, words = parse_deadline_args(args)
        scope = f" khớp với “{' '.join(words)}”" if words else ""
        when = "" if include_past or words else f" trong {WINDOW_DAYS} ngày tới"
        return Reply(
            ReplyKind.INFO,
            [
                (
                    Run(f"Không có hạn nào{when}{scope} để vẽ biểu đồ. Gõ "),
                    Run("/deadline all", Style.COMMAND),
                    Run(" để xem mọi hạn."),
                )
            ],
            actions,
        )
    png = draw_timeline(chart)
    picture = Attachment(CHART_NAME, MEDIA_TYPE, png, caption=chart.title)
    return Reply(ReplyKind.INFO, [_summary(chart)], actions, files=(picture,))


def questions_chart(stats: Stats, today: date, days: int = STATS_DAYS) -> DailyBars:
    """Questions per day for the last `days` days, the unanswered ones stacked on top."""
    first = today - timedelta(days=days - 1)
    span = tuple(first + timedelta(days=i) for i in range(days))
    by_day = {d: (n, u) for d, n, u in stats.days}
    asked = [by_day.get(d.isoformat(), (0, 0)) for d in span]
    total, unanswered = sum(n for n, _ in asked), sum(u for _, u in asked)
    share = unanswered / total if total else 0.0
    return DailyBars(
        title=f"Câu hỏi mỗi ngày, {days} ngày qua (đến {_day(today)})",
        subtitle=f"{total} câu hỏi, {unanswered} câu ({share:.0%}) chưa trả lời được.",
        days=span,
        series=(
            ("Đã trả lời", tuple(n - u for n, u in asked)),
            ("Chưa trả lời được", tuple(u for _, u in asked)),
        ),
        y_label="câu hỏi",
    )


def stats_picture(stats: Stats, today: date, platform: str) -> tuple[Attachment, ...]:
    """The /stats chart (`stats` read over STATS_DAYS), where it can be sent and there is
    something to show."""
    if platform not in FILE_PLATFORMS:
        return ()
    chart = questions_chart(stats, today)
    if not any(sum(values) for _, values in chart.series):
        return ()
    caption = f"{chart.title}: {chart.subtitle}"
    return (Attachment(STATS_NAME, MEDIA_TYPE, render_daily_bars(chart), caption=caption),)
