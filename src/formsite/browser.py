"""The page's entry points, called from the Web Worker through Pyodide.

Every function takes and returns JSON text (and base64 for binary files), so the worker can
pass values across without proxies and the same calls can be made from CPython in tests.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from .changes import changes_for
from .documents import preview
from .engine import Engine
from .errors import LONE_SURROGATE, BundleError, EngineError

_engine: Engine | None = None


def _dumps(value: Any) -> str:
    # A lone surrogate (typed, or from a file) goes back as its JSON escape: JavaScript
    # strings hold one, the UTF-8 the worker's text crosses in cannot.
    text = json.dumps(value, ensure_ascii=False, default=str)
    return LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def init(definitions_json: str) -> str:
    global _engine
    _engine = Engine.from_json(definitions_json)
    rules = _engine.definitions.ruleset
    return _dumps({"ruleset": {"id": rules.id, "version": rules.version,
                               "hash": _engine.definitions.ruleset_hash},
                   "dossiers": sorted(_engine.dossiers)})


def _get() -> Engine:
    if _engine is None:
        raise EngineError("校验引擎尚未初始化。", code="engine.not_ready")
    return _engine


def validate(request_json: str) -> str:
    """{"dossier": id, "data": {...}, "attachments": [sha256, …]} → {"ok", "errors",
    "warnings", "normalised", "hidden_fields", "hidden_sections", "filled", "attachments"}:
    everything the page shows, attached bundles' summaries included."""
    request = json.loads(request_json)
    engine = _get()
    compiled = engine.compiled(request["dossier"])
    attached = engine.attach(compiled.dossier.id, _files(request))
    report = engine.chain.validate(compiled, request["data"], attached)
    return _dumps({**report.for_page(), "attachments": [item.summary() for item in attached],
                   "preview": preview(compiled, report, attached)})


# Attached bundles (a county's project bundles, a city's county bundles) are sent once and kept
# here by content hash; calls name them by hash, so a keystroke does not carry megabytes.
_store: dict[str, tuple[str, bytes]] = {}


def put_attachments(request_json: str) -> str:
    """{"dossier", "files": [{"name", "base64"}]} → {"items": [summary, …]}, each with its
    sha256: the files opened as the bundles that dossier carries."""
    request = json.loads(request_json)
    items = []
    for entry in request.get("files") or []:
        try:
            raw = base64.b64decode(entry["base64"], validate=True)
        except (binascii.Error, KeyError, TypeError):
            raw = b""
        name = str(entry.get("name") or "")[:120] if isinstance(entry, dict) else ""
        item = _get().attach(request["dossier"], [(name, raw)])[0]
        _store[item.sha256] = (name, raw)
        items.append(item.summary())
    return _dumps({"items": items})


def sync_rows(request_json: str) -> str:
    """{"dossier", "data", "attachments": [sha256, …]} → {"data"}: one row of the attachment
    table per attached bundle (rows keep what was typed; names come from the bundles)."""
    request = json.loads(request_json)
    return _dumps({"data": _get().sync_rows(request["dossier"], request["data"], _files(request))})


def attachment_files(request_json: str) -> str:
    """{"attachments": [sha256, …]} → {"files": [{"name", "sha256", "base64"}]}: the bytes of
    attached bundles held here, for the page to store again (its storage was cleared)."""
    request = json.loads(request_json)
    return _dumps({"files": [{"name": name, "sha256": sha, "base64": base64.b64encode(raw).decode("ascii")}
                             for sha in request.get("attachments") or [] if sha in _store
                             for name, raw in [_store[sha]]]})


def _files(request: dict[str, Any]) -> list[tuple[str, bytes]]:
    return [_store[sha] for sha in request.get("attachments") or [] if sha in _store]


def open_draft(request_json: str) -> str:
    """{"dossier", "draft": the draft as the page found it saved} → {"notes": [...]}.

    What the person should be told about a saved draft once the engine is ready: the rules or
    forms changed since it was saved (under the previous rule set: exactly what changed for
    it, see formsite.changes), data the current forms have no field for. The same notes as for
    an imported bundle, from the same function.
    """
    request = json.loads(request_json)
    compiled = _get().compiled(request["dossier"])
    draft = request.get("draft") if isinstance(request.get("draft"), dict) else {}
    data = draft.get("data") if isinstance(draft.get("data"), dict) else {}
    data = {form_id: values for form_id, values in data.items() if isinstance(values, dict)}
    report = _get().validate(compiled.dossier.id, data)
    return _dumps({"notes": changes_for(compiled, draft, data, report, subject="本草稿")})


def export_bundle(request_json: str) -> str:
    """{"dossier", "data"} → {"name", "zip_base64", "ok", "errors", "warnings"}."""
    request = json.loads(request_json)
    name, content, report = _get().export(request["dossier"], request["data"], _files(request))
    return _dumps({"name": name, "zip_base64": base64.b64encode(content).decode("ascii"),
                   **report.as_dict()})


def import_bundle(request_json: str) -> str:
    """{"dossier", "file_base64"} → {"ok": true, "data", "notes", "attachments", ...} or
    {"ok": false, "message"}. A county's or city's bundle brings its attached bundles: they are
    kept here and returned (base64) for the page to store with its draft."""
    request = json.loads(request_json)
    try:
        raw = base64.b64decode(request["file_base64"], validate=True)
    except (binascii.Error, KeyError, TypeError):
        return _dumps({"ok": False, "message": "无法读取文件内容。"})
    try:
        opened = _get().open(raw, request.get("dossier"))
    except BundleError as exc:
        return _dumps({"ok": False, "message": str(exc)})
    compiled = _get().dossiers[opened.dossier]
    data = for_controls(compiled, opened.data, opened.report.normalised)
    attachments = []
    for item in opened.attachments:
        _store[item.sha256] = (item.name, item.raw)
        attachments.append({**item.summary(), "base64": base64.b64encode(item.raw).decode("ascii")})
    # What is wrong with the file itself comes first: the data is loaded all the same (it is
    # revalidated), but the person should know the bundle is not as it was exported.
    notes = [issue.message for issue in opened.integrity] + opened.notes
    return _dumps({"ok": True, "dossier": opened.dossier, "data": data, "notes": notes,
                   "report": opened.report.as_dict(), "attachments": attachments})


# Date and month inputs show only ISO values, checkboxes only booleans: a bundle written by
# hand or by the CLI ("2024年3月", "是") would look empty on the page although it validates.
_CONTROL_TYPES = {"date", "year_month", "checkbox", "choice", "multichoice"}


def for_controls(compiled, data: dict[str, Any], normalised: dict[str, Any] | None) -> dict[str, Any]:
    """``data`` with the values of those controls in the form the page's inputs hold."""
    if not normalised:
        return data
    out = {form_id: dict(values) for form_id, values in data.items()}
    for form in compiled.forms:
        raw, norm = out.get(form.id) or {}, normalised.get(form.id) or {}
        for fdef in form.fields():
            if fdef.type in _CONTROL_TYPES and norm.get(fdef.id) is not None:
                raw[fdef.id] = norm[fdef.id]
            elif fdef.type == "table" and isinstance(raw.get(fdef.id), list) and norm.get(fdef.id):
                pairs = zip(raw[fdef.id], norm[fdef.id], strict=False)
                raw[fdef.id] = [_row_for_controls(fdef, r, n) for r, n in pairs]
    return out


def _row_for_controls(table, row: Any, norm: dict[str, Any]) -> Any:
    if not isinstance(row, dict):
        return row
    return {**row, **{c.id: norm[c.id] for c in table.columns or []
                      if c.type in _CONTROL_TYPES and norm.get(c.id) is not None}}


def run_examples() -> str:
    """Every rule example's verdict, for the CPython/Pyodide agreement test."""
    return _dumps([{"rule": r.rule, "kind": r.kind, "index": r.index, "flagged": r.flagged,
                    "problem": r.problem} for r in _get().examples()])
