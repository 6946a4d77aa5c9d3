"""Task progress in chat: /xong, /danglam, /chuaro, /tiendo, /daumoi, /baocao.

The conversation core decides here who may report progress — admins (DE06_ADMIN_IDS) and
the focal points (đầu mối) an admin registered for the deadline's lead agency, matched as a
/deadline filter matches an agency — and every adapter only passes on what it is given: the
"✅ Đã xong" button is a `/xong <mã>` command like any typed one, and a press by someone else
gets the same polite refusal, naming who can and the asker's own id for the admin.

Progress is read from the store at every use (index/progress.py), never cached: another
process (`de06 progress`) may have changed it a moment ago.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import quote

from bot import deadline_chat, logsafe
from bot.answer_view import vn_date
from bot.messages import info, refused, text_block
from bot.models import Action, Attachment, Block, Incoming, Reply, ReplyKind, Run, Style
from bot.reminders import ReminderDue, reminder_reply
from bot.render.report import DOCX_TYPE, XLSX_TYPE, to_docx, to_xlsx
from bot.report import ProgressReport, build_report, file_name
from index import progress
from index.deadline_store import DeadlineRecord
from index.errors import UnknownDeadline
from index.normalize import fold
from index.progress import Progress

if TYPE_CHECKING:
    from bot.core import Conversation

log = logging.getLogger(__name__)

MAX_NOTE_CHARS = 500
MAX_HISTORY = 30
MAX_CHAT_REPORT_ROWS = 3000  # beyond this a Word file is no longer a report anyone reads
ID_EXAMPLE = "/xong k3f9 đã gửi báo cáo"
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$|^(\d{4})-(\d{2})-(\d{2})$")
_USER = re.compile(r"^(?:(telegram|zalo|console):)?([\w.-]{1,64})$")


def _day(d: date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


def who(msg: Incoming) -> str:
    """How the history names the person: "telegram:42" ("console" for the machine's owner)."""
    return "console" if msg.platform == "console" else f"{msg.platform}:{msg.user_id}"


def progress_map(conv: Conversation) -> dict[str, Progress]:
    return progress.read_progress(conv.store.db())


# --- who may update ---------------------------------------------------------------------------


def focal_agencies(conv: Conversation, msg: Incoming) -> list[str]:
    """The agencies `msg`'s sender is a focal point of (a bare id counts on every platform)."""
    mine = {f"{msg.platform}:{msg.user_id}", msg.user_id}
    return [f.agency for f in progress.list_focal_points(conv.store.db()) if f.user in mine]


def updater(conv: Conversation, msg: Incoming) -> Callable[[DeadlineRecord], bool]:
    """Whether the sender may report progress on a deadline (looked up once per message)."""
    if conv.is_admin(msg):
        return lambda record: True
    agencies = focal_agencies(conv, msg)
    return lambda record: any(deadline_chat.leads(record, a) for a in agencies)


def _refusal(conv: Conversation, msg: Incoming, record: DeadlineRecord) -> Reply:
    lead = record.agency or ""
    mine = focal_agencies(conv, msg)
    if lead:
        head = (
            f"Xin lỗi, chỉ quản trị viên hoặc đầu mối của {lead} mới cập nhật được tiến độ "
            f"hạn {record.id}."
        )
        n = sum(
            1
            for f in progress.list_focal_points(conv.store.db())
            if deadline_chat.leads(record, f.agency)
        )
        head += (
            f" {lead} hiện có {n} đầu mối đã đăng ký; bạn có thể nhờ họ cập nhật."
            if n
            else f" {lead} chưa có đầu mối nào được đăng ký."
        )
    else:
        head = (
            f"Xin lỗi, hạn {record.id} không ghi đơn vị chủ trì nên chỉ quản trị viên mới cập "
            "nhật được tiến độ."
        )
    if mine:
        head += f" Bạn là đầu mối của {', '.join(mine)}, không phải đơn vị chủ trì hạn này."
    elif lead:
        head += (
            f" Muốn tự cập nhật, hãy đề nghị quản trị viên đăng ký bạn: /daumoi {who(msg)} {lead}."
        )
    log.warning("refused progress update of %s for %s", record.id, who(msg))
    conv.querylog.admin_attempt(msg.platform, msg.user_id, "progress", False)
    return refused(head)


# --- finding the deadline ---------------------------------------------------------------------


def find(conv: Conversation, ident: str) -> DeadlineRecord:
    """The deadline with this id in the served knowledge base; UnknownDeadline otherwise,
    saying whether the id never existed or its deadline left the documents."""
    wanted = progress.normalise_id(ident)
    for r in conv.snapshot.deadlines:
        if r.id == wanted:
            return r
    if not wanted:
        raise UnknownDeadline(
            f"Hãy gõ kèm mã hạn (in cạnh mỗi hạn trong /deadline), ví dụ {ID_EXAMPLE}."
        )
    key = progress.key_of_id(conv.store.db(), wanted)
    if key is not None:
        raise UnknownDeadline(
            f"Hạn mã {wanted} không còn trong các tài liệu hiện có (văn bản đã được sửa hoặc "
            f"gỡ). Gõ /tiendo {wanted} để xem lịch sử tiến độ đã ghi của nó."
        )
    raise UnknownDeadline(
        f"Không có hạn nào mã “{ident[:20]}”. Mã hạn có 4–6 ký tự, in cạnh mỗi hạn trong "
        "/deadline (ví dụ /xong k3f9); gõ /deadline all để xem mọi hạn."
    )


def _parse(args: str) -> tuple[str, date | None, str]:
    """`k3f9 [ngày] [ghi chú…]` → (id, the day given or None, note)."""
    words = args.split()
    if not words:
        return "", None, ""
    ident, rest = words[0], words[1:]
    day = None
    if rest and (m := _DATE.match(rest[0])):
        try:
            day = (
                date(int(m[3]), int(m[2]), int(m[1]))
                if m[1]
                else date(int(m[4]), int(m[5]), int(m[6]))
            )
            rest = rest[1:]
        except ValueError:
            day = None
    return ident, day, " ".join(rest)


# --- the commands -----------------------------------------------------------------------------


def cmd_done(conv: Conversation, msg: Incoming, args: str) -> Reply:
    return _update(conv, msg, args, "done")


def cmd_doing(conv: Conversation, msg: Incoming, args: str) -> Reply:
    return _update(conv, msg, args, "doing")


def cmd_unknown(conv: Conversation, msg: Incoming, args: str) -> Reply:
    return _update(conv, msg, args, "unknown")


_USAGE = {
    "done": "Gõ /xong <mã hạn> [ngày xong] [ghi chú], ví dụ /xong k3f9 hoặc "
    "/xong k3f9 15/4/2025 đã gửi báo cáo. Mã hạn in cạnh mỗi hạn trong /deadline.",
    "doing": "Gõ /danglam <mã hạn> [ghi chú], ví dụ /danglam k3f9 đã rà soát 8/10 xã. "
    "Mã hạn in cạnh mỗi hạn trong /deadline.",
    "unknown": "Gõ /chuaro <mã hạn> để xoá cập nhật tiến độ ghi nhầm, ví dụ /chuaro k3f9.",
}


def _update(conv: Conversation, msg: Incoming, args: str, state: str) -> Reply:
    ident, day, note = _parse(args)
    if not ident:
        return info(_USAGE[state])
    try:
        record = find(conv, ident)
    except UnknownDeadline as err:
        return info(str(err))
    if record.kind == "effective":
        return info(
            f"Hạn {record.id} là ngày văn bản có hiệu lực, không phải một nhiệm vụ nên không "
            "ghi tiến độ được."
        )
    if not updater(conv, msg)(record):
        return _refusal(conv, msg, record)
    today = conv.today()
    if day is not None and state != "done":
        note = f"{args.split()[1]} {note}".strip()  # a date in a note is just part of the note
        day = None
    if day is not None and day > today:
        return info(f"Ngày hoàn thành {_day(day)} còn chưa tới (hôm nay là {_day(today)}).")
    notes: list[Block] = []
    if len(note) > MAX_NOTE_CHARS:
        note = note[:MAX_NOTE_CHARS]
        notes.append(text_block(f"Ghi chú dài quá nên tôi chỉ giữ {MAX_NOTE_CHARS} ký tự đầu."))
    db = conv.store.db()
    before = _state(conv, record, today)
    if _same(before, state, note, day):
        return info(_unchanged(record, before))
    saved = progress.set_progress(
        db, record, state, by=who(msg), today=today, note=note, done_on=day, source="chat",
        now=conv.now(),
    )  # fmt: skip
    conv.querylog.admin_attempt(msg.platform, msg.user_id, f"progress:{state}", True)
    log.info("progress of %s set to %s by %s", record.id, state, who(msg))
    shown = deadline_chat.progress_state(record, {record.key: saved}, today)
    head = {
        "done": f"Đã ghi nhận: hạn {record.id} ✅ đã xong ngày {_day(saved.done_on or today)}.",
        "doing": f"Đã ghi nhận: hạn {record.id} đang được thực hiện.",
        "unknown": f"Đã xoá cập nhật tiến độ của hạn {record.id}: hạn trở về “chưa có cập nhật”.",
    }[state]
    tail = (
        Run("Gõ "),
        Run(f"/tiendo {record.id}", Style.COMMAND),
        Run(" để xem lịch sử"),
        *(
            (Run(", "), Run(f"/chuaro {record.id}", Style.COMMAND), Run(" nếu ghi nhầm"))
            if state != "unknown"
            else ()
        ),
        Run("."),
    )
    blocks = [text_block(head), *notes, deadline_chat.deadline_block(record, today, shown), tail]
    return Reply(ReplyKind.INFO, blocks, [Action("Lịch sử tiến độ", f"/tiendo {record.id}")])


def _state(conv: Conversation, record: DeadlineRecord, today: date) -> Progress | None:
    """The progress of one deadline that counts today."""
    p = progress.progress_of(conv.store.db(), record.key)
    return deadline_chat.progress_state(record, {record.key: p} if p else None, today)


def _same(before: Progress | None, state: str, note: str, day: date | None) -> bool:
    """Nothing new to record: a second press of "✅ Đã xong" (even from an old message) keeps
    the day first reported; a new day or a new note is a change."""
    if before is None:
        return state == "unknown"
    if before.state != state or (note and note != before.note):
        return False
    return day is None or before.done_on == day


def _unchanged(record: DeadlineRecord, before: Progress | None) -> str:
    if before is None:
        return f"Hạn {record.id} chưa có cập nhật tiến độ nào, không có gì để xoá."
    if before.state == "done" and before.done_on:
        return f"Hạn {record.id} đã được ghi là xong ngày {_day(before.done_on)} từ trước."
    return f"Hạn {record.id} đã được ghi là đang làm từ trước."


def cmd_history(conv: Conversation, msg: Incoming, args: str) -> Reply:
    """`/tiendo <mã>`: a deadline's progress history; without an id, the counts."""
    words = args.split()
    if not words:
        return _overview(conv)
    db = conv.store.db()
    try:
        record: DeadlineRecord | None = find(conv, words[0])
        key = record.key if record else ""
    except UnknownDeadline as err:
        record = None
        key = progress.key_of_id(db, words[0]) or ""
        if not key:
            return info(str(err))
    entries = progress.history(db, key)
    ident = progress.normalise_id(words[0])
    blocks: list[Block] = []
    today = conv.today()
    if record is not None:
        blocks.append(deadline_chat.deadline_block(record, today, _state(conv, record, today)))
    else:
        p = progress.progress_of(db, key)
        label = f": “{p.label}”" if p and p.label else ""
        blocks.append(
            text_block(
                f"Hạn mã {ident} không còn trong các tài liệu hiện có (văn bản đã được sửa hoặc "
                f"gỡ){label}. Lịch sử tiến độ của nó vẫn được giữ."
            )
        )
    if not entries:
        blocks.append(text_block(f"Hạn {ident} chưa có cập nhật tiến độ nào."))
        return Reply(ReplyKind.INFO, blocks)
    lines = [Run(f"Lịch sử tiến độ hạn {ident}", Style.STRONG), Run(f" ({len(entries)} lần):")]
    for e in entries[-MAX_HISTORY:]:
        lines.append(Run(f"\n• {e.at:%d/%m/%Y %H:%M} — {_entry_text(e)}"))
    if len(entries) > MAX_HISTORY:
        lines.append(Run(f"\n(chỉ hiện {MAX_HISTORY} lần gần nhất)"))
    blocks.append(tuple(lines))
    return Reply(ReplyKind.INFO, blocks)


def _entry_text(e: progress.HistoryEntry) -> str:
    if e.event == "orphaned":
        return "tài liệu thay đổi, hạn không còn khớp (tiến độ vẫn được giữ)"
    if e.event == "rematched":
        return "hạn xuất hiện lại trong tài liệu, tiến độ được nối lại"
    if e.state == "done" and e.done_on:
        text = f"đã xong ngày {_day(e.done_on)}"
        if e.occurrence:
            text += f" (kỳ {_day(e.occurrence)})"
    else:
        text = {"doing": "đang làm", "unknown": "xoá cập nhật (chưa có cập nhật)"}.get(
            e.state, e.state
        )
    if e.note:
        text += f" — {e.note}"
    via = " qua dòng lệnh" if e.source == "cli" else ""
    return f"{text} ({e.by}{via})"


def _overview(conv: Conversation) -> Reply:
    report = _report(conv, [])
    return Reply(
        ReplyKind.INFO,
        [
            (Run("Tiến độ các nhiệm vụ", Style.STRONG), Run(f" ({_lower_first(report.subtitle)})")),
            text_block(report.counts.line()),
            (
                Run("Gõ "),
                Run("/tiendo <mã>", Style.COMMAND),
                Run(" để xem lịch sử một hạn, "),
                Run("/baocao", Style.COMMAND),
                Run(" để nhận báo cáo tiến độ (Word)."),
            ),
        ],
        [Action("Báo cáo tiến độ", "/baocao")],
    )


# --- focal points -----------------------------------------------------------------------------


def cmd_focal(conv: Conversation, msg: Incoming, args: str) -> Reply:
    """Admin: `/daumoi` lists, `/daumoi <user> <cơ quan>` registers, `/daumoi xoa <user>
    [cơ quan]` removes."""
    words = args.split()
    db = conv.store.db()
    if not words:
        return _focal_list(conv)
    removing = fold(words[0]).lower() in ("xoa", "bo", "huy")
    if removing:
        words = words[1:]
    if not words or not (m := _USER.match(words[0])) or not any(c.isdigit() for c in words[0]):
        return info(
            "Gõ /daumoi <mã người dùng> <cơ quan>, ví dụ /daumoi 123456789 Sở Tư pháp; "
            "/daumoi xoa <mã người dùng> để gỡ; /daumoi để xem danh sách. Người được đăng ký "
            "thấy mã của mình khi thử cập nhật tiến độ."
        )
    platform = m[1] or ("" if msg.platform == "console" else msg.platform)
    user = f"{platform}:{m[2]}" if platform else m[2]
    agency = " ".join(words[1:])
    if removing:
        n = progress.remove_focal_points(db, user, agency)
        if not n:
            return info(f"{user} không phải đầu mối{f' của {agency}' if agency else ''}.")
        return info(f"Đã gỡ {user} khỏi {n} đăng ký đầu mối.")
    if not agency:
        return info(f"Hãy ghi cả tên cơ quan, ví dụ /daumoi {user} Sở Tư pháp.")
    added = progress.add_focal_point(db, user, agency, by=who(msg))
    led = sum(1 for r in conv.snapshot.deadlines if deadline_chat.leads(r, agency))
    said = (
        f"Đã đăng ký {user} làm đầu mối của {agency}"
        if added
        else f"{user} đã là đầu mối của {agency} từ trước"
    )
    if led:
        said += f": người này cập nhật được tiến độ {led} hạn do {agency} chủ trì."
    else:
        said += (
            f". Lưu ý: chưa có hạn nào do “{agency}” chủ trì trong tài liệu hiện có — hãy kiểm "
            "tra tên cơ quan đúng như cột Chủ trì trong /deadline."
        )
    return info(said)


def _focal_list(conv: Conversation) -> Reply:
    points = progress.list_focal_points(conv.store.db())
    if not points:
        return info(
            "Chưa có đầu mối nào. Đăng ký: /daumoi <mã người dùng> <cơ quan>, ví dụ "
            "/daumoi 123456789 Sở Tư pháp."
        )
    runs = [Run(f"Đầu mối đã đăng ký ({len(points)}):", Style.STRONG)]
    for f in points:
        since = vn_date(f.added_at[:10])
        runs.append(Run(f"\n• {f.agency}: {f.user} (do {f.added_by} đăng ký ngày {since})"))
    return Reply(ReplyKind.INFO, [tuple(runs)])


# --- the report -------------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _report(conv: Conversation, words: Sequence[str]) -> ProgressReport:
    return build_report(conv.snapshot.deadlines, progress_map(conv), conv.today(), words)


def report_file(conv: Conversation, words: Sequence[str], extension: str = "docx") -> Attachment:
    """The report as a Word (`docx`) or Excel (`xlsx`) file, for the chat and the HTTP server."""
    report = _report(conv, words)
    if extension == "xlsx":
        return Attachment(file_name(report, "xlsx"), XLSX_TYPE, to_xlsx(report))
    return Attachment(file_name(report, "docx"), DOCX_TYPE, to_docx(report))


def report_url(conv: Conversation, query: str = "") -> str:
    """The report's address on the HTTP side server, or "" when none is published."""
    base, token = conv.settings.public_url, conv.settings.calendar_token
    if not base or not token:
        return ""
    logsafe.install(token)
    return f"{base.rstrip('/')}/report/{token}.docx" + (f"?loc={quote(query)}" if query else "")


def cmd_report(conv: Conversation, msg: Incoming, args: str) -> Reply:
    """`/baocao [lọc]`: the Word report as a file, with its summary line as text."""
    words = args.split()
    report = _report(conv, words)
    if not report.rows:
        scope = f" khớp với “{report.query}”" if report.query else ""
        return info(
            f"Không có nhiệm vụ nào{scope} để báo cáo. Hãy thử bỏ bớt hoặc đổi từ lọc "
            "(tên cơ quan, chủ đề, năm)."
        )
    head: Block = (
        Run("Báo cáo tiến độ", Style.STRONG),
        Run(f" — {_lower_first(report.subtitle)}, {len(report.groups)} đơn vị chủ trì"),
        Run(f"\n{report.counts.line()}"),
    )
    if len(report.rows) > MAX_CHAT_REPORT_ROWS:
        return info(
            f"Báo cáo có {len(report.rows)} nhiệm vụ, quá nhiều cho một tệp Word gửi qua chat. "
            "Hãy lọc theo cơ quan hoặc năm, ví dụ /baocao Sở Tư pháp 2025."
        )
    url = report_url(conv, report.query)
    file = Attachment(file_name(report, "docx"), DOCX_TYPE, to_docx(report))
    fallback: Block = (
        (Run(f"📎 Báo cáo Word ({file.name}, {file.size_label}): tải về tại "), Run(url))
        if url
        else (
            Run(
                f"📎 Báo cáo Word ({file.name}) chỉ gửi được dưới dạng tệp qua Telegram; trên "
                "máy chủ, quản trị viên có thể lấy bằng lệnh de06 report --docx TỆP."
            ),
        )  # fmt: skip
    )
    file = replace(file, fallback=fallback)
    return Reply(ReplyKind.INFO, [head], files=(file,))


# --- the rest of the core's deadline answers ------------------------------------------------


def cmd_deadline(conv: Conversation, msg: Incoming, args: str) -> Reply:
    return deadline_chat.deadline_reply(
        conv.snapshot.deadlines, conv.today(), args, progress_map(conv), updater(conv, msg)
    )


def lead_blocks(conv: Conversation, records: Sequence[DeadlineRecord]) -> list[Block]:
    """Structured deadlines that answer a "when" question, with what was reported (their ids
    are left to /deadline, so an answer is no longer than before)."""
    if not records:
        return []
    today, reported = conv.today(), progress_map(conv)
    return [
        deadline_chat.deadline_block(
            r, today, deadline_chat.progress_state(r, reported, today), show_id=False
        )
        for r in records
    ]


def reminder(
    conv: Conversation, due: ReminderDue, today: date, reported: dict[str, Progress]
) -> Reply:
    """A reminder with the deadline's progress, and the "✅ Đã xong" button when the chat,
    taken as its user (a private chat), may report it."""
    state = deadline_chat.progress_state(due.record, reported, today)
    as_user = Incoming(due.platform, due.chat_id, due.chat_id, "")
    buttons = deadline_chat.done_actions([due.record], updater(conv, as_user))
    return reminder_reply(due, today, state, buttons)
