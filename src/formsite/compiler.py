"""Definitions + rule set → the models that read what people typed.

Pydantic does types and normalisation, and nothing else: one model per form and one row model
per repeating table, each field validated by the normaliser of its type (:mod:`formsite.values`)
with the field's own bounds and options. A field validator never raises: a value it cannot read
becomes an :class:`Unreadable` holding the coded problem, so one call reads a whole form and the
validation pass (:mod:`formsite.validation`) reports every field at once and goes on with the
rest. Applicability, sums, required fields and rules are plain code in that pass.

The rule set's parameters are compiled in (bounds, options, the arguments of every rule), never
read from a global.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, create_model

from .catalog import FieldIndex, param, param_value
from .checks import CHECKS, Args, CheckSpec
from .definitions import CheckDef, Definitions, DossierDef, FieldDef, FormDef
from .errors import EngineError, ValueProblem
from .values import NORMALISERS


@dataclass(frozen=True)
class Unreadable:
    """A value its normaliser could not read: the coded problem, in place of the value."""

    code: str
    ctx: dict[str, str]


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
    computed_order: list[tuple[str, str, FieldDef]]  # (form, field, definition) in input order
    form_models: dict[str, type[BaseModel]]
    model: type[BaseModel]  # the whole dossier: its JSON Schema documents the data format

    @cached_property
    def forms(self) -> list[FormDef]:
        return [self.definitions.forms[f] for f in self.dossier.forms]

    def options(self, fdef: FieldDef) -> list[tuple[str, str]]:
        """(value, label) pairs of a choice field, from the definition or a rule-set parameter.
        A mapping parameter gives its keys, or (with ``options_by``) all of its values."""
        return options_of(self.definitions, fdef)

    def options_under(self, fdef: FieldDef, parent: Any) -> list[str]:
        """The options of a field whose options follow ``fdef.options_by``, for that value."""
        mapping = param(self.definitions.ruleset.parameters, fdef.options_param or "")
        return list(mapping.get(parent) or []) if isinstance(parent, str) else []

    def preset_rows(self, fdef: FieldDef) -> list[dict[str, Any]]:
        if fdef.preset_rows_param:
            return list(param(self.definitions.ruleset.parameters, fdef.preset_rows_param))
        return list(fdef.preset_rows or [])


def options_of(definitions: Definitions, fdef: FieldDef) -> list[tuple[str, str]]:
    if fdef.options is not None:
        return [(o.value, o.label) for o in fdef.options]
    raw = param(definitions.ruleset.parameters, fdef.options_param or "")
    if isinstance(raw, dict):
        values = [v for vs in raw.values() for v in vs] if fdef.options_by else list(raw)
        return [(v, v) for v in dict.fromkeys(values)]
    return [(o, o) if isinstance(o, str) else (o["value"], o["label"]) for o in raw]


# --- field validators -----------------------------------------------------------------------


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


def _lenient(norm: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def read(raw: Any) -> Any:
        try:
            return norm(raw)
        except ValueProblem as problem:
            return Unreadable(problem.code, problem.ctx)

    return read


def _table_reader(fdef: FieldDef, row_model: type[BaseModel]) -> Callable[[Any], Any]:
    columns = [c.id for c in fdef.columns or []]

    def read(raw: Any) -> Any:
        if raw is None or raw == "":
            return None
        if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
            return Unreadable("table.invalid", {})
        if len(raw) > fdef.max_rows:
            return Unreadable("too_many_rows", {"max": str(fdef.max_rows), "found": str(len(raw))})
        rows = [row_model.model_validate(r) for r in raw]
        return [{c: getattr(row, c) for c in columns} for row in rows]

    return read


_JSON_TYPES: dict[str, dict[str, Any]] = {
    "money": {"type": ["string", "number", "null"]},
    "integer": {"type": ["string", "integer", "null"]},
    "area": {"type": ["string", "number", "null"]},
    "percent": {"type": ["string", "number", "null"]},
    "checkbox": {"type": ["boolean", "null"]},
}


def _json_schema(compiled: CompiledDossier, fdef: FieldDef, rows: type[BaseModel] | None) -> dict:
    if fdef.computed is not None:
        schema: dict[str, Any] = {"readOnly": True, "type": ["string", "null"]}
    elif fdef.type == "choice":
        schema = {"enum": [v for v, _ in compiled.options(fdef)] + [None]}
    elif fdef.type == "multichoice":
        schema = {"type": ["array", "null"], "items": {"enum": [v for v, _ in compiled.options(fdef)]}}
    elif rows is not None:
        schema = {"type": ["array", "null"], "items": rows.model_json_schema(),
                  "maxItems": fdef.max_rows}
    else:
        schema = dict(_JSON_TYPES.get(fdef.type, {"type": ["string", "null"]}))
    schema["title"] = fdef.full_label
    if fdef.help:
        schema["description"] = fdef.help
    return schema


def _field(compiled: CompiledDossier, fdef: FieldDef, reader: Callable[[Any], Any],
           rows: type[BaseModel] | None = None) -> tuple[Any, None]:
    return (Annotated[Any, PlainValidator(reader),
                      WithJsonSchema(_json_schema(compiled, fdef, rows))], None)


def _model_name(identifier: str) -> str:
    return "".join(part.title() for part in identifier.split("_"))


def _form_model(compiled: CompiledDossier, form: FormDef) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for fdef in form.fields():
        if fdef.computed is not None:  # never taken from input
            fields[fdef.id] = _field(compiled, fdef, lambda raw: None)
        elif fdef.type == "table":
            columns = {c.id: _field(compiled, c, _lenient(_bound_normaliser(compiled, c)))
                       for c in fdef.columns or []}
            row = create_model(f"{_model_name(form.id)}{_model_name(fdef.id)}Row",
                               __config__=ConfigDict(extra="ignore"), **columns)
            fields[fdef.id] = _field(compiled, fdef, _table_reader(fdef, row), row)
        else:
            fields[fdef.id] = _field(compiled, fdef, _lenient(_bound_normaliser(compiled, fdef)))
    config = ConfigDict(extra="ignore", title=f"{form.annex} {form.title}")
    return create_model(_model_name(form.id), __config__=config, **fields)


# --- the dossier ----------------------------------------------------------------------------


def computed_order(definitions: Definitions, form_ids: list[str],
                   index: FieldIndex) -> list[tuple[str, str, FieldDef]]:
    """Computed fields in an order where every input is computed before it. The loader has
    already refused cycles (with file and line); meeting one here is a broken definitions.json."""
    pending = {f"{fid}.{f.id}": (fid, f) for fid in form_ids
               for f in definitions.forms[fid].fields() if f.computed}
    order: list[tuple[str, str, FieldDef]] = []
    while pending:
        ready = [ref for ref, (fid, f) in pending.items()
                 if not any(index.resolve(r, fid) in pending for r in f.computed.refs())]
        if not ready:
            raise EngineError(f"计算字段循环引用：{'、'.join(pending)}", code="engine.sum_cycle")
        for ref in ready:
            fid, fdef = pending.pop(ref)
            order.append((fid, fdef.id, fdef))
    return order


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
                               computed_order(definitions, dossier.forms, index), {}, BaseModel)
    compiled.form_models = {fid: _form_model(compiled, definitions.forms[fid]) for fid in dossier.forms}
    compiled.model = create_model(
        _model_name(dossier.id) + "Dossier",
        __config__=ConfigDict(extra="ignore", title=dossier.title),
        **{fid: (m | None, Field(default=None, title=definitions.forms[fid].title))
           for fid, m in compiled.form_models.items()},
    )
    return compiled
