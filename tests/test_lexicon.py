"""Synonyms (curated, both ways) and abbreviations the documents define for themselves."""

import pytest

from index.errors import KnowledgeError
from index.lexicon import learn_abbreviations, load_lexicon

from helpers import ADMIN, say


def test_an_acronym_after_its_long_form_is_learned():
    text = "Kết nối Cơ sở dữ liệu quốc gia về dân cư (CSDLQG về dân cư) với các hệ thống."
    assert learn_abbreviations(text) == [
        ("CSDLQG về dân cư", "Cơ sở dữ liệu quốc gia về dân cư")
    ]


def test_an_acronym_skips_connecting_words():
    assert learn_abbreviations("Bộ Thông tin và Truyền thông (TT&TT) chủ trì.") == [
        ("TT&TT", "Thông tin và Truyền thông")
    ]


def test_a_named_short_form_takes_the_long_form_it_closes():
    text = (
        "Sơ kết 1 năm triển khai Đề án Phát triển ứng dụng dữ liệu về dân cư, định danh và "
        "xác thực điện tử phục vụ chuyển đổi số quốc gia (Đề án 06) và tổng kết."
    )
    ((short, long),) = learn_abbreviations(text)
    assert short == "Đề án 06" and long.startswith("Đề án Phát triển") and "định danh" in long


def test_an_acronym_followed_by_its_spelled_out_form_is_learned():
    assert learn_abbreviations("Dùng HTTT (Hệ thống thông tin) mới.") == [
        ("HTTT", "Hệ thống thông tin")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "(ĐN)- Sáng 25-12, hội nghị trực tuyến toàn quốc.",
        "tích hợp các dịch vụ công (4 dịch vụ công trực tuyến trong 25 dịch vụ) lên cổng",
        "với 5 ngân hàng (Vietcombank, Vietinbank, BIDV) và 1 tổ chức tín dụng (Mcredit).",
        "(Theo Cổng thông tin điện tử Bộ Tư pháp)",
        "Ủy ban nhân dân tỉnh (UBTVQH) họp.",
    ],
)
def test_ordinary_brackets_teach_nothing(text):
    assert learn_abbreviations(text) == []


def test_synonyms_are_groups_of_phrases_one_line_each(kb):
    lexicon = load_lexicon(kb)
    assert ("online", "trực tuyến", "qua mạng") in lexicon.synonyms


def test_a_synonym_line_with_one_phrase_is_refused_by_file_and_line(kb):
    (kb / "synonyms.tsv").write_text("# ghi chú\nonline\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"synonyms.tsv dòng 2"):
        load_lexicon(kb)


def test_a_synonym_answers_a_paraphrase(index):
    result = index.search("bưu điện hỗ trợ được bao nhiêu hồ sơ online")
    assert result.answered and "16.486 hồ sơ trực tuyến" in result.hits[0].text


def test_synonyms_work_both_ways(conv, kb):
    (kb / "documents" / "online.md").write_text(
        "---\ntitle: Cổng dịch vụ công\n---\nNgười dân nộp 1.234 hồ sơ online qua cổng "
        "dịch vụ công của tỉnh Hòa Phong trong quý I.\n",
        encoding="utf-8",
    )
    say(conv, "/reload", user=ADMIN)
    result = conv.snapshot.index.search("Hòa Phong có bao nhiêu hồ sơ trực tuyến?")
    assert result.answered and "1.234 hồ sơ online" in result.hits[0].text


def test_a_new_synonym_works_after_reload_without_re_analysing_documents(conv, kb):
    question = "Tỉnh Đồng Nai có bao nhiêu chỗ tiếp dân làm thủ tục hành chính?"
    assert not conv.snapshot.index.search(question).answered
    with (kb / "synonyms.tsv").open("a", encoding="utf-8") as f:
        f.write("chỗ tiếp dân\tđiểm cầu\n")
    reply = say(conv, "/reload", user=ADMIN)
    assert "không có văn bản nào thay đổi" in reply.plain
    assert conv.last_reload.analysed_passages == 0
    assert conv.snapshot.index.search(question).related or conv.snapshot.index.search(
        question
    ).answered


def test_a_new_document_teaches_its_own_abbreviation(conv, kb):
    (kb / "documents" / "dinh-nghia.md").write_text(
        "---\ntitle: Kế hoạch số hóa\n---\nTỉnh Hòa Phong nâng cấp Hệ thống thông tin giải "
        "quyết thủ tục hành chính (HTTTGQTTHC) trong năm 2025.\n",
        encoding="utf-8",
    )
    (kb / "documents" / "bao-cao.md").write_text(
        "---\ntitle: Báo cáo quý III\n---\nTrong quý III, HTTTGQTTHC của tỉnh Hòa Phong kết "
        "nối thêm 15 sở, ngành và 120 xã, phường.\n",
        encoding="utf-8",
    )
    reply = say(conv, "/reload", user=ADMIN)
    assert "2 từ viết tắt học được" in reply.plain  # Đề án 06 and HTTTGQTTHC
    result = conv.snapshot.index.search(
        "Hệ thống thông tin giải quyết thủ tục hành chính của Hòa Phong kết nối thêm bao nhiêu sở?"
    )
    assert any(h.doc_id == "documents/bao-cao" and "15 sở" in h.text for h in result.hits)
