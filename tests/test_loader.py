"""Loading forms/ and rules/: the real definitions load; broken ones report every mistake with
file, key path and line, and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from formsite.definitions import Definitions
from formsite.loader import DefinitionError, Problem, load_definitions, ruleset_hash

RULES = "rules/zj-cbec-2024.yaml"
PROJECT_INFO = "forms/project_info.yaml"
FUND_DETAILS = "forms/fund_details.yaml"
# The message of period_investment_le_total, and the same with a placeholder it lacks.
PERIOD_MESSAGE = ('"{label}为{found}万元，不能大于{limit_label}（{limit}万元）。"\n'
                  "    clause: 附件3 项目基本情况")
PERIOD_MESSAGE_BROKEN = ('"{label}为{found}万元，不能大于{ceiling}。"\n'
                         "    clause: 附件3 项目基本情况")


# --- the real definitions -----------------------------------------------------------------


def test_real_definitions_load(definitions: Definitions):
    assert set(definitions.forms) == {"project_info", "fund_details", "county_summary",
                                      "key_projects", "city_list"}
    assert set(definitions.dossiers) == {"project", "county", "city"}
    assert definitions.dossiers["project"].forms == ["project_info", "fund_details"]
    assert definitions.ruleset.id == "zj-cbec-2024"
    assert definitions.ruleset_hash.startswith("sha256:")
    assert len(definitions.ruleset_hash) == len("sha256:") + 64


def test_every_rule_in_the_yaml_is_loaded(definitions: Definitions, project_root: Path):
    raw = yaml.safe_load((project_root / RULES).read_text(encoding="utf-8"))
    assert [c["id"] for c in raw["checks"]] == [c.id for c in definitions.ruleset.checks]
    ids = [c.id for c in definitions.ruleset.checks]
    assert len(ids) == len(set(ids))


def test_merge_keys_are_expanded(definitions: Definitions):
    # fund_details.yaml writes five categories as "<<: *category" with their own id and label.
    fund = definitions.forms["fund_details"]
    tables = {f.id: f for f in fund.fields() if f.type == "table"}
    assert list(tables) == ["equipment", "software", "technology", "information", "construction",
                            "other"]
    for table in tables.values():
        assert [c.id for c in table.columns] == ["name", "spent", "planned", "note"]
    assert tables["software"].label == "软件购置费用"
    # The commitment rules merge severity/message from the first one.
    rules = {c.id: c for c in definitions.ruleset.checks}
    assert rules["commitment_truthful"].severity == "error"
    assert rules["commitment_truthful"].check == "affirmed"
    assert rules["commitment_truthful"].args == {"field": "project_info.commit_truthful"}
    assert rules["commitment_truthful"].clause == "附件3 承诺意见第4条"


def test_label_parameters_are_filled_from_the_rule_set(definitions: Definitions):
    fields = {f.id: f for f in definitions.forms["project_info"].fields()}
    year = definitions.ruleset.parameters["data_year"]
    assert fields["revenue"].label == f"{year}年营业收入"
    assert fields["revenue"].full_label == f"{year}年营业收入（万元）"  # the unit from `unit:`
    assert "{" not in fields["profit"].label
    assert "{planned_until}" not in (definitions.forms["fund_details"].fill_note or "")


def test_ruleset_hash_ignores_formatting_but_not_content(definitions: Definitions, tmp_path: Path,
                                                         project_root: Path):
    copy = copy_definitions(project_root, tmp_path)
    rules = copy / RULES
    data = yaml.safe_load(rules.read_text(encoding="utf-8"))
    rules.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=True, width=40),
                     encoding="utf-8")
    reformatted = load(copy)
    assert reformatted.ruleset_hash == definitions.ruleset_hash

    data["parameters"]["showroom_min_area"] = 1200
    rules.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    changed = load(copy)
    assert changed.ruleset_hash != definitions.ruleset_hash
    assert changed.ruleset_hash == ruleset_hash(changed.ruleset, changed.forms,
                                                list(changed.dossiers.values()))


def test_definitions_round_trip_through_json(definitions: Definitions):
    # The build writes this JSON and the browser loads it with the same models.
    again = Definitions.model_validate_json(definitions.model_dump_json(by_alias=True))
    assert again == definitions


# --- broken definitions -------------------------------------------------------------------


def copy_definitions(src: Path, dst: Path) -> Path:
    shutil.copytree(src / "forms", dst / "forms")
    shutil.copytree(src / "rules", dst / "rules")
    return dst


def load(root: Path) -> Definitions:
    return load_definitions(root / "forms", root / RULES)


def inject(root: Path, rel: str, old: str, new: str) -> int:
    """Replace the one occurrence of ``old`` in a file; return the line where ``new`` starts."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur exactly once in {rel}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


def problems_of(root: Path) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        load(root)
    assert str(caught.value)  # the message lists the problems
    return caught.value.problems


def where(problem: Problem) -> tuple[str, str, int | None]:
    return problem.file, problem.key, problem.line


def rule_index(root: Path, rule_id: str) -> int:
    data = yaml.safe_load((root / RULES).read_text(encoding="utf-8"))
    return [c["id"] for c in data["checks"]].index(rule_id)


def field_index(root: Path, rel: str, field_id: str) -> tuple[int, int]:
    data = yaml.safe_load((root / rel).read_text(encoding="utf-8"))
    for s, section in enumerate(data["sections"]):
        for f, fdef in enumerate(section["fields"]):
            if fdef["id"] == field_id:
                return s, f
    raise AssertionError(field_id)


def test_three_independent_mistakes_are_all_reported(tmp_path: Path, project_root: Path):
    root = copy_definitions(project_root, tmp_path)
    s, f = field_index(root, PROJECT_INFO, "project_leader")
    net = rule_index(root, "net_assets_le_total_assets")
    period = rule_index(root, "period_investment_le_total")

    # 1. an unknown key in a field
    line_unknown = inject(root, PROJECT_INFO, "{id: project_leader, label: 项目负责人, type: text,",
                          "{id: project_leader, label: 项目负责人, colour: red, type: text,")
    # 2. a check naming a field that does not exist
    line_ref = inject(root, RULES, "args: {field: project_info.net_assets, limit:",
                      "args: {field: project_info.net_asset, limit:")
    # 3. a message placeholder the check does not provide
    line_msg = inject(root, RULES, PERIOD_MESSAGE, PERIOD_MESSAGE_BROKEN)

    problems = problems_of(root)
    found = {where(p) for p in problems}
    assert (PROJECT_INFO, f"sections.{s}.fields.{f}.colour", line_unknown) in found
    assert (RULES, f"checks.{net}.args", line_ref) in found
    assert (RULES, f"checks.{period}.message", line_msg) in found
    # Three mistakes, three messages: the unknown key must not make every reference into
    # project_info look broken too.
    assert len(problems) == 3, "\n".join(map(str, problems))
    by_key = {p.key: p.message for p in problems}
    assert "project_info.net_asset" in by_key[f"checks.{net}.args"]
    assert "ceiling" in by_key[f"checks.{period}.message"]


def test_yaml_syntax_error_in_rules(tmp_path: Path, project_root: Path):
    root = copy_definitions(project_root, tmp_path)
    line = inject(root, RULES, "    clause: 附件3 项目起止时间\n",
                  "    clause: 附件3 项目起止时间: oops\n")
    problems = problems_of(root)
    assert [where(p) for p in problems] == [(RULES, "", line)]
    assert "YAML" in problems[0].message


def test_yaml_syntax_error_in_a_form_reports_only_that(tmp_path: Path, project_root: Path):
    root = copy_definitions(project_root, tmp_path)
    line = inject(root, PROJECT_INFO, "{id: project_leader, label: 项目负责人, type: text,",
                  "{id: project_leader, label: [项目负责人, type: text,")
    problems = problems_of(root)
    # Not followed by "field project_info.x does not exist" for every rule.
    assert [where(p) for p in problems] == [(PROJECT_INFO, "", line)]


def test_syntax_error_and_mistakes_in_other_files_are_reported_together(tmp_path: Path,
                                                                        project_root: Path):
    root = copy_definitions(project_root, tmp_path)
    line_yaml = inject(root, FUND_DETAILS, "      - {<<: *category, id: software,",
                       "      - {<<: *category, id: software,,")
    line_msg = inject(root, RULES, PERIOD_MESSAGE, PERIOD_MESSAGE_BROKEN)
    found = {where(p) for p in problems_of(root)}
    assert (FUND_DETAILS, "", line_yaml) in found
    assert (RULES, f"checks.{rule_index(root, 'period_investment_le_total')}.message",
            line_msg) in found


def test_unknown_check_param_duplicate_id_and_label_placeholder(tmp_path: Path,
                                                                project_root: Path):
    root = copy_definitions(project_root, tmp_path)
    dates = rule_index(root, "project_dates_in_order")
    belt = rule_index(root, "belt_min_investment")
    dup_s, dup_f = field_index(root, PROJECT_INFO, "contact_person")
    rev_s, rev_f = field_index(root, PROJECT_INFO, "revenue")

    line_check = inject(root, RULES, "    check: date_order\n", "    check: date_orderr\n")
    line_param = inject(root, RULES, "min: $belt_min_investment,", "min: $belt_minimum,")
    line_dup = inject(root, PROJECT_INFO, "{id: contact_person, label: 联系人,",
                      "{id: project_leader, label: 联系人,")
    line_label = inject(root, PROJECT_INFO, 'label: "{data_year}年营业收入"',
                        'label: "{data_yr}年营业收入"')

    problems = problems_of(root)
    found = {where(p): p.message for p in problems}
    assert (RULES, f"checks.{dates}.check", line_check) in found
    assert "date_orderr" in found[(RULES, f"checks.{dates}.check", line_check)]
    assert (RULES, f"checks.{belt}.args", line_param) in found
    assert "belt_minimum" in found[(RULES, f"checks.{belt}.args", line_param)]
    assert (PROJECT_INFO, f"sections.{dup_s}.fields.{dup_f}.id", line_dup) in found
    assert "project_leader" in found[(PROJECT_INFO, f"sections.{dup_s}.fields.{dup_f}.id",
                                      line_dup)]
    assert (PROJECT_INFO, f"sections.{rev_s}.fields.{rev_f}.label", line_label) in found
    assert len(problems) == 4, "\n".join(map(str, problems))


def inject_after(root: Path, rel: str, anchor: str, old: str, new: str) -> int:
    """Replace the first ``old`` after the one ``anchor``; return the line of ``new``."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(anchor) == 1, anchor
    at = text.index(old, text.index(anchor))
    text = text[:at] + new + text[at + len(old):]
    path.write_text(text, encoding="utf-8")
    return text[:at].count("\n") + 1


def test_shape_errors_point_at_their_keys(tmp_path: Path, project_root: Path):
    root = copy_definitions(project_root, tmp_path)
    s, f = field_index(root, FUND_DETAILS, "total_spent")
    sev = rule_index(root, "online_min_sku")
    line_type = inject_after(root, FUND_DETAILS, "id: total_spent", "type: money", "type: moneyy")
    line_sev = inject_after(root, RULES, "id: online_min_sku", "severity: error",
                            "severity: fatal")
    problems = problems_of(root)
    found = {where(p) for p in problems}
    assert (FUND_DETAILS, f"sections.{s}.fields.{f}.type", line_type) in found
    assert (RULES, f"checks.{sev}.severity", line_sev) in found
    assert len(problems) == 2, "\n".join(map(str, problems))


def test_rule_without_failing_example_is_rejected(tmp_path: Path, project_root: Path):
    root = copy_definitions(project_root, tmp_path)
    i = rule_index(root, "live_min_accounts")
    rule_line = (root / RULES).read_text(encoding="utf-8").split("\n").index(
        "  - id: live_min_accounts") + 1
    inject(root, RULES,
           '      fail: [{project_info: {project_types: [industrial_park], park_live: true, '
           'live_accounts: "3"}}]',
           "      fail: []")
    assert [where(p) for p in problems_of(root)] == [(RULES, f"checks.{i}", rule_line)]


def test_duplicate_yaml_key_is_a_problem(tmp_path: Path, project_root: Path):
    root = copy_definitions(project_root, tmp_path)
    line = inject(root, RULES, 'version: "2024.1"\n', 'version: "2024.1"\nversion: "2024.2"\n')
    problems = problems_of(root)
    assert [(p.file, p.line) for p in problems] == [(RULES, line + 1)]


def test_missing_dossiers_file_and_non_utf8_file(tmp_path: Path, project_root: Path):
    root = copy_definitions(project_root, tmp_path)
    (root / "forms" / "dossiers.yaml").unlink()
    (root / "forms" / "extra.yaml").write_bytes("id: x\ntitle: 标题\n".encode("gbk"))
    problems = problems_of(root)
    files = {p.file for p in problems}
    assert "forms" in files  # the missing dossiers.yaml
    assert "forms/extra.yaml" in files
    assert any(p.key == "dossiers.yaml" for p in problems)
