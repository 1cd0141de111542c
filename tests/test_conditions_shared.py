"""One table of condition cases, two interpreters: the engine's and the page's.

Which sections and fields apply is decided by formsite.conditions in the engine. Before the
engine is ready, the page decides the same with site_src/static/conditions.js, reading the
condition JSON the build writes into data-when. tests/cases/conditions.json is run through both
(the page's through Node), so the two cannot drift apart.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from formsite.conditions import holds
from formsite.definitions import Condition

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
    from builder.site import condition_json

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


def test_page_agrees_with_the_table():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the page's condition interpreter (apt-get install nodejs)")
    result = subprocess.run([node, "--test", str(ROOT / "tests" / "js" / "conditions.test.mjs")],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"# pass {len(CASES) + 1}" in result.stdout
