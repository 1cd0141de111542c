"""Verdicts of the engine on a corpus of dossiers, as canonical JSON text.

Runs unchanged in CPython (tests/test_corpus.py imports it) and inside Pyodide
(tests/js/run_corpus_in_pyodide.mjs copies this file into the runtime), so both sides compute
their verdicts with the very same code: only the engine under test differs.

Standard library and the engine's public API only (``Engine.from_json`` and
``Engine.validate``), nothing from the tests: the Pyodide side has no test helpers.
"""

from __future__ import annotations

import json
from typing import Any


def canonical(value: Any) -> str:
    """One text per value: sorted keys, ASCII only (lone surrogates survive), no spaces."""
    return json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"), default=str)


def verdict(engine: Any, case: dict[str, Any]) -> str:
    """The report of ``Engine.validate`` for one case; an exception is a verdict too."""
    try:
        report = engine.validate(case["dossier"], case["data"])
        result: dict[str, Any] = {"report": report.as_dict(), "normalised": report.normalised}
    except Exception as exc:  # a crash must be seen, and compared, not hide the other cases
        result = {"crash": f"{type(exc).__name__}: {exc}"}
    return canonical(result)


def verdicts(definitions_json: str, cases: list[dict[str, Any]]) -> list[str]:
    from formsite.engine import Engine

    engine = Engine.from_json(definitions_json)
    return [verdict(engine, case) for case in cases]


def run_files(definitions_path: str, corpus_path: str, out_path: str) -> dict[str, Any]:
    """File in, file out (the Pyodide side): the verdicts as a JSON list of strings."""
    import sys
    import time
    import unicodedata

    with open(definitions_path, encoding="utf-8") as f:
        definitions_json = f.read()
    with open(corpus_path, encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    started = time.perf_counter()
    out = verdicts(definitions_json, cases)
    seconds = time.perf_counter() - started
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=True)
    return {"python": sys.version.split()[0], "unicode": unicodedata.unidata_version,
            "cases": len(out), "seconds": round(seconds, 3)}
