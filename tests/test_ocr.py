"""Scanned PDFs: read by Tesseract in the reload's workers, cached, marked and cited as scans."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.answer_view import citation
from bot.commands import reading_blocks
from bot.core import Conversation, Settings
from index.blocks import OcrSummary, Paragraph, TableRow
from index.build import ReloadReport, reload_store
from index.cache import Cache
from index.normalize import fold
from index.readers import ocr, read_file
from index.store import Store

from format_docs import (
    image_pdf,
    mixed_pdf,
    need_tesseract,
    reload_without_system_programs,
    scan_words,
    scanned_decision_pdf,
    scanned_page,
)
from helpers import ADMIN

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def scan_read(tmp_path_factory):
    """The scanned decision read once (recognising a page takes seconds)."""
    need_tesseract()
    path = scanned_decision_pdf(tmp_path_factory.mktemp("scan") / "qd.pdf")
    return read_file(path.read_bytes(), ".pdf", Path("qd.pdf"))


@pytest.fixture(scope="module")
def scanned_kb(tmp_path_factory):
    """A knowledge base with one scanned decision and one ordinary article, reloaded once."""
    need_tesseract()
    base = tmp_path_factory.mktemp("scanned")
    kb = base / "knowledge"
    kb.mkdir()
    scanned_decision_pdf(kb / "qd-15-ban-quet.pdf")
    shutil.copy(ROOT / "knowledge/documents/2023-02-21-vuong-mac-so-ho-khau.md", kb)
    settings = Settings(
        kb_dir=kb,
        db_path=base / "var" / "de06.sqlite",
        admin_ids=frozenset({ADMIN}),
        today=date(2025, 3, 1),
        questions_per_minute=1000,
    )
    conv = Conversation.open(settings)
    yield conv
    conv.close()


def _matched(expected: list[str], got: list[str]) -> float:
    """Share of the expected words found, in order, in what OCR read."""
    blocks = difflib.SequenceMatcher(a=expected, b=got, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks) / len(expected)


def _read_words(read) -> list[str]:
    return " ".join(
        b.text if not isinstance(b, TableRow) else " ".join(b.cells) for b in read.blocks
    ).split()


def test_scanned_page_words_are_recognised_exactly(scan_read):
    assert _matched(scan_words(), _read_words(scan_read)) >= 0.95


def test_scanned_page_words_are_recognised_ignoring_accents_almost_all(scan_read):
    expected = [fold(w).lower() for w in scan_words()]
    assert _matched(expected, [fold(w).lower() for w in _read_words(scan_read)]) >= 0.98


def test_a_ruled_table_on_a_scan_is_read_as_table_rows(scan_read):
    rows = [b.cells for b in scan_read.blocks if isinstance(b, TableRow)]
    assert ("STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn") in rows
    assert ("1", "Rà soát dữ liệu hộ tịch", "Sở Tư pháp", "30/9/2025") in rows


def test_articles_on_a_scan_are_paragraphs_of_their_own(scan_read):
    texts = [b.text for b in scan_read.blocks if isinstance(b, Paragraph)]
    assert "Điều 3. Quyết định này có hiệu lực kể từ ngày 01/02/2025." in texts
    assert any(t.startswith("Điều 2. Sở Tư pháp hoàn thành") for t in texts)


def test_every_block_read_from_a_scan_is_marked_as_ocr(scan_read):
    assert all(b.ocr for b in scan_read.blocks)


def test_scan_header_becomes_the_document_metadata(scanned_kb):
    docs = {d.title: d for d in scanned_kb.snapshot.index.docs.values()}
    title = next(t for t in docs if t.startswith("Quyết định"))
    assert "15/QĐ-UBND" in title and docs[title].date == "2025-01-20"


def test_every_dated_sentence_of_the_scan_is_a_deadline_with_its_date(scanned_kb):
    db = scanned_kb.store.db()
    due = {r[0] for r in db.execute("SELECT due FROM deadlines WHERE doc_id = 'qd-15-ban-quet'")}
    assert {"2025-06-30", "2025-08-15", "2025-02-01", "2025-09-30", "2025-10-31"} <= due


@pytest.mark.parametrize(
    "question",
    [
        "Sở Tư pháp phải hoàn thành số hóa sổ hộ tịch trước ngày nào?",
        "so ho tich so hoa truoc ngay nao",
        "ai cấp tài khoản định danh điện tử cho công chức cấp xã",
        "Quyết định kiểm tra Đề án 06 có hiệu lực từ ngày nào?",
    ],
)
def test_questions_about_the_scan_are_answered_in_the_top_three(scanned_kb, question):
    hits = scanned_kb.snapshot.index.search(question, limit=3).hits
    assert any(h.doc_id == "qd-15-ban-quet" for h in hits[:3])


def test_a_passage_read_by_ocr_is_cited_as_a_scan(scanned_kb):
    hit = scanned_kb.snapshot.index.search("số hóa sổ hộ tịch trước ngày", limit=3).hits[0]
    assert hit.ocr and "bản quét" in citation(hit)


def test_a_passage_from_a_text_document_is_not_cited_as_a_scan(scanned_kb):
    hit = scanned_kb.snapshot.index.search("sổ hộ khẩu giấy", limit=3).hits[0]
    assert hit.doc_id != "qd-15-ban-quet" and not hit.ocr and "bản quét" not in citation(hit)


def test_ask_json_marks_ocr_passages(scanned_kb):
    settings = scanned_kb.settings
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--kb", str(settings.kb_dir), "--db",
         str(settings.db_path), "ask", "--json", "số hóa sổ hộ tịch trước ngày nào"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    hits = json.loads(out.stdout)["hits"]
    assert hits[0]["doc"] == "qd-15-ban-quet" and hits[0]["ocr"] is True


def test_reload_report_names_the_scan_with_its_mean_confidence(scanned_kb):
    report = scanned_kb.last_reload
    (path, summary), = report.ocr
    assert path == "qd-15-ban-quet.pdf" and summary.pages == (1,) and summary.confidence > 85


def test_report_names_a_low_quality_page_with_its_confidence():
    report = ReloadReport(ocr=[("qd.pdf", OcrSummary((1, 2, 3), 81.4, ((3, 62.0),), 3, 9.5))])
    shown = "".join(run.text for block in reading_blocks(report) for run in block)
    assert "qd.pdf: 3 trang, độ tin cậy trung bình 81%" in shown
    assert "trang 3: chất lượng quét thấp (62%)" in shown


def test_a_blurred_noisy_page_is_named_below_the_confidence_floor(tmp_path):
    need_tesseract()
    from PIL import ImageFilter

    poor = scanned_page(100, noise=90).filter(ImageFilter.GaussianBlur(1.5))
    path = image_pdf(tmp_path / "qd.pdf", [scanned_page(300), poor])
    summary = read_file(path.read_bytes(), ".pdf", Path(path.name)).ocr
    assert summary is not None and summary.pages == (1, 2)
    assert [page for page, _ in summary.low] == [2]
    assert summary.low[0][1] < ocr.CONFIDENCE_FLOOR


def test_mixed_pdf_reads_its_text_page_from_the_layer_and_its_scan_by_ocr(tmp_path):
    need_tesseract()
    path = mixed_pdf(tmp_path / "cong-van.pdf")
    read = read_file(path.read_bytes(), ".pdf", Path(path.name), Cache(tmp_path / "cache"))
    first = next(b for b in read.blocks if isinstance(b, Paragraph))
    assert first.text.startswith("Công văn gửi kèm") and not first.ocr
    assert any(isinstance(b, Paragraph) and b.ocr and "Điều 2." in b.text for b in read.blocks)
    assert read.ocr is not None and read.ocr.pages == (2,)


def test_an_unchanged_scan_is_never_recognised_twice(tmp_path):
    need_tesseract()
    kb = tmp_path / "kb"
    kb.mkdir()
    scanned_decision_pdf(kb / "qd.pdf")
    first = reload_store(kb, Store(tmp_path / "var" / "a.sqlite"), workers=1)
    assert first.ocr[0][1].recognised == 1
    (kb / "qd.pdf").touch()  # a new file time, and a store built from scratch: read again
    again = reload_store(kb, Store(tmp_path / "var" / "b.sqlite"), workers=1)
    (_, summary), = again.ocr
    assert summary.recognised == 0 and summary.seconds == 0 and again.added == ["qd"]


def test_ocr_runs_in_a_worker_process_never_in_the_caller(tmp_path, monkeypatch):
    need_tesseract()

    def forbidden(*args, **kwargs):
        raise AssertionError("OCR ran in the reloading process")

    monkeypatch.setattr(ocr, "recognise", forbidden)
    kb = tmp_path / "kb"
    kb.mkdir()
    scanned_decision_pdf(kb / "qd.pdf")
    report = reload_store(kb, Store(tmp_path / "de06.sqlite"), workers=1)
    assert report.added == ["qd"] and report.ocr[0][1].recognised == 1


def test_without_tesseract_a_scan_is_reported_with_the_package_and_the_rest_loads(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    scanned_decision_pdf(kb / "qd-quet.pdf")
    shutil.copy(ROOT / "knowledge/documents/2023-02-21-vuong-mac-so-ho-khau.md", kb)
    out = reload_without_system_programs(kb, tmp_path / "x.sqlite")
    assert "thêm 1" in out.stdout
    assert "qd-quet.pdf" in out.stdout and "tesseract-ocr-vie" in out.stdout
