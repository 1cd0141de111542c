// py-worker.js: boots Pyodide and the formsite engine in a module Web Worker.
//
// build.py copies this file to the site root (next to index.html and definitions.json); the
// runtime lives in ./pyodide/ (see builder/pyodide_runtime.py). Every URL is resolved against
// this script's own URL, so the site works under any sub-path.
//
// Protocol (worker → page):
//   {type: "progress", stage: "runtime"|"packages"|"engine", fraction: 0..1, text}
//   {type: "ready", ms, info, phases, restored, link}  ms since the worker started; info =
//        fb.init()'s return; restored: false, or the snapshot started from: "local" (this
//        browser's) or "published" (the site's); link: {bytesPerMs, fast} as
//        measured for the published snapshot (bytesPerMs null: not measured);
//                                        phases: where the boot's time went (bench/run.py)
//   {type: "error", code, text, detail}  boot failed; code is one of
//        "unsupported"  the browser lacks what Pyodide 314 needs (checked before downloading)
//        "csp"          the server's Content-Security-Policy forbids compiling WebAssembly
//        "module_mime"  a JS module was refused: the server's Content-Type is not JavaScript
//        "wasm_mime"    the .wasm could not be used as served (wrong type and not WebAssembly)
//        "timeout"      no progress at all for STALL_MS
//        "boot"         anything else (missing file, Python exception, …); detail has the cause
//        "retry"        the engine snapshot stored in this browser could not be restored and is
//                       deleted; start a new worker with ?snapshot=off (text is empty)
//   {type: "snapshot", stored}          after "ready" on a first start: whether the engine's
//        snapshot for the next visit was stored
//   {type: "snapshot-export", key, check, info, bytes}  with ?snapshot=export, after "ready":
//        the snapshot for the build to publish (builder/engine_snapshot.py)
//   {type: "fatal", id, error}          the runtime failed during call ``id`` and this worker
//        has closed itself; the page starts another
//   {type: "result", id, ok: true, value} | {type: "result", id, ok: false, error}: error is a
//        Chinese sentence for the person (the engine's own message, or a fixed one with the
//        Python traceback on the console); the page never shows a Python exception name
// (page → worker):
//   {type: "call", id, fn, args}  calls formsite.browser.<fn>(*args); calls sent before "ready"
//                                 wait for the boot and fail with its error if it fails.
//
// Deliberately no static import/export and no top-level await: if an old browser runs this as
// a classic worker (it ignores {type: "module"}), the script still parses and reports
// "unsupported" instead of dying silently.

(() => {
  "use strict";

  const params = new URL(self.location.href).searchParams;
  // Longest time with no byte received and no stage change before giving up. Generous, since a
  // slow PC may spend several seconds compiling WebAssembly or starting Python without any
  // visible progress; ?stall=<ms> on the worker URL overrides it (tests use a short one).
  const STALL_MS = Number(params.get("stall")) > 0 ? Number(params.get("stall")) : 45000;
  const BASE = new URL("pyodide/", self.location.href).href;
  const DEFINITIONS_URL = new URL("definitions.json", self.location.href).href;
  const ENGINE_PACKAGE = "formsite";
  // Fetched while loadPyodide runs (the two .js modules are import()ed and not counted).
  const RUNTIME_DOWNLOADS = ["pyodide.asm.wasm", "python_stdlib.zip"];

  const MSG = {
    unsupported:
      "当前浏览器版本过旧，缺少运行校验引擎所需的 WebAssembly 功能（{what}）。" +
      "请使用新版 Chrome、Edge 或 Firefox；360、QQ 等双核浏览器请切换到“极速模式”并升级到最新版本。" +
      "表单仍可填写，填写内容自动保存，并可下载未校验的草稿，在新版浏览器中导入后校验。",
    classic:
      "当前浏览器不支持模块化 Web Worker，无法加载完整校验。请使用新版 Chrome、Edge 或 Firefox。",
    module_mime:
      "网站服务器没有以 JavaScript 类型提供文件 {file}（收到的类型：{type}），浏览器拒绝执行。" +
      "请网站管理员为 .js 文件配置 MIME 类型 text/javascript。",
    wasm_mime:
      "网站服务器返回的 {file} 不是有效的 WebAssembly 文件（类型：{type}）。" +
      "请网站管理员检查该文件是否完整上传，并为 .wasm 配置 MIME 类型 application/wasm。",
    missing: "校验引擎文件无法下载：{file}（HTTP {status}）。请网站管理员检查网站文件是否完整。",
    corrupt: "校验引擎文件 {file} 与生成网站时的校验值不符（文件不完整或已被改动）。请网站管理员重新上传该文件。",
    timeout:
      "校验引擎加载超时：{seconds} 秒内没有任何进展（停在“{stage}”阶段）。" +
      "请检查网络连接后刷新页面；若问题持续，请联系网站管理员。",
    boot: "校验引擎启动失败：{detail}",
    fatal: "校验引擎运行出错，已停止。",
    csp:
      "网站服务器发送的内容安全策略（Content-Security-Policy）不允许运行 WebAssembly，校验引擎无法启动。" +
      "请网站管理员在该策略的 script-src 中加入 'wasm-unsafe-eval'（可直接使用网站目录中随附的服务器配置）。" +
      "表单仍可填写，填写内容自动保存。",
  };
  const STAGE_NAMES = { runtime: "Python 运行环境", packages: "校验组件", engine: "校验引擎" };

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
  }

  class BootError extends Error {
    constructor(code, text, detail) {
      super(text);
      this.code = code;
      this.detail = detail || "";
    }
  }

  // ------------------------------------------------------------------------------------------
  // Feature detection, before downloading ~15 MB. Pyodide 314's pyodide.asm.wasm uses
  // WebAssembly exception handling (the "legacy" try/catch encoding: it validates on V8 11.3),
  // externref in function types and tables (reference types) and i64 at the JS boundary
  // (BigInt integration). Browsers without them (e.g. the Chromium < 95 cores of older
  // "dual-core" browsers) fail deep inside Emscripten, where Pyodide swallows the error and
  // loadPyodide never settles; these tiny probes turn that into an immediate answer.

  const hex = (s) => new Uint8Array(s.match(/../g).map((b) => parseInt(b, 16)));
  const WASM_HEADER = "0061736d01000000";
  const PROBES = {
    // (module (tag) (func try nop catch 0 end))
    "异常处理 exception handling":
      WASM_HEADER + "01040160000003020100" + "0d03010000" + "0a09010700064007000b0b",
    // (module (func (param externref)))
    "引用类型 externref": WASM_HEADER + "0105016001" + "6f00" + "03020100" + "0a040102000b",
  };
  // (module (func (export "f") (result i64) i64.const 0))
  const BIGINT_PROBE = WASM_HEADER + "010501600001" + "7e" + "03020100" + "070501016600" + "00" +
    "0a0601040042000b";

  function isClassicWorker() {
    // Same test as Pyodide's: importScripts only works in classic workers.
    try {
      self.importScripts("data:text/javascript,");
      return true;
    } catch {
      return false;
    }
  }

  function missingFeatures() {
    if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") {
      return ["WebAssembly"];
    }
    const missing = [];
    // The wheels are unpacked in the worker (unpackWheels).
    if (typeof DecompressionStream !== "function") missing.push("数据解压 DecompressionStream");
    for (const [what, bytes] of Object.entries(PROBES)) {
      if (!WebAssembly.validate(hex(bytes))) missing.push(what);
    }
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(hex(BIGINT_PROBE)));
      if (typeof instance.exports.f() !== "bigint") missing.push("BigInt 整数互通");
    } catch (err) {
      // Compiling was refused by the server's Content-Security-Policy, not by an old browser.
      if (/Content.Security.Policy|CSP/i.test(String(err && err.message))) throw new BootError("csp", MSG.csp);
      missing.push("BigInt 整数互通");
    }
    return missing;
  }

  // ------------------------------------------------------------------------------------------
  // Progress, stall watchdog and abort.

  let stage = "runtime";
  let lastActivity = performance.now();
  let lastPost = 0;
  let abortBoot = null; // set while booting: rejects the boot with a BootError
  const aborted = new Promise((_, reject) => {
    abortBoot = reject;
  });
  aborted.catch(() => {}); // only ever observed through Promise.race below

  function progress(newStage, fraction, text, force = true) {
    lastActivity = performance.now();
    stage = newStage;
    // Byte counts arrive per network chunk; a few updates a second are plenty for a bar.
    if (!force && lastActivity - lastPost < 150) return;
    lastPost = lastActivity;
    self.postMessage({ type: "progress", stage, fraction: Math.max(0, Math.min(1, fraction)), text });
  }

  const watchdog = setInterval(() => {
    if (performance.now() - lastActivity > STALL_MS) {
      abortBoot(new BootError("timeout", fmt(MSG.timeout, {
        seconds: Math.round(STALL_MS / 1000), stage: STAGE_NAMES[stage],
      })));
    }
  }, 1000);

  // Count the bytes of every tracked download on a clone of the response. The original goes
  // to Pyodide untouched, so instantiateStreaming keeps the real URL (V8 caches the compiled
  // code of a streamed .wasm per URL, which is what makes a warm start fast).
  // Boot phases, in ms since the worker started (performance.now()): when each download ended,
  // when the WebAssembly module was compiled, when Python was up, ... (bench/run.py prints them).
  const phases = {};
  const mark = (name) => {
    if (!(name in phases)) phases[name] = Math.round(performance.now());
  };
  const sizes = {}; // file name in pyodide/ -> bytes, from the lock's tool.formsite.sizes
  const received = {};
  let onBytes = () => {};
  const nativeFetch = self.fetch.bind(self);
  // Wheel downloads, started as soon as the lock is known: file name -> Promise<Response>.
  const wheelDownloads = new Map();
  function track(name, response) {
    if (!response.ok || !response.body) return;
    const reader = response.clone().body.getReader();
    received[name] = 0;
    (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          mark(`fetched ${name}`);
          break;
        }
        received[name] += value.byteLength;
        onBytes();
      }
    })().catch(() => {});
  }
  self.fetch = async (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
      self.location.href);
    const response = await nativeFetch(input, init);
    const name = decodeURIComponent(url.pathname.split("/").pop());
    if (name in sizes) track(name, response);
    return response;
  };
  const total = (names) => names.reduce((sum, n) => sum + (sizes[n] || 0), 0);
  const got = (names) => names.reduce((sum, n) => sum + (received[n] || 0), 0);
  const mb = (bytes) => (bytes / 1048576).toFixed(1);

  // ------------------------------------------------------------------------------------------
  // WebAssembly.instantiateStreaming refuses a response whose Content-Type is not exactly
  // application/wasm (python -m http.server on old Pythons, IIS without a MIME entry, many
  // nginx setups send application/octet-stream). Pyodide 314 catches that TypeError, logs
  // "wasm instantiation failed!" and never resolves loadPyodide: a silent hang. This wrapper
  // checks the type itself and, when it is wrong, compiles from the downloaded bytes instead;
  // any failure aborts the boot with a precise message instead of hanging.

  const nativeStreaming =
    typeof WebAssembly === "object" && typeof WebAssembly.instantiateStreaming === "function"
      ? WebAssembly.instantiateStreaming.bind(WebAssembly)
      : null;
  const mimeEssence = (response) =>
    (response.headers.get("Content-Type") || "").split(";")[0].trim().toLowerCase();

  async function instantiateStreamingTolerant(source, imports) {
    const response = await source;
    const file = decodeURIComponent(new URL(response.url || BASE + "pyodide.asm.wasm").pathname
      .split("/").pop());
    const type = mimeEssence(response) || "（无）";
    try {
      if (!response.ok) {
        throw new BootError("boot", fmt(MSG.missing, { file, status: response.status }));
      }
      if (nativeStreaming && type === "application/wasm") {
        try {
          const compiled = await nativeStreaming(response, imports);
          mark("wasm compiled");
          return compiled;
        } catch (err) {
          // Only a refusal before reading the body can be retried from the bytes.
          if (response.bodyUsed || !(err instanceof TypeError)) throw err;
        }
      }
      const bytes = await response.arrayBuffer();
      try {
        const compiled = await WebAssembly.instantiate(bytes, imports);
        mark("wasm compiled");
        return compiled;
      } catch (err) {
        if (err instanceof WebAssembly.CompileError && type !== "application/wasm") {
          throw new BootError("wasm_mime", fmt(MSG.wasm_mime, { file, type }), String(err));
        }
        throw err;
      }
    } catch (err) {
      // Pyodide swallows whatever we throw here; abort the boot ourselves, then rethrow.
      abortBoot(err instanceof BootError ? err : err instanceof WebAssembly.CompileError
        ? new BootError("unsupported", fmt(MSG.unsupported, { what: "WebAssembly 编译" }), String(err))
        : new BootError("boot", fmt(MSG.boot, { detail: String(err) }), String(err)));
      throw err;
    }
  }
  if (typeof WebAssembly === "object") WebAssembly.instantiateStreaming = instantiateStreamingTolerant;

  // ------------------------------------------------------------------------------------------
  // Boot.

  const JS_MIME = /^(?:text|application)\/(?:x-)?(?:javascript|ecmascript)$/;

  async function importRuntimeModule(name) {
    const url = BASE + name;
    try {
      return await import(url);
    } catch (err) {
      // import() gives the same TypeError for a network failure and for a refused MIME type;
      // ask the server again to tell which.
      let status = 0;
      let type = "";
      try {
        const response = await nativeFetch(url, { cache: "no-store" });
        status = response.status;
        type = mimeEssence(response);
      } catch {
        // network down: fall through to the generic error
      }
      if (status && !(status >= 200 && status < 300)) {
        throw new BootError("boot", fmt(MSG.missing, { file: name, status }), String(err));
      }
      if (status && !JS_MIME.test(type)) {
        throw new BootError("module_mime", fmt(MSG.module_mime, { file: name, type: type || "（无）" }),
          String(err));
      }
      if (err instanceof SyntaxError) {
        throw new BootError("unsupported", fmt(MSG.unsupported, { what: "JavaScript 语法" }), String(err));
      }
      throw new BootError("boot", fmt(MSG.boot, { detail: String(err) }), String(err));
    }
  }

  async function fetchOk(url, what) {
    const response = await nativeFetch(url);
    if (!response.ok) {
      throw new BootError("boot", fmt(MSG.missing, { file: what, status: response.status }));
    }
    return response;
  }

  function dependencyClosure(lock, root) {
    const seen = new Set();
    const visit = (name) => {
      if (seen.has(name) || !lock.packages[name]) return;
      seen.add(name);
      for (const dep of lock.packages[name].depends) visit(dep);
    };
    visit(root);
    return [...seen].map((name) => lock.packages[name].file_name);
  }

  // The build's additions to the lock: {sizes, snapshot_key, engine_snapshot}.
  const formsiteTool = (lock) => (lock.tool && lock.tool.formsite) || {};

  // Download the engine's wheels as soon as the lock is known, alongside the runtime, with the
  // lock's sha256 as integrity: the browser refuses bytes that differ from the build's.
  function prefetchWheels(lock) {
    Object.assign(sizes, formsiteTool(lock).sizes || {});
    for (const file of dependencyClosure(lock, ENGINE_PACKAGE)) {
      const pkg = Object.values(lock.packages).find((p) => p.file_name === file);
      const digest = pkg.sha256.match(/../g).map((b) => String.fromCharCode(parseInt(b, 16))).join("");
      const download = nativeFetch(BASE + file, { integrity: "sha256-" + btoa(digest) }).then((r) => {
        track(file, r);
        return r;
      });
      download.catch(() => {}); // reported by wheelBytes
      wheelDownloads.set(file, download);
    }
  }

  // A wheel's bytes, as checked against the lock; if its download failed, says why: the
  // server's answer to a plain request (a 404 from IIS without a .whl type), or bytes that do
  // not match the build's.
  async function wheelBytes(file) {
    const response = await wheelDownloads.get(file).catch(() => null);
    if (response && response.ok) return response.arrayBuffer();
    // GET, not HEAD: some servers refuse HEAD. Only the status is needed.
    const plain = await nativeFetch(BASE + file, { cache: "no-store" }).catch(() => null);
    if (plain && plain.body) plain.body.cancel().catch(() => {});
    if (plain && plain.ok) throw new BootError("boot", fmt(MSG.corrupt, { file }));
    throw new BootError("boot", fmt(MSG.missing, { file, status: plain ? plain.status : "网络错误" }));
  }

  // ------------------------------------------------------------------------------------------
  // Wheels: unpacked here, in JavaScript, and written into PACKAGES_DIR before Python starts
  // (instead of Pyodide's loadPackage once Python is up). Their WebAssembly libraries
  // (pydantic-core's) are compiled meanwhile and loaded before the runtime initialises, always
  // at the same address: that is what lets a memory snapshot of the started engine be restored.

  // Not site-packages: Pyodide lists what it finds there at boot as packages it loaded, state
  // that a memory snapshot cannot hold. Python is told about this folder before the first import.
  const PACKAGES_DIR = "/lib/formsite-packages";

  async function inflateRaw(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  // The members of a zip (a wheel): [{name, bytes}]. Only what wheels use: stored or deflated
  // members, no zip64, no encryption; a name that would leave PACKAGES_DIR is refused.
  async function unzip(buffer, label) {
    const bytes = new Uint8Array(buffer);
    const view = new DataView(buffer);
    const bad = (why) => new BootError("boot", fmt(MSG.boot, { detail: `${label}：${why}` }));
    let eocd = -1;
    for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
      if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
    }
    if (eocd < 0) throw bad("不是有效的 zip 文件");
    const count = view.getUint16(eocd + 10, true);
    let at = view.getUint32(eocd + 16, true);
    const pending = [];
    const decoder = new TextDecoder();
    for (let n = 0; n < count; n++) {
      if (view.getUint32(at, true) !== 0x02014b50) throw bad("目录损坏");
      const flags = view.getUint16(at + 8, true);
      const method = view.getUint16(at + 10, true);
      const packed = view.getUint32(at + 20, true);
      const size = view.getUint32(at + 24, true);
      const nameLength = view.getUint16(at + 28, true);
      const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
      const local = view.getUint32(at + 42, true);
      const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
      at += 46 + skip;
      if (name.endsWith("/")) continue;
      if (flags & 1 || packed === 0xffffffff || (method !== 0 && method !== 8)) throw bad(`不支持的条目 ${name}`);
      if (name.startsWith("/") || name.split("/").includes("..")) throw bad(`条目路径不安全 ${name}`);
      const data = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      const raw = bytes.subarray(data, data + packed);
      pending.push((method === 0 ? Promise.resolve(raw.slice()) : inflateRaw(raw)).then((out) => {
        if (out.length !== size) throw bad(`条目 ${name} 解压后大小不符`);
        return { name, bytes: out };
      }));
    }
    return Promise.all(pending);
  }

  // Download (already under way: prefetchWheels), unpack and compile: {files, dynlibs}, with
  // paths relative to PACKAGES_DIR, dynlibs in a fixed order.
  async function unpackWheels(wheels) {
    const unpacked = await Promise.all(wheels.map(async (file) => unzip(await wheelBytes(file), file)));
    const files = unpacked.flat();
    const libs = files.filter((f) => f.name.endsWith(".so")).sort((a, b) => (a.name < b.name ? -1 : 1));
    const dynlibs = await Promise.all(libs.map(async (f) => ({ name: f.name, module: await WebAssembly.compile(f.bytes) })));
    return { files, dynlibs };
  }

  // Pyodide's module factory, with one more preRun step: the wheels' files are written and
  // their libraries loaded before the runtime initialises (so at the same memory and table
  // addresses on every start), and memory is grown for a snapshot about to be restored.
  function withPackages(factory, { files, dynlibs }, snapshotBytes) {
    return (settings) => {
      const install = (Module) => {
        for (const { name, bytes } of files) {
          const path = `${PACKAGES_DIR}/${name}`;
          Module.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
          Module.FS.writeFile(path, bytes);
        }
        for (const { name, module } of dynlibs) {
          const path = `${PACKAGES_DIR}/${name}`;
          // As a Python extension is loaded (not global), once, never unloaded; Python's own
          // dlopen of this path later finds it by name.
          const dso = Module.newDSO(path, undefined, "loading");
          dso.refcount = Infinity;
          dso.global = false;
          dso.exports = Module.loadWebAssemblyModule(module, { loadAsync: false, nodelete: true }, path, {});
        }
        if (snapshotBytes) Module.growMemory(snapshotBytes.length);
      };
      const preRun = settings.preRun;
      settings.preRun = [...(Array.isArray(preRun) ? preRun : preRun ? [preRun] : []), install];
      return factory(settings);
    };
  }

  // ------------------------------------------------------------------------------------------
  // The started engine, kept in this browser (IndexedDB) as a memory snapshot: taken right
  // after the first start of a build, before any call, and restored on later visits instead of
  // starting Python and importing the engine again. Keyed by the build (the runtime, wheels,
  // standard library, definitions and this file: lock.tool.formsite.snapshot_key); a restore
  // that does not answer a fixed check exactly as the fresh engine did is thrown away.

  const SNAPSHOT_DB = "formsite-runtime";
  const SNAPSHOT_STORE = "snapshot";
  // One record per site folder (two sites on one server, e.g. /forms/2024/ and /forms/2025/,
  // keep one each); a new build of the same site replaces its record.
  const SNAPSHOT_RECORD = "engine " + BASE;
  // ?snapshot=off: start the normal way and keep nothing (after an unusable snapshot);
  // ?snapshot=export: start the normal way and hand the snapshot to the page (the build does
  // this to publish one, builder/engine_snapshot.py).
  const snapshotMode = params.get("snapshot") || "";
  const snapshotsAllowed = snapshotMode === "" && typeof indexedDB === "object";

  function snapshotDb(timeoutMs) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      try {
        const request = indexedDB.open(SNAPSHOT_DB, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(SNAPSHOT_STORE);
        request.onsuccess = () => { clearTimeout(timer); resolve(request.result); };
        request.onerror = request.onblocked = () => { clearTimeout(timer); resolve(null); };
      } catch {
        clearTimeout(timer);
        resolve(null);
      }
    });
  }

  function snapshotRequest(db, mode, act) {
    return new Promise((resolve) => {
      try {
        const tx = db.transaction(SNAPSHOT_STORE, mode);
        const request = act(tx.objectStore(SNAPSHOT_STORE));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = tx.onabort = () => resolve(undefined);
      } catch {
        resolve(undefined);
      }
    });
  }

  async function readSnapshot(key) {
    if (!snapshotsAllowed || !key) return null;
    const db = await snapshotDb(2000);
    if (!db) return null;
    try {
      const record = await snapshotRequest(db, "readonly", (s) => s.get(SNAPSHOT_RECORD));
      if (!record || record.key !== key || !(record.bytes instanceof Blob)) return null;
      return { ...record, bytes: new Uint8Array(await record.bytes.arrayBuffer()) };
    } catch {
      return null;
    } finally {
      db.close();
    }
  }

  async function writeSnapshot(record) {
    const db = await snapshotDb(5000);
    if (!db) return false;
    try {
      // put's result is the record's key, once the transaction has committed.
      return (await snapshotRequest(db, "readwrite", (s) => s.put(record, SNAPSHOT_RECORD))) === SNAPSHOT_RECORD;
    } finally {
      db.close();
    }
  }

  async function dropSnapshot() {
    const db = await snapshotDb(2000);
    if (!db) return;
    try {
      await snapshotRequest(db, "readwrite", (s) => s.delete(SNAPSHOT_RECORD));
    } finally {
      db.close();
    }
  }

  // The snapshot the build publishes (lock.tool.formsite.engine_snapshot, pyodide/*.snapshot):
  // a first visit over a fast link restores it instead of starting Python (about 8 MB more to
  // download, a second or more less to wait); over a slow link it is not fetched at all. Its
  // file: "FSNP1\n", the length of a JSON header (4 bytes, little-endian), the header
  // {check, info}, then the snapshot, gzip-compressed (so every server sends it as it is).
  const SNAPSHOT_MAGIC = "FSNP1\n";
  // Fast: the engine's wheels (2.3 MB, already compressed, requested together as soon as the
  // lock arrives) came at this many bytes per ms or more, as the browser's own resource timing
  // measured them (not this worker, which is busy meanwhile): the snapshot's 8 MB then take
  // less than the second or so a normal start needs. Decided when they have arrived or after
  // FAST_LINK_MS; a slower link never fetches the snapshot.
  const FAST_LINK_BYTES_PER_MS = 8000;
  const FAST_LINK_MS = 1000;
  const PUBLISHED_SNAPSHOT_MS = 5000;
  const link = { bytesPerMs: null, fast: false };

  async function linkIsFast(wheels) {
    // ?link=fast|slow on the worker URL decides instead (tests; a person never needs it).
    if (params.get("link") === "fast" || params.get("link") === "slow") {
      link.fast = params.get("link") === "fast";
      return link.fast;
    }
    const started = performance.now();
    for (;;) {
      const entries = performance.getEntriesByType("resource")
        .filter((e) => wheels.some((w) => e.name === BASE + w) && e.responseEnd > 0);
      if (entries.length === wheels.length) {
        const bytes = entries.reduce((sum, e) => sum + (e.encodedBodySize || 0), 0);
        const span = Math.max(...entries.map((e) => e.responseEnd)) - Math.min(...entries.map((e) => e.startTime));
        link.bytesPerMs = Math.round(bytes / Math.max(span, 1));
        // No sizes (a cross-origin or cached answer without timing): not known to be fast.
        link.fast = bytes > 0 && link.bytesPerMs >= FAST_LINK_BYTES_PER_MS;
        return link.fast;
      }
      if (performance.now() - started >= FAST_LINK_MS) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function fetchPublishedSnapshot(lock, key) {
    const published = formsiteTool(lock).engine_snapshot;
    if (!snapshotsAllowed || !key || !published || typeof DecompressionStream !== "function") return null;
    if (!(await linkIsFast(dependencyClosure(lock, ENGINE_PACKAGE)))) return null;
    // Optional: a download that is not done in PUBLISHED_SNAPSHOT_MS (a link that slowed down,
    // a stalled server) is abandoned and the engine starts the normal way.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), PUBLISHED_SNAPSHOT_MS);
    try {
      const response = await nativeFetch(BASE + published.file, { signal: abort.signal });
      if (!response.ok) return null;
      const file = new Uint8Array(await response.arrayBuffer());
      mark("published snapshot fetched");
      const magic = new TextDecoder().decode(file.subarray(0, SNAPSHOT_MAGIC.length));
      if (magic !== SNAPSHOT_MAGIC) return null;
      const length = new DataView(file.buffer, file.byteOffset + magic.length, 4).getUint32(0, true);
      const start = magic.length + 4;
      const header = JSON.parse(new TextDecoder().decode(file.subarray(start, start + length)));
      if (header.key !== key) return null;
      const stream = new Blob([file.subarray(start + length)]).stream()
        .pipeThrough(new DecompressionStream("gzip"));
      const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
      return { key, check: header.check, info: header.info, bytes, published: true };
    } catch (err) {
      console.warn("formsite: the published engine snapshot could not be read", err);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  let callPython = null; // (fn, argsJson) -> "s<text>" | "j<json>"
  let restoredFromSnapshot = false; // false | "local" | "published"

  // Before the first import: where the packages are, and no search for pydantic plugins (there
  // are none; the search reads every package's metadata, through importlib.metadata and email).
  const PYTHON_SETUP = `
import os, sys
sys.path.insert(0, ${JSON.stringify(PACKAGES_DIR)})
os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
import pydantic
`;

  // The Python side of the page's calls. Run on every start, also after a restore (the
  // snapshot's copy is replaced by this file's), so it never depends on what was snapshotted.
  const PYTHON_BOUNDARY = `
import json
import formsite.browser as _fb

import sys, traceback
from formsite.errors import FormsiteError as _FormsiteError

_INTERNAL = ("校验引擎内部出错（详情已记录在浏览器控制台），填写内容未受影响。"
             "请刷新页面后重试；若仍出现，请把控制台中的信息提供给网站管理员。")

def _formsite_call(fn, args_json):
    # Only the public functions of formsite.browser can be called from the page.
    func = getattr(_fb, fn, None) if isinstance(fn, str) and not fn.startswith("_") else None
    if not callable(func):
        return "e" + _INTERNAL
    # The one boundary between Python and the person: the engine's own errors are said in
    # Chinese as they are; anything else is logged for support and said as a fixed sentence,
    # never as a Python exception name.
    try:
        result = func(*json.loads(args_json))
    except _FormsiteError as exc:
        return "e" + str(exc)
    except Exception:  # noqa: BLE001 - the boundary: a person never sees a Python exception
        traceback.print_exc(file=sys.stderr)
        return "e" + _INTERNAL
    # Strings (the normal case) pass through without a second JSON encoding.
    return "s" + result if isinstance(result, str) else "j" + json.dumps(result, ensure_ascii=False)

(_fb.init, _formsite_call)
`;
  // What a restored engine must answer exactly as the fresh one did.
  const checkArgs = (info) => {
    const { dossiers } = typeof info === "string" ? JSON.parse(info) : info;
    return JSON.stringify([JSON.stringify({ dossier: dossiers[0], data: {} })]);
  };

  async function boot() {
    if (isClassicWorker()) throw new BootError("unsupported", MSG.classic);
    const missing = missingFeatures();
    if (missing.length) {
      throw new BootError("unsupported", fmt(MSG.unsupported, { what: missing.join("、") }));
    }

    progress("runtime", 0, "正在下载 Python 运行环境…");
    // Our own copy of the lock: pruned to the shipped wheels by the build, it also carries
    // the file sizes for the progress bar and the build's snapshot key.
    const lockPromise = fetchOk(BASE + "pyodide-lock.json", "pyodide-lock.json").then((r) => r.json());
    lockPromise.then(prefetchWheels).catch(() => {}); // a bad lock is reported below
    // This browser's own snapshot of this build, else (over a fast link) the published one.
    const snapshotPromise = lockPromise.then(async (lock) => {
      const key = formsiteTool(lock).snapshot_key;
      return (await readSnapshot(key)) || (await fetchPublishedSnapshot(lock, key));
    }).catch(() => null);
    // The form definitions are only needed at the very end; fetch them now, in parallel.
    const definitionsPromise = fetchOk(DEFINITIONS_URL, "definitions.json").then((r) => r.text());
    definitionsPromise.catch(() => {}); // awaited (and reported) below
    // createPyodideModule: Pyodide would otherwise import() "pyodide.asm.mjs" by that fixed
    // name; importing it ourselves lets it be served as .js.
    const [lock, { loadPyodide }, asm] = await Promise.all([
      lockPromise,
      importRuntimeModule("pyodide.mjs.js"),
      importRuntimeModule("pyodide.asm.mjs.js"),
    ]);
    const snapshotKey = formsiteTool(lock).snapshot_key;
    const wheels = dependencyClosure(lock, ENGINE_PACKAGE);
    if (!wheels.length) {
      throw new BootError("boot", fmt(MSG.boot, { detail: "pyodide-lock.json 中没有 formsite" }));
    }
    // The wheels download alongside the runtime (prefetchWheels), so the "runtime" stage
    // counts the bytes of both.
    const bootDownloads = [...RUNTIME_DOWNLOADS, ...wheels];
    const bootTotal = total(bootDownloads);
    onBytes = () => {
      const done = got(bootDownloads);
      progress("runtime", bootTotal ? 0.9 * (done / bootTotal) : 0.5,
        done < bootTotal
          ? `正在下载 Python 运行环境和校验组件（${mb(done)} / ${mb(bootTotal)} MB）`
          : "正在启动 Python 运行环境并安装校验组件…", done >= bootTotal);
    };
    progress("runtime", 0.02, "正在下载 Python 运行环境…");
    mark("runtime modules imported");
    const [packages, snapshot] = await Promise.all([unpackWheels(wheels), snapshotPromise]);
    mark("wheels unpacked, libraries compiled");
    if (snapshot) mark("snapshot read");
    const options = {
      indexURL: BASE,
      lockFileContents: lock,
      packageBaseUrl: BASE,
      stdLibURL: BASE + "python_stdlib.zip",
      createPyodideModule: withPackages(asm.default, packages, snapshot && snapshot.bytes),
    };
    let pyodide;
    if (snapshot) {
      try {
        pyodide = await loadPyodide({ ...options, _loadSnapshot: snapshot.bytes });
        mark("snapshot restored");
        progress("runtime", 1, "Python 运行环境已启动");
        progress("packages", 1, "校验组件已安装");
        finishBoot(pyodide).destroy();
        // The check: the same call as when the snapshot was taken, the same answer.
        if (callPython("validate", checkArgs(snapshot.info)) !== snapshot.check) throw new Error("check differs");
        // Per start, not per snapshot: the random state.
        pyodide.runPython("import random as _r; _r.seed(); del _r");
        restoredFromSnapshot = snapshot.published ? "published" : "local";
        mark("engine restored and checked");
        // Kept in this browser for the next visit, as a first start's own snapshot is.
        if (snapshot.published) storeWhenIdle(snapshot.key, snapshot.check, snapshot.info, snapshot.bytes);
        progress("engine", 1, "校验引擎已就绪");
        return snapshot.info;
      } catch (err) {
        // A snapshot this browser cannot use: forget it and start afresh, in a new worker
        // (this one's runtime is in an unknown state).
        console.warn("formsite: the stored engine snapshot could not be used; starting afresh", err);
        await dropSnapshot().catch(() => {});
        throw new BootError("retry", "", String(err && err.stack || err));
      }
    }
    const snapshotting = Boolean(snapshotKey && (snapshotsAllowed || snapshotMode === "export"));
    pyodide = await loadPyodide({ ...options, _makeSnapshot: snapshotting });
    mark("python up");
    progress("runtime", 1, "Python 运行环境已启动");
    progress("packages", 1, "校验组件已安装"); // written and loaded as Python started
    onBytes = () => {};
    progress("engine", 0.1, "正在读取表单定义…");
    const definitions = await definitionsPromise;
    progress("engine", 0.4, "正在初始化校验引擎…");
    pyodide.runPython(PYTHON_SETUP);
    mark("pydantic imported");
    const pyInit = finishBoot(pyodide);
    mark("engine imported");
    const info = pyInit(definitions);
    pyInit.destroy();
    mark("definitions read, engine initialised");
    if (snapshotting) takeSnapshot(pyodide, snapshotKey, info);
    progress("engine", 1, "校验引擎已就绪");
    return info;
  }

  // Import the engine and define the call boundary; returns formsite.browser.init.
  function finishBoot(pyodide) {
    const init = pyodide.runPython(PYTHON_BOUNDARY);
    const [pyInit, pyCall] = init.toJs({ depth: 1 });
    init.destroy();
    callPython = pyCall;
    return pyInit;
  }

  // Copy the engine's memory now, before the page's first call, and store it afterwards.
  // Any failure only means the next visit starts the normal way.
  function takeSnapshot(pyodide, key, info) {
    let bytes;
    let check;
    try {
      check = callPython("validate", checkArgs(info));
      bytes = pyodide.makeMemorySnapshot();
      mark("snapshot taken");
    } catch (err) {
      console.warn("formsite: no engine snapshot for the next visit", err);
      self.postMessage({ type: "snapshot", stored: false });
      return;
    }
    if (snapshotMode === "export") {
      self.postMessage({ type: "snapshot-export", key, check, info, bytes }, [bytes.buffer]);
      return;
    }
    storeWhenIdle(key, check, info, bytes);
  }

  function storeWhenIdle(key, check, info, bytes) {
    whenIdle(async () => {
      let stored = false;
      try {
        // Drafts come first: the snapshot is stored only where it leaves ample room for them.
        const { quota, usage } = navigator.storage && navigator.storage.estimate
          ? await navigator.storage.estimate() : { quota: 0, usage: 0 };
        if (quota - usage > 3 * bytes.length + SNAPSHOT_SPARE_BYTES) {
          const record = { key, check, info, bytes: new Blob([bytes]), made: Date.now() };
          bytes = null;
          stored = await writeSnapshot(record);
        }
      } catch (err) {
        console.warn("formsite: the engine snapshot was not stored", err);
      }
      bytes = null;
      self.postMessage({ type: "snapshot", stored });
    });
  }

  // Storing the snapshot (tens of MB) waits until the page has had no call answered for a
  // moment, so it never slows down the person's first edits and saves (at most SNAPSHOT_WAIT_MS).
  const SNAPSHOT_SPARE_BYTES = 200 * 1048576;
  const SNAPSHOT_QUIET_MS = 1500;
  const SNAPSHOT_WAIT_MS = 30000;
  let lastCallAt = 0;
  function whenIdle(task) {
    const since = performance.now();
    const poll = () => {
      const now = performance.now();
      if (now - lastCallAt >= SNAPSHOT_QUIET_MS || now - since >= SNAPSHOT_WAIT_MS) task();
      else setTimeout(poll, 250);
    };
    setTimeout(poll, SNAPSHOT_QUIET_MS);
  }

  const booted = Promise.race([boot(), aborted]);
  booted.then(
    (info) => {
      clearInterval(watchdog);
      self.postMessage({ type: "ready", ms: Math.round(performance.now()), info, phases,
        restored: restoredFromSnapshot, link });
    },
    (err) => {
      clearInterval(watchdog);
      const e = err instanceof BootError
        ? err
        : new BootError("boot", fmt(MSG.boot, { detail: lastLine(String(err && err.message || err)) }),
          String(err && err.stack || err));
      self.postMessage({ type: "error", code: e.code, text: e.message, detail: e.detail });
    },
  );

  function lastLine(text) {
    const lines = text.trim().split("\n").filter((l) => l.trim());
    return lines.length ? lines[lines.length - 1].trim() : text;
  }

  // ------------------------------------------------------------------------------------------
  // Calls. The engine is synchronous, so calls run one at a time in arrival order.

  self.addEventListener("message", async ({ data: msg }) => {
    if (!msg || msg.type !== "call") return;
    lastCallAt = performance.now();
    const { id, fn } = msg;
    try {
      await booted;
    } catch (err) {
      self.postMessage({ type: "result", id, ok: false, error: err.message || String(err) });
      return;
    }
    try {
      const raw = callPython(fn, JSON.stringify(msg.args || []));
      if (raw[0] === "e") {
        self.postMessage({ type: "result", id, ok: false, error: raw.slice(1) });
        return;
      }
      const value = raw[0] === "s" ? raw.slice(1) : JSON.parse(raw.slice(1));
      lastCallAt = performance.now();
      self.postMessage({ type: "result", id, ok: true, value });
    } catch (err) {
      // Python's own exceptions are answered above, in Python. What arrives here is the
      // runtime itself failing (a stack overflow inside WebAssembly, memory exhausted, or
      // Pyodide's fatal error, after which every later call fails too). A runtime in that
      // state is never used again: say so and end this worker; the page starts a fresh one.
      console.error("formsite: the Python runtime failed", err);
      // A runtime restored from this browser's snapshot is not restored again.
      if (restoredFromSnapshot) await dropSnapshot().catch(() => {});
      self.postMessage({ type: "fatal", id, error: MSG.fatal });
      self.close();
    }
  });
})();
