"""The county's annexes as Word files: 附件1 工作总结和工作计划 and 附件2 重点项目申报表.

* ``render_county_summary`` — 附件1, which the notice does not attach (DESIGN §3.5): a report in
  the GB/T 9704 style, "附件1" top left, the title with the county's name, the quantitative
  indicators as a table (one value row and one growth row per indicator, the unit per row from
  the field's ``unit``), then the narrative sections as numbered headings with paragraphs, the
  sign-off "<县>商务局（盖章）", a blank date and the contact line as a 附注.
* ``render_key_projects`` — one 附件2 per row of the county's ``key_projects`` table (one row
  per attached project bundle), mirroring the notice's table: 所在地区 / 联系人 / 联系电话 /
  项目名称 / 目标体系 / 工作体系 / 政策体系 / 工作保障, the 特别注意 statement and the stamp
  block of the 商务局 and the 财政局.  所在地区 and 项目名称 are the project's own 附件3 data
  (the table's read-only columns, which the engine fills from the attached bundle).

Labels, units, years and help texts come from the definitions (the indicator table's year
headings follow the rule set's ``summary_years`` and ``plan_year``), values from the dossier
through :class:`~formsite.docx.fieldtext.DossierText` (normalised when valid, as typed when not);
growth rates are the engine's computed values, printed "12.50%", or "—" when the engine could
not compute one (a base of 0 or a missing figure).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..compiler import CompiledDossier
from ..definitions import FieldDef, FormDef
from ..definitions import Section as FormSection
from .annexes import (
    BODY_PT,
    FANGSONG,
    HEITI,
    NARROW_PT,
    TABLE_PT,
    AnnexDocument,
    _annex_label,
    _exact_columns,
    _fit_label,
    _line,
    _lines,
    _long_text,
    _p,
    _text_width_mm,
    _title,
)
from .fieldtext import DossierText
from .ooxml import (
    Border,
    Cell,
    CellBorders,
    Document,
    Paragraph,
    Row,
    Run,
    Section,
    Table,
    TabStop,
    render_docx,
)

__all__ = ["render_county_summary", "render_key_projects"]

KAITI = "楷体_GB2312"  # GB/T 9704: second-level headings "（一）" in 楷体
NO_VALUE = "—"  # a growth rate that cannot be computed
_NIL = Border("nil")
_CHAR_MM = BODY_PT * 25.4 / 72  # one 三号 character, for "右空四字" and "空二字"
_NUMERALS = "一二三四五六七八九十"
COUNTY_PLACEHOLDER = "县（市、区）"  # the form title's stand-in for the county's name


def _numbered(n: int) -> str:
    return _NUMERALS[n - 1] if 1 <= n <= len(_NUMERALS) else str(n)


def _fill_parameters(text: str, parameters: Mapping[str, Any]) -> str:
    """Fill ``{summary_years[0]}``-style placeholders that the loader left in a text (grid
    column headings, if the engine does not resolve them); anything else stays as it is."""
    if "{" not in text:
        return text
    try:
        return text.format_map(dict(parameters))
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return text


def _file_part(text: str, limit: int = 60) -> str:
    """A value safe inside a download name: no path or reserved characters, not too long."""
    text = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", text).strip(" ._")
    return text[:limit]


def _annex_document(file_name: str, blocks: list[Any], title: str) -> AnnexDocument:
    result = render_docx(Document([Section(blocks=blocks)], title=title))
    return AnnexDocument(file_name=file_name, data=result.data, removed_chars=result.removed_chars)


def _wrap_title(segments: Sequence[str], width_mm: float = 150.0) -> str:
    """Join title segments greedily into lines that fit the text block (二号), breaking only
    between segments, so a line never ends inside a word."""
    lines: list[str] = []
    for segment in (s for s in segments if s):
        if lines and _text_width_mm(lines[-1] + segment, 22.0) <= width_mm:
            lines[-1] += segment
        else:
            lines.append(segment)
    return "\n".join(lines)


def _signature(name: str, *, date: str = "\u3000\u3000年\u3000\u3000月\u3000\u3000日") -> list[Paragraph]:
    """GB/T 9704 7.3.5.1: the date 右空四字, the issuing body centred over the date."""
    date_indent = 4 * _CHAR_MM
    date_width = _text_width_mm(date, BODY_PT)
    name_width = _text_width_mm(name, BODY_PT)
    name_indent = max(0.0, date_indent + (date_width - name_width) / 2)
    return [
        _p(size=BODY_PT, keep_with_next=True),
        _p(size=BODY_PT, keep_with_next=True),
        _p(name, size=BODY_PT, align="right", indent_right_mm=name_indent, keep_with_next=True),
        _p(date, size=BODY_PT, align="right", indent_right_mm=date_indent),
    ]


# --------------------------------------------------------------------------------------------
# 附件1 工作总结和工作计划
# --------------------------------------------------------------------------------------------

SUMMARY_FORM = "county_summary"
SUMMARY_UNIT_SECTION = "unit"  # 填报单位: printed in the title, the sign-off and the 附注
# 指标 | 单位 | summary years ×3 | target (156 mm).
INDICATOR_COLUMNS = (39.0, 15.0, 25.5, 25.5, 25.5, 25.5)  # 指标 fits 9 characters, 单位 "平方米"
INDICATOR_PT = NARROW_PT  # 五号: 14 indicators × 2 rows must stay compact


def _growth_text(t: DossierText, form: str, fdef: FieldDef) -> str:
    value = t.norm_value(form, fdef.id)
    if value is None or value == "":
        return NO_VALUE
    text = str(value)
    return text if text.endswith("%") else f"{text}%"


def _indicator_table(t: DossierText, form: FormDef, section: FormSection) -> Table:
    """One value row and one growth row per indicator, the name merged over both.

    The grid's first columns are the values (three summary years and the plan-year target);
    a growth field sits in the growth row under the value it measures (its ``growth.value``)."""
    grid = section.grid
    assert grid is not None
    fields = {f.id: f for f in section.fields}
    params = t.parameters
    size = INDICATOR_PT

    def value_ids(row_fields: Sequence[str]) -> list[str]:
        return [f for f in row_fields if fields[f].computed is None]

    first = value_ids(grid.rows[0].fields)
    headings = [_fill_parameters(h, params) for h in grid.columns[: len(first)]]
    widths = list(INDICATOR_COLUMNS)
    if len(first) != len(widths) - 2:  # a rule set with another number of years
        rest = (sum(widths) - widths[0] - widths[1]) / len(first)
        widths = [widths[0], widths[1], *([rest] * len(first))]

    def cell(text: str, *, bold: bool = False, keep: bool = False, **options: Any) -> Cell:
        blocks = [_p(line, size=size, align="center", bold=bold, keep_with_next=keep) for line in text.split("\n")]
        return Cell(blocks, **options)

    head = Row(
        [cell("指标", bold=True), cell("单位", bold=True)]
        + [cell(_fit_label(h, w, size), bold=True) for h, w in zip(headings, widths[2:], strict=False)],
        height_mm=9,
        header=True,
        cant_split=True,
    )
    rows = [head]
    for grid_row in grid.rows:
        values = value_ids(grid_row.fields)
        growth_by_value = {
            fields[f].computed.growth.value: fields[f]  # type: ignore[union-attr]
            for f in grid_row.fields
            if fields[f].computed is not None and fields[f].computed.growth is not None  # type: ignore[union-attr]
        }
        unit = next((fields[f].unit for f in values if fields[f].unit), "") or ""
        label = _fit_label(grid_row.label, widths[0], size)
        # keepNext on the value row keeps an indicator's two rows on one page.
        value_row = [
            Cell(
                [_p(line, size=size, align="center", keep_with_next=True) for line in label.split("\n")],
                vmerge="restart",
            ),
            cell(unit, keep=True),
            *(cell(t.text(form.id, f), keep=True) for f in values),
        ]
        growth_row = [
            Cell(vmerge="continue"),
            cell("增长率"),
            *(cell(_growth_text(t, form.id, growth_by_value[f]) if f in growth_by_value else NO_VALUE) for f in values),
        ]
        rows.append(Row(value_row, height_mm=7, cant_split=True))
        rows.append(Row(growth_row, height_mm=7, cant_split=True))
    return Table(columns_mm=_exact_columns(widths), rows=rows)


def _heading1(text: str) -> Paragraph:
    return _p(text, size=BODY_PT, font=HEITI, first_line_chars=2, keep_with_next=True)


def _heading2(text: str) -> Paragraph:
    return _p(text, size=BODY_PT, font=KAITI, first_line_chars=2, keep_with_next=True)


def _body(text: str) -> list[Paragraph]:
    return _long_text(text, size=BODY_PT) if text.strip() else [_p(size=BODY_PT)]


def _summary_title(t: DossierText, form: FormDef, county: str) -> str:
    title = form.title
    if county and title.startswith(COUNTY_PLACEHOLDER):
        title = county + title[len(COUNTY_PLACEHOLDER) :]
    # Break after "工作总结和", as the notice's list of annexes does, and after the county when
    # even that is too long ("景宁畲族自治县" + the years).
    if county and title.startswith(county):
        head, rest = county, title[len(county) :]
    else:
        head, rest = "", title
    cut = rest.find("和")
    parts = [head, rest[: cut + 1], rest[cut + 1 :]] if cut > 0 else [head, rest]
    return _wrap_title(parts)


def render_county_summary(
    compiled: CompiledDossier, data: dict[str, Any], normalised: dict[str, Any] | None
) -> AnnexDocument:
    """附件1 of one county as a .docx file (see the module docstring)."""
    t = DossierText(compiled, data, normalised)
    form = t.form(SUMMARY_FORM)
    county = t.text(form.id, "county")
    org = t.text(form.id, "org_name") or (f"{county}商务局" if county else "***商务局")
    blocks: list[Any] = [_annex_label(form.annex), _title(_summary_title(t, form, county))]
    n = 0
    for section in form.sections:
        if section.id == SUMMARY_UNIT_SECTION:
            continue
        n += 1
        blocks.append(_heading1(f"{_numbered(n)}、{section.title}"))
        if section.grid is not None:
            blocks.append(_indicator_table(t, form, section))
            blocks.append(_p(size=BODY_PT))
            continue
        for i, fdef in enumerate(section.fields, start=1):
            if not t.applies(form.id, fdef):
                continue
            blocks.append(_heading2(f"（{_numbered(i)}）{fdef.label}"))
            blocks += _body(t.text(form.id, fdef.id))
    blocks += _signature(f"{org}（盖章）")
    person, phone = t.text(form.id, "contact_person"), t.text(form.id, "contact_phone")
    blocks.append(
        _p(
            f"（联系人：{person or chr(0x3000) * 3}；联系电话：{phone or chr(0x3000) * 5}）",
            size=BODY_PT,
            first_line_chars=2,
        )
    )
    title = form.title.replace(COUNTY_PLACEHOLDER, county, 1) if county else form.title
    return _annex_document(f"{form.annex} {_file_part(title, 80)}.docx", blocks, f"{form.annex} {title}")


# --------------------------------------------------------------------------------------------
# 附件2 重点项目申报表
# --------------------------------------------------------------------------------------------

KEY_PROJECTS_FORM = "key_projects"  # the county's 附件2s, one row of a table per project
KEY_PROJECTS_TABLE = "projects"
KEY_PROJECT_SYSTEMS = ("goals", "work", "policies", "safeguards")
# label | value | label | value: the 联系人 / 联系电话 row; other rows join the three right cells.
KEY_PROJECT_COLUMNS = (30.0, 48.0, 30.0, 48.0)
KEY_PROJECT_TITLE = "浙江省跨境电商高质量发展试点\n重点项目申报表"  # broken as in the notice
KEY_PROJECT_SUBTITLE = "（此表由试点县（市、区）填写）"
KEY_PROJECT_NOTICE = (
    "请各地认真审核项目清单、仔细测算考核目标和政策措施，对其真实性负责，将作为项目评审和后期考核评价的依据。"
)


def _region(city: str, county: str) -> str:
    """所在地区 as printed: "湖州市安吉县"; a county named like its city ("义乌市") once."""
    return county if not city or county.startswith(city) else f"{city}{county}"


def _key_rows(fields: Mapping[str, FieldDef], values: Mapping[str, str], region: str, project_name: str) -> list[Row]:
    """The notice's rows from 所在地区 to 工作保障; ``fields`` and ``values`` by field id."""
    size = TABLE_PT

    def label(text: str) -> Cell:
        return Cell(_lines(text, size=size, align="center"))

    def value(text: str, span: int = 1, align: Any = "left") -> Cell:
        return Cell(_lines(text, size=size, align=align), span=span)

    def name(field_id: str) -> str:
        return fields[field_id].label

    rows = [
        Row([label("所在地区"), value(region, 3)], height_mm=10, cant_split=True),
        Row(
            [
                label(name("contact_person")),
                value(values.get("contact_person", ""), align="center"),
                label(name("contact_phone")),
                value(values.get("contact_phone", ""), align="center"),
            ],
            height_mm=10,
            cant_split=True,
        ),
        Row([label("项目名称"), value(project_name, 3)], height_mm=10, cant_split=True),
    ]
    for field_id in KEY_PROJECT_SYSTEMS:
        fdef = fields[field_id]
        text = values.get(field_id, "")
        # A blank field shows the notice's guidance, as the blank form does.
        body = _long_text(text, size) if text.strip() else _long_text(fdef.help or "", size)
        # Long texts flow on to the next page: no cantSplit, no exact height.
        rows.append(Row([label(fdef.label), Cell(body, span=3, valign="top")], height_mm=32))
    return rows


def _tabbed(texts: Sequence[str], stops_mm: Sequence[float]) -> Paragraph:
    """Texts centred on tab stops (mm from the cell's text edge), on one line."""
    runs: list[Run] = []
    for text in texts:
        runs += [Run("\t", font=FANGSONG, size_pt=TABLE_PT), Run(text, font=FANGSONG, size_pt=TABLE_PT)]
    return Paragraph(
        runs=runs,
        line_pt=_line(TABLE_PT),
        align="left",
        tab_stops=[TabStop(mm, "center") for mm in stops_mm],
        mark_font=FANGSONG,
        mark_size_pt=TABLE_PT,
        keep_with_next=True,
    )


# Centres of the two stamps (商务局, 财政局) from the cell's left text edge, in mm.
STAMP_CENTRES_MM = (66.0, 120.0)


def _key_stamp(county: str) -> list[Row]:
    """The 特别注意 statement, then (same box, no rule between) the declaration and the two
    stamps, each over its own blank date, in an exact-height area left for the seals."""
    name = county or "***"
    notice = Cell(
        [
            _p("特别注意：", bold=True, keep_with_next=True),
            _p(KEY_PROJECT_NOTICE, align="both", first_line_chars=2, keep_with_next=True),
        ],
        span=4,
        valign="top",
        borders=CellBorders(bottom=_NIL),
    )
    declaration = "内容真实有效，同意上报。"
    declaration_mm = STAMP_CENTRES_MM[0] - _text_width_mm(f"{name}商务局（盖章）", TABLE_PT) / 2
    date = "\u3000\u3000年\u3000\u3000月\u3000\u3000日"
    stamp = Cell(
        [
            _p(declaration, indent_left_mm=max(declaration_mm, 0.0), keep_with_next=True),
            _p(keep_with_next=True),
            _p(keep_with_next=True),
            _tabbed([f"{name}商务局（盖章）", f"{name}财政局（盖章）"], STAMP_CENTRES_MM),
            _p(keep_with_next=True),
            _tabbed([date, date], STAMP_CENTRES_MM),
        ],
        span=4,
        valign="center",
        borders=CellBorders(top=_NIL),
    )
    return [
        Row([notice], cant_split=True),
        Row([stamp], height_mm=48, height_rule="exact", cant_split=True),
    ]


def _key_document(
    form: FormDef,
    fields: Mapping[str, FieldDef],
    values: Mapping[str, str],
    *,
    region: str,
    project_name: str,
    county: str,
) -> AnnexDocument:
    title = KEY_PROJECT_TITLE if form.title == KEY_PROJECT_TITLE.replace("\n", "") else form.title
    blocks: list[Any] = [
        _annex_label(form.annex),
        _title(title),
        _p(KEY_PROJECT_SUBTITLE, size=BODY_PT, align="center", space_after_pt=8),
        Table(
            columns_mm=_exact_columns(KEY_PROJECT_COLUMNS),
            rows=[*_key_rows(fields, values, region, project_name), *_key_stamp(county)],
        ),
    ]
    short = form.title.split("试点", 1)[-1]
    name = f"{form.annex} {short}（{_file_part(project_name)}）" if project_name else f"{form.annex} {short}"
    return _annex_document(f"{name}.docx", blocks, f"{form.annex} {form.title}")


def render_key_projects(
    compiled: CompiledDossier, data: dict[str, Any], normalised: dict[str, Any] | None
) -> list[AnnexDocument]:
    """One 附件2 per row of ``key_projects.projects`` (one row per attached project bundle:
    its 项目名称, 所在设区市 and 县（市、区） are filled from the project's 附件3 by the engine).
    Two projects of the same name get numbered file names, so no download overwrites another."""
    t = DossierText(compiled, data, normalised)
    if KEY_PROJECTS_FORM not in {f.id for f in compiled.forms}:
        return []
    form = t.form(KEY_PROJECTS_FORM)
    table = t.field(form.id, KEY_PROJECTS_TABLE)
    fields = {c.id: c for c in table.columns or []}
    docs: list[AnnexDocument] = []
    seen: dict[str, int] = {}
    for row in t.rows(form.id, KEY_PROJECTS_TABLE):
        city, county = row.get("city", ""), row.get("county", "")
        doc = _key_document(
            form,
            fields,
            row,
            region=_region(city, county),
            project_name=row.get("project_name", ""),
            county=county,
        )
        seen[doc.file_name] = seen.get(doc.file_name, 0) + 1
        if seen[doc.file_name] > 1:
            stem = doc.file_name.removesuffix(".docx")
            doc = AnnexDocument(f"{stem}（{seen[doc.file_name]}）.docx", doc.data, doc.removed_chars)
        docs.append(doc)
    return docs
