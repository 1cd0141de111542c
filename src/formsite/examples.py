"""Run the passing and failing examples that every rule carries.

An example is a small piece of dossier data. It is validated with only its rule enabled and
without the required-field checks, so it tests exactly that rule. The verdict is ``True`` when
the rule reported something. CPython (tests) and Pyodide (the page) must agree on every verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .compiler import CompiledDossier
from .validation import validate


@dataclass(frozen=True)
class ExampleResult:
    rule: str
    kind: str  # "pass" | "fail"
    index: int
    flagged: bool  # the rule reported something
    problem: str = ""  # the example itself is broken (a field error), if any

    @property
    def as_expected(self) -> bool:
        return not self.problem and self.flagged == (self.kind == "fail")


def run_example(compiled: CompiledDossier, rule_id: str, data: dict[str, Any]) -> tuple[bool, str]:
    """(whether the rule reported something, what is wrong with the example itself)."""
    report = validate(compiled, data, only_rule=rule_id, skip_required=True)
    issues = report.errors + report.warnings
    broken = [i for i in issues if i.code != rule_id]
    if broken:
        return False, "; ".join(f"{i.path}: {i.message}" for i in broken)
    return bool(issues), ""


def run_all_examples(compiled_by_id: dict[str, CompiledDossier]) -> list[ExampleResult]:
    results = []
    seen: set[str] = set()
    for compiled in compiled_by_id.values():
        for crule in compiled.rules:
            if crule.rule.id in seen:
                continue
            seen.add(crule.rule.id)
            for kind, cases in (("pass", crule.rule.examples.pass_), ("fail", crule.rule.examples.fail)):
                for i, data in enumerate(cases):
                    flagged, problem = run_example(compiled, crule.rule.id, data)
                    results.append(ExampleResult(crule.rule.id, kind, i, flagged, problem))
    return results
