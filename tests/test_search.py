from index.normalize import fold


def texts(result) -> str:
    return " ".join(h.text for h in result.hits)


def test_accented_question_finds_the_answer(index):
    assert "Lê Thành Long" in texts(
        index.search("Ai chủ trì buổi làm việc tại Bộ Tư pháp chiều 21/2?")
    )


def test_question_without_diacritics_finds_the_same_passage(index):
    accented = index.search("Bộ Công an phối hợp với Bưu điện Việt Nam làm gì?")
    stripped = index.search(fold("Bộ Công an phối hợp với Bưu điện Việt Nam làm gì?"))
    assert accented.hits[0].passage_id == stripped.hits[0].passage_id


def test_abbreviation_in_question_matches_long_form_in_text(index):
    assert "thủ tục hành chính" in texts(index.search("còn bao nhiêu TTHC chưa thực thi"))


def test_long_form_in_question_matches_abbreviation_in_text(index):
    result = index.search("Bộ Thông tin và Truyền thông đề xuất sửa Nghị định 73")
    assert "Bộ TT&TT" in result.hits[0].text


def test_off_topic_questions_are_not_answered(index):
    for question in (
        "giá vàng hôm nay",
        "thời tiết Hà Nội ngày mai",
        "hello how are you",
        "xin chào",
        "asdkjh qwerty",
        "Cách làm bánh chưng ngày Tết",
    ):
        result = index.search(question)
        assert not result.answered and not result.hits, question


def test_near_duplicate_reports_are_shown_once_with_where_else(index):
    result = index.search("Bộ Tư pháp thành lập Tổ công tác và ban hành Kế hoạch hành động")
    titles = [h.title for h in result.hits]
    assert len(titles) == len(set(titles)) or all(h.also_in for h in result.hits[:1])
    top = result.hits[0]
    assert top.also_in, "the same news in the other article should be named"
    assert all(t != top.title for t in top.also_in)


def test_repeated_lead_in_one_article_appears_once(index):
    result = index.search("Thủ tướng chủ trì hội nghị trực tuyến sơ kết 1 năm Đề án 06 sáng 25-12")
    leads = [h for h in result.hits if "Sáng 25-12" in h.text]
    assert len(leads) == 1


def test_snippet_is_short_and_marks_matched_words(index):
    hit = index.search("Luật Căn cước có hiệu lực từ ngày nào?").hits[0]
    assert len(hit.snippet) <= 300
    marked = [hit.snippet[s:e] for s, e in hit.marks]
    assert "Luật Căn cước" in marked, "adjacent matched words form one mark"


def test_timing_question_prefers_the_sentence_with_a_date(index):
    hit = index.search("hạn trình nghị định danh mục cơ sở dữ liệu quốc gia là khi nào").hits[0]
    assert "30/3/2024" in hit.snippet


def test_hit_carries_its_citation(index):
    hit = index.search("Quyết định 36/QĐ-TTg phê duyệt quy hoạch gì?").hits[0]
    assert hit.title and hit.date == "2024-01-25" and hit.source


def test_more_results_page_after_the_first(index):
    first = index.search("Đề án 06 Bộ Tư pháp", limit=3)
    second = index.search("Đề án 06 Bộ Tư pháp", limit=3, offset=3)
    assert first.more
    assert not {h.passage_id for h in first.hits} & {h.passage_id for h in second.hits}


def test_question_mixing_accented_and_unaccented_words_is_answered(index):
    result = index.search("Luat Căn cước có hieu luc tu ngay nao")
    assert result.answered and "1/7/2024" in result.hits[0].text


def test_accented_word_must_match_as_written_for_coverage(index):
    """"đen" typed with its diacritics is not satisfied by "đến" or "den"."""
    hit = index.search("tín dụng đen").hits[0]
    assert "tín dụng đen" in hit.text
    assert len(index.search("tín dụng đen").hits) == 1
