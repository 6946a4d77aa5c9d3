"""Near-duplicate passages: one report told twice is folded into one hit."""

from index.dedup import near_duplicate, shingles

REPORT = (
    "Bộ Công an chủ trì, phối hợp với các bộ, ngành hoàn thành kết nối Cơ sở dữ liệu quốc gia"
    " về dân cư với cơ sở dữ liệu hộ tịch điện tử trong Quý II/2025."
)


def test_a_shortened_copy_of_a_report_is_a_near_duplicate():
    shortened = REPORT.split(" trong Quý")[0]
    assert near_duplicate(shingles(REPORT), shingles(shortened))
    assert near_duplicate(shingles(shortened), shingles(REPORT))


def test_a_different_passage_is_not_a_near_duplicate():
    other = "Sở Tài chính bố trí kinh phí thực hiện Đề án 06, xong trong Quý II/2025."
    assert not near_duplicate(shingles(REPORT), shingles(other))


def test_copies_differing_in_case_are_near_duplicates():
    assert near_duplicate(shingles(REPORT), shingles(REPORT.upper()))


def test_an_empty_passage_is_nobody_s_duplicate():
    assert not near_duplicate(shingles(""), shingles(REPORT))
    assert not near_duplicate(shingles(""), shingles(""))


def test_a_two_word_passage_matches_only_itself():
    assert near_duplicate(shingles("Đề án"), shingles("đề án"))
    assert not near_duplicate(shingles("Đề án"), shingles("Đề xuất"))

