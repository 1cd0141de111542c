// record-imports.mjs: run builder/runtime/record_imports.py inside Pyodide in Node, with the engine
// installed from the wheels the site ships, to record the standard-library modules it loads.
//
//   node record-imports.mjs <node_modules/pyodide dir> <wheel dir> <record_imports.py> <given.json>
//
// Called by builder/stdlib_usage.py at build time (never shipped). The runtime is the npm
// package's, with its whole standard library; the wheels in <wheel dir> (those its
// pyodide-lock.json lists) are installed as the page's worker installs them: unpacked into
// /lib/formsite-packages before Python starts, their WebAssembly libraries loaded then, no
// loadPackage (whose own imports the page never makes). Nothing is fetched from the network.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheelDir, script, given] = process.argv.slice(2);
if (!given) {
  console.error("usage: node record-imports.mjs <pyodide dir> <wheel dir> <record_imports.py> <given.json>");
  process.exit(2);
}
const PACKAGES_DIR = "/lib/formsite-packages"; // as in py-worker.js

// The members of a wheel: [{name, bytes}] (stored or deflated; what wheels use).
function unzip(buffer) {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let eocd = buffer.length - 22;
  while (eocd >= 0 && view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("not a zip file");
  const members = [];
  let at = view.getUint32(eocd + 16, true);
  for (let n = view.getUint16(eocd + 10, true); n > 0; n--) {
    const method = view.getUint16(at + 10, true);
    const packed = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const local = view.getUint32(at + 42, true);
    const name = buffer.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (name.endsWith("/")) continue;
    const data = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = buffer.subarray(data, data + packed);
    members.push({ name, bytes: method === 8 ? zlib.inflateRawSync(raw) : raw });
  }
  return members;
}

const lock = JSON.parse(fs.readFileSync(path.join(wheelDir, "pyodide-lock.json"), "utf8"));
const files = Object.values(lock.packages).flatMap((p) => unzip(fs.readFileSync(path.join(wheelDir, p.file_name))));
const dynlibs = files.filter((f) => f.name.endsWith(".so")).sort((a, b) => (a.name < b.name ? -1 : 1))
  .map((f) => ({ name: f.name, module: new WebAssembly.Module(f.bytes) }));

const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const asm = await import(pathToFileURL(path.join(pyodideDir, "pyodide.asm.mjs")).href);
const install = (Module) => {
  for (const { name, bytes } of files) {
    const target = `${PACKAGES_DIR}/${name}`;
    Module.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
    Module.FS.writeFile(target, bytes);
  }
  for (const { name, module } of dynlibs) {
    const target = `${PACKAGES_DIR}/${name}`;
    const dso = Module.newDSO(target, undefined, "loading");
    dso.refcount = Infinity;
    dso.global = false;
    dso.exports = Module.loadWebAssemblyModule(module, { loadAsync: false, nodelete: true }, target, {});
  }
};
const pyodide = await loadPyodide({
  indexURL: pyodideDir + path.sep,
  lockFileContents: lock,
  packageBaseUrl: wheelDir + path.sep,
  createPyodideModule: (settings) => {
    settings.preRun = [...settings.preRun, install];
    return asm.default(settings);
  },
});
pyodide.mountNodeFS("/host", "/");
pyodide.globals.set("_record_given", path.resolve(given));
try {
  // As py-worker.js's PYTHON_SETUP.
  pyodide.runPython(`import os, sys; sys.path.insert(0, ${JSON.stringify(PACKAGES_DIR)}); ` +
    `os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"`);
  // Run as text, not through runpy: the recording must not load modules of its own.
  pyodide.runPython(fs.readFileSync(script, "utf8"));
} catch (err) {
  console.error(String(err && err.message || err));
  process.exit(1);
}
