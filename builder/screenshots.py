"""Screenshots of the real pages for the guides, taken by the build's own browser run.

The staged site is served on a loopback port; Chromium opens each role's page, imports a
sample bundle the engine made (a project, the county carrying it, the city carrying the
county) and photographs what a person sees. Needs Playwright and a Chromium; without them the
build says so and the guides get a note instead of the picture.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from formsite.engine import Engine

from .serve import serving

SAMPLES = Path(__file__).with_name("screenshot-samples.yaml")
SCREENSHOT_PAGES = ("project", "county", "city")
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def browser_path() -> str | None:
    return next((p for p in CHROMIUM if Path(p).is_file()), None)


def sample_bundles(engine: Engine) -> dict[str, tuple[str, bytes]]:
    """dossier → (file name, bundle) for the samples, fitted to the rule set being built:
    fields it does not have are left out, the progress plan follows its milestones."""
    samples: dict[str, Any] = yaml.safe_load(SAMPLES.read_text(encoding="utf-8"))
    params = engine.definitions.ruleset.parameters
    project = samples["project"]
    milestones = [row["deadline"] for row in params.get("progress_milestones") or []]
    project["project_info"]["progress_plan"] = [
        {**row, "deadline": deadline}
        for row, deadline in zip(project["project_info"]["progress_plan"], milestones, strict=False)]
    if milestones:
        project["project_info"]["start_month"] = f"{params['data_year']}-03"
        project["project_info"]["end_month"] = milestones[-1][:7]
    bundles: dict[str, tuple[str, bytes]] = {}
    carried: list[tuple[str, bytes]] = []
    for dossier in SCREENSHOT_PAGES:
        sample = dict(samples[dossier])
        each_row = sample.pop("each_attached_row", None)
        data = engine.sync_rows(dossier, _known(engine, dossier, sample), carried)
        adef = engine.compiled(dossier).dossier.attachments
        if adef is not None and each_row:
            form, table = adef.table.split(".")
            data[form][table] = [{**row, **each_row} for row in data[form][table]]
        name, content, _ = engine.export(dossier, data, carried)
        bundles[dossier] = (name, content)
        carried = [(name, content)]
    return bundles


def _known(engine: Engine, dossier: str, data: dict[str, Any]) -> dict[str, Any]:
    forms = engine.definitions.forms
    return {form: {k: v for k, v in values.items() if k in {f.id for f in forms[form].fields()}}
            for form, values in data.items() if form in engine.compiled(dossier).dossier.forms}


def take_screenshots(engine: Engine, site: Path, out: Path) -> list[str]:
    """PNGs of the role pages into ``out``; returns their names (without .png)."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    taken = []
    with tempfile.TemporaryDirectory() as tmp, serving(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path(),
                                    args=["--no-sandbox", "--disable-gpu"])
        # One context for all pages: the runtime is fetched and compiled once, from its cache.
        # bypass_csp: waiting on a page condition evaluates a string, which the site's policy
        # rightly forbids to the page itself.
        context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        try:
            # Every page starts its engine at once; then each is filled and photographed.
            pages = {}
            for dossier in SCREENSHOT_PAGES:
                pages[dossier] = context.new_page()
                pages[dossier].on("dialog", lambda dialog: dialog.accept())
                pages[dossier].goto(f"{base}{dossier}.html")
            for dossier, (name, content) in sample_bundles(engine).items():
                path = Path(tmp) / name
                path.write_bytes(content)
                page = pages[dossier]
                page.wait_for_selector("body[data-engine=ready]", timeout=60_000)
                page.locator("#import-file").set_input_files(str(path))
                page.locator("#notice").filter(has_text="已导入").wait_for(timeout=30_000)
                page.wait_for_function("!document.body.dataset.pending && "
                                       "document.body.dataset.validated", timeout=30_000)
                page.wait_for_timeout(300)  # the notice and the list settle
                page.screenshot(path=out / f"{dossier}.png")
                taken.append(dossier)
                if dossier == "project":
                    field = page.get_by_label("净资产（万元）", exact=True)
                    field.fill("99999")
                    field.blur()
                    page.wait_for_function("!document.body.dataset.pending", timeout=30_000)
                    page.wait_for_timeout(300)
                    # The part of the form around the field: its red message in place.
                    # (the toolbar stays at the top of the window, not over the picture)
                    field.locator("xpath=ancestor::fieldset[1]").screenshot(
                        path=out / "project-errors.png", style=".toolbar { position: static; }")
                    taken.append("project-errors")
        finally:
            browser.close()
    return taken


def _inputs_key(site: Path) -> str:
    """What the pictures depend on: every file of the staged site (pages, scripts, runtime,
    definitions), the samples and this module."""
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        digest.update(path.relative_to(site).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(SAMPLES.read_bytes() + Path(__file__).read_bytes())
    return digest.hexdigest()[:32]


def screenshots_or_notice(engine: Engine, site: Path, out: Path, *, wanted: bool,
                          runtime: bool, cache: Path | None = None) -> Path | None:
    """The screenshots folder, or None with a printed notice saying why there are none.
    ``cache``: pictures of the same inputs are taken once and reused (same bytes, no wait)."""
    why = ("--no-screenshots" if not wanted else
           "--no-runtime：网站没有校验引擎" if not runtime else
           "本机没有 Chromium" if browser_path() is None else
           "没有安装 Playwright" if not _has_playwright() else "")
    if why:
        print(f"说明文档不含页面截图（{why}），各指南中以文字说明代替。")
        return None
    kept = cache / _inputs_key(site) if cache is not None else None
    if kept is not None and kept.is_dir():
        shutil.copytree(kept, out, dirs_exist_ok=True)
        print("说明文档截图：页面与示例未变，沿用上次的截图。")
        return out
    started = time.perf_counter()
    taken = take_screenshots(engine, site, out)
    print(f"说明文档截图 {len(taken)} 张（{time.perf_counter() - started:.1f} 秒）")
    if kept is not None:
        shutil.rmtree(cache, ignore_errors=True)  # only the latest pictures are kept
        shutil.copytree(out, kept)
    return out


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True
