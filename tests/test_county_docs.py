"""The county's dossier: 附件1 工作总结和工作计划 (county_summary), one 附件2 重点项目申报表
per attached project bundle (key_projects), the Zhejiang divisions they choose from, and their
Word files (formsite.docx.county).

* the definitions load; 县（市、区） follows the chosen 设区市; units live in ``unit``;
* growth rates are computed by the engine (never typed), "—" when they cannot be;
* labels and the DOCX year headings follow the rule set's ``summary_years`` / ``plan_year``;
* every DOCX passes the Open XML SDK validator and LibreOffice turns it into a PDF with pages.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from dossiers import valid_project_dossier  # tests/ is on sys.path
from ooxml_validate import validate_docx, validator_available
from support.office import pages_of
from support.pyodide_node import needs_pyodide, run_in_pyodide

from formsite.docx.annexes import AnnexDocument
from formsite.docx.county import render_county_summary, render_key_projects
from formsite.docx.ooxml import mm_to_twips
from formsite.engine import Engine
from formsite.loader import default_paths, load_definitions

ROOT = Path(__file__).resolve().parents[1]
DEFINITIONS_ROOT = ROOT  # whose forms/ and rules/ are tested
DIVISIONS = ROOT / "rules" / "reference" / "divisions-zj.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

INDICATORS = (
    "trade",
    "export",
    "entities",
    "sellers",
    "brands",
    "parks",
    "park_area",
    "park_firms",
    "warehouses",
    "warehouse_area",
    "providers",
    "trainees",
    "policies",
    "funding",
)

# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


def county_summary() -> dict[str, Any]:
    """A complete 附件1 of 安吉县, typed the way people type (commas, full-width digits)."""
    rows = {
        "trade": ("120,000", "150000", "180,000.5", "216000"),
        "export": ("100000", "130000", "165000", "200000"),
        "entities": ("820", "960", "1,150", "1300"),
        "sellers": ("12", "18", "２５", "32"),
        "brands": ("45", "60", "88", "110"),
        "parks": ("2", "3", "3", "4"),
        "park_area": ("30000", "52000", "52,000", "80000"),
        "park_firms": ("90", "150", "210", "260"),
        "warehouses": ("0", "2", "5", "8"),
        "warehouse_area": ("0", "8000", "21000", "30000"),
        "providers": ("35", "48", "66", "80"),
        "trainees": ("1200", "2500", "3100", "3500"),
        "policies": ("1", "2", "2", "3"),
        "funding": ("500", "800", "1,200", "1000"),
    }
    data: dict[str, Any] = {
        "city": "湖州市",
        "county": "安吉县",
        "contact_person": "张雨薇",
        "contact_phone": "0572-5923644",
    }
    for key, (y1, y2, y3, target) in rows.items():
        data |= {f"{key}_y1": y1, f"{key}_y2": y2, f"{key}_y3": y3, f"{key}_target": target}
    data |= {
        "summary": "2022年以来，安吉县围绕“跨境电商+产业带”，推动椅业、竹制品等优势产业拓展海外市场。\n"
        "三年来跨境电商进出口额年均增长22%。",
        "practices": "一是培育主体。实施跨境电商主体倍增计划。\n二是建设园区。\n三是完善服务。",
        "problems": "自主品牌影响力不强；海外仓布局不足；专业人才缺乏。",
        "goals": "2025年跨境电商进出口额达到21.6亿元，增长20%。",
        "measures": "1.实施品牌出海行动；\n2.推进海外仓建设；\n3.加强人才培训。",
        "directions": "支持椅业跨境电商产业带展示选品中心、跨境电商产业园区建设。",
    }
    return {"county_summary": data}


def key_project() -> dict[str, str]:
    """What the county types into one 附件2 (one row of key_projects.projects)."""
    return {
        "contact_person": "张雨薇",
        "contact_phone": "0572-5923644",
        "goals": "到2025年底，项目带动入驻企业跨境电商交易额新增3亿元。",
        "work": "一是建设展示选品中心；\n二是组织供需对接会；\n三是推广示范项目经验。",
        "policies": "《安吉县促进跨境电商高质量发展若干政策》已出台实施。",
        "safeguards": "成立工作专班，每月调度项目进度。",
    }


REGION = "湖州市安吉县"
PROJECT = "安吉县椅业跨境电商产业带展示选品中心"  # valid_project_dossier()'s project
CONTROL = "控制字符\x01\x0b\x1f结束"
MARKUP = "<script>alert('x')</script> & <w:p/>"


BIG = "跨境电商" * 25_000  # 100 000 characters


def hostile(data: dict[str, Any]) -> dict[str, Any]:
    """Control characters and markup in every text, a 100 kB text, a "number" of 2000 digits
    and one that is not a number at all."""
    values = data["county_summary"] if "county_summary" in data else data
    for key, value in values.items():
        if isinstance(value, str) and not re.fullmatch(r"[\d,.]+", value):
            values[key] = f"{value}{CONTROL}{MARKUP}"
    first_long = next(k for k in ("summary", "goals") if k in values)  # 附件1 or one 附件2
    values[first_long] += BIG
    if "trade_y1" in values:
        values |= {"trade_y1": "9" * 2000, "export_y2": "NaN", "brands_y3": "1e999999"}
    return data


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def county_engine() -> Engine:
    return Engine.from_definitions(load_definitions(*default_paths(DEFINITIONS_ROOT)))


@pytest.fixture(scope="module")
def project_bundle(county_engine: Engine) -> list[tuple[str, bytes]]:
    """The enterprise's project bundle (附件3 + 附件4) that the county imports."""
    name, raw, report = county_engine.export("project", valid_project_dossier())
    assert report.errors == []
    return [(name, raw)]


def county_dossier(engine: Engine, attachments: list[tuple[str, bytes]]) -> dict[str, Any]:
    """附件1 plus, for the attached project, the row of 附件2 that the county types."""
    data = engine.sync_rows("county", county_summary(), attachments)
    data["key_projects"]["projects"][0] |= key_project()
    return data


def _render_summary(engine: Engine, raw: dict[str, Any]) -> AnnexDocument:
    report = engine.validate("county", raw)
    return render_county_summary(engine.dossiers["county"], raw, report.normalised)


def _key_row(**values: str) -> dict[str, Any]:
    row = {"ref": "91330523MA2B3C4D5M|" + PROJECT, "project_name": PROJECT, "city": "湖州市", "county": "安吉县"}
    return {"key_projects": {"projects": [row | values]}}


def _render_keys(engine: Engine, raw: dict[str, Any]) -> list[AnnexDocument]:
    report = engine.validate("county", raw)  # without the bundle: the rows print as they are
    return render_key_projects(engine.dossiers["county"], raw, report.normalised)


@pytest.fixture(scope="module")
def documents(county_engine: Engine, project_bundle) -> dict[str, AnnexDocument]:
    e = county_engine
    data = county_dossier(e, project_bundle)
    files = dict(e.documents("county", data, project_bundle))  # the engine's own document set
    summary, key = (AnnexDocument(name, raw, 0) for name, raw in files.items())
    assert summary.data == _render_summary(e, data).data  # the same bytes, however rendered
    hostile_key = hostile(key_project()) | {"project_name": PROJECT + MARKUP, "county": "安吉县" + CONTROL}
    return {
        "summary": summary,
        "summary-blank": _render_summary(e, {}),
        "summary-hostile": _render_summary(e, hostile(county_summary())),
        "key": key,
        "key-blank": _render_keys(e, _key_row(project_name="", city="", county=""))[0],
        "key-hostile": _render_keys(e, _key_row(**hostile_key))[0],
    }


def _xml(doc: AnnexDocument) -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(doc.data)) as z:
        return ET.fromstring(z.read("word/document.xml"))


def _text(el: ET.Element) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t"))


def _paragraphs(doc: AnnexDocument) -> list[str]:
    body = _xml(doc).find(f"{W}body")
    return [_text(p) for p in body.findall(f"{W}p")]


def _table(doc: AnnexDocument) -> list[list[str]]:
    table = _xml(doc).find(f"{W}body/{W}tbl")
    return [
        ["\n".join(_text(p) for p in tc.findall(f"{W}p")) for tc in tr.findall(f"{W}tc")]
        for tr in table.findall(f"{W}tr")
    ]


# --------------------------------------------------------------------------------------------
# Reference data: the divisions
# --------------------------------------------------------------------------------------------


def test_divisions_of_zhejiang() -> None:
    data = yaml.safe_load(DIVISIONS.read_text(encoding="utf-8"))
    assert data["valid_on"] and data["source"]
    cities = data["counties_by_city"]
    counties = [c for cs in cities.values() for c in cs]
    assert "宁波市" not in cities and not {"海曙区", "鄞州区", "余姚市", "慈溪市"} & set(counties)
    assert cities["义乌市"] == ["义乌市"] and "义乌市" not in cities["金华市"]
    assert len(cities) == 11 and len(counties) == len(set(counties)) == 80  # 90 minus Ningbo's 10
    assert cities["杭州市"] == [
        "上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "富阳区", "临安区", "临平区",
        "钱塘区", "桐庐县", "淳安县", "建德市",
    ]  # fmt: skip
    assert "龙港市" in cities["温州市"] and "玉环市" in cities["台州市"]
    assert all(re.fullmatch(r".+(区|县|市)", c) for c in counties)


def test_county_choices_follow_the_city(county_engine: Engine, project_bundle) -> None:
    params = county_engine.definitions.ruleset.parameters
    assert params["divisions"]["counties_by_city"]["湖州市"][-1] == "安吉县"
    raw = county_dossier(county_engine, project_bundle)
    assert county_engine.validate("county", raw, project_bundle).errors == []
    raw["county_summary"]["county"] = "西湖区"  # a county of 杭州市
    paths = {i.path for i in county_engine.validate("county", raw, project_bundle).errors}
    assert "county_summary.county" in paths
    raw["county_summary"] |= {"city": "宁波市", "county": "鄞州区"}  # 宁波不发
    paths = {i.path for i in county_engine.validate("county", raw, project_bundle).errors}
    assert "county_summary.city" in paths


# --------------------------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------------------------


def test_definitions(county_engine: Engine) -> None:
    d = county_engine.definitions
    county = d.dossiers["county"]
    assert county.forms == ["county_summary", "key_projects"] and county.role == "县（市、区）商务局"
    assert county.file_name == "county_summary.county" and county.attachments.dossier == "project"
    summary = d.forms["county_summary"]
    assert summary.annex == "附件1" and d.forms["key_projects"].annex == "附件2"
    fields = {f.id: f for f in summary.fields()}
    assert fields["county"].options_by == "city"
    assert fields["county"].options_param == fields["city"].options_param == "divisions.counties_by_city"
    grid = next(s.grid for s in summary.sections if s.grid is not None)
    assert [r.label for r in grid.rows][:2] == ["跨境电商进出口额", "其中：出口额"]
    for key_id, row in zip(INDICATORS, grid.rows, strict=True):
        ids = [f"{key_id}_{s}" for s in ("y1", "y2", "y3", "target", "g2", "g3", "gt")]
        assert row.fields == ids
        for fid in ids[:4]:
            assert fields[fid].required and fields[fid].unit and fields[fid].computed is None
            assert "（" not in fields[fid].label, "the unit belongs in `unit`, not the label"
        for fid, (value, base) in zip(ids[4:], ((ids[1], ids[0]), (ids[2], ids[1]), (ids[3], ids[2])), strict=True):
            growth = fields[fid].computed.growth
            assert fields[fid].type == "percent" and (growth.value, growth.base) == (value, base)
    assert fields["trade_y1"].unit == "万元" and fields["park_area_y1"].unit == "平方米"


def test_growth_rates_are_computed_not_typed(county_engine: Engine) -> None:
    raw = county_summary()
    raw["county_summary"] |= {"trade_g2": "99", "funding_gt": "1"}  # typed: ignored
    values = county_engine.validate("county", raw).normalised["county_summary"]
    assert values["trade_y3"] == "180000.50"
    assert values["trade_g2"] == "25.00"  # 150000 over 120000
    assert values["trade_g3"] == "20.00"  # 180000.50 over 150000 (20.0003 rounded)
    assert values["trade_gt"] == "20.00"  # 216000 over 180000.50 (19.9999 rounded)
    assert values["sellers_g3"] == "38.89"  # full-width 25 over 18
    assert values["funding_gt"] == "-16.67"  # a decline: 1000 over 1200
    assert values["parks_g3"] == "0.00"
    assert values["warehouses_g2"] is None  # base 0: not computable
    del raw["county_summary"]["brands_y2"]
    values = county_engine.validate("county", raw).normalised["county_summary"]
    assert values["brands_g2"] is None and values["brands_g3"] is None


def _shifted_tree(tmp_path: Path, years: list[int], plan: int) -> Path:
    """A copy of the definitions whose rule set has other summary years and plan year."""
    forms, rules = default_paths(DEFINITIONS_ROOT)
    root = tmp_path / "tree"
    shutil.copytree(forms, root / "forms")
    shutil.copytree(rules.parent, root / "rules")
    target = root / "rules" / rules.name
    text = target.read_text(encoding="utf-8")
    # The values, not their explanations in parameter_docs.
    text, n1 = re.subn(r"(?m)^(\s+summary_years:) *\[.*$", rf"\1 {years}", text)
    text, n2 = re.subn(r"(?m)^(\s+plan_year:) *[0-9].*$", rf"\1 {plan}", text)
    assert n1 == n2 == 1
    target.write_text(text, encoding="utf-8")
    return root


def test_labels_follow_the_rule_set(county_engine: Engine, tmp_path: Path) -> None:
    def labels(definitions: Any) -> dict[str, str]:
        form = definitions.forms["county_summary"]
        return {f.id: f.label for f in form.fields()} | {"@title": form.title}

    now = labels(county_engine.definitions)
    assert now["trade_y1"] == "2022年跨境电商进出口额"
    assert now["trade_target"] == "2025年跨境电商进出口额目标"
    assert now["trade_gt"] == "2025年跨境电商进出口额目标增长率"
    assert now["goals"] == "2025年工作目标"
    assert now["@title"] == "县（市、区）2022-2024年跨境电商工作总结和2025年工作计划"
    shifted = load_definitions(*default_paths(_shifted_tree(tmp_path, [2023, 2024, 2025], 2026)))
    later = labels(shifted)
    assert later["trade_y1"] == "2023年跨境电商进出口额"
    assert later["trade_y3"] == "2025年跨境电商进出口额"
    assert later["trade_target"] == "2026年跨境电商进出口额目标"
    assert later["goals"] == "2026年工作目标"
    assert later["@title"] == "县（市、区）2023-2025年跨境电商工作总结和2026年工作计划"
    assert set(later) == set(now)  # field ids are positional: the same in every year
    # The Word file's year headings follow too.
    engine = Engine.from_definitions(shifted)
    doc = _render_summary(engine, county_summary())
    assert _table(doc)[0] == ["指标", "单位", "2023年", "2024年", "2025年", "2026年目标"]
    assert _paragraphs(doc)[1] == "安吉县2023-2025年跨境电商工作总结和2026年工作计划"


# --------------------------------------------------------------------------------------------
# 附件1 as a Word file
# --------------------------------------------------------------------------------------------


def test_summary_document(documents: dict[str, AnnexDocument]) -> None:
    doc = documents["summary"]
    assert doc.file_name == "附件1 安吉县2022-2024年跨境电商工作总结和2025年工作计划.docx"
    assert doc.removed_chars == 0
    paragraphs = _paragraphs(doc)
    assert paragraphs[:3] == [
        "附件1",
        "安吉县2022-2024年跨境电商工作总结和2025年工作计划",  # two lines: a break after 和
        "一、主要定量指标",
    ]
    rows = _table(doc)
    assert rows[0] == ["指标", "单位", "2022年", "2023年", "2024年", "2025年目标"]
    assert rows[1] == ["跨境电商进出口额", "万元", "120000.00", "150000.00", "180000.50", "216000.00"]
    assert rows[2] == ["", "增长率", "—", "25.00%", "20.00%", "20.00%"]
    assert rows[3][:2] == ["其中：出口额", "万元"]
    by_label = {rows[i][0].replace("\n", ""): (rows[i], rows[i + 1]) for i in range(1, len(rows), 2)}
    assert len(by_label) == 14
    assert by_label["园区面积"][0][1] == "平方米" and by_label["跨境电商培训人次"][0][1] == "人次"
    assert by_label["海外仓数"][1][2:] == ["—", "—", "150.00%", "60.00%"]  # base 0: "—"
    assert by_label["财政投入资金"][1][5] == "-16.67%"
    assert by_label["年销售额超千万元的大卖家数"][0][4] == "25"
    headings = [p for p in paragraphs if re.match(r"^([一二三]、|（[一二三]）)", p)]
    assert headings == [
        "一、主要定量指标",
        "二、2022-2024年工作情况",
        "（一）工作总结",
        "（二）主要做法与成效",
        "（三）存在问题",
        "三、2025年工作计划",
        "（一）2025年工作目标",
        "（二）具体举措",
        "（三）拟支持方向和重点项目",
    ]
    assert "三年来跨境电商进出口额年均增长22%。" in paragraphs
    assert paragraphs[-3:] == [
        "安吉县商务局（盖章）",
        "\u3000\u3000年\u3000\u3000月\u3000\u3000日",
        "（联系人：张雨薇；联系电话：0572-5923644）",
    ]


def test_summary_sign_off_uses_the_full_name_when_given(county_engine: Engine) -> None:
    raw = county_summary()
    raw["county_summary"] |= {"city": "义乌市", "county": "义乌市", "org_name": "义乌市市场发展委员会"}
    paragraphs = _paragraphs(_render_summary(county_engine, raw))
    assert "义乌市市场发展委员会（盖章）" in paragraphs
    assert paragraphs[1] == "义乌市2022-2024年跨境电商工作总结和2025年工作计划"


def test_summary_typography(documents: dict[str, AnnexDocument]) -> None:
    body = _xml(documents["summary"]).find(f"{W}body")
    sect = body.find(f"{W}sectPr")
    size, margins = sect.find(f"{W}pgSz"), sect.find(f"{W}pgMar")
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == (str(mm_to_twips(210)), str(mm_to_twips(297)))
    for side, mm in (("top", 37), ("right", 26), ("bottom", 35), ("left", 28)):
        assert margins.get(f"{W}{side}") == str(mm_to_twips(mm)), side
    paragraphs = body.findall(f"{W}p")

    def style(p: ET.Element) -> tuple[str | None, str | None]:
        rpr = p.find(f"{W}r/{W}rPr")
        return rpr.find(f"{W}rFonts").get(f"{W}eastAsia"), rpr.find(f"{W}sz").get(f"{W}val")

    assert style(paragraphs[0]) == ("黑体", "32")  # 三号
    assert style(paragraphs[1]) == ("方正小标宋简体", "44")  # 二号
    assert style(paragraphs[2]) == ("黑体", "32")  # 一、 heading
    table = body.find(f"{W}tbl")
    assert sum(int(c.get(f"{W}w")) for c in table.iter(f"{W}gridCol")) == mm_to_twips(156)
    sizes = {r.find(f"{W}rPr/{W}sz").get(f"{W}val") for r in table.iter(f"{W}r")}
    assert sizes <= {"21", "24"}  # 五号 / 小四
    first = table.find(f"{W}tr")
    assert first.find(f"{W}trPr/{W}tblHeader") is not None  # repeats on the next page


def test_blank_summary(documents: dict[str, AnnexDocument]) -> None:
    doc = documents["summary-blank"]
    assert doc.file_name == "附件1 县（市、区）2022-2024年跨境电商工作总结和2025年工作计划.docx"
    rows = _table(doc)
    assert rows[1] == ["跨境电商进出口额", "万元", "", "", "", ""]
    assert rows[2] == ["", "增长率", "—", "—", "—", "—"]
    assert "***商务局（盖章）" in _paragraphs(doc)


# --------------------------------------------------------------------------------------------
# 附件2 as a Word file
# --------------------------------------------------------------------------------------------


def test_key_project_document(documents: dict[str, AnnexDocument]) -> None:
    doc = documents["key"]
    assert doc.file_name == f"附件2 重点项目申报表（{PROJECT}）.docx"
    paragraphs = _paragraphs(doc)
    assert paragraphs[:3] == [
        "附件2",
        "浙江省跨境电商高质量发展试点重点项目申报表",
        "（此表由试点县（市、区）填写）",
    ]
    rows = _table(doc)
    assert rows[0] == ["所在地区", REGION]
    assert rows[1] == ["联系人", "张雨薇", "联系电话", "0572-5923644"]
    assert rows[2] == ["项目名称", PROJECT]
    assert [r[0] for r in rows[3:7]] == ["目标体系", "工作体系", "政策体系", "工作保障"]
    assert rows[4][1] == "一是建设展示选品中心；\n二是组织供需对接会；\n三是推广示范项目经验。"
    assert rows[7][0].startswith("特别注意：\n请各地认真审核项目清单")
    stamp = rows[8][0]
    assert "内容真实有效，同意上报。" in stamp
    assert "安吉县商务局（盖章）" in stamp and "安吉县财政局（盖章）" in stamp
    assert stamp.count("年\u3000\u3000月\u3000\u3000日") == 2
    table = _xml(doc).find(f"{W}body/{W}tbl")
    last = table.findall(f"{W}tr")[-1].find(f"{W}trPr/{W}trHeight")
    assert last.get(f"{W}hRule") == "exact"  # room for the seals


def test_blank_key_project_shows_the_notice_guidance(documents: dict[str, AnnexDocument]) -> None:
    rows = _table(documents["key-blank"])
    assert rows[0] == ["所在地区", ""] and rows[2] == ["项目名称", ""]
    assert rows[3][1].startswith("提出重点项目的总体工作目标和考核目标，定量和定性相结合。")
    assert rows[6][1] == "结合地方特点，提出亮点性的工作。"
    assert "***商务局（盖章）" in rows[8][0] and "***财政局（盖章）" in rows[8][0]
    assert documents["key-blank"].file_name == "附件2 重点项目申报表.docx"


def test_key_project_stamp_names_the_county(county_engine: Engine) -> None:
    raw = _key_row(project_name="a/b:c", city="义乌市", county="义乌市", **key_project())
    (doc,) = _render_keys(county_engine, raw)
    rows = _table(doc)
    assert rows[0] == ["所在地区", "义乌市"]  # 义乌 reports like a city: named once
    assert "义乌市商务局（盖章）" in rows[8][0] and "义乌市财政局（盖章）" in rows[8][0]
    assert doc.file_name == "附件2 重点项目申报表（a_b_c）.docx"
    (doc,) = _render_keys(county_engine, _key_row(city="杭州市", county="西湖区"))
    assert _table(doc)[0] == ["所在地区", "杭州市西湖区"] and "西湖区财政局（盖章）" in _table(doc)[8][0]


def test_one_key_project_form_per_project(county_engine: Engine) -> None:
    raw = _key_row()
    raw["key_projects"]["projects"] += [
        {"ref": "x|2", "project_name": PROJECT, "city": "湖州市", "county": "安吉县"},  # same name
        {"ref": "x|3", "project_name": "安吉县竹产业跨境电商公共服务中心", "city": "湖州市", "county": "安吉县"},
    ]
    names = [d.file_name for d in _render_keys(county_engine, raw)]
    assert names == [
        f"附件2 重点项目申报表（{PROJECT}）.docx",
        f"附件2 重点项目申报表（{PROJECT}）（2）.docx",
        "附件2 重点项目申报表（安吉县竹产业跨境电商公共服务中心）.docx",
    ]
    assert _render_keys(county_engine, {}) == []  # no project attached: no 附件2


# --------------------------------------------------------------------------------------------
# Hostile text, validity, LibreOffice, reproducibility
# --------------------------------------------------------------------------------------------


def test_hostile_text_is_kept_and_cleaned(documents: dict[str, AnnexDocument]) -> None:
    for name in ("summary-hostile", "key-hostile"):
        doc = documents[name]
        assert doc.removed_chars > 0
        text = "\n".join(_paragraphs(doc) + [cell for row in _table(doc) for cell in row])
        assert "控制字符结束" in text and MARKUP in text and BIG in text
    rows = _table(documents["summary-hostile"])
    assert rows[1][2] == "9" * 2000 and rows[2][3] == "—"  # printed as typed; no growth


@pytest.mark.skipif(not validator_available(), reason="node or @ooxml-tools/validate missing")
def test_open_xml_sdk_validator_finds_no_errors(documents: dict[str, AnnexDocument], tmp_path: Path) -> None:
    for name, doc in documents.items():
        path = tmp_path / f"{name}.docx"
        path.write_bytes(doc.data)
        assert validate_docx(path) == [], name


def test_same_input_gives_identical_bytes(county_engine: Engine, project_bundle, documents) -> None:
    again = county_engine.documents("county", county_dossier(county_engine, project_bundle), project_bundle)
    assert [raw for _, raw in again] == [documents["summary"].data, documents["key"].data]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) missing")
@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils (pdfinfo) missing")
def test_libreoffice_converts_to_pdf(documents: dict[str, AnnexDocument], tmp_path: Path) -> None:
    paths = []
    for name, doc in documents.items():
        path = tmp_path / f"{name}.docx"
        path.write_bytes(doc.data)
        paths.append(path)
    pages = pages_of(tmp_path, paths)
    # The indicator table alone runs past the first page; a filled 附件2 takes two pages.
    assert pages["summary"] >= 2 and pages["key"] <= 2
    assert pages["summary-hostile"] > 20 and pages["key-hostile"] > 20  # the 100 kB text
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "summary.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "跨境电商进出口额" in text and "安吉县商务局（盖章）" in text


# --------------------------------------------------------------------------------------------
# Pyodide: the browser writes the very same files
# --------------------------------------------------------------------------------------------

PYODIDE_SNIPPET = """
import base64, json
from formsite.compiler import compile_dossier
from formsite.definitions import Definitions
from formsite.docx.county import render_county_summary, render_key_projects
from formsite.validation import validate
definitions = Definitions.model_validate_json(GIVEN["definitions"])
compiled = compile_dossier(definitions, "county")
report = validate(compiled, GIVEN["raw"])
docs = [render_county_summary(compiled, GIVEN["raw"], report.normalised),
        *render_key_projects(compiled, GIVEN["raw"], report.normalised)]
OUTPUT = json.dumps([[d.file_name, base64.b64encode(d.data).decode(), d.removed_chars] for d in docs])
"""


@pytest.mark.pyodide
@needs_pyodide
def test_pyodide_writes_identical_files(county_engine: Engine, tmp_path: Path) -> None:
    """Validation and both county documents in the browser give the CLI's bytes exactly."""
    import base64

    from formsite.validation import validate

    raw = county_summary() | _key_row(**key_project())
    raw["county_summary"]["summary"] += CONTROL + MARKUP  # something for the sanitiser to do
    browser = run_in_pyodide(PYODIDE_SNIPPET, {
        "definitions": county_engine.definitions.model_dump_json(by_alias=True), "raw": raw}, tmp_path)
    compiled = county_engine.dossiers["county"]
    report = validate(compiled, raw)
    cpython = [
        render_county_summary(compiled, raw, report.normalised),
        *render_key_projects(compiled, raw, report.normalised),
    ]
    assert [name for name, _, _ in browser] == [d.file_name for d in cpython]
    assert [removed for _, _, removed in browser] == [d.removed_chars for d in cpython]
    assert browser[0][2] > 0
    for (name, data, _), doc in zip(browser, cpython, strict=True):
        assert base64.b64decode(data) == doc.data, name
