"""Inline mode: `@bot câu hỏi` typed in any chat offers cited answers to post there.

The core's results are tested directly (what is offered, what is logged, the rate limit);
then end to end: an `inline_query` update from the fake Bot API, through the real
python-telegram-bot Application, comes back as an `answerInlineQuery` the fake checks with
Telegram's rules (valid HTML, at most 50 results, unique ids).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from bot import messages
from bot.core import Conversation
from bot.inline import MAX_RESULTS, PLATFORM, RATE_LIMITED, SETTLE_SECONDS, InlineAnswers
from bot.platforms.telegram import running

from fake_telegram import FakeTelegram, InlineAnswer

pytest_plugins = ["conftest_telegram"]

WHEN = "Luật Căn cước có hiệu lực từ ngày nào?"
TOPIC = "Bộ Tư pháp triển khai nhiệm vụ Đề án 06"
OFF_TOPIC = "giá vàng hôm nay bao nhiêu"
USER = 77


def logged(conv: Conversation) -> list[tuple[str, str, int]]:
    conv.querylog.flush()
    rows = conv.store.db().execute(
        "SELECT platform, question, answered FROM query_log WHERE platform = ? ORDER BY id",
        [PLATFORM],
    )
    return [tuple(r) for r in rows.fetchall()]


# --- what is offered ----------------------------------------------------------------------


def test_a_when_question_offers_the_deadline_first_then_the_hits(shared_conv) -> None:
    answer = InlineAnswers(shared_conv, "@de06_bot").answer("1", WHEN, now=0.0)
    first, *rest = answer.results
    assert first.title.startswith("⏰ Có hiệu lực: 1/7/2024")
    assert "Luật Căn cước có hiệu lực" in "".join(r.text for b in first.blocks for r in b)
    assert rest and all(r.id.startswith("p") for r in rest)
    assert len(answer.results) <= MAX_RESULTS and not answer.personal


def test_each_result_posts_the_question_the_snippet_and_its_citation(shared_conv) -> None:
    answer = InlineAnswers(shared_conv).answer("1", TOPIC, now=0.0)
    assert 1 <= len(answer.results) <= MAX_RESULTS
    for result in answer.results:
        question, body = result.blocks
        assert "".join(r.text for r in question) == f"❓ {TOPIC}"
        text = "".join(r.text for r in body)
        assert "Nguồn: " in text and result.title[:20] in text.replace("\n", " ")
    assert len({r.id for r in answer.results}) == len(answer.results)


def test_an_empty_query_offers_the_help_text(shared_conv) -> None:
    (only,) = InlineAnswers(shared_conv, "@de06_bot").answer("1", "   ", now=0.0).results
    text = "".join(r.text for b in only.blocks for r in b)
    assert messages.ASSISTANT in only.title and "@de06_bot câu hỏi" in text
    assert messages.EXAMPLES[0] in text


def test_an_off_topic_query_offers_the_help_text_as_its_only_result(shared_conv) -> None:
    (only,) = InlineAnswers(shared_conv, "@de06_bot").answer("1", OFF_TOPIC, now=0.0).results
    assert only.title.startswith("Chưa tìm thấy")
    assert messages.EXAMPLES[0] in "".join(r.text for b in only.blocks for r in b)


def test_a_fast_typist_is_asked_to_wait_for_themselves_only(shared_conv) -> None:
    answers = InlineAnswers(shared_conv, per_minute=6)
    for i in range(6):
        answers.answer("fast", f"căn cước {i}", now=i / 10)
    limited = answers.answer("fast", "căn cước", now=1.0)
    assert limited.results == () and limited.personal and limited.notice == RATE_LIMITED
    assert answers.answer("calm", "căn cước", now=1.0).results  # another person is not held


# --- what is logged -------------------------------------------------------------------------


def test_only_the_query_a_person_settled_on_reaches_the_query_log(conv: Conversation) -> None:
    answers = InlineAnswers(conv)
    for i, typed in enumerate(("Luật", "Luật Căn", "Luật Căn cước", WHEN)):
        answers.answer("5", typed, now=i * 0.5)
    assert logged(conv) == []  # still typing
    answers.answer("5", OFF_TOPIC, now=2.5)  # a new question: the last one is settled
    answers.settle(now=2.5 + SETTLE_SECONDS)
    assert logged(conv) == [(PLATFORM, WHEN, 1), (PLATFORM, OFF_TOPIC, 0)]


def test_queries_still_waiting_are_logged_at_shutdown(conv: Conversation) -> None:
    answers = InlineAnswers(conv)
    answers.answer("5", WHEN, now=0.0)
    answers.close()
    assert logged(conv) == [(PLATFORM, WHEN, 1)]


# --- end to end ------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def fake(
    fake_telegram: FakeTelegram, telegram_conv: Conversation
) -> AsyncIterator[FakeTelegram]:
    inline = InlineAnswers(telegram_conv, per_minute=5)
    async with running(fake_telegram.application(telegram_conv, inline=inline), poll_timeout=5):
        yield fake_telegram


async def ask_inline(fake: FakeTelegram, query: str) -> InlineAnswer:
    before = len(fake.inline_answers)
    fake.queue(fake.inline_query(USER, query))
    await fake.wait_for(lambda: len(fake.inline_answers) > before)
    return fake.inline_answers[-1]


async def test_inline_query_is_answered_with_cited_html_results(fake: FakeTelegram) -> None:
    answer = await ask_inline(fake, WHEN)
    assert fake.errors == []
    assert 1 <= len(answer.results) <= MAX_RESULTS <= 50
    first = answer.results[0]
    assert "1/7/2024" in first.title
    assert first.text.startswith(f"❓ {WHEN}")
    assert "<b>" in first.html and "<i>Nguồn: " in answer.results[1].html
    assert answer.cache_time > 0 and not answer.is_personal


async def test_inline_html_escapes_what_the_documents_write(fake: FakeTelegram) -> None:
    answer = await ask_inline(fake, "Bộ TT&TT tham mưu ban hành quyết định gì?")
    assert fake.errors == []
    assert any("TT&amp;TT" in r.html for r in answer.results)


async def test_inline_off_topic_query_gets_the_help_text(fake: FakeTelegram) -> None:
    answer = await ask_inline(fake, OFF_TOPIC)
    (only,) = answer.results
    assert only.title.startswith("Chưa tìm thấy")
    assert f"@{fake.bot_user['username']} câu hỏi" in only.text


async def test_a_fast_typist_gets_a_button_instead_of_results(fake: FakeTelegram) -> None:
    for i in range(5):  # the limit of this bot: five queries a minute
        await ask_inline(fake, f"căn cước {i}")
    limited = await ask_inline(fake, "căn cước")
    assert fake.errors == []
    assert limited.results == [] and limited.is_personal and limited.cache_time == 0
    assert limited.button == {"text": RATE_LIMITED, "start_parameter": "help"}


async def test_the_bot_asks_telegram_for_inline_queries(fake: FakeTelegram) -> None:
    await fake.wait_for(lambda: bool(fake.calls_of("getUpdates")))
    assert "inline_query" in fake.calls_of("getUpdates")[-1]["allowed_updates"]
