"""The filled 附件3 / 附件4 Word files (formsite.docx.annexes).

* golden ``word/document.xml`` for a reference dossier, compared structurally (tags, attributes,
  text); ``UPDATE_GOLDEN=1 pytest tests/test_annex_docx.py`` rewrites tests/golden/*.xml;
* layout facts checked directly (A4, GB/T 9704 margins, 156 mm tables, fonts and sizes, merged
  cells, the exact-height stamp block, rows that may split);
* every value entered is in the document (python-docx reads it back), normalised when valid
  ("1000.50"), as typed when not;
* the Open XML SDK validator, LibreOffice (PDF with pages), hostile strings, reproducibility.
"""

from __future__ import annotations

import copy
import difflib
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
from ooxml_validate import validate_docx, validator_available  # tests/ is on sys.path
from support.office import fontconfig, pages_of
from support.pyodide_node import needs_pyodide, run_in_pyodide

from formsite.docx.annexes import AnnexDocument, render_annexes
from formsite.docx.ooxml import mm_to_twips
from formsite.engine import Engine
from formsite.loader import default_paths, load_definitions

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ANNEX3 = "附件3 重点项目信息表.docx"
ANNEX4 = "附件4 项目资金投入明细表.docx"
CONDITIONS = "附件3补充 基本条件自查表.docx"


# --------------------------------------------------------------------------------------------
# Dossiers
# --------------------------------------------------------------------------------------------


def reference_dossier() -> dict[str, Any]:
    """The golden files' dossier: kept here (not in dossiers.py) so that only a change of the
    layout or the definitions changes the goldens.  Two project types (so 基本条件自查 shows
    a park with both optional blocks), three schedule rows, items in five categories, one
    category empty, multi-line prose, typed the way people type (full-width digits, commas)."""
    return {
        "project_info": {
            "project_name": "义乌市小商品跨境电商直播产业园",
            "project_types": ["service_center", "industrial_park"],
            "enterprise_type": "service",
            "city": "义乌市",
            "county": "义乌市",
            "org_name": "义乌市跨境云仓供应链管理有限公司",
            "org_nature": "joint",
            "legal_representative": "陈晓东",
            "org_address": "浙江省义乌市稠江街道国际陆港大道1号",
            "credit_code": "91330523MA2B3C4D5M",
            "registered_capital": "5,000",
            "total_assets": "３２,０００.５",
            "net_assets": "18000",
            "cbec_amount": "86,543.21",
            "revenue": "120000",
            "profit": "3,456.70",
            "org_profile": "公司成立于2015年，运营跨境电商直播园区两个。\n"
            "园区入驻卖家企业120余家。",
            "project_leader": "陈晓东",
            "contact_person": "周敏",
            "contact_phone": "0579-85201234",
            "start_month": "2024-01",
            "end_month": "2025年9月",
            "total_investment": "3,600",
            "period_investment": "2400.5",
            "build_address": "义乌市稠江街道国际陆港大道1号园区A、B栋",
            "build_content": "1.建设直播基地；\n2.建设公共服务中心；\n3.建设海外仓信息系统。",
            "progress_plan": [
                {"deadline": "2024-12-31", "invested": "1,800", "progress": "50"},
                {"deadline": "2025-06-30", "invested": "2,700", "progress": "75"},
                {"deadline": "2025-09-30", "invested": "3,600", "progress": "100"},
            ],
            "subsidy_requested": "500",
            "overview": "园区集聚直播电商企业，提供选品、拍摄、物流一体化服务。\n"
            "预计新增交易额3亿元。",
            "approach": "引进头部服务商，建设共享直播间，组织培训。",
            "kpis": "1.新增跨境电商交易额30000万元；\n2.新增就业500人；\n3.孵化自主品牌20个。",
            "government_funding": "无",
            "approvals": "已取得项目备案，环评已批复。",
            "demonstration": "形成可复制的小商品直播出海模式。",
            "service_area": "2,000",
            "service_providers": "35",
            "park_investment_3y": "3,600",
            "park_investment_year": "1,200",
            "park_firms": "120",
            "park_area": "25000",
            "park_seller_led": True,
            "park_sales": "80,000",
            "park_customs_amount": "45,000.5",
            "park_live": True,
            "live_firms": "30",
            "live_gmv": "12,000",
            "live_accounts": "260",
            "commit_policy": True,
            "commit_no_funding": True,
            "commit_credit": True,
            "commit_truthful": True,
        },
        "fund_details": {
            "equipment": [
                {"name": "直播设备", "spent": "150", "planned": "50.5", "note": "12间直播间"},
                {"name": "仓储分拣线", "spent": "300", "planned": "", "note": ""},
            ],
            "software": [{"name": "园区管理系统", "spent": "80", "planned": "20"}],
            "technology": [],
            "information": [{"name": "海外市场数据库", "spent": "10", "planned": "5"}],
            "construction": [{"name": "直播基地装修", "spent": "600", "planned": "400"}],
            "other": [{"name": "人才培训", "spent": "", "planned": "30"}],
        },
    }


@pytest.fixture(scope="module")
def render(engine: Engine):
    compiled = engine.dossiers["project"]

    def _render(raw: dict[str, Any]) -> dict[str, AnnexDocument]:
        report = engine.validate("project", raw)
        docs = render_annexes(compiled, raw, report.normalised)
        return {d.file_name: d for d in docs}

    return _render


@pytest.fixture(scope="module")
def reference(render) -> dict[str, AnnexDocument]:
    return render(reference_dossier())


@pytest.fixture(scope="module")
def valid(render) -> dict[str, AnnexDocument]:
    return render(valid_project_dossier())


def _xml(doc: AnnexDocument, part: str = "word/document.xml") -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(doc.data)) as z:
        return ET.fromstring(z.read(part))


def _attr(el: ET.Element | None, name: str) -> str | None:
    return None if el is None else el.get(f"{W}{name}")


def _cell_text(tc: ET.Element) -> str:
    paragraphs = tc.findall(f"{W}p")
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in paragraphs)


def _rows(table: ET.Element) -> list[list[ET.Element]]:
    return [tr.findall(f"{W}tc") for tr in table.findall(f"{W}tr")]


# --------------------------------------------------------------------------------------------
# Golden document.xml, compared structurally
# --------------------------------------------------------------------------------------------


def _normalise(el: ET.Element) -> Any:
    """(tag, attributes, text, children): whitespace between elements is not content."""
    children = [_normalise(child) for child in el]
    text = el.text or ""
    if children:
        text = text.strip()
    return (el.tag, tuple(sorted(el.attrib.items())), text, tuple(children))


def _dump(tree: Any, depth: int = 0) -> list[str]:
    tag, attrs, text, children = tree
    short = tag.replace(W, "w:")
    attr_text = " ".join(f"{k.split('}')[-1]}={v!r}" for k, v in attrs)
    lines = [f"{'  ' * depth}{short} {attr_text} {text!r}".rstrip()]
    for child in children:
        lines += _dump(child, depth + 1)
    return lines


def _pretty(root: ET.Element) -> bytes:
    ET.register_namespace("w", W[1:-1])
    ET.register_namespace(
        "r", "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    )
    tree = copy.deepcopy(root)
    ET.indent(tree, space=" ")
    return ET.tostring(tree, encoding="utf-8", xml_declaration=True) + b"\n"


@pytest.mark.parametrize(
    ("name", "golden"),
    [
        (ANNEX3, "annex3_document.xml"),
        (CONDITIONS, "annex3_conditions_document.xml"),
        (ANNEX4, "annex4_document.xml"),
    ],
)
def test_document_xml_matches_golden(reference, name: str, golden: str) -> None:
    actual = _xml(reference[name])
    path = GOLDEN / golden
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_pretty(actual))
    assert path.is_file(), f"{path} missing: run with UPDATE_GOLDEN=1 to create it"
    expected = ET.fromstring(path.read_bytes())
    got, want = _normalise(actual), _normalise(expected)
    if got != want:
        diff = difflib.unified_diff(_dump(want), _dump(got), "golden", "actual", n=2, lineterm="")
        pytest.fail(
            f"{name} differs from {path.name} (UPDATE_GOLDEN=1 rewrites it if intended):\n"
            + "\n".join(list(diff)[:80])
        )


# --------------------------------------------------------------------------------------------
# Layout facts
# --------------------------------------------------------------------------------------------


def test_file_names_and_order(reference) -> None:
    assert list(reference) == [ANNEX3, CONDITIONS, ANNEX4]
    assert all(d.removed_chars == 0 for d in reference.values())


@pytest.mark.parametrize("name", [ANNEX3, CONDITIONS, ANNEX4])
def test_a4_gb_margins_and_full_width_tables(reference, name: str) -> None:
    body = _xml(reference[name]).find(f"{W}body")
    sect = body.find(f"{W}sectPr")
    size, margins = sect.find(f"{W}pgSz"), sect.find(f"{W}pgMar")
    assert (_attr(size, "w"), _attr(size, "h")) == (str(mm_to_twips(210)), str(mm_to_twips(297)))
    assert _attr(size, "orient") is None
    for side, mm in (("top", 37), ("right", 26), ("bottom", 35), ("left", 28)):
        assert _attr(margins, side) == str(mm_to_twips(mm)), side
    tables = body.findall(f"{W}tbl")
    assert tables
    for table in tables:
        width = table.find(f"{W}tblPr/{W}tblW")
        grid = [int(_attr(c, "w")) for c in table.findall(f"{W}tblGrid/{W}gridCol")]
        assert _attr(width, "w") == str(mm_to_twips(156)), "table must fill the 156 mm block"
        assert sum(grid) == mm_to_twips(156)


@pytest.mark.parametrize("name", [ANNEX3, CONDITIONS, ANNEX4])
def test_page_numbers_on_every_page(reference, name: str) -> None:
    """GB/T 9704 7.5: "— N —", 4号 宋体, in the footer of every page (odd and even)."""
    doc = reference[name]
    sect = _xml(doc).find(f"{W}body/{W}sectPr")
    refs = {_attr(r, "type") for r in sect.findall(f"{W}footerReference")}
    assert refs == {"default", "even"}
    for part in ("word/footer1.xml", "word/footer2.xml"):
        footer = _xml(doc, part)
        text = "".join(t.text or "" for t in footer.iter(f"{W}t"))
        instr = "".join(t.text or "" for t in footer.iter(f"{W}instrText"))
        assert text == "\u2014 1 \u2014" and instr.strip() == "PAGE"
        sizes = {_run_style(r)[1] for r in footer.iter(f"{W}r")}
        fonts = {_run_style(r)[0] for r in footer.iter(f"{W}r")}
        assert sizes == {28} and fonts == {"宋体"}


@pytest.mark.parametrize("name", [ANNEX4, CONDITIONS])
def test_rows_never_split_and_header_repeats(reference, name: str) -> None:
    table = _xml(reference[name]).find(f"{W}body/{W}tbl")
    trs = table.findall(f"{W}tr")
    assert trs[0].find(f"{W}trPr/{W}tblHeader") is not None
    assert all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in trs)


def _run_style(run: ET.Element) -> tuple[str | None, int | None, bool]:
    rpr = run.find(f"{W}rPr")
    fonts = rpr.find(f"{W}rFonts") if rpr is not None else None
    size = rpr.find(f"{W}sz") if rpr is not None else None
    bold = rpr is not None and rpr.find(f"{W}b") is not None
    return _attr(fonts, "eastAsia"), int(_attr(size, "val")) if size is not None else None, bold


@pytest.mark.parametrize(
    ("name", "title"),
    [
        (ANNEX3, "浙江省跨境电商高质量发展试点重点项目信息表"),
        (ANNEX4, "义乌市小商品跨境电商直播产业园项目资金投入明细表"),
    ],
)
def test_annex_label_and_title_typography(reference, name: str, title: str) -> None:
    body = _xml(reference[name]).find(f"{W}body")
    paragraphs = body.findall(f"{W}p")
    label, heading = paragraphs[0], paragraphs[1]
    assert "".join(t.text or "" for t in label.iter(f"{W}t")) == name.split()[0]
    assert _run_style(label.find(f"{W}r")) == ("黑体", 32, False)  # 三号 = 16 pt = 32 half-points
    assert "".join(t.text or "" for t in heading.iter(f"{W}t")) == title
    assert _run_style(heading.find(f"{W}r")) == ("方正小标宋简体", 44, False)  # 二号
    assert _attr(heading.find(f"{W}pPr/{W}jc"), "val") == "center"
    # Table text is 仿宋_GB2312 小四 (24 half-points) or 五号 (21) where columns are narrow.
    table = body.find(f"{W}tbl")
    sizes = {_run_style(r)[1] for r in table.iter(f"{W}r")}
    fonts = {_run_style(r)[0] for r in table.iter(f"{W}r")}
    assert sizes <= {24, 21} and fonts == {"仿宋_GB2312"}


def test_annex3_header_lines(reference) -> None:
    body = _xml(reference[ANNEX3]).find(f"{W}body")
    lines = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.findall(f"{W}p")[2:7]]
    assert lines == [
        "项目承建单位（盖章）：义乌市跨境云仓供应链管理有限公司",
        "项目名称：义乌市小商品跨境电商直播产业园",
        "项目类型：跨境电商公共服务中心、跨境电商产业园区",
        "企业类型：□贸易型\u3000□生产型\u3000√服务型\u3000□其它",
        "所在县（市、区）：义乌市",
    ]


def _find_row(rows: list[list[ET.Element]], first_text: str) -> int:
    for i, cells in enumerate(rows):
        if cells and _cell_text(cells[0]).replace("\n", "") == first_text:
            return i
    raise AssertionError(f"no row starting with {first_text!r}")


def test_annex3_grid_merges_and_rows(reference) -> None:
    table = _xml(reference[ANNEX3]).find(f"{W}body/{W}tbl")
    rows = _rows(table)
    trs = table.findall(f"{W}tr")
    texts = [[_cell_text(c) for c in cells] for cells in rows]
    # Section bands span the grid.
    for band in ("项目承担单位基本情况", "项目基本情况"):
        i = next(i for i, t in enumerate(texts) if t == [band])
        assert _attr(rows[i][0].find(f"{W}tcPr/{W}gridSpan"), "val") == "6"
    # 单位性质 with every option boxed.
    i = _find_row(rows, "承担单位名称")
    assert texts[i][2] == "单位性质" and texts[i][3] == "□外资  √合资\n□内资  □其它"
    # 法定代表人 merged over the 单位地址 and 社会信用代码 rows.
    i = _find_row(rows, "法定代表人")
    assert _attr(rows[i][0].find(f"{W}tcPr/{W}vMerge"), "val") == "restart"
    assert _attr(rows[i + 1][0].find(f"{W}tcPr/{W}vMerge"), "val") == "continue"
    assert texts[i + 1][2:] == ["社会信用代码", "91330523MA2B3C4D5M"]
    # Six-cell money rows, labels from the definitions (the year follows the rule set).
    i = _find_row(rows, "注册资本（万元）")
    assert texts[i] == [
        "注册资本\n（万元）",
        "5000.00",
        "总资产\n（万元）",
        "32000.50",
        "净资产\n（万元）",
        "18000.00",
    ]
    assert [t.replace("\n", "") for t in texts[i + 1]] == [
        "2024年跨境电商额（万元）",
        "86543.21",
        "2024年营业收入（万元）",
        "120000.00",
        "2024年利润（万元）",
        "3456.70",
    ]
    i = _find_row(rows, "项目类型")
    assert texts[i][1].split("\n")[-1] == NOTICE_TYPES_NOTE
    i = _find_row(rows, "项目起止时间")
    assert texts[i][1] == "2024年1月至2025年9月"
    # The schedule: heading row then one row per milestone.
    i = _find_row(rows, "项目分年度建设进度计划")
    # The notice's headings carry no unit; the printed figures carry it instead.
    assert [t.replace("\n", "") for t in texts[i]] == [
        "项目分年度建设进度计划",
        "完成投资（投入）",
        "项目实施进度",
    ]
    assert texts[i + 1 : i + 4] == [
        ["2024年12月31日前", "1800.00万元", "50%"],
        ["2025年6月30日前", "2700.00万元", "75%"],
        ["2025年9月30日前", "3600.00万元", "100%"],
    ]
    # 支持内容 in the notice's arrangement, values from the computed fields.
    i = _find_row(rows, "支持内容")
    assert texts[i] == ["支持内容", "已开支", "拟支出"] * 2
    assert [t.replace("\n", "") for t in texts[i + 1]] == [
        "设备购置费用（万元）",
        "450.00",
        "50.50",
        "技术购置费用（万元）",
        "",  # nothing entered in the category: blank, as on paper
        "",
    ]
    assert [t.replace("\n", "") for t in texts[i + 2]] == [
        "软件购置费用（万元）",
        "80.00",
        "20.00",
        "信息资料购置费用（万元）",
        "10.00",
        "5.00",
    ]
    assert [t.replace("\n", "") for t in texts[i + 3]] == [
        "建设费用（万元）",
        "600.00",
        "400.00",
        "其他费用（万元）",
        "",
        "30.00",
    ]
    # 项目建设情况 merged over three rows, each with a bold heading; rows may split, no
    # exact heights, so long texts flow on to the next page.
    i = _find_row(rows, "项目建设情况")
    for k, heading in enumerate(("项目概述：", "主要做法：", "绩效考核指标：")):
        merge = _attr(rows[i + k][0].find(f"{W}tcPr/{W}vMerge"), "val")
        assert merge == ("restart" if k == 0 else "continue")
        first = rows[i + k][1].find(f"{W}p")
        assert "".join(t.text for t in first.iter(f"{W}t")) == heading
        assert first.find(f".//{W}b") is not None
        tr_pr = trs[i + k].find(f"{W}trPr")
        assert tr_pr.find(f"{W}cantSplit") is None
        assert _attr(tr_pr.find(f"{W}trHeight"), "hRule") != "exact"
    # Commitments, then the stamp block in an exact-height row without a border between.
    commit, stamp = rows[-2][0], rows[-1][0]
    # The notice's commitments word for word, without tick marks.
    assert _cell_text(commit).split("\n") == [
        "承诺意见：",
        "1.本项目未违反国家产业政策、环保政策。",
        "2.申报期本项目未获得过中央和省级商务类财政专项资金补助。",
        "3.本企业未列入严重失信名单，近三年未发生重大安全生产责任事故。",
        "4.本企业承诺所填内容真实有效。",
    ]
    assert "项目承担企业（盖章）" in _cell_text(stamp) and "年\u3000\u3000月\u3000\u3000日" in (
        _cell_text(stamp)
    )
    assert _attr(trs[-1].find(f"{W}trPr/{W}trHeight"), "hRule") == "exact"
    assert _attr(commit.find(f"{W}tcPr/{W}tcBorders/{W}bottom"), "val") == "nil"
    assert _attr(stamp.find(f"{W}tcPr/{W}tcBorders/{W}top"), "val") == "nil"


NOTICE = ROOT.parent / "shared" / "spec" / "notice.txt"
NOTICE_TYPES_NOTE = (
    "注：跨境电商产业带展示选品中心、线上产业带专区方面、公共服务中心方面、产业园区等四种类型"
    "选择其中一项或多项。"
)


@pytest.mark.skipif(not NOTICE.is_file(), reason="the notice (../shared/spec) is not here")
def test_printed_fixed_words_are_the_notices(reference) -> None:
    """The fixed words of 附件3 (labels, headings, notes, commitments) occur in the notice's
    附件3 character for character (ignoring line breaks and blanks)."""
    notice = NOTICE.read_text(encoding="utf-8")
    annex3 = notice[notice.index("附件3\n") : notice.index("附件4\n")]
    flat = re.sub(r"\s+", "", annex3)
    assert NOTICE_TYPES_NOTE in flat
    table = _xml(reference[ANNEX3]).find(f"{W}body/{W}tbl")
    rows = _rows(table)
    i = _find_row(rows, "项目分年度建设进度计划")
    heads = [_cell_text(c).replace("\n", "") for c in rows[i]]
    assert "".join(heads) in flat
    commitments = _cell_text(rows[-2][0]).replace("\n", "")
    assert commitments in flat
    # Every label cell of the table (value cells hold the dossier's data).
    labels = [
        "承担单位名称", "单位性质", "法定代表人", "单位地址", "社会信用代码", "项目负责人",
        "联系人", "联系电话", "项目名称", "项目类型", "项目起止时间", "项目建设地址",
        "项目建设内容", "项目建设情况", "项目获得政府性资金支持情况", "项目前期报批情况",
        "项目示范带动作用",
    ]  # fmt: skip
    texts = {_cell_text(c).replace("\n", "") for cells in rows for c in cells}
    for label in labels:
        assert label in texts and label in flat, label


def test_basic_conditions_is_its_own_document(reference, valid) -> None:
    """附件3 ends with the stamp, as the notice's form; 基本条件自查 is a separate file."""
    assert len(_xml(reference[ANNEX3]).findall(f"{W}body/{W}tbl")) == 1
    text3 = "".join(t.text or "" for t in _xml(reference[ANNEX3]).iter(f"{W}t"))
    assert "基本条件" not in text3
    body = _xml(reference[CONDITIONS]).find(f"{W}body")
    paragraphs = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.findall(f"{W}p")]
    assert paragraphs[:5] == [
        "附件3补充",
        "重点项目基本条件自查表",
        "项目承建单位（盖章）：义乌市跨境云仓供应链管理有限公司",
        "项目名称：义乌市小商品跨境电商直播产业园",
        "项目类型：跨境电商公共服务中心、跨境电商产业园区",
    ]
    assert "项目承担企业（盖章）" in paragraphs


def test_annex3_basic_conditions_only_for_selected_types(reference, valid, render) -> None:
    def conditions(doc: AnnexDocument) -> list[str]:
        tables = _xml(doc).findall(f"{W}body/{W}tbl")
        assert len(tables) == 1
        return [_cell_text(cells[0]) for cells in _rows(tables[0])[1:]]

    park = conditions(reference[CONDITIONS])
    assert "公共服务中心实际使用面积（平方米）" in park
    assert "园区年销售额（万元）" in park and "相关平台直播账号数（个）" in park
    assert not any(label.startswith("展示选品中心") for label in park)
    showroom = conditions(valid[CONDITIONS])
    assert showroom == [
        "展示选品中心实际使用面积（平方米）",
        "展示选品中心入驻供应商、卖家企业（家）",
        "展示选品中心品牌种类（个）",
        "展示选品中心产品类别（款）",
    ]
    # No type selected: the blank form lists every condition.
    blank_doc = render({})[CONDITIONS]
    blank = conditions(blank_doc)
    assert blank[0].startswith("展示选品中心") and "相关平台直播账号数（个）" in blank
    rows = _rows(_xml(blank_doc).findall(f"{W}body/{W}tbl")[0])
    ticks = {_cell_text(r[2]) for r in rows if _cell_text(r[0]) == "跨境电商直播园区"}
    assert ticks == {"□是\u3000□否"}  # a blank form's yes/no question: tick one


def test_basic_conditions_name_the_threshold(reference) -> None:
    """Each figure stands next to the basic condition of 通知第三条 it must meet (from the
    rule set's parameters) and the figure entered."""
    table = _xml(reference[CONDITIONS]).find(f"{W}body/{W}tbl")
    rows = {_cell_text(r[0]): [_cell_text(c) for c in r[1:]] for r in _rows(table)}
    assert rows["项目"] == ["基本条件", "实际情况"]
    assert rows["公共服务中心实际使用面积（平方米）"] == ["不低于1000平方米", "2000"]
    assert rows["公共服务中心入驻服务商企业（家）"] == ["不低于20家", "35"]
    assert rows["产业园区近三年总投资（万元）"] == ["不低于1000万元", "3600.00"]
    assert rows["园区年销售额（万元）"] == ["不低于50000万元", "80000.00"]
    assert rows["纳入海关跨境电商监管平台进出口金额（万元）"] == ["达到一定规模", "45000.50"]
    assert rows["跨境电商直播园区"] == ["—", "是"]


def test_annex4_categories_merged_over_items_and_totals(reference) -> None:
    body = _xml(reference[ANNEX4]).find(f"{W}body")
    table = body.find(f"{W}tbl")
    rows = _rows(table)
    texts = [[_cell_text(c) for c in cells] for cells in rows]
    assert texts[0] == ["支持内容", "序号", "费用名称", "已开支费用", "拟支出费用", "备注"]
    assert table.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None  # repeats on every page
    assert texts[1:3] == [
        ["设备购置费用", "1", "直播设备", "150.00", "50.50", "12间直播间"],
        ["", "2", "仓储分拣线", "300.00", "", ""],
    ]
    assert _attr(rows[1][0].find(f"{W}tcPr/{W}vMerge"), "val") == "restart"
    assert _attr(rows[2][0].find(f"{W}tcPr/{W}vMerge"), "val") == "continue"
    # An empty category prints one empty numbered row, like the blank form.
    assert ["技术购置费用", "1", "", "", "", ""] in texts
    assert texts[-1] == ["累计", "", "", "1140.00", "505.50", ""]
    paragraphs = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.findall(f"{W}p")]
    assert "（填报单位：义乌市跨境云仓供应链管理有限公司）" in paragraphs
    unit = body.findall(f"{W}p")[paragraphs.index("单位：万元")]
    assert _attr(unit.find(f"{W}pPr/{W}jc"), "val") == "right"
    assert paragraphs[-1].startswith("注：拟支出费用指2025年1月1日至2025年9月30日前")
    assert " " not in paragraphs[-1]  # YAML folding leaves no stray space in Chinese text


def test_annex4_title_without_project_name_is_a_blank_line(render) -> None:
    docs = render({"project_info": {}, "fund_details": {}})
    title = _xml(docs[ANNEX4]).find(f"{W}body").findall(f"{W}p")[1]
    assert "".join(t.text for t in title.iter(f"{W}t")) == "_" * 16 + "项目资金投入明细表"


def test_labels_follow_the_rule_set(tmp_path: Path) -> None:
    forms, rules = default_paths(ROOT)
    text = rules.read_text(encoding="utf-8").replace("data_year: 2024", "data_year: 2025", 1)
    text = text.replace("planned_until: 2025年9月30日", "planned_until: 2026年9月30日", 1)
    # A copy of rules/ (with the reference data its includes name), changed.
    shutil.copytree(rules.parent, tmp_path / "rules")
    new_rules = tmp_path / "rules" / rules.name
    new_rules.write_text(text, encoding="utf-8")
    engine = Engine.from_definitions(load_definitions(forms, new_rules))
    raw = reference_dossier()
    docs = {
        d.file_name: d
        for d in render_annexes(
            engine.dossiers["project"], raw, engine.validate("project", raw).normalised
        )
    }
    text3 = "".join(t.text or "" for t in _xml(docs[ANNEX3]).iter(f"{W}t"))
    text4 = "".join(t.text or "" for t in _xml(docs[ANNEX4]).iter(f"{W}t"))
    assert "2025年跨境电商额" in text3 and "2024年跨境电商额" not in text3
    assert "2026年9月30日前拟实施完成" in text4


# --------------------------------------------------------------------------------------------
# Every value entered is printed
# --------------------------------------------------------------------------------------------


def _docx_text(doc: AnnexDocument) -> str:
    """All text python-docx reads: body paragraphs and every table cell."""
    import docx  # python-docx: tests only, it needs lxml

    document = docx.Document(io.BytesIO(doc.data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def _expected_texts(engine: Engine, raw: dict[str, Any]) -> set[str]:
    """What each entered value must print as, derived from the normalised data."""
    compiled = engine.dossiers["project"]
    normalised = engine.validate("project", raw).normalised
    out: set[str] = set()

    def printable(fdef, value) -> list[str]:
        if value in (None, "", []):
            return []
        if fdef.type == "year_month":
            y, m = value.split("-")
            return [f"{y}年{int(m)}月"]
        if fdef.type == "date":
            y, m, d = value.split("-")
            return [f"{y}年{int(m)}月{int(d)}日"]
        if fdef.type in ("choice", "multichoice"):
            labels = dict(compiled.options(fdef))
            return [labels[v] for v in (value if isinstance(value, list) else [value])]
        if fdef.type == "checkbox":
            return []  # printed as √/□ or 是/否, checked separately
        if isinstance(value, str) and "\n" in value:
            return [line for line in value.split("\n") if line]
        return [str(value)]

    for form_id in compiled.dossier.forms:
        for fdef in compiled.definitions.forms[form_id].fields():
            if fdef.computed is not None:
                continue  # not entered (related_costs_total is a 附件5 figure, not on 附件3)
            value = normalised[form_id].get(fdef.id)
            if fdef.type == "table":
                for row in value or []:
                    for column in fdef.columns or []:
                        out.update(printable(column, row.get(column.id)))
            else:
                out.update(printable(fdef, value))
    return out


@pytest.mark.parametrize("dossier", [valid_project_dossier, reference_dossier])
def test_every_entered_value_reads_back(engine: Engine, render, dossier) -> None:
    raw = dossier()
    docs = render(raw)
    text = "\n".join(_docx_text(d) for d in docs.values())
    expected = _expected_texts(engine, raw)
    assert len(expected) > 40
    missing = sorted(e for e in expected if e not in text)
    assert not missing, f"not printed: {missing}"


def test_decimal_formatting_in_print(valid) -> None:
    text3, text4 = _docx_text(valid[ANNEX3]), _docx_text(valid[ANNEX4])
    # Typed "1,000", "5,200.50", "１２３４５.６７", "-120.5", "0.1" → exact two-decimal strings.
    for money in ("1000.00", "5200.50", "12345.67", "-120.50", "1600.00", "300.00"):
        assert money in text3
    for money in ("120.50", "0.10", "0.20", "19.20", "1050.00"):
        assert money in text4
    totals = {"200.50", "40.00", "1050.00", "200.00", "19.20"}
    assert totals <= set(text3.split("\n"))
    assert "1250.60" in text4 and "259.40" in text4  # 累计
    assert Decimal("1250.60") + Decimal("259.40") == Decimal("1510.00")


def test_invalid_values_print_as_typed(engine: Engine, render) -> None:
    raw = valid_project_dossier()
    raw["project_info"].update(
        {
            "total_assets": "五千二百万",  # not a number
            "contact_phone": "12345",  # not a phone number
            "enterprise_type": "外贸型",  # not an option
            "end_month": "2023-01",  # before the start
        }
    )
    raw["fund_details"]["equipment"][1]["spent"] = "八十"
    report = engine.validate("project", raw)
    assert report.errors
    docs = render(raw)
    text3, text4 = _docx_text(docs[ANNEX3]), _docx_text(docs[ANNEX4])
    for typed in ("五千二百万", "12345", "外贸型"):
        assert typed in text3
    assert "八十" in text4
    assert "□贸易型" in text3 and "√" not in text3.split("企业类型：")[1].split("\n")[0][:20]


def test_blank_dossier_prints_the_blank_form(render) -> None:
    docs = render({})
    assert list(docs) == [ANNEX3, CONDITIONS, ANNEX4]
    text = _docx_text(docs[ANNEX3])
    assert "□外资" in text and "1.本项目未违反" in text
    rows = [
        [_cell_text(c) for c in cells]
        for cells in _rows(_xml(docs[ANNEX3]).find(f"{W}body/{W}tbl"))
    ]
    # The schedule shows the rule set's milestones; the computed sums stay blank, not "0.00".
    i = next(i for i, r in enumerate(rows) if r[0] == "项目分年度建设进度计划")
    assert rows[i + 1 : i + 3] == [["2024年12月31日前", "", ""], ["2025年9月30日前", "", ""]]
    i = next(i for i, r in enumerate(rows) if r[0] == "支持内容")
    assert all(r[1:3] == r[4:6] == ["", ""] for r in rows[i + 1 : i + 4])
    assert "0.00" not in text
    table = _xml(docs[ANNEX4]).find(f"{W}body/{W}tbl")
    texts = [[_cell_text(c) for c in cells] for cells in _rows(table)]
    assert len(texts) == 1 + 6 + 1  # heading, one numbered row per category, 累计
    assert texts[-1] == ["累计", "", "", "", "", ""]


# --------------------------------------------------------------------------------------------
# Hostile input and reproducibility
# --------------------------------------------------------------------------------------------

CONTROL = "控制\x00\x01\x08\x0b\x0c\x1f\ufffe字符"
MARKUP = "]]> <w:p></w:p> </w:t><w:t> &amp; <script>alert(1)</script> \"'"
EMOJI = "表情😀👨‍👩‍👧🇨🇳"
BIG = ("这是一段很长的文字，用来检查超长文本能否跨页排版。" * 4000)[:100_000]


def hostile_dossier() -> dict[str, Any]:
    raw = valid_project_dossier()
    p = raw["project_info"]
    p["org_name"] = CONTROL
    p["project_name"] = MARKUP
    p["org_profile"] = EMOJI
    p["approach"] = BIG
    p["kpis"] = "\ud83d" + EMOJI  # a lone surrogate is dropped, the pair joined
    p["registered_capital"] = "1e999999"
    p["revenue"] = "NaN"
    raw["fund_details"]["other"][0]["name"] = MARKUP + CONTROL
    raw["fund_details"]["other"][0]["note"] = EMOJI
    return raw


@pytest.fixture(scope="module")
def hostile(render) -> dict[str, AnnexDocument]:
    return render(hostile_dossier())


def test_hostile_strings_give_well_formed_documents(hostile) -> None:
    doc3, doc4 = hostile[ANNEX3], hostile[ANNEX4]
    assert doc3.removed_chars > 0 and doc4.removed_chars > 0
    text3, text4 = _docx_text(doc3), _docx_text(doc4)
    assert "控制字符" in text3 and "控制字符" in text4
    assert MARKUP in text3 and MARKUP in text4
    assert EMOJI in text3 and EMOJI in text4
    assert BIG in text3
    assert "1e999999" in text3 and "NaN" in text3


def _write(tmp_path: Path, docs: dict[str, AnnexDocument], prefix: str) -> list[Path]:
    paths = []
    for doc in docs.values():
        key = {ANNEX3: "3", CONDITIONS: "3s", ANNEX4: "4"}[doc.file_name]
        path = tmp_path / f"{prefix}-{key}.docx"
        path.write_bytes(doc.data)
        paths.append(path)
    return paths


@pytest.mark.skipif(not validator_available(), reason="node or @ooxml-tools/validate missing")
@pytest.mark.parametrize("which", ["reference", "valid", "hostile"])
def test_open_xml_sdk_validator_finds_no_errors(request, tmp_path: Path, which: str) -> None:
    docs = request.getfixturevalue(which)
    for path in _write(tmp_path, docs, which):
        assert validate_docx(path) == [], path.name


def test_same_input_gives_identical_bytes(engine: Engine, render, reference) -> None:
    again = render(reference_dossier())
    assert [d.data for d in again.values()] == [d.data for d in reference.values()]
    # Also without a normalised dict (validation unavailable): deterministic all the same.
    compiled = engine.dossiers["project"]
    first = render_annexes(compiled, reference_dossier(), None)
    second = render_annexes(compiled, copy.deepcopy(reference_dossier()), None)
    assert [d.data for d in first] == [d.data for d in second]


# --------------------------------------------------------------------------------------------
# LibreOffice
# --------------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig tools missing")
def test_fontconfig_aliases(tmp_path: Path) -> None:
    env = dict(os.environ, FONTCONFIG_FILE=str(fontconfig(tmp_path)))
    installed = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, env=env, check=True
    ).stdout
    if "Noto Serif CJK SC" not in installed:
        pytest.skip("fonts-noto-cjk not installed")
    serif, sans = "Noto Serif CJK SC", "Noto Sans CJK SC"
    for name, target in (
        ("仿宋_GB2312", serif),
        ("方正小标宋简体", serif),
        ("FangSong", serif),
        ("宋体", serif),
        ("黑体", sans),
        ("SimHei", sans),
    ):
        out = subprocess.run(
            ["fc-match", name, "family"], capture_output=True, text=True, env=env, check=True
        ).stdout
        assert target in out, (name, out)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) missing")
@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils (pdfinfo) missing")
def test_libreoffice_converts_to_pdf(tmp_path: Path, reference, hostile) -> None:
    paths = _write(tmp_path, reference, "reference") + _write(tmp_path, hostile, "hostile")
    pages = pages_of(tmp_path, paths)
    # The reference 附件3 runs over two pages or more, 基本条件自查表 and 附件4 fit one;
    # the 100 kB text makes the hostile 附件3 long.
    assert pages["reference-3"] >= 2 and pages["reference-3s"] == 1
    assert pages["reference-4"] == 1
    assert pages["hostile-3"] > 20
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "reference-3.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "重点项目信息表" in text and "义乌市跨境云仓供应链管理有限公司" in text


# --------------------------------------------------------------------------------------------
# Pyodide: the browser writes the very same files
# --------------------------------------------------------------------------------------------

PYODIDE_SNIPPET = """
import base64, json
from formsite.compiler import compile_dossier
from formsite.definitions import Definitions
from formsite.docx.annexes import render_annexes
from formsite.validation import validate
definitions = Definitions.model_validate_json(GIVEN["definitions"])
compiled = compile_dossier(definitions, "project")
report = validate(compiled, GIVEN["raw"])
docs = render_annexes(compiled, GIVEN["raw"], report.normalised)
OUTPUT = json.dumps([[d.file_name, base64.b64encode(d.data).decode(), d.removed_chars]
                     for d in docs])
"""


@pytest.mark.pyodide
@needs_pyodide
def test_pyodide_writes_identical_files(engine: Engine, render, tmp_path: Path) -> None:
    """Validation and DOCX rendering in the browser give the CLI's bytes exactly."""
    import base64

    raw = hostile_dossier()
    raw["project_info"]["approach"] = "短文本"  # keep the transfer small
    raw["project_info"]["kpis"] = EMOJI  # JSON cannot carry the lone surrogate
    browser = run_in_pyodide(PYODIDE_SNIPPET, {"definitions": engine.definitions.model_dump_json(by_alias=True),
                                               "raw": raw}, tmp_path)
    cpython = render(raw)
    assert [name for name, _, _ in browser] == list(cpython)
    for name, data, removed in browser:
        assert removed == cpython[name].removed_chars > 0
        assert base64.b64decode(data) == cpython[name].data, name
