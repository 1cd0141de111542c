"""Which documents each dossier prints. ``documents:`` in forms/dossiers.yaml names one of
:data:`DOCUMENT_SETS`; the loader refuses a name that is not here.

Every renderer takes the dossier, the data as typed, its report (normalised values) and the
attached bundles, and returns ``(file name, bytes)`` pairs: the same bytes in the CLI and in
the page. The DOCX modules are imported on first use, so the page's engine starts without them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .chain import Attached
    from .compiler import CompiledDossier
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
    from .annex5 import city_annex5_files

    return city_annex5_files(compiled, data, report.normalised, attached)


DOCUMENT_SETS: dict[str, Callable[..., Files]] = {
    "project_annexes": _project,
    "county_annexes": _county,
    "city_list": _city,
}


def render_documents(compiled: CompiledDossier, data: dict[str, Any], report: Report,
                     attached: list[Attached] = ()) -> Files:
    return DOCUMENT_SETS[compiled.dossier.documents](compiled, data, report, list(attached))
