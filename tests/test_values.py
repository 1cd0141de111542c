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


# --- explicit syntax: the same verdict in every Python, whatever its Unicode version ------
#
# values.py maps only full-width ASCII forms (U+FF01–U+FF5E), U+3000, U+00A0 and 。, trims an
# explicit list of whitespace and reads ASCII digits only. No NFKC: CPython 3.13 (Unicode 15.1)
# and Pyodide's 3.14 (Unicode 16) would otherwise disagree on what is a digit.

NUMBER_FNS = [values.money, values.integer, values.area, values.percent]


def test_no_unicode_database_in_the_grammar():
    import inspect
    import re

    source = inspect.getsource(values)
    assert "unicodedata" not in source and "\"NFKC\"" not in source
    # str methods that ask the Unicode database (strip() without a list of characters too).
    for call in (".isdigit(", ".isdecimal(", ".isnumeric(", ".isspace(", ".isalpha(", ".isalnum(",
                 ".isprintable(", ".upper()", ".lower()", ".casefold()", ".strip()", ".split()"):
        assert call not in source, call
    patterns = [v for v in vars(values).values() if isinstance(v, re.Pattern)]
    assert len(patterns) >= 6
    for pattern in patterns:
        assert "\\d" not in pattern.pattern and "\\s" not in pattern.pattern and "\\w" not in pattern.pattern


def test_typed_forms_table_is_exactly_full_width_ascii_and_three_more():
    full_width = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
    assert values.TYPED_FORMS == {**full_width, "\u3000": " ", "\u00a0": " ", "。": "."}
    assert values.TYPED_FORMS["０"] == "0" and values.TYPED_FORMS["～"] == "~"
    assert values.TYPED_FORMS["，"] == "," and values.TYPED_FORMS["．"] == "."


def test_whitespace_list_is_what_this_python_calls_whitespace():
    # Spelled out in values.py; today it is exactly str.isspace() of CPython 3.13.
    assert set(values.WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
    assert len(values.WHITESPACE) == len(set(values.WHITESPACE))


@pytest.mark.parametrize(
    ("fn", "raw", "expected"),
    [
        (values.money, "１，０００．５０", "1000.50"),
        (values.money, "＋５", "5.00"),
        (values.money, "－１２０．５", None),  # full-width minus: a negative amount
        (values.money, "１２０万元", "120.00"),
        (values.money, "12。5", "12.50"),  # 。typed for the decimal point
        (values.integer, "１２家", "12"),
        (values.integer, "１，２００", "1200"),
        (values.area, "１０００ｍ２", "1000"),
        (values.area, "１０００平方米", "1000"),
        (values.percent, "４０．５％", "40.5"),
    ],
)
def test_full_width_forms_accepted(fn, raw, expected):
    if expected is None:
        assert problem(fn, raw).code == "money.negative"
    else:
        assert str(fn(raw)) == expected


# Every character this Python calls a digit, except ASCII and full-width 0-9, is not a digit
# here: superscripts, subscripts, circled digits, other scripts' digits, mathematical digits.
FOREIGN_DIGITS = "".join(
    chr(c) for c in range(0x110000)
    if chr(c).isdigit() and not ("0" <= chr(c) <= "9" or "０" <= chr(c) <= "９"))


def test_there_are_many_foreign_digits():
    assert len(FOREIGN_DIGITS) > 500
    for sample in "²³¹⁰₃①⑴⒈❶٣۳३৩๓໓༣၃០᠓𝟑":
        assert sample in FOREIGN_DIGITS, sample


@pytest.mark.parametrize("fn", NUMBER_FNS)
def test_no_foreign_digit_is_a_number(fn):
    for digit in FOREIGN_DIGITS:
        for raw in (digit, "1" + digit, digit + "00", "1,00" + digit):
            with pytest.raises(ValueProblem) as caught:
                fn(raw)
            assert caught.value.code in {"number.invalid", "number.grouping"}, (fn, raw)


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        ("1000²", "superscript two (NFKC made this 10002)"),
        ("10³", "superscript three"),
        ("₁₀₀", "subscripts"),
        ("٣٠٠", "Arabic-Indic digits"),
        ("۳۰۰", "extended Arabic-Indic digits"),
        ("३००", "Devanagari digits"),
        ("๓๐๐", "Thai digits"),
        ("①⓪⓪", "circled digits"),
        ("⑴", "parenthesised digit"),
        ("𝟑𝟎𝟎", "mathematical bold digits"),
        ("1٬000", "Arabic thousands separator"),
        ("1\t000", "tab inside"),
        ("1\n000", "line break inside"),
        ("1\u2009000", "thin space inside (only U+3000 and U+00A0 count as spaces)"),
        ("1\u200b000", "zero-width space inside"),
        ("一百", "Chinese numerals"),
        ("1_000", "underscore (Decimal() would accept it)"),
        ("5e2", "exponent"),
        ("200元", "元 is not 万元"),
        ("万元200", "unit in front"),
        ("200万元万元", "unit twice"),
    ],
)
def test_odd_input_is_not_a_number(raw, what):
    for fn in NUMBER_FNS:
        err = problem(fn, raw)
        assert err.code == "number.invalid", (fn.__name__, what)
        assert err.ctx["found"] == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1\u00a0000", "1000.00"),  # no-break space inside: a space
        ("1\u3000000", "1000.00"),  # ideographic space inside: a space
        ("\t12\n", "12.00"),  # whitespace at the ends is trimmed
        ("\u3000１２\u3000", "12.00"),
        ("\u2003 12 \u2028", "12.00"),  # any listed whitespace at the ends
        ("1 000 000", "1000000.00"),
        ("1,000 万元", "1000.00"),
        ("1,000.5", "1000.50"),
        ("1，000", "1000.00"),
    ],
)
def test_spaces_and_separators_accepted(raw, expected):
    assert str(values.money(raw)) == expected


@pytest.mark.parametrize("raw", ["1.000,5", "1,00", "1,000,0", "1,,000", "1,000,", "1，00"])
def test_other_separators_are_a_grouping_error(raw):
    assert problem(values.money, raw).code == "number.grouping"


@pytest.mark.parametrize("raw", ["\t", "\u00a0", "\u3000\u3000", "\u2003", " \n\r "])
def test_only_whitespace_is_blank(raw):
    for fn in [*NUMBER_FNS, values.a_date, values.year_month, values.phone, values.credit_code,
               values.text]:
        assert fn(raw) is None, (fn, raw)


@pytest.mark.parametrize(
    ("fn", "accepted", "rejected"),
    [
        (values.money, {"200万元": "200.00", "200万": "200.00", "200 万元": "200.00"},
         ["5%", "100家", "12个", "1000㎡", "200元", "200万万"]),
        (values.area, {"1000平方米": "1000", "1000㎡": "1000", "1000m²": "1000", "1000m2": "1000",
                       "1000平米": "1000", "1000 m²": "1000"},
         ["1000万元", "1000%", "1000家", "1000²", "1000m", "1000平方"]),
        (values.percent, {"50%": "50", "50 ％": "50", "50": "50"},
         ["50万元", "50家", "50‰", "50 percent"]),
        (values.integer, {"80家": "80", "12个": "12", "5款": "5", "3人": "3", "2次": "2"},
         ["80万元", "80%", "80㎡", "80位"]),
    ],
)
def test_trailing_units_per_type(fn, accepted, rejected):
    for raw, expected in accepted.items():
        assert str(fn(raw)) == expected, raw
    for raw in rejected:
        assert problem(fn, raw).code == "number.invalid", raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("２０２４年\u30009月\u300030日", date(2024, 9, 30)), ("2024-12-31\t", date(2024, 12, 31)),
     ("2024\u00a0-\u00a012-31", date(2024, 12, 31))],
)
def test_date_spaces(raw, expected):
    assert values.a_date(raw) == expected


@pytest.mark.parametrize(
    "raw", ["٢٠٢٤-١٢-٣١", "२०२४-१२-३१", "2024-12-3¹", "2024-\t12-31", "2024-12-31\n日",
            "𝟐𝟎𝟐𝟒-12-31", "2024-①-31"])
def test_date_foreign_digits_and_tabs(raw):
    assert problem(values.a_date, raw).code == "date.invalid"


@pytest.mark.parametrize("raw", ["٢٠٢٤-١٢", "२०२४年३月", "2024-\t03", "2024-³", "๒๐๒๔/๑๒"])
def test_year_month_foreign_digits_and_tabs(raw):
    assert problem(values.year_month, raw).code == "year_month.invalid"


def test_year_month_spaces_accepted():
    assert values.year_month("2024年\u30003月") == "2024-03"
    assert values.year_month("\u00a02024-3 ") == "2024-03"


@pytest.mark.parametrize(
    "raw", ["١٣٨١٢٣٤٥٦٧٨", "१३८१२३४५६७८", "138\t1234\t5678", "1381234567⁸", "0571-8705082५"])
def test_phone_foreign_digits_and_tabs(raw):
    assert problem(values.phone, raw).code == "phone.invalid"


def test_phone_spaces_accepted():
    assert values.phone("138\u00a01234\u30005678") == "13812345678"
    assert values.phone("（０５７１）８７０５０８２５") == "0571-87050825"


def test_credit_code_typed_forms():
    code = "91330523MA2B3C4D5M"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    assert values.credit_code(full_width) == code
    assert values.credit_code(code[:9] + "\u3000" + code[9:]) == code
    # Only ASCII letters are upper-cased ("ß".upper() would be "SS", two characters).
    err = problem(values.credit_code, code[:17] + "ß")
    assert err.code == "credit_code.chars" and err.ctx["chars"] == "ß"
    err = problem(values.credit_code, code[:16] + "٥" + code[17])
    assert err.code == "credit_code.chars" and err.ctx["chars"] == "٥"
    assert problem(values.credit_code, code[:9] + "\t" + code[9:]).code == "credit_code.length"


def test_text_trims_the_listed_whitespace_only():
    assert values.text("\u3000安吉县\u00a0\t") == "安吉县"
    assert values.text("\ufeff安吉县") == "\ufeff安吉县"  # a BOM is not whitespace
    assert values.text("ＡＢＣ") == "ＡＢＣ"  # text keeps what was typed


# Lists and objects (foreign JSON) are quoted as JSON, never as repr(): repr() escapes what the
# running Python's Unicode database does not call printable, and U+1C8A (new in Unicode 16) is
# escaped by CPython 3.13 but not by Pyodide's 3.14. The differential corpus found this.
U16 = ["\u1c8a", "\U00010d40"]


def test_shown_is_json_for_lists_and_objects():
    assert values.shown(U16) == '["\u1c8a", "\U00010d40"]'
    assert values.shown({"a": U16}) == '{"a": ["\u1c8a", "\U00010d40"]}'
    assert values.shown("原样") == "原样"
    assert values.shown(True) == "True" and values.shown(12) == "12" and values.shown(None) == "None"
    assert values.shown({1: object()}) == '{"1": "object"}'


@pytest.mark.parametrize(
    ("fn", "code"),
    [(values.a_date, "date.invalid"), (values.year_month, "year_month.invalid"),
     (values.phone, "phone.invalid"), (values.credit_code, "text.invalid")],
)
@pytest.mark.parametrize("raw", [U16, {"\u1c8a": "x"}, True, ["2024-12-31"]])
def test_lists_and_objects_are_not_typed_text(fn, code, raw):
    err = problem(fn, raw)
    assert err.code == code
    assert err.ctx["found"] == values.shown(raw)
    assert "\\u" not in err.ctx["found"]


def test_numbers_are_typed_text():
    assert values.phone(13812345678) == "13812345678"
    assert problem(values.a_date, 20241231).ctx["found"] == "20241231"


@pytest.mark.parametrize(
    ("fn", "kwargs"),
    [(values.choice, {"options": ("a",)}), (values.multichoice, {"options": ("a",)}),
     (values.checkbox, {})],
)
def test_choices_quote_foreign_json_as_json(fn, kwargs):
    err = problem(fn, {"k": U16}, **kwargs)
    assert err.ctx["found"] == '{"k": ["\u1c8a", "\U00010d40"]}'[:50]
