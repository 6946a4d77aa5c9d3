"""The Zalo adapter end to end: real core, real HTTP to a fake Zalo Bot API on 127.0.0.1.

Every expectation about wording is taken from the core itself (`core_says`), so these
tests check what the adapter adds: transport, dedup, order, splitting, groups, retries.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot import messages
from bot.core import Conversation, Settings
from bot.models import Incoming
from bot.platforms.zalo import ZaloBot, ZaloConfig, serve
from bot.platforms.zalo_api import ZaloApiError
from bot.platforms.zalo_updates import IMAGE, STICKER, UNSUPPORTED
from bot.render.text import ZALO_LIMIT, render
from index.errors import ConfigError

from fake_zalo import FAST, FakeZalo, bot_config, message_update, running_bot, text_update

DATA = Path(__file__).parent / "data" / "zalo"
ADMIN = "zalo-admin-1"

QUESTION = "tài khoản định danh điện tử mức 2 dùng để làm gì"
OTHER_QUESTION = "nộp hồ sơ trực tuyến có phải xuất trình sổ hộ khẩu giấy không"
LONG_PASSAGE_QUESTION = "chia sẻ dữ liệu dân cư với dữ liệu chuyên ngành về bảo hiểm, thuế, đất đai"


@pytest.fixture(scope="module")
def conv(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("zalo-e2e")
    kb = root / "knowledge"
    shutil.copytree(DATA, kb)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DE06_ADMIN_IDS", ADMIN)
        env.setenv("DE06_QUESTIONS_PER_MINUTE", "10000")
        env.delenv("DE06_TODAY", raising=False)
        settings = Settings.from_env(kb_dir=kb, db_path=root / "de06.sqlite")
    conversation = Conversation.open(settings)
    yield conversation
    conversation.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


def webhook_options() -> dict:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return dict(
        webhook_url=f"http://127.0.0.1:{port}/zalo/webhook",
        webhook_secret="bí-mật-webhook-123",
        listen_host="127.0.0.1",
        listen_port=port,
    )


def core_says(conv, text: str, *, user: str = "reference-user", chat: str = "reference") -> list:
    """What the core answers on Zalo, rendered: the adapter must send exactly this."""
    return render(conv.handle(Incoming("zalo", chat, user, text)))


# ----- polling --------------------------------------------------------------------------


async def test_polling_answers_messages_arriving_between_empty_polls(conv, fake):
    async with running_bot(conv, fake) as bot:
        fake.push(text_update(QUESTION, message_id="p-1", chat_id="c-poll"))
        first = await fake.wait_sent(1)
        await bot.idle()
        empties = fake.empty_polls
        await fake.wait_for(lambda: fake.empty_polls >= empties + 2)
        fake.push(text_update(OTHER_QUESTION, message_id="p-2", chat_id="c-poll"))
        await fake.wait_sent(len(first) + 1)
        await bot.idle()
    expected = core_says(conv, QUESTION) + core_says(conv, OTHER_QUESTION)
    assert fake.texts("c-poll") == expected


async def test_a_redelivered_message_is_answered_once(conv, fake):
    update = text_update(QUESTION, message_id="dup-1", chat_id="c-dup")
    async with running_bot(conv, fake) as bot:
        fake.push(update)
        fake.push(update)
        fake.push(text_update("/help", message_id="dup-2", chat_id="c-dup"))
        await fake.wait_for(lambda: fake.count("getUpdates") >= 4)
        await bot.idle()
    assert fake.texts("c-dup") == core_says(conv, QUESTION) + core_says(conv, "/help")


async def test_a_quota_error_is_retried_and_the_answer_still_arrives(conv, fake):
    fake.fail_next(1, 429, "sendMessage")
    async with running_bot(conv, fake) as bot:
        fake.push(text_update("/help", message_id="q-1", chat_id="c-quota"))
        await fake.wait_sent(1)
        await bot.idle()
    expected = core_says(conv, "/help")
    assert fake.texts("c-quota") == expected
    assert fake.count("sendMessage") == len(expected) + 1


async def test_polling_keeps_going_after_server_errors(conv, fake):
    fake.fail_next(4, 500, "getUpdates")
    async with running_bot(conv, fake) as bot:
        fake.push(text_update("/help", message_id="e-1", chat_id="c-500"))
        await fake.wait_sent(1)
        await bot.idle()
    assert fake.texts("c-500") == core_says(conv, "/help")


async def test_polling_removes_a_stale_webhook_first(conv, fake):
    fake.webhook_url, fake.webhook_secret = "https://cu.example.vn/hook", "bí-mật-cũ-123"
    async with running_bot(conv, fake):
        await fake.wait_for(lambda: fake.count("getUpdates") >= 1)
    assert fake.count("deleteWebhook") == 1
    assert fake.webhook_url == ""


# ----- answers --------------------------------------------------------------------------


async def test_a_long_answer_is_split_into_messages_under_2000_characters(conv, fake):
    answer = core_says(conv, LONG_PASSAGE_QUESTION, chat="ref-long")
    full_passage = core_says(conv, "/xem 1", chat="ref-long")
    async with running_bot(conv, fake) as bot:
        fake.push(text_update(LONG_PASSAGE_QUESTION, message_id="l-1", chat_id="c-long"))
        fake.push(text_update("/xem 1", message_id="l-2", chat_id="c-long"))
        await fake.wait_sent(len(answer) + len(full_passage))
        await bot.idle()
    assert len(full_passage) >= 2
    assert fake.texts("c-long") == answer + full_passage
    assert all(1 <= len(text) <= ZALO_LIMIT for text in fake.texts())


async def test_a_non_admin_reload_is_refused(conv, fake):
    async with running_bot(conv, fake) as bot:
        fake.push(text_update("/reload", message_id="r-1", chat_id="c-r", user_id="user-9"))
        await fake.wait_sent(1)
        await bot.idle()
    refusal = core_says(conv, "/reload", user="user-9")
    assert fake.texts("c-r") == refusal
    assert "quản trị viên" in refusal[0]


async def test_an_admin_from_de06_admin_ids_may_reload(conv, fake):
    async with running_bot(conv, fake) as bot:
        fake.push(text_update("/reload", message_id="r-2", chat_id="c-ra", user_id=ADMIN))
        await fake.wait_sent(1)
        await bot.idle()
    assert "quản trị viên" not in fake.texts("c-ra")[0]
    assert "nạp lại" in fake.texts("c-ra")[0].lower()


@pytest.mark.parametrize("event", [STICKER, IMAGE, UNSUPPORTED])
async def test_a_non_text_message_gets_a_short_hint(conv, fake, event):
    async with running_bot(conv, fake) as bot:
        fake.push(message_update(event, message_id=f"s-{event}", chat_id="c-sticker"))
        await fake.wait_sent(1)
        await bot.idle()
    assert fake.texts("c-sticker") == [messages.UNSUPPORTED_MESSAGE]


class HeldCore:
    """The real core, except that one text waits for `release`: shows what queues behind it."""

    def __init__(self, conv: Conversation, held_text: str) -> None:
        self._conv = conv
        self._held_text = held_text
        self.release = threading.Event()

    def handle(self, incoming: Incoming):
        if incoming.text == self._held_text:
            self.release.wait(timeout=10)
        return self._conv.handle(incoming)

    def __getattr__(self, name: str):
        return getattr(self._conv, name)


async def test_a_senders_messages_are_answered_in_order(conv, fake):
    questions = [LONG_PASSAGE_QUESTION, "/help", OTHER_QUESTION, "/sources", QUESTION]
    expected = [text for q in questions for text in core_says(conv, q)]
    held = HeldCore(conv, LONG_PASSAGE_QUESTION)
    async with running_bot(held, fake, **webhook_options()) as bot:
        for n, question in enumerate(questions):
            update = text_update(question, message_id=f"o-{n}", chat_id="c-order")
            assert await fake.deliver(update) == 200
        held.release.set()
        await fake.wait_sent(len(expected))
        await bot.idle()
    assert fake.texts("c-order") == expected


async def test_a_slow_answer_in_one_chat_does_not_hold_up_another_chat(conv, fake):
    held = HeldCore(conv, LONG_PASSAGE_QUESTION)
    async with running_bot(held, fake, **webhook_options()) as bot:
        slow = text_update(LONG_PASSAGE_QUESTION, message_id="h-1", chat_id="c-slow")
        quick = text_update("/help", message_id="h-2", chat_id="c-quick")
        assert await fake.deliver(slow) == 200
        assert await fake.deliver(quick) == 200
        await fake.wait_for(lambda: len(fake.texts("c-quick")) == len(core_says(conv, "/help")))
        answered_while_held = fake.texts("c-slow")
        held.release.set()
        await bot.idle()
    assert answered_while_held == []
    assert fake.texts("c-slow") == core_says(conv, LONG_PASSAGE_QUESTION)


async def test_typing_is_shown_while_a_slow_answer_is_prepared(conv, fake):
    held = HeldCore(conv, QUESTION)
    async with running_bot(held, fake, typing_delay=0.05) as bot:
        fake.push(text_update(QUESTION, message_id="t-1", chat_id="c-typing"))
        await fake.wait_for(lambda: fake.actions != [])
        held.release.set()
        await fake.wait_sent(1)
        await bot.idle()
    assert fake.actions == [{"chat_id": "c-typing", "action": "typing"}]
    assert fake.texts("c-typing") == core_says(conv, QUESTION)


# ----- groups ---------------------------------------------------------------------------


async def test_group_chatter_gets_no_answer(conv, fake):
    async with running_bot(conv, fake) as bot:
        fake.push(text_update(QUESTION, message_id="g-1", chat_id="c-group", group=True))
        fake.push(text_update("/help", message_id="g-2", chat_id="c-group", group=True))
        await fake.wait_sent(1)
        await bot.idle()
    assert fake.texts("c-group") == core_says(conv, "/help")


async def test_a_group_message_mentioning_the_bot_is_answered_without_the_mention(conv, fake):
    async with running_bot(conv, fake) as bot:
        text = f"@{fake.bot_name} {QUESTION}"
        fake.push(text_update(text, message_id="g-3", chat_id="c-group-2", group=True))
        await fake.wait_sent(1)
        await bot.idle()
    assert fake.texts("c-group-2") == core_says(conv, QUESTION)


async def test_a_group_reply_to_the_bot_is_answered(conv, fake):
    update = text_update(QUESTION, message_id="g-4", chat_id="c-group-3", group=True)
    update["message"]["reply_to_message"] = {"message_id": "sent-1", "from": {"id": fake.bot_id}}
    async with running_bot(conv, fake) as bot:
        fake.push(update)
        await fake.wait_sent(1)
        await bot.idle()
    assert fake.texts("c-group-3") == core_says(conv, QUESTION)


# ----- webhook --------------------------------------------------------------------------


async def test_webhook_mode_registers_the_url_and_secret(conv, fake):
    options = webhook_options()
    async with running_bot(conv, fake, **options):
        assert fake.webhook_url == options["webhook_url"]
        assert fake.webhook_secret == options["webhook_secret"]
    assert fake.count("getUpdates") == 0


@pytest.mark.parametrize("wrapped", [True, False], ids=["wrapped", "bare"])
async def test_webhook_with_the_right_secret_is_answered(conv, fake, wrapped):
    async with running_bot(conv, fake, **webhook_options()) as bot:
        update = text_update(QUESTION, message_id=f"w-{wrapped}", chat_id="c-hook")
        assert await fake.deliver(update, wrapped=wrapped) == 200
        await fake.wait_sent(1)
        await bot.idle()
    assert fake.texts("c-hook") == core_says(conv, QUESTION)


@pytest.mark.parametrize("secret", ["bí-mật-sai-456", ""], ids=["wrong", "missing"])
async def test_webhook_without_the_right_secret_is_refused_with_403(conv, fake, secret):
    async with running_bot(conv, fake, **webhook_options()) as bot:
        update = text_update(QUESTION, message_id=f"x-{secret}", chat_id="c-forged")
        assert await fake.deliver(update, secret=secret) == 403
        ok = text_update("/help", message_id=f"x-ok-{secret}", chat_id="c-ok")
        assert await fake.deliver(ok) == 200
        await fake.wait_sent(1)
        await bot.idle()
    assert fake.texts("c-forged") == []


async def test_a_webhook_duplicate_is_answered_once(conv, fake):
    update = text_update("/help", message_id="wd-1", chat_id="c-hook-dup")
    async with running_bot(conv, fake, **webhook_options()) as bot:
        assert await fake.deliver(update) == 200
        assert await fake.deliver(update, wrapped=False) == 200
        await fake.wait_sent(1)
        await bot.idle()
    assert fake.texts("c-hook-dup") == core_says(conv, "/help")


# ----- reminders ------------------------------------------------------------------------

REMINDER_DAY = datetime(2026, 6, 23, 8, 0)  # 7 days before the 30/6/2026 deadline in the data


async def subscribe(bot: ZaloBot, fake: FakeZalo, chat_id: str) -> int:
    fake.push(text_update("/subscribe", message_id=f"sub-{chat_id}", chat_id=chat_id))
    await fake.wait_for(lambda: len(fake.texts(chat_id)) >= 1)
    await bot.idle()
    return len(fake.texts(chat_id))


async def test_a_subscribed_chat_gets_its_reminder_once(conv, fake):
    async with running_bot(conv, fake) as bot:
        before = await subscribe(bot, fake, "c-remind")
        due = [o for o in conv.due_reminders(REMINDER_DAY) if o.chat_id == "c-remind"]
        first = await bot.send_due_reminders(REMINDER_DAY)
        second = await bot.send_due_reminders(REMINDER_DAY)
    assert (first, second) == (1, 0)
    assert fake.texts("c-remind")[before:] == render(due[0].reply)


async def test_a_reminder_that_could_not_be_sent_is_tried_again(conv, fake):
    async with running_bot(conv, fake) as bot:
        before = await subscribe(bot, fake, "c-remind-retry")
        fake.fail_next(FAST.attempts, 500, "sendMessage")
        failed = await bot.send_due_reminders(REMINDER_DAY)
        retried = await bot.send_due_reminders(REMINDER_DAY)
    assert (failed, retried) == (0, 1)
    assert len(fake.texts("c-remind-retry")) > before


# ----- running as a service -------------------------------------------------------------


async def test_serve_answers_until_told_to_stop(conv, fake):
    stop = asyncio.Event()
    service = asyncio.create_task(serve(conv, bot_config(fake), stop))
    fake.push(text_update("/help", message_id="sv-1", chat_id="c-serve"))
    await fake.wait_sent(len(core_says(conv, "/help")))
    stop.set()
    await service
    assert fake.texts("c-serve") == core_says(conv, "/help")


async def test_serve_stops_with_an_actionable_error_on_a_wrong_token(conv, fake):
    config = bot_config(fake, token="000:token-sai")
    with pytest.raises(ZaloApiError, match="ZALO_BOT_TOKEN"):
        await serve(conv, config, asyncio.Event())


def test_config_reads_the_environment():
    config = ZaloConfig.from_env(
        {
            "ZALO_BOT_TOKEN": "123:abc",
            "DE06_ZALO_BASE_URL": "http://127.0.0.1:9",
            "DE06_ZALO_WEBHOOK_URL": "https://bot.example.vn/zalo/hook",
            "DE06_ZALO_WEBHOOK_SECRET": "bí-mật-đủ-dài",
            "DE06_ZALO_LISTEN": "127.0.0.1:8443",
        }
    )
    assert (config.token, config.base_url) == ("123:abc", "http://127.0.0.1:9")
    assert config.webhook_path == "/zalo/hook"
    assert (config.listen_host, config.listen_port) == ("127.0.0.1", 8443)
    assert config.webhook_secret == "bí-mật-đủ-dài"


def test_config_without_a_token_explains_what_to_set():
    with pytest.raises(ConfigError, match="ZALO_BOT_TOKEN"):
        ZaloConfig.from_env({})
