"""Plan documents end to end: questions about task rows answered with the row, cited by section."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.core import Conversation, Settings
from bot.deadline_chat import deadlines_json
from bot.models import Incoming
from index.evaluate import evaluate_retrieval, read_jsonl

from helpers import ADMIN, SHARED_EVAL
from plan_docs import decision_pdf, plan_docx, scanned_pdf

PLANS = Path(__file__).parent / "data" / "plans"


@pytest.fixture(scope="module")
def plans_conv(tmp_path_factory):
    """The shipped knowledge base plus the sample plans, a generated plan and a decision."""
    base = tmp_path_factory.mktemp("plans")
    kb = base / "knowledge"
    shutil.copytree(Path(__file__).resolve().parent.parent / "knowledge", kb)
    shutil.copytree(PLANS, kb / "plans")
    plan_docx(kb / "plans" / "ke-hoach-37-kh-ubnd-an-lac.docx")
    decision_pdf(kb / "plans" / "quyet-dinh-15-qd-bcd-an-lac.pdf", rows=40)
    settings = Settings(
        kb_dir=kb,
        db_path=base / "de06.sqlite",
        admin_ids=frozenset({ADMIN}),
        today=date(2025, 3, 10),
        questions_per_minute=100_000,
    )
    conv = Conversation.open(settings)
    yield conv
    conv.close()


def first_hit(conv: Conversation, question: str):
    result = conv.snapshot.index.search(question, limit=3)
    assert result.answered, question
    return result.hits[0]


def test_who_leads_a_task_is_answered_with_its_row(plans_conv):
    hit = first_hit(plans_conv, "Ai chủ trì cấp tài khoản định danh điện tử cho cán bộ?")
    assert "Chủ trì: Công an tỉnh" in hit.text
    assert hit.section == "PHỤ LỤC › I. NHÓM NHIỆM VỤ HOÀN THIỆN DỮ LIỆU › 2"


def test_which_agency_cooperates_is_answered_with_its_row(plans_conv):
    hit = first_hit(plans_conv, "đơn vị nào phối hợp rà soát làm sạch dữ liệu hộ tịch")
    assert "Phối hợp: Công an tỉnh" in hit.text


def test_group_of_tasks_question_finds_the_rows_of_that_group(plans_conv):
    result = plans_conv.snapshot.index.search(
        "nhóm nhiệm vụ hoàn thiện dữ liệu gồm những gì", limit=3
    )
    assert result.answered
    assert all("NHÓM NHIỆM VỤ HOÀN THIỆN DỮ LIỆU" in h.section for h in result.hits)


def test_an_answer_from_a_table_row_cites_document_and_section(plans_conv):
    reply = plans_conv.handle(
        Incoming("console", "c", "u", "Ai chủ trì kết nối hệ thống một cửa với VNeID?")
    )
    assert "Nguồn: Kế hoạch 37/KH-UBND" in reply.plain
    assert "Phụ lục, mục I.3" in reply.plain and "đoạn" not in reply.plain.split("Nguồn:")[1]


def test_an_article_is_cited_by_its_number(plans_conv):
    hit = first_hit(plans_conv, "Quyết định kiểm tra việc triển khai Đề án 06 có hiệu lực khi nào")
    assert hit.reference == "Điều 2"
    assert hit.title == "Quyết định — Ban hành Kế hoạch kiểm tra việc triển khai Đề án 06"


def test_a_row_from_a_table_continued_over_a_page_break_is_found(plans_conv):
    hit = first_hit(plans_conv, "ai chủ trì kiểm tra việc kết nối dữ liệu tại xã số 33")
    assert "Phòng Kiểm tra số 33" in hit.text and hit.section.endswith("› 33")


def test_news_without_structure_is_still_cited_by_paragraph(plans_conv):
    reply = plans_conv.handle(
        Incoming("console", "c", "u", "Quyết định 36/QĐ-TTg phê duyệt quy hoạch gì?")
    )
    assert ", đoạn " in reply.plain


@pytest.mark.parametrize("strip", [False, True], ids=["accented", "unaccented"])
def test_plan_sample_questions_are_answered_at_rank_1_to_3(plans_conv, strip):
    rows = read_jsonl(SHARED_EVAL / "dev_plans.jsonl")
    score = evaluate_retrieval(plans_conv.snapshot.index, rows, strip=strip)
    assert score.off_topic_refused == score.off_topic
    assert score.recall >= (1.0 if not strip else 0.85), score.misses


def test_ask_json_hits_carry_their_section(plans_conv, capsys):
    from bot.cli import _ask_json

    data = _ask_json(plans_conv, "Ai chủ trì tái cấu trúc thủ tục thi đua khen thưởng?")
    assert data["hits"][0]["section"].startswith("II. NHIỆM VỤ CỤ THỂ")
    json.dumps(data, ensure_ascii=False)


def test_a_scanned_pdf_in_the_knowledge_base_is_reported_by_name(tmp_path, kb):
    scanned_pdf(kb / "ban-quet.pdf")
    settings = Settings(kb_dir=kb, db_path=tmp_path / "db.sqlite", admin_ids=frozenset())
    conv = Conversation.open(settings)
    try:
        skipped = {e.path.name: e.reason for e in conv.last_reload.skipped}
    finally:
        conv.close()
    assert "không có lớp chữ" in skipped["ban-quet.pdf"]
    assert conv.last_reload.documents == 5


# --- deadlines from plans ---------------------------------------------------------------------


def plan_deadlines(conv: Conversation, doc_part: str, today: date = date(2025, 3, 10)):
    data = deadlines_json(conv.snapshot.deadlines, today, True, [])
    return [d for d in data["deadlines"] if doc_part in d["doc"]]


@pytest.fixture(scope="module")
def samples_conv(tmp_path_factory):
    """Only the sample plans, so every deadline listed is one of theirs."""
    base = tmp_path_factory.mktemp("samples")
    shutil.copytree(PLANS, base / "knowledge")
    settings = Settings(
        kb_dir=base / "knowledge", db_path=base / "de06.sqlite", admin_ids=frozenset()
    )
    conv = Conversation.open(settings)
    yield conv
    conv.close()


def test_every_sample_deadline_is_found_with_its_due_date_kind_and_lead(samples_conv):
    expected = read_jsonl(SHARED_EVAL / "dev_plans_deadlines.jsonl")
    got = plan_deadlines(samples_conv, "", date.fromisoformat(expected[0]["today"]))
    for row in expected:
        found = [
            d for d in got
            if row["doc"] in d["doc"] and row["task"].lower() in d["text"].lower()
            and d["due"] == row["due"] and d["kind"] == row["kind"]
        ]  # fmt: skip
        assert found, row
        if row["lead"]:
            assert row["lead"].lower() in found[0]["lead"].lower(), (row, found[0])


def test_the_sample_plans_hold_no_deadline_beyond_their_commitments(samples_conv):
    expected = read_jsonl(SHARED_EVAL / "dev_plans_deadlines.jsonl")
    assert len(plan_deadlines(samples_conv, "")) == len(expected)


def test_each_task_row_is_a_deadline_with_lead_partners_and_section(plans_conv):
    rows = [d for d in plan_deadlines(plans_conv, "ke-hoach-37") if "PHỤ LỤC" in d["section"]]
    by_task = {d["text"]: d for d in rows}
    assert len(rows) == 4
    card = by_task["Cấp tài khoản định danh điện tử cho cán bộ"]
    assert (card["due"], card["lead"], card["partners"]) == (
        "2025-09-30",
        "Công an tỉnh",
        ["Sở Nội vụ"],
    )
    assert card["section"] == "PHỤ LỤC › I. NHÓM NHIỆM VỤ HOÀN THIỆN DỮ LIỆU › 2"
    report = by_task["Báo cáo sơ kết việc thực hiện"]
    assert report["kind"] == "recurring" and report["recurrence"]["freq"] == "quarterly"


def test_a_bullet_under_an_agency_heading_is_led_by_that_agency(plans_conv):
    bullets = [
        d for d in plan_deadlines(plans_conv, "ke-hoach-37") if "1. Sở Tư pháp" in d["section"]
    ]
    assert {(d["due"], d["kind"], d["lead"]) for d in bullets} == {
        ("2025-10-31", "deadline", "Sở Tư pháp"),
        ("2025-03-20", "recurring", "Sở Tư pháp"),
    }
    assert not any(d["text"].startswith("1. Sở Tư pháp") for d in bullets)  # the heading is no task


def test_a_period_named_inside_a_task_is_not_a_deadline(plans_conv):
    dues = {d["due"] for d in plan_deadlines(plans_conv, "ke-hoach-37")}
    assert "2020-12-31" not in dues


def test_every_row_of_a_table_over_a_page_break_is_a_deadline(plans_conv):
    rows = [d for d in plan_deadlines(plans_conv, "quyet-dinh-15") if d["kind"] == "deadline"]
    assert len(rows) == 40 and all(d["lead"].startswith("Phòng Kiểm tra số") for d in rows)


def test_when_question_about_a_row_leads_with_its_deadline(plans_conv):
    reply = plans_conv.handle(
        Incoming("console", "w", "u", "Hạn cấp tài khoản định danh điện tử cho cán bộ là khi nào?")
    )
    assert reply.plain.startswith("Hạn: quý III/2025")
