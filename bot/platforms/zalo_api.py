"""A small async client for the Zalo Bot API.

The bot token is part of every request URL, so the client keeps URLs out of its own
log lines and error messages and registers the token with `bot.logsafe`, which masks it
in every log record (httpx would otherwise print request URLs at INFO level).

Transient failures (HTTP 5xx, 429 quota, timeouts, dropped connections, an answer that is
not the API's JSON envelope, `ok: false` without a reason) are retried with bounded
exponential backoff and jitter; anything else is reported at once, since retrying a wrong
token or a rejected message only delays the operator's fix.

Zalo's API is thinly documented, so every `result` is checked where it is read, by the
small parsers at the end of this module: each method returns a typed value, and a result of
an unexpected shape is logged once per method and read as "no information" (no bot name,
webhook state unknown, no update) instead of crashing the caller.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from bot import logsafe
from bot.platforms.zalo_updates import BotIdentity
from index.errors import PlatformError

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
MAX_TEXT = 2000
EMPTY_POLL = 408  # getUpdates found nothing before its timeout
QUOTA_EXCEEDED = 429
_RETRY_CODES = frozenset({QUOTA_EXCEEDED, 500, 502, 503, 504})
_AUTH_CODES = frozenset({401, 403})
MISSING: Any = object()  # an `ok: true` envelope without a `result`
_EMPTY: Any = object()  # getUpdates' long poll ended without an update
_T = TypeVar("_T")


class ZaloApiError(PlatformError):
    """A Zalo Bot API call failed; `error_code` lets callers tell quota from bad tokens."""

    def __init__(self, message: str, *, method: str, error_code: int | None) -> None:
        self.method = method
        self.error_code = error_code
        super().__init__(message)

    @property
    def unauthorized(self) -> bool:
        """True when retrying cannot help: the token is wrong or revoked."""
        return self.error_code in _AUTH_CODES


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up; tests shrink the delays to stay fast."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before try `attempt + 1` (attempt counts from 0)."""
        if retry_after is not None:
            return min(self.max_delay, max(0.0, retry_after))
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return ceiling * (0.5 + random.random() / 2)


class _Transient(Exception):
    """One failed try that is worth repeating."""

    def __init__(self, reason: str, code: int | None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.retry_after = retry_after


class ZaloBotAPI:
    """One shared HTTP session to the Zalo Bot API; every method returns the envelope's result."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 15.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not token:
            raise ValueError("a Zalo bot token is required")
        self._token = token
        self._base = base_url.rstrip("/")
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._timeout = timeout
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout))
        self._odd: set[str] = set()  # methods whose odd answers were logged already
        logsafe.install(token)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> ZaloBotAPI:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- methods ---------------------------------------------------------------------

    async def get_me(self) -> BotIdentity:
        """Who the bot is; an unreadable answer gives an identity without id or name."""
        result = await self._call("getMe", {})
        return self._read("getMe", result, BotIdentity.from_get_me(result), BotIdentity("", ""))

    async def get_updates(self, timeout: float = 30) -> list[Mapping[str, Any]]:
        """The updates of one long poll: usually one, none when the poll ended empty (408)."""
        result = await self._call(
            "getUpdates",
            {"timeout": f"{timeout:g}"},  # the docs type it as a string of seconds
            read_timeout=timeout + self._timeout,
            empty_ok=True,
        )
        if result is _EMPTY:
            return []
        return self._read("getUpdates", result, updates_in(result), [])

    async def set_webhook(self, url: str, secret_token: str) -> None:
        if not 8 <= len(secret_token) <= 256:
            raise ValueError("the webhook secret must be 8-256 characters")
        await self._call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self._call("deleteWebhook", {})

    async def get_webhook_info(self) -> WebhookInfo:
        """The registered webhook; `url` is None when the answer did not say."""
        result = await self._call("getWebhookInfo", {})
        return self._read("getWebhookInfo", result, WebhookInfo.parse(result), WebhookInfo(None))

    async def send_message(self, chat_id: str, text: str) -> str:
        """Send plain text (1-2000 characters: callers split first); the sent message's id,
        or "" when the answer did not give one (the message was still accepted)."""
        if not 1 <= len(text) <= MAX_TEXT:
            raise ValueError(f"Zalo messages take 1-{MAX_TEXT} characters, got {len(text)}")
        result = await self._call("sendMessage", {"chat_id": chat_id, "text": text})
        return self._read("sendMessage", result, sent_message_id(result), "")

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self._call("sendChatAction", {"chat_id": chat_id, "action": action})

    def _read(self, method: str, result: Any, parsed: _T | None, fallback: _T) -> _T:
        if parsed is not None:
            return parsed
        self._unexpected(method, f"result {shape(result)}")
        return fallback

    def _unexpected(self, method: str, what: str) -> None:
        """Log an odd answer once per method: a changed API must not flood the log."""
        if method in self._odd:
            return
        self._odd.add(method)
        log.warning(
            "Zalo %s: câu trả lời có dạng không như tài liệu (%s); coi như không có thông tin",
            method,
            what,
        )

    # -- transport -------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        payload: Mapping[str, Any],
        *,
        read_timeout: float | None = None,
        empty_ok: bool = False,
    ) -> Any:
        url = f"{self._base}/bot{self._token}/{method}"
        timeout = httpx.Timeout(self._timeout, read=read_timeout or self._timeout)
        last: _Transient | None = None
        for attempt in range(self._retry.attempts):
            if attempt:
                assert last is not None
                wait = self._retry.delay(attempt - 1, last.retry_after)
                log.warning(
                    "Zalo %s: %s; thử lại lần %d sau %.1f giây",
                    method,
                    last.reason,
                    attempt + 1,
                    wait,
                )
                await self._sleep(wait)
            try:
                return await self._once(method, url, payload, timeout, empty_ok)
            except _Transient as exc:
                last = exc
        assert last is not None
        raise ZaloApiError(
            f"Zalo Bot API: lệnh {method} vẫn lỗi sau {self._retry.attempts} lần thử "
            f"({last.reason}). {_advice(last.code)}",
            method=method,
            error_code=last.code,
        )

    async def _once(
        self,
        method: str,
        url: str,
        payload: Mapping[str, Any],
        timeout: httpx.Timeout,
        empty_ok: bool,
    ) -> Any:
        try:
            response = await self._client.post(url, json=dict(payload), timeout=timeout)
        except httpx.TimeoutException:
            raise _Transient("hết thời gian chờ", None) from None
        except httpx.TransportError as exc:
            raise _Transient(f"mất kết nối ({type(exc).__name__})", None) from None
        envelope = _envelope(response)
        status = response.status_code
        if envelope is None:
            self._unexpected(method, f"HTTP {status}, {_body_kind(response)}")
            reason = f"câu trả lời không đọc được (HTTP {status})"
            code = status if status >= 400 else None
            if status in _AUTH_CODES or (400 <= status < 500 and status != QUOTA_EXCEEDED):
                raise ZaloApiError(
                    f"Zalo Bot API từ chối lệnh {method} ({reason}). {_advice(code)}",
                    method=method,
                    error_code=code,
                )
            raise _Transient(reason, code, _retry_after(response))
        code = _error_code(envelope, status)
        if envelope.get("ok") is True and response.is_success:
            return envelope.get("result", MISSING)
        if empty_ok and code == EMPTY_POLL:
            return _EMPTY
        description = _redact(str(envelope.get("description") or ""), self._token)
        reason = f"mã lỗi {code}" + (f": {description}" if description else "")
        if code == 0:  # refused without saying why: a glitch on their side, worth a retry
            self._unexpected(method, "ok khác true mà không có mã lỗi")
            raise _Transient("từ chối không rõ lý do", None, _retry_after(response))
        if code in _RETRY_CODES or status in _RETRY_CODES:
            raise _Transient(reason, code, _retry_after(response))
        raise ZaloApiError(
            f"Zalo Bot API từ chối lệnh {method} ({reason}). {_advice(code)}",
            method=method,
            error_code=code,
        )


def _envelope(response: httpx.Response) -> dict[str, Any] | None:
    """The JSON object the API wraps every answer in; None for anything else."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _body_kind(response: httpx.Response) -> str:
    """What came back instead of the envelope, for the log (never the body itself)."""
    try:
        return f"JSON {shape(response.json())}"
    except ValueError:
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        return f"{kind or 'không rõ loại'}, {len(response.content)} byte"


def _error_code(envelope: Mapping[str, Any], status: int) -> int:
    code = envelope.get("error_code")
    if isinstance(code, int) and not isinstance(code, bool):
        return code
    if isinstance(code, str) and code.isdigit():
        return int(code)
    return status if status >= 400 else 0


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return float(value)
    except ValueError:
        return None


def _redact(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text


def _advice(code: int | None) -> str:
    """What the operator should do next, by error code."""
    if code in _AUTH_CODES:
        return "Kiểm tra biến ZALO_BOT_TOKEN: token sai hoặc đã bị thu hồi."
    if code == 404:
        return "Kiểm tra DE06_ZALO_BASE_URL: máy chủ ở địa chỉ đó không có lệnh này."
    if code == QUOTA_EXCEEDED:
        return "Bot đã vượt hạn mức gọi API của Zalo; hãy đợi vài phút rồi thử lại."
    if code is None or code >= 500:
        return (
            "Kiểm tra kết nối mạng tới máy chủ Zalo (hoặc DE06_ZALO_BASE_URL) "
            "và thử lại sau ít phút."
        )
    return "Kiểm tra tham số gửi đi; lỗi này không tự hết khi thử lại."


# ----- reading results: each returns None for a shape it does not know -------------------


@dataclass(frozen=True)
class WebhookInfo:
    url: str | None  # "" when none is registered; None when the answer did not say

    @classmethod
    def parse(cls, result: Any) -> WebhookInfo | None:
        if isinstance(result, Mapping) and isinstance(result.get("url"), str):
            return cls(result["url"])
        return None


def updates_in(result: Any) -> list[Mapping[str, Any]] | None:
    """getUpdates gives one update object; a list of them is read too."""
    if isinstance(result, Mapping) and ("event_name" in result or "message" in result):
        return [result]
    if isinstance(result, list) and all(isinstance(u, Mapping) for u in result):
        return list(result)
    return None


def sent_message_id(result: Any) -> str | None:
    if isinstance(result, Mapping):
        value = result.get("message_id")
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    return None


def shape(value: Any) -> str:
    """A value's shape without its content: keys and types may be logged, texts may not."""
    if value is MISSING:
        return "thiếu"
    if isinstance(value, Mapping):
        keys = ", ".join(sorted(str(k) for k in value)[:8])
        return f"object {{{keys}}}"
    if isinstance(value, list):
        return f"list[{len(value)}]"
    return json.dumps(value) if value is None or isinstance(value, bool) else type(value).__name__
