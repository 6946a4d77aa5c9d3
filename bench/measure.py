"""The measurements themselves, one knowledge-base size per call, meant for a fresh process.

Each size runs in its own process (see `bench.run`) so the peak RSS is that size's alone,
and the naive baselines run in yet others: rank-bm25 keeps a Python dict per passage,
which would otherwise dwarf the figure being measured.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from bench.questions import generate_questions
from bench.synth import edit_share, generate
from bot.core import Conversation, Settings
from bot.models import Incoming, ReplyKind
from index.ingest import scan
from index.lexicon import load_lexicon
from index.normalize import match_form
from index.passages import passages_from_units
from index.search import CANDIDATES, SearchIndex
from index.segment import Analyzer
from index.store import Store

EDIT_SHARE = 0.01
WARMUP_QUESTIONS = 30
TODAY = date(2024, 6, 1)


@dataclass
class SizeResult:
    passages: int
    documents: int
    generate_s: float
    build_s: float  # empty store → answering: analyse, write, load the index
    build_store_s: float  # of which reload_store
    unchanged_reload_s: float  # /reload with nothing changed (store check + index load)
    unchanged_store_s: float
    edited_documents: int
    edited_reload_s: float  # /reload after editing EDIT_SHARE of the documents
    edited_store_s: float
    edited_analysed_passages: int
    load_s: float  # SearchIndex.load alone
    latencies_ms: list[float] = field(default_factory=list)  # per question, in order
    kinds: list[str] = field(default_factory=list)
    answered: list[bool] = field(default_factory=list)
    peak_rss_mb: float = 0.0  # this process: build, reloads and every question
    build_peak_rss_mb: float = 0.0  # high-water mark once built and loaded
    serving_rss_mb: float = 0.0  # resident after the reloads and every question
    worker_peak_rss_mb: float = 0.0  # the largest analysis worker process
    compile_peak_rss_mb: float = 0.0  # the index compile child (var/index/g*/compile.json)


@dataclass
class BaselineResult:
    passages: int
    init_s: float
    indices: list[int]  # which questions were timed (every k-th)
    latencies_ms: list[float]
    peak_rss_mb: float


def _rss_mb(who: int) -> float:
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(who).ru_maxrss * scale / 2**20


def _current_rss_mb() -> float:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def settings_for(work: Path) -> Settings:
    return Settings(
        kb_dir=work / "kb", db_path=work / "store.sqlite", today=TODAY,
        questions_per_minute=10**9,  # the benchmark asks far faster than any one person
    )  # fmt: skip


def measure_size(n_passages: int, n_questions: int, work: Path) -> SizeResult:
    started = time.perf_counter()
    kb = generate(work / "kb", n_passages)
    generate_s = time.perf_counter() - started
    settings = settings_for(work)

    started = time.perf_counter()
    conv = Conversation.open(settings)
    build_s = time.perf_counter() - started
    assert conv.last_reload is not None
    build_store_s = conv.last_reload.seconds
    build_peak = _rss_mb(resource.RUSAGE_SELF)

    started = time.perf_counter()
    report = conv.reload()
    unchanged_s = time.perf_counter() - started
    unchanged_store_s = report.seconds

    edited = edit_share(kb, EDIT_SHARE)
    started = time.perf_counter()
    report = conv.reload()
    edited_s = time.perf_counter() - started

    started = time.perf_counter()
    SearchIndex.load(conv.store, Analyzer(load_lexicon(settings.kb_dir)))
    load_s = time.perf_counter() - started

    result = SizeResult(
        passages=report.passages, documents=report.documents, generate_s=generate_s,
        build_s=build_s, build_store_s=build_store_s, unchanged_reload_s=unchanged_s,
        unchanged_store_s=unchanged_store_s, edited_documents=len(edited),
        edited_reload_s=edited_s, edited_store_s=report.seconds,
        edited_analysed_passages=report.analysed_passages, load_s=load_s,
    )  # fmt: skip
    ask_all(conv, result, n_questions)
    result.serving_rss_mb = _current_rss_mb()
    conv.close()
    result.build_peak_rss_mb = build_peak
    result.peak_rss_mb = _rss_mb(resource.RUSAGE_SELF)
    result.worker_peak_rss_mb = _rss_mb(resource.RUSAGE_CHILDREN)
    result.compile_peak_rss_mb = max(
        (json.loads(p.read_text())["peak_rss_mb"] for p in work.glob("index/g*/compile.json")),
        default=0.0,
    )
    return result


def ask_all(conv: Conversation, result: SizeResult, n_questions: int) -> None:
    """Every question through Conversation.handle: the whole path a chat message takes."""
    for q in generate_questions(WARMUP_QUESTIONS, seed=12345):
        conv.handle(Incoming("bench", "warmup", "warmup", q.text))
    for i, q in enumerate(generate_questions(n_questions)):
        msg = Incoming("bench", f"chat{i % 500}", f"user{i % 500}", q.text)
        started = time.perf_counter()
        reply = conv.handle(msg)
        result.latencies_ms.append((time.perf_counter() - started) * 1000)
        result.kinds.append(q.kind)
        result.answered.append(reply.kind is ReplyKind.ANSWER)


def baseline_every(n_passages: int, n_questions: int) -> int:
    """Time every k-th question: rank-bm25 needs ~10 ms per query term at 100k passages."""
    budget = max(100, 20_000_000 // max(1, n_passages))
    return max(1, -(-n_questions // budget))


def measure_baseline(work: Path, n_questions: int) -> BaselineResult:
    """rank_bm25.BM25Okapi.get_scores over the same passages' terms, same questions.

    The baseline gets the question's term ids for free (analysis is not timed) and is
    timed for scoring and picking the top candidates only; ours is timed for everything.
    """
    from rank_bm25 import BM25Okapi

    settings = settings_for(work)
    store = Store(settings.db_path)
    index = SearchIndex.load(store, Analyzer(load_lexicon(settings.kb_dir)))
    corpus: list[list[int]] = []
    for (blob,) in store.db().execute("SELECT terms FROM passages ORDER BY id"):
        pairs = np.frombuffer(blob, dtype=np.int32).reshape(-1, 2)
        corpus.append(np.repeat(pairs[:, 0], pairs[:, 1]).tolist())
    started = time.perf_counter()
    bm25 = BM25Okapi(corpus)
    init_s = time.perf_counter() - started
    del corpus
    questions = generate_questions(n_questions)
    k = baseline_every(len(index.passage_ids), n_questions)
    indices, latencies = [], []
    for i in range(0, len(questions), k):
        ids = index.term_ids(questions[i].text)
        started = time.perf_counter()
        if ids:
            scores = bm25.get_scores(ids)
            top = np.argpartition(-scores, min(CANDIDATES, len(scores) - 1))[:CANDIDATES]
            top[np.argsort(-scores[top])]
        latencies.append((time.perf_counter() - started) * 1000)
        indices.append(i)
    store.close()
    return BaselineResult(
        len(index.passage_ids), init_s, indices, latencies, _rss_mb(resource.RUSAGE_SELF)
    )


@dataclass
class NaiveBuildResult:
    passages: int
    seconds: float  # read, split, segment, BM25Okapi: the whole naive build
    segment_s: float  # of which pyvi


def measure_naive_build(work: Path) -> NaiveBuildResult:
    """The build one writes first, on one core: pyvi on every passage, then BM25Okapi.

    Same documents and passages as ours (scan, passages_from_units, match_form), pyvi's words
    split on spaces and nothing more (no stop words, folded forms or abbreviations, no
    store): what `make bench` compares the full build against. pyvi's import is not timed.
    """
    from pyvi import ViTokenizer
    from rank_bm25 import BM25Okapi

    started = time.perf_counter()
    corpus: list[list[str]] = []
    segment_s = 0.0
    for doc in scan(settings_for(work).kb_dir).documents:
        for p in passages_from_units(doc.doc_id, doc.units, doc.title)[1]:
            text = match_form(p.text)
            t = time.perf_counter()
            corpus.append(ViTokenizer.tokenize(text).split())
            segment_s += time.perf_counter() - t
    BM25Okapi(corpus)
    return NaiveBuildResult(len(corpus), time.perf_counter() - started, segment_s)


def as_dict(result: SizeResult | BaselineResult | NaiveBuildResult) -> dict:
    return asdict(result)
