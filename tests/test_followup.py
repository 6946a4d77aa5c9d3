"""Follow-up questions in one chat continue the previous question, on every platform."""

import pytest

from bot.followup import Topic, merged_question
from bot.models import ReplyKind

from helpers import say

FIRST = "Các bộ, ngành phải đăng ký mã định danh tổ chức để làm gì?"
PLATFORMS = ["console", "telegram", "zalo"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_short_question_that_refers_back_is_answered_with_the_previous_topic(conv, platform):
    say(conv, FIRST, platform=platform, chat="f1")
    reply = say(conv, "khi nào phải xong?", platform=platform, chat="f1")
    assert reply.kind is ReplyKind.ANSWER
    assert reply.plain.startswith(f"Tiếp câu hỏi trước: “{FIRST}”")
    assert "quý II/2024" in reply.plain


@pytest.mark.parametrize("platform", PLATFORMS)
def test_another_agency_asked_the_same_thing_keeps_the_thread(conv, platform):
    say(conv, "Bộ TT&TT trình nghị định danh mục CSDL quốc gia trước ngày nào?", platform=platform)
    reply = say(conv, "còn Bộ Tư pháp thì sao?", platform=platform)
    assert "Tiếp câu hỏi trước:" in reply.plain and reply.kind is ReplyKind.ANSWER
    first_hit = reply.blocks[2]  # after the note and the deadline it leads with
    assert reply.plain.split("\n\n")[1].startswith("Hạn:")  # still a "when" question
    assert "Nghị định" in "".join(r.text for r in first_hit)
    assert "Bộ Tư pháp" in "".join(r.text for r in first_hit)


def test_a_standalone_question_is_never_merged(conv):
    say(conv, FIRST, chat="f2")
    for question in (
        "Luật Căn cước có hiệu lực từ ngày nào?",
        "Còn bao nhiêu TTHC chưa được thực thi?",
        "Đề án 06 là gì?",
        "căn cước là gì",
    ):
        assert "Tiếp câu hỏi trước" not in say(conv, question, chat="f2").plain, question


def test_a_follow_up_after_ten_minutes_is_a_new_question(conv):
    now = [1000.0]
    conv.clock = lambda: now[0]
    say(conv, FIRST, chat="f3")
    now[0] += 10 * 60 + 1
    assert "Tiếp câu hỏi trước" not in say(conv, "khi nào phải xong?", chat="f3").plain


def test_a_chain_of_follow_ups_keeps_the_first_topic(conv):
    say(conv, FIRST, chat="f4")
    say(conv, "khi nào phải xong?", chat="f4")
    reply = say(conv, "ai chủ trì?", chat="f4")
    assert reply.plain.startswith(f"Tiếp câu hỏi trước: “{FIRST}”")


def test_a_follow_up_only_continues_its_own_chat(conv):
    say(conv, FIRST, chat="f5")
    assert "Tiếp câu hỏi trước" not in say(conv, "khi nào phải xong?", chat="f6").plain


def test_the_merged_question_is_what_more_hits_continue(conv):
    say(conv, FIRST, chat="f7")
    say(conv, "khi nào phải xong?", chat="f7")
    assert "mã định danh" in conv.session(say_msg("f7")).question


def say_msg(chat: str):
    from bot.models import Incoming

    return Incoming("telegram", chat, "42", "")


@pytest.mark.parametrize(
    "text",
    ["thế còn Bộ Công an?", "vậy ai chủ trì?", "ai chủ trì?", "còn UBND tỉnh thì thế nào?"],
)
def test_cues_that_refer_back(text):
    topic = Topic("Bộ TT&TT trình nghị định trước ngày nào?", "bộ tt&tt trình nghị định", True, 0)
    assert merged_question(text, topic, 1.0) is not None


def test_the_new_agency_replaces_the_previous_one():
    topic = Topic("Bộ TT&TT trình nghị định trước ngày nào?", "bộ tt&tt trình nghị định", True, 0)
    merged = merged_question("còn Bộ Tư pháp thì sao?", topic, 1.0)
    assert merged == "trình nghị định Bộ Tư pháp khi nào"
