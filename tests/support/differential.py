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


# The normalisers of formsite.values swept one by one, with the keyword arguments fields pass.
_NORMALISER_KWARGS: dict[str, dict[str, Any]] = {
    "money": {}, "signed_money": {"signed": True}, "integer": {}, "area": {}, "percent": {},
    "date": {}, "year_month": {}, "phone": {}, "credit_code": {}, "text": {}, "longtext": {},
    "checkbox": {}, "choice": {"options": ("showroom", "online_zone")},
    "multichoice": {"options": ("showroom", "online_zone")},
}


def normaliser_verdicts(inputs: list[Any]) -> list[str]:
    """Every input through every normaliser: the typed value (as JSON) or the code and context."""
    from formsite import values
    from formsite.errors import ValueProblem

    out = []
    for raw in inputs:
        row = {}
        for name, kwargs in _NORMALISER_KWARGS.items():
            fn = values.money if name == "signed_money" else values.NORMALISERS[name]
            try:
                row[name] = {"value": fn(raw, **kwargs)}
            except ValueProblem as problem:
                row[name] = {"code": problem.code, "ctx": problem.ctx}
            except Exception as exc:
                row[name] = {"crash": f"{type(exc).__name__}: {exc}"}
        out.append(canonical(row))
    return out


def run_files(definitions_path: str, corpus_path: str, out_path: str) -> dict[str, Any]:
    """File in, file out (the Pyodide side): ``{"cases": [verdict, …], "normalisers": […]}``."""
    import sys
    import time
    import unicodedata

    with open(definitions_path, encoding="utf-8") as f:
        definitions_json = f.read()
    with open(corpus_path, encoding="utf-8") as f:
        given = json.load(f)
    started = time.perf_counter()
    out = {"cases": verdicts(definitions_json, given["cases"])}
    seconds = time.perf_counter() - started
    out["normalisers"] = normaliser_verdicts(given.get("normaliser_inputs", []))
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=True)
    return {"python": sys.version.split()[0], "unicode": unicodedata.unidata_version,
            "cases": len(out["cases"]), "seconds": round(seconds, 3),
            "normaliser_seconds": round(time.perf_counter() - started - seconds, 3)}
