"""Every coded message of the engine, in one place, and the one shape issues come out in.

Field-level messages live here; rule messages live with their rule in ``rules/*.yaml``. Each
message names the field by its official label, says what was expected and what was found.
Tests assert on ``code`` and ``path``, not on wording.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, NoReturn


class ValueProblem(Exception):
    """Raised by a normaliser; turned into a labelled pydantic error by the compiled model."""

    def __init__(self, code: str, ctx: dict[str, str]):
        self.code, self.ctx = code, ctx
        super().__init__(code)


def fail(code: str, **ctx: Any) -> NoReturn:
    raise ValueProblem(code, {k: _short(str(v)) for k, v in ctx.items()})


def _short(text: str, limit: int = 40) -> str:
    """Quote at most ``limit`` characters of what was typed: a pasted page is not a message."""
    return text if len(text) <= limit else text[:limit] + "…"


# code → (what was expected, sentence template). ``{found}`` is the raw input as typed.
FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("必填", "请填写{label}。"),
    "required_choice": ("选择", "请选择{label}。"),
    "required_rows": ("至少{min}行", "{label}至少需要填写{min}行。"),
    "too_many_rows": ("最多{max}行", "{label}最多{max}行，现有{found}行。"),
    # {label} of a cell already names the table, the row and the column.
    "row_required": ("必填", "请填写{label}。"),
    "number.invalid": ("数字", "{label}应填写数字，填写的是“{found}”。"),
    "number.grouping": ("正确的千分位", "{label}的千分位分隔符位置不对：“{found}”（例如 1,000.50）。"),
    "number.too_small": ("不小于{min}", "{label}不能小于{min}，填写的是“{found}”。"),
    "number.too_large": ("不大于{max}", "{label}不能大于{max}，填写的是“{found}”，请检查是否多输了位数。"),
    "number.negative": ("不小于0", "{label}不能为负数，填写的是“{found}”。"),
    "money.decimals": ("最多两位小数", "{label}以万元为单位，最多保留两位小数，填写的是“{found}”。"),
    "money.negative": ("不小于0", "{label}不能为负数，填写的是“{found}”。"),
    "area.decimals": ("最多两位小数", "{label}最多保留两位小数，填写的是“{found}”。"),
    "percent.decimals": ("最多两位小数", "{label}最多保留两位小数，填写的是“{found}”。"),
    "integer.invalid": ("整数", "{label}应填写整数，填写的是“{found}”。"),
    "date.invalid": ("日期，如 2024-12-31", "{label}应为有效日期（如 2024-12-31），填写的是“{found}”。"),
    "year_month.invalid": ("年月，如 2024-01", "{label}应为年月（如 2024-01 或 2024年1月），填写的是“{found}”。"),
    "phone.invalid": ("手机号或带区号的固定电话",
                      "{label}应为11位手机号或带区号的固定电话（如 0571-87050825），填写的是“{found}”。"),
    "credit_code.length": ("18位", "{label}应为18位，填写的是{length}位（“{found}”）。"),
    "credit_code.chars": ("数字或大写字母（不含I、O、Z、S、V）",
                          "{label}含有不允许的字符：{chars}（统一社会信用代码不使用I、O、Z、S、V）。"),
    "credit_code.check": ("校验位为{check}",
                          "{label}“{found}”的校验位不对：按GB 32100-2015应为“{check}”，实为“{last}”，请核对是否输错。"),
    "text.invalid": ("文字", "{label}应填写文字。"),
    "text.too_long": ("不超过{max}字", "{label}过长：最多{max}字，现有{found}。"),
    "text.control_chars": ("可打印字符", "{label}含有{count}个不可打印的控制字符，生成Word文档时将删除。"),
    "choice.invalid": ("列出的选项之一", "{label}的选项“{found}”不在可选范围内。"),
    "checkbox.invalid": ("勾选或不勾选", "{label}应为勾选或不勾选，填写的是“{found}”。"),
    "model.invalid": ("对象", "{label}的数据格式不对（应为对象）。"),
    "table.invalid": ("表格行列表", "{label}的数据格式不对（应为表格行列表）。"),
}


def field_message(code: str, label: str, ctx: dict[str, str]) -> tuple[str, str]:
    """(expected, message) for a field-level code, with the label and context filled in."""
    expected, template = FIELD_MESSAGES[code]
    values = {"label": label, **ctx}
    return expected.format_map(values), template.format_map(values)


@dataclass(frozen=True)
class Issue:
    """The one shape every problem is reported in: CLI --json, bundle manifest, the page."""

    path: str
    code: str
    severity: str  # "error" | "warning"
    message: str
    label: str
    expected: str
    found: str
    clause: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)
