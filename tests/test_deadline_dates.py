"""Date phrasing, the pure module under prose and cells: which day each written shape means,
recurring rules and their next occurrence, continuing work, and dates counted from signing."""

from __future__ import annotations

from datetime import date

import pytest

from index.deadlines import Recurrence, next_occurrence
from index.deadlines.dates import find_dates, find_relative, relative_due, resolve
from index.deadlines.recurrence import find_ongoing, find_recurrences, period_precision


def one_date(text: str, *, cell: bool = False):
    found = list(find_dates(text, cell=cell))
    assert len(found) == 1, found
    return found[0]


def due(text: str, mode: str = "end", *, cell: bool = False, year: int = 2025) -> date | None:
    e = one_date(text, cell=cell)
    return resolve(e.precision, e.index, e.year or year, mode)


# --- single dates and periods -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("30/4/2025", date(2025, 4, 30), "day"),
        ("30-09-2025", date(2025, 9, 30), "day"),
        ("ngày 15 tháng 8 năm 2025", date(2025, 8, 15), "day"),
        ("31.12.2025", date(2025, 12, 31), "day"),
        ("15/6/25", date(2025, 6, 15), "day"),
        ("tháng 6/2025", date(2025, 6, 30), "month"),
        ("tháng 2 năm 2028", date(2028, 2, 29), "month"),
        ("Quý III/2025", date(2025, 9, 30), "quarter"),
        ("quý 2 năm 2025", date(2025, 6, 30), "quarter"),
        ("Q4/2025", date(2025, 12, 31), "quarter"),
        ("6 tháng đầu năm 2025", date(2025, 6, 30), "half"),
        ("sáu tháng cuối năm 2025", date(2025, 12, 31), "half"),
        ("nửa đầu năm 2026", date(2026, 6, 30), "half"),
        ("năm 2025", date(2025, 12, 31), "year"),
    ],
)
def test_each_single_shape_falls_due_on_its_last_day(
    text: str, expected: date, precision: str
) -> None:
    assert one_date(text).precision == precision
    assert due(text) == expected


def test_a_day_without_a_year_is_read_with_its_year_left_open() -> None:
    e = one_date("ngày 15/8")
    assert (e.precision, e.index, e.year) == ("day", 815, None)


def test_before_a_period_means_by_the_end_of_the_one_before() -> None:
    assert due("tháng 6/2025", "before") == date(2025, 5, 31)
    assert due("quý III/2025", "before") == date(2025, 6, 30)
    assert due("năm 2026", "before") == date(2025, 12, 31)


def test_an_effective_period_starts_on_its_first_day() -> None:
    assert due("tháng 7/2025", "effective") == date(2025, 7, 1)


@pytest.mark.parametrize("text", ["30/2/2025", "31/4/2025", "tháng 13/2025"])
def test_impossible_dates_resolve_to_nothing(text: str) -> None:
    found = list(find_dates(text))
    assert all(resolve(e.precision, e.index, e.year or 2025, "end") is None for e in found)


def test_a_decimal_number_is_not_a_date() -> None:
    assert list(find_dates("5.142 điểm bưu điện")) == []


# --- ranges -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "since", "last"),
    [
        ("2025 - 2027", 2025, 2027),
        ("2022–2025", 2022, 2025),
        ("giai đoạn 2022-2025", 2022, 2025),
        ("năm 2025-2026", 2025, 2026),
        ("từ năm 2025 đến năm 2027", 2025, 2027),
    ],
)
def test_a_range_falls_due_at_the_end_of_its_last_year(text: str, since: int, last: int) -> None:
    e = one_date(text)
    assert (e.precision, e.since, e.year) == ("year", since, last)
    assert due(text) == date(last, 12, 31)


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("Quý I - II/2025", date(2025, 6, 30), "quarter"),
        ("quý III-IV năm 2025", date(2025, 12, 31), "quarter"),
        ("Tháng 5-6/2025", date(2025, 6, 30), "month"),
        ("tháng 3 - tháng 6/2025", date(2025, 6, 30), "month"),
    ],
)
def test_a_span_of_quarters_or_months_falls_due_at_its_end(
    text: str, expected: date, precision: str
) -> None:
    e = one_date(text)
    assert (e.precision, e.start, e.end) == (precision, 0, len(text))
    assert due(text) == expected


def test_a_backwards_range_is_not_a_range() -> None:
    assert all(e.since is None for e in find_dates("2027 - 2025", cell=True))


# --- what only a time cell reads as a date -------------------------------------------------------


def test_a_bare_year_and_a_bare_month_are_dates_in_a_cell() -> None:
    assert due("2025", cell=True) == date(2025, 12, 31)
    assert due("6/2025", cell=True) == date(2025, 6, 30)


def test_a_bare_year_or_month_in_prose_is_a_number_not_a_date() -> None:
    assert list(find_dates("đạt 2025 hồ sơ, tỷ lệ 6/2025")) == []


def test_a_document_number_is_not_a_month_even_in_a_cell() -> None:
    assert list(find_dates("Quyết định 12/2025/QĐ-UBND", cell=True)) == []


# --- dates counted from the document's own date ---------------------------------------------------

SIGNED = date(2025, 3, 14)  # a Friday


@pytest.mark.parametrize(
    ("text", "effective", "expected"),
    [
        ("Quyết định này có hiệu lực kể từ ngày ký.", True, SIGNED),
        ("Quyết định này có hiệu lực thi hành kể từ ngày ký ban hành.", True, SIGNED),
        ("Quy chế có hiệu lực sau 15 ngày kể từ ngày ký.", True, date(2025, 3, 29)),
        ("trong thời hạn 30 ngày kể từ ngày ký Quyết định này", False, date(2025, 4, 13)),
        ("chậm nhất 10 ngày kể từ ngày Kế hoạch được ban hành", False, date(2025, 3, 24)),
    ],
)
def test_dates_relative_to_signing_count_from_the_document_date(
    text: str, effective: bool, expected: date
) -> None:
    (r,) = find_relative(text)
    assert r.effective is effective
    assert relative_due(SIGNED, r) == expected


def test_working_days_skip_the_weekend() -> None:
    (r,) = find_relative("trong vòng 10 ngày làm việc kể từ ngày ký")
    assert r.working and relative_due(SIGNED, r) == date(2025, 3, 28)


@pytest.mark.parametrize(
    "text",
    [
        "kể từ ngày ký hợp đồng",  # nothing is due, nothing takes effect
        "giải quyết trong vòng 3 ngày làm việc kể từ ngày nhận đủ hồ sơ",  # not the document
        "có hiệu lực kể từ ngày 15/3/2025",  # an absolute date, read as one
    ],
)
def test_phrases_that_do_not_count_from_signing_are_not_relative(text: str) -> None:
    assert list(find_relative(text)) == []


# --- recurring rules ----------------------------------------------------------------------------


def rules(text: str) -> list[Recurrence]:
    return [r for span in find_recurrences(text) for r in span.rules]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hằng tháng", [Recurrence("monthly")]),
        ("hàng tháng", [Recurrence("monthly")]),
        ("Hằng quý", [Recurrence("quarterly")]),
        ("Hằng năm", [Recurrence("yearly")]),
        ("định kỳ 6 tháng", [Recurrence("half-yearly")]),
        ("06 tháng/lần", [Recurrence("half-yearly")]),
        ("định kỳ 03 tháng", [Recurrence("quarterly")]),
        ("định kỳ hằng tháng", [Recurrence("monthly")]),
        ("Trước ngày 25 hằng tháng", [Recurrence("monthly", 25)]),
        ("Trước ngày 10 hằng quý", [Recurrence("quarterly", 10)]),
        ("trước ngày 20 tháng cuối quý", [Recurrence("quarterly", 20, 3)]),
        ("trước ngày 15/12 hằng năm", [Recurrence("yearly", 15, 12)]),
        (
            "trước ngày 15/6 và 15/12 hằng năm",
            [Recurrence("yearly", 15, 6), Recurrence("yearly", 15, 12)],
        ),
        ("Hằng tháng (trước ngày 25)", [Recurrence("monthly", 25)]),
        ("Hằng năm (trước ngày 15/12)", [Recurrence("yearly", 15, 12)]),
        ("Trước 15/12 hằng năm", [Recurrence("yearly", 15, 12)]),
        ("Hằng quý (trước ngày 20 của tháng cuối quý)", [Recurrence("quarterly", 20, 3)]),
        ("Hằng quý, trước ngày 15 tháng cuối quý", [Recurrence("quarterly", 15, 3)]),
        (
            "định kỳ hằng quý, 6 tháng, năm",
            [Recurrence("quarterly"), Recurrence("half-yearly"), Recurrence("yearly")],
        ),
    ],
)
def test_each_recurring_shape_gives_its_rule(text: str, expected: list[Recurrence]) -> None:
    assert rules(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Quý III/2025", "6 tháng đầu năm 2025", "Tháng 7/2025", "hằng ngày", "trước ngày 25/6/2025"],
)
def test_dated_and_continuing_shapes_are_not_rules(text: str) -> None:
    assert rules(text) == []


def test_a_named_day_in_the_last_month_of_a_named_quarter_is_not_a_rule() -> None:
    assert rules("trước ngày 20 tháng cuối quý II/2025") == []


@pytest.mark.parametrize(
    ("text", "precision"),
    [("Hằng tháng", "month"), ("Hằng quý", "quarter"), ("Trước ngày 10 hằng quý", "day")],
)
def test_an_occurrence_keeps_the_precision_its_rule_states(text: str, precision: str) -> None:
    assert period_precision(rules(text)[0]) == precision


# --- next occurrence ------------------------------------------------------------------------------

TODAY = date(2025, 3, 10)


@pytest.mark.parametrize(
    ("rule", "today", "expected"),
    [
        (Recurrence("monthly"), TODAY, date(2025, 3, 31)),  # a bare month: its last day
        (Recurrence("monthly"), date(2025, 2, 10), date(2025, 2, 28)),
        (Recurrence("monthly"), date(2024, 2, 10), date(2024, 2, 29)),
        (Recurrence("quarterly"), TODAY, date(2025, 3, 31)),  # a bare quarter: its last day
        (Recurrence("quarterly", 10), TODAY, date(2025, 4, 10)),  # day 10 of a quarter's 1st month
        (Recurrence("quarterly", 10), date(2025, 1, 5), date(2025, 1, 10)),
        (Recurrence("quarterly", 10), date(2025, 4, 10), date(2025, 4, 10)),  # today counts
        (Recurrence("quarterly", 20, 3), TODAY, date(2025, 3, 20)),
        (Recurrence("monthly", 25), date(2025, 3, 26), date(2025, 4, 25)),
        (Recurrence("monthly", 31), date(2025, 4, 2), date(2025, 4, 30)),  # short month
        (Recurrence("half-yearly"), TODAY, date(2025, 6, 30)),
        (Recurrence("half-yearly"), date(2025, 7, 1), date(2025, 12, 31)),
        (Recurrence("yearly"), TODAY, date(2025, 12, 31)),
        (Recurrence("yearly", 15, 12), date(2025, 12, 16), date(2026, 12, 15)),
        (Recurrence("monthly"), date(2025, 12, 31), date(2025, 12, 31)),
        (Recurrence("quarterly", 10), date(2025, 11, 1), date(2026, 1, 10)),  # over the new year
    ],
)
def test_next_occurrence_is_the_first_day_on_or_after_today(
    rule: Recurrence, today: date, expected: date
) -> None:
    assert next_occurrence(rule, today) == expected


def test_a_rule_is_spelled_stably_for_keys() -> None:
    assert Recurrence("quarterly", 10).rule == "quarterly/10"
    assert Recurrence("yearly", 15, 12).rule == "yearly/15/m12"


# --- continuing work ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Thường xuyên", "Liên tục", "Hằng ngày", "hàng tuần", "Thường xuyên, liên tục"]
)
def test_continuing_work_is_found_as_one_phrase(text: str) -> None:
    (m,) = find_ongoing(text)
    assert m[0] == text


@pytest.mark.parametrize("text", ["Hằng tháng", "Quý II/2025", "xuyên suốt", "liên tịch"])
def test_other_phrases_are_not_continuing_work(text: str) -> None:
    assert list(find_ongoing(text)) == []
