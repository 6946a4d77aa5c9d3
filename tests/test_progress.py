"""Task progress through the conversation core: ids, /xong /danglam /chuaro /tiendo /daumoi,
honest wording, who may update, reloads that keep (or report) what people reported."""

from __future__ import annotations

import io
import os
import re
from dataclasses import replace
from datetime import datetime

import docx

from bot.core import Conversation
from bot.models import ReplyKind
from bot.render.text import render
from index.progress import history, progress_of

from helpers import ADMIN, say
from progress_plan import (
    BAO_CAO,
    HO_SO,
    HO_TICH,
    MOT_CUA,
    TAI_KHOAN,
    id_of,
    plan_file,
)

pytest_plugins = ["conftest_progress"]

STRANGER = "777"
FOCAL = "555"


def ids(conv: Conversation) -> dict[str, str]:
    return {r.text: r.id for r in conv.snapshot.deadlines}


def edit_plan(settings, old: str, new: str) -> None:
    path = plan_file(settings)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- ids --------------------------------------------------------------------------------------


def test_every_deadline_has_a_short_typeable_id(plan_conv):
    shown = ids(plan_conv)
    assert len(shown) == 5 and len(set(shown.values())) == 5
    assert all(re.fullmatch(r"[a-z][0-9a-z]{3,5}", i) for i in shown.values())


def test_deadline_list_shows_each_id(plan_conv):
    plain = say(plan_conv, "/deadline all").plain
    for ident in ids(plan_conv).values():
        assert f"mã {ident}" in plain


def test_ids_are_stable_across_two_reloads_and_a_restart(plan_settings):
    conv = Conversation.open(plan_settings)
    before = ids(conv)
    path = plan_file(plan_settings)
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 60))  # touched, same bytes
    conv.reload()
    edit_plan(plan_settings, "Khai thác hiệu quả", "Khai thác thật hiệu quả")  # edit elsewhere
    assert conv.reload().changed
    assert ids(conv) == before
    conv.close()
    again = Conversation.open(plan_settings)
    try:
        assert ids(again) == before
    finally:
        again.close()


def test_a_changed_due_date_is_a_new_deadline_with_a_new_id_and_the_others_keep_theirs(
    plan_conv, plan_settings
):
    before = ids(plan_conv)
    edit_plan(plan_settings, "| 30/4/2025 |", "| 31/5/2025 |")
    plan_conv.reload()
    after = ids(plan_conv)
    assert after[HO_TICH] != before[HO_TICH]
    assert {t: i for t, i in after.items() if t != HO_TICH} == {
        t: i for t, i in before.items() if t != HO_TICH
    }


# --- wording for each state --------------------------------------------------------------------


def test_a_day_gone_by_without_progress_is_never_called_overdue(plan_conv):
    plain = say(plan_conv, "/deadline all").plain
    assert "Hạn: 30/4/2025 — hạn đã qua 32 ngày · chưa có cập nhật tiến độ" in plain
    assert not re.search(r"(?<!bao giờ )quá hạn", plain)


def test_done_reads_done_with_its_day_under_its_own_heading(plan_conv):
    ident = id_of(plan_conv, HO_TICH)
    reply = say(plan_conv, f"/xong {ident} đã làm sạch 98% dữ liệu", user=ADMIN)
    assert f"hạn {ident} ✅ đã xong ngày 1/6/2025" in reply.plain
    plain = say(plan_conv, "/deadline all").plain
    heading = plain.index("Đã xong (")
    assert plain.index(HO_TICH) > heading > plain.index(TAI_KHOAN)
    assert "— ✅ đã xong ngày 1/6/2025" in plain
    assert "đã làm sạch 98% dữ liệu" in plain
    assert "4 hạn và 1 nhiệm vụ thường xuyên, trong đó 1 đã xong" in plain


def test_doing_past_its_day_is_overdue(plan_conv):
    ident = id_of(plan_conv, HO_TICH)
    say(plan_conv, f"/danglam {ident} còn 2 xã chưa xong", user=ADMIN)
    plain = say(plan_conv, "/deadline all").plain
    assert "Hạn: 30/4/2025 — quá hạn 32 ngày · đang làm" in plain
    assert "Tiến độ: đang làm — còn 2 xã chưa xong (telegram:1001, 1/6/2025)" in plain


def test_doing_ahead_of_its_day_says_how_long_is_left(plan_conv):
    say(plan_conv, f"/danglam {id_of(plan_conv, MOT_CUA)}", user=ADMIN)
    plain = say(plan_conv, "/deadline").plain
    assert "(hạn 30/9/2025) — còn 121 ngày · đang làm" in plain


def test_back_to_unknown_keeps_the_history(plan_conv):
    ident = id_of(plan_conv, HO_TICH)
    say(plan_conv, f"/xong {ident}", user=ADMIN)
    reply = say(plan_conv, f"/chuaro {ident}", user=ADMIN)
    assert "trở về “chưa có cập nhật”" in reply.plain
    assert "hạn đã qua 32 ngày · chưa có cập nhật tiến độ" in say(plan_conv, "/deadline all").plain
    plain = say(plan_conv, f"/tiendo {ident}").plain
    assert "(2 lần)" in plain
    assert "đã xong ngày 1/6/2025 (telegram:1001)" in plain
    assert "xoá cập nhật" in plain


def test_history_lists_every_change_in_order(plan_conv):
    ident = id_of(plan_conv, TAI_KHOAN)
    say(plan_conv, f"/danglam {ident} đã cấp 40%", user=ADMIN)
    say(plan_conv, f"/xong {ident} 28/5/2025 cấp đủ 1.200 tài khoản", user=ADMIN)
    plain = say(plan_conv, f"/tiendo {ident}").plain
    doing = plain.index("đang làm — đã cấp 40%")
    assert plain.index("đã xong ngày 28/5/2025 — cấp đủ 1.200 tài khoản") > doing


def test_pressing_done_twice_records_it_once(plan_conv):
    ident = id_of(plan_conv, HO_TICH)
    say(plan_conv, f"/xong {ident}", user=ADMIN)
    again = say(plan_conv, f"/xong {ident}", user=ADMIN)
    assert "đã được ghi là xong ngày 1/6/2025 từ trước" in again.plain
    key = next(r.key for r in plan_conv.snapshot.deadlines if r.id == ident)
    assert len(history(plan_conv.store.db(), key)) == 1


def test_a_second_done_without_a_day_keeps_the_day_first_reported(plan_conv):
    ident = id_of(plan_conv, HO_TICH)
    say(plan_conv, f"/xong {ident} 20/5/2025", user=ADMIN)
    again = say(plan_conv, f"/xong {ident}", user=ADMIN)  # an old button pressed later
    assert "đã được ghi là xong ngày 20/5/2025 từ trước" in again.plain


def test_a_done_day_in_the_future_is_refused(plan_conv):
    reply = say(plan_conv, f"/xong {id_of(plan_conv, HO_TICH)} 5/6/2025", user=ADMIN)
    assert "còn chưa tới" in reply.plain


def test_an_effective_date_is_not_work_and_takes_no_progress(conv):
    (law,) = [r for r in conv.snapshot.deadlines if r.kind == "effective"]
    reply = say(conv, f"/xong {law.id}", user=ADMIN)
    assert "không phải một nhiệm vụ" in reply.plain


# --- ids typed by people ----------------------------------------------------------------------


def test_an_unknown_id_gets_a_clear_message(plan_conv):
    reply = say(plan_conv, "/xong zz99", user=ADMIN)
    assert reply.plain.startswith("Không có hạn nào mã “zz99”")
    assert "/deadline" in reply.plain


def test_a_command_without_an_id_explains_itself(plan_conv):
    assert "/xong <mã hạn>" in say(plan_conv, "/xong", user=ADMIN).plain
    assert "/danglam <mã hạn>" in say(plan_conv, "/danglam", user=ADMIN).plain


def test_an_id_in_capitals_with_a_hash_is_understood(plan_conv):
    ident = id_of(plan_conv, HO_TICH)
    reply = say(plan_conv, f"/xong #{ident.upper()}", user=ADMIN)
    assert "✅ đã xong" in reply.plain


def test_the_id_of_a_deadline_that_left_the_documents_says_so(plan_conv, plan_settings):
    ident = id_of(plan_conv, HO_TICH)
    edit_plan(plan_settings, "| 30/4/2025 |", "| 31/5/2025 |")
    plan_conv.reload()
    reply = say(plan_conv, f"/xong {ident}", user=ADMIN)
    assert f"Hạn mã {ident} không còn trong các tài liệu hiện có" in reply.plain


# --- who may update ---------------------------------------------------------------------------


def test_a_stranger_is_refused_politely_with_who_can_and_their_own_id(plan_conv):
    ident = id_of(plan_conv, HO_TICH)
    reply = say(plan_conv, f"/xong {ident}", user=STRANGER)
    assert reply.kind is ReplyKind.REFUSED
    assert "chỉ quản trị viên hoặc đầu mối của Sở Tư pháp" in reply.plain
    assert f"/daumoi telegram:{STRANGER} Sở Tư pháp" in reply.plain
    assert progress_of(plan_conv.store.db(), plan_conv.snapshot.deadlines[0].key) is None


def test_a_focal_point_may_update_only_their_agencys_deadlines(plan_conv):
    registered = say(plan_conv, f"/daumoi {FOCAL} Sở Tư pháp", user=ADMIN)
    assert "cập nhật được tiến độ 1 hạn do Sở Tư pháp chủ trì" in registered.plain
    mine = say(plan_conv, f"/xong {id_of(plan_conv, HO_TICH)}", user=FOCAL)
    assert "✅ đã xong" in mine.plain
    other = say(plan_conv, f"/danglam {id_of(plan_conv, TAI_KHOAN)}", user=FOCAL)
    assert other.kind is ReplyKind.REFUSED
    assert "Bạn là đầu mối của Sở Tư pháp, không phải đơn vị chủ trì hạn này" in other.plain


def test_a_focal_point_is_matched_like_a_deadline_filter_without_accents(plan_conv):
    say(plan_conv, f"/daumoi {FOCAL} so tu phap", user=ADMIN)
    assert "✅ đã xong" in say(plan_conv, f"/xong {id_of(plan_conv, HO_TICH)}", user=FOCAL).plain


def test_a_focal_point_on_one_platform_is_a_stranger_on_another(plan_conv):
    say(plan_conv, f"/daumoi {FOCAL} Sở Tư pháp", user=ADMIN)  # registered from Telegram
    reply = say(plan_conv, f"/xong {id_of(plan_conv, HO_TICH)}", user=FOCAL, platform="zalo")
    assert reply.kind is ReplyKind.REFUSED


def test_only_admins_register_focal_points(plan_conv):
    reply = say(plan_conv, f"/daumoi {STRANGER} Sở Tư pháp", user=STRANGER)
    assert reply.kind is ReplyKind.REFUSED
    assert say(plan_conv, "/daumoi", user=ADMIN).plain.startswith("Chưa có đầu mối nào")


def test_focal_points_are_listed_and_removed(plan_conv):
    say(plan_conv, f"/daumoi {FOCAL} Sở Tư pháp", user=ADMIN)
    say(plan_conv, "/daumoi zalo:abc123 Công an tỉnh", user=ADMIN)
    listed = say(plan_conv, "/daumoi", user=ADMIN).plain
    assert "Đầu mối đã đăng ký (2)" in listed
    assert f"Sở Tư pháp: telegram:{FOCAL}" in listed and "Công an tỉnh: zalo:abc123" in listed
    assert "Đã gỡ" in say(plan_conv, f"/daumoi xoa {FOCAL}", user=ADMIN).plain
    assert f"telegram:{FOCAL}" not in say(plan_conv, "/daumoi", user=ADMIN).plain


def test_a_focal_point_for_an_agency_that_leads_nothing_gets_a_warning(plan_conv):
    reply = say(plan_conv, f"/daumoi {FOCAL} Sở Tư phap tinh Binh Duong", user=ADMIN)
    assert "chưa có hạn nào do" in reply.plain


def test_done_buttons_are_offered_only_where_the_asker_may_update(plan_conv):
    def buttons(user: str) -> list[str]:
        return [a.command for a in say(plan_conv, "/deadline all", user=user).actions]

    assert not [c for c in buttons(STRANGER) if c.startswith("/xong")]
    say(plan_conv, f"/daumoi {FOCAL} Sở Tư pháp", user=ADMIN)
    assert [c for c in buttons(FOCAL) if c.startswith("/xong")] == [
        f"/xong {id_of(plan_conv, HO_TICH)}"
    ]
    assert len([c for c in buttons(ADMIN) if c.startswith("/xong")]) == 5


# --- reloads keep what people reported -------------------------------------------------------


def test_progress_survives_a_touched_but_unchanged_document(plan_conv, plan_settings):
    ident = id_of(plan_conv, HO_TICH)
    say(plan_conv, f"/xong {ident}", user=ADMIN)
    path = plan_file(plan_settings)
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 60))
    report = plan_conv.reload()
    assert report.dropped_progress == []
    assert "— ✅ đã xong ngày 1/6/2025" in say(plan_conv, "/deadline all").plain


def test_progress_survives_an_edit_elsewhere_in_the_document(plan_conv, plan_settings):
    ident = id_of(plan_conv, HO_TICH)
    say(plan_conv, f"/danglam {ident} còn 2 xã", user=ADMIN)
    edit_plan(plan_settings, "| Tháng 9/2025 |", "| Tháng 10/2025 |")
    report = plan_conv.reload()
    assert report.changed and report.dropped_progress == []
    assert "quá hạn 32 ngày · đang làm" in say(plan_conv, "/deadline all").plain


def test_progress_survives_a_restart(plan_settings):
    conv = Conversation.open(plan_settings)
    say(conv, f"/xong {id_of(conv, HO_TICH)}", user=ADMIN)
    conv.close()
    again = Conversation.open(plan_settings)
    try:
        assert "— ✅ đã xong ngày 1/6/2025" in say(again, "/deadline all").plain
    finally:
        again.close()


def test_progress_whose_deadline_changed_is_reported_by_the_reload_and_kept(
    plan_conv, plan_settings
):
    ident = id_of(plan_conv, HO_TICH)
    say(plan_conv, f"/xong {ident} đã xong sớm", user=ADMIN)
    edit_plan(plan_settings, "| 30/4/2025 |", "| 31/5/2025 |")
    summary = say(plan_conv, "/reload", user=ADMIN).plain
    assert "1 cập nhật tiến độ không còn khớp hạn nào" in summary
    assert f"{ident} (đã xong, hạn 30/04/2025): {HO_TICH}" in summary
    history_page = say(plan_conv, f"/tiendo {ident}").plain
    assert "không còn trong các tài liệu hiện có" in history_page
    assert "đã xong ngày 1/6/2025 — đã xong sớm" in history_page
    assert "hạn không còn khớp" in history_page
    # the new deadline starts with nothing reported
    assert (
        "Hạn: 31/5/2025 — hạn đã qua 1 ngày · chưa có cập nhật tiến độ"
        in say(plan_conv, "/deadline all").plain
    )


def test_a_restored_deadline_gets_its_progress_back(plan_conv, plan_settings):
    ident = id_of(plan_conv, HO_TICH)
    say(plan_conv, f"/xong {ident}", user=ADMIN)
    edit_plan(plan_settings, "| 30/4/2025 |", "| 31/5/2025 |")
    plan_conv.reload()
    edit_plan(plan_settings, "| 31/5/2025 |", "| 30/4/2025 |")
    report = plan_conv.reload()
    assert report.dropped_progress == []
    assert id_of(plan_conv, HO_TICH) == ident
    assert "— ✅ đã xong ngày 1/6/2025" in say(plan_conv, "/deadline all").plain


def test_a_removed_document_reports_its_progress(plan_conv, plan_settings):
    say(plan_conv, f"/danglam {id_of(plan_conv, TAI_KHOAN)}", user=ADMIN)
    plan_file(plan_settings).unlink()
    assert len(plan_conv.reload().dropped_progress) == 1


# --- reminders --------------------------------------------------------------------------------


def test_reminders_skip_done_deadlines(plan_conv):
    say(plan_conv, "/subscribe", chat="c1")
    week_before = datetime(2025, 9, 23, 9, 0)
    due = plan_conv.due_reminders(week_before)
    assert any(MOT_CUA in o.reply.plain for o in due)
    say(plan_conv, f"/xong {id_of(plan_conv, MOT_CUA)}", user=ADMIN)
    due = plan_conv.due_reminders(week_before)
    assert not any(MOT_CUA in o.reply.plain for o in due)
    assert any(TAI_KHOAN in o.reply.plain for o in due)


def test_a_recurring_done_covers_the_current_occurrence_only(plan_settings):
    conv = Conversation.open(replace(plan_settings, today=datetime(2025, 7, 2).date()))
    try:
        say(conv, "/subscribe", chat="c2")
        say(conv, f"/xong {id_of(conv, BAO_CAO)}", user=ADMIN)  # the 10/7/2025 report
        assert not any(BAO_CAO in o.reply.plain for o in conv.due_reminders(datetime(2025, 7, 3)))
        next_one = conv.due_reminders(datetime(2025, 10, 3, 9, 0))  # 7 days before 10/10/2025
        assert any(BAO_CAO in o.reply.plain for o in next_one)
    finally:
        conv.close()


def test_a_reminder_to_a_chat_that_may_update_carries_the_done_button(plan_conv):
    say(plan_conv, "/subscribe", chat=ADMIN, user=ADMIN)
    (out,) = [
        o for o in plan_conv.due_reminders(datetime(2025, 9, 23, 9, 0)) if MOT_CUA in o.reply.plain
    ]
    assert f"/xong {id_of(plan_conv, MOT_CUA)}" in [a.command for a in out.reply.actions]


# --- the overview and the report in chat -----------------------------------------------------


def test_progress_overview_counts_each_state(plan_conv):
    say(plan_conv, f"/xong {id_of(plan_conv, TAI_KHOAN)}", user=ADMIN)
    say(plan_conv, f"/danglam {id_of(plan_conv, HO_TICH)}", user=ADMIN)
    say(plan_conv, f"/danglam {id_of(plan_conv, HO_SO)}", user=ADMIN)
    plain = say(plan_conv, "/tiendo").plain
    assert "Tổng số 5 nhiệm vụ: 1 đã xong, 1 đang làm, 1 quá hạn, 2 chưa cập nhật." in plain


def test_baocao_sends_a_word_file_with_the_summary_line(plan_conv):
    say(plan_conv, f"/xong {id_of(plan_conv, HO_TICH)}", user=ADMIN)
    reply = say(plan_conv, "/baocao", user=STRANGER)
    assert "Tổng số 5 nhiệm vụ: 1 đã xong, 0 đang làm, 0 quá hạn, 4 chưa cập nhật." in reply.plain
    (file,) = reply.files
    assert file.name == "bao-cao-tien-do-2025-06-01.docx"
    document = docx.Document(io.BytesIO(file.data))
    assert len(document.tables) == 5  # one lead agency per task in this plan


def test_baocao_with_a_filter_reports_only_what_matches(plan_conv):
    reply = say(plan_conv, "/baocao Sở Tư pháp")
    assert "Tổng số 1 nhiệm vụ" in reply.plain
    assert "lọc theo “Sở Tư pháp”" in reply.plain


def test_baocao_matching_nothing_says_so_without_a_file(plan_conv):
    reply = say(plan_conv, "/baocao Bộ Quốc phòng")
    assert reply.files == () and "Không có nhiệm vụ nào khớp" in reply.plain


def test_a_text_platform_gets_the_summary_and_the_link_when_published(plan_settings):
    settings = replace(
        plan_settings,
        public_url="https://de06.anlac.gov.vn",
        calendar_token="t0k3n-for-the-tests-only",
    )
    conv = Conversation.open(settings)
    try:
        (text,) = render(say(conv, "/baocao", platform="zalo"))
    finally:
        conv.close()
    assert "Tổng số 5 nhiệm vụ" in text
    assert "https://de06.anlac.gov.vn/report/t0k3n-for-the-tests-only.docx" in text


def test_without_a_public_url_a_text_platform_is_told_where_the_file_is(plan_conv):
    (text,) = render(say(plan_conv, "/baocao", platform="zalo"))
    assert "chỉ gửi được dưới dạng tệp qua Telegram" in text and "de06 report" in text
