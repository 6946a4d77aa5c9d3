"""The snippet shown holds the kind of answer the question asks for."""


def test_who_shows_the_sentence_naming_the_person(index):
    question = "Ai chủ trì buổi làm việc về tiến độ Đề án 06 tại Bộ Tư pháp chiều 21/2?"
    hit = index.search(question).hits[0]
    assert "Lê Thành Long" in hit.snippet


def test_which_decision_shows_its_code(index):
    question = "bo tu phap ban hanh ke hoach trien khai de an nam 2023 bang quyet dinh nao"
    result = index.search(question)
    assert any("148/QĐ-BTP" in h.snippet for h in result.hits)


def test_a_long_sentence_is_cut_around_what_the_question_names(index):
    hit = index.search("Các bộ ngành phối hợp tích hợp tiện ích lên ứng dụng nào?").hits[0]
    assert len(hit.snippet) <= 302 and "VNeID" in hit.snippet


def test_a_snippet_is_at_most_300_characters_plus_ellipses(index):
    for question in ("Đề án 06 là gì?", "ai chu tri hoi nghi so ket 1 nam de an 06"):
        assert all(len(h.snippet) <= 302 for h in index.search(question).hits)
