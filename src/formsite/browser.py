"""The page's entry points, called from the Web Worker through Pyodide.

Every function takes and returns JSON text (and base64 for binary files), so the worker can
pass values across without proxies and the same calls can be made from CPython in tests.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from .bundle import BundleError
from .engine import Engine

_engine: Engine | None = None


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def init(definitions_json: str) -> str:
    global _engine
    _engine = Engine.from_json(definitions_json)
    rules = _engine.definitions.ruleset
    return _dumps({"ruleset": {"id": rules.id, "version": rules.version,
                               "hash": _engine.definitions.ruleset_hash},
                   "dossiers": sorted(_engine.dossiers)})


def _get() -> Engine:
    if _engine is None:
        raise RuntimeError("formsite.browser.init() has not been called")
    return _engine


def validate(request_json: str) -> str:
    """{"dossier": id, "data": {...}} → {"ok", "errors", "warnings", "normalised"}."""
    request = json.loads(request_json)
    report = _get().validate(request["dossier"], request["data"])
    return _dumps({**report.as_dict(), "normalised": report.normalised})


def export_bundle(request_json: str) -> str:
    """{"dossier", "data"} → {"name", "zip_base64", "ok", "errors", "warnings"}."""
    request = json.loads(request_json)
    name, content, report = _get().export(request["dossier"], request["data"])
    return _dumps({"name": name, "zip_base64": base64.b64encode(content).decode("ascii"),
                   **report.as_dict()})


def import_bundle(request_json: str) -> str:
    """{"dossier", "file_base64"} → {"ok": true, "data", "notes", ...} or {"ok": false, "message"}."""
    request = json.loads(request_json)
    try:
        raw = base64.b64decode(request["file_base64"], validate=True)
        opened = _get().open(raw, request.get("dossier"))
    except BundleError as exc:
        return _dumps({"ok": False, "message": str(exc)})
    except binascii.Error:
        return _dumps({"ok": False, "message": "无法读取文件内容。"})
    except Exception as exc:
        return _dumps({"ok": False, "message": f"文件内容无法识别（{type(exc).__name__}），未导入。"})
    return _dumps({"ok": True, "dossier": opened.dossier, "data": opened.data,
                   "notes": opened.notes, "report": opened.report.as_dict()})


def run_examples() -> str:
    """Every rule example's verdict, for the CPython/Pyodide agreement test."""
    return _dumps([{"rule": r.rule, "kind": r.kind, "index": r.index, "flagged": r.flagged,
                    "problem": r.problem} for r in _get().examples()])
