"""Make files and folders really read-only for a test, even when the tests run as root.

Root ignores permission bits, so for root the files are made immutable (`chattr +i`), which
stops root too, exactly as a volume remounted read-only would; other users get `chmod a-w`.
Everything is restored afterwards, or pytest could not delete its temporary folders.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    done: list[Path] = []
    root = os.geteuid() == 0
    modes = {p: p.stat().st_mode for p in paths}
    try:
        for path in paths:
            if root:
                _chattr("+i", path)
            else:
                path.chmod(stat.S_IMODE(modes[path]) & ~0o222)
            done.append(path)
        yield
    finally:
        for path in reversed(done):
            if root:
                _chattr("-i", path)
            else:
                path.chmod(stat.S_IMODE(modes[path]))


def _chattr(flag: str, path: Path) -> None:
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a file read-only for root")
    result = subprocess.run(["chattr", flag, str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"this file system cannot make files immutable: {result.stderr.strip()}")
