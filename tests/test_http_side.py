"""/healthz and /metrics over real HTTP on 127.0.0.1, beside the real Zalo and Telegram bots.

A load balancer must see 200 while the bot serves and 503, naming the failing check, when
the store refuses writes or polling has failed for too long; Prometheus must be able to
parse /metrics and see its counters move. Neither page may show a token, a chat id or a
question.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.core import Conversation
from bot.health import Health
from bot.platforms.http import Listen, SideContext, SideServer, SideSettings
from bot.platforms.telegram import WebhookConfig, build_application, running
from bot.platforms.zalo_api import RetryPolicy
from index.errors import ConfigError

from fake_telegram import FakeTelegram
from fake_zalo import FakeZalo, running_bot, text_update
from readonly import read_only

pytest_plugins = ["conftest_telegram"]

QUESTION = "Luật Căn cước có hiệu lực từ ngày nào?"
OFF_TOPIC = "giá vàng hôm nay bao nhiêu"
CHAT, USER = "chat-rieng-8841", "nguoi-dung-5521"
ANY_PORT = Listen("127.0.0.1", 0)


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def get(port: int | None, path: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(f"http://127.0.0.1:{port}{path}", headers=headers)


async def eventually(check: Callable[[], Any], timeout: float = 15.0) -> None:
    """Poll an async check until it returns truthy; fail the test if it never does."""
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.05)


def samples(page: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(page)
        for s in family.samples
    }


def sample(page: str, name: str, **labels: str) -> float:
    return samples(page).get((name, tuple(sorted(labels.items()))), 0.0)


# ----- /healthz ---------------------------------------------------------------------------


async def test_healthz_is_200_with_the_index_figures_while_polling(conv: Conversation, fake):
    async with running_bot(conv, fake, side=SideSettings(ANY_PORT)) as bot:
        await fake.wait_for(lambda: fake.empty_polls >= 1)
        response = await get(bot.side.port, "/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok" and body["failing"] == []
    assert (body["platform"], body["mode"]) == ("zalo", "polling")
    snap = conv.snapshot
    assert body["index_generation"] == snap.index.generation
    assert body["documents"] == len(snap.index.docs) == 5
    assert body["passages"] == len(snap.index.passage_ids) > 0
    assert body["deadlines"] == len(snap.deadlines) > 0
    assert body["store_writable"] is True
    assert 0 <= body["seconds_since_contact"] < 60


async def test_healthz_answers_head_requests_for_load_balancers(conv: Conversation, fake):
    async with running_bot(conv, fake, side=SideSettings(ANY_PORT)) as bot:
        async with httpx.AsyncClient() as client:
            response = await client.head(f"http://127.0.0.1:{bot.side.port}/healthz")
    assert response.status_code == 200


async def test_healthz_is_503_naming_the_store_while_it_is_read_only(conv: Conversation, fake):
    async with running_bot(conv, fake, side=SideSettings(ANY_PORT)) as bot:
        with read_only(conv.store.path):
            refused = await get(bot.side.port, "/healthz")
        again = await get(bot.side.port, "/healthz")
    assert refused.status_code == 503
    assert refused.json()["failing"] == ["store_writable"]
    assert refused.json()["store_writable"] is False
    assert "readonly" in refused.json()["reasons"]["store_writable"]
    assert again.status_code == 200


async def test_healthz_is_503_naming_polling_once_it_has_failed_too_long(
    conv: Conversation, fake
) -> None:
    one_try = RetryPolicy(attempts=1, base_delay=0.1, max_delay=0.1)
    side = SideSettings(ANY_PORT, stale_after=0.3)
    async with running_bot(conv, fake, side=side, retry=one_try, poll_backoff=one_try) as bot:
        await fake.wait_for(lambda: fake.empty_polls >= 1)
        assert (await get(bot.side.port, "/healthz")).status_code == 200
        fake.fail_next(20, 502, "getUpdates")  # about two seconds of failed polls
        failing: list[dict] = []

        async def fails() -> bool:
            response = await get(bot.side.port, "/healthz")
            failing.append(response.json())
            return response.status_code == 503

        await eventually(fails)
        await eventually(lambda: _status_is(bot.side.port, 200))  # polling works again
    assert failing[-1]["failing"] == ["polling"]
    assert "zalo" in failing[-1]["reasons"]["polling"]


async def _status_is(port: int | None, status: int) -> bool:
    return (await get(port, "/healthz")).status_code == status


async def test_a_quiet_webhook_is_not_a_failure(conv: Conversation, fake):
    port = free_port()
    side = SideSettings(ANY_PORT, stale_after=0.01)
    options = dict(webhook_url=f"http://127.0.0.1:{port}/zalo", listen_host="127.0.0.1",
                   listen_port=port, webhook_secret="bí-mật-webhook-123")  # fmt: skip
    async with running_bot(conv, fake, side=side, **options) as bot:
        await asyncio.sleep(0.05)  # longer than stale_after: still healthy
        response = await get(bot.side.port, "/healthz")
    assert response.status_code == 200
    assert response.json()["mode"] == "webhook"
    assert response.json()["seconds_since_contact"] is None


# ----- /metrics ---------------------------------------------------------------------------


async def test_metrics_parse_and_their_counters_move_when_questions_are_asked(
    conv: Conversation, fake
) -> None:
    async with running_bot(conv, fake, side=SideSettings(ANY_PORT)) as bot:
        before = (await get(bot.side.port, "/metrics")).text
        fake.push(text_update(QUESTION, message_id="met-1", chat_id=CHAT, user_id=USER))
        fake.push(text_update(OFF_TOPIC, message_id="met-2", chat_id=CHAT, user_id=USER))
        await fake.wait_for(lambda: len(fake.texts(CHAT)) >= 2)
        await bot.idle()
        after = (await get(bot.side.port, "/metrics")).text

    def moved(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert moved("de06_questions_total", platform="zalo", outcome="answered") == 1
    assert moved("de06_questions_total", platform="zalo", outcome="refused") == 1
    assert moved("de06_answer_seconds_count", platform="zalo") == 2
    assert moved("de06_messages_sent_total", platform="zalo") == len(fake.texts(CHAT))
    assert sample(after, "de06_documents") == len(conv.snapshot.index.docs)
    assert sample(after, "de06_passages") == len(conv.snapshot.index.passage_ids)
    assert sample(after, "de06_deadlines") == len(conv.snapshot.deadlines)
    assert sample(after, "de06_platform_contact_age_seconds") >= 0


async def test_metrics_speak_openmetrics_when_the_scraper_asks(conv: Conversation, fake):
    async with running_bot(conv, fake, side=SideSettings(ANY_PORT)) as bot:
        response = await get(bot.side.port, "/metrics", Accept="application/openmetrics-text")
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


async def test_neither_page_shows_a_token_a_chat_id_or_a_question(conv: Conversation, fake):
    async with running_bot(conv, fake, side=SideSettings(ANY_PORT)) as bot:
        fake.push(text_update(QUESTION, message_id="priv-1", chat_id=CHAT, user_id=USER))
        await fake.wait_for(lambda: bool(fake.texts(CHAT)))
        await bot.idle()
        pages = [(await get(bot.side.port, path)).text for path in ("/healthz", "/metrics")]
    for page in pages:
        for secret in (fake.token, CHAT, USER, QUESTION, "Căn cước"):
            assert secret not in page


# ----- sharing the webhook server -----------------------------------------------------------


async def test_zalo_webhook_and_side_routes_share_one_server_on_the_same_address(
    conv: Conversation, fake
) -> None:
    port = free_port()
    options = dict(webhook_url=f"http://127.0.0.1:{port}/zalo/hook", listen_host="127.0.0.1",
                   listen_port=port, webhook_secret="bí-mật-webhook-123")  # fmt: skip
    side = SideSettings(Listen("127.0.0.1", port))
    async with running_bot(conv, fake, side=side, **options) as bot:
        assert await fake.deliver(text_update("/help", message_id="share-1", chat_id="c-s")) == 200
        await fake.wait_for(lambda: bool(fake.texts("c-s")))
        await bot.idle()
        health = await get(port, "/healthz")
    assert bot.side is not None and bot.side.joined
    assert health.status_code == 200
    assert health.json()["seconds_since_contact"] is not None  # the webhook call counted


async def test_telegram_polling_reports_its_polls_to_healthz(
    fake_telegram: FakeTelegram, telegram_conv: Conversation
) -> None:
    health = Health("telegram")
    app = build_application(
        telegram_conv, fake_telegram.token, base_url=fake_telegram.base_url, health=health
    )
    side = SideServer(ANY_PORT, SideContext(telegram_conv, health))
    async with running(app, poll_timeout=1, side=side):
        await fake_telegram.wait_for(lambda: len(fake_telegram.calls_of("getUpdates")) >= 2)
        body = (await get(side.port, "/healthz")).json()
    assert (body["platform"], body["mode"], body["status"]) == ("telegram", "polling", "ok")
    assert body["seconds_since_contact"] is not None


async def test_telegram_webhook_server_also_serves_healthz_on_its_address(
    fake_telegram: FakeTelegram, telegram_conv: Conversation
) -> None:
    port = free_port()
    health = Health("telegram")
    app = build_application(
        telegram_conv, fake_telegram.token, base_url=fake_telegram.base_url, health=health
    )
    webhook = WebhookConfig(f"http://127.0.0.1:{port}/tg", "bí-mật-telegram-42", "127.0.0.1", port)
    side = SideServer(Listen("127.0.0.1", port), SideContext(telegram_conv, health))
    async with running(app, webhook=webhook, side=side):
        response = await get(port, "/healthz")
    assert side.joined
    assert response.status_code == 200
    assert response.json()["mode"] == "webhook"


# ----- configuration ---------------------------------------------------------------------


def test_side_settings_read_the_listen_address_and_the_staleness_limit():
    settings = SideSettings.from_env(
        {"DE06_HTTP_LISTEN": "127.0.0.1:9100", "DE06_HEALTH_STALE_AFTER": "90"}
    )
    assert settings == SideSettings(Listen("127.0.0.1", 9100), 90.0)
    assert SideSettings.from_env({"DE06_HTTP_LISTEN": ":9100"}).listen == Listen("0.0.0.0", 9100)
    assert SideSettings.from_env({}).listen is None


@pytest.mark.parametrize(
    "env",
    [{"DE06_HTTP_LISTEN": "9100"}, {"DE06_HTTP_LISTEN": "may-chu:cong"},
     {"DE06_HEALTH_STALE_AFTER": "năm phút"}, {"DE06_HEALTH_STALE_AFTER": "0"}],
)  # fmt: skip
def test_a_bad_side_setting_names_its_variable(env: dict[str, str]):
    with pytest.raises(ConfigError, match=next(iter(env))):
        SideSettings.from_env(env)


async def test_a_port_already_taken_is_a_config_error_naming_the_variable(conv: Conversation):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        side = SideServer(Listen("127.0.0.1", taken.getsockname()[1]),
                          SideContext(conv, Health("zalo")))  # fmt: skip
        with pytest.raises(ConfigError, match="DE06_HTTP_LISTEN"):
            await side.start()
