"""Telegram handlers: how updates become the core's `Incoming`, and what gets sent back.

Addressing rules are tested on the pure `incoming_from_message`; the handlers themselves run
through `Application.process_update` against the fake Bot API server (no polling needed).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
import pytest_asyncio
from telegram import Update
from telegram.ext import Application

from bot import messages
from bot.core import Conversation
from bot.models import Action, Incoming, Reply, ReplyKind, Run
from bot.platforms.telegram import (
    deliver_reminders,
    incoming_from_message,
    send_reply,
)

from fake_telegram import ADMIN_ID, BOT_ID, BOT_USERNAME, FakeTelegram

pytest_plugins = ["conftest_telegram"]

fake = FakeTelegram()  # only its update builders are used at module level


def _incoming(update: dict):
    message = Update.de_json(update, None).effective_message
    assert message is not None
    return incoming_from_message(message, BOT_ID, BOT_USERNAME)


def test_private_text_is_addressed_to_the_bot() -> None:
    incoming = _incoming(fake.private_text(7, "Căn cước điện tử là gì?"))
    assert incoming is not None
    assert (incoming.chat_id, incoming.user_id, incoming.text) == (
        "7",
        "7",
        "Căn cước điện tử là gì?",
    )
    assert incoming.addressed and not incoming.is_group
    assert incoming.platform == "telegram"


def test_group_chatter_is_not_addressed() -> None:
    incoming = _incoming(fake.group_text(-1001, 7, "Chiều nay họp lúc mấy giờ?"))
    assert incoming is not None and incoming.is_group and not incoming.addressed


def test_group_mention_is_addressed_and_removed_from_the_question() -> None:
    incoming = _incoming(fake.group_text(-1001, 7, "thời hạn cấp căn cước?", mention=True))
    assert incoming is not None and incoming.addressed
    assert incoming.text == "thời hạn cấp căn cước?"


def test_mention_of_another_user_does_not_address_the_bot() -> None:
    incoming = _incoming(fake.group_text(-1001, 7, "@nguyenvana hỏi giúp căn cước"))
    assert incoming is not None and not incoming.addressed


def test_text_mention_of_the_bot_is_addressed() -> None:
    incoming = _incoming(fake.group_text(-1001, 7, "dịch vụ công là gì?", text_mention=True))
    assert incoming is not None and incoming.addressed
    assert incoming.text == "dịch vụ công là gì?"


def test_reply_to_the_bot_is_addressed() -> None:
    update = fake.group_text(-1001, 7, "còn hạn nào khác không?")
    update["message"]["reply_to_message"] = {
        "message_id": 5,
        "date": 0,
        "chat": {"id": -1001, "type": "supergroup"},
        "from": fake.bot_user,
        "text": "Hạn chót: 31/12/2025",
    }
    incoming = _incoming(update)
    assert incoming is not None and incoming.addressed


def test_group_command_is_addressed_and_loses_the_bot_suffix() -> None:
    incoming = _incoming(fake.group_text(-1001, 7, f"/deadline@{BOT_USERNAME} all"))
    assert incoming is not None and incoming.addressed
    assert incoming.text == "/deadline all"


def test_command_for_another_bot_is_dropped() -> None:
    assert _incoming(fake.group_text(-1001, 7, "/help@other_bot")) is None


def test_document_caption_is_the_text() -> None:
    incoming = _incoming(fake.document(7, 7, "quy-che.txt", b"x", caption="bản mới"))
    assert incoming is not None and incoming.text == "bản mới"


# --------------------------------------------------------------------------- handlers


@pytest_asyncio.fixture
async def app(
    fake_telegram: FakeTelegram, telegram_conv: Conversation
) -> AsyncIterator[Application]:
    """An initialised application (getMe done) that is not polling: tests feed it updates."""
    application = fake_telegram.application(telegram_conv)
    async with application:
        yield application


async def _process(app: Application, update: dict) -> None:
    await app.process_update(Update.de_json(update, app.bot))


async def test_unexpected_error_is_logged_and_apologised_for(
    app: Application,
    fake_telegram: FakeTelegram,
    telegram_conv: Conversation,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(incoming: Incoming) -> Reply:
        raise RuntimeError("chỉ mục hỏng")

    monkeypatch.setattr(telegram_conv, "handle", broken)
    await _process(app, fake_telegram.private_text(7, "Luật Căn cước có hiệu lực từ ngày nào?"))
    assert [m.text for m in fake_telegram.messages_to(7)] == [messages.INTERNAL_ERROR]
    assert "chỉ mục hỏng" in caplog.text
    assert "Luật Căn cước có hiệu lực" in caplog.text  # the update is in the log


async def test_sticker_in_a_private_chat_is_explained(
    app: Application, fake_telegram: FakeTelegram
) -> None:
    update = fake_telegram.private_text(7, "")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "S1",
        "file_unique_id": "US1",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    await _process(app, update)
    assert [m.text for m in fake_telegram.messages_to(7)] == [messages.UNSUPPORTED_MESSAGE]


async def test_group_chatter_is_not_answered(app: Application, fake_telegram: FakeTelegram) -> None:
    await _process(app, fake_telegram.group_text(-1001, 7, "Chiều nay họp lúc mấy giờ?"))
    assert fake_telegram.sent == []
    assert fake_telegram.chat_actions == []


async def test_document_shared_in_a_group_is_not_downloaded(
    app: Application, fake_telegram: FakeTelegram
) -> None:
    await _process(app, fake_telegram.document(-1001, ADMIN_ID, "bien-ban.txt", b"Bien ban hop"))
    assert fake_telegram.sent == []
    assert fake_telegram.downloads == []


async def test_command_for_another_bot_is_not_answered(
    app: Application, fake_telegram: FakeTelegram
) -> None:
    await _process(app, fake_telegram.group_text(-1001, 7, "/help@other_bot"))
    assert fake_telegram.sent == []


async def test_button_press_is_acknowledged_to_telegram(
    app: Application, fake_telegram: FakeTelegram
) -> None:
    await _process(app, fake_telegram.private_text(7, "/help"))
    (help_message,) = fake_telegram.messages_to(7)
    await _process(app, fake_telegram.callback_query(help_message, "/sources", 7))
    assert len(fake_telegram.callback_answers) == 1
    assert fake_telegram.messages_to(7)[-1].text.startswith("Kho tài liệu có")


async def test_long_reply_is_split_with_buttons_on_the_last_message(
    app: Application, fake_telegram: FakeTelegram
) -> None:
    passage = "Công dân được cấp căn cước điện tử theo Luật Căn cước. " * 50
    reply = Reply(
        ReplyKind.ANSWER,
        blocks=[(Run(f"[{i}] {passage}"),) for i in range(1, 4)],
        actions=[Action("➕ Xem thêm", "/them")],
    )
    assert await send_reply(app.bot, 7, reply) == 3
    sent = fake_telegram.messages_to(7)
    assert [bool(m.buttons) for m in sent] == [False, False, True]
    assert fake_telegram.errors == []


async def test_answer_survives_a_server_error(
    app: Application, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail_next("sendMessage", times=1, status=500)
    await _process(app, fake_telegram.private_text(7, "/help"))
    assert len(fake_telegram.messages_to(7)) == 1
    assert len(fake_telegram.calls_of("sendMessage")) == 2


async def test_bad_request_is_not_retried(app: Application, fake_telegram: FakeTelegram) -> None:
    bad = Reply(ReplyKind.INFO, blocks=[(Run("x"),)])
    fake_telegram.blocked_chats.add(99)
    with pytest.raises(Exception, match="blocked"):
        await send_reply(app.bot, 99, bad)
    assert len(fake_telegram.calls_of("sendMessage")) == 1


# --------------------------------------------------------------------------- reminders

DEADLINE_WEEK = datetime(2024, 3, 23, 8, 0)  # 7 days before 30/3/2024


async def test_due_reminder_is_sent_once(
    app: Application, fake_telegram: FakeTelegram, telegram_conv: Conversation
) -> None:
    chat = 9001
    telegram_conv.handle(Incoming("telegram", str(chat), str(chat), "/subscribe"))
    try:
        first = await deliver_reminders(app.bot, telegram_conv, DEADLINE_WEEK)
        again = await deliver_reminders(app.bot, telegram_conv, DEADLINE_WEEK)
    finally:
        telegram_conv.handle(Incoming("telegram", str(chat), str(chat), "/unsubscribe"))
    assert first >= 1 and again == 0
    assert any(
        "30/3/2024" in m.text or "30/03/2024" in m.text for m in fake_telegram.messages_to(chat)
    )


async def test_reminder_to_a_chat_that_blocked_the_bot_is_not_retried(
    app: Application, fake_telegram: FakeTelegram, telegram_conv: Conversation, caplog
) -> None:
    chat = 9002
    fake_telegram.blocked_chats.add(chat)
    telegram_conv.handle(Incoming("telegram", str(chat), str(chat), "/subscribe"))
    caplog.set_level(logging.WARNING)
    try:
        first = await deliver_reminders(app.bot, telegram_conv, DEADLINE_WEEK)
        attempts = len(fake_telegram.calls_of("sendMessage"))
        await deliver_reminders(app.bot, telegram_conv, DEADLINE_WEEK)
    finally:
        telegram_conv.handle(Incoming("telegram", str(chat), str(chat), "/unsubscribe"))
    assert first == 0 and attempts >= 1
    assert len(fake_telegram.calls_of("sendMessage")) == attempts
    assert "undeliverable" in caplog.text


def test_group_text_starting_with_a_slash_but_no_command_is_not_addressed() -> None:
    update = fake.group_text(-1001, 7, "/thư mục chung đã có biên bản")
    update["message"].pop("entities", None)  # Telegram marks no bot_command here
    incoming = _incoming(update)
    assert incoming is not None and not incoming.addressed
