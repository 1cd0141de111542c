// record-imports.mjs: run builder/runtime/record_imports.py inside Pyodide in Node, with the engine
// installed from the wheels the site ships, to record the standard-library modules it loads.
//
//   node record-imports.mjs <node_modules/pyodide dir> <wheel dir> <record_imports.py> <given.json>
//
// Called by builder/stdlib_usage.py at build time (never shipped). The runtime is the npm
// package's, with its whole standard library; the wheels come from <wheel dir> through its
// pyodide-lock.json, as the page's worker installs them. Nothing is fetched from the network.

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheelDir, script, given] = process.argv.slice(2);
if (!given) {
  console.error("usage: node record-imports.mjs <pyodide dir> <wheel dir> <record_imports.py> <given.json>");
  process.exit(2);
}

const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const lock = JSON.parse(fs.readFileSync(path.join(wheelDir, "pyodide-lock.json"), "utf8"));
const pyodide = await loadPyodide({
  indexURL: pyodideDir + path.sep,
  lockFileContents: lock,
  packageBaseUrl: wheelDir + path.sep,
  packages: ["formsite"],
});
pyodide.mountNodeFS("/host", "/");
pyodide.globals.set("_record_given", path.resolve(given));
try {
  // Run as text, not through runpy: the recording must not load modules of its own.
  pyodide.runPython(fs.readFileSync(script, "utf8"));
} catch (err) {
  console.error(String(err && err.message || err));
  process.exit(1);
}
