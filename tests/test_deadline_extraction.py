"""Deadline extraction: every shape officials write, period ends, and reports that are not due."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.deadlines import KINDS, PRECISIONS, Deadline, extract_deadlines, period_bounds
from index.normalize import normalize_text

SHARED = Path(__file__).resolve().parents[2] / "shared"


def only(text: str, default_year: int | None = 2024) -> Deadline:
    found = extract_deadlines(text, default_year=default_year)
    assert len(found) == 1, found
    return found[0]


def phrase(text: str, d: Deadline) -> str:
    return text[d.start : d.end]


# --- shapes -----------------------------------------------------------------------------------

SHAPES = [
    # (sentence, due, precision, timing phrase)
    (
        "Bộ Công an trình Chính phủ trước ngày 30/3/2024.",
        "2024-03-30",
        "day",
        "trước ngày 30/3/2024",
    ),
    (
        "Bộ Công an hoàn thành trước ngày 15/4/2024.",
        "2024-04-15",
        "day",
        "trước ngày 15/4/2024",
    ),
    (
        "Các bộ, cơ quan gửi Bộ Tư pháp trước ngày 31/1/2024.",
        "2024-01-31",
        "day",
        "trước ngày 31/1/2024",
    ),
    (
        "Sở Tư pháp tổ chức tập huấn trong tháng 3/2024.",
        "2024-03-31",
        "month",
        "trong tháng 3/2024",
    ),
    (
        "Công an tỉnh triển khai cấp căn cước cho học sinh, hoàn thành trong quý I/2024.",
        "2024-03-31",
        "quarter",
        "trong quý I/2024",
    ),
    (
        "UBND các tỉnh, thành phố rà soát dữ liệu hộ tịch, hoàn thành trong Quý IV năm 2025.",
        "2025-12-31",
        "quarter",
        "trong Quý IV năm 2025",
    ),
    (
        "Các bộ, ngành gửi báo cáo về Bộ Công an chậm nhất ngày 15 tháng 8 năm 2025.",
        "2025-08-15",
        "day",
        "chậm nhất ngày 15 tháng 8 năm 2025",
    ),
    ("Bộ Tài chính trình Chính phủ trước 30-09-2025.", "2025-09-30", "day", "trước 30-09-2025"),
    (
        "Văn phòng Chính phủ phải tích hợp xong trong tháng 10/2025.",
        "2025-10-31",
        "month",
        "trong tháng 10/2025",
    ),
    (
        "Các địa phương cần hoàn thành số hoá dữ liệu hộ tịch trong năm 2023.",
        "2023-12-31",
        "year",
        "trong năm 2023",
    ),
    (
        "Bộ Thông tin và Truyền thông hoàn thành kết nối 6 tháng đầu năm 2025.",
        "2025-06-30",
        "half",
        "6 tháng đầu năm 2025",
    ),
    (
        "Các bộ cần cắt giảm thủ tục hành chính trong 6 tháng cuối năm 2025.",
        "2025-12-31",
        "half",
        "trong 6 tháng cuối năm 2025",
    ),
    (
        "Bộ Y tế báo cáo kết quả đến hết ngày 31/3/2024.",
        "2024-03-31",
        "day",
        "đến hết ngày 31/3/2024",
    ),
    (
        "Sở Tư pháp nộp báo cáo không muộn hơn ngày 20/6/2024.",
        "2024-06-20",
        "day",
        "không muộn hơn ngày 20/6/2024",
    ),
    ("Hạn chót nộp hồ sơ là ngày 28/2/2024.", "2024-02-28", "day", "28/2/2024"),
    (
        "Các bộ, ngành triển khai dịch vụ công trong quý 2/2024.",
        "2024-06-30",
        "quarter",
        "trong quý 2/2024",
    ),
    ("Bộ Công an tích hợp VNeID, hoàn thành Q3/2024.", "2024-09-30", "quarter", "Q3/2024"),
    (
        "Cơ quan chủ trì: Bộ Công an.\nThời gian hoàn thành: Quý II/2024.",
        "2024-06-30",
        "quarter",
        "Quý II/2024",
    ),
    (
        "Trong quý II/2024, Bộ Công an chủ trì xây dựng nghị định.",
        "2024-06-30",
        "quarter",
        "Trong quý II/2024",
    ),
    (
        "- Xây dựng cơ sở dữ liệu hộ tịch điện tử, thực hiện trong năm 2024.",
        "2024-12-31",
        "year",
        "trong năm 2024",
    ),
]


@pytest.mark.parametrize(("text", "due", "precision", "timing"), SHAPES)
def test_each_written_shape_gives_its_due_date_precision_and_phrase(
    text: str, due: str, precision: str, timing: str
) -> None:
    d = only(text)
    assert (d.due.isoformat(), d.precision, d.kind) == (due, precision, "deadline")
    assert timing in phrase(text, d)


def test_effective_date_is_its_own_kind_not_a_deadline() -> None:
    text = "Luật Căn cước có hiệu lực từ ngày 1/7/2024."
    d = only(text)
    assert (d.due, d.kind, d.precision) == (date(2024, 7, 1), "effective", "day")
    assert phrase(text, d) == "từ ngày 1/7/2024"


def test_effective_date_written_in_words_with_ke_tu() -> None:
    d = only("Thông tư này có hiệu lực thi hành kể từ ngày 01 tháng 7 năm 2024.")
    assert (d.due, d.kind) == (date(2024, 7, 1), "effective")


def test_effective_from_a_month_starts_on_its_first_day() -> None:
    d = only("Quy định mới được áp dụng từ tháng 7/2025 trên phạm vi cả nước.")
    assert (d.due, d.kind, d.precision) == (date(2025, 7, 1), "effective", "month")


def test_before_a_month_means_by_the_end_of_the_previous_month() -> None:
    d = only("Bộ GD&ĐT hoàn thành trước tháng 6/2024.")
    assert (d.due, d.precision) == (date(2024, 5, 31), "month")


def test_before_a_quarter_means_by_the_end_of_the_previous_quarter() -> None:
    d = only("Các địa phương phải hoàn thành trước quý III/2024.")
    assert (d.due, d.precision) == (date(2024, 6, 30), "quarter")


def test_by_the_end_of_a_period_is_that_period_not_the_one_before() -> None:
    d = only("Bộ Nội vụ phải hoàn thành trước cuối năm 2024.")
    assert (d.due, d.precision) == (date(2024, 12, 31), "year")


def test_two_deadlines_in_one_sentence_are_both_found() -> None:
    text = (
        "Các bộ, cơ quan này cần khẩn trương có lộ trình hoàn thành đơn giản hoá, gửi Bộ Tư pháp "
        "trước ngày 31/1/2024 để tập hợp, báo cáo đề xuất Thủ tướng Chính phủ trong tháng 3/2024."
    )
    found = extract_deadlines(text, default_year=2024)
    assert [(d.due, d.precision) for d in found] == [
        (date(2024, 1, 31), "day"),
        (date(2024, 3, 31), "month"),
    ]


# --- years ------------------------------------------------------------------------------------


def test_date_without_year_takes_the_year_named_in_its_sentence() -> None:
    d = only("Năm 2025, Sở Nội vụ cần chuẩn hoá dữ liệu chậm nhất ngày 15 tháng 8.", 2023)
    assert d.due == date(2025, 8, 15)


def test_date_without_year_takes_a_year_named_earlier_in_the_passage() -> None:
    text = "Kế hoạch năm 2025.\nSở Tư pháp báo cáo trước ngày 15/8."
    assert only(text, 2023).due == date(2025, 8, 15)


def test_date_without_year_falls_back_to_the_document_year() -> None:
    assert only("Sở Tư pháp báo cáo trước ngày 15/8.", 2024).due == date(2024, 8, 15)


def test_date_without_any_year_is_skipped_rather_than_guessed() -> None:
    assert extract_deadlines("Sở Tư pháp báo cáo trước ngày 15/8.", default_year=None) == []


def test_impossible_dates_are_skipped() -> None:
    assert extract_deadlines("Bộ Công an hoàn thành trước ngày 30/2/2024.", default_year=2024) == []


# --- period ends ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("precision", "year", "index", "last"),
    [
        ("month", 2024, 2, date(2024, 2, 29)),  # leap year
        ("month", 2023, 2, date(2023, 2, 28)),
        ("month", 2100, 2, date(2100, 2, 28)),  # divisible by 100, not by 400
        ("month", 2000, 2, date(2000, 2, 29)),  # divisible by 400
        ("month", 2024, 4, date(2024, 4, 30)),
        ("quarter", 2024, 1, date(2024, 3, 31)),
        ("quarter", 2024, 2, date(2024, 6, 30)),
        ("quarter", 2024, 3, date(2024, 9, 30)),
        ("quarter", 2024, 4, date(2024, 12, 31)),
        ("half", 2025, 1, date(2025, 6, 30)),
        ("half", 2025, 2, date(2025, 12, 31)),
        ("year", 2023, 0, date(2023, 12, 31)),
    ],
)
def test_a_period_ends_on_its_last_day(precision: str, year: int, index: int, last: date) -> None:
    assert period_bounds(precision, year, index)[1] == last


def test_february_deadline_in_a_leap_year_falls_on_the_29th() -> None:
    assert only("Bộ Tư pháp hoàn thành trong tháng 2/2024.").due == date(2024, 2, 29)


def test_leap_day_itself_is_a_valid_deadline() -> None:
    assert only("Công an tỉnh phải hoàn thành trước ngày 29/2/2024.").due == date(2024, 2, 29)


# --- reports are not deadlines ------------------------------------------------------------------

REPORTS = [
    "Ngày 09/02/2023, Bộ Tư pháp đã ban hành Quyết định số 148/QĐ-BTP.",
    "21/02/2023\nLãnh đạo Bộ làm việc với các đơn vị về tiến độ thực hiện Đề án 06",
    "03:12, 25/12/2022\n\n(ĐN)- Sáng 25-12, Thủ tướng Chính phủ chủ trì hội nghị trực tuyến.",
    "Chiều 21/2, Bộ trưởng Bộ Tư pháp Lê Thành Long đã chủ trì buổi làm việc.",
    "Bộ trưởng đề nghị các bộ, ngành đánh giá kết quả nổi bật từ sau ngày 21/12/2023 đến nay.",
    "Tổ công tác họp rà soát tiến độ kể từ sau Hội nghị diễn ra cuối tháng 12/2023 đến nay.",
    "Trước ngày 21/12/2023, các bộ đã hoàn thành 20 dịch vụ công.",
    "Bộ Tư pháp đã hoàn thành trong năm 2022 việc rà soát văn bản.",
    "Về kết quả thực hiện nhiệm vụ tại Đề án 06 trong năm 2022, 7/7 nhiệm vụ đã hoàn thành.",
    "Kế hoạch hoạt động đến hết năm 2022 có 9 chỉ tiêu hoàn thành.",
    "Đề án giai đoạn 2022-2025, tầm nhìn đến năm 2030 của Chính phủ.",
    "Kết quả là ngày 18/1, Tổng Thư ký Quốc hội đã ban hành Thông báo kết luận.",
    "Bộ Công an cung cấp 227/227 dịch vụ công trực tuyến, 5.142 điểm bưu điện tham gia.",
]


@pytest.mark.parametrize("text", REPORTS)
def test_dates_that_report_past_events_are_not_deadlines(text: str) -> None:
    assert extract_deadlines(text, default_year=2023) == []


# --- agency and task --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("Bộ TT&TT khẩn trương trình Chính phủ trước ngày 30/3/2024.", "Bộ TT&TT"),
        ("Các bộ, ngành cần đi đầu, hoàn thành trong quý II/2024.", "Các bộ, ngành"),
        ("Sở Tư pháp tổ chức tập huấn trong tháng 3/2024.", "Sở Tư pháp"),
        ("Công an tỉnh phải hoàn thành trước ngày 29/2/2024.", "Công an tỉnh"),
        (
            "Để phục vụ triển khai Luật Căn cước, Bộ Tư pháp, Văn phòng Chính phủ phối hợp với "
            "Bộ Công an thẩm định nghị định, hoàn thành trước ngày 15/4/2024.",
            "Bộ Tư pháp, Văn phòng Chính phủ",
        ),
        (
            "Phó Thủ tướng giao Văn phòng Chính phủ phối hợp với Thường trực Tổ công tác rà soát, "
            "hoàn thành trước ngày 15/3/2024.",
            "Văn phòng Chính phủ",
        ),
        ("UBND tỉnh Đồng Nai cần triển khai xong trong tháng 5/2024.", "UBND tỉnh Đồng Nai"),
        ("Hạn chót nộp hồ sơ là ngày 28/2/2024.", ""),
    ],
)
def test_agency_is_the_subject_that_owns_the_task(text: str, agency: str) -> None:
    assert only(text).agency == agency


def test_recipient_after_gui_is_not_the_owner() -> None:
    d = only("Các bộ, cơ quan cần gửi Bộ Tư pháp trước ngày 31/1/2024.")
    assert d.agency == "Các bộ, cơ quan"


def test_recipient_alone_does_not_become_the_agency() -> None:
    assert only("Gửi Bộ Tư pháp trước ngày 31/1/2024.").agency == ""


def test_task_drops_the_purpose_clause_after_the_date() -> None:
    d = only(
        "Bộ TT&TT trình Chính phủ trước ngày 30/3/2024 để bảo đảm triển khai Trung tâm Dữ liệu."
    )
    assert d.text == "Bộ TT&TT trình Chính phủ trước ngày 30/3/2024"


def test_long_task_is_trimmed_but_keeps_topic_subject_and_date() -> None:
    text = (
        "Đối với Nghị định quy định danh mục cơ sở dữ liệu quốc gia, việc xây dựng, cập nhật, "
        "duy trì và khai thác, sử dụng cơ sở dữ liệu quốc gia theo trình tự, thủ tục rút gọn, "
        "Bộ TT&TT khẩn trương hoàn thiện hồ sơ dự thảo Nghị định theo ý kiến của Bộ Tư pháp, "
        "trình Chính phủ trước ngày 30/3/2024 để bảo đảm cho triển khai xây dựng Trung tâm Dữ "
        "liệu quốc gia."
    )
    d = only(text)
    assert len(d.text) <= 250
    assert d.text.startswith("Đối với Nghị định quy định danh mục cơ sở dữ liệu quốc gia")
    assert "Bộ TT&TT khẩn trương" in d.text
    assert d.text.endswith("trước ngày 30/3/2024")


def test_task_pointing_back_with_nay_brings_the_sentence_it_points_to() -> None:
    text = (
        "Về nhóm dịch vụ công, còn 13 dịch vụ công của 8 bộ, ngành chưa hoàn thành. "
        "Các bộ, ngành này cần tái cấu trúc quy trình, hoàn thành trong quý I/2024."
    )
    d = only(text)
    assert "13 dịch vụ công" in d.text and "hoàn thành trong quý I/2024" in d.text
    assert d.agency == "Các bộ, ngành"


def test_effective_task_names_the_law_without_the_purpose_words() -> None:
    text = "Để phục vụ triển khai Luật Căn cước có hiệu lực từ ngày 1/7/2024, Bộ Tư pháp phối hợp."
    effective = [d for d in extract_deadlines(text, default_year=2024) if d.kind == "effective"]
    assert [d.text for d in effective] == ["Luật Căn cước có hiệu lực từ ngày 1/7/2024"]


def test_offsets_point_into_the_original_text_with_nbsp_folded() -> None:
    text = normalize_text("Sở Tư pháp báo cáo trước\u00a0ngày 15/8/2024.")
    d = only(text)
    assert text[d.start : d.end] == "trước ngày 15/8/2024"


def test_numbered_plan_item_with_a_time_label_keeps_the_item_as_task() -> None:
    text = (
        "1. Công an tỉnh chủ trì ban hành Kế hoạch, hoàn thành trước ngày 31/3/2024.\n"
        "2. Sở Tư pháp: Rà soát, số hoá dữ liệu hộ tịch; thời gian hoàn thành: tháng 6/2024."
    )
    second = extract_deadlines(text, default_year=2024)[1]
    assert (second.due, second.agency) == (date(2024, 6, 30), "Sở Tư pháp")
    assert (
        second.text
        == "Sở Tư pháp: Rà soát, số hoá dữ liệu hộ tịch; thời gian hoàn thành: tháng 6/2024"
    )


def test_before_a_year_means_by_the_end_of_the_year_before() -> None:
    d = only("Các tỉnh phải hoàn thành số hoá trước năm 2026.")
    assert (d.due, d.precision) == (date(2025, 12, 31), "year")


WORDS = st.sampled_from(
    "Bộ Tư pháp Công an các bộ, ngành cần hoàn thành trước trong ngày tháng quý năm "
    "II IV Q2 6 đầu cuối đã diễn ra có hiệu lực từ 30/3/2024 15 8 2025 31-12-2023 . ; , \n"
    " 29/2/2023 chậm nhất đến hết hạn chót: thời gian hoàn thành: để này".split(" ")
)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=40))
def test_any_text_gives_well_formed_deadlines(words: list[str]) -> None:
    text = " ".join(words)
    for d in extract_deadlines(text, default_year=2024):
        assert 0 <= d.start < d.end <= len(text)
        assert d.precision in PRECISIONS and d.kind in KINDS
        assert len(d.text) <= 260


# --- the shipped seeds ------------------------------------------------------------------------

SEED_EVENT_DATES = {
    date(2023, 2, 21),
    date(2023, 2, 9),
    date(2022, 12, 8),
    date(2022, 1, 6),
    date(2022, 12, 25),
    date(2022, 4, 4),
    date(2023, 12, 21),
    date(2024, 1, 25),
    date(2024, 1, 18),
    date(2023, 12, 31),
    date(2022, 12, 31),
    date(2030, 12, 31),
    date(2050, 12, 31),
}


def _seed_deadlines() -> list[Deadline]:
    found: list[Deadline] = []
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        text = normalize_text(path.read_text(encoding="utf-8"))
        found += extract_deadlines(text, default_year=2024)
    return found


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="shared seeds not present")
def test_every_dev_deadline_is_found_in_the_seed_texts() -> None:
    found = _seed_deadlines()
    lines = (SHARED / "eval" / "dev_deadlines.jsonl").read_text(encoding="utf-8").splitlines()
    for line in filter(None, lines):
        want = json.loads(line)
        hits = [d for d in found if d.due.isoformat() == want["due"] and want["expect"] in d.text]
        assert hits, want


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="shared seeds not present")
def test_no_event_date_in_the_seed_texts_is_reported() -> None:
    reported = {d.due for d in _seed_deadlines()}
    assert not reported & SEED_EVENT_DATES
    assert all(d.due.year == 2024 for d in _seed_deadlines())
