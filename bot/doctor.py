"""`de06 doctor`: find a wrong token or an unwritable folder before the officials do.

`diagnose` returns the checks as data, in the order an operator fixes things: the Python
environment, the knowledge folder and its documents, the store, the index, the disk, each
configured chat platform (token, webhook state), then the admin ids and other settings.
Each `Check` says what was found and, when it fails, what to do. Nothing here prints, and
no token ever appears in a check: a failed call is described by its kind, not its URL.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import re
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from packaging.requirements import InvalidRequirement, Requirement

from bot import logsafe
from bot.platforms.http import SideSettings
from index import index_files
from index.errors import ConfigError, KnowledgeError
from index.ingest import scan
from index.store_check import integrity, probe_writable

MIN_FREE_BYTES = 200 * 1024 * 1024
TELEGRAM_API = "https://api.telegram.org/bot"
PLATFORM_TIMEOUT = 10.0
_ADMIN_ID = re.compile(r"[A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Check:
    name: str  # stable identifier, e.g. "store", "telegram_token"
    ok: bool
    summary: str  # what was found
    advice: str = ""  # what to do, when not ok

    @property
    def line(self) -> str:
        mark = "✔" if self.ok else "✘"
        return f"{mark} {self.summary}" + (f" — {self.advice}" if self.advice else "")


def passed(name: str, summary: str) -> Check:
    return Check(name, True, summary)


def failed(name: str, summary: str, advice: str) -> Check:
    return Check(name, False, summary, advice)


async def diagnose(
    kb_dir: Path | None = None,
    db_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    timeout: float = PLATFORM_TIMEOUT,
) -> list[Check]:
    """Every check, in order; paths and settings as `de06 serve` would take them."""
    env = os.environ if env is None else env
    kb = Path(kb_dir or env.get("DE06_KB") or "knowledge")
    db = Path(db_path or env.get("DE06_DB") or "var/de06.sqlite")
    checks = await asyncio.to_thread(local_checks, kb, db)
    checks += await platform_checks(env, timeout)
    checks += [admin_ids_check(env.get("DE06_ADMIN_IDS", "")), settings_check(env)]
    return checks


def local_checks(kb: Path, db: Path) -> list[Check]:
    checks = [packages_check(), knowledge_check(kb)]
    if checks[-1].ok:
        checks.append(documents_check(kb, db))
    checks.append(store_check(db))
    if db.is_file():
        checks += [integrity_check(db), index_check(db)]
    checks.append(disk_check(db))
    return checks


# ----- the Python environment ---------------------------------------------------------------


def packages_check() -> Check:
    """Python, SQLite, and every dependency of pyproject.toml at a version it accepts."""
    python = ".".join(map(str, sys.version_info[:3]))
    runtime = f"Python {python}, SQLite {sqlite3.sqlite_version}"
    try:
        requirements = importlib.metadata.requires("de06") or []
    except importlib.metadata.PackageNotFoundError:
        return failed("packages", f"{runtime}; gói de06 chưa được cài",
                      "chạy make run (cài mọi thứ vào .venv)")  # fmt: skip
    problems, shown = [], []
    for text in requirements:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue  # test and bench extras
        try:
            version = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"thiếu {req.name}")
            continue
        if not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name} {version} (cần {req.specifier})")
        shown.append(f"{req.name} {version}")
    if problems:
        return failed(
            "packages", f"{runtime}; gói chưa đúng: " + ", ".join(problems),
            "chạy make run (hoặc .venv/bin/pip install -e .) để cài đúng phiên bản",
        )  # fmt: skip
    return passed("packages", f"{runtime}; {len(shown)} gói đúng phiên bản: " + ", ".join(shown))


# ----- knowledge base ---------------------------------------------------------------------


def knowledge_check(kb: Path) -> Check:
    if not kb.is_dir():
        return failed(
            "knowledge", f"không thấy thư mục tài liệu {kb}",
            "đặt --kb hoặc DE06_KB đúng thư mục tài liệu (mặc định knowledge/), "
            "hoặc tạo nó và chép tài liệu vào",
        )  # fmt: skip
    if not os.access(kb, os.R_OK | os.X_OK):
        return failed("knowledge", f"không đọc được thư mục {kb}",
                      "cho người dùng chạy bot quyền đọc thư mục này")  # fmt: skip
    files = sum(1 for p in kb.rglob("*") if p.is_file())
    return passed("knowledge", f"thư mục tài liệu {kb} đọc được ({files} tệp)")


def documents_check(kb: Path, db: Path) -> Check:
    """Which files a reload would skip, and why; unchanged files known to the store are not
    read again (as at a reload), so this stays quick at tens of thousands of documents."""
    try:
        found = scan(kb, _known_files(db))
    except KnowledgeError as err:
        return failed("documents", str(err), "kiểm tra thư mục tài liệu")
    total = len(found.documents) + len(found.unchanged)
    if found.skipped:
        names = "; ".join(f"{e.path.as_posix()} ({e.reason})" for e in found.skipped)
        return failed(
            "documents", f"{len(found.skipped)} tệp sẽ bị bỏ qua: {names}",
            "sửa hoặc gỡ các tệp này; các văn bản còn lại vẫn được nạp",
        )  # fmt: skip
    if total == 0:
        return failed("documents", f"chưa có văn bản nào trong {kb}",
                      "chép tệp .md, .txt, .pdf hoặc .docx vào rồi chạy de06 reload")  # fmt: skip
    return passed("documents", f"{total} văn bản đều đọc được")


def _known_files(db: Path) -> dict[str, tuple[int, int]]:
    if not db.is_file():
        return {}
    try:
        with _read_only(db) as conn:
            rows = conn.execute("SELECT path, size, mtime_ns FROM documents").fetchall()
    except sqlite3.Error:
        return {}
    return {path: (size, mtime) for path, size, mtime in rows if size}


# ----- store, index, disk -------------------------------------------------------------------

_FIX_PERMISSIONS = (
    "cho người dùng chạy bot quyền ghi thư mục {folder} và các tệp trong đó (chown/chmod), "
    "hoặc kiểm tra ổ đĩa có bị gắn chỉ đọc không"
)


def store_check(db: Path) -> Check:
    folder = db.parent
    if not db.exists():
        if _folder_writable(folder if folder.exists() else _existing_parent(folder)):
            return passed("store", f"chưa có kho {db}; nó được tạo ở lần chạy đầu")
        return failed("store", f"chưa có kho {db} và không tạo được nó",
                      _FIX_PERMISSIONS.format(folder=_existing_parent(folder)))  # fmt: skip
    state = probe_writable(db)
    if not state.writable:
        return failed("store", f"kho {db} không ghi được ({state.reason})",
                      _FIX_PERMISSIONS.format(folder=folder))  # fmt: skip
    if not _folder_writable(folder):
        return failed("store", f"thư mục {folder} không ghi được (chỉ mục, nhật ký WAL, sao lưu)",
                      _FIX_PERMISSIONS.format(folder=folder))  # fmt: skip
    busy = " (một tiến trình khác đang ghi, ví dụ một lần nạp lại)" if state.busy else ""
    return passed("store", f"kho {db} mở và ghi được{busy}")


def integrity_check(db: Path) -> Check:
    result = integrity(db)
    if result == "ok":
        return passed("integrity", "kiểm tra toàn vẹn kho: ok")
    return failed(
        "integrity", f"kho dữ liệu hỏng: {result}",
        f"dừng bot, phục hồi {db.name} từ bản sao lưu; hoặc chuyển tệp hỏng đi chỗ khác rồi "
        "chạy de06 reload (mất đăng ký nhắc hạn và nhật ký câu hỏi)",
    )  # fmt: skip


def index_check(db: Path) -> Check:
    try:
        with _read_only(db) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            passages = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    except sqlite3.Error as err:
        return failed("index", f"không đọc được kho ({err})", "chạy de06 reload")
    if not row or not row[0]:
        return failed("index", "kho chưa nạp tài liệu nào", "chạy de06 reload")
    directory = index_files.directory_for(db, row[0])
    if not (directory / "complete").is_file():
        return failed(
            "index", f"thiếu tệp chỉ mục của thế hệ {row[0]} ({directory})",
            "chạy de06 reload; bot cũng tự dựng lại khi khởi động, nhưng câu trả lời đầu chậm hơn",
        )  # fmt: skip
    size = sum(p.stat().st_size for p in directory.iterdir() if p.is_file())
    return passed("index", f"chỉ mục thế hệ {row[0]}: {passages} đoạn, {_mb(size)}")


def disk_check(db: Path) -> Check:
    folder = _existing_parent(db.parent)
    free = shutil.disk_usage(folder).free
    used = sum(
        p.stat().st_size
        for p in [*db.parent.glob(db.name + "*"), *db.parent.glob("index/**/*")]
        if p.is_file()
    ) if db.parent.exists() else 0  # fmt: skip
    need = max(MIN_FREE_BYTES, 2 * used)
    found = f"còn trống {_mb(free)} trên ổ chứa {folder} (kho và chỉ mục dùng {_mb(used)})"
    if free < need:
        return failed("disk", found, f"giải phóng chỗ trống: cần ít nhất {_mb(need)} để nạp lại")
    return passed("disk", found)


def _folder_writable(folder: Path) -> bool:
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".de06-doctor-"):
            return True
    except OSError:
        return False


def _existing_parent(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _read_only(db: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5))


def _mb(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:,.1f} GB"
    return f"{size / 1024**2:,.1f} MB"


# ----- chat platforms -----------------------------------------------------------------------


async def platform_checks(env: Mapping[str, str], timeout: float) -> list[Check]:
    checks: list[Check] = []
    if env.get("TELEGRAM_BOT_TOKEN", "").strip():
        checks += await telegram_checks(env, timeout)
    if env.get("ZALO_BOT_TOKEN", "").strip():
        checks += await zalo_checks(env, timeout)
    if not checks:
        checks.append(passed("platforms", "chưa đặt TELEGRAM_BOT_TOKEN hay ZALO_BOT_TOKEN: "
                                          "make run mở trò chuyện trên console"))  # fmt: skip
    return checks


async def telegram_checks(env: Mapping[str, str], timeout: float) -> list[Check]:
    token = env["TELEGRAM_BOT_TOKEN"].strip()
    logsafe.install(token)
    base = (env.get("DE06_TELEGRAM_BASE_URL") or TELEGRAM_API).strip()
    async with httpx.AsyncClient(timeout=timeout) as client:
        me, problem = await _telegram_call(client, base, token, "getMe")
        if me is None:
            return [failed("telegram_token", f"Telegram: {problem}", _telegram_advice(problem))]
        name = me.get("username", "?") if isinstance(me, Mapping) else "?"
        checks = [passed("telegram_token", f"Telegram: token được chấp nhận (@{name})")]
        info, problem = await _telegram_call(client, base, token, "getWebhookInfo")
    if not isinstance(info, Mapping):
        checks.append(failed("telegram_webhook", f"Telegram: không đọc được webhook ({problem})",
                             "thử lại sau; nếu vẫn lỗi, kiểm tra mạng"))  # fmt: skip
        return checks
    configured = env.get("DE06_WEBHOOK_URL", "").strip()
    checks.append(webhook_check("telegram_webhook", "Telegram", str(info.get("url") or ""),
                                configured, "DE06_WEBHOOK_URL",
                                str(info.get("last_error_message") or "")))  # fmt: skip
    return checks


async def _telegram_call(
    client: httpx.AsyncClient, base: str, token: str, method: str
) -> tuple[object | None, str]:
    """(result, "") or (None, what went wrong, without the URL that holds the token)."""
    try:
        response = await client.post(f"{base}{token}/{method}")
    except httpx.HTTPError as exc:
        return None, f"không kết nối được tới máy chủ ({type(exc).__name__})"
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, Mapping) and body.get("ok") is True:
        return body.get("result"), ""
    description = body.get("description", "") if isinstance(body, Mapping) else ""
    return None, logsafe.redact(
        f"máy chủ từ chối {method} (HTTP {response.status_code}"
        + (f": {description})" if description else ")"),
        {token},
    )


def _telegram_advice(problem: str) -> str:
    if "HTTP 401" in problem or "HTTP 404" in problem:
        return "kiểm tra TELEGRAM_BOT_TOKEN (lấy lại token từ @BotFather)"
    return "kiểm tra mạng và tường lửa tới api.telegram.org (hoặc DE06_TELEGRAM_BASE_URL)"


async def zalo_checks(env: Mapping[str, str], timeout: float) -> list[Check]:
    from bot.platforms.zalo_api import DEFAULT_BASE_URL, RetryPolicy, ZaloApiError, ZaloBotAPI

    token = env["ZALO_BOT_TOKEN"].strip()
    base = (env.get("DE06_ZALO_BASE_URL") or DEFAULT_BASE_URL).strip()
    retry = RetryPolicy(attempts=2, base_delay=0.5, max_delay=1.0)
    async with ZaloBotAPI(token, base, timeout=timeout, retry=retry) as api:
        try:
            me = await api.get_me()
        except ZaloApiError as exc:  # its message ends with what to do
            return [failed("zalo_token", f"Zalo: {exc}", "")]
        shown = f"{me.name} ({me.id})" if me.id else "getMe không cho biết tên bot"
        checks = [passed("zalo_token", f"Zalo: token được chấp nhận, {shown}")]
        try:
            info = await api.get_webhook_info()
        except ZaloApiError as exc:
            checks.append(failed("zalo_webhook", f"Zalo: không đọc được webhook ({exc})",
                                 "thử lại sau; nếu vẫn lỗi, kiểm tra mạng"))  # fmt: skip
            return checks
    configured = env.get("DE06_ZALO_WEBHOOK_URL", "").strip()
    if info.url is None:
        checks.append(passed("zalo_webhook", "Zalo: không cho biết trạng thái webhook; "
                                             "bot tự gỡ webhook cũ khi chạy polling"))  # fmt: skip
    else:
        checks.append(webhook_check("zalo_webhook", "Zalo", info.url, configured,
                                    "DE06_ZALO_WEBHOOK_URL"))  # fmt: skip
    return checks


def webhook_check(
    name: str, platform: str, registered: str, configured: str, variable: str, error: str = ""
) -> Check:
    """The registered webhook against the configured mode (the classic mistake: a webhook
    left set while the bot polls — getUpdates then fails, or another copy of the bot owns
    the token)."""
    if not configured:
        if registered:
            return failed(
                name, f"{platform}: đang có webhook đăng ký (tới {_host(registered)}) trong khi "
                "bot chạy long polling",
                "nếu một bản khác của bot đang dùng token này qua webhook, hãy dừng bản đó; "
                f"nếu không, de06 serve sẽ gỡ webhook khi khởi động (hoặc đặt {variable} "
                "để chạy bằng webhook)",
            )  # fmt: skip
        return passed(name, f"{platform}: không có webhook, đúng với chế độ long polling")
    if registered and registered != configured:
        return failed(
            name, f"{platform}: webhook đăng ký tới {_host(registered)}, khác {variable} "
            f"({_host(configured)})",
            f"kiểm tra {variable}; bot đăng ký lại webhook khi khởi động",
        )  # fmt: skip
    if error:
        return failed(name, f"{platform}: máy chủ báo lỗi khi gửi tới webhook: {error}",
                      "kiểm tra proxy ngược, chứng chỉ TLS và cổng của webhook")  # fmt: skip
    if not registered:
        return passed(name, f"{platform}: chưa đăng ký webhook; bot đăng ký khi khởi động")
    return passed(name, f"{platform}: webhook đăng ký đúng {variable}")


def _host(url: str) -> str:
    """Only the host of a webhook URL: its path may hold a secret."""
    return urlsplit(url).netloc or "?"


# ----- admin ids and other settings ---------------------------------------------------------


def admin_ids_check(text: str) -> Check:
    entries = [x.strip() for x in text.split(",") if x.strip()]
    if not entries:
        return passed("admin_ids", "chưa có quản trị viên (DE06_ADMIN_IDS): /reload và tải tài "
                                   "liệu lên chỉ làm được từ console hoặc de06 reload")  # fmt: skip
    bad = [e for e in entries if not _valid_admin_id(e)]
    if bad:
        return failed(
            "admin_ids", "DE06_ADMIN_IDS có mục không hiểu được: " + ", ".join(map(repr, bad)),
            "mỗi mục là một id (123456) hoặc nền tảng:id (telegram:123456, zalo:abc123), "
            "cách nhau bằng dấu phẩy",
        )  # fmt: skip
    return passed("admin_ids", f"{len(entries)} quản trị viên: " + ", ".join(entries))


def _valid_admin_id(entry: str) -> bool:
    platform, colon, user = entry.partition(":")
    if not colon:
        return bool(_ADMIN_ID.fullmatch(entry))
    if platform == "telegram":
        return user.isdigit()
    return platform == "zalo" and bool(_ADMIN_ID.fullmatch(user))


def settings_check(env: Mapping[str, str]) -> Check:
    from bot.platforms.zalo import ZaloConfig
    from bot.settings import Settings

    problems: list[str] = []
    readers = [lambda: Settings.from_env(env=env), lambda: SideSettings.from_env(env)]
    if env.get("ZALO_BOT_TOKEN", "").strip():
        readers.append(lambda: ZaloConfig.from_env(env))
    if env.get("DE06_WEBHOOK_URL") and not env.get("DE06_WEBHOOK_PORT", "8443").isdigit():
        problems.append("DE06_WEBHOOK_PORT phải là số cổng")
    for read in readers:
        try:
            read()
        except ConfigError as err:
            problems.append(str(err))
    if problems:
        return failed("settings", "biến môi trường sai: " + " ".join(problems),
                      "sửa các biến này (xem bảng Configuration trong README)")  # fmt: skip
    return passed("settings", "các biến môi trường khác hợp lệ")
