"""Is the bot alive? The facts adapters report, and the verdict /healthz gives on them.

An adapter calls `Health.contact()` after every successful poll or accepted webhook call;
the HTTP side server asks `evaluate` for a verdict. A webhook that stays quiet only means
nobody wrote, so silence fails the check only when polling, where a poll returns at least
every long-poll timeout. Nothing in here knows a chat, a user or a question.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from index.store_check import Writability

DEFAULT_STALE_AFTER = 300.0  # seconds without a successful poll before /healthz fails
POLLING, WEBHOOK = "polling", "webhook"


@dataclass
class Health:
    platform: str
    mode: str = POLLING  # POLLING | WEBHOOK
    stale_after: float = DEFAULT_STALE_AFTER
    started: float = field(default_factory=time.monotonic)
    last_contact: float | None = None

    def contact(self) -> None:
        """The platform answered a poll, or delivered a webhook call with the right secret."""
        self.last_contact = time.monotonic()

    def contact_age(self, now: float | None = None) -> float | None:
        if self.last_contact is None:
            return None
        return max(0.0, (time.monotonic() if now is None else now) - self.last_contact)

    def polling_stale(self, now: float | None = None) -> bool:
        """Polling has not succeeded for `stale_after` seconds (counted from start at first)."""
        if self.mode != POLLING:
            return False
        now = time.monotonic() if now is None else now
        since = self.last_contact if self.last_contact is not None else self.started
        return now - since > self.stale_after


@dataclass(frozen=True)
class Knowledge:
    """What the served index holds (from the core's snapshot)."""

    generation: str
    documents: int
    passages: int
    deadlines: int


@dataclass(frozen=True)
class Verdict:
    failing: tuple[str, ...]
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return not self.failing

    @property
    def status(self) -> int:
        return 200 if self.ok else 503


def evaluate(
    health: Health, knowledge: Knowledge, store: Writability, now: float | None = None
) -> Verdict:
    """The /healthz answer: every figure, and the name and reason of each failing check."""
    now = time.monotonic() if now is None else now
    reasons: dict[str, str] = {}
    if not store.writable:
        reasons["store_writable"] = f"kho dữ liệu không ghi được: {store.reason}"
    if health.polling_stale(now):
        age = health.contact_age(now)
        since = "chưa lần nào" if age is None else f"đã {age:.0f} giây"
        reasons["polling"] = (
            f"nhận tin từ {health.platform} không thành công {since} "
            f"(ngưỡng {health.stale_after:.0f} giây)"
        )
    age = health.contact_age(now)
    body: dict[str, Any] = {
        "status": "failing" if reasons else "ok",
        "failing": sorted(reasons),
        "reasons": reasons,
        "platform": health.platform,
        "mode": health.mode,
        "index_generation": knowledge.generation,
        "documents": knowledge.documents,
        "passages": knowledge.passages,
        "deadlines": knowledge.deadlines,
        "seconds_since_contact": None if age is None else round(age, 1),
        "store_writable": store.writable,
        "store_busy": store.busy,
        "uptime_seconds": round(now - health.started, 1),
    }
    return Verdict(tuple(sorted(reasons)), body)
