# record_imports.py: runs inside Pyodide (record-imports.mjs), with the engine installed from
# the shipped wheels, and writes the standard-library modules loaded by then. It imports only
# json and sys itself (both loaded at boot anyway), so that what it records is the engine's.
# Called with the path of a JSON file: {"definitions", "imports", "out"} (host paths; the
# host's / is mounted at /host). See builder/stdlib_usage.py.

import json
import sys

STDLIB = "/lib/python314.zip/"


def exercise(definitions_json, imports):
    """Run what the page runs; return what failed to import (anything else may fail here:
    only the imports matter)."""
    import formsite.browser as fb

    missing = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except ImportError as exc:
            missing.append(f"{getattr(fn, '__name__', fn)}{args[:1]}: {exc!r}")
        except Exception:
            pass
        return None

    info = json.loads(fb.init(definitions_json))
    attempt(fb.run_examples)
    for name in imports:
        attempt(__import__, name)
    # Each dossier through the page's calls, empty, and carried up the chain.
    carried = []
    for dossier in info["dossiers"]:
        request = {"dossier": dossier, "data": {}}
        attempt(fb.validate, json.dumps(request))
        attempt(fb.open_draft, json.dumps({"dossier": dossier, "draft": {"data": {}}}))
        if carried:
            listed = attempt(fb.put_attachments, json.dumps({"dossier": dossier, "files": carried}))
            request["attachments"] = [i["sha256"] for i in json.loads(listed)["items"]] if listed else []
            synced = attempt(fb.sync_rows, json.dumps(request))
            if synced:
                request["data"] = json.loads(synced)["data"]
            attempt(fb.validate, json.dumps(request))
        exported = attempt(fb.export_bundle, json.dumps(request))
        if exported:
            bundle = json.loads(exported)
            attempt(fb.import_bundle, json.dumps({"dossier": dossier,
                                                  "file_base64": bundle["zip_base64"]}))
            carried.append({"name": bundle["name"], "base64": bundle["zip_base64"]})
    return missing


def main(given_path):
    with open("/host" + given_path, encoding="utf-8") as fh:
        given = json.load(fh)
    with open("/host" + given["definitions"], encoding="utf-8") as fh:
        definitions_json = fh.read()
    missing = exercise(definitions_json, given["imports"])
    if missing:
        raise SystemExit("imports failed in Pyodide with the shipped wheels:\n  " + "\n  ".join(missing))
    members = sorted({m.__file__[len(STDLIB):].removesuffix("c")
                      for m in list(sys.modules.values())
                      if (getattr(m, "__file__", None) or "").startswith(STDLIB)})
    with open("/host" + given["out"], "w", encoding="utf-8") as fh:
        json.dump(members, fh)
    print(f"{len(members)} standard-library modules loaded")


main(_record_given)  # noqa: F821 - set by record-imports.mjs
