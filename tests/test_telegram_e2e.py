"""The Telegram bot end to end: the real python-telegram-bot `Application` long-polls the fake
Bot API server over real HTTP on 127.0.0.1 and answers from a real `Conversation`.

Every message the bot sends is parsed by the fake with Telegram's HTML rules; a test fails
if any was rejected (`fake.errors`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from conftest_telegram import ADMIN
from fake_telegram import TOKEN, FakeTelegram, Sent

from bot import messages
from bot.core import Conversation
from bot.telegram import build_application, running

pytest_plugins = ["conftest_telegram"]

USER = 7
GROUP = -1001234567


@pytest_asyncio.fixture
async def fake(
    fake_telegram: FakeTelegram, telegram_conv: Conversation
) -> AsyncIterator[FakeTelegram]:
    """The fake server with the bot polling it for the duration of the test."""
    app = build_application(
        telegram_conv,
        fake_telegram.token,
        base_url=fake_telegram.base_url,
        base_file_url=fake_telegram.base_file_url,
    )
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
    (report,) = await exchange(fake, fake.private_text(ADMIN, "/reload"), ADMIN)
    assert report.text.startswith("Đã nạp lại")
    assert "văn bản" in report.text


async def test_admin_upload_is_saved_and_answerable(fake: FakeTelegram) -> None:
    content = (
        "Hướng dẫn kích hoạt tài khoản định danh điện tử mức 2 tại xã Tân Phú\n\n"
        "Công an xã Tân Phú tiếp nhận hồ sơ kích hoạt tài khoản VNeID mức 2 vào sáng thứ Bảy "
        "hằng tuần tại nhà văn hoá ấp Bàu Sen."
    ).encode()
    upload = fake.document(ADMIN, ADMIN, "huong-dan-tan-phu.txt", content)
    (saved,) = await exchange(fake, upload, ADMIN)
    assert saved.text.startswith("Đã lưu")
    assert len(fake.downloads) == 1
    question = fake.private_text(ADMIN, "kích hoạt VNeID ở xã Tân Phú vào ngày nào?")
    (answer,) = await exchange(fake, question, ADMIN)
    assert "nhà văn hoá ấp Bàu Sen" in answer.text


async def test_upload_by_a_non_admin_is_refused_without_downloading(fake: FakeTelegram) -> None:
    upload = fake.document(USER, USER, "tai-lieu.txt", "Nội dung".encode())
    (refusal,) = await exchange(fake, upload, USER)
    assert refusal.text == messages.UPLOAD_NEEDS_ADMIN
    assert fake.downloads == []


async def test_oversized_upload_is_refused_before_download(fake: FakeTelegram) -> None:
    upload = fake.document(ADMIN, ADMIN, "bao-cao.pdf", b"%PDF-1.4", size=50 * 1024 * 1024)
    (refusal,) = await exchange(fake, upload, ADMIN)
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


async def test_one_users_questions_are_answered_in_order(fake: FakeTelegram) -> None:
    questions = [
        fake.group_text(GROUP, USER, text, mention=True)
        for text in ("Luật Căn cước có hiệu lực từ ngày nào?", "/sources", "/deadline", "/help")
    ]
    before = len(fake.messages_to(GROUP))
    fake.queue(*questions)
    await fake.wait_for(lambda: len(fake.messages_to(GROUP)) >= before + 4)
    replied = [m.reply_to for m in fake.messages_to(GROUP)[before:]]
    assert replied == [q["message"]["message_id"] for q in questions]


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
