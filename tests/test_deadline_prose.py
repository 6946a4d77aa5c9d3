"""Dated sentences of plans: the lead from the sentence or its section's agency heading,
partners after "phối hợp với", recurring and ongoing work in clauses that assign it, dates
counted from signing, and the dates of plans that are not deadlines."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.deadlines import KINDS, PRECISIONS, Deadline, Recurrence, extract_deadlines

SIGNED = date(2025, 3, 12)


def found(text: str, lead: str = "", doc_date: date | None = SIGNED) -> list[Deadline]:
    return extract_deadlines(text, default_year=2025, doc_date=doc_date, section_lead=lead)


def only(text: str, lead: str = "", doc_date: date | None = SIGNED) -> Deadline:
    out = found(text, lead, doc_date)
    assert len(out) == 1, out
    return out[0]


# --- who leads, who cooperates ------------------------------------------------------------------


def test_a_bullet_under_an_agency_heading_is_led_by_that_agency() -> None:
    d = only(
        "- Phối hợp với Phòng Tư pháp làm sạch dữ liệu hộ tịch của 12 phường, "
        "xong trước ngày 30/9/2025.",
        lead="Công an thành phố",
    )
    assert (d.due, d.agency, d.partners) == (
        date(2025, 9, 30),
        "Công an thành phố",
        ("Phòng Tư pháp",),
    )


def test_the_sentences_own_subject_wins_over_the_section_heading() -> None:
    d = only(
        "Văn phòng Sở tổng hợp kết quả, báo cáo Giám đốc Sở trước ngày 20/11/2025.",
        lead="Sở Nội vụ",
    )
    assert d.agency == "Văn phòng Sở"


def test_partners_after_phoi_hop_voi_are_listed_and_the_lead_is_not_one_of_them() -> None:
    d = only(
        "Giao Sở Tư pháp chủ trì, phối hợp với Công an tỉnh và Sở Thông tin và Truyền thông "
        "triển khai đăng ký khai sinh trực tuyến, hoàn thành trong quý III/2025."
    )
    assert d.agency == "Sở Tư pháp"
    assert d.partners == ("Công an tỉnh", "Sở Thông tin và Truyền thông")


def test_a_collective_partner_is_one_partner() -> None:
    d = only(
        "Công an tỉnh chủ trì, phối hợp với UBND các huyện, thị xã, thành phố rà soát dữ liệu "
        "dân cư, hoàn thành trước ngày 31/5/2025."
    )
    assert d.partners == ("UBND các huyện, thị xã, thành phố",)


def test_a_partner_label_names_the_partners() -> None:
    d = only(
        "Cơ quan chủ trì: Sở Nội vụ. Cơ quan phối hợp: Công an tỉnh, Sở Tài chính.\n"
        "Thời gian hoàn thành: tháng 8/2025."
    )
    assert (d.agency, d.partners) == ("Sở Nội vụ", ("Công an tỉnh", "Sở Tài chính"))


def test_an_agency_with_a_colon_after_a_lettered_bullet_leads_its_item() -> None:
    d = only(
        "a) Công an tỉnh: chủ trì, phối hợp với Sở Tư pháp rà soát dữ liệu, "
        "hoàn thành trước ngày 30/6/2025."
    )
    assert (d.agency, d.partners) == ("Công an tỉnh", ("Sở Tư pháp",))


def test_without_a_subject_or_a_heading_the_lead_is_unknown() -> None:
    assert only("Hạn chót nộp hồ sơ là ngày 28/2/2025.").agency == ""


# --- recurring work -----------------------------------------------------------------------------


def test_a_fronted_rule_on_a_plan_bullet_is_recurring_work() -> None:
    d = only(
        "- Hằng quý tổng hợp số liệu hộ tịch điện tử, báo cáo UBND thành phố.",
        lead="Phòng Tư pháp thành phố",
    )
    assert (d.kind, d.recurrence, d.agency) == (
        "recurring",
        Recurrence("quarterly"),
        "Phòng Tư pháp thành phố",
    )
    assert d.text == "Hằng quý tổng hợp số liệu hộ tịch điện tử, báo cáo UBND thành phố"
    assert d.due == date(2025, 3, 31)  # first occurrence on or after the signing


def test_a_named_day_rule_in_a_sentence_is_recurring_on_that_day() -> None:
    d = only("UBND các xã gửi báo cáo kết quả về Sở Tư pháp trước ngày 25 hằng tháng.")
    assert (d.recurrence, d.agency, d.due) == (
        Recurrence("monthly", 25),
        "UBND các xã",
        date(2025, 3, 25),
    )


def test_a_yearly_date_is_recurring_not_a_deadline_of_the_documents_year() -> None:
    d = only("Các cơ quan, đơn vị báo cáo Sở Nội vụ trước ngày 15/12 hằng năm.")
    assert (d.kind, d.recurrence) == ("recurring", Recurrence("yearly", 15, 12))


def test_a_yearly_day_written_in_words_is_one_recurring_task() -> None:
    d = only("- Báo cáo kết quả về Sở Tư pháp trước ngày 15 tháng 12 hằng năm.", "UBND cấp huyện")
    assert (d.kind, d.recurrence, d.agency) == (
        "recurring",
        Recurrence("yearly", 15, 12),
        "UBND cấp huyện",
    )


def test_two_rules_in_one_clause_are_two_recurring_tasks() -> None:
    out = found("Các sở, ngành báo cáo định kỳ 6 tháng, hằng năm về UBND tỉnh.")
    assert [d.recurrence for d in out] == [Recurrence("half-yearly"), Recurrence("yearly")]


@pytest.mark.parametrize(
    "text",
    [
        "Hằng năm, tỉnh đã tổ chức hội nghị tổng kết công tác hộ tịch.",
        "Bộ Công an hằng năm tổ chức hội nghị sơ kết.",
        "Hằng tháng có hàng nghìn hồ sơ được giải quyết trực tuyến.",
        "Định kỳ hằng quý, Tổ công tác đã họp rà soát tiến độ.",
    ],
)
def test_news_about_repeated_events_is_not_recurring_work(text: str) -> None:
    assert found(text, doc_date=None) == []


def test_the_day_of_a_rule_in_a_report_is_not_read_as_a_one_off_deadline() -> None:
    text = "Thời điểm trước ngày 15/12 hằng năm là cao điểm cấp căn cước cho học sinh."
    assert found(text, doc_date=None) == []


# --- ongoing work -------------------------------------------------------------------------------


def test_a_task_done_continually_is_ongoing_with_no_due_date() -> None:
    d = only(
        "- Hỗ trợ người dân kích hoạt tài khoản định danh điện tử tại bộ phận một cửa, "
        "thực hiện thường xuyên.",
        lead="Công an thành phố",
    )
    assert (d.kind, d.due, d.agency) == ("ongoing", None, "Công an thành phố")
    assert "kích hoạt tài khoản định danh điện tử tại bộ phận một cửa" in d.text


def test_a_bullet_starting_with_thuong_xuyen_is_ongoing_work() -> None:
    d = only("- Thường xuyên kiểm tra, đôn đốc việc cập nhật dữ liệu dân cư.", lead="Công an tỉnh")
    assert (d.kind, d.agency) == ("ongoing", "Công an tỉnh")


def test_a_time_label_saying_thuong_xuyen_is_ongoing_work() -> None:
    d = only("Sở Tư pháp: Cập nhật dữ liệu hộ tịch; thời gian thực hiện: thường xuyên.")
    assert (d.kind, d.agency) == ("ongoing", "Sở Tư pháp")


@pytest.mark.parametrize(
    "text",
    [
        "Bộ thường xuyên kiểm tra, đôn đốc các địa phương.",
        "Công an tỉnh kiểm tra thường xuyên các điểm cấp căn cước.",
        "Hệ thống được vận hành ổn định, liên tục.",
        "Thời gian qua, tỉnh đã thường xuyên tổ chức tuyên truyền, liên tục.",
        "Lượng hồ sơ tăng liên tục trong năm qua.",
    ],
)
def test_continually_as_an_adverb_of_a_report_is_not_ongoing_work(text: str) -> None:
    assert found(text, doc_date=None) == []


# --- dates counted from the document's own date --------------------------------------------------


def test_effective_from_signing_falls_on_the_document_date() -> None:
    d = only("Quyết định này có hiệu lực kể từ ngày ký.")
    assert (d.kind, d.due, d.precision) == ("effective", SIGNED, "day")
    assert d.text == "Quyết định này có hiệu lực kể từ ngày ký"


def test_effective_some_days_after_signing_counts_them() -> None:
    d = only("Quy chế này có hiệu lực sau 15 ngày kể từ ngày ký.")
    assert (d.kind, d.due) == ("effective", date(2025, 3, 27))


def test_a_time_limit_counted_from_signing_is_a_deadline_of_its_subject() -> None:
    d = only(
        "Trong thời hạn 30 ngày kể từ ngày ký Quyết định này, Sở Tư pháp phải ban hành "
        "kế hoạch triển khai."
    )
    assert (d.kind, d.due, d.agency) == ("deadline", date(2025, 4, 11), "Sở Tư pháp")


def test_without_the_document_date_a_relative_date_is_not_guessed() -> None:
    assert found("Quyết định này có hiệu lực kể từ ngày ký.", doc_date=None) == []


# --- two dates, ranges --------------------------------------------------------------------------


def test_two_dates_sharing_one_cue_are_two_deadlines() -> None:
    text = "Sở Nội vụ báo cáo UBND tỉnh trước ngày 15/6/2025 và 15/12/2025."
    out = found(text)
    assert [d.due for d in out] == [date(2025, 6, 15), date(2025, 12, 15)]
    assert [text[d.start : d.end] for d in out] == ["trước ngày 15/6/2025", "15/12/2025"]


def test_a_range_that_is_the_time_of_the_task_is_due_at_its_end() -> None:
    d = only("Sở Tư pháp chủ trì số hóa dữ liệu hộ tịch, thực hiện trong giai đoạn 2025 - 2027.")
    assert (d.due, d.precision) == (date(2027, 12, 31), "year")


def test_a_range_naming_a_period_inside_the_task_is_not_a_deadline() -> None:
    assert found("- Số hóa sổ hộ tịch giai đoạn 2015-2020.", lead="Sở Tư pháp") == []


def test_the_task_period_is_skipped_but_the_tasks_own_deadline_is_kept() -> None:
    d = only("- Số hóa sổ hộ tịch giai đoạn 2015-2020, hoàn thành trong năm 2025.", "Sở Tư pháp")
    assert d.due == date(2025, 12, 31)


# --- dates that are not deadlines ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Căn cứ Nghị định số 59/2022/NĐ-CP ngày 05/9/2022 của Chính phủ;",
        "Căn cứ Kế hoạch số 112/KH-SNV ngày 05/3/2025 của Sở Nội vụ, UBND thành phố ban hành "
        "Kế hoạch như sau:",
        "Năm 2024, thành phố đã kích hoạt 210.400 tài khoản định danh điện tử.",
        "Đến ngày 31/12/2024, toàn tỉnh đã cấp 412.560 thẻ căn cước.",
        "Kế hoạch này thay thế Kế hoạch số 45/KH-UBND ngày 02/6/2023 của UBND tỉnh.",
        "Sáng 8/4, Công an tỉnh Hòa Phong tổ chức hội nghị đánh giá tiến độ cấp căn cước.",
        "Ngày 14/01/2025, UBND tỉnh họp Ban Chỉ đạo để đánh giá kết quả năm 2024.",
    ],
)
def test_legal_bases_results_replaced_documents_and_meetings_are_not_deadlines(text: str) -> None:
    assert found(text, lead="Sở Tư pháp") == []


def test_a_replaced_documents_date_stays_out_of_an_effective_clause() -> None:
    d = only(
        "Điều 2. Quyết định này có hiệu lực kể từ ngày 15/3/2025 và thay thế Quyết định số "
        "45/QĐ-BCĐ ngày 02/6/2023."
    )
    assert (d.kind, d.due) == ("effective", date(2025, 3, 15))
    assert d.text.startswith("Quyết định này có hiệu lực")


PROSE_WORDS = st.sampled_from(
    "- Sở Tư pháp Công an tỉnh phối hợp với chủ trì cần báo cáo tổng hợp hằng quý tháng năm "
    "Hằng thường xuyên liên tục, thực hiện định kỳ 6 trước ngày 10 25 15/12 hiệu lực kể từ ký "
    "sau 30 trong thời hạn hoàn thành Quý II/2025 2025 - 2027 giai đoạn đã . ; , \n".split(" ")
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PROSE_WORDS, max_size=40), st.sampled_from(["", "Công an thành phố"]))
def test_any_plan_text_gives_well_formed_deadlines(words: list[str], lead: str) -> None:
    text = " ".join(words)
    for d in found(text, lead):
        assert 0 <= d.start < d.end <= len(text)
        assert d.precision in PRECISIONS and d.kind in KINDS
        assert (d.due is None) == (d.kind == "ongoing")
        assert (d.recurrence is not None) == (d.kind == "recurring")
        assert d.agency not in d.partners
