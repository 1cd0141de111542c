"""The filled annexes of a project dossier as Word files, laid out like the official blank forms.

``render_annexes(compiled, raw_data, normalised)`` returns one :class:`AnnexDocument` per
annex: 附件3 重点项目信息表 and 附件4 项目资金投入明细表 of the notice, plus our 基本条件自查表
as a document of its own ("附件3补充"), so that the official 附件3 is printed unaltered.

How the layout is described: every annex is a *row spec*, a short declarative list (see
``ANNEX3_TABLE``) saying which field goes into which cells of a fixed column grid, which cells
span columns or merge vertically, and where the notice has fixed wording.  Labels, options,
units and years come from the definitions (``{data_year}`` follows the rule set), values from
the dossier through :class:`~formsite.docx.fieldtext.DossierText` (normalised when valid,
as typed when not, blank when empty).  The 附件3 grid is irregular, so its spec names each
row; 附件4 is regular and is generated from the six category fields of ``fund_details``.

Typography follows DESIGN §5 / GB/T 9704-2012: A4 portrait with the 37/26/35/28 mm margins,
"附件N" in 黑体 三号, the title in 方正小标宋简体 二号, table text in 仿宋_GB2312 小四 (五号 where
columns are narrow), tables exactly as wide as the 156 mm text block.  Long texts flow across
pages: their rows may split and have no fixed height; only the stamp area has an exact height.
Every printed label and fixed text is the notice's wording (compare with spec/notice.txt); where
a field's label or help in forms/ is worded for the web page, the spec below carries the
notice's words.  Page numbers ("— N —") come from the writer's default footer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..checks import fmt
from ..compiler import CompiledDossier
from .fieldtext import UNCHECKED, DossierText
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
    mm_to_twips,
    para,
    render_docx,
)

__all__ = [
    "AnnexDocument",
    "render_annexes",
    "render_basic_conditions",
    "render_fund_details",
    "render_project_info",
]


@dataclass(frozen=True, slots=True)
class AnnexDocument:
    """One generated annex: its download name, the .docx bytes, and how many characters the
    writer had to drop (XML-forbidden control characters) so the caller can warn the user."""

    file_name: str
    data: bytes
    removed_chars: int


# --------------------------------------------------------------------------------------------
# Typography
# --------------------------------------------------------------------------------------------

HEITI = "黑体"
FANGSONG = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
ANNEX_PT = 16.0  # 三号
TITLE_PT = 22.0  # 二号
BODY_PT = 16.0  # 三号, lines above the table
TABLE_PT = 12.0  # 小四
NARROW_PT = 10.5  # 五号
TEXT_WIDTH_MM = 156.0  # GB/T 9704: 210 mm - 28 mm - 26 mm

# Exact line heights keep Word and LibreOffice (with substitute fonts) on the same layout.
_LINE = {ANNEX_PT: 28.0, TITLE_PT: 33.0, TABLE_PT: 18.0, NARROW_PT: 15.0, 14.0: 22.0}
_NIL = Border("nil")
Align = Literal["left", "center", "right", "both"]


_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None


def _line(size: float) -> float:
    return _LINE.get(size, round(size * 1.5, 1))


_CELL_PADDING_MM = 2 * 1.905  # the writer's left + right cell margins (108 twips each)


def _text_width_mm(text: str, size: float) -> float:
    """Rough printed width: a CJK character is one em, an ASCII character half of one."""
    em = size * 25.4 / 72
    return sum(em / 2 if ch.isascii() else em for ch in text)


def _fit_label(text: str, cell_mm: float, size: float) -> str:
    """Break a label that does not fit on one line before its trailing parentheses ("（投入）",
    "（万元）"), as the notice does (注册资本 / （万元） on two lines), rather than let it wrap
    in the middle of a word."""
    room = cell_mm - _CELL_PADDING_MM
    if "\n" in text or _text_width_mm(text, size) <= room:
        return text
    groups: list[str] = []
    head = text
    while head.endswith("）") and head.rfind("（") > 0:
        cut = head.rfind("（")
        groups.insert(0, head[cut:])
        head = head[:cut]
    if not groups:
        return text
    lines = [head]
    for group in groups:  # greedy: a group joins the line above when it still fits
        if _text_width_mm(lines[-1] + group, size) <= room:
            lines[-1] += group
        else:
            lines.append(group)
    return "\n".join(lines)


def _exact_columns(columns_mm: Sequence[float], total_mm: float = TEXT_WIDTH_MM) -> list[float]:
    """Column widths whose twips (the writer rounds each column) add up to exactly the text
    width: the last column absorbs the rounding, so the table never overhangs the margin."""
    if abs(sum(columns_mm) - total_mm) > 0.01:
        raise ValueError(f"columns add up to {sum(columns_mm)} mm, not {total_mm} mm")
    head = list(columns_mm[:-1])
    rest = mm_to_twips(total_mm) - sum(mm_to_twips(w) for w in head)
    return [*head, rest * 25.4 / 1440]


def _p(
    text: str = "",
    *,
    size: float = TABLE_PT,
    font: str | None = FANGSONG,
    bold: bool = False,
    align: Align = "left",
    **options: Any,
) -> Paragraph:
    return para(
        text, bold=bold, font=font, size_pt=size, align=align, line_pt=_line(size), **options
    )


def _lines(text: str, *, size: float = TABLE_PT, align: Align = "left") -> list[Paragraph]:
    """A typed multi-line text as paragraphs, one per line the person typed."""
    return [_p(line, size=size, align=align) for line in text.split("\n")] or [_p(size=size)]


def _long_text(text: str, size: float = TABLE_PT) -> list[Paragraph]:
    """Prose (a longtext field): justified paragraphs with the Chinese two-character indent."""
    paragraphs = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [
        _p(line, size=size, align="both", first_line_chars=2 if line.strip() else None)
        for line in paragraphs
    ] or [_p(size=size)]


def _annex_label(annex: str) -> Paragraph:
    return _p(annex, size=ANNEX_PT, font=HEITI, space_after_pt=0)


def _title(text: str) -> Paragraph:
    return _p(
        text, size=TITLE_PT, font=TITLE_FONT, align="center", space_before_pt=6, space_after_pt=10
    )


def _blank_if_empty(value: str, width: int) -> str:
    """An empty header value prints as an underlined blank, like the form's fill-in line."""
    return value if value else "\u3000" * width


def _header_line(label: str, value: str, blank: int = 12) -> Paragraph:
    return Paragraph(
        runs=[
            Run(f"{label}：", font=FANGSONG, size_pt=BODY_PT),
            Run(_blank_if_empty(value, blank), font=FANGSONG, size_pt=BODY_PT, underline=True),
        ],
        line_pt=_line(ANNEX_PT),
        align="left",
        mark_font=FANGSONG,
        mark_size_pt=BODY_PT,
    )


def _section(blocks: list[Any]) -> Section:
    return Section(blocks=blocks)


# --------------------------------------------------------------------------------------------
# Row specs for irregular forms
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Label:
    """A label cell: the field's label from the definitions, or fixed ``text`` (official
    wording the definitions do not carry, e.g. a line break inside a label)."""

    field: str | None = None
    span: int = 1
    text: str | None = None
    rows: int = 1  # > 1: merge vertically with the next rows' ``Merged`` cells


@dataclass(frozen=True, slots=True)
class Value:
    """A value cell.  ``show``: "text" (the value), "prose" (longtext paragraphs), "boxes"
    (every option with □/√), "range" (start field … end field, ``field`` = "start..end")."""

    field: str
    span: int = 1
    show: Literal["text", "prose", "boxes", "range"] = "text"
    per_line: int = 0  # boxes per printed line (0 = all on one line)
    note: str | None = None  # printed under the value, the notice's "注：……" wording
    rows: int = 1
    align: Align | None = None
    size: float | None = None  # overrides the row's size (a long code in a narrow cell)


@dataclass(frozen=True, slots=True)
class Merged:
    """The continuation of a vertically merged cell from the row above."""

    span: int = 1


@dataclass(frozen=True, slots=True)
class Cells:
    """One table row made of label / value / merged cells."""

    cells: tuple[Label | Value | Merged, ...]
    size: float = TABLE_PT


@dataclass(frozen=True, slots=True)
class Band:
    """A full-width heading row naming a section of the form (title from the definitions)."""

    section: str


@dataclass(frozen=True, slots=True)
class Plan:
    """A table field printed as a column-headed block: the first header cell carries the
    field's label (the notice's "项目分年度建设进度计划"), the others ``headings`` (the
    notice's column words, which carry no unit) or else the column labels.  ``units`` are
    appended to the printed values of the columns after the first ("1800.00万元", "50%"),
    so a figure keeps its unit although the official heading has none."""

    field: str
    spans: tuple[int, ...]
    headings: tuple[str, ...] = ()
    units: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Support:
    """The 支持内容 block: computed 已开支/拟支出 per cost category, two categories a row in
    the notice's arrangement.  Categories are ``fund_details`` fields; values come from the
    ``<category>_spent`` / ``<category>_planned`` computed fields of this form."""

    pairs: tuple[tuple[str, str], ...]
    source_form: str = "fund_details"
    headings: tuple[str, str, str] = ("支持内容", "已开支", "拟支出")
    size: float = NARROW_PT


@dataclass(frozen=True, slots=True)
class Narrative:
    """A label merged vertically over one row per longtext field; each row starts with the
    field's label as a bold heading line ("项目概述："), then the person's text."""

    label: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Commitments:
    """The 承诺意见 cell (each commitment with √ or □) over an exact-height stamp area."""

    section: str
    heading: str = "承诺意见："
    stamp: tuple[str, ...] = ("项目承担企业（盖章）", "", "年\u3000\u3000月\u3000\u3000日")
    stamp_height_mm: float = 38.0


RowSpec = Cells | Band | Plan | Support | Narrative | Commitments


@dataclass(frozen=True, slots=True)
class TableSpec:
    form: str
    columns_mm: tuple[float, ...]
    rows: tuple[RowSpec, ...]


@dataclass
class _Builder:
    """Turns a :class:`TableSpec` into ooxml rows for one dossier."""

    text: DossierText
    spec: TableSpec
    rows: list[Row] = field(default_factory=list)

    @property
    def form(self) -> str:
        return self.spec.form

    @property
    def width(self) -> int:
        return len(self.spec.columns_mm)

    def build(self) -> Table:
        handlers: dict[type, Callable[[Any], None]] = {
            Cells: self._cells,
            Band: self._band,
            Plan: self._plan,
            Support: self._support,
            Narrative: self._narrative,
            Commitments: self._commitments,
        }
        for row in self.spec.rows:
            handlers[type(row)](row)
        return Table(columns_mm=_exact_columns(self.spec.columns_mm), rows=self.rows)

    # --- cells ----------------------------------------------------------------------------

    def _width(self, col: int, span: int) -> float:
        return sum(self.spec.columns_mm[col : col + span])

    def _label_cell(self, slot: Label, size: float, width_mm: float) -> Cell:
        text = slot.text if slot.text is not None else self.text.label(self.form, slot.field or "")
        text = _fit_label(text, width_mm, size)
        return Cell(
            blocks=_lines(text, size=size, align="center"),
            span=slot.span,
            vmerge="restart" if slot.rows > 1 else None,
        )

    def _value_blocks(self, slot: Value, size: float) -> list[Paragraph]:
        t = self.text
        size = slot.size or size
        align: Align = slot.align or ("center" if slot.span == 1 else "left")
        if slot.show == "boxes":
            choice = t.choice(self.form, slot.field)
            blocks = _lines(choice.boxes(per_line=slot.per_line), size=size, align=align)
        elif slot.show == "range":
            start, end = slot.field.split("..")
            a, b = t.text(self.form, start), t.text(self.form, end)
            blocks = [_p(f"{a}至{b}" if a or b else "", size=size, align=align)]
        elif slot.show == "prose":
            blocks = _long_text(t.text(self.form, slot.field), size=size)
        else:
            blocks = _lines(t.text(self.form, slot.field), size=size, align=align)
        if slot.note:
            blocks.append(_p(slot.note, size=NARROW_PT, align="both"))
        return blocks

    def _cells(self, spec: Cells) -> None:
        cells = []
        col = 0
        for slot in spec.cells:
            width_mm = self._width(col, slot.span)
            col += slot.span
            if isinstance(slot, Label):
                cells.append(self._label_cell(slot, spec.size, width_mm))
            elif isinstance(slot, Value):
                cells.append(
                    Cell(
                        blocks=self._value_blocks(slot, spec.size),
                        span=slot.span,
                        vmerge="restart" if slot.rows > 1 else None,
                    )
                )
            else:
                cells.append(Cell(span=slot.span, vmerge="continue"))
        # Short rows stay whole (a label is never cut in two); a row with a long text may run
        # on to the next page.
        self.rows.append(Row(cells, height_mm=9, cant_split=not self._long(spec)))

    def _long(self, spec: Cells, limit_mm: float = 80.0) -> bool:
        """Whether a row's prose may be taller than ``limit_mm`` (estimated generously)."""
        col = 0
        for slot in spec.cells:
            width = self._width(col, slot.span) - _CELL_PADDING_MM
            col += slot.span
            if not isinstance(slot, Value) or slot.show != "prose":
                continue
            size = slot.size or spec.size
            text = self.text.text(self.form, slot.field)
            lines = sum(
                1 + int(_text_width_mm(line, size) * 1.2 // max(width, 1.0))
                for line in text.split("\n")
            )
            if lines * _line(size) * 25.4 / 72 > limit_mm:
                return True
        return False

    def _band(self, spec: Band) -> None:
        title = next(s.title for s in self.text.form(self.form).sections if s.id == spec.section)
        # keepNext: a section heading never ends a page on its own.
        cell = Cell([_p(title, align="center", bold=True, keep_with_next=True)], span=self.width)
        self.rows.append(Row([cell], height_mm=9, cant_split=True))

    def _plan(self, spec: Plan) -> None:
        fdef = self.text.field(self.form, spec.field)
        columns = fdef.columns or []
        if len(spec.spans) != len(columns) or sum(spec.spans) != self.width:
            raise ValueError(f"Plan {spec.field}: spans {spec.spans} do not fit its columns")
        head = [fdef.label, *(spec.headings or [c.label for c in columns[1:]])]
        starts = [sum(spec.spans[:i]) for i in range(len(spec.spans))]
        head = [
            _fit_label(h, self._width(c, s), TABLE_PT)
            for h, c, s in zip(head, starts, spec.spans, strict=True)
        ]
        self.rows.append(Row(self._centred(head, spec.spans), height_mm=9, cant_split=True))
        first = columns[0]
        for row in self.text.rows(self.form, spec.field, presets=True):
            values = [row.get(c.id, "") for c in columns]
            if first.type == "date" and values[0]:
                # The notice words a milestone as a deadline: "2024年12月31日前".
                values[0] = values[0] if values[0].endswith("前") else f"{values[0]}前"
            for k, unit in enumerate(spec.units, start=1):
                # Only a value that validated gets a unit: text typed as is stays as typed.
                if values[k] and unit and _is_number(values[k]):
                    values[k] = f"{values[k]}{unit}"
            self.rows.append(Row(self._centred(values, spec.spans), height_mm=9, cant_split=True))

    @staticmethod
    def _centred(texts: Sequence[str], spans: Sequence[int]) -> list[Cell]:
        return [
            Cell(_lines(text, align="center"), span=span)
            for text, span in zip(texts, spans, strict=True)
        ]

    def _support(self, spec: Support) -> None:
        size = spec.size
        span = self.width // 6
        if span * 6 != self.width:
            raise ValueError("Support needs a grid of 6 columns (or a multiple)")

        def cells(texts: Sequence[str]) -> list[Cell]:
            return [Cell(_lines(x, size=size, align="center"), span=span) for x in texts]

        self.rows.append(Row(cells(spec.headings * 2), height_mm=9, cant_split=True))
        for pair in spec.pairs:
            texts: list[str] = []
            for i, category in enumerate(pair):
                label = self.text.label(spec.source_form, category)
                label_mm = self._width(3 * span * i, span)
                texts += [
                    _fit_label(f"{label}（万元）", label_mm, size),
                    self.text.text(self.form, f"{category}_spent"),
                    self.text.text(self.form, f"{category}_planned"),
                ]
            self.rows.append(Row(cells(texts), height_mm=9, cant_split=True))

    def _narrative(self, spec: Narrative) -> None:
        for i, field_id in enumerate(spec.fields):
            heading = _p(f"{self.text.label(self.form, field_id)}：", bold=True, align="left")
            body = _long_text(self.text.text(self.form, field_id))
            label = (
                Cell(_lines(spec.label, align="center"), vmerge="restart")
                if i == 0
                else Cell(vmerge="continue")
            )
            # No exact height and no cantSplit: long texts must flow on to the next page.
            self.rows.append(
                Row(
                    [label, Cell([heading, *body], span=self.width - 1, valign="top")], height_mm=20
                )
            )

    def _commitments(self, spec: Commitments) -> None:
        # The notice's commitments, word for word and without tick marks: the stamp below is
        # what commits the enterprise.  Whether each was affirmed on the page is checked by
        # the rules (an unaffirmed one is an error and the dossier is not ready to submit).
        section = next(s for s in self.text.form(self.form).sections if s.id == spec.section)
        blocks = [_p(spec.heading, keep_with_next=True)]
        for n, fdef in enumerate(section.fields, start=1):
            blocks.append(
                _p(f"{n}.{fdef.label}", align="left", first_line_chars=2, keep_with_next=True)
            )
        top = Cell(blocks, span=self.width, valign="top", borders=CellBorders(bottom=_NIL))
        stamp = Cell(
            [_p(line, align="left", indent_left_mm=92) for line in spec.stamp],
            span=self.width,
            valign="center",
            borders=CellBorders(top=_NIL),
        )
        self.rows.append(Row([top], cant_split=True))
        self.rows.append(
            Row([stamp], height_mm=spec.stamp_height_mm, height_rule="exact", cant_split=True)
        )


# --------------------------------------------------------------------------------------------
# 附件3 重点项目信息表
# --------------------------------------------------------------------------------------------

# Six grid columns, 156 mm: label | value | label | value | label | value in the money rows;
# four-cell rows join them as 1 | 2 | 1 | 2, the schedule as 2 | 2 | 2.  The last column is
# the widest so that a landline "0571-87050825" fits in 五号 without wrapping.
ANNEX3_COLUMNS = (30.0, 23.0, 24.0, 27.0, 23.0, 29.0)

# The notice's note in the 项目类型 cell, word for word (the field's help is worded for the page).
ANNEX3_TYPES_NOTE = (
    "注：跨境电商产业带展示选品中心、线上产业带专区方面、公共服务中心方面、产业园区等四种类型"
    "选择其中一项或多项。"
)

ANNEX3_TABLE = TableSpec(
    form="project_info",
    columns_mm=ANNEX3_COLUMNS,
    rows=(
        Band("organisation"),
        Cells(
            (
                Label("org_name"),
                Value("org_name", 2),
                Label("org_nature"),
                Value("org_nature", 2, show="boxes", per_line=2),
            )
        ),
        Cells(
            (
                Label("legal_representative", rows=2),
                Value("legal_representative", 2, rows=2),
                Label("org_address"),
                Value("org_address", 2),
            )
        ),
        Cells((Merged(), Merged(2), Label("credit_code"), Value("credit_code", 2, size=NARROW_PT))),
        Cells(
            (
                Label("registered_capital"),
                Value("registered_capital"),
                Label("total_assets"),
                Value("total_assets"),
                Label("net_assets"),
                Value("net_assets"),
            ),
            size=NARROW_PT,
        ),
        Cells(
            (
                Label("cbec_amount"),
                Value("cbec_amount"),
                Label("revenue"),
                Value("revenue"),
                Label("profit"),
                Value("profit"),
            ),
            size=NARROW_PT,
        ),
        Cells(
            (
                Label(text="单位简介\n（重点是与跨境电商相关的情况）"),
                Value("org_profile", 5, show="prose"),
            )
        ),
        Cells(
            (
                Label("project_leader"),
                Value("project_leader"),
                Label("contact_person"),
                Value("contact_person"),
                Label("contact_phone"),
                Value("contact_phone"),
            ),
            size=NARROW_PT,
        ),
        Band("project"),
        Cells((Label("project_name"), Value("project_name", 5))),
        Cells(
            (
                Label("project_types"),
                Value("project_types", 5, show="boxes", per_line=2, note=ANNEX3_TYPES_NOTE),
            )
        ),
        Cells((Label(text="项目起止时间"), Value("start_month..end_month", 5, show="range"))),
        Cells(
            (
                Label("total_investment"),
                Value("total_investment", 2),
                Label("period_investment"),
                Value("period_investment", 2),
            ),
            size=NARROW_PT,
        ),
        Cells((Label("build_address"), Value("build_address", 5))),
        Cells((Label("build_content"), Value("build_content", 5, show="prose"))),
        Plan(
            "progress_plan",
            spans=(2, 2, 2),
            headings=("完成投资（投入）", "项目实施进度"),
            units=("万元", "%"),
        ),
        Cells((Label("subsidy_requested", 2), Value("subsidy_requested", 4))),
        Support(
            pairs=(
                ("equipment", "technology"),
                ("software", "information"),
                ("construction", "other"),
            )
        ),
        Narrative("项目建设情况", ("overview", "approach", "kpis")),
        Cells((Label("government_funding"), Value("government_funding", 5, show="prose"))),
        Cells((Label("approvals"), Value("approvals", 5, show="prose"))),
        Cells((Label("demonstration"), Value("demonstration", 5, show="prose"))),
        Commitments("commitments"),
    ),
)

# The lines above the table: (label, field, how).  "项目承建单位（盖章）" is the notice's wording
# for the organisation named by org_name.
ANNEX3_HEADER: tuple[tuple[str | None, str, str], ...] = (
    ("项目承建单位（盖章）", "org_name", "text"),
    (None, "project_name", "text"),
    (None, "project_types", "selected"),
    (None, "enterprise_type", "boxes"),
    (None, "county", "county"),
)

ANNEX3_CONDITIONS_SECTION = "basic_conditions"


def _annex3_header(t: DossierText) -> list[Paragraph]:
    form = ANNEX3_TABLE.form
    out = []
    for label, field_id, how in ANNEX3_HEADER:
        label = label or t.label(form, field_id)
        if how == "boxes":
            value = t.choice(form, field_id).boxes(sep="\u3000")
        elif how == "selected":
            value = t.choice(form, field_id).selected_labels()
        elif how == "county":
            # The county alone is the official field; the 设区市 (ours, for 附件5) goes first.
            county, city = t.text(form, field_id), t.text(form, "city")
            value = county if not city or county.startswith(city) else f"{city}{county}"
        else:
            value = t.text(form, field_id)
        out.append(_header_line(label, value))
    out[-1].space_after_pt = 8
    return out


# 基本条件自查表: our addition (DESIGN §3.1), printed as a document of its own so that the
# official 附件3 stays exactly the notice's form.
CONDITIONS_ANNEX = "附件3补充"
CONDITIONS_TITLE = "重点项目基本条件自查表"
CONDITIONS_INTRO = (
    "根据通知第三条“支持项目需满足以下基本条件”，对照所选项目类型如实填写。"
    "本表为附件3《重点项目信息表》的补充材料。"
)


def _requirement(t: DossierText, form: str, fdef: Any) -> str:
    """The basic condition a figure must meet, from the rule set's min_value check on it
    ("不低于1000平方米", the engine's own wording); "达到一定规模" where the notice sets no
    number; "—" for the yes/no questions."""
    ref = f"{form}.{fdef.id}"
    for crule in t.compiled.rules:
        args = crule.args
        if crule.rule.check == "min_value" and getattr(args, "field", None) == ref:
            return f"不低于{fmt(args.min)}{args.unit}"
    if fdef.help and "一定规模" in fdef.help:
        return "达到一定规模"
    return "—"


def _conditions_table(t: DossierText, form: str, section_id: str) -> Table:
    """One row per field that applies to the selected types (with no type selected, a blank
    form: every field): the item, the basic condition it must meet, the actual figure."""
    section = next(s for s in t.form(form).sections if s.id == section_id)
    any_type = bool(t.choice(form, "project_types").selected_labels())
    rows = []
    for fdef in section.fields:
        if any_type and not t.applies(form, fdef):
            continue
        value = t.text(form, fdef.id)
        if not any_type and fdef.type == "checkbox":
            value = f"{UNCHECKED}是\u3000{UNCHECKED}否"  # the blank form: tick one
        rows.append(
            Row(
                [
                    Cell(_lines(_fit_label(fdef.full_label, 82.0, NARROW_PT), size=NARROW_PT, align="left")),
                    Cell(_lines(_requirement(t, form, fdef), size=NARROW_PT, align="center")),
                    Cell(_lines(value, size=NARROW_PT, align="center")),
                ],
                height_mm=8,
                cant_split=True,
            )
        )
    head = Row(
        [
            Cell([_p("项目", size=NARROW_PT, align="center", bold=True)]),
            Cell([_p("基本条件", size=NARROW_PT, align="center", bold=True)]),
            Cell([_p("实际情况", size=NARROW_PT, align="center", bold=True)]),
        ],
        height_mm=9,
        header=True,
        cant_split=True,
    )
    for cell in rows[-1].cells if rows else []:
        for block in cell.blocks:
            block.keep_with_next = True  # the last row goes to the next page with the stamp
    # 五号 so that a label and a threshold ("不低于50000万元") each fit one line.
    return Table(columns_mm=_exact_columns([82.0, 40.0, 34.0]), rows=[head, *rows])


def render_basic_conditions(t: DossierText) -> AnnexDocument:
    form = t.form(ANNEX3_TABLE.form)
    header = [
        _header_line("项目承建单位（盖章）", t.text(form.id, "org_name")),
        _header_line(t.label(form.id, "project_name"), t.text(form.id, "project_name")),
        _header_line(
            t.label(form.id, "project_types"),
            t.choice(form.id, "project_types").selected_labels(),
        ),
    ]
    header[-1].space_after_pt = 4
    blocks: list[Any] = [
        _annex_label(CONDITIONS_ANNEX),
        _title(CONDITIONS_TITLE),
        *header,
        _p(CONDITIONS_INTRO, size=TABLE_PT, align="both", space_after_pt=6),
        _conditions_table(t, form.id, ANNEX3_CONDITIONS_SECTION),
        # The stamp block, as under the commitments of 附件3; it stays with the table's end.
        _p(space_before_pt=12, keep_with_next=True),
        *(
            _p(line, align="left", indent_left_mm=92, keep_with_next=True)
            for line in ("项目承担企业（盖章）", "", "年\u3000\u3000月\u3000\u3000日")
        ),
    ]
    blocks[-1].keep_with_next = False
    result = render_docx(
        Document([_section(blocks)], title=f"{CONDITIONS_ANNEX} {CONDITIONS_TITLE}")
    )
    return AnnexDocument(
        file_name=f"{CONDITIONS_ANNEX} {CONDITIONS_TITLE.removeprefix('重点项目')}.docx",
        data=result.data,
        removed_chars=result.removed_chars,
    )


def render_project_info(t: DossierText) -> AnnexDocument:
    form = t.form(ANNEX3_TABLE.form)
    # The notice breaks the title after the programme name.
    title = "浙江省跨境电商高质量发展试点\n重点项目信息表"
    if not form.title.endswith("重点项目信息表") or not form.title.startswith(title[:14]):
        title = form.title
    blocks: list[Any] = [_annex_label(form.annex), _title(title), *_annex3_header(t)]
    blocks.append(_Builder(t, ANNEX3_TABLE).build())
    result = render_docx(Document([_section(blocks)], title=f"{form.annex} {form.title}"))
    return AnnexDocument(
        file_name=f"{form.annex} {_short_title(form.title)}.docx",
        data=result.data,
        removed_chars=result.removed_chars,
    )


def _short_title(title: str) -> str:
    """ "浙江省跨境电商高质量发展试点重点项目信息表" → "重点项目信息表", the notice's annex name."""
    marker = "试点"
    return title.split(marker, 1)[1] if marker in title and not title.endswith(marker) else title


# --------------------------------------------------------------------------------------------
# 附件4 项目资金投入明细表
# --------------------------------------------------------------------------------------------

# 支持内容 | 序号 | 费用名称 | 已开支费用 | 拟支出费用 | 备注 (156 mm).
ANNEX4_COLUMNS = (30.0, 13.0, 38.0, 25.0, 25.0, 25.0)
ANNEX4_FORM = "fund_details"
ANNEX4_ITEMS_SECTION = "items"
ANNEX4_TOTALS = ("total_spent", "total_planned")
ANNEX4_UNIT = "单位：万元"
TITLE_LINE_MM = TEXT_WIDTH_MM


def _fund_table(t: DossierText) -> Table:
    form = t.form(ANNEX4_FORM)
    section = next(s for s in form.sections if s.id == ANNEX4_ITEMS_SECTION)
    categories = [f for f in section.fields if f.type == "table"]
    columns = categories[0].columns or []  # name, spent, planned, note (shared by categories)
    head_texts = ["支持内容", "序号", *(c.display_label for c in columns)]
    head = Row(
        [Cell([_p(h, align="center", bold=True)]) for h in head_texts],
        height_mm=10,
        header=True,
        cant_split=True,
    )
    rows = [head]
    aligns: dict[str, Align] = {"money": "center", "text": "left"}
    for category in categories:
        items = t.rows(ANNEX4_FORM, category.id) or [{}]  # the blank form shows row "1"
        for n, item in enumerate(items, start=1):
            first = Cell(
                _lines(category.label, align="center") if n == 1 else [],
                vmerge="restart" if n == 1 else "continue",
            )
            cells = [first, Cell([_p(str(n), align="center")])]
            for column in columns:
                cells.append(
                    Cell(_lines(item.get(column.id, ""), align=aligns.get(column.type, "left")))
                )
            # A row is never split across pages (the header row repeats above the rest).
            rows.append(Row(cells, height_mm=9, cant_split=True))
    totals = {c.id: "" for c in columns}
    money = [c.id for c in columns if c.type == "money"]
    for column_id, total_field in zip(money, ANNEX4_TOTALS, strict=True):
        totals[column_id] = t.text(ANNEX4_FORM, total_field)
    # keepNext in the last row keeps the table's end on the page of the note below it.
    total_row = [
        Cell([_p("累计", align="center", bold=True, keep_with_next=True)]),
        Cell([_p(keep_with_next=True)]),
        *(Cell([_p(totals[c.id], align="center", keep_with_next=True)]) for c in columns),
    ]
    rows.append(Row(total_row, height_mm=9, cant_split=True))
    return Table(columns_mm=_exact_columns(ANNEX4_COLUMNS), rows=rows)


def _fund_title(t: DossierText, form_title: str) -> str:
    name = t.text("project_info", "project_name")
    if not name:
        return f"{'_' * 16}{form_title}"
    if name.endswith("项目") and form_title.startswith("项目"):
        name = name[:-2]  # "……建设项目" + "项目资金投入明细表" without "项目项目"
    title = f"{name}{form_title}"
    if _text_width_mm(title, TITLE_PT) > TITLE_LINE_MM:
        # Too long for one line: break before the form's own name, not somewhere inside it.
        title = f"{name}\n{form_title}"
    return title


def _collapse_folded(text: str) -> str:
    """YAML folding leaves a space where a Chinese sentence was wrapped; drop spaces that
    sit between two non-ASCII characters."""
    out = []
    for i, ch in enumerate(text):
        if ch == " " and 0 < i < len(text) - 1:
            before, after = text[i - 1], text[i + 1]
            if not before.isascii() and not after.isascii():
                continue
        out.append(ch)
    return "".join(out)


def render_fund_details(t: DossierText) -> AnnexDocument:
    form = t.form(ANNEX4_FORM)
    org = t.text("project_info", "org_name")
    blocks: list[Any] = [
        _annex_label(form.annex),
        _title(_fund_title(t, form.title)),
        _p(
            f"（填报单位：{_blank_if_empty(org, 8)}）",
            size=BODY_PT,
            align="center",
            space_after_pt=4,
        ),
        _p(ANNEX4_UNIT, size=TABLE_PT, align="right", space_after_pt=2),
        _fund_table(t),
    ]
    if form.fill_note:
        blocks.append(
            _p(
                _collapse_folded(form.fill_note.strip()),
                size=TABLE_PT,
                align="both",
                space_before_pt=6,
                keep_lines=True,
            )
        )
    result = render_docx(Document([_section(blocks)], title=f"{form.annex} {form.title}"))
    return AnnexDocument(
        file_name=f"{form.annex} {form.title}.docx",
        data=result.data,
        removed_chars=result.removed_chars,
    )


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------

_RENDERERS: Mapping[str, tuple[Callable[[DossierText], AnnexDocument], ...]] = {
    "project_info": (render_project_info, render_basic_conditions),
    "fund_details": (render_fund_details,),
}


def render_annexes(
    compiled: CompiledDossier,
    raw_data: dict[str, Any],
    normalised: dict[str, Any] | None,
) -> list[AnnexDocument]:
    """The dossier's annexes as .docx files, in the dossier's form order.

    ``raw_data`` is what the person typed ({form_id: {field_id: value}}); ``normalised`` is
    ``Report.normalised`` from validating it (or ``None``).  A field prints its normalised
    value when it has one, else its raw value, so nothing entered is lost."""
    text = DossierText(compiled, raw_data, normalised)
    return [render(text) for f in compiled.forms for render in _RENDERERS.get(f.id, ())]
