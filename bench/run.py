"""Benchmark of the built site in headless Chromium; prints figures, asserts nothing.

    .venv/bin/python bench/run.py [--dist DIR] [--runs 3] [--calls 200] [--city-projects 500]

Everything is measured in one run on one server (bench/server.py: serves a site's ``.gz``
siblings as nginx's ``gzip_static`` does, and compresses other text and ``.wasm`` on the fly,
so the reference gets compression too):

- bytes: every file the page fetches on a first visit, raw, gzip (the ``.gz`` the build wrote,
  else gzip -9) and brotli (quality 11, via Node), and the totals;
- naive reference: a module worker doing ``loadPyodide()`` from the npm package as published,
  ``loadPackage`` of the pinned pydantic wheels (as downloaded) and one validation;
- our page: navigation until the validators are ready, and until the form accepts typing;
  cold (empty cache), warm (HTTP cache, service workers blocked), second visit through the
  service worker (with the requests that still reached the server), and cold on an emulated
  slow link (10 Mbit/s, 20 ms latency; Chromium network emulation); ratios to the reference;
- the worker's boot phases (py-worker.js reports when each download ended, when the wasm was
  compiled, when Python was up with the wheels installed, pydantic and the engine imported,
  the engine initialised);
- validation round trip page → worker → engine → page for a full 附件3+附件4 with 50 fund
  items, valid and with errors, p50/p95;
- the same data against the dossier's JSON Schema (pydantic's, as ``formsite schema project``
  prints it) by AJV (npm ajv-dist, draft 2020-12) in the same page, as a second reference;
- the project bundle with its DOCX made in the page (goal ≤ 300 ms);
- a city's 附件5 from 500 projects in 4 county bundles, in the page and in CPython.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "src"), str(ROOT), str(ROOT / "bench")]

from dossiers import valid_project_dossier  # noqa: E402
from server import serve_compressed  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SLOW_LINK = {"offline": False, "latency": 20, "downloadThroughput": 10e6 / 8,
             "uploadThroughput": 10e6 / 8}

# The naive page: the npm package as published, the pinned wheels as downloaded, one model,
# one validation. A worker created from a blob cannot resolve relative URLs: absolute base.
NAIVE_PAGE = """<!doctype html><meta charset="utf-8"><body><script type="module">
const base = new URL("__bench_naive/", location.href).href;
const wheels = %(wheels)s.map((w) => base + w);
const src = `const t0 = performance.now();
const { loadPyodide } = await import("${base}pyodide.mjs");
const pyodide = await loadPyodide({ indexURL: "${base}" });
await pyodide.loadPackage(${JSON.stringify(wheels)}, { messageCallback() {} });
pyodide.runPython("from pydantic import create_model; M = create_model('M', name=(str, ...), \\
amount=(float, ...)); M(name='x', amount='1.5')");
postMessage(performance.now() - t0);`;
const w = new Worker(URL.createObjectURL(new Blob([src], {type: "text/javascript"})), {type: "module"});
w.onmessage = (e) => { document.body.dataset.ms = e.data; };
w.onerror = (e) => { document.body.dataset.error = e.message || "error"; };
</script>"""

# The site's own worker, started by a bare page, to read its boot phases.
PHASES_PAGE = """<!doctype html><meta charset="utf-8"><body><script type="module">
const w = new Worker(new URL("py-worker.js" + location.search, location.href), {type: "module"});
w.onmessage = ({data}) => {
  if (data.type === "ready") {
    document.body.dataset.phases = JSON.stringify({...(data.phases || {}), "ready (message sent)": data.ms,
      "__link": data.link && data.link.bytesPerMs});
    if (data.restored === "local") document.body.dataset.snapshot = "restored";
  }
  // The engine snapshot the first start stores for the next visit.
  if (data.type === "snapshot") document.body.dataset.snapshot = data.stored ? "stored" : "failed";
  if (data.type === "error") document.body.dataset.error = data.text;
};
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


def errored(data: dict) -> dict:
    """The 50-item dossier with mistakes a person makes: numbers as text, a bad code, a date."""
    data = json.loads(json.dumps(data))
    data["project_info"]["total_investment"] = "一百万"
    data["project_info"]["credit_code"] = "12345"
    data["project_info"]["start_month"] = "2024-13"
    for row in data["fund_details"]["equipment"][:5]:
        row["spent"] = "abc"
    return data


# AJV's bundle is loaded into the page (a classic script, as it is published) by the bench only.
AJV = """async ([bundle, schema, datasets, calls]) => {
    await new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = bundle;
        script.onload = resolve;
        script.onerror = reject;
        document.head.append(script);
    });
    const ajv = new window.ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const out = [];
    for (const data of datasets) {
        const times = [];
        let errors = 0;
        // Timed in batches of 100: one call is below the browser's 0.1 ms timer resolution.
        for (let i = 0; i < calls; i++) {
            const t0 = performance.now();
            for (let j = 0; j < 100; j++) validate(JSON.parse(JSON.stringify(data)));
            times.push((performance.now() - t0) / 100);
            errors = (validate.errors || []).length;
        }
        out.push([times, errors]);
    }
    return out;
}"""


def dossier_schema() -> dict:
    from formsite.engine import Engine
    from formsite.loader import default_paths, load_definitions

    engine = Engine.from_definitions(load_definitions(*default_paths(ROOT)))
    return engine.compiled("project").model.model_json_schema()


ROUND_TRIP = """async ([request, calls]) => {
    const times = [];
    let errors = 0;
    for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        const out = JSON.parse(await window.formsiteEngine.call("validate", request));
        times.push(performance.now() - t0);
        errors = out.errors.length;
    }
    return [times, errors];
}"""

EXPORT = """async ([request, calls]) => {
    const times = [];
    let size = 0;
    for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        const out = JSON.parse(await window.formsiteEngine.call("export_bundle", request));
        times.push(performance.now() - t0);
        size = out.zip_base64.length * 3 / 4;
    }
    return [times, size];
}"""


def brotli_sizes(paths: list[Path]) -> dict[str, int]:
    """Brotli (quality 11, 16 MB window) of each file, through Node's zlib."""
    script = """const fs = require("fs"), zlib = require("zlib");
const out = {};
for (const f of JSON.parse(process.argv[1])) {
  const b = fs.readFileSync(f);
  out[f] = zlib.brotliCompressSync(b, {params: {[zlib.constants.BROTLI_PARAM_QUALITY]: 11,
    [zlib.constants.BROTLI_PARAM_LGWIN]: 24, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length}}).length;
}
console.log(JSON.stringify(out));"""
    proc = subprocess.run(["node", "-e", script, json.dumps([str(p) for p in paths])],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def byte_table(dist: Path, fetched: list[str]) -> list[tuple[str, int, int, int]]:
    import gzip

    files = sorted({f for f in fetched if (dist / f).is_file()})
    brotli = brotli_sizes([dist / f for f in files])
    rows = []
    for f in files:
        raw = (dist / f).read_bytes()
        sibling = dist / (f + ".gz")
        gz = sibling.stat().st_size if sibling.is_file() else len(gzip.compress(raw, 9, mtime=0))
        rows.append((f, len(raw), min(gz, len(raw)), min(brotli[str(dist / f)], len(raw))))
    return rows


def _ready(page, url: str) -> dict:
    page.goto(url)
    page.wait_for_selector("body[data-engine=ready]", state="attached", timeout=300_000)
    return page.evaluate("""() => {
        const nav = performance.getEntriesByType("navigation")[0];
        return {ready: performance.now(), typing: nav.domContentLoadedEventEnd};
    }""")


def _naive(page, base: str) -> float:
    page.goto(base + "__bench_naive.html")
    page.wait_for_selector("body[data-ms], body[data-error]", state="attached", timeout=300_000)
    if page.evaluate("document.body.dataset.error"):
        raise RuntimeError(page.evaluate("document.body.dataset.error"))
    return float(page.evaluate("document.body.dataset.ms"))


def _snapshot_settled(page) -> None:
    """Wait until the first start has stored (or failed to store) the engine snapshot that the
    next visit restores: a person's next visit comes long after that."""
    page.wait_for_selector("body[data-snapshot], body[data-engine-snapshot]", state="attached",
                           timeout=120_000)


def _start_kind(page, snapshots: bool) -> str:
    """How the page's engine started: "fresh", "local" (this browser's snapshot) or "published"
    (the site's); after a fresh or published start of a build that keeps snapshots, waits for the
    browser's own to be stored (the next visit comes later than that)."""
    kind = page.evaluate("document.body.dataset.engineStart") or "fresh"
    if kind in ("fresh", "published") and snapshots:
        _snapshot_settled(page)
    return kind


def _slow(context, page) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_LINK)


def _wait_controlled(page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for _ in range(600):
        if page.evaluate("Boolean(navigator.serviceWorker.controller)"):
            return
        page.wait_for_timeout(100)
    raise RuntimeError("the service worker never took control")


def measure(dist: Path, runs: int, calls: int, city: list[tuple[str, bytes]] | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    from builder.wheels import BROWSER_WHEELS

    naive_dir = dist / "__bench_naive"
    shutil.copytree(ROOT / "node_modules" / "pyodide", naive_dir, dirs_exist_ok=True)
    for pin in BROWSER_WHEELS:
        shutil.copyfile(ROOT / ".cache" / "wheels" / pin.file_name, naive_dir / pin.file_name)
    (dist / "__bench_naive.html").write_text(
        NAIVE_PAGE % {"wheels": json.dumps([p.file_name for p in BROWSER_WHEELS])}, encoding="utf-8")
    (dist / "__bench_phases.html").write_text(PHASES_PAGE, encoding="utf-8")
    (dist / "__bench_ajv.js").write_bytes(
        (ROOT / "node_modules" / "ajv-dist" / "dist" / "ajv2020.bundle.js").read_bytes())
    (dist / "__bench_ajv.html").write_text('<!doctype html><meta charset="utf-8"><body>', encoding="utf-8")
    has_sw = (dist / "sw.js").is_file()
    # Builds that keep the started engine in the browser (py-worker.js) for the next visit.
    lock = json.loads((dist / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    snapshots = "snapshot_key" in (lock.get("tool") or {}).get("formsite", {})
    r: dict = {k: [] for k in ("naive_cold", "naive_warm", "page_cold", "page_warm", "page_sw",
                               "typing_cold", "typing_warm", "typing_sw", "naive_slow", "page_slow",
                               "typing_slow", "phases_cold", "phases_warm", "start_cold",
                               "start_warm", "start_sw", "phases_fresh")}
    log: list[str] = []
    try:
        with serve_compressed(dist, log) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            # What a first visit fetches (service workers blocked: the page alone).
            context = browser.new_context(service_workers="block")
            page = context.new_page()
            fetched: list[str] = []
            page.on("request", lambda req: fetched.append(req.url))
            context.on("request", lambda req: fetched.append(req.url))
            _ready(page, base + "project.html")
            context.close()
            r["fetched"] = sorted({u.removeprefix(base).split("?")[0] for u in fetched if u.startswith(base)})
            for _ in range(runs):
                for kind in ("naive", "page", "phases"):
                    context = browser.new_context(service_workers="block")  # empty cache: cold
                    page = context.new_page()
                    for temperature in ("cold", "warm"):
                        if kind == "naive":
                            r[f"naive_{temperature}"].append(_naive(page, base))
                        elif kind == "page":
                            t = _ready(page, base + "project.html")
                            r[f"page_{temperature}"].append(t["ready"])
                            r[f"typing_{temperature}"].append(t["typing"])
                            r[f"start_{temperature}"].append(_start_kind(page, snapshots))
                        else:
                            page.goto(base + "__bench_phases.html")
                            page.wait_for_selector("body[data-phases], body[data-error]",
                                                   state="attached", timeout=300_000)
                            r[f"phases_{temperature}"].append(
                                json.loads(page.evaluate("document.body.dataset.phases")))
                            if temperature == "cold" and snapshots:
                                _snapshot_settled(page)
                                # The same first visit without any snapshot: what a browser
                                # whose link is slow (or whose storage is full) does.
                                fresh = browser.new_context(service_workers="block").new_page()
                                fresh.goto(base + "__bench_phases.html?snapshot=off")
                                fresh.wait_for_selector("body[data-phases], body[data-error]",
                                                        state="attached", timeout=300_000)
                                r["phases_fresh"].append(
                                    json.loads(fresh.evaluate("document.body.dataset.phases")))
                                fresh.context.close()
                    context.close()
                if not has_sw:
                    continue
                # Second visit through the service worker.
                context = browser.new_context()
                page = context.new_page()
                _ready(page, base + "project.html")
                _start_kind(page, snapshots)
                _wait_controlled(page)
                page.close()
                log.clear()
                page = context.new_page()
                t = _ready(page, base + "project.html")
                r["page_sw"].append(t["ready"])
                r["typing_sw"].append(t["typing"])
                r["start_sw"].append(_start_kind(page, snapshots))
                r["sw_requests"] = tuple(log)  # the last run's
                context.close()
            # Cold on a slow link, once each (slow by design).
            context = browser.new_context(service_workers="block")
            page = context.new_page()
            _slow(context, page)
            r["naive_slow"].append(_naive(page, base))
            context.close()
            context = browser.new_context(service_workers="block")
            page = context.new_page()
            _slow(context, page)
            t = _ready(page, base + "project.html")
            r["page_slow"].append(t["ready"])
            r["typing_slow"].append(t["typing"])
            context.close()
            # Round trips and the bundle, in one warm page.
            context = browser.new_context(service_workers="block")
            page = context.new_page()
            _ready(page, base + "project.html")
            valid = fifty_item_dossier()
            for name, data in (("valid", valid), ("errors", errored(valid))):
                request = json.dumps({"dossier": "project", "data": data}, ensure_ascii=False)
                r[f"round_trip_{name}"], r[f"round_trip_{name}_errors"] = page.evaluate(
                    ROUND_TRIP, [request, calls])
            request = json.dumps({"dossier": "project", "data": valid}, ensure_ascii=False)
            r["export"], r["export_bytes"] = page.evaluate(EXPORT, [request, 10])
            # AJV on a page of its own (the site's pages forbid the eval AJV compiles with).
            ajv_page = context.new_page()
            ajv_page.goto(base + "__bench_ajv.html")
            r["ajv_valid"], r["ajv_errors"] = (tuple(x) for x in ajv_page.evaluate(
                AJV, [base + "__bench_ajv.js", dossier_schema(), [valid, errored(valid)], calls]))
            if city:
                page.goto(base + "city.html")
                page.wait_for_selector("body[data-engine=ready]", timeout=300_000)
                files = [{"name": n, "base64": base64.b64encode(c).decode()} for n, c in city]
                city_data = {"city_list": {"city": "杭州市", "tier": "1", "org_name": "杭州市商务局",
                                           "contact_person": "赵强", "contact_phone": "0571-87050825"}}
                r["city"] = page.evaluate(CITY_IN_PAGE, [files, city_data])
            browser.close()
    finally:
        (dist / "__bench_naive.html").unlink(missing_ok=True)
        for name in ("__bench_phases.html", "__bench_ajv.html", "__bench_ajv.js"):
            (dist / name).unlink(missing_ok=True)
        shutil.rmtree(naive_dir, ignore_errors=True)
    return r


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def print_bytes(dist: Path, fetched: list[str]) -> None:
    rows = byte_table(dist, fetched)
    print(f"\nfiles a first visit fetches ({len(rows)}), bytes:")
    print(f"  {'file':<66}{'raw':>11}{'gzip':>11}{'brotli':>11}")
    for name, raw, gz, br in sorted(rows, key=lambda row: -row[1]):
        print(f"  {name:<66}{raw:>11,}{gz:>11,}{br:>11,}")
    totals = [sum(row[i] for row in rows) for i in (1, 2, 3)]
    print(f"  {'total':<66}{totals[0]:>11,}{totals[1]:>11,}{totals[2]:>11,}"
          f"   (= {totals[0] / 1e6:.2f} / {totals[1] / 1e6:.2f} / {totals[2] / 1e6:.2f} MB; goal gzip ≤ 6 MB)")
    published = [row for row in rows if row[0].endswith(".snapshot")]
    if published:
        # Fetched only by a first visit over a fast link (py-worker.js); already gzip inside.
        slow = [sum(row[i] for row in rows if row not in published) for i in (1, 2, 3)]
        print(f"  {'of which the published engine snapshot (fast links only)':<66}"
              f"{published[0][1]:>11,}{published[0][2]:>11,}{published[0][3]:>11,}")
        print(f"  {'a first visit over a slow link (without it)':<66}{slow[0]:>11,}{slow[1]:>11,}"
              f"{slow[2]:>11,}   (= {slow[0] / 1e6:.2f} / {slow[1] / 1e6:.2f} / {slow[2] / 1e6:.2f} MB)")


def print_phases(samples: list[dict], label: str) -> None:
    names = sorted({k for s in samples for k in s if not k.startswith("__")},
                   key=lambda k: statistics.median([s[k] for s in samples if k in s]))
    rates = [s["__link"] for s in samples if s.get("__link")]
    measured = (f" (link as measured by the worker: {statistics.median(rates):.0f} bytes/ms; "
                f"the published snapshot is fetched from 8000)") if rates else ""
    print(f"  {label}{measured}:")
    previous = 0.0
    for name in names:
        at = statistics.median([s[name] for s in samples if name in s])
        print(f"    {name:<58} at {at:7.0f} ms   (+{at - previous:5.0f})")
        previous = at


def merge(into: dict, r: dict) -> dict:
    for key, value in r.items():
        if isinstance(value, list) and isinstance(into.get(key), list) and key != "fetched":
            into[key].extend(value)
        else:
            into[key] = value
    return into


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dist", type=Path, action="append",
                        help="a built site to measure (default dist/); give several to compare "
                             "builds: their runs alternate, on the same server and browser")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--city-projects", type=int, default=500)
    parser.add_argument("--save", type=Path, metavar="FILE", help="also write the raw figures as JSON")
    args = parser.parse_args()
    dists = args.dist or [ROOT / "dist"]
    city = city_counties(args.city_projects) if args.city_projects else None
    results: dict[Path, dict] = {d: {} for d in dists}
    for run in range(args.runs):
        for dist in dists:
            merge(results[dist], measure(dist, 1, args.calls, city if run == args.runs - 1 else None))
    if args.save:
        args.save.write_text(json.dumps({str(d): r for d, r in results.items()}, ensure_ascii=False),
                             encoding="utf-8")
    for dist in dists:
        report(dist, results[dist], args.runs, args.city_projects, city)


def report(dist: Path, r: dict, runs: int, city_projects: int, city: list | None) -> None:
    med = {k: statistics.median(v) for k, v in r.items()
           if k.startswith(("naive_", "page_", "typing_")) and isinstance(v, list) and v}
    print(f"\n=== site: {dist}; runs: {runs} (medians); one server compressing as nginx "
          f"gzip_static + gzip (bench/server.py)")
    print_bytes(dist, r["fetched"])
    print("\nstart-up, ms from navigation (naive: from the worker's start):")
    print(f"  {'':<44}{'cold':>9}{'warm':>9}{'via SW':>9}{'slow link':>11}")
    def cell(key: str, width: int = 9, scale: str | None = None) -> str:
        if key not in med or (scale and scale not in med):
            return f"{'—':>{width}}"
        return f"{med[key] / med[scale]:>{width}.2f}" if scale else f"{med[key]:>{width}.0f}"

    print(f"  {'naive loadPyodide + pydantic + 1 validation':<44}{cell('naive_cold')}"
          f"{cell('naive_warm')}{'':>9}{cell('naive_slow', 11)}")
    print(f"  {'our page: validators ready':<44}{cell('page_cold')}{cell('page_warm')}"
          f"{cell('page_sw')}{cell('page_slow', 11)}")
    print(f"  {'ratio page / naive (goal ≤ 0.5, then 0.35)':<44}{cell('page_cold', 9, 'naive_cold')}"
          f"{cell('page_warm', 9, 'naive_warm')}{cell('page_sw', 9, 'naive_warm')}"
          f"{cell('page_slow', 11, 'naive_slow')}")
    print(f"  {'our page: form accepts typing':<44}{cell('typing_cold')}{cell('typing_warm')}"
          f"{cell('typing_sw')}{cell('typing_slow', 11)}")
    starts = {k: ", ".join(f"{n}× {kind}" for kind, n in sorted(
        {kind: r[f"start_{k}"].count(kind) for kind in set(r.get(f"start_{k}", []))}.items()))
        for k in ("cold", "warm", "sw")}
    print("  how the engine started (fresh / local: this browser's snapshot / published: the "
          "site's): " + "; ".join(f"{k} {v}" for k, v in starts.items()))
    if "sw_requests" in r:
        print(f"  requests reaching the server on the second visit (service worker): "
              f"{len(r['sw_requests'])} {list(r['sw_requests'])}")
    else:
        print("  (no sw.js in this build: no service-worker visit)")
    print("\nworker boot phases (ms since the worker started, medians):")
    print_phases(r["phases_cold"], "cold")
    print_phases(r["phases_warm"], "warm")
    if r.get("phases_fresh"):
        print_phases(r["phases_fresh"], "cold, started without any snapshot (?snapshot=off)")
    print()
    for name, (ajv_times, ajv_errors) in (("valid", r["ajv_valid"]), ("errors", r["ajv_errors"])):
        rt = r[f"round_trip_{name}"]
        print(f"validation round trip, 附件3+附件4 with 50 fund items ({name}, "
              f"{r[f'round_trip_{name}_errors']} errors): p50 {percentile(rt, .5):.1f} ms  "
              f"p95 {percentile(rt, .95):.1f} ms; AJV on its JSON Schema ({ajv_errors} errors): "
              f"p50 {percentile(ajv_times, .5):.3f} ms  p95 {percentile(ajv_times, .95):.3f} ms; "
              f"ratio p50 {percentile(rt, .5) / max(percentile(ajv_times, .5), 1e-4):.0f}×")
    ex = r["export"]
    print(f"project bundle with its DOCX made in the page: p50 {percentile(ex, .5):.0f} ms  "
          f"max {max(ex):.0f} ms (goal ≤ 300 ms; {r['export_bytes'] / 1e3:.0f} kB)")
    if city:
        c, reference = r["city"], city_in_cpython(city)
        print(f"city 附件5 from {city_projects} projects in {len(city)} county bundles, in the page: "
              f"open {c['open_ms']:.0f} ms + validate {c['validate_ms']:.0f} ms + export with 附件5 "
              f"{c['export_ms']:.0f} ms = {c['total_ms']:.0f} ms ({c['errors']} errors; "
              f"bundle {c['bundle_bytes'] / 1e6:.1f} MB); same work in CPython {reference:.0f} ms")




if __name__ == "__main__":
    main()
