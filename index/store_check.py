"""Can the store be written, and is it sound? Asked by /healthz and by `de06 doctor`.

Each probe opens its own short-lived connection, so it sees what a fresh start would see
(a volume remounted read-only, a file made immutable, a folder without write permission),
not what a connection opened an hour ago still gets away with.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

PROBE_TIMEOUT = 0.25  # seconds to wait for another writer before calling the store busy
_BUSY_WORDS = ("locked", "busy")


@dataclass(frozen=True)
class Writability:
    writable: bool
    busy: bool = False  # another writer (a reload, a backup) holds the lock: not a failure
    reason: str = ""


def probe_writable(path: Path, timeout: float = PROBE_TIMEOUT) -> Writability:
    """Start a write transaction, make a change, roll it back: nothing reaches the disk.

    SQLite opens a file it may not write read-only without complaint, and only the first
    change says so; taking the lock alone would pass on a read-only store.
    """
    if not path.is_file():
        return Writability(False, reason=f"không thấy tệp kho dữ liệu {path}")
    try:
        conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    except sqlite3.Error as err:
        return Writability(False, reason=str(err))
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('write_probe', '1')")
        conn.execute("ROLLBACK")
    except sqlite3.Error as err:
        text = str(err)
        if any(word in text.lower() for word in _BUSY_WORDS):
            return Writability(True, busy=True, reason=text)
        return Writability(False, reason=text)
    finally:
        conn.close()
    return Writability(True)


def integrity(path: Path) -> str:
    """"ok", or the first problem SQLite's integrity check reports (read-only, no lock)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as err:
        return str(err)
    try:
        row = conn.execute("PRAGMA integrity_check(1)").fetchone()
    except sqlite3.DatabaseError as err:  # too damaged to even run the check
        return str(err)
    finally:
        conn.close()
    return str(row[0]) if row else "no answer"
