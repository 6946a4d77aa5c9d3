"""`/deadline`, its JSON twin and timing questions, around a fixed today."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.deadline_chat import (
    DeadlineRecord,
    TimingIndex,
    days_left,
    deadline_block,
    deadline_reply,
    deadlines_json,
    matching,
    parse_deadline_args,
    recurrence_label,
    select,
    timing_matches,
)
from bot.models import ReplyKind, Style
from index.deadlines import Recurrence

TITLE = "Tổ công tác Đề án 06 họp rà soát tiến độ"


def rec(
    due: date,
    text: str,
    agency: str = "",
    *,
    precision: str = "day",
    kind: str = "deadline",
    doc_id: str = "hop-to-cong-tac",
) -> DeadlineRecord:
    return DeadlineRecord(
        due=due,
        precision=precision,
        kind=kind,
        text=text,
        agency=agency,
        start=0,
        end=10,
        passage_id=1,
        doc_id=doc_id,
        title=TITLE,
        source="Cổng TTĐT Chính phủ",
        date="2024-01-25",
        url="",
    )


GUI_BTP = rec(
    date(2024, 1, 31),
    "Các bộ, cơ quan cần có lộ trình hoàn thành đơn giản hoá, gửi Bộ Tư pháp trước ngày 31/1/2024",
    "Các bộ, cơ quan",
)
NGHI_DINH = rec(
    date(2024, 3, 30),
    "Bộ TT&TT khẩn trương hoàn thiện hồ sơ dự thảo Nghị định, trình Chính phủ trước ngày 30/3/2024",
    "Bộ TT&TT",
)
CAN_CUOC = rec(
    date(2024, 4, 15),
    "Bộ Tư pháp, Văn phòng Chính phủ thẩm định Nghị định hướng dẫn thi hành Luật Căn cước, "
    "hoàn thành trước ngày 15/4/2024",
    "Bộ Tư pháp, Văn phòng Chính phủ",
)
MA_DINH_DANH = rec(
    date(2024, 6, 30),
    "Các bộ, ngành đăng ký mã định danh tổ chức, hoàn thành trong quý II/2024",
    "Các bộ, ngành",
    precision="quarter",
)
HIEU_LUC = rec(date(2024, 7, 1), "Luật Căn cước có hiệu lực từ ngày 1/7/2024", kind="effective")
RECORDS = [MA_DINH_DANH, GUI_BTP, HIEU_LUC, CAN_CUOC, NGHI_DINH]
TIMING = TimingIndex(RECORDS)
TODAY = date(2024, 3, 1)


# --- arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize("args", ["all", "--all", "tất cả", "tat ca", "Tất Cả"])
def test_all_words_include_past_deadlines(args: str) -> None:
    assert parse_deadline_args(args) == (True, [])


def test_filter_words_are_kept_beside_all() -> None:
    assert parse_deadline_args("all Bộ Tư pháp") == (True, ["Bộ", "Tư", "pháp"])


def test_no_arguments_means_upcoming_and_unfiltered() -> None:
    assert parse_deadline_args("  ") == (False, [])


# --- selection --------------------------------------------------------------------------------


def test_default_lists_only_deadlines_ahead_soonest_first() -> None:
    listed = select(RECORDS, TODAY, False, [])
    assert [x.record for x in listed] == [NGHI_DINH, CAN_CUOC, MA_DINH_DANH, HIEU_LUC]
    assert [x.days_left for x in listed] == [29, 45, 121, 122]


def test_a_deadline_due_today_is_still_upcoming() -> None:
    listed = select(RECORDS, date(2024, 3, 30), False, [])
    assert (listed[0].record, listed[0].days_left, listed[0].status) == (NGHI_DINH, 0, "upcoming")


def test_all_includes_past_deadlines_marked_past() -> None:
    listed = select(RECORDS, TODAY, True, [])
    assert (listed[0].record, listed[0].status, listed[0].days_left) == (GUI_BTP, "past", -30)
    assert {x.status for x in listed[1:]} == {"upcoming"}


def test_days_left_counts_calendar_days() -> None:
    assert days_left(GUI_BTP, date(2024, 1, 24)) == 7
    assert days_left(GUI_BTP, date(2024, 2, 1)) == -1


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["Bộ", "Tư", "pháp"], [CAN_CUOC, GUI_BTP]),  # what it leads first
        (["bo", "tu", "phap"], [CAN_CUOC, GUI_BTP]),
        (["căn", "cước"], [CAN_CUOC, HIEU_LUC]),
        (["can", "cuoc"], [CAN_CUOC, HIEU_LUC]),
        (["2024"], [GUI_BTP, NGHI_DINH, CAN_CUOC, MA_DINH_DANH, HIEU_LUC]),
        (["quý", "II"], [CAN_CUOC, MA_DINH_DANH]),
        (["quy", "2"], [CAN_CUOC, MA_DINH_DANH]),
        (["Q1"], [GUI_BTP, NGHI_DINH]),
        (["tháng", "3/2024"], [NGHI_DINH]),
        (["thang", "3", "nam", "2024"], [NGHI_DINH]),
        (["Bộ", "TT&TT"], [NGHI_DINH]),
        (["2025"], []),
    ],
)
def test_filters_match_agency_topic_and_period_with_or_without_diacritics(
    words: list[str], expected: list[DeadlineRecord]
) -> None:
    assert [x.record for x in select(RECORDS, TODAY, True, words)] == expected


def test_filter_words_all_have_to_match() -> None:
    assert [x.record for x in select(RECORDS, TODAY, True, ["căn", "cước", "quý", "II"])] == [
        CAN_CUOC
    ]


def test_filter_matches_the_document_title() -> None:
    assert len(select(RECORDS, TODAY, True, ["tổ", "công", "tác"])) == len(RECORDS)


# --- the chat reply ---------------------------------------------------------------------------


def test_reply_gives_each_deadline_its_own_block_with_strong_due_and_cited_source() -> None:
    reply = deadline_reply(RECORDS, TODAY, "")
    assert reply.kind is ReplyKind.INFO
    first = reply.blocks[1]
    assert [r.text for r in first if r.style is Style.STRONG] == ["30/3/2024"]
    assert [r.text for r in first if r.style is Style.CITE] == [
        f"Nguồn: {TITLE} (Cổng TTĐT Chính phủ, 25/01/2024)"
    ]
    assert len(reply.blocks) == 1 + 4


def test_reply_says_days_left_agency_and_task() -> None:
    plain = deadline_reply(RECORDS, TODAY, "").plain
    assert "còn 29 ngày" in plain
    assert "Chủ trì: Bộ TT&TT" in plain
    assert "trình Chính phủ trước ngày 30/3/2024" in plain


def test_period_deadline_shows_its_period_and_last_day() -> None:
    plain = deadline_reply(RECORDS, TODAY, "quý II").plain
    assert "quý II/2024 (hạn 30/6/2024)" in plain


def test_due_today_says_today() -> None:
    assert "hạn là hôm nay" in deadline_reply(RECORDS, date(2024, 3, 30), "").plain


def test_past_deadline_without_progress_is_gone_by_never_overdue_nor_done() -> None:
    plain = deadline_reply(RECORDS, TODAY, "all").plain
    assert "hạn đã qua 30 ngày · chưa có cập nhật tiến độ" in plain
    assert "quá hạn" not in plain.replace("hạn đã qua", "")
    assert "đã hoàn thành" not in plain.replace("hoàn thành đơn giản", "")


def test_effective_date_is_worded_as_taking_effect() -> None:
    plain = deadline_reply(RECORDS, TODAY, "hiệu lực").plain
    assert "Có hiệu lực: 1/7/2024 — còn 122 ngày nữa có hiệu lực" in plain


def test_reply_offers_past_deadlines_as_button_and_as_typed_hint() -> None:
    reply = deadline_reply(RECORDS, TODAY, "căn cước")
    assert "/deadline all căn cước" in [a.command for a in reply.actions]
    assert any(r.style is Style.COMMAND and r.text == "/deadline all căn cước" for r in reply.hint)


def test_no_match_for_filter_suggests_changing_it() -> None:
    reply = deadline_reply(RECORDS, TODAY, "đất đai")
    assert reply.kind is ReplyKind.INFO
    assert "Không có hạn nào sắp tới khớp với “đất đai”" in reply.plain


def test_nothing_ahead_points_to_all() -> None:
    plain = deadline_reply(RECORDS, date(2025, 1, 1), "").plain
    assert "Không còn hạn nào sắp tới" in plain and "/deadline all" in plain


def test_no_deadlines_at_all_says_so() -> None:
    assert "Chưa có hạn nào" in deadline_reply([], TODAY, "").plain


def test_long_lists_are_cut_with_a_hint_to_filter() -> None:
    many = [
        rec(date(2024, 5, d), f"Nhiệm vụ số {d}, hoàn thành trước ngày {d}/5/2024")
        for d in range(1, 21)
    ]
    reply = deadline_reply(many, TODAY, "")
    assert len(reply.blocks) == 1 + 15 + 1
    assert "và 5 hạn khác" in reply.plain


# --- JSON -------------------------------------------------------------------------------------


def test_json_has_exactly_the_documented_fields() -> None:
    doc = deadlines_json(RECORDS, TODAY, True, [])
    assert doc["today"] == "2024-03-01"
    assert doc["deadlines"][0] == {
        "id": None,
        "due": "2024-01-31",
        "precision": "day",
        "kind": "deadline",
        "status": "past",
        "days_left": -30,
        "text": GUI_BTP.text,
        "lead": "Các bộ, cơ quan",
        "partners": [],
        "agency": "Các bộ, cơ quan",
        "section": "",
        "recurrence": None,
        "title": TITLE,
        "doc": "hop-to-cong-tac",
        "date": "2024-01-25",
        "progress": "unknown",
        "progress_note": "",
        "done_on": None,
        "progress_by": None,
        "progress_at": None,
    }


def test_json_without_all_leaves_out_the_past() -> None:
    doc = deadlines_json(RECORDS, TODAY, False, ["Bộ", "Tư", "pháp"])
    assert [d["due"] for d in doc["deadlines"]] == ["2024-04-15"]


# --- timing questions -------------------------------------------------------------------------


def test_effective_date_question_finds_the_effective_record_first() -> None:
    assert timing_matches("Luật Căn cước có hiệu lực từ ngày nào?", TIMING)[0] == HIEU_LUC


def test_timing_question_without_diacritics_matches_too() -> None:
    assert timing_matches("luat can cuoc co hieu luc tu ngay nao", TIMING)[0] == HIEU_LUC


def test_deadline_question_finds_the_task() -> None:
    found = timing_matches("Hạn trình nghị định của Bộ TT&TT là khi nào?", TIMING)
    assert found[0] == NGHI_DINH


def test_question_about_something_else_finds_nothing() -> None:
    assert timing_matches("Luật Đất đai có hiệu lực khi nào?", TIMING) == []


def test_question_that_is_not_about_timing_finds_nothing() -> None:
    assert timing_matches("Luật Căn cước quy định những gì?", TIMING) == []


def test_reply_listing_all_does_not_offer_all_again() -> None:
    reply = deadline_reply(RECORDS, TODAY, "all")
    assert not any("/deadline all" in a.command for a in reply.actions)
    assert "/deadline all" not in "".join(r.text for r in reply.hint)


# --- plans: lead and partners, sections, recurring and ongoing work ----------------------------

PLAN_TITLE = "Kế hoạch 112/KH-SNV triển khai Đề án 06 năm 2025"
PLAN_TODAY = date(2025, 3, 10)


def plan_rec(
    due: date | None,
    text: str,
    agency: str,
    partners: tuple[str, ...] = (),
    *,
    kind: str = "deadline",
    precision: str = "day",
    recurrence: Recurrence | None = None,
    section: str = "",
) -> DeadlineRecord:
    return replace(
        rec(date(2025, 1, 1), text, agency, precision=precision, kind=kind, doc_id="ke-hoach-112"),
        due=due,
        title=PLAN_TITLE,
        source="Sở Nội vụ tỉnh Hòa Phong",
        date="2025-03-05",
        partners=partners,
        recurrence=recurrence,
        section=section,
    )


DOI_CHIEU = plan_rec(
    date(2025, 6, 30),
    "Đối chiếu, làm sạch dữ liệu cán bộ, công chức",
    "Phòng Công chức, viên chức",
    ("Công an tỉnh", "Sở Tư pháp"),
    precision="quarter",
    section="II › A › 1",
)
HO_TICH = plan_rec(
    date(2025, 9, 30),
    "Làm sạch dữ liệu hộ tịch của 12 phường",
    "Sở Tư pháp",
    ("Công an tỉnh",),
)
BAO_CAO = plan_rec(
    date(2025, 4, 10),
    "Báo cáo tình hình thực hiện gửi Sở",
    "Các phòng, đơn vị thuộc Sở",
    kind="recurring",
    recurrence=Recurrence("quarterly", 10),
    section="II › B › 4",
)
HO_SO = plan_rec(
    None,
    "Cập nhật hồ sơ điện tử cán bộ, công chức",
    "Phòng Công chức, viên chức",
    ("Các sở, ngành",),
    kind="ongoing",
    precision="none",
)
PLAN = [HO_SO, HO_TICH, BAO_CAO, DOI_CHIEU]


def test_a_deadline_shows_its_lead_and_partners_on_one_line() -> None:
    plain = deadline_reply(PLAN, PLAN_TODAY, "").plain
    assert "Chủ trì: Phòng Công chức, viên chức · Phối hợp: Công an tỉnh, Sở Tư pháp" in plain


def test_a_deadline_shows_the_section_it_is_written_in() -> None:
    assert "Mục: II › A › 1" in deadline_reply(PLAN, PLAN_TODAY, "").plain


def test_recurring_work_shows_its_rule_and_next_occurrence() -> None:
    plain = deadline_reply(PLAN, PLAN_TODAY, "").plain
    assert "Định kỳ: trước ngày 10 hằng quý — lần tới 10/4/2025, còn 31 ngày" in plain


def test_recurring_work_moves_to_its_next_occurrence_and_is_never_overdue() -> None:
    listed = select(PLAN, date(2025, 4, 11), True, ["báo", "cáo"])
    assert [(x.due, x.status, x.days_left) for x in listed] == [(date(2025, 7, 10), "upcoming", 90)]


def test_upcoming_lists_recurring_work_by_its_next_occurrence() -> None:
    assert [x.record for x in select(PLAN, PLAN_TODAY, False, [])] == [BAO_CAO, DOI_CHIEU, HO_TICH]


def test_ongoing_work_is_listed_by_all_in_its_own_group_and_never_overdue() -> None:
    reply = deadline_reply(PLAN, date(2026, 1, 1), "all")
    plain = reply.plain
    group = plain.index("Nhiệm vụ thường xuyên")
    assert plain.index("Cập nhật hồ sơ điện tử cán bộ") > group
    assert "Thời hạn: thường xuyên — không có hạn cụ thể" in plain
    assert plain.count("hạn đã qua") == 2  # the two dated tasks, not the ongoing one
    assert "3 hạn và 1 nhiệm vụ thường xuyên" in plain


def test_upcoming_leaves_ongoing_work_out_but_says_how_to_see_it() -> None:
    reply = deadline_reply(PLAN, PLAN_TODAY, "")
    assert "Cập nhật hồ sơ điện tử cán bộ" not in reply.plain
    assert "1 nhiệm vụ thường xuyên" in "".join(r.text for r in reply.hint)


def test_a_filter_lists_what_the_agency_leads_before_what_it_cooperates_on() -> None:
    listed = select(PLAN, PLAN_TODAY, True, ["Sở", "Tư", "pháp"])
    assert [x.record for x in listed] == [HO_TICH, DOI_CHIEU]


def test_a_filter_on_a_partner_finds_the_task() -> None:
    listed = select(PLAN, PLAN_TODAY, True, ["cong", "an", "tinh"])
    assert [x.record for x in listed] == [DOI_CHIEU, HO_TICH]


def test_a_period_filter_matches_recurring_work_by_its_next_occurrence() -> None:
    assert [x.record for x in select(PLAN, PLAN_TODAY, True, ["quý", "II"])] == [
        BAO_CAO,
        DOI_CHIEU,
    ]


def test_a_period_filter_leaves_ongoing_work_out() -> None:
    assert HO_SO not in [x.record for x in select(PLAN, PLAN_TODAY, True, ["2025"])]


def test_json_gives_lead_partners_section_and_recurrence() -> None:
    doc = deadlines_json(PLAN, PLAN_TODAY, True, [])
    by_text = {d["text"]: d for d in doc["deadlines"]}
    recurring = by_text[BAO_CAO.text]
    assert (recurring["kind"], recurring["due"], recurring["recurrence"]) == (
        "recurring",
        "2025-04-10",
        {"freq": "quarterly", "day": 10},
    )
    assert recurring["section"] == "II › B › 4"
    dated = by_text[DOI_CHIEU.text]
    assert (dated["lead"], dated["agency"], dated["partners"], dated["recurrence"]) == (
        "Phòng Công chức, viên chức",
        "Phòng Công chức, viên chức",
        ["Công an tỉnh", "Sở Tư pháp"],
        None,
    )


def test_json_gives_ongoing_work_a_null_due_date() -> None:
    (ongoing,) = [
        d for d in deadlines_json(PLAN, PLAN_TODAY, True, [])["deadlines"] if d["due"] is None
    ]
    assert (ongoing["kind"], ongoing["status"], ongoing["days_left"]) == (
        "ongoing",
        "ongoing",
        None,
    )


@pytest.mark.parametrize(
    ("rule", "label"),
    [
        (Recurrence("monthly"), "hằng tháng (ngày cuối tháng)"),
        (Recurrence("quarterly"), "hằng quý (ngày cuối quý)"),
        (Recurrence("monthly", 25), "trước ngày 25 hằng tháng"),
        (Recurrence("quarterly", 20, 3), "trước ngày 20 tháng cuối của quý, hằng quý"),
        (Recurrence("half-yearly"), "định kỳ 6 tháng (30/6 và 31/12)"),
        (Recurrence("yearly", 15, 12), "trước ngày 15/12 hằng năm"),
        (Recurrence("yearly"), "hằng năm (ngày cuối năm)"),
    ],
)
def test_a_rule_is_worded_as_documents_word_it(rule: Recurrence, label: str) -> None:
    assert recurrence_label(rule) == label


def test_a_timing_question_about_recurring_work_leads_with_its_rule() -> None:
    (found,) = timing_matches("Báo cáo tình hình thực hiện gửi Sở hạn khi nào?", TimingIndex(PLAN))
    assert found == BAO_CAO
    block = "".join(r.text for r in deadline_block(found, PLAN_TODAY))
    assert block.startswith("Định kỳ: trước ngày 10 hằng quý — lần tới 10/4/2025")


def test_a_timing_question_about_ongoing_work_says_it_is_continual() -> None:
    found = timing_matches("Cập nhật hồ sơ điện tử cán bộ công chức khi nào?", TimingIndex(PLAN))
    assert found[0] == HO_SO
    assert "thường xuyên" in "".join(r.text for r in deadline_block(found[0], PLAN_TODAY))


def test_a_filter_too_long_for_a_button_leaves_the_button_out() -> None:
    words = "Ủy ban nhân dân tỉnh và Sở Thông tin và Truyền thông cùng các huyện thị xã"
    reply = deadline_reply(RECORDS, TODAY, words)
    assert all(len(a.command.encode()) <= 64 for a in reply.actions)
    assert "/deadline all" in "".join(r.text for r in reply.hint)  # still said in the hint


AGENCY_WORDS = [
    rec(date(2025, 7, 31), "Sơ kết 6 tháng thực hiện Đề án 06", "Công an huyện"),
    rec(date(2025, 3, 31), "Họp giao ban Tổ công tác Đề án 06", "Tổ trưởng Tổ công tác"),
    rec(date(2025, 9, 30), "Làm sạch dữ liệu hộ tịch", "Phòng Tư pháp"),
]


def test_a_filter_of_several_words_is_read_as_a_phrase() -> None:
    found = matching(AGENCY_WORDS, ["Công", "an"])
    assert [r.agency for r in found] == ["Công an huyện"]  # not "công tác" + "Đề án"


def test_words_that_no_deadline_has_as_a_phrase_match_anywhere() -> None:
    found = matching(AGENCY_WORDS, ["hộ", "tịch", "Tư", "pháp"])
    assert [r.agency for r in found] == ["Phòng Tư pháp"]
