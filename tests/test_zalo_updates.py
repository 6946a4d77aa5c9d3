"""Parsing Zalo updates, recognising when a group talks to the bot, and dropping repeats."""

from __future__ import annotations

import pytest

from bot.platforms.zalo_updates import (
    GROUP,
    PRIVATE,
    STICKER,
    BotIdentity,
    SeenIds,
    is_addressed,
    parse_update,
    strip_mention,
)

from fake_zalo import message_update, text_update

BOT = BotIdentity(id="bot-de06", name="Bot Trợ lý 06")


def test_a_bare_text_update_parses_into_a_message():
    msg = parse_update(text_update("Hạn nộp báo cáo là khi nào?", message_id="m-1"))
    assert msg is not None
    assert msg.is_text
    assert (msg.message_id, msg.text, msg.chat_id, msg.sender_id) == (
        "m-1",
        "Hạn nộp báo cáo là khi nào?",
        "chat-1",
        "user-1",
    )
    assert msg.chat_type == PRIVATE
    assert msg.date_ms == 1767225600000


def test_a_wrapped_update_parses_like_a_bare_one():
    bare = text_update("Đề án 06", message_id="m-2")
    assert parse_update({"ok": True, "result": bare}) == parse_update(bare)


def test_sender_name_prefers_display_name_then_name_then_first_name():
    update = text_update("chào", message_id="m-3")
    sender = update["message"]["from"]
    sender.update(display_name="Chị Lan", name="Lan", first_name="L")
    assert parse_update(update).sender_name == "Chị Lan"
    del sender["display_name"]
    assert parse_update(update).sender_name == "Lan"
    del sender["name"]
    assert parse_update(update).sender_name == "L"


def test_a_sticker_parses_with_its_event_name_and_no_text():
    msg = parse_update(message_update(STICKER, message_id="m-4", sticker="abc"))
    assert msg.event_name == STICKER
    assert not msg.is_text
    assert msg.text == ""


def test_a_group_chat_is_recognised():
    msg = parse_update(text_update("hỏi", message_id="m-5", group=True))
    assert msg.is_group and msg.chat_type == GROUP


def test_numeric_ids_are_read_as_strings():
    update = text_update("hỏi", message_id="m-6")
    update["message"]["chat"]["id"] = 8412
    update["message"]["from"]["id"] = 77
    msg = parse_update(update)
    assert (msg.chat_id, msg.sender_id) == ("8412", "77")


def test_bodies_that_are_not_messages_parse_to_none():
    assert parse_update([]) is None
    assert parse_update({"ok": False, "error_code": 408}) is None
    assert parse_update({"event_name": "message.text.received"}) is None
    assert parse_update({"event_name": "message.text.received", "message": {"text": "x"}}) is None


def test_private_messages_are_always_addressed():
    msg = parse_update(text_update("Đề án 06 gồm mấy nhóm tiện ích?", message_id="a-1"))
    assert is_addressed(msg, BOT)


def test_group_chatter_is_not_addressed():
    msg = parse_update(text_update("Chiều nay họp lúc mấy giờ?", message_id="a-2", group=True))
    assert not is_addressed(msg, BOT)


def test_a_group_command_is_addressed():
    msg = parse_update(text_update("/help", message_id="a-3", group=True))
    assert is_addressed(msg, BOT)


def test_a_group_mention_of_the_bot_name_is_addressed_regardless_of_case():
    msg = parse_update(text_update("@bot trợ lý 06 hạn cấp CCCD?", message_id="a-4", group=True))
    assert is_addressed(msg, BOT)


def test_a_mention_of_a_longer_name_is_not_the_bot():
    msg = parse_update(text_update("@Bot Trợ lý 061 ơi", message_id="a-5", group=True))
    assert not is_addressed(msg, BOT)


def test_a_group_reply_to_the_bot_is_addressed():
    update = text_update("Còn hạn khác không?", message_id="a-6", group=True)
    update["message"]["reply_to_message"] = {"message_id": "s-1", "from": {"id": "bot-de06"}}
    assert is_addressed(parse_update(update), BOT)


def test_a_group_reply_without_a_named_sender_is_addressed():
    update = text_update("Giải thích thêm", message_id="a-7", group=True, quote={"msg": "..."})
    assert is_addressed(parse_update(update), BOT)


def test_a_group_reply_to_someone_else_is_not_addressed():
    update = text_update("Đồng ý", message_id="a-8", group=True)
    update["message"]["reply_to_message"] = {"message_id": "x", "from": {"id": "user-2"}}
    assert not is_addressed(parse_update(update), BOT)


def test_strip_mention_leaves_only_the_question():
    assert strip_mention("@Bot Trợ lý 06  hạn cấp CCCD?", BOT) == "hạn cấp CCCD?"
    assert strip_mention("Cho hỏi @bot trợ lý 06 về VNeID", BOT) == "Cho hỏi về VNeID"


def test_strip_mention_keeps_text_without_a_mention():
    assert strip_mention("Đề án 06 là gì?", BOT) == "Đề án 06 là gì?"


def test_bot_identity_reads_account_name_from_get_me():
    me = {"id": "b1", "account_name": "Bot Trợ lý 06", "account_type": "BASIC"}
    assert BotIdentity.from_get_me(me) == BotIdentity("b1", "Bot Trợ lý 06")


@pytest.mark.parametrize("result", [True, [], None, {}, {"id": None}, {"id": True}])
def test_a_get_me_result_without_the_bots_id_gives_no_identity(result):
    assert BotIdentity.from_get_me(result) is None


def test_a_repeated_message_id_is_seen():
    seen = SeenIds()
    assert not seen.check_and_add("m-1")
    assert seen.check_and_add("m-1")


def test_messages_without_an_id_are_never_treated_as_repeats():
    seen = SeenIds()
    assert not seen.check_and_add("")
    assert not seen.check_and_add("")


def test_the_seen_set_forgets_the_oldest_ids_beyond_its_capacity():
    seen = SeenIds(capacity=3)
    for mid in ("a", "b", "c", "d"):
        seen.check_and_add(mid)
    assert len(seen) == 3
    assert not seen.check_and_add("a")
    assert seen.check_and_add("d")
