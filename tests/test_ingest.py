import codecs
import unicodedata
from pathlib import Path

import pytest

from index.errors import DocumentError
from index.ingest import read_document, scan

VN = "Kế hoạch triển khai Đề án 06\nNgày 15/03/2024, Bộ Tư pháp hoàn thành số hoá dữ liệu hộ tịch."


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_txt_title_is_first_line_and_date_the_first_date(tmp_path):
    doc = read_document(write(tmp_path / "a.txt", VN.encode()))
    assert doc.title == "Kế hoạch triển khai Đề án 06" and doc.date == "2024-03-15"


def test_markdown_front_matter_gives_title_date_source(tmp_path):
    text = (
        '---\ntitle: "Tiêu đề"\ndate: 2024-01-25\nsource: Cổng TTĐT\n'
        "url: https://x.vn/a\n---\nNội dung."
    )
    doc = read_document(write(tmp_path / "a.md", text.encode()))
    assert (doc.title, doc.date, doc.source, doc.url) == (
        "Tiêu đề",
        "2024-01-25",
        "Cổng TTĐT",
        "https://x.vn/a",
    )


def test_broken_front_matter_is_reported(tmp_path):
    path = write(tmp_path / "a.md", b'---\ntitle: "unterminated\n---\nbody')
    with pytest.raises(DocumentError, match="front matter"):
        read_document(path)


def test_empty_file_is_reported(tmp_path):
    with pytest.raises(DocumentError, match="rỗng"):
        read_document(write(tmp_path / "a.txt", b""))


def test_binary_file_is_reported(tmp_path):
    with pytest.raises(DocumentError, match="nhị phân"):
        read_document(write(tmp_path / "a.txt", bytes(range(256)) * 4))


def test_utf16_file_is_read(tmp_path):
    doc = read_document(write(tmp_path / "a.txt", VN.encode("utf-16")))
    assert "Bộ Tư pháp" in doc.body


def to_cp1258(text: str) -> bytes:
    """Windows-1258 has letters with their shape marks but writes tones as combining marks."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            shaped = unicodedata.normalize(
                "NFC", base + "".join(m for m in marks if m in "\u0302\u0306\u031b")
            )
            tones = "".join(m for m in marks if m not in "\u0302\u0306\u031b")
            out += codecs.encode(shaped + tones, "cp1258")
    return out


def test_windows_1258_file_is_read(tmp_path):
    data = to_cp1258(VN)
    doc = read_document(write(tmp_path / "a.txt", data))
    assert "Bộ Tư pháp" in doc.body


def test_nfd_file_becomes_nfc(tmp_path):
    doc = read_document(write(tmp_path / "a.txt", unicodedata.normalize("NFD", VN).encode()))
    assert "Bộ Tư pháp" in doc.body


def test_scan_skips_bad_files_and_loads_the_rest(tmp_path):
    write(tmp_path / "good.txt", VN.encode())
    write(tmp_path / "empty.txt", b"")
    write(tmp_path / "image.png", b"\x89PNG")
    result = scan(tmp_path)
    assert [d.doc_id for d in result.documents] == ["good"]
    assert sorted(e.path.name for e in result.skipped) == ["empty.txt", "image.png"]


def test_curated_data_files_are_not_documents(tmp_path):
    write(tmp_path / "stopwords.txt", "và\n".encode())
    write(tmp_path / "abbreviations.tsv", "CSDL\tcơ sở dữ liệu\n".encode())
    assert scan(tmp_path).documents == []
