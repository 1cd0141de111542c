"""Normalisers (formsite.values): what people type → exact typed values, or a coded error."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest

from formsite import values
from formsite.errors import FIELD_MESSAGES, ValueProblem
from formsite.values import credit_code_check_char


def problem(fn, raw, **kwargs) -> ValueProblem:
    """The ValueProblem a normaliser raises for ``raw`` (fails the test if it accepts it)."""
    with pytest.raises(ValueProblem) as caught:
        fn(raw, **kwargs)
    assert caught.value.code in FIELD_MESSAGES, caught.value.code
    return caught.value


# --- numbers and money --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１２３", Decimal("123.00")),
        ("１２３．４５", Decimal("123.45")),  # full-width digits and full-width point
        ("1,000.50", Decimal("1000.50")),
        ("1,234,567.8", Decimal("1234567.80")),
        ("1，000", Decimal("1000.00")),  # full-width comma as a thousands separator
        ("200万元", Decimal("200.00")),
        ("200万", Decimal("200.00")),
        ("  12 ", Decimal("12.00")),
        ("1 000", Decimal("1000.00")),  # spaces typed inside a number are dropped
        ("+5", Decimal("5.00")),
        (".5", Decimal("0.50")),
        ("1.500", Decimal("1.50")),  # trailing zeros are not extra decimals
        ("0", Decimal("0.00")),
        ("-0", Decimal("0.00")),
        (7, Decimal("7.00")),
        (0.1, Decimal("0.10")),
        (Decimal("3.1"), Decimal("3.10")),
        ("999999999.99", Decimal("999999999.99")),
    ],
)
def test_money_accepts_what_people_type(raw, expected):
    value = values.money(raw)
    assert isinstance(value, Decimal)
    assert value == expected
    assert value.as_tuple().exponent == -2  # always quantised to 0.01
    assert str(value) == str(expected)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_blank_is_none(raw):
    assert values.money(raw) is None
    assert values.integer(raw) is None
    assert values.a_date(raw) is None
    assert values.phone(raw) is None
    assert values.credit_code(raw) is None
    assert values.text(raw) is None


@pytest.mark.parametrize("raw", ["1,00.5", "10,00", "1,0000", ",100", "1,000,00.5"])
def test_misplaced_thousands_separator(raw):
    assert problem(values.money, raw).code == "number.grouping"
    assert problem(values.money, raw).ctx["found"] == raw


@pytest.mark.parametrize("raw", ["1.005", "0.001", "12.345", "1,000.505"])
def test_money_more_than_two_decimals(raw):
    err = problem(values.money, raw)
    assert err.code == "money.decimals"
    assert err.ctx["found"] == raw


def test_money_negative_rejected_but_signed_money_allowed():
    assert problem(values.money, "-1").code == "money.negative"
    assert problem(values.money, "-0.01").code == "money.negative"
    assert values.money("-120.5", signed=True) == Decimal("-120.50")
    assert values.money("-1,200.5万元", signed=True) == Decimal("-1200.50")
    # A signed amount still may not have three decimals.
    assert problem(values.money, "-1.005", signed=True).code == "money.decimals"


@pytest.mark.parametrize(
    "raw",
    ["abc", "12abc", "1e5", "1E3", "nan", "NaN", "inf", "-inf", "Infinity", "1.2.3", "--1",
     "0x10", "一百", True, False, [1], {"a": 1}],
)
def test_not_a_number(raw):
    assert problem(values.money, raw).code == "number.invalid"


@pytest.mark.parametrize(
    "raw", [math.nan, math.inf, -math.inf, Decimal("NaN"), Decimal("Infinity")])
def test_non_finite_python_numbers_rejected(raw):
    assert problem(values.money, raw).code == "number.invalid"
    assert problem(values.integer, raw).code == "number.invalid"
    assert problem(values.percent, raw).code == "number.invalid"


@pytest.mark.parametrize(
    "raw",
    ["1000000000", "99999999999", "9" * 400, 1e300, 10**30, "1000000000.00"],
)
def test_huge_money_is_too_large(raw):
    err = problem(values.money, raw)
    assert err.code == "number.too_large"
    assert err.ctx["max"] == "999999999.99"


@pytest.mark.parametrize("fn", [values.money, values.area, values.percent])
def test_huge_number_with_decimals_does_not_crash(fn):
    # 30 integer digits + 3 decimals exceeds the decimal context precision (28 digits):
    # once crashed quantize() with decimal.InvalidOperation.
    err = problem(fn, "1" * 30 + ".123")
    assert err.code in {"money.decimals", "area.decimals", "percent.decimals", "number.too_large"}


def test_money_range_bounds_from_definition():
    assert problem(values.money, "5", lo=10).code == "number.too_small"
    assert problem(values.money, "50", hi=10).ctx["max"] == "10"
    assert values.money("10", lo=10, hi=10) == Decimal("10.00")


def test_decimal_sums_are_exact():
    total = values.money("0.1") + values.money("0.2")
    assert total == Decimal("0.30")
    assert str(total) == "0.30"
    assert 0.1 + 0.2 != 0.3  # the float trap the Decimal path avoids


def test_parse_decimal_keeps_exact_digits():
    assert values.parse_decimal("0.1") == Decimal("0.1")
    assert values.parse_decimal(0.1) == Decimal("0.1")  # repr, not the binary expansion


# --- integer, area, percent ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1,000", 1000), ("１２", 12), ("80家", 80), ("12个", 12), ("1200款", 1200), ("5.0", 5),
     (42, 42), ("0", 0)],
)
def test_integer_ok(raw, expected):
    value = values.integer(raw)
    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize(
    ("raw", "code"),
    [("1.5", "integer.invalid"), ("-3", "number.negative"), ("abc", "number.invalid"),
     ("1,00", "number.grouping"), (str(10**13), "number.too_large"), ("1e3", "number.invalid")],
)
def test_integer_errors(raw, code):
    assert problem(values.integer, raw).code == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1000", "1000"), ("1,500㎡", "1500"), ("1000平方米", "1000"), ("800 m²", "800"),
     ("1000.5", "1000.50"), ("２０００平米", "2000")],
)
def test_area_ok(raw, expected):
    assert str(values.area(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [("-5", "number.negative"), ("10.555", "area.decimals"), ("abc", "number.invalid"),
     ("10000000000", "number.too_large")],
)
def test_area_errors(raw, code):
    assert problem(values.area, raw).code == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", "0"), ("40", "40"), ("100", "100"), ("50%", "50"), ("５０％", "50"), ("33.33", "33.33"),
     ("40.00", "40"), (100, "100")],
)
def test_percent_ok(raw, expected):
    value = values.percent(raw)
    assert value == Decimal(expected)
    # Printed and sent to the page as a plain number: never "4E+1".
    assert str(value) == expected


@pytest.mark.parametrize(
    ("raw", "code", "ctx"),
    [("101", "number.too_large", {"max": "100"}), ("100.01", "number.too_large", {"max": "100"}),
     ("-1", "number.too_small", {"min": "0"}), ("-0.01", "number.too_small", {"min": "0"}),
     ("33.333", "percent.decimals", {}), ("abc", "number.invalid", {})],
)
def test_percent_bounds(raw, code, ctx):
    err = problem(values.percent, raw)
    assert err.code == code
    assert ctx.items() <= err.ctx.items()


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2024-12-31", date(2024, 12, 31)), ("2024年12月31日", date(2024, 12, 31)),
     ("2024/2/29", date(2024, 2, 29)), ("2024.1.5", date(2024, 1, 5)),
     ("２０２４－１２－３１", date(2024, 12, 31)), ("2024 年 9 月 30 日", date(2024, 9, 30)),
     (date(2025, 9, 30), date(2025, 9, 30))],
)
def test_date_ok(raw, expected):
    assert values.a_date(raw) == expected


@pytest.mark.parametrize(
    "raw", ["2024/2/30", "2023-02-29", "2024-13-01", "2024-00-10", "2024-12-32", "20241231",
            "31/12/2024", "2024-12", "abc", "2024年12月31号"],
)
def test_date_invalid(raw):
    err = problem(values.a_date, raw)
    assert err.code == "date.invalid"
    assert err.ctx["found"] == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2024年1月", "2024-01"), ("2024-1", "2024-01"), ("2024/12", "2024-12"),
     ("2024.09", "2024-09"), ("2025年9月", "2025-09"), ("２０２４年３月", "2024-03")],
)
def test_year_month_ok(raw, expected):
    assert values.year_month(raw) == expected


@pytest.mark.parametrize(
    "raw", ["2024/13", "2024-0", "202401", "1899-01", "2024年", "三月", "2024-01-05"])
def test_year_month_invalid(raw):
    assert problem(values.year_month, raw).code == "year_month.invalid"


def test_year_month_strings_sort_in_time_order():
    months = [values.year_month(m) for m in ("2025年1月", "2024-12", "2024年9月")]
    assert sorted(months) == ["2024-09", "2024-12", "2025-01"]


# --- phone --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("13812345678", "13812345678"), ("138 1234 5678", "13812345678"),
     ("138-1234-5678", "13812345678"), ("+8613812345678", "13812345678"),
     ("１３８１２３４５６７８", "13812345678"), ("0571-87050825", "0571-87050825"),
     ("(0571)87050825", "0571-87050825"), ("（0571）87050825", "0571-87050825"),
     ("057187050825", "0571-87050825"), ("010-12345678", "010-12345678"),
     ("0572-5123456", "0572-5123456"), ("0571-87050825-123", "0571-87050825-123")],
)
def test_phone_ok(raw, expected):
    assert values.phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["12812345678",  # no such mobile prefix
     "1381234567",  # 10 digits
     "138123456789",  # 12 digits
     "87050825",  # landline without area code
     "0571-0705082",  # local number cannot start with 0
     "0571-8705",  # too short
     "abc", "0571-8705082x"],
)
def test_phone_invalid(raw):
    err = problem(values.phone, raw)
    assert err.code == "phone.invalid"
    assert err.ctx["found"] == raw


# --- credit codes (GB 32100-2015) ---------------------------------------------------------


def test_credit_code_check_char_known_values():
    # Computed with the GB 32100-2015 weights; e.g. the brief's "91330000MA27U0JX1H" is wrong,
    # its check character is X.
    assert credit_code_check_char("91330000MA27U0JX1") == "X"
    assert credit_code_check_char("91330523MA2B3C4D5") == "M"
    assert credit_code_check_char("91330100712345678") == "4"


def test_credit_code_check_char_by_hand():
    first17 = "91330523MA2B3C4D5"
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [3 ** i % 31 for i in range(17)]
    total = sum(chars.index(c) * w for c, w in zip(first17, weights, strict=True))
    assert credit_code_check_char(first17) == chars[(31 - total % 31) % 31]


@pytest.mark.parametrize("first17", ["91330000MA27U0JX1", "91330523MA2B3C4D5", "12330000002482061",
                                     "52330000MJ8777714", "93330104MA2CE1T2X"])
def test_valid_credit_codes_pass_and_are_upper_cased(first17):
    code = first17 + credit_code_check_char(first17)
    assert values.credit_code(code) == code
    assert values.credit_code(code.lower()) == code
    assert values.credit_code(f" {code[:9]} {code[9:]} ") == code


def test_credit_code_wrong_check_char_names_expected_char():
    first17 = "91330000MA27U0JX1"
    err = problem(values.credit_code, first17 + "H")
    assert err.code == "credit_code.check"
    assert err.ctx["check"] == "X"
    assert err.ctx["last"] == "H"
    assert err.ctx["found"] == first17 + "H"


@pytest.mark.parametrize("bad", ["I", "O", "Z", "S", "V"])
def test_credit_code_forbidden_letters(bad):
    code = "9133000" + bad + "MA27U0JX1X"
    assert len(code) == 18
    err = problem(values.credit_code, code)
    assert err.code == "credit_code.chars"
    assert bad in err.ctx["chars"]


@pytest.mark.parametrize("raw", ["91330000MA27U0JX1", "91330000MA27U0JX1XX", "123", "9" * 30])
def test_credit_code_wrong_length(raw):
    err = problem(values.credit_code, raw)
    assert err.code == "credit_code.length"
    assert err.ctx["length"] == str(len(raw))


# --- text, choices, checkboxes ------------------------------------------------------------


def test_text_limits():
    assert values.text("  安吉县  ") == "安吉县"
    assert values.text(123) == "123"
    assert problem(values.text, "x" * 201).code == "text.too_long"
    assert problem(values.text, "x" * 31, max_length=30).ctx["max"] == "30"
    assert values.text("x" * 20000, long=True) == "x" * 20000
    assert problem(values.text, "x" * 20001, long=True).code == "text.too_long"
    assert problem(values.text, ["a"]).code == "text.invalid"
    assert problem(values.text, True).code == "text.invalid"


def test_text_keeps_markup_verbatim():
    raw = "<script>alert('x')</script> & <b>"
    assert values.text(raw) == raw


def test_choice_and_multichoice():
    options = ("showroom", "online_zone", "service_center")
    assert values.choice("showroom", options=options) == "showroom"
    assert problem(values.choice, "garbage", options=options).code == "choice.invalid"
    # Definition order, duplicates dropped; a single string is one choice.
    assert values.multichoice(["service_center", "showroom", "showroom"], options=options) == [
        "showroom", "service_center"]
    assert values.multichoice("online_zone", options=options) == ["online_zone"]
    assert values.multichoice([], options=options) is None
    assert problem(values.multichoice, ["showroom", "x"], options=options).ctx["found"] == "x"
    assert problem(values.multichoice, [1], options=options).code == "choice.invalid"


@pytest.mark.parametrize(("raw", "expected"), [
    (True, True), (False, False), ("是", True), ("否", False), ("true", True), (1, True),
    (0, False)])
def test_checkbox(raw, expected):
    assert values.checkbox(raw) is expected


def test_checkbox_invalid():
    assert problem(values.checkbox, "maybe").code == "checkbox.invalid"
