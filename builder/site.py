"""Render the HTML pages of dist/ from site_src/ templates and the checked definitions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from formsite.bundle import draft_file_name, draft_record
from formsite.compiler import CompiledDossier
from formsite.definitions import Condition, FieldDef
from formsite.engine import Engine

SITE_TITLE = "浙江省跨境电商高质量发展专项激励 申报材料填报"


def condition_json(cond: Condition | None) -> dict[str, Any] | None:
    """A condition as the page reads it (data-when): site_src/static/conditions.js evaluates
    this shape, and tests/cases/conditions.json holds cases in it."""
    return cond.model_dump(by_alias=True, exclude_none=True) if cond else None


def _field_view(compiled: CompiledDossier, fdef: FieldDef) -> dict[str, Any]:
    view = fdef.model_dump(by_alias=True)
    view["when_json"] = json.dumps(condition_json(fdef.when), ensure_ascii=False)
    view["display_label"] = fdef.display_label
    if fdef.type in ("choice", "multichoice"):
        view["option_pairs"] = compiled.options(fdef)
    if fdef.columns:
        view["columns"] = [_field_view(compiled, c) for c in fdef.columns]
    return view


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
    return {
        "dossier": compiled.dossier.id,
        "forms": compiled.dossier.forms,
        "fields": fields,
        # A draft is this record with its data; without the engine it downloads under this name.
        "draft_record": draft_record(compiled),
        "draft_file_name": draft_file_name(compiled),
    }


def _script_json(value: Any) -> Markup:
    # Inside <script>, only "</" can end the element early; JSON allows "<\/".
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("</", "<\\/"))


def render_site(engine: Engine, templates: Path, out: Path) -> list[Path]:
    """Write index.html and one page per dossier into ``out``; return the written files."""
    env = Environment(loader=FileSystemLoader(templates), undefined=StrictUndefined,
                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
    rules = engine.definitions.ruleset
    common = {"site_title": SITE_TITLE, "ruleset": rules}
    written = []
    index = out / "index.html"
    index.write_text(env.get_template("index.html.j2").render(
        dossiers=list(engine.definitions.dossiers.values()), **common), encoding="utf-8")
    written.append(index)
    for dossier_id, compiled in engine.dossiers.items():
        forms = []
        for form in compiled.forms:
            sections = [{**s.model_dump(by_alias=True),
                         "when_json": json.dumps(condition_json(s.when), ensure_ascii=False),
                         "grid_ids": {f for row in (s.grid.rows if s.grid else []) for f in row.fields},
                         "fields": [_field_view(compiled, f) for f in s.fields]}
                        for s in form.sections]
            forms.append({**form.model_dump(by_alias=True), "sections": sections})
        meta = _meta(compiled, {f.id: f.fields() for f in compiled.forms})
        page = out / f"{dossier_id}.html"
        page.write_text(env.get_template("dossier.html.j2").render(
            dossier=compiled.dossier, forms=forms, meta_json=_script_json(meta), **common),
            encoding="utf-8")
        written.append(page)
    return written


def copy_static(static: Path, out: Path) -> None:
    shutil.copytree(static, out / "static", dirs_exist_ok=True)
