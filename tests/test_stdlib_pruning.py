"""The pruned runtime of a built site runs the engine: the standard-library zip holds only what
the engine loads (recorded at build time) plus the allow-list, and nothing is missing.

Runs in Node with the site's own ``pyodide/python_stdlib.zip`` and wheels (not the npm
package's): every allow-listed module imports, every module the engine's code names imports,
and every rule example gives its expected verdict with a bundle exported and read back.
Needs a built site (FORMSITE_DIST names another folder than dist/; built when missing).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from builder.stdlib_usage import ALLOW, allowed_members, engine_imports

ROOT = Path(__file__).resolve().parents[1]
DIST = Path(os.environ.get("FORMSITE_DIST") or ROOT / "dist").resolve()
NPM = ROOT / "node_modules" / "pyodide"

pytestmark = [pytest.mark.pyodide,
              pytest.mark.skipif(shutil.which("node") is None or not NPM.is_dir(),
                                 reason="node or the pyodide npm package missing")]

PROBE = """
import fs from "node:fs";
import { loadPyodide } from %(loader)s;
const dir = %(dir)s;
const lock = JSON.parse(fs.readFileSync(dir + "pyodide-lock.json", "utf8"));
const py = await loadPyodide({ indexURL: %(npm)s, stdLibURL: dir + "python_stdlib.zip",
                               lockFileContents: lock, packageBaseUrl: dir });
await py.loadPackage(["formsite"], { messageCallback() {} });
py.globals.set("GIVEN", fs.readFileSync(%(given)s, "utf8"));
console.log(py.runPython(`
import importlib, json, base64
given = json.loads(GIVEN)
failed = []
for name in given["modules"]:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {exc!r}")
import formsite.browser as fb
fb.init(given["definitions"])
examples = json.loads(fb.run_examples())
exported = json.loads(fb.export_bundle(json.dumps({"dossier": "project", "data": {}})))
opened = json.loads(fb.import_bundle(json.dumps({"dossier": "project",
                                                 "file_base64": exported["zip_base64"]})))
json.dumps({"failed": failed, "examples": examples, "reopened": opened.get("ok"),
            "bundle_bytes": len(base64.b64decode(exported["zip_base64"]))})
`));
"""


@pytest.fixture(scope="module")
def site() -> Path:
    if not (DIST / "pyodide" / "pyodide-lock.json").is_file():
        subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(DIST)], check=True)
    return DIST


def _dotted(member: str) -> str:
    return member.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def test_every_allow_list_entry_names_real_modules_and_is_shipped(site: Path) -> None:
    npm_names = set(zipfile.ZipFile(NPM / "python_stdlib.zip").namelist())
    shipped = set(zipfile.ZipFile(site / "pyodide" / "python_stdlib.zip").namelist())
    for entry in ALLOW:
        members = allowed_members(npm_names, (entry,))
        assert members, f"{entry} names nothing in the npm package's stdlib"
        for member in members:
            assert member + "c" in shipped, f"{member} (allow-listed as {entry}) not shipped"
    # And far less than the whole standard library is shipped.
    assert len(shipped) < len([n for n in npm_names if n.endswith(".py")]) / 2


def test_the_engine_runs_on_the_shipped_stdlib_and_wheels(site: Path, tmp_path: Path) -> None:
    shipped = zipfile.ZipFile(site / "pyodide" / "python_stdlib.zip").namelist()
    allowed = allowed_members({n.removesuffix("c") for n in shipped})
    modules = sorted({_dotted(m) for m in allowed} | set(engine_imports()))
    modules = [m for m in modules if not m.endswith("__main__")]
    given = tmp_path / "given.json"
    given.write_text(json.dumps({"modules": modules,
                                 "definitions": (site / "definitions.json").read_text(encoding="utf-8")},
                                ensure_ascii=False), encoding="utf-8")
    probe = tmp_path / "probe.mjs"
    probe.write_text(PROBE % {"loader": json.dumps((NPM / "pyodide.mjs").as_uri()),
                              "dir": json.dumps(f"{site / 'pyodide'}/"), "npm": json.dumps(f"{NPM}/"),
                              "given": json.dumps(str(given))}, encoding="utf-8")
    proc = subprocess.run(["node", str(probe)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["failed"] == []
    wrong = [e for e in report["examples"] if e["problem"]]
    assert report["examples"] and wrong == []
    assert report["reopened"] is True and report["bundle_bytes"] > 1000
