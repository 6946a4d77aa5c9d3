"""What the assistant puts in a calendar: `/lich`, `de06 deadline --ics` and the calendar feed.

Officials plan in Outlook, Google Calendar or their phone's calendar, so the deadlines
`/deadline` lists become all-day events there: each with its lead, partners, task and
citation, and reminders a week and a day before. Recurring work is one repeating event;
effective dates are events without reminders (nobody has to do anything by then); ongoing
work has no day, so it is not in the calendar.

The same selection and wording serve the chat, the command line and the HTTP feed; the
format itself is bot/render/calendar.py's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import quote

from bot.answer_view import source_line
from bot.deadline_chat import (
    Listed,
    due_label,
    fitting,
    parse_deadline_args,
    recurrence_label,
    select,
    short_task,
)
from bot.models import Action, Attachment, Block, Reply, ReplyKind, Run, Style
from bot.render.calendar import (
    MEDIA_TYPE,
    CalendarAlarm,
    CalendarEvent,
    CalendarInfo,
    render_ics,
)
from index.deadline_store import DeadlineRecord
from index.deadlines import split_agencies

__all__ = [
    "ICS_NAME",
    "FILE_PLATFORMS",
    "CalendarFile",
    "calendar_events",
    "calendar_file",
    "calendar_reply",
    "feed_url",
]

ICS_NAME = "han-de-an-06.ics"
FILE_PLATFORMS = frozenset({"telegram"})
"""Platforms whose adapter sends a reply's files; elsewhere the reply says where to get them."""

CALENDAR_NAME = "Hạn Đề án 06"
SUMMARY_CHARS = 60
REMIND_DAYS = (7, 1)  # as /subscribe reminds: a week before and the day before


@dataclass(frozen=True)
class CalendarFile:
    data: bytes
    deadlines: int  # dated deadlines (one event each)
    recurring: int  # repeating events
    effective: int  # effective dates (events without reminders)

    @property
    def events(self) -> int:
        return self.deadlines + self.recurring + self.effective


def _description(record: DeadlineRecord) -> str:
    if record.recurrence is not None:
        lines = [f"Định kỳ: {recurrence_label(record.recurrence)}"]
    elif record.kind == "effective":
        lines = [f"Có hiệu lực: {due_label(record)}"]
    else:
        lines = [f"Hạn: {due_label(record)}"]
    if record.agency:
        lines.append(f"Chủ trì: {record.agency}")
    if record.partners:
        lines.append(f"Phối hợp: {', '.join(record.partners)}")
    lines.append(f"Nhiệm vụ: {' '.join(record.text.split())}")
    if record.section:
        lines.append(f"Mục: {record.section}")
    lines.append(source_line(record.title or record.doc_id, record.source, record.date))
    if record.url:
        lines.append(record.url)
    if record.kind != "effective":
        lines.append("Trợ lý Đề án 06 không biết việc đã hoàn thành hay chưa.")
    return "\n".join(lines)


def _event(record: DeadlineRecord, today: date) -> CalendarEvent | None:
    day = record.due or record.due_on(today)
    if day is None:  # ongoing work: no day to put it on
        return None
    task = short_task(record.text, SUMMARY_CHARS)
    effective = record.kind == "effective"
    summary = f"Có hiệu lực: {task}" if effective else f"Hạn: {task}"
    alarms = ()
    if not effective:
        alarms = tuple(
            CalendarAlarm(n, f"{'Ngày mai' if n == 1 else f'Còn {n} ngày nữa'} đến hạn: {task}")
            for n in REMIND_DAYS
        )
    return CalendarEvent(
        key=record.key,
        day=day,
        summary=summary,
        description=_description(record),
        categories=tuple(split_agencies(record.agency)) if record.agency else (),
        recurrence=record.recurrence,
        alarms=alarms,
        url=record.url,
    )


def calendar_events(listed: Sequence[Listed], today: date) -> list[CalendarEvent]:
    """One event per dated deadline of `listed` (as `/deadline` selects them)."""
    events = (_event(x.record, today) for x in listed if x.status != "ongoing")
    return [e for e in events if e is not None]


def calendar_file(
    records: Sequence[DeadlineRecord], today: date, args: str, stamp: datetime | None = None
) -> CalendarFile:
    """The `.ics` for `/lich [all] [lọc…]` (and `--ics`, and the feed's `?q=`)."""
    include_past, words = parse_deadline_args(args)
    listed = select(records, today, include_past, words)
    events = calendar_events(listed, today)
    query = " ".join(words)
    name = f"{CALENDAR_NAME} — {query}" if query else CALENDAR_NAME
    scope = "mọi hạn" if include_past else "các hạn sắp tới"
    info = CalendarInfo(
        name=name,
        description=(
            f"{scope.capitalize()} trích từ các văn bản về Đề án 06"
            + (f", lọc theo “{query}”" if query else "")
            + ". Mỗi sự kiện ghi đơn vị chủ trì, phối hợp, nhiệm vụ và nguồn."
        ),
        stamp=stamp or datetime.now(UTC),
    )
    kinds = [x.record.kind for x in listed if x.status != "ongoing"]
    return CalendarFile(
        render_ics(events, info),
        deadlines=kinds.count("deadline"),
        recurring=kinds.count("recurring"),
        effective=kinds.count("effective"),
    )


def feed_url(public_url: str, token: str, words: Sequence[str] = ()) -> str:
    """The address calendar apps subscribe to; "" when the feed is not published."""
    if not public_url or not token:
        return ""
    url = f"{public_url.rstrip('/')}/calendar/{token}.ics"
    query = " ".join(words)
    return f"{url}?q={quote(query)}" if query else url


def _counts(cal: CalendarFile) -> str:
    parts = [f"{cal.deadlines} hạn"] if cal.deadlines else []
    if cal.recurring:
        parts.append(f"{cal.recurring} việc định kỳ (mỗi việc một sự kiện lặp lại)")
    if cal.effective:
        parts.append(f"{cal.effective} ngày có hiệu lực")
    return ", ".join(parts)


def calendar_reply(
    records: Sequence[DeadlineRecord],
    today: date,
    args: str,
    *,
    platform: str,
    public_url: str = "",
    token: str = "",
) -> Reply:
    """The answer to `/lich [all] [lọc…]`: the `.ics` where the platform sends files, and
    always the feed address when one is published."""
    include_past, words = parse_deadline_args(args)
    query = " ".join(words)
    listed_cmd = f"/deadline {args}".strip()
    cal = calendar_file(records, today, args)
    actions = fitting(Action("📋 Danh sách hạn", listed_cmd))
    if not cal.events:
        said = f"Không có hạn nào{'' if include_past else ' sắp tới'}"
        said += f" khớp với “{query}”" if query else ""
        runs = [
            Run(
                f"{said} để đưa vào lịch (việc thường xuyên không có ngày nên không có "
                "trong lịch). "
            )
        ]
        if not include_past:
            runs += [
                Run("Gõ "),
                Run(f"/lich all {query}".strip(), Style.COMMAND),
                Run(" để gồm cả các hạn đã qua"),
            ]
            runs.append(Run(", hoặc đổi từ lọc." if query else "."))
        elif query:
            runs.append(Run("Hãy đổi hoặc bỏ bớt từ lọc."))
        return Reply(ReplyKind.INFO, [tuple(runs)], actions)
    scope = "Tất cả các hạn" if include_past else "Các hạn sắp tới"
    head: list[Run] = [
        Run(f"Lịch {scope.lower()}", Style.STRONG),
        Run(f" (tính đến ngày {today.day}/{today.month}/{today.year})"),
    ]
    if query:
        head.append(Run(f", lọc theo “{query}”"))
    head.append(Run(f": {_counts(cal)}."))
    blocks: list[Block] = [tuple(head)]
    files: tuple[Attachment, ...] = ()
    if platform in FILE_PLATFORMS:
        caption = f"{CALENDAR_NAME}: {_counts(cal)}"
        files = (Attachment(ICS_NAME, MEDIA_TYPE, cal.data, caption=caption),)
        blocks.append(
            (
                Run(
                    f"Mở tệp {ICS_NAME} để thêm vào Outlook, Google Calendar hoặc lịch của điện "
                    "thoại. Mỗi hạn là một sự kiện cả ngày, có nhắc trước 7 ngày và 1 ngày "
                    "(9 giờ sáng); nhập lại tệp mới sẽ cập nhật, không tạo trùng."
                ),
            )
        )
    url = feed_url(public_url, token, words)
    if url:
        blocks.append(
            (
                Run("Lịch tự cập nhật", Style.STRONG),
                Run(
                    " — đăng ký địa chỉ này trong ứng dụng lịch (Google Calendar: “Thêm lịch › "
                    "Từ URL”; Outlook: “Thêm lịch › Đăng ký từ web”), các hạn mới sẽ tự hiện:\n"
                ),
                Run(url, Style.COMMAND),
            )
        )
    if not files and not url:
        where = (
            "Chạy de06 deadline --ics > han-de-an-06.ics để lưu tệp lịch."
            if platform == "console"
            else "Nền tảng này chưa gửi được tệp: hãy gõ /lich với trợ lý trên Telegram, hoặc "
            "nhờ quản trị viên bật lịch tự cập nhật (DE06_PUBLIC_URL, DE06_CALENDAR_TOKEN)."
        )
        blocks.append((Run(where),))
    return Reply(ReplyKind.INFO, blocks, actions, files=files)
