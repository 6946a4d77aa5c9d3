"""Keep bot tokens out of logs, whichever library logs them and whichever handler prints them.

Telegram puts the token in every API URL and httpx logs request URLs at INFO; a traceback of
a failed request repeats the URL. A `logging.Filter` attached to one logger misses records of
its children, and one attached to handlers misses handlers added later (pytest's caplog, a
file handler an operator configures), so `install` redacts every record as it is created.
"""

from __future__ import annotations

import logging
import threading

MASK = "[REDACTED]"

_QUIET = ("httpx", "httpcore")

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False


def redact(text: str, secrets: set[str] | None = None) -> str:
    for secret in sorted(_secrets if secrets is None else secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return text


class RedactSecrets(logging.Filter):
    """Rewrite a record's message and traceback with every registered secret masked.

    Also usable on its own (`handler.addFilter(RedactSecrets({token}))`); installed through
    `install` it applies to all records of the process.
    """

    def __init__(self, secrets: set[str] | None = None) -> None:
        super().__init__()
        self._own = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _secrets if self._own is None else self._own
        if not secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what we can show safely
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message, secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True


def install(*secrets: str) -> None:
    """Register secrets to mask in every log record from now on; idempotent, thread-safe.

    Also lowers httpx/httpcore to WARNING so request URLs are not logged in the first place.
    """
    global _installed
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    with _lock:
        _secrets.update(s for s in secrets if s)
        if _installed:
            return
        _installed = True
        previous = logging.getLogRecordFactory()
        redactor = RedactSecrets()

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            redactor.filter(record)
            return record

        logging.setLogRecordFactory(factory)
