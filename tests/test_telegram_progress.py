"""Progress on Telegram end to end: the real Application polls the fake Bot API on 127.0.0.1
and answers from a real Conversation over a plan with a task table."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import replace

import docx
import pytest_asyncio

from bot.core import Conversation
from bot.platforms.telegram import running

from fake_telegram import ADMIN_ID, FakeTelegram, Sent
from progress_plan import HO_TICH, id_of

pytest_plugins = ["conftest_telegram", "conftest_progress"]

STRANGER = 7


@pytest_asyncio.fixture
async def conv(plan_settings) -> AsyncIterator[Conversation]:
    conversation = Conversation.open(replace(plan_settings, admin_ids=frozenset({str(ADMIN_ID)})))
    yield conversation
    conversation.close()


@pytest_asyncio.fixture
async def fake(fake_telegram: FakeTelegram, conv: Conversation) -> AsyncIterator[FakeTelegram]:
    async with running(fake_telegram.application(conv), poll_timeout=5):
        yield fake_telegram


async def exchange(fake: FakeTelegram, update: dict, chat_id: int, count: int = 1) -> list[Sent]:
    before = len(fake.messages_to(chat_id))
    fake.queue(update)
    await fake.wait_for(lambda: len(fake.messages_to(chat_id)) >= before + count)
    return fake.messages_to(chat_id)[before:]


async def test_done_by_an_admin_is_recorded_and_shown(fake: FakeTelegram, conv: Conversation):
    ident = id_of(conv, HO_TICH)
    done = fake.private_text(ADMIN_ID, f"/xong {ident} đủ 12 xã")
    (answer,) = await exchange(fake, done, ADMIN_ID)
    assert f"hạn {ident} ✅ đã xong ngày 1/6/2025" in answer.text
    assert f"<code>{ident}</code>" in answer.html
    (listing,) = await exchange(fake, fake.private_text(ADMIN_ID, "/deadline all"), ADMIN_ID)
    assert "— ✅ đã xong ngày 1/6/2025" in listing.text
    assert fake.errors == []


async def test_the_done_button_under_a_deadline_marks_it_done(
    fake: FakeTelegram, conv: Conversation
):
    ident = id_of(conv, HO_TICH)
    (listing,) = await exchange(fake, fake.private_text(ADMIN_ID, "/deadline all"), ADMIN_ID)
    press = fake.callback_query(listing, listing.button(f"Đã xong {ident}"), ADMIN_ID)
    (answer,) = await exchange(fake, press, ADMIN_ID)
    assert f"hạn {ident} ✅ đã xong" in answer.text
    assert fake.callback_answers[-1]["callback_query_id"] == int(press["callback_query"]["id"])


async def test_a_stranger_sees_no_done_button_and_is_refused_politely(
    fake: FakeTelegram, conv: Conversation
):
    ident = id_of(conv, HO_TICH)
    (listing,) = await exchange(fake, fake.private_text(STRANGER, "/deadline all"), STRANGER)
    assert not [label for label in listing.button_labels if "Đã xong" in label]
    (refusal,) = await exchange(fake, fake.private_text(STRANGER, f"/xong {ident}"), STRANGER)
    assert "chỉ quản trị viên hoặc đầu mối của Sở Tư pháp" in refusal.text
    assert f"/daumoi telegram:{STRANGER} Sở Tư pháp" in refusal.text
    (listing,) = await exchange(fake, fake.private_text(STRANGER, "/deadline all"), STRANGER)
    assert "✅" not in listing.text


async def test_a_stale_button_pressed_by_a_stranger_is_refused(
    fake: FakeTelegram, conv: Conversation
):
    ident = id_of(conv, HO_TICH)
    (listing,) = await exchange(fake, fake.private_text(ADMIN_ID, "/deadline all"), ADMIN_ID)
    press = fake.callback_query(listing, listing.button(f"Đã xong {ident}"), STRANGER)
    (refusal,) = await exchange(fake, press, ADMIN_ID)  # the press was on the admin's chat
    assert refusal.text.startswith("Xin lỗi, chỉ quản trị viên hoặc đầu mối")


async def test_baocao_arrives_as_a_word_document(fake: FakeTelegram):
    (summary,) = await exchange(fake, fake.private_text(STRANGER, "/baocao"), STRANGER)
    (document,) = fake.files_to(STRANGER)
    assert "Tổng số 5 nhiệm vụ" in summary.text
    assert document.method == "senddocument"
    assert document.filename == "bao-cao-tien-do-2025-06-01.docx"
    opened = docx.Document(io.BytesIO(document.data))
    assert len(opened.tables) == 5
    assert fake.errors == []
