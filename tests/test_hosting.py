"""The built site behind real servers: Debian's nginx with the snippet the build ships, Debian's
Apache with the .htaccess it ships, and a deliberately poor server (wrong MIME types, no
compression), all under a sub-path.

Needs a built dist/ (FORMSITE_DIST names another folder; the fixture builds it when missing),
nginx and apache2 (scripts/setup.sh installs both). The headers are read from the servers
themselves; Chromium then opens the project page there, types by label and must get the
engine's own message.
"""

from __future__ import annotations

import gzip
import html
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.server import serve
from support.webservers import apache_binary, nginx_binary, run_apache, run_nginx
from test_browser import browser, field, settled, wait_ready  # noqa: F401

from builder.hosting import (
    CACHE_IMMUTABLE,
    CACHE_REVALIDATE,
    MIME_TYPES,
    NGINX_SNIPPET,
    HostingError,
    header_policy,
    nginx_snippet,
    write_server_configs,
)
from builder.site import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parents[1]
DIST = Path(os.environ.get("FORMSITE_DIST") or ROOT / "dist").resolve()
SUB_PATH = "/forms/2025/"

SERVERS = {"nginx": (nginx_binary, run_nginx), "apache": (apache_binary, run_apache)}


def start(server: str, dist: Path):
    """The named server serving ``dist`` at SUB_PATH (a context manager yielding its URL)."""
    binary, run = SERVERS[server]
    if binary() is None:
        pytest.skip(f"{server} is not installed (scripts/setup.sh installs it)")
    return run(dist, SUB_PATH)


@pytest.fixture(scope="module")
def dist() -> Path:
    if not (DIST / "pyodide" / "pyodide-lock.json").is_file():
        subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(DIST)], check=True)
    return DIST


@pytest.fixture(scope="module")
def published(dist: Path) -> Iterator[Path]:
    """dist/ as an administrator publishes it: copied into a world-readable folder (the
    servers' workers run as www-data, and a checkout may sit under a private directory, e.g.
    a 0700 ``mktemp -d``)."""
    import shutil

    with tempfile.TemporaryDirectory(prefix="formsite-published-") as name:
        folder = Path(name)
        folder.chmod(0o755)
        shutil.copytree(dist, folder / "site")
        yield folder / "site"


@pytest.fixture(scope="module", params=sorted(SERVERS))
def served(request, published):
    with start(request.param, published) as base_url:
        yield base_url


def get(url: str, *, accept_gzip: bool = False) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if accept_gzip else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


# --- what the build writes ----------------------------------------------------------------------

def test_every_server_gets_the_pages_policy_as_a_header(dist: Path) -> None:
    policy = header_policy()
    # The header is the meta policy plus what only a header can carry.
    assert policy == CONTENT_SECURITY_POLICY + "; frame-ancestors 'none'"
    page = (dist / "project.html").read_text(encoding="utf-8")
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert meta and html.unescape(meta.group(1)) == CONTENT_SECURITY_POLICY
    assert f'add_header Content-Security-Policy "{policy}" always;' in (
        dist / NGINX_SNIPPET).read_text(encoding="utf-8")
    assert f'Header always set Content-Security-Policy "{policy}"' in (
        dist / ".htaccess").read_text(encoding="utf-8")
    iis = ET.parse(dist / "web.config").getroot()
    headers = {e.get("name"): e.get("value") for e in iis.iter("add")}
    assert headers["Content-Security-Policy"] == policy
    mime = {e.get("fileExtension"): e.get("mimeType") for e in iis.iter("mimeMap")}
    assert mime[".wasm"] == "application/wasm" and mime[".whl"] == "application/octet-stream"
    assert mime[".js"].startswith("text/javascript") and mime[".mjs"].startswith("text/javascript")
    # Every extension IIS is told about is first removed (a duplicate is a 500.19 error).
    removed = [e.get("fileExtension") for e in iis.iter("remove") if e.get("fileExtension")]
    assert sorted(removed) == sorted(mime) == sorted(MIME_TYPES)
    assert iis.find("system.webServer/staticContent/clientCache").get(
        "cacheControlMode") == "DisableCache"


def test_a_file_without_a_known_type_stops_the_build(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html>", encoding="utf-8")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "logo.bmp").write_bytes(b"BM")
    with pytest.raises(HostingError, match=r"static/logo\.bmp"):
        write_server_configs(tmp_path)


# --- nginx and Apache: headers ------------------------------------------------------------------

@pytest.mark.parametrize(("path", "mime"), [
    ("", "text/html; charset=utf-8"),
    ("project.html", "text/html; charset=utf-8"),
    ("definitions.json", "application/json; charset=utf-8"),
    ("py-worker.js", "text/javascript; charset=utf-8"),
    ("sw.js", "text/javascript; charset=utf-8"),
    ("static/app.js", "text/javascript; charset=utf-8"),
    ("pyodide/pyodide.asm.wasm", "application/wasm"),
    ("pyodide/pyodide.asm.mjs.js", "text/javascript; charset=utf-8"),
    ("pyodide/pyodide-lock.json", "application/json; charset=utf-8"),
    ("pyodide/python_stdlib.zip", "application/zip"),
])
def test_server_sends_types_policy_and_revalidation(served: str, path: str, mime: str) -> None:
    status, headers, _ = get(served + path)
    assert status == 200
    assert headers["content-type"] == mime
    assert headers["content-security-policy"] == header_policy()
    assert headers["x-content-type-options"] == "nosniff"
    # Not content-addressed (dist/pyodide/ keeps its names across versions): revalidated.
    assert headers["cache-control"] == CACHE_REVALIDATE
    assert "etag" in headers and "last-modified" in headers  # so revalidation is a 304


def test_server_sends_every_wheel_and_the_runtime_compressed(served: str, dist: Path) -> None:
    for wheel in sorted((dist / "pyodide").glob("*.whl")):
        status, headers, body = get(f"{served}pyodide/{wheel.name}")
        assert (status, headers["content-type"], len(body)) == (
            200, "application/octet-stream", wheel.stat().st_size)
    wasm = dist / "pyodide" / "pyodide.asm.wasm"
    status, headers, body = get(served + "pyodide/pyodide.asm.wasm", accept_gzip=True)
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert headers["content-type"] == "application/wasm"
    assert "Accept-Encoding" in headers["vary"]
    assert len(body) < wasm.stat().st_size * 0.6
    assert gzip.decompress(body) == wasm.read_bytes()
    status, headers, body = get(served + "pyodide/pyodide.asm.wasm")  # no gzip accepted
    assert "content-encoding" not in headers and body == wasm.read_bytes()
    # Outside the published path nothing is served.
    assert get(served.replace(SUB_PATH, "/") + "project.html")[0] in (403, 404)


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_runtime_folder_is_immutable_and_precompressed_files_are_used(server: str) -> None:
    """A content-addressed runtime folder (dist/runtime/<hash>/) is cached for a year, the rest
    revalidated; a *.gz sibling is sent as the file itself, gzip-encoded."""
    # World-readable, as a copied dist/ is (Apache started by root serves as www-data).
    with tempfile.TemporaryDirectory(prefix="formsite-site-") as name:
        site = Path(name)
        site.chmod(0o755)
        _runtime_folder_is_immutable(server, site)


def _runtime_folder_is_immutable(server: str, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title>", encoding="utf-8")
    runtime = tmp_path / "runtime" / "3f2a9c1d"
    runtime.mkdir(parents=True)
    wasm = bytes(range(256)) * 64
    (runtime / "pyodide.asm.wasm").write_bytes(wasm)
    (runtime / "pyodide.asm.wasm.gz").write_bytes(gzip.compress(wasm))
    written = write_server_configs(tmp_path)
    assert tmp_path / "runtime" / "3f2a9c1d" / ".htaccess" in written
    iis = ET.parse(tmp_path / "web.config").getroot()
    assert [loc.get("path") for loc in iis.iter("location")] == ["runtime/3f2a9c1d"]
    with start(server, tmp_path) as base:
        _, page, _ = get(base)
        assert page["cache-control"] == CACHE_REVALIDATE
        status, headers, body = get(base + "runtime/3f2a9c1d/pyodide.asm.wasm", accept_gzip=True)
        assert status == 200
        assert headers["cache-control"] == CACHE_IMMUTABLE
        assert headers["content-type"] == "application/wasm"
        assert headers["content-security-policy"] == header_policy()
        assert headers["content-encoding"] == "gzip"
        assert body == (runtime / "pyodide.asm.wasm.gz").read_bytes()  # the file, not recompressed
        _, plain, body = get(base + "runtime/3f2a9c1d/pyodide.asm.wasm")
        assert "content-encoding" not in plain and body == wasm


# --- the page in Chromium -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium(browser):  # noqa: F811  (the browser tests' Chromium)
    return browser


def engine_checks_the_page(browser, base_url: str) -> dict[str, str]:  # noqa: F811
    """Open the project page at ``base_url``, type two figures by their labels and read the
    engine's message. Returns the response headers of the worker script."""
    context = browser.new_context()
    requests: list[str] = []
    worker_headers: dict[str, str] = {}
    violations: list[str] = []

    def on_response(response) -> None:
        if response.url.endswith("/py-worker.js"):
            worker_headers.update(response.headers)

    context.on("request", lambda request: requests.append(request.url))
    context.on("response", on_response)
    page = context.new_page()
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text else None)
    try:
        page.goto(base_url + "project.html")
        wait_ready(page)  # the engine answered from Pyodide, not the pre-engine checks
        field(page, "总资产（万元）").fill("5,200.50")
        net = field(page, "净资产（万元）")
        net.fill("6000")
        net.press("Tab")
        settled(page)
        assert net.get_attribute("aria-invalid") == "true"
        message = page.locator("#" + net.get_attribute("aria-describedby").split()[-1])
        # A rule between two fields, with the engine's number format: only Python says this.
        assert "净资产为6000.00万元，不能大于总资产（5200.50万元）" in message.text_content()
        assert violations == []
        origin = re.match(r"https?://[^/]+", base_url).group(0)
        outside = [u for u in requests if not u.startswith((base_url, "blob:", "data:"))]
        assert outside == [], f"requests outside {base_url} (origin {origin})"
        assert any(u.endswith("pyodide/pyodide.asm.wasm") for u in requests)
    finally:
        context.close()
    return worker_headers


@pytest.mark.browser
def test_page_validates_under_the_policy_header(chromium, served: str) -> None:
    worker = engine_checks_the_page(chromium, served)
    # The worker ran under the header policy (a page's <meta> does not reach a worker).
    assert worker["content-security-policy"] == header_policy()


@pytest.mark.browser
def test_page_validates_behind_a_poor_server(chromium, dist: Path) -> None:
    """A server that knows none of the runtime's types and never compresses."""
    octet = "application/octet-stream"
    log: list[str] = []
    overrides = {".wasm": octet, ".mjs": octet, ".whl": octet, ".json": octet}
    with serve(dist, overrides, sub_path=SUB_PATH, log=log) as base_url:
        status, headers, _ = get(base_url + "pyodide/pyodide.asm.wasm", accept_gzip=True)
        assert (status, headers["content-type"]) == (200, octet)
        assert "content-encoding" not in headers and "content-security-policy" not in headers
        engine_checks_the_page(chromium, base_url)
    assert any(p.endswith(".whl") for p in log) and any(p.endswith("definitions.json") for p in log)


@pytest.mark.browser
@pytest.mark.parametrize(("allow_wasm", "engine"), [(True, "ready"), (False, "failed")])
def test_the_header_policy_governs_the_worker(chromium, dist: Path, tmp_path: Path,
                                              allow_wasm: bool, engine: str) -> None:
    """Why the policy names 'wasm-unsafe-eval': without it in the header the worker may not
    compile WebAssembly and the engine never starts (the page keeps the form and says so),
    although the pages' <meta> still allows it. So the header, not the <meta>, is what the
    worker obeys, and the tests above ran Pyodide under it."""
    if nginx_binary() is None:
        pytest.skip("nginx is not installed (scripts/setup.sh installs it)")
    site = tmp_path / "site"  # the built site, with only the nginx snippet changed
    site.mkdir()
    for entry in dist.iterdir():
        if entry.name != "deploy":
            (site / entry.name).symlink_to(entry)
    policy = CONTENT_SECURITY_POLICY
    if not allow_wasm:
        policy = policy.replace(" 'wasm-unsafe-eval'", "")
        assert policy != CONTENT_SECURITY_POLICY
    (site / NGINX_SNIPPET).parent.mkdir()
    (site / NGINX_SNIPPET).write_text(nginx_snippet(header_policy(policy), []), encoding="utf-8")
    context = chromium.new_context()
    try:
        with run_nginx(site, SUB_PATH) as base_url:
            page = context.new_page()
            page.goto(base_url + "project.html")
            page.wait_for_selector("body[data-engine=ready], body[data-engine=failed]",
                                   timeout=120_000)
            assert page.locator("body").get_attribute("data-engine") == engine
            if not allow_wasm:  # the person (and the administrator) is told the real cause
                assert "script-src 中加入 'wasm-unsafe-eval'" in page.locator("#engine-text").text_content()
    finally:
        context.close()
