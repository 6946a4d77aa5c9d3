"""Between "found" and "nothing": the nearest passages, said to be no direct answer."""

import pytest

from bot.models import ReplyKind
from bot.render.telegram import render

from helpers import say

PARTLY = "Tỉnh Đồng Nai đã số hóa bao nhiêu hồ sơ hộ tịch?"


def test_a_question_covered_only_in_part_gets_the_nearest_passages(shared_conv):
    reply = say(shared_conv, PARTLY, chat="r1")
    assert reply.kind is ReplyKind.RELATED
    assert reply.plain.startswith("Chưa thấy đoạn trả lời trực tiếp; các đoạn gần nhất:")
    assert 1 <= len(reply.hit_ids) <= 2 and "Nguồn:" in reply.plain


def test_the_nearest_passages_are_not_logged_as_answered(conv):
    say(conv, PARTLY)
    conv.querylog.flush()
    (answered,) = conv.store.db().execute("SELECT answered FROM query_log").fetchone()
    assert answered == 0


def test_a_nearest_passage_can_be_read_in_full(shared_conv):
    say(shared_conv, PARTLY, chat="r2")
    assert "Nguồn:" in say(shared_conv, "/xem 1", chat="r2").plain


def test_the_nearest_passages_have_buttons_on_telegram(shared_conv):
    (message,) = render(say(shared_conv, PARTLY, chat="r3"))
    labels = [label for row in message.buttons for label, _ in row]
    assert labels[0] == "📄 Toàn văn 1" and "👍" in labels and "➕ Xem thêm" not in labels


@pytest.mark.parametrize(
    "question",
    ["giá vàng hôm nay", "làm hộ chiếu ở đâu", "bóng đá Ngoại hạng Anh", "gia xang hom nay"],
)
def test_off_topic_questions_get_the_plain_refusal(shared_conv, question):
    reply = say(shared_conv, question)
    assert reply.kind is ReplyKind.NOT_FOUND and "/help" in reply.plain and not reply.hit_ids
