"""The /healthz verdict from the facts adapters report (pure: times are given, not waited)."""

from __future__ import annotations

from bot.health import POLLING, WEBHOOK, Health, Knowledge, evaluate
from index.store_check import Writability

KNOWLEDGE = Knowledge(generation="7", documents=5, passages=67, deadlines=12)
WRITABLE = Writability(True)


def health(mode: str = POLLING, started: float = 1000.0) -> Health:
    return Health("zalo", mode, stale_after=300.0, started=started)


def test_a_fresh_start_is_healthy_before_the_first_poll_returns():
    verdict = evaluate(health(), KNOWLEDGE, WRITABLE, now=1010.0)
    assert (verdict.status, verdict.body["status"]) == (200, "ok")
    assert verdict.body["seconds_since_contact"] is None


def test_polling_that_never_succeeded_fails_after_the_limit():
    verdict = evaluate(health(), KNOWLEDGE, WRITABLE, now=1301.0)
    assert verdict.status == 503
    assert verdict.failing == ("polling",)
    assert "chưa lần nào" in verdict.body["reasons"]["polling"]


def test_polling_fails_when_the_last_success_is_older_than_the_limit():
    h = health()
    h.last_contact = 1100.0
    assert evaluate(h, KNOWLEDGE, WRITABLE, now=1399.0).ok
    late = evaluate(h, KNOWLEDGE, WRITABLE, now=1401.0)
    assert late.failing == ("polling",)
    assert late.body["seconds_since_contact"] == 301.0


def test_a_webhook_nobody_calls_stays_healthy():
    assert evaluate(health(WEBHOOK), KNOWLEDGE, WRITABLE, now=99_999.0).ok


def test_a_store_that_refuses_writes_fails_with_its_reason():
    refused = Writability(False, reason="attempt to write a readonly database")
    verdict = evaluate(health(), KNOWLEDGE, refused, now=1001.0)
    assert verdict.failing == ("store_writable",)
    assert "readonly" in verdict.body["reasons"]["store_writable"]


def test_a_store_busy_with_a_reload_is_not_a_failure():
    busy = Writability(True, busy=True, reason="database is locked")
    verdict = evaluate(health(), KNOWLEDGE, busy, now=1001.0)
    assert verdict.ok and verdict.body["store_busy"] is True


def test_every_failing_check_is_named():
    verdict = evaluate(health(), KNOWLEDGE, Writability(False, reason="disk I/O error"), 2000.0)
    assert verdict.failing == ("polling", "store_writable")
    assert verdict.body["failing"] == ["polling", "store_writable"]


def test_the_verdict_reports_the_index_figures():
    body = evaluate(health(), KNOWLEDGE, WRITABLE, now=1001.0).body
    assert (body["index_generation"], body["documents"], body["passages"], body["deadlines"]) == (
        "7", 5, 67, 12,
    )  # fmt: skip
