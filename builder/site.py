"""Render the HTML pages of dist/ from site_src/ templates and the checked definitions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from formsite.bundle import draft_file_name, draft_record, page_limits
from formsite.compiler import CompiledDossier
from formsite.definitions import Condition, FieldDef
from formsite.documents import PREVIEWS
from formsite.engine import Engine

SITE_TITLE = "浙江省跨境电商高质量发展专项激励 申报材料填报"

# The one Content-Security-Policy of the site: every page and the docs carry it as a <meta>,
# and the server configurations the build writes send it as a header (builder/hosting.py).
# Scripts and workers only from the origin, WebAssembly compiled by the runtime, no inline
# script, no plugins, no <base>, no form posts anywhere (nothing is ever uploaded).
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data: blob:",
    "style-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
))


def condition_json(cond: Condition | None) -> dict[str, Any] | None:
    """A condition as the page reads it (data-when): site_src/static/conditions.js evaluates
    this shape, and tests/cases/conditions.json holds cases in it."""
    return cond.model_dump(by_alias=True, exclude_none=True) if cond else None


def _field_view(compiled: CompiledDossier, fdef: FieldDef, path: str = "") -> dict[str, Any]:
    view = fdef.model_dump(by_alias=True)
    # A box the rules ask to tick (a commitment) is marked required like a required field.
    view["required"] = fdef.required or path in _asked_entries(compiled)
    view["label"] = fdef.full_label  # as printed next to the input: with its unit
    view["when_json"] = json.dumps(condition_json(fdef.when), ensure_ascii=False)
    view["display_label"] = fdef.display_label
    if fdef.type in ("choice", "multichoice"):
        view["option_pairs"] = compiled.options(fdef)
    view["option_groups"] = _option_groups(compiled, fdef)
    view["ref_column"] = None
    if fdef.columns:
        view["columns"] = [_field_view(compiled, c) for c in fdef.columns]
    return view


def _asked_entries(compiled: CompiledDossier) -> set[str]:
    """Fields that rules ask the person to fill (checks with ``asks_entry``: commitments)."""
    return {ref for c in compiled.rules if c.spec.asks_entry for ref in c.args.field_refs()}


# A single choice with more options than this is a <select>, not a row of radio buttons.
SELECT_FROM = 7


def _table_view(compiled: CompiledDossier, form_id: str, fdef: FieldDef) -> dict[str, Any]:
    """A field's view; the table that follows the attached bundles knows its key column."""
    view = _field_view(compiled, fdef, f"{form_id}.{fdef.id}")
    adef = compiled.dossier.attachments
    if adef is not None and adef.table == f"{form_id}.{fdef.id}":
        view["ref_column"] = adef.ref_column
        view["follows_attachments"] = True
    return view


def _option_groups(compiled: CompiledDossier, fdef: FieldDef) -> list | None:
    """For a <select>: [(group, [(value, label)])]; the group is the value of the field this
    one follows ("" when it follows none). None: shown as radio buttons."""
    if fdef.type != "choice":
        return None
    if fdef.options_by:
        parent = compiled.index.fields[f"{_form_of(compiled, fdef)}.{fdef.options_by}"]
        return [(p, [(v, v) for v in compiled.options_under(fdef, p)])
                for p, _ in compiled.options(parent)]
    pairs = compiled.options(fdef)
    return [("", pairs)] if len(pairs) >= SELECT_FROM else None


def _form_of(compiled: CompiledDossier, fdef: FieldDef) -> str:
    return next(f.id for f in compiled.forms if any(x is fdef for x in f.fields()))


def _meta(compiled: CompiledDossier, form_id_to_fields: dict[str, list[FieldDef]]) -> dict:
    """What the page's script needs before Python is ready, all generated from the definitions.

    No rule, sum, number format or message is here: those come from the engine in the worker.
    """
    fields: dict[str, Any] = {}
    for form_id, fdefs in form_id_to_fields.items():
        for fdef in fdefs:
            entry: dict[str, Any] = {"type": fdef.type}
            if fdef.computed:
                entry["computed"] = True
            if fdef.type == "table":
                entry["presets"] = compiled.preset_rows(fdef)
                entry["max_rows"] = fdef.max_rows
            fields[f"{form_id}.{fdef.id}"] = entry
    adef = compiled.dossier.attachments
    return {
        "dossier": compiled.dossier.id,
        "forms": compiled.dossier.forms,
        "fields": fields,
        # Bundles this dossier carries (a county's projects, a city's counties): one row of
        # ``table`` follows each; the engine fills and checks them.
        "attachments": None if adef is None else {
            "table": adef.table, "label": adef.label,
            # The engine's own limit and words: the page refuses a larger file before sending
            # megabytes to the worker only to hear the same.
            **page_limits(compiled, adef.dossier),
        },
        # The same for a file imported into this page (a project's bundle is far smaller than
        # a city's).
        "import_limits": page_limits(compiled),
        # A draft is this record with its data; without the engine it downloads under this name.
        "draft_record": draft_record(compiled),
        "draft_file_name": draft_file_name(compiled),
        # Which sections and fields apply, in definition order: conditions.js decides it from
        # this before the engine has answered, the way the engine does.
        "applicability": applicability(compiled),
    }


def _script_json(value: Any) -> Markup:
    # Inside <script>, only "</" can end the element early; JSON allows "<\/".
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("</", "<\\/"))


def applicability(compiled: CompiledDossier) -> list[dict[str, Any]]:
    """The conditions of a dossier's sections and fields in definition order (the shape
    site_src/static/conditions.js reads)."""
    return [{"form": form.id, "section": section.id, "when": condition_json(section.when),
             "fields": [{"id": f.id, "when": condition_json(f.when)} for f in section.fields]}
            for form in compiled.forms for section in form.sections]


def _deadlines(engine: Engine) -> dict[str, str]:
    """Each dossier's deadline from the rule set (通知四), as the start page says it."""
    params = engine.definitions.ruleset.parameters
    return {d.id: f"{d.deadline.label}截止：{_chinese_date(params[d.deadline.param])}"
            for d in engine.definitions.dossiers.values() if d.deadline}


def _chinese_date(iso: str) -> str:
    year, _, rest = str(iso).partition("-")
    month, _, day = rest.partition("-")
    return f"{year}年{int(month)}月{int(day)}日" if month and day else str(iso)


def render_site(engine: Engine, templates: Path, out: Path) -> list[Path]:
    """Write index.html and one page per dossier into ``out``; return the written files."""
    env = Environment(loader=FileSystemLoader(templates), undefined=StrictUndefined,
                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
    rules = engine.definitions.ruleset
    common = {"site_title": SITE_TITLE, "ruleset": rules, "csp": CONTENT_SECURITY_POLICY}
    written = []
    index = out / "index.html"
    index.write_text(env.get_template("index.html.j2").render(
        dossiers=list(engine.definitions.dossiers.values()), deadlines=_deadlines(engine),
        **common), encoding="utf-8")
    written.append(index)
    for dossier_id, compiled in engine.dossiers.items():
        forms = []
        for form in compiled.forms:
            sections = [{**s.model_dump(by_alias=True),
                         "when_json": json.dumps(condition_json(s.when), ensure_ascii=False),
                         "grid_ids": {f for row in (s.grid.rows if s.grid else []) for f in row.fields},
                         "fields": [_table_view(compiled, form.id, f) for f in s.fields]}
                        for s in form.sections]
            forms.append({**form.model_dump(by_alias=True), "sections": sections})
        meta = _meta(compiled, {f.id: f.fields() for f in compiled.forms})
        page = out / f"{dossier_id}.html"
        page.write_text(env.get_template("dossier.html.j2").render(
            dossier=compiled.dossier, forms=forms, meta_json=_script_json(meta),
            preview_title=PREVIEWS.get(compiled.dossier.documents), **common),
            encoding="utf-8")
        written.append(page)
    return written


def copy_static(static: Path, out: Path) -> None:
    shutil.copytree(static, out / "static", dirs_exist_ok=True)
