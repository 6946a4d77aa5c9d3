"""The conversation core: text in, `Reply` out, the same for console, Telegram and Zalo.

Adapters only translate platform updates to `Incoming` and render `Reply`; every
decision (what to answer, who may reload, what a command means) is made here.

Thread model: `handle` may be called from many threads at once. The searchable
knowledge is an immutable `Snapshot` swapped atomically by reload, so questions in
flight keep the snapshot they started with; reloads are serialised by a lock.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from bot import deadline_chat, messages, reminders
from bot.answer_view import hit_block, passage_blocks, vn_date
from bot.models import Action, Block, Incoming, Reply, ReplyKind, Run, Style
from bot.ratelimit import RateLimiter
from bot.uploads import check_upload, save_upload
from index import deadline_store
from index.build import ReloadReport, reload_store
from index.errors import (
    KnowledgeError,
    NotAuthorized,
    ReloadInProgress,
    StoreError,
    UploadRejected,
)
from index.lexicon import load_lexicon
from index.models import Hit
from index.normalize import fold, normalize_text
from index.querylog import QueryLog
from index.search import SearchIndex, is_timing_question
from index.segment import Analyzer
from index.stats import read_stats
from index.store import Store

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 500
HITS_PER_ANSWER = 3
SESSIONS_MAX = 20_000
MAX_SQLITE_INT = 2**63 - 1  # ids typed by users beyond this cannot exist (and would overflow)
VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving: a fixed offset is exact


@dataclass(frozen=True)
class Settings:
    kb_dir: Path = Path("knowledge")
    db_path: Path = Path("var/de06.sqlite")
    admin_ids: frozenset[str] = frozenset()
    today: date | None = None  # overrides "today" (tests, demos)
    questions_per_minute: int = 20

    @classmethod
    def from_env(cls, kb_dir: Path | None = None, db_path: Path | None = None) -> Settings:
        env = os.environ
        today = env.get("DE06_TODAY", "").strip()
        return cls(
            kb_dir=Path(kb_dir or env.get("DE06_KB") or "knowledge"),
            db_path=Path(db_path or env.get("DE06_DB") or "var/de06.sqlite"),
            admin_ids=frozenset(
                x.strip() for x in env.get("DE06_ADMIN_IDS", "").split(",") if x.strip()
            ),
            today=date.fromisoformat(today) if today else None,
            questions_per_minute=int(env.get("DE06_QUESTIONS_PER_MINUTE", "20")),
        )

    @property
    def backup_dir(self) -> Path:
        return self.db_path.parent / "backups"


@dataclass(frozen=True)
class Outgoing:
    platform: str
    chat_id: str
    reply: Reply
    key: str


@dataclass(frozen=True)
class Snapshot:
    index: SearchIndex
    deadlines: list


@dataclass
class _Session:
    question: str
    offset: int
    hit_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    handler: Callable[[Conversation, Incoming, str], Reply]
    admin: bool = False
    aliases: tuple[str, ...] = ()
    menu: bool = True


class Conversation:
    def __init__(self, settings: Settings, store: Store, snapshot: Snapshot) -> None:
        self.settings = settings
        self.store = store
        self._snapshot = snapshot
        self.querylog = QueryLog(store)
        self._reload_lock = threading.Lock()
        self._sessions: OrderedDict[tuple[str, str], _Session] = OrderedDict()
        self._sessions_lock = threading.Lock()
        self._limiter = RateLimiter(settings.questions_per_minute)
        self.last_reload: ReloadReport | None = None

    # ----- life cycle -------------------------------------------------------------
    @classmethod
    def open(cls, settings: Settings) -> Conversation:
        """Open the store (building it on first use) and load the index from it."""
        store = Store(settings.db_path)
        report = None
        if store.meta("generation", "") == "":
            report = reload_store(settings.kb_dir, store)
            _log_report(report)
        conv = cls(settings, store, _load_snapshot(settings, store))
        conv.last_reload = report
        return conv

    def close(self) -> None:
        self.querylog.close()

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def now(self) -> datetime:
        """Wall-clock time in Vietnam, where the deadlines fall due.

        With `settings.today` set (tests, demos) it is that date at the current time, so
        reminders agree with what /deadline shows.
        """
        real = datetime.now(VIETNAM).replace(tzinfo=None)
        if self.settings.today:
            return datetime.combine(self.settings.today, real.time())
        return real

    def today(self) -> date:
        return self.now().date()

    # ----- entry point ------------------------------------------------------------
    def handle(self, msg: Incoming) -> Reply:
        if msg.is_group and not msg.addressed:
            return Reply(ReplyKind.IGNORED)
        text = normalize_text(msg.text or "").strip()
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            name = name.split("@", 1)[0].lower()
            command = COMMANDS.get(name) or ALIASES.get(name)
            if command is None:
                return _info(messages.UNKNOWN_COMMAND.format(cmd=name[:40]))
            if command.admin:
                try:
                    self.require_admin(msg, command.name, messages.NOT_ADMIN.format(cmd=name))
                except NotAuthorized as err:
                    return _refused(str(err))
                self.querylog.admin_attempt(msg.platform, msg.user_id, command.name, True)
            return command.handler(self, msg, args.strip())
        return self.ask(msg, text)

    def unsupported(self, msg: Incoming) -> Reply:
        """A sticker, photo or other non-text message: say what the assistant can read."""
        if msg.is_group and not msg.addressed:
            return Reply(ReplyKind.IGNORED)
        return _info(messages.UNSUPPORTED_MESSAGE)

    def require_admin(self, msg: Incoming, action: str, refusal: str) -> None:
        """Raise NotAuthorized (carrying the polite refusal) for non-admins; log the attempt."""
        if self.is_admin(msg):
            return
        self.querylog.admin_attempt(msg.platform, msg.user_id, action, False)
        log.warning("refused %s for non-admin %s:%s", action, msg.platform, msg.user_id)
        raise NotAuthorized(refusal)

    def is_admin(self, msg: Incoming) -> bool:
        """Admins are listed in DE06_ADMIN_IDS; whoever runs the console owns the machine."""
        if msg.platform == "console":
            return True
        ids = self.settings.admin_ids
        return msg.user_id in ids or f"{msg.platform}:{msg.user_id}" in ids

    def commands(self, *, admin: bool = False) -> list[tuple[str, str]]:
        """(name, description) for menus and /help; admin ones only when asked."""
        return [(c.name, c.description) for c in COMMANDS.values() if c.menu and c.admin == admin]

    # ----- questions --------------------------------------------------------------
    def ask(self, msg: Incoming, text: str) -> Reply:
        if not any(ch.isalnum() for ch in text):
            return _info(messages.EMPTY)
        if not self._limiter.allow(f"{msg.platform}:{msg.user_id}"):
            return _refused(messages.RATE_LIMITED)
        started = time.perf_counter()
        notes: list[Block] = []
        if len(text) > MAX_QUESTION_CHARS:
            text = text[:MAX_QUESTION_CHARS]
            notes.append(messages.text_block(messages.TOO_LONG.format(n=MAX_QUESTION_CHARS)))
        snap = self._snapshot
        result = snap.index.search(text, limit=HITS_PER_ANSWER)
        lead = (
            deadline_chat.timing_matches(text, snap.deadlines) if is_timing_question(text) else []
        )
        answered = result.answered or bool(lead)
        hit_ids = tuple(h.passage_id for h in result.hits)
        qid = self.querylog.record(
            msg.platform,
            msg.chat_id,
            text,
            answered,
            hit_ids,
            (time.perf_counter() - started) * 1000,
        )
        if not answered:
            self._forget(msg)
            words = set(fold(text).lower().replace("!", " ").replace("?", " ").split())
            greeting = bool(words) and words <= messages.GREETING_WORDS
            said = messages.GREETING if greeting else messages.NOT_FOUND
            return Reply(ReplyKind.NOT_FOUND, notes + [messages.text_block(said)], query_id=qid)
        self._remember(msg, _Session(text, 0, list(hit_ids)))
        blocks = notes + _lead_blocks(lead, self.today())
        return self._answer_reply(blocks, result.hits, result.more, qid, first=1)

    def _answer_reply(
        self, blocks, hits: list[Hit], more: bool, qid: int | None, first: int
    ) -> Reply:
        blocks = list(blocks) + [hit_block(first + i, h) for i, h in enumerate(hits)]
        actions = [
            Action(f"📄 Toàn văn {first + i}", f"/xem p{h.passage_id}") for i, h in enumerate(hits)
        ]
        if more:
            actions.append(Action("➕ Xem thêm", "/them"))
        if qid is not None:
            actions += [Action("👍", f"/danhgia {qid} tot"), Action("👎", f"/danhgia {qid} chua")]
        hint = messages.answer_hint(len(hits), more) if hits else ()
        return Reply(
            ReplyKind.ANSWER,
            blocks,
            actions,
            hint=hint,
            hit_ids=tuple(h.passage_id for h in hits),
            query_id=qid,
        )

    def _remember(self, msg: Incoming, session: _Session) -> None:
        with self._sessions_lock:
            self._sessions[(msg.platform, msg.chat_id)] = session
            self._sessions.move_to_end((msg.platform, msg.chat_id))
            while len(self._sessions) > SESSIONS_MAX:
                self._sessions.popitem(last=False)

    def _forget(self, msg: Incoming) -> None:
        with self._sessions_lock:
            self._sessions.pop((msg.platform, msg.chat_id), None)

    def _session(self, msg: Incoming) -> _Session | None:
        with self._sessions_lock:
            return self._sessions.get((msg.platform, msg.chat_id))

    # ----- reload & upload --------------------------------------------------------
    def reload(self) -> ReloadReport:
        """Rebuild store and index, then swap the snapshot in one assignment.

        Raises ReloadInProgress when another reload runs, KnowledgeError/StoreError when the
        new knowledge base cannot be built; the old snapshot keeps serving in both cases.
        """
        if not self._reload_lock.acquire(blocking=False):
            raise ReloadInProgress(messages.RELOAD_BUSY)
        try:
            try:
                report = reload_store(self.settings.kb_dir, self.store)
                self._snapshot = _load_snapshot(self.settings, self.store)
            except sqlite3.Error as err:
                raise StoreError(f"kho dữ liệu SQLite không ghi được ({err})") from err
            self.last_reload = report
            _log_report(report)
            return report
        finally:
            self._reload_lock.release()

    def upload_check(self, msg: Incoming, filename: str, size: int | None) -> Reply | None:
        """A refusal, or None when the adapter may download the file (before downloading)."""
        try:
            self.require_admin(msg, "upload", messages.UPLOAD_NEEDS_ADMIN)
            check_upload(filename, size)
        except (NotAuthorized, UploadRejected) as err:
            return _refused(str(err))
        return None

    def upload(self, msg: Incoming, filename: str, data: bytes) -> Reply:
        refused = self.upload_check(msg, filename, len(data))
        if refused is not None:
            return refused
        self.querylog.admin_attempt(msg.platform, msg.user_id, "upload", True)
        try:
            saved = save_upload(
                self.settings.kb_dir,
                self.settings.backup_dir,
                filename,
                data,
                f"{msg.platform}:{msg.user_id}",
                self.today(),
            )
        except UploadRejected as err:
            return _refused(str(err))
        rel = saved.path.relative_to(self.settings.kb_dir).as_posix()
        said = f"Đã lưu “{saved.title}” thành {rel}" + (
            " — thay cho bản cũ cùng tên (bản cũ được sao lưu)." if saved.replaced else "."
        )
        reply = cmd_reload(self, msg, "")
        return Reply(reply.kind, [messages.text_block(said)] + reply.blocks)

    # ----- reminders --------------------------------------------------------------
    def due_reminders(self, now: datetime | None = None) -> list[Outgoing]:
        """Reminders due at `now` (default: `self.now()`) that were not sent yet."""
        now = now or self.now()
        db = self.store.db()
        subs = deadline_store.list_subscriptions(db)
        due = reminders.due_reminders(
            subs, self._snapshot.deadlines, deadline_store.sent_keys(db), now
        )
        return [
            Outgoing(d.platform, d.chat_id, reminders.reminder_reply(d, now.date()), d.key)
            for d in due
        ]

    def mark_reminder_sent(self, key: str) -> None:
        deadline_store.mark_sent(self.store.db(), key)


# ----- command handlers (registered in COMMANDS below) --------------------------------
def _lead_blocks(records: list, today: date) -> list[Block]:
    """Structured deadlines that answer a "when" question, shown before the snippets."""
    return [deadline_chat.deadline_block(r, deadline_chat.days_left(r, today)) for r in records]


def _info(text: str) -> Reply:
    return Reply(ReplyKind.INFO, [messages.text_block(text)])


def _refused(text: str) -> Reply:
    return Reply(ReplyKind.REFUSED, [messages.text_block(text)])


def cmd_help(conv: Conversation, msg: Incoming, args: str) -> Reply:
    admin = conv.commands(admin=True) if conv.is_admin(msg) else []
    return Reply(ReplyKind.INFO, messages.help_blocks(conv.commands(), admin))


def cmd_sources(conv: Conversation, msg: Incoming, args: str) -> Reply:
    docs = sorted(conv.snapshot.index.docs.values(), key=lambda d: d.date or "", reverse=True)
    if not docs:
        return _info(messages.NO_DOCUMENTS)
    blocks: list[Block] = [(Run(f"Kho tài liệu có {len(docs)} văn bản:", Style.STRONG),)]
    for d in docs:
        meta = ", ".join(p for p in (d.source, vn_date(d.date) or "không rõ ngày") if p)
        blocks.append((Run("• "), Run(d.title), Run(f"\n  {meta}", Style.CITE)))
    return Reply(ReplyKind.INFO, blocks)


def cmd_more(conv: Conversation, msg: Incoming, args: str) -> Reply:
    session = conv._session(msg)
    if session is None:
        return _info(messages.NO_SESSION)
    offset = session.offset + HITS_PER_ANSWER
    result = conv.snapshot.index.search(session.question, limit=HITS_PER_ANSWER, offset=offset)
    if not result.hits:
        return _info(messages.NO_MORE.format(q=session.question[:80]))
    conv._remember(msg, _Session(session.question, offset, [h.passage_id for h in result.hits]))
    return conv._answer_reply([], result.hits, result.more, None, first=offset + 1)


def cmd_view(conv: Conversation, msg: Incoming, args: str) -> Reply:
    arg = args.strip().lower()
    pid: int | None = None
    if arg.startswith("p") and arg[1:].isdigit():
        pid = int(arg[1:])
        if pid > MAX_SQLITE_INT:
            return _info(messages.PASSAGE_GONE)
    elif arg.isdigit():
        session = conv._session(msg)
        if session is None:
            return _info(messages.NO_SESSION)
        n = int(arg) - session.offset
        if not 1 <= n <= len(session.hit_ids):
            shown = session.offset + len(session.hit_ids)
            return _info(messages.BAD_HIT_NUMBER.format(n=shown))
        pid = session.hit_ids[n - 1]
    else:
        return _info("Gõ /xem kèm số thứ tự đoạn trích, ví dụ /xem 1.")
    hit = conv.snapshot.index.passage(pid)
    if hit is None:
        return _info(messages.PASSAGE_GONE)
    return Reply(ReplyKind.INFO, passage_blocks(hit), hit_ids=(pid,))


def cmd_feedback(conv: Conversation, msg: Incoming, args: str) -> Reply:
    parts = args.split()
    valid = len(parts) == 2 and parts[0].isdigit() and parts[1] in ("tot", "chua")
    if not valid or int(parts[0]) > MAX_SQLITE_INT:
        return _info(messages.BAD_FEEDBACK)
    conv.querylog.feedback(int(parts[0]), 1 if parts[1] == "tot" else -1)
    return _info(messages.FEEDBACK_THANKS)


def cmd_deadline(conv: Conversation, msg: Incoming, args: str) -> Reply:
    return deadline_chat.deadline_reply(conv.snapshot.deadlines, conv.today(), args)


def cmd_subscribe(conv: Conversation, msg: Incoming, args: str) -> Reply:
    _, words = deadline_chat.parse_deadline_args(args)
    deadline_store.subscribe(conv.store.db(), msg.platform, msg.chat_id, words)
    scope = f" có chứa “{' '.join(words)}”" if words else ""
    return _info(
        f"Đã đăng ký nhắc hạn cho cuộc trò chuyện này: tôi sẽ nhắc các hạn{scope} trước 7 ngày và "
        "trước 1 ngày. Gõ /unsubscribe để huỷ."
    )


def cmd_unsubscribe(conv: Conversation, msg: Incoming, args: str) -> Reply:
    removed = deadline_store.unsubscribe(conv.store.db(), msg.platform, msg.chat_id)
    if not removed:
        return _info("Cuộc trò chuyện này chưa đăng ký nhắc hạn. Gõ /subscribe để đăng ký.")
    return _info("Đã huỷ nhắc hạn cho cuộc trò chuyện này.")


def cmd_reload(conv: Conversation, msg: Incoming, args: str) -> Reply:
    try:
        report = conv.reload()
    except ReloadInProgress:
        return _info(messages.RELOAD_BUSY)
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
            f"{report.deadlines} mốc thời hạn."
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
    if report.skipped:
        skipped = [Run(f"Bỏ qua {len(report.skipped)} tệp không đọc được:", Style.STRONG)]
        skipped += [Run(f"\n• {e.path.as_posix()}: {e.reason}") for e in report.skipped[:30]]
        blocks.append(tuple(skipped))
    return blocks


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
    return Reply(ReplyKind.INFO, blocks)


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command("start", "giới thiệu và hướng dẫn", cmd_help, menu=False),
        Command("help", "hướng dẫn, ví dụ câu hỏi và các lệnh", cmd_help, aliases=("huongdan",)),
        Command(
            "deadline",
            "các hạn sắp tới; /deadline all, lọc: /deadline Bộ Tư pháp, /deadline 2024",
            cmd_deadline,
            aliases=("han",),
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
            "stats", "thống kê câu hỏi, câu chưa trả lời được, đánh giá", cmd_stats, admin=True
        ),
    )
}
ALIASES: dict[str, Command] = {a: c for c in COMMANDS.values() for a in c.aliases}


def _load_snapshot(settings: Settings, store: Store) -> Snapshot:
    analyzer = Analyzer(load_lexicon(settings.kb_dir))
    index = SearchIndex.load(store, analyzer)
    return Snapshot(index, deadline_store.load_deadlines(store.db()))


def _log_report(report: ReloadReport) -> None:
    log.info(
        "reload: +%d ~%d -%d =%d, %d passages, %.2fs",
        len(report.added),
        len(report.changed),
        len(report.removed),
        report.unchanged,
        report.passages,
        report.seconds,
    )
    for err in report.skipped:
        log.warning("skipped document %s: %s", err.path, err.reason)


__all__ = ["Conversation", "Settings", "Outgoing", "Snapshot"]
