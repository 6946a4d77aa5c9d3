"""Prometheus metrics: what the IT officer's Grafana shows about the running bot.

The registry is this module's own, not prometheus-client's global default, so nothing a
library registers there leaks into `/metrics` and tests can read exact values. The core and
the adapters call the plain functions below; only `bot/platforms/http.py` renders the page.

Labels carry a platform name or an outcome, never a chat id, a user id or question text:
those would leak personal data and give Prometheus one time series per official.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder

from bot.models import Reply, ReplyKind

REGISTRY = CollectorRegistry(auto_describe=True)
PLATFORMS = ("console", "telegram", "zalo")
OUTCOMES = ("answered", "related", "refused", "error")

# A question's outcome from the kind of reply the core gave. INFO (an empty question gets a
# hint) and IGNORED (group chatter) are not questions answered or refused: not counted.
_OUTCOME = {
    ReplyKind.ANSWER: "answered",
    ReplyKind.RELATED: "related",
    ReplyKind.NOT_FOUND: "refused",  # nothing relevant: the assistant says so, never invents
    ReplyKind.REFUSED: "refused",  # over the per-user question limit
    ReplyKind.ERROR: "error",
}

QUESTIONS = Counter(
    "de06_questions",
    "Questions handled by the core, by platform and outcome (answered, related, refused, error)",
    ["platform", "outcome"],
    registry=REGISTRY,
)
ANSWER_SECONDS = Histogram(
    "de06_answer_seconds",
    "Time the core took to answer a question (search, snippets, deadlines), in seconds",
    ["platform"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
RELOADS = Counter(
    "de06_reloads", "Knowledge-base reloads, by outcome (ok, failed)", ["outcome"],
    registry=REGISTRY,
)  # fmt: skip
RELOAD_SECONDS = Histogram(
    "de06_reload_seconds",
    "Duration of knowledge-base reloads, in seconds",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0),
    registry=REGISTRY,
)
DOCUMENTS = Gauge("de06_documents", "Documents in the served index", registry=REGISTRY)
PASSAGES = Gauge("de06_passages", "Passages in the served index", registry=REGISTRY)
DEADLINES = Gauge("de06_deadlines", "Deadlines known to the served index", registry=REGISTRY)
GENERATION = Gauge("de06_index_generation", "Store generation being served", registry=REGISTRY)
MESSAGES_SENT = Counter(
    "de06_messages_sent", "Messages the bot delivered to a chat platform", ["platform"],
    registry=REGISTRY,
)  # fmt: skip
SEND_FAILURES = Counter(
    "de06_send_failures",
    "Messages given up on after every retry (blocked chat, platform down)",
    ["platform"],
    registry=REGISTRY,
)
REMINDERS_SENT = Counter(
    "de06_reminders_sent", "Deadline reminders delivered to subscribed chats", registry=REGISTRY
)
CONTACT_AGE = Gauge(
    "de06_platform_contact_age_seconds",
    "Seconds since the last successful poll or webhook call (-1: none yet)",
    registry=REGISTRY,
)

for _platform in PLATFORMS:  # every series exists from the start: rates work from zero
    for _outcome in OUTCOMES:
        QUESTIONS.labels(_platform, _outcome)
    ANSWER_SECONDS.labels(_platform)
    MESSAGES_SENT.labels(_platform)
    SEND_FAILURES.labels(_platform)
for _outcome in ("ok", "failed"):
    RELOADS.labels(_outcome)


def outcome(kind: ReplyKind) -> str | None:
    """The metric outcome of a reply to a question; None for replies that are not answers."""
    return _OUTCOME.get(kind)


def question(platform: str, kind: ReplyKind, seconds: float) -> None:
    name = outcome(kind)
    if name is None:
        return
    QUESTIONS.labels(platform, name).inc()
    ANSWER_SECONDS.labels(platform).observe(seconds)


@contextmanager
def answering(platform: str) -> Iterator[Callable[[Reply], Reply]]:
    """Time one question; the block hands its reply to the yielded function.

    A question whose handling raises is counted as an error (the adapter apologises).
    """
    started = time.perf_counter()
    kinds: list[ReplyKind] = []

    def record(reply: Reply) -> Reply:
        kinds.append(reply.kind)
        return reply

    try:
        yield record
    except Exception:
        question(platform, ReplyKind.ERROR, time.perf_counter() - started)
        raise
    if kinds:
        question(platform, kinds[-1], time.perf_counter() - started)


def reload_finished(seconds: float, ok: bool) -> None:
    RELOADS.labels("ok" if ok else "failed").inc()
    RELOAD_SECONDS.observe(seconds)


def knowledge(documents: int, passages: int, deadlines: int, generation: str) -> None:
    DOCUMENTS.set(documents)
    PASSAGES.set(passages)
    DEADLINES.set(deadlines)
    GENERATION.set(int(generation) if generation.isdigit() else 0)


def contact_age(seconds: float | None) -> None:
    CONTACT_AGE.set(-1 if seconds is None else seconds)


def message_sent(platform: str, count: int = 1) -> None:
    MESSAGES_SENT.labels(platform).inc(count)


def send_failed(platform: str) -> None:
    SEND_FAILURES.labels(platform).inc()


def reminder_sent() -> None:
    REMINDERS_SENT.inc()


def value(name: str, **labels: str) -> float:
    """One sample's current value (0 when absent): for tests and `de06 doctor`."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def exposition(accept: str = "") -> tuple[bytes, str]:
    """The page and its content type, in the format the scraper's Accept header asks for
    (Prometheus text 0.0.4 unless it asks for OpenMetrics or text 1.0.0)."""
    encode, content_type = choose_encoder(accept)
    return encode(REGISTRY), content_type
