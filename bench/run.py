"""Benchmark of the built site in headless Chromium; prints figures, asserts nothing.

    .venv/bin/python bench/run.py [--runs 3] [--calls 300]

Reference and subject are measured in the same run on the same server:
- stock: a module worker running loadPyodide() from the npm package as published;
- bare:  the same from dist/pyodide/ (our precompiled stdlib: the floor of our page);
- ready: the dossier page, from navigation until its validators are ready in the worker;
- round trip: page → worker → pydantic validation of a full 附件3+附件4 with 50 fund items
  → page, p50/p95 over many calls, against one animation frame (16.7 ms);
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


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure(runs: int, calls: int) -> dict:
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
    args = parser.parse_args()
    r = measure(args.runs, args.calls)
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
    print(f"dist/ {r['dist_bytes'] / 1e6:.1f} MB, of which pyodide/ {r['pyodide_bytes'] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
