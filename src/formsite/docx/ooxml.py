"""A small, standard-library-only writer for WordprocessingML (.docx) documents.

The engine runs both in CPython and in Pyodide, so this module cannot lean on lxml or
python-docx: it models the handful of constructs the official annex forms need (paragraphs,
fixed-layout tables with merged cells, A4 sections in either orientation) and serialises them
by hand.

Design notes (why things are the way they are):

* XML is built as strings by a tiny helper instead of ``xml.etree``: the output must be
  byte-for-byte reproducible, ElementTree's namespace prefixes are global mutable state, and
  ElementTree happily writes characters that XML 1.0 forbids.  Every piece of user text goes
  through :class:`_Sanitizer` first, which drops those characters and counts them so the caller
  can warn the user instead of producing a file Word refuses to open.
* Child elements are emitted in ECMA-376 schema order (``w:rPr``, ``w:pPr``, ``w:tblPr``,
  ``w:tcPr``, ``w:sectPr`` ...).  Word and the Open XML SDK validator reject out-of-order
  children, while LibreOffice silently tolerates them, so order is easy to get wrong unnoticed.
* Lengths are given in millimetres / points in the model and converted to the units the format
  wants (twips = 1/20 pt, half-points for font sizes, eighths of a point for borders) only here.
* The zip container uses fixed timestamps, a fixed part order and fixed attributes so that the
  same document always produces identical bytes (useful for caching and for tests).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "CN_FONT_SIZE_PT",
    "GB_MARGINS_MM",
    "Block",
    "Border",
    "Cell",
    "CellBorders",
    "Document",
    "DocxResult",
    "PageBreak",
    "PageNumbers",
    "Paragraph",
    "Row",
    "Run",
    "Section",
    "TabStop",
    "Table",
    "mm_to_twips",
    "para",
    "render_docx",
    "write_docx",
]

# --------------------------------------------------------------------------------------------
# Units and constants
# --------------------------------------------------------------------------------------------

A4_MM: tuple[float, float] = (210.0, 297.0)
# GB/T 9704-2012 (党政机关公文格式): top 37 mm, right 26 mm, bottom 35 mm, left (binding) 28 mm,
# which leaves a 156 x 225 mm text block on A4.  Order follows CSS: (top, right, bottom, left).
GB_MARGINS_MM: tuple[float, float, float, float] = (37.0, 26.0, 35.0, 28.0)

# Traditional Chinese font size names, so a form layer can say "三号" instead of 16.
CN_FONT_SIZE_PT: Mapping[str, float] = {
    "初号": 42,
    "小初": 36,
    "一号": 26,
    "小一": 24,
    "二号": 22,
    "小二": 18,
    "三号": 16,
    "小三": 15,
    "四号": 14,
    "小四": 12,
    "五号": 10.5,
    "小五": 9,
    "六号": 7.5,
}

_DEFAULT_EAST_ASIAN_FONT = "仿宋_GB2312"
_DEFAULT_SIZE_PT = 16.0  # 三号, the GB/T 9704 body size
_DEFAULT_TIMESTAMP = datetime(2024, 1, 1, tzinfo=UTC)
_CELL_MARGIN_TWIPS = 108  # Word's default left/right cell padding (1.9 mm)


def mm_to_twips(mm: float) -> int:
    """Millimetres to twips (1/1440 inch), the unit of nearly every WordprocessingML length."""
    return round(mm * 1440 / 25.4)


def _pt_to_twips(pt: float) -> int:
    return round(pt * 20)


def _half_points(pt: float) -> int:
    return round(pt * 2)


# --------------------------------------------------------------------------------------------
# Document model
# --------------------------------------------------------------------------------------------

# The schema's ST_HexColor: anything else makes Word refuse the file.
_HEX_COLOR = re.compile(r"[0-9A-Fa-f]{6}")

Align = Literal["left", "center", "right", "both"]
VAlign = Literal["top", "center", "bottom"]
BorderStyle = Literal["single", "double", "dotted", "dashed", "thick", "nil"]


@dataclass(slots=True)
class Run:
    """A stretch of text with one formatting.  ``\\n`` becomes a line break, ``\\t`` a tab.

    ``font`` is a font *name* such as "仿宋_GB2312", "黑体" or "Times New Roman"; East Asian
    names are written to ``w:eastAsia`` with a Latin fallback for ASCII text (see
    :func:`_font_slots`).  ``None`` inherits the document default.
    """

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    font: str | None = None
    size_pt: float | None = None


@dataclass(frozen=True, slots=True)
class TabStop:
    """A custom tab stop, ``position_mm`` from the text's left edge.  A right stop at the
    text width puts "填报日期：____" flush right on the same line as a left-hand label."""

    position_mm: float
    align: Literal["left", "center", "right"] = "left"


@dataclass(slots=True)
class Paragraph:
    """A paragraph: runs plus paragraph formatting.

    Spacing is in points; ``line_pt`` sets a fixed ("exact") or minimum ("atLeast") line
    height, ``line_multiple`` a proportional one (1.5 = one-and-a-half).  Indents are in
    millimetres except ``first_line_chars`` (Chinese "首行缩进 2 字符").  Without
    ``tab_stops`` a tab advances to the next default stop (every 420 twips, ~7.4 mm).
    ``align=None`` inherits the Normal style, which is justified.

    The paragraph mark takes the last run's font and size unless ``mark_font`` /
    ``mark_size_pt`` say otherwise: Word sizes a paragraph's last line (and an empty
    paragraph) by its mark, so a mismatch makes rows and blank lines taller than expected.
    """

    runs: list[Run] = field(default_factory=list)
    align: Align | None = None
    space_before_pt: float | None = None
    space_after_pt: float | None = None
    line_pt: float | None = None
    line_rule: Literal["exact", "atLeast"] = "exact"
    line_multiple: float | None = None
    indent_left_mm: float | None = None
    indent_right_mm: float | None = None
    first_line_mm: float | None = None
    first_line_chars: float | None = None
    hanging_mm: float | None = None
    keep_with_next: bool = False
    keep_lines: bool = False
    page_break_before: bool = False
    tab_stops: list[TabStop] = field(default_factory=list)
    mark_font: str | None = None
    mark_size_pt: float | None = None

    def __post_init__(self) -> None:
        if self.line_pt is not None and self.line_multiple is not None:
            raise ValueError("Paragraph: give line_pt or line_multiple, not both")
        if self.first_line_mm is not None and self.hanging_mm is not None:
            raise ValueError("Paragraph: first-line indent and hanging indent exclude each other")


def para(
    text: str = "",
    *,
    bold: bool = False,
    font: str | None = None,
    size_pt: float | None = None,
    **paragraph_options: Any,
) -> Paragraph:
    """Shorthand for a paragraph holding a single run: ``para("标题", font="黑体", align=...)``."""
    runs = [Run(text, bold=bold, font=font, size_pt=size_pt)] if text else []
    return Paragraph(runs=runs, mark_font=font, mark_size_pt=size_pt, **paragraph_options)


@dataclass(slots=True)
class PageBreak:
    """Starts a new page within the same section."""


@dataclass(frozen=True, slots=True)
class Border:
    """One border line; ``size_pt`` is the line width (0.5 pt is Word's thin line)."""

    style: BorderStyle = "single"
    size_pt: float = 0.5
    color: str = "auto"

    def __post_init__(self) -> None:
        if self.color != "auto" and not _HEX_COLOR.fullmatch(self.color):
            raise ValueError(f"Border.color must be 'auto' or six hex digits, got {self.color!r}")


@dataclass(frozen=True, slots=True)
class CellBorders:
    """Per-cell border overrides; ``None`` keeps the table's border on that side."""

    top: Border | None = None
    left: Border | None = None
    bottom: Border | None = None
    right: Border | None = None


@dataclass(slots=True)
class Cell:
    """A table cell covering ``span`` grid columns.

    ``vmerge="restart"`` starts a vertical merge; cells directly below with
    ``vmerge="continue"`` (same grid column and span) join it and must be empty.
    ``shade`` is an RGB hex fill such as "D9D9D9".
    """

    blocks: list[Block] = field(default_factory=list)
    span: int = 1
    vmerge: Literal["restart", "continue"] | None = None
    valign: VAlign = "center"
    shade: str | None = None
    borders: CellBorders | None = None

    def __post_init__(self) -> None:
        if self.span < 1:
            raise ValueError(f"Cell.span must be >= 1, got {self.span}")
        if self.shade is not None and not _HEX_COLOR.fullmatch(self.shade):
            raise ValueError(f"Cell.shade must be six hex digits like 'D9D9D9', got {self.shade!r}")


@dataclass(slots=True)
class Row:
    """A table row.  ``height_mm`` with ``height_rule="exact"`` clips content (stamp boxes);
    ``"atLeast"`` grows with it.  ``header`` rows repeat on every page (they must be the
    table's first rows); ``cant_split`` keeps a row on one page."""

    cells: list[Cell]
    height_mm: float | None = None
    height_rule: Literal["atLeast", "exact"] = "atLeast"
    cant_split: bool = False
    header: bool = False


@dataclass(slots=True)
class Table:
    """A fixed-layout table.  Column widths are exact: the table is as wide as their sum."""

    columns_mm: list[float]
    rows: list[Row]
    borders: Literal["single", "none"] = "single"
    border_pt: float = 0.5
    align: Literal["left", "center", "right"] = "center"
    # Left/right padding inside every cell; None keeps Word's default (1.9 mm).  A dense
    # landscape list (附件5, 17 columns) needs less.
    cell_margin_mm: float | None = None

    @property
    def width_mm(self) -> float:
        return sum(self.columns_mm)


Block = Paragraph | Table | PageBreak


@dataclass(slots=True)
class Section:
    """A run of pages sharing orientation and margins (A4)."""

    blocks: list[Block] = field(default_factory=list)
    orientation: Literal["portrait", "landscape"] = "portrait"
    margins_mm: tuple[float, float, float, float] = GB_MARGINS_MM
    header_mm: float = 15.0
    # Distance of the footer (the page number) from the page's bottom edge.  None: GB/T
    # 9704-2012 7.5, the page number line starts 7 mm below the text block.
    footer_mm: float | None = None

    @property
    def page_size_mm(self) -> tuple[float, float]:
        w, h = A4_MM
        return (h, w) if self.orientation == "landscape" else (w, h)

    @property
    def text_width_mm(self) -> float:
        """Width available to tables and paragraphs; a form layer sizes columns against it."""
        _top, right, _bottom, left = self.margins_mm
        return self.page_size_mm[0] - left - right

    @property
    def text_height_mm(self) -> float:
        top, _right, bottom, _left = self.margins_mm
        return self.page_size_mm[1] - top - bottom


@dataclass(frozen=True, slots=True)
class PageNumbers:
    """Page numbers in the footer, GB/T 9704-2012 7.5: 4号 (14 pt) 半角宋体 Arabic digits with
    a 一字线 on each side ("— 1 —"), 7 mm below the text block.  ``position="outer"`` is the
    standard's placement: odd pages on the right, even pages on the left, one character in from
    the edge of the text block (Word's "different odd and even pages"); ``"center"`` centres
    the number on every page."""

    position: Literal["outer", "center"] = "outer"
    font: str = "宋体"
    size_pt: float = 14.0
    dash: str = "\u2014"  # 一字线

    @property
    def line_pt(self) -> float:
        return round(self.size_pt * 1.3, 1)


@dataclass(slots=True)
class Document:
    """The whole document.  ``timestamp`` fixes docProps created/modified (UTC); the default
    is a constant so output is reproducible.  Every page carries a GB/T 9704 page number
    unless ``page_numbers`` is None."""

    sections: list[Section]
    title: str = ""
    language: str = "zh-CN"
    creator: str = "formsite"
    timestamp: datetime | None = None
    default_font: str = _DEFAULT_EAST_ASIAN_FONT
    default_size_pt: float = _DEFAULT_SIZE_PT
    page_numbers: PageNumbers | None = field(default_factory=PageNumbers)


@dataclass(frozen=True, slots=True)
class DocxResult:
    """The written package plus what sanitising removed, so callers can warn the user."""

    data: bytes
    removed_chars: int
    removed_codepoints: tuple[int, ...]


# --------------------------------------------------------------------------------------------
# Text sanitising and XML helpers
# --------------------------------------------------------------------------------------------

# XML 1.0 Char excludes C0 controls other than TAB/LF/CR, the surrogate block and U+FFFE/FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def _join_pair(match: re.Match[str]) -> str:
    hi, lo = (ord(c) for c in match.group())
    return chr(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))


class _Sanitizer:
    """Removes characters XML 1.0 cannot carry and remembers how many it removed.

    Strings decoded with ``surrogatepass`` (or handed over from JavaScript) may hold an astral
    character as two surrogate code points; such pairs are joined back into one character
    rather than dropped, so emoji survive.  Only unpaired surrogates are removed.
    """

    def __init__(self) -> None:
        self.removed = 0
        self.codepoints: set[int] = set()

    def clean(self, text: str) -> str:
        if "\r" in text:
            # A bare CR would be normalised to LF by any XML parser; make that explicit.
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = _SURROGATE_PAIR.sub(_join_pair, text)
        found = _FORBIDDEN.findall(text)
        if not found:
            return text
        self.removed += len(found)
        self.codepoints.update(ord(c) for c in found)
        return _FORBIDDEN.sub("", text)


_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)

Attrs = Mapping[str, str | int | None]


def _attrs(attrs: Attrs | None) -> str:
    if not attrs:
        return ""
    return "".join(
        f' {k}="{str(v).translate(_ATTR_ESCAPES)}"' for k, v in attrs.items() if v is not None
    )


def _el(tag: str, attrs: Attrs | None = None, children: Iterable[str] = ()) -> str:
    """Serialise one element; ``children`` are already-serialised strings."""
    inner = "".join(children)
    if inner:
        return f"<{tag}{_attrs(attrs)}>{inner}</{tag}>"
    return f"<{tag}{_attrs(attrs)}/>"


def _text_el(tag: str, text: str, attrs: Attrs | None = None) -> str:
    """An element holding escaped character data (text must already be sanitised)."""
    return f"<{tag}{_attrs(attrs)}>{text.translate(_TEXT_ESCAPES)}</{tag}>"


def _val(tag: str, value: str | int) -> str:
    return _el(tag, {"w:val": value})


_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# --------------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _FontInfo:
    latin: str  # what ASCII text in a run using this font is set in
    alt_name: str | None  # the font's other-script name, helps substitution when missing
    charset: str  # "86" = GB2312, "00" = ANSI
    family: str
    pitch: str


# Chinese fonts commonly required by government forms, with the Latin font Word pairs them
# with.  FangSong/SimHei/SimSun/KaiTi are the English names of the same Windows fonts, so
# digits and Latin letters match the Chinese text.  方正小标宋简体 has no Latin sibling shipped
# with Windows; SimSun is the conventional fallback.
_KNOWN_FONTS: Mapping[str, _FontInfo] = {
    "仿宋_GB2312": _FontInfo("FangSong", "仿宋", "86", "modern", "fixed"),
    "仿宋": _FontInfo("FangSong", "FangSong", "86", "modern", "fixed"),
    "方正仿宋_GB2312": _FontInfo("FangSong", "仿宋_GB2312", "86", "script", "fixed"),
    "楷体_GB2312": _FontInfo("KaiTi", "楷体", "86", "modern", "fixed"),
    "楷体": _FontInfo("KaiTi", "KaiTi", "86", "modern", "fixed"),
    "黑体": _FontInfo("SimHei", "SimHei", "86", "modern", "fixed"),
    "宋体": _FontInfo("SimSun", "SimSun", "86", "auto", "variable"),
    "方正小标宋简体": _FontInfo("SimSun", "方正小标宋_GBK", "86", "script", "variable"),
    "微软雅黑": _FontInfo("Microsoft YaHei", "Microsoft YaHei", "86", "swiss", "variable"),
    "FangSong": _FontInfo("FangSong", "仿宋", "86", "modern", "fixed"),
    "SimHei": _FontInfo("SimHei", "黑体", "86", "modern", "fixed"),
    "SimSun": _FontInfo("SimSun", "宋体", "86", "auto", "variable"),
    "KaiTi": _FontInfo("KaiTi", "楷体", "86", "modern", "fixed"),
    "Times New Roman": _FontInfo("Times New Roman", None, "00", "roman", "variable"),
}
_UNKNOWN_CJK = _FontInfo("SimSun", None, "86", "auto", "variable")
_UNKNOWN_LATIN = _FontInfo("", None, "00", "auto", "variable")


def _is_east_asian_name(name: str) -> bool:
    info = _KNOWN_FONTS.get(name)
    if info is not None:
        return info.charset == "86"
    return not name.isascii()


def _font_info(name: str) -> _FontInfo:
    if name in _KNOWN_FONTS:
        return _KNOWN_FONTS[name]
    return _UNKNOWN_CJK if _is_east_asian_name(name) else _UNKNOWN_LATIN


def _font_slots(name: str) -> tuple[str | None, str]:
    """Split a font name into (eastAsia font or None, Latin font for ascii/hAnsi/cs)."""
    if _is_east_asian_name(name):
        return name, _font_info(name).latin
    return None, name


def _rfonts(name: str | None, text_is_ascii: bool) -> str:
    """``w:rFonts`` for a run.  ``w:hint="eastAsia"`` makes Word draw characters whose script
    is ambiguous (□ √ ×, curly quotes, “—”) with the East Asian font, which keeps check boxes
    and punctuation full-width like the surrounding Chinese text."""
    if name is None:
        return "" if text_is_ascii else _el("w:rFonts", {"w:hint": "eastAsia"})
    east_asia, latin = _font_slots(name)
    attrs: dict[str, str | int | None] = {
        "w:hint": "eastAsia" if east_asia else None,
        "w:ascii": latin,
        "w:eastAsia": east_asia,
        "w:hAnsi": latin,
        "w:cs": latin,
    }
    return _el("w:rFonts", attrs)


# --------------------------------------------------------------------------------------------
# Rendering context
# --------------------------------------------------------------------------------------------


class _Context:
    """State shared while rendering one document: the sanitiser and the fonts used."""

    def __init__(self, doc: Document) -> None:
        self.sanitizer = _Sanitizer()
        self.default_size_pt = doc.default_size_pt
        self.fonts: dict[str, None] = {}  # insertion-ordered set, for a stable fontTable
        # Run properties by their formatting: a 附件5 of 500 projects has ~18 000 runs in a
        # handful of formattings, and serialising each anew was most of its rendering time.
        self.rpr_cache: dict[tuple, str] = {}
        # Document-level strings are cleaned once so removals are counted once.
        self.default_font = self.use_font(self.clean(doc.default_font))
        self.language = self.clean(doc.language)
        self.title = self.clean(doc.title)
        self.creator = self.clean(doc.creator)
        self.page_numbers = doc.page_numbers
        # (w:type, relationship id, part name, part xml) of each footer part.
        self.footers: list[tuple[str, str, str, str]] = []
        if doc.page_numbers is not None:
            first_id = len(_DOCUMENT_RELS) + 1
            kinds = ("default", "even") if doc.page_numbers.position == "outer" else ("default",)
            for i, kind in enumerate(kinds):
                xml = _footer_xml(self, doc.page_numbers, kind)
                self.footers.append((kind, f"rId{first_id + i}", f"footer{i + 1}.xml", xml))

    def clean(self, text: str) -> str:
        return self.sanitizer.clean(text)

    def use_font(self, name: str) -> str:
        east_asia, latin = _font_slots(name)
        for font in (east_asia, latin):
            if font:
                self.fonts.setdefault(font, None)
        return name


# --------------------------------------------------------------------------------------------
# Runs and paragraphs
# --------------------------------------------------------------------------------------------


def _rpr(
    ctx: _Context,
    *,
    font: str | None,
    size_pt: float | None,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    text_is_ascii: bool = True,
) -> str:
    """Run properties in EG_RPrBase order: rFonts, b, bCs, i, iCs, sz, szCs, u."""
    key = (font, size_pt, bold, italic, underline, text_is_ascii)
    cached = ctx.rpr_cache.get(key)
    if cached is not None:
        return cached
    ctx.rpr_cache[key] = out = _rpr_xml(ctx, font=font, size_pt=size_pt, bold=bold, italic=italic,
                                         underline=underline, text_is_ascii=text_is_ascii)
    return out


def _rpr_xml(ctx: _Context, *, font: str | None, size_pt: float | None, bold: bool,
             italic: bool, underline: bool, text_is_ascii: bool) -> str:
    if font is not None:
        font = ctx.use_font(ctx.clean(font))
    parts = [_rfonts(font, text_is_ascii)]
    if bold:
        parts += [_el("w:b"), _el("w:bCs")]
    if italic:
        parts += [_el("w:i"), _el("w:iCs")]
    if size_pt is not None:
        parts += [_val("w:sz", _half_points(size_pt)), _val("w:szCs", _half_points(size_pt))]
    if underline:
        parts.append(_val("w:u", "single"))
    return "".join(parts)


def _run_content(text: str) -> Iterator[str]:
    """Split run text into w:t / w:br / w:tab, in order."""
    for piece in re.split(r"([\n\t])", text):
        if piece == "\n":
            yield _el("w:br")
        elif piece == "\t":
            yield _el("w:tab")
        elif piece:
            # preserve: Word would otherwise drop leading/trailing spaces (used for blanks).
            yield _text_el("w:t", piece, {"xml:space": "preserve"})


def _run(ctx: _Context, run: Run) -> str:
    text = ctx.clean(run.text)
    rpr = _rpr(
        ctx,
        font=run.font,
        size_pt=run.size_pt,
        bold=run.bold,
        italic=run.italic,
        underline=run.underline,
        text_is_ascii=text.isascii(),
    )
    children = [_el("w:rPr", None, [rpr])] if rpr else []
    children.extend(_run_content(text))
    return _el("w:r", None, children)


def _mark_style(p: Paragraph) -> tuple[str | None, float | None, bool]:
    """Font, size and boldness of the paragraph mark (see :class:`Paragraph`)."""
    last = p.runs[-1] if p.runs else None
    font = p.mark_font if p.mark_font is not None else (last.font if last else None)
    size = p.mark_size_pt if p.mark_size_pt is not None else (last.size_pt if last else None)
    return font, size, bool(last and last.bold)


def _first_size(p: Paragraph) -> float | None:
    """Size of the first characters, which a character-based first-line indent is measured in."""
    if p.runs and p.runs[0].size_pt is not None:
        return p.runs[0].size_pt
    return p.mark_size_pt


def _spacing(p: Paragraph) -> str:
    attrs: dict[str, str | int | None] = {}
    if p.space_before_pt is not None:
        attrs["w:before"] = _pt_to_twips(p.space_before_pt)
    if p.space_after_pt is not None:
        attrs["w:after"] = _pt_to_twips(p.space_after_pt)
    if p.line_pt is not None:
        attrs["w:line"] = _pt_to_twips(p.line_pt)
        attrs["w:lineRule"] = p.line_rule
    elif p.line_multiple is not None:
        # "auto" line rule measures in 240ths of a single line.
        attrs["w:line"] = round(p.line_multiple * 240)
        attrs["w:lineRule"] = "auto"
    return _el("w:spacing", attrs) if attrs else ""


def _indent(p: Paragraph, size_pt: float) -> str:
    attrs: dict[str, str | int | None] = {}
    if p.indent_left_mm is not None:
        attrs["w:left"] = mm_to_twips(p.indent_left_mm)
    if p.indent_right_mm is not None:
        attrs["w:right"] = mm_to_twips(p.indent_right_mm)
    if p.hanging_mm is not None:
        attrs["w:hanging"] = mm_to_twips(p.hanging_mm)
    elif p.first_line_chars is not None:
        # Word honours firstLineChars; firstLine is the same length for readers that don't.
        attrs["w:firstLine"] = _pt_to_twips(p.first_line_chars * size_pt)
        attrs["w:firstLineChars"] = round(p.first_line_chars * 100)
    elif p.first_line_mm is not None:
        attrs["w:firstLine"] = mm_to_twips(p.first_line_mm)
    return _el("w:ind", attrs) if attrs else ""


def _tabs(stops: Sequence[TabStop]) -> str:
    if not stops:
        return ""
    # Word expects stops sorted by position.
    ordered = sorted(stops, key=lambda t: t.position_mm)
    return _el(
        "w:tabs",
        None,
        [_el("w:tab", {"w:val": t.align, "w:pos": mm_to_twips(t.position_mm)}) for t in ordered],
    )


def _ppr(ctx: _Context, p: Paragraph, sect_pr: str = "") -> str:
    """Paragraph properties in CT_PPr order: keepNext, keepLines, pageBreakBefore, tabs,
    spacing, ind, jc, rPr (paragraph mark), sectPr."""
    font, size, bold = _mark_style(p)
    parts = [
        _el("w:keepNext") if p.keep_with_next else "",
        _el("w:keepLines") if p.keep_lines else "",
        _el("w:pageBreakBefore") if p.page_break_before else "",
        _tabs(p.tab_stops),
        _spacing(p),
        _indent(p, _first_size(p) or ctx.default_size_pt),
        _val("w:jc", p.align) if p.align else "",
    ]
    mark = _rpr(ctx, font=font, size_pt=size, bold=bold)
    if mark:
        parts.append(_el("w:rPr", None, [mark]))
    parts.append(sect_pr)
    return _el("w:pPr", None, parts) if any(parts) else ""


def _paragraph(ctx: _Context, p: Paragraph, sect_pr: str = "") -> str:
    ppr = _ppr(ctx, p, sect_pr)
    return _el("w:p", None, [ppr, *(_run(ctx, r) for r in p.runs)])


def _page_break() -> str:
    return _el("w:p", None, [_el("w:r", None, [_el("w:br", {"w:type": "page"})])])


def _field_runs(ctx: _Context, instruction: str, shown: str, rpr: str) -> list[str]:
    """A complex field (begin, instruction, separate, cached result, end); readers that do not
    update fields show ``shown``."""
    props = [_el("w:rPr", None, [rpr])] if rpr else []

    def run(*children: str) -> str:
        return _el("w:r", None, [*props, *children])

    return [
        run(_el("w:fldChar", {"w:fldCharType": "begin"})),
        run(_text_el("w:instrText", f" {instruction} ", {"xml:space": "preserve"})),
        run(_el("w:fldChar", {"w:fldCharType": "separate"})),
        run(_text_el("w:t", ctx.clean(shown))),
        run(_el("w:fldChar", {"w:fldCharType": "end"})),
    ]


def _footer_xml(ctx: _Context, numbers: PageNumbers, kind: str) -> str:
    """A footer part holding the page number "— N —" (see :class:`PageNumbers`)."""
    one_char_mm = numbers.size_pt * 25.4 / 72
    if numbers.position == "center":
        align: Align = "center"
        indent: dict[str, float] = {}
    elif kind == "even":
        align, indent = "left", {"indent_left_mm": one_char_mm}
    else:
        align, indent = "right", {"indent_right_mm": one_char_mm}
    p = Paragraph(
        align=align,
        space_before_pt=0,
        space_after_pt=0,
        line_pt=numbers.line_pt,
        mark_font=numbers.font,
        mark_size_pt=numbers.size_pt,
        **indent,
    )
    dash = ctx.clean(numbers.dash)
    font = ctx.use_font(ctx.clean(numbers.font))
    dash_rpr = _rpr(ctx, font=font, size_pt=numbers.size_pt, text_is_ascii=False)
    digit_rpr = _rpr(ctx, font=font, size_pt=numbers.size_pt)
    runs = [
        _el("w:r", None, [_el("w:rPr", None, [dash_rpr]), _text_el("w:t", f"{dash} ", {"xml:space": "preserve"})]),
        *_field_runs(ctx, "PAGE", "1", digit_rpr),
        _el("w:r", None, [_el("w:rPr", None, [dash_rpr]), _text_el("w:t", f" {dash}", {"xml:space": "preserve"})]),
    ]
    paragraph = _el("w:p", None, [_ppr(ctx, p), *runs])
    return _XML_DECL + _el("w:ftr", {"xmlns:w": NS_W, "xmlns:r": NS_R}, [paragraph])


# A paragraph that carries a section break (or ends the body) after a table: Word always keeps
# a paragraph after a table, and a full-size one can spill onto an extra blank page.  A 1 pt
# exact line makes it practically invisible.
_SPACER = Paragraph(space_before_pt=0, space_after_pt=0, line_pt=1, mark_size_pt=1)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _border(tag: str, border: Border) -> str:
    if border.style == "nil":
        return _val(tag, "nil")
    return _el(
        tag,
        {
            "w:val": border.style,
            "w:sz": max(2, round(border.size_pt * 8)),  # eighths of a point, min 1/4 pt
            "w:space": 0,
            "w:color": border.color,
        },
    )


def _tbl_borders(table: Table) -> str:
    line = Border("single", table.border_pt) if table.borders == "single" else Border("nil")
    sides = ("w:top", "w:left", "w:bottom", "w:right", "w:insideH", "w:insideV")
    return _el("w:tblBorders", None, [_border(s, line) for s in sides])


def _tbl_pr(table: Table, width: int) -> str:
    """CT_TblPr order: tblW, jc, tblBorders, tblLayout, tblCellMar, tblLook."""
    side = (
        _CELL_MARGIN_TWIPS if table.cell_margin_mm is None else mm_to_twips(table.cell_margin_mm)
    )
    margins = [
        _el("w:top", {"w:w": 0, "w:type": "dxa"}),
        _el("w:left", {"w:w": side, "w:type": "dxa"}),
        _el("w:bottom", {"w:w": 0, "w:type": "dxa"}),
        _el("w:right", {"w:w": side, "w:type": "dxa"}),
    ]
    return _el(
        "w:tblPr",
        None,
        [
            _el("w:tblW", {"w:w": width, "w:type": "dxa"}),
            _val("w:jc", table.align),
            _tbl_borders(table),
            _el("w:tblLayout", {"w:type": "fixed"}),
            _el("w:tblCellMar", None, margins),
            # No table style is used, so conditional formatting is off.  Only w:val, not the
            # firstRow/... attributes, which the Office 2007 schema does not declare.
            _val("w:tblLook", "0000"),
        ],
    )


def _tc_borders(borders: CellBorders | None) -> str:
    if borders is None:
        return ""
    sides = (("w:top", borders.top), ("w:left", borders.left))
    sides += (("w:bottom", borders.bottom), ("w:right", borders.right))
    parts = [_border(tag, b) for tag, b in sides if b is not None]
    return _el("w:tcBorders", None, parts) if parts else ""


def _tc_pr(cell: Cell, width: int) -> str:
    """CT_TcPr order: tcW, gridSpan, vMerge, tcBorders, shd, vAlign."""
    parts = [
        _el("w:tcW", {"w:w": width, "w:type": "dxa"}),
        _val("w:gridSpan", cell.span) if cell.span > 1 else "",
        _val("w:vMerge", cell.vmerge) if cell.vmerge else "",
        _tc_borders(cell.borders),
        _el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": cell.shade})
        if cell.shade
        else "",
        _val("w:vAlign", cell.valign),
    ]
    return _el("w:tcPr", None, parts)


def _cell(ctx: _Context, cell: Cell, width: int) -> str:
    blocks = list(cell.blocks)
    # A cell must end with a paragraph (schema requires one; Word also wants it last).
    if not blocks or not isinstance(blocks[-1], Paragraph):
        blocks.append(Paragraph())
    return _el("w:tc", None, [_tc_pr(cell, width), *(_block(ctx, b) for b in blocks)])


def _tr_pr(row: Row) -> str:
    """CT_TrPr order: cantSplit, trHeight, tblHeader."""
    parts = [
        _el("w:cantSplit") if row.cant_split else "",
        _el("w:trHeight", {"w:val": mm_to_twips(row.height_mm), "w:hRule": row.height_rule})
        if row.height_mm is not None
        else "",
        _el("w:tblHeader") if row.header else "",
    ]
    return _el("w:trPr", None, parts)


def _grid_positions(row: Row) -> list[tuple[int, Cell]]:
    """(first grid column, cell) for each cell of a row."""
    positions, col = [], 0
    for cell in row.cells:
        positions.append((col, cell))
        col += cell.span
    return positions


def _check_table(table: Table) -> None:
    """Reject tables Word would render garbled: rows not filling the grid, dangling merges."""
    if not table.columns_mm or not table.rows:
        raise ValueError("Table needs at least one column and one row")
    if any(w <= 0 for w in table.columns_mm):
        raise ValueError(f"Table column widths must be positive, got {table.columns_mm}")
    ncols = len(table.columns_mm)
    above: dict[int, int] = {}  # first column -> span of a vertically mergeable cell above
    for r, row in enumerate(table.rows):
        covered = sum(c.span for c in row.cells)
        if covered != ncols:
            raise ValueError(f"Table row {r} spans {covered} grid columns, expected {ncols}")
        current: dict[int, int] = {}
        for col, cell in _grid_positions(row):
            if cell.vmerge == "continue":
                if above.get(col) != cell.span:
                    raise ValueError(
                        f"Table row {r}, column {col}: vmerge='continue' without a merged "
                        "cell of the same span above"
                    )
                if any(not isinstance(b, Paragraph) or b.runs for b in cell.blocks):
                    raise ValueError(
                        f"Table row {r}, column {col}: a vmerge='continue' cell must be empty "
                        "(its content would be hidden)"
                    )
            if cell.vmerge is not None:
                current[col] = cell.span
        above = current


def _table(ctx: _Context, table: Table) -> str:
    _check_table(table)
    grid = [mm_to_twips(w) for w in table.columns_mm]
    rows = []
    for row in table.rows:
        cells = [_cell(ctx, c, sum(grid[col : col + c.span])) for col, c in _grid_positions(row)]
        rows.append(_el("w:tr", None, [_tr_pr(row), *cells]))
    tbl_grid = _el("w:tblGrid", None, [_el("w:gridCol", {"w:w": w}) for w in grid])
    return _el("w:tbl", None, [_tbl_pr(table, sum(grid)), tbl_grid, *rows])


# --------------------------------------------------------------------------------------------
# Blocks, sections, body
# --------------------------------------------------------------------------------------------


def _block(ctx: _Context, block: Block) -> str:
    if isinstance(block, Paragraph):
        return _paragraph(ctx, block)
    if isinstance(block, Table):
        return _table(ctx, block)
    if isinstance(block, PageBreak):
        return _page_break()
    raise TypeError(f"not a document block: {block!r}")


# GB/T 9704-2012 7.5: the page number's 一字线 sits 7 mm below the text block.
_PAGE_NUMBER_GAP_MM = 7.0


def _footer_mm(ctx: _Context, section: Section) -> float:
    if section.footer_mm is not None:
        return section.footer_mm
    bottom = section.margins_mm[2]
    if ctx.page_numbers is None:
        return min(17.5, bottom)
    line_mm = ctx.page_numbers.line_pt * 25.4 / 72
    return max(0.0, bottom - _PAGE_NUMBER_GAP_MM - line_mm)


def _sect_pr(ctx: _Context, section: Section) -> str:
    """CT_SectPr order: footerReference, pgSz, pgMar, cols, docGrid."""
    width, height = section.page_size_mm
    top, right, bottom, left = section.margins_mm
    footer_refs = [
        _el("w:footerReference", {"w:type": kind, "r:id": rel_id})
        for kind, rel_id, _name, _xml in ctx.footers
    ]
    return _el(
        "w:sectPr",
        None,
        [
            *footer_refs,
            _el(
                "w:pgSz",
                {
                    "w:w": mm_to_twips(width),
                    "w:h": mm_to_twips(height),
                    "w:orient": "landscape" if section.orientation == "landscape" else None,
                },
            ),
            _el(
                "w:pgMar",
                {
                    "w:top": mm_to_twips(top),
                    "w:right": mm_to_twips(right),
                    "w:bottom": mm_to_twips(bottom),
                    "w:left": mm_to_twips(left),
                    "w:header": mm_to_twips(section.header_mm),
                    "w:footer": mm_to_twips(_footer_mm(ctx, section)),
                    "w:gutter": 0,
                },
            ),
            _el("w:cols", {"w:space": 425}),
            # No grid type: snapping lines to a document grid would silently enlarge
            # exact-height rows and fixed line spacing.
            _el("w:docGrid", {"w:linePitch": 312}),
        ],
    )


def _section_body(ctx: _Context, section: Section, is_last: bool) -> list[str]:
    """A section's blocks; an earlier section's sectPr rides in its last paragraph."""
    blocks = list(section.blocks)
    sect_pr = _sect_pr(ctx, section)
    last = blocks[-1] if blocks else None
    if is_last:
        tail = [_paragraph(ctx, _SPACER)] if not isinstance(last, Paragraph) else []
        return [*(_block(ctx, b) for b in blocks), *tail, sect_pr]
    if isinstance(last, Paragraph):
        body = [_block(ctx, b) for b in blocks[:-1]]
        return [*body, _paragraph(ctx, last, sect_pr)]
    return [*(_block(ctx, b) for b in blocks), _paragraph(ctx, _SPACER, sect_pr)]


def _document_xml(ctx: _Context, doc: Document) -> str:
    if not doc.sections:
        raise ValueError("Document needs at least one section")
    body: list[str] = []
    for i, section in enumerate(doc.sections):
        body += _section_body(ctx, section, is_last=i == len(doc.sections) - 1)
    root = _el("w:document", {"xmlns:w": NS_W, "xmlns:r": NS_R}, [_el("w:body", None, body)])
    return _XML_DECL + root


# --------------------------------------------------------------------------------------------
# Other package parts
# --------------------------------------------------------------------------------------------


def _styles_xml(ctx: _Context, doc: Document) -> str:
    """docDefaults (East Asian default font, languages) plus the styles Word expects to find:
    Normal, Default Paragraph Font and Normal Table (whose cell margins tables inherit)."""
    east_asia, latin = _font_slots(ctx.default_font)
    lang = ctx.language
    size = _half_points(doc.default_size_pt)
    rpr_default = _el(
        "w:rPr",
        None,
        [
            _el(
                "w:rFonts",
                {
                    "w:ascii": latin,
                    "w:eastAsia": east_asia,
                    "w:hAnsi": latin,
                    "w:cs": latin,
                },
            ),
            _val("w:kern", 2),
            _val("w:sz", size),
            _val("w:szCs", size),
            _el("w:lang", {"w:val": "en-US", "w:eastAsia": lang, "w:bidi": "ar-SA"}),
        ],
    )
    doc_defaults = _el(
        "w:docDefaults",
        None,
        [_el("w:rPrDefault", None, [rpr_default]), _el("w:pPrDefault", None, [_el("w:pPr")])],
    )
    normal = _el(
        "w:style",
        {"w:type": "paragraph", "w:default": 1, "w:styleId": "Normal"},
        [
            _val("w:name", "Normal"),
            _el("w:qFormat"),
            _el("w:pPr", None, [_val("w:widowControl", 0), _val("w:jc", "both")]),
        ],
    )
    default_font = _el(
        "w:style",
        {"w:type": "character", "w:default": 1, "w:styleId": "DefaultParagraphFont"},
        [
            _val("w:name", "Default Paragraph Font"),
            _val("w:uiPriority", 1),
            _el("w:semiHidden"),
            _el("w:unhideWhenUsed"),
        ],
    )
    cell_mar = _el(
        "w:tblCellMar",
        None,
        [
            _el("w:top", {"w:w": 0, "w:type": "dxa"}),
            _el("w:left", {"w:w": _CELL_MARGIN_TWIPS, "w:type": "dxa"}),
            _el("w:bottom", {"w:w": 0, "w:type": "dxa"}),
            _el("w:right", {"w:w": _CELL_MARGIN_TWIPS, "w:type": "dxa"}),
        ],
    )
    table_normal = _el(
        "w:style",
        {"w:type": "table", "w:default": 1, "w:styleId": "TableNormal"},
        [
            _val("w:name", "Normal Table"),
            _val("w:uiPriority", 99),
            _el("w:semiHidden"),
            _el("w:unhideWhenUsed"),
            _el("w:tblPr", None, [_el("w:tblInd", {"w:w": 0, "w:type": "dxa"}), cell_mar]),
        ],
    )
    root = _el("w:styles", {"xmlns:w": NS_W}, [doc_defaults, normal, default_font, table_normal])
    return _XML_DECL + root


def _settings_xml(ctx: _Context) -> str:
    """CT_Settings order: zoom, defaultTabStop, evenAndOddHeaders, characterSpacingControl,
    compat, themeFontLang, decimalSymbol, listSeparator."""
    compat_flags = [
        "w:spaceForUL",
        "w:balanceSingleByteDoubleByteWidth",
        "w:doNotLeaveBackslashAlone",
        "w:ulTrailSpace",
        # Keeps justified lines that end in a manual line break ("\n") from being stretched.
        "w:doNotExpandShiftReturn",
        "w:adjustLineHeightInTable",
        "w:useFELayout",
    ]
    ms_uri = "http://schemas.microsoft.com/office/word"
    compat_settings = [
        ("compatibilityMode", "15"),
        ("overrideTableStyleFontSizeAndJustification", "1"),
        ("enableOpenTypeFeatures", "1"),
        ("doNotFlipMirrorIndents", "1"),
        ("differentiateMultirowTableHeaders", "1"),
    ]
    compat = _el(
        "w:compat",
        None,
        [
            *(_el(flag) for flag in compat_flags),
            *(
                _el("w:compatSetting", {"w:name": name, "w:uri": ms_uri, "w:val": val})
                for name, val in compat_settings
            ),
        ],
    )
    root = _el(
        "w:settings",
        {"xmlns:w": NS_W},
        [
            _el("w:zoom", {"w:percent": 100}),
            # 420 twips = two 10.5 pt characters, the Chinese Word default.
            _val("w:defaultTabStop", 420),
            # Odd and even pages have their own footers (page numbers on the outer side).
            _el("w:evenAndOddHeaders") if len(ctx.footers) > 1 else "",
            _val("w:characterSpacingControl", "compressPunctuation"),
            compat,
            _el("w:themeFontLang", {"w:val": "en-US", "w:eastAsia": ctx.language}),
            _val("w:decimalSymbol", "."),
            _val("w:listSeparator", ","),
        ],
    )
    return _XML_DECL + root


def _font_table_xml(ctx: _Context) -> str:
    """One w:font per font used (CT_Font order: altName, charset, family, pitch)."""
    fonts = []
    for name in ctx.fonts:
        info = _font_info(name)
        children = [
            _val("w:altName", info.alt_name) if info.alt_name else "",
            _val("w:charset", info.charset),
            _val("w:family", info.family),
            _val("w:pitch", info.pitch),
        ]
        fonts.append(_el("w:font", {"w:name": name}, children))
    return _XML_DECL + _el("w:fonts", {"xmlns:w": NS_W}, fonts)


def _w3cdtf(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _core_xml(ctx: _Context, doc: Document) -> str:
    stamp = _w3cdtf(doc.timestamp or _DEFAULT_TIMESTAMP)
    dated = {"xsi:type": "dcterms:W3CDTF"}
    root = _el(
        "cp:coreProperties",
        {
            "xmlns:cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
            "xmlns:dcterms": "http://purl.org/dc/terms/",
            "xmlns:dcmitype": "http://purl.org/dc/dcmitype/",
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        },
        [
            _text_el("dc:title", ctx.title),
            _text_el("dc:creator", ctx.creator),
            _text_el("cp:lastModifiedBy", ctx.creator),
            _text_el("dc:language", ctx.language),
            _text_el("dcterms:created", stamp, dated),
            _text_el("dcterms:modified", stamp, dated),
        ],
    )
    return _XML_DECL + root


def _app_xml() -> str:
    root = _el(
        "Properties",
        {
            "xmlns": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
            "xmlns:vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
        },
        [_text_el("Application", "formsite"), _text_el("DocSecurity", "0")],
    )
    return _XML_DECL + root


_CT_BASE = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def _content_types_xml(ctx: _Context) -> str:
    overrides = [
        ("/word/document.xml", f"{_CT_BASE}.document.main+xml"),
        *((f"/word/{name}", f"{_CT_BASE}.footer+xml") for _k, _id, name, _x in ctx.footers),
        ("/word/styles.xml", f"{_CT_BASE}.styles+xml"),
        ("/word/settings.xml", f"{_CT_BASE}.settings+xml"),
        ("/word/fontTable.xml", f"{_CT_BASE}.fontTable+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        (
            "/docProps/app.xml",
            "application/vnd.openxmlformats-officedocument.extended-properties+xml",
        ),
    ]
    children = [
        _el(
            "Default",
            {
                "Extension": "rels",
                "ContentType": "application/vnd.openxmlformats-package.relationships+xml",
            },
        ),
        _el("Default", {"Extension": "xml", "ContentType": "application/xml"}),
        *(_el("Override", {"PartName": p, "ContentType": t}) for p, t in overrides),
    ]
    ns = "http://schemas.openxmlformats.org/package/2006/content-types"
    return _XML_DECL + _el("Types", {"xmlns": ns}, children)


def _rels_xml(rels: Sequence[tuple[str, str]]) -> str:
    children = [
        _el("Relationship", {"Id": f"rId{i}", "Type": rel_type, "Target": target})
        for i, (rel_type, target) in enumerate(rels, start=1)
    ]
    return _XML_DECL + _el("Relationships", {"xmlns": NS_PKG_REL}, children)


_PACKAGE_RELS = [
    (f"{_REL_BASE}/officeDocument", "word/document.xml"),
    (
        "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
        "docProps/core.xml",
    ),
    (f"{_REL_BASE}/extended-properties", "docProps/app.xml"),
]
_DOCUMENT_RELS = [
    (f"{_REL_BASE}/styles", "styles.xml"),
    (f"{_REL_BASE}/settings", "settings.xml"),
    (f"{_REL_BASE}/fontTable", "fontTable.xml"),
]


# --------------------------------------------------------------------------------------------
# Packaging
# --------------------------------------------------------------------------------------------

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date zip can store; fixed for reproducibility


def _zip(parts: Sequence[tuple[str, str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, xml in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whichever OS (or Pyodide) writes the file
            info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
            archive.writestr(info, xml.encode("utf-8"), compresslevel=6)
    return buffer.getvalue()


def render_docx(doc: Document) -> DocxResult:
    """Write ``doc`` as a .docx package and report characters removed by sanitising."""
    ctx = _Context(doc)
    # document.xml first: rendering it collects the fonts that fontTable.xml lists.
    document = _document_xml(ctx, doc)
    styles = _styles_xml(ctx, doc)
    footer_rels = [(f"{_REL_BASE}/footer", name) for _kind, _id, name, _xml in ctx.footers]
    parts = [
        ("[Content_Types].xml", _content_types_xml(ctx)),
        ("_rels/.rels", _rels_xml(_PACKAGE_RELS)),
        ("word/document.xml", document),
        ("word/_rels/document.xml.rels", _rels_xml([*_DOCUMENT_RELS, *footer_rels])),
        *((f"word/{name}", xml) for _kind, _id, name, xml in ctx.footers),
        ("word/styles.xml", styles),
        ("word/settings.xml", _settings_xml(ctx)),
        ("word/fontTable.xml", _font_table_xml(ctx)),
        ("docProps/core.xml", _core_xml(ctx, doc)),
        ("docProps/app.xml", _app_xml()),
    ]
    return DocxResult(
        data=_zip(parts),
        removed_chars=ctx.sanitizer.removed,
        removed_codepoints=tuple(sorted(ctx.sanitizer.codepoints)),
    )


def write_docx(doc: Document) -> bytes:
    """Write ``doc`` as .docx bytes; use :func:`render_docx` to learn what was sanitised."""
    return render_docx(doc).data
