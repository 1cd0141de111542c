"""``python -m formsite``: validate bundles and print schemas, exactly as the site does.

Exit codes of ``validate``: 0 every file is ready to submit, 1 some file has errors,
2 some file could not be read (or the definitions are broken).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .engine import Engine
from .errors import BundleError, DefinitionError, Problem, file_error

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


def _project_root(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    for candidate in (os.environ.get("FORMSITE_ROOT"), Path.cwd(), Path(__file__).parents[2]):
        if candidate and (Path(candidate) / "forms").is_dir() and (Path(candidate) / "rules").is_dir():
            return Path(candidate)
    raise SystemExit("找不到 forms/ 和 rules/：请在项目目录中运行，或用 --root 指定。")


def load_engine(root: str | None, definitions: str | None) -> Engine:
    if definitions:
        try:
            return Engine.from_json(Path(definitions).read_bytes())
        except OSError as exc:
            raise DefinitionError([Problem(definitions, "", None, str(file_error(definitions, exc)))]) from exc
    from .loader import default_paths, load_definitions

    return Engine.from_definitions(load_definitions(*default_paths(_project_root(root))))


def open_file(engine: Engine, name: str):
    """The bundle in file ``name``, opened and revalidated; BundleError says why not."""
    try:
        raw = Path(name).read_bytes()
    except OSError as exc:
        raise file_error(name, exc) from exc
    return engine.open(raw)


def _print_issue(issue, out) -> None:
    mark = "错误" if issue.severity == "error" else "提醒"
    print(f"  [{mark}] {issue.path}: {issue.message}", file=out)


def cmd_validate(engine: Engine, args: argparse.Namespace) -> int:
    results, worst = [], EXIT_OK
    for name in args.files:
        try:
            opened = open_file(engine, name)
        except BundleError as exc:
            results.append({"file": name, "readable": False, "code": exc.code, "message": str(exc)})
            worst = EXIT_UNREADABLE
            continue
        report = opened.report
        results.append({"file": name, "readable": True, "dossier": opened.dossier,
                        "notes": opened.notes, **report.as_dict()})
        if not report.ok and worst == EXIT_OK:
            worst = EXIT_ERRORS
        if not args.json:
            status = "通过校验，可以提交" if report.ok else f"未通过校验：{len(report.errors)}个错误"
            print(f"{name}: {status}，{len(report.warnings)}个提醒")
            for note in opened.notes:
                print(f"  {note}")
            for issue in report.errors + report.warnings:
                _print_issue(issue, sys.stdout)
    for result in results:
        if not result["readable"] and not args.json:
            print(f"{result['file']}: {result['message']}", file=sys.stderr)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    return worst


def cmd_render(engine: Engine, args: argparse.Namespace) -> int:
    """Write the bundle's DOCX documents: the same bytes the page puts into its download."""
    try:
        opened = open_file(engine, args.bundle)
    except BundleError as exc:
        print(exc, file=sys.stderr)
        return EXIT_UNREADABLE
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    for name, content in engine.documents(opened.dossier, opened.data):
        (out / name).write_bytes(content)
        print(out / name)
    if not opened.report.ok:
        print(f"注意：数据未通过校验（{len(opened.report.errors)}个错误），文档已按所填内容生成。",
              file=sys.stderr)
    return EXIT_OK if opened.report.ok else EXIT_ERRORS


def cmd_schema(engine: Engine, args: argparse.Namespace) -> int:
    for compiled in engine.dossiers.values():
        if args.form == compiled.dossier.id:
            schema = compiled.model.model_json_schema()
            break
        if args.form in compiled.dossier.forms:
            schema = compiled.form_models[args.form].model_json_schema()
            break
    else:
        names = sorted({*engine.dossiers, *engine.definitions.forms})
        print(f"没有表单或材料“{args.form}”；可用：{'、'.join(names)}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(json.dumps(schema, ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_examples(engine: Engine, args: argparse.Namespace) -> int:
    results = engine.examples()
    wrong = [r for r in results if not r.as_expected]
    for r in wrong:
        print(f"{r.rule} {r.kind}[{r.index}]: 判定与预期不符 {r.problem}")
    print(f"{len(results) - len(wrong)} passed, {len(wrong)} failed")
    return EXIT_ERRORS if wrong else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m formsite", description="申报材料校验工具")
    parser.add_argument("--root", help="项目目录（含 forms/ 与 rules/）")
    parser.add_argument("--definitions", help="已编译的 definitions.json（代替 --root）")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="校验数据包（.zip 或 data.json）")
    p.add_argument("files", nargs="+")
    p.add_argument("--json", action="store_true", help="以JSON输出问题列表")
    p = sub.add_parser("schema", help="输出表单或材料的 JSON Schema")
    p.add_argument("form")
    sub.add_parser("examples", help="运行规则集中的全部示例")
    p = sub.add_parser("render", help="由数据包生成各附件的 Word 文档（与网页下载的完全相同）")
    p.add_argument("bundle")
    p.add_argument("-o", "--output", required=True, help="输出目录")
    args = parser.parse_args(argv)
    try:
        engine = load_engine(args.root, args.definitions)
    except DefinitionError as exc:
        print(f"定义文件有误：\n{exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    return {"validate": cmd_validate, "schema": cmd_schema, "examples": cmd_examples,
            "render": cmd_render}[
        args.command](engine, args)
