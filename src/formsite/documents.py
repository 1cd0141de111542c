"""Which documents each dossier prints. ``documents:`` in forms/dossiers.yaml names one of
:data:`DOCUMENT_SETS`; the loader refuses a name that is not here.

Every renderer takes the dossier, the data as typed, its report (normalised values) and the
attached bundles, and returns ``(file name, bytes)`` pairs: the same bytes in the CLI and in
the page. The DOCX modules are imported on first use, so the page's engine starts without them.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Problem

if TYPE_CHECKING:
    from .chain import Attached
    from .compiler import CompiledDossier
    from .engine import Engine
    from .validation import Report

Files = list[tuple[str, bytes]]


def _project(compiled: CompiledDossier, data: dict[str, Any], report: Report,
             attached: list[Attached]) -> Files:
    """附件3 重点项目信息表, its 基本条件自查表 and 附件4 项目资金投入明细表."""
    from .docx.annexes import render_annexes

    return [(doc.file_name, doc.data) for doc in render_annexes(compiled, data, report.normalised)]


def _county(compiled: CompiledDossier, data: dict[str, Any], report: Report,
            attached: list[Attached]) -> Files:
    """附件1 of the county, and one 附件2 重点项目申报表 per attached project."""
    from .docx.county import render_county_summary, render_key_projects

    docs = [render_county_summary(compiled, data, report.normalised),
            *render_key_projects(compiled, data, report.normalised)]
    return [(doc.file_name, doc.data) for doc in docs]


def _city(compiled: CompiledDossier, data: dict[str, Any], report: Report,
          attached: list[Attached]) -> Files:
    """附件5 重点项目清单 as DOCX and as .xlsx, from every project of every attached county."""
    from .annex5 import build_annex5
    from .docx.annex5 import render_annex5
    from .xlsx import annex5_xlsx

    table = build_annex5(compiled.definitions, annex5_entries(compiled, report, attached))
    doc = render_annex5(table)
    return [(doc.file_name, doc.data), (doc.file_name.removesuffix(".docx") + ".xlsx", annex5_xlsx(table))]


# Document sets whose list the page shows as a preview, with its heading.
PREVIEWS = {"city_list": "附件5 重点项目清单（预览）"}


def preview(compiled: CompiledDossier, report: Report,
            attached: list[Attached]) -> dict[str, Any] | None:
    """What the city page shows before anything is downloaded: 附件5 as the engine builds it
    (the same table the DOCX and the .xlsx print), as plain cell texts. None for other pages."""
    if compiled.dossier.documents not in PREVIEWS or not attached:
        return None
    from .annex5 import LABEL_SPAN_UNTIL, build_annex5, cell_text

    table = build_annex5(compiled.definitions, annex5_entries(compiled, report, attached))
    return {"columns": [{"key": c.key, "label": c.label, "group": c.group} for c in table.columns],
            "rows": [{"kind": r.kind, "label": r.label,
                      "cells": [cell_text(r.get(c.key)) for c in table.columns]} for r in table.rows],
            "gaps": list(table.gaps), "unit": table.unit,
            "label_span": [c.key for c in table.columns].index(LABEL_SPAN_UNTIL) + 1}


def annex5_entries(compiled: CompiledDossier, report: Report,
                   counties: list[Attached]) -> list[Any]:
    """One 附件5 entry per project the chain accepted, in order: a county bundle or a project
    bundle refused on its row (unreadable, changed, a duplicate, of another city or county, …)
    is left out here, and its reason is in the report."""
    from .annex5 import Annex5Entry
    from .chain import field_value

    # Where a county bundle names its city and itself: the fields the city dossier's
    # attachments already match on (``same``) and identify counties by (``key``).
    adef = compiled.dossier.attachments
    city_ref, county_ref = next(iter(adef.same.values())), adef.key[0]
    entries = []
    for county in accepted(compiled, report, counties):
        city, name = (str(field_value(county.values, ref) or "") for ref in (city_ref, county_ref))
        for project in accepted(county.opened.compiled, county.opened.report, county.opened.attachments):
            entries.append(Annex5Entry(city, name, project.values))
    return entries


def accepted(compiled: CompiledDossier, report: Report, attached: list[Attached]) -> list[Attached]:
    """The attached bundles with no error on their row of the dossier's attachment table."""
    adef = compiled.dossier.attachments
    if adef is None:
        return []
    refused = {i.path for i in report.errors}
    return [item for i, item in enumerate(attached)
            if item.opened is not None and f"{adef.table}.{i}" not in refused]


DOCUMENT_SETS: dict[str, Callable[..., Files]] = {
    "project_annexes": _project,
    "county_annexes": _county,
    "city_list": _city,
}


def check_documents(engine: Engine) -> list[Problem]:
    """Every field the document code reads exists in the definitions, or the build refuses,
    naming the code's file and line: each dossier's documents are rendered once from a blank
    dossier (every table with one blank row), whose lookups fail on an unknown field, and the
    fields 附件5 reads from projects are checked by name."""
    from . import annex5

    problems: list[Problem] = []
    for compiled in engine.dossiers.values():
        data = {form.id: {f.id: [{}] for f in form.fields() if f.type == "table"}
                for form in compiled.forms}
        try:
            render_documents(compiled, data, engine.validate(compiled.dossier.id, data), [])
        except KeyError as exc:
            # The layout's own line: the last frame outside the lookup helper.
            frames = [f for f in traceback.extract_tb(exc.__traceback__)
                      if not f.filename.endswith("fieldtext.py")]
            frame = frames[-1]
            problems.append(Problem(_relative(frame.filename), str(exc.args[0] if exc.args else exc),
                                    frame.lineno, f"“{compiled.dossier.title}”的文档引用了不存在的字段"))
    index = next(iter(engine.dossiers.values())).index  # every form's fields
    for ref in annex5.READS:
        if ref not in index.fields:
            problems.append(Problem(_relative(annex5.__file__), ref, _line_of(annex5, ref),
                                    "附件5 读取的字段在定义中不存在"))
    return problems


def _relative(file: str) -> str:
    """A source file as the project tree names it (src/formsite/…)."""
    root = Path(__file__).resolve().parents[2]
    path = Path(file).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name


def _line_of(module: Any, text: str) -> int | None:
    lines = Path(module.__file__).read_text(encoding="utf-8").splitlines()
    return next((i + 1 for i, line in enumerate(lines) if f'"{text}"' in line), None)


def render_documents(compiled: CompiledDossier, data: dict[str, Any], report: Report,
                     attached: list[Attached] = ()) -> Files:
    return DOCUMENT_SETS[compiled.dossier.documents](compiled, data, report, list(attached))
