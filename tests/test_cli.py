import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def de06(*args: str, stdin: str = "", env_db: Path, kb: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "--kb", str(kb), "--db", str(env_db), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def built(kb, tmp_path):
    db = tmp_path / "cli.sqlite"
    done = de06("reload", env_db=db, kb=kb)
    assert done.returncode == 0, done.stderr
    return db


def test_reload_prints_what_was_added(kb, tmp_path):
    out = de06("reload", env_db=tmp_path / "x.sqlite", kb=kb).stdout
    assert "thêm 5" in out and "đoạn" in out


def test_reload_prints_how_many_abbreviations_the_documents_taught(kb, tmp_path):
    out = de06("reload", env_db=tmp_path / "x.sqlite", kb=kb).stdout
    assert "1 từ viết tắt học được từ chính các tài liệu" in out


HIT_KEYS = {"text", "snippet", "title", "source", "date", "doc", "section", "ocr", "score"}


def test_ask_json_prints_hits_with_citations(built, kb):
    out = de06("ask", "--json", "Quyết định 36/QĐ-TTg phê duyệt quy hoạch gì?", env_db=built, kb=kb)
    data = json.loads(out.stdout)
    assert data["answered"] and set(data["hits"][0]) == HIT_KEYS


def test_ask_json_lists_the_nearest_passages_apart_from_an_answer(built, kb):
    question = "Tỉnh Đồng Nai đã số hóa bao nhiêu hồ sơ hộ tịch?"
    out = de06("ask", "--json", question, env_db=built, kb=kb)
    data = json.loads(out.stdout)
    assert data["answered"] is False and data["hits"] == [] and 1 <= len(data["related"]) <= 2
    assert set(data["related"][0]) == HIT_KEYS


def test_ask_json_batch_reads_one_question_per_line(built, kb):
    out = de06(
        "ask", "--json", "-", stdin="xin chào\nLuat Can cuoc cong dan\n", env_db=built, kb=kb
    )
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [row["answered"] for row in lines] == [False, True]


def test_ask_builds_the_store_on_first_use(kb, tmp_path):
    out = de06("ask", "Luật Căn cước", env_db=tmp_path / "new.sqlite", kb=kb)
    assert out.returncode == 0 and "1/7/2024" in out.stdout


def test_chat_reads_lines_from_a_pipe(built, kb):
    out = de06(
        "chat", stdin="/sources\nLuật Căn cước có hiệu lực từ ngày nào?\n", env_db=built, kb=kb
    )
    assert "Kho tài liệu có 5 văn bản" in out.stdout and "1/7/2024" in out.stdout


def test_deadline_json_has_the_documented_shape(built, kb):
    out = de06("deadline", "--json", "--all", "--today", "2024-02-01", env_db=built, kb=kb)
    data = json.loads(out.stdout)
    assert data["today"] == "2024-02-01" and data["deadlines"]
    assert set(data["deadlines"][0]) == {
        "id",
        "due",
        "precision",
        "kind",
        "status",
        "days_left",
        "text",
        "lead",
        "partners",
        "agency",
        "section",
        "recurrence",
        "title",
        "doc",
        "date",
        "progress",
        "progress_note",
        "done_on",
        "progress_by",
        "progress_at",
    }


PLAN_MD = """---
title: Kế hoạch 21/KH-UBND thực hiện Đề án 06 năm 2025
date: 2025-03-12
source: UBND thành phố Hòa Phong
---
Kế hoạch này có hiệu lực kể từ ngày ký.

- Hằng quý tổng hợp số liệu hộ tịch điện tử, báo cáo UBND thành phố.

- Hỗ trợ người dân kích hoạt tài khoản định danh điện tử tại bộ phận một cửa, thực hiện \
thường xuyên.

Công an thành phố chủ trì, phối hợp với Phòng Tư pháp làm sạch dữ liệu hộ tịch, hoàn thành \
trong quý III/2025.
"""


def test_deadline_json_gives_plans_kinds_leads_partners_and_recurrence(kb, tmp_path):
    (kb / "documents" / "2025-03-12-ke-hoach-21.md").write_text(PLAN_MD, encoding="utf-8")
    db = tmp_path / "plan.sqlite"
    assert de06("reload", env_db=db, kb=kb).returncode == 0
    out = de06("deadline", "--json", "--all", "--today", "2025-03-10", env_db=db, kb=kb)
    plan = [d for d in json.loads(out.stdout)["deadlines"] if d["doc"].endswith("ke-hoach-21")]
    by_kind = {d["kind"]: d for d in plan}
    assert set(by_kind) == {"effective", "recurring", "ongoing", "deadline"}
    assert by_kind["effective"]["due"] == "2025-03-12"  # the day it was signed
    assert (by_kind["recurring"]["due"], by_kind["recurring"]["recurrence"]) == (
        "2025-03-31",
        {"freq": "quarterly", "day": None},
    )
    assert (by_kind["ongoing"]["due"], by_kind["ongoing"]["status"]) == (None, "ongoing")
    assert (by_kind["deadline"]["lead"], by_kind["deadline"]["partners"]) == (
        "Công an thành phố",
        ["Phòng Tư pháp"],
    )


def test_deadline_text_lists_ongoing_work_in_its_own_group(kb, tmp_path):
    (kb / "documents" / "2025-03-12-ke-hoach-21.md").write_text(PLAN_MD, encoding="utf-8")
    db = tmp_path / "plan.sqlite"
    assert de06("reload", env_db=db, kb=kb).returncode == 0
    out = de06("deadline", "--all", "--today", "2025-03-10", env_db=db, kb=kb).stdout
    assert "Chủ trì: Công an thành phố · Phối hợp: Phòng Tư pháp" in out
    assert out.index("Nhiệm vụ thường xuyên") < out.index("kích hoạt tài khoản định danh")


def test_eval_reports_recall_for_accented_and_stripped_questions(built, kb, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"q": "Luật Căn cước có hiệu lực từ ngày nào?", "expect": "1/7/2024"}\n'
        '{"q": "xin chào", "expect": null}\n',
        encoding="utf-8",
    )
    out = de06("eval", str(questions), env_db=built, kb=kb).stdout
    assert "Recall@3 1.000" in out and "không dấu" in out and "1/1" in out
