"""The calendar feed over real HTTP on 127.0.0.1: GET /calendar/<DE06_CALENDAR_TOKEN>.ics.

Calendar apps subscribe to an address and cannot send a header, so the token in the path
is the lock: the right one gets the deadlines as text/calendar, anything else a 404 that
looks like any missing page, and no log line ever shows a token.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import pytest_asyncio
from icalendar import Calendar

from bot.core import Conversation
from bot.health import Health
from bot.platforms.http import Listen, SideContext, SideServer
from bot.platforms.telegram import WebhookConfig, build_application, running
from bot.settings import Settings
from index.errors import ConfigError

from fake_telegram import FakeTelegram
from sample_plans import open_plans

pytest_plugins = ["conftest_telegram"]

TOKEN = "lich-De-an-06_bi-mat-7Qx2"


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> Conversation:
    conv = open_plans(tmp_path_factory.mktemp("feed"), calendar_token=TOKEN)
    yield conv
    conv.close()


@pytest_asyncio.fixture
async def feed(plans: Conversation) -> AsyncIterator[str]:
    """The side server alone on a free port; yields its base URL."""
    server = SideServer(Listen("127.0.0.1", 0), SideContext(plans, Health("telegram")))
    await server.start()
    yield f"http://127.0.0.1:{server.port}"
    await server.stop()


async def get(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(url)


def summaries(body: bytes) -> list[str]:
    return [str(e["summary"]) for e in Calendar.from_ical(body).walk("VEVENT")]


async def test_the_right_token_gets_the_deadlines_as_text_calendar(feed: str, plans) -> None:
    response = await get(f"{feed}/calendar/{TOKEN}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    found = summaries(response.content)
    upcoming = [r for r in plans.snapshot.deadlines if r.kind != "ongoing"]
    assert 0 < len(found) <= len(upcoming)
    assert all(s.startswith(("Hạn: ", "Có hiệu lực: ")) for s in found)


async def test_q_filters_the_feed_like_deadline(feed: str) -> None:
    everything = summaries((await get(f"{feed}/calendar/{TOKEN}.ics")).content)
    response = await get(f"{feed}/calendar/{TOKEN}.ics?q={quote('Phòng Tư pháp')}")
    filtered = Calendar.from_ical(response.content).walk("VEVENT")
    assert 0 < len(filtered) < len(everything)
    assert all("Phòng Tư pháp" in str(e["description"]) for e in filtered)


async def test_calendar_apps_may_ask_with_head_first(feed: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.head(f"{feed}/calendar/{TOKEN}.ics")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/sai-ma-bi-mat-0000000000.ics",
        f"/calendar/{TOKEN[:-1]}.ics",
        f"/calendar/{TOKEN}x.ics",
        f"/calendar/{TOKEN.upper()}.ics",
        f"/calendar/{TOKEN}",
        f"/calendar/{TOKEN}.ics.bak",
        "/calendar/.ics",
        "/calendar/",
    ],
)
async def test_a_wrong_or_missing_token_is_a_404(feed: str, path: str) -> None:
    response = await get(feed + path)
    assert response.status_code == 404
    assert b"VCALENDAR" not in response.content


async def test_no_token_configured_means_no_feed_at_all(tmp_path: Path) -> None:
    conv = open_plans(tmp_path)  # DE06_CALENDAR_TOKEN not set
    server = SideServer(Listen("127.0.0.1", 0), SideContext(conv, Health("zalo")))
    await server.start()
    try:
        for token in ("", TOKEN):
            response = await get(f"http://127.0.0.1:{server.port}/calendar/{token}.ics")
            assert response.status_code == 404
    finally:
        await server.stop()
        conv.close()


async def test_no_log_line_shows_a_token(feed: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "doan-thu-ma-khac-99999999"
    assert (await get(f"{feed}/calendar/{TOKEN}.ics")).status_code == 200
    assert (await get(f"{feed}/calendar/{wrong}.ics")).status_code == 404
    assert "calendar feed: 404" in caplog.text  # the refusal is logged…
    assert TOKEN not in caplog.text and wrong not in caplog.text  # …without either token


async def test_the_feed_shares_the_telegram_webhook_server_on_its_address(
    fake_telegram: FakeTelegram, plans: Conversation
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    health = Health("telegram")
    app = build_application(plans, fake_telegram.token, base_url=fake_telegram.base_url)
    webhook = WebhookConfig(f"http://127.0.0.1:{port}/tg", "bi-mat-webhook-42", "127.0.0.1", port)
    side = SideServer(Listen("127.0.0.1", port), SideContext(plans, health))
    async with running(app, webhook=webhook, side=side):
        response = await get(f"http://127.0.0.1:{port}/calendar/{TOKEN}.ics")
    assert side.joined
    assert response.status_code == 200 and summaries(response.content)


# ----- configuration ---------------------------------------------------------------------


def test_the_token_and_the_public_url_come_from_the_environment() -> None:
    settings = Settings.from_env(
        env={"DE06_CALENDAR_TOKEN": TOKEN, "DE06_PUBLIC_URL": "https://bot.tinh.gov.vn/"}
    )
    assert settings.calendar_token == TOKEN
    assert settings.public_url == "https://bot.tinh.gov.vn"
    assert TOKEN not in repr(settings)  # a settings dump in a log keeps the secret


@pytest.mark.parametrize(
    "env",
    [
        {"DE06_CALENDAR_TOKEN": "ngan-qua"},
        {"DE06_CALENDAR_TOKEN": "có dấu và khoảng trắng 123456"},
        {"DE06_CALENDAR_TOKEN": "a/b/c/d/e/f/g/h/i/j"},
        {"DE06_PUBLIC_URL": "bot.tinh.gov.vn"},
    ],
)
def test_a_bad_calendar_setting_names_its_variable_and_not_the_token(env) -> None:
    name, value = next(iter(env.items()))
    with pytest.raises(ConfigError, match=name) as raised:
        Settings.from_env(env=env)
    if name == "DE06_CALENDAR_TOKEN":
        assert value not in str(raised.value)


def test_de06_doctor_fails_on_a_short_token_without_showing_it() -> None:
    from bot.doctor import settings_check

    check = settings_check({"DE06_CALENDAR_TOKEN": "lich-ngan"})
    assert not check.ok
    assert "DE06_CALENDAR_TOKEN" in check.line and "lich-ngan" not in check.line
