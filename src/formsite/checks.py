"""Named checks: the Python behind every rule of a rule set.

A rule in ``rules/*.yaml`` names one of these checks, gives its arguments (field references and
parameters), a severity, a Chinese message and its source clause. Each check declares its
arguments as a pydantic model, so a wrong argument is a definition error at load time, and the
message placeholders it provides, so a template naming an unknown placeholder is one too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from .definitions import FieldRef
from .values import nothing_typed


@dataclass(frozen=True)
class Finding:
    """One place where a check failed. ``path`` is a data path like ``form.table.0.column``."""

    path: str
    found: Any = None
    expected: Any = None
    ctx: dict[str, Any] = field(default_factory=dict)


class Values:
    """Read access to a normalised dossier: ``form.field`` and ``form.table`` references."""

    def __init__(self, data: dict[str, dict[str, Any]]):
        self.data = data

    def get(self, ref: str) -> Any:
        form, _, rest = ref.partition(".")
        return (self.data.get(form) or {}).get(rest)

    def rows(self, ref: str) -> list[dict[str, Any]]:
        return self.get(ref) or []


class Args(BaseModel):
    """Arguments of a check. ``REFS`` name the arguments that are field references and
    ``COLUMNS`` those that name columns of the ``table`` argument, for reference checking."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    REFS: ClassVar[tuple[str, ...]] = ()
    COLUMNS: ClassVar[tuple[str, ...]] = ()

    def field_refs(self) -> list[str]:
        return [getattr(self, name) for name in self.REFS if getattr(self, name) is not None]

    def column_refs(self) -> list[str]:
        out: list[str] = []
        for name in self.COLUMNS:
            value = getattr(self, name)
            out.extend(value if isinstance(value, list) else [value])
        return out


@dataclass(frozen=True)
class CheckSpec:
    name: str
    run: Callable[[Any, Values, Callable[[str], str]], Iterator[Finding]]
    args: type[Args]
    placeholders: frozenset[str]
    doc: str
    # The fields it names are entries the person must make (a commitment to tick): they count
    # in the form's progress like required fields, and the page marks them required.
    asks_entry: bool = False


CHECKS: dict[str, CheckSpec] = {}
BASE_PLACEHOLDERS = frozenset({"label", "found", "expected"})


def check(name: str, args: type[Args], placeholders: tuple[str, ...] = (), *,
          asks_entry: bool = False):
    """Register a check under ``name``; its docstring becomes the rules reference text."""

    def register(fn):
        CHECKS[name] = CheckSpec(name, fn, args, BASE_PLACEHOLDERS | set(placeholders),
                                 (fn.__doc__ or "").strip(), asks_entry)
        return fn

    return register


# --- the checks -----------------------------------------------------------------------------


class MinValueArgs(Args):
    REFS = ("field",)
    field: FieldRef
    min: Decimal
    unit: str = ""


@check("min_value", MinValueArgs, ("min", "unit"))
def min_value(args: MinValueArgs, values: Values, label: Callable[[str], str]):
    """字段的值不得低于门槛（门槛来自规则集参数）。字段为空时不检查（由必填项负责）。"""
    value = values.get(args.field)
    if value is not None and Decimal(value) < args.min:
        yield Finding(args.field, value, f"不低于{fmt(args.min)}{args.unit}",
                      {"min": fmt(args.min), "unit": args.unit})


class NotGreaterArgs(Args):
    REFS = ("field", "limit")
    field: FieldRef
    limit: FieldRef


@check("not_greater", NotGreaterArgs, ("limit_label", "limit"))
def not_greater(args: NotGreaterArgs, values: Values, label: Callable[[str], str]):
    """字段的值不得大于另一字段（或计算字段）的值。两者都有值时才检查。"""
    value, limit = values.get(args.field), values.get(args.limit)
    if value is not None and limit is not None and value > limit:
        yield Finding(args.field, value, f"不大于{label(args.limit)}（{fmt(limit)}）",
                      {"limit_label": label(args.limit), "limit": fmt(limit)})


class DateOrderArgs(Args):
    REFS = ("start", "end")
    start: FieldRef
    end: FieldRef


@check("date_order", DateOrderArgs, ("start_label", "start", "end_label", "end"))
def date_order(args: DateOrderArgs, values: Values, label: Callable[[str], str]):
    """结束时间不得早于开始时间。"""
    start, end = values.get(args.start), values.get(args.end)
    if start is not None and end is not None and end < start:
        yield Finding(args.end, end, f"不早于{label(args.start)}（{fmt(start)}）",
                      {"start_label": label(args.start), "start": fmt(start),
                       "end_label": label(args.end), "end": fmt(end)})


class AffirmedArgs(Args):
    REFS = ("field",)
    field: FieldRef


@check("affirmed", AffirmedArgs, asks_entry=True)
def affirmed(args: AffirmedArgs, values: Values, label: Callable[[str], str]):
    """复选框必须勾选（承诺事项）。"""
    if values.get(args.field) is not True:
        yield Finding(args.field, "未勾选", "勾选")


class MonotonicArgs(Args):
    REFS = ("table", "limit")
    COLUMNS = ("order_by", "column")
    table: FieldRef
    order_by: str
    column: str
    limit: FieldRef | None = None


@check("monotonic_plan", MonotonicArgs, ("row", "previous", "limit_label", "limit"))
def monotonic_plan(args: MonotonicArgs, values: Values, label: Callable[[str], str]):
    """进度计划：某一累计列逐行不减少，且（给出 limit 时）不超过上限字段。

    只看 order_by 列（时间）已填写的行；时间先后由 rows_ascending 检查。
    """
    limit = values.get(args.limit) if args.limit else None
    previous: tuple[int, Any] | None = None
    for i, row in enumerate(values.rows(args.table)):
        value = row.get(args.column)
        if row.get(args.order_by) is None or value is None:
            continue
        path = f"{args.table}.{i}.{args.column}"
        ctx = {"row": i + 1, "previous": "", "limit_label": "", "limit": ""}
        if previous is not None and value < previous[1]:
            yield Finding(path, value, f"不少于第{previous[0] + 1}行（{fmt(previous[1])}）",
                          {**ctx, "previous": fmt(previous[1])})
        if limit is not None and value > limit:
            yield Finding(path, value, f"不超过{label(args.limit)}（{fmt(limit)}）",
                          {**ctx, "limit_label": label(args.limit), "limit": fmt(limit)})
        previous = (i, value)


class AscendingArgs(Args):
    REFS = ("table",)
    COLUMNS = ("column",)
    table: FieldRef
    column: str


@check("rows_ascending", AscendingArgs, ("row", "previous"))
def rows_ascending(args: AscendingArgs, values: Values, label: Callable[[str], str]):
    """表格某列（如截止日期）逐行严格递增；空值跳过。"""
    previous: tuple[int, Any] | None = None
    for i, row in enumerate(values.rows(args.table)):
        value = row.get(args.column)
        if value is None:
            continue
        if previous is not None and value <= previous[1]:
            yield Finding(f"{args.table}.{i}.{args.column}", value,
                          f"晚于第{previous[0] + 1}行（{fmt(previous[1])}）",
                          {"row": i + 1, "previous": fmt(previous[1])})
        previous = (i, value)


class RowsBeforeArgs(Args):
    REFS = ("table", "end")
    COLUMNS = ("column",)
    table: FieldRef
    column: str
    end: FieldRef


@check("rows_not_after", RowsBeforeArgs, ("row", "end_label", "end"))
def rows_not_after(args: RowsBeforeArgs, values: Values, label: Callable[[str], str]):
    """表格某日期列不晚于另一字段（日期，或年月：按该月最后一天）。空值跳过。"""
    end = values.get(args.end)
    last_day = _month_end(end) if isinstance(end, str) else end
    if not isinstance(last_day, date):
        return
    for i, row in enumerate(values.rows(args.table)):
        value = row.get(args.column)
        if isinstance(value, date) and value > last_day:
            yield Finding(f"{args.table}.{i}.{args.column}", value, f"不晚于{fmt(end)}",
                          {"row": i + 1, "end_label": label(args.end), "end": fmt(end)})


def _month_end(year_month: str) -> date | None:
    if not _YEAR_MONTH.match(year_month):
        return None
    year, month = int(year_month[:4]), int(year_month[5:])
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


class RowAmountArgs(Args):
    REFS = ("table",)
    COLUMNS = ("columns",)
    table: FieldRef
    columns: list[str]


@check("row_has_amount", RowAmountArgs, ("row",))
def row_has_amount(args: RowAmountArgs, values: Values, label: Callable[[str], str]):
    """明细行至少在一个金额列中填写大于零的数额。空白行不检查。"""
    for i, row in enumerate(values.rows(args.table)):
        if is_blank_row(row):
            continue
        amounts = [row.get(c) for c in args.columns]
        if not any(a is not None and a > 0 for a in amounts):
            yield Finding(f"{args.table}.{i}.{args.columns[0]}", "空或零",
                          "至少一项金额大于零", {"row": i + 1})


# --- helpers --------------------------------------------------------------------------------


def is_blank_row(row: dict[str, Any]) -> bool:
    """Nothing typed in the row. An amount of 0 is something typed (``0 == False`` in Python,
    but ``0 is False`` is not)."""
    return all(nothing_typed(v) for v in row.values())


def fmt(value: Any) -> str:
    """How a value appears in a Chinese message or a printed form."""
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, str) and _YEAR_MONTH.match(value):
        return f"{value[:4]}年{int(value[5:])}月"
    return str(value)


_YEAR_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}$")
