"""The conversation core: text in, `Reply` out, the same for console, Telegram and Zalo.

Adapters only translate platform updates to `Incoming` and render `Reply`; every
decision (what to answer, who may reload, what a command means) is made here.

Thread model: `handle` may be called from many threads at once. The searchable
knowledge is an immutable `Snapshot` swapped atomically by reload, so questions in
flight keep the snapshot they started with; reloads are serialised by a lock.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone

from bot import (
    commands,
    deadline_chat,
    followup,
    logsafe,
    messages,
    metrics,
    progress_chat,
    reminders,
)
from bot.answer_view import hit_blocks
from bot.commands import HITS_PER_ANSWER
from bot.messages import GREETING_WORDS, info, refused
from bot.models import Action, Block, Incoming, Reply, ReplyKind
from bot.ratelimit import RateLimiter
from bot.settings import Settings
from bot.uploads import check_upload, save_upload
from index import deadline_store, index_files, progress
from index.build import ReloadReport, reload_store
from index.cache import cache_for_store
from index.deadline_store import DeadlineRecord
from index.errors import NotAuthorized, ReloadInProgress, StoreError, UploadRejected
from index.lexicon import load_lexicon
from index.memory import release_free_memory
from index.models import Hit
from index.normalize import normalize_text
from index.querylog import QueryLog
from index.search import SearchIndex
from index.segment import Analyzer
from index.store import Store

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 500
SESSIONS_MAX = 20_000
VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving: a fixed offset is exact


@dataclass(frozen=True)
class Outgoing:
    platform: str
    chat_id: str
    reply: Reply
    key: str


@dataclass(frozen=True)
class Snapshot:
    """Everything a question is answered from; replaced whole by a reload."""

    index: SearchIndex
    deadlines: list[DeadlineRecord]
    timing: deadline_chat.TimingIndex


@dataclass
class Session:
    """What /xem and /them refer to: the chat's last question and the hits it showed."""

    question: str
    offset: int
    hit_ids: list[int] = field(default_factory=list)


class Conversation:
    def __init__(self, settings: Settings, store: Store, snapshot: Snapshot) -> None:
        self.settings = settings
        logsafe.install(settings.calendar_token)  # the feed's address is a secret too
        self.store = store
        self._snapshot = snapshot
        self.querylog = QueryLog(store)
        self._reload_lock = threading.Lock()
        self._sessions: OrderedDict[tuple[str, str], Session] = OrderedDict()
        self._sessions_lock = threading.Lock()
        self._topics: OrderedDict[tuple[str, str], followup.Topic] = OrderedDict()
        self.clock = time.monotonic  # seconds; follow-ups refer back within a window of it
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
            command = commands.COMMANDS.get(name) or commands.ALIASES.get(name)
            if command is None:
                return info(messages.UNKNOWN_COMMAND.format(cmd=name[:40]))
            if command.admin:
                try:
                    self.require_admin(msg, command.name, messages.NOT_ADMIN.format(cmd=name))
                except NotAuthorized as err:
                    return refused(str(err))
                self.querylog.admin_attempt(msg.platform, msg.user_id, command.name, True)
            return command.handler(self, msg, args.strip())
        with metrics.answering(msg.platform) as answered:
            return answered(self.ask(msg, text))

    def unsupported(self, msg: Incoming) -> Reply:
        """A sticker, photo or other non-text message: say what the assistant can read."""
        if msg.is_group and not msg.addressed:
            return Reply(ReplyKind.IGNORED)
        return info(messages.UNSUPPORTED_MESSAGE)

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
        return [
            (c.name, c.description)
            for c in commands.COMMANDS.values()
            if c.menu and c.admin == admin
        ]

    # ----- questions --------------------------------------------------------------
    def ask(self, msg: Incoming, text: str) -> Reply:
        if not any(ch.isalnum() for ch in text):
            return info(messages.EMPTY)
        if not self._limiter.allow(f"{msg.platform}:{msg.user_id}"):
            return refused(messages.RATE_LIMITED)
        started = time.perf_counter()
        notes: list[Block] = []
        if len(text) > MAX_QUESTION_CHARS:
            text = text[:MAX_QUESTION_CHARS]
            notes.append(messages.text_block(messages.TOO_LONG.format(n=MAX_QUESTION_CHARS)))
        question, topic = self._follow_up(msg, text)
        if topic is not None:
            notes.append(messages.text_block(messages.FOLLOW_UP.format(q=_short(topic.question))))
        snap = self._snapshot
        query = snap.index.analyse(question)  # once, for every stage below
        result = snap.index.search(query, limit=HITS_PER_ANSWER)
        lead = deadline_chat.timing_matches(query, snap.timing) if query.timing else []
        answered = result.answered or bool(lead)
        shown = result.hits if answered else result.related
        qid = self.querylog.record(
            msg.platform,
            msg.chat_id,
            question,
            answered,
            tuple(h.passage_id for h in shown),
            (time.perf_counter() - started) * 1000,
        )
        if topic is None and query.units:
            self._keep_topic(msg, followup.Topic(text, query.content, query.timing, self.clock()))
        if not shown and not lead:
            self._forget(msg)
            greeting = bool(query.folded_words) and set(query.folded_words) <= GREETING_WORDS
            said = messages.GREETING if greeting else messages.NOT_FOUND
            return Reply(ReplyKind.NOT_FOUND, notes + [messages.text_block(said)], query_id=qid)
        self.remember(msg, question, 0, [h.passage_id for h in shown])
        if not answered:  # a middle answer: not found directly, but these come close
            blocks = notes + [messages.text_block(messages.RELATED)]
            return self.answer_reply(blocks, shown, False, qid, first=1, kind=ReplyKind.RELATED)
        blocks = notes + progress_chat.lead_blocks(self, lead)
        return self.answer_reply(blocks, result.hits, result.more, qid, first=1)

    def _follow_up(self, msg: Incoming, text: str) -> tuple[str, followup.Topic | None]:
        """The question to answer, and the topic it continues (None: a question of its own)."""
        key = (msg.platform, msg.chat_id)
        now = self.clock()
        with self._sessions_lock:
            topic = self._topics.get(key)
        merged = followup.merged_question(text, topic, now)
        if merged is None or topic is None:
            return text, None
        self._keep_topic(msg, replace(topic, at=now))  # a chain of follow-ups keeps its topic
        return merged, topic

    def _keep_topic(self, msg: Incoming, topic: followup.Topic) -> None:
        with self._sessions_lock:
            self._topics[(msg.platform, msg.chat_id)] = topic
            self._topics.move_to_end((msg.platform, msg.chat_id))
            while len(self._topics) > SESSIONS_MAX:
                self._topics.popitem(last=False)

    def answer_reply(
        self,
        blocks,
        hits: list[Hit],
        more: bool,
        qid: int | None,
        first: int,
        kind: ReplyKind = ReplyKind.ANSWER,
    ) -> Reply:
        blocks = list(blocks) + hit_blocks(hits, first)
        actions = [
            Action(f"📄 Toàn văn {first + i}", f"/xem p{h.passage_id}") for i, h in enumerate(hits)
        ]
        if more:
            actions.append(Action("➕ Xem thêm", "/them"))
        if qid is not None:
            actions += [Action("👍", f"/danhgia {qid} tot"), Action("👎", f"/danhgia {qid} chua")]
        hint = messages.answer_hint(len(hits), more) if hits else ()
        return Reply(
            kind,
            blocks,
            actions,
            hint=hint,
            hit_ids=tuple(h.passage_id for h in hits),
            query_id=qid,
        )

    def remember(self, msg: Incoming, question: str, offset: int, hit_ids: list[int]) -> None:
        with self._sessions_lock:
            self._sessions[(msg.platform, msg.chat_id)] = Session(question, offset, hit_ids)
            self._sessions.move_to_end((msg.platform, msg.chat_id))
            while len(self._sessions) > SESSIONS_MAX:
                self._sessions.popitem(last=False)

    def _forget(self, msg: Incoming) -> None:
        with self._sessions_lock:
            self._sessions.pop((msg.platform, msg.chat_id), None)

    def session(self, msg: Incoming) -> Session | None:
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
        started, ok = time.perf_counter(), False
        try:
            try:
                report = reload_store(self.settings.kb_dir, self.store)
                if self.store.meta("generation") != self._snapshot.index.generation:
                    self._snapshot = _load_snapshot(self.settings, self.store)
                    index_files.remove_other_generations(
                        self.store.path, self._snapshot.index.generation
                    )
                    release_free_memory()  # the old snapshot's
                # else: nothing changed, and the index being served is already this one
            except sqlite3.Error as err:
                raise StoreError(f"kho dữ liệu SQLite không ghi được ({err})") from err
            self.last_reload = report
            _log_report(report)
            ok = True
            return report
        finally:
            metrics.reload_finished(time.perf_counter() - started, ok)
            self._reload_lock.release()

    def upload_check(self, msg: Incoming, filename: str, size: int | None) -> Reply | None:
        """A refusal, or None when the adapter may download the file (before downloading)."""
        try:
            self.require_admin(msg, "upload", messages.UPLOAD_NEEDS_ADMIN)
            check_upload(filename, size)
        except (NotAuthorized, UploadRejected) as err:
            return refused(str(err))
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
                cache_for_store(self.settings.db_path),
            )
        except UploadRejected as err:
            return refused(str(err))
        rel = saved.path.relative_to(self.settings.kb_dir).as_posix()
        said = f"Đã lưu “{saved.title}” thành {rel}" + (
            " — thay cho bản cũ cùng tên (bản cũ được sao lưu)." if saved.replaced else "."
        )
        reply = commands.cmd_reload(self, msg, "")
        return Reply(reply.kind, [messages.text_block(said)] + reply.blocks)

    # ----- reminders --------------------------------------------------------------
    def due_reminders(self, now: datetime | None = None) -> list[Outgoing]:
        """Reminders due at `now` (default: `self.now()`) that were not sent yet."""
        now = now or self.now()
        db = self.store.db()
        subs = deadline_store.list_subscriptions(db)
        reported = progress_chat.progress_map(self)
        due = reminders.due_reminders(
            subs, self._snapshot.deadlines, deadline_store.sent_keys(db), now, reported
        )
        return [
            Outgoing(
                d.platform, d.chat_id, progress_chat.reminder(self, d, now.date(), reported), d.key
            )
            for d in due
        ]

    def mark_reminder_sent(self, key: str, *, delivered: bool = True) -> None:
        """Never send this reminder again; `delivered=False` when the chat cannot take it."""
        deadline_store.mark_sent(self.store.db(), key)
        if delivered:
            metrics.reminder_sent()


def _short(question: str, limit: int = 80) -> str:
    """A question quoted back in a reply, cut at a word."""
    if len(question) <= limit:
        return question
    return question[:limit].rsplit(" ", 1)[0] + "…"


def _load_snapshot(settings: Settings, store: Store) -> Snapshot:
    analyzer = Analyzer(load_lexicon(settings.kb_dir))
    index = SearchIndex.load(store, analyzer)
    deadlines = progress.with_ids(store.db(), deadline_store.load_deadlines(store.db()))
    return Snapshot(index, deadlines, deadline_chat.TimingIndex(deadlines))


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


__all__ = ["Conversation", "Settings", "Outgoing", "Snapshot", "Session"]
