"""Run the passing and failing examples that every rule carries.

An example is a small piece of dossier data. It is validated with only its rule enabled and
without the required-field checks, so it tests exactly that rule. The verdict is ``True`` when
the rule reported something. CPython (tests) and Pyodide (the page) must agree on every verdict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .compiler import CompiledDossier
from .definitions import Definitions
from .validation import validate


@dataclass(frozen=True)
class ExampleResult:
    rule: str
    kind: str  # "pass" | "fail"
    index: int
    flagged: bool  # the rule reported something
    problem: str = ""  # the example itself is broken (a field error), if any
    said: tuple[str, ...] = ()  # what the rule reported, in its words

    @property
    def name(self) -> str:
        """The example as a person finds it in the rule set: 通过示例第1个."""
        return f"{'通过' if self.kind == 'pass' else '不通过'}示例第{self.index + 1}个"

    @property
    def as_expected(self) -> bool:
        return not self.problem and self.flagged == (self.kind == "fail")


def run_example(compiled: CompiledDossier, rule_id: str, data: dict[str, Any]) -> tuple[bool, str]:
    """(whether the rule reported something, what is wrong with the example itself)."""
    return _run(compiled, rule_id, data)[:2]


def _run(compiled: CompiledDossier, rule_id: str,
         data: dict[str, Any]) -> tuple[bool, str, tuple[str, ...]]:
    report = validate(compiled, data, only_rule=rule_id, skip_required=True)
    issues = report.errors + report.warnings
    broken = [i for i in issues if i.code != rule_id]
    if broken:
        return False, "; ".join(f"{i.path}: {i.message}" for i in broken), ()
    return bool(issues), "", tuple(i.message for i in issues)


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
                    flagged, problem, said = _run(compiled, crule.rule.id, data)
                    results.append(ExampleResult(crule.rule.id, kind, i, flagged, problem, said))
    return results


def _flat(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict) and not (prefix.count(".") >= 1 and not data):
        return [pair for k, v in data.items() for pair in _flat(v, f"{prefix}.{k}" if prefix else k)]
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        return [pair for i, v in enumerate(data) for pair in _flat(v, f"{prefix}.{i}")]
    return [(prefix, data)]


def explain(result: ExampleResult, definitions: Definitions, line: int | None = None,
            file: str = "") -> str:
    """Why a rule's example no longer gets its verdict, for a person editing the rule set:
    the example, the verdict it now gets and what to change."""
    from .catalog import FieldIndex

    rule = next(r for r in definitions.ruleset.checks if r.id == result.rule)
    data = (rule.examples.pass_ if result.kind == "pass" else rule.examples.fail)[result.index]
    index = FieldIndex(definitions.forms)
    where = f"（{file} 第{line}行）" if line else ""
    shown = "，".join(f"{index.label(path)}（{path}）= {json.dumps(value, ensure_ascii=False)}"
                     for path, value in _flat(data))
    params = {v[1:]: definitions.ruleset.parameters.get(v[1:]) for v in rule.args.values()
              if isinstance(v, str) and v.startswith("$")}
    lines = [f"检查 {rule.id} 的{result.name}{where}判定与预期不符。", f"    示例数据：{shown}"]
    if result.problem:
        lines += [f"    示例本身有误：{result.problem}",
                  "    如何修改：改正示例中的数据，使它只测试本检查。"]
        return "\n".join(lines)
    if result.kind == "pass":
        lines.append(f"    现在的判定：不通过。检查给出：{'；'.join(result.said)}")
    else:
        lines.append("    现在的判定：通过（检查没有报告任何问题），而它应当不通过。")
    if params:
        named = "、".join(f"{name}（现为 {json.dumps(value, ensure_ascii=False)}）"
                         for name, value in params.items())
        first = next(iter(params))
        lines.append(f"    如何修改：本检查读取参数 {named}。如果参数是有意修改的，请把示例中的数值"
                     f"改为符合新参数的值，或直接写成 \"${first}\"（恰好达到）和 \"${first} - 1\""
                     "（略低于；小数可写 - 0.5），以后再改参数时示例不必改写；"
                     "如果不是有意修改，请改回参数的值。")
    else:
        lines.append("    如何修改：核对示例数据与检查的参数（args）是否一致，改正其中有误的一方。")
    return "\n".join(lines)
