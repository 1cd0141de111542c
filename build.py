"""Build the static site: ``python build.py`` → dist/; ``python build.py serve --port N``.

Stages (each a function in ``builder/``): load and check every definition (nothing is written
if one is wrong) → compile the engine → render pages → vendor the Pyodide runtime and the
browser wheels, with the engine wheel built from this tree → write the web server
configurations (builder/hosting.py) → check dist/.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))  # build from the tree, even before `pip install -e .`

from builder import check as dist_check  # noqa: E402
from builder.docs import build_docs  # noqa: E402
from builder.hosting import HostingError, write_server_configs  # noqa: E402
from builder.screenshots import screenshots_or_notice  # noqa: E402
from builder.site import copy_static, render_site  # noqa: E402
from formsite.changes import report_text  # noqa: E402
from formsite.definitions import Definitions  # noqa: E402
from formsite.documents import check_documents  # noqa: E402
from formsite.engine import Engine  # noqa: E402
from formsite.errors import FormsiteError  # noqa: E402
from formsite.examples import explain  # noqa: E402
from formsite.loader import (  # noqa: E402
    DefinitionError,
    default_paths,
    example_lines,
    load_round,
)


def _load(rules: Path | None,
          previous: Path | None) -> tuple[Definitions, Definitions | None, Path]:
    try:
        forms, rules_file = default_paths(ROOT, rules.resolve() if rules else None)
        definitions, before = load_round(forms, rules_file,
                                         previous.resolve() if previous else None)
    except DefinitionError as exc:
        print(f"定义文件有误，未生成网站（共{len(exc.problems)}处）：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(2) from None
    return definitions, before, rules_file


def build(out: Path, *, runtime: bool = True, rules: Path | None = None,
          previous_rules: Path | None = None, screenshots: bool = True) -> Path:
    started = time.perf_counter()
    # The rule set this one follows (--previous-rules, else its own `previous:`): the build
    # says what changed, the docs show it, and old drafts are checked under both.
    definitions, previous, rules_file = _load(rules, previous_rules)
    if previous is not None:
        print(report_text(previous, definitions), end="")
    try:
        engine = Engine.from_definitions(definitions)
    except FormsiteError as exc:  # a definitions.json the loader did not check
        print(f"定义文件有误，未生成网站：{exc}", file=sys.stderr)
        raise SystemExit(2) from None
    # Next year's rules are edited and published without running pytest: the examples that
    # every rule carries must still give their verdicts, or nothing is published.
    wrong = [r for r in engine.examples() if not r.as_expected]
    if wrong:
        print(f"规则示例的判定与预期不符（共{len(wrong)}处），未生成网站：", file=sys.stderr)
        lines = example_lines(rules_file)
        rel = rules_file.relative_to(ROOT) if rules_file.is_relative_to(ROOT) else rules_file
        for r in wrong:
            print(explain(r, definitions, lines.get((r.rule, r.kind, r.index)), str(rel)),
                  file=sys.stderr)
        raise SystemExit(2)
    # Field ids written in the document code must exist in the definitions being built.
    problems = check_documents(engine)
    if problems:
        print("文档代码引用的字段在定义中不存在，未生成网站：", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(2)
    if out.exists() and any(out.iterdir()) and not (out / "definitions.json").exists():
        print(f"{out} 不是本工具生成的网站目录（没有 definitions.json），不会覆盖其中的文件。",
              file=sys.stderr)
        raise SystemExit(2)

    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        _assemble(engine, staging, runtime=runtime, previous=previous, screenshots=screenshots)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # Swap in the finished site only now: a failed build never leaves a half-written dist/.
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"built {out} ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    return out


def _assemble(engine: Engine, staging: Path, *, runtime: bool,
              previous: Definitions | None = None, screenshots: bool = True) -> None:
    (staging / "definitions.json").write_text(
        engine.definitions.model_dump_json(by_alias=True), encoding="utf-8")
    render_site(engine, ROOT / "site_src" / "templates", staging)
    copy_static(ROOT / "site_src" / "static", staging)
    if runtime:
        from builder.pyodide_runtime import runtime_packages, vendor_pyodide
        from builder.wheels import build_engine_wheel, download_browser_wheels

        wheels = download_browser_wheels(CACHE / "wheels", offline=OFFLINE)
        engine_wheel = build_engine_wheel(ROOT, CACHE / "engine-wheel")
        packages = runtime_packages(ROOT / "node_modules", CACHE / "runtime", offline=OFFLINE)
        vendor_pyodide(staging, packages, [*wheels, engine_wheel], cache_dir=CACHE / "precompiled")
        shutil.copy2(ROOT / "builder" / "runtime" / "py-worker.js", staging / "py-worker.js")
        from builder.engine_snapshot import publish as publish_engine_snapshot

        publish_engine_snapshot(staging, CACHE / "engine-snapshot")
    # Last among the site's own files: sw.js lists (and hashes) every file it caches, then
    # the large files get precompressed .gz siblings.
    from builder.compress import precompress
    from builder.service_worker import write_service_worker

    write_service_worker(staging, engine.definitions)
    precompress(staging)
    # The guides show the real pages: photographed now that the staged site is complete.
    with tempfile.TemporaryDirectory() as shots:
        taken = screenshots_or_notice(engine, staging, Path(shots), wanted=screenshots,
                                      runtime=runtime, cache=ROOT / ".cache" / "screenshots")
        build_docs(engine, ROOT / "site_src" / "docs", staging / "docs", previous=previous,
                   screenshots=taken)
    try:  # after every file: each one's type must be known to the servers
        write_server_configs(staging)
    except HostingError as exc:
        print(f"生成的网站未通过检查：{exc}", file=sys.stderr)
        raise SystemExit(3) from None
    problems = dist_check.check(staging, runtime=runtime)
    if problems:
        print("生成的网站未通过检查：", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the static form site into dist/.")
    parser.add_argument("command", nargs="?", choices=["build", "serve"], default="build")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--no-build", action="store_true", help="serve: use the existing dist/")
    parser.add_argument("--no-runtime", action="store_true",
                        help="skip vendoring Pyodide (pages only; the page then runs preliminary checks)")
    parser.add_argument("--rules", type=Path, metavar="FILE",
                        help="the rule set to build (default: rules/zj-cbec-2024.yaml)")
    parser.add_argument("--previous-rules", type=Path, metavar="FILE",
                        help="report changes since this rule set (default: the one the rule "
                             "set names as previous:)")
    parser.add_argument("--no-screenshots", action="store_true",
                        help="guides without screenshots of the pages (no browser on this machine)")
    parser.add_argument("--cache", type=Path, metavar="DIR", default=ROOT / ".cache",
                        help="where downloaded wheels and runtime are kept (default: .cache/)")
    parser.add_argument("--offline", action="store_true",
                        help="build from --cache only: no pip, no npm, no network")
    args = parser.parse_args(argv)
    global CACHE, OFFLINE
    CACHE, OFFLINE = args.cache.resolve(), args.offline
    if not (args.command == "serve" and args.no_build):
        build(args.out, runtime=not args.no_runtime, rules=args.rules,
              previous_rules=args.previous_rules, screenshots=not args.no_screenshots)
    if args.command == "serve":
        from builder.serve import serve

        serve(args.out, args.port, args.host)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
