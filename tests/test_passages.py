from index.passages import MAX_WORDS, sentence_spans, split_passages

LONG = " ".join(
    f"Câu số {i} nói về việc Bộ Tư pháp triển khai nhiệm vụ Đề án 06 tại địa phương."
    for i in range(40)
)


def test_sentences_split_at_full_stops_before_capitals():
    text = "Bộ Tư pháp họp. Bộ Công an báo cáo! Còn 13 dịch vụ công?"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Bộ Tư pháp họp.",
        "Bộ Công an báo cáo!",
        "Còn 13 dịch vụ công?",
    ]


def test_decimal_numbers_do_not_end_a_sentence():
    text = "Đã có 14.5 triệu dữ liệu và 23.042 lượt người dân."
    assert len(sentence_spans(text)) == 1


def test_long_paragraph_is_cut_at_sentence_boundaries():
    passages = split_passages("d", LONG)
    assert len(passages) > 1
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages)
    assert all(p.text.endswith(".") for p in passages)


def test_passages_keep_offsets_into_the_body():
    body = "Tiêu đề ngắn\n\n" + LONG
    for p in split_passages("d", body):
        assert body[p.start : p.end] == p.text


def test_short_caption_is_merged_with_the_next_paragraph():
    body = "Toàn cảnh buổi làm việc.\n" + " ".join(["Nội dung dài về Đề án 06."] * 12)
    passages = split_passages("d", body)
    assert len(passages) == 1 and passages[0].text.startswith("Toàn cảnh")


def test_ordinals_count_from_zero_in_order():
    assert [p.ordinal for p in split_passages("d", LONG)] == list(
        range(len(split_passages("d", LONG)))
    )


def test_the_body_is_the_one_passages_are_cut_from(tmp_path):
    from index.passages import body_of, passages_from_units
    from index.readers import read_file
    from index.structure import structure

    from plan_docs import plan_docx

    path = plan_docx(tmp_path / "kh.docx")
    units = structure(read_file(path.read_bytes(), ".docx", path).blocks).units
    body, passages = passages_from_units("kh", units, "Kế hoạch 37")
    assert body_of(units) == body and all(body[p.start : p.end] == p.text for p in passages)
