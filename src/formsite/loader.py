"""Read forms/*.yaml and rules/*.yaml into checked :class:`Definitions`.

Runs at build time and in the CLI (CPython with PyYAML). Every mistake in every file is
collected, with file, key path and line, before :class:`DefinitionError` is raised: a
definition with three mistakes gets three messages, and no site is built from it.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .catalog import check_references, resolve_labels
from .definitions import Definitions, FormDef, FormsFile, RuleSet
from .errors import DefinitionError, Problem

__all__ = ["DefinitionError", "Problem", "default_paths", "load_definitions", "load_round"]

DOSSIERS_FILE = "dossiers.yaml"


def _compose(text: str, file: str) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML keeping the line of every key, so errors can point at it."""
    import yaml  # build-time only: PyYAML is not shipped to the browser

    lines: dict[tuple, int] = {}

    def convert(node: Any, path: tuple) -> Any:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out = {}
            # "<<: *anchor" merge keys first, so that explicit keys override them.
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    merged = convert(value_node, path)
                    for item in merged if isinstance(merged, list) else [merged]:
                        out.update(item if isinstance(item, dict) else {})
            explicit: set[str] = set()
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = key_node.value
                lines[(*path, key)] = key_node.start_mark.line + 1
                if key in explicit:
                    raise _YamlProblem(f"键 {key} 重复", key_node.start_mark.line + 1)
                explicit.add(key)
                out[key] = convert(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [convert(item, (*path, i)) for i, item in enumerate(node.value)]
        return yaml.SafeLoader(text).construct_object(node, deep=True)

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _YamlProblem(f"YAML 语法错误：{getattr(exc, 'problem', exc)}",
                           mark.line + 1 if mark else None) from exc
    return (convert(root, ()) if root is not None else None), lines


class _YamlProblem(Exception):
    def __init__(self, message: str, line: int | None):
        self.message, self.line = message, line
        super().__init__(message)


def _line_for(lines: dict[tuple, int], loc: tuple) -> int | None:
    # The deepest prefix of the error location that exists in the file.
    for end in range(len(loc), -1, -1):
        if tuple(loc[:end]) in lines:
            return lines[tuple(loc[:end])]
    return None


def _pydantic_problems(exc: ValidationError, file: str, lines: dict[tuple, int]) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc)
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "未知的键（拼写错误？）"
        elif err["type"] == "missing":
            message = "缺少必需的键"
        problems.append(Problem(file, key, _line_for(lines, loc), message))
    return problems


def _read(path: Path, root: Path, problems: list[Problem]) -> tuple[Any, dict[tuple, int]] | None:
    rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    try:
        return _compose(path.read_text(encoding="utf-8"), rel)
    except UnicodeDecodeError:
        problems.append(Problem(rel, "", None, "文件不是 UTF-8 编码"))
    except _YamlProblem as exc:
        problems.append(Problem(rel, "", exc.line, exc.message))
    return None


def _validate(model: Any, data: Any, rel: str, lines: dict, problems: list[Problem]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, rel, lines))
        return None


def load_definitions(forms_dir: Path, rules_file: Path) -> Definitions:
    """Load every form, the dossier list and one rule set; raise DefinitionError on any mistake."""
    root = forms_dir.parent
    problems: list[Problem] = []
    forms: dict[str, FormDef] = {}
    form_lines: dict[str, tuple[str, dict]] = {}
    broken_forms: set[str] = set()  # ids in forms that failed to load (see _raw_ids)
    forms_missing = False  # some form file could not even be parsed
    dossiers_file = None

    for path in sorted(forms_dir.glob("*.yaml")):
        read = _read(path, root, problems)
        if read is None:
            forms_missing = forms_missing or path.name != DOSSIERS_FILE
            continue
        data, lines = read
        rel = str(path.relative_to(root))
        if path.name == DOSSIERS_FILE:
            dossiers_file = _validate(FormsFile, data, rel, lines, problems)
            continue
        form = _validate(FormDef, data, rel, lines, problems)
        if form is None:
            broken_forms |= _raw_ids(data)
            continue
        if form.id in forms:
            problems.append(Problem(rel, "id", lines.get(("id",)), f"表单编号 {form.id} 重复"))
        forms[form.id] = form
        form_lines[form.id] = (rel, lines)
    if dossiers_file is None and not any(p.file.endswith(DOSSIERS_FILE) for p in problems):
        problems.append(Problem(str(forms_dir.relative_to(root)), DOSSIERS_FILE, None,
                                "缺少材料组合定义文件"))

    rules_rel = str(rules_file.relative_to(root)) if rules_file.is_relative_to(root) else str(rules_file)
    ruleset = None
    read = _read(rules_file, root, problems)
    rule_lines: dict[tuple, int] = {}
    if read is not None:
        data, rule_lines = read
        if isinstance(data, dict):
            data = _with_included(data, rules_file, root, rules_rel, rule_lines, problems)
            data = _with_example_parameters(data, rules_rel, rule_lines, problems)
        ruleset = _validate(RuleSet, data, rules_rel, rule_lines, problems)
        if ruleset is not None:
            problems.extend(_parameter_doc_problems(ruleset, rules_file, rules_rel, rule_lines))

    if ruleset is not None and dossiers_file is not None:
        forms = {fid: resolve_labels(form, ruleset.parameters, problems.append,
                                     form_lines[fid][0], form_lines[fid][1])
                 for fid, form in forms.items()}
        for ref_problem in check_references(forms, dossiers_file.dossiers, ruleset,
                                            broken_forms, forms_missing):
            file, lines = (rules_rel, rule_lines) if ref_problem.in_rules else form_lines.get(
                ref_problem.form, ("forms", {}))
            problems.append(Problem(file, ref_problem.key, _line_for(lines, ref_problem.loc),
                                    ref_problem.message))
    if problems:
        raise DefinitionError(problems)
    assert ruleset is not None and dossiers_file is not None
    return Definitions(
        forms=forms,
        dossiers={d.id: d for d in dossiers_file.dossiers},
        ruleset=ruleset,
        ruleset_hash=ruleset_hash(ruleset, forms, dossiers_file.dossiers),
    )


def _with_included(data: dict[str, Any], rules_file: Path, root: Path, rules_rel: str,
                   lines: dict[tuple, int], problems: list[Problem]) -> dict[str, Any]:
    """The rule set with each file of ``include`` read into ``parameters`` under its name."""
    include = data.get("include")
    if not isinstance(include, dict):
        return data  # the RuleSet model reports a malformed include
    parameters = dict(data.get("parameters") or {})
    for name, file in include.items():
        loc = ("include", name)
        if name in parameters:
            problems.append(Problem(rules_rel, ".".join(loc), lines.get(loc),
                                    f"参数 {name} 已在 parameters 中定义，不能再从文件引入"))
            continue
        path = rules_file.parent / str(file)
        if not path.is_file():
            problems.append(Problem(rules_rel, ".".join(loc), lines.get(loc),
                                    f"引用的文件 {file} 不存在"))
            continue
        read = _read(path, root, problems)
        if read is not None:
            parameters[name] = read[0]
    return {**data, "parameters": parameters}


# "$name", "$name - 0.5", "$name + 1": an example value read from a parameter, so that a changed
# threshold keeps its examples right (the threshold itself passes, just below it fails).
_EXAMPLE_PARAMETER = re.compile(r"^\$([a-z_][a-z0-9_]*)\s*(?:([+-])\s*([0-9]+(?:\.[0-9]+)?))?$")


def _with_example_parameters(data: dict[str, Any], rules_rel: str, lines: dict[tuple, int],
                             problems: list[Problem]) -> dict[str, Any]:
    """The rule set with every ``$parameter`` value in its examples replaced by the number."""
    parameters = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}

    def resolve(value: Any, loc: tuple) -> Any:
        if isinstance(value, dict):
            return {k: resolve(v, (*loc, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v, (*loc, i)) for i, v in enumerate(value)]
        match = _EXAMPLE_PARAMETER.match(value) if isinstance(value, str) else None
        if match is None:
            return value
        name, sign, offset = match.groups()
        base = parameters.get(name)
        if isinstance(base, bool) or not isinstance(base, int | float | str):
            problems.append(Problem(rules_rel, ".".join(map(str, loc)), _line_for(lines, loc),
                                    f"示例中的 {value} 引用的参数 {name} 不存在或不是数值"))
            return value
        try:
            number = Decimal(str(base))
        except InvalidOperation:
            problems.append(Problem(rules_rel, ".".join(map(str, loc)), _line_for(lines, loc),
                                    f"示例中的 {value} 引用的参数 {name} 不是数值（{base}）"))
            return value
        if sign:
            number = number + Decimal(offset) if sign == "+" else number - Decimal(offset)
        return format(number.normalize(), "f") if number != number.to_integral() else str(int(number))

    checks = data.get("checks")
    if not isinstance(checks, list):
        return data
    resolved = [{**check, "examples": resolve(check["examples"], ("checks", c, "examples"))}
                if isinstance(check, dict) and "examples" in check else check
                for c, check in enumerate(checks)]
    return {**data, "checks": resolved}


def _parameter_doc_problems(ruleset: RuleSet, rules_file: Path, rules_rel: str,
                            lines: dict[tuple, int]) -> list[Problem]:
    """Every parameter is explained (meaning, unit, clause) and every explanation has its
    parameter; a named predecessor rule set exists."""
    problems = []
    for name in ruleset.parameters:
        if name not in ruleset.parameter_docs:
            loc = ("include", name) if name in ruleset.include else ("parameters", name)
            problems.append(Problem(rules_rel, ".".join(loc), _line_for(lines, loc),
                                    f"参数 {name} 没有说明：请在 parameter_docs 中为它写明 "
                                    "description（含义）、unit（单位）和 clause（依据条款）"))
    for name in ruleset.parameter_docs:
        if name not in ruleset.parameters:
            loc = ("parameter_docs", name)
            problems.append(Problem(rules_rel, ".".join(loc), _line_for(lines, loc),
                                    f"parameter_docs 说明的参数 {name} 在 parameters 中不存在"))
    if ruleset.previous is not None and not (rules_file.parent / ruleset.previous).is_file():
        problems.append(Problem(rules_rel, "previous", _line_for(lines, ("previous",)),
                                f"上一规则集文件 {ruleset.previous} 不存在"))
    return problems


def _raw_ids(data: Any) -> set[str]:
    """``form``, ``form.field`` and ``form.table.column`` ids of a form that failed to load, read
    from the raw YAML, so that references into it are not reported as missing on top of the
    form's own mistakes (one mistake, one message)."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return set()
    form = data["id"]
    ids = {form}

    def dicts(value: Any) -> list[dict]:
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    for section in dicts(data.get("sections")):
        for fdef in dicts(section.get("fields")):
            ids.add(f"{form}.{fdef.get('id')}")
            ids.update(f"{form}.{fdef.get('id')}.{c.get('id')}" for c in dicts(fdef.get("columns")))
    return ids


def ruleset_hash(ruleset: RuleSet, forms: dict[str, FormDef] | None = None,
                 dossiers: list | None = None) -> str:
    """Content hash of what a dossier is validated against: the rule set and the annex
    schemas (a field made required in forms/ changes verdicts as much as a rule does).
    Stable across YAML formatting; changes with any rule, parameter, field or label."""
    content = {
        "ruleset": ruleset.model_dump(mode="json", by_alias=True),
        "forms": {k: v.model_dump(mode="json", by_alias=True) for k, v in sorted((forms or {}).items())},
        "dossiers": [d.model_dump(mode="json", by_alias=True) for d in dossiers or []],
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_round(forms_dir: Path, rules_file: Path,
               previous_file: Path | None = None) -> tuple[Definitions, Definitions | None]:
    """A rule set and the one it follows (``previous_file``, else the rule set's own
    ``previous:``), the first carrying the second so that records made under it are told
    exactly what changed (see formsite.changes)."""
    from .changes import with_previous

    definitions = load_definitions(forms_dir, rules_file)
    if previous_file is None and definitions.ruleset.previous:
        previous_file = rules_file.parent / definitions.ruleset.previous
    if previous_file is None:
        return definitions, None
    previous = load_definitions(forms_dir, previous_file)
    return with_previous(definitions, previous), previous


# The rule set built when none is named (``build.py --rules FILE`` builds another).
DEFAULT_RULES = "zj-cbec-2024.yaml"


def default_paths(project_root: Path, rules_file: Path | None = None) -> tuple[Path, Path]:
    """forms/ and the rule set of a project tree: ``rules_file`` when given, else the only
    rule set in rules/, else rules/DEFAULT_RULES."""
    if rules_file is not None:
        if not rules_file.is_file():
            raise DefinitionError([Problem(str(rules_file), "", None, "规则集文件不存在")])
        return project_root / "forms", rules_file
    rules = sorted((project_root / "rules").glob("*.yaml"))
    if len(rules) == 1:
        return project_root / "forms", rules[0]
    if (project_root / "rules" / DEFAULT_RULES).is_file():
        return project_root / "forms", project_root / "rules" / DEFAULT_RULES
    raise DefinitionError([Problem("rules", "", None, f"rules/ 中有 {len(rules)} 个规则集文件，"
                                   f"没有默认的 {DEFAULT_RULES}：请用 --rules 指定一个")])


def example_lines(rules_file: Path) -> dict[tuple[str, str, int], int]:
    """(check id, "pass"/"fail", index) → the line of that example in the rule-set file, so a
    wrong verdict can be pointed at where to edit it."""
    data, lines = _compose(rules_file.read_text(encoding="utf-8"), str(rules_file))
    out = {}
    for c, check in enumerate(data.get("checks") or []):
        examples = check.get("examples") if isinstance(check, dict) else None
        for kind in ("pass", "fail"):
            for i, _ in enumerate((examples or {}).get(kind) or []):
                line = _line_for(lines, ("checks", c, "examples", kind, i))
                if line is not None:
                    out[(str(check.get("id")), kind, i)] = line
    return out
