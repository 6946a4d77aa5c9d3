from pathlib import Path

import pytest

from index.lexicon import load_lexicon
from index.segment import FOLDED, Analyzer

KB = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(load_lexicon(KB))


def test_words_are_lower_case_compounds_without_punctuation(analyzer):
    assert analyzer.words("Bộ Tư pháp, Chính phủ.") == ["bộ", "tư_pháp", "chính_phủ"]


def test_passage_terms_include_accent_folded_forms(analyzer):
    terms = analyzer.passage_terms("Bộ Tư pháp")
    assert {"tư_pháp", FOLDED + "tu_phap", FOLDED + "tu", FOLDED + "phap"} <= set(terms)


def test_stop_words_are_not_indexed(analyzer):
    assert "của" not in analyzer.passage_terms("kế hoạch của Bộ")


def test_unaccented_question_reaches_compounds_the_index_knows(analyzer):
    vocab = {FOLDED + "tu_phap": 0, FOLDED + "ke_hoach": 1}
    terms = analyzer.query_terms("bo tu phap ban hanh ke hoach", vocab, frozenset())
    assert FOLDED + "tu_phap" in terms and FOLDED + "ke_hoach" in terms


def test_abbreviation_expands_to_its_long_form(analyzer):
    assert {"cơ_sở", "dữ_liệu"} <= set(analyzer.words("CSDL quốc gia"))


def test_long_form_and_abbreviation_share_terms(analyzer):
    short = set(analyzer.passage_terms("TTHC"))
    long = set(analyzer.passage_terms("thủ tục hành chính"))
    assert long <= short


def test_ampersand_abbreviation_is_kept_whole(analyzer):
    words = analyzer.words("Bộ TT&TT")
    assert "tttt" in words and "thông_tin" in words


def test_tone_placement_does_not_change_terms(analyzer):
    assert analyzer.passage_terms("số hóa") == analyzer.passage_terms("số hoá")


def test_passage_analysis_keeps_which_tokens_form_one_word(analyzer):
    _, joins = analyzer.analyse_passage("Bộ trưởng Bộ Công an")
    assert joins == "_  _ "  # bộ_trưởng · bộ · công_an


def test_an_abbreviation_is_one_word_of_the_text(analyzer):
    seg = analyzer.segment("Bộ TT&TT họp")
    assert [i.abbreviation for i in seg.items] == ["", "tttt", ""]
    assert seg.joins[1] == "_"  # "TT" and "TT" are one word


def test_an_abbreviation_typed_without_diacritics_expands_like_the_real_one(analyzer):
    assert analyzer.words("Bo GD&DT")[1:3] == ["gdđt", "giáo_dục"]
