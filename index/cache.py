"""Results of slow, external work (OCR, LibreOffice conversion), kept by the content they came from.

An unchanged file is normally not even read at reload (its size and time match the store),
but the same bytes come back in other ways: a store rebuilt from scratch, new word lists that
make every document be read again, a file copied or touched. Recognising a 20-page scan costs
a minute; looking it up here costs a file read. Entries are keyed by a hash of the input bytes
and of everything that changes the output (the tool's version, its settings), written
atomically (two reloads, or two worker processes, may write the same entry), and never need
invalidating: a different input or setting is a different key.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def content_key(data: bytes, *settings: str) -> str:
    """The cache key of `data` processed with `settings` (tool version, language, resolution…)."""
    digest = hashlib.sha256(data)
    for part in settings:
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


class Cache:
    """A folder of entries, one file per key, grouped by kind ("ocr", "convert")."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, kind: str, key: str, suffix: str = "") -> Path:
        return self.root / kind / key[:2] / f"{key}{suffix}"

    def get(self, kind: str, key: str, suffix: str = "") -> bytes | None:
        try:
            return self.path(kind, key, suffix).read_bytes()
        except OSError:
            return None

    def put(self, kind: str, key: str, data: bytes, suffix: str = "") -> None:
        """Write the entry whole or not at all; a cache that cannot be written only costs time."""
        target = self.path(kind, key, suffix)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target)
        except OSError:
            return

    def lock_path(self, name: str) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root / f"{name}.lock"


def cache_for_store(store_path: Path) -> Cache:
    """The cache beside a store: var/de06.sqlite → var/cache/."""
    return Cache(Path(store_path).parent / "cache")
