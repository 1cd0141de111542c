"""Normalisers: what people type → exact typed values, or a coded Chinese error.

Each normaliser takes the raw input (usually a string from a form field) and returns the typed
value, or ``None`` for "left blank". Anything that cannot be understood raises
:class:`~formsite.errors.ValueProblem` with a code from :mod:`formsite.errors` saying why. Money
is ``Decimal`` quantised to 0.01, never ``float``.

The accepted syntax is explicit and depends on no Unicode database, so CPython and Pyodide (which
ship different Unicode versions) and the page's script read every input the same way:

1. **Typed forms** (:data:`TYPED_FORMS`, applied with one ``str.translate`` table): the full-width
   ASCII forms U+FF01–U+FF5E become ASCII (``１２３．４５`` → ``123.45``, ``１，０００`` →
   ``1,000``, ``（０５７１）`` → ``(0571)``); U+3000 ideographic space and U+00A0 no-break space
   become a space; ``。`` (the Chinese full stop typed for a decimal point) becomes ``.``.
   Nothing else is mapped: no NFKC, so superscripts (``1000²``), circled digits and the digits
   of other scripts (Arabic-Indic ``٣``, Devanagari ``३``, Thai ``๓`` …) stay what they are
   and are rejected.
2. **Trimming**: the characters of :data:`WHITESPACE` (an explicit list) are removed at both
   ends. Blank after trimming means "left blank".
3. **Numbers** (money, integer, area, percent), after 1 and 2 and after dropping every space::

       number   = [sign] digits [unit]
       sign     = "+" | "-"
       digits   = int ["." [frac]] | "." frac
       int      = DIGIT+ | DIGIT{1,3} ("," DIGIT{3})+     ; thousands commas: groups of three
       frac     = DIGIT+
       DIGIT    = "0" … "9"                                 ; ASCII only
       unit     = one suffix of the field's type (:data:`UNITS`; money: 万元 万; area: 平方米
                  ㎡ m² m2 平米; percent: %; integer: 家 个 款 人 次)

   Spaces are dropped wherever they stand, so digit groups and the unit may be spaced out
   (``1 000``, ``800 m²``, ``1\u3000000``); a tab, a line break, a thin space or any other
   character inside is not a number. A comma anywhere that is not a
   thousands separator in the places above is ``number.grouping`` (``1,00``, ``1.000,5``); any
   other text is ``number.invalid`` (``5%`` as money, ``100家`` as money, ``1e5``, ``NaN``).
4. **Dates** ``YYYY-M-D`` with ``-``, ``/``, ``.`` or ``年…月…日`` (spaces allowed around the
   separators), **year-months** ``YYYY-M`` / ``YYYY年M月``, **phone numbers** (spaces and hyphens
   as separators, ``(0571)`` area codes, ``+86``) and **credit codes** (spaces dropped, ASCII
   letters upper-cased) use the same steps 1 and 2 and ASCII digits only.

Lists and objects where a value is expected (foreign JSON) are quoted in messages as JSON
(:func:`shown`), never as ``repr()``, whose escaping follows the Unicode database too.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import LONE_SURROGATE, fail

MONEY_STEP = Decimal("0.01")
# 1e9 万元 (10 万亿元) is beyond any project; larger numbers are typing accidents.
MONEY_MAX = Decimal("999999999.99")
INTEGER_MAX = 10**12
TEXT_MAX = 200
LONGTEXT_MAX = 20000

# XML 1.0 forbids these; a DOCX containing them does not open. Reported as a warning.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# The one mapping from typed forms to what the grammars below read (see the module docstring).
# Plain data, so the page's script can be generated from it.
TYPED_FORMS: dict[str, str] = {
    **{chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)},  # ！…～ → !…~
    "\u3000": " ",  # ideographic space
    "\u00a0": " ",  # no-break space
    "。": ".",  # ideographic full stop typed as a decimal point
}
_TYPED = str.maketrans(TYPED_FORMS)

# Trimmed at both ends of every value: the characters CPython 3.13 calls whitespace
# (ASCII whitespace, the information separators U+001C–U+001F, NEL, no-break and ideographic
# spaces, the Unicode space separators and line/paragraph separators), spelled out so no
# Unicode database decides.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)

# The unit suffixes a number of each type may end with, as they read after the typed forms are
# mapped (so "％" and "ｍ２" are "%" and "m2" by then).
UNITS: dict[str, tuple[str, ...]] = {
    "money": ("万元", "万"),
    "area": ("平方米", "㎡", "m²", "m2", "平米"),
    "percent": ("%",),
    "integer": ("家", "个", "款", "人", "次"),
}

_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def typed_text(raw: str) -> str:
    """Steps 1 and 2 of the module docstring: typed forms mapped, whitespace trimmed."""
    return raw.translate(_TYPED).strip(WHITESPACE)


def is_blank(raw: Any) -> bool:
    """``None``, or a string of nothing but :data:`WHITESPACE`: the field was left blank."""
    return raw is None or (isinstance(raw, str) and raw.strip(WHITESPACE) == "")


_is_blank = is_blank


def shown(raw: Any) -> str:
    """What was typed, as quoted in a message. Lists and objects (foreign JSON) as JSON text:
    ``str()`` would give their ``repr()``, which escapes the characters the running Python's
    Unicode database does not call printable, so CPython 3.13 and Pyodide's 3.14 would quote
    (and count) the same input differently."""
    if isinstance(raw, str):
        return raw
    if raw is None or isinstance(raw, bool | int | float | Decimal | date):
        return str(raw)
    try:
        return json.dumps(raw, ensure_ascii=False, default=lambda v: type(v).__name__)
    except (TypeError, ValueError, RecursionError):  # e.g. a circular or absurdly deep structure
        return type(raw).__name__


def _typed_string(raw: Any, code: str) -> str:
    """A string or a number as text; anything else (a list, an object, true/false) is ``code``."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return str(raw)
    fail(code, found=shown(raw))


def _clean_number_text(raw: str, units: tuple[str, ...]) -> str:
    """Typed forms mapped, trimmed, spaces dropped, one trailing unit such as 万元 or ㎡ removed."""
    text = typed_text(raw).replace(" ", "")
    for unit in sorted(units, key=len, reverse=True):
        if unit and text.endswith(unit):
            text = text[: -len(unit)]
            break
    return text


# Used with fullmatch(): "$" would also match before a final line break.
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
_PLAIN = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


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
        if not _GROUPED.fullmatch(text):
            fail("number.grouping", found=raw)
        text = text.replace(",", "")
    if not _PLAIN.fullmatch(text):
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
    value = parse_decimal(raw, UNITS["money"])
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
    value = parse_decimal(raw, UNITS["area"])
    if value is None:
        return None
    if value < 0:
        fail("number.negative", found=raw)
    if _decimal_places(value) > 2:
        fail("area.decimals", found=raw)
    _check_range(value, _dec(lo), _dec(hi) if hi is not None else Decimal(10**9), raw)
    return value.quantize(MONEY_STEP) if value != value.to_integral_value() else value.quantize(1)


def percent(raw: Any, *, lo=None, hi=None, **_: Any) -> Decimal | None:
    value = parse_decimal(raw, UNITS["percent"])
    if value is None:
        return None
    if _decimal_places(value) > 2:
        fail("percent.decimals", found=raw)
    _check_range(value, _dec(lo) if lo is not None else Decimal(0),
                 _dec(hi) if hi is not None else Decimal(100), raw)
    # to_integral_value, not normalize(): normalize turns 50 into 5E+1.
    return value.to_integral_value() if value == value.to_integral_value() else value


def integer(raw: Any, *, lo=None, hi=None, **_: Any) -> int | None:
    value = parse_decimal(raw, UNITS["integer"])
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


_DATE = re.compile(r"([0-9]{4}) *[-/.年] *([0-9]{1,2}) *[-/.月] *([0-9]{1,2}) *日?")
_YEAR_MONTH = re.compile(r"([0-9]{4}) *[-/.年] *([0-9]{1,2}) *月?")


def a_date(raw: Any, **_: Any) -> date | None:
    if _is_blank(raw):
        return None
    if isinstance(raw, date):
        return raw
    match = _DATE.fullmatch(typed_text(_typed_string(raw, "date.invalid")))
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
    match = _YEAR_MONTH.fullmatch(typed_text(_typed_string(raw, "year_month.invalid")))
    if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2200:
        fail("year_month.invalid", found=raw)
    return f"{int(match[1]):04d}-{int(match[2]):02d}"


_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"(0[0-9]{2,3})-?([1-9][0-9]{6,7})(?:(?:-|转)([0-9]{1,6}))?")
_AREA_CODE_IN_PARENS = re.compile(r"^\((0[0-9]{2,3})\)")


def phone(raw: Any, **_: Any) -> str | None:
    """Mainland mobile (11 digits) or landline with area code, e.g. 0571-87050825."""
    if _is_blank(raw):
        return None
    text = typed_text(_typed_string(raw, "phone.invalid")).replace(" ", "")
    text = _AREA_CODE_IN_PARENS.sub(r"\1-", text)
    text = text.removeprefix("+86").removeprefix("86-") if text.startswith(("+86", "86-")) else text
    if _MOBILE.fullmatch(text.replace("-", "")) and not text.startswith("0"):
        return text.replace("-", "")
    match = _LANDLINE.fullmatch(text)
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
    # Not a string at all (a list, an object): "should be text", not a length or a character.
    text = typed_text(_typed_string(raw, "text.invalid")).replace(" ", "").translate(_ASCII_UPPER)
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
    value = raw.strip(WHITESPACE)
    surrogates = LONE_SURROGATE.findall(value)
    if surrogates:  # no document, file name or terminal can hold one
        fail("text.surrogates", count=str(len(surrogates)))
    limit = max_length or (LONGTEXT_MAX if long else TEXT_MAX)
    if len(value) > limit:
        fail("text.too_long", found=f"{len(value)}字", max=str(limit))
    return value


def choice(raw: Any, *, options: tuple[str, ...], **_: Any) -> str | None:
    if _is_blank(raw):
        return None
    if raw not in options:
        fail("choice.invalid", found=shown(raw)[:50])
    return raw


def multichoice(raw: Any, *, options: tuple[str, ...], **_: Any) -> list[str] | None:
    if raw is None or raw == []:
        return None
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        fail("choice.invalid", found=shown(raw)[:50])
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
    fail("checkbox.invalid", found=shown(raw)[:50])


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


def nothing_typed(raw: Any) -> bool:
    """A blank value (:func:`is_blank`), an unticked box or no choice made: what the page is
    told through ``Report.filled`` and what makes a table row blank."""
    return is_blank(raw) or raw is False or raw == []
