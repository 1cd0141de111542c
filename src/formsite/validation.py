"""Validate a dossier with its compiled model and report every issue in one shape.

pydantic stops before the model validators when a field cannot be read, so a dossier with a
badly typed amount would hide its cross-field problems. ``validate`` therefore runs the model a
second time with the unreadable values left out, and reports both: the field errors of the
first run and the rule findings of the second, without reporting a field twice.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .compiler import CHECK_STAGE, CompiledDossier
from .errors import FIELD_MESSAGES, Issue, field_message


@dataclass
class Report:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    normalised: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": [i.as_dict() for i in self.errors],
            "warnings": [i.as_dict() for i in self.warnings],
        }


def validate(compiled: CompiledDossier, data: Any) -> Report:
    if not isinstance(data, dict):
        return Report(errors=[_issue_from_code(compiled, "", "model.invalid", {})])
    try:
        return _validate(compiled, data)
    except RecursionError:  # values nested hundreds deep: no form has such data
        return Report(errors=[_issue_from_code(compiled, "", "model.invalid", {})])


def _validate(compiled: CompiledDossier, data: dict[str, Any]) -> Report:
    field_errors, check_errors, warnings, normalised = _run(compiled, data)
    if field_errors:
        cleaned = _without(data, [i.path for i in field_errors])
        _, check_errors, warnings, normalised = _run(compiled, cleaned)
        bad = tuple(i.path for i in field_errors)
        # A finding at or below a value that could not be read repeats that error.
        under = lambda path: any(path == b or path.startswith(b + ".") for b in bad)  # noqa: E731
        check_errors = [i for i in check_errors if not under(i.path)]
        warnings = [i for i in warnings if not under(i.path)]
    return Report(field_errors + check_errors, warnings, normalised)


def _run(compiled: CompiledDossier, data: dict[str, Any]):
    context: dict[str, Any] = {"warnings": []}
    field_errors: list[Issue] = []
    check_errors: list[Issue] = []
    try:
        compiled.model.model_validate(data, context=context)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            issue = _issue(compiled, err)
            (check_errors if err.get("ctx", {}).get("stage") == CHECK_STAGE
             else field_errors).append(issue)
    warnings = [_issue_from_ctx(w["path"], w) for w in context["warnings"]]
    return field_errors, check_errors, warnings, _jsonable(context.get("normalised"))


def _issue(compiled: CompiledDossier, err: dict[str, Any]) -> Issue:
    path = ".".join(str(p) for p in err["loc"])
    ctx = err.get("ctx") or {}
    if ctx.get("stage") == CHECK_STAGE:
        return _issue_from_ctx(path, ctx)
    code = err["type"]
    if code not in FIELD_MESSAGES:
        # pydantic's own type errors (e.g. a form given as a list): say it in Chinese.
        code = "model.invalid"
        ctx = {}
    return _issue_from_code(compiled, path, code, ctx)


def _issue_from_code(compiled: CompiledDossier, path: str, code: str, ctx: dict) -> Issue:
    label = compiled.index.label(path) if path else compiled.dossier.title
    found = str(ctx.get("found", ""))
    expected, message = field_message(code, label, {k: str(v) for k, v in ctx.items()})
    form = compiled.definitions.forms.get(path.split(".")[0])
    return Issue(path, code, "error", message, label, expected, found,
                 form.source if form else compiled.dossier.title)


def _issue_from_ctx(path: str, ctx: dict[str, Any]) -> Issue:
    return Issue(path, ctx["code"], ctx["severity"], ctx["message"], ctx["label"],
                 ctx["expected"], ctx["found"], ctx["clause"])


def _without(data: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """A copy of ``data`` with the values at ``paths`` removed (the input is not changed)."""
    cleaned = copy.deepcopy(data)
    for path in paths:
        parts = [int(p) if p.isdigit() else p for p in path.split(".") if p != ""]
        node: Any = cleaned
        if not parts:
            continue
        for part in parts[:-1]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                node = None
                break
        if isinstance(node, dict):
            node.pop(parts[-1], None)
        elif isinstance(node, list) and isinstance(parts[-1], int) and parts[-1] < len(node):
            node[parts[-1]] = {}
    return cleaned


def _jsonable(data: Any) -> Any:
    """Decimal → "1000.50", date → "2024-12-31": the normalised data as JSON values."""
    if data is None:
        return None
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))
