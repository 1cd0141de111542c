"""Every passing and failing example that a rule carries gives its expected verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from formsite.engine import Engine
from formsite.examples import run_example
from formsite.loader import default_paths, load_definitions

ROOT = Path(__file__).resolve().parents[1]
DEFINITIONS = load_definitions(*default_paths(ROOT))
RULES = DEFINITIONS.ruleset.checks

CASES = [
    pytest.param(rule.id, kind, i, data, id=f"{rule.id}-{kind}-{i}")
    for rule in RULES
    for kind, cases in (("pass", rule.examples.pass_), ("fail", rule.examples.fail))
    for i, data in enumerate(cases)
]


@pytest.fixture(scope="module")
def compiled_for_rule(engine: Engine) -> dict:
    out = {}
    for compiled in engine.dossiers.values():
        for crule in compiled.rules:
            out.setdefault(crule.rule.id, compiled)
    return out


def test_every_rule_is_compiled_into_a_dossier(compiled_for_rule):
    # A rule that no dossier runs would have its examples skipped silently.
    assert {rule.id for rule in RULES} == set(compiled_for_rule)


def test_every_rule_has_both_kinds_of_example():
    for rule in RULES:
        assert rule.examples.pass_, rule.id
        assert rule.examples.fail, rule.id


@pytest.mark.parametrize(("rule_id", "kind", "index", "data"), CASES)
def test_rule_example(compiled_for_rule, rule_id, kind, index, data):
    flagged, problem = run_example(compiled_for_rule[rule_id], rule_id, data)
    assert problem == "", f"{rule_id} {kind}[{index}] is itself invalid: {problem}"
    assert flagged == (kind == "fail"), (
        f"{rule_id} {kind}[{index}]: expected {'a finding' if kind == 'fail' else 'no finding'}")


def test_engine_examples_agree_with_this_file(engine: Engine):
    results = engine.examples()
    assert len(results) == len(CASES)
    assert [r for r in results if not r.as_expected] == []


def test_an_example_with_a_field_error_is_reported_as_broken(compiled_for_rule):
    rule = "net_assets_le_total_assets"
    flagged, problem = run_example(compiled_for_rule[rule], rule,
                                   {"project_info": {"net_assets": "abc", "total_assets": "1"}})
    assert not flagged
    assert "project_info.net_assets" in problem


def test_only_the_named_rule_runs(compiled_for_rule):
    # This data breaks several rules; the example of one rule sees only its own finding.
    data = {"project_info": {"net_assets": "2", "total_assets": "1", "commit_policy": False}}
    rule = "period_investment_le_total"
    assert run_example(compiled_for_rule[rule], rule, data) == (False, "")
    rule = "net_assets_le_total_assets"
    assert run_example(compiled_for_rule[rule], rule, data) == (True, "")
