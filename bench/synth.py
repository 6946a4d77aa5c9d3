"""A deterministic synthetic knowledge base of N passages for the benchmark.

Real growth is every ministry's and province's plans, reports and news on Đề án 06: the
same phrases over and over with other agencies, dates, figures and abbreviations. So the
generator recombines the shipped documents' sentences and swaps in agencies, provinces,
dates, figures and abbreviations, a few sentences per paragraph, a few to a few dozen
paragraphs per document, and writes them as front-matter `.md` files like the real ones.
The same seed and N always give the same files (byte for byte).
"""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from index.ingest import scan
from index.lexicon import ABBREVIATIONS_FILE, STOPWORDS_FILE, SYNONYMS_FILE
from index.normalize import normalize_text
from index.passages import MAX_WORDS, passages_from_units, sentence_spans
from index.readers.text import read_markdown
from index.structure import structure

SHIPPED_KB = Path(__file__).resolve().parent.parent / "knowledge"
SEED = 6

MINISTRIES = (
    "Bộ Tư pháp", "Bộ Công an", "Bộ Tài chính", "Bộ Y tế", "Bộ Giáo dục và Đào tạo",
    "Bộ Lao động - Thương binh và Xã hội", "Bộ Thông tin và Truyền thông", "Bộ Nội vụ",
    "Bộ Kế hoạch và Đầu tư", "Bộ Tài nguyên và Môi trường", "Bộ Giao thông vận tải",
    "Bộ Xây dựng", "Bộ Công Thương", "Bộ Nông nghiệp và Phát triển nông thôn",
    "Bộ Quốc phòng", "Bộ Ngoại giao", "Bộ Văn hóa, Thể thao và Du lịch",
    "Bộ Khoa học và Công nghệ", "Văn phòng Chính phủ", "Ngân hàng Nhà nước",
    "Bảo hiểm xã hội Việt Nam", "Tổng cục Thuế", "Tổng cục Hải quan", "Thanh tra Chính phủ",
)  # fmt: skip
PROVINCES = (
    "Hà Nội", "Thành phố Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Đồng Nai",
    "Bình Dương", "Bà Rịa - Vũng Tàu", "Long An", "Tiền Giang", "Bến Tre", "Vĩnh Long",
    "An Giang", "Kiên Giang", "Cà Mau", "Bạc Liêu", "Sóc Trăng", "Hậu Giang", "Đồng Tháp",
    "Tây Ninh", "Bình Phước", "Lâm Đồng", "Đắk Lắk", "Đắk Nông", "Gia Lai", "Kon Tum",
    "Khánh Hòa", "Ninh Thuận", "Bình Thuận", "Phú Yên", "Bình Định", "Quảng Ngãi",
    "Quảng Nam", "Thừa Thiên Huế", "Quảng Trị", "Quảng Bình", "Hà Tĩnh", "Nghệ An",
    "Thanh Hóa", "Ninh Bình", "Nam Định", "Thái Bình", "Hà Nam", "Hưng Yên", "Hải Dương",
    "Bắc Ninh", "Vĩnh Phúc", "Phú Thọ", "Thái Nguyên", "Bắc Giang", "Quảng Ninh",
    "Lạng Sơn", "Cao Bằng", "Hà Giang", "Tuyên Quang", "Yên Bái", "Lào Cai", "Lai Châu",
    "Điện Biên", "Sơn La", "Hòa Bình", "Bắc Kạn", "Trà Vinh",
)  # fmt: skip
UNITS = (
    "UBND tỉnh {p}", "Công an tỉnh {p}", "Sở Tư pháp {p}", "Sở Thông tin và Truyền thông {p}",
    "Sở Y tế {p}", "Bảo hiểm xã hội tỉnh {p}", "Tổ công tác Đề án 06 tỉnh {p}",
    "HĐND tỉnh {p}", "Sở Lao động - Thương binh và Xã hội {p}",
)  # fmt: skip
SOURCES = (
    "Cổng thông tin điện tử Bộ Tư pháp", "Báo {p} điện tử", "Cổng thông tin điện tử tỉnh {p}",
    "Cổng thông tin điện tử Chính phủ", "Báo Công an nhân dân", "Tổ công tác triển khai Đề án 06",
)  # fmt: skip
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Thanh", "Hoàng", "Minh", "Đức", "Ngọc", "Quốc", "Hữu", "Thu")
GIVEN = (
    "An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hòa", "Hùng", "Lan", "Long", "Mai",
    "Nam", "Phong", "Quang", "Sơn", "Tâm", "Thắng", "Thủy", "Trung", "Tuấn", "Vinh",
)  # fmt: skip
ROLES = ("Phó Chủ tịch UBND tỉnh", "Giám đốc Công an tỉnh", "Giám đốc Sở Tư pháp", "Thứ trưởng",
         "Chánh Văn phòng", "Tổ trưởng Tổ công tác")  # fmt: skip
# Sentences the shipped texts lack but a plan or report on Đề án 06 always has.
EXTRA = (
    "{u} đã thu nhận {n} hồ sơ cấp căn cước công dân và kích hoạt {n2} tài khoản định danh "
    "điện tử mức độ 2 cho người dân trên địa bàn.",
    "Đến ngày {d}, {u} đã cung cấp {n} dịch vụ công trực tuyến toàn trình, đạt tỷ lệ {pct}% "
    "hồ sơ được xử lý đúng hạn.",
    "{u} yêu cầu các đơn vị hoàn thành việc số hóa hồ sơ, kết quả giải quyết thủ tục hành "
    "chính trước ngày {d}.",
    "Theo kế hoạch, chậm nhất ngày {d}, {m} phải hoàn thành kết nối cơ sở dữ liệu chuyên "
    "ngành với cơ sở dữ liệu quốc gia về dân cư.",
    "Đồng chí {name}, {role}, đề nghị {u} tiếp tục đẩy mạnh tuyên truyền để người dân sử "
    "dụng ứng dụng VNeID trong giao dịch hành chính.",
    "Năm {y}, {m} ban hành Kế hoạch số {n}/KH-{k} triển khai Đề án 06 với {n3} nhiệm vụ cụ "
    "thể, giao {u} chủ trì thực hiện.",
    "{u} đã làm sạch {n} trường thông tin dữ liệu hộ tịch, đồng bộ với cơ sở dữ liệu quốc "
    "gia về dân cư, đạt {pct}% kế hoạch.",
    "Tại hội nghị ngày {d}, {m} đánh giá việc triển khai Đề án 06 còn chậm ở {n3} nhiệm vụ, "
    "chủ yếu do hạ tầng công nghệ thông tin chưa đồng bộ.",
)
_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/(?:19|20)\d{2}\b")
_SHORT_DATE = re.compile(r"\b(ngày|Ngày|chiều|sáng|Chiều|Sáng) \d{1,2}/\d{1,2}\b")
_YEAR = re.compile(r"\bnăm 20(?:2[0-9])\b")
_NUMBER = re.compile(r"(?<![/\d.,])(?<!án )\b\d{2,}(?:[.,]\d+)*\b(?![/%\d-])")
_AGENCY = re.compile(
    r"\b(?:Bộ Tư pháp|Bộ Công an|Bộ Tài chính|Văn phòng Chính phủ|Bộ TT&TT|Bộ LĐTB&XH)\b"
)
_PROVINCE = re.compile(r"\b(?:Đồng Nai|Biên Hòa)\b")


@dataclass(frozen=True)
class SyntheticKB:
    kb_dir: Path
    files: list[Path]  # the document files, in generation order
    passages: int  # what the passage splitter makes of them (== the requested N)


def source_sentences(kb_dir: Path = SHIPPED_KB) -> list[str]:
    """Every sentence of the shipped documents with at least six words, in file order."""
    out: list[str] = []
    for doc in scan(kb_dir).documents:
        for line in doc.body.split("\n"):
            for s, e in sentence_spans(line):
                sentence = line[s:e]
                if len(sentence.split()) >= 6:
                    out.append(sentence)
    return out


def abbreviations(kb_dir: Path = SHIPPED_KB) -> list[tuple[str, str]]:
    """(long form, abbreviation) pairs from the shipped abbreviations file."""
    pairs = []
    for line in (kb_dir / ABBREVIATIONS_FILE).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            short, long = line.split("\t", 1)
            pairs.append((long.strip(), short.strip()))
    return sorted(pairs, key=lambda p: -len(p[0]))


class _Writer:
    """Draws sentences, paragraphs and documents from one seeded random stream."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.sentences = source_sentences()
        self.abbr = abbreviations()

    def date(self) -> date:
        return date(2022, 1, 6) + timedelta(days=self.rng.randrange(0, 4 * 365))

    def unit(self) -> str:
        if self.rng.random() < 0.4:
            return self.rng.choice(MINISTRIES)
        return self.rng.choice(UNITS).format(p=self.rng.choice(PROVINCES))

    def name(self) -> str:
        r = self.rng
        return f"{r.choice(SURNAMES)} {r.choice(MIDDLE)} {r.choice(GIVEN)}"

    def sentence(self) -> str:
        r = self.rng
        if r.random() < 0.2:
            d = self.date()
            return r.choice(EXTRA).format(
                u=self.unit(),
                m=r.choice(MINISTRIES),
                d=f"{d.day:02d}/{d.month:02d}/{d.year}",
                y=d.year,
                n=f"{r.randrange(100, 990_000):,}".replace(",", "."),
                n2=f"{r.randrange(100, 990_000):,}".replace(",", "."),
                n3=r.randrange(3, 60),
                pct=f"{r.randrange(50, 100)},{r.randrange(10)}",
                k=r.choice(("UBND", "BTP", "BCA")),
                name=self.name(),
                role=r.choice(ROLES),
            )
        text = r.choice(self.sentences)
        text = _DATE.sub(lambda _: self.date().strftime("%d/%m/%Y"), text)
        text = _SHORT_DATE.sub(lambda m: f"{m[1]} {self.date().strftime('%d/%m')}", text)
        text = _YEAR.sub(lambda _: f"năm {r.randrange(2022, 2027)}", text)
        text = _NUMBER.sub(lambda m: str(r.randrange(10, 10 ** len(m[0]))), text)
        text = _AGENCY.sub(lambda _: r.choice(MINISTRIES), text)
        text = _PROVINCE.sub(lambda _: r.choice(PROVINCES), text)
        for long, short in self.abbr:
            if long in text and r.random() < 0.3:
                text = text.replace(long, short, 1)
        return text

    def paragraph(self) -> str:
        target = self.rng.randrange(45, MAX_WORDS - 10)
        parts = [self.sentence()]
        words = len(parts[0].split())
        while words < target:
            nxt = self.sentence()
            if words + len(nxt.split()) > MAX_WORDS and words >= 40:
                break
            parts.append(nxt)
            words += len(nxt.split())
        return " ".join(parts)

    def document(self, paragraphs: int) -> tuple[dict[str, str], list[str]]:
        r = self.rng
        d = self.date()
        place = r.choice(PROVINCES)
        who = r.choice((self.unit(), self.unit(), f"Tổ công tác Đề án 06 tỉnh {place}"))
        title = r.choice(
            (
                f"{who} đẩy mạnh triển khai Đề án 06",
                f"{who} họp rà soát tiến độ thực hiện Đề án 06 năm {d.year}",
                f"{who} ban hành kế hoạch thực hiện Đề án 06",
                f"Kết quả triển khai Đề án 06 tại {place} tháng {d.month}/{d.year}",
                f"{who} tháo gỡ vướng mắc trong thực hiện Đề án 06",
            )
        )
        meta = {
            "title": title,
            "date": d.isoformat(),
            "source": r.choice(SOURCES).format(p=place),
            "url": f"https://example.gov.vn/de-an-06/{d.isoformat()}-{r.randrange(10**6):06d}",
        }
        return meta, [self.paragraph() for _ in range(paragraphs)]


def render(meta: dict[str, str], paragraphs: list[str]) -> str:
    head = "".join(f'{k}: "{v}"\n' for k, v in meta.items())
    return f"---\n{head}---\n{meta['title']}\n" + "\n".join(paragraphs) + "\n"


def _count(text: str, title: str) -> int:
    """Passages the build will cut from this document (chrome such as a repeated title left out)."""
    units = structure(read_markdown(normalize_text(text).encode(), Path("x.md")).blocks).units
    return len(passages_from_units("x", units, title)[1])


def document_sizes(rng: random.Random) -> int:
    """Paragraphs per document: mostly news-sized, now and then a long plan or report."""
    if rng.random() < 0.05:
        return rng.randrange(20, 60)
    return rng.randrange(2, 12)


def generate(out_dir: Path, n_passages: int, *, seed: int = SEED) -> SyntheticKB:
    """Write a knowledge base of exactly n_passages passages into out_dir (made empty)."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    docs_dir = out_dir / "documents"
    docs_dir.mkdir(parents=True)
    for name in (ABBREVIATIONS_FILE, STOPWORDS_FILE, SYNONYMS_FILE):
        shutil.copyfile(SHIPPED_KB / name, out_dir / name)
    writer = _Writer(seed)
    files: list[Path] = []
    total = 0
    while total < n_passages:
        meta, paragraphs = writer.document(document_sizes(writer.rng))
        text = render(meta, paragraphs)
        n = _count(text, meta["title"])
        while total + n > n_passages and len(paragraphs) > 1:
            paragraphs = paragraphs[: max(1, len(paragraphs) - (total + n - n_passages))]
            text = render(meta, paragraphs)
            n = _count(text, meta["title"])
        if total + n > n_passages:
            break
        path = docs_dir / f"{len(files):06d}-{meta['date']}.md"
        path.write_text(text, encoding="utf-8")
        files.append(path)
        total += n
    return SyntheticKB(out_dir, files, total)


def edit_share(kb: SyntheticKB, share: float, *, seed: int = SEED) -> list[Path]:
    """Edit `share` of the documents the way an admin would: one paragraph rewritten."""
    rng = random.Random(seed + 1)
    writer = _Writer(seed + 2)
    count = max(1, round(len(kb.files) * share))
    chosen = sorted(rng.sample(range(len(kb.files)), count))
    edited = []
    for i in chosen:
        path = kb.files[i]
        lines = path.read_text(encoding="utf-8").split("\n")
        body_start = lines.index("---", 1) + 2  # after the closing fence and the title line
        target = rng.randrange(body_start, max(body_start + 1, len(lines) - 1))
        replacement = writer.sentence()
        lines[target] = (lines[target] + " " + replacement) if lines[target] else replacement
        path.write_text("\n".join(lines), encoding="utf-8")
        edited.append(path)
    return edited
