// precompile.mjs: run builder/precompile.py inside Pyodide (CPython 3.14) in Node.
//
//   node precompile.mjs <node_modules/pyodide dir> <builder/precompile.py> <jobs.json>
//
// Called by builder/precompile.py at build time (never shipped to dist/). The host's "/" is
// mounted at /host so the script reads inputs and writes outputs by their host paths; nothing
// is fetched from the network (the runtime and its stdlib come from the npm package).

import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, script, jobFile] = process.argv.slice(2);
if (!jobFile) {
  console.error("usage: node precompile.mjs <pyodide dir> <precompile.py> <jobs.json>");
  process.exit(2);
}

const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep });
pyodide.mountNodeFS("/host", "/");
pyodide.globals.set("_precompile_args", pyodide.toPy(["/host" + path.resolve(script), jobFile]));
try {
  pyodide.runPython(`
import runpy, sys
sys.argv = list(_precompile_args)
runpy.run_path(sys.argv[0], run_name="__main__")
`);
} catch (err) {
  console.error(String(err && err.message || err));
  process.exit(1);
}
