"""`make bench`: build, reload and question figures at several knowledge-base sizes.

Usage: python -m bench.run --passages 1000,10000,100000 [--questions 1000] [--json]
       [--out bench/RESULTS.md] [--no-telegram] [--no-segmentation] [--no-report]
       [--report-tasks 500]

Every size is measured in a fresh subprocess (so peak RSS is per size), its naive
baselines (rank-bm25 scoring; a pyvi + rank-bm25 build on one core) in others; pyvi's
and vitokenizer's segmentation throughput once, on the largest size's corpus; the
Telegram adapter's throughput once; then the charts and calendar of 200 deadlines
(bench/render.py), each in a fresh process too, and the progress report (500 tasks, Word and
Excel, beside the naive python-docx way) and short ids at 100k.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import numpy as np

from bench.progress_report import measure_report, report_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "RESULTS.md"

# The figures issue 6 asks for at 100,000 passages on a 2-core machine.
TARGETS = {
    "p50_ms": 3.0, "p99_ms": 10.0, "speedup": 50.0, "build_s": 90.0,
    "unchanged_reload_s": 5.0, "edited_reload_s": 10.0, "peak_rss_mb": 600.0,
    "telegram_msgs_per_s": 200.0,
    # Issue 17: the build against the naive one-core build, and segmentation itself.
    "build_ratio": 0.3, "batch_speedup": 10.0, "load_s": 1.0, "arrays_mb": 50.0,
}  # fmt: skip


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--passages", default="1000,10000,100000", help="comma-separated sizes")
    p.add_argument("--questions", type=int, default=1000, help="questions per size (≥ 1000)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown report to write")
    p.add_argument("--no-telegram", action="store_true", help="skip the Telegram throughput")
    p.add_argument(
        "--no-segmentation", action="store_true", help="skip pyvi vs vitokenizer throughput"
    )
    p.add_argument("--no-report", action="store_true", help="skip the progress report figures")
    p.add_argument("--report-tasks", type=int, default=500, help="tasks in the progress report")
    p.add_argument("--telegram-messages", type=int, default=2000)
    p.add_argument("--work", type=Path, help="keep the generated data here (default: temp)")
    # Internal: one measurement in this process, result as JSON into a file.
    p.add_argument(
        "--_job",
        choices=("size", "baseline", "naive", "segmentation", "telegram", "render"),
        help=argparse.SUPPRESS,
    )
    p.add_argument("--_n", type=int, help=argparse.SUPPRESS)
    p.add_argument("--_dir", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--_result", type=Path, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def run_job(args: argparse.Namespace) -> None:
    if args._job == "size":
        from bench.measure import as_dict, measure_size

        data = as_dict(measure_size(args._n, args.questions, args._dir))
    elif args._job == "baseline":
        from bench.measure import as_dict, measure_baseline

        data = as_dict(measure_baseline(args._dir, args.questions))
    elif args._job == "naive":
        from bench.measure import as_dict, measure_naive_build

        data = as_dict(measure_naive_build(args._dir))
    elif args._job == "segmentation":
        from bench.segmentation import measure_segmentation

        data = measure_segmentation(args._dir / "kb")
    elif args._job == "render":
        from bench.render import measure_render

        data = measure_render(args._n)
    else:
        from bench.telegram_throughput import measure_telegram

        data = measure_telegram(args._dir, args._n)
    args._result.write_text(json.dumps(data), encoding="utf-8")


def _subprocess(job: str, n: int, work: Path, questions: int) -> dict:
    result = work / f"{job}-{n}.json"
    cmd = [
        sys.executable, "-m", "bench.run", "--_job", job, "--_n", str(n), "--_dir", str(work),
        "--_result", str(result), "--questions", str(questions),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, cwd=ROOT)
    return json.loads(result.read_text(encoding="utf-8"))


def summarise(size: dict, base: dict, naive: dict) -> dict:
    lat = np.array(size["latencies_ms"])
    kinds = np.array(size["kinds"])
    answered = np.array(size["answered"])
    ours_same = lat[base["indices"]]
    base_med = float(np.median(base["latencies_ms"]))
    ours_med = float(np.median(ours_same))
    by_kind = {
        k: {
            "n": int((kinds == k).sum()),
            "p50_ms": float(np.percentile(lat[kinds == k], 50)),
            "answered": float(answered[kinds == k].mean()),
        }
        for k in sorted(set(size["kinds"]))
    }
    out = {k: v for k, v in size.items() if k not in ("latencies_ms", "kinds", "answered")}
    out.update(
        questions=len(lat),
        p50_ms=float(np.percentile(lat, 50)), p95_ms=float(np.percentile(lat, 95)),
        p99_ms=float(np.percentile(lat, 99)), max_ms=float(lat.max()),
        answered_share=float(answered.mean()), by_kind=by_kind,
        other_p50_ms=float(np.percentile(lat[kinds != "timing"], 50)),
        other_p99_ms=float(np.percentile(lat[kinds != "timing"], 99)),
        timing_p50_ms=float(np.percentile(lat[kinds == "timing"], 50)),
        baseline_questions=len(base["indices"]), baseline_init_s=base["init_s"],
        baseline_p50_ms=base_med, ours_p50_same_ms=ours_med,
        speedup=base_med / ours_med if ours_med > 0 else float("inf"),
        baseline_peak_rss_mb=base["peak_rss_mb"],
        naive_build_s=naive["seconds"], naive_segment_s=naive["segment_s"],
        build_ratio=size["build_s"] / naive["seconds"],
    )  # fmt: skip
    return out


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    return {
        "nproc": os.cpu_count(), "cpu": model or platform.processor(),
        "ram_gb": round(mem_kb / 2**20, 1), "python": platform.python_version(),
        "platform": platform.platform(), "date": datetime.now().isoformat(timespec="minutes"),
    }  # fmt: skip


ROWS = (
    ("passages", "passages (documents)", lambda r: f"{r['passages']:,} ({r['documents']:,})", None),
    ("build_s", "full build from empty store, s", lambda r: f"{r['build_s']:.1f}", "build_s"),
    ("build_store_s", "  of which analyse + write, s", lambda r: f"{r['build_store_s']:.1f}", None),
    ("naive_build_s", "naive build on one core (pyvi + rank-bm25), s",
     lambda r: f"{r['naive_build_s']:.1f} (pyvi {r['naive_segment_s']:.1f})", None),
    ("build_ratio", "full build ÷ naive build", lambda r: f"{r['build_ratio']:.2f}",
     "build_ratio"),
    ("unchanged_reload_s", "reload, nothing changed, s",
     lambda r: f"{r['unchanged_reload_s']:.2f}", "unchanged_reload_s"),
    ("edited_reload_s", "reload, 1% of documents edited, s",
     lambda r: f"{r['edited_reload_s']:.2f} ({r['edited_documents']} docs)", "edited_reload_s"),
    ("load_s", "index load (map the compiled files), s",
     lambda r: f"{r['load_s']:.2f}", None),
    ("p50_ms", "question p50, ms", lambda r: f"{r['p50_ms']:.2f}", "p50_ms"),
    ("p95_ms", "question p95, ms", lambda r: f"{r['p95_ms']:.2f}", None),
    ("p99_ms", "question p99, ms", lambda r: f"{r['p99_ms']:.2f}", "p99_ms"),
    ("other_p50_ms", "  without 'when' questions: p50 / p99, ms",
     lambda r: f"{r['other_p50_ms']:.2f} / {r['other_p99_ms']:.2f}", None),
    ("timing_p50_ms", "  'when' questions (deadline lead) p50, ms",
     lambda r: f"{r['timing_p50_ms']:.1f}", None),
    ("answered_share", "questions answered", lambda r: f"{r['answered_share']:.0%}", None),
    ("baseline_p50_ms", "rank-bm25 get_scores p50, ms",
     lambda r: f"{r['baseline_p50_ms']:.1f} ({r['baseline_questions']} q)", None),
    ("speedup", "baseline median ÷ ours (same questions)", lambda r: f"{r['speedup']:.0f}×",
     "speedup"),
    ("peak_rss_mb", "peak RSS (incl. /reload: old + new index), MB",
     lambda r: f"{r['peak_rss_mb']:.0f}", "peak_rss_mb"),
    ("build_peak_rss_mb", "  peak RSS until built and loaded, MB",
     lambda r: f"{r['build_peak_rss_mb']:.0f}", None),
    ("serving_rss_mb", "  RSS while serving (after all questions), MB",
     lambda r: f"{r['serving_rss_mb']:.0f}", None),
    ("worker_peak_rss_mb", "  analysis worker peak RSS (incl. pages shared with the parent), MB",
     lambda r: f"{r['worker_peak_rss_mb']:.0f}", None),
    ("compile_peak_rss_mb", "  index compile child process peak RSS (runs alone, then exits), MB",
     lambda r: f"{r.get('compile_peak_rss_mb', 0):.0f}", None),
)  # fmt: skip


def _target_text(key: str) -> str:
    t = TARGETS[key]
    if key in ("speedup", "batch_speedup"):
        return f"≥ {t:.0f}×"
    return f"≤ {t:g}"


AT_LEAST = {"speedup", "telegram_msgs_per_s", "batch_speedup"}  # floors, not ceilings


def _met(key: str, value: float) -> bool:
    return value >= TARGETS[key] if key in AT_LEAST else value <= TARGETS[key]


def table(results: list[dict]) -> str:
    head = "| figure | " + " | ".join(f"N = {r['passages']:,}" for r in results)
    head += " | target at 100k |\n|---|" + "---:|" * len(results) + "---|\n"
    lines = []
    for key, label, fmt, target in ROWS:
        cells = []
        for r in results:
            cell = fmt(r)
            if target and r["passages"] >= 100_000 and not _met(target, r[key]):
                cell += " ✗"
            cells.append(cell)
        lines.append(
            f"| {label} | " + " | ".join(cells) + f" | {_target_text(target) if target else ''} |"
        )
    return head + "\n".join(lines) + "\n"


def telegram_text(tg: dict | None) -> str:
    if not tg:
        return "Telegram throughput: not measured (--no-telegram).\n"
    ok = (
        ""
        if _met("telegram_msgs_per_s", tg["msgs_per_s"]) and tg["lost"] == tg["doubled"] == 0
        else " ✗"
    )
    return (
        "Telegram adapter (long polling from a fake Bot API on 127.0.0.1, "
        f"{tg['passages']:,}-passage knowledge base): {tg['messages']} questions from "
        f"{tg['chats']} chats answered in "
        f"{tg['seconds']:.2f} s = **{tg['msgs_per_s']:.0f} answered messages/s**{ok} "
        f"(target ≥ 200); lost {tg['lost']}, answered twice {tg['doubled']}.\n"
    )


def render_text(r: dict | None) -> str:
    if not r:
        return "Pictures and calendars: not measured.\n"
    total = r["layout_s"] + r["timeline_s"]
    ok = "" if total < r["target_s"] else " ✗"
    return (
        f"Pictures and calendars ({r['deadlines']} deadlines: {r['markers']} markers in "
        f"{r['lanes']} lanes): timeline layout + PNG **{total * 1000:.0f} ms**{ok} "
        f"(target < {r['target_s']:g} s; first render in a fresh process "
        f"{r['first_timeline_s'] * 1000:.0f} ms: imports matplotlib), baseline empty figure of the "
        f"same size {r['empty_figure_s'] * 1000:.0f} ms; PNG {r['png_kb']:.0f} KB; "
        f".ics of every deadline {r['ics_s'] * 1000:.0f} ms; /stats chart "
        f"{r['stats_chart_s'] * 1000:.0f} ms (medians of {r['runs']}).\n"
    )


def segmentation_text(seg: dict | None) -> str:
    if not seg:
        return "Segmentation throughput: not measured (--no-segmentation).\n"

    def mark(key: str) -> str:
        return "" if _met(key, seg[key]) else " ✗"

    return (
        f"Segmentation on one core, pyvi and `index.vitokenizer` in turn ({seg['rounds']} "
        f"rounds, medians), on {seg['lines']:,} lines ({seg['chars']:,} characters) of the "
        "largest corpus as the index segments them; vitokenizer's output is checked to be "
        "pyvi's first.\n\n"
        "| figure | pyvi | vitokenizer | ratio | target |\n|---|---:|---:|---:|---|\n"
        f"| characters/s, batches of 2,000 lines (reload) | {seg['pyvi_chars_per_s']:,.0f} | "
        f"{seg['batch_chars_per_s']:,.0f} | {seg['batch_speedup']:.1f}×{mark('batch_speedup')}"
        f" | {_target_text('batch_speedup')} |\n"
        f"| characters/s, line by line (questions) | {seg['pyvi_chars_per_s']:,.0f} | "
        f"{seg['line_chars_per_s']:,.0f} | {seg['line_speedup']:.1f}× | |\n"
        f"| characters/s, first pass with empty caches | {seg['pyvi_chars_per_s']:,.0f} | "
        f"{seg['first_pass_chars_per_s']:,.0f} | {seg['first_pass_speedup']:.1f}× | |\n"
        f"| start-up: import / model load, s | {seg['pyvi_import_s']:.2f} | "
        f"{seg['load_s']:.3f}{mark('load_s')} | | {_target_text('load_s')} |\n"
        f"| model and vocabulary arrays, MB | | {seg['arrays_mb']:.1f}{mark('arrays_mb')} | | "
        f"{_target_text('arrays_mb')} |\n"
        f"| resident memory added (arrays, dicts, allocator), MB | | {seg['rss_mb']:.0f} | | |\n"
    )


def report(
    mach: dict,
    results: list[dict],
    tg: dict | None,
    questions: int,
    seg: dict | None = None,
    pictures: dict | None = None,
    rep: dict | None = None,
) -> str:
    kinds = results[0]["by_kind"] if results else {}
    mix = ", ".join(f"{k} {v['n']}" for k, v in kinds.items())
    return (
        "# Benchmark results\n\n"
        "Regenerated by `make bench` (`python -m bench.run`); do not edit by hand.\n\n"
        f"- Date: {mach['date']}\n- Machine: {mach['nproc']} CPUs ({mach['cpu']}), "
        f"{mach['ram_gb']} GB RAM, {mach['platform']}\n- Python {mach['python']}\n"
        f"- Knowledge base: synthetic (`bench/synth.py`), recombined from the shipped documents' "
        f"sentences with other agencies, provinces, dates, figures and abbreviations.\n"
        f"- Questions: {questions} per size ({mix}), every one through `Conversation.handle` "
        "(normalise, segment, score, snippets, near-duplicate collapse, deadline lead, "
        "query log).\n"
        "- Baseline: `rank_bm25.BM25Okapi.get_scores` + top-30 over the same passages' terms "
        "and the same questions' term ids (analysis not timed for the baseline), every k-th "
        "question at "
        "large N; the ratio compares medians over those same questions.\n"
        "- Each size runs in a fresh process (peak RSS is that process's high-water mark: build, "
        "reloads and all questions); the baseline runs in another.\n"
        "- Naive build: the same documents and passages, `pyvi.ViTokenizer.tokenize` on each "
        "passage and `rank_bm25.BM25Okapi` over the words, in one process on one core "
        "(`bench/measure.py`).\n\n"
        + table(results)
        + "\n"
        + segmentation_text(seg)
        + "\n"
        + telegram_text(tg)
        + "\n"
        + render_text(pictures)
        + report_text(rep)
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args._job:
        run_job(args)
        return 0
    sizes = [int(s.replace("_", "")) for s in args.passages.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="de06-bench-") as tmp:
        root = args.work or Path(tmp)
        results = []
        for n in sizes:
            work = root / f"n{n}"
            work.mkdir(parents=True, exist_ok=True)
            print(f"… N = {n:,}: build, reloads, {args.questions} questions", file=sys.stderr)
            size = _subprocess("size", n, work, args.questions)
            print(f"… N = {n:,}: rank-bm25 baseline", file=sys.stderr)
            base = _subprocess("baseline", n, work, args.questions)
            print(f"… N = {n:,}: naive build (pyvi + rank-bm25, one core)", file=sys.stderr)
            naive = _subprocess("naive", n, work, args.questions)
            results.append(summarise(size, base, naive))
        seg = None
        if not args.no_segmentation and sizes:
            print("… segmentation: pyvi and vitokenizer in turn", file=sys.stderr)
            seg = _subprocess("segmentation", sizes[-1], root / f"n{sizes[-1]}", args.questions)
        tg = None
        if not args.no_telegram:
            print("… Telegram adapter throughput", file=sys.stderr)
            work = root / "telegram"
            work.mkdir(parents=True, exist_ok=True)
            tg = _subprocess("telegram", args.telegram_messages, work, args.questions)
        print("… charts and calendar of 200 deadlines", file=sys.stderr)
        pictures = _subprocess("render", 200, root, args.questions)
        rep = None
        if not args.no_report:
            print(f"… progress report of {args.report_tasks} tasks", file=sys.stderr)
            rep = measure_report(args.report_tasks)
    mach = machine()
    text = report(mach, results, tg, args.questions, seg, pictures, rep)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    if args.json:
        data = {
            "machine": mach,
            "sizes": results,
            "segmentation": seg,
            "telegram": tg,
            "pictures": pictures,
            "report": rep,
        }
        print(json.dumps(data, indent=1))
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
