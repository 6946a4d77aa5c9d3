"""Give memory freed by a reload back to the operating system.

A reload allocates and frees hundreds of megabytes (documents, their analysis, the old
index). glibc keeps freed heap pages for later use, so without this the bot serves with
the reload's high-water mark as its resident size for the rest of its life.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging

log = logging.getLogger(__name__)


def _trim():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc.malloc_trim if libc is not None else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim with
        return None


_MALLOC_TRIM = _trim()


def release_free_memory() -> bool:
    """Collect garbage and return free heap pages to the OS; False where that is unknown."""
    gc.collect()
    if _MALLOC_TRIM is None:
        return False
    _MALLOC_TRIM(0)
    return True
