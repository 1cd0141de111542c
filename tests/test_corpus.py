"""Same verdict everywhere: a seeded corpus of mutated dossiers through CPython and Pyodide.

tests/corpus.py makes 1200 project dossiers from the valid one (deletions, type swaps, every
rule threshold at ±0.01 and ±1, odd digits, separators, whitespace, long strings, control
characters, random combinations). Each gets the canonical JSON of ``Engine.validate`` (the
report's ``as_dict()`` and ``normalised``, tests/support/differential.py) in this CPython and
inside Pyodide 314 (Python 3.14, a newer Unicode database) under Node, with the pinned browser
wheels and the engine wheel built from this tree. Every verdict must be identical.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from corpus import DOSSIER, corpus, normaliser_inputs, rule_checks, write_corpus
from support.differential import normaliser_verdicts, verdicts

from builder.wheels import build_engine_wheel, download_browser_wheels

ROOT = Path(__file__).resolve().parents[1]
NPM_PYODIDE = ROOT / "node_modules" / "pyodide"
RUNNER = ROOT / "tests" / "js" / "run_corpus_in_pyodide.mjs"
SEED = 2024


@pytest.fixture(scope="module")
def cases(definitions: Any) -> list[dict[str, Any]]:
    return corpus(SEED, definitions=definitions)


@pytest.fixture(scope="module")
def definitions_json(definitions: Any) -> str:
    # What the build writes and the browser loads; both sides build their Engine from it.
    return definitions.model_dump_json(by_alias=True)


@pytest.fixture(scope="module")
def cpython(definitions_json: str, cases: list[dict[str, Any]]) -> tuple[list[str], float]:
    started = time.perf_counter()
    results = verdicts(definitions_json, cases)
    return results, time.perf_counter() - started


def _min_value_checks(definitions: Any) -> list[tuple[Any, Decimal]]:
    params = definitions.ruleset.parameters
    out = []
    for check in rule_checks(definitions, "min_value"):
        minimum = check.args["min"]
        minimum = params[minimum[1:]] if isinstance(minimum, str) and minimum.startswith("$") else minimum
        out.append((check, Decimal(str(minimum))))
    return out


def _value_at(data: dict[str, Any], ref: str) -> Any:
    form, field = ref.split(".")
    return data[form][field]


def _integers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _integers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _integers(v)]
    return [value] if isinstance(value, int) and not isinstance(value, bool) else []


def _codes(result: str, kind: str = "errors") -> list[str]:
    return [issue["code"] for issue in json.loads(result).get("report", {}).get(kind, [])]


# --- the corpus itself --------------------------------------------------------------------


def test_corpus_is_large_seeded_and_plain_json(cases, definitions) -> None:
    assert len(cases) == 1200
    assert cases[0]["id"] == "valid" and all(c["dossier"] == DOSSIER for c in cases)
    assert len({c["id"] for c in cases}) == len(cases)
    assert corpus(SEED, definitions=definitions) == cases  # deterministic for a seed
    other = corpus(SEED + 1, definitions=definitions)
    assert len(other) == len(cases) and other != cases
    assert len(corpus(SEED, 300, definitions=definitions)) == 300
    # Plain JSON (no NaN, no tuples): the page's script reads the same file.
    assert json.loads(json.dumps(cases, ensure_ascii=True, allow_nan=False)) == cases
    assert all(abs(n) <= 2**53 for n in _integers(cases))  # exact in JavaScript too
    kinds = Counter(c["id"].split("/")[0] for c in cases)
    for kind in ("delete", "swap", "threshold", "bound", "rows", "digits", "letters", "separators",
                 "space", "long", "control", "hostile", "random"):
        assert kinds[kind] >= 5, (kind, kinds)


def test_corpus_puts_every_min_value_threshold_at_its_edges(cases, definitions) -> None:
    by_id = {c["id"]: c["data"] for c in cases}
    checks = _min_value_checks(definitions)
    assert len(checks) >= 10
    for check, minimum in checks:
        for delta in ("+0", "-0.01", "+0.01", "-1", "+1"):
            data = by_id[f"threshold/{check.id}/{delta}/plain"]
            assert Decimal(_value_at(data, check.args["field"])) == minimum + Decimal(delta)


def test_cpython_verdicts_never_crash_and_see_the_thresholds(cases, cpython, definitions) -> None:
    results, _ = cpython
    crashes = [(c["id"], json.loads(r)["crash"]) for c, r in zip(cases, results, strict=True)
               if "crash" in json.loads(r)]
    assert crashes == []
    assert _codes(results[0]) == [], results[0]  # the valid dossier
    by_id = {c["id"]: r for c, r in zip(cases, results, strict=True)}
    for check, _ in _min_value_checks(definitions):
        assert check.id in _codes(by_id[f"threshold/{check.id}/-1/plain"]), check.id
        for delta in ("+0", "+1"):
            assert check.id not in _codes(by_id[f"threshold/{check.id}/{delta}/plain"]), check.id
        assert check.id not in _codes(by_id[f"threshold/{check.id}/-1/condition-unmet"]), check.id
    not_greater = rule_checks(definitions, "not_greater")
    assert not_greater
    for check in not_greater:
        for delta, flagged in (("+0", False), ("-0.01", False), ("+0.01", True), ("+1", True)):
            result = by_id[f"threshold/{check.id}/{delta}"]
            found = check.id in _codes(result) + _codes(result, "warnings")
            assert found is flagged, (check.id, delta)


def test_write_corpus_on_demand(tmp_path: Path) -> None:
    out = tmp_path / "corpus.json"
    assert write_corpus(out, SEED, 50, with_verdicts=True) == 50
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["seed"] == SEED and len(written["cases"]) == 50
    assert written["cases"][0]["verdict"]["report"]["ok"] is True
    assert [item["input"] for item in written["normaliser_inputs"]] == normaliser_inputs(SEED)
    assert written["normaliser_inputs"][0]["verdict"]["money"]["value"] == "0.00"
    assert written["ruleset"]["hash"] and written["ruleset"]["id"]


# --- CPython and Pyodide ------------------------------------------------------------------


def _first_difference(a: Any, b: Any, path: str = "") -> tuple[str, Any, Any]:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key, "<missing>") != b.get(key, "<missing>"):
                return _first_difference(a.get(key, "<missing>"), b.get(key, "<missing>"), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    return path or ".", a, b


def _differences(ids: list[str], inputs: list[Any], cpython: list[str], pyodide: list[str],
                 report: Path) -> list[str]:
    """Lines naming the first differing items; all of them written to ``report``."""
    differing = [i for i, (a, b) in enumerate(zip(cpython, pyodide, strict=True)) if a != b]
    if not differing:
        return []
    report.write_text(json.dumps([{"id": ids[i], "input": inputs[i], "cpython": json.loads(cpython[i]),
                                   "pyodide": json.loads(pyodide[i])} for i in differing],
                                 ensure_ascii=True, indent=1), encoding="utf-8")  # lone surrogates
    lines = [f"{len(differing)} of {len(ids)} differ (all of them in {report}):"]
    for i in differing[:10]:
        where, a, b = _first_difference(json.loads(cpython[i]), json.loads(pyodide[i]))
        lines.append(f"  {ids[i]!a}: at {where}: CPython {str(a)[:200]!a} / Pyodide {str(b)[:200]!a}")
    return lines


@pytest.mark.pyodide
@pytest.mark.skipif(shutil.which("node") is None or not (NPM_PYODIDE / "pyodide.mjs").is_file(),
                    reason="node or the npm pyodide package (node_modules/pyodide) missing")
def test_same_verdicts_in_pyodide(cases, cpython, definitions_json, tmp_path_factory, capsys) -> None:
    work = tmp_path_factory.mktemp("corpus")
    wheels = [*download_browser_wheels(ROOT / ".cache" / "wheels"),
              build_engine_wheel(ROOT, work / "engine-wheel")]
    inputs = normaliser_inputs(SEED)
    (work / "definitions.json").write_text(definitions_json, encoding="utf-8")
    (work / "corpus.json").write_text(
        json.dumps({"seed": SEED, "cases": cases, "normaliser_inputs": inputs}, ensure_ascii=True),
        encoding="utf-8")
    proc = subprocess.run(
        ["node", str(RUNNER), str(NPM_PYODIDE), json.dumps([str(w) for w in wheels]),
         str(ROOT / "tests" / "support" / "differential.py"), str(work / "definitions.json"),
         str(work / "corpus.json"), str(work / "pyodide.json")],
        capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    pyodide = json.loads((work / "pyodide.json").read_text(encoding="utf-8"))
    results, cpython_seconds = cpython
    assert facts["cases"] == len(pyodide["cases"]) == len(results) == len(cases)
    swept = normaliser_verdicts(inputs)
    assert len(pyodide["normalisers"]) == len(swept) == len(inputs)

    with_errors = sum(1 for r in results if _codes(r))
    with_warnings = sum(1 for r in results if _codes(r, "warnings"))
    codes = Counter(code for r in results for code in set(_codes(r)))
    same = sum(1 for a, b in zip(results, pyodide["cases"], strict=True) if a == b)
    same_swept = sum(1 for a, b in zip(swept, pyodide["normalisers"], strict=True) if a == b)
    with capsys.disabled():
        print(f"\ncorpus (seed {SEED}): {len(cases)} dossiers, {with_errors} with errors, "
              f"{with_warnings} with warnings, {len(codes)} distinct error codes; "
              f"CPython {_python()}: {cpython_seconds:.1f} s; Pyodide Python "
              f"{facts['python']} (Unicode {facts['unicode']}) in Node: boot {facts['boot_seconds']:.1f} s, "
              f"validation {facts['seconds']:.1f} s; identical verdicts {same}/{len(cases)}; "
              f"normalisers: {len(inputs)} inputs x {len(json.loads(swept[0]))}, identical "
              f"{same_swept}/{len(inputs)}")
    assert len(codes) >= 30, codes  # the corpus reaches most of the engine's codes
    assert all("crash" not in r for r in swept)

    problems = _differences([c["id"] for c in cases], [c["data"] for c in cases], results,
                            pyodide["cases"], work / "differences.json")
    problems += _differences([f"normaliser input {i}" for i in range(len(inputs))], inputs, swept,
                             pyodide["normalisers"], work / "normaliser-differences.json")
    if problems:
        pytest.fail("CPython and Pyodide disagree:\n" + "\n".join(problems))


def _python() -> str:
    import sys

    return sys.version.split()[0]
