"""The Telegram bot end to end: the real python-telegram-bot `Application` long-polls the fake
Bot API server over real HTTP on 127.0.0.1 and answers from a real `Conversation`.

Every message the bot sends is parsed by the fake with Telegram's HTML rules; a test fails
if any was rejected (`fake.errors`).
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import pytest_asyncio

from bot import messages
from bot.core import Conversation
from bot.models import Incoming, Reply
from bot.platforms.telegram import WebhookConfig, build_application, running

from fake_telegram import ADMIN_ID, TOKEN, FakeTelegram, Sent

pytest_plugins = ["conftest_telegram"]

USER = 7
GROUP = -1001234567


@pytest_asyncio.fixture
async def fake(
    fake_telegram: FakeTelegram, telegram_conv: Conversation
) -> AsyncIterator[FakeTelegram]:
    """The fake server with the bot polling it for the duration of the test."""
    app = fake_telegram.application(telegram_conv)
    async with running(app, poll_timeout=5):
        yield fake_telegram


async def exchange(fake: FakeTelegram, update: dict, chat_id: int, count: int = 1) -> list[Sent]:
    """Queue one update and return the `count` messages the bot sends to `chat_id` for it."""
    before = len(fake.messages_to(chat_id))
    fake.queue(update)
    await fake.wait_for(lambda: len(fake.messages_to(chat_id)) >= before + count)
    return fake.messages_to(chat_id)[before:]


async def test_private_question_gets_a_cited_answer_with_buttons(fake: FakeTelegram) -> None:
    (answer,) = await exchange(
        fake, fake.private_text(USER, "Luật Căn cước có hiệu lực từ ngày nào?"), USER
    )
    assert "1/7/2024" in answer.text
    assert "<b>" in answer.html  # matched terms are highlighted
    labels = answer.button_labels
    assert any("Toàn văn" in label for label in labels)
    assert "👍" in labels and "👎" in labels
    assert fake.errors == []


async def test_group_message_without_mention_gets_no_answer(fake: FakeTelegram) -> None:
    chatter = fake.group_text(GROUP, USER, "Luật Căn cước có hiệu lực từ ngày nào?")
    question = fake.group_text(GROUP, USER, "Luật Căn cước có hiệu lực từ ngày nào?", mention=True)
    fake.queue(chatter)
    (answer,) = await exchange(fake, question, GROUP)
    await fake.wait_idle()
    # one chat's updates are handled in order, so the chatter was handled before the question
    assert fake.messages_to(GROUP) == [answer]
    assert answer.reply_to == question["message"]["message_id"]


async def test_group_question_with_mention_is_answered_in_reply(fake: FakeTelegram) -> None:
    question = fake.group_text(GROUP, USER, "Luật Căn cước có hiệu lực từ ngày nào?", mention=True)
    (answer,) = await exchange(fake, question, GROUP)
    assert "1/7/2024" in answer.text
    assert answer.reply_to == question["message"]["message_id"]


async def test_reply_to_the_bot_in_a_group_is_answered(fake: FakeTelegram) -> None:
    first = fake.group_text(GROUP, USER, "/help")
    (help_message,) = await exchange(fake, first, GROUP)
    follow_up = fake.reply_to_bot(
        GROUP, USER, "Luật Căn cước có hiệu lực từ ngày nào?", help_message
    )
    (answer,) = await exchange(fake, follow_up, GROUP)
    assert "1/7/2024" in answer.text


async def test_ampersands_and_angle_brackets_are_escaped(fake: FakeTelegram) -> None:
    question = "Bộ TT&TT <b>tham mưu</b> ban hành quyết định gì?"
    (answer,) = await exchange(fake, fake.private_text(USER, question), USER)
    assert "TT&TT" in answer.text
    assert "TT&amp;TT" in answer.html
    assert fake.errors == []


async def test_deadline_command_lists_upcoming_deadlines(fake: FakeTelegram) -> None:
    (answer,) = await exchange(fake, fake.private_text(USER, "/deadline"), USER)
    assert re.search(r"\b0?30/0?3/2024\b", answer.text)
    assert fake.errors == []


async def test_chart_button_sends_the_timeline_as_a_photo(fake: FakeTelegram) -> None:
    (listing,) = await exchange(fake, fake.private_text(USER, "/deadline"), USER)
    before = len(fake.files_to(USER))
    press = fake.callback_query(listing, listing.button("Biểu đồ"), USER)
    (summary,) = await exchange(fake, press, USER)
    (photo,) = fake.files_to(USER)[before:]
    assert photo.method == "sendphoto" and photo.data.startswith(b"\x89PNG")
    assert photo.caption.startswith("Các hạn Đề án 06 từ")
    assert "Biểu đồ các hạn" in summary.text
    assert fake.errors == []


async def test_lich_sends_the_calendar_as_a_document(fake: FakeTelegram) -> None:
    before = len(fake.files_to(USER))
    await exchange(fake, fake.private_text(USER, "/lich"), USER)
    (document,) = fake.files_to(USER)[before:]
    assert (document.method, document.filename) == ("senddocument", "han-de-an-06.ics")
    assert document.data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert fake.errors == []


async def test_full_text_button_shows_the_passage_with_its_citation(fake: FakeTelegram) -> None:
    (answer,) = await exchange(
        fake, fake.private_text(USER, "Luật Căn cước có hiệu lực từ ngày nào?"), USER
    )
    press = fake.callback_query(answer, answer.button("Toàn văn 1"), USER)
    (passage,) = await exchange(fake, press, USER)
    assert "Luật Căn cước có hiệu lực từ ngày 1/7/2024" in passage.text
    assert "<i>" in passage.html  # the citation line
    assert fake.callback_answers[-1]["callback_query_id"] == int(press["callback_query"]["id"])


async def test_more_button_shows_the_next_hits(fake: FakeTelegram) -> None:
    question = "Bộ Tư pháp triển khai nhiệm vụ Đề án 06"
    (answer,) = await exchange(fake, fake.private_text(USER, question), USER)
    (more,) = await exchange(
        fake, fake.callback_query(answer, answer.button("Xem thêm"), USER), USER
    )
    assert any("Toàn văn 4" in label for label in more.button_labels)


async def test_feedback_buttons_are_thanked(fake: FakeTelegram) -> None:
    (answer,) = await exchange(
        fake, fake.private_text(USER, "Luật Căn cước có hiệu lực từ ngày nào?"), USER
    )
    (thanks,) = await exchange(fake, fake.callback_query(answer, answer.button("👎"), USER), USER)
    assert thanks.text == messages.FEEDBACK_THANKS


async def test_reload_is_refused_for_a_non_admin(fake: FakeTelegram) -> None:
    (refusal,) = await exchange(fake, fake.private_text(USER, "/reload"), USER)
    assert refusal.text == messages.NOT_ADMIN.format(cmd="reload")


async def test_reload_by_an_admin_reports_what_it_loaded(fake: FakeTelegram) -> None:
    (report,) = await exchange(fake, fake.private_text(ADMIN_ID, "/reload"), ADMIN_ID)
    assert report.text.startswith("Đã nạp lại")
    assert "văn bản" in report.text


async def test_admin_upload_is_saved_and_answerable(fake: FakeTelegram) -> None:
    content = (
        "Hướng dẫn kích hoạt tài khoản định danh điện tử mức 2 tại xã Tân Phú\n\n"
        "Công an xã Tân Phú tiếp nhận hồ sơ kích hoạt tài khoản VNeID mức 2 vào sáng thứ Bảy "
        "hằng tuần tại nhà văn hoá ấp Bàu Sen."
    ).encode()
    upload = fake.document(ADMIN_ID, ADMIN_ID, "huong-dan-tan-phu.txt", content)
    (saved,) = await exchange(fake, upload, ADMIN_ID)
    assert saved.text.startswith("Đã lưu")
    assert len(fake.downloads) == 1
    question = fake.private_text(ADMIN_ID, "kích hoạt VNeID ở xã Tân Phú vào ngày nào?")
    (answer,) = await exchange(fake, question, ADMIN_ID)
    assert "nhà văn hoá ấp Bàu Sen" in answer.text


async def test_upload_by_a_non_admin_is_refused_without_downloading(fake: FakeTelegram) -> None:
    upload = fake.document(USER, USER, "tai-lieu.txt", "Nội dung".encode())
    (refusal,) = await exchange(fake, upload, USER)
    assert refusal.text == messages.UPLOAD_NEEDS_ADMIN
    assert fake.downloads == []


async def test_oversized_upload_is_refused_before_download(fake: FakeTelegram) -> None:
    upload = fake.document(ADMIN_ID, ADMIN_ID, "bao-cao.pdf", b"%PDF-1.4", size=50 * 1024 * 1024)
    (refusal,) = await exchange(fake, upload, ADMIN_ID)
    assert "vượt giới hạn" in refusal.text
    assert fake.downloads == []


async def test_answer_is_delivered_despite_a_429(fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", times=1, status=429, retry_after=1)
    (answer,) = await exchange(
        fake, fake.private_text(USER, "Luật Căn cước có hiệu lực từ ngày nào?"), USER
    )
    assert "1/7/2024" in answer.text
    assert len(fake.calls_of("sendMessage")) == 2


async def test_answer_is_delivered_despite_a_500(fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", times=2, status=500)
    (answer,) = await exchange(
        fake, fake.private_text(USER, "Luật Căn cước có hiệu lực từ ngày nào?"), USER
    )
    assert "1/7/2024" in answer.text
    assert len(fake.calls_of("sendMessage")) == 3


async def test_one_chats_messages_are_answered_in_order(
    fake: FakeTelegram, telegram_conv: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_handle = telegram_conv.handle

    def slow_questions(incoming: Incoming) -> Reply:
        if not incoming.text.startswith("/"):
            time.sleep(0.3)  # a question slower than the commands queued behind it
        return real_handle(incoming)

    monkeypatch.setattr(telegram_conv, "handle", slow_questions)
    questions = [
        fake.group_text(GROUP, USER, text, mention=True)
        for text in ("Luật Căn cước có hiệu lực từ ngày nào?", "/sources", "/deadline", "/help")
    ]
    before = len(fake.messages_to(GROUP))
    fake.queue(*questions)
    await fake.wait_for(lambda: len(fake.messages_to(GROUP)) >= before + 4)
    replied = [m.reply_to for m in fake.messages_to(GROUP)[before:]]
    assert replied == [q["message"]["message_id"] for q in questions]


async def test_a_slow_chat_does_not_hold_up_another(
    fake: FakeTelegram, telegram_conv: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    released = threading.Event()
    real_handle = telegram_conv.handle

    def stuck_for_group(incoming: Incoming) -> Reply:
        if incoming.chat_id == str(GROUP):
            released.wait(timeout=15)
        return real_handle(incoming)

    monkeypatch.setattr(telegram_conv, "handle", stuck_for_group)
    fake.queue(fake.group_text(GROUP, USER, "/help"))
    (answer,) = await exchange(fake, fake.private_text(USER, "/sources"), USER)
    assert fake.messages_to(GROUP) == []  # the group's answer is still being worked on
    released.set()
    await fake.wait_for_messages(GROUP)


async def test_command_menu_is_registered(fake: FakeTelegram, telegram_conv: Conversation) -> None:
    await fake.wait_for(lambda: bool(fake.commands))
    assert [c["command"] for c in fake.commands] == [name for name, _ in telegram_conv.commands()]


async def test_bot_token_never_reaches_the_logs(
    fake_telegram: FakeTelegram, telegram_conv: Conversation, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = build_application(
        telegram_conv,
        TOKEN,
        base_url=fake_telegram.base_url,
        base_file_url=fake_telegram.base_file_url,
    )
    fake_telegram.fail_next("sendMessage", times=1, status=500)
    async with running(app, poll_timeout=5):
        await exchange(fake_telegram, fake_telegram.private_text(USER, "/help"), USER)
    assert "getUpdates" in caplog.text  # PTB logged its API calls at DEBUG…
    assert TOKEN not in caplog.text  # …without the token
    assert TOKEN.split(":")[1] not in caplog.text


SECRET = "s3cret-Token_for-tests"


@asynccontextmanager
async def webhook_bot(fake: FakeTelegram, conv: Conversation) -> AsyncIterator[str]:
    """The bot receiving updates by webhook on a free local port; yields the webhook URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/telegram/hook"
    app = build_application(conv, fake.token, base_url=fake.base_url)
    config = WebhookConfig(url=url, secret=SECRET, listen="127.0.0.1", port=port)
    async with running(app, webhook=config):
        yield url


async def test_webhook_is_registered_with_its_secret(
    fake_telegram: FakeTelegram, telegram_conv: Conversation
) -> None:
    async with webhook_bot(fake_telegram, telegram_conv) as url:
        assert fake_telegram.webhook["url"] == url
        assert fake_telegram.webhook["secret_token"] == SECRET


async def test_webhook_update_with_the_secret_is_answered(
    fake_telegram: FakeTelegram, telegram_conv: Conversation
) -> None:
    async with webhook_bot(fake_telegram, telegram_conv) as url, httpx.AsyncClient() as client:
        update = fake_telegram.private_text(USER, "/help")
        response = await client.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        await fake_telegram.wait_for_messages(USER)
    assert response.status_code == 200


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token"}])
async def test_webhook_refuses_requests_without_the_secret(
    fake_telegram: FakeTelegram, telegram_conv: Conversation, headers: dict[str, str]
) -> None:
    async with webhook_bot(fake_telegram, telegram_conv) as url, httpx.AsyncClient() as client:
        update = fake_telegram.private_text(USER, "/help")
        refused = await client.post(url, json=update, headers=headers)
        # a valid update afterwards is answered; the refused one never was
        valid = fake_telegram.private_text(USER, "/sources")
        await client.post(url, json=valid, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        await fake_telegram.wait_for_messages(USER)
    assert refused.status_code == 403
    assert [m.text.split(" ")[0] for m in fake_telegram.messages_to(USER)] == ["Kho"]
