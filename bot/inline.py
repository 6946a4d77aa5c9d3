"""Answers shared into any chat: Telegram's inline mode (`@bot câu hỏi` typed in any chat).

Answers get discussed where the bot is not a member ("the group of the Sở"), so a person
types the bot's name and a question in that chat, picks one of up to five results, and the
snippet with its citation is posted there as their message. The results are the same answer
the bot gives in a private chat: for a "when" question the structured deadline first, then
the hits. An empty or off-topic query offers the help text as the single result.

Clients send a query at every pause in typing, so one question arrives as "Luật",
"Luật Căn cước", "Luật Căn cước có hiệu lực"… Each is answered, but only the one a person
settled on is written to the query log (platform "telegram-inline"): a query is logged once
no refinement of it followed within `SETTLE_SECONDS`, so /stats counts questions, not
keystrokes. Rate limits are per user, looser than for chat questions for the same reason.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from bot import messages, metrics
from bot.answer_view import citation, snippet_runs
from bot.deadline_chat import (
    days_left,
    deadline_block,
    due_label,
    people_line,
    recurrence_label,
    short_task,
    status_text,
    timing_matches,
)
from bot.models import Block, ReplyKind, Run, Style
from bot.ratelimit import RateLimiter
from index.deadline_store import DeadlineRecord
from index.models import Hit
from index.normalize import normalize_text
from index.search import is_timing_question

if TYPE_CHECKING:
    from bot.core import Conversation

__all__ = ["InlineAnswer", "InlineAnswers", "InlineResult", "PLATFORM", "MAX_RESULTS"]

PLATFORM = "telegram-inline"
MAX_RESULTS = 5
MAX_QUERY_CHARS = 256  # Telegram's own limit for an inline query
SETTLE_SECONDS = 4.0
TYPING_FACTOR = 3  # inline queries a person sends per question they mean, roughly
TITLE_CHARS = 70
DESCRIPTION_CHARS = 120
RATE_LIMITED = "Bạn đang hỏi hơi nhanh — chờ một phút rồi thử lại"


@dataclass(frozen=True)
class InlineResult:
    id: str  # unique within one answer, at most 64 bytes
    title: str
    description: str
    blocks: tuple[Block, ...]  # the message it posts when chosen


@dataclass(frozen=True)
class InlineAnswer:
    results: tuple[InlineResult, ...]
    personal: bool = False  # for this user only: never served to others from a cache
    notice: str = ""  # said instead of results (rate limited)


@dataclass
class _Pending:
    user: str
    text: str
    answered: bool
    hit_ids: tuple[int, ...]
    latency_ms: float
    at: float


def _related(a: str, b: str) -> bool:
    """One is the other typed further (or corrected back)."""
    a, b = a.casefold(), b.casefold()
    return a.startswith(b) or b.startswith(a)


class InlineAnswers:
    """Inline results for one conversation, with their rate limit and their query log."""

    def __init__(
        self, conv: Conversation, mention: str = "", per_minute: int | None = None
    ) -> None:
        self.conv = conv
        self.mention = mention  # "@tenbot", for the help text
        if per_minute is None:
            per_minute = conv.settings.questions_per_minute * TYPING_FACTOR
        self._limiter = RateLimiter(per_minute)
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    # ----- answering ------------------------------------------------------------------
    def answer(self, user_id: str, query: str, now: float | None = None) -> InlineAnswer:
        now = time.monotonic() if now is None else now
        self.settle(now)
        text = normalize_text(query or "").strip()[:MAX_QUERY_CHARS]
        if not any(ch.isalnum() for ch in text):
            return InlineAnswer((self._help("help", empty=True),))
        if not self._limiter.allow(user_id, now):
            return InlineAnswer((), personal=True, notice=RATE_LIMITED)
        started = time.perf_counter()
        snap = self.conv.snapshot
        result = snap.index.search(text, limit=MAX_RESULTS)
        lead = timing_matches(text, snap.timing, limit=1) if is_timing_question(text) else []
        answered = result.answered or bool(lead)
        hit_ids = tuple(h.passage_id for h in result.hits)
        latency = (time.perf_counter() - started) * 1000
        self._note(_Pending(user_id, text, answered, hit_ids, latency, now))
        if not answered:
            return InlineAnswer((self._help("off-topic", empty=False),))
        today = self.conv.today()
        question: Block = (Run(f"❓ {text}", Style.STRONG),)
        results = [_deadline_result(r, today, question) for r in lead]
        results += [_hit_result(h, question) for h in result.hits]
        return InlineAnswer(tuple(results[:MAX_RESULTS]))

    def _help(self, result_id: str, *, empty: bool) -> InlineResult:
        bot = self.mention or "tên bot"
        if empty:
            title = f"{messages.ASSISTANT} — gõ câu hỏi sau {bot}"
        else:
            title = "Chưa tìm thấy nội dung trả lời trong tài liệu về Đề án 06"
        example = messages.EXAMPLES[0]
        blocks: tuple[Block, ...] = (
            (
                Run(messages.ASSISTANT, Style.STRONG),
                Run(
                    "\nTrả lời câu hỏi về Đề án 06 bằng đoạn trích ngắn từ tài liệu, kèm nguồn và "
                    "ngày. Trong bất kỳ cuộc trò chuyện nào, gõ "
                ),
                Run(f"{bot} câu hỏi", Style.COMMAND),
                Run(" rồi chọn một kết quả để gửi. Ví dụ:"),
                *[Run(f"\n• {q}") for q in messages.EXAMPLES],
                Run(f"\nNhắn riêng cho {bot} để xem hạn (/deadline), lịch (/lich) và mọi lệnh."),
            ),
        )
        return InlineResult(result_id, title, f"Ví dụ: {bot} {example}", blocks)

    # ----- the query log --------------------------------------------------------------
    def _note(self, item: _Pending) -> None:
        with self._lock:
            previous = self._pending.get(item.user)
            if previous is not None and not _related(previous.text, item.text):
                self._log(previous)
            self._pending[item.user] = item

    def settle(self, now: float | None = None) -> None:
        """Log the queries nobody refined within SETTLE_SECONDS."""
        now = time.monotonic() if now is None else now
        with self._lock:
            done = [u for u, p in self._pending.items() if now - p.at >= SETTLE_SECONDS]
            for user in done:
                self._log(self._pending.pop(user))

    def close(self) -> None:
        """Log every query still waiting (at shutdown)."""
        with self._lock:
            for item in self._pending.values():
                self._log(item)
            self._pending.clear()

    def _log(self, item: _Pending) -> None:
        self.conv.querylog.record(
            PLATFORM, item.user, item.text, item.answered, item.hit_ids, item.latency_ms
        )
        kind = ReplyKind.ANSWER if item.answered else ReplyKind.NOT_FOUND
        metrics.question(PLATFORM, kind, item.latency_ms / 1000)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _deadline_result(record: DeadlineRecord, today: date, question: Block) -> InlineResult:
    left = days_left(record, today)
    if record.recurrence is not None:
        when = f"Định kỳ: {recurrence_label(record.recurrence)}"
    elif record.kind == "effective":
        when = f"Có hiệu lực: {due_label(record)}"
    else:
        when = f"Hạn: {due_label(record)}"
    title = f"⏰ {when} — {status_text(record, left)}"
    described = " · ".join(p for p in (people_line(record), short_task(record.text, 200)) if p)
    digest = hashlib.sha1(record.key.encode()).hexdigest()[:16]
    return InlineResult(
        f"d{digest}",
        _cut(title, TITLE_CHARS),
        _cut(described, DESCRIPTION_CHARS),
        (question, deadline_block(record, today)),
    )


def _hit_result(hit: Hit, question: Block) -> InlineResult:
    body = (*snippet_runs(hit.snippet, hit.marks), Run("\n"), Run(citation(hit), Style.CITE))
    return InlineResult(
        f"p{hit.passage_id}",
        _cut(hit.snippet, TITLE_CHARS),
        _cut(citation(hit), DESCRIPTION_CHARS),
        (question, body),
    )
