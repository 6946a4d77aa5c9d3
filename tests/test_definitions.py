"""'X là gì?' leads with the passage that names or spells out X."""

import pytest

from index.normalize import fold


@pytest.mark.parametrize("question", ["Đề án 06 là gì?", "De an 06 la gi", "Đề án 06 là đề án gì?"])
def test_a_definition_question_leads_with_the_spelled_out_long_form(index, question):
    hit = index.search(question).hits[0]
    assert "(Đề án 06)" in hit.text and "định danh và xác thực điện tử" in hit.snippet


def test_the_snippet_of_a_long_sentence_ends_with_what_is_defined(index):
    hit = index.search(fold("Đề án 06 là gì?")).hits[0]
    assert "(Đề án 06)" in hit.snippet and "Phát triển ứng dụng dữ liệu" in hit.snippet


def test_page_chrome_is_not_an_answer(index):
    for hit in index.search("Đề án 06 là gì?").hits:
        assert not hit.text.startswith("Đẩy mạnh thực hiện Đề án 06") and "03:12" not in hit.text
