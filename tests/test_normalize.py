import unicodedata

from index.normalize import fold, has_diacritics, match_form, normalize_text, unify_tones


def test_nfd_input_becomes_nfc():
    nfd = unicodedata.normalize("NFD", "Bộ Tư pháp")
    assert normalize_text(nfd) == "Bộ Tư pháp"


def test_nbsp_and_zero_width_are_folded_into_plain_spaces():
    assert normalize_text("Đề\u00a0án\u200b 06\u2009nhé") == "Đề án 06 nhé"


def test_line_breaks_survive_normalisation():
    assert normalize_text("dòng 1\r\ndòng 2") == "dòng 1\ndòng 2"


def test_control_characters_are_dropped():
    assert normalize_text("a\x00b\x1bc") == "abc"


def test_old_and_new_tone_placement_match():
    assert match_form("số hóa") == match_form("số hoá")
    assert match_form("thủy lợi") == match_form("thuỷ lợi")
    assert match_form("khỏe") == match_form("khoẻ")


def test_tone_unification_leaves_other_vowel_pairs_alone():
    assert unify_tones("mùa của quý hoàn") == "mùa của quý hoàn"


def test_fold_strips_every_diacritic_and_d_stroke():
    assert fold("Bộ Tư pháp Đồng Nai") == "Bo Tu phap Dong Nai"


def test_fold_handles_decomposed_text():
    assert fold(unicodedata.normalize("NFD", "Căn cước")) == "Can cuoc"


def test_curly_quotes_stay_in_display_text():
    assert normalize_text("“sớm, đủ, sạch”") == "“sớm, đủ, sạch”"


def test_has_diacritics():
    assert has_diacritics("bộ") and not has_diacritics("bo tu phap")


def test_a_lone_surrogate_becomes_a_replacement_character():
    assert normalize_text("Bộ Tư pháp \ud800 họp") == "Bộ Tư pháp \ufffd họp"
