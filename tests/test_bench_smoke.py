"""The benchmark still runs end to end at N=1,000 (no timing is asserted: machines are noisy)."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import pytest

from bench import run
from bench.questions import KINDS, generate_questions
from bench.synth import edit_share, generate


def test_synthetic_knowledge_base_has_exactly_the_requested_passages(tmp_path):
    kb = generate(tmp_path / "kb", 300)
    assert kb.passages == 300 and (tmp_path / "kb" / "abbreviations.tsv").exists()


def test_synthetic_knowledge_base_is_the_same_on_every_run(tmp_path):
    first = generate(tmp_path / "a", 200)
    second = generate(tmp_path / "b", 200)
    assert [p.read_bytes() for p in first.files] == [p.read_bytes() for p in second.files]


def test_editing_one_percent_changes_that_many_documents(tmp_path):
    kb = generate(tmp_path / "kb", 2000)
    before = [p.read_bytes() for p in kb.files]
    edited = edit_share(kb, 0.01)
    changed = [p for p, old in zip(kb.files, before, strict=True) if p.read_bytes() != old]
    assert changed == edited and len(edited) == round(len(kb.files) * 0.01)


def test_questions_are_deterministic_and_cover_every_kind():
    questions = generate_questions(1000)
    assert questions == generate_questions(1000)
    assert {q.kind for q in questions} == set(KINDS)


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "RESULTS.md"
    printed = io.StringIO()
    argv = ["--passages", "1000", "--questions", "40", "--out", str(out), "--no-telegram",
            "--report-tasks", "60"]  # fmt: skip
    with redirect_stdout(printed):
        run.main([*argv, "--json"])
    return out.read_text(encoding="utf-8"), json.loads(printed.getvalue())


def test_report_names_the_machine_and_every_figure(bench_run):
    text, _ = bench_run
    for label in ("Machine", "full build", "nothing changed", "1% of documents", "p99",
                  "rank-bm25", "peak RSS", "Progress report", "Short ids"):  # fmt: skip
        assert label in text


def test_the_report_figures_cover_the_tasks_asked_for_with_unique_ids(bench_run):
    _, data = bench_run
    assert data["report"]["tasks"] == 60 and data["report"]["ids_unique"]


def test_json_has_the_measured_size_and_question_count(bench_run):
    _, data = bench_run
    (size,) = data["sizes"]
    assert size["passages"] == 1000 and size["questions"] == 40 and data["telegram"] is None


def test_on_topic_questions_are_answered_and_off_topic_ones_are_not(bench_run):
    _, data = bench_run
    kinds = data["sizes"][0]["by_kind"]
    assert kinds["accented"]["answered"] > 0.5
    assert kinds.get("off-topic", {"answered": 0.0})["answered"] < 0.5


def test_only_the_edited_documents_are_reanalysed(bench_run):
    _, data = bench_run
    size = data["sizes"][0]
    assert 0 < size["edited_analysed_passages"] < size["passages"] / 10


@pytest.mark.slow
def test_ocr_benchmark_runs_end_to_end(tmp_path):
    from bench import ocr as bench_ocr

    from format_docs import need_tesseract

    need_tesseract()
    out = tmp_path / "OCR.md"
    assert bench_ocr.main(["--pages", "5", "--out", str(out)]) == 0
    assert "reload from an empty store" in out.read_text(encoding="utf-8")


def test_the_charts_and_calendar_of_200_deadlines_are_measured(bench_run):
    text, data = bench_run
    pictures = data["pictures"]
    assert pictures["deadlines"] == 200 and pictures["markers"] >= 200
    assert pictures["timeline_s"] > 0 and pictures["empty_figure_s"] > 0  # baseline, same run
    assert "Pictures and calendars (200 deadlines" in text
