"""Marks fall on whole words of the passage that match words of the question."""

import re

from helpers import say


def marked(result) -> list[tuple[str, str, str]]:
    """(word before, marked text, word after) of every mark of every hit."""
    out = []
    for hit in result.hits + result.related:
        for s, e in hit.marks:
            before = re.findall(r"\w+", hit.snippet[:s])[-1:] or [""]
            after = re.findall(r"\w+", hit.snippet[e:])[:1] or [""]
            out.append((before[0].lower(), hit.snippet[s:e], after[0].lower()))
    return out


def test_a_syllable_of_the_question_does_not_mark_another_compound(index):
    marks = marked(index.search("Đề án 06 là gì?"))
    assert marks and all(m[1].lower() != "đề" for m in marks)
    assert not [m for m in marks if m[1].lower().startswith("đề") and m[2] in ("ra", "nghị")]


def test_unaccented_stop_words_are_not_marked(index):
    marks = [m[1].lower() for m in marked(index.search("luat can cuoc co hieu luc khi nao"))]
    assert "luật căn cước" in marks and "hiệu lực" in marks
    assert not {"có", "cần", "khi", "nào"} & set(marks)


def test_a_lone_unaccented_syllable_marks_neither_a_name_nor_part_of_a_compound(index):
    marks = marked(index.search("ai la to truong to cong tac"))
    assert any(m[1] == "Tổ trưởng Tổ công tác" for m in marks)
    assert not [m for m in marks if m[1] == "Tô" or m[1].startswith("Tô ")]  # Tô Lâm
    assert not [m for m in marks if m[1] == "trưởng" and m[0] == "bộ"]  # Bộ trưởng
    assert not [m for m in marks if m[1] == "Công" and m[2] == "an"]  # Công an


def test_a_word_inside_another_compound_is_not_marked(index):
    marks = marked(index.search("trình nghị định danh mục trước ngày nào?"))
    assert not [m for m in marks if m[1] == "trình" and m[0] == "quy"]  # quy trình
    assert not [m for m in marks if "định danh mục" in m[1]]  # quy định danh mục


def test_a_follow_up_marks_neither_its_cue_words_nor_syllables_of_other_words(conv):
    say(conv, "Bộ TT&TT trình nghị định danh mục CSDL quốc gia trước ngày nào?", chat="h1")
    reply = say(conv, "còn Bộ Tư pháp thì sao?", chat="h1")
    marks = []  # (word before, marked text)
    for block in reply.blocks:
        text = ""
        for run in block:
            if run.style.value == "match":
                marks.append(((re.findall(r"\w+", text)[-1:] or [""])[0].lower(), run.text))
            text += run.text
    assert ("của", "Bộ Tư pháp") in marks or any(m[1] == "Bộ Tư pháp" for m in marks)
    assert not [m for m in marks if m[1].lower() == "còn"]
    assert not [m for m in marks if m == ("đồng", "bộ") or m == ("lang", "pháp")]


def test_an_abbreviation_in_the_passage_is_marked_for_its_long_form(index):
    result = index.search("Bộ Thông tin và Truyền thông đề xuất sửa Nghị định 73")
    marks = [m[1] for m in marked(result)]
    assert "Bộ TT&TT" in marks


def test_a_synonym_is_marked_where_it_stands_whole(index):
    result = index.search("bưu điện hỗ trợ được bao nhiêu hồ sơ online")
    marks = [m[1].lower() for m in marked(result)]
    assert "hồ sơ trực tuyến" in marks or "trực tuyến" in marks
