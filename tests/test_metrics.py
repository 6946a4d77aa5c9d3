"""What the core and the adapters count: each counter moves exactly when it should.

Counters are read before and after, so tests stay independent although the registry lives
as long as the process.
"""

from __future__ import annotations

import shutil

import pytest

from bot import metrics
from bot.core import Conversation
from bot.models import ReplyKind
from bot.platforms.telegram import running, send_reply

from fake_telegram import FakeTelegram
from helpers import ADMIN, say

pytest_plugins = ["conftest_telegram"]

QUESTION = "Luật Căn cước có hiệu lực từ ngày nào?"


class Delta:
    """A sample's change since this object was made."""

    def __init__(self, name: str, **labels: str) -> None:
        self.name, self.labels = name, labels
        self.start = metrics.value(name, **labels)

    @property
    def moved(self) -> float:
        return metrics.value(self.name, **self.labels) - self.start


def questions(platform: str, outcome: str) -> Delta:
    return Delta("de06_questions_total", platform=platform, outcome=outcome)


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [(ReplyKind.ANSWER, "answered"), (ReplyKind.RELATED, "related"),
     (ReplyKind.NOT_FOUND, "refused"), (ReplyKind.REFUSED, "refused"),
     (ReplyKind.ERROR, "error"), (ReplyKind.INFO, None), (ReplyKind.IGNORED, None)],
)  # fmt: skip
def test_each_reply_kind_has_its_outcome(kind: ReplyKind, outcome: str | None) -> None:
    assert metrics.outcome(kind) == outcome


def test_an_answered_question_is_counted_with_its_latency(shared_conv: Conversation) -> None:
    answered, timed = questions("telegram", "answered"), Delta(
        "de06_answer_seconds_count", platform="telegram"
    )
    say(shared_conv, QUESTION, user="metrics-1", chat="metrics-1")
    assert (answered.moved, timed.moved) == (1, 1)


def test_a_question_without_an_answer_is_counted_as_refused(shared_conv: Conversation) -> None:
    refused = questions("zalo", "refused")
    say(shared_conv, "giá vàng hôm nay bao nhiêu", platform="zalo", user="m-2", chat="m-2")
    assert refused.moved == 1


def test_commands_and_empty_messages_are_not_questions(shared_conv: Conversation) -> None:
    every = [questions("console", o) for o in metrics.OUTCOMES]
    for text in ("/help", "/deadline", "???", "   "):
        say(shared_conv, text, platform="console", user="m-3", chat="m-3")
    assert [d.moved for d in every] == [0, 0, 0, 0]


def test_a_question_whose_handling_fails_counts_as_an_error() -> None:
    errors = questions("zalo", "error")
    with pytest.raises(RuntimeError), metrics.answering("zalo"):
        raise RuntimeError("the index vanished")
    assert errors.moved == 1


def test_reloads_are_counted_by_outcome_with_their_duration(conv: Conversation) -> None:
    ok, failed = Delta("de06_reloads_total", outcome="ok"), Delta(
        "de06_reloads_total", outcome="failed"
    )
    timed = Delta("de06_reload_seconds_count")
    say(conv, "/reload", user=ADMIN)
    shutil.rmtree(conv.settings.kb_dir)  # a missing folder fails the reload
    assert "không" in say(conv, "/reload", user=ADMIN).plain
    assert (ok.moved, failed.moved, timed.moved) == (1, 1, 2)


def test_a_reminder_counts_once_delivered_not_when_undeliverable(conv: Conversation) -> None:
    sent = Delta("de06_reminders_sent_total")
    conv.mark_reminder_sent("doc|2024-06-30|deadline|abc")
    conv.mark_reminder_sent("doc|2024-07-31|deadline|def", delivered=False)
    assert sent.moved == 1


async def test_telegram_counts_messages_sent_and_given_up_on(
    fake_telegram: FakeTelegram, telegram_conv: Conversation
) -> None:
    sent = Delta("de06_messages_sent_total", platform="telegram")
    failed = Delta("de06_send_failures_total", platform="telegram")
    app = fake_telegram.application(telegram_conv)
    reply = say(telegram_conv, "/help")
    fake_telegram.blocked_chats.add(666)
    async with running(app, poll_timeout=1):
        assert await send_reply(app.bot, 555, reply) >= 1
        with pytest.raises(Exception, match="blocked"):
            await send_reply(app.bot, 666, reply)
    assert sent.moved == len(fake_telegram.messages_to(555))
    assert failed.moved == 1
