"""Two rule sets, one loop: next year's rule set builds, says what changed, and records made
under the previous one open with exactly what changed for them, nothing typed lost."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from dossiers import valid_project_dossier

from formsite.bundle import draft_record
from formsite.changes import report_text, ruleset_changes, with_previous
from formsite.engine import Engine
from formsite.errors import DefinitionError
from formsite.loader import default_paths, load_definitions, load_round

ROOT = Path(__file__).resolve().parents[1]
RULES_2024 = ROOT / "rules" / "zj-cbec-2024.yaml"
RULES_2025 = ROOT / "rules" / "zj-cbec-2025.yaml"


@pytest.fixture(scope="module")
def old_engine() -> Engine:
    return Engine.from_definitions(load_definitions(ROOT / "forms", RULES_2024))


@pytest.fixture(scope="module")
def new_engine() -> Engine:
    definitions, previous = load_round(ROOT / "forms", RULES_2025)
    assert previous is not None and previous.ruleset.id == "zj-cbec-2024"  # its `previous:`
    return Engine.from_definitions(definitions)


def test_the_default_rule_set_stays_the_2024_round():
    assert default_paths(ROOT)[1] == RULES_2024


def test_every_example_of_the_next_round_gets_its_verdict(new_engine):
    wrong = [r for r in new_engine.examples() if not r.as_expected]
    assert wrong == []
    assert any(r.rule == "showroom_min_buyers" for r in new_engine.examples())


def test_the_change_report_lists_exactly_the_round_s_changes(old_engine, new_engine):
    changes = {(c.kind, c.action, c.id) for c in ruleset_changes(old_engine.definitions,
                                                                 new_engine.definitions)}
    years = {"data_year", "summary_years", "plan_year", "incentive_period", "county_deadline",
             "city_deadline", "planned_from", "planned_until", "progress_milestones",
             "progress_as_of"}
    assert changes == {
        *(("parameter", "changed", name) for name in years),
        ("parameter", "changed", "showroom_min_area"),
        ("parameter", "changed", "ask_showroom_buyers"),
        ("parameter", "added", "showroom_min_buyers"),
        ("check", "added", "showroom_min_buyers"),
        ("field", "added", "project_info.showroom_buyers"),
        ("field", "changed", "（102个字段）"),  # labels that only follow the years
    }
    text = report_text(old_engine.definitions, new_engine.definitions)
    assert ("修改参数 showroom_min_area：跨境电商产业带展示选品中心实际使用面积的最低要求（单位：平方米），"
            "由 1000 改为 1500；检查 showroom_min_area 使用此参数（依据：通知三（一））") in text
    assert "新增字段 project_info.showroom_buyers：“展示选品中心年接待境内外采购商（家）”（必填）" in text
    assert ("新增检查 showroom_min_buyers：错误，“跨境电商产业带展示选品中心要求展示选品中心年接待境内外采购商"
            "不少于100家，填写的是（填写值）家。”（依据：通知三（一））") in text


def test_a_field_exists_only_under_the_rule_set_that_enables_it(old_engine, new_engine):
    def ids(engine):
        return {f.id for f in engine.definitions.forms["project_info"].fields()}

    assert "showroom_buyers" not in ids(old_engine)
    assert "showroom_buyers" in ids(new_engine)
    assert new_engine.definitions.forms["project_info"].fields()[0].label == "项目名称"
    labels = {f.id: f.label for f in new_engine.definitions.forms["project_info"].fields()}
    assert labels["revenue"] == "2025年营业收入"


def _record_2024(old_engine: Engine, data: dict) -> dict:
    return {**draft_record(old_engine.dossiers["project"]), "data": data}


def test_an_old_draft_lists_exactly_what_changed_for_it(old_engine, new_engine):
    from formsite import browser as page_api

    data = valid_project_dossier()
    data["project_info"]["showroom_area"] = "1,200"  # enough in 2024, not in 2025
    assert old_engine.validate("project", data).ok
    page_api.init(new_engine.definitions.model_dump_json(by_alias=True))
    answer = json.loads(page_api.open_draft(json.dumps(
        {"dossier": "project", "draft": _record_2024(old_engine, data)}, ensure_ascii=False)))
    assert answer["notes"] == [
        "本草稿按规则集 zj-cbec-2024 版本 2024.1 制作，此后规则或表单已更新，"
        "已按当前规则集 zj-cbec-2025 版本 2025.1 重新校验。",
        "新出现的问题：请填写展示选品中心年接待境内外采购商。",
        "新出现的问题：跨境电商产业带展示选品中心要求展示选品中心实际使用面积不少于1500平方米，"
        "填写的是1200平方米。（依据：通知三（一））",
        "新增的填写项：“展示选品中心年接待境内外采购商（家）”（必填，"
        "附件3 浙江省跨境电商高质量发展试点重点项目信息表·基本条件自查）。",
    ]


def test_a_project_of_another_type_is_told_that_nothing_changed_for_it(old_engine, new_engine):
    data = valid_project_dossier()
    info = data["project_info"]
    for key in ("showroom_area", "showroom_suppliers", "showroom_brands", "showroom_products"):
        del info[key]
    info.update(project_types=["service_center"], service_area="1000", service_providers="20")
    record = _record_2024(old_engine, data)
    report = new_engine.validate("project", data)
    from formsite.changes import changes_for

    notes = changes_for(new_engine.dossiers["project"], record, data, report, subject="本草稿")
    assert notes[1:] == ["对这份材料而言，校验结果和填写项都没有变化。"]


def test_an_old_bundle_opens_with_its_changes_and_every_value_kept(old_engine, new_engine):
    data = valid_project_dossier()
    data["project_info"]["showroom_area"] = "1,200"
    data["project_info"]["note_from_an_older_form"] = "保留这段文字"
    _, content, _ = old_engine.export("project", data)
    opened = new_engine.open(content)
    assert opened.data == data  # nothing typed is lost, not even what no field shows
    assert any("1500平方米" in n and n.startswith("新出现的问题") for n in opened.notes)
    assert any(n.startswith("新增的填写项：“展示选品中心年接待境内外采购商") for n in opened.notes)
    assert any("project_info.note_from_an_older_form" in n for n in opened.notes)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert json.loads(archive.read("data.json"))["ruleset"]["id"] == "zj-cbec-2024"


def _copy_tree(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "forms", tmp_path / "forms")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return tmp_path


def test_a_threshold_raised_in_a_copy_keeps_examples_written_with_parameters(tmp_path):
    root = _copy_tree(tmp_path)
    rules = root / "rules" / "zj-cbec-2025.yaml"
    text = rules.read_text(encoding="utf-8").replace("showroom_min_area: 1500", "showroom_min_area: 2000")
    rules.write_text(text, encoding="utf-8")
    engine = Engine.from_definitions(load_definitions(root / "forms", rules))
    assert all(r.as_expected for r in engine.examples())
    data = valid_project_dossier()
    data["project_info"].update(showroom_area="1999", showroom_buyers="120")
    messages = [i.message for i in engine.validate("project", data).errors]
    assert messages == ["跨境电商产业带展示选品中心要求展示选品中心实际使用面积不少于2000平方米，"
                        "填写的是1999平方米。（依据：通知三（一））"]


def test_a_threshold_its_examples_contradict_stops_the_build_with_what_to_change(tmp_path):
    out = tmp_path / "site"
    rules = tmp_path / "zj-cbec-2025-copy.yaml"
    shutil.copytree(ROOT / "rules" / "reference", tmp_path / "reference")
    shutil.copy(RULES_2024, tmp_path / "zj-cbec-2024.yaml")
    # The passing example of online_min_sku is written as a number ("10,000": it also tests
    # thousands separators), so raising the threshold contradicts it.
    rules.write_text(RULES_2025.read_text(encoding="utf-8").replace(
        "online_min_sku: 10000", "online_min_sku: 12000"), encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-runtime",
                             "--no-screenshots", "--rules", str(rules), "--out", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert not out.exists()
    line = 1 + next(i for i, text in enumerate(rules.read_text(encoding="utf-8").splitlines())
                    if 'online_sku: "10,000"' in text)
    err = result.stderr
    assert f"检查 online_min_sku 的通过示例第1个（{rules} 第{line}行）判定与预期不符。" in err
    assert "线上产业带专区上架商品SKU数量（project_info.online_sku）= \"10,000\"" in err
    assert ("现在的判定：不通过。检查给出：跨境电商线上产业带专区要求线上产业带专区上架商品SKU数量"
            "不少于12000个，填写的是10000个。") in err
    assert "本检查读取参数 online_min_sku（现为 12000）" in err
    assert '"$online_min_sku"' in err
    # The failing example reads the parameter ("$online_min_sku - 1"): it still fails.
    assert "不通过示例" not in err


def test_a_parameter_without_its_explanation_is_refused_with_its_line(tmp_path):
    root = _copy_tree(tmp_path)
    rules = root / "rules" / "zj-cbec-2024.yaml"
    text = rules.read_text(encoding="utf-8")
    text = text.replace("  live_min_accounts: 10\n", "  live_min_accounts: 10\n  live_min_hosts: 5\n")
    rules.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definitions(root / "forms", rules)
    line = 1 + text.splitlines().index("  live_min_hosts: 5")
    assert [(p.key, p.line) for p in caught.value.problems] == [("parameters.live_min_hosts", line)]
    assert "description（含义）、unit（单位）和 clause（依据条款）" in caught.value.problems[0].message


def test_a_misspelt_enabling_parameter_is_refused(tmp_path):
    root = _copy_tree(tmp_path)
    form = root / "forms" / "project_info.yaml"
    form.write_text(form.read_text(encoding="utf-8").replace(
        "enabled_by: ask_showroom_buyers", "enabled_by: ask_showroom_buyer"), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definitions(root / "forms", root / "rules" / "zj-cbec-2024.yaml")
    [problem] = caught.value.problems
    assert problem.file == "forms/project_info.yaml" and problem.line is not None
    assert "ask_showroom_buyer" in problem.message


def test_building_the_next_round_reports_and_documents_its_changes(tmp_path):
    out = tmp_path / "site"
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-runtime",
                             "--no-screenshots", "--rules", str(RULES_2025), "--out", str(out)],
                            capture_output=True, text=True, check=True)
    assert "规则集 zj-cbec-2025（版本 2025.1）与上一规则集 zj-cbec-2024（版本 2024.1）相比，共16处变化" in result.stdout
    definitions = json.loads((out / "definitions.json").read_text(encoding="utf-8"))
    assert definitions["ruleset"]["id"] == "zj-cbec-2025"
    assert json.loads(definitions["previous_json"])["ruleset"]["id"] == "zj-cbec-2024"
    changes = (out / "docs" / "changes.html").read_text(encoding="utf-8")
    assert "showroom_min_buyers" in changes and "由 1000 改为 1500" in changes
    rules = (out / "docs" / "rules.html").read_text(encoding="utf-8")
    assert "跨境电商产业带展示选品中心实际使用面积的最低要求" in rules
    assert "展示选品中心年接待境内外采购商" in (out / "project.html").read_text(encoding="utf-8")


def test_a_field_dropped_by_the_new_rules_is_named_and_its_value_kept():
    from support.inline import inline_engine

    from formsite.changes import changes_for

    form = """
        id: f
        sections:
          - id: s
            title: 第一部分
            fields:
              - {id: amount, label: 金额, type: money, unit: 万元}
              %s
    """
    old = inline_engine(form % "- {id: note, label: 备注, type: text}")
    new_definitions = inline_engine(form % "").definitions
    new = Engine.from_definitions(with_previous(new_definitions, old.definitions))
    data = {"f": {"amount": "5", "note": "去年填的备注"}}
    record = {**draft_record(old.dossiers["d"]), "data": data}
    notes = changes_for(new.dossiers["d"], record, data, new.validate("d", data), subject="本草稿")
    assert notes[1:] == ["不再填写的项：“备注”（附件 测试表·第一部分），原填写的“去年填的备注”"
                         "已原样保留在草稿和导出文件中，但不再显示和校验。"]


def test_a_disabled_field_inside_a_grid_is_refused(tmp_path):
    from support.inline import write_definitions

    rules = write_definitions(tmp_path, """
        id: f
        sections:
          - id: s
            title: 第一部分
            grid: {columns: [已开支, 拟支出], rows: [{label: 设备, fields: [a, b]}]}
            fields:
              - {id: a, label: 甲, type: money}
              - {id: b, label: 乙, type: money, enabled_by: ask_b}
    """, parameters={"ask_b": False})
    with pytest.raises(DefinitionError) as caught:
        load_definitions(tmp_path / "forms", rules)
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == ("forms/f.yaml", 5)  # the grid
    assert "grid 中的字段 b 在本规则集中未启用" in problem.message


def test_the_cli_validates_an_old_bundle_under_a_chosen_rule_set(old_engine, tmp_path):
    data = valid_project_dossier()
    data["project_info"]["showroom_area"] = "1,200"
    name, content, _ = old_engine.export("project", data)
    (tmp_path / name).write_bytes(content)
    result = subprocess.run([sys.executable, "-m", "formsite", "--root", str(ROOT), "--rules",
                             str(RULES_2025), "validate", str(tmp_path / name)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert "新增的填写项：“展示选品中心年接待境内外采购商（家）”" in result.stdout
    assert "新出现的问题：跨境电商产业带展示选品中心要求展示选品中心实际使用面积不少于1500平方米" in result.stdout
