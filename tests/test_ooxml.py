"""Tests for the standard-library DOCX writer (formsite.docx.ooxml).

The pure-Python tests read the package back with zipfile + ElementTree and python-docx.  Two
slower tests use external tools and skip when they are missing: Microsoft's Open XML SDK
validator (node + @ooxml-tools/validate) and headless LibreOffice.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import docx as python_docx
import pytest
from docx.enum.section import WD_ORIENT
from ooxml_validate import validate_docx, validator_available  # tests/ is on sys.path

from formsite.docx import (
    GB_MARGINS_MM,
    Border,
    Cell,
    CellBorders,
    Document,
    PageBreak,
    PageNumbers,
    Paragraph,
    Row,
    Run,
    Section,
    Table,
    TabStop,
    mm_to_twips,
    para,
    render_docx,
    write_docx,
)

ROOT = Path(__file__).resolve().parents[1]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

EXPECTED_PARTS = [
    "[Content_Types].xml",
    "_rels/.rels",
    "word/document.xml",
    "word/_rels/document.xml.rels",
    "word/footer1.xml",
    "word/footer2.xml",
    "word/styles.xml",
    "word/settings.xml",
    "word/fontTable.xml",
    "docProps/core.xml",
    "docProps/app.xml",
]

# ECMA-376 child order of the property elements the writer emits (subset of each sequence).
SCHEMA_ORDER = {
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "color", "kern", "sz", "szCs", "u", "lang"],
    "pPr": [
        "pStyle",
        "keepNext",
        "keepLines",
        "pageBreakBefore",
        "widowControl",
        "tabs",
        "spacing",
        "ind",
        "jc",
        "rPr",
        "sectPr",
    ],
    "tblPr": [
        "tblStyle",
        "tblW",
        "jc",
        "tblInd",
        "tblBorders",
        "tblLayout",
        "tblCellMar",
        "tblLook",
    ],
    "trPr": ["cantSplit", "trHeight", "tblHeader"],
    "tcPr": ["tcW", "gridSpan", "vMerge", "tcBorders", "shd", "vAlign"],
    "sectPr": ["headerReference", "footerReference", "type", "pgSz", "pgMar", "cols", "docGrid"],
    "tblBorders": ["top", "left", "bottom", "right", "insideH", "insideV"],
    "tcBorders": ["top", "left", "bottom", "right"],
    "tblCellMar": ["top", "left", "bottom", "right"],
    "tbl": ["tblPr", "tblGrid", "tr"],
    "tr": ["trPr", "tc"],
}

BODY = {"font": "仿宋_GB2312", "size_pt": 12}


CELL_OPTIONS = {"span", "vmerge", "valign", "shade", "borders"}


def _cell(text: str = "", **kwargs: Any) -> Cell:
    """A cell holding one body-text paragraph; paragraph options (align=...) go to it."""
    cell_kw = {k: v for k, v in kwargs.items() if k in CELL_OPTIONS}
    para_kw = {k: v for k, v in kwargs.items() if k not in CELL_OPTIONS}
    return Cell([para(text, **BODY, **para_kw)] if text else [], **cell_kw)


def feature_document() -> Document:
    """A document exercising every feature: both orientations, merges, heights, breaks."""
    title = para(
        "浙江省跨境电子商务专项资金申请表",
        font="方正小标宋简体",
        size_pt=22,
        align="center",
        space_after_pt=12,
        keep_with_next=True,
    )
    header_line = Paragraph(
        runs=[
            Run("申请单位（盖章）：", **BODY),  # type: ignore[arg-type]
            Run("某某科技有限公司", underline=True, **BODY),  # type: ignore[arg-type]
            Run("\t填报日期：2024年1月1日", **BODY),  # type: ignore[arg-type]
        ],
        tab_stops=[TabStop(156, "right")],
        align="left",
    )
    body = Paragraph(
        runs=[Run("正文第一行\n正文第二行", **BODY), Run("（加粗）", bold=True, italic=True)],  # type: ignore[arg-type]
        first_line_chars=2,
        line_pt=28,
        space_before_pt=6,
    )
    table = Table(
        columns_mm=[24, 30, 34, 30, 38],
        rows=[
            Row(
                [_cell("企业名称", align="center"), _cell("某某科技有限公司", span=4)],
                header=True,
                height_mm=10,
            ),
            Row(
                [
                    _cell("基本情况", vmerge="restart", align="center"),
                    _cell("企业类型"),
                    _cell("√ 生产型  □ 贸易型", span=3),
                ],
                height_mm=10,
            ),
            Row([_cell(vmerge="continue"), _cell("所在地"), _cell("杭州市\n滨江区", span=3)]),
            Row(
                [
                    _cell("备注", shade="D9D9D9"),
                    _cell("长文本" * 80, span=4, valign="top"),
                ]
            ),
            Row(
                [
                    Cell(
                        [
                            para("申请单位意见：", **BODY),
                            para("（盖章）\n年  月  日", align="right"),
                        ],
                        span=3,
                        valign="top",
                        borders=CellBorders(bottom=Border("double", 0.75)),
                    ),
                    Cell([], span=2, borders=CellBorders(right=Border("nil"))),
                ],
                height_mm=40,
                height_rule="exact",
                cant_split=True,
            ),
        ],
    )
    nested = Table(columns_mm=[20, 20], rows=[Row([_cell("内"), _cell("表")])], borders="none")
    landscape_table = Table(
        columns_mm=[20, 80, 60, 60],
        rows=[
            Row([_cell(h, align="center") for h in ("序号", "项目", "金额", "备注")], header=True),
            Row([_cell("1"), _cell("海外仓"), _cell("100.00", align="right"), Cell([nested])]),
        ],
        align="left",
    )
    return Document(
        title="附件1 申请表",
        sections=[
            Section(blocks=[title, header_line, body, table, PageBreak(), para("第二页")]),
            Section(
                orientation="landscape",
                margins_mm=(28, 37, 26, 35),
                blocks=[para("附表", font="黑体", size_pt=16), landscape_table],
            ),
        ],
    )


def _part(data: bytes, name: str) -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return ET.fromstring(archive.read(name))


def _attr(el: ET.Element | None, name: str) -> str | None:
    assert el is not None
    return el.get(f"{W}{name}")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@pytest.fixture(scope="module")
def feature_docx() -> bytes:
    return write_docx(feature_document())


@pytest.fixture(scope="module")
def body(feature_docx: bytes) -> ET.Element:
    found = _part(feature_docx, "word/document.xml").find("w:body", NS)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def feature_file(tmp_path_factory: pytest.TempPathFactory, feature_docx: bytes) -> Path:
    path = tmp_path_factory.mktemp("docx") / "feature.docx"
    path.write_bytes(feature_docx)
    return path


# --- structure ------------------------------------------------------------------------------


def _footer_text(footer: ET.Element) -> str:
    """The footer's text with the PAGE field shown as "N"."""
    out = []
    for el in footer.iter():
        if _local(el.tag) == "t":
            out.append(el.text or "")
        elif _local(el.tag) == "instrText":
            out.append(f"{{{(el.text or '').strip()}}}")
    return "".join(out).replace("{PAGE}1", "N")


def test_page_numbers_gb9704_on_every_section(feature_docx: bytes) -> None:
    """GB/T 9704 7.5: "— N —" in 4号 宋体, odd pages right, even pages left, one character in
    from the text block, 7 mm below it; every section points at both footers."""
    rels = _part(feature_docx, "word/_rels/document.xml.rels")
    targets = {r.get("Id"): r.get("Target") for r in rels}
    assert targets["rId4"] == "footer1.xml" and targets["rId5"] == "footer2.xml"
    settings = _part(feature_docx, "word/settings.xml")
    assert settings.find("w:evenAndOddHeaders", NS) is not None
    body = _part(feature_docx, "word/document.xml").find("w:body", NS)
    sections = body.findall(".//w:sectPr", NS)
    assert len(sections) == 2
    for sect in sections:
        refs = {(_attr(r, "type"), r.get(f"{{{R}}}id")) for r in sect.findall("w:footerReference", NS)}
        assert refs == {("default", "rId4"), ("even", "rId5")}
        bottom = int(_attr(sect.find("w:pgMar", NS), "bottom"))
        footer = int(_attr(sect.find("w:pgMar", NS), "footer"))
        line = 14 * 1.3 * 20  # the footer paragraph's exact line height, twips
        assert abs((bottom - footer - line) - mm_to_twips(7)) <= 2
    for name, align, indent in (("footer1.xml", "right", "right"), ("footer2.xml", "left", "left")):
        footer = _part(feature_docx, f"word/{name}")
        assert _footer_text(footer) == "\u2014 N \u2014"
        ppr = footer.find("w:p/w:pPr", NS)
        assert _attr(ppr.find("w:jc", NS), "val") == align
        assert _attr(ppr.find("w:ind", NS), indent) == str(mm_to_twips(14 * 25.4 / 72))
        for run in footer.iter(f"{W}r"):
            assert _attr(run.find("w:rPr/w:sz", NS), "val") == "28"  # 4号 = 14 pt
            assert _attr(run.find("w:rPr/w:rFonts", NS), "eastAsia") == "宋体"


def test_page_numbers_centred_or_off() -> None:
    doc = feature_document()
    doc.page_numbers = PageNumbers(position="center")
    data = write_docx(doc)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    assert "word/footer1.xml" in names and "word/footer2.xml" not in names
    assert _attr(_part(data, "word/footer1.xml").find("w:p/w:pPr/w:jc", NS), "val") == "center"
    assert _part(data, "word/settings.xml").find("w:evenAndOddHeaders", NS) is None
    doc.page_numbers = None
    data = write_docx(doc)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not any("footer" in n for n in archive.namelist())
    assert _part(data, "word/document.xml").find(".//w:footerReference", NS) is None


def test_package_parts_in_fixed_order(feature_docx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(feature_docx)) as archive:
        assert archive.namelist() == EXPECTED_PARTS
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            ET.fromstring(archive.read(info))  # every part is well-formed XML


def test_children_follow_schema_order(feature_docx: bytes) -> None:
    for part in ("word/document.xml", "word/styles.xml"):
        for el in _part(feature_docx, part).iter():
            order = SCHEMA_ORDER.get(_local(el.tag))
            if order is None or _local(el.tag) == "tab":
                continue
            names = [_local(c.tag) for c in el]
            unknown = [n for n in names if n not in order]
            assert not unknown, f"{_local(el.tag)} has unexpected children {unknown}"
            positions = [order.index(n) for n in names]
            assert positions == sorted(positions), (
                f"{_local(el.tag)} children out of order: {names}"
            )


def test_table_grid_widths_and_layout(body: ET.Element) -> None:
    tbl = body.find("w:tbl", NS)
    assert tbl is not None
    grid = [int(_attr(g, "w") or 0) for g in tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert grid == [mm_to_twips(w) for w in (24, 30, 34, 30, 38)]
    assert _attr(tbl.find("w:tblPr/w:tblW", NS), "w") == str(sum(grid))
    assert _attr(tbl.find("w:tblPr/w:tblW", NS), "type") == "dxa"
    assert _attr(tbl.find("w:tblPr/w:tblLayout", NS), "type") == "fixed"
    assert _attr(tbl.find("w:tblPr/w:jc", NS), "val") == "center"
    borders = tbl.find("w:tblPr/w:tblBorders", NS)
    assert borders is not None and len(borders) == 6
    assert all(_attr(b, "val") == "single" and _attr(b, "sz") == "4" for b in borders)
    # The 156 mm of columns exactly fill the GB/T 9704 text block.
    assert sum(grid) == mm_to_twips(210) - mm_to_twips(26) - mm_to_twips(28)


def test_horizontal_and_vertical_merges(body: ET.Element) -> None:
    rows = body.findall("w:tbl/w:tr", NS)
    grid = [mm_to_twips(w) for w in (24, 30, 34, 30, 38)]
    spanned = rows[0].findall("w:tc", NS)[1]
    assert _attr(spanned.find("w:tcPr/w:gridSpan", NS), "val") == "4"
    assert _attr(spanned.find("w:tcPr/w:tcW", NS), "w") == str(sum(grid[1:]))
    assert _attr(rows[1].find("w:tc/w:tcPr/w:vMerge", NS), "val") == "restart"
    assert _attr(rows[2].find("w:tc/w:tcPr/w:vMerge", NS), "val") == "continue"
    assert rows[3].find("w:tc/w:tcPr/w:shd", NS) is not None
    for tc in body.iter(f"{W}tc"):  # every cell ends with a paragraph
        assert _local(tc[-1].tag) == "p"


def test_row_heights_and_row_flags(body: ET.Element) -> None:
    rows = body.findall("w:tbl/w:tr", NS)
    first = rows[0].find("w:trPr", NS)
    assert first is not None and first.find("w:tblHeader", NS) is not None
    assert _attr(first.find("w:trHeight", NS), "val") == str(mm_to_twips(10))
    assert _attr(first.find("w:trHeight", NS), "hRule") == "atLeast"
    stamp = rows[4].find("w:trPr", NS)
    assert stamp is not None and stamp.find("w:cantSplit", NS) is not None
    assert _attr(stamp.find("w:trHeight", NS), "val") == str(mm_to_twips(40))
    assert _attr(stamp.find("w:trHeight", NS), "hRule") == "exact"
    tc_borders = rows[4].find("w:tc/w:tcPr/w:tcBorders", NS)
    assert tc_borders is not None
    assert _attr(tc_borders.find("w:bottom", NS), "val") == "double"


def test_fonts_sizes_breaks_and_tabs(body: ET.Element) -> None:
    title_run = body.find("w:p/w:r", NS)
    assert title_run is not None
    fonts = title_run.find("w:rPr/w:rFonts", NS)
    assert _attr(fonts, "eastAsia") == "方正小标宋简体"
    assert _attr(fonts, "ascii") == "SimSun" and _attr(fonts, "hAnsi") == "SimSun"
    assert _attr(fonts, "hint") == "eastAsia"
    assert _attr(title_run.find("w:rPr/w:sz", NS), "val") == "44"
    assert _attr(title_run.find("w:rPr/w:szCs", NS), "val") == "44"
    body_fonts = [_attr(f, "ascii") for f in body.iter(f"{W}rFonts") if _attr(f, "eastAsia")]
    assert "FangSong" in body_fonts

    paragraphs = body.findall("w:p", NS)
    header_line, text = paragraphs[1], paragraphs[2]
    assert header_line.find("w:r/w:tab", NS) is not None
    stop = header_line.find("w:pPr/w:tabs/w:tab", NS)
    assert _attr(stop, "val") == "right" and _attr(stop, "pos") == str(mm_to_twips(156))
    assert len(text.findall("w:r/w:br", NS)) == 1
    assert [t.text for t in text.iter(f"{W}t")] == ["正文第一行", "正文第二行", "（加粗）"]
    ind = text.find("w:pPr/w:ind", NS)
    assert _attr(ind, "firstLineChars") == "200"
    assert _attr(ind, "firstLine") == str(2 * 12 * 20)  # two 12 pt characters
    assert _attr(text.find("w:pPr/w:spacing", NS), "line") == "560"
    assert _attr(text.find("w:pPr/w:spacing", NS), "lineRule") == "exact"
    page_break = body.find("w:p/w:r/w:br[@w:type='page']", NS)
    assert page_break is not None


def test_sections_orientation_and_margins(body: ET.Element) -> None:
    # The first section's sectPr rides in the paragraph that ends it.
    inner = body.findall("w:p/w:pPr/w:sectPr", NS)
    assert len(inner) == 1
    portrait = inner[0].find("w:pgSz", NS)
    assert (_attr(portrait, "w"), _attr(portrait, "h")) == ("11906", "16838")
    assert _attr(portrait, "orient") is None
    margins = inner[0].find("w:pgMar", NS)
    top, right, bottom, left = GB_MARGINS_MM
    assert _attr(margins, "top") == str(mm_to_twips(top)) == "2098"
    assert _attr(margins, "bottom") == str(mm_to_twips(bottom))
    assert _attr(margins, "left") == str(mm_to_twips(left))
    assert _attr(margins, "right") == str(mm_to_twips(right))
    # The last section's sectPr is the body's last child, after a spacer paragraph because
    # the section ends with a table.
    assert _local(body[-1].tag) == "sectPr"
    assert _local(body[-2].tag) == "p" and _local(body[-3].tag) == "tbl"
    landscape = body[-1].find("w:pgSz", NS)
    assert (_attr(landscape, "w"), _attr(landscape, "h")) == ("16838", "11906")
    assert _attr(landscape, "orient") == "landscape"


def test_styles_settings_font_table_and_core(feature_docx: bytes) -> None:
    styles = _part(feature_docx, "word/styles.xml")
    lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert (_attr(lang, "val"), _attr(lang, "eastAsia")) == ("en-US", "zh-CN")
    default_fonts = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert _attr(default_fonts, "eastAsia") == "仿宋_GB2312"
    assert styles.find("w:style[@w:styleId='Normal']", NS) is not None

    settings = _part(feature_docx, "word/settings.xml")
    mode = settings.find("w:compat/w:compatSetting[@w:name='compatibilityMode']", NS)
    assert _attr(mode, "val") == "15"
    assert _attr(settings.find("w:characterSpacingControl", NS), "val") == "compressPunctuation"

    fonts = {_attr(f, "name"): f for f in _part(feature_docx, "word/fontTable.xml")}
    for name in ("仿宋_GB2312", "方正小标宋简体", "黑体", "FangSong", "SimSun", "SimHei"):
        assert name in fonts, name
    assert _attr(fonts["仿宋_GB2312"].find("w:charset", NS), "val") == "86"

    core = _part(feature_docx, "docProps/core.xml")
    dc = "{http://purl.org/dc/elements/1.1/}"
    dcterms = "{http://purl.org/dc/terms/}"
    assert core.findtext(f"{dc}title") == "附件1 申请表"
    assert core.findtext(f"{dc}creator") == "formsite"
    assert core.findtext(f"{dcterms}created") == "2024-01-01T00:00:00Z"


def test_timestamp_is_configurable() -> None:
    moment = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    doc = Document(sections=[Section(blocks=[para("x")])], timestamp=moment)
    core = _part(write_docx(doc), "docProps/core.xml")
    assert core.findtext("{http://purl.org/dc/terms/}modified") == "2025-03-04T05:06:07Z"


def test_empty_cells_and_empty_document_still_valid_structure() -> None:
    table = Table(columns_mm=[50, 50], rows=[Row([Cell(), Cell()])])
    body = _part(write_docx(Document([Section(blocks=[table])])), "word/document.xml")
    cells = list(body.iter(f"{W}tc"))
    assert len(cells) == 2 and all(tc.find("w:p", NS) is not None for tc in cells)
    empty = _part(write_docx(Document([Section()])), "word/document.xml")
    assert empty.find("w:body/w:sectPr", NS) is not None


# --- model checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([Row([Cell(), Cell()])], "spans 2 grid columns, expected 3"),
        ([Row([Cell(span=3)]), Row([Cell(vmerge="continue", span=3)])], "without a merged"),
        (
            [Row([Cell(vmerge="restart"), Cell(span=2)]), Row([Cell(vmerge="continue"), Cell()])],
            "expected 3",
        ),
        (
            [
                Row([Cell(vmerge="restart"), Cell(span=2)]),
                Row([Cell([para("x")], vmerge="continue"), Cell(span=2)]),
            ],
            "must be empty",
        ),
    ],
)
def test_malformed_tables_are_rejected(rows: list[Row], message: str) -> None:
    doc = Document([Section(blocks=[Table(columns_mm=[10, 10, 10], rows=rows)])])
    with pytest.raises(ValueError, match=message):
        write_docx(doc)


def test_conflicting_paragraph_options_are_rejected() -> None:
    with pytest.raises(ValueError):
        Paragraph(line_pt=20, line_multiple=1.5)
    with pytest.raises(ValueError):
        Cell(span=0)
    with pytest.raises(ValueError, match="hex"):
        Cell(shade="grey")
    with pytest.raises(ValueError, match="hex"):
        Border(color="#000000")
    with pytest.raises(ValueError, match="positive"):
        write_docx(Document([Section([Table([10, 0], [Row([Cell(), Cell()])])])]))


# --- reproducibility ------------------------------------------------------------------------


def test_same_input_gives_identical_bytes() -> None:
    assert write_docx(feature_document()) == write_docx(feature_document())


# --- sanitising -----------------------------------------------------------------------------


def _text_of(data: bytes) -> str:
    body = _part(data, "word/document.xml")
    return "".join(t.text or "" for t in body.iter(f"{W}t"))


def test_forbidden_control_characters_are_removed_and_counted() -> None:
    dirty = "a\x00b\x01c\x0bd\x1fe\ufffef\uffffg\ud800h"
    doc = Document([Section(blocks=[para(dirty)])], title="标题\x07")
    result = render_docx(doc)
    assert result.removed_chars == 8  # 7 in the body, 1 in the title
    assert result.removed_codepoints == (0x0, 0x1, 0x7, 0xB, 0x1F, 0xD800, 0xFFFE, 0xFFFF)
    assert _text_of(result.data) == "abcdefgh"
    core = _part(result.data, "docProps/core.xml")
    assert core.findtext("{http://purl.org/dc/elements/1.1/}title") == "标题"


def test_clean_text_reports_nothing_removed(feature_docx: bytes) -> None:
    result = render_docx(feature_document())
    assert result.removed_chars == 0 and result.data == feature_docx


@pytest.mark.parametrize(
    "text",
    ["]]>", "<w:p>", "a & b", "\"quoted\" 'single'", "😀 emoji 𠀀", "\u0085\u2028 ok"],
)
def test_markup_like_and_astral_text_round_trips(text: str) -> None:
    result = render_docx(Document([Section(blocks=[para(text)])], title=text))
    assert result.removed_chars == 0
    assert _text_of(result.data) == text
    assert python_docx.Document(io.BytesIO(result.data)).paragraphs[0].text == text


def test_surrogate_pairs_are_joined_not_dropped() -> None:
    split = "\ud83d\ude00"  # 😀 as two UTF-16 code units, as a JavaScript string may hold it
    result = render_docx(Document([Section(blocks=[para(split)])]))
    assert result.removed_chars == 0
    assert _text_of(result.data) == "😀"


def test_carriage_returns_become_line_breaks() -> None:
    body = _part(
        write_docx(Document([Section(blocks=[para("一\r\n二\r三")])])), "word/document.xml"
    )
    assert len(list(body.iter(f"{W}br"))) == 2


def test_large_text_produces_parseable_package() -> None:
    big = ("浙江省跨境电商\t<&>]]>" * 8000)[:100_000]
    data = write_docx(Document([Section(blocks=[para(big)])]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            ET.fromstring(archive.read(name))
    assert _text_of(data) == big.replace("\t", "")


# --- python-docx reads it back --------------------------------------------------------------


def test_python_docx_reads_text_tables_and_sections(feature_docx: bytes) -> None:
    doc = python_docx.Document(io.BytesIO(feature_docx))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "浙江省跨境电子商务专项资金申请表"
    assert "正文第一行\n正文第二行（加粗）" in texts
    assert doc.core_properties.title == "附件1 申请表"

    table = doc.tables[0]
    assert table.cell(0, 0).text == "企业名称"
    assert table.cell(0, 4).text == "某某科技有限公司"  # covered by the horizontal merge
    assert table.cell(1, 0).text == "基本情况"
    assert table.cell(2, 0).text == "基本情况"  # covered by the vertical merge
    assert table.cell(2, 2).text == "杭州市\n滨江区"
    assert table.cell(1, 2).text == "√ 生产型  □ 贸易型"

    assert [s.orientation for s in doc.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    assert doc.sections[1].page_width.mm == pytest.approx(297, abs=0.1)  # type: ignore[union-attr]
    assert doc.sections[0].left_margin.mm == pytest.approx(28, abs=0.1)  # type: ignore[union-attr]


# --- Open XML SDK validator -----------------------------------------------------------------


@pytest.mark.skipif(not validator_available(), reason="node or @ooxml-tools/validate missing")
@pytest.mark.parametrize("office_version", ["Microsoft365", "Office2007"])
def test_open_xml_sdk_validator_finds_no_errors(feature_file: Path, office_version: str) -> None:
    assert validate_docx(feature_file, office_version) == []


@pytest.mark.skipif(not validator_available(), reason="node or @ooxml-tools/validate missing")
def test_validator_catches_out_of_order_elements(tmp_path: Path, feature_docx: bytes) -> None:
    """Guards the guard: the helper must report errors, not just return []."""
    broken = tmp_path / "broken.docx"
    with (
        zipfile.ZipFile(io.BytesIO(feature_docx)) as src,
        zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in src.namelist():
            data = src.read(name)
            if name == "word/document.xml":
                # tcW must precede vAlign; swap them in the first cell.
                text = data.decode()
                start = text.index("<w:tcW")
                end = text.index("/>", start) + 2
                tcw = text[start:end]
                text = text[:start] + text[end:]
                text = text.replace("</w:tcPr>", tcw + "</w:tcPr>", 1)
                data = text.encode()
            dst.writestr(name, data)
    errors = validate_docx(broken)
    assert errors and "tcPr" in errors[0]


# --- LibreOffice rendering ------------------------------------------------------------------

# LibreOffice substitutes fonts through fontconfig; without these aliases the Windows font
# names match DejaVu Sans and CJK text only shows through glyph fallback.
FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
{aliases}
</fontconfig>
"""
FONT_ALIASES = {
    "Noto Serif CJK SC": ["仿宋_GB2312", "仿宋", "FangSong", "方正小标宋简体", "宋体", "SimSun"],
    "Noto Sans CJK SC": ["黑体", "SimHei"],
}


def _fontconfig(directory: Path) -> Path:
    aliases = "\n".join(
        f'  <alias binding="same"><family>{name}</family>'
        f"<prefer><family>{target}</family></prefer></alias>"
        for target, names in FONT_ALIASES.items()
        for name in names
    )
    path = directory / "fonts.conf"
    path.write_text(FONTCONFIG.format(aliases=aliases), encoding="utf-8")
    return path


def convert_to_pdf(docx_path: Path, outdir: Path) -> Path:
    """Convert with headless LibreOffice in a private profile (so parallel runs don't clash)."""
    env = dict(os.environ, FONTCONFIG_FILE=str(_fontconfig(outdir)))
    profile = (outdir / "lo-profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(docx_path),
        ],
        env=env,
        capture_output=True,
        timeout=240,
        check=False,  # soffice exits 0 even on failure; the PDF's existence is the real check
    )
    return outdir / (docx_path.stem + ".pdf")


def _pdfinfo(pdf: Path, *pages: str) -> dict[str, str]:
    """pdfinfo's "Key: value" lines; with ``-f N -l M`` it adds "Page    N size" keys."""
    out = subprocess.run(["pdfinfo", *pages, str(pdf)], capture_output=True, text=True, check=True)
    info = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition(":")
        info[" ".join(key.split())] = value.strip()
    return info


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) missing")
@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils (pdfinfo) missing")
def test_libreoffice_renders_pdf(feature_file: Path, tmp_path: Path) -> None:
    pdf = convert_to_pdf(feature_file, tmp_path)
    assert pdf.is_file(), "LibreOffice produced no PDF"
    pages = int(_pdfinfo(pdf)["Pages"])
    assert pages >= 1
    # Section 1 (title page + explicit page break) then one landscape page.
    assert pages == 3
    sizes = _pdfinfo(pdf, "-f", "1", "-l", str(pages))
    first, last = sizes["Page 1 size"], sizes[f"Page {pages} size"]
    assert first.startswith("595") and "(A4)" in first
    assert last.startswith("841") and "(A4)" in last
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "浙江省跨境电子商务专项资金申请表" in text
        assert "基本情况" in text


# --- Pyodide --------------------------------------------------------------------------------

PYODIDE = ROOT / "node_modules" / "pyodide" / "pyodide.mjs"

# Built and written the same way in CPython and in Pyodide; the bytes must match.
PYODIDE_SNIPPET = """
from formsite.docx import Cell, Document, Row, Section, Table, para, render_docx
table = Table([30, 30], [Row([Cell([para("合并", font="黑体")], span=2)], height_mm=9,
              height_rule="exact"), Row([Cell([para("□ 否\\n√ 是")]), Cell()])])
doc = Document([Section([para("标题😀\\x01", size_pt=22), table]),
                Section([para("横向")], orientation="landscape")], title="t")
result = render_docx(doc)
"""

PYODIDE_RUNNER = """
import {{ loadPyodide }} from {pyodide};
import {{ readFileSync }} from "fs";
const py = await loadPyodide();
py.FS.mkdirTree("/lib/formsite/docx");
for (const name of ["__init__.py", "ooxml.py"]) {{
  py.FS.writeFile("/lib/formsite/docx/" + name, readFileSync({src} + "/" + name));
}}
py.runPython("import sys; sys.path.insert(0, '/lib')");
py.runPython({snippet});
const data = py.runPython("import base64; base64.b64encode(result.data).decode()");
const removed = py.runPython("result.removed_chars");
console.log(JSON.stringify({{ data, removed }}));
"""


@pytest.mark.pyodide
@pytest.mark.skipif(
    shutil.which("node") is None or not PYODIDE.is_file(), reason="node or pyodide missing"
)
def test_pyodide_writes_identical_bytes(tmp_path: Path) -> None:
    """The engine runs in the browser: same document, same bytes as CPython."""
    runner = tmp_path / "run.mjs"
    runner.write_text(
        PYODIDE_RUNNER.format(
            pyodide=json.dumps(PYODIDE.as_uri()),
            src=json.dumps(str(ROOT / "src" / "formsite" / "docx")),
            snippet=json.dumps(PYODIDE_SNIPPET),
        ),
        encoding="utf-8",
    )
    proc = subprocess.run(
        ["node", str(runner)], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    browser = json.loads(proc.stdout.strip().splitlines()[-1])
    namespace: dict[str, Any] = {}
    exec(PYODIDE_SNIPPET, namespace)
    assert browser["removed"] == namespace["result"].removed_chars == 1
    assert base64.b64decode(browser["data"]) == namespace["result"].data
