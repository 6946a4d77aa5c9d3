"""Received chat messages in the store, so a restart answers each one exactly once.

For platforms that identify messages but keep no delivery offset (Zalo's getUpdates hands
an update over once and forgets it; its webhook may post one twice), the adapter records a
message here *before* answering and marks it handled *after* sending. At start-up the
messages recorded but never handled are answered; a message whose id is already here is a
redelivery and is dropped. Ids are kept for `KEEP_SECONDS`.

The message itself (chat id, text) is needed only to answer after a crash: it is cleared as
soon as the message is handled, so the chat id stays in the store only while a message waits.

The store may be locked for a while by a reload's write transaction. Answers must not wait
for it, so every call waits at most `BUSY_TIMEOUT`, then reports "unknown" (None) and skips
the store for `BUSY_PAUSE`; marks that could not be written are retried on the next call.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlite_utils

from index.store import connect

log = logging.getLogger(__name__)

TABLE = "inbox"
KEEP_SECONDS = 24 * 3600
BUSY_TIMEOUT = 0.25  # seconds a call may wait for another writer
BUSY_PAUSE = 2.0  # seconds the store is left alone after it was found locked
PRUNE_EVERY = 3600.0


def ensure_table(db: sqlite_utils.Database) -> None:
    """Create the table if missing; safe at every start."""
    db[TABLE].create(
        {
            "platform": str,
            "message_id": str,
            "received_at": float,
            "handled_at": float,
            "payload": str,
        },
        pk=("platform", "message_id"),
        if_not_exists=True,
    )
    db[TABLE].create_index(["received_at"], if_not_exists=True)


class Inbox:
    """One platform's received messages; thread-safe, never raises on a busy store."""

    def __init__(self, path: Path, platform: str, *, clock=time.time) -> None:
        self.platform = platform
        self._path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._db: sqlite_utils.Database | None = None
        self._paused_until = 0.0
        self._last_prune = 0.0
        self._unmarked: set[str] = set()  # handled, but the store refused the mark so far

    # -- the three moments of a message ------------------------------------------------------

    def record(self, message_id: str, payload: Mapping[str, Any]) -> bool | None:
        """True: new, recorded. False: already here (a redelivery). None: store unavailable."""
        now = self._clock()
        text = json.dumps(payload, ensure_ascii=False)

        def write(db: sqlite_utils.Database) -> bool:
            cur = db.execute(
                f"INSERT OR IGNORE INTO {TABLE} (platform, message_id, received_at, payload) "
                "VALUES (?, ?, ?, ?)",
                [self.platform, message_id, now, text],
            )
            return cur.rowcount == 1

        fresh = self._write(write)
        if fresh is not None and now - self._last_prune > PRUNE_EVERY:
            self.prune()
        return fresh

    def handled(self, message_id: str) -> None:
        """The message was answered (or given up on): forget its content, keep its id."""
        with self._lock:
            self._unmarked.add(message_id)
        self.flush()

    def flush(self) -> bool:
        """Write the marks the store refused so far; False when it still refuses."""
        return self._write(lambda db: True) is not None

    def unanswered(self) -> list[Mapping[str, Any]]:
        """Payloads of the messages recorded but not handled, oldest first."""
        since = self._clock() - KEEP_SECONDS

        def read(db: sqlite_utils.Database) -> list[Mapping[str, Any]]:
            rows = db.execute(
                f"SELECT message_id, payload FROM {TABLE} WHERE platform = ? AND "
                "handled_at IS NULL AND received_at >= ? ORDER BY received_at, rowid",
                [self.platform, since],
            ).fetchall()
            out, broken = [], []
            for message_id, payload in rows:
                try:
                    value = json.loads(payload or "null")
                except ValueError:
                    value = None
                if isinstance(value, Mapping):
                    out.append(value)
                else:
                    log.warning("inbox: tin %s lưu hỏng, bỏ qua", message_id)
                    broken.append(message_id)
            self._mark(db, broken)
            return out

        return self._write(read) or []

    def prune(self) -> int | None:
        """Drop ids older than KEEP_SECONDS; unanswered ones that old are logged, not answered."""
        cutoff = self._clock() - KEEP_SECONDS

        def delete(db: sqlite_utils.Database) -> int:
            stale = db.execute(
                f"SELECT count(*) FROM {TABLE} WHERE platform = ? AND received_at < ? "
                "AND handled_at IS NULL",
                [self.platform, cutoff],
            ).fetchone()[0]
            if stale:
                log.warning("inbox: %d tin nhận quá 24 giờ mà chưa trả lời được, bỏ", stale)
            cur = db.execute(
                f"DELETE FROM {TABLE} WHERE platform = ? AND received_at < ?",
                [self.platform, cutoff],
            )
            return cur.rowcount

        removed = self._write(delete)
        if removed is not None:
            self._last_prune = self._clock()
        return removed

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.conn.close()
                self._db = None

    # -- the store ---------------------------------------------------------------------------

    def _write(self, action):
        """Run `action` in one transaction, with pending marks first; None when unavailable."""
        with self._lock:
            if self._clock() < self._paused_until:
                return None
            marks = sorted(self._unmarked)
            try:
                db = self._connection()
                with db.conn:
                    db.execute("BEGIN IMMEDIATE")  # a read first could not become a write
                    self._mark(db, marks)
                    result = action(db)
            except sqlite3.Error as err:
                self._paused_until = self._clock() + BUSY_PAUSE
                log.warning("inbox: kho dữ liệu đang bận hoặc không ghi được (%s)", err)
                return None
            self._unmarked.difference_update(marks)
            return result

    def _mark(self, db: sqlite_utils.Database, message_ids: list[str]) -> None:
        if message_ids:
            db.conn.executemany(
                f"UPDATE {TABLE} SET handled_at = ?, payload = NULL "
                "WHERE platform = ? AND message_id = ?",
                [(self._clock(), self.platform, m) for m in message_ids],
            )

    def _connection(self) -> sqlite_utils.Database:
        if self._db is None:
            db = connect(self._path, timeout=BUSY_TIMEOUT)
            db.execute("PRAGMA secure_delete = ON")  # cleared payloads are overwritten
            ensure_table(db)
            self._db = db
        return self._db
