"""Files whose reading may run an external program (Tesseract, LibreOffice), read in workers.

A scanned page takes seconds to recognise and a .doc seconds to convert; read in the caller,
that time would be spent in the bot's process, beside its event loop and the answers it is
serving. So these files are read in a pool of worker processes, one per core, started from a
fork server (a clean, single-threaded process: forking the serving process, with its
threads, could deadlock the child). Each worker caps Tesseract at one thread, as one thread
per page is faster on a shared machine than several fighting over two cores
(`index/readers/ocr.py`).

A file that fails comes back as its DocumentError, so it is reported by name like any
other; a worker that dies (out of memory, killed) fails only the files it had not finished.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from index.blocks import ReadResult
from index.cache import Cache
from index.errors import DocumentError
from index.models import Document

log = logging.getLogger(__name__)


def read_in_workers(
    files: list[tuple[Path, Path]], cache: Cache | None, workers: int | None = None
) -> Iterator[Document | DocumentError]:
    """Each (path, relative path) read into a Document, or the error naming why it was not."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(files)))
    root = str(cache.root) if cache is not None else None
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=_init_worker, initargs=(root,)
    )
    with pool:
        futures = [(rel, pool.submit(_read, str(path), str(rel))) for path, rel in files]
        for rel, future in futures:
            try:
                read = future.result()
            except BrokenProcessPool:
                yield DocumentError(
                    rel, "tiến trình đọc tệp bị dừng đột ngột (thiếu bộ nhớ?); thử nạp lại"
                )
                continue
            # errors travel as (path, reason): DocumentError's arguments do not pickle back
            yield DocumentError(*read) if isinstance(read, tuple) else read


def read_bytes_in_worker(data: bytes, suffix: str, rel: Path, cache: Cache | None) -> ReadResult:
    """One file's bytes read in a worker (an upload checked before it is saved)."""
    root = str(cache.root) if cache is not None else None
    with ProcessPoolExecutor(
        max_workers=1, mp_context=_context(), initializer=_init_worker, initargs=(root,)
    ) as pool:
        try:
            read = pool.submit(_read_bytes, data, suffix, str(rel)).result()
        except BrokenProcessPool as err:
            raise DocumentError(rel, "tiến trình đọc tệp bị dừng đột ngột; thử lại") from err
    if isinstance(read, tuple):
        raise DocumentError(*read)
    return read


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # The readers imported once in the server, not in every worker (the index compile,
        # index/index_files.py, shares the server and its preload).
        ctx.set_forkserver_preload(["index.ingest", "index.index_files"])
        return ctx
    return multiprocessing.get_context("spawn")


_worker_cache: Cache | None = None


def _init_worker(root: str | None) -> None:
    global _worker_cache
    _worker_cache = Cache(Path(root)) if root else None


def _read_bytes(data: bytes, suffix: str, rel: str) -> ReadResult | tuple[str, str]:
    from index.readers import read_file

    try:
        return read_file(data, suffix, Path(rel), _worker_cache)
    except DocumentError as err:
        return rel, err.reason


def _read(path: str, rel: str) -> Document | tuple[str, str]:
    from index.ingest import read_document

    try:
        return read_document(Path(path), Path(rel), _worker_cache)
    except DocumentError as err:
        return rel, err.reason
    except Exception as err:  # a reader's bug must not stop the reload: name the file
        log.exception("reading %s failed", rel)
        return rel, f"lỗi khi đọc tệp ({type(err).__name__}: {err})"[:200]
