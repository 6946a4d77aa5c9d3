"""Task-table rows: the time cell is a deadline by position, the row gives task, lead, partners;
partners cells split into agencies, headings recognised as agency names."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.deadlines import (
    KINDS,
    PRECISIONS,
    Deadline,
    Recurrence,
    agency_name,
    cell_deadlines,
    next_occurrence,
    split_agencies,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
TASK = "Rà soát, làm sạch dữ liệu hộ tịch với Cơ sở dữ liệu quốc gia về dân cư"
SIGNED = date(2025, 2, 20)


def cell(text: str, *, year: int | None = 2025, doc_date: date | None = SIGNED) -> list[Deadline]:
    return cell_deadlines(
        text,
        task=TASK,
        lead="Sở Tư pháp",
        partners=["Công an tỉnh", "UBND các huyện, thị xã, thành phố"],
        default_year=year,
        doc_date=doc_date,
    )


def only(text: str, **kw) -> Deadline:
    found = cell(text, **kw)
    assert len(found) == 1, found
    return found[0]


# --- dated cells --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "due", "precision"),
    [
        ("30/4/2025", date(2025, 4, 30), "day"),
        ("Trước 31/5/2025", date(2025, 5, 31), "day"),
        ("Trước ngày 15/7/2025", date(2025, 7, 15), "day"),
        ("Tháng 6/2025", date(2025, 6, 30), "month"),
        ("Trong tháng 9/2025", date(2025, 9, 30), "month"),
        ("Quý III/2025", date(2025, 9, 30), "quarter"),
        ("Quý I năm 2026", date(2026, 3, 31), "quarter"),
        ("6 tháng đầu năm 2025", date(2025, 6, 30), "half"),
        ("Năm 2025", date(2025, 12, 31), "year"),
        ("2025", date(2025, 12, 31), "year"),
        ("6/2025", date(2025, 6, 30), "month"),
        ("Đến hết năm 2026", date(2026, 12, 31), "year"),
        ("2025 - 2027", date(2027, 12, 31), "year"),
        ("2022–2025", date(2025, 12, 31), "year"),
        ("Giai đoạn 2025-2026", date(2026, 12, 31), "year"),
        ("Trước tháng 6/2025", date(2025, 5, 31), "month"),
        ("Tháng 11", date(2025, 11, 30), "month"),
        ("Quý IV", date(2025, 12, 31), "quarter"),
        ("Quý I - II/2025", date(2025, 6, 30), "quarter"),
        ("Tháng 6/2025 - Tháng 12/2025", date(2025, 12, 31), "month"),
        ("Chậm nhất ngày 15/7/2025", date(2025, 7, 15), "day"),
    ],
)
def test_a_time_cell_is_a_deadline_without_any_cue_word(
    text: str, due: date, precision: str
) -> None:
    d = only(text)
    assert (d.due, d.precision, d.kind) == (due, precision, "deadline")


def test_the_row_gives_the_task_the_lead_and_the_partners() -> None:
    d = only("Quý II/2025")
    assert d.text == TASK
    assert d.agency == "Sở Tư pháp"
    assert d.partners == ("Công an tỉnh", "UBND các huyện, thị xã, thành phố")


def test_offsets_cover_the_timing_phrase_inside_the_cell() -> None:
    text = "  Trước ngày 30/6/2025  "
    d = only(text)
    assert text[d.start : d.end] == "Trước ngày 30/6/2025"


def test_two_dates_in_one_cell_are_two_deadlines() -> None:
    text = "Trước ngày 15/6/2025 và 15/12/2025"
    found = cell(text)
    assert [d.due for d in found] == [date(2025, 6, 15), date(2025, 12, 15)]
    assert [text[d.start : d.end] for d in found] == ["Trước ngày 15/6/2025", "15/12/2025"]


def test_the_year_written_once_serves_both_dates_of_a_cell() -> None:
    found = cell("15/6 và 15/12/2025", year=None)
    assert [d.due for d in found] == [date(2025, 6, 15), date(2025, 12, 15)]


def test_dates_with_notes_keep_the_note_with_the_task() -> None:
    found = cell("Quý II/2025 (cấp tỉnh); Quý IV/2025 (cấp xã)")
    assert [(d.due, d.text) for d in found] == [
        (date(2025, 6, 30), f"{TASK} (cấp tỉnh)"),
        (date(2025, 12, 31), f"{TASK} (cấp xã)"),
    ]


def test_from_one_date_to_another_is_due_at_the_second() -> None:
    text = "Từ tháng 3 đến tháng 6/2025"
    d = only(text)
    assert (d.due, text[d.start : d.end]) == (date(2025, 6, 30), text)


def test_a_cell_without_a_year_takes_the_documents_year() -> None:
    assert only("Tháng 10", year=2024).due == date(2024, 10, 31)


def test_a_cell_without_any_year_is_skipped_rather_than_guessed() -> None:
    assert cell("Tháng 10", year=None, doc_date=None) == []


def test_a_date_counted_from_signing_is_due_that_many_days_after_it() -> None:
    d = only("Trong 30 ngày kể từ ngày ký")
    assert (d.due, d.kind) == (date(2025, 3, 22), "deadline")


# --- recurring and ongoing cells ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule", "next_due"),
    [
        ("Hằng tháng", Recurrence("monthly"), date(2025, 3, 31)),
        ("Hằng quý", Recurrence("quarterly"), date(2025, 3, 31)),
        ("Hằng năm", Recurrence("yearly"), date(2025, 12, 31)),
        ("Định kỳ 6 tháng", Recurrence("half-yearly"), date(2025, 6, 30)),
        ("Trước ngày 25 hằng tháng", Recurrence("monthly", 25), date(2025, 3, 25)),
        ("Trước ngày 10 hằng quý", Recurrence("quarterly", 10), date(2025, 4, 10)),
        (
            "Hằng quý, trước ngày 20 tháng cuối quý",
            Recurrence("quarterly", 20, 3),
            date(2025, 3, 20),
        ),
    ],
)
def test_a_rule_in_a_cell_is_recurring_work(text: str, rule: Recurrence, next_due: date) -> None:
    d = only(text)
    assert (d.kind, d.recurrence, d.agency) == ("recurring", rule, "Sở Tư pháp")
    assert d.recurrence is not None and next_occurrence(d.recurrence, date(2025, 3, 10)) == next_due


def test_a_recurring_deadline_is_first_due_on_or_after_the_document_date() -> None:
    assert only("Trước ngày 10 hằng quý").due == date(2025, 4, 10)  # signed 20/2


@pytest.mark.parametrize(
    "text", ["Thường xuyên", "Liên tục", "Hằng ngày", "Thường xuyên, liên tục", "Từ năm 2025"]
)
def test_continuing_work_is_ongoing_with_no_due_date(text: str) -> None:
    d = only(text)
    assert (d.kind, d.due, d.precision, d.recurrence) == ("ongoing", None, "none", None)


def test_a_year_and_the_years_after_it_is_continuing_work_not_a_deadline() -> None:
    text = "Năm 2025 và các năm tiếp theo"
    d = only(text)
    assert (d.kind, text[d.start : d.end]) == ("ongoing", text)


# --- cells with no time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Đã hoàn thành",
        "Theo tiến độ của Bộ Công an",
        "Theo Kế hoạch số 12/KH-UBND ngày 05/3/2025",
        "Căn cứ Quyết định 06/QĐ-TTg",
    ],
)
def test_a_cell_with_no_time_in_it_gives_nothing(text: str) -> None:
    assert cell(text) == []


CELL_WORDS = st.sampled_from(
    "Trước ngày 15/6/2025 và Quý II/2025 Hằng tháng quý năm Thường xuyên 2025 - 2027 6/2025 "
    "tháng 6 đầu cuối 10 hằng ( ) ; , Từ đến kể từ ngày ký 30 31/2/2025 định kỳ liên tục".split(" ")
)


@settings(max_examples=200, deadline=None)
@given(st.lists(CELL_WORDS, max_size=14))
def test_any_cell_gives_well_formed_deadlines(words: list[str]) -> None:
    text = " ".join(words)
    for d in cell(text):
        assert 0 <= d.start < d.end <= len(text)
        assert d.precision in PRECISIONS and d.kind in KINDS
        assert (d.due is None) == (d.kind == "ongoing")
        assert (d.recurrence is not None) == (d.kind == "recurring")


# --- the shared sample plan's table -------------------------------------------------------------

SAMPLE_ROWS = [  # ke-hoach-112: Nhiệm vụ | Chủ trì | Phối hợp | Thời gian hoàn thành
    (
        "Đối chiếu, làm sạch dữ liệu cán bộ, công chức với Cơ sở dữ liệu quốc gia về dân cư",
        "Phòng Công chức, viên chức",
        "Công an tỉnh",
        "Quý II/2025",
    ),
    (
        "Cập nhật hồ sơ điện tử cán bộ, công chức vào Cơ sở dữ liệu quốc gia về cán bộ, công chức",
        "Phòng Công chức, viên chức",
        "Các sở, ngành",
        "Thường xuyên",
    ),
    (
        "Tái cấu trúc quy trình thủ tục thi đua, khen thưởng trên môi trường điện tử",
        "Ban Thi đua - Khen thưởng",
        "Văn phòng UBND tỉnh",
        "31/7/2025",
    ),
    (
        "Báo cáo tình hình thực hiện gửi Sở",
        "Các phòng, đơn vị thuộc Sở",
        "",
        "Trước ngày 10 hằng quý",
    ),
    (
        "Số hóa hồ sơ lưu trữ lịch sử của tỉnh",
        "Chi cục Văn thư - Lưu trữ",
        "Trung tâm Lưu trữ lịch sử",
        "2025 - 2027",
    ),
]


def _due_on(d: Deadline, today: date) -> date | None:
    return next_occurrence(d.recurrence, today) if d.recurrence else d.due


@pytest.mark.skipif(not (SHARED / "eval").is_dir(), reason="shared eval rows not present")
def test_every_row_of_the_sample_task_table_gives_the_expected_deadline() -> None:
    lines = (SHARED / "eval" / "dev_plans_deadlines.jsonl").read_text(encoding="utf-8")
    wanted = [json.loads(line) for line in lines.splitlines() if line.strip()]
    tasks = {row[0] for row in SAMPLE_ROWS}
    wanted = [w for w in wanted if any(w["task"] in t for t in tasks)]
    found = [
        d
        for task, lead, partners, time in SAMPLE_ROWS
        for d in cell_deadlines(
            time, task=task, lead=lead, partners=split_agencies(partners),
            default_year=2025, doc_date=date(2025, 3, 5),
        )
    ]  # fmt: skip
    assert len(wanted) == len(found) == len(SAMPLE_ROWS)
    for w in wanted:
        due = date.fromisoformat(w["due"]) if w["due"] else None
        today = date.fromisoformat(w["today"])
        assert [
            (d.kind, d.agency) for d in found if w["task"] in d.text and _due_on(d, today) == due
        ] == [(w["kind"], w["lead"])], w


# --- partners cells -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Công an tỉnh, Sở Tư pháp", ["Công an tỉnh", "Sở Tư pháp"]),
        ("Các sở, ngành", ["Các sở, ngành"]),
        ("UBND các huyện, thị xã, thành phố", ["UBND các huyện, thị xã, thành phố"]),
        ("Sở Tư pháp và Công an tỉnh", ["Sở Tư pháp", "Công an tỉnh"]),
        ("Sở Lao động, Thương binh và Xã hội", ["Sở Lao động, Thương binh và Xã hội"]),
        ("Sở Kế hoạch và Đầu tư; Sở Tài chính", ["Sở Kế hoạch và Đầu tư", "Sở Tài chính"]),
        ("Văn phòng HĐND và UBND tỉnh", ["Văn phòng HĐND và UBND tỉnh"]),
        ("Phòng Công chức, viên chức", ["Phòng Công chức, viên chức"]),
        ("Ban Thi đua - Khen thưởng", ["Ban Thi đua - Khen thưởng"]),
        (
            "- Công an tỉnh\n- Sở TT&TT\n- UBND cấp huyện",
            ["Công an tỉnh", "Sở TT&TT", "UBND cấp huyện"],
        ),
        (
            "Công an tỉnh (PC06, PV01), Viettel, VNPT",
            ["Công an tỉnh (PC06, PV01)", "Viettel", "VNPT"],
        ),
        ("Các cơ quan, đơn vị có liên quan", ["Các cơ quan, đơn vị có liên quan"]),
    ],
)
def test_a_partners_cell_splits_into_agencies_not_at_every_comma(
    text: str, expected: list[str]
) -> None:
    assert split_agencies(text) == expected


@pytest.mark.parametrize("text", ["", "  ", "-", "Không"])
def test_an_empty_partners_cell_names_no_one(text: str) -> None:
    assert split_agencies(text) == []


# --- headings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        ("Sở Tư pháp:", "Sở Tư pháp"),
        ("Công an thành phố", "Công an thành phố"),
        ("UBND các huyện, thị xã, thành phố", "UBND các huyện, thị xã, thành phố"),
        ("Văn phòng HĐND và UBND thành phố", "Văn phòng HĐND và UBND thành phố"),
        ("Phòng Tư pháp thành phố", "Phòng Tư pháp thành phố"),
        ("Trách nhiệm của Sở Nội vụ", "Sở Nội vụ"),
        ("Bộ Công an (cơ quan thường trực)", "Bộ Công an"),
        ("Các sở, ban, ngành tỉnh", "Các sở, ban, ngành tỉnh"),
        ("CÔNG AN TỈNH", "CÔNG AN TỈNH"),
        ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG:", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"),
        ("Sở Tư pháp: chủ trì hướng dẫn nghiệp vụ hộ tịch", "Sở Tư pháp"),
    ],
)
def test_a_heading_that_names_an_agency_gives_that_name(heading: str, name: str) -> None:
    assert agency_name(heading) == name


@pytest.mark.parametrize(
    "heading",
    [
        "MỤC ĐÍCH, YÊU CẦU",
        "NHIỆM VỤ VỀ DỮ LIỆU",
        "Tổ chức thực hiện",
        "HỘI NGHỊ SƠ KẾT",
        "Sở Tư pháp tổ chức tập huấn nghiệp vụ",
        "Nhiệm vụ cụ thể",
        "",
    ],
)
def test_a_heading_that_is_not_an_agency_gives_none(heading: str) -> None:
    assert agency_name(heading) is None
