"""`de06`: a thin command line over the library (every command is one call into it)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

from index.errors import De06Error

log = logging.getLogger("de06")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("DE06_LOG_LEVEL", "INFO" if args.command == "serve" else "WARNING"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from bot.logsafe import install

    install()
    try:
        return args.func(args)
    except De06Error as err:
        print(f"Lỗi: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `de06 … | head`: the reader has all it wanted
        return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="de06", description="Trợ lý Đề án 06")
    p.add_argument(
        "--kb", type=Path, default=None, help="thư mục tài liệu (mặc định knowledge/, env DE06_KB)"
    )
    p.add_argument(
        "--db", type=Path, default=None, help="tệp SQLite (mặc định var/de06.sqlite, env DE06_DB)"
    )
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("reload", help="nạp lại kho tài liệu")
    s.set_defaults(func=cmd_reload)

    s = sub.add_parser("ask", help="hỏi một câu (hoặc '-' để đọc từng dòng từ stdin)")
    s.add_argument("question")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("chat", help="trò chuyện trên console")
    s.set_defaults(func=cmd_chat)

    s = sub.add_parser("deadline", help="liệt kê các hạn")
    s.add_argument("words", nargs="*")
    s.add_argument(
        "--all", action="store_true", help="kể cả các hạn đã qua và nhiệm vụ thường xuyên"
    )
    s.add_argument("--today", type=date.fromisoformat, default=None)
    shape = s.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true")
    shape.add_argument(
        "--ics", action="store_true", help="tệp lịch iCalendar (RFC 5545) ra stdout"
    )
    s.set_defaults(func=cmd_deadline)

    s = sub.add_parser(
        "progress", help="ghi tiến độ một hạn (done|doing|unknown) hoặc xem lịch sử của nó"
    )
    s.add_argument("id", help="mã hạn, như /deadline in ra")
    s.add_argument("state", nargs="?", choices=["done", "doing", "unknown"])
    s.add_argument("--note", default="", help="ghi chú")
    s.add_argument("--by", default="", help="người cập nhật (mặc định: tên người dùng máy)")
    s.add_argument("--on", type=date.fromisoformat, default=None, help="ngày xong, YYYY-MM-DD")
    s.add_argument("--today", type=date.fromisoformat, default=None)
    s.set_defaults(func=cmd_progress)

    s = sub.add_parser("report", help="báo cáo tiến độ: tệp Word và/hoặc Excel")
    s.add_argument("words", nargs="*", help="từ lọc, như /deadline")
    s.add_argument("--docx", type=Path, default=None, help="tệp Word cần ghi")
    s.add_argument("--xlsx", type=Path, default=None, help="tệp Excel cần ghi")
    s.add_argument("--today", type=date.fromisoformat, default=None)
    s.set_defaults(func=cmd_report)

    s = sub.add_parser("eval", help="đo chất lượng tìm kiếm trên tệp câu hỏi .jsonl")
    s.add_argument("file", type=Path)
    s.add_argument(
        "--deadlines",
        type=Path,
        default=None,
        help="tệp hạn (mặc định *_deadlines.jsonl cạnh FILE)",
    )
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("doctor", help="kiểm tra cấu hình, kho dữ liệu và token trước khi chạy")
    s.set_defaults(func=cmd_doctor)

    s = sub.add_parser("serve", help="chạy bot: telegram, zalo, hoặc tự chọn theo biến môi trường")
    s.add_argument(
        "platform", nargs="?", choices=["telegram", "zalo", "console", "auto"], default="auto"
    )
    s.set_defaults(func=cmd_serve)
    return p


def _settings(args, today: date | None = None):
    from dataclasses import replace

    from bot.core import Settings

    settings = Settings.from_env(kb_dir=args.kb, db_path=args.db)
    return replace(settings, today=today) if today else settings


def _open(args, today: date | None = None):
    from bot.core import Conversation

    return Conversation.open(_settings(args, today))


def cmd_reload(args) -> int:
    from bot.commands import reload_blocks
    from index import index_files
    from index.build import reload_store
    from index.store import Store

    settings = _settings(args)
    store = Store(settings.db_path)
    try:
        report = reload_store(settings.kb_dir, store)
    finally:
        store.close()
    for block in reload_blocks(report):
        print("".join(run.text for run in block))
    index_files.load(settings.db_path)  # compile the search index now, not at the bot's start
    return 0


def cmd_ask(args) -> int:
    conv = _open(args)
    try:
        questions = sys.stdin if args.question == "-" else [args.question]
        for line in questions:
            question = line.strip()
            if not question:
                continue
            if args.json:
                print(json.dumps(_ask_json(conv, question), ensure_ascii=False), flush=True)
            else:
                _ask_text(conv, question)
    finally:
        conv.close()
    return 0


def _ask_json(conv, question: str) -> dict:
    """`answered` stays a plain boolean: passages that only come close (the chat's "các đoạn
    gần nhất") are listed under `related`, never as an answer."""
    result = conv.snapshot.index.search(question, limit=3)
    return {
        "query": question,
        "answered": result.answered,
        "hits": [_hit_json(h) for h in result.hits],
        "related": [_hit_json(h) for h in result.related],
    }


def _hit_json(h) -> dict:
    return {
        "text": h.text,
        "snippet": h.snippet,
        "title": h.title,
        "source": h.source,
        "date": h.date,
        "doc": h.doc_id,
        "section": h.section,
        "ocr": h.ocr,
        "score": h.score,
    }


def _ask_text(conv, question: str) -> None:
    from bot.models import Incoming
    from bot.render.text import render

    reply = conv.handle(Incoming("console", "cli", "cli", question))
    print("\n\n".join(render(reply, limit=100_000)))


def cmd_chat(args) -> int:
    from bot.platforms.console import chat

    conv = _open(args)
    try:
        chat(conv)
    finally:
        conv.close()
    return 0


def cmd_deadline(args) -> int:
    from bot import deadline_chat, progress_chat

    conv = _open(args, args.today)
    try:
        today = conv.today()
        reported = progress_chat.progress_map(conv)
        if args.ics:
            from bot.calendar_chat import calendar_file

            words = (["all"] if args.all else []) + args.words
            cal = calendar_file(conv.snapshot.deadlines, today, " ".join(words))
            sys.stdout.buffer.write(cal.data)
            sys.stdout.flush()
        elif args.json:
            data = deadline_chat.deadlines_json(
                conv.snapshot.deadlines, today, args.all, args.words, reported
            )
            print(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            from bot.render.text import render

            words = (["all"] if args.all else []) + args.words
            reply = deadline_chat.deadline_reply(
                conv.snapshot.deadlines, today, " ".join(words), reported
            )
            print("\n\n".join(render(reply, limit=100_000)))
    finally:
        conv.close()
    return 0


def cmd_progress(args) -> int:
    """`de06 progress ID STATE`: the machine's owner records progress; without STATE, the
    history. Same wording as the chat's /xong and /tiendo."""
    import getpass

    from bot import deadline_chat, progress_chat
    from bot.models import Incoming
    from bot.render.text import render, render_block
    from index import progress

    conv = _open(args, args.today)
    try:
        if args.state is None:
            if progress.key_of_id(conv.store.db(), args.id) is None:
                progress_chat.find(conv, args.id)  # raises UnknownDeadline, saying why
            reply = progress_chat.cmd_history(conv, Incoming("console", "cli", "cli", ""), args.id)
            print("\n\n".join(render(reply, limit=100_000)))
            return 0
        record = progress_chat.find(conv, args.id)
        if record.kind == "effective":
            print(f"Lỗi: hạn {record.id} là ngày có hiệu lực, không phải nhiệm vụ.",
                  file=sys.stderr)  # fmt: skip
            return 2
        today = conv.today()
        if args.on is not None and args.state != "done":
            print("Lỗi: --on chỉ dùng với done (ngày xong).", file=sys.stderr)
            return 2
        if args.on is not None and args.on > today:
            print(f"Lỗi: ngày xong {args.on.isoformat()} còn chưa tới.", file=sys.stderr)
            return 2
        by = args.by.strip() or f"cli:{_user_name(getpass)}"
        saved = progress.set_progress(
            conv.store.db(), record, args.state, by=by, today=today, note=args.note,
            done_on=args.on, source="cli", now=conv.now(),
        )  # fmt: skip
        state = deadline_chat.progress_state(record, {record.key: saved}, today)
        print(f"Đã ghi tiến độ hạn {record.id}: {deadline_chat.STATE_WORDS[args.state]}.")
        print(render_block(deadline_chat.deadline_block(record, today, state)))
    finally:
        conv.close()
    return 0


def _user_name(getpass) -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "console"


def cmd_report(args) -> int:
    """`de06 report --docx FILE [--xlsx FILE] [--today D] [words…]`: the progress report."""
    from bot import progress_chat
    from bot.render.report import to_docx, to_xlsx
    from bot.report import build_report

    if args.docx is None and args.xlsx is None:
        print("Lỗi: hãy chỉ ra tệp cần ghi: --docx TỆP và/hoặc --xlsx TỆP.", file=sys.stderr)
        return 2
    conv = _open(args, args.today)
    try:
        report = build_report(
            conv.snapshot.deadlines, progress_chat.progress_map(conv), conv.today(), args.words
        )
        for path, write in ((args.docx, to_docx), (args.xlsx, to_xlsx)):
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(write(report))
                print(f"Đã ghi {path} ({len(report.rows)} nhiệm vụ, {len(report.groups)} đơn vị).")
        print(report.counts.line())
    finally:
        conv.close()
    return 0


def cmd_eval(args) -> int:
    from index.evaluate import evaluate_deadlines, evaluate_retrieval, read_jsonl

    conv = _open(args)
    try:
        rows = read_jsonl(args.file)
        started = time.perf_counter()
        scores = [evaluate_retrieval(conv.snapshot.index, rows, strip=s) for s in (False, True)]
        elapsed = time.perf_counter() - started
        for s in scores:
            print(
                f"{s.label:>9}: Recall@3 {s.recall:.3f}  MRR {s.mrr:.3f}  "
                f"({s.found}/{s.questions}; {s.in_snippet} thấy ngay trong đoạn trích); "
                f"lạc đề bị từ chối {s.off_topic_refused}/{s.off_topic}"
            )
            for miss in s.misses:
                print(f"           - {miss}")
        deadline_file = args.deadlines or args.file.with_name(args.file.stem + "_deadlines.jsonl")
        if deadline_file.exists():
            d = evaluate_deadlines(conv.snapshot.deadlines, read_jsonl(deadline_file))
            print(
                f"  thời hạn: tìm thấy {d.found}/{d.expected} ({deadline_file.name}); "
                f"tổng số mốc trong kho {len(conv.snapshot.deadlines)}"
            )
            for miss in d.misses:
                print(f"           - thiếu {miss}")
        n = 2 * len(rows)
        print(f"  {n} lượt hỏi trong {elapsed:.2f} s ({1000 * elapsed / max(1, n):.1f} ms/câu)")
    finally:
        conv.close()
    return 0


def cmd_doctor(args) -> int:
    """One ✔/✘ line per check; exit 0 only when every check passes."""
    import asyncio

    from bot.doctor import diagnose

    checks = asyncio.run(diagnose(args.kb, args.db))
    for check in checks:
        print(check.line, flush=True)
    failures = sum(not c.ok for c in checks)
    print(f"\n{len(checks) - failures}/{len(checks)} mục đạt" + (
        "." if not failures else f"; sửa {failures} mục ✘ rồi chạy lại de06 doctor."
    ))  # fmt: skip
    return 0 if not failures else 1


def cmd_serve(args) -> int:
    platform = args.platform
    if platform == "auto":
        if os.environ.get("TELEGRAM_BOT_TOKEN"):
            platform = "telegram"
        elif os.environ.get("ZALO_BOT_TOKEN"):
            platform = "zalo"
        else:
            platform = "console"
    if platform == "console":
        return cmd_chat(args)
    conv = _open(args)
    try:
        if platform == "telegram":
            from bot.platforms import telegram

            telegram.run(conv, conv.settings)
        else:
            from bot.platforms import zalo

            zalo.run(conv, conv.settings)
    finally:
        conv.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
