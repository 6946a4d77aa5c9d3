from bot.commands import COMMANDS
from bot.models import ReplyKind

from helpers import ADMIN, say


def test_question_gets_an_answer_with_citations_and_actions(shared_conv):
    reply = say(shared_conv, "Quyết định 36/QĐ-TTg phê duyệt quy hoạch gì?")
    assert reply.kind is ReplyKind.ANSWER
    assert "Quy hoạch hạ tầng thông tin và truyền thông" in reply.plain and "Nguồn:" in reply.plain
    commands = [a.command for a in reply.actions]
    assert commands[0].startswith("/xem p") and any(c.startswith("/danhgia") for c in commands)


def test_unrelated_question_says_nothing_was_found_and_points_to_help(shared_conv):
    reply = say(shared_conv, "giá vàng hôm nay bao nhiêu")
    assert reply.kind is ReplyKind.NOT_FOUND and "/help" in reply.plain and not reply.hit_ids


def test_greeting_is_greeted_back(shared_conv):
    assert "Xin chào" in say(shared_conv, "xin chào").plain


def test_empty_question_gets_a_polite_prompt(shared_conv):
    assert "chưa nhập câu hỏi" in say(shared_conv, "  ?!  ").plain


def test_group_message_not_addressed_to_the_bot_is_ignored(shared_conv):
    assert say(shared_conv, "Đề án 06", group=True, addressed=False).kind is ReplyKind.IGNORED


def test_group_message_addressed_to_the_bot_is_answered(shared_conv):
    reply = say(shared_conv, "Luật Căn cước có hiệu lực từ ngày nào?", group=True, addressed=True)
    assert reply.kind is ReplyKind.ANSWER


def test_view_opens_the_whole_passage_of_a_hit(shared_conv):
    say(shared_conv, "Bộ Công an phối hợp với Bưu điện Việt Nam", chat="v1")
    reply = say(shared_conv, "/xem 1", chat="v1")
    assert "5.142 điểm bưu điện" in reply.plain and "Nguồn:" in reply.plain


def test_view_without_a_previous_answer_explains_what_to_do(shared_conv):
    assert "Hãy đặt một câu hỏi" in say(shared_conv, "/xem 1", chat="fresh").plain


def test_more_shows_the_next_hits(shared_conv):
    first = say(shared_conv, "Đề án 06 Bộ Tư pháp", chat="m1")
    more = say(shared_conv, "/them", chat="m1")
    assert more.hit_ids and not set(first.hit_ids) & set(more.hit_ids)


def test_feedback_is_thanked(shared_conv):
    reply = say(shared_conv, "Bộ TT&TT đề xuất sửa đổi Nghị định 73 mấy nội dung?")
    assert "Cảm ơn" in say(shared_conv, f"/danhgia {reply.query_id} tot").plain


def test_unknown_command_is_named_and_help_suggested(shared_conv):
    assert "/abc" in say(shared_conv, "/abc").plain and "/help" in say(shared_conv, "/abc").plain


def test_command_addressed_with_bot_name_is_understood(shared_conv):
    assert say(shared_conv, "/help@de06_bot").kind is ReplyKind.INFO


def test_admin_commands_are_refused_to_others(shared_conv):
    for command in ("/reload", "/stats"):
        reply = say(shared_conv, command, user="999")
        assert reply.kind is ReplyKind.REFUSED and "quản trị viên" in reply.plain


def test_refused_admin_attempt_is_logged(shared_conv):
    say(shared_conv, "/reload", user="777")
    shared_conv.querylog.flush()
    rows = (
        shared_conv.store.db()
        .execute("SELECT command, allowed FROM admin_log WHERE user_id = '777'")
        .fetchall()
    )
    assert rows == [("reload", 0)]


def test_admin_reload_reports_what_changed(conv, kb):
    (kb / "documents" / "moi.txt").write_text(
        "Kế hoạch mới\nNgày 01/03/2024, Sở Tư pháp hoàn thành số hoá hộ tịch.", encoding="utf-8"
    )
    reply = say(conv, "/reload", user=ADMIN)
    assert "thêm 1" in reply.plain and "documents/moi" in reply.plain


def test_failed_reload_keeps_the_old_index_serving(conv, kb):
    (kb / "abbreviations.tsv").write_text("CSDL không có tab\n", encoding="utf-8")
    reply = say(conv, "/reload", user=ADMIN)
    assert reply.kind is ReplyKind.ERROR and "kho tài liệu cũ vẫn" in reply.plain.lower()
    assert say(conv, "Luật Căn cước có hiệu lực từ ngày nào?").kind is ReplyKind.ANSWER


def test_stats_counts_unanswered_questions(conv):
    say(conv, "giá vàng hôm nay")
    say(conv, "gia vang hom nay")
    say(conv, "Luật Căn cước có hiệu lực từ ngày nào?")
    reply = say(conv, "/stats", user=ADMIN)
    assert "Câu hỏi: 3; chưa trả lời được: 2" in reply.plain and "— 2 lần" in reply.plain


def test_rate_limit_answers_kindly(settings):
    from dataclasses import replace

    from bot.core import Conversation

    conv = Conversation.open(replace(settings, questions_per_minute=2))
    try:
        replies = [say(conv, "Đề án 06") for _ in range(3)]
    finally:
        conv.close()
    assert replies[-1].kind is ReplyKind.REFUSED and "chờ" in replies[-1].plain


def test_long_question_is_cut_and_said_so(shared_conv):
    reply = say(shared_conv, "Luật Căn cước " * 200)
    assert "chỉ đọc 500 ký tự đầu" in reply.plain


def test_query_log_stores_only_hashed_chat_ids(conv):
    say(conv, "Đề án 06", chat="123456789")
    conv.querylog.flush()
    row = conv.store.db().execute("SELECT chat_hash FROM query_log").fetchone()
    assert row[0] and "123456789" not in row[0]


def test_every_menu_command_has_a_vietnamese_description():
    assert all(c.description for c in COMMANDS.values())


def test_reload_with_nothing_changed_keeps_the_served_index(conv):
    before = conv.snapshot
    say(conv, "/reload", user=ADMIN)
    assert conv.snapshot is before


def test_reload_replaces_the_compiled_index_files_of_the_old_generation(conv, kb, settings):
    old = conv.snapshot.index.generation
    (kb / "documents" / "moi.txt").write_text("Kế hoạch mới\nSở Tư pháp số hoá hộ tịch.", "utf-8")
    say(conv, "/reload", user=ADMIN)
    root = settings.db_path.parent / "index"
    assert [p.name for p in root.iterdir()] == [f"g{conv.snapshot.index.generation}"]
    assert conv.snapshot.index.generation != old
