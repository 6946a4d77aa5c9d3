"""Load: 5,000 questions in bursts through real long polling, with a reload in the middle.

The real python-telegram-bot `Application` polls the fake Bot API over HTTP. Questions are
asked in commune groups (mentioning the bot), so every answer quotes the message it answers:
that is how the test proves each question was answered exactly once, across the swap of the
index, with no apology and no message Telegram would refuse.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from bot import messages
from bot.core import Conversation, Settings
from bot.models import Incoming
from bot.platforms.telegram import build_application, running
from bot.platforms.zalo import ZaloBot, ZaloConfig
from bot.platforms.zalo_api import RetryPolicy, ZaloBotAPI
from bot.render.text import render as render_text

from fake_telegram import FakeTelegram, Sent
from fake_zalo import FakeZalo, text_update

pytest_plugins = ["conftest_telegram"]

QUESTIONS = [
    "Luật Căn cước có hiệu lực từ ngày nào?",
    "Bộ TT&TT làm gì trong Đề án 06?",
    "bo cong an phoi hop voi buu dien viet nam lam gi",
    "Còn bao nhiêu TTHC chưa được thực thi?",
    "sổ hộ khẩu giấy còn dùng được không",
    "tài khoản định danh điện tử mức 2 dùng để làm gì",
    "Hạn trình nghị định danh mục CSDL quốc gia là khi nào?",
    "Đồng Nai triển khai Đề án 06 thế nào?",
    "giá vàng hôm nay bao nhiêu",  # not in the documents
    "<b>GD&ĐT</b> & y tế?",
    "😀😀😀",
    "/deadline",
    "/sources",
    "/xem 1",
]
NEW_DOCUMENT = (
    "Kế hoạch của xã Tân Phú về làm sạch dữ liệu dân cư\n\n"
    "Ngày 05/3/2024, Ủy ban nhân dân xã Tân Phú giao Công an xã hoàn thành làm sạch dữ liệu "
    "dân cư của ấp Bàu Sen trước ngày 30/4/2024 và báo cáo kết quả cho Tổ công tác Đề án 06."
)
GROUPS = 40
ADMIN_ID = 42


@pytest.fixture
def load_settings(settings: Settings) -> Settings:
    return replace(settings, admin_ids=frozenset({str(ADMIN_ID)}), questions_per_minute=100_000)


@pytest.mark.slow
async def test_5000_questions_in_bursts_with_a_reload_are_each_answered_exactly_once(
    fake_telegram: FakeTelegram, load_settings: Settings, kb: Path
) -> None:
    fake = fake_telegram
    conv = Conversation.open(load_settings)
    app = build_application(
        conv, fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url,
        rate_limiter=False,  # Telegram's real flood limits are not what is measured here
    )  # fmt: skip
    questions: dict[int, tuple[int, str]] = {}  # message_id -> (group, text)
    texts = itertools.cycle(QUESTIONS)
    users = itertools.cycle(range(1000, 1100))
    reload_report = []
    try:
        async with running(app, poll_timeout=1):
            for burst in range(10):
                for i in range(500):
                    group = -(1000 + (burst * 500 + i) % GROUPS)
                    text = next(texts)
                    update = fake.group_text(group, next(users), text, mention=True)
                    questions[update["message"]["message_id"]] = (group, text)
                    fake.queue(update)
                if burst == 4:  # mid-load: an admin adds a document and reloads
                    (kb / "documents" / "tan-phu.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
                    fake.queue(fake.private_text(ADMIN_ID, "/reload"))
                await asyncio.sleep(0.2)
            await fake.wait_for(lambda: len(answered(fake)) >= len(questions), timeout=400)
            reload_report = fake.messages_to(ADMIN_ID)
            after = fake.group_text(-999, 7, "xã Tân Phú làm sạch dữ liệu ấp Bàu Sen khi nào?",
                                    mention=True)  # fmt: skip
            fake.queue(after)
            (late,) = await fake.wait_for_messages(-999)
            await fake.wait_idle()
    finally:
        conv.close()
    counts = Counter(answered(fake))
    assert len(questions) == 5_000
    assert set(counts) == set(questions)
    assert max(counts.values()) == 1  # exactly once
    assert fake.errors == []  # every message was valid Telegram HTML within limits
    sent_texts = [s.text for s in fake.sent]
    assert messages.INTERNAL_ERROR not in sent_texts
    assert not any(t.startswith("Nạp lại thất bại") for t in sent_texts)
    assert len(reload_report) == 1 and reload_report[0].text.startswith("Đã nạp lại")
    assert "thêm 1" in reload_report[0].text
    swap = fake.sent.index(reload_report[0])  # the swap happened with answers on both sides
    assert answered_in(fake.sent[:swap]) and answered_in(fake.sent[swap:])
    assert "ấp Bàu Sen" in late.text


def answered(fake: FakeTelegram) -> list[int]:
    """The question each answer quotes (only an answer's first message quotes it)."""
    return answered_in(fake.sent)


def answered_in(sent: list[Sent]) -> list[int]:
    return [s.reply_to for s in sent if s.reply_to is not None and s.chat_id != -999]


ZALO_QUESTIONS = [
    "Luật Căn cước có hiệu lực từ ngày nào?",
    "Bộ TT&TT làm gì trong Đề án 06?",
    "giá vàng hôm nay bao nhiêu",
    "😀😀😀",
    "/help",
]


@pytest.mark.slow
async def test_zalo_polling_answers_2000_questions_once_each_across_a_reload(
    load_settings: Settings, kb: Path
) -> None:
    """Zalo hands out one update per getUpdates call and has no offset: the adapter's own
    queueing and de-duplication are what keep answers exactly-once and in order."""
    from dataclasses import replace

    conv = Conversation.open(replace(load_settings, admin_ids=frozenset({"zalo-admin"})))
    one_message = {
        q: len(render_text(conv.handle(Incoming("zalo", "ref", "ref", q)))) == 1
        for q in ZALO_QUESTIONS
    }
    assert all(one_message.values())  # so messages per chat count questions per chat
    fake = FakeZalo()
    await fake.start()
    retry = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)
    config = ZaloConfig(
        token=fake.token, base_url=fake.base_url, poll_timeout=0.5, reminder_interval=3600,
        typing_delay=30, retry=retry, poll_backoff=retry,
    )  # fmt: skip
    asked: Counter[str] = Counter()
    try:
        async with ZaloBotAPI(config.token, config.base_url, retry=retry) as api:
            bot = ZaloBot(conv, api, config)
            await bot.start()
            try:
                texts = itertools.cycle(ZALO_QUESTIONS)
                for n in range(2_000):
                    chat = f"xa-{n % GROUPS}"
                    update = text_update(next(texts), message_id=f"m-{n}", chat_id=chat,
                                         user_id=f"u-{n % 97}")  # fmt: skip
                    fake.push(update)
                    asked[chat] += 1
                    if n % 400 == 399:
                        fake.push(update)  # a redelivery, as Zalo may do
                    if n == 1_000:
                        (kb / "documents" / "tan-phu.txt").write_text(
                            NEW_DOCUMENT, encoding="utf-8"
                        )
                        fake.push(text_update("/reload", message_id="reload", chat_id="admin",
                                              user_id="zalo-admin"))  # fmt: skip
                await fake.wait_for(
                    lambda: sum(1 for m in fake.sent if m["chat_id"] != "admin") >= 2_000,
                    timeout=300,
                )
                await bot.idle()
            finally:
                await bot.stop()
    finally:
        await fake.stop()
        conv.close()
    per_chat = Counter(m["chat_id"] for m in fake.sent)
    reload_reply = fake.texts("admin")
    del per_chat["admin"]
    assert per_chat == asked
    assert len(reload_reply) == 1 and reload_reply[0].startswith("Đã nạp lại")
    assert not any(messages.INTERNAL_ERROR in m["text"] for m in fake.sent)
