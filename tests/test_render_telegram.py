"""Rendering replies as Telegram HTML: escaped, styled, split, with valid buttons."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Action, Block, Reply, ReplyKind, Run, Style
from bot.render.telegram import MESSAGE_LIMIT, render, utf16_len

from fake_telegram import check_text, parse_html


def _answer(*blocks: tuple[Run, ...], actions: list[Action] | None = None) -> Reply:
    return Reply(ReplyKind.ANSWER, blocks=list(blocks), actions=actions or [])


def test_reserved_characters_in_document_text_are_escaped() -> None:
    (message,) = render(_answer((Run("Bộ TT&TT phối hợp với Sở GD&ĐT: a<b>c"),)))
    assert message.html == "Bộ TT&amp;TT phối hợp với Sở GD&amp;ĐT: a&lt;b&gt;c"
    assert parse_html(message.html) == "Bộ TT&TT phối hợp với Sở GD&ĐT: a<b>c"


def test_styles_map_to_telegram_tags() -> None:
    block = (
        Run("Cấp "),
        Run("căn cước", Style.MATCH),
        Run(" trước "),
        Run("31/12/2025", Style.STRONG),
        Run(" — "),
        Run("Quyết định 06/QĐ-TTg", Style.CITE),
        Run(" gõ "),
        Run("/xem 1", Style.COMMAND),
    )
    (message,) = render(_answer(block))
    assert message.html == (
        "Cấp <b>căn cước</b> trước <b>31/12/2025</b> — <i>Quyết định 06/QĐ-TTg</i>"
        " gõ <code>/xem 1</code>"
    )


def test_styled_text_is_escaped_inside_its_tag() -> None:
    (message,) = render(_answer((Run("TT&TT", Style.MATCH),)))
    assert message.html == "<b>TT&amp;TT</b>"


def test_blocks_stay_together_in_one_message_when_they_fit() -> None:
    (message,) = render(_answer((Run("Đoạn một."),), (Run("Đoạn hai."),)))
    assert message.html == "Đoạn một.\n\nĐoạn hai."


def test_long_reply_is_split_at_block_boundaries() -> None:
    passage = "Công dân được cấp căn cước điện tử. " * 60  # ~2,200 characters
    blocks = [(Run(f"[{i}] {passage}"),) for i in range(1, 5)]
    messages = render(_answer(*blocks))
    assert len(messages) == 4
    assert [m.html.split("]")[0] for m in messages] == ["[1", "[2", "[3", "[4"]


def test_buttons_ride_only_on_the_last_message() -> None:
    passage = "Công dân được cấp căn cước điện tử. " * 80
    actions = [Action("Xem thêm", "/them"), Action("Toàn văn", "/xem 1")]
    first, second = render(_answer((Run(passage),), (Run(passage),), actions=actions))
    assert first.buttons == []
    assert [b for row in second.buttons for b in row] == [
        ("Xem thêm", "/them"),
        ("Toàn văn", "/xem 1"),
    ]


def test_feedback_buttons_share_a_row() -> None:
    actions = [Action("👍", "/danhgia 42 tot"), Action("👎", "/danhgia 42 kem")]
    (message,) = render(_answer((Run("Trả lời."),), actions=actions))
    assert message.buttons == [[("👍", "/danhgia 42 tot"), ("👎", "/danhgia 42 kem")]]


def test_buttons_sit_in_rows_of_a_kind() -> None:
    actions = [Action(f"📄 Toàn văn {i}", f"/xem p{i}") for i in (1, 2, 3)] + [
        Action("➕ Xem thêm", "/them"),
        Action("👍", "/danhgia 7 tot"),
        Action("👎", "/danhgia 7 chua"),
    ]
    (message,) = render(_answer((Run("Trả lời."),), actions=actions))
    assert [[label for label, _ in row] for row in message.buttons] == [
        ["📄 Toàn văn 1", "📄 Toàn văn 2", "📄 Toàn văn 3"],
        ["➕ Xem thêm"],
        ["👍", "👎"],
    ]


def test_button_whose_callback_data_exceeds_64_bytes_is_dropped() -> None:
    actions = [Action("Toàn văn", "/xem " + "đ" * 40), Action("Xem thêm", "/them")]
    (message,) = render(_answer((Run("Trả lời."),), actions=actions))
    assert message.buttons == [[("Xem thêm", "/them")]]


def test_ignored_reply_renders_to_nothing() -> None:
    assert render(Reply(ReplyKind.IGNORED)) == []


def test_reply_without_visible_text_renders_to_nothing() -> None:
    assert render(_answer((Run("  "),))) == []


def test_escaped_soup_without_spaces_still_fits_each_message() -> None:
    messages = render(_answer((Run("&<>" * 4000, Style.MATCH),)))
    assert len(messages) > 1
    for message in messages:
        assert len(message.html) <= MESSAGE_LIMIT
        check_text(message.html, "HTML")
    assert "".join(parse_html(m.html) for m in messages) == "&<>" * 4000


def test_emoji_heavy_text_fits_the_utf16_limit() -> None:
    messages = render(_answer((Run("😀 " * 3000),)))
    assert all(utf16_len(m.html) <= MESSAGE_LIMIT for m in messages)
    assert sum(parse_html(m.html).count("😀") for m in messages) == 3000


_runs = st.lists(
    st.builds(
        Run, st.text(alphabet=st.characters(codec="utf-8"), max_size=3000), st.sampled_from(Style)
    ),
    min_size=1,
    max_size=4,
).map(tuple)


@settings(max_examples=150, deadline=None)
@given(blocks=st.lists(_runs, min_size=1, max_size=4))
def test_any_text_renders_to_valid_messages_that_keep_every_word(blocks: list[Block]) -> None:
    messages = render(_answer(*blocks, actions=[Action("👍", "/danhgia 1 tot")]))
    for message in messages:
        assert utf16_len(message.html) <= MESSAGE_LIMIT
        check_text(message.html, "HTML")
    shown = "".join(parse_html(m.html) for m in messages)
    typed = "".join(r.text for b in blocks for r in b)
    assert "".join(shown.split()) == "".join(typed.split())
