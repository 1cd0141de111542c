"""Benchmark of the built site in headless Chromium; prints figures, asserts nothing.

    .venv/bin/python bench/run.py [--runs 3] [--calls 300]

Reference and subject are measured in the same run on the same server:
- stock: a module worker running loadPyodide() from the npm package as published;
- bare:  the same from dist/pyodide/ (our precompiled stdlib: the floor of our page);
- ready: the dossier page, from navigation until its validators are ready in the worker;
- round trip: page → worker → pydantic validation of a full 附件3+附件4 with 50 fund items
  → page, p50/p95 over many calls, against one animation frame (16.7 ms);
- a city's 附件5: 500 project dossiers inside 4 county bundles (a tier-1 city's quota), imported into city.html's
  worker, revalidated and exported with 附件5 (DOCX + .xlsx), against the same work in CPython;
- bytes of dist/ (and of dist/pyodide/).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "src"), str(ROOT)]

from dossiers import valid_project_dossier  # noqa: E402
from support.server import serve  # noqa: E402

KINDS = ("stock", "bare", "ready")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# A worker created from a blob cannot resolve relative URLs, so it gets the absolute base.
BARE_PAGE = """<!doctype html><meta charset="utf-8"><body><script type="module">
const base = new URL("pyodide/", location.href).href;
const src = `const t0 = performance.now();
const [{ loadPyodide }, asm] = await Promise.all([
  import("${base}pyodide.mjs.js"), import("${base}pyodide.asm.mjs.js")]);
await loadPyodide({ indexURL: "${base}", createPyodideModule: asm.default });
postMessage(performance.now() - t0);`;
const w = new Worker(URL.createObjectURL(new Blob([src], {type: "text/javascript"})), {type: "module"});
w.onmessage = (e) => { document.body.dataset.ms = e.data; };
w.onerror = (e) => { document.body.dataset.error = e.message || "error"; };
</script>"""


STOCK_PAGE = """<!doctype html><meta charset="utf-8"><body><script type="module">
const base = new URL("__bench_stock/", location.href).href;
const src = `const t0 = performance.now();
const { loadPyodide } = await import("${base}pyodide.mjs");
await loadPyodide({ indexURL: "${base}" });
postMessage(performance.now() - t0);`;
const w = new Worker(URL.createObjectURL(new Blob([src], {type: "text/javascript"})), {type: "module"});
w.onmessage = (e) => { document.body.dataset.ms = e.data; };
w.onerror = (e) => { document.body.dataset.error = e.message || "error"; };
</script>"""


def fifty_item_dossier() -> dict:
    data = valid_project_dossier()
    categories = ["equipment", "software", "technology", "information", "construction", "other"]
    items = {c: [] for c in categories}
    for i in range(50):
        items[categories[i % 6]].append(
            {"name": f"明细{i + 1}", "spent": f"{i}.{i % 100:02d}", "planned": "1,000.5", "note": "备注"})
    data["fund_details"] = items
    data["project_info"]["subsidy_requested"] = "300"
    data["project_info"]["total_investment"] = "100000"
    return data


def city_counties(projects: int = 500, counties: int = 4) -> list[tuple[str, bytes]]:
    """County bundles of one city holding ``projects`` project bundles in all (made in CPython)."""
    from test_chain import county_bundle, export_projects, project

    from formsite.engine import Engine
    from formsite.loader import default_paths, load_definitions

    engine = Engine.from_definitions(load_definitions(*default_paths(ROOT)))
    names = engine.definitions.ruleset.parameters["divisions"]["counties_by_city"]["杭州市"][:counties]
    out = []
    for county in names:
        dossiers = [project(f"{county}重点项目{i + 1}", county=county, city="杭州市")
                    for i in range(projects // counties)]
        out.append((f"{county}.zip", county_bundle(engine, export_projects(engine, *dossiers),
                                                   county=county, city="杭州市")[1]))
    return out


def city_in_cpython(counties: list[tuple[str, bytes]]) -> float:
    """The same city work in CPython, with a fresh engine (nothing cached): the reference."""
    import time

    from test_chain import city_bundle

    from formsite.engine import Engine
    from formsite.loader import default_paths, load_definitions

    engine = Engine.from_definitions(load_definitions(*default_paths(ROOT)))
    started = time.perf_counter()
    city_bundle(engine, counties, tier="1", city="杭州市")
    return (time.perf_counter() - started) * 1000


CITY_IN_PAGE = """async ([files, cityData]) => {
    const call = window.formsiteEngine.call;
    const t0 = performance.now();
    const { items } = JSON.parse(await call("put_attachments", JSON.stringify({ dossier: "city", files })));
    const refs = items.map((i) => i.sha256);
    const ask = (fn, data) => call(fn, JSON.stringify({ dossier: "city", data, attachments: refs }));
    const { data } = JSON.parse(await ask("sync_rows", cityData));
    for (const row of data.city_list.counties) row.opinion = "推荐。";
    const t1 = performance.now();
    const verdict = JSON.parse(await ask("validate", data));
    const t2 = performance.now();
    const bundle = JSON.parse(await ask("export_bundle", data));
    const t3 = performance.now();
    return { open_ms: t1 - t0, validate_ms: t2 - t1, export_ms: t3 - t2, total_ms: t3 - t0,
             errors: verdict.errors.length, bundle_bytes: bundle.zip_base64.length * 3 / 4 };
}"""


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure(runs: int, calls: int, city: list[tuple[str, bytes]] | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    dist = ROOT / "dist"
    (dist / "__bench_bare.html").write_text(BARE_PAGE, encoding="utf-8")
    (dist / "__bench_stock.html").write_text(STOCK_PAGE, encoding="utf-8")
    stock = dist / "__bench_stock"
    shutil.copytree(ROOT / "node_modules" / "pyodide", stock, dirs_exist_ok=True)
    results: dict = {f"{k}_{t}": [] for k in KINDS for t in ("cold", "warm")}
    try:
        with serve(dist) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for _ in range(runs):
                for kind in KINDS:
                    context = browser.new_context()  # empty cache: cold
                    page = context.new_page()
                    for temperature in ("cold", "warm"):
                        results[f"{kind}_{temperature}"].append(_load(page, base, kind))
                    context.close()
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + "project.html")
            page.wait_for_selector("body[data-engine=ready]", timeout=120_000)
            request = json.dumps({"dossier": "project", "data": fifty_item_dossier()}, ensure_ascii=False)
            results["round_trip"] = page.evaluate(
                """async ([request, calls]) => {
                    const times = [];
                    for (let i = 0; i < calls; i++) {
                        const t0 = performance.now();
                        const out = JSON.parse(await window.formsiteEngine.call("validate", request));
                        times.push(performance.now() - t0);
                        if (i === 0) window.benchErrors = out.errors.length;
                    }
                    return times;
                }""", [request, calls])
            results["round_trip_errors"] = page.evaluate("window.benchErrors")
            if city:
                import base64

                page.goto(base + "city.html")
                page.wait_for_selector("body[data-engine=ready]", timeout=120_000)
                files = [{"name": n, "base64": base64.b64encode(c).decode()} for n, c in city]
                city_data = {"city_list": {"city": "杭州市", "tier": "1", "org_name": "杭州市商务局",
                                           "contact_person": "赵强", "contact_phone": "0571-87050825"}}
                results["city"] = page.evaluate(CITY_IN_PAGE, [files, city_data])
            browser.close()
    finally:
        (dist / "__bench_bare.html").unlink(missing_ok=True)
        (dist / "__bench_stock.html").unlink(missing_ok=True)
        shutil.rmtree(stock, ignore_errors=True)
    results["dist_bytes"] = dir_bytes(dist)
    results["pyodide_bytes"] = dir_bytes(dist / "pyodide")
    return results


def _load(page, base: str, kind: str) -> float:
    if kind in ("bare", "stock"):
        page.goto(base + f"__bench_{kind}.html")
        page.wait_for_function("document.body.dataset.ms || document.body.dataset.error", timeout=120_000)
        if page.evaluate("document.body.dataset.error"):
            raise RuntimeError(page.evaluate("document.body.dataset.error"))
        return float(page.evaluate("document.body.dataset.ms"))
    page.goto(base + "project.html")
    page.wait_for_selector("body[data-engine=ready]", timeout=120_000)
    return float(page.evaluate("performance.now()"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--city-projects", type=int, default=500)
    args = parser.parse_args()
    city = city_counties(args.city_projects) if args.city_projects else None
    r = measure(args.runs, args.calls, city)
    med = {k: statistics.median(v) for k, v in r.items() if k.endswith(("_cold", "_warm"))}
    rt = r["round_trip"]
    print(f"runs: {args.runs} (median shown), validation calls: {args.calls}")
    print(f"stock Pyodide loadPyodide() (npm) cold {med['stock_cold']:7.0f} ms   warm {med['stock_warm']:7.0f} ms")
    print(f"bare loadPyodide() of dist/       cold {med['bare_cold']:7.0f} ms   warm {med['bare_warm']:7.0f} ms")
    print(f"page validators ready (from nav)  cold {med['ready_cold']:7.0f} ms   warm {med['ready_warm']:7.0f} ms")
    print(f"ratio ready / bare                cold {med['ready_cold'] / med['bare_cold']:7.2f}      "
          f"warm {med['ready_warm'] / med['bare_warm']:7.2f}")
    print(f"ratio ready / stock Pyodide       cold {med['ready_cold'] / med['stock_cold']:7.2f}      "
          f"warm {med['ready_warm'] / med['stock_warm']:7.2f}")
    print(f"validation round trip, 50 fund items: p50 {percentile(rt, .5):.2f} ms  p95 {percentile(rt, .95):.2f} ms"
          f"  (= {percentile(rt, .95) / 16.7:.2f} of a 60 Hz frame; {r['round_trip_errors']} errors in the data)")
    if city:
        c, reference = r["city"], city_in_cpython(city)
        print(f"city 附件5 from {args.city_projects} projects in {len(city)} county bundles, in the page: "
              f"open {c['open_ms']:.0f} ms + validate {c['validate_ms']:.0f} ms + export with 附件5 "
              f"{c['export_ms']:.0f} ms = {c['total_ms']:.0f} ms (goal ≤ 3000 ms; {c['errors']} errors; "
              f"bundle {c['bundle_bytes'] / 1e6:.1f} MB)")
        print(f"same work in CPython {reference:.0f} ms; ratio page / CPython {c['total_ms'] / reference:.2f}")
    print(f"dist/ {r['dist_bytes'] / 1e6:.1f} MB, of which pyodide/ {r['pyodide_bytes'] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
