"""The compiled BM25 matrix on disk: built once per store generation, memory-mapped to serve.

Compiling 100k passages takes a second and a few hundred megabytes of temporaries, and a
reload must keep serving from the old matrix meanwhile. So the compile runs in a child
process that writes plain .npy files under `var/index/g<generation>/`, and the serving
process maps them read-only: the old and new matrices then cost the pages questions touch,
not two full copies, and a restart with an unchanged store maps the files in milliseconds.
A directory appears under its final name only once complete (written aside, renamed).
"""

from __future__ import annotations

import json
import multiprocessing
import resource
import shutil
import sqlite3
import time
from pathlib import Path

import numpy as np
from scipy import sparse

from index.bm25 import CompiledBM25, compile_by_passage
from index.errors import StoreError

ARRAYS = ("indptr", "indices", "data", "idf", "ids")


def directory_for(store_path: Path, generation: str) -> Path:
    return store_path.parent / "index" / f"g{generation}"


def load(store_path: Path) -> tuple[CompiledBM25, np.ndarray, str]:
    """The matrix of the store's current generation (compiled first if needed), mapped."""
    generation = _generation(store_path)
    directory = directory_for(store_path, generation)
    if not (directory / "complete").exists():
        _compile_in_child(store_path, directory)
    arrays = {name: np.load(directory / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
    n_terms, n_passages = len(arrays["idf"]), len(arrays["ids"])
    matrix = sparse.csr_matrix(
        (arrays["data"], arrays["indices"], arrays["indptr"]),
        shape=(n_terms, n_passages),
        copy=False,
    )
    matrix.has_sorted_indices = True
    return CompiledBM25(matrix, np.asarray(arrays["idf"])), arrays["ids"], generation


def remove_other_generations(store_path: Path, keep: str) -> None:
    """Old matrices stay valid for whoever still maps them (POSIX), so deleting is safe."""
    root = store_path.parent / "index"
    for path in root.glob("g*") if root.exists() else []:
        if path.name != f"g{keep}":
            shutil.rmtree(path, ignore_errors=True)


def _generation(store_path: Path) -> str:
    with sqlite3.connect(f"file:{store_path}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return row[0] if row else "0"


def _context() -> multiprocessing.context.BaseContext:
    """A fork server (clean, single-threaded, numpy already imported) where available:
    forking the serving process itself, with its threads, could deadlock the child."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["index.index_files"])
        return ctx
    return multiprocessing.get_context("spawn")


def _compile_in_child(store_path: Path, directory: Path) -> None:
    child = _context().Process(
        target=compile_to_disk, args=(str(store_path), str(directory)), name="de06-compile"
    )
    child.start()
    child.join()
    if child.exitcode != 0 or not (directory / "complete").exists():
        raise StoreError(
            f"không dựng được chỉ mục tìm kiếm (tiến trình con thoát với mã {child.exitcode}); "
            "xem nhật ký lỗi, rồi thử /reload"
        )


def compile_to_disk(store_path: str, directory: str) -> None:
    """Child process: read one consistent snapshot of the store, write the matrix files.

    Also writes compile.json (its own peak memory and time), for operators and `make bench`.
    """
    started = time.perf_counter()
    target = Path(directory)
    partial = target.with_name(target.name + ".part")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    conn = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    try:
        conn.execute("BEGIN")
        n_terms = conn.execute("SELECT coalesce(max(id), -1) + 1 FROM terms").fetchone()[0]
        n, total = conn.execute(
            "SELECT count(*), coalesce(sum(length(terms)), 0) FROM passages"
        ).fetchone()
        ids = np.empty(n, dtype=np.int64)
        lengths = np.empty(n, dtype=np.float64)
        model = compile_by_passage(_stored_counts(conn, n_terms, total // 8, ids, lengths), lengths)
    finally:
        conn.close()
    matrix = model.matrix
    for name, array in (
        ("indptr", matrix.indptr), ("indices", matrix.indices), ("data", matrix.data),
        ("idf", model.idf), ("ids", ids),
    ):  # fmt: skip
        np.save(partial / f"{name}.npy", array)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    stats = {"peak_rss_mb": round(peak_mb, 1), "seconds": round(time.perf_counter() - started, 3)}
    (partial / "compile.json").write_text(json.dumps(stats) + "\n")
    (partial / "complete").write_text("ok\n")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)


def _stored_counts(
    conn: sqlite3.Connection, n_terms: int, n_postings: int, ids: np.ndarray, lengths: np.ndarray
) -> sparse.csr_matrix:
    """Passage × term counts, filled blob by blob into preallocated int32 arrays.

    Collecting 100k numpy views and concatenating them (then splitting the pairs)
    tripled the memory this needs. Fills `ids` and `lengths` (BM25's |D|) per passage.
    """
    terms = np.empty(n_postings, dtype=np.int32)
    counts = np.empty(n_postings, dtype=np.int32)
    indptr = np.zeros(len(ids) + 1, dtype=np.int32 if n_postings < 2**31 else np.int64)
    at = 0
    rows = conn.execute("SELECT id, n_terms, terms FROM passages ORDER BY id")
    for i, (pid, n_terms_in, blob) in enumerate(rows):
        pairs = np.frombuffer(blob, dtype=np.int32)
        size = len(pairs) // 2
        terms[at : at + size] = pairs[0::2]
        counts[at : at + size] = pairs[1::2]
        at += size
        ids[i], lengths[i], indptr[i + 1] = pid, n_terms_in, at
    return sparse.csr_matrix((counts, terms, indptr), shape=(len(ids), n_terms), copy=False)
