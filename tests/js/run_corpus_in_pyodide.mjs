// Runs the differential corpus through the engine inside Pyodide, in Node (much faster to start
// than a browser). Called by tests/test_corpus.py:
//
//   node tests/js/run_corpus_in_pyodide.mjs NPM_PYODIDE_DIR WHEELS_JSON DIFFERENTIAL_PY \
//        DEFINITIONS_JSON CORPUS_JSON OUT_JSON
//
// WHEELS_JSON is a JSON list of wheel paths (the pinned browser wheels and the formsite wheel
// built from this tree); they are unpacked into site-packages, as the site's lock file would
// install them. DIFFERENTIAL_PY is tests/support/differential.py, which computes the verdicts
// the same way in CPython. Prints one JSON line with the runtime's facts and timings.
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";

const [npmDir, wheelsJson, differentialPy, definitionsPath, corpusPath, outPath] =
  process.argv.slice(2);
if (!outPath) {
  console.error("usage: run_corpus_in_pyodide.mjs NPM_DIR WHEELS_JSON DIFFERENTIAL_PY DEFINITIONS CORPUS OUT");
  process.exit(2);
}

const started = Date.now();
const { loadPyodide } = await import(pathToFileURL(join(npmDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: npmDir.endsWith("/") ? npmDir : npmDir + "/" });
const booted = Date.now();

py.FS.mkdirTree("/corpus/wheels");
for (const wheel of JSON.parse(wheelsJson)) {
  py.FS.writeFile("/corpus/wheels/" + basename(wheel), readFileSync(wheel));
}
py.FS.writeFile("/corpus/differential.py", readFileSync(differentialPy));
py.FS.writeFile("/corpus/definitions.json", readFileSync(definitionsPath));
py.FS.writeFile("/corpus/corpus.json", readFileSync(corpusPath));
py.runPython(`
import os, site, sys, zipfile
target = site.getsitepackages()[0]
for name in sorted(os.listdir("/corpus/wheels")):
    zipfile.ZipFile("/corpus/wheels/" + name).extractall(target)
sys.path.insert(0, "/corpus")
`);
const installed = Date.now();

const facts = py.runPython(`
import json, differential
json.dumps(differential.run_files("/corpus/definitions.json", "/corpus/corpus.json",
                                  "/corpus/out.json"))
`);
writeFileSync(outPath, py.FS.readFile("/corpus/out.json"));
console.log(JSON.stringify({
  ...JSON.parse(facts),
  boot_seconds: (booted - started) / 1000,
  install_seconds: (installed - booted) / 1000,
  total_seconds: (Date.now() - started) / 1000,
}));
