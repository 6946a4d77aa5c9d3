"""The fake Bot API server itself: Telegram's HTML rules, long polling, faults and files.

The Telegram end-to-end tests trust this server to reject what Telegram would reject, so its
checks are specified here first.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from fake_telegram import FakeTelegram, HtmlError, check_text, parse_html

pytest_plugins = ["conftest_telegram"]


@pytest.mark.parametrize(
    "html, visible",
    [
        ("Bộ TT&amp;TT", "Bộ TT&TT"),
        ("<b>căn cước</b> &lt;điện tử&gt;", "căn cước <điện tử>"),
        ('<a href="https://dichvucong.gov.vn">DVC</a>', "DVC"),
        ('<span class="tg-spoiler">x</span>', "x"),
        ("<pre><code>/xem 1</code></pre>", "/xem 1"),
        ("<b>đậm <i>nghiêng</i></b>", "đậm nghiêng"),
        ("&#272;&#x1EC1; án", "Đề án"),
    ],
)
def test_valid_telegram_html_is_accepted_and_decoded(html: str, visible: str) -> None:
    assert parse_html(html) == visible


@pytest.mark.parametrize(
    "html",
    [
        "Bộ TT&TT",  # bare ampersand
        "a < b",
        "a > b",
        "<p>đoạn</p>",  # unsupported tag
        "<b>chưa đóng",
        "<b><i>sai thứ tự</b></i>",
        "</b>",
        "<span>không phải spoiler</span>",
        "<code><b>lồng trong code</b></code>",
        "&nbsp;",  # named entity Telegram does not support
    ],
)
def test_invalid_telegram_html_is_rejected(html: str) -> None:
    with pytest.raises(HtmlError):
        parse_html(html)


def test_length_is_counted_in_utf16_after_entity_parsing() -> None:
    check_text("&amp;" * 4096, "HTML")  # 4096 visible characters: fine
    with pytest.raises(HtmlError):
        check_text("😀" * 2049, "HTML")  # 4098 UTF-16 code units


def test_blank_message_is_rejected() -> None:
    with pytest.raises(HtmlError):
        check_text("<b> </b>", "HTML")


async def _call(fake: FakeTelegram, method: str, **params: object) -> httpx.Response:
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with httpx.AsyncClient() as client:
        return await client.post(f"{fake.base_url}{fake.token}/{method}", data=data)


async def test_invalid_html_is_answered_400_and_recorded(fake_telegram: FakeTelegram) -> None:
    response = await _call(fake_telegram, "sendMessage", chat_id=5, text="TT&TT", parse_mode="HTML")
    assert response.status_code == 400
    assert fake_telegram.errors and fake_telegram.errors[0].method == "sendmessage"
    assert fake_telegram.sent == []


async def test_callback_data_over_64_bytes_is_rejected(fake_telegram: FakeTelegram) -> None:
    markup = {"inline_keyboard": [[{"text": "Xem", "callback_data": "đ" * 33}]]}
    response = await _call(fake_telegram, "sendMessage", chat_id=5, text="a", reply_markup=markup)
    assert response.status_code == 400


async def test_wrong_token_is_unauthorized(fake_telegram: FakeTelegram) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{fake_telegram.base_url}1:wrong/getMe")
    assert response.status_code == 401


async def test_long_poll_returns_an_update_queued_while_waiting(
    fake_telegram: FakeTelegram,
) -> None:
    poll = asyncio.create_task(_call(fake_telegram, "getUpdates", timeout=10))
    await asyncio.sleep(0.05)
    fake_telegram.queue(fake_telegram.private_text(7, "xin chào"))
    updates = (await poll).json()["result"]
    assert [u["message"]["text"] for u in updates] == ["xin chào"]


async def test_offset_confirms_earlier_updates(fake_telegram: FakeTelegram) -> None:
    first, second = fake_telegram.queue(
        fake_telegram.private_text(7, "một"), fake_telegram.private_text(7, "hai")
    )
    updates = (await _call(fake_telegram, "getUpdates", offset=second)).json()["result"]
    assert [u["update_id"] for u in updates] == [second]
    assert fake_telegram.pending_updates == 1


async def test_injected_429_carries_retry_after_then_recovers(fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next("sendMessage", times=1, status=429, retry_after=3)
    refused = await _call(fake_telegram, "sendMessage", chat_id=5, text="a")
    accepted = await _call(fake_telegram, "sendMessage", chat_id=5, text="a")
    assert refused.status_code == 429
    assert refused.json()["parameters"] == {"retry_after": 3}
    assert accepted.status_code == 200


async def test_document_is_served_through_getfile_and_download(
    fake_telegram: FakeTelegram,
) -> None:
    update = fake_telegram.document(7, 7, "quy-che.txt", "Quy chế".encode())
    file_id = update["message"]["document"]["file_id"]
    info = (await _call(fake_telegram, "getFile", file_id=file_id)).json()["result"]
    async with httpx.AsyncClient() as client:
        body = await client.get(
            f"{fake_telegram.base_file_url}{fake_telegram.token}/{info['file_path']}"
        )
    assert body.content == "Quy chế".encode()
    assert fake_telegram.downloads == [info["file_path"]]


def test_mention_entities_use_utf16_offsets() -> None:
    fake = FakeTelegram()
    update = fake.group_text(-100, 7, "😀 hỏi @de06_test_bot nhé")
    (entity,) = update["message"]["entities"]
    assert entity["offset"] == 7 and entity["length"] == 14
