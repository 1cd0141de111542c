"""A minimal, standard-library-only SpreadsheetML (.xlsx) writer, and 附件5 as a spreadsheet.

The city re-keys nothing: the 附件5 list it hands on is also a workbook in which every amount is
a *number* (so it can be summed, sorted and filtered), money shows with two decimals (number
format 0.00), the notice's two-row header is merged as on paper and frozen above the rows,
and the subtotal and total rows are SUM formulas whose cached values are the engine's exact
Decimal sums (a spreadsheet that does not recalculate shows the same figures as the DOCX).

Like the DOCX writer it runs in CPython and Pyodide (zipfile + hand-written XML, children in
ECMA-376 schema order), drops the characters XML 1.0 cannot carry, and writes deterministic
bytes: fixed ZIP timestamps, fixed part order, strings shared in order of first use.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .annex5 import SUM_KEYS, Annex5Row, Annex5Table
from .docx.ooxml import _Sanitizer

__all__ = ["ANNEX5_XLSX_NAME", "Workbook", "XlsxCell", "annex5_xlsx", "column_letter"]

ANNEX5_XLSX_NAME = "附件5 重点项目清单.xlsx"
# The same fixed timestamp as the bundle's ZIP entries (formsite.bundle.ZIP_DATE).
ZIP_DATE = (2024, 1, 1, 0, 0, 0)
MAX_CELL_CHARS = 32767  # Excel refuses a longer cell text

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# --------------------------------------------------------------------------------------------
# Styles: a fixed table, referenced by name
# --------------------------------------------------------------------------------------------

# fonts: (name, size, bold)
_FONTS = (("宋体", 11, False), ("宋体", 11, True), ("宋体", 16, True), ("黑体", 14, False))
# cellXfs: name -> (font index, border, numFmtId, horizontal, wrap)
_XFS: dict[str, tuple[int, bool, int, str | None, bool]] = {
    "default": (0, False, 0, None, False),
    "annex": (3, False, 0, None, False),
    "title": (2, False, 0, "center", False),
    "unit": (0, False, 0, "right", False),
    "header": (1, True, 0, "center", True),
    "text": (0, True, 0, "left", True),
    "centred": (0, True, 0, "center", True),
    "money": (0, True, 2, "right", False),  # 2 = the built-in "0.00"
    "number": (0, True, 0, "center", False),
    "sum_label": (1, True, 0, "center", True),
    "sum_money": (1, True, 2, "right", False),
    "note": (0, False, 0, "left", False),
}
_XF_INDEX = {name: i for i, name in enumerate(_XFS)}


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return _esc(text).replace('"', "&quot;")


def _styles_xml() -> str:
    fonts = "".join(
        f'<font>{"<b/>" if bold else ""}<sz val="{size}"/><name val="{_attr(name)}"/>'
        f'<charset val="134"/></font>'
        for name, size, bold in _FONTS
    )
    thin = '<left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/>'
    borders = f"<border><left/><right/><top/><bottom/><diagonal/></border><border>{thin}<diagonal/></border>"
    xfs = []
    for font, border, num_fmt, horizontal, wrap in _XFS.values():
        attrs = f'numFmtId="{num_fmt}" fontId="{font}" fillId="0" borderId="{1 if border else 0}" xfId="0"'
        attrs += ' applyFont="1"' if font else ""
        attrs += ' applyBorder="1"' if border else ""
        attrs += ' applyNumberFormat="1"' if num_fmt else ""
        align = ['vertical="center"']
        if horizontal:
            align.insert(0, f'horizontal="{horizontal}"')
        if wrap:
            align.append('wrapText="1"')
        xfs.append(f'<xf {attrs} applyAlignment="1"><alignment {" ".join(align)}/></xf>')
    return (
        _XML_DECL
        + f'<styleSheet xmlns="{NS_MAIN}">'
        + f'<fonts count="{len(_FONTS)}">{fonts}</fonts>'
        + '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        + '<fill><patternFill patternType="gray125"/></fill></fills>'
        + f'<borders count="2">{borders}</borders>'
        + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        + f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        + "</styleSheet>"
    )


# --------------------------------------------------------------------------------------------
# Workbook model
# --------------------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(slots=True)
class XlsxCell:
    """A cell: text (shared string), a number (int or Decimal, written exactly), or a
    formula with its cached value.  ``style`` names an entry of the fixed style table."""

    value: str | int | Decimal | None = None
    style: str = "default"
    formula: str | None = None


@dataclass(slots=True)
class Workbook:
    """One worksheet: rows of cells (None = no cell), merges ("A4:A5"), column widths in
    characters, row heights in points, frozen rows and rows repeated on every printed page."""

    sheet_name: str
    rows: list[list[XlsxCell | None]] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)  # 0-based row -> points
    freeze_rows: int = 0
    print_title_rows: tuple[int, int] | None = None  # 1-based, inclusive
    landscape: bool = True


class _Writer:
    def __init__(self) -> None:
        self.sanitizer = _Sanitizer()
        self.strings: dict[str, int] = {}

    def text(self, value: str) -> str:
        return _clip(self.sanitizer.clean(value))

    def shared(self, text: str) -> int:
        return self.strings.setdefault(text, len(self.strings))

    def cell(self, ref: str, cell: XlsxCell) -> str:
        style = _XF_INDEX[cell.style]
        s = f' s="{style}"' if style else ""
        value = cell.value
        if cell.formula is not None:
            cached = "" if value is None else f"<v>{_number(value)}</v>"
            return f'<c r="{ref}"{s}><f>{_esc(self.text(cell.formula))}</f>{cached}</c>'
        if value is None or value == "":
            return f'<c r="{ref}"{s}/>'
        if isinstance(value, str):
            return f'<c r="{ref}"{s} t="s"><v>{self.shared(self.text(value))}</v></c>'
        return f'<c r="{ref}"{s}><v>{_number(value)}</v></c>'

    def shared_strings_xml(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{_esc(t)}</t></si>' for t in self.strings)
        n = len(self.strings)
        return _XML_DECL + f'<sst xmlns="{NS_MAIN}" count="{n}" uniqueCount="{n}">{items}</sst>'


def _clip(text: str) -> str:
    """At most MAX_CELL_CHARS UTF-16 code units (Excel's count; an emoji is two), never
    cutting a character in half."""
    if len(text) * 2 <= MAX_CELL_CHARS:
        return text
    encoded = text.encode("utf-16-le", "surrogatepass")
    if len(encoded) <= 2 * MAX_CELL_CHARS:
        return text
    return encoded[: 2 * MAX_CELL_CHARS].decode("utf-16-le", "ignore")


def _number(value: str | int | Decimal) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value}")
        return f"{value:f}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"not a number: {value!r}")
    return str(value)


def _sheet_xml(w: _Writer, book: Workbook) -> str:
    ncols = max([len(r) for r in book.rows] + [len(book.widths), 1])
    last = f"{column_letter(ncols - 1)}{max(len(book.rows), 1)}"
    view = '<sheetView workbookViewId="0">'
    if book.freeze_rows:
        top = f"A{book.freeze_rows + 1}"
        view += (
            f'<pane ySplit="{book.freeze_rows}" topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/>'
        )
    view += "</sheetView>"
    cols = "".join(
        f'<col min="{i + 1}" max="{i + 1}" width="{width:g}" customWidth="1"/>'
        for i, width in enumerate(book.widths)
    )
    rows = []
    for r, cells in enumerate(book.rows, start=1):
        height = book.heights.get(r - 1)
        ht = f' ht="{height:g}" customHeight="1"' if height else ""
        body = "".join(
            w.cell(f"{column_letter(c)}{r}", cell) for c, cell in enumerate(cells) if cell is not None
        )
        rows.append(f'<row r="{r}"{ht}>{body}</row>')
    merges = (
        f'<mergeCells count="{len(book.merges)}">'
        + "".join(f'<mergeCell ref="{m}"/>' for m in book.merges)
        + "</mergeCells>"
        if book.merges
        else ""
    )
    orientation = "landscape" if book.landscape else "portrait"
    return (
        _XML_DECL
        + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
        + '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        + f'<dimension ref="A1:{last}"/>'
        + f"<sheetViews>{view}</sheetViews>"
        + '<sheetFormatPr defaultRowHeight="14.25"/>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + f"<sheetData>{''.join(rows)}</sheetData>"
        + merges
        + '<printOptions horizontalCentered="1"/>'
        + '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        # paperSize 9 = A4; one page wide, as many pages tall as needed.
        + f'<pageSetup paperSize="9" orientation="{orientation}" fitToWidth="1" fitToHeight="0"/>'
        # Printed page numbers as in the Word files (GB/T 9704: "— N —").
        + "<headerFooter><oddFooter>&amp;C\u2014 &amp;P \u2014</oddFooter></headerFooter>"
        + "</worksheet>"
    )


def _workbook_xml(book: Workbook) -> str:
    names = ""
    if book.print_title_rows:
        first, last = book.print_title_rows
        quoted = book.sheet_name.replace("'", "''")
        names = (
            '<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">'
            f"'{_esc(quoted)}'!${first}:${last}</definedName></definedNames>"
        )
    return (
        _XML_DECL
        + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
        + '<bookViews><workbookView/></bookViews>'
        + f'<sheets><sheet name="{_attr(book.sheet_name)}" sheetId="1" r:id="rId1"/></sheets>'
        + names
        + "</workbook>"
    )


def _rels(rels: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{t}" Target="{target}"/>'
        for i, (t, target) in enumerate(rels, start=1)
    )
    return _XML_DECL + f'<Relationships xmlns="{NS_PKG_REL}">{items}</Relationships>'


def _content_types() -> str:
    overrides = (
        ("/xl/workbook.xml", f"{_CT}.sheet.main+xml"),
        ("/xl/worksheets/sheet1.xml", f"{_CT}.worksheet+xml"),
        ("/xl/styles.xml", f"{_CT}.styles+xml"),
        ("/xl/sharedStrings.xml", f"{_CT}.sharedStrings+xml"),
    )
    return (
        _XML_DECL
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        + '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>"
    )


def write_xlsx(book: Workbook) -> tuple[bytes, int]:
    """The workbook as .xlsx bytes, and how many characters sanitising removed."""
    w = _Writer()
    if len(book.sheet_name) > 31 or any(c in book.sheet_name for c in "[]:*?/\\"):
        raise ValueError(f"not a valid sheet name: {book.sheet_name!r}")
    sheet = _sheet_xml(w, book)  # first: it collects the shared strings
    parts = [
        ("[Content_Types].xml", _content_types()),
        ("_rels/.rels", _rels([(f"{_REL}/officeDocument", "xl/workbook.xml")])),
        ("xl/workbook.xml", _workbook_xml(book)),
        (
            "xl/_rels/workbook.xml.rels",
            _rels(
                [
                    (f"{_REL}/worksheet", "worksheets/sheet1.xml"),
                    (f"{_REL}/styles", "styles.xml"),
                    (f"{_REL}/sharedStrings", "sharedStrings.xml"),
                ]
            ),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/styles.xml", _styles_xml()),
        ("xl/sharedStrings.xml", w.shared_strings_xml()),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, xml in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, xml.encode("utf-8"), compresslevel=6)
    return buffer.getvalue(), w.sanitizer.removed


# --------------------------------------------------------------------------------------------
# 附件5
# --------------------------------------------------------------------------------------------

# Column widths in characters (one CJK character is about two).
_WIDTHS = {
    "number": 5,
    "city": 8,
    "county": 10,
    "project_name": 22,
    "org_name": 20,
    "build_content": 32,
    "total_investment": 12,
    "project_types": 22,
    "start_month": 10,
    "end_month": 10,
    "progress": 9,
    "spent": 12,
    "planned": 12,
    "subsidy": 12,
    "leader": 26,
    "enterprise_type": 11,
    "address": 24,
}
_CENTRED_TEXT = {"city", "county", "start_month", "end_month", "enterprise_type"}
_LINE_PT = 14.25  # 宋体 11 pt
HEADER_ROWS = (4, 5)  # 1-based: the two header rows under 附件5, title and unit
LABEL_UNTIL = "build_content"  # a subtotal's label covers 序号 … 建设内容


def _lines_needed(text: str, width_chars: float) -> int:
    room = max(width_chars - 1, 1)
    lines = 0
    for line in text.split("\n"):
        units = sum(1 if ch.isascii() else 2 for ch in line)
        lines += max(1, math.ceil(units / room))
    return lines


def _cell_for(column_key: str, kind: str, value: object) -> XlsxCell:
    if value is None or value == "":
        return XlsxCell(None, "text")
    if kind == "money" and isinstance(value, Decimal):
        return XlsxCell(value, "money")
    if kind in ("int", "percent") and isinstance(value, (int, Decimal)):
        return XlsxCell(value, "number")
    return XlsxCell(str(value), "centred" if column_key in _CENTRED_TEXT else "text")


def annex5_xlsx(table: Annex5Table) -> bytes:
    """附件5 as a workbook: the notice's title and header, one row per project, a SUM row per
    county and a grand total, the 填表说明 under the table."""
    columns = list(table.columns)
    keys = [c.key for c in columns]
    n = len(columns)
    last_col = column_letter(n - 1)
    book = Workbook(sheet_name="重点项目清单", widths=[_WIDTHS.get(k, 12) for k in keys])
    book.rows.append([XlsxCell(table.annex, "annex")])
    book.rows.append([XlsxCell(table.title, "title")])
    book.rows.append([XlsxCell(table.unit, "unit")])
    book.merges += [f"A2:{last_col}2", f"A3:{last_col}3"]
    book.heights[1] = 30
    # Two header rows: every heading spans both, except a group over its members.
    top: list[XlsxCell | None] = []
    bottom: list[XlsxCell | None] = []
    i = 0
    while i < n:
        column = columns[i]
        letter = column_letter(i)
        if column.group is None:
            top.append(XlsxCell(column.label, "header"))
            bottom.append(XlsxCell(None, "header"))
            book.merges.append(f"{letter}4:{letter}5")
            i += 1
            continue
        members = [c for c in columns[i:] if c.group == column.group]
        top += [XlsxCell(column.group, "header"), *(XlsxCell(None, "header") for _ in members[1:])]
        bottom += [XlsxCell(c.label, "header") for c in members]
        book.merges.append(f"{letter}4:{column_letter(i + len(members) - 1)}4")
        i += len(members)
    book.rows += [top, bottom]
    book.heights[3] = book.heights[4] = 28.5
    book.freeze_rows = HEADER_ROWS[1]
    book.print_title_rows = HEADER_ROWS

    label_span = keys.index(LABEL_UNTIL) + 1
    sum_cols = [keys.index(k) for k in SUM_KEYS]
    group_start = len(book.rows) + 1  # 1-based first row of the current county
    subtotal_rows: list[int] = []
    for row in table.rows:
        r = len(book.rows) + 1
        if row.kind == "project":
            cells: list[XlsxCell | None] = [
                _cell_for(c.key, c.kind, row.get(c.key)) for c in columns
            ]
            lines = max(
                _lines_needed(str(row.get(k) or ""), _WIDTHS.get(k, 12)) for k in keys
            )
            book.heights[r - 1] = round(max(lines, 1) * _LINE_PT * 1.1 + 6, 2)
            book.rows.append(cells)
            continue
        book.rows.append(_sum_cells(row, n, label_span, sum_cols, r, group_start, subtotal_rows))
        book.merges.append(f"A{r}:{column_letter(label_span - 1)}{r}")
        book.heights[r - 1] = 20
        if row.kind == "subtotal":
            subtotal_rows.append(r)
            group_start = r + 1
    book.rows.append([])
    for note in (table.notes_heading, *table.notes):
        book.rows.append([XlsxCell(note, "note")])
    data, _removed = write_xlsx(book)
    return data


def _sum_cells(
    row: Annex5Row,
    n: int,
    label_span: int,
    sum_cols: list[int],
    r: int,
    group_start: int,
    subtotal_rows: list[int],
) -> list[XlsxCell | None]:
    """A 小计 / 合计 row: its label, then SUM formulas (cached: the exact Decimal sums)."""
    cells: list[XlsxCell | None] = [XlsxCell(row.label, "sum_label")]
    cells += [XlsxCell(None, "sum_label") for _ in range(label_span - 1)]
    for c in range(label_span, n):
        if c not in sum_cols:
            cells.append(XlsxCell(None, "text"))
            continue
        key = SUM_KEYS[sum_cols.index(c)]
        letter = column_letter(c)
        formula: str | None
        if row.kind == "subtotal":
            formula = (
                f"SUM({letter}{group_start}:{letter}{r - 1})" if r > group_start else "0"
            )
        else:
            # SUM takes at most 255 arguments; a city has a handful of counties.
            formula = "SUM(" + ",".join(f"{letter}{s}" for s in subtotal_rows) + ")"
            if not subtotal_rows or len(subtotal_rows) > 255:
                formula = None
        cells.append(XlsxCell(row.get(key), "sum_money", formula=formula))
    return cells
