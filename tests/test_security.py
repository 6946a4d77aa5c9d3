"""Security: no one but an admin changes what the assistant knows, and nothing leaks.

Non-admins are refused every admin command and upload on every platform (and the attempt is
logged); uploaded file names cannot escape the knowledge base; oversized files are refused
before download; webhooks check their secret in constant time; bot tokens stay out of logs
and error messages; the query log keeps chat ids only as salted hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import messages
from bot.core import Conversation, Settings
from bot.models import Incoming, ReplyKind
from bot.platforms.telegram import WebhookConfig, build_application, running
from bot.platforms.zalo_api import ZaloBotAPI
from bot.uploads import MAX_UPLOAD_BYTES, safe_name, save_upload
from index.errors import PlatformError, UploadRejected
from index.store import Store

from fake_telegram import FakeTelegram
from fake_zalo import FAST, FakeZalo, running_bot, text_update
from helpers import ADMIN, say

pytest_plugins = ["conftest_telegram"]

QUESTION = "Luật Căn cước có hiệu lực từ ngày nào?"
STRANGER = "31337"
ADMIN_COMMANDS = ["/reload", "/stats", "/RELOAD", "/reload@de06_test_bot", "/stats 2024", "/Stats"]
PLATFORMS = ["telegram", "zalo"]


def admin_log(conv: Conversation) -> list[tuple[str, str, str, int]]:
    conv.querylog.flush()
    return [
        tuple(row)
        for row in conv.store.db().execute(
            "SELECT platform, user_id, command, allowed FROM admin_log ORDER BY id"
        )
    ]


# ----- admin commands and uploads, in the core (every platform goes through it) ----------


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("command", ADMIN_COMMANDS)
def test_admin_command_is_refused_for_a_non_admin_and_logged(
    conv: Conversation, caplog: pytest.LogCaptureFixture, platform: str, command: str
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.core")
    generation = conv.store.meta("generation")
    reply = say(conv, command, user=STRANGER, chat=STRANGER, platform=platform)
    name = command[1:].split("@")[0].split()[0].lower()
    assert reply.kind is ReplyKind.REFUSED
    assert reply.plain == messages.NOT_ADMIN.format(cmd=name)
    assert admin_log(conv) == [(platform, STRANGER, name, 0)]
    assert any(STRANGER in r.getMessage() and "refused" in r.getMessage() for r in caplog.records)
    assert conv.store.meta("generation") == generation


@pytest.mark.parametrize("platform", PLATFORMS)
def test_admin_command_from_a_group_member_is_refused(conv: Conversation, platform: str) -> None:
    reply = say(conv, "/reload", user=STRANGER, chat="-100200", platform=platform, group=True)
    assert reply.kind is ReplyKind.REFUSED


@pytest.mark.parametrize("platform", PLATFORMS)
def test_upload_by_a_non_admin_is_refused_logged_and_never_saved(
    conv: Conversation, kb: Path, platform: str
) -> None:
    stranger = Incoming(platform, STRANGER, STRANGER, "")
    before = sorted(p.relative_to(kb) for p in kb.rglob("*"))
    assert conv.upload_check(stranger, "ke-hoach.txt", 10).kind is ReplyKind.REFUSED
    refused = conv.upload(stranger, "ke-hoach.txt", "Kế hoạch mới".encode())
    assert refused.kind is ReplyKind.REFUSED
    assert refused.plain == messages.UPLOAD_NEEDS_ADMIN
    assert sorted(p.relative_to(kb) for p in kb.rglob("*")) == before
    assert admin_log(conv) == [(platform, STRANGER, "upload", 0)] * 2


def test_an_admin_id_qualified_by_platform_is_admin_on_that_platform_only(
    settings: Settings,
) -> None:
    from dataclasses import replace

    conv = Conversation.open(replace(settings, admin_ids=frozenset({"telegram:555"})))
    try:
        assert say(conv, "/stats", user="555", platform="telegram").kind is ReplyKind.INFO
        assert say(conv, "/stats", user="555", platform="zalo").kind is ReplyKind.REFUSED
    finally:
        conv.close()


def test_the_admin_list_comes_only_from_settings(
    conv: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DE06_ADMIN_IDS", STRANGER)  # set after start: not re-read per message
    assert say(conv, "/reload", user=STRANGER).kind is ReplyKind.REFUSED
    assert say(conv, "/reload", user=ADMIN).kind is ReplyKind.INFO


# ----- uploads: names, places, sizes -----------------------------------------------------

HOSTILE_NAMES = [
    "../../../etc/cron.d/de06.txt",
    "/etc/passwd.md",
    "..\\..\\Windows\\System32\\drivers\\etc\\hosts.txt",
    "C:\\boot.txt",
    "CON.txt",
    "nul.md",
    "LPT1.txt",
    "....md",
    ".bashrc.md",
    "\u202etxt.exe.md",  # right-to-left override: shows as "md.exe.txt"
    "\u200b\u200d\ufeff.md",
    "ｋế　hoạch／..／..／x.txt",  # fullwidth solidus and ideographic space
    "ke\x00hoach.txt",
    "ke\nhoach\r.txt",
    "😀🇻🇳.txt",
    "a" * 1_000 + ".txt",
    "Kế hoạch\u0301\u0301\u0301 số 5.md",
    "README.md",
    "abbreviations.md",
]
SAFE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,82}\.md$")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_an_uploaded_file_name_cannot_escape_or_shadow_anything(tmp_path: Path, name: str) -> None:
    kb, backups = tmp_path / "kb", tmp_path / "backups"
    saved = save_upload(kb, backups, name, "Kế hoạch số 5 của xã".encode(), "telegram:1")
    assert saved.path.parent == kb / "uploads"
    assert saved.path.resolve().is_relative_to((kb / "uploads").resolve())
    assert SAFE.match(saved.path.name)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [saved.path]


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=200))
def test_any_file_name_becomes_a_plain_ascii_markdown_name(name: str) -> None:
    safe = safe_name(name)
    assert SAFE.match(safe)  # one ASCII path component: no separator, no leading dot
    assert not re.match(r"^(con|prn|aux|nul|com\d|lpt\d)\.md$", safe)


def test_an_upload_does_not_write_through_a_symlink_planted_in_the_knowledge_base(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("không được ghi đè", encoding="utf-8")
    uploads = tmp_path / "kb" / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "ke-hoach.md").symlink_to(outside)
    save_upload(tmp_path / "kb", tmp_path / "bk", "ke-hoach.txt", "Kế hoạch".encode(), "t:1")
    assert outside.read_text(encoding="utf-8") == "không được ghi đè"
    assert not (uploads / "ke-hoach.md").is_symlink()


def test_an_upload_over_the_size_limit_is_refused_by_its_announced_size(
    conv: Conversation,
) -> None:
    admin = Incoming("telegram", ADMIN, ADMIN, "")
    refused = conv.upload_check(admin, "bao-cao.pdf", MAX_UPLOAD_BYTES + 1)
    assert refused is not None and refused.kind is ReplyKind.REFUSED
    assert "vượt giới hạn 10 MB" in refused.plain
    assert conv.upload_check(admin, "bao-cao.pdf", MAX_UPLOAD_BYTES) is None


def test_an_upload_larger_than_announced_is_still_refused(conv: Conversation, kb: Path) -> None:
    admin = Incoming("telegram", ADMIN, ADMIN, "")
    refused = conv.upload(admin, "bao-cao.txt", b"a " * (MAX_UPLOAD_BYTES // 2 + 1))
    assert refused.kind is ReplyKind.REFUSED
    assert not (kb / "uploads").exists()


def test_an_upload_that_is_not_text_is_refused_with_its_reason(tmp_path: Path) -> None:
    with pytest.raises(UploadRejected, match="không đọc được: tệp nhị phân"):
        save_upload(tmp_path / "kb", tmp_path / "bk", "x.txt", bytes(range(256)), "t:1")


async def test_telegram_upload_of_unknown_size_is_measured_then_refused_without_download(
    fake_telegram: FakeTelegram, telegram_conv: Conversation
) -> None:
    app = fake_telegram.application(telegram_conv)
    update = fake_telegram.document(42, 42, "bao-cao.txt", b"x", size=50 * 1024 * 1024)
    del update["message"]["document"]["file_size"]  # a client that did not announce it
    async with running(app, poll_timeout=1):
        fake_telegram.queue(update)
        (refusal,) = await fake_telegram.wait_for_messages(42)
    assert "vượt giới hạn" in refusal.text
    assert fake_telegram.downloads == []


# ----- admin refusal through the real adapters -------------------------------------------


async def test_telegram_refuses_every_admin_command_and_upload_to_a_non_admin(
    fake_telegram: FakeTelegram, telegram_conv: Conversation
) -> None:
    user = 555001
    app = fake_telegram.application(telegram_conv)
    async with running(app, poll_timeout=1):
        for command in ["/reload", "/stats", "/reload@de06_test_bot"]:
            fake_telegram.queue(fake_telegram.private_text(user, command))
        fake_telegram.queue(fake_telegram.group_text(-100777, user, "/reload"))
        fake_telegram.queue(fake_telegram.document(user, user, "moi.txt", "Mới".encode()))
        await fake_telegram.wait_for(
            lambda: (
                len(fake_telegram.messages_to(user)) >= 4
                and len(fake_telegram.messages_to(-100777)) >= 1
            )
        )
    texts = [s.text for s in fake_telegram.messages_to(user) + fake_telegram.messages_to(-100777)]
    assert texts == [
        messages.NOT_ADMIN.format(cmd="reload"),
        messages.NOT_ADMIN.format(cmd="stats"),
        messages.NOT_ADMIN.format(cmd="reload"),
        messages.UPLOAD_NEEDS_ADMIN,
        messages.NOT_ADMIN.format(cmd="reload"),
    ]
    assert fake_telegram.downloads == [] and fake_telegram.calls_of("getFile") == []


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


async def test_zalo_refuses_every_admin_command_to_a_non_admin(
    fake_zalo: FakeZalo, conv: Conversation
) -> None:
    commands = ["/reload", "/stats", "/RELOAD"]
    async with running_bot(conv, fake_zalo) as bot:
        for i, command in enumerate(commands):
            fake_zalo.push(text_update(command, message_id=f"a-{i}", chat_id="z", user_id="zu-9"))
        await fake_zalo.wait_sent(len(commands))
        await bot.idle()
    assert fake_zalo.texts("z") == [messages.NOT_ADMIN.format(cmd=c[1:].lower()) for c in commands]
    assert admin_log(conv) == [("zalo", "zu-9", c[1:].lower(), 0) for c in commands]


# ----- webhook secrets --------------------------------------------------------------------

SECRET = "Bi-mat_webhook-0123456789"  # Telegram allows A-Z, a-z, 0-9, _ and -
WRONG_SECRETS = {
    "missing": None,
    "empty": "",
    "prefix": SECRET[:-1],
    "longer": SECRET + "x",
    "case": SECRET.upper(),
    "same_length": SECRET[::-1],
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spy_compare(monkeypatch: pytest.MonkeyPatch, module: str) -> list[tuple[bytes, bytes]]:
    """Record the module's secret comparisons while still comparing for real."""
    seen: list[tuple[bytes, bytes]] = []

    def compare(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return hmac.compare_digest(a, b)

    monkeypatch.setattr(f"{module}.hmac", SimpleNamespace(compare_digest=compare))
    return seen


def secret_headers(header: str, secret: str | None) -> dict[str, bytes]:
    return {} if secret is None else {header: secret.encode()}


@pytest.mark.parametrize("case", sorted(WRONG_SECRETS))
async def test_telegram_webhook_rejects_a_wrong_secret_in_constant_time(
    fake_telegram: FakeTelegram,
    telegram_conv: Conversation,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    compared = spy_compare(monkeypatch, "bot.platforms.telegram")
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    app = build_application(telegram_conv, fake_telegram.token, base_url=fake_telegram.base_url)
    config = WebhookConfig(url=url, secret=SECRET, listen="127.0.0.1", port=port)
    header = "X-Telegram-Bot-Api-Secret-Token"
    async with running(app, webhook=config), httpx.AsyncClient() as client:
        update = fake_telegram.private_text(8, "/reload")
        refused = await client.post(
            url, json=update, headers=secret_headers(header, WRONG_SECRETS[case])
        )
        accepted = await client.post(
            url, json=fake_telegram.private_text(8, "/help"), headers=secret_headers(header, SECRET)
        )
        await fake_telegram.wait_for_messages(8)
    assert (refused.status_code, accepted.status_code) == (403, 200)
    assert len(fake_telegram.messages_to(8)) == 1  # only /help was answered
    assert len(compared) == 2 and all(b == SECRET.encode() for _, b in compared)


@pytest.mark.parametrize("case", sorted(WRONG_SECRETS))
async def test_zalo_webhook_rejects_a_wrong_secret_in_constant_time(
    fake_zalo: FakeZalo, conv: Conversation, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    compared = spy_compare(monkeypatch, "bot.platforms.zalo")
    port = free_port()
    url = f"http://127.0.0.1:{port}/zalo/webhook"
    options = dict(
        webhook_url=url, webhook_secret=SECRET, listen_host="127.0.0.1", listen_port=port
    )
    header = "X-Bot-Api-Secret-Token"
    async with running_bot(conv, fake_zalo, **options) as bot, httpx.AsyncClient() as client:
        refused = await client.post(
            url, json=text_update("/help", message_id="w-1", chat_id="zw"),
            headers=secret_headers(header, WRONG_SECRETS[case]),
        )  # fmt: skip
        accepted = await client.post(
            url, json=text_update("/sources", message_id="w-2", chat_id="zw"),
            headers=secret_headers(header, SECRET),
        )  # fmt: skip
        await fake_zalo.wait_sent(1)
        await bot.idle()
    assert (refused.status_code, accepted.status_code) == (403, 200)
    assert len(fake_zalo.texts("zw")) >= 1 and "Kho" in fake_zalo.texts("zw")[0]
    assert len(compared) == 2 and all(b == SECRET.encode() for _, b in compared)


# ----- tokens never in logs or error messages ----------------------------------------------


def no_token(token: str) -> Callable[[str], bool]:
    secret_part = token.split(":", 1)[-1]
    return lambda text: token not in text and secret_part not in text


async def test_telegram_token_stays_out_of_logs_of_failures_and_tracebacks(
    fake_telegram: FakeTelegram,
    telegram_conv: Conversation,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    clean = no_token(fake_telegram.token)
    app = fake_telegram.application(telegram_conv)
    real_handle = telegram_conv.handle

    def leaky_handle(incoming: Incoming):
        if incoming.text == "/boom":  # an exception quoting the API URL, as httpx errors do
            raise RuntimeError(f"request to {fake_telegram.base_url}{fake_telegram.token}/x failed")
        return real_handle(incoming)

    monkeypatch.setattr(telegram_conv, "handle", leaky_handle)
    fake_telegram.fail_next("getUpdates", times=2, status=500)
    fake_telegram.fail_next("sendMessage", times=2, status=502)
    async with running(app, poll_timeout=1):
        fake_telegram.queue(fake_telegram.private_text(9, "/boom"))
        fake_telegram.queue(fake_telegram.private_text(9, "/help"))
        await fake_telegram.wait_for_messages(9, 1, timeout=30)  # /help, after /boom
    text = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    assert "request to" in text  # the failure was logged…
    assert clean(text)  # …without the token


async def test_telegram_token_stays_out_of_the_error_of_an_unreachable_server(
    telegram_conv: Conversation, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = "987654:AAUnreachableServerToken_abcdefghijklmnop"
    app = build_application(telegram_conv, token, base_url=f"http://127.0.0.1:{free_port()}/bot")
    with pytest.raises(Exception) as failure:
        async with running(app, poll_timeout=1):
            pass
    assert no_token(token)(str(failure.value) + repr(failure.value) + caplog.text)


async def test_zalo_token_stays_out_of_errors_and_logs(
    fake_zalo: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clean = no_token(fake_zalo.token)
    fake_zalo.fail_next(10, 500, "sendMessage")
    async with ZaloBotAPI(fake_zalo.token, fake_zalo.base_url, retry=FAST) as api:
        with pytest.raises(PlatformError) as failed:
            await api.send_message("chat-1", "xin chào")
    async with ZaloBotAPI(fake_zalo.token + "x", fake_zalo.base_url, retry=FAST) as api:
        with pytest.raises(PlatformError) as unauthorized:
            await api.get_me()
    for error in (failed.value, unauthorized.value):
        assert clean(str(error)) and clean(repr(error))
    assert clean(caplog.text)


# ----- chat ids in the query log ----------------------------------------------------------

CHAT = "738291045"


def test_query_log_stores_the_chat_id_only_as_a_salted_hash(conv: Conversation) -> None:
    say(conv, QUESTION, user=CHAT, chat=CHAT)
    conv.querylog.flush()
    (stored,) = [r[0] for r in conv.store.db().execute("SELECT chat_hash FROM query_log")]
    salt = conv.store.salt()
    assert stored == hashlib.sha256(f"{salt}:telegram:{CHAT}".encode()).hexdigest()[:24]
    assert stored != hashlib.sha256(f"telegram:{CHAT}".encode()).hexdigest()[:24]
    assert len(salt) >= 32


def test_the_chat_id_appears_nowhere_in_the_store_files(conv: Conversation) -> None:
    for _ in range(3):
        say(conv, QUESTION, user=CHAT, chat=CHAT)
    say(conv, "/danhgia 1 tot", user=CHAT, chat=CHAT)
    conv.querylog.flush()
    files = list(conv.store.path.parent.glob(conv.store.path.name + "*"))
    assert files and all(CHAT.encode() not in f.read_bytes() for f in files)


def test_each_install_hashes_the_same_chat_differently(tmp_path: Path) -> None:
    first, second = Store(tmp_path / "a.sqlite"), Store(tmp_path / "b.sqlite")
    assert first.salt() != second.salt()


def test_the_salt_survives_a_restart_so_counts_per_chat_stay_consistent(
    settings: Settings,
) -> None:
    hashes = []
    for _ in range(2):
        conv = Conversation.open(settings)
        hashes.append(conv.querylog.chat_hash("zalo", CHAT))
        conv.close()
    assert hashes[0] == hashes[1]
