"""附件5 重点项目清单 as a Word file: the notice's landscape list, filled from an
:class:`~formsite.annex5.Annex5Table`.

Layout (DESIGN §5, GB/T 9704-2012):

* A4 landscape.  The portrait margins are rotated with the sheet: a landscape table's head
  lies on the binding side (GB/T 9704 10.1), so the 28 mm binding margin is on top, the 37 mm
  top margin on the right, the 26 mm margin at the bottom and the 35 mm bottom margin on the
  left: the same 156 × 225 mm text block, turned.  The page number stays in the footer of the
  landscape page (the writer's default), rather than rotated into the left margin.
* "附件5" in 黑体 三号, the title in 方正小标宋简体 二号 centred, "单位：万元" right-aligned.
* 17 columns in 225 mm: table text in 仿宋_GB2312 小五 (9 pt) with narrow cell padding.  The
  two-row header is the notice's: every heading spans both rows except 与支持内容相关费用,
  which spans 已开支 / 拟支出 below it.  Both header rows repeat on every page; no row is ever
  split across pages.
* Per county a 小计 row and at the end a 合计 row (label over 序号…建设内容, sums under
  总投资（投入）, 已开支, 拟支出, 申请补助资金), then the notice's 填表说明.
"""

from __future__ import annotations

from typing import Any

from ..annex5 import LABEL_SPAN_UNTIL, SUM_KEYS, Annex5Row, Annex5Table, cell_text
from .annexes import (
    ANNEX_PT,
    FANGSONG,
    HEITI,
    TABLE_PT,
    TITLE_FONT,
    TITLE_PT,
    AnnexDocument,
    _exact_columns,
    _p,
)
from .ooxml import Align, Cell, Document, Row, Section, Table, para, render_docx

__all__ = ["ANNEX5_COLUMNS_MM", "ANNEX5_FILE_NAME", "ANNEX5_MARGINS_MM", "render_annex5"]

ANNEX5_FILE_NAME = "附件5 重点项目清单.docx"
# (top, right, bottom, left): GB/T 9704's (37, 26, 35, 28) turned with the sheet.
ANNEX5_MARGINS_MM = (28.0, 37.0, 26.0, 35.0)
TEXT_WIDTH_MM = 297.0 - 37.0 - 35.0  # 225 mm
LIST_PT = 9.0  # 小五
LIST_LINE_PT = 12.0  # single-spaced: a long 建设内容 makes rows tall, and rows never split
CELL_MARGIN_MM = 0.5

# One width per column of ANNEX5_COLUMNS (mm, 225 in all): money wide enough for a total
# such as "148166.04" on one line, 企业类型 for "贸易型企业" on two, 建设内容 widest.
ANNEX5_COLUMNS_MM: dict[str, float] = {
    "number": 6,
    "city": 8,
    "county": 10,
    "project_name": 14,
    "org_name": 14,
    "build_content": 23,
    "total_investment": 17,
    "project_types": 13,
    "start_month": 12,
    "end_month": 12,
    "progress": 10,
    "spent": 17,
    "planned": 17,
    "subsidy": 17,
    "leader": 14,
    "enterprise_type": 11,
    "address": 10,
}
# The label of a subtotal / total row covers the columns up to here (序号 … 建设内容).


def _cell_p(text: str, align: Align = "center", bold: bool = False, keep: bool = False) -> list[Any]:
    return [
        para(
            line,
            bold=bold,
            font=FANGSONG,
            size_pt=LIST_PT,
            align=align,
            line_pt=LIST_LINE_PT,
            keep_with_next=keep,
        )
        for line in (text.split("\n") if text else [""])
    ]


def _header_rows(table: Annex5Table) -> list[Row]:
    top: list[Cell] = []
    bottom: list[Cell] = []
    columns = list(table.columns)
    i = 0
    while i < len(columns):
        column = columns[i]
        if column.group is None:
            top.append(Cell(_cell_p(column.label, bold=True), vmerge="restart"))
            bottom.append(Cell(vmerge="continue"))
            i += 1
            continue
        members = [c for c in columns[i:] if c.group == column.group]
        top.append(Cell(_cell_p(column.group, bold=True), span=len(members)))
        bottom += [Cell(_cell_p(c.label, bold=True)) for c in members]
        i += len(members)
    # The headings that span both rows wrap to five lines in their narrow columns (当前实施
    # 进度（%）): the two rows together must hold them, or a repeated header (LibreOffice)
    # is clipped on the following pages.
    return [
        Row(top, height_mm=12, header=True, cant_split=True),
        Row(bottom, height_mm=12, header=True, cant_split=True),
    ]


_ALIGN: dict[str, Align] = {"int": "center", "money": "center", "percent": "center", "text": "left"}
_CENTRED_TEXT = {"city", "county", "start_month", "end_month", "enterprise_type"}


def _project_row(table: Annex5Table, row: Annex5Row) -> Row:
    cells = []
    for column in table.columns:
        align: Align = "center" if column.key in _CENTRED_TEXT else _ALIGN[column.kind]
        # "2024年3月" wraps after 年 by itself in its 12 mm column (the year is 10 mm wide);
        # no forced break, so the cell's text stays what 附件3 prints.
        cells.append(Cell(_cell_p(cell_text(row.get(column.key)), align=align)))
    return Row(cells, height_mm=8, cant_split=True)


def _sum_row(table: Annex5Table, row: Annex5Row, keep: bool) -> Row:
    """Label over 序号…建设内容, sums under the money columns, blank cells merged between."""
    keys = [c.key for c in table.columns]
    label_span = keys.index(LABEL_SPAN_UNTIL) + 1
    cells = [Cell(_cell_p(row.label, bold=row.kind == "total", keep=keep), span=label_span)]
    blank = 0
    for key in keys[label_span:]:
        if key in SUM_KEYS:
            if blank:
                cells.append(Cell(_cell_p("", keep=keep), span=blank))
                blank = 0
            cells.append(Cell(_cell_p(cell_text(row.get(key)), keep=keep)))
        else:
            blank += 1
    if blank:
        cells.append(Cell(_cell_p("", keep=keep), span=blank))
    return Row(cells, height_mm=8, cant_split=True)


def _list_table(table: Annex5Table) -> Table:
    widths = [ANNEX5_COLUMNS_MM[c.key] for c in table.columns]
    rows = _header_rows(table)
    for row in table.rows:
        if row.kind == "project":
            rows.append(_project_row(table, row))
        else:
            # keepNext in the 合计 row keeps the table's end with the 填表说明 below it.
            rows.append(_sum_row(table, row, keep=row.kind == "total"))
    return Table(
        columns_mm=_exact_columns(widths, TEXT_WIDTH_MM),
        rows=rows,
        cell_margin_mm=CELL_MARGIN_MM,
    )


def render_annex5(table: Annex5Table) -> AnnexDocument:
    """The filled 附件5 as .docx bytes (with what sanitising removed)."""
    notes = [table.notes_heading, *table.notes]
    blocks: list[Any] = [
        _p(table.annex, size=ANNEX_PT, font=HEITI, space_after_pt=0),
        _p(
            table.title,
            size=TITLE_PT,
            font=TITLE_FONT,
            align="center",
            space_before_pt=0,
            space_after_pt=6,
        ),
        _p(table.unit, size=TABLE_PT, align="right", space_after_pt=2),
        _list_table(table),
        *(
            _p(
                line,
                size=TABLE_PT,
                font=FANGSONG,
                align="left",
                space_before_pt=6 if i == 0 else 0,
                keep_with_next=i < len(notes) - 1,
                keep_lines=True,
            )
            for i, line in enumerate(notes)
        ),
    ]
    section = Section(blocks=blocks, orientation="landscape", margins_mm=ANNEX5_MARGINS_MM)
    result = render_docx(Document([section], title=f"{table.annex} {table.title}"))
    return AnnexDocument(ANNEX5_FILE_NAME, result.data, result.removed_chars)
