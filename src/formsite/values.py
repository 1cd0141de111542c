"""Normalisers: what people type → exact typed values, or a coded Chinese error.

Each normaliser takes the raw input (usually a string from a form field) and returns the typed
value, or ``None`` for "left blank". Full-width digits, thousands separators and unit suffixes
are accepted; anything that cannot be understood raises :class:`PydanticCustomError` with a code
from :mod:`formsite.errors` saying why. Money is ``Decimal`` quantised to 0.01, never ``float``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import fail

MONEY_STEP = Decimal("0.01")
# 1e9 万元 (10 万亿元) is beyond any project; larger numbers are typing accidents.
MONEY_MAX = Decimal("999999999.99")
INTEGER_MAX = 10**12
TEXT_MAX = 200
LONGTEXT_MAX = 20000

# XML 1.0 forbids these; a DOCX containing them does not open. Reported as a warning.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def _clean_number_text(raw: str, units: tuple[str, ...]) -> str:
    """NFKC (full-width → ASCII), drop spaces and a trailing unit such as 万元 or ㎡."""
    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "").replace("\u3000", "")
    text = text.replace("，", ",").replace("。", ".")
    for unit in sorted(units, key=len, reverse=True):
        if unit and text.endswith(unit):
            text = text[: -len(unit)]
            break
    return text


_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_decimal(raw: Any, units: tuple[str, ...] = ()) -> Decimal | None:
    """A decimal number from text, int or Decimal. Floats only when they are finite."""
    if _is_blank(raw):
        return None
    if isinstance(raw, bool):
        fail("number.invalid", found=str(raw))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            fail("number.invalid", found=str(raw))
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            fail("number.invalid", found=str(raw))
        return raw
    if not isinstance(raw, str):
        fail("number.invalid", found=type(raw).__name__)
    text = _clean_number_text(raw, units)
    if "," in text:
        if not _GROUPED.match(text):
            fail("number.grouping", found=raw)
        text = text.replace(",", "")
    if not _PLAIN.match(text):
        fail("number.invalid", found=raw)
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above already excludes these
        fail("number.invalid", found=raw)


def _decimal_places(value: Decimal) -> int:
    """Decimal places that matter (1.500 has 1). Counted on the digits, never by quantize():
    quantize raises InvalidOperation once a number has more digits than the context precision
    (e.g. a pasted 30-digit amount with three decimals)."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    places, end = -exponent, len(digits)
    while places > 0 and end > 0 and digits[end - 1] == 0:
        places, end = places - 1, end - 1
    return places


def _check_range(value: Decimal, lo: Decimal | None, hi: Decimal | None, raw: Any) -> None:
    if lo is not None and value < lo:
        fail("number.too_small", found=raw, min=_plain(lo))
    if hi is not None and value > hi:
        fail("number.too_large", found=raw, max=_plain(hi))


def _plain(value: Decimal | int) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def money(raw: Any, *, signed: bool = False, lo=None, hi=None) -> Decimal | None:
    value = parse_decimal(raw, ("万元", "万"))
    if value is None:
        return None
    if _decimal_places(value) > 2:
        fail("money.decimals", found=raw)
    if not signed and value < 0:
        fail("money.negative", found=raw)
    if abs(value) > MONEY_MAX:
        fail("number.too_large", found=raw, max=_plain(MONEY_MAX))
    _check_range(value, _dec(lo), _dec(hi), raw)
    return value.quantize(MONEY_STEP) + Decimal("0.00")  # -0.00 → 0.00


def area(raw: Any, *, lo=None, hi=None, **_: Any) -> Decimal | None:
    value = parse_decimal(raw, ("平方米", "㎡", "m²", "m2", "平米"))
    if value is None:
        return None
    if value < 0:
        fail("number.negative", found=raw)
    if _decimal_places(value) > 2:
        fail("area.decimals", found=raw)
    _check_range(value, _dec(lo), _dec(hi) if hi is not None else Decimal(10**9), raw)
    return value.quantize(MONEY_STEP) if value != value.to_integral_value() else value.quantize(1)


def percent(raw: Any, *, lo=None, hi=None, **_: Any) -> Decimal | None:
    value = parse_decimal(raw, ("%", "％"))
    if value is None:
        return None
    if _decimal_places(value) > 2:
        fail("percent.decimals", found=raw)
    _check_range(value, _dec(lo) if lo is not None else Decimal(0),
                 _dec(hi) if hi is not None else Decimal(100), raw)
    # to_integral_value, not normalize(): normalize turns 50 into 5E+1.
    return value.to_integral_value() if value == value.to_integral_value() else value


def integer(raw: Any, *, lo=None, hi=None, **_: Any) -> int | None:
    value = parse_decimal(raw, ("家", "个", "款", "人", "次"))
    if value is None:
        return None
    if value != value.to_integral_value():
        fail("integer.invalid", found=raw)
    if value < 0:
        fail("number.negative", found=raw)
    if value > INTEGER_MAX:
        fail("number.too_large", found=raw, max=str(INTEGER_MAX))
    _check_range(value, _dec(lo), _dec(hi), raw)
    return int(value)


def _dec(bound: float | int | None) -> Decimal | None:
    return None if bound is None else Decimal(str(bound))


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


def a_date(raw: Any, **_: Any) -> date | None:
    if _is_blank(raw):
        return None
    if isinstance(raw, date):
        return raw
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    match = _DATE.match(text)
    if not match or not 1900 <= int(match[1]) <= 2200:
        fail("date.invalid", found=raw)
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        fail("date.invalid", found=raw)


def year_month(raw: Any, **_: Any) -> str | None:
    """Normalised to ``YYYY-MM`` (strings of that shape compare in time order)."""
    if _is_blank(raw):
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    match = _YEAR_MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2200:
        fail("year_month.invalid", found=raw)
    return f"{int(match[1]):04d}-{int(match[2]):02d}"


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3})-?([1-9]\d{6,7})(?:(?:-|转)(\d{1,6}))?$")


def phone(raw: Any, **_: Any) -> str | None:
    """Mainland mobile (11 digits) or landline with area code, e.g. 0571-87050825."""
    if _is_blank(raw):
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    text = re.sub(r"[\s]", "", text)
    text = re.sub(r"^\((0\d{2,3})\)", r"\1-", text)
    text = text.removeprefix("+86").removeprefix("86-") if text.startswith(("+86", "86-")) else text
    if _MOBILE.match(text.replace("-", "")) and not text.startswith("0"):
        return text.replace("-", "")
    match = _LANDLINE.match(text)
    if match:
        return f"{match[1]}-{match[2]}" + (f"-{match[3]}" if match[3] else "")
    fail("phone.invalid", found=raw)


CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters."""
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code(raw: Any, **_: Any) -> str | None:
    if _is_blank(raw):
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(" ", "").upper()
    if len(text) != 18:
        fail("credit_code.length", found=raw, length=str(len(text)))
    bad = sorted({c for c in text if c not in CREDIT_CODE_CHARS})
    if bad:
        fail("credit_code.chars", found=raw, chars="、".join(bad))
    expected = credit_code_check_char(text[:17])
    if text[17] != expected:
        fail("credit_code.check", found=raw, check=expected, last=text[17])
    return text


def text(raw: Any, *, max_length: int | None = None, long: bool = False, **_: Any) -> str | None:
    if _is_blank(raw):
        return None
    if not isinstance(raw, str):
        if isinstance(raw, int | Decimal) and not isinstance(raw, bool):
            raw = str(raw)
        else:
            fail("text.invalid", found=type(raw).__name__)
    value = raw.strip()
    limit = max_length or (LONGTEXT_MAX if long else TEXT_MAX)
    if len(value) > limit:
        fail("text.too_long", found=f"{len(value)}字", max=str(limit))
    return value


def choice(raw: Any, *, options: tuple[str, ...], **_: Any) -> str | None:
    if _is_blank(raw):
        return None
    if raw not in options:
        fail("choice.invalid", found=str(raw)[:50])
    return raw


def multichoice(raw: Any, *, options: tuple[str, ...], **_: Any) -> list[str] | None:
    if raw is None or raw == []:
        return None
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        fail("choice.invalid", found=str(raw)[:50])
    unknown = [v for v in raw if v not in options]
    if unknown:
        fail("choice.invalid", found="、".join(unknown)[:50])
    # Keep the definition's order, drop duplicates: the printout lists them in the same order.
    return [o for o in options if o in raw]


def checkbox(raw: Any, **_: Any) -> bool | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return raw
    if raw in ("true", "是", "1", 1):
        return True
    if raw in ("false", "否", "0", 0):
        return False
    fail("checkbox.invalid", found=str(raw)[:50])


NORMALISERS = {
    "text": text,
    "longtext": lambda raw, **kw: text(raw, long=True, **kw),
    "money": money,
    "integer": integer,
    "area": area,
    "percent": percent,
    "date": a_date,
    "year_month": year_month,
    "phone": phone,
    "credit_code": credit_code,
    "choice": choice,
    "multichoice": multichoice,
    "checkbox": checkbox,
}
