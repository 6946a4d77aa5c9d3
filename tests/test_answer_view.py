"""Citations short enough for a phone: titles cut near 70 characters, the source once."""

from dataclasses import replace

from bot.answer_view import citation, hit_blocks, short_title
from index.models import Hit

LONG = "Tổ công tác Đề án 06 họp rà soát, thúc đẩy tiến độ triển khai nhiệm vụ của các bộ, ngành"
HIT = Hit(
    passage_id=1, doc_id="d", ordinal=2, title=LONG, source="Cổng thông tin điện tử Chính phủ",
    date="2024-01-25", url="", text="Nội dung.", snippet="Nội dung.", marks=(), score=1.0,
)  # fmt: skip


def test_a_long_title_is_cut_at_a_word_near_70_characters():
    cut = short_title(LONG)
    assert cut.endswith("…") and 60 <= len(cut) <= 80 and LONG.startswith(cut[:-1])
    assert LONG[len(cut) - 1] == " "  # cut between words


def test_a_short_title_is_kept_whole():
    assert short_title("Xác định rõ các vướng mắc liên quan đến sổ hộ khẩu").endswith("hộ khẩu")


def test_the_citation_names_title_source_date_and_passage():
    assert citation(HIT) == (
        "Nguồn: " + short_title(LONG) + " (Cổng thông tin điện tử Chính phủ, 25/01/2024), đoạn 3"
    )


def test_a_source_the_title_already_names_is_not_repeated():
    hit = replace(HIT, title="Báo Đồng Nai điện tử đưa tin", source="Báo Đồng Nai điện tử")
    assert "(25/01/2024)" in citation(hit)


def test_a_reply_names_each_source_once():
    hits = [HIT, replace(HIT, passage_id=2, ordinal=5), replace(HIT, passage_id=3, source="Khác")]
    cites = ["".join(r.text for r in b).split("\n")[1] for b in hit_blocks(hits)]
    assert "Cổng thông tin điện tử Chính phủ" in cites[0]
    assert "Cổng thông tin" not in cites[1] and cites[1].endswith("(25/01/2024), đoạn 6")
    assert "(Khác, 25/01/2024)" in cites[2]
