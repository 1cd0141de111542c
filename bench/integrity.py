"""What checking a bundle's integrity costs: opening a project, a county and a city bundle with
and without rendering its documents again, in CPython and in Pyodide under Node; prints figures,
asserts nothing.

    .venv/bin/python bench/integrity.py [--projects 500]
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests"), str(ROOT / "src"), str(ROOT)]

from run import city_counties  # noqa: E402

SNIPPET = """
import base64, json, time
from formsite.chain import Chain
from formsite.documents import render_documents
from formsite.engine import Engine
engine = Engine.from_json(GIVEN["definitions"])
out = {}
for name, b64 in GIVEN["bundles"].items():
    raw = base64.b64decode(b64)
    engine.open(raw)  # warm: dossiers compiled, document modules imported
    for documents in (False, True):
        chain = Chain(engine.dossiers, render_documents)  # no opened bundle cached
        started = time.process_time()
        opened = chain.open(raw, None, documents=documents)
        out[f"{name} documents={documents}"] = [round((time.process_time() - started) * 1000),
                                                [i.code for i in opened.integrity]]
OUTPUT = json.dumps(out)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=500)
    args = parser.parse_args()
    from dossiers import valid_project_dossier
    from support.pyodide_node import run_in_pyodide
    from test_chain import city_bundle

    from formsite.chain import Chain
    from formsite.documents import render_documents
    from formsite.engine import Engine
    from formsite.loader import default_paths, load_definitions

    definitions = load_definitions(*default_paths(ROOT))
    engine = Engine.from_definitions(definitions)
    counties = city_counties(args.projects, 4)
    bundles = {"project": engine.export("project", valid_project_dossier())[1],
               f"county ({args.projects // 4} projects)": counties[0][1],
               f"city ({args.projects} projects)": city_bundle(engine, counties, tier="1", city="杭州市")[1]}
    for name, raw in bundles.items():
        engine.open(raw)  # warm: dossiers compiled, document modules imported
        for documents in (False, True):
            chain = Chain(engine.dossiers, render_documents)  # no opened bundle cached
            started = time.process_time()  # CPU time: the machine may be shared
            opened = chain.open(raw, None, documents=documents)
            print(f"CPython  {name:28} {len(raw) / 1e6:6.2f} MB  documents={documents!s:5} "
                  f"{(time.process_time() - started) * 1000:7.0f} ms CPU  "
                  f"integrity={[i.code for i in opened.integrity]}")
    given = {"definitions": definitions.model_dump_json(by_alias=True),
             "bundles": {k: base64.b64encode(v).decode() for k, v in bundles.items()}}
    with tempfile.TemporaryDirectory() as tmp:
        results = run_in_pyodide(SNIPPET, given, Path(tmp))
    for key, (ms, codes) in results.items():
        print(f"Pyodide  {key:50} {ms:7} ms (process_time)  integrity={codes}")


if __name__ == "__main__":
    main()
