"""Secrets never reach a log line, whatever logger or handler is involved."""

from __future__ import annotations

import logging

import pytest

from bot import logsafe

SECRET = "987654321:AAlogsafeSecretToken_abcdefghijklmnop"


def test_token_in_a_formatted_message_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    logsafe.install(SECRET)
    logging.getLogger("telegram.ext.Updater").warning("POST https://api/bot%s/getMe", SECRET)
    assert SECRET not in caplog.text
    assert logsafe.MASK in caplog.text


def test_token_in_a_traceback_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    logsafe.install(SECRET)
    try:
        raise RuntimeError(f"Client error for url 'https://api.telegram.org/bot{SECRET}/getMe'")
    except RuntimeError:
        logging.getLogger("some.library").exception("request failed")
    assert "request failed" in caplog.text
    assert SECRET not in caplog.text


def test_httpx_request_lines_are_not_logged_at_info() -> None:
    logsafe.install(SECRET)
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    assert not logging.getLogger("httpcore").isEnabledFor(logging.INFO)


def test_filter_can_be_attached_to_a_handler_on_its_own() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token=%s", ("s3cr3t",), None)
    logsafe.RedactSecrets({"s3cr3t"}).filter(record)
    assert record.getMessage() == f"token={logsafe.MASK}"
