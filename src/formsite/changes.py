"""What changed between two rule sets, and what that means for one dossier.

:func:`ruleset_changes` compares two compiled definitions (parameters, checks, fields: added,
removed, changed, each with its clause); the build prints it and the docs render it.
:func:`changes_for` tells a person opening a draft or bundle made under the previous rule set
exactly what changed for it: the problems that are new, the fields it now asks for and the ones
it no longer has, having validated the data under both rule sets. The previous rule set travels
in the definitions (``Definitions.previous_json``), so the browser can do this too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .compiler import CompiledDossier, compile_dossier
from .definitions import CheckDef, Definitions, FieldDef
from .validation import Report, validate

ACTIONS = {"added": "新增", "removed": "删除", "changed": "修改"}
KINDS = {"parameter": "参数", "check": "检查", "field": "字段"}


@dataclass(frozen=True)
class Change:
    kind: str  # "parameter" | "check" | "field"
    action: str  # "added" | "removed" | "changed"
    id: str
    what: str  # in Chinese: the item and, for a change, old → new
    clause: str

    def line(self) -> str:
        return f"{ACTIONS[self.action]}{KINDS[self.kind]} {self.id}：{self.what}（依据：{self.clause}）"


def _value(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parameter_changes(old: Definitions, new: Definitions) -> list[Change]:
    before, after = old.ruleset.parameters, new.ruleset.parameters
    docs = {**old.ruleset.parameter_docs, **new.ruleset.parameter_docs}
    used_by: dict[str, list[str]] = {}
    for rule in new.ruleset.checks:
        for arg in rule.args.values():
            if isinstance(arg, str) and arg.startswith("$"):
                used_by.setdefault(arg[1:], []).append(rule.id)
    changes = []
    for name in [*before, *(n for n in after if n not in before)]:
        doc = docs.get(name)
        meaning = f"{doc.description}（单位：{doc.unit}）" if doc else ""
        clause = doc.clause if doc else "—"
        checks = f"；检查 {'、'.join(used_by[name])} 使用此参数" if name in used_by else ""
        if name not in after:
            changes.append(Change("parameter", "removed", name,
                                  f"{meaning}，原为 {_value(before[name])}", clause))
        elif name not in before:
            changes.append(Change("parameter", "added", name,
                                  f"{meaning}，为 {_value(after[name])}{checks}", clause))
        elif before[name] != after[name]:
            changes.append(Change("parameter", "changed", name,
                                  f"{meaning}，由 {_value(before[name])} 改为 {_value(after[name])}"
                                  f"{checks}", clause))
    return changes


_CHECK_PARTS = {"check": "检查类型", "args": "参数", "when": "适用条件", "severity": "级别",
                "message": "提示文字", "clause": "依据"}


def readable_message(rule: CheckDef, definitions: Definitions) -> str:
    """The check's message as a person reads it in a report: field placeholders become the
    fields' labels, parameters their values, the value found “（填写值）”."""
    from .catalog import FieldIndex, param_value

    index = FieldIndex(definitions.forms)
    args = {k: param_value(v, definitions.ruleset.parameters) for k, v in rule.args.items()}
    words = {"found": "（填写值）"}
    for key, value in args.items():
        name = "label" if key == "field" else f"{key}_label"
        if isinstance(value, str) and value in index.fields:
            words[name] = index.label(value)
            words[key] = "所填值"
        elif not isinstance(value, dict | list):
            words[key] = str(value)
    if "table" in args and args["table"] in index.fields:  # a check of each row of a table
        words["label"] = f"{index.label(args['table'])}中的某一项"

    def sub(match: re.Match) -> str:
        return words.get(match[1], "…")

    return re.sub(r"\{([a-z_]+)\}", sub, rule.message)


def _check_summary(rule: CheckDef, definitions: Definitions) -> str:
    level = "错误" if rule.severity == "error" else "提醒"
    return f"{level}，“{readable_message(rule, definitions)}”"


def _check_changes(old: Definitions, new: Definitions) -> list[Change]:
    before = {r.id: r for r in old.ruleset.checks}
    after = {r.id: r for r in new.ruleset.checks}
    changes = []
    for rid, rule in before.items():
        if rid not in after:
            changes.append(Change("check", "removed", rid, _check_summary(rule, old), rule.clause))
    for rid, rule in after.items():
        if rid not in before:
            changes.append(Change("check", "added", rid, _check_summary(rule, new), rule.clause))
            continue
        was = before[rid].model_dump(by_alias=True, exclude={"examples"})
        now = rule.model_dump(by_alias=True, exclude={"examples"})
        parts = [_CHECK_PARTS[k] for k in _CHECK_PARTS if was.get(k) != now.get(k)]
        if parts:
            detail = "、".join(parts) + "有改动"
            if was["message"] != now["message"]:
                detail += f"，提示文字改为“{readable_message(rule, new)}”"
            changes.append(Change("check", "changed", rid, detail, rule.clause))
    return changes


def _fields(definitions: Definitions) -> dict[str, tuple[str, FieldDef]]:
    """``form.field`` and ``form.table.column`` → (where it is, its definition)."""
    out: dict[str, tuple[str, FieldDef]] = {}
    for form in definitions.forms.values():
        for section in form.sections:
            where = f"{form.annex} {form.title}·{section.title}"
            for fdef in section.fields:
                out[f"{form.id}.{fdef.id}"] = (where, fdef)
                for column in fdef.columns or []:
                    out[f"{form.id}.{fdef.id}.{column.id}"] = (f"{where}·{fdef.display_label}", column)
    return out


_FIELD_PARTS = {"label": "名称", "type": "类型", "unit": "单位", "required": "是否必填",
                "when": "适用条件", "options": "选项", "options_param": "选项",
                "computed": "计算方法", "min": "下限", "max": "上限"}


def _relabel(old: Definitions, new: Definitions):
    """old label → the label it becomes when only the parameters written into it change
    (labels such as “{data_year}年营业收入” follow the years)."""
    def scalars(value: Any) -> list[str]:
        if isinstance(value, list):
            return [s for v in value for s in scalars(v)]
        return [str(value)] if isinstance(value, int | str) and not isinstance(value, bool) else []

    swap: dict[str, str] = {}
    for name, value in old.ruleset.parameters.items():
        now = new.ruleset.parameters.get(name)
        was, will = scalars(value), scalars(now)
        if now != value and len(was) == len(will):
            swap.update((a, b) for a, b in zip(was, will, strict=True) if a != b and len(a) < 40)
    if not swap:
        return lambda label: label
    pattern = re.compile("|".join(re.escape(k) for k in sorted(swap, key=len, reverse=True)))
    return lambda label: pattern.sub(lambda m: swap[m[0]], label)


def _field_changes(old: Definitions, new: Definitions) -> list[Change]:
    before, after = _fields(old), _fields(new)
    relabel = _relabel(old, new)
    followed: list[tuple[str, str]] = []  # labels that only follow the parameters
    changes = []
    for ref, (where, fdef) in before.items():
        if ref not in after:
            changes.append(Change("field", "removed", ref, f"“{fdef.full_label}”", where))
    for ref, (where, fdef) in after.items():
        if ref not in before:
            needed = "必填" if fdef.required else "选填"
            changes.append(Change("field", "added", ref, f"“{fdef.full_label}”（{needed}）", where))
            continue
        was = before[ref][1]
        parts = []
        for key, word in _FIELD_PARTS.items():
            if getattr(was, key) != getattr(fdef, key) and word not in parts:
                parts.append(word)
        if parts == ["名称"] and relabel(was.full_label) == fdef.full_label:
            followed.append((was.full_label, fdef.full_label))
            continue
        if parts:
            detail = "、".join(parts) + "有改动"
            if was.full_label != fdef.full_label:
                detail += f"：“{was.full_label}”改为“{fdef.full_label}”"
            changes.append(Change("field", "changed", ref, detail, where))
    if followed:
        changes.append(Change("field", "changed", f"（{len(followed)}个字段）",
                              f"名称中的年度等随参数自动更新，例如“{followed[0][0]}”改为"
                              f"“{followed[0][1]}”", "各字段名称中引用的规则集参数"))
    return changes


def ruleset_changes(old: Definitions, new: Definitions) -> list[Change]:
    """Every difference between two rule sets (with their forms), parameters first."""
    return [*_parameter_changes(old, new), *_check_changes(old, new), *_field_changes(old, new)]


def _heading(old: Definitions, new: Definitions) -> str:
    return (f"规则集 {new.ruleset.id}（版本 {new.ruleset.version}）"
            f"与上一规则集 {old.ruleset.id}（版本 {old.ruleset.version}）相比")


def report_text(old: Definitions, new: Definitions) -> str:
    """The change report as the build prints it."""
    changes = ruleset_changes(old, new)
    if not changes:
        return _heading(old, new) + "：没有变化。\n"
    lines = [_heading(old, new) + f"，共{len(changes)}处变化："]
    for kind, word in KINDS.items():
        items = [c for c in changes if c.kind == kind]
        if items:
            lines.append(f"  {word}（{len(items)}处）：")
            lines += [f"    {c.line()}" for c in items]
    return "\n".join(lines) + "\n"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def report_markdown(old: Definitions | None, new: Definitions) -> str:
    """The change report as a docs page."""
    lines = ["# 规则变化", ""]
    if old is None:
        return "\n".join([*lines, f"规则集 {new.ruleset.id}（版本 {new.ruleset.version}）"
                          "没有指定上一规则集（previous），因此没有变化报告。", ""])
    changes = ruleset_changes(old, new)
    lines += [_heading(old, new) + (f"，共{len(changes)}处变化。" if changes else "，没有变化。"), "",
              "按上一规则集制作的草稿和数据包仍可在本网站打开：系统会按两个规则集分别校验，"
              "并列出对该份材料而言新出现的问题、新增的填写项和不再填写的项，已填写的内容不会丢失。", ""]
    for kind, word in KINDS.items():
        items = [c for c in changes if c.kind == kind]
        if not items:
            continue
        lines += [f"## {word}", "", f"| 变化 | {word} | 内容 | 依据 |", "| --- | --- | --- | --- |"]
        lines += [f"| {ACTIONS[c.action]} | `{c.id}` | {_cell(c.what)} | {_cell(c.clause)} |"
                  for c in items]
        lines.append("")
    return "\n".join(lines)


# --- one dossier --------------------------------------------------------------------------


def with_previous(definitions: Definitions, previous: Definitions) -> Definitions:
    """``definitions`` carrying the previous rule set's, so that records made under it can
    be told exactly what changed (one generation back: its own predecessor is not kept)."""
    text = previous.model_dump_json(by_alias=True, exclude={"previous_json"})
    return definitions.model_copy(update={"previous_json": text})


@lru_cache(maxsize=2)
def _previous(previous_json: str) -> Definitions:
    return Definitions.model_validate_json(previous_json)


@lru_cache(maxsize=8)
def _previous_compiled(previous_json: str, dossier: str) -> CompiledDossier | None:
    definitions = _previous(previous_json)
    return compile_dossier(definitions, dossier) if dossier in definitions.dossiers else None


def previous_for(compiled: CompiledDossier, record: dict[str, Any]) -> CompiledDossier | None:
    """The dossier compiled under the previous rule set, when ``record`` was made under it."""
    text = compiled.definitions.previous_json
    made = record.get("ruleset") if isinstance(record.get("ruleset"), dict) else {}
    if not text or not made.get("hash") or made.get("hash") == compiled.definitions.ruleset_hash:
        return None
    if _previous(text).ruleset_hash != made.get("hash"):
        return None
    return _previous_compiled(text, compiled.dossier.id)


def _show(value: Any) -> str:
    return _value(value, 30) if value not in (None, "", [], {}) else ""


def dossier_changes(old: CompiledDossier, new: CompiledDossier, data: dict[str, Any],
                    report: Report, recorded: Any = None) -> tuple[list[str], set[str]]:
    """(notes, the ``form.field`` refs they name as dropped): what changed for this data
    between ``old`` and ``new``; ``report`` is its verdict under ``new``. ``recorded``: the
    errors a bundle recorded when it was exported (they include findings on the bundles it
    carries, which only the chain that made it could tell)."""
    was = validate(old, data)
    before_fields, after_fields = _fields(old.definitions), _fields(new.definitions)
    notes = []
    old_errors = {(i.path, i.code) for i in was.errors}
    old_errors |= {(str(i.get("path")), str(i.get("code"))) for i in
                   (recorded if isinstance(recorded, list) else []) if isinstance(i, dict)}
    new_errors = [i for i in report.errors if (i.path, i.code) not in old_errors]
    notes += [f"新出现的问题：{i.message}" for i in new_errors[:10]]
    if len(new_errors) > 10:
        notes.append(f"另有{len(new_errors) - 10}个新出现的问题，见问题汇总。")
    hidden = set(report.hidden_fields)
    forms = set(new.dossier.forms)
    for ref, (where, fdef) in after_fields.items():
        form, *rest = ref.split(".")
        if ref in before_fields or form not in forms or len(rest) != 1 or ref in hidden:
            continue
        needed = "必填" if fdef.required else "选填"
        notes.append(f"新增的填写项：“{fdef.full_label}”（{needed}，{where}）。")
    dropped = set()
    for ref, (where, fdef) in before_fields.items():
        form, *rest = ref.split(".")
        if ref in after_fields or form not in set(old.dossier.forms) or len(rest) != 1:
            continue
        value = _show((data.get(form) or {}).get(rest[0]))
        if value:
            dropped.add(ref)
            notes.append(f"不再填写的项：“{fdef.full_label}”（{where}），原填写的“{value}”"
                         "已原样保留在草稿和导出文件中，但不再显示和校验。")
    gone = len(old_errors - {(i.path, i.code) for i in report.errors})
    if gone:
        notes.append(f"按当前规则，原有的{gone}个问题已不再出现。")
    return notes, dropped


def changes_for(compiled: CompiledDossier, record: dict[str, Any], data: dict[str, Any],
                report: Report, subject: str) -> list[str]:
    """Every note about a record made under other rules or forms: what changed for it (exact
    when it was made under the previous rule set), and data the forms have no field for."""
    from .bundle import rule_changes, unknown_data

    old = previous_for(compiled, record)
    if old is None:
        return [*rule_changes(compiled, record, report, subject=subject),
                *unknown_data(compiled, data)]
    head = rule_changes(compiled, {**record, "validation": None}, report, subject=subject)
    validation = record.get("validation") if isinstance(record.get("validation"), dict) else {}
    notes, dropped = dossier_changes(old, compiled, data, report, validation.get("errors"))
    if not notes:
        notes = ["对这份材料而言，校验结果和填写项都没有变化。"]
    rest = {f: {k: v for k, v in values.items() if f"{f}.{k}" not in dropped}
            for f, values in data.items()}
    return [*head, *notes, *unknown_data(compiled, rest)]
