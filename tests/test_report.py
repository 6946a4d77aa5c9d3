"""The progress report (Word and Excel) and the command line's `progress`, `report` and the
progress fields of `deadline --json`."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date, datetime

import docx
import openpyxl
import pytest

from bot.cli import main
from bot.render.report import COLUMNS, SHEET_COLUMNS, to_docx, to_xlsx
from bot.report import build_report
from index.progress import read_progress

from helpers import ADMIN, say
from progress_plan import BAO_CAO, HO_SO, HO_TICH, MOT_CUA, TAI_KHOAN, id_of

pytest_plugins = ["conftest_progress"]


def report_of(conv, words=()):
    return build_report(
        conv.snapshot.deadlines, read_progress(conv.store.db()), conv.today(), list(words)
    )


def tables_text(document) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def test_the_word_report_has_its_title_date_counts_and_a_table_per_lead(plan_conv):
    say(plan_conv, f"/xong {id_of(plan_conv, HO_TICH)} 20/5/2025 đủ 12 xã", user=ADMIN)
    say(plan_conv, f"/danglam {id_of(plan_conv, TAI_KHOAN)}", user=ADMIN)
    document = docx.Document(io.BytesIO(to_docx(report_of(plan_conv))))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "BÁO CÁO TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ ĐỀ ÁN 06"
    assert paragraphs[1] == "Tính đến ngày 1/6/2025"
    assert paragraphs[2] == (
        "Tổng số 5 nhiệm vụ: 1 đã xong, 1 đang làm, 0 quá hạn, 3 chưa cập nhật."
    )
    headings = [p for p in paragraphs if p[:3] in ("I. ", "II.", "III", "IV.", "V. ")]
    assert [h.split(" (")[0] for h in headings] == [
        "I. Công an tỉnh", "II. Sở Khoa học và Công nghệ", "III. Sở Nội vụ", "IV. Sở Tư pháp",
        "V. Văn phòng UBND tỉnh",
    ]  # fmt: skip
    tables = tables_text(document)
    assert len(tables) == 5
    assert all(tuple(t[0]) == COLUMNS for t in tables)
    row = tables[3][1]  # Sở Tư pháp
    assert row[0] == "1" and row[1].startswith(HO_TICH) and "Phối hợp: Công an tỉnh" in row[1]
    assert row[2] == "30/4/2025" and row[3] == "Đã xong ngày 20/5/2025"
    assert row[4].startswith("đủ 12 xã\n(cập nhật: telegram:1001")
    assert row[5].startswith("Kế hoạch 37/KH-UBND") and "Mục: PHỤ LỤC › 1" in row[5]


def test_the_header_row_repeats_on_every_page(plan_conv):
    document = docx.Document(io.BytesIO(to_docx(report_of(plan_conv))))
    header = document.tables[0].rows[0]._tr
    assert header.xpath("./w:trPr/w:tblHeader")


def test_tasks_come_by_due_day_recurring_by_its_next_occurrence_ongoing_last(plan_conv):
    one_lead = [replace(r, agency="Sở Nội vụ") for r in plan_conv.snapshot.deadlines]
    (group,) = build_report(one_lead, {}, date(2025, 6, 1)).groups
    tasks = [row.record.text for row in group.rows]
    assert tasks == [HO_TICH, BAO_CAO, TAI_KHOAN, MOT_CUA, HO_SO]  # same day: document order
    assert group.rows[1].due_text() == "trước ngày 10 hằng quý — kỳ tới 10/7/2025"
    assert group.rows[-1].due_text() == "thường xuyên"


def test_overdue_counts_only_work_reported_in_progress(plan_conv):
    say(plan_conv, f"/danglam {id_of(plan_conv, HO_TICH)}", user=ADMIN)
    counts = report_of(plan_conv).counts
    assert (counts.total, counts.overdue, counts.doing, counts.unknown) == (5, 1, 0, 4)
    assert counts.line().endswith("1 quá hạn, 4 chưa cập nhật.")


def test_a_filter_narrows_the_report_like_deadline_filters(plan_conv):
    report = report_of(plan_conv, ["tài", "khoản"])
    assert [g.agency for g in report.groups] == ["Công an tỉnh"]


def test_the_spreadsheet_has_one_row_per_deadline_with_real_dates(plan_conv):
    say(plan_conv, f"/xong {id_of(plan_conv, HO_TICH)} 20/5/2025", user=ADMIN)
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report_of(plan_conv)))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(name for name, _ in SHEET_COLUMNS)
    assert len(rows) == 1 + 5
    by_task = {r[4]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    ho_tich = by_task[HO_TICH]
    assert ho_tich["Cơ quan chủ trì"] == "Sở Tư pháp"
    assert ho_tich["Hạn"] == datetime(2025, 4, 30)
    assert ho_tich["Ngày xong"] == datetime(2025, 5, 20)
    assert ho_tich["Tiến độ"] == "Đã xong"
    assert ho_tich["Ngày văn bản"] == datetime(2025, 1, 14)
    assert by_task[HO_SO]["Hạn"] is None and by_task[HO_SO]["Loại"] == "Thường xuyên"
    assert sheet["H2"].number_format == "dd/mm/yyyy"


# --- the command line -------------------------------------------------------------------------


def cli(plan_settings, *args: str) -> int:
    return main(["--kb", str(plan_settings.kb_dir), "--db", str(plan_settings.db_path), *args])


def first_id(plan_settings, capsys, task: str) -> str:
    cli(plan_settings, "deadline", "--all", "--json", "--today", "2025-06-01")
    data = json.loads(capsys.readouterr().out)
    return next(d["id"] for d in data["deadlines"] if d["text"] == task)


def test_cli_records_progress_and_json_shows_it(plan_settings, capsys):
    ident = first_id(plan_settings, capsys, HO_TICH)
    assert cli(
        plan_settings, "progress", ident, "done", "--note", "đủ 12 xã", "--by", "Nguyễn Lan",
        "--on", "2025-05-20", "--today", "2025-06-01",
    ) == 0  # fmt: skip
    assert f"Đã ghi tiến độ hạn {ident}: đã xong." in capsys.readouterr().out
    cli(plan_settings, "deadline", "--all", "--json", "--today", "2025-06-01")
    (mine,) = [d for d in json.loads(capsys.readouterr().out)["deadlines"] if d["id"] == ident]
    assert mine["progress"] == "done"
    assert mine["progress_note"] == "đủ 12 xã"
    assert mine["done_on"] == "2025-05-20"
    assert mine["progress_by"] == "Nguyễn Lan"
    assert mine["progress_at"].startswith("2025-06-01T")


def test_cli_shows_the_history_of_an_id(plan_settings, capsys):
    ident = first_id(plan_settings, capsys, TAI_KHOAN)
    cli(plan_settings, "progress", ident, "doing", "--by", "Lan", "--today", "2025-06-01")
    capsys.readouterr()
    assert cli(plan_settings, "progress", ident) == 0
    out = capsys.readouterr().out
    assert f"Lịch sử tiến độ hạn {ident} (1 lần)" in out and "đang làm (Lan qua dòng lệnh)" in out


@pytest.mark.parametrize("state", [["done"], []], ids=["update", "history"])
def test_cli_names_an_unknown_id(plan_settings, capsys, state):
    assert cli(plan_settings, "progress", "zz99", *state) == 2
    assert "Không có hạn nào mã “zz99”" in capsys.readouterr().err


def test_cli_refuses_a_done_day_for_other_states(plan_settings, capsys):
    ident = first_id(plan_settings, capsys, TAI_KHOAN)
    assert cli(plan_settings, "progress", ident, "doing", "--on", "2025-05-01") == 2


def test_cli_writes_the_word_and_excel_reports(plan_settings, tmp_path, capsys):
    word, sheet = tmp_path / "out" / "bao-cao.docx", tmp_path / "out" / "bao-cao.xlsx"
    assert cli(
        plan_settings, "report", "--docx", str(word), "--xlsx", str(sheet),
        "--today", "2025-06-01", "Sở", "Tư", "pháp",
    ) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Tổng số 1 nhiệm vụ" in out
    assert len(docx.Document(str(word)).tables) == 1
    assert openpyxl.load_workbook(sheet).active.max_row == 2


def test_cli_report_needs_a_file_to_write(plan_settings, capsys):
    assert cli(plan_settings, "report") == 2
    assert "--docx" in capsys.readouterr().err


@pytest.mark.parametrize("extension", ["docx", "xlsx"])
def test_an_empty_report_is_still_a_valid_file(plan_conv, extension):
    report = report_of(plan_conv, ["Bộ", "Quốc", "phòng"])
    data = to_docx(report) if extension == "docx" else to_xlsx(report)
    if extension == "docx":
        assert "Không có nhiệm vụ nào" in docx.Document(io.BytesIO(data)).paragraphs[3].text
    else:
        assert openpyxl.load_workbook(io.BytesIO(data)).active.max_row == 1
