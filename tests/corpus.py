"""A seeded differential corpus of project dossiers (附件3 + 附件4), all mutations of one valid one.

``corpus(seed, size)`` starts from :func:`dossiers.valid_project_dossier` and returns ``size``
cases ``{"id", "dossier", "data"}``, the same list for the same seed:

* systematic cases: every field, row and form deleted; type swaps (str ↔ int / float / bool /
  list / dict / None) of every field, cell, table and form; every numeric threshold of the rule
  set (the ``min`` of each ``min_value`` check read from the loaded rule set, the pairs of the
  ``not_greater`` checks, the row limits of tables, the engine's own maxima) at exactly the
  threshold and ±0.01 and ±1; odd digits (full-width, superscripts, subscripts, circled,
  Arabic-Indic, Devanagari, Thai, mathematical, and digits that only Unicode 16 knows, on which
  CPython 3.13 and Pyodide's Python 3.14 disagree) in every kind of typed field; separators
  ("1,000.5", "1，000", "1 000", "1,00", "1.000,5"); whitespace at the ends and inside (tabs,
  U+3000, no-break and thin spaces, line breaks); long strings; control characters, lone
  surrogates, markup;
* random cases: two to four of those mutations at random places, plus random number strings
  put together from digits, separators, spaces and units, until ``size`` is reached.

Everything is plain JSON (no NaN, integers within ±2**53), so the page's script can be run
against the same file: ``python -m tests.corpus --out FILE [--with-verdicts]`` (or
``python tests/corpus.py …``) writes ``{"seed", "size", "cases": [{"id", "dossier", "data"}]}``
(ASCII JSON; lone surrogates as JSON escapes such as ``\\ud800``), plus ``"ruleset"`` and
``"normaliser_inputs"`` (:func:`normaliser_inputs`: raw values for each normaliser of
formsite.values on its own). With ``--with-verdicts`` each case also carries ``"verdict"``:
the CPython engine's ``{"report": {"ok", "errors", "warnings"}, "normalised": …}`` (or
``{"crash": "…"}``), and each normaliser input becomes ``{"input", "verdict"}`` with a verdict
per normaliser, as tests/support/differential.py computes them.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:  # run as `python -m tests.corpus` or `python tests/corpus.py`
    sys.path.insert(0, str(HERE))

from dossiers import VALID_CREDIT_CODE, valid_project_dossier  # noqa: E402

from formsite import values  # noqa: E402

DOSSIER = "project"
Path_ = tuple[str | int, ...]
Case = dict[str, Any]

# --- characters -----------------------------------------------------------------------------

_DIGIT_BASES = {
    "fullwidth": 0xFF10,
    "arabic-indic": 0x0660,
    "ext-arabic-indic": 0x06F0,
    "devanagari": 0x0966,
    "bengali": 0x09E6,
    "thai": 0x0E50,
    "lao": 0x0ED0,
    "myanmar": 0x1040,
    "math-bold": 0x1D7CE,
    "math-monospace": 0x1D7F6,
    # Decimal digits new in Unicode 16.0: digits for Python 3.14 (Pyodide), unassigned
    # characters for CPython 3.13. Anything that asks the Unicode database disagrees on them.
    "garay-u16": 0x10D40,
    "outlined-u16": 0x1CCF0,
    "kirat-rai-u16": 0x16D70,
}
_DIGIT_SETS = {
    "superscript": "⁰¹²³⁴⁵⁶⁷⁸⁹",
    "subscript": "₀₁₂₃₄₅₆₇₈₉",
    "circled": "⓪①②③④⑤⑥⑦⑧⑨",
    "dingbat": "🄋➊➋➌➍➎➏➐➑➒",
    **{name: "".join(chr(base + d) for d in range(10)) for name, base in _DIGIT_BASES.items()},
}
# In every typed field: full-width (accepted), superscripts, another script's digits, and the
# three sets that only Unicode 16 knows. Three more sets per field are chosen at random.
_ALWAYS_DIGITS = ("fullwidth", "superscript", "arabic-indic", "garay-u16", "outlined-u16",
                  "kirat-rai-u16")
# Letters whose case mapping is new in Unicode 16 (CYRILLIC SMALL LETTER TJE), or whose
# upper case is two letters (ß, ﬀ) or an ASCII letter (ı).
_ODD_LETTERS = ["\u1c8a", "ß", "ﬀ", "ı", "ſ", "ｍ"]
_SPACES = {"space": " ", "tab": "\t", "ideographic": "\u3000", "nbsp": "\u00a0", "thin": "\u2009",
           "em": "\u2003", "newline": "\n", "crlf": "\r\n", "zwsp": "\u200b", "nnbsp": "\u202f",
           "line-sep": "\u2028", "bom": "\ufeff"}
_CONTROL = {"nul": "\x00", "bell": "\x07", "esc": "\x1b", "unit-sep": "\x1f", "del": "\x7f",
            "nel": "\x85", "fffe": "\ufffe", "ffff": "\uffff", "rlo": "\u202e", "zwj": "\u200d",
            "lone-high": "\ud800", "lone-low": "\udfff", "combining": "e\u0301",
            "emoji": "😀", "u16-letter": "\u1c8a", "garay-digit": "\U00010d40"}
_HOSTILE_TEXT = ["<script>alert(1)</script>", "{label}{found}{max}", "%s%d", "\\u0000",
                 "\"'`", "]]>&amp;<w:p/>", "　", "null", "NaN", "0", "-1", "true"]


def _digits(text: str, table: str, *, last_only: bool = False) -> str:
    positions = [i for i, c in enumerate(text) if "0" <= c <= "9"]
    if last_only:
        positions = positions[-1:]
    out = list(text)
    for i in positions:
        out[i] = table[int(text[i])]
    return "".join(out)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- definitions ----------------------------------------------------------------------------


@cache
def _definitions() -> Any:
    from formsite.loader import default_paths, load_definitions

    return load_definitions(*default_paths(ROOT))


def rule_checks(definitions: Any, name: str) -> list[Any]:
    """The rule set's checks of kind ``name`` on this dossier's forms (the rule set also holds
    checks of the other dossiers)."""
    forms = set(definitions.dossiers[DOSSIER].forms)

    def ours(check: Any) -> bool:
        refs = [v for k, v in check.args.items() if k in ("field", "limit", "table") and isinstance(v, str)]
        return bool(refs) and all(ref.split(".")[0] in forms for ref in refs)

    return [c for c in definitions.ruleset.checks if c.check == name and ours(c)]


class _Schema:
    """What the corpus needs to know of the definitions: field types, thresholds, conditions."""

    def __init__(self, definitions: Any):
        self.definitions = definitions
        self.params: dict[str, Any] = dict(definitions.ruleset.parameters)
        self.forms = list(definitions.dossiers[DOSSIER].forms)
        self.fields: dict[str, Any] = {}  # "form.field" and "form.table.column" → FieldDef
        for form_id in self.forms:
            for fdef in definitions.forms[form_id].fields():
                self.fields[f"{form_id}.{fdef.id}"] = fdef
                for column in fdef.columns or []:
                    self.fields[f"{form_id}.{fdef.id}.{column.id}"] = column
        self.money_max = values.MONEY_MAX
        self.integer_max = values.INTEGER_MAX

    def _first_option(self, param: str) -> Any:
        """The first option of a (possibly dotted) parameter: a list, or a mapping of lists."""
        value: Any = self.params
        for key in param.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        while isinstance(value, dict | list) and value:
            value = next(iter(value.values())) if isinstance(value, dict) else value[0]
        return value if isinstance(value, str) else "测试"

    def type_of(self, ref: str) -> str:
        return self.fields[ref].type

    def param(self, value: Any) -> Any:
        return self.params[value[1:]] if isinstance(value, str) and value.startswith("$") else value

    def checks(self, name: str) -> list[Any]:
        return rule_checks(self.definitions, name)

    def absolute(self, ref: str, form_id: str) -> str:
        return ref if ref.split(".")[0] in self.forms else f"{form_id}.{ref}"

    def sum_leaves(self, ref: str) -> list[str]:
        """The table columns a computed field finally adds up."""
        fdef = self.fields[ref]
        if fdef.computed is None:
            return [ref]
        form_id = ref.split(".")[0]
        parts = getattr(fdef.computed, "sum", None) or []  # other computations: not followed
        return [leaf for part in parts for leaf in self.sum_leaves(self.absolute(part, form_id))]

    def filler(self, ref: str) -> Any:
        """A valid value for a field of this type (for fields the base dossier leaves out)."""
        fdef = self.fields[ref]
        if fdef.type in ("choice", "multichoice"):
            first = fdef.options[0].value if fdef.options else self._first_option(fdef.options_param)
            return first if fdef.type == "choice" else [first]
        return {"money": "100", "integer": "60", "area": "20000", "percent": "50", "text": "测试",
                "longtext": "测试内容", "date": "2024-12-31", "year_month": "2024-12",
                "phone": "13812345678", "credit_code": VALID_CREDIT_CODE,
                "checkbox": True}.get(fdef.type, "测试")


# --- paths ----------------------------------------------------------------------------------


def _get(data: Any, path: Path_) -> Any:
    for key in path:
        data = data[key]
    return data


def _set(data: Any, path: Path_, value: Any) -> None:
    for key in path[:-1]:
        if isinstance(key, str) and not isinstance(data.get(key), dict | list):
            data[key] = {}
        data = data[key]
    data[path[-1]] = value


def _delete(data: Any, path: Path_) -> None:
    del _get(data, path[:-1])[path[-1]]


def _leaves(data: dict[str, Any]) -> list[Path_]:
    """Every field value and table cell of a dossier (tables themselves excluded)."""
    out: list[Path_] = []
    for form_id, form in data.items():
        for key, value in form.items():
            if isinstance(value, list) and all(isinstance(r, dict) for r in value):  # a table
                out += [(form_id, key, i, col) for i, row in enumerate(value) for col in row]
            else:
                out.append((form_id, key))
    return out


def _tables(data: dict[str, Any]) -> list[Path_]:
    return [(form_id, key) for form_id, form in data.items() for key, value in form.items()
            if isinstance(value, list) and all(isinstance(r, dict) for r in value)]


def _ref(path: Path_) -> str:
    """Definition reference of a data path: row indexes dropped."""
    return ".".join(str(p) for p in path if not isinstance(p, int))


def _path(ref: str, row: int = 0) -> Path_:
    parts = ref.split(".")
    return (parts[0], parts[1], row, parts[2]) if len(parts) == 3 else (parts[0], parts[1])


# --- the generator --------------------------------------------------------------------------

_SWAPS: dict[str, list[Any]] = {
    "int": [0, 1, 7, 1000, -5, 2**53 - 1],
    "float": [0.1, 2.5, 1000.005, -0.01, 1e300, 1e-7],
    "bool": [True, False],
    "list": [[], ["1"], [1, 2], [{"a": "b"}], ["showroom"]],
    "dict": [{}, {"value": "1"}, {"0": []}],
    "None": [None],
    "str": ["x", "1", "", "是", "2024-12-31", "showroom"],
}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if value is None:
        return "None"
    return {int: "int", float: "float", str: "str", list: "list", dict: "dict"}[type(value)]


class _Builder:
    def __init__(self, schema: _Schema, rng: random.Random):
        self.schema, self.rng = schema, rng
        self.base = valid_project_dossier()
        self.cases: list[Case] = []

    def add(self, case_id: str, data: Any) -> None:
        self.cases.append({"id": case_id, "dossier": DOSSIER, "data": data})

    def fresh(self) -> dict[str, Any]:
        return copy.deepcopy(self.base)

    def with_value(self, path: Path_, value: Any, data: dict[str, Any] | None = None) -> dict[str, Any]:
        data = self.fresh() if data is None else data
        _set(data, path, value)
        return data

    # -- deletions --------------------------------------------------------------------------
    def deletions(self) -> None:
        self.add("delete/everything", {})
        for form_id in self.base:
            data = self.fresh()
            del data[form_id]
            self.add(f"delete/form/{form_id}", data)
            data = self.fresh()
            data[form_id] = {}
            self.add(f"delete/form-content/{form_id}", data)
        for path in _leaves(self.base):
            data = self.fresh()
            _delete(data, path)
            self.add(f"delete/field/{'.'.join(map(str, path))}", data)
        for path in _tables(self.base):
            rows = _get(self.base, path)
            for i in range(len(rows)):
                data = self.fresh()
                del _get(data, path)[i]
                self.add(f"delete/row/{_ref(path)}.{i}", data)
            self.add(f"delete/all-rows/{_ref(path)}", self.with_value(path, []))

    # -- type swaps -------------------------------------------------------------------------
    def type_swaps(self) -> None:
        for path in _leaves(self.base):
            current = _kind(_get(self.base, path))
            # Two other kinds per value (all kinds over the dossier); the rest come at random.
            for kind in self.rng.sample([k for k in _SWAPS if k != current], 2):
                value = self.rng.choice(_SWAPS[kind])
                self.add(f"swap/{kind}/{'.'.join(map(str, path))}",
                         self.with_value(path, copy.deepcopy(value)))
        containers: list[Path_] = [(f,) for f in self.base] + _tables(self.base)
        for path in containers:
            for kind, pool in _SWAPS.items():
                if kind not in ("dict", "list"):
                    self.add(f"swap/{kind}/{_ref(path)}", self.with_value(path, pool[-1]))
            other = [] if isinstance(_get(self.base, path), dict) else {}
            self.add(f"swap/container/{_ref(path)}", self.with_value(path, other))
        for path in _tables(self.base):
            self.add(f"swap/row-str/{_ref(path)}", self.with_value(path, ["a row"]))
            self.add(f"swap/row-none/{_ref(path)}", self.with_value(path, [None]))
        for i, value in enumerate(([], "project", None, 5, True, [valid_project_dossier()])):
            self.add(f"swap/dossier/{i}-{_kind(value)}", value)

    # -- thresholds -------------------------------------------------------------------------
    def satisfy(self, data: dict[str, Any], condition: dict[str, Any], form_id: str) -> None:
        if "all" in condition:
            for part in condition["all"]:
                self.satisfy(data, part, form_id)
        elif "any" in condition:
            self.satisfy(data, condition["any"][0], form_id)
        elif "field" in condition:
            path = _path(self.schema.absolute(condition["field"], form_id))
            if condition.get("includes") is not None:
                current = data.get(path[0], {}).get(path[1])
                current = current if isinstance(current, list) else []
                _set(data, path, [*current, condition["includes"]]
                     if condition["includes"] not in current else current)
            else:
                _set(data, path, condition.get("equals"))

    def unsatisfy(self, data: dict[str, Any], condition: dict[str, Any], form_id: str) -> None:
        """Make ``condition`` false (a multichoice keeps at least one other option)."""
        if "all" in condition:
            self.unsatisfy(data, condition["all"][0], form_id)
        elif "any" in condition:
            for part in condition["any"]:
                self.unsatisfy(data, part, form_id)
        elif "field" in condition:
            ref = self.schema.absolute(condition["field"], form_id)
            if condition.get("includes") is not None:
                current = _get_or_none(data, _path(ref))
                kept = [v for v in current if v != condition["includes"]] \
                    if isinstance(current, list) else []
                if not kept:
                    options = [o.value for o in self.schema.fields[ref].options or []]
                    kept = [o for o in options if o != condition["includes"]][-1:]
                _set(data, _path(ref), kept)
            else:
                _set(data, _path(ref), not condition["equals"] if isinstance(condition["equals"], bool)
                     else None)

    def filled(self) -> dict[str, Any]:
        """The base with every min_value field at its threshold and required fields filled, so
        that one field moved across its threshold is the only difference."""
        data = self.fresh()
        for check in self.schema.checks("min_value"):
            ref = check.args["field"]
            if _get_or_none(data, _path(ref)) is None:
                _set(data, _path(ref), str(self.schema.param(check.args["min"])))
        for ref, fdef in self.schema.fields.items():
            if fdef.required and ref.count(".") == 1 and fdef.type != "table" \
                    and _get_or_none(data, _path(ref)) is None:
                _set(data, _path(ref), self.schema.filler(ref))
        return data

    def number_forms(self, value: Decimal, type_: str) -> Iterator[tuple[str, Any]]:
        """How a number is typed: plain, JSON number, grouped with unit, full-width."""
        plain = format(value, "f")
        yield "plain", plain
        yield "json", int(value) if value == value.to_integral_value() else float(plain)
        unit = {"money": "万元", "area": "㎡", "integer": "家", "percent": "%"}.get(type_, "")
        grouped = f"{value:,f}" if value == value.to_integral_value() else f"{value:,}"
        yield "grouped-unit", grouped + unit
        yield "fullwidth", _full_width(plain)

    def thresholds(self) -> None:
        deltas = [Decimal(d) for d in ("0", "-0.01", "0.01", "-1", "1")]
        for check in self.schema.checks("min_value"):
            ref = check.args["field"]
            threshold = Decimal(str(self.schema.param(check.args["min"])))
            type_ = self.schema.type_of(ref)
            condition = check.when.model_dump(by_alias=True, exclude_none=True) if check.when else {}
            for delta in deltas:
                forms = list(self.number_forms(threshold + delta, type_))
                chosen = forms if delta in (0, -1) else forms[:1]
                for form_name, typed in chosen:
                    data = self.filled()
                    self.satisfy(data, condition, ref.split(".")[0])
                    _set(data, _path(ref), typed)
                    self.add(f"threshold/{check.id}/{delta:+}/{form_name}", data)
            # The same value below the threshold with the check's condition not met.
            data = self.filled()
            _set(data, _path(ref), format(threshold - 1, "f"))
            self.unsatisfy(data, condition, ref.split(".")[0])
            self.add(f"threshold/{check.id}/-1/condition-unmet", data)
        for check in self.schema.checks("not_greater"):
            field, limit = check.args["field"], check.args["limit"]
            # Around the limit's own value in the base dossier when it is typed there (so
            # nothing else moves), else around 1000 put into both.
            typed_limit = self.schema.fields[limit].computed is None \
                and isinstance(_get_or_none(self.base, _path(limit)), str)
            base_value = values.money(_get(self.base, _path(limit))) if typed_limit else Decimal(1000)
            for delta in deltas:
                data = self.filled()
                if not typed_limit:
                    self.put_amount(data, limit, base_value)
                self.put_amount(data, field, base_value + delta)
                self.add(f"threshold/{check.id}/{delta:+}", data)
        # Field-level bounds and the engine's maxima (read from formsite.values).
        bounds: list[tuple[str, Decimal]] = [
            (ref, Decimal(str(getattr(fdef, side))))
            for ref, fdef in self.schema.fields.items() for side in ("min", "max")
            if getattr(fdef, side, None) is not None]
        # Fields the base dossier fills (so they are shown and checked), per type.
        present = {_ref(p) for p in _leaves(self.base)}
        money = sorted(r for r in present if self.schema.fields[r].type == "money")
        integers = sorted(r for r in present if self.schema.fields[r].type == "integer")
        percents = sorted(r for r in present if self.schema.fields[r].type == "percent")
        bounds += [(self.rng.choice(money), self.schema.money_max),
                   (self.rng.choice(integers), Decimal(self.schema.integer_max)),
                   (self.rng.choice(percents), Decimal(0)), (self.rng.choice(percents), Decimal(100))]
        for ref, bound in bounds:
            for delta in deltas:
                data = self.filled()
                _set(data, _path(ref), format(bound + delta, "f"))
                self.add(f"bound/{ref}/{bound}/{delta:+}", data)
        # Row limits of tables.
        for ref, fdef in self.schema.fields.items():
            if fdef.type != "table" or ref.count(".") != 1:
                continue
            template = dict(_get(self.base, _path(ref))[0]) if _get(self.base, _path(ref)) else {}
            for count in sorted({fdef.min_rows, max(fdef.min_rows - 1, 0), fdef.max_rows,
                                 fdef.max_rows + 1}):
                if count > 50 and not ref.endswith(".equipment"):
                    continue  # one large table is enough
                self.add(f"rows/{ref}/{count}",
                         self.with_value(_path(ref), [dict(template) for _ in range(count)]))

    def put_amount(self, data: dict[str, Any], ref: str, value: Decimal) -> None:
        """Make field ``ref`` (typed, or computed as a sum of table columns) equal ``value``."""
        leaves = self.schema.sum_leaves(ref)
        if leaves in ([ref], []) and ref.count(".") == 1:
            _set(data, _path(ref), format(value, "f"))
            return
        # Every table that is added up emptied; one row (the first row of the base, amounts
        # blank) carries the whole value.
        tables = {_path(leaf)[:2] for leaf in leaves}
        for table in tables:
            _set(data, table, [])
        table, column = _path(leaves[0])[:2], leaves[0].split(".")[2]
        row = dict((_get_or_none(self.base, table) or [{}])[0])
        row.update({leaf.split(".")[2]: "" for leaf in leaves if _path(leaf)[:2] == table})
        row[column] = format(value, "f")
        _set(data, table, [row])

    # -- typed text: digits, separators, whitespace -----------------------------------------
    def typed_fields(self) -> list[tuple[str, Path_]]:
        """One field per typed kind, as (type, path), from the base dossier."""
        seen: dict[str, Path_] = {}
        for path in _leaves(self.base):
            fdef = self.schema.fields.get(_ref(path))
            value = _get(self.base, path)
            if fdef is not None and isinstance(value, str) and value and fdef.type not in seen:
                seen[fdef.type] = path
        return sorted(seen.items())

    def odd_digits(self) -> None:
        for type_, path in self.typed_fields():
            if type_ in ("text", "longtext", "choice"):
                continue
            ascii_value = _ascii(_get(self.base, path))
            others = sorted(set(_DIGIT_SETS) - set(_ALWAYS_DIGITS))
            for name in [*_ALWAYS_DIGITS, *self.rng.sample(others, 3)]:
                self.add(f"digits/{name}/{type_}", self.with_value(path, _digits(ascii_value, _DIGIT_SETS[name])))
            for name in self.rng.sample(sorted(_DIGIT_SETS), 3):
                self.add(f"digits/{name}-last/{type_}",
                         self.with_value(path, _digits(ascii_value, _DIGIT_SETS[name], last_only=True)))
            self.add(f"digits/superscript-suffix/{type_}", self.with_value(path, ascii_value + "²"))
            if type_ == "credit_code":
                for letter in _ODD_LETTERS:
                    code = VALID_CREDIT_CODE.lower()
                    self.add(f"letters/{letter!a}/credit_code",
                             self.with_value(path, code[:9] + letter + code[10:]))
                    self.add(f"letters/{letter!a}-last/credit_code",
                             self.with_value(path, code[:17] + letter))

    _SEPARATED = ("1,000.5", "1，000", "1 000", "1,00", "1.000,5", "1,000,000", "1，000。5", "1,000.",
                  ",100", "1,,000", "1,0000", "1'000", "1_000", "1٬000", "1.000.000", "1·5",
                  "1．5", "1。5", "12,345.67万元", "+1,000", "-1,000", "1,000-", "(1,000)",
                  "1e3", "0x10", "١,٠٠٠", "1 000 000.5", "1\u2009000", "1\u202f000")

    def separators(self) -> None:
        numeric = [(t, p) for t, p in self.typed_fields() if t in ("money", "integer", "area", "percent")]
        for text in self._SEPARATED:
            for type_, path in self.rng.sample(numeric, 2):
                self.add(f"separators/{text!a}/{type_}", self.with_value(path, text))

    def whitespace(self) -> None:
        for type_, path in self.typed_fields():
            value = _get(self.base, path)
            middle = len(value) // 2
            for name in self.rng.sample(sorted(_SPACES), 5):
                space = _SPACES[name]
                self.add(f"space/{name}-ends/{type_}", self.with_value(path, space + value + space))
            if type_ in ("text", "longtext", "choice"):
                continue
            fixed = ("tab", "ideographic", "nbsp")
            for name in (*fixed, *self.rng.sample(sorted(set(_SPACES) - set(fixed)), 3)):
                space = _SPACES[name]
                self.add(f"space/{name}-inside/{type_}",
                         self.with_value(path, value[:middle] + space + value[middle:]))
            self.add(f"space/only/{type_}", self.with_value(path, " \t\u3000\u00a0\n"))

    # -- long strings and control characters ------------------------------------------------
    def long_and_control(self) -> None:
        for type_, path in self.typed_fields():
            value = _get(self.base, path)
            fdef = self.schema.fields[_ref(path)]
            limit = fdef.max_length or {"longtext": 20000}.get(type_, 200)
            for length in (limit, limit + 1, 100_000):
                self.add(f"long/{length}/{type_}", self.with_value(path, ("长" * length)[:length]))
            self.add(f"long/digits-400/{type_}", self.with_value(path, "9" * 400))
            self.add(f"long/decimals/{type_}", self.with_value(path, "1" * 30 + ".123"))
            for name in self.rng.sample(sorted(_CONTROL), 6):
                char = _CONTROL[name]
                where = self.rng.choice(["end", "start", "middle"])
                typed = {"end": value + char, "start": char + value,
                         "middle": value[:1] + char + value[1:]}[where]
                self.add(f"control/{name}-{where}/{type_}", self.with_value(path, typed))
            for i in self.rng.sample(range(len(_HOSTILE_TEXT)), 4):
                self.add(f"hostile/{i}/{type_}", self.with_value(path, _HOSTILE_TEXT[i]))
        # A non-string value containing characters whose printable status is new in Unicode 16.
        for type_, path in self.typed_fields():
            self.add(f"list-u16/{type_}", self.with_value(path, ["\u1c8a", "\U00010d40"]))
            self.add(f"dict-u16/{type_}", self.with_value(path, {"\u1c8a": "\U00010d40"}))
        # Characters outside the BMP: one code point each in Python, two UTF-16 units in JS.
        for type_, path in self.typed_fields():
            if type_ in ("text", "longtext"):
                limit = self.schema.fields[_ref(path)].max_length or {"longtext": 20000}.get(type_, 200)
                for length in (limit, limit + 1):
                    self.add(f"long/astral-{length}/{type_}", self.with_value(path, "😀" * length))
        # Deeply nested foreign JSON (the recursion limits of CPython and Pyodide differ).
        for type_, path in self.typed_fields():
            for depth in (100, 900):
                self.add(f"deep/{depth}/{type_}", self.with_value(path, _nested(depth)))
        self.add("deep/900/table", self.with_value(self.rng.choice(_tables(self.base)), _nested(900)))
        self.add("deep/900/form", self.with_value((self.rng.choice(list(self.base)),), _nested(900, {})))

    # -- random combinations ----------------------------------------------------------------
    def random_number(self) -> str:
        return _random_number(self.rng)

    def random_string(self) -> str:
        return _random_string(self.rng)

    def mutate(self, data: dict[str, Any]) -> str:
        """One random mutation of ``data`` in place; returns its description."""
        rng = self.rng
        leaves = _leaves(data) if all(isinstance(f, dict) for f in data.values()) else []
        if not leaves:
            return "none"
        path = rng.choice(leaves)
        ref, op = _ref(path), rng.choice(["delete", "swap", "number", "string", "threshold",
                                          "number", "number", "date", "row"])
        if op == "delete":
            _delete(data, path)
        elif op == "swap":
            kind = rng.choice(list(_SWAPS))
            _set(data, path, copy.deepcopy(rng.choice(_SWAPS[kind])))
            op = f"swap-{kind}"
        elif op == "number":
            numeric = [p for p in leaves if getattr(self.schema.fields.get(_ref(p)), "type", "")
                       in ("money", "integer", "area", "percent")]
            path = rng.choice(numeric or leaves)
            ref = _ref(path)
            _set(data, path, self.random_number())
        elif op == "string":
            _set(data, path, self.random_string())
        elif op == "threshold":
            check = rng.choice(self.schema.checks("min_value"))
            threshold = Decimal(str(self.schema.param(check.args["min"])))
            delta = Decimal(rng.choice(["0", "-0.01", "0.01", "-1", "1"]))
            ref = check.args["field"]
            if rng.random() < 0.7 and check.when is not None:
                self.satisfy(data, check.when.model_dump(by_alias=True, exclude_none=True), "project_info")
            _set(data, _path(ref), format(threshold + delta, "f"))
        elif op == "date":
            year = rng.choice(["1899", "1900", "2024", "2200", "2201", "２０２４", "٢٠٢٤", "24"])
            text = f"{year}{rng.choice(['-', '/', '.', '年', '－', ' - '])}{rng.randint(0, 13)}" \
                   f"{rng.choice(['-', '/', '月', '.'])}{rng.randint(0, 32)}{rng.choice(['', '日', ' '])}"
            dates = [p for p in leaves if getattr(self.schema.fields.get(_ref(p)), "type", "")
                     in ("date", "year_month")]
            path = rng.choice(dates or leaves)
            ref = _ref(path)
            _set(data, path, text if self.schema.fields.get(ref) is None
                 or self.schema.type_of(ref) == "date" else text.rsplit("月", 1)[0])
        else:
            tables = _tables(data)
            if tables:
                table = rng.choice(tables)
                ref = _ref(table)
                rows = _get(data, table)
                if rows and rng.random() < 0.5:
                    rows.append(copy.deepcopy(rng.choice(rows)))
                elif rows:
                    rows.pop(rng.randrange(len(rows)))
        return f"{op}:{ref}"

    def random_cases(self, count: int) -> None:
        for i in range(count):
            data = self.filled() if self.rng.random() < 0.3 else self.fresh()
            steps = [self.mutate(data) for _ in range(self.rng.randint(2, 4))]
            self.add(f"random/{i}/{';'.join(steps)}", data)


def _random_number(rng: random.Random) -> str:
    """A number as someone might type it: signs, groups, points, odd digits, units, spaces."""
    parts: list[str] = []
    if rng.random() < 0.2:
        parts.append(rng.choice(["+", "-", "－", "＋", " - "]))
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 12)))
    if rng.random() < 0.4:
        sep = rng.choice([",", "，", " ", "\u3000", "\u00a0", "\t", "'", ".", "，"])
        step = rng.choice([3, 3, 3, 2, 4])
        head = len(digits) % step or step
        groups = [digits[:head]] + [digits[i:i + step] for i in range(head, len(digits), step)]
        digits = sep.join(groups)
    parts.append(digits)
    if rng.random() < 0.5:
        parts.append(rng.choice([".", "．", "。", ",", "．"]))
        parts.append("".join(rng.choice("0123456789") for _ in range(rng.randint(0, 4))))
    text = "".join(parts)
    if rng.random() < 0.15:
        text = _digits(text, rng.choice(list(_DIGIT_SETS.values())), last_only=rng.random() < 0.5)
    if rng.random() < 0.3:
        text += rng.choice(["万元", "万", "㎡", "平方米", "m²", "m2", "ｍ２", "平米", "%", "％",
                            "家", "个", "款", "人", "次", "元", " 万元", "万元万元", "²"])
    if rng.random() < 0.2:
        space = rng.choice(list(_SPACES.values()))
        text = rng.choice([space + text, text + space, space + text + space])
    return text


def _random_string(rng: random.Random) -> str:
    """Up to 40 characters of text, spaces, markup, control characters, emoji and odd digits."""
    pool = ["安吉", "A", "z", "1", " ", "\u3000", "\t", "<", "&", "{", "}", "😀",
            *_CONTROL.values(), *_SPACES.values(), *(s[3] for s in _DIGIT_SETS.values())]
    return "".join(rng.choice(pool) for _ in range(rng.randint(0, 40)))


def _ascii(value: str) -> str:
    """The base value with its full-width forms as ASCII, so digit swaps reach every digit."""
    return "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in value)


def _nested(depth: int, inner: Any = "x") -> Any:
    for i in range(depth):
        inner = [inner] if i % 2 else {"k": inner}
    return inner


def _get_or_none(data: Any, path: Path_) -> Any:
    try:
        return _get(data, path)
    except (KeyError, IndexError, TypeError):
        return None


# Characters whose properties changed with Unicode 16 (new digits, a new case pair, new letters)
# and other look-alikes, for the normaliser sweep.
_U16 = "\u1c89\u1c8a\ua7cb\ua7cc\ua7dc\U00010d40\U00010d49\U0001ccf0\U00016d70\U00011bf0"
_LOOKALIKES = "−–—‐﹣＋٫٬·•∙⸱､、，。．‘’＇ʼ`´"
_VALID_SAMPLES = ("1,000.50万元", "１２３４５.６７", "-120.5", "1500㎡", "50%", "80家", "2024-12-31",
                  "2024年12月31日", "2024年3月", "2025-09", "0571-87050825", "(0571)87050825",
                  "+8613812345678", "138 1234 5678", VALID_CREDIT_CODE, VALID_CREDIT_CODE.lower(),
                  "是", "true", "showroom", "安吉县")


def normaliser_inputs(seed: int = 2024, size: int = 4000) -> list[Any]:
    """Raw inputs for every normaliser of formsite.values on its own: typed numbers, dates,
    phones and codes with characters swapped in, random strings of odd characters, and JSON
    values of every type. Deterministic for a seed."""
    rng = random.Random(seed)
    pool = ["0123456789", "０１２３４５６７８９", *_DIGIT_SETS.values(), _U16, _LOOKALIKES,
            ",.，。．+-－＋/年月日号转()（）", "万元㎡m²%％家个款人次平方米",
            "".join(_SPACES.values()), "".join(_CONTROL.values()), "aAzZßıﬀſｍＭ😀安"]
    chars = "".join(pool)
    out: list[Any] = []
    for kind, samples in _SWAPS.items():
        if kind != "str":
            out += [copy.deepcopy(v) for v in samples]
    out += [["\u1c8a", "\U00010d40"], {"\u1c8a": ["\U0001ccf0"]}, -0.0, 1e16, 2.0**53, 0.1 + 0.2]
    while len(out) < size:
        roll = rng.random()
        if roll < 0.3:
            out.append(_random_number(rng))
        elif roll < 0.7:
            text = list(rng.choice(_VALID_SAMPLES))
            for _ in range(rng.randint(1, 3)):
                where = rng.randrange(len(text) + 1)
                char = rng.choice(rng.choice(pool))
                if rng.random() < 0.5 and where < len(text):
                    text[where] = char
                else:
                    text.insert(where, char)
            out.append("".join(text))
        elif roll < 0.9:
            out.append("".join(rng.choice(chars) for _ in range(rng.randint(1, 12))))
        else:
            out.append(_random_string(rng))
    return out[:size]


SYSTEMATIC: tuple[Callable[[_Builder], None], ...] = (
    _Builder.deletions, _Builder.type_swaps, _Builder.thresholds, _Builder.odd_digits,
    _Builder.separators, _Builder.whitespace, _Builder.long_and_control)


def corpus(seed: int = 2024, size: int = 1200, definitions: Any = None) -> list[Case]:
    """``size`` mutated project dossiers, always the same for the same seed (and definitions).

    Systematic cases first (the valid dossier itself is the first), then random combinations,
    at least a tenth of ``size`` (at most 100). Should the systematic part not leave room for
    them (the dossier grew), a seeded sample of it is taken; the valid dossier and the
    threshold cases are always kept.
    """
    rng = random.Random(seed)
    builder = _Builder(_Schema(definitions or _definitions()), rng)
    builder.add("valid", builder.fresh())
    for generate in SYSTEMATIC:
        generate(builder)
    room = size - min(100, size // 10)
    if len(builder.cases) > room:
        kept = [i for i, c in enumerate(builder.cases) if c["id"] == "valid" or c["id"].startswith("threshold/")]
        others = sorted(set(range(len(builder.cases))) - set(kept))
        chosen = set(kept[:room]) | set(rng.sample(others, max(room - len(kept), 0)))
        builder.cases = [c for i, c in enumerate(builder.cases) if i in chosen]
    builder.random_cases(size - len(builder.cases))
    cases = builder.cases
    ids = [c["id"] for c in cases]
    assert len(set(ids)) == len(ids), "corpus ids must be unique"
    return cases


def write_corpus(path: Path, seed: int = 2024, size: int = 1200, with_verdicts: bool = False) -> int:
    """Write ``{"seed", "size", "ruleset", "cases": [...], "normaliser_inputs": [...]}`` as JSON
    (ASCII, lone surrogates escaped). ``ruleset`` names the rules the verdicts were made under."""
    definitions = _definitions()
    cases = corpus(seed, size, definitions)
    if with_verdicts:
        from support.differential import normaliser_verdicts, verdicts

        for case, result in zip(cases, verdicts(definitions.model_dump_json(by_alias=True), cases),
                                strict=True):
            case["verdict"] = json.loads(result)
    inputs: list[Any] = normaliser_inputs(seed)
    if with_verdicts:
        inputs = [{"input": raw, "verdict": json.loads(result)}
                  for raw, result in zip(inputs, normaliser_verdicts(inputs), strict=True)]
    ruleset = {"id": definitions.ruleset.id, "version": definitions.ruleset.version,
               "hash": definitions.ruleset_hash}
    document = {"seed": seed, "size": size, "ruleset": ruleset, "cases": cases,
                "normaliser_inputs": inputs}
    path.write_text(json.dumps(document, ensure_ascii=True), encoding="utf-8")
    return len(cases)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the differential corpus as JSON.")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--size", type=int, default=1200)
    parser.add_argument("--with-verdicts", action="store_true",
                        help="add the CPython engine's verdict to every case")
    args = parser.parse_args(argv)
    count = write_corpus(args.out, args.seed, args.size, args.with_verdicts)
    print(f"{count} cases → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
