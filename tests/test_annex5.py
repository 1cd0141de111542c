"""附件5 重点项目清单: the rows (formsite.annex5), the landscape DOCX (formsite.docx.annex5) and
the spreadsheet (formsite.xlsx).

The list is built from real project dossiers validated by the real engine: two counties with
two projects each, typed the way people type (commas, full-width digits, "万元" suffixes).
Every figure must equal what was typed, every total must be the exact decimal sum, and both
files must pass the Open XML SDK validator and open in LibreOffice with the right numbers.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dossiers import valid_project_dossier
from ooxml_validate import validate_docx, validate_xlsx, validator_available
from support.office import soffice
from support.pyodide_node import needs_pyodide, run_in_pyodide

from formsite.annex5 import ANNEX5_COLUMNS, Annex5Entry, Annex5Table, build_annex5, cell_text
from formsite.docx.annex5 import ANNEX5_FILE_NAME, render_annex5
from formsite.docx.ooxml import mm_to_twips
from formsite.engine import Engine
from formsite.loader import default_paths, load_definitions
from formsite.xlsx import annex5_xlsx, column_letter

ROOT = Path(__file__).resolve().parents[1]
NOTICE = ROOT.parent / "shared" / "spec" / "notice.txt"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
X = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

# --------------------------------------------------------------------------------------------
# Four projects in two counties
# --------------------------------------------------------------------------------------------

# (county, project name, what differs from valid_project_dossier())
VARIANTS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    (
        "安吉县",
        "安吉县椅业跨境电商产业带展示选品中心",
        {"subsidy_requested": "0.1", "total_investment": "2,000"},
        {},
    ),
    (
        "安吉县",
        "安吉县竹制品线上产业带专区",
        {
            "subsidy_requested": "0.2",
            "total_investment": "１,２００.５",  # full-width digits
            "period_investment": "1,000",
            "project_types": ["online_zone", "showroom"],  # printed in the 填表说明's order
            "online_sku": "12000",
            "online_turnover": "15000",
            "enterprise_type": "production",
            "contact_person": "李娜",  # the 项目负责人 is the contact: not named twice
            "start_month": "2024-10",
            "progress_plan": [
                {"deadline": "2024-11-30", "invested": "100", "progress": "8"},
                {"deadline": "2024-12-31", "invested": "300", "progress": "25.5"},
                {"deadline": "2025-09-30", "invested": "1200.5", "progress": "100"},
            ],
        },
        {"software": [{"name": "选品管理系统", "spent": "0.2", "planned": "0.1"}]},
    ),
    (
        "德清县",
        "德清县跨境电商公共服务中心",
        {
            "subsidy_requested": "500万元",
            "total_investment": "3,000",
            "project_types": ["service_center"],
            "service_area": "1,200",
            "service_providers": "25",
            "enterprise_type": "other",  # 其它 → 其他
            "progress_plan": [  # nothing due by the cut-off: progress blank
                {"deadline": "2025-06-30", "invested": "1000", "progress": "30"},
                {"deadline": "2025-09-30", "invested": "3000", "progress": "100"},
            ],
        },
        {"construction": [{"name": "中心装修", "spent": "1,050.00", "planned": "1,000"}]},
    ),
    (
        "德清县",
        "德清县跨境电商产业园",
        {"subsidy_requested": "300", "enterprise_type": "service"},
        {},
    ),
]


def _dossier(county: str, name: str, info: dict[str, Any], funds: dict[str, Any]) -> dict[str, Any]:
    raw = valid_project_dossier()
    raw["project_info"].update(info, county=county, project_name=name)
    raw["fund_details"].update(funds)
    return raw


@pytest.fixture(scope="module")
def dossiers() -> list[dict[str, Any]]:
    return [_dossier(*v) for v in VARIANTS]


@pytest.fixture(scope="module")
def entries(engine: Engine, dossiers) -> list[Annex5Entry]:
    out = []
    for raw in dossiers:
        report = engine.validate("project", raw)
        assert report.ok, [i.message for i in report.errors]
        info = raw["project_info"]
        out.append(Annex5Entry("湖州市", info["county"], report.normalised))
    return out


@pytest.fixture(scope="module")
def table(engine: Engine, entries) -> Annex5Table:
    return build_annex5(engine.definitions, entries)


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


def test_rows_grouped_numbered_with_subtotals(table: Annex5Table) -> None:
    kinds = [(r.kind, r.get("number"), r.label, r.get("county")) for r in table.rows]
    assert kinds == [
        ("project", 1, "", "安吉县"),
        ("project", 2, "", "安吉县"),
        ("subtotal", None, "安吉县小计", "安吉县"),
        ("project", 3, "", "德清县"),
        ("project", 4, "", "德清县"),
        ("subtotal", None, "德清县小计", "德清县"),
        ("total", None, "合计", None),
    ]
    assert [r.get("project_name") for r in table.projects] == [v[1] for v in VARIANTS]
    assert {r.get("city") for r in table.projects} == {"湖州市"}


def test_counties_in_given_order_even_when_interleaved(engine: Engine, entries) -> None:
    a1, a2, d1, d2 = entries
    table = build_annex5(engine.definitions, [d1, a1, d2, a2])
    names = [(r.kind, r.get("county"), r.get("number")) for r in table.rows]
    assert names[:3] == [("project", "德清县", 1), ("project", "德清县", 2), ("subtotal", "德清县", None)]
    assert [r.get("project_name") for r in table.projects] == [
        VARIANTS[2][1], VARIANTS[3][1], VARIANTS[0][1], VARIANTS[1][1],
    ]  # fmt: skip


def test_every_figure_equals_what_was_typed(table: Annex5Table, dossiers) -> None:
    first, second, third, _fourth = table.projects
    # Money: exact decimals of the typed strings, 附件4's 累计 for the costs.
    assert first.get("total_investment") == Decimal("2000.00")
    assert second.get("total_investment") == Decimal("1200.50")
    assert third.get("total_investment") == Decimal("3000.00")
    assert [p.get("subsidy") for p in table.projects] == [
        Decimal("0.10"), Decimal("0.20"), Decimal("500.00"), Decimal("300.00"),
    ]  # fmt: skip
    # valid_project_dossier's 附件4: 1250.60 spent, 259.40 planned; variant 2 replaces the
    # software row (0.1 / 0.2 → 0.2 / 0.1); variant 3 the construction row (1050 / 200 →
    # 1050 / 1000).
    assert (first.get("spent"), first.get("planned")) == (Decimal("1250.60"), Decimal("259.40"))
    assert (second.get("spent"), second.get("planned")) == (Decimal("1250.70"), Decimal("259.30"))
    assert (third.get("spent"), third.get("planned")) == (Decimal("1250.60"), Decimal("1059.40"))
    # Words of the 填表说明, dates as on 附件3, progress at the cut-off.
    assert first.get("project_types") == "跨境电商产业带展示选品中心方面"
    assert second.get("project_types") == "跨境电商产业带展示选品中心方面、跨境电商线上产业带专区方面"
    assert third.get("project_types") == "跨境电商公共服务中心方面"
    assert [p.get("enterprise_type") for p in table.projects] == [
        "贸易型企业", "生产型企业", "其他", "服务型企业",
    ]  # fmt: skip
    assert (first.get("start_month"), first.get("end_month")) == ("2024年3月", "2025年9月")
    assert second.get("start_month") == "2024年10月"
    assert first.get("progress") == Decimal("40")
    assert second.get("progress") == Decimal("25.5")  # the 2024-12-31 row, not 2024-11-30
    assert third.get("progress") is None
    assert any("德清县跨境电商公共服务中心" in g and "当前实施进度" in g for g in table.gaps)
    # Text columns come from 附件3 as typed.
    info = dossiers[0]["project_info"]
    assert first.get("org_name") == info["org_name"]
    assert first.get("build_content") == info["build_content"]
    assert first.get("address") == info["build_address"]
    assert first.get("leader") == "李娜\n联系人：王强 0572-5123456"
    assert second.get("leader") == "李娜\n0572-5123456"


def test_totals_are_exact_decimal_sums(table: Annex5Table) -> None:
    anji, deqing, total = (r for r in table.rows if r.kind != "project")
    assert anji.get("subsidy") == Decimal("0.30")  # 0.1 + 0.2, never 0.30000000000000004
    assert cell_text(anji.get("subsidy")) == "0.30"
    assert anji.get("total_investment") == Decimal("3200.50")
    assert deqing.get("subsidy") == Decimal("800.00")
    for key in ("total_investment", "spent", "planned", "subsidy"):
        projects = [p.get(key) for p in table.projects]
        assert total.get(key) == sum(projects, Decimal(0))
        assert anji.get(key) + deqing.get(key) == total.get(key)
    assert cell_text(total.get("subsidy")) == "800.30"
    assert cell_text(total.get("spent")) == "5002.50"


def test_no_entries_gives_a_zero_total(engine: Engine) -> None:
    table = build_annex5(engine.definitions, [])
    assert [r.kind for r in table.rows] == ["total"]
    assert cell_text(table.total.get("subsidy")) == "0.00"


def test_unreadable_figures_stay_blank_and_are_named(engine: Engine, entries) -> None:
    broken = Annex5Entry("湖州市", "长兴县", {"project_info": {"project_name": "缺数项目"}})
    table = build_annex5(engine.definitions, [entries[0], broken])
    row = table.projects[1]
    assert row.get("total_investment") is None and row.get("progress") is None
    assert table.total.get("total_investment") == Decimal("2000.00")
    assert any("缺数项目" in g and "总投资（投入）" in g for g in table.gaps)


def test_words_come_from_the_rule_set(tmp_path: Path, entries) -> None:
    forms, rules = default_paths(ROOT)
    text = rules.read_text(encoding="utf-8")
    text = text.replace('progress_as_of: "2024-12-31"', 'progress_as_of: "2025-09-30"', 1)
    text = text.replace("    trade: 贸易型企业", "    trade: 外贸型企业", 1)
    # A copy of rules/ (with the reference data its includes name), changed.
    shutil.copytree(rules.parent, tmp_path / "rules")
    new_rules = tmp_path / "rules" / rules.name
    new_rules.write_text(text, encoding="utf-8")
    definitions = load_definitions(forms, new_rules)
    table = build_annex5(definitions, entries)
    assert table.projects[0].get("enterprise_type") == "外贸型企业"
    assert table.projects[0].get("progress") == Decimal("100")
    assert table.notes[2] == "3.企业类型：生产型企业、外贸型企业、服务型企业"


@pytest.mark.skipif(not NOTICE.is_file(), reason="the notice (../shared/spec) is not here")
def test_headings_and_notes_are_the_notices(table: Annex5Table) -> None:
    notice = NOTICE.read_text(encoding="utf-8")
    annex5 = notice[notice.index("附件5\n") :]
    cells = [c.strip() for c in re.split(r"[\t\n]", annex5) if c.strip()]
    headings = cells[cells.index("序号") : cells.index("实施地点") + 1]
    # The notice lists the first header row, then 已开支 / 拟支出 of the second.
    expected = []
    for column in ANNEX5_COLUMNS:
        if column.group and column.group not in expected:
            expected.append(column.group)
        elif not column.group:
            expected.append(column.label)
    assert headings == expected
    assert "已开支" in cells and "拟支出" in cells
    notes = annex5[annex5.index("填表说明：") :].strip().split("\n")
    assert [table.notes_heading, *table.notes] == [n.strip() for n in notes if n.strip()]


# --------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx_bytes(table: Annex5Table) -> bytes:
    doc = render_annex5(table)
    assert doc.file_name == ANNEX5_FILE_NAME and doc.removed_chars == 0
    return doc.data


def _document(data: bytes, part: str = "word/document.xml") -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return ET.fromstring(z.read(part))


def _text(el: ET.Element) -> str:
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in el.findall(f"{W}p"))


def test_docx_landscape_page_and_rotated_margins(docx_bytes: bytes) -> None:
    body = _document(docx_bytes).find(f"{W}body")
    sect = body.find(f"{W}sectPr")
    size, margins = sect.find(f"{W}pgSz"), sect.find(f"{W}pgMar")
    assert size.get(f"{W}orient") == "landscape"
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == (str(mm_to_twips(297)), str(mm_to_twips(210)))
    for side, mm in (("top", 28), ("right", 37), ("bottom", 26), ("left", 35)):
        assert margins.get(f"{W}{side}") == str(mm_to_twips(mm)), side
    table = body.find(f"{W}tbl")
    grid = [int(c.get(f"{W}w")) for c in table.findall(f"{W}tblGrid/{W}gridCol")]
    assert len(grid) == 17 and sum(grid) == mm_to_twips(225)
    assert {f.get(f"{W}type") for f in sect.findall(f"{W}footerReference")} == {"default", "even"}


def test_docx_header_rows_as_in_the_notice(docx_bytes: bytes) -> None:
    table = _document(docx_bytes).find(f"{W}body/{W}tbl")
    trs = table.findall(f"{W}tr")
    top, second = trs[0].findall(f"{W}tc"), trs[1].findall(f"{W}tc")
    assert [_text(c) for c in top] == [
        "序号", "设区市", "县（市、区）", "项目名称", "实施企业", "建设内容", "总投资（投入）",
        "项目类型", "开始时间（年月）", "完成时间（年月）", "当前实施进度（%）",
        "与支持内容相关费用", "申请补助资金", "项目负责人及联系方式", "企业类型", "实施地点",
    ]  # fmt: skip
    group = top[11]
    assert group.find(f"{W}tcPr/{W}gridSpan").get(f"{W}val") == "2"
    assert [_text(c) for c in second][11:13] == ["已开支", "拟支出"]
    for i, cell in enumerate(top):
        merge = cell.find(f"{W}tcPr/{W}vMerge")
        assert (merge is None) == (i == 11)
    # Both header rows repeat on every page; no row is ever split.
    assert all(tr.find(f"{W}trPr/{W}tblHeader") is not None for tr in trs[:2])
    assert all(tr.find(f"{W}trPr/{W}tblHeader") is None for tr in trs[2:])
    assert all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in trs)


def test_docx_rows_typography_and_notes(docx_bytes: bytes) -> None:
    body = _document(docx_bytes).find(f"{W}body")
    table = body.find(f"{W}tbl")
    rows = [[_text(c) for c in tr.findall(f"{W}tc")] for tr in table.findall(f"{W}tr")[2:]]
    assert rows[0][:3] == ["1", "湖州市", "安吉县"]
    assert rows[0][6] == "2000.00" and rows[0][10] == "40" and rows[0][13] == "0.10"
    assert rows[2] == ["安吉县小计", "3200.50", "", "2501.30", "518.70", "0.30", ""]
    assert rows[-1][0] == "合计" and rows[-1][5] == "800.30"
    sizes = {
        int(sz.get(f"{W}val")) for sz in table.iter(f"{W}sz")
    }  # 小五 (9 pt) in the table
    assert sizes == {18}
    paragraphs = [_text_p(p) for p in body.findall(f"{W}p")]
    assert paragraphs[:3] == ["附件5", "浙江省跨境电商高质量发展试点重点项目清单", "单位：万元"]
    first = body.findall(f"{W}p")
    assert first[0].find(f".//{W}rFonts").get(f"{W}eastAsia") == "黑体"
    assert first[0].find(f".//{W}sz").get(f"{W}val") == "32"
    assert first[1].find(f".//{W}rFonts").get(f"{W}eastAsia") == "方正小标宋简体"
    assert first[1].find(f".//{W}sz").get(f"{W}val") == "44"
    assert first[1].find(f"{W}pPr/{W}jc").get(f"{W}val") == "center"
    assert first[2].find(f"{W}pPr/{W}jc").get(f"{W}val") == "right"
    assert paragraphs[3] == "填表说明："
    assert paragraphs[4].startswith("1.项目类型对应：跨境电商产业带展示选品中心方面")


def _text_p(p: ET.Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{W}t"))


def test_docx_matches_golden(engine: Engine) -> None:
    """word/document.xml compared structurally with tests/golden/annex5_document.xml;
    ``UPDATE_GOLDEN=1`` rewrites it (then look at the PDF before committing).  Built from
    test_annex_docx's reference dossier, so that only a layout change changes the golden."""
    import difflib

    from test_annex_docx import GOLDEN, _dump, _normalise, _pretty, reference_dossier

    first = reference_dossier()
    second = reference_dossier()
    second["project_info"].update(project_name="义乌市跨境电商公共服务中心", subsidy_requested="0.2")
    entries = [
        Annex5Entry("义乌市", "义乌市", engine.validate("project", raw).normalised)
        for raw in (first, second)
    ]
    actual = _document(render_annex5(build_annex5(engine.definitions, entries)).data)
    path = GOLDEN / "annex5_document.xml"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(_pretty(actual))
    assert path.is_file(), f"{path} missing: run with UPDATE_GOLDEN=1 to create it"
    got, want = _normalise(actual), _normalise(ET.fromstring(path.read_bytes()))
    if got != want:
        diff = difflib.unified_diff(_dump(want), _dump(got), "golden", "actual", n=2, lineterm="")
        pytest.fail("附件5 differs from its golden file:\n" + "\n".join(list(diff)[:80]))


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xlsx_bytes(table: Annex5Table) -> bytes:
    return annex5_xlsx(table)


def _sheet(data: bytes) -> tuple[ET.Element, list[str], ET.Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
        styles = ET.fromstring(z.read("xl/styles.xml"))
    strings = ["".join(t.text or "" for t in si.iter(f"{X}t")) for si in sst]
    return sheet, strings, styles


def _cells(data: bytes) -> dict[str, tuple[str, str | None, str | None, int]]:
    """ref -> (kind: "s"/"n"/"f", value, formula, style index)."""
    sheet, strings, _ = _sheet(data)
    out = {}
    for c in sheet.iter(f"{X}c"):
        v, f = c.find(f"{X}v"), c.find(f"{X}f")
        style = int(c.get("s", "0"))
        if f is not None:
            out[c.get("r")] = ("f", v.text if v is not None else None, f.text, style)
        elif c.get("t") == "s":
            out[c.get("r")] = ("s", strings[int(v.text)], None, style)
        elif v is not None:
            out[c.get("r")] = ("n", v.text, None, style)
    return out


def test_xlsx_numbers_are_numbers_with_two_decimals(xlsx_bytes: bytes) -> None:
    cells = _cells(xlsx_bytes)
    _, _, styles = _sheet(xlsx_bytes)
    xfs = styles.find(f"{X}cellXfs").findall(f"{X}xf")
    # Row 6 is the first project: 总投资 G6, 进度 K6, 已开支 L6, 拟支出 M6, 申请补助资金 N6.
    assert cells["A6"][:2] == ("n", "1")
    for ref, value in (("G6", "2000.00"), ("K6", "40"), ("L6", "1250.60"), ("N6", "0.10")):
        kind, text, _f, _style = cells[ref]
        assert kind == "n" and Decimal(text) == Decimal(value), ref
    for ref in ("G6", "L6", "M6", "N6"):
        assert xfs[cells[ref][3]].get("numFmtId") == "2"  # built-in 0.00
    assert cells["B6"][:2] == ("s", "湖州市")
    assert cells["I6"][:2] == ("s", "2024年3月")  # text, never the number 2024.3
    # Subtotals and total: SUM formulas whose cached values are the exact sums.
    assert cells["A8"][:2] == ("s", "安吉县小计")
    assert cells["N8"] == ("f", "0.30", "SUM(N6:N7)", cells["N8"][3])
    assert cells["G8"][1] == "3200.50"
    assert cells["A11"][1] == "德清县小计"
    assert cells["A12"][1] == "合计"
    assert cells["N12"][1:3] == ("800.30", "SUM(N8,N11)")


def test_xlsx_header_merges_frozen_pane_and_print_titles(xlsx_bytes: bytes) -> None:
    sheet, _, _ = _sheet(xlsx_bytes)
    cells = _cells(xlsx_bytes)
    merges = {m.get("ref") for m in sheet.iter(f"{X}mergeCell")}
    assert {"A4:A5", "K4:K5", "L4:M4", "N4:N5", "Q4:Q5", "A8:F8", "A12:F12"} <= merges
    assert "L4:L5" not in merges
    assert cells["L4"][1] == "与支持内容相关费用"
    assert (cells["L5"][1], cells["M5"][1]) == ("已开支", "拟支出")
    assert [cells[f"{column_letter(i)}4"][1] for i in range(11)] == [
        c.label for c in ANNEX5_COLUMNS[:11]
    ]
    pane = sheet.find(f"{X}sheetViews/{X}sheetView/{X}pane")
    assert (pane.get("ySplit"), pane.get("state"), pane.get("topLeftCell")) == ("5", "frozen", "A6")
    widths = [float(c.get("width")) for c in sheet.iter(f"{X}col")]
    assert len(widths) == 17 and all(w >= 5 for w in widths)
    setup = sheet.find(f"{X}pageSetup")
    assert (setup.get("orientation"), setup.get("paperSize")) == ("landscape", "9")
    assert sheet.find(f"{X}headerFooter/{X}oddFooter").text == "&C\u2014 &P \u2014"
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes)) as z:
        workbook = z.read("xl/workbook.xml").decode()
        assert all(i.date_time == (2024, 1, 1, 0, 0, 0) for i in z.infolist())
    assert "'重点项目清单'!$4:$5" in workbook


def test_xlsx_and_docx_bytes_are_deterministic(table: Annex5Table, engine: Engine, entries) -> None:
    again = build_annex5(engine.definitions, entries)
    assert annex5_xlsx(again) == annex5_xlsx(table)
    assert render_annex5(again).data == render_annex5(table).data


def test_hostile_text_gives_well_formed_files(engine: Engine) -> None:
    data = engine.validate("project", _dossier(*VARIANTS[0])).normalised
    # The writers must cope with whatever text reaches them, validated or not.
    data["project_info"]["build_content"] = "控制\x00\x01\x0b字符 ]]> <x/> & 😀" + "长" * 40000
    entry = Annex5Entry("湖州市", "安吉县", data)
    table = build_annex5(engine.definitions, [entry])
    doc = render_annex5(table)
    assert doc.removed_chars > 0
    data = annex5_xlsx(table)
    cells = _cells(data)
    assert cells["F6"][1].startswith("控制字符 ]]> <x/> & 😀")
    assert len(cells["F6"][1]) == 32767 - 1  # Excel's limit for one cell, in UTF-16 units
    _document(doc.data)  # parses


# --------------------------------------------------------------------------------------------
# Open XML SDK validator and LibreOffice
# --------------------------------------------------------------------------------------------


@pytest.mark.skipif(not validator_available(), reason="node or @ooxml-tools/validate missing")
def test_open_xml_sdk_validator_accepts_both(tmp_path: Path, docx_bytes, xlsx_bytes) -> None:
    (tmp_path / "a5.docx").write_bytes(docx_bytes)
    (tmp_path / "a5.xlsx").write_bytes(xlsx_bytes)
    assert validate_docx(tmp_path / "a5.docx") == []
    assert validate_xlsx(tmp_path / "a5.xlsx") == []
    # The validator does read spreadsheets: a sheet with its children out of order fails.
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    merges = re.search(r"<mergeCells.*?</mergeCells>", sheet).group()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(merges, "").replace(
        "<sheetData>", merges + "<sheetData>"
    ).encode()
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(bad, "w") as z:
        for name, content in parts.items():
            z.writestr(name, content)
    assert validate_xlsx(bad)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) missing")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_libreoffice_prints_the_docx_landscape(tmp_path: Path, docx_bytes) -> None:
    path = tmp_path / "a5.docx"
    path.write_bytes(docx_bytes)
    soffice(tmp_path, "pdf", path)
    pdf = tmp_path / "a5.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 0
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert width > height  # landscape
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for figure in ("2000.00", "1200.50", "0.30", "3200.50", "800.30", "5002.50"):
        assert figure in text, figure
    assert "重点项目清单" in text and "填表说明" in text


def _calc_available() -> bool:
    program = Path(shutil.which("soffice") or "/nonexistent").resolve().parent
    return any(program.glob("libsclo.so")) or any(program.glob("*sc*lo*.dll"))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) missing")
@pytest.mark.skipif(not _calc_available(), reason="LibreOffice Calc (libreoffice-calc-nogui) missing")
def test_libreoffice_reads_the_xlsx_numbers(tmp_path: Path, xlsx_bytes) -> None:
    path = tmp_path / "a5.xlsx"
    path.write_bytes(xlsx_bytes)
    # CSV in UTF-8 (76), comma separated (44), quoted (34), cells as formatted ("as shown").
    soffice(tmp_path, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true", path)
    csv = tmp_path / "a5.csv"
    assert csv.is_file(), "LibreOffice could not read the workbook"
    import csv as csv_module

    rows = list(csv_module.reader(csv.read_text(encoding="utf-8").splitlines()))
    projects = [r for r in rows if r and r[0].isdigit()]
    assert [r[0] for r in projects] == ["1", "2", "3", "4"]
    assert [r[6] for r in projects] == ["2000.00", "1200.50", "3000.00", "2000.00"]
    assert [r[13] for r in projects] == ["0.10", "0.20", "500.00", "300.00"]
    subtotal = next(r for r in rows if r and r[0] == "安吉县小计")
    assert subtotal[13] == "0.30" and subtotal[6] == "3200.50"
    total = next(r for r in rows if r and r[0] == "合计")
    assert (total[6], total[11], total[12], total[13]) == ("8200.50", "5002.50", "1837.50", "800.30")


# --------------------------------------------------------------------------------------------
# Pyodide: the browser builds the very same files
# --------------------------------------------------------------------------------------------

PYODIDE_SNIPPET = """
import base64, json
from formsite.annex5 import Annex5Entry, build_annex5
from formsite.definitions import Definitions
from formsite.docx.annex5 import render_annex5
from formsite.xlsx import annex5_xlsx
definitions = Definitions.model_validate_json(GIVEN["definitions"])
table = build_annex5(definitions, [Annex5Entry(*e) for e in GIVEN["entries"]])
OUTPUT = json.dumps([base64.b64encode(render_annex5(table).data).decode(),
                     base64.b64encode(annex5_xlsx(table)).decode()])
"""


@pytest.mark.pyodide
@needs_pyodide
def test_pyodide_writes_identical_files(engine: Engine, entries, table, tmp_path: Path) -> None:
    import base64

    given = {"definitions": engine.definitions.model_dump_json(by_alias=True),
             "entries": [[e.city, e.county, e.data] for e in entries]}
    docx_b64, xlsx_b64 = run_in_pyodide(PYODIDE_SNIPPET, given, tmp_path)
    assert base64.b64decode(docx_b64) == render_annex5(table).data
    assert base64.b64decode(xlsx_b64) == annex5_xlsx(table)


def test_missing_words_are_named_in_chinese(definitions) -> None:
    params = dict(definitions.ruleset.parameters)
    del params["annex5_project_type_words"]
    broken = definitions.model_copy(
        update={"ruleset": definitions.ruleset.model_copy(update={"parameters": params})}
    )
    with pytest.raises(ValueError, match="规则集参数 annex5_project_type_words"):
        build_annex5(broken, [])
