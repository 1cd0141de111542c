"""One table of condition cases, two interpreters: the engine's and the page's.

Which sections and fields apply is decided by formsite.conditions in the engine. Before the
engine is ready, the page decides the same with site_src/static/conditions.js, reading the
condition JSON the build writes into data-when. tests/cases/conditions.json is run through both
(the page's through Node), and so is every condition of the real forms and rules on
generated data, with the engine's verdict as the expected one: the two cannot drift apart.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from builder.site import condition_json
from formsite.conditions import holds
from formsite.definitions import Condition, Definitions

ROOT = Path(__file__).resolve().parents[1]
CASES = json.loads((ROOT / "tests" / "cases" / "conditions.json").read_text(encoding="utf-8"))


def _condition(raw: dict | None) -> Condition | None:
    return None if raw is None else Condition.model_validate(raw)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_engine_agrees_with_the_table(case):
    assert holds(_condition(case["condition"]), case["data"], case["formId"]) is case["expected"]


@pytest.mark.parametrize("case", [c for c in CASES if c["condition"] is not None],
                         ids=[c["name"] for c in CASES if c["condition"] is not None])
def test_cases_are_written_as_the_build_writes_conditions(case):
    """The page only ever sees conditions in the shape builder/site.py generates."""
    assert condition_json(_condition(case["condition"])) == case["condition"]


def test_table_covers_every_kind_of_condition():
    kinds: set[str] = set()

    def walk(cond: dict | None) -> None:
        if cond is None:
            return
        for key in ("all", "any"):
            if key in cond:
                kinds.add(key)
                for part in cond[key]:
                    walk(part)
        if "not" in cond:
            kinds.add("not")
            walk(cond["not"])
        if "equals" in cond:
            kinds.add(f"equals:{type(cond['equals']).__name__}")
        if "includes" in cond:
            kinds.add("includes")

    for case in CASES:
        walk(case["condition"])
    assert kinds >= {"all", "any", "not", "includes", "equals:bool", "equals:str", "equals:int"}


def _definition_cases(definitions: Definitions) -> list[dict[str, Any]]:
    """Every condition of the real forms and rules, on data that sets the fields it reads to
    values of every kind, each case with the engine's verdict."""
    found: list[tuple[str, str, Condition]] = []
    for form in definitions.forms.values():
        for section in form.sections:
            if section.when:
                found.append((f"{form.id}.{section.id}", form.id, section.when))
            for fdef in section.fields:
                for sub in [fdef, *(fdef.columns or [])]:
                    if sub.when:
                        found.append((f"{form.id}.{fdef.id}", form.id, sub.when))
    for check in definitions.ruleset.checks:
        if check.when:
            found.append((f"rule {check.id}", "", check.when))

    rng = random.Random(20241215)
    cases = []
    for where, form_id, cond in found:
        atoms = _atoms(cond)
        for _ in range(60):
            data: dict[str, Any] = {f: {} for f in definitions.forms}
            for ref, expected in atoms:
                pool = [_ABSENT, None, True, False, 0, 1, "", "1", "true", [], ["其他"],
                        {"x": 1}, expected, [expected], str(expected), [expected, "其他"]]
                value = rng.choice(pool)
                if value is not _ABSENT:
                    _put(data, ref, form_id, value)
            if rng.random() < 0.1:
                data.pop(rng.choice(sorted(data)))  # a form missing from the data
            cases.append({"name": where, "condition": condition_json(cond), "data": data,
                          "formId": form_id, "expected": holds(cond, data, form_id)})
    return cases


_ABSENT = object()


def _atoms(cond: Condition) -> list[tuple[str, Any]]:
    if cond.field is not None:
        return [(cond.field, cond.equals if cond.includes is None else cond.includes)]
    parts = cond.all or cond.any or ([cond.not_] if cond.not_ else [])
    return [atom for part in parts for atom in _atoms(part)]


def _put(data: dict[str, Any], ref: str, form_id: str, value: Any) -> None:
    parts = ref.split(".")
    if len(parts) == 1 or parts[0] not in data:
        parts = [form_id, *parts]
    node = data
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def test_page_agrees_with_the_table_and_the_definitions(definitions, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the page's condition interpreter (apt-get install nodejs)")
    extra = _definition_cases(definitions)
    assert len(extra) >= 60 * 10  # the forms have conditions; if not, this test lost its point
    assert {c["expected"] for c in extra} == {True, False}
    extra_file = tmp_path / "definition-cases.json"
    extra_file.write_text(json.dumps(extra, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run([node, "--test", str(ROOT / "tests" / "js" / "conditions.test.mjs")],
                            capture_output=True, text=True, cwd=ROOT, timeout=120,
                            env={**os.environ, "FORMSITE_EXTRA_CONDITION_CASES": str(extra_file)})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"# pass {len(CASES) + 2}" in result.stdout


def test_page_hides_what_the_engine_hides_on_the_corpus(engine, tmp_path):
    """The page's pre-engine applicability (conditions.js ``hidden``, driven by the data the
    build generates) against the engine's on every dossier of the seeded corpus, including a
    condition on a field that is itself hidden."""
    from corpus import corpus

    from builder.site import applicability

    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the page's condition interpreter (apt-get install nodejs)")
    compiled = engine.compiled("project")
    cases = []
    for case in corpus(definitions=engine.definitions):
        report = engine.validate("project", case["data"])
        if report.normalised is None:
            continue
        cases.append({"values": report.normalised, "hidden_sections": report.hidden_sections,
                      "hidden_fields": sorted(report.hidden_fields)})
    assert len(cases) >= 1000 and any(c["hidden_fields"] for c in cases)
    assert len({json.dumps(c["hidden_fields"]) for c in cases}) >= 5  # the corpus varies them
    corpus_file = tmp_path / "corpus-applicability.json"
    # ASCII escapes: the corpus holds lone surrogates, which UTF-8 cannot.
    corpus_file.write_text(json.dumps({"applicability": applicability(compiled), "cases": cases},
                                      default=str), encoding="ascii")
    result = subprocess.run([node, "--test", str(ROOT / "tests" / "js" / "conditions.test.mjs")],
                            capture_output=True, text=True, cwd=ROOT, timeout=300,
                            env={**os.environ, "FORMSITE_CORPUS_APPLICABILITY": str(corpus_file)})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "corpus dossiers: the same sections and fields hidden as the engine" in result.stdout
