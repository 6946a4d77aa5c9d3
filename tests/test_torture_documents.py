"""Bad documents at reload: each is named with a reason an admin understands, the rest loads,
and when the build fails as a whole the previous knowledge base keeps answering.

Admins feed the assistant whatever they are sent (scans, Word files from 2005, exports in
the old Windows Vietnamese code page). Every hostile file is generated here, at test time,
in the test's own copy of the knowledge base.
"""

from __future__ import annotations

import io
import sqlite3
import struct
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfWriter

from bot.core import Conversation
from bot.models import ReplyKind
from bot.render.telegram import render

from fake_telegram import check_text
from helpers import ADMIN, say

QUESTION = "Luật Căn cước có hiệu lực từ ngày nào?"
FILLER = (
    "Công an xã phối hợp với Bưu điện rà soát, làm sạch dữ liệu dân cư và hướng dẫn người dân "
    "kích hoạt tài khoản định danh điện tử mức độ 2. "
)
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Vietnamese the way Windows-1258 stores it: base letters precomposed, tones combining."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def zip_bomb(inflated: int = 60 * 1024 * 1024) -> bytes:
    """A .docx-shaped archive of ~60 KB whose document.xml inflates to 60 MB of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * inflated)
    return buf.getvalue()


def lying_zip_bomb() -> bytes:
    """The same bomb with every size header forged to 1 KB, so a size check alone trusts it."""
    raw = bytearray(zip_bomb())
    forged = 1024
    at = raw.find(b"PK\x03\x04")
    while at != -1:  # local headers: uncompressed size at offset 22
        struct.pack_into("<I", raw, at + 22, forged)
        at = raw.find(b"PK\x03\x04", at + 4)
    at = raw.find(b"PK\x01\x02")
    while at != -1:  # central directory: uncompressed size at offset 24
        struct.pack_into("<I", raw, at + 24, forged)
        at = raw.find(b"PK\x01\x02", at + 4)
    return bytes(raw)


def blank_pdf() -> bytes:
    """A PDF with a page but no text layer: what a scanner produces."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def write_big_text(path: Path, megabytes: int) -> None:
    """Real Vietnamese text, not a sparse file: the size must be refused, not the content."""
    chunk = (FILLER * 200).encode("utf-8")
    with path.open("wb") as out:
        written = 0
        while written < megabytes * 1024 * 1024:
            out.write(chunk)
            written += len(chunk)


BAD_DOCUMENTS: dict[str, tuple[Callable[[], bytes], str]] = {
    "nhi-phan.txt": (lambda: bytes(range(256)) * 40, "tệp nhị phân"),
    "rong.md": (lambda: b"", "tệp rỗng"),
    "chi-khoang-trang.txt": (lambda: b" \n\t\n   \n", "không có nội dung chữ"),
    "front-matter-hong.md": (
        lambda: (
            "---\ntitle: [Kế hoạch chưa đóng ngoặc\ndate: 2024-01-01\n---\nNội dung.\n".encode()
        ),
        "front matter",
    ),
    "ngay-sai.md": (
        lambda: "---\ntitle: Kế hoạch\ndate: 31/02/2024\n---\nNội dung kế hoạch.\n".encode(),
        "không đúng dạng",
    ),
    "khong-phai-zip.docx": (
        lambda: b"PK\x03\x04 day khong phai tep Word" * 10,
        "không phải tệp Word",
    ),
    "zip-bomb.docx": (zip_bomb, "zip bomb"),
    "thieu-noi-dung.docx": (
        lambda: _zip({"hello.txt": b"xin chao"}),
        "thiếu nội dung Word",
    ),
    "ban-quet.pdf": (blank_pdf, "không có lớp chữ"),
    "hong.pdf": (lambda: b"%PDF-1.7\n" + b"\x00rac" * 50, "không mở được tệp PDF"),
    "bang-tinh.xlsx": (lambda: b"PK\x03\x04", "không phải tệp Excel"),
    "trinh-chieu.pptx": (lambda: b"PK\x03\x04", "định dạng không hỗ trợ"),
}


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buf.getvalue()


def skipped_reasons(conv: Conversation) -> dict[str, str]:
    report = conv.last_reload
    assert report is not None
    return {err.path.name: err.reason for err in report.skipped}


@pytest.fixture
def docs(kb: Path) -> Path:
    return kb / "documents"


def admin_reload(conv: Conversation):
    return say(conv, "/reload", user=ADMIN, chat=ADMIN)


@pytest.mark.parametrize("name", sorted(BAD_DOCUMENTS))
def test_bad_document_is_skipped_by_name_with_its_reason(
    conv: Conversation, docs: Path, name: str
) -> None:
    make, reason = BAD_DOCUMENTS[name]
    before = conv.snapshot.index.docs.keys()
    (docs / name).write_bytes(make())
    reply = admin_reload(conv)
    assert reply.kind is ReplyKind.INFO
    assert reason in skipped_reasons(conv)[name]
    assert f"{name}: " in reply.plain and reason in reply.plain
    assert conv.snapshot.index.docs.keys() == before
    assert say(conv, QUESTION).kind is ReplyKind.ANSWER


def test_every_bad_document_at_once_is_listed_and_the_rest_loads(
    conv: Conversation, docs: Path
) -> None:
    for name, (make, _) in BAD_DOCUMENTS.items():
        (docs / name).write_bytes(make())
    (docs / "Bộ TT&TT <dự thảo>.txt").write_bytes(b"\x00\x01\x02" * 100)
    (docs / "tot.txt").write_text("Hướng dẫn của Cà Mau\n\n" + FILLER, encoding="utf-8")
    reply = admin_reload(conv)
    reasons = skipped_reasons(conv)
    assert set(reasons) == set(BAD_DOCUMENTS) | {"Bộ TT&TT <dự thảo>.txt"}
    assert "documents/tot" in conv.snapshot.index.docs
    for message in render(reply):  # names full of & and < still make valid Telegram HTML
        check_text(message.html, "HTML")
    assert "Bộ TT&TT <dự thảo>.txt" in "".join(check_text(m.html, "HTML") for m in render(reply))


def test_a_50_megabyte_text_file_is_refused_by_size(conv: Conversation, docs: Path) -> None:
    write_big_text(docs / "qua-lon.txt", 50)
    admin_reload(conv)
    assert "tệp quá lớn (50 MB" in skipped_reasons(conv)["qua-lon.txt"]
    assert say(conv, QUESTION).kind is ReplyKind.ANSWER


def test_a_docx_bomb_with_forged_size_headers_is_still_refused(
    conv: Conversation, docs: Path
) -> None:
    (docs / "bom-gia-kich-thuoc.docx").write_bytes(lying_zip_bomb())
    admin_reload(conv)
    assert "không đọc được tệp .docx" in skipped_reasons(conv)["bom-gia-kich-thuoc.docx"]


ODD_BUT_GOOD = {
    "ma-cu-cp1258.txt": (cp1258, "Hướng dẫn của Lạng Sơn", "Lạng Sơn"),
    "utf16.txt": (lambda t: t.encode("utf-16"), "Hướng dẫn của Hòa Bình", "Hòa Bình"),
    "to-hop-nfd.txt": (
        lambda t: unicodedata.normalize("NFD", t).encode("utf-8"),
        "Hướng dẫn của Điện Biên",
        "Điện Biên",
    ),
    "utf8-bom.md": (lambda t: b"\xef\xbb\xbf" + t.encode(), "Hướng dẫn của Kon Tum", "Kon Tum"),
    "windows-crlf.txt": (
        lambda t: t.replace("\n", "\r\n").encode(),
        "Hướng dẫn của Quảng Trị",
        "Quảng Trị",
    ),
}


@pytest.mark.parametrize("name", sorted(ODD_BUT_GOOD))
def test_oddly_encoded_vietnamese_loads_as_clean_searchable_text(
    conv: Conversation, docs: Path, name: str
) -> None:
    encode, title, place = ODD_BUT_GOOD[name]
    (docs / name).write_bytes(encode(f"{title}\n\nNgày 12/3/2024, tỉnh {place}: {FILLER}"))
    admin_reload(conv)
    doc_id = "documents/" + Path(name).stem
    assert name not in skipped_reasons(conv)
    assert conv.snapshot.index.docs[doc_id].title == title  # NFC, no BOM, no mojibake
    result = conv.snapshot.index.search(f"tỉnh {place} rà soát dữ liệu dân cư")
    assert result.hits and result.hits[0].doc_id == doc_id
    assert unicodedata.is_normalized("NFC", result.hits[0].text)
    assert place in result.hits[0].text


def test_broken_word_list_fails_the_reload_and_the_old_index_keeps_serving(
    conv: Conversation, kb: Path, docs: Path
) -> None:
    before = say(conv, QUESTION)
    generation = conv.store.meta("generation")
    (docs / "moi.txt").write_text("Văn bản mới\n\n" + FILLER, encoding="utf-8")
    with (kb / "abbreviations.tsv").open("a", encoding="utf-8") as out:
        out.write("\nCCCD không có dấu tab\n")
    reply = admin_reload(conv)
    assert reply.kind is ReplyKind.ERROR
    assert "abbreviations.tsv" in reply.plain and "vẫn đang phục vụ" in reply.plain
    assert conv.store.meta("generation") == generation
    assert "documents/moi" not in conv.snapshot.index.docs
    assert say(conv, QUESTION).hit_ids == before.hit_ids


def test_missing_knowledge_folder_fails_the_reload_instead_of_emptying_the_index(
    conv: Conversation, kb: Path
) -> None:
    documents = len(conv.snapshot.index.docs)
    kb.rename(kb.with_name("unmounted"))
    reply = admin_reload(conv)
    assert reply.kind is ReplyKind.ERROR
    assert len(conv.snapshot.index.docs) == documents
    assert say(conv, QUESTION).kind is ReplyKind.ANSWER


def test_reload_against_a_locked_store_reports_failure_and_keeps_serving(
    conv: Conversation, docs: Path
) -> None:
    (docs / "moi.txt").write_text("Văn bản mới\n\n" + FILLER, encoding="utf-8")
    other = sqlite3.connect(conv.store.path, timeout=0)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the store (a backup, a sqlite shell)
    try:
        reply = admin_reload(conv)
    finally:
        other.rollback()
        other.close()
    assert reply.kind is ReplyKind.ERROR
    assert "vẫn đang phục vụ" in reply.plain
    assert "documents/moi" not in conv.snapshot.index.docs
    assert say(conv, QUESTION).kind is ReplyKind.ANSWER
