"""The query log: what was asked, whether it was answered, and how people rated it.

Writes go through one background thread so an answer never waits on the disk, and a
locked or read-only store costs log rows a retry, not a failed answer. Chat ids are
stored only as salted hashes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import queue
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from index.store import Store

log = logging.getLogger(__name__)
RETRY_LIMIT = 10_000  # rows kept in memory while the store refuses writes


@dataclass(frozen=True)
class LoggedQuery:
    id: int
    ts: str
    platform: str
    chat_hash: str
    question: str
    answered: bool
    hit_ids: tuple[int, ...]
    latency_ms: float


class QueryLog:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._salt = store.salt()
        self._queue: queue.Queue[tuple[str, tuple] | None] = queue.Queue()
        self._pending: list[tuple[str, tuple]] = []
        # Ids are made here, not by SQLite, so a reply can carry its id for feedback buttons
        # before the row is written.
        self._ids = itertools.count(int(time.time() * 1000) * 1000)
        self._thread = threading.Thread(target=self._run, name="query-log", daemon=True)
        self._thread.start()

    def chat_hash(self, platform: str, chat_id: str) -> str:
        return hashlib.sha256(f"{self._salt}:{platform}:{chat_id}".encode()).hexdigest()[:24]

    def record(
        self,
        platform: str,
        chat_id: str,
        question: str,
        answered: bool,
        hit_ids: tuple[int, ...],
        latency_ms: float,
    ) -> int:
        qid = next(self._ids)
        row = (
            qid,
            datetime.now().isoformat(timespec="seconds"),
            platform,
            self.chat_hash(platform, chat_id),
            question[:2000],
            int(answered),
            json.dumps(list(hit_ids)),
            round(latency_ms, 3),
        )
        self._queue.put(
            (
                "INSERT INTO query_log (id, ts, platform, chat_hash, question, answered,"
                " hit_ids, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        )
        return qid

    def feedback(self, query_id: int, value: int) -> None:
        self._queue.put(("UPDATE query_log SET feedback = ? WHERE id = ?", (value, query_id)))

    def admin_attempt(self, platform: str, user_id: str, command: str, allowed: bool) -> None:
        row = (
            datetime.now().isoformat(timespec="seconds"),
            platform,
            user_id,
            command,
            int(allowed),
        )
        self._queue.put(
            (
                "INSERT INTO admin_log (ts, platform, user_id, command, allowed)"
                " VALUES (?, ?, ?, ?, ?)",
                row,
            )
        )

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is written (or kept for retry)."""
        done = threading.Event()
        self._queue.put(("__flush__", (done,)))
        return done.wait(timeout)

    def close(self) -> None:
        self.flush()
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        """The writer loop; it must never die, or every later row would be lost silently."""
        while True:
            try:
                if not self._step():
                    return
            except Exception:  # noqa: BLE001 - keep logging whatever one batch did
                log.exception("query log writer: unexpected error, continuing")

    def _step(self) -> bool:
        """Handle one queue item (and whatever else is waiting); False when closed."""
        item = self._queue.get()
        if item is None:
            return False
        if item[0] == "__flush__":
            try:
                self._write_pending()
            finally:
                item[1][0].set()
            return True
        self._pending.append(item)
        while not self._queue.empty() and len(self._pending) < 500:
            nxt = self._queue.get()
            if nxt is None or nxt[0] == "__flush__":
                self._queue.put(nxt)  # handle it after this batch
                break
            self._pending.append(nxt)
        self._write_pending()
        return True

    def _write_pending(self) -> None:
        if not self._pending:
            return
        db = self._store.db()
        try:
            with db.conn:
                for sql, params in self._pending:
                    db.execute(sql, params)
        except sqlite3.Error as err:
            if not _store_unavailable(err):
                self._write_one_by_one()
                return
            log.error("query log not written (%d rows kept for retry): %s", len(self._pending), err)
            if len(self._pending) > RETRY_LIMIT:
                dropped = len(self._pending) - RETRY_LIMIT
                log.error("query log: dropping %d oldest rows, store refuses writes", dropped)
                del self._pending[:dropped]
            return
        except (OverflowError, ValueError):
            self._write_one_by_one()
            return
        self._pending.clear()

    def _write_one_by_one(self) -> None:
        """A batch failed for a reason other than the store being unavailable: a bad row.

        Write the rows one by one and drop (and log) only those that fail, so one bad row
        cannot hold every later one hostage.
        """
        db = self._store.db()
        for sql, params in self._pending:
            try:
                with db.conn:
                    db.execute(sql, params)
            except (sqlite3.Error, OverflowError, ValueError) as err:
                log.error("query log: dropping a row that cannot be written: %s", err)
        self._pending.clear()


def _store_unavailable(err: sqlite3.Error) -> bool:
    """Locked, busy, read-only or full: worth retrying later, unlike a bad row."""
    text = str(err).lower()
    return any(w in text for w in ("locked", "busy", "readonly", "read-only", "disk", "unable"))
