"""Run a Python snippet inside Pyodide under Node.js with this tree's engine: the browser's
interpreter, without a browser. Tests compare what it prints with what CPython computes.

The snippet reads its input from ``GIVEN`` (the JSON value passed in) and leaves its result,
as text, in ``OUTPUT``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYODIDE = ROOT / "node_modules" / "pyodide" / "pyodide.mjs"
WHEELS = ROOT / ".cache" / "wheels"  # the browser wheels build.py downloads

RUNNER = """
import { loadPyodide } from %(pyodide)s;
import { readFileSync, readdirSync, statSync } from "fs";
import { join, relative } from "path";
const py = await loadPyodide();
const site = "/lib/python3.14/site-packages";
for (const name of readdirSync(%(wheels)s)) {
  if (name.endsWith(".whl")) py.FS.writeFile("/tmp/" + name, readFileSync(join(%(wheels)s, name)));
}
const walk = (dir) => readdirSync(dir).flatMap((n) => {
  const p = join(dir, n);
  return statSync(p).isDirectory() ? walk(p) : p.endsWith(".py") ? [p] : [];
});
for (const file of walk(%(src)s)) {
  const target = "/lib/src/formsite/" + relative(%(src)s, file);
  py.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
  py.FS.writeFile(target, readFileSync(file));
}
py.FS.writeFile("/tmp/input.json", readFileSync(%(input)s));
py.runPython(`
import json, os, sys, zipfile
for name in sorted(os.listdir("/tmp")):
    if name.endswith(".whl"):
        zipfile.ZipFile("/tmp/" + name).extractall("${site}")
sys.path.insert(0, "/lib/src")
GIVEN = json.load(open("/tmp/input.json", encoding="utf-8"))
`);
py.runPython(%(snippet)s);
console.log(py.runPython("OUTPUT"));
"""

needs_pyodide = pytest.mark.skipif(
    shutil.which("node") is None or not PYODIDE.is_file() or not list(WHEELS.glob("pydantic*.whl")),
    reason="node, the pyodide npm package or the browser wheels (.cache/wheels) missing",
)


def run_in_pyodide(snippet: str, given: Any, tmp_path: Path) -> Any:
    """``snippet`` run in Pyodide with ``GIVEN = given``; its ``OUTPUT`` parsed as JSON."""
    (tmp_path / "input.json").write_text(json.dumps(given, ensure_ascii=False), encoding="utf-8")
    runner = tmp_path / "run.mjs"
    runner.write_text(RUNNER % {
        "pyodide": json.dumps(PYODIDE.as_uri()),
        "wheels": json.dumps(str(WHEELS)),
        "src": json.dumps(str(ROOT / "src" / "formsite")),
        "input": json.dumps(str(tmp_path / "input.json")),
        "snippet": json.dumps(snippet),
    }, encoding="utf-8")
    proc = subprocess.run(["node", str(runner)], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])
