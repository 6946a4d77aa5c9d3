import pytest

from bot.uploads import MAX_UPLOAD_BYTES, check_upload, safe_name, save_upload
from index.errors import UploadRejected

from plan_docs import plan_docx, scanned_pdf


@pytest.mark.parametrize(
    "given, expected",
    [
        ("../../etc/passwd.txt", "passwd.md"),
        ("/abs/path/Kế hoạch 2024.docx", "ke-hoach-2024.docx"),
        ("C:\\\\Users\\\\x\\\\bao cao.pdf", "bao-cao.pdf"),
        ("CON.txt", "tai-lieu-con.md"),
        ("...txt", "tai-lieu.md"),
        ("\u202eevil\u200b.md", "evil.md"),
        ("ｋế　hoạch.txt", "ke-hoach.md"),
    ],
)
def test_upload_names_are_made_safe(given, expected):
    assert safe_name(given) == expected


def test_unsupported_type_is_refused():
    with pytest.raises(UploadRejected, match=r"\.docx, \.pdf, \.html"):
        check_upload("virus.exe", 10)


def test_oversized_upload_is_refused_before_download():
    with pytest.raises(UploadRejected, match="vượt giới hạn"):
        check_upload("ke-hoach.pdf", MAX_UPLOAD_BYTES + 1)


def test_saved_upload_becomes_a_markdown_document(tmp_path):
    saved = save_upload(
        tmp_path / "kb",
        tmp_path / "bk",
        "Kế hoạch.txt",
        "Kế hoạch số 5\nNgày 02/04/2024 ban hành.".encode(),
        "telegram:1",
    )
    text = saved.path.read_text(encoding="utf-8")
    assert saved.path.parent.name == "uploads" and "title: Kế hoạch số 5" in text
    assert "date: '2024-04-02'" in text and not saved.replaced


def test_second_upload_with_the_same_name_replaces_and_backs_up(tmp_path):
    for body in ("Bản một", "Bản hai"):
        saved = save_upload(tmp_path / "kb", tmp_path / "bk", "a.txt", body.encode(), "zalo:2")
    assert saved.replaced and len(list((tmp_path / "bk").iterdir())) == 1
    assert "Bản hai" in saved.path.read_text(encoding="utf-8")


def test_upload_without_text_is_refused(tmp_path):
    with pytest.raises(UploadRejected, match="không có nội dung"):
        save_upload(tmp_path / "kb", tmp_path / "bk", "a.txt", b"   \n ", "telegram:1")


def test_a_word_upload_is_kept_as_word_and_read_with_its_table(tmp_path):
    plan = plan_docx(tmp_path / "plan.docx")
    saved = save_upload(
        tmp_path / "kb", tmp_path / "bk", "Kế hoạch 37.docx", plan.read_bytes(), "telegram:1"
    )
    assert saved.path.name == "ke-hoach-37.docx" and saved.path.read_bytes() == plan.read_bytes()
    assert saved.title.startswith("Kế hoạch 37/KH-UBND")


def test_an_unreadable_pdf_upload_is_refused_with_the_reason(tmp_path):
    with pytest.raises(UploadRejected, match="không có lớp chữ"):
        save_upload(
            tmp_path / "kb", tmp_path / "bk", "scan.pdf",
            scanned_pdf(tmp_path / "s.pdf").read_bytes(), "telegram:1",
        )  # fmt: skip
    assert not (tmp_path / "kb" / "uploads" / "scan.pdf").exists()


@pytest.mark.parametrize("name", ["danh-muc.xlsx", "ke-hoach.doc", "bang.xls"])
def test_excel_and_word_97_uploads_are_accepted(name):
    assert check_upload(name, 10) == name


def test_an_uploaded_scan_is_recognised_once_for_the_check_and_the_reload(tmp_path):
    from index.build import reload_store
    from index.cache import Cache
    from index.store import Store

    from format_docs import need_tesseract, scanned_decision_pdf

    need_tesseract()
    scan = scanned_decision_pdf(tmp_path / "qd.pdf").read_bytes()
    cache = Cache(tmp_path / "var" / "cache")
    saved = save_upload(
        tmp_path / "kb", tmp_path / "bk", "QĐ 15.pdf", scan, "telegram:1", cache=cache
    )
    assert saved.title.startswith("Quyết định 15/QĐ-UBND")
    report = reload_store(tmp_path / "kb", Store(tmp_path / "var" / "de06.sqlite"), workers=1)
    assert report.ocr[0][1].recognised == 0  # the check's recognition, taken from the cache
