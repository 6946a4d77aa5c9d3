"""The Zalo Bot API client against the fake server over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import socket

import httpx
import pytest
from aiohttp import web

from bot.platforms.zalo_api import (
    MAX_TEXT,
    MISSING,
    RetryPolicy,
    WebhookInfo,
    ZaloApiError,
    ZaloBotAPI,
    sent_message_id,
    shape,
    updates_in,
)
from bot.platforms.zalo_updates import BotIdentity
from index.errors import PlatformError

from fake_zalo import FakeZalo, text_update

FAST = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.01)


@pytest.fixture
async def fake():
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def api(fake):
    client = ZaloBotAPI(fake.token, fake.base_url, timeout=5, retry=FAST)
    yield client
    await client.aclose()


async def test_get_me_returns_the_bot_identity(api, fake):
    me = await api.get_me()
    assert me == BotIdentity(fake.bot_id, "Bot Trợ lý 06")


async def test_get_updates_returns_the_single_queued_update(api, fake):
    update = text_update("Đề án 06 là gì?", message_id="m-1")
    fake.push(update)
    assert await api.get_updates(timeout=1) == [update]


async def test_get_updates_returns_nothing_on_an_empty_poll(api, fake):
    assert await api.get_updates(timeout=0) == []
    assert fake.empty_polls == 1


async def test_send_message_posts_chat_id_and_plain_text(api, fake):
    message_id = await api.send_message("chat-9", "Xin chào anh/chị")
    assert fake.sent == [{"chat_id": "chat-9", "text": "Xin chào anh/chị"}]
    assert message_id.startswith("sent-")


@pytest.mark.parametrize("text", ["", "x" * (MAX_TEXT + 1)])
async def test_send_message_refuses_text_outside_1_to_2000_characters(api, fake, text):
    with pytest.raises(ValueError):
        await api.send_message("chat-9", text)
    assert fake.count("sendMessage") == 0


async def test_send_message_accepts_exactly_2000_characters(api, fake):
    await api.send_message("chat-9", "đ" * MAX_TEXT)
    assert len(fake.sent[0]["text"]) == MAX_TEXT


async def test_a_429_is_retried_and_the_message_is_sent_once(api, fake):
    fake.fail_next(1, 429, "sendMessage")
    await api.send_message("chat-9", "Thử lại sau hạn mức")
    assert fake.count("sendMessage") == 2
    assert fake.texts() == ["Thử lại sau hạn mức"]


async def test_a_server_error_is_retried(api, fake):
    fake.fail_next(2, 500)
    me = await api.get_me()
    assert me.id == fake.bot_id
    assert fake.count("getMe") == 3


async def test_persistent_quota_errors_raise_platform_error_after_the_last_try(api, fake):
    fake.fail_next(10, 429)
    with pytest.raises(PlatformError, match="sendMessage") as caught:
        await api.send_message("chat-9", "không tới được")
    assert fake.count("sendMessage") == FAST.attempts
    assert "hạn mức" in str(caught.value)
    assert caught.value.error_code == 429


async def test_a_wrong_token_fails_at_once_with_advice_and_without_the_token(fake):
    async with ZaloBotAPI("999:wrong-token", fake.base_url, retry=FAST) as api:
        with pytest.raises(ZaloApiError) as caught:
            await api.get_me()
    assert caught.value.unauthorized
    assert fake.count("getMe") == 1
    assert "ZALO_BOT_TOKEN" in str(caught.value)
    assert "wrong-token" not in str(caught.value)


async def test_an_unreachable_server_raises_platform_error_after_retries():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the client connects
    async with ZaloBotAPI("123:tok", f"http://127.0.0.1:{port}", retry=FAST) as api:
        with pytest.raises(PlatformError, match="mất kết nối"):
            await api.get_me()


async def test_a_server_that_never_answers_times_out_into_platform_error():
    release = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response({"ok": True, "result": {}})

    app = web.Application()
    app.router.add_post("/{tail:.*}", hang)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        base = f"http://127.0.0.1:{port}"
        async with ZaloBotAPI("123:tok", base, timeout=0.05, retry=FAST) as api:
            with pytest.raises(PlatformError, match="hết thời gian chờ"):
                await api.get_me()
    finally:
        release.set()
        await runner.cleanup()


async def test_the_token_never_reaches_the_logs(fake, caplog):
    caplog.set_level(logging.DEBUG)
    async with ZaloBotAPI(fake.token, fake.base_url, retry=FAST) as api:
        fake.fail_next(1, 500)
        await api.get_me()
        await api.send_message("chat-1", "kiểm tra nhật ký")
    assert caplog.records  # the retry was logged
    assert fake.token not in caplog.text


async def test_webhook_can_be_set_read_back_and_deleted(api, fake):
    await api.set_webhook("https://bot.example.vn/zalo", "bí-mật-đủ-dài")
    assert (await api.get_webhook_info()).url == "https://bot.example.vn/zalo"
    await api.delete_webhook()
    assert (await api.get_webhook_info()).url == ""


async def test_set_webhook_refuses_a_secret_shorter_than_8_characters(api, fake):
    with pytest.raises(ValueError):
        await api.set_webhook("https://bot.example.vn/zalo", "ngắn")
    assert fake.count("setWebhook") == 0


async def test_send_chat_action_sends_typing(api, fake):
    await api.send_chat_action("chat-3")
    assert fake.actions == [{"chat_id": "chat-3", "action": "typing"}]


def test_backoff_grows_but_never_exceeds_the_cap():
    policy = RetryPolicy(attempts=10, base_delay=1.0, max_delay=5.0)
    assert all(0 < policy.delay(n) <= 5.0 for n in range(10))
    assert policy.delay(0) <= 1.0


def test_backoff_follows_retry_after_but_within_the_cap():
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    assert policy.delay(0, retry_after=3) == 3
    assert policy.delay(0, retry_after=600) == 5.0


async def test_fake_server_rejects_text_over_2000_with_an_error_envelope(fake):
    async with httpx.AsyncClient() as client:
        r = await client.post(
            f"{fake.base_url}/bot{fake.token}/sendMessage",
            json={"chat_id": "c", "text": "x" * (MAX_TEXT + 1)},
        )
    body = r.json()
    assert body["ok"] is False and body["error_code"] == 400
    assert fake.sent == []


# ----- reading results ------------------------------------------------------------------------


@pytest.mark.parametrize("result", [True, [], None, "url", {"url": 5}, {}, MISSING])
def test_a_webhook_info_of_another_shape_says_nothing(result):
    assert WebhookInfo.parse(result) is None


def test_a_webhook_info_reads_its_url():
    assert WebhookInfo.parse({"url": "", "updated_at": 1}) == WebhookInfo("")


@pytest.mark.parametrize("result", [True, None, "x", {"ok": True}, [1, 2], MISSING])
def test_updates_of_another_shape_are_unreadable(result):
    assert updates_in(result) is None


def test_one_update_or_a_list_of_them_is_read():
    update = text_update("Đề án 06 là gì?", message_id="m-1")
    assert updates_in(update) == [update]
    assert updates_in([update, update]) == [update, update]
    assert updates_in([]) == []


@pytest.mark.parametrize(("result", "expected"), [({"message_id": "s-1"}, "s-1"),
                         ({"message_id": 7}, "7"), ({"message_id": True}, None), (True, None)])
def test_a_sent_message_id_is_read_when_given(result, expected):  # fmt: skip
    assert sent_message_id(result) == expected


def test_a_shape_names_keys_and_types_but_never_values():
    described = shape({"message": {"text": "số CCCD 012345678901"}, "chat_id": "c-77"})
    assert described == "object {chat_id, message}"
    assert "012345678901" not in described and "c-77" not in described
    assert [shape(v) for v in (True, None, [1, 2], "bí mật", MISSING)] == [
        "true", "null", "list[2]", "str", "thiếu",
    ]  # fmt: skip
