"""Every fixed sentence the assistant says, in one place, in natural Vietnamese."""

from __future__ import annotations

from bot.models import Block, Reply, ReplyKind, Run, Style
from index.readers import supported

ASSISTANT = "Trợ lý Đề án 06"

EXAMPLES = (
    "Luật Căn cước có hiệu lực từ ngày nào?",
    "bo cong an phoi hop voi buu dien viet nam lam gi",
    "Còn bao nhiêu TTHC chưa được thực thi?",
    "Hạn trình nghị định danh mục CSDL quốc gia là khi nào?",
)

NOT_FOUND = (
    "Tôi chưa tìm thấy nội dung nào trả lời câu hỏi này trong các tài liệu về Đề án 06 hiện có. "
    "Bạn thử hỏi cụ thể hơn (nêu cơ quan, văn bản, nhiệm vụ) hoặc gõ /help để xem ví dụ."
)
RELATED = "Chưa thấy đoạn trả lời trực tiếp; các đoạn gần nhất:"
FOLLOW_UP = "Tiếp câu hỏi trước: “{q}”"
GREETING = (
    f"Xin chào! Tôi là {ASSISTANT}, trả lời câu hỏi về Đề án 06 bằng trích dẫn từ tài liệu. "
    "Hãy đặt câu hỏi, hoặc gõ /help để xem hướng dẫn."
)
EMPTY = "Bạn chưa nhập câu hỏi. Hãy gõ câu hỏi về Đề án 06, hoặc /help để xem hướng dẫn."
TOO_LONG = "Câu hỏi dài quá nên tôi chỉ đọc {n} ký tự đầu."
RATE_LIMITED = "Bạn đang hỏi hơi nhanh. Xin chờ khoảng một phút rồi hỏi tiếp nhé."
NOT_ADMIN = "Xin lỗi, lệnh /{cmd} chỉ dành cho quản trị viên. Yêu cầu của bạn đã được ghi lại."
UNKNOWN_COMMAND = "Tôi không có lệnh /{cmd}. Gõ /help để xem các lệnh có thể dùng."
RELOAD_BUSY = "Kho tài liệu đang được nạp lại. Xin chờ lượt này xong rồi thử lại."
RELOAD_FAILED = "Nạp lại thất bại: {error}. Kho tài liệu cũ vẫn đang phục vụ câu hỏi bình thường."
NO_SESSION = "Chưa có câu trả lời nào để xem tiếp. Hãy đặt một câu hỏi trước."
NO_MORE = "Không còn đoạn liên quan nào khác cho câu hỏi “{q}”."
BAD_HIT_NUMBER = "Câu trả lời trước chỉ có {n} đoạn. Gõ /xem 1 đến /xem {n}."
PASSAGE_GONE = "Đoạn này không còn trong kho tài liệu (tài liệu đã được cập nhật). Hãy hỏi lại."
FEEDBACK_THANKS = "Cảm ơn bạn đã đánh giá, ý kiến này giúp chúng tôi bổ sung tài liệu."
BAD_FEEDBACK = "Không ghi nhận được đánh giá này."
UPLOAD_NEEDS_ADMIN = (
    "Xin lỗi, chỉ quản trị viên mới được gửi tài liệu vào kho. Yêu cầu đã được ghi lại."
)
NO_DOCUMENTS = "Kho tài liệu đang trống. Quản trị viên hãy thêm tài liệu rồi gõ /reload."
UNSUPPORTED_MESSAGE = (
    "Tôi chỉ đọc được tin nhắn chữ. Bạn hãy gõ câu hỏi về Đề án 06, hoặc /help để xem hướng dẫn."
)
INTERNAL_ERROR = "Xin lỗi, đã có lỗi khi xử lý tin nhắn này. Bạn vui lòng thử lại sau ít phút."

GREETING_WORDS = frozenset(
    "xin chao chao hello hi alo ban oi ad admin tro ly bot a ah oi nhe em anh chi".split()
)


def text_block(text: str, style: Style = Style.PLAIN) -> Block:
    return (Run(text, style),)


def info(text: str) -> Reply:
    return Reply(ReplyKind.INFO, [text_block(text)])


def refused(text: str) -> Reply:
    return Reply(ReplyKind.REFUSED, [text_block(text)])


def help_blocks(
    commands: list[tuple[str, str]], admin_commands: list[tuple[str, str]]
) -> list[Block]:
    blocks: list[Block] = [
        (
            Run(ASSISTANT, Style.STRONG),
            Run(
                "\nTôi trả lời câu hỏi về Đề án 06 (Quyết định 06/QĐ-TTg về phát triển ứng dụng dữ "
                "liệu dân cư, định danh và xác thực điện tử) bằng các đoạn trích ngắn từ tài liệu, "
                "kèm nguồn và ngày. Tôi không tự suy đoán: nếu tài liệu không có, tôi sẽ nói rõ."
            ),
        ),
        (
            Run("Cách hỏi", Style.STRONG),
            Run(
                "\nCứ gõ câu hỏi, có dấu hay không dấu đều được, viết tắt như CSDL, TTHC, "
                "Bộ TT&TT cũng hiểu. Ví dụ:"
            ),
            *[Run(f"\n• {q}") for q in EXAMPLES],
        ),
    ]
    lines = [Run("Các lệnh", Style.STRONG)]
    for name, desc in commands:
        lines += [Run("\n"), Run(f"/{name}", Style.COMMAND), Run(f" — {desc}")]
    blocks.append(tuple(lines))
    if admin_commands:
        admin = [Run("Dành cho quản trị viên", Style.STRONG)]
        for name, desc in admin_commands:
            admin += [Run("\n"), Run(f"/{name}", Style.COMMAND), Run(f" — {desc}")]
        admin.append(
            Run(f"\nGửi tệp {supported()} (tối đa 10 MB) để thêm vào kho tài liệu.")
        )
        blocks.append(tuple(admin))
    return blocks


def answer_hint(n_hits: int, more: bool) -> Block:
    runs = [Run("Gõ "), Run("/xem 1", Style.COMMAND)]
    if n_hits > 1:
        runs += [Run(f"…{n_hits}")]
    runs.append(Run(" để đọc toàn văn đoạn trích"))
    if more:
        runs += [Run(", "), Run("/them", Style.COMMAND), Run(" để xem thêm kết quả")]
    runs.append(Run("."))
    return tuple(runs)
