"""Which reminders are due at a moment, and what they say.

A subscribed chat gets one message when a matching deadline is 7 days away and one on the
day before. The scheduler may have been down on the exact day, so each stage is sent as
soon as its window opens and it has not been sent yet; the 7-day one is dropped once the
1-day one is due, and nothing is sent for a deadline that has passed. Keys name the chat,
the deadline's reload-proof identity and the stage, so the sent-key set kept in the store
makes a restart neither lose nor repeat a reminder. Recurring work is reminded before
each occurrence (the key carries the occurrence's day, so next month's reminder is a new
one); ongoing work has no day and is never reminded, and work reported done is not either
(a recurring deadline's done covers the occurrence it was reported for, not the next).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.deadline_chat import deadline_block, matching, progress_state
from bot.models import Action, Reply, ReplyKind, Run, Style
from index.deadline_store import DeadlineRecord, Subscription
from index.progress import Progress

__all__ = [
    "Subscription",
    "ReminderDue",
    "STAGES",
    "due_reminders",
    "reminder_key",
    "reminder_reply",
]

STAGES = (7, 1)  # days before the due date


@dataclass(frozen=True)
class ReminderDue:
    key: str
    platform: str
    chat_id: str
    record: DeadlineRecord
    days_before: int  # the stage: 7 or 1
    due: date | None = None  # the occurrence reminded of (the stated day unless recurring)


def reminder_key(
    sub: Subscription, record: DeadlineRecord, stage: int, occurrence: date | None = None
) -> str:
    """Chat, deadline identity and stage; for recurring work also the occurrence's day."""
    ident = record.key
    if record.recurrence is not None and occurrence is not None:
        ident = f"{ident}@{occurrence.isoformat()}"
    return f"{sub.platform}:{sub.chat_id}:{ident}:{stage}"


def _stage(left: int) -> int | None:
    if left < 0 or left > STAGES[0]:
        return None
    return STAGES[1] if left <= STAGES[1] else STAGES[0]


def due_reminders(
    subscriptions: Iterable[Subscription],
    records: Iterable[DeadlineRecord],
    sent_keys: set[str],
    now: datetime,
    progress: Mapping[str, Progress] | None = None,
) -> list[ReminderDue]:
    """Reminders to send at `now` that were not sent before, soonest deadline first; none
    for work reported done (for recurring work: done for the occurrence now ahead)."""
    today = now.date()
    dated = [
        (r, d)
        for r in records
        if (d := r.due_on(today)) is not None and not _done(r, progress, today)
    ]
    out: list[ReminderDue] = []
    for sub in subscriptions:
        wanted = {id(r) for r in matching([r for r, _ in dated], sub.words, today)}
        for rec, due in dated:
            stage = _stage((due - today).days)
            if stage is None or id(rec) not in wanted:
                continue
            key = reminder_key(sub, rec, stage, due)
            if key not in sent_keys:
                out.append(ReminderDue(key, sub.platform, sub.chat_id, rec, stage, due))
    out.sort(key=lambda r: (r.due or date.max, r.platform, r.chat_id, r.key))
    return out


def _done(record: DeadlineRecord, progress: Mapping[str, Progress] | None, today: date) -> bool:
    state = progress_state(record, progress, today)
    return state is not None and state.state == "done"


def reminder_reply(
    due: ReminderDue,
    today: date,
    progress: Progress | None = None,
    buttons: Sequence[Action] = (),
) -> Reply:
    """The reminder message; `progress` is what counts today, `buttons` go first (the
    "✅ Đã xong" of a chat that may report it)."""
    occurrence = due.due or due.record.due_on(today) or today
    left = (occurrence - today).days
    effective = due.record.kind == "effective"
    if left <= 0:
        head = "Hôm nay văn bản bắt đầu có hiệu lực" if effective else "Hôm nay là hạn chót"
    elif left == 1:
        head = "Ngày mai văn bản có hiệu lực" if effective else "Ngày mai đến hạn"
    else:
        head = (
            f"Còn {left} ngày nữa văn bản có hiệu lực" if effective else f"Còn {left} ngày đến hạn"
        )
    header = (Run("Nhắc hạn: ", Style.STRONG), Run(f"{head}."))
    hint = (
        Run("Gõ "),
        Run("/deadline", Style.COMMAND),
        Run(" để xem các hạn sắp tới, "),
        Run("/unsubscribe", Style.COMMAND),
        Run(" để tắt nhắc hạn."),
    )
    actions = [
        *buttons,
        Action("Xem các hạn sắp tới", "/deadline"),
        Action("Tắt nhắc hạn", "/unsubscribe"),
    ]
    block = deadline_block(due.record, today, progress)
    return Reply(ReplyKind.INFO, [header, block], actions, hint)
