"""Validate a dossier in one plain pass, top to bottom:

1. **shape**       the data is an object of forms, each an object (else one issue, and {});
2. **normalise**   each form through its pydantic model: every value read by its type's
                   normaliser, a value that cannot be read becomes a field issue and ``None``;
                   a choice that follows another (县 under 设区市) is checked against it;
3. **applicability** conditions decided on the normalised values; what does not apply is
                   dropped (kept in the draft, neither checked nor printed) with its issues;
4. **sums**        computed fields (sums, growth rates) in dependency order, exact decimals;
5. **required**    required fields, required rows and cells, that are blank;
6. **rules**       every rule of the rule set that applies, on the normalised values;
7. **report**      errors and warnings in one shape, the normalised data, and for the page which
                   fields and sections do not apply and which hold something typed.

A finding at or below a value that could not be read is not reported: it would repeat that
value's own error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .checks import Values, fmt, is_blank_row
from .compiler import CompiledDossier, CompiledRule, Unreadable
from .conditions import holds
from .definitions import FieldDef, FormDef
from .errors import Issue, field_message
from .values import CONTROL_CHARS, nothing_typed

Data = dict[str, dict[str, Any]]


@dataclass
class Report:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    normalised: dict[str, Any] | None = None
    hidden_fields: list[str] = field(default_factory=list)  # "form.field" that do not apply
    hidden_sections: list[str] = field(default_factory=list)  # "form.section" that do not apply
    filled: list[str] = field(default_factory=list)  # data paths holding something typed
    # The entries the person must make ("form.field": required fields, tables that need rows,
    # commitments to tick) and how many of them are done: the form's progress.
    entries: list[str] = field(default_factory=list)
    done: int = 0
    # Errors about something not filled in yet (nothing typed at their path): to do, not wrong.
    todo: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> str:
        """The verdict in two words, as recorded in a bundle."""
        return "通过校验" if self.ok else "未通过校验"

    @property
    def verdict(self) -> str:
        """The verdict as a sentence, as the page's status line and the CLI say it."""
        if self.ok:
            return "通过校验，可以下载提交" + (f"（{len(self.warnings)}个提醒）" if self.warnings else "")
        progress = f"已完成 {self.done}/{len(self.entries)} 项"
        if not self.filled:  # a blank form: nothing is wrong yet, there is only work to do
            return f"尚未开始填写（{progress}）"
        wrong = len(self.errors) - len(self.todo)
        # Only entries still to make: being filled in, not failed.
        return ("未通过校验：" if wrong else "填写中：") + "，".join(
            [progress] + [f"{n}{what}" for n, what in ((len(self.todo), "处待填写"), (wrong, "个错误"),
                                                      (len(self.warnings), "个提醒")) if n])

    def add(self, issues: list[Issue]) -> None:
        """Findings made after the one pass (about attached bundles), with those that are an
        entry still to make (a bundle to attach, where none is) as to do."""
        errors = [i for i in issues if i.severity == "error"]
        self.errors += errors
        self.warnings += [i for i in issues if i.severity == "warning"]
        self.todo += _todo(errors, _ENTRY_CODES, _holding(self.filled))

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": [i.as_dict() for i in self.errors],
            "warnings": [i.as_dict() for i in self.warnings],
        }

    def for_page(self) -> dict[str, Any]:
        """Everything the page shows: the verdict, the values the engine computed, and what
        to hide; the page decides none of it itself."""
        return {**self.as_dict(), "verdict": self.verdict, "normalised": self.normalised,
                "hidden_fields": self.hidden_fields, "hidden_sections": self.hidden_sections,
                "filled": self.filled, "todo": self.todo, "entries": self.entries, "done": self.done}


def validate(compiled: CompiledDossier, data: Any, *, only_rule: str | None = None,
             skip_required: bool = False) -> Report:
    """The verdict on ``data``. ``only_rule`` and ``skip_required`` serve the rule examples,
    which test one rule on a fragment of a dossier."""
    if not isinstance(data, dict):
        return Report(errors=[_field_issue(compiled, "", "model.invalid")])
    field_issues: list[Issue] = []
    raw, unreadable = _shape(compiled, data, field_issues)
    values = _normalise(compiled, raw, field_issues, unreadable)
    hidden_sections, hidden_fields = _applicability(compiled, values)
    _drop(values, hidden_fields)
    field_issues = [i for i in field_issues if not _under(i.path, hidden_fields)]
    _compute(compiled, values, hidden_fields, unreadable)
    findings = [] if skip_required else _required(compiled, values, hidden_fields, unreadable)
    findings += _control_char_warnings(compiled, values)
    for crule in compiled.rules:
        if (only_rule is None or crule.rule.id == only_rule) and holds(crule.rule.when, values, ""):
            findings += _run_rule(compiled, crule, values)
    issues = field_issues + [i for i in findings if not _depends_on(i.path, unreadable)]
    errors = [i for i in issues if i.severity == "error"]
    filled = _filled(compiled, raw, hidden_fields)
    holding = _holding(filled)
    # To do, not wrong: an entry not made yet (a required value, rows, a commitment to tick)
    # where nothing is typed. Values typed are errors; so are findings about attached bundles,
    # but for one still to attach (Report.add).
    todo = _todo(errors, _ENTRY_CODES | {c.rule.id for c in compiled.rules if c.spec.asks_entry}, holding)
    entries = _entries(compiled, values, hidden_fields)
    return Report(
        errors=errors,
        warnings=[i for i in issues if i.severity == "warning"],
        normalised=_jsonable(values),
        hidden_fields=sorted(hidden_fields),
        hidden_sections=hidden_sections,
        filled=filled,
        entries=entries,
        done=sum(1 for e in entries if e in holding and not any(_under(t, {e}) for t in todo)),
        todo=todo,
    )


# A bundle still to attach (a county's first project) is to do as much as a blank field.
_ENTRY_CODES = frozenset({"required", "required_choice", "required_rows", "row_required", "chain.too_few"})


def _todo(errors: list[Issue], entry_codes: set[str] | frozenset[str], holding: set[str]) -> list[str]:
    return [i.path for i in errors if i.code in entry_codes and i.path not in holding]


def _holding(filled: list[str]) -> set[str]:
    """Every filled path and every path above one: where something is typed, at or below."""
    out = set()
    for path in filled:
        parts = path.split(".")
        out.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    return out


def _entries(compiled: CompiledDossier, values: Data, hidden: set[str]) -> list[str]:
    """The entries the person must make, as "form.field", in definition order."""
    out = []
    for form in compiled.forms:
        for fdef in form.fields():
            path = f"{form.id}.{fdef.id}"
            if path not in hidden and fdef.computed is None and (
                    fdef.required or (fdef.type == "table" and fdef.min_rows)):
                out.append(path)
    for crule in compiled.rules:
        if crule.spec.asks_entry and holds(crule.rule.when, values, ""):
            out += [ref for ref in crule.args.field_refs() if ref not in hidden and ref not in out]
    return out


# --- 1. shape -------------------------------------------------------------------------------


def _shape(compiled: CompiledDossier, data: dict[str, Any],
           issues: list[Issue]) -> tuple[Data, set[str]]:
    """Each form's values as an object; the forms that were something else."""
    out: Data = {}
    unreadable: set[str] = set()
    for form in compiled.forms:
        values = data.get(form.id)
        if values is not None and not isinstance(values, dict):
            issues.append(_field_issue(compiled, form.id, "model.invalid"))
            unreadable.add(form.id)
            values = None
        out[form.id] = values or {}
    return out, unreadable


# --- 2. normalise ---------------------------------------------------------------------------


def _normalise(compiled: CompiledDossier, raw: Data, issues: list[Issue],
               unreadable: set[str]) -> Data:
    """Every value normalised; adds the paths of values that could not be read."""
    values: Data = {}

    def take(path: str, value: Any) -> Any:
        if isinstance(value, Unreadable):
            issues.append(_field_issue(compiled, path, value.code, value.ctx))
            unreadable.add(path)
            return None
        return value

    for form in compiled.forms:
        model = compiled.form_models[form.id].model_validate(raw[form.id])
        out: dict[str, Any] = {}
        for fdef in form.fields():
            value = take(f"{form.id}.{fdef.id}", getattr(model, fdef.id))
            if fdef.type == "table" and value is not None:
                value = [{column: take(f"{form.id}.{fdef.id}.{i}.{column}", cell)
                          for column, cell in row.items()} for i, row in enumerate(value)]
            out[fdef.id] = value
        values[form.id] = out
        for fdef in form.fields():
            if fdef.options_by:
                _check_follows(compiled, form, fdef, out, issues, unreadable)
    return values


def _check_follows(compiled: CompiledDossier, form: FormDef, fdef: FieldDef, values: dict,
                   issues: list[Issue], unreadable: set[str]) -> None:
    value, parent = values.get(fdef.id), values.get(fdef.options_by or "")
    if value is None or parent is None or value in compiled.options_under(fdef, parent):
        return
    path = f"{form.id}.{fdef.id}"
    parent_label = compiled.index.label(f"{form.id}.{fdef.options_by}")
    issues.append(_field_issue(compiled, path, "choice.not_under",
                               {"found": value, "parent": parent, "parent_label": parent_label}))
    unreadable.add(path)
    values[fdef.id] = None


# --- 3. applicability -----------------------------------------------------------------------


def _applicability(compiled: CompiledDossier, values: Data) -> tuple[list[str], set[str]]:
    """Sections and fields that do not apply, decided in definition order on the normalised
    values, a hidden field counting as blank for every condition after it (so a condition on
    a field that is itself hidden does not hold)."""
    sections: list[str] = []
    fields: set[str] = set()
    seen = {form_id: dict(form_values) for form_id, form_values in values.items()}
    for form in compiled.forms:
        for section in form.sections:
            shown = holds(section.when, seen, form.id)
            if not shown:
                sections.append(f"{form.id}.{section.id}")
            for fdef in section.fields:
                if not shown or not holds(fdef.when, seen, form.id):
                    fields.add(f"{form.id}.{fdef.id}")
                    seen[form.id][fdef.id] = None
    return sections, fields


def _drop(values: Data, hidden: set[str]) -> None:
    for path in hidden:
        form_id, field_id = path.split(".")
        values[form_id][field_id] = None


def _depends_on(path: str, unreadable: set[str]) -> bool:
    """Whether a finding at ``path`` may stem from a value that could not be read: that value
    itself, what contains it, or another cell of the same table row (a row rule reads them all);
    for a whole table, any cell of it (a blank-looking row may hold an unreadable value)."""
    if _under(path, unreadable):
        return True
    parts = path.split(".")
    scope = ".".join(parts[:3]) if len(parts) >= 3 and parts[2].isdigit() else path
    return any(p.startswith(scope + ".") for p in unreadable)


def _under(path: str, prefixes: set[str]) -> bool:
    """Whether ``path`` is one of ``prefixes`` or lies below one."""
    parts = path.split(".")
    return any(".".join(parts[:n]) in prefixes for n in range(1, len(parts) + 1))


# --- 4. sums --------------------------------------------------------------------------------

_CENT = Decimal("0.01")


def _compute(compiled: CompiledDossier, values: Data, hidden: set[str], unreadable: set[str]) -> None:
    """Sums and growth rates in dependency order. One that reads a value that could not be read
    is unknown (None, and itself unreadable): a total that silently counts it as 0 would make
    rules fire on a figure nobody typed."""
    for form_id, field_id, fdef in compiled.computed_order:
        computed = fdef.computed
        assert computed is not None
        path = f"{form_id}.{field_id}"
        refs = [compiled.index.resolve(ref, form_id) for ref in computed.refs()]
        if path in hidden:
            continue
        if any(_under(ref, unreadable) or _has_below(ref, unreadable) for ref in refs):
            values[form_id][field_id] = None
            unreadable.add(path)
        elif computed.growth is not None:
            value, base = (_read(values, compiled.index.resolve(r, form_id))
                           for r in (computed.growth.value, computed.growth.base))
            values[form_id][field_id] = (
                ((value - base) * 100 / base).quantize(_CENT, ROUND_HALF_UP)
                if isinstance(value, Decimal) and isinstance(base, Decimal) and base != 0 else None)
        else:
            parts = (_read(values, ref) for ref in refs)
            values[form_id][field_id] = sum((p for p in parts if p is not None), Decimal("0.00"))


def _has_below(ref: str, paths: set[str]) -> bool:
    """Whether a table column ``form.table.column`` has an unreadable cell (or the table is)."""
    parts = ref.split(".")
    if len(parts) != 3:
        return False
    table = ".".join(parts[:2])
    return any(p.startswith(table + ".") and p.endswith("." + parts[2]) for p in paths)


def _read(values: Data, path: str) -> Decimal | None:
    """A number for a sum: a field's value, or a table column's total over its rows."""
    parts = path.split(".")
    value = values[parts[0]].get(parts[1])
    if len(parts) == 3:
        numbers = (_number(row.get(parts[2])) for row in value or [])
        return sum((n for n in numbers if n is not None), Decimal("0.00"))
    return _number(value)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    return Decimal(value) if isinstance(value, Decimal | int) else None


# --- 5. required ----------------------------------------------------------------------------


def _required(compiled: CompiledDossier, values: Data, hidden: set[str],
              unreadable: set[str]) -> list[Issue]:
    issues = []
    for form in compiled.forms:
        for fdef in form.fields():
            path = f"{form.id}.{fdef.id}"
            if path in hidden or path in unreadable or fdef.computed is not None:
                continue
            value = values[form.id].get(fdef.id)
            if fdef.type == "table":
                rows = [r for r in value or [] if not is_blank_row(r)]
                if len(rows) < fdef.min_rows:
                    issues.append(_field_issue(compiled, path, "required_rows",
                                               {"min": str(fdef.min_rows), "found": str(len(rows))}))
                issues += _row_required(compiled, path, fdef, value or [], unreadable)
            elif fdef.required and value is None:
                code = "required_choice" if fdef.type in ("choice", "multichoice") else "required"
                issues.append(_field_issue(compiled, path, code))
    return issues


def _row_required(compiled: CompiledDossier, path: str, table: FieldDef,
                  rows: list[dict[str, Any]], unreadable: set[str]) -> list[Issue]:
    issues = []
    for i, row in enumerate(rows):
        if is_blank_row(row):
            continue
        for column in table.columns or []:
            cell = f"{path}.{i}.{column.id}"
            if column.required and row.get(column.id) is None and cell not in unreadable:
                issues.append(_field_issue(compiled, cell, "row_required",
                                           {"row": str(i + 1), "column": column.display_label}))
    return issues


def _control_char_warnings(compiled: CompiledDossier, values: Data):
    """Control characters cannot go into a DOCX; say so while the person can still fix it."""
    for form_id, form_values in values.items():
        for key, value in form_values.items():
            items = [(f"{form_id}.{key}", value)]
            if isinstance(value, list) and value and isinstance(value[0], dict):
                items = [(f"{form_id}.{key}.{i}.{c}", v) for i, row in enumerate(value)
                         for c, v in row.items()]
            for path, text in items:
                if isinstance(text, str) and CONTROL_CHARS.search(text):
                    yield _field_issue(compiled, path, "text.control_chars",
                                       {"count": str(len(CONTROL_CHARS.findall(text)))}, "warning")


# --- 6. rules -------------------------------------------------------------------------------


def _run_rule(compiled: CompiledDossier, crule: CompiledRule, values: Data) -> list[Issue]:
    rule = crule.rule
    issues = []
    for finding in crule.spec.run(crule.args, Values(values), compiled.index.label):
        label = compiled.index.label(finding.path)
        found, expected = fmt(finding.found), str(finding.expected or "")
        message = rule.message.format_map({"label": label, "found": found, "expected": expected,
                                           **finding.ctx})
        issues.append(Issue(finding.path, rule.id, rule.severity, f"{message}（依据：{rule.clause}）",
                            label, expected, found, rule.clause))
    return issues


# --- 7. report ------------------------------------------------------------------------------


def _field_issue(compiled: CompiledDossier, path: str, code: str,
                 ctx: dict[str, str] | None = None, severity: str = "error") -> Issue:
    ctx = ctx or {}
    label = compiled.index.label(path) if path else compiled.dossier.title
    expected, message = field_message(code, label, ctx)
    form = compiled.definitions.forms.get(path.split(".")[0])
    return Issue(path, code, severity, message, label, expected, str(ctx.get("found", "（空）")),
                 form.source if form else compiled.dossier.title)


def _filled(compiled: CompiledDossier, raw: Data, hidden: set[str]) -> list[str]:
    """Data paths whose raw value holds something typed (by the normalisers' blank test)."""
    out = []
    for form in compiled.forms:
        for fdef in form.fields():
            path = f"{form.id}.{fdef.id}"
            value = raw[form.id].get(fdef.id)
            if path in hidden or fdef.computed is not None or nothing_typed(value):
                continue
            if fdef.type == "table" and isinstance(value, list):
                if value == compiled.preset_rows(fdef):
                    continue  # still exactly its preset rows (milestone dates): nothing typed
                # Columns the engine fills from an attached bundle were not typed by anyone.
                typed = {c.id for c in fdef.columns or [] if not c.readonly}
                cells = [f"{path}.{i}.{c}" for i, row in enumerate(value) if isinstance(row, dict)
                         for c, v in row.items() if c in typed and not nothing_typed(v)]
                if cells:
                    out += [path, *cells]
                continue
            out.append(path)
    return out


def _jsonable(data: Any) -> Any:
    """Decimal → "1000.50", date → "2024-12-31": the normalised data as JSON values."""
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))
