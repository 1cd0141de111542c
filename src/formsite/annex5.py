"""附件5 浙江省跨境电商高质量发展试点重点项目清单: the city's summary list of key projects.

A 设区市 (or 义乌) hands the province one list of the projects its recommended counties put
forward (notice §四(二)).  Every figure in it was already typed once, in a project's 附件3 and
附件4; :func:`build_annex5` takes the projects' *normalised* data (``Report.normalised`` of the
``project`` dossier: money as "1000.50", months as "2024-03", choices as option values) and
produces the rows of the notice's 附件5, grouped by county with a subtotal per county and a
grand total, all exact :class:`~decimal.Decimal` sums.  The DOCX (``formsite.docx.annex5``)
and the spreadsheet (``formsite.xlsx``) are two printings of the same :class:`Annex5Table`.

How each column is filled (the notice's 填表说明 words are rule-set parameters, read from
``definitions.ruleset.parameters``, never written here):

* 项目类型: ``annex5_project_type_words`` (填表说明1), several joined with "、" in the
  填表说明's order;
* 企业类型: ``annex5_enterprise_type_words`` (填表说明3); 附件3's 其它 prints
  ``annex5_enterprise_type_other`` (其他);
* 开始/完成时间（年月）: "2024年3月", like 附件3's 项目起止时间; "2024.03" was not chosen
  because a spreadsheet reads "2024.10" as the number 2024.1;
* 当前实施进度（%）: the 项目实施进度 of the last progress-plan row whose deadline is on or
  before ``progress_as_of`` (the round's data cut-off, "数据截止到本年度12月底", 通知四(一));
  blank when the plan has no such row;
* 与支持内容相关费用 已开支 / 拟支出: 附件4's 累计 (``total_spent`` / ``total_planned``);
* 项目负责人及联系方式: 附件3's 项目负责人 and 联系电话; the number belongs to 附件3's 联系人,
  who is named when it is not the 项目负责人.

Pure standard library plus the definitions: it runs in CPython and in Pyodide alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from .definitions import Definitions
from .docx.fieldtext import format_month

__all__ = [
    "ANNEX5_COLUMNS",
    "SUM_KEYS",
    "Annex5Column",
    "Annex5Entry",
    "Annex5Row",
    "Annex5Table",
    "build_annex5",
    "cell_text",
]

ANNEX5_ANNEX = "附件5"
ANNEX5_TITLE = "浙江省跨境电商高质量发展试点重点项目清单"
ANNEX5_UNIT = "单位：万元"
NOTES_HEADING = "填表说明："


@dataclass(frozen=True, slots=True)
class Annex5Column:
    """One column of the notice's 附件5, left to right.  ``group`` is the heading that spans
    several columns in the first header row (与支持内容相关费用 over 已开支 / 拟支出)."""

    key: str
    label: str
    kind: Literal["int", "text", "money", "percent"] = "text"
    group: str | None = None


_COSTS = "与支持内容相关费用"

ANNEX5_COLUMNS: tuple[Annex5Column, ...] = (
    Annex5Column("number", "序号", "int"),
    Annex5Column("city", "设区市"),
    Annex5Column("county", "县（市、区）"),
    Annex5Column("project_name", "项目名称"),
    Annex5Column("org_name", "实施企业"),
    Annex5Column("build_content", "建设内容"),
    Annex5Column("total_investment", "总投资（投入）", "money"),
    Annex5Column("project_types", "项目类型"),
    Annex5Column("start_month", "开始时间（年月）"),
    Annex5Column("end_month", "完成时间（年月）"),
    Annex5Column("progress", "当前实施进度（%）", "percent"),
    Annex5Column("spent", "已开支", "money", group=_COSTS),
    Annex5Column("planned", "拟支出", "money", group=_COSTS),
    Annex5Column("subsidy", "申请补助资金", "money"),
    Annex5Column("leader", "项目负责人及联系方式"),
    Annex5Column("enterprise_type", "企业类型"),
    Annex5Column("address", "实施地点"),
)

# The columns summed in the subtotal and total rows.
SUM_KEYS: tuple[str, ...] = ("total_investment", "spent", "planned", "subsidy")
# A subtotal's or the total's label spans the columns up to and including this one, in print
# (formsite.docx.annex5) and in the page's preview alike.
LABEL_SPAN_UNTIL = "build_content"

Value = str | int | Decimal | None


@dataclass(frozen=True, slots=True)
class Annex5Entry:
    """One project of the list: the county that put it forward and the project dossier's
    normalised data ({"project_info": {...}, "fund_details": {...}})."""

    city: str
    county: str
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Annex5Row:
    """A row: a project (numbered), a county's subtotal or the grand total.  ``values`` maps
    column keys to str (text), int (序号) or Decimal (money, percent); None is blank."""

    kind: Literal["project", "subtotal", "total"]
    values: Mapping[str, Value]
    label: str = ""  # "安吉县小计" / "合计" for subtotal and total rows

    def get(self, key: str) -> Value:
        return self.values.get(key)


@dataclass(frozen=True, slots=True)
class Annex5Table:
    """The whole 附件5, ready to print: headings, rows in order, and the 填表说明."""

    rows: tuple[Annex5Row, ...]
    notes: tuple[str, ...]
    progress_as_of: str
    columns: tuple[Annex5Column, ...] = ANNEX5_COLUMNS
    annex: str = ANNEX5_ANNEX
    title: str = ANNEX5_TITLE
    unit: str = ANNEX5_UNIT
    notes_heading: str = NOTES_HEADING
    # What could not be read from an entry (a blank or unreadable figure), in Chinese, so the
    # city sees why a cell is empty or a total leaves a project out.
    gaps: tuple[str, ...] = field(default=())

    @property
    def projects(self) -> list[Annex5Row]:
        return [r for r in self.rows if r.kind == "project"]

    @property
    def total(self) -> Annex5Row:
        return self.rows[-1]


# --------------------------------------------------------------------------------------------
# Reading one project
# --------------------------------------------------------------------------------------------

_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _decimal(value: Any) -> Decimal | None:
    """A normalised amount ("1000.50") as Decimal; anything else is None."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            return None
    return None


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _form(data: Mapping[str, Any], form_id: str) -> Mapping[str, Any]:
    part = data.get(form_id) if isinstance(data, Mapping) else None
    return part if isinstance(part, Mapping) else {}


@dataclass(frozen=True, slots=True)
class _Words:
    project_types: Mapping[str, str]
    enterprise_types: Mapping[str, str]
    enterprise_other: str
    progress_as_of: str
    notes: tuple[str, ...]

    @classmethod
    def from_parameters(cls, params: Mapping[str, Any]) -> _Words:
        def mapping(key: str) -> dict[str, str]:
            value = params.get(key)
            if not isinstance(value, Mapping) or not value:
                raise ValueError(f"规则集参数 {key} 应为非空的映射（{{选项值: 填表说明用语}}），附件5无法生成。")
            return {str(k): str(v) for k, v in value.items()}

        as_of = str(params.get("progress_as_of", ""))
        if not _ISO_DATE.fullmatch(as_of):
            raise ValueError(f"规则集参数 progress_as_of 应为日期（如 2024-12-31），现为“{as_of}”，附件5无法生成。")
        types, enterprises = mapping("annex5_project_type_words"), mapping(
            "annex5_enterprise_type_words"
        )
        notes = (
            f"1.项目类型对应：{'、'.join(types.values())}",
            f"2.当前实施进度：{params.get('annex5_progress_note', '')}",
            f"3.企业类型：{'、'.join(enterprises.values())}",
            f"4.拟支出费用指{params.get('annex5_planned_from', '')}至"
            f"{params.get('planned_until', '')}前拟实施完成的项目相关支出费用预估值，"
            "项目已实施完成的不用填",
        )
        return cls(
            project_types=types,
            enterprise_types=enterprises,
            enterprise_other=str(params.get("annex5_enterprise_type_other", "")),
            progress_as_of=as_of,
            notes=notes,
        )


def _project_types(value: Any, words: Mapping[str, str]) -> str:
    picked = [str(v) for v in value] if isinstance(value, list) else ([] if not value else [str(value)])
    known = [words[k] for k in words if k in picked]  # the 填表说明's order
    unknown = [p for p in picked if p not in words]
    return "、".join(known + unknown)


def _enterprise_type(value: Any, words: _Words) -> str:
    text = _text(value)
    if not text:
        return ""
    return words.enterprise_types.get(text, words.enterprise_other)


def _current_progress(plan: Any, as_of: str) -> Decimal | None:
    """项目实施进度 of the last plan row due on or before ``as_of`` (ISO dates compare as text)."""
    best: tuple[str, int] | None = None
    progress: Decimal | None = None
    for i, row in enumerate(plan if isinstance(plan, list) else []):
        if not isinstance(row, Mapping):
            continue
        deadline = _text(row.get("deadline"))
        value = _decimal(row.get("progress"))
        if not _ISO_DATE.fullmatch(deadline) or deadline > as_of or value is None:
            continue
        if best is None or (deadline, i) >= best:
            best, progress = (deadline, i), value
    return progress


def _leader(info: Mapping[str, Any]) -> str:
    leader = _text(info.get("project_leader"))
    contact = _text(info.get("contact_person"))
    phone = _text(info.get("contact_phone"))
    if contact and contact != leader and phone:
        phone = f"联系人：{contact} {phone}"
    return "\n".join(part for part in (leader, phone) if part)


_LABELS = {c.key: c.label for c in ANNEX5_COLUMNS}

# Every field of the project dossier this module reads: the build refuses definitions in which
# one of them does not exist (formsite.documents.check_documents), and a test holds this list
# to the reads below.
READS: tuple[str, ...] = (
    "project_info.project_name", "project_info.org_name", "project_info.build_content",
    "project_info.total_investment", "project_info.project_types", "project_info.start_month",
    "project_info.end_month", "project_info.progress_plan", "project_info.progress_plan.deadline",
    "project_info.progress_plan.progress", "project_info.subsidy_requested",
    "project_info.enterprise_type", "project_info.build_address", "project_info.project_leader",
    "project_info.contact_person", "project_info.contact_phone",
    "fund_details.total_spent", "fund_details.total_planned",
)


def _project_values(entry: Annex5Entry, words: _Words, gaps: list[str]) -> dict[str, Value]:
    info = _form(entry.data, "project_info")
    funds = _form(entry.data, "fund_details")
    name = _text(info.get("project_name"))

    def money(key: str, *sources: tuple[Mapping[str, Any], str]) -> Decimal | None:
        for source, field_id in sources:
            value = _decimal(source.get(field_id))
            if value is not None:
                return value
        gaps.append(f"{entry.county}“{name or '未命名项目'}”：{_LABELS[key]}没有可用的数值，该格空白、不计入合计。")
        return None

    progress = _current_progress(info.get("progress_plan"), words.progress_as_of)
    if progress is None:
        gaps.append(
            f"{entry.county}“{name or '未命名项目'}”：进度计划中没有{words.progress_as_of}"
            "及以前的节点，当前实施进度空白。"
        )
    return {
        "city": entry.city,
        "county": entry.county,
        "project_name": name,
        "org_name": _text(info.get("org_name")),
        "build_content": _text(info.get("build_content")),
        "total_investment": money("total_investment", (info, "total_investment")),
        "project_types": _project_types(info.get("project_types"), words.project_types),
        "start_month": format_month(_text(info.get("start_month"))),
        "end_month": format_month(_text(info.get("end_month"))),
        "progress": progress,
        "spent": money("spent", (funds, "total_spent")),
        "planned": money("planned", (funds, "total_planned")),
        "subsidy": money("subsidy", (info, "subsidy_requested")),
        "leader": _leader(info),
        "enterprise_type": _enterprise_type(info.get("enterprise_type"), words),
        "address": _text(info.get("build_address")),
    }


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------


def _sums(rows: Sequence[Mapping[str, Value]]) -> dict[str, Value]:
    """Exact sums of the money columns ("0.1" + "0.2" = "0.30"); blanks are left out."""
    out: dict[str, Value] = {}
    for key in SUM_KEYS:
        total = Decimal("0.00")
        for row in rows:
            value = row.get(key)
            if isinstance(value, Decimal):
                total += value
        out[key] = total
    return out


def build_annex5(definitions: Definitions, entries: Iterable[Annex5Entry]) -> Annex5Table:
    """The 附件5 rows for ``entries``: grouped by county (counties in the order they first
    appear, projects in the order given), numbered 1..n, a subtotal row after each county and
    a grand total row at the end."""
    words = _Words.from_parameters(definitions.ruleset.parameters)
    groups: dict[tuple[str, str], list[Annex5Entry]] = {}
    for entry in entries:
        groups.setdefault((entry.city, entry.county), []).append(entry)
    gaps: list[str] = []
    rows: list[Annex5Row] = []
    all_projects: list[dict[str, Value]] = []
    number = 0
    for (city, county), members in groups.items():
        county_rows = []
        for entry in members:
            number += 1
            values = {"number": number, **_project_values(entry, words, gaps)}
            county_rows.append(values)
            rows.append(Annex5Row("project", values))
        subtotal = {"city": city, "county": county, **_sums(county_rows)}
        rows.append(Annex5Row("subtotal", subtotal, label=f"{county}小计"))
        all_projects += county_rows
    rows.append(Annex5Row("total", _sums(all_projects), label="合计"))
    return Annex5Table(
        rows=tuple(rows), notes=words.notes, progress_as_of=words.progress_as_of, gaps=tuple(gaps)
    )


def cell_text(value: Value) -> str:
    """A cell value as printed: text as is, money and percent: exact, two decimals for money ("1000.50")."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)
