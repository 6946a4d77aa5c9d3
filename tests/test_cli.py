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


def test_ask_json_prints_hits_with_citations(built, kb):
    out = de06("ask", "--json", "Quyết định 36/QĐ-TTg phê duyệt quy hoạch gì?", env_db=built, kb=kb)
    data = json.loads(out.stdout)
    assert data["answered"] and set(data["hits"][0]) == {
        "text",
        "snippet",
        "title",
        "source",
        "date",
        "doc",
        "score",
    }


def test_ask_json_lists_the_nearest_passages_apart_from_an_answer(built, kb):
    question = "Tỉnh Đồng Nai đã số hóa bao nhiêu hồ sơ hộ tịch?"
    out = de06("ask", "--json", question, env_db=built, kb=kb)
    data = json.loads(out.stdout)
    assert data["answered"] is False and data["hits"] == [] and 1 <= len(data["related"]) <= 2
    assert set(data["related"][0]) == {"text", "snippet", "title", "source", "date", "doc", "score"}


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
        "due",
        "precision",
        "kind",
        "status",
        "days_left",
        "text",
        "agency",
        "title",
        "doc",
        "date",
    }


def test_eval_reports_recall_for_accented_and_stripped_questions(built, kb, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"q": "Luật Căn cước có hiệu lực từ ngày nào?", "expect": "1/7/2024"}\n'
        '{"q": "xin chào", "expect": null}\n',
        encoding="utf-8",
    )
    out = de06("eval", str(questions), env_db=built, kb=kb).stdout
    assert "Recall@3 1.000" in out and "không dấu" in out and "1/1" in out
