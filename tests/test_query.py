"""A question is analysed once into a `Query` that every stage reads."""

from bot.models import ReplyKind

from helpers import say


def labels(query) -> list[str]:
    return [u.label for u in query.units]


def test_a_compound_is_one_unit_and_stop_words_are_none(index):
    assert labels(index.analyse("Bộ Tư pháp có vai trò gì?")) == ["bộ", "tư pháp", "vai trò"]


def test_an_abbreviation_is_one_unit_satisfied_by_its_long_form(index):
    (unit,) = [u for u in index.analyse("CNTT").units]
    assert unit.label == "cntt" and unit.present((" công nghệ thông tin ", "", ""))


def test_an_abbreviation_typed_without_diacritics_is_understood(index):
    assert labels(index.analyse("Bo GD&DT co ai du hop")).count("gd&dt") == 1
    assert "gdđt" in index.analyse("Bo GD&DT co ai du hop").keys


def test_unaccented_words_become_the_compounds_the_index_knows(index):
    assert labels(index.analyse("luat can cuoc co hieu luc khi nao")) == [
        "luat", "can cuoc", "hieu luc",
    ]  # fmt: skip


def test_a_lone_unaccented_stop_word_is_not_content(index):
    assert "co" not in labels(index.analyse("co bao nhieu ho so"))


def test_a_word_asked_twice_counts_once(index):
    assert labels(index.analyse("Luật Căn cước " + "x " * 50)) == ["luật", "căn cước", "x"]


def test_when_and_definition_flags(index):
    assert index.analyse("Luật Căn cước có hiệu lực khi nào?").timing
    assert index.analyse("De an 06 la gi").defined == "de an 06"
    assert index.analyse("Tổ công tác gồm những ai?").defined == "to cong tac"
    assert not index.analyse("Đề án 06 có ý nghĩa thế nào?").defined


def test_timing_words_are_not_content_of_a_when_question(index):
    assert "hạn chót" not in " ".join(labels(index.analyse("Hạn chót trình nghị định?")))


def test_a_synonym_becomes_an_alternative_of_its_unit(index):
    (unit,) = [u for u in index.analyse("hồ sơ online").units if u.label == "online"]
    assert unit.present((" hồ sơ trực tuyến ", " ho so truc tuyen ", " ho_so truc_tuyen "))


def test_the_same_question_is_not_analysed_again(index):
    assert index.analyse("Đề án 06 Bộ Tư pháp") is index.analyse("Đề án 06 Bộ Tư pháp")


def test_a_message_is_analysed_once_on_its_way_through_the_core(conv):
    queries = conv.snapshot.index.queries
    calls = []
    original = queries.analyse
    queries.analyse = lambda text: calls.append(text) or original(text)
    reply = say(conv, "Luật Căn cước có hiệu lực từ ngày nào?")
    assert reply.kind is ReplyKind.ANSWER and calls == ["Luật Căn cước có hiệu lực từ ngày nào?"]
