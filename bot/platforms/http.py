"""The HTTP side server: /healthz, /metrics and the calendar feed.

Runs when DE06_HTTP_LISTEN=host:port is set. When the bot already runs a webhook server on
that very address (Telegram or Zalo webhook mode), the routes join that server's aiohttp
application instead, since two servers cannot share a port; on any other address the side
server has its own small aiohttp application.

Every route is one row of `ROUTES`: a method, a path and an async handler taking the
`SideContext` (the conversation and the health facts) and the request. A feature that
serves files over HTTP (a calendar feed, the progress report's download) adds its row here.

Nothing served here may carry a token, a chat id or question text: health and metrics are
often reachable by more people than the chats are. The calendar feed serves only what
`/deadline` shows anyone, and only at its secret address (DE06_CALENDAR_TOKEN).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from aiohttp import web

from bot import calendar_chat, logsafe, metrics
from bot.health import DEFAULT_STALE_AFTER, Health, Knowledge, evaluate
from bot.progress_chat import report_file
from index.errors import ConfigError
from index.store_check import probe_writable

if TYPE_CHECKING:
    from bot.core import Conversation

log = logging.getLogger(__name__)

LISTEN_VARIABLE = "DE06_HTTP_LISTEN"
STALE_VARIABLE = "DE06_HEALTH_STALE_AFTER"


@dataclass(frozen=True)
class Listen:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str, variable: str, default_host: str = "0.0.0.0") -> Listen:
        """`host:port`, `:port` (all interfaces) or `[::1]:port`."""
        host, colon, port = text.strip().rpartition(":")
        if not colon or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ConfigError(
                f"{variable}={text!r} phải có dạng máy:cổng, ví dụ 127.0.0.1:9100."
            )
        return cls(host.strip("[]") or default_host, int(port))

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class SideSettings:
    listen: Listen | None = None
    stale_after: float = DEFAULT_STALE_AFTER

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SideSettings:
        env = os.environ if env is None else env
        text = env.get(LISTEN_VARIABLE, "").strip()
        listen = Listen.parse(text, LISTEN_VARIABLE) if text else None
        stale = env.get(STALE_VARIABLE, "").strip()
        try:
            stale_after = float(stale) if stale else DEFAULT_STALE_AFTER
        except ValueError:
            stale_after = -1.0
        if stale_after <= 0:
            raise ConfigError(f"{STALE_VARIABLE}={stale!r} phải là số giây lớn hơn 0.")
        return cls(listen, stale_after)


@dataclass(frozen=True)
class SideContext:
    """What the routes may read: the conversation (for its snapshot and store) and health."""

    conv: Conversation
    health: Health


Handler = Callable[[SideContext, web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    method: str  # "GET" also answers HEAD, as load balancers often ask
    path: str
    handler: Handler
    purpose: str


# ----- the routes ---------------------------------------------------------------------------


def knowledge_of(conv: Conversation) -> Knowledge:
    snap = conv.snapshot
    return Knowledge(
        generation=snap.index.generation,
        documents=len(snap.index.docs),
        passages=len(snap.index.passage_ids),
        deadlines=len(snap.deadlines),
    )


async def healthz(ctx: SideContext, request: web.Request) -> web.Response:
    store = await asyncio.to_thread(probe_writable, ctx.conv.store.path)
    verdict = evaluate(ctx.health, knowledge_of(ctx.conv), store)
    if not verdict.ok:
        log.warning("healthz: %s", "; ".join(verdict.body["reasons"].values()))
    return web.json_response(
        verdict.body,
        status=verdict.status,
        dumps=partial(json.dumps, ensure_ascii=False),
        headers={"Cache-Control": "no-store"},
    )


async def metrics_page(ctx: SideContext, request: web.Request) -> web.Response:
    k = knowledge_of(ctx.conv)
    metrics.knowledge(k.documents, k.passages, k.deadlines, k.generation)
    metrics.contact_age(ctx.health.contact_age())
    body, content_type = metrics.exposition(request.headers.get("Accept", ""))
    response = web.Response(body=body, headers={"Cache-Control": "no-store"})
    response.headers["Content-Type"] = content_type
    return response


MAX_FILTER_CHARS = 200


def _has_token(ctx: SideContext, given: str) -> bool:
    """The secret in a file's address (calendar apps cannot send headers), in constant time."""
    token = ctx.conv.settings.calendar_token
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


async def calendar_feed(ctx: SideContext, request: web.Request) -> web.Response:
    """The deadlines as an iCalendar feed at /calendar/<DE06_CALENDAR_TOKEN>.ics.

    The token in the path is the only lock (calendar apps cannot send headers), so it is
    compared in constant time, never logged, and a wrong one looks like any missing page.
    """
    name = request.match_info.get("name", "")
    given = name.removesuffix(".ics") if name.endswith(".ics") else ""
    if not _has_token(ctx, given):
        log.warning(
            "calendar feed: 404 for %s from %s",
            "a wrong token"
            if ctx.conv.settings.calendar_token
            else "a request (DE06_CALENDAR_TOKEN is not set)",
            request.remote,
        )
        return web.Response(status=404, text="404: Not Found")
    words = request.query.get("q", "")[:MAX_FILTER_CHARS]
    conv = ctx.conv
    cal = await asyncio.to_thread(
        calendar_chat.calendar_file, conv.snapshot.deadlines, conv.today(), words
    )
    log.info("calendar feed: %d events served", cal.events)
    return web.Response(
        body=cal.data,
        content_type="text/calendar",
        charset="utf-8",
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": f'inline; filename="{calendar_chat.ICS_NAME}"',
        },
    )


async def report_page(ctx: SideContext, request: web.Request) -> web.Response:
    """`/report/<DE06_CALENDAR_TOKEN>.docx` (or `.xlsx`, `?loc=` filter words): the progress
    report. Anything but the right token is a 404 — the address must not even confirm that
    a report lives here — logged without the token or the path that carried it."""
    stem, _, extension = request.match_info["name"].rpartition(".")
    if extension not in ("docx", "xlsx") or not _has_token(ctx, stem):
        log.warning("report: refused a request without the right token from %s", request.remote)
        return web.Response(status=404, text="Not Found")
    words = request.query.get("loc", "").split()
    file = await asyncio.to_thread(report_file, ctx.conv, words, extension)
    return web.Response(
        body=file.data,
        content_type=file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.name}"',
            "Cache-Control": "no-store",
        },
    )


ROUTES: tuple[Route, ...] = (
    Route("GET", "/healthz", healthz, "200/503 JSON: index, store, last contact with the platform"),
    Route("GET", "/metrics", metrics_page, "Prometheus text format (bot/metrics.py)"),
    Route("GET", "/calendar/{name}", calendar_feed, "the deadlines as iCalendar, ?q= filters"),
    Route("GET", "/report/{name}", report_page, "the progress report, Word or Excel (token)"),
)


def add_routes(
    app: web.Application, ctx: SideContext, routes: Sequence[Route] = ROUTES
) -> None:
    for route in routes:
        handler = partial(route.handler, ctx)
        if route.method == "GET":
            app.router.add_get(route.path, handler)
        else:
            app.router.add_route(route.method, route.path, handler)


# ----- the server ---------------------------------------------------------------------------


@dataclass
class SideServer:
    """The side server's life: `join` a webhook app on the same address, or `start` alone."""

    listen: Listen
    context: SideContext
    routes: Sequence[Route] = ROUTES
    port: int | None = None  # the bound port, once serving (tests listen on port 0)
    joined: bool = False
    _runner: web.AppRunner | None = field(default=None, repr=False)

    def join(self, app: web.Application, host: str, port: int) -> bool:
        """Add the routes to a webhook server's app when it listens on our address.

        Call before that app's runner is set up (aiohttp freezes the router then).
        """
        if (self.listen.host, self.listen.port) == (host, port) and port != 0:
            add_routes(app, self.context, self.routes)
            self.joined, self.port = True, port
        return self.joined

    async def start(self) -> None:
        if self.joined or self._runner is not None:
            return
        app = web.Application()
        add_routes(app, self.context, self.routes)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.listen.host, self.listen.port).start()
        except OSError as err:
            await runner.cleanup()
            raise ConfigError(
                f"không mở được máy chủ HTTP ở {self.listen} ({err.strerror or err}); "
                f"đổi {LISTEN_VARIABLE} sang một cổng còn trống."
            ) from err
        self._runner = runner
        self.port = runner.addresses[0][1]
        feed = ", /calendar/….ics" if self.context.conv.settings.calendar_token else ""
        log.info("HTTP: /healthz, /metrics%s ở %s (cổng %d)", feed, self.listen.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def side_server(
    conv: Conversation, health: Health, settings: SideSettings | None
) -> SideServer | None:
    """The side server DE06_HTTP_LISTEN asks for, or None when it is not set."""
    if settings is None or settings.listen is None:
        return None
    logsafe.install(conv.settings.calendar_token)  # it is in /report/… addresses
    return SideServer(settings.listen, SideContext(conv, health))
