"""Chat commands: one short function each, registered in one table at the bottom.

Every platform reaches these through `Conversation.handle`; `/help`, the Telegram menu
and the README are all generated from or checked against `COMMANDS`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot import calendar_chat, deadline_chat, messages, pictures, progress_chat
from bot.answer_view import passage_blocks, vn_date
from bot.messages import info
from bot.models import Block, Incoming, Reply, ReplyKind, Run, Style
from index import deadline_store
from index.build import ReloadReport
from index.errors import KnowledgeError, ReloadInProgress, StoreError
from index.progress import Progress
from index.stats import read_stats

if TYPE_CHECKING:
    from bot.core import Conversation

log = logging.getLogger(__name__)
HITS_PER_ANSWER = 3
MAX_SQLITE_INT = 2**63 - 1  # ids typed by users beyond this cannot exist (and would overflow)


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    handler: Callable[[Conversation, Incoming, str], Reply]
    admin: bool = False
    aliases: tuple[str, ...] = ()
    menu: bool = True


def cmd_help(conv: Conversation, msg: Incoming, args: str) -> Reply:
    admin = conv.commands(admin=True) if conv.is_admin(msg) else []
    return Reply(ReplyKind.INFO, messages.help_blocks(conv.commands(), admin))


def cmd_sources(conv: Conversation, msg: Incoming, args: str) -> Reply:
    docs = sorted(conv.snapshot.index.docs.values(), key=lambda d: d.date or "", reverse=True)
    if not docs:
        return info(messages.NO_DOCUMENTS)
    blocks: list[Block] = [(Run(f"Kho tài liệu có {len(docs)} văn bản:", Style.STRONG),)]
    for d in docs:
        meta = ", ".join(p for p in (d.source, vn_date(d.date) or "không rõ ngày") if p)
        blocks.append((Run("• "), Run(d.title), Run(f"\n  {meta}", Style.CITE)))
    return Reply(ReplyKind.INFO, blocks)


def cmd_more(conv: Conversation, msg: Incoming, args: str) -> Reply:
    session = conv.session(msg)
    if session is None:
        return info(messages.NO_SESSION)
    offset = session.offset + HITS_PER_ANSWER
    result = conv.snapshot.index.search(session.question, limit=HITS_PER_ANSWER, offset=offset)
    if not result.hits:
        return info(messages.NO_MORE.format(q=session.question[:80]))
    conv.remember(msg, session.question, offset, [h.passage_id for h in result.hits])
    return conv.answer_reply([], result.hits, result.more, None, first=offset + 1)


def cmd_view(conv: Conversation, msg: Incoming, args: str) -> Reply:
    arg = args.strip().lower()
    pid: int | None = None
    if arg.startswith("p") and arg[1:].isdigit():
        pid = int(arg[1:])
        if pid > MAX_SQLITE_INT:
            return info(messages.PASSAGE_GONE)
    elif arg.isdigit():
        session = conv.session(msg)
        if session is None:
            return info(messages.NO_SESSION)
        n = int(arg) - session.offset
        if not 1 <= n <= len(session.hit_ids):
            shown = session.offset + len(session.hit_ids)
            return info(messages.BAD_HIT_NUMBER.format(n=shown))
        pid = session.hit_ids[n - 1]
    else:
        return info("Gõ /xem kèm số thứ tự đoạn trích, ví dụ /xem 1.")
    hit = conv.snapshot.index.passage(pid)
    if hit is None:
        return info(messages.PASSAGE_GONE)
    return Reply(ReplyKind.INFO, passage_blocks(hit), hit_ids=(pid,))


def cmd_feedback(conv: Conversation, msg: Incoming, args: str) -> Reply:
    parts = args.split()
    valid = len(parts) == 2 and parts[0].isdigit() and parts[1] in ("tot", "chua")
    if not valid or int(parts[0]) > MAX_SQLITE_INT:
        return info(messages.BAD_FEEDBACK)
    conv.querylog.feedback(int(parts[0]), 1 if parts[1] == "tot" else -1)
    return info(messages.FEEDBACK_THANKS)


def cmd_deadline(conv: Conversation, msg: Incoming, args: str) -> Reply:
    chart, args = deadline_chat.chart_args(args)
    if chart:
        return pictures.timeline_reply(
            conv.snapshot.deadlines, conv.today(), args, platform=msg.platform
        )
    return progress_chat.cmd_deadline(conv, msg, args)


def cmd_calendar(conv: Conversation, msg: Incoming, args: str) -> Reply:
    return calendar_chat.calendar_reply(
        conv.snapshot.deadlines,
        conv.today(),
        args,
        platform=msg.platform,
        public_url=conv.settings.public_url,
        token=conv.settings.calendar_token,
    )


def cmd_subscribe(conv: Conversation, msg: Incoming, args: str) -> Reply:
    _, words = deadline_chat.parse_deadline_args(args)
    deadline_store.subscribe(conv.store.db(), msg.platform, msg.chat_id, words)
    scope = f" có chứa “{' '.join(words)}”" if words else ""
    return info(
        f"Đã đăng ký nhắc hạn cho cuộc trò chuyện này: tôi sẽ nhắc các hạn{scope} trước 7 ngày và "
        "trước 1 ngày. Gõ /unsubscribe để huỷ."
    )


def cmd_unsubscribe(conv: Conversation, msg: Incoming, args: str) -> Reply:
    removed = deadline_store.unsubscribe(conv.store.db(), msg.platform, msg.chat_id)
    if not removed:
        return info("Cuộc trò chuyện này chưa đăng ký nhắc hạn. Gõ /subscribe để đăng ký.")
    return info("Đã huỷ nhắc hạn cho cuộc trò chuyện này.")


def cmd_reload(conv: Conversation, msg: Incoming, args: str) -> Reply:
    try:
        report = conv.reload()
    except ReloadInProgress:
        return info(messages.RELOAD_BUSY)
    except (KnowledgeError, StoreError, OSError) as err:
        log.error("reload failed: %s", err)
        return Reply(
            ReplyKind.ERROR, [messages.text_block(messages.RELOAD_FAILED.format(error=err))]
        )
    return Reply(ReplyKind.INFO, reload_blocks(report))


def reload_blocks(report: ReloadReport) -> list[Block]:
    if report.changed_anything:
        head = (
            f"Đã nạp lại kho tài liệu trong {report.seconds:.1f} giây: "
            f"thêm {len(report.added)}, cập nhật {len(report.changed)}, gỡ {len(report.removed)} "
            f"văn bản; {report.unchanged} văn bản không đổi."
        )
    else:
        head = f"Đã nạp lại trong {report.seconds:.1f} giây: không có văn bản nào thay đổi."
    runs = [
        Run(head),
        Run(
            f"\nHiện có {report.documents} văn bản, {report.passages} đoạn, "
            f"{report.deadlines} mốc thời hạn; {report.learned_abbreviations} từ viết tắt "
            "học được từ chính các tài liệu (dạng “tên đầy đủ (VIẾT TẮT)”)."
        ),
    ]
    for name, group in (
        ("Thêm", report.added),
        ("Cập nhật", report.changed),
        ("Gỡ", report.removed),
    ):
        if group:
            listed = ", ".join(group[:10]) + (
                f" và {len(group) - 10} văn bản khác" if len(group) > 10 else ""
            )
            runs.append(Run(f"\n{name}: {listed}"))
    blocks: list[Block] = [tuple(runs)]
    if report.dropped_progress:
        blocks.append(dropped_block(report.dropped_progress))
    if report.skipped:
        skipped = [Run(f"Bỏ qua {len(report.skipped)} tệp không đọc được:", Style.STRONG)]
        skipped += [Run(f"\n• {e.path.as_posix()}: {e.reason}") for e in report.skipped[:30]]
        blocks.append(tuple(skipped))
    return blocks + reading_blocks(report)


def reading_blocks(report: ReloadReport) -> list[Block]:
    """Files read by OCR with their confidence and weak pages; notes on files that loaded."""
    blocks: list[Block] = []
    if report.ocr:
        runs = [Run(f"Đọc bằng OCR (bản quét) {len(report.ocr)} tệp:", Style.STRONG)]
        for path, ocr in report.ocr[:30]:
            pages = len(ocr.pages)
            line = f"\n• {path}: {pages} trang, độ tin cậy trung bình {ocr.confidence:.0f}%"
            if ocr.recognised < pages:
                line += f" ({pages - ocr.recognised} trang lấy lại từ lần đọc trước)"
            line += "".join(f"; trang {p}: chất lượng quét thấp ({c:.0f}%)" for p, c in ocr.low)
            runs.append(Run(line))
        blocks.append(tuple(runs))
    if report.notes:
        runs = [Run("Lưu ý:", Style.STRONG)]
        runs += [Run(f"\n• {path}: {note}") for path, note in report.notes[:30]]
        blocks.append(tuple(runs))
    return blocks


def dropped_block(dropped: list[Progress]) -> Block:
    """"3 cập nhật tiến độ không còn khớp hạn nào: …" — never dropped silently."""
    runs = [
        Run(f"{len(dropped)} cập nhật tiến độ không còn khớp hạn nào", Style.STRONG),
        Run(" (nhiệm vụ hoặc thời hạn trong văn bản đã đổi; lịch sử vẫn được giữ):"),
    ]
    for p in dropped[:20]:
        state = deadline_chat.STATE_WORDS.get(p.state, p.state)
        when = p.when
        due = f", hạn {vn_date(when)}" if when[:4].isdigit() else ", định kỳ" if "/" in when else ""
        label = p.label if len(p.label) <= 80 else p.label[:79] + "…"
        runs.append(Run(f"\n• {p.id} ({state}{due}): {label} — {p.doc_id}"))
    if len(dropped) > 20:
        runs.append(Run(f"\n… và {len(dropped) - 20} cập nhật khác."))
    runs += [Run("\nXem lại: "), Run(f"/tiendo {dropped[0].id}", Style.COMMAND)]
    return tuple(runs)


def cmd_stats(conv: Conversation, msg: Incoming, args: str) -> Reply:
    conv.querylog.flush()
    stats = read_stats(conv.store, conv.today())
    blocks: list[Block] = [
        (
            Run("Thống kê 7 ngày qua", Style.STRONG),
            Run(
                f"\nCâu hỏi: {stats.total}; chưa trả lời được: {stats.unanswered} "
                f"({stats.unanswered_share:.0%})."
            ),
            Run(f"\nĐánh giá: 👍 {stats.thumbs_up} · 👎 {stats.thumbs_down}."),
        )
    ]
    if stats.days:
        days = [Run("Theo ngày", Style.STRONG)]
        days += [
            Run(f"\n{vn_date(d)}: {n} câu hỏi, {u} chưa trả lời được") for d, n, u in stats.days
        ]
        blocks.append(tuple(days))
    if stats.top_unanswered:
        top = [Run("Hay được hỏi mà tài liệu chưa có (nên bổ sung)", Style.STRONG)]
        top += [
            Run(f"\n{i}. {q[:120]} — {n} lần") for i, (q, n) in enumerate(stats.top_unanswered, 1)
        ]
        blocks.append(tuple(top))
    month = read_stats(conv.store, conv.today(), days=pictures.STATS_DAYS)
    files = pictures.stats_picture(month, conv.today(), msg.platform)
    return Reply(ReplyKind.INFO, blocks, files=files)


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command("start", "giới thiệu và hướng dẫn", cmd_help, menu=False),
        Command("help", "hướng dẫn, ví dụ câu hỏi và các lệnh", cmd_help, aliases=("huongdan",)),
        Command(
            "deadline",
            "các hạn sắp tới; /deadline all, lọc: /deadline Bộ Tư pháp; /deadline bieudo",
            cmd_deadline,
            aliases=("han",),
        ),
        Command(
            "lich",
            "tệp lịch .ics các hạn cho Outlook, Google Calendar, điện thoại (có thể kèm từ lọc)",
            cmd_calendar,
            aliases=("calendar",),
        ),
        Command(
            "xong",
            "ghi nhận một hạn đã xong: /xong <mã> [ngày] [ghi chú]",
            progress_chat.cmd_done,
        ),
        Command(
            "danglam", "ghi nhận một hạn đang làm: /danglam <mã> [ghi chú]", progress_chat.cmd_doing
        ),
        Command("chuaro", "xoá cập nhật tiến độ ghi nhầm: /chuaro <mã>", progress_chat.cmd_unknown),
        Command(
            "tiendo",
            "tiến độ chung, hoặc lịch sử một hạn: /tiendo <mã>",
            progress_chat.cmd_history,
        ),
        Command(
            "baocao",
            "báo cáo tiến độ (tệp Word), có thể kèm từ lọc: /baocao Sở Tư pháp",
            progress_chat.cmd_report,
        ),
        Command(
            "subscribe",
            "nhận nhắc hạn trước 7 ngày và 1 ngày (có thể kèm từ lọc)",
            cmd_subscribe,
            aliases=("dangky",),
        ),
        Command("unsubscribe", "huỷ nhắc hạn", cmd_unsubscribe, aliases=("huydangky",)),
        Command(
            "sources",
            "danh sách tài liệu trong kho, kèm nguồn và ngày",
            cmd_sources,
            aliases=("nguon",),
        ),
        Command("xem", "đọc toàn văn đoạn trích, ví dụ /xem 1", cmd_view),
        Command("them", "xem thêm kết quả cho câu hỏi vừa rồi", cmd_more),
        Command("danhgia", "đánh giá câu trả lời", cmd_feedback, menu=False),
        Command("reload", "nạp lại kho tài liệu", cmd_reload, admin=True),
        Command(
            "daumoi",
            "đầu mối cập nhật tiến độ: /daumoi <mã người dùng> <cơ quan>; /daumoi xem danh sách",
            progress_chat.cmd_focal,
            admin=True,
        ),
        Command(
            "stats", "thống kê câu hỏi, câu chưa trả lời được, đánh giá", cmd_stats, admin=True
        ),
    )
}
ALIASES: dict[str, Command] = {a: c for c in COMMANDS.values() for a in c.aliases}
