"""Bad questions through the whole path to what Telegram and Zalo would receive.

Whatever an official (or a bored teenager in the commune group) types, the core answers
without an exception and the rendered messages are valid Telegram HTML within 4,096
characters (and plain text within Zalo's 2,000). The fake Bot API's HTML parser is the judge,
so these tests fail exactly where Telegram would answer "can't parse entities".
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import Conversation
from bot.models import Reply, ReplyKind
from bot.render.telegram import MESSAGE_LIMIT, keyboard, render
from bot.render.text import ZALO_LIMIT
from bot.render.text import render as render_plain

from fake_telegram import check_markup, check_text, utf16_len
from helpers import say


def assert_deliverable(reply: Reply) -> None:
    """Every message is what Telegram accepts and Zalo accepts; buttons carry valid data."""
    assert reply.kind is not ReplyKind.ERROR
    messages = render(reply)
    if reply.kind is not ReplyKind.IGNORED:
        assert messages, "a reply with nothing to send leaves the user in silence"
    for message in messages:
        assert len(message.html) <= MESSAGE_LIMIT
        visible = check_text(message.html, "HTML")
        assert utf16_len(visible) <= MESSAGE_LIMIT
    check_markup(
        {
            "inline_keyboard": [
                [{"text": t, "callback_data": d} for t, d in row] for row in keyboard(reply.actions)
            ]
        }
    )
    for text in render_plain(reply):
        assert 0 < len(text) <= ZALO_LIMIT


def ask(conv: Conversation, text: str, **kwargs: object) -> Reply:
    reply = say(conv, text, **kwargs)  # type: ignore[arg-type]
    assert_deliverable(reply)
    return reply


EMOJI = "😀🙏🇻🇳👍🏽‍♀️🧑‍💻"
RTL = "שלום مرحبا بالعالم \u202e\u202b\u200f"
SOUP = "<b>&amp;<i></b>&&&<<>>\"'`*_[](tg://x)<a href='x'>&#0;&#xFFFFFF;</a> ~~||** __"

BAD_QUESTIONS = {
    "empty": "",
    "whitespace": " \t\n\u00a0\u3000 ",
    "ten_thousand_chars": ("Căn cước " * 1200)[:10_000],
    "one_word_of_ten_thousand": "a" * 10_000,
    "ten_thousand_ampersands": "&" * 10_000,
    "ten_thousand_angles": "<" * 5_000 + ">" * 5_000,
    "only_emoji": EMOJI * 10,
    "control_characters": "\x00\x01\x07\x1b[31mcăn cước\x7f\x85\u2028\u2029",
    "html_markdown_soup": SOUP * 20,
    "html_in_a_real_question": "<b>Bộ TT&TT</b> & GD&ĐT có nhiệm vụ gì trong Đề án 06?",
    "right_to_left": RTL + " căn cước",
    "mixed_scripts": "Căn cước 身份证 удостоверение личности ID カード บัตรประชาชน",
    "zalgo": "C" + "\u0300\u0301\u0303\u0309\u0323" * 200 + "ăn cước",
    "lone_combining_marks": "\u0301\u0300\u0323" * 50,
    "surrogate_lookalikes": "\ufffd\ufffe\uffff\U0010ffff căn cước",
    "slash_only": "/",
    "unknown_command_soup": "/<b>&amp;" + "x" * 500,
    "command_with_soup": "/xem <script>&</script>",
    "huge_view_number": "/xem 99999999999999999999999999",
    "negative_view": "/xem -1",
    "forged_passage_id": "/xem p12345678",
    "feedback_for_an_unknown_answer": "/danhgia 12345 tot",
    "deadline_soup": "/deadline " + SOUP,
    "subscribe_soup": "/subscribe " + SOUP,
    "more_without_question": "/them",
}


@pytest.mark.parametrize("name", sorted(BAD_QUESTIONS))
def test_bad_question_gets_a_deliverable_reply(shared_conv: Conversation, name: str) -> None:
    ask(shared_conv, BAD_QUESTIONS[name], chat=f"bad-{name}", user=f"bad-{name}")


def test_an_empty_question_is_told_to_ask_something(shared_conv: Conversation) -> None:
    for text in ("", "   ", "\u200b\u200b", "?!…", EMOJI):
        reply = ask(shared_conv, text)
        assert reply.kind is ReplyKind.INFO
        assert "chưa nhập câu hỏi" in reply.plain


def test_a_question_of_ten_thousand_characters_is_answered_from_its_start(
    shared_conv: Conversation,
) -> None:
    reply = ask(shared_conv, "Luật Căn cước có hiệu lực từ ngày nào? " + "x " * 5_000)
    assert reply.kind is ReplyKind.ANSWER
    assert "chỉ đọc 500 ký tự đầu" in reply.plain


def test_markup_typed_by_a_user_is_shown_as_text_never_as_markup(
    shared_conv: Conversation,
) -> None:
    reply = ask(shared_conv, "/deadline <b>Bộ&TT</b>")  # the filter words are echoed back
    visible = "".join(check_text(m.html, "HTML") for m in render(reply))
    assert "<b>Bộ&TT</b>" in visible
    assert "&lt;b&gt;Bộ&amp;TT&lt;/b&gt;" in "".join(m.html for m in render(reply))


def test_every_button_of_an_answer_can_be_pressed(shared_conv: Conversation) -> None:
    reply = ask(shared_conv, "Bộ TT&TT làm gì trong Đề án 06?", chat="buttons")
    assert reply.actions
    for action in reply.actions:
        pressed = ask(shared_conv, action.command, chat="buttons")
        assert pressed.kind in (ReplyKind.INFO, ReplyKind.ANSWER)


def test_a_passage_number_beyond_sqlite_integers_is_a_polite_refusal(
    shared_conv: Conversation,
) -> None:
    reply = ask(shared_conv, "/xem p99999999999999999999")
    assert reply.kind is ReplyKind.INFO


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_feedback_with_an_absurd_query_id_does_not_stop_the_query_log(settings) -> None:
    conv = Conversation.open(settings)
    ask(conv, "/danhgia 999999999999999999999999999999 tot")
    ask(conv, "Luật Căn cước có hiệu lực từ ngày nào?")
    written = conv.querylog.flush(timeout=3)
    if written:
        conv.close()
    assert written
    count = conv.store.db().execute("SELECT count(*) FROM query_log").fetchone()[0]
    assert count == 1


# ----- hypothesis: at least 1,000 generated questions -------------------------------------

_VIETNAMESE = "ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐ"
_TOKENS = [
    "căn cước", "Đề án 06", "Bộ TT&TT", "GD&ĐT", "định danh", "<b>", "</i>", "&amp;", "&", "<",
    ">", "**", "__", "`", "[x](y)", "\n", "\t", " ", "/xem 1", "/them", "@de06_test_bot",
    "\u202e", "\u200b", "\u0301", "\x00", "😀", "🇻🇳", "مرحبا", "身份证", "hạn", "khi nào",
    "bao giờ", "?", "…", "\ufeff", "\U0001f9d1\u200d\U0001f4bb",
]  # fmt: skip

questions = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from(_VIETNAMESE + " &<>;#/\"'"), max_size=600),
    st.lists(st.sampled_from(_TOKENS), max_size=1_500).map("".join),
    st.builds(
        lambda cmd, rest: f"/{cmd} {rest}",
        st.sampled_from(["xem", "them", "deadline", "han", "danhgia", "sources", "help", "x"]),
        st.text(max_size=80),
    ),
)


@settings(
    max_examples=1_000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=questions, group=st.booleans())
def test_any_question_renders_to_valid_telegram_html_within_limits(
    shared_conv: Conversation, text: str, group: bool
) -> None:
    ask(shared_conv, text, chat="fuzz", user="fuzz", group=group)


def test_a_question_with_half_a_surrogate_pair_is_answered(shared_conv):
    reply = say(shared_conv, "Luật Căn cước có hiệu lực khi nào \ud83d?")
    assert reply.kind in (ReplyKind.ANSWER, ReplyKind.RELATED, ReplyKind.NOT_FOUND)
