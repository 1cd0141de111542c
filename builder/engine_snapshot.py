"""Publish a snapshot of the started engine with the site: ``pyodide/engine-<key>.snapshot``.

py-worker.js keeps a memory snapshot of the started engine in each browser after its first
start (IndexedDB), so later visits restore it instead of starting Python and importing the
engine. A first visit has none yet; over a fast link it can fetch this published one instead
(about 8 MB, gzip-compressed by us so any server sends it as is), and restore it. Over a slow
link the worker does not fetch it and starts the normal way.

The snapshot is taken by the site's own worker in headless Chromium, exactly as a browser takes
its own (``?snapshot=export``), served from the staged site on a loopback port: the same
runtime, wheels, standard library, definitions and worker, which is what the key in its name
and in the lock (``tool.formsite.snapshot_key``, builder/pyodide_runtime.py) stands for. The
worker checks the key and the answer to a fixed call after restoring, and starts the normal way
if either differs. Cached in ``.cache/engine-snapshot/`` by that key.

The file: ``FSNP1\\n``, a 4-byte little-endian length, a JSON header ``{key, check, info}``,
then the snapshot compressed with gzip.
"""

from __future__ import annotations

import gzip
import json
import shutil
import struct
import tempfile
import time
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

from .screenshots import _has_playwright, browser_path
from .serve import SiteRequestHandler, serving

MAGIC = b"FSNP1\n"
HARNESS_NAME = "__engine_snapshot.html"
UPLOAD_NAME = "__engine_snapshot.bin"
DEFAULT_CACHE = Path(__file__).resolve().parents[1] / ".cache" / "engine-snapshot"

# The site's own worker, told to hand its snapshot over; the page uploads it to the build's
# server (a PUT to UPLOAD_NAME), then says so.
HARNESS = """<!doctype html><meta charset="utf-8"><body><script type="module">
const worker = new Worker(new URL("py-worker.js?snapshot=export", location.href), {type: "module"});
worker.onmessage = async ({data}) => {
  if (data.type === "error") document.body.dataset.error = data.text || data.code;
  if (data.type === "snapshot") document.body.dataset.error = "no snapshot";
  if (data.type !== "snapshot-export") return;
  const header = new TextEncoder().encode(JSON.stringify({key: data.key, check: data.check, info: data.info}));
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, header.length, true);
  const response = await fetch("__UPLOAD__", {method: "PUT", body: new Blob([length, header, data.bytes])});
  document.body.dataset.done = response.ok ? "ok" : String(response.status);
};
</script>""".replace("__UPLOAD__", UPLOAD_NAME)


class EngineSnapshotError(RuntimeError):
    """The worker did not hand over a snapshot."""


def _upload_handler(target: Path) -> type[SimpleHTTPRequestHandler]:
    class Handler(SiteRequestHandler):
        accepted: ClassVar[Path] = target

        def do_PUT(self) -> None:
            if self.path.split("?")[0].rsplit("/", 1)[-1] != UPLOAD_NAME:
                self.send_error(403)
                return
            length = int(self.headers.get("Content-Length", "0"))
            with self.accepted.open("wb") as fh:
                remaining = length
                while remaining:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    fh.write(chunk)
                    remaining -= len(chunk)
            self.send_response(204 if remaining == 0 else 400)
            self.end_headers()

    return Handler


def take(site: Path, timeout_s: float = 180) -> bytes:
    """The uploaded ``length + header + snapshot`` from the site's worker in Chromium."""
    from playwright.sync_api import sync_playwright

    harness = site / HARNESS_NAME
    harness.write_text(HARNESS, encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory() as tmp, \
                serving(site, _upload_handler(Path(tmp) / UPLOAD_NAME)) as base, \
                sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_path(),
                                        args=["--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_context(service_workers="block").new_page()
                page.goto(base + HARNESS_NAME)
                page.wait_for_selector("body[data-done], body[data-error]", state="attached",
                                       timeout=timeout_s * 1000)
                if page.evaluate("document.body.dataset.done") != "ok":
                    raise EngineSnapshotError(
                        f"the worker gave no snapshot: {page.evaluate('document.body.dataset.error')}")
            finally:
                browser.close()
            return (Path(tmp) / UPLOAD_NAME).read_bytes()
    finally:
        harness.unlink(missing_ok=True)


def publish(site: Path, cache: Path | None = DEFAULT_CACHE) -> Path | None:
    """Write the snapshot file into ``site/pyodide/`` and list it in the lock; returns its path,
    or None (with a printed notice) where no browser can take it (the site still works: every
    browser then starts the normal way and keeps its own snapshot)."""
    lock_path = site / "pyodide" / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    key = lock["tool"]["formsite"]["snapshot_key"]
    name = f"engine-{key}.snapshot"
    kept = cache / name if cache is not None else None
    target = site / "pyodide" / name
    if kept is not None and kept.is_file():
        shutil.copyfile(kept, target)
    else:
        why = ("本机没有 Chromium" if browser_path() is None else
               "没有安装 Playwright" if not _has_playwright() else "")
        if why:
            print(f"未发布启动好的校验引擎（{why}）：各浏览器第一次打开时正常启动。")
            return None
        started = time.perf_counter()
        try:
            uploaded = take(site)
        except Exception as exc:
            print(f"未发布启动好的校验引擎（浏览器中启动失败：{str(exc).splitlines()[0][:200]}）："
                  "各浏览器第一次打开时正常启动。")
            return None
        (length,) = struct.unpack("<I", uploaded[:4])
        header = json.loads(uploaded[4:4 + length])
        if header.get("key") != key:
            raise EngineSnapshotError(f"the worker's snapshot is for {header.get('key')}, not {key}")
        with target.open("wb") as fh:
            fh.write(MAGIC + uploaded[:4 + length])
            fh.write(gzip.compress(uploaded[4 + length:], compresslevel=6, mtime=0))
        print(f"已发布启动好的校验引擎（{target.stat().st_size / 1e6:.1f} MB，"
              f"{time.perf_counter() - started:.1f} 秒）")
        if kept is not None:
            shutil.rmtree(cache, ignore_errors=True)  # only the latest build's is kept
            cache.mkdir(parents=True)
            shutil.copyfile(target, kept)
    lock["tool"]["formsite"]["engine_snapshot"] = {"file": name, "size": target.stat().st_size}
    lock_path.write_text(json.dumps(lock, indent=1), encoding="utf-8")
    return target
