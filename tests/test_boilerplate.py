"""Page chrome is not a passage: dropped when paragraphs are cut, files left as they are."""

from conftest import KNOWLEDGE

from index.boilerplate import boilerplate
from index.ingest import read_document
from index.passages import passages_from_units

TITLE = "Đẩy mạnh thực hiện Đề án 06 về phát triển ứng dụng dữ liệu về dân cư"
LEAD = "Sáng 25-12, Thủ tướng chủ trì hội nghị trực tuyến toàn quốc sơ kết 1 năm Đề án 06."


def dropped(paragraphs: list[str], title: str = TITLE) -> list[str]:
    return [paragraphs[i] for i in sorted(boilerplate(paragraphs, title))]


def test_a_photo_caption_is_dropped():
    caption = "Các đại biểu tham dự hội nghị tại điểm cầu Đồng Nai. Ảnh: K.Liễu"
    assert dropped([LEAD, caption, LEAD + " Nội dung khác."]) == [caption]


def test_a_language_switch_and_the_site_name_before_the_title_are_dropped():
    page = ["Báo Đồng Nai điện tử", "En", TITLE, "03:12, 25/12/2022", LEAD]
    assert dropped(page) == page[:4]


def test_a_title_and_date_line_repeated_at_the_top_are_dropped():
    page = [TITLE, "21/02/2023", TITLE, LEAD]
    assert dropped(page) == page[:3]


def test_a_lead_printed_twice_keeps_its_first_copy():
    assert boilerplate([LEAD, LEAD, "Nội dung tiếp theo của bài viết."], TITLE) == {1}


def test_the_list_of_other_articles_at_the_end_is_dropped():
    page = [LEAD, "Tin xem nhiều", "Giá lúa tăng mạnh", "Thời tiết cuối tuần"]
    assert dropped(page) == page[1:]


def test_a_menu_line_and_a_byline_are_dropped():
    page = ["Trang chủ | Thời sự | En", LEAD, "Kim Liễu"]
    assert dropped(page) == [page[0], page[2]]


def test_content_is_kept():
    page = [LEAD, "Bộ Tư pháp (Ảnh: tư liệu) được giao chủ trì 7 nhiệm vụ về thể chế.", "Kết luận."]
    assert boilerplate(page, TITLE) == set()


def test_the_shipped_article_loses_its_chrome_but_its_file_is_unchanged():
    path = KNOWLEDGE / "documents" / "2022-12-25-dong-nai-day-manh-de-an-06.md"
    before = path.read_bytes()
    doc = read_document(path)
    texts = [p.text for p in passages_from_units(doc.doc_id, doc.units, doc.title)[1]]
    joined = "\n".join(texts)
    assert "Ảnh:" not in joined and "Tin xem nhiều" not in joined and "\nEn\n" not in joined
    assert joined.count("(ĐN)- Sáng 25-12") == 1
    assert all(not t.startswith(doc.title) for t in texts)
    assert path.read_bytes() == before and "Ảnh: K.Liễu" in doc.body


def test_passage_offsets_still_point_into_the_unchanged_body():
    path = KNOWLEDGE / "documents" / "2023-02-21-btp-lanh-dao-bo-lam-viec-tien-do-de-an-06.md"
    doc = read_document(path)
    for p in passages_from_units(doc.doc_id, doc.units, doc.title)[1]:
        assert doc.body[p.start : p.end] == p.text
