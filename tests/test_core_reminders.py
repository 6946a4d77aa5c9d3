"""Reminders through the core: subscribe in chat, due at time T, never lost or repeated."""

from datetime import datetime

from bot.core import Conversation

from helpers import say

SEVEN_DAYS_BEFORE = datetime(2024, 3, 23, 9, 0)  # "trình Chính phủ trước ngày 30/3/2024"


def test_subscribed_chat_gets_the_seven_day_reminder(conv):
    say(conv, "/subscribe", chat="c1", platform="zalo")
    due = conv.due_reminders(SEVEN_DAYS_BEFORE)
    mine = [o for o in due if o.chat_id == "c1" and "30/3/2024" in o.reply.plain]
    assert mine and mine[0].platform == "zalo"


def test_unsubscribed_chat_gets_nothing(conv):
    say(conv, "/subscribe", chat="c2")
    say(conv, "/unsubscribe", chat="c2")
    assert not [o for o in conv.due_reminders(SEVEN_DAYS_BEFORE) if o.chat_id == "c2"]


def test_filter_words_narrow_the_reminders(conv):
    say(conv, "/subscribe căn cước", chat="c3")
    due = [o for o in conv.due_reminders(datetime(2024, 4, 8, 9, 0)) if o.chat_id == "c3"]
    assert due and all("Căn cước" in o.reply.plain for o in due)
    assert not [o for o in conv.due_reminders(SEVEN_DAYS_BEFORE) if o.chat_id == "c3"]


def test_sent_reminder_is_not_repeated_after_a_restart(settings):
    first = Conversation.open(settings)
    say(first, "/subscribe", chat="c4")
    for out in first.due_reminders(SEVEN_DAYS_BEFORE):
        first.mark_reminder_sent(out.key)
    first.close()
    again = Conversation.open(settings)
    try:
        assert not [o for o in again.due_reminders(SEVEN_DAYS_BEFORE) if o.chat_id == "c4"]
    finally:
        again.close()


def test_unsent_reminder_survives_a_restart(settings):
    first = Conversation.open(settings)
    say(first, "/subscribe", chat="c5")
    first.close()
    again = Conversation.open(settings)
    try:
        assert [o for o in again.due_reminders(SEVEN_DAYS_BEFORE) if o.chat_id == "c5"]
    finally:
        again.close()


def test_timing_question_leads_with_the_structured_deadline(shared_conv):
    reply = say(shared_conv, "Luật Căn cước có hiệu lực từ ngày nào?")
    assert reply.plain.startswith("Có hiệu lực: 1/7/2024")
