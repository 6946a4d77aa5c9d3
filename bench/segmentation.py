"""Segmentation throughput on one core: pyvi against index.vitokenizer, same run, same text.

The text is the benchmark corpus as the index segments it (passages normalised, lower
case, abbreviations expanded, one line at a time). pyvi and vitokenizer take turns, round
after round, so a machine that slows down slows both; the figures are medians, the
ratios the medians of each round's ratio. vitokenizer is timed three ways: in batches as
a reload calls it, line by line as questions call it, and once with empty caches (a
fresh reload worker). Its output is checked to be pyvi's before anything is timed.
"""

from __future__ import annotations

import resource
import statistics
import time
from pathlib import Path

from index import vitokenizer
from index.ingest import scan
from index.lexicon import load_lexicon
from index.normalize import match_form
from index.passages import passages_from_units
from index.segment import Analyzer

ROUNDS = 5
SAMPLE_CHARS = 1_500_000  # ~3 s of pyvi per round
BATCH_LINES = 2_000  # about what one reload batch of documents holds


def corpus_lines(kb_dir: Path, max_chars: int = SAMPLE_CHARS) -> list[str]:
    """The first lines of the corpus, in document order, as the index hands them to pyvi."""
    analyzer = Analyzer(load_lexicon(kb_dir))
    lines: list[str] = []
    total = 0
    for doc in scan(kb_dir).documents:
        for p in passages_from_units(doc.doc_id, doc.units, doc.title)[1]:
            for text in filter(None, (p.text, p.context)):
                for line in analyzer.expand(match_form(text)).split("\n"):
                    if line.strip():
                        lines.append(line)
                        total += len(line)
                        if total >= max_chars:
                            return lines
    return lines


def _rss_mb() -> float:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def _seconds(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure_segmentation(kb_dir: Path, rounds: int = ROUNDS) -> dict:
    lines = corpus_lines(kb_dir)
    chars = sum(map(len, lines))
    rss_before = _rss_mb()
    load_s = _seconds(lambda: vitokenizer.Segmenter(vitokenizer.load_model()))
    ours = vitokenizer.Segmenter(vitokenizer.load_model())

    def batches() -> list[str]:
        out: list[str] = []
        for i in range(0, len(lines), BATCH_LINES):
            out += ours.tokenize_many(lines[i : i + BATCH_LINES])
        return out

    first_s = _seconds(batches)  # empty caches, as in a new reload worker
    arrays_mb = ours.nbytes() / 2**20
    rss_mb = _rss_mb() - rss_before
    pyvi_import_s = _seconds(lambda: __import__("pyvi.ViTokenizer"))
    from pyvi import ViTokenizer

    expected = [ViTokenizer.tokenize(t) for t in lines]
    if batches() != expected or [ours.tokenize_many([t])[0] for t in lines] != expected:
        raise AssertionError("vitokenizer's output differs from pyvi's on the benchmark corpus")
    pyvi_s, batch_s, line_s = [], [], []
    for _ in range(rounds):
        pyvi_s.append(_seconds(lambda: [ViTokenizer.tokenize(t) for t in lines]))
        batch_s.append(_seconds(batches))
        line_s.append(_seconds(lambda: [ours.tokenize_many([t]) for t in lines]))
    return {
        "lines": len(lines), "chars": chars, "rounds": rounds,
        "pyvi_chars_per_s": chars / statistics.median(pyvi_s),
        "batch_chars_per_s": chars / statistics.median(batch_s),
        "line_chars_per_s": chars / statistics.median(line_s),
        "first_pass_chars_per_s": chars / first_s,
        "batch_speedup": statistics.median(p / b for p, b in zip(pyvi_s, batch_s, strict=True)),
        "line_speedup": statistics.median(p / q for p, q in zip(pyvi_s, line_s, strict=True)),
        "first_pass_speedup": statistics.median(pyvi_s) / first_s,
        "load_s": load_s, "pyvi_import_s": pyvi_import_s,
        "arrays_mb": arrays_mb, "rss_mb": rss_mb,
    }  # fmt: skip
