"""The progress report over HTTP (`GET /report/<DE06_CALENDAR_TOKEN>.docx`) on 127.0.0.1, and
the Zalo bot, which cannot send files, giving the summary and that link."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import docx
import httpx
import openpyxl
import pytest
import pytest_asyncio

from bot.core import Conversation
from bot.health import Health
from bot.platforms.http import Listen, SideContext, SideServer

from fake_zalo import FakeZalo, running_bot, text_update

pytest_plugins = ["conftest_progress"]

TOKEN = "bao-cao-t0ken-khong-doan-duoc-123"
PUBLIC = "https://de06.anlac.gov.vn"


@pytest_asyncio.fixture
async def conv(plan_settings) -> AsyncIterator[Conversation]:
    conversation = Conversation.open(
        replace(plan_settings, public_url=PUBLIC, calendar_token=TOKEN)
    )
    yield conversation
    conversation.close()


@pytest_asyncio.fixture
async def server(conv: Conversation) -> AsyncIterator[SideServer]:
    side = SideServer(Listen("127.0.0.1", 0), SideContext(conv, Health("zalo")))
    await side.start()
    yield side
    await side.stop()


async def get(server: SideServer, path: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(f"http://127.0.0.1:{server.port}{path}")


async def test_the_word_report_is_served_with_the_right_token(server: SideServer):
    response = await get(server, f"/report/{TOKEN}.docx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert 'filename="bao-cao-tien-do-2025-06-01.docx"' in response.headers["content-disposition"]
    assert len(docx.Document(io.BytesIO(response.content)).tables) == 5


async def test_the_spreadsheet_and_a_filter_are_served_too(server: SideServer):
    response = await get(server, f"/report/{TOKEN}.xlsx?loc=S%E1%BB%9F+T%C6%B0+ph%C3%A1p")
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active.max_row == 2


@pytest.mark.parametrize(
    "path",
    [
        "/report/wrong-token-of-the-same-length-xx.docx",
        f"/report/{TOKEN[:-1]}.docx",
        f"/report/{TOKEN}x.docx",
        f"/report/{TOKEN}.pdf",
        "/report/.docx",
        "/report/",
    ],
)
async def test_a_wrong_or_missing_token_is_a_404_logged_without_the_token(
    server: SideServer, path: str, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    response = await get(server, path)
    assert response.status_code == 404
    served = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    assert any("refused" in line for line in served) or path == "/report/"
    assert not [line for line in served if TOKEN[:12] in line or "wrong-token" in line]


async def test_without_a_token_configured_no_report_is_served(plan_settings):
    conv = Conversation.open(plan_settings)
    side = SideServer(Listen("127.0.0.1", 0), SideContext(conv, Health("zalo")))
    await side.start()
    try:
        assert (await get(side, "/report/.docx")).status_code == 404
        assert (await get(side, f"/report/{TOKEN}.docx")).status_code == 404
    finally:
        await side.stop()
        conv.close()


async def test_zalo_gets_the_summary_line_and_the_link(conv: Conversation):
    fake = FakeZalo()
    await fake.start()
    try:
        async with running_bot(conv, fake) as bot:
            fake.push(text_update("/baocao", message_id="b-1", chat_id="c-b", user_id="u-5"))
            await fake.wait_sent(1)
            await bot.idle()
    finally:
        await fake.stop()
    (text,) = fake.texts("c-b")
    assert "Tổng số 5 nhiệm vụ: 0 đã xong" in text
    assert f"{PUBLIC}/report/{TOKEN}.docx" in text
