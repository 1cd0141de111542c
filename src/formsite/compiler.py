"""Definitions + rule set → pydantic v2 models.

One model per dossier (e.g. the project dossier: 附件3 + 附件4), with one sub-model per form and
one row model per repeating table. Fields validate through the normalisers of
:mod:`formsite.values`; the dossier's model validators drop fields that do not apply, compute the
sums, check required fields and run every rule of the rule set. The rule set's parameters are
compiled into the model, never read from a global.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    create_model,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from .catalog import FieldIndex, param_value
from .checks import CHECKS, Args, CheckSpec, Values, fmt, is_blank_row
from .conditions import holds
from .definitions import CheckDef, Definitions, DossierDef, FieldDef, FormDef
from .errors import ValueProblem, field_message
from .values import CONTROL_CHARS, NORMALISERS

CHECK_STAGE = "check"


@dataclass(frozen=True)
class CompiledRule:
    rule: CheckDef
    spec: CheckSpec
    args: Args


@dataclass
class CompiledDossier:
    definitions: Definitions
    dossier: DossierDef
    index: FieldIndex
    rules: list[CompiledRule]
    computed_order: list[tuple[str, str, FieldDef]]  # (form, field, definition) in sum order
    model: type[DossierModel] = None  # type: ignore[assignment]
    condition_sources: dict[str, Callable[[Any], Any]] = dataclass_field(default_factory=dict)

    @cached_property
    def forms(self) -> list[FormDef]:
        return [self.definitions.forms[f] for f in self.dossier.forms]

    def options(self, fdef: FieldDef) -> list[tuple[str, str]]:
        """(value, label) pairs of a choice field, from the definition or a rule-set parameter."""
        if fdef.options is not None:
            return [(o.value, o.label) for o in fdef.options]
        raw = self.definitions.ruleset.parameters[fdef.options_param or ""]
        return [(o, o) if isinstance(o, str) else (o["value"], o["label"]) for o in raw]

    def preset_rows(self, fdef: FieldDef) -> list[dict[str, Any]]:
        if fdef.preset_rows_param:
            return list(self.definitions.ruleset.parameters[fdef.preset_rows_param])
        return list(fdef.preset_rows or [])


class DossierModel(BaseModel):
    """Base of every compiled dossier model; subclasses carry their compiled definitions."""

    model_config = ConfigDict(extra="ignore")
    __compiled__: ClassVar[CompiledDossier]
    # Warnings do not fail validation; a caller of model_validate() without a context finds
    # them here (formsite.validation passes a context and reads them from there).
    _warnings: list[dict[str, Any]] = PrivateAttr(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _drop_inapplicable(cls, data: Any) -> Any:
        """Values of fields that do not apply (hidden on the page) are kept in the draft but
        neither validated nor printed; computed fields are never taken from input."""
        if not isinstance(data, dict):
            return data
        compiled = cls.__compiled__
        view = _condition_view(compiled, data)
        out = dict(data)
        for form in compiled.forms:
            values = data.get(form.id)
            if not isinstance(values, dict):
                continue
            kept = dict(values)
            for fdef in _inapplicable(form, view) + _computed_fields(form):
                kept.pop(fdef.id, None)
            out[form.id] = kept
        return out

    @model_validator(mode="after")
    def _computed_required_rules(self, info: ValidationInfo) -> DossierModel:
        compiled = type(self).__compiled__
        context = info.context if isinstance(info.context, dict) else {}
        for form_id, field_id, fdef in compiled.computed_order:
            form_model = getattr(self, form_id)
            setattr(form_model, field_id, _sum(self, fdef, form_id))
        data = self.model_dump(mode="python")
        context["normalised"] = data
        errors: list[dict[str, Any]] = []
        warnings: list[dict[str, Any]] = []
        if not context.get("skip_required"):
            errors.extend(_required_errors(compiled, data))
        warnings.extend(_control_char_warnings(compiled, data))
        values = Values(data)
        only = context.get("only_check")
        for crule in compiled.rules:
            if only is not None and crule.rule.id != only:
                continue
            if not holds(crule.rule.when, data, ""):
                continue
            for detail in _run_rule(compiled, crule, values):
                (errors if crule.rule.severity == "error" else warnings).append(detail)
        self._warnings = [w["ctx"] | {"path": ".".join(map(str, w["loc"]))} for w in warnings]
        context.setdefault("warnings", []).extend(self._warnings)
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__,
                                                      [_as_pydantic(e) for e in errors])
        return self


def _condition_view(compiled: CompiledDossier, data: dict[str, Any]) -> dict[str, Any]:
    """The fields that conditions read, normalised as the model will normalise them, so that
    applicability is decided on the same values everywhere ("是" is True, "showroom" is
    ["showroom"]). A value that cannot be read counts as empty here; its error is reported
    by the field itself."""
    view = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    for ref, normalise in compiled.condition_sources.items():
        form_id, field_id = ref.split(".")
        values = view.get(form_id)
        if isinstance(values, dict) and field_id in values:
            try:
                values[field_id] = normalise(values[field_id])
            except ValueProblem:
                values[field_id] = None
    return view


def _inapplicable(form: FormDef, data: dict[str, Any]) -> list[FieldDef]:
    out = []
    for section in form.sections:
        if not holds(section.when, data, form.id):
            out.extend(section.fields)
            continue
        out.extend(f for f in section.fields if not holds(f.when, data, form.id))
    return out


def _computed_fields(form: FormDef) -> list[FieldDef]:
    return [f for f in form.fields() if f.computed is not None]


def _sum(model: DossierModel, fdef: FieldDef, form_id: str) -> Decimal:
    compiled = type(model).__compiled__
    total = Decimal("0.00")
    for ref in fdef.computed.sum if fdef.computed else []:
        path = compiled.index.resolve(ref, form_id).split(".")
        node: Any = getattr(model, path[0])
        value = getattr(node, path[1], None)
        if len(path) == 3:  # a table column: sum over rows
            for row in value or []:
                cell = getattr(row, path[2], None)
                total += cell if isinstance(cell, Decimal | int) and not isinstance(cell, bool) else 0
        elif isinstance(value, Decimal | int) and not isinstance(value, bool):
            total += value
    return total


def _check_error(path: tuple, code: str, severity: str, message: str, label: str,
                 expected: str, found: str, clause: str) -> dict[str, Any]:
    ctx = {"message": message, "stage": CHECK_STAGE, "severity": severity, "label": label,
           "expected": expected, "found": found, "clause": clause, "code": code}
    return {"loc": path, "ctx": ctx}


def _as_pydantic(detail: dict[str, Any]) -> InitErrorDetails:
    ctx = detail["ctx"]
    return InitErrorDetails(type=PydanticCustomError(ctx["code"], "{message}", ctx),
                            loc=detail["loc"], input=ctx["found"])


def _field_check_error(compiled: CompiledDossier, path: str, code: str,
                       **ctx: str) -> dict[str, Any]:
    label = compiled.index.label(path)
    expected, message = field_message(code, label, ctx)
    form = path.split(".")[0]
    return _check_error(tuple(_loc(path)), code, "error", message, label, expected,
                        ctx.get("found", "（空）"), compiled.definitions.forms[form].source)


def _loc(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in path.split(".")]


def _required_errors(compiled: CompiledDossier, data: dict[str, Any]) -> list[dict[str, Any]]:
    errors = []
    for form in compiled.forms:
        skip = {f.id for f in _inapplicable(form, data)}
        values = data.get(form.id) or {}
        for fdef in form.fields():
            if fdef.id in skip or fdef.computed is not None:
                continue
            path = f"{form.id}.{fdef.id}"
            value = values.get(fdef.id)
            if fdef.type == "table":
                rows = [r for r in value or [] if not is_blank_row(r)]
                if len(rows) < fdef.min_rows:
                    errors.append(_field_check_error(compiled, path, "required_rows",
                                                     min=str(fdef.min_rows), found=str(len(rows))))
                errors.extend(_row_required_errors(compiled, form, fdef, value or []))
            elif fdef.required and value is None:
                code = "required_choice" if fdef.type in ("choice", "multichoice") else "required"
                errors.append(_field_check_error(compiled, path, code))
    return errors


def _row_required_errors(compiled: CompiledDossier, form: FormDef, table: FieldDef,
                         rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    errors = []
    for i, row in enumerate(rows):
        if is_blank_row(row):
            continue
        for column in table.columns or []:
            if column.required and row.get(column.id) is None:
                errors.append(_field_check_error(
                    compiled, f"{form.id}.{table.id}.{i}.{column.id}", "row_required",
                    row=str(i + 1), column=column.display_label))
    return errors


def _control_char_warnings(compiled: CompiledDossier, data: dict[str, Any]):
    """Control characters cannot go into a DOCX; say so while the person can still fix it."""
    for form_id, values in data.items():
        for key, value in (values or {}).items():
            items = [(f"{form_id}.{key}", value)]
            if isinstance(value, list) and value and isinstance(value[0], dict):
                items = [(f"{form_id}.{key}.{i}.{c}", v) for i, row in enumerate(value)
                         for c, v in row.items()]
            for path, text in items:
                if isinstance(text, str) and CONTROL_CHARS.search(text):
                    detail = _field_check_error(compiled, path, "text.control_chars",
                                                count=str(len(CONTROL_CHARS.findall(text))))
                    detail["ctx"]["severity"] = "warning"
                    yield detail


def _run_rule(compiled: CompiledDossier, crule: CompiledRule, values: Values):
    rule = crule.rule
    for finding in crule.spec.run(crule.args, values, compiled.index.label):
        label = compiled.index.label(finding.path)
        found, expected = fmt(finding.found), str(finding.expected or "")
        ctx = {"label": label, "found": found, "expected": expected, **finding.ctx}
        message = rule.message.format_map(ctx)
        yield _check_error(tuple(_loc(finding.path)), rule.id, rule.severity,
                           f"{message}（依据：{rule.clause}）", label, expected, found, rule.clause)


# --- building the models --------------------------------------------------------------------

_PY_TYPES: dict[str, Any] = {
    "text": str, "longtext": str, "money": Decimal, "integer": int, "area": Decimal,
    "percent": Decimal, "date": date, "year_month": str, "phone": str, "credit_code": str,
    "checkbox": bool,
}


def _bound_normaliser(compiled: CompiledDossier, fdef: FieldDef) -> Callable[[Any], Any]:
    """The type's normaliser with the field's own options (bounds, sign, length, choices)."""
    norm = NORMALISERS[fdef.type]
    kwargs: dict[str, Any] = {"lo": fdef.min, "hi": fdef.max}
    if fdef.type == "money":
        kwargs["signed"] = fdef.signed
    if fdef.type in ("text", "longtext"):
        kwargs = {"max_length": fdef.max_length}
    if fdef.type in ("choice", "multichoice"):
        kwargs = {"options": tuple(v for v, _ in compiled.options(fdef))}
    return lambda raw: norm(raw, **kwargs)


def _normaliser(compiled: CompiledDossier, fdef: FieldDef) -> Callable[[Any], Any]:
    norm = _bound_normaliser(compiled, fdef)

    def validate(raw: Any) -> Any:
        try:
            return norm(raw)
        except ValueProblem as problem:
            expected, message = field_message(problem.code, fdef.display_label, problem.ctx)
            raise PydanticCustomError(problem.code, "{message}",
                                      {"message": message, "expected": expected, **problem.ctx}) from None

    return validate


def _annotation(compiled: CompiledDossier, fdef: FieldDef) -> Any:
    if fdef.type in ("choice", "multichoice"):
        literal = Literal[tuple(v for v, _ in compiled.options(fdef))]  # type: ignore[misc]
        base = literal if fdef.type == "choice" else list[literal]  # type: ignore[valid-type]
    else:
        base = _PY_TYPES[fdef.type]
    if fdef.computed is not None:
        return Annotated[Decimal | None, Field(title=fdef.label, json_schema_extra={"readOnly": True})]
    return Annotated[base | None, BeforeValidator(_normaliser(compiled, fdef)),
                     Field(title=fdef.label, description=fdef.help)]


def _table_validator(fdef: FieldDef) -> Callable[[Any], Any]:
    def validate(raw: Any) -> Any:
        if raw is None or raw == "":
            return None
        if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
            _, message = field_message("table.invalid", fdef.label, {})
            raise PydanticCustomError("table.invalid", "{message}", {"message": message})
        if len(raw) > fdef.max_rows:
            ctx = {"max": str(fdef.max_rows), "found": str(len(raw))}
            _expected, message = field_message("too_many_rows", fdef.label, ctx)
            # ctx travels on: validation rebuilds the issue from the code and its context.
            raise PydanticCustomError("too_many_rows", "{message}", {"message": message, **ctx})
        return raw

    return validate


def _model_name(identifier: str) -> str:
    return "".join(part.title() for part in identifier.split("_"))


def _form_model(compiled: CompiledDossier, form: FormDef) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for fdef in form.fields():
        if fdef.type == "table":
            columns = {c.id: (_annotation(compiled, c), None) for c in fdef.columns or []}
            row = create_model(f"{_model_name(form.id)}{_model_name(fdef.id)}Row",
                               __config__=ConfigDict(extra="ignore"), **columns)
            fields[fdef.id] = (Annotated[list[row] | None, BeforeValidator(_table_validator(fdef)),
                                         Field(title=fdef.label)], None)
        else:
            fields[fdef.id] = (_annotation(compiled, fdef), None)
    return create_model(_model_name(form.id), __config__=ConfigDict(extra="ignore",
                                                                    title=f"{form.annex} {form.title}"),
                        **fields)


def _computed_order(definitions: Definitions, dossier: DossierDef,
                    index: FieldIndex) -> list[tuple[str, str, FieldDef]]:
    """Computed fields in an order where every sum's inputs are computed before it."""
    pending = {f"{fid}.{f.id}": (fid, f) for fid in dossier.forms
               for f in definitions.forms[fid].fields() if f.computed}
    order: list[tuple[str, str, FieldDef]] = []
    while pending:
        ready = [ref for ref, (fid, f) in pending.items()
                 if not any(index.resolve(r, fid) in pending for r in f.computed.sum)]
        if not ready:
            raise ValueError(f"计算字段循环引用：{'、'.join(pending)}")
        for ref in ready:
            fid, fdef = pending.pop(ref)
            order.append((fid, fdef.id, fdef))
    return order


def _condition_refs(definitions: Definitions, dossier: DossierDef, index: FieldIndex) -> set[str]:
    refs = {index.resolve(ref, form_id)
            for form_id in dossier.forms
            for section in definitions.forms[form_id].sections
            for cond in [section.when, *(f.when for f in section.fields)] if cond
            for ref in cond.refs()}
    refs.update(ref for rule in definitions.ruleset.checks if rule.when for ref in rule.when.refs())
    return refs


def compile_dossier(definitions: Definitions, dossier_id: str) -> CompiledDossier:
    dossier = definitions.dossiers[dossier_id]
    index = FieldIndex(definitions.forms)
    params = definitions.ruleset.parameters
    form_ids = set(dossier.forms)
    rules = []
    for rule in definitions.ruleset.checks:
        spec = CHECKS[rule.check]
        args = spec.args.model_validate({k: param_value(v, params) for k, v in rule.args.items()})
        # A rule applies to a dossier when every form it reads is part of it.
        if all(ref.split(".")[0] in form_ids for ref in args.field_refs()):
            rules.append(CompiledRule(rule, spec, args))
    compiled = CompiledDossier(definitions, dossier, index, rules,
                               _computed_order(definitions, dossier, index))
    compiled.condition_sources = {
        ref: _bound_normaliser(compiled, index.fields[ref])
        for ref in _condition_refs(definitions, dossier, index) if ref in index.fields}
    form_models = {fid: _form_model(compiled, definitions.forms[fid]) for fid in dossier.forms}
    model = create_model(
        _model_name(dossier.id) + "Dossier",
        __base__=DossierModel,
        **{fid: (m, Field(default_factory=m, title=definitions.forms[fid].title))
           for fid, m in form_models.items()},
    )
    model.__compiled__ = compiled
    compiled.model = model
    return compiled
