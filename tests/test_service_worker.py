"""The service worker: a second visit asks the server for nothing the build made, the page
opens and validates with the server stopped, a new build replaces the cache and says so, and
with service workers blocked the page works from the network as before.

Needs a built site (FORMSITE_DIST names another folder than dist/; built when missing). Each
test serves its own copy under a sub-path, so it can stop the server or publish a new build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_browser import browser  # noqa: F401  (the Chromium of the browser tests)

from builder.service_worker import read_build, write_build

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
DIST = Path(os.environ.get("FORMSITE_DIST") or ROOT / "dist").resolve()
SUB_PATH = "/county/offices/forms/"


@pytest.fixture(scope="module")
def built() -> Path:
    if not (DIST / "sw.js").is_file():
        subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(DIST)], check=True)
    return DIST


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(built, copy)
    return copy


def precached(site: Path) -> list[str]:
    return read_build((site / "sw.js").read_text(encoding="utf-8"))["files"]


def open_ready(context, url: str):
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("body[data-engine=ready]", timeout=90_000)
    return page


def engine_says_name_is_required(page) -> None:
    name = page.get_by_label("项目名称", exact=True)
    name.fill("   ")
    name.press("Tab")
    page.wait_for_selector("body[data-validated]:not([data-pending])", state="attached", timeout=15_000)
    assert name.get_attribute("aria-invalid") == "true"
    assert "请填写项目名称" in page.locator("#summary-list").text_content()


def wait_controlled(page) -> None:
    """Until the service worker is active and controls the page (it registers once the engine
    is ready and then caches the build)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for _ in range(100):  # polled: the pages' CSP forbids the eval a predicate string needs
        if page.evaluate("Boolean(navigator.serviceWorker.controller)"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the service worker never took control of the page")


def test_second_visit_asks_nothing_and_the_page_works_with_the_server_stopped(browser, site):  # noqa: F811
    from support.server import serve

    files = precached(site)
    assert {"project.html", "definitions.json", "py-worker.js", "pyodide/pyodide.asm.wasm",
            "pyodide/python_stdlib.zip", "static/app.js"} <= set(files)
    assert not [f for f in files if f.endswith(".gz") or f.startswith("docs/")]
    context = browser.new_context()
    log: list[str] = []
    with serve(site, sub_path=SUB_PATH, log=log) as base:
        first = open_ready(context, base + "project.html")
        wait_controlled(first)
        # The engine's own snapshot is kept (py-worker.js) before the next visit: then that visit
        # asks for nothing, not even the published snapshot.
        first.wait_for_selector("body[data-engine-snapshot=stored]", state="attached",
                                timeout=60_000)
        names = first.evaluate("""async () => {
            const keys = await caches.keys();
            const cache = await caches.open(keys[0]);
            return [keys.length, (await cache.keys()).length];
        }""")
        assert names == [1, len(files)]
        first.close()
        log.clear()
        second = open_ready(context, base + "project.html")
        engine_says_name_is_required(second)
        asked = [p.removeprefix(SUB_PATH) for p in log]
        # Only the browser's own update check of sw.js may reach the server.
        assert [p for p in asked if p != "sw.js"] == [], asked
        second.close()
    # The server is gone: the page still opens, the engine starts and validates.
    offline = open_ready(context, base + "project.html")
    engine_says_name_is_required(offline)
    context.close()


def test_a_new_build_replaces_the_cache_and_says_a_new_rule_set_is_active(browser, site):  # noqa: F811
    from support.server import serve

    context = browser.new_context()
    with serve(site, sub_path=SUB_PATH) as base:
        page = open_ready(context, base + "project.html")
        wait_controlled(page)
        page.get_by_label("承担单位名称", exact=True).fill("安吉优选跨境电子商务有限公司")
        page.get_by_label("承担单位名称", exact=True).press("Tab")
        page.wait_for_selector("body[data-validated]:not([data-pending])", state="attached")
        old_caches = page.evaluate("caches.keys()")
        # Publish a "new build": same files, another version and rule set in sw.js.
        sw = site / "sw.js"
        text = sw.read_text(encoding="utf-8")
        build = {**read_build(text), "version": "nextbuild0000000",
                 "ruleset": "下一年度规则集（版本 2025.1）"}
        sw.write_text(write_build(text, build), encoding="utf-8")
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        notice = page.locator("#sw-update")
        notice.wait_for(timeout=60_000)
        assert "新的规则集“下一年度规则集（版本 2025.1）”已生效" in notice.text_content()
        assert "不会丢失" in notice.text_content()
        assert page.evaluate("caches.keys()") == ["formsite-nextbuild0000000"] != old_caches
        notice.get_by_role("button", name="刷新页面").click()
        page.wait_for_selector("body[data-engine=ready]", timeout=90_000)
        assert page.get_by_label("承担单位名称", exact=True).input_value() == "安吉优选跨境电子商务有限公司"
    context.close()


def test_the_page_validates_with_service_workers_blocked(browser, site):  # noqa: F811
    from support.server import serve

    context = browser.new_context(service_workers="block")
    log: list[str] = []
    with serve(site, sub_path=SUB_PATH, log=log) as base:
        page = open_ready(context, base + "project.html")
        engine_says_name_is_required(page)
        assert page.evaluate("Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)") is False
        assert SUB_PATH + "sw.js" not in log
    context.close()
