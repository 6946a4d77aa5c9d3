"""`de06 doctor` on real folders and stores, against the fake Telegram and Zalo servers.

It must pass on `make run`'s defaults, and fail with the right line — saying what to do —
for a wrong token, a read-only store folder, a missing knowledge folder, a leftover
webhook, and the other mistakes an IT officer makes when setting the bot up.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import doctor
from bot.cli import main
from bot.doctor import Check, diagnose

from fake_telegram import FakeTelegram
from fake_zalo import FakeZalo
from readonly import read_only

pytest_plugins = ["conftest_telegram"]

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
PLATFORM_VARIABLES = (
    "TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "DE06_WEBHOOK_URL", "DE06_ZALO_WEBHOOK_URL",
    "DE06_TELEGRAM_BASE_URL", "DE06_ZALO_BASE_URL", "DE06_ADMIN_IDS", "DE06_TODAY",
    "DE06_QUESTIONS_PER_MINUTE", "DE06_HTTP_LISTEN", "DE06_HEALTH_STALE_AFTER", "DE06_KB",
    "DE06_DB",
)  # fmt: skip


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout as `make run` leaves it: knowledge/ copied, `de06 reload` run, no tokens."""
    for name in PLATFORM_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    monkeypatch.chdir(tmp_path)
    assert main(["reload"]) == 0
    return tmp_path


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def failing(checks: list[Check]) -> list[str]:
    return [c.name for c in checks if not c.ok]


def test_doctor_passes_on_make_runs_defaults(site: Path, capsys: pytest.CaptureFixture) -> None:
    capsys.readouterr()
    assert main(["doctor"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    checks = [line for line in lines if line.startswith(("✔", "✘"))]
    assert len(checks) >= 8 and [x for x in checks if not x.startswith("✔ ")] == []
    assert lines[-1].startswith(f"{len(checks)}/{len(checks)}")


async def test_every_check_is_there_in_order(site: Path) -> None:
    names = [c.name for c in await diagnose()]
    assert names == ["packages", "knowledge", "documents", "store", "integrity", "index",
                     "disk", "platforms", "admin_ids", "settings"]  # fmt: skip


def test_a_missing_knowledge_folder_fails_with_its_line(
    site: Path, capsys: pytest.CaptureFixture
) -> None:
    shutil.rmtree(site / "knowledge")
    capsys.readouterr()
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("✘"))
    assert "không thấy thư mục tài liệu knowledge" in line and "DE06_KB" in line


async def test_a_read_only_store_folder_fails_the_store_check(site: Path) -> None:
    var = site / "var"
    with read_only(var, var / "de06.sqlite"):
        checks = await diagnose()
    assert failing(checks) == ["store"]
    assert "quyền ghi thư mục" in by_name(checks)["store"].line


async def test_a_store_folder_that_cannot_be_created_fails(site: Path) -> None:
    with read_only(site):
        checks = await diagnose(db_path=site / "moi" / "de06.sqlite")
    assert "store" in failing(checks)


async def test_files_that_would_be_skipped_are_named_with_their_reason(site: Path) -> None:
    (site / "knowledge" / "bao-cao.pdf").write_bytes(b"%PDF-1.4 not really")
    (site / "knowledge" / "bang-tinh.ods").write_bytes(b"PK\x03\x04")
    check = by_name(await diagnose())["documents"]
    assert not check.ok
    assert "bao-cao.pdf" in check.summary and "bang-tinh.ods" in check.summary
    assert "định dạng không hỗ trợ" in check.summary


async def test_missing_index_files_say_to_reload(site: Path) -> None:
    shutil.rmtree(site / "var" / "index")
    check = by_name(await diagnose())["index"]
    assert not check.ok and "de06 reload" in check.advice


async def test_a_damaged_store_fails_the_integrity_check(site: Path) -> None:
    db = site / "var" / "de06.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    conn.close()
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for start in range(page, len(data), page):
        data[start] = 0x2A
    db.write_bytes(bytes(data))
    assert "integrity" in failing(await diagnose())


async def test_too_little_disk_space_fails(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor, "MIN_FREE_BYTES", 1 << 62)
    check = by_name(await diagnose())["disk"]
    assert not check.ok and "giải phóng" in check.advice


@pytest.mark.parametrize(
    ("ids", "ok"),
    [("", True), ("123456, zalo:abc-99, telegram:42", True), ("telgram:1", False),
     ("telegram:abc", False), ("12 34", False), ("zalo:", False)],
)  # fmt: skip
def test_admin_ids_must_parse(ids: str, ok: bool) -> None:
    assert doctor.admin_ids_check(ids).ok is ok


async def test_a_bad_setting_names_its_variable(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DE06_TODAY", "1/2/2024")
    monkeypatch.setenv("DE06_HTTP_LISTEN", "9100")
    check = by_name(await diagnose())["settings"]
    assert not check.ok
    assert "DE06_TODAY" in check.summary and "DE06_HTTP_LISTEN" in check.summary


# ----- chat platforms against the fake servers ----------------------------------------------


def use_telegram(monkeypatch: pytest.MonkeyPatch, fake: FakeTelegram, token: str = "") -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token or fake.token)
    monkeypatch.setenv("DE06_TELEGRAM_BASE_URL", fake.base_url)


def use_zalo(monkeypatch: pytest.MonkeyPatch, fake: FakeZalo, token: str = "") -> None:
    monkeypatch.setenv("ZALO_BOT_TOKEN", token or fake.token)
    monkeypatch.setenv("DE06_ZALO_BASE_URL", fake.base_url)


async def test_both_platforms_pass_with_good_tokens_and_no_webhooks(
    site: Path, monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram, zalo: FakeZalo
) -> None:
    use_telegram(monkeypatch, fake_telegram)
    use_zalo(monkeypatch, zalo)
    checks = by_name(await diagnose())
    assert [checks[n].ok for n in ("telegram_token", "telegram_webhook", "zalo_token",
                                   "zalo_webhook")] == [True] * 4  # fmt: skip
    assert "@de06_test_bot" in checks["telegram_token"].summary
    assert zalo.bot_name in checks["zalo_token"].summary


async def test_a_wrong_telegram_token_fails_without_showing_it(
    site: Path, monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram,
    capsys: pytest.CaptureFixture,
) -> None:  # fmt: skip
    wrong = "999999:WrongTokenForTheDoctorTest"
    use_telegram(monkeypatch, fake_telegram, wrong)
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["doctor"]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("✘"))
    assert line.startswith("✘ Telegram:") and "TELEGRAM_BOT_TOKEN" in line and "401" in line
    assert wrong not in out and "WrongToken" not in out


async def test_a_wrong_zalo_token_fails_with_its_line(
    site: Path, monkeypatch: pytest.MonkeyPatch, zalo: FakeZalo
) -> None:
    use_zalo(monkeypatch, zalo, "000:khong-dung")
    checks = await diagnose()
    assert failing(checks) == ["zalo_token"]
    assert "ZALO_BOT_TOKEN" in by_name(checks)["zalo_token"].line
    assert "khong-dung" not in by_name(checks)["zalo_token"].line


async def test_an_unreachable_telegram_server_says_to_check_the_network(
    site: Path, monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram
) -> None:
    use_telegram(monkeypatch, fake_telegram)
    await fake_telegram.stop()
    check = by_name(await diagnose(timeout=2))["telegram_token"]
    assert not check.ok and "mạng" in check.advice
    assert fake_telegram.token not in check.line


async def test_a_telegram_webhook_left_set_while_polling_fails(
    site: Path, monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram
) -> None:
    use_telegram(monkeypatch, fake_telegram)
    fake_telegram.webhook = {"url": "https://cu.example.vn/hook/bi-mat-trong-duong-dan"}
    checks = await diagnose()
    assert failing(checks) == ["telegram_webhook"]
    line = by_name(checks)["telegram_webhook"].line
    assert "cu.example.vn" in line and "long polling" in line
    assert "bi-mat-trong-duong-dan" not in line  # a webhook path may hold a secret


async def test_a_zalo_webhook_left_set_while_polling_fails(
    site: Path, monkeypatch: pytest.MonkeyPatch, zalo: FakeZalo
) -> None:
    use_zalo(monkeypatch, zalo)
    zalo.webhook_url = "https://cu.example.vn/zalo"
    checks = await diagnose()
    assert failing(checks) == ["zalo_webhook"]
    assert "cu.example.vn" in by_name(checks)["zalo_webhook"].line


async def test_a_webhook_registered_as_configured_passes(
    site: Path, monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram
) -> None:
    use_telegram(monkeypatch, fake_telegram)
    monkeypatch.setenv("DE06_WEBHOOK_URL", "https://bot.example.vn/tg")
    fake_telegram.webhook = {"url": "https://bot.example.vn/tg"}
    assert by_name(await diagnose())["telegram_webhook"].ok


async def test_a_webhook_telegram_cannot_deliver_to_fails_with_telegrams_reason(
    site: Path, monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram
) -> None:
    use_telegram(monkeypatch, fake_telegram)
    monkeypatch.setenv("DE06_WEBHOOK_URL", "https://bot.example.vn/tg")
    fake_telegram.webhook = {"url": "https://bot.example.vn/tg"}
    fake_telegram.webhook_error = "SSL error: certificate verify failed"
    check = by_name(await diagnose())["telegram_webhook"]
    assert not check.ok and "certificate verify failed" in check.summary
