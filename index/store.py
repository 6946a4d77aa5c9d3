"""The one SQLite file: documents, passages with their analysed terms, and the query log.

Opened with sqlite-utils in WAL mode so questions are answered (read) while a reload
writes; every reload commits in a single transaction, so a crash mid-reload leaves the
last complete knowledge base in place.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from pathlib import Path

import sqlite_utils

from index.errors import StoreError

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, path TEXT, title TEXT, date TEXT, source TEXT, url TEXT,
    content_hash TEXT, n_passages INTEGER, loaded_at TEXT, size INTEGER, mtime_ns INTEGER
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT NOT NULL, ordinal INTEGER,
    start INTEGER, "end" INTEGER, text TEXT, n_terms INTEGER, terms BLOB,
    section TEXT DEFAULT '', reference TEXT DEFAULT '', context TEXT DEFAULT '',
    ocr INTEGER DEFAULT 0, joins TEXT
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages (doc_id);
CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, term TEXT UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS learned_abbreviations (doc_id TEXT NOT NULL, short TEXT, long TEXT);
CREATE INDEX IF NOT EXISTS learned_abbreviations_doc ON learned_abbreviations (doc_id);
CREATE TABLE IF NOT EXISTS query_log (
    id INTEGER PRIMARY KEY, ts TEXT, platform TEXT, chat_hash TEXT, question TEXT,
    answered INTEGER, hit_ids TEXT, latency_ms REAL, feedback INTEGER
);
CREATE INDEX IF NOT EXISTS query_log_ts ON query_log (ts);
CREATE TABLE IF NOT EXISTS admin_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT, platform TEXT, user_id TEXT,
    command TEXT, allowed INTEGER
);
"""


def connect(path: Path, *, timeout: float = 5.0) -> sqlite_utils.Database:
    """A sqlite-utils Database on its own connection, WAL mode, waiting on locks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error as err:
        raise StoreError(f"không mở được kho dữ liệu {path}: {err}") from err
    return db


class Store:
    """Per-thread connections to one store file; the schema is ensured once."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        db = self.db()
        try:
            db.executescript(SCHEMA)
        except sqlite3.Error as err:
            raise StoreError(f"không tạo được bảng trong {self.path}: {err}") from err
        _add_missing_columns(db)
        from index import deadline_store, progress

        deadline_store.ensure_tables(db)
        progress.ensure_tables(db)

    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.path)
            self._local.db = db
        return db

    def meta(self, key: str, default: str = "") -> str:
        row = self.db().execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db().execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    def salt(self) -> str:
        """Per-install salt for hashing chat ids in the query log; created once."""
        value = self.meta("salt")
        if not value:
            value = secrets.token_hex(16)
            with self.db().conn:
                self.db().execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?)", [value]
                )
            value = self.meta("salt")
        return value

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None


def _add_missing_columns(db: sqlite_utils.Database) -> None:
    """Stores made by an earlier version get the columns added since (values unknown)."""
    have = set(db["documents"].columns_dict)
    for name in ("size", "mtime_ns"):
        if name not in have:
            db.execute(f"ALTER TABLE documents ADD COLUMN {name} INTEGER")
    have = set(db["passages"].columns_dict)
    for name in ("section", "reference", "context"):
        if name not in have:
            db.execute(f"ALTER TABLE passages ADD COLUMN {name} TEXT DEFAULT ''")
    if "ocr" not in have:  # read from a scanned page
        db.execute("ALTER TABLE passages ADD COLUMN ocr INTEGER DEFAULT 0")
    if "joins" not in have:
        db.execute("ALTER TABLE passages ADD COLUMN joins TEXT")
