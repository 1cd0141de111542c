"""Cross references between definitions: field lookup, label parameters, reference checks."""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .checks import CHECKS
from .definitions import Condition, DossierDef, FieldDef, FormDef, RuleSet
from .documents import DOCUMENT_SETS
from .errors import Problem


class FieldIndex:
    """``form.field`` and ``form.table.column`` → definition; data paths → readable labels."""

    def __init__(self, forms: dict[str, FormDef]):
        self.forms = forms
        self.fields: dict[str, FieldDef] = {}
        for form in forms.values():
            for fdef in form.fields():
                self.fields[f"{form.id}.{fdef.id}"] = fdef
                for column in fdef.columns or []:
                    self.fields[f"{form.id}.{fdef.id}.{column.id}"] = column

    def resolve(self, ref: str, form_id: str) -> str:
        """A reference as written in a form (``field``) made absolute (``form.field``)."""
        head = ref.split(".", 1)[0]
        return ref if head in self.forms else f"{form_id}.{ref}"

    def label(self, path: str) -> str:
        """Readable label of a data path such as ``fund_details.equipment.0.spent``."""
        parts = path.split(".")
        if len(parts) >= 4 and parts[2].isdigit():
            table = self.fields.get(".".join(parts[:2]))
            column = self.fields.get(f"{parts[0]}.{parts[1]}.{parts[3]}")
            if table and column:
                row = "项" if table.layout == "cards" else "行"
                return f"{table.display_label}第{int(parts[2]) + 1}{row}“{column.display_label}”"
        if len(parts) == 3 and parts[2].isdigit():
            table = self.fields.get(".".join(parts[:2]))
            if table:
                row = "项" if table.layout == "cards" else "行"
                return f"{table.display_label}第{int(parts[2]) + 1}{row}"
        fdef = self.fields.get(path)
        if fdef:
            return fdef.display_label
        form = self.forms.get(path)
        return f"{form.annex} {form.title}" if form else path


# {name}, {name.key} or {name[0]}: a rule-set parameter (a list item, a mapping's key).
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)(?:\[([0-9]+)\])?\}")

_MISSING = object()


def param(params: dict[str, Any], name: str, default: Any = _MISSING) -> Any:
    """The rule-set parameter ``name``; a dotted name reads into a mapping
    (``divisions.counties_by_city``). Raises KeyError when it does not exist."""
    node: Any = params
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            if default is _MISSING:
                raise KeyError(name)
            return default
        node = node[part]
    return node


def has_param(params: dict[str, Any], name: str) -> bool:
    return param(params, name, None) is not None


def resolve_labels(form: FormDef, params: dict[str, Any], report: Callable, file: str,
                   lines: dict) -> FormDef:
    """Fill ``{parameter}`` placeholders in labels, help and titles from the rule set.

    Labels such as "{data_year}年营业收入（万元）" follow the rule set's years, so next year's
    rule set relabels the form without touching it.
    """
    from .loader import _line_for

    def fill(text: str, loc: tuple) -> str:
        def sub(match: re.Match) -> str:
            name, index = match[1], match[2]
            value = param(params, name, None)
            if index is not None:
                value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
            if value is None:
                report(Problem(file, ".".join(map(str, loc)), _line_for(lines, loc),
                               f"标签中的参数 {match[0]} 在规则集 parameters 中不存在"))
                return match[0]
            return str(value)

        return _PLACEHOLDER.sub(sub, text)

    def walk(value: Any, loc: tuple) -> Any:
        if isinstance(value, dict):
            return {k: (fill(v, (*loc, k)) if k in ("label", "short_label", "help", "title",
                                                    "placeholder", "fill_note", "add_label")
                        and isinstance(v, str)
                        # a grid's column headings ("{summary_years[0]}年") are labels too
                        else [fill(c, (*loc, k, i)) for i, c in enumerate(v)]
                        if k == "columns" and isinstance(v, list) and all(isinstance(c, str) for c in v)
                        else walk(v, (*loc, k)))
                    for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*loc, i)) for i, v in enumerate(value)]
        return value

    filled = FormDef.model_validate(walk(form.model_dump(by_alias=True, exclude_none=True), ()))
    return _enabled_fields(filled, params, report, file, lines)


def _enabled_fields(form: FormDef, params: dict[str, Any], report: Callable, file: str,
                    lines: dict) -> FormDef:
    """The form without the fields this rule set does not ask for (``enabled_by`` names a
    parameter that is false). The parameter must exist and be true or false in every rule
    set, so a misspelt name is an error rather than a silently missing field."""
    from .loader import _line_for

    sections = []
    for s, section in enumerate(form.sections):
        kept = []
        for f, fdef in enumerate(section.fields):
            flag = param(params, fdef.enabled_by, None) if fdef.enabled_by else True
            if not isinstance(flag, bool):
                loc = ("sections", s, "fields", f, "enabled_by")
                report(Problem(file, ".".join(map(str, loc)), _line_for(lines, loc),
                               f"enabled_by 引用的参数 {fdef.enabled_by} 在规则集 parameters 中"
                               "不存在或不是 true/false"))
            if flag is not False:
                kept.append(fdef)
        dropped = {f.id for f in section.fields} - {f.id for f in kept}
        in_grid = [f for row in (section.grid.rows if section.grid else []) for f in row.fields
                   if f in dropped]
        if in_grid:
            loc = ("sections", s, "grid")
            report(Problem(file, ".".join(map(str, loc)), _line_for(lines, loc),
                           f"grid 中的字段 {'、'.join(in_grid)} 在本规则集中未启用（enabled_by），"
                           "表格会缺格：请把它们移出 grid"))
        if not kept:
            continue  # a section of nothing but disabled fields is not shown at all
        sections.append(section.model_copy(update={"fields": kept}) if len(kept) != len(section.fields)
                        else section)
    return form if sections == list(form.sections) else form.model_copy(update={"sections": sections})


@dataclass(frozen=True)
class RefProblem:
    in_rules: bool
    form: str
    loc: tuple
    message: str

    @property
    def key(self) -> str:
        return ".".join(str(p) for p in self.loc)


def param_value(value: Any, params: dict[str, Any]) -> Any:
    """``$name`` in a check argument stands for the rule-set parameter ``name``."""
    if isinstance(value, str) and value.startswith("$"):
        return param(params, value[1:])
    return value


def check_references(forms: dict[str, FormDef], dossiers: Iterable[DossierDef],
                     ruleset: RuleSet, also_known: Iterable[str] = (),
                     forms_missing: bool = False) -> list[RefProblem]:
    """Every dangling reference. ``also_known`` holds the ids (``form``, ``form.field``,
    ``form.table.column``) of forms that exist but failed to load: their own mistakes are
    reported already, so references into them must not be reported a second time.
    ``forms_missing``: some form file could not be read at all, so a reference to a form that
    is not loaded may well be right; only references into loaded forms are checked then."""
    index = FieldIndex(forms)
    known = set(also_known)

    def unknowable(ref: str) -> bool:
        return ref in known or (forms_missing and ref.split(".")[0] not in forms)
    problems: list[RefProblem] = []
    params = ruleset.parameters

    def need(ref: str, in_rules: bool, form: str, loc: tuple, what: str = "字段") -> None:
        if ref not in index.fields and not unknowable(ref):
            problems.append(RefProblem(in_rules, form, loc, f"引用的{what} {ref} 不存在"))

    def condition(cond: Condition | None, form: str, loc: tuple, in_rules: bool) -> None:
        for ref in cond.refs() if cond else []:
            need(index.resolve(ref, form) if form else ref, in_rules, form, loc)

    for form in forms.values():
        seen: set[str] = set()
        for s, section in enumerate(form.sections):
            condition(section.when, form.id, ("sections", s, "when"), False)
            for f, fdef in enumerate(section.fields):
                loc = ("sections", s, "fields", f)
                if fdef.id in seen:
                    problems.append(RefProblem(False, form.id, (*loc, "id"), f"字段编号 {fdef.id} 重复"))
                seen.add(fdef.id)
                condition(fdef.when, form.id, (*loc, "when"), False)
                for ref in fdef.computed.refs() if fdef.computed else []:
                    need(index.resolve(ref, form.id), False, form.id, (*loc, "computed"))
                for name in (fdef.options_param, fdef.preset_rows_param):
                    if name and not has_param(params, name):
                        problems.append(RefProblem(False, form.id, loc,
                                                   f"规则集参数 {name} 不存在"))
                problems.extend(_options_by_problems(form, fdef, params, loc))
        problems.extend(_sum_cycles(form, index))
    for d, dossier in enumerate(dossiers):
        for form_id in dossier.forms:
            if form_id not in forms and not unknowable(form_id):
                problems.append(RefProblem(False, "", ("dossiers", d, "forms"),
                                           f"表单 {form_id} 不存在"))
        need(dossier.file_name, False, "", ("dossiers", d, "file_name"))
        if dossier.deadline is not None and not has_param(params, dossier.deadline.param):
            problems.append(RefProblem(False, "", ("dossiers", d, "deadline"),
                                       f"规则集参数 {dossier.deadline.param} 不存在"))
        if dossier.documents not in DOCUMENT_SETS:
            problems.append(RefProblem(False, "", ("dossiers", d, "documents"),
                                       f"没有名为 {dossier.documents} 的文档组；"
                                       f"可用：{'、'.join(sorted(DOCUMENT_SETS))}"))
        if dossier.attachments is not None:
            problems.extend(_attachment_problems(dossier, d, index, params, need,
                                                 {x.id for x in dossiers}))

    for c, rule in enumerate(ruleset.checks):
        loc = ("checks", c)
        spec = CHECKS.get(rule.check)
        if spec is None:
            problems.append(RefProblem(True, "", (*loc, "check"),
                                       f"没有名为 {rule.check} 的检查；可用：{'、'.join(sorted(CHECKS))}"))
            continue
        missing = [v[1:] for v in rule.args.values() if isinstance(v, str) and v.startswith("$")
                   and not has_param(params, v[1:])]
        if missing:
            problems.append(RefProblem(True, "", (*loc, "args"),
                                       f"参数 {'、'.join(missing)} 在 parameters 中不存在"))
            continue
        try:
            args = spec.args.model_validate({k: param_value(v, params) for k, v in rule.args.items()})
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                problems.append(RefProblem(True, "", (*loc, "args", *err["loc"]), err["msg"]))
            continue
        for ref in args.field_refs():
            need(ref, True, "", (*loc, "args"))
        table = getattr(args, "table", None)
        for column in args.column_refs():
            need(f"{table}.{column}", True, "", (*loc, "args"), "列")
        condition(rule.when, "", (*loc, "when"), True)
        names = {name for _, name, _, _ in string.Formatter().parse(rule.message) if name}
        unknown = names - spec.placeholders
        if unknown:
            problems.append(RefProblem(True, "", (*loc, "message"),
                                       f"消息中的占位符 {'、'.join(sorted(unknown))} 未知；"
                                       f"可用：{'、'.join(sorted(spec.placeholders))}"))
    return problems



def _options_by_problems(form: FormDef, fdef: FieldDef, params: dict[str, Any],
                         loc: tuple) -> list[RefProblem]:
    """``options_by`` names a choice field of the same form, and ``options_param`` is then a
    mapping from that field's options to lists of options."""
    if fdef.options_by is None:
        return []
    parent = next((f for f in form.fields() if f.id == fdef.options_by), None)
    if parent is None or parent.type != "choice":
        return [RefProblem(False, form.id, (*loc, "options_by"),
                           f"options_by 引用的 {fdef.options_by} 不是本表单中的单选字段")]
    mapping = param(params, fdef.options_param or "", None)
    if not isinstance(mapping, dict) or not all(isinstance(v, list) for v in mapping.values()):
        return [RefProblem(False, form.id, (*loc, "options_param"),
                           f"参数 {fdef.options_param} 应为映射：{{上级选项: [选项, …]}}")]
    return []


def _sum_cycles(form: FormDef, index: FieldIndex) -> list[RefProblem]:
    """Computed fields that depend on each other in a circle, named where they are defined.
    (Within a form; sums across forms read table columns, which are never computed.)"""
    where = {f"{form.id}.{f.id}": ("sections", s, "fields", i, "computed")
             for s, section in enumerate(form.sections) for i, f in enumerate(section.fields)}
    deps = {f"{form.id}.{f.id}": {index.resolve(r, form.id) for r in f.computed.refs()}
            for f in form.fields() if f.computed}
    pending = dict(deps)
    while True:
        ready = [ref for ref, needs in pending.items() if not needs & pending.keys()]
        if not ready:
            break
        for ref in ready:
            pending.pop(ref)
    return [RefProblem(False, form.id, where[ref],
                       f"计算字段循环引用：{ref} 依赖 {'、'.join(sorted(deps[ref] & pending.keys()))}，"
                       "而后者又依赖它")
            for ref in sorted(pending)]


def _attachment_problems(dossier: DossierDef, d: int, index: FieldIndex, params: dict[str, Any],
                         need: Callable, dossier_ids: set[str]) -> list[RefProblem]:
    """Every reference of an ``attachments`` block resolves: the table is a table of this
    dossier with the ref and copy columns, read-only; keys and sources are fields."""
    adef = dossier.attachments
    assert adef is not None
    loc = ("dossiers", d, "attachments")
    problems: list[RefProblem] = []
    if adef.dossier not in dossier_ids:
        problems.append(RefProblem(False, "", (*loc, "dossier"), f"材料 {adef.dossier} 不存在"))
    table = index.fields.get(adef.table)
    if table is None or table.type != "table" or adef.table.split(".")[0] not in dossier.forms:
        problems.append(RefProblem(False, "", (*loc, "table"),
                                   f"{adef.table} 不是本材料中的表格字段"))
    else:
        for column in [adef.ref_column, *adef.copy_]:
            cdef = index.fields.get(f"{adef.table}.{column}")
            if cdef is None or not cdef.readonly:
                problems.append(RefProblem(False, "", (*loc, "copy"),
                                           f"{adef.table} 应有只读（readonly）列 {column}"))
    for ref in [*adef.key, *adef.copy_.values(), *adef.same.values()]:
        need(ref, False, "", loc)
    for ref in [*adef.same, *([adef.max_count_by] if adef.max_count_by else [])]:
        need(ref, False, "", loc)
    if adef.max_count_param and not isinstance(param(params, adef.max_count_param, None), dict):
        problems.append(RefProblem(False, "", (*loc, "max_count_param"),
                                   f"参数 {adef.max_count_param} 应为映射：{{档次: 最多个数}}"))
    return problems
