"""The vendored runtime boots in headless Chromium from our own origin, whatever the server.

Builds a minimal site with ``builder`` (engine wheel from this tree, the pinned browser wheels,
Pyodide from node_modules, the worker, the real definitions) and a bare harness page that
starts ``py-worker.js``. Served under a sub-path from a local server that can imitate badly
configured ones, the worker must reach ``ready`` (or fail fast with the right error code),
calls must round-trip, and no request may leave the origin.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from builder.pyodide_runtime import WORKER_SOURCE, vendor_pyodide
from builder.wheels import build_engine_wheel, download_browser_wheels

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SUB_PATH = "/some/sub/path/"

# Records every message from the worker, and a failure to start the worker script itself
# (which never reaches the worker's own error reporting).
HARNESS = """<!doctype html>
<meta charset="utf-8"><title>pyodide boot</title><link rel="icon" href="data:,">
<script type="module">
window.msgs = [];
const worker = new Worker(new URL("py-worker.js" + location.search, location.href),
                          {type: "module"});
const waiting = new Map();
let seq = 0;
worker.addEventListener("message", ({data}) => {
  msgs.push(data);
  if (data.type === "ready" || data.type === "error") window.done = data;
  if (data.type === "result") waiting.get(data.id)(data);
});
worker.addEventListener("error", (event) => {
  window.done = {type: "worker-error", text: String(event.message || "")};
});
window.call = (fn, ...args) => new Promise((resolve) => {
  const id = ++seq;
  waiting.set(id, resolve);
  worker.postMessage({type: "call", id, fn, args});
});
</script>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, definitions: Any) -> Path:
    out = tmp_path_factory.mktemp("boot-site")
    cache = ROOT / ".cache"  # shared with build.py, so only the first run needs PyPI
    wheels = download_browser_wheels(cache / "wheels")
    engine_wheel = build_engine_wheel(ROOT, tmp_path_factory.mktemp("engine-wheel"))
    # First: the build records which stdlib modules the engine loads with these definitions.
    (out / "definitions.json").write_text(definitions.model_dump_json(by_alias=True),
                                          encoding="utf-8")
    vendor_pyodide(out, ROOT / "node_modules", [*wheels, engine_wheel])
    shutil.copyfile(WORKER_SOURCE, out / "py-worker.js")
    (out / "index.html").write_text(HARNESS, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:  # one per thread: sync_playwright() does not nest
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Boot:
    done: dict[str, Any]
    messages: list[dict[str, Any]]
    requests: list[str]  # every URL the page and its worker asked for
    page: Any
    context: Any
    server_log: list[str] = field(default_factory=list)

    def call(self, fn: str, *args: Any) -> dict[str, Any]:
        return self.page.evaluate("([fn, args]) => window.call(fn, ...args)", [fn, list(args)])


def _boot(browser: Any, base_url: str, query: str = "", timeout_s: float = 90) -> Boot:
    context = browser.new_context()
    requests: list[str] = []
    # context-level events include the dedicated worker's fetches and module imports
    # (checked below: the .wasm and the wheels are only ever requested by the worker).
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto(base_url + "index.html" + query)
    page.wait_for_function("window.done !== undefined", timeout=timeout_s * 1000)
    return Boot(page.evaluate("window.done"), page.evaluate("window.msgs"), requests, page,
                context)


def _assert_same_origin(boot: Boot, base_url: str) -> None:
    foreign = [u for u in boot.requests if not u.startswith(base_url)]
    assert foreign == [], f"requests outside {base_url}: {foreign}"


@dataclass
class Served:
    base_url: str
    log: list[str]


@pytest.fixture
def serve_site(site: Path) -> Iterator[Any]:
    from support.server import serve

    stack: list[Any] = []

    def start(**kwargs: Any) -> Served:
        log: list[str] = []
        cm = serve(site, sub_path=SUB_PATH, log=log, **kwargs)
        base = cm.__enter__()
        stack.append(cm)
        return Served(base, log)

    yield start
    for cm in reversed(stack):
        cm.__exit__(None, None, None)


def _assert_booted(boot: Boot, served: Served) -> None:
    assert boot.done["type"] == "ready", boot.done
    _assert_same_origin(boot, served.base_url)
    stages = [m["stage"] for m in boot.messages if m["type"] == "progress"]
    # Stages in order, each reaching 1.0; fractions never leave 0..1.
    assert [s for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s] == [
        "runtime", "packages", "engine"]
    for stage in ("runtime", "packages", "engine"):
        fractions = [m["fraction"] for m in boot.messages
                     if m["type"] == "progress" and m["stage"] == stage]
        assert all(0 <= f <= 1 for f in fractions) and fractions[-1] == 1
    # The worker's own fetches and imports are seen (so a foreign one would be too).
    assert any(u.endswith("pyodide/pyodide.asm.wasm") for u in boot.requests)
    assert any(u.endswith(".whl") for u in boot.requests)
    # Nothing was asked for under a .mjs name or outside the sub-path.
    assert not [p for p in served.log if p.endswith(".mjs") or not p.startswith(SUB_PATH)]


def test_boots_under_sub_path_and_calls_round_trip(browser, serve_site, engine) -> None:
    served = serve_site()
    boot = _boot(browser, served.base_url)
    _assert_booted(boot, served)
    assert "project" in boot.done["info"]

    from dossiers import valid_project_dossier

    request = json.dumps({"dossier": "project", "data": valid_project_dossier()},
                         ensure_ascii=False)
    result = boot.call("validate", request)
    assert result["ok"] is True, result
    report = json.loads(result["value"])
    expected = engine.validate("project", valid_project_dossier())
    assert report["errors"] == [i.as_dict() for i in expected.errors]

    # Errors come back as Chinese sentences, never a Python exception name, not a dead worker.
    missing = boot.call("no_such_function")
    assert missing["ok"] is False and "校验引擎内部出错" in missing["error"]
    private = boot.call("_get")
    assert private["ok"] is False
    bad = boot.call("validate", "not json")
    assert bad["ok"] is False and "校验引擎内部出错" in bad["error"]
    assert "Error" not in bad["error"] and "Traceback" not in bad["error"]
    unknown = boot.call("validate", json.dumps({"dossier": "province", "data": {}}))
    assert unknown["ok"] is False and "没有名为“province”的材料" in unknown["error"]
    assert boot.call("validate", request)["ok"] is True  # still alive after errors

    # Warm start: same browser profile, so HTTP cache and V8's wasm code cache apply.
    boot.page.reload()
    boot.page.wait_for_function("window.done !== undefined", timeout=60_000)
    assert boot.page.evaluate("window.done.type") == "ready"
    _assert_same_origin(boot, served.base_url)
    boot.context.close()


@pytest.mark.parametrize("overrides", [
    # nginx/IIS/old mime.types: instantiateStreaming refuses it; without the worker's
    # fallback Pyodide 314 hangs forever.
    {".wasm": "application/octet-stream"},
    {".wasm": ""},  # no Content-Type header at all
    # Servers that do not know the other extensions we ship (we serve no .mjs at all).
    {".whl": "", ".json": "text/plain", ".zip": "application/octet-stream", ".mjs": None},
    # JavaScript as the legacy type some Windows registries give .js.
    {".js": "application/x-javascript"},
], ids=["wasm-octet-stream", "wasm-no-type", "unknown-whl-json-zip", "js-legacy-type"])
def test_boots_from_dumb_servers(browser, serve_site, overrides) -> None:
    served = serve_site(mime_overrides=overrides)
    boot = _boot(browser, served.base_url)
    _assert_booted(boot, served)
    assert boot.call("no_such_function")["ok"] is False
    boot.context.close()


def test_runtime_module_served_as_text_is_a_module_mime_error(browser, serve_site) -> None:
    served = serve_site(mime_overrides={"pyodide.asm.mjs.js": "text/plain"})
    started = time.monotonic()
    boot = _boot(browser, served.base_url, timeout_s=30)
    assert boot.done["type"] == "error" and boot.done["code"] == "module_mime", boot.done
    assert "text/plain" in boot.done["text"] and "pyodide.asm.mjs.js" in boot.done["text"]
    assert time.monotonic() - started < 15
    # A call sent after a failed boot gets the boot error instead of waiting forever.
    assert boot.call("validate", "{}")["ok"] is False
    boot.context.close()


def test_worker_script_served_as_text_fails_visibly(browser, serve_site) -> None:
    """The browser refuses the worker itself: only the page's error handler can tell."""
    served = serve_site(mime_overrides={".js": "text/plain"})
    boot = _boot(browser, served.base_url, timeout_s=30)
    assert boot.done["type"] == "worker-error", boot.done
    boot.context.close()


def test_missing_wheel_is_reported_not_hung(browser, serve_site) -> None:
    """IIS answers 404 for extensions missing from its MIME map (dist/web.config
    adds .whl there); the worker must say which file, not hang."""
    served = serve_site(mime_overrides={".whl": None})
    boot = _boot(browser, served.base_url, timeout_s=60)
    assert boot.done["type"] == "error" and boot.done["code"] == "boot", boot.done
    assert ".whl" in boot.done["text"] or "404" in boot.done["text"], boot.done
    boot.context.close()


def test_stalled_download_times_out_with_a_clear_message(browser, serve_site) -> None:
    served = serve_site(hang=("python_stdlib.zip",))
    started = time.monotonic()
    boot = _boot(browser, served.base_url, query="?stall=3000", timeout_s=30)
    assert boot.done["type"] == "error" and boot.done["code"] == "timeout", boot.done
    assert "Python 运行环境" in boot.done["text"]
    assert time.monotonic() - started < 20
    boot.context.close()


def test_browser_without_wasm_exception_handling_is_told_at_once(playwright, serve_site) -> None:
    """Old Chromium cores lack the wasm exception-handling opcodes pyodide.asm.wasm uses
    (V8 can switch them off, which imitates such a browser): "unsupported", before any
    download, instead of a hang deep inside Emscripten."""
    served = serve_site()
    old = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=[*CHROMIUM_ARGS, "--js-flags=--no-wasm-legacy-eh"])
    try:
        boot = _boot(old, served.base_url, timeout_s=30)
    finally:
        old.close()
    assert boot.done["type"] == "error" and boot.done["code"] == "unsupported", boot.done
    assert "异常处理" in boot.done["text"]
    assert not [u for u in boot.requests if "/pyodide/" in u]


def test_lock_file_lists_only_shipped_wheels(site: Path) -> None:
    lock = json.loads((site / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    assert set(lock["packages"]) == {"formsite", "pydantic", "pydantic-core", "annotated-types",
                                     "typing-extensions", "typing-inspection"}
    for package in lock["packages"].values():
        assert "/" not in package["file_name"]
        assert (site / "pyodide" / package["file_name"]).is_file()
    shipped = {p.name for p in (site / "pyodide").iterdir()}
    assert not [n for n in shipped if n.endswith(".mjs")]


# Runs in Node (the npm package's loader, the site's own files): after the boot and
# `import formsite.browser`, count what had to be compiled from source.
_NODE_PROBE = """
import { loadPyodide } from %(loader)s;
const dir = %(dir)s;
const lock = JSON.parse((await import("node:fs")).readFileSync(dir + "pyodide-lock.json", "utf8"));
const pyodide = await loadPyodide({ indexURL: %(npm)s, stdLibURL: dir + "python_stdlib.zip",
                                    lockFileContents: lock, packageBaseUrl: dir });
pyodide.runPython(`
import importlib._bootstrap_external as external, zipimport
compiled = []
_source_to_code = external.SourceLoader.source_to_code
def _recording(self, data, path, *args, **kwargs):
    compiled.append(path)
    return _source_to_code(self, data, path, *args, **kwargs)
external.SourceLoader.source_to_code = _recording
_compile_source = zipimport._compile_source
def _recording_zip(pathname, source):
    compiled.append(pathname)
    return _compile_source(pathname, source)
zipimport._compile_source = _recording_zip
`);
await pyodide.loadPackage(["formsite"], { messageCallback() {} });
console.log(pyodide.runPython(`
import json, sys, importlib.util
import formsite.browser, pydantic
boot = [m.__file__ for m in list(sys.modules.values())
        if (getattr(m, "__file__", None) or "").startswith("/lib/python314.zip/")
        and type(m.__loader__).__name__ == "zipimporter"]
json.dumps({"compiled": compiled, "from_zip": boot, "magic": importlib.util.MAGIC_NUMBER.hex(),
            "pydantic_cached": pydantic.__cached__})
`));
"""


def test_shipped_bytecode_is_what_pyodide_loads(site: Path, tmp_path: Path) -> None:
    """The stdlib zip and the wheels carry bytecode the runtime loads as is: nothing the boot
    and `import formsite.browser` need is compiled from source in the browser."""
    import subprocess

    npm = ROOT / "node_modules" / "pyodide"
    probe = tmp_path / "probe.mjs"
    probe.write_text(_NODE_PROBE % {"loader": json.dumps((npm / "pyodide.mjs").as_uri()),
                                    "dir": json.dumps(f"{site / 'pyodide'}/"),
                                    "npm": json.dumps(f"{npm}/")}, encoding="utf-8")
    proc = subprocess.run(["node", str(probe)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["compiled"] == []
    assert len(report["from_zip"]) > 50 and all(f.endswith(".pyc") for f in report["from_zip"])
    assert report["pydantic_cached"].endswith("/pydantic/__init__.pyc")  # shipped sourceless
    magic = bytes.fromhex(report["magic"])

    # Every .pyc has that magic and is an unchecked hash-based pyc (flags 0b01).
    import zipfile

    stdlib = zipfile.ZipFile(site / "pyodide" / "python_stdlib.zip")
    pycs = [n for n in stdlib.namelist() if n.endswith(".pyc")]
    assert len(pycs) > 100  # only what the engine loads (builder/stdlib_usage.py)
    for name in pycs:
        assert stdlib.read(name)[:8] == magic + b"\x01\0\0\0", name


def test_wheels_record_their_bytecode(site: Path) -> None:
    """Each shipped wheel is bytecode only (a sourceless x.pyc where x.py was) and lists it in
    RECORD with the right hash."""
    import base64
    import csv
    import hashlib
    import io
    import zipfile

    lock = json.loads((site / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    for package in lock["packages"].values():
        wheel = zipfile.ZipFile(site / "pyodide" / package["file_name"])
        names = [n for n in wheel.namelist() if not n.endswith("/")]
        record_name = next(n for n in names if n.endswith(".dist-info/RECORD"))
        rows = {row[0]: row[1:] for row in csv.reader(
            io.StringIO(wheel.read(record_name).decode("utf-8"))) if row}
        assert set(rows) == set(names), package["file_name"]
        assert not [n for n in names if n.endswith(".py")], package["file_name"]
        pycs = [n for n in names if n.endswith(".pyc")]
        assert pycs, package["file_name"]
        for name in pycs:
            data = wheel.read(name)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert rows[name] == ["sha256=" + digest.decode(), str(len(data))]


# ------------------------------------------------------------------------------------------
# The engine's memory snapshot, kept in the browser between visits (py-worker.js).

SNAPSHOT_RECORD = """async ([action, check]) => {
  const name = "engine " + new URL("pyodide/", location.href).href;
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open("formsite-runtime", 1);
    r.onupgradeneeded = () => r.result.createObjectStore("snapshot");
    r.onsuccess = () => ok(r.result);
    r.onerror = () => ko(r.error);
  });
  const store = (mode) => db.transaction("snapshot", mode).objectStore("snapshot");
  const get = () => new Promise((ok) => { const r = store("readonly").get(name); r.onsuccess = () => ok(r.result); });
  const put = (v) => new Promise((ok) => { const r = store("readwrite").put(v, name); r.onsuccess = () => ok(true); });
  const record = await get();
  let out = record ? {key: record.key, size: record.bytes.size, check: record.check} : null;
  if (record && action === "garble") {
    const bytes = new Uint8Array(await record.bytes.arrayBuffer());
    for (let i = bytes.length >> 1; i < bytes.length; i += 4096) bytes[i] ^= 0xff;
    await put({...record, bytes: new Blob([bytes])});
  } else if (record && action === "check") {
    await put({...record, check});
  } else if (record && action === "junk") {
    await put({...record, bytes: new Blob([new Uint8Array(1 << 20)])});
  }
  db.close();
  return out;
}"""


def _snapshot_stored(boot: Boot) -> bool:
    boot.page.wait_for_function(
        "window.msgs.some((m) => m.type === 'snapshot')", timeout=60_000)
    return any(m.get("stored") for m in boot.page.evaluate("window.msgs") if m["type"] == "snapshot")


def _reboot(boot: Boot, query: str = "") -> dict[str, Any]:
    boot.page.goto(boot.page.url.split("?")[0].split("index.html")[0] + "index.html" + query)
    boot.page.wait_for_function("window.done !== undefined", timeout=90_000)
    return boot.page.evaluate("window.done")


def test_engine_snapshot_makes_the_next_visit_a_restore(browser, serve_site, site, engine) -> None:
    from dossiers import valid_project_dossier

    served = serve_site()
    boot = _boot(browser, served.base_url)
    assert boot.done["type"] == "ready" and boot.done["restored"] is False
    assert _snapshot_stored(boot)
    record = boot.page.evaluate(SNAPSHOT_RECORD, [None, None])
    lock = json.loads((site / "pyodide" / "pyodide-lock.json").read_text("utf-8"))
    assert record["key"] == lock["tool"]["formsite"]["snapshot_key"]
    assert record["size"] > 10_000_000  # the whole memory of the started engine

    done = _reboot(boot)
    assert done["type"] == "ready" and done["restored"] == "local", done
    assert "snapshot restored" in done["phases"] and "python up" not in done["phases"]
    assert done["info"] == boot.done["info"]
    _assert_same_origin(boot, served.base_url)
    # The restored engine answers exactly as the engine does here, for valid and wrong data.
    for data in (valid_project_dossier(), {**valid_project_dossier(), "project_info": {}}):
        request = json.dumps({"dossier": "project", "data": data}, ensure_ascii=False)
        result = boot.call("validate", request)
        assert result["ok"] is True, result
        expected = engine.validate("project", data)
        assert json.loads(result["value"])["errors"] == [i.as_dict() for i in expected.errors]
    # What was never imported before the snapshot (the documents) still loads: the packages'
    # files are there after a restore too. The bundle opens again in the restored engine.
    request = json.dumps({"dossier": "project", "data": valid_project_dossier()}, ensure_ascii=False)
    exported = boot.call("export_bundle", request)
    assert exported["ok"] is True, exported
    bundle = json.loads(exported["value"])
    assert bundle["name"].endswith(".zip") and len(bundle["zip_base64"]) > 10_000
    opened = boot.call("import_bundle", json.dumps({"dossier": "project",
                                                     "file_base64": bundle["zip_base64"]}))
    assert opened["ok"] is True, opened
    boot.context.close()


@pytest.mark.parametrize("damage", ["garble", "check", "junk"])
def test_unusable_snapshot_is_dropped_and_the_engine_starts_afresh(browser, serve_site, damage) -> None:
    served = serve_site()
    boot = _boot(browser, served.base_url)
    assert _snapshot_stored(boot)
    boot.page.evaluate(SNAPSHOT_RECORD, [damage, "not what the engine answers"])

    done = _reboot(boot)
    if damage == "garble" and done["type"] == "ready":
        # Flipped bytes in free memory can go unnoticed; then the engine must still be right.
        assert done["restored"] == "local"
        assert boot.call("validate", json.dumps({"dossier": "project", "data": {}}))["ok"] is True
    else:
        # The worker says so (the page then starts one with ?snapshot=off) and forgets it.
        assert done == {**done, "type": "error", "code": "retry"}, done
        assert boot.page.evaluate(SNAPSHOT_RECORD, [None, None]) is None
        done = _reboot(boot, "?snapshot=off")
        assert done["type"] == "ready" and done["restored"] is False
        assert not [m for m in boot.page.evaluate("window.msgs") if m["type"] == "snapshot"]
        # Without ?snapshot=off the next start stores a fresh one, which the one after uses.
        done = _reboot(boot)
        assert done["type"] == "ready" and done["restored"] is False
        assert _snapshot_stored(boot)
        assert _reboot(boot)["restored"] == "local"
    boot.context.close()


def test_a_new_build_does_not_restore_the_old_snapshot(browser, serve_site) -> None:
    served = serve_site()
    boot = _boot(browser, served.base_url)
    assert _snapshot_stored(boot)
    # A different key is what a rebuild with anything changed gives (builder.pyodide_runtime.
    # snapshot_key); the stored record no longer matches it.
    def rebuilt(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace(
            '"snapshot_key": "', '"snapshot_key": "new-build-'))

    boot.context.route("**/pyodide-lock.json", rebuilt)
    done = _reboot(boot)
    assert done["type"] == "ready" and done["restored"] is False
    assert _snapshot_stored(boot)
    assert boot.page.evaluate(SNAPSHOT_RECORD, [None, None])["key"].startswith("new-build-")
    boot.context.close()


# The snapshot the build publishes for first visits over a fast link (builder/engine_snapshot.py).

@pytest.fixture(scope="module")
def published_site(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from concurrent.futures import ThreadPoolExecutor

    from builder.engine_snapshot import publish

    out = tmp_path_factory.mktemp("published") / "site"
    shutil.copytree(site, out)
    # In a thread of its own: the build drives its own Playwright, which does not nest in this
    # module's (sync_playwright is one per thread).
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(publish, out, None).result() is not None
    return out


def _served(directory: Path, stack: list[Any], **kwargs: Any) -> Served:
    from support.server import serve

    log: list[str] = []
    cm = serve(directory, sub_path=SUB_PATH, log=log, **kwargs)
    base = cm.__enter__()
    stack.append(cm)
    return Served(base, log)


def test_a_first_visit_over_a_fast_link_restores_the_published_snapshot(
        browser, published_site, engine) -> None:
    from dossiers import valid_project_dossier

    lock = json.loads((published_site / "pyodide" / "pyodide-lock.json").read_text("utf-8"))
    published = lock["tool"]["formsite"]["engine_snapshot"]
    assert (published_site / "pyodide" / published["file"]).stat().st_size == published["size"]
    assert published["file"] == f"engine-{lock['tool']['formsite']['snapshot_key']}.snapshot"
    stack: list[Any] = []
    try:
        served = _served(published_site, stack)
        # A new profile: nothing kept in this browser. (How fast loopback is depends on this
        # machine's load; ?link=fast says it is, the slow-link test below measures.)
        boot = _boot(browser, served.base_url, "?link=fast")
        assert boot.done["type"] == "ready" and boot.done["restored"] == "published", boot.done
        assert "published snapshot fetched" in boot.done["phases"]
        assert "python up" not in boot.done["phases"]
        _assert_same_origin(boot, served.base_url)
        data = {**valid_project_dossier(), "project_info": {}}
        result = boot.call("validate", json.dumps({"dossier": "project", "data": data}))
        expected = engine.validate("project", data)
        assert json.loads(result["value"])["errors"] == [i.as_dict() for i in expected.errors]
        exported = boot.call("export_bundle", json.dumps({"dossier": "project",
                                                          "data": valid_project_dossier()}))
        assert exported["ok"] is True, exported
        # Kept in this browser: the next visit does not download it again.
        assert _snapshot_stored(boot)
        served.log.clear()
        done = _reboot(boot, "?link=fast")
        assert done["restored"] == "local" and "published snapshot fetched" not in done["phases"]
        assert not [p for p in served.log if p.endswith(".snapshot")]
        boot.context.close()
    finally:
        for cm in reversed(stack):
            cm.__exit__(None, None, None)


def test_a_first_visit_over_a_slow_link_does_not_fetch_the_published_snapshot(
        browser, published_site) -> None:
    stack: list[Any] = []
    try:
        served = _served(published_site, stack)
        context = browser.new_context()
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        # 10 Mbit/s, 20 ms: a county's link to the city's intranet server.
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": 20, "downloadThroughput": 10_000_000 / 8,
            "uploadThroughput": 10_000_000 / 8})
        page.goto(served.base_url + "index.html")
        page.wait_for_function("window.done !== undefined", timeout=180_000)
        done = page.evaluate("window.done")
        assert done["type"] == "ready" and done["restored"] is False, done
        assert not [p for p in served.log if p.endswith(".snapshot")]
        context.close()
    finally:
        for cm in reversed(stack):
            cm.__exit__(None, None, None)


@pytest.mark.parametrize("trouble", ["hang", "missing"])
def test_a_published_snapshot_that_does_not_arrive_is_not_waited_for(
        browser, published_site, tmp_path, trouble) -> None:
    """Optional: a stalled or missing download of it only means a normal start."""
    directory = published_site
    if trouble == "missing":
        directory = tmp_path / "site"
        shutil.copytree(published_site, directory)
        for snapshot in (directory / "pyodide").glob("*.snapshot"):
            snapshot.unlink()
    stack: list[Any] = []
    try:
        served = _served(directory, stack, hang=(".snapshot",) if trouble == "hang" else ())
        started = time.monotonic()
        boot = _boot(browser, served.base_url, "?link=fast&stall=20000", timeout_s=40)
        assert boot.done["type"] == "ready" and boot.done["restored"] is False, boot.done
        assert [p for p in served.log if p.endswith(".snapshot")]  # it was asked for
        assert time.monotonic() - started < 30
        boot.context.close()
    finally:
        for cm in reversed(stack):
            cm.__exit__(None, None, None)


def test_a_wheel_that_differs_from_the_build_is_refused_by_name(browser, site, tmp_path) -> None:
    """The wheels are checked against the lock's sha256 (fetch integrity), and a mismatch says
    which file, not a generic failure."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    wheel = next((copy / "pyodide").glob("pydantic-*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    stack: list[Any] = []
    try:
        served = _served(copy, stack)
        boot = _boot(browser, served.base_url, "?snapshot=off", timeout_s=60)
        assert boot.done["type"] == "error" and boot.done["code"] == "boot", boot.done
        assert wheel.name in boot.done["text"] and "校验值不符" in boot.done["text"]
        boot.context.close()
    finally:
        for cm in reversed(stack):
            cm.__exit__(None, None, None)
