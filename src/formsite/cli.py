"""``python -m formsite``: validate bundles and print schemas, exactly as the site does.

Exit codes of ``validate``: 0 every file is ready to submit, 1 some file has errors,
2 some file could not be read (or the definitions are broken).
"""

from __future__ import annotations

import argparse
import errno
import io
import json
import os
import stat
import sys
import zipfile
from pathlib import Path

from .bundle import MAX_BUNDLE_BYTES, too_large
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


def load_engine(root: str | None, definitions: str | None, rules: str | None = None) -> Engine:
    if definitions:
        try:
            return Engine.from_json(Path(definitions).read_bytes())
        except OSError as exc:
            raise DefinitionError([Problem(definitions, "", None, str(file_error(definitions, exc)))]) from exc
    from .loader import default_paths, load_round

    # A rule set that names its predecessor brings it along: a bundle made under that one is
    # told exactly what changed for it, as on the page.
    paths = default_paths(_project_root(root), Path(rules).resolve() if rules else None)
    return Engine.from_definitions(load_round(*paths)[0])


def read_file(name: str) -> bytes:
    """The bytes of a file that should be a bundle, never more than any bundle can be (a
    device or a pipe named by mistake is not read for ever)."""
    try:
        with open(name, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise OSError(errno.ENXIO, "not a regular file")
            raw = stream.read(MAX_BUNDLE_BYTES + 1)
    except OSError as exc:
        raise file_error(name, exc) from exc
    if len(raw) > MAX_BUNDLE_BYTES:
        raise too_large(MAX_BUNDLE_BYTES)
    return raw


def open_file(engine: Engine, name: str):
    """The bundle in file ``name``, opened and revalidated; BundleError says why not."""
    return engine.open(read_file(name))


def _print_issue(issue, out, indent: str = "  ") -> None:
    mark = "错误" if issue.severity == "error" else "提醒"
    print(f"{indent}[{mark}] {issue.path}: {issue.message}", file=out)


def _print_opened(name: str, opened, indent: str = "") -> None:
    """A bundle's verdict, notes and issues, then those of every bundle inside it."""
    print(f"{indent}{name}: {opened.verdict}")
    for note in opened.notes:
        print(f"{indent}  {note}")
    for issue in opened.integrity + opened.report.errors + opened.report.warnings:
        _print_issue(issue, sys.stdout, indent + "  ")
    for item in opened.attachments:
        if item.opened is None:
            print(f"{indent}  {item.name}: {item.problem}")
        else:
            _print_opened(item.name, item.opened, indent + "  ")


def _result(opened) -> dict:
    """The JSON shape of a verdict, nested bundles included; what is wrong with the file
    itself (``integrity``) is among the errors, so ``ok`` is false for a changed bundle."""
    report = opened.report.as_dict()
    return {"readable": True, "dossier": opened.dossier, "notes": opened.notes,
            **report, "ok": opened.ok,
            "errors": [i.as_dict() for i in opened.integrity] + report["errors"],
            "attachments": [{"file": item.name, **(_result(item.opened) if item.opened else
                             {"readable": False, "code": item.problem.code,
                              "message": str(item.problem)})}
                            for item in opened.attachments]}


def cmd_validate(engine: Engine, args: argparse.Namespace) -> int:
    results, worst = [], EXIT_OK
    for name in args.files:
        try:
            opened = open_file(engine, name)
        except BundleError as exc:
            results.append({"file": name, "readable": False, "code": exc.code, "message": str(exc)})
            worst = EXIT_UNREADABLE
            continue
        results.append({"file": name, **_result(opened)})
        if not opened.ok and worst == EXIT_OK:
            worst = EXIT_ERRORS
        if not args.json:
            _print_opened(name, opened)
    for result in results:
        if not result["readable"] and not args.json:
            print(f"{result['file']}: {result['message']}", file=sys.stderr)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    return worst


def _write_documents(engine: Engine, opened, out: Path, inside: bool = False) -> None:
    """The bundle's documents into ``out``, each attached bundle's into a folder of its own."""
    _make_dir(out, inside)
    attachments = [(item.name, item.raw) for item in opened.attachments]
    for name, content in engine.documents(opened.dossier, opened.data, attachments):
        _write_new(out / name, content)
    for item in opened.attachments:
        if item.opened is not None:
            _write_documents(engine, item.opened, out / Path(item.name).stem, inside=True)


def _make_dir(path: Path, inside: bool = False) -> None:
    """A folder to write into; one ``inside`` the output folder may not be a symbolic link
    (the output folder itself is the person's choice)."""
    try:
        if inside and path.is_symlink():
            raise OSError(errno.ELOOP, "symbolic link")
        path.mkdir(parents=True, exist_ok=True)
        if not path.is_dir():
            raise OSError(errno.ENOTDIR, "not a folder")
    except OSError as exc:
        raise file_error(str(path), exc, writing=True) from exc


def _write_new(path: Path, content: bytes) -> None:
    """Write a file, never through a symbolic link someone left in the output folder."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(fd, "wb") as stream:
            stream.write(content)
    except OSError as exc:
        raise file_error(str(path), exc, writing=True) from exc
    print(path)


def cmd_render(engine: Engine, args: argparse.Namespace) -> int:
    """Write every document of a bundle (and of the bundles inside it): the same bytes the
    page puts into its download."""
    try:
        opened = open_file(engine, args.bundle)
        out = Path(args.output)
        if out.exists() and not out.is_dir():
            raise BundleError("file.unwritable", name=args.output, why="它已存在且不是文件夹")
        _write_documents(engine, opened, out)
    except BundleError as exc:
        print(exc, file=sys.stderr)
        return EXIT_UNREADABLE
    for issue in opened.integrity:
        print(f"注意：{issue.message}", file=sys.stderr)
    if not opened.report.ok:
        print(f"注意：数据未通过校验（{len(opened.report.errors)}个错误），文档已按所填内容生成。",
              file=sys.stderr)
    return EXIT_OK if opened.ok else EXIT_ERRORS


def cmd_annex5(engine: Engine, args: argparse.Namespace) -> int:
    """The city's bundle with 附件5 (DOCX and .xlsx) from county bundles, for back-office batch
    work: the same bytes as the city page exports for the same input."""
    try:
        attachments = [(Path(name).name, read_file(name)) for name in args.counties]
    except BundleError as exc:
        print(exc, file=sys.stderr)
        return EXIT_UNREADABLE
    # Which fields the options fill comes from the city dossier's definition, not from here.
    compiled = engine.compiled("city")
    adef = compiled.dossier.attachments
    form_id, table_id = adef.table.split(".")
    city_ref, tier_ref = next(iter(adef.same)), adef.max_count_by
    values = {ref.split(".")[1]: value for ref, value in ((city_ref, args.city), (tier_ref, args.tier))}
    values.update(kv.split("=", 1) for kv in args.set if "=" in kv)
    data = engine.sync_rows("city", {form_id: values}, attachments)
    table = compiled.index.fields[adef.table]
    named_by = next(iter(adef.copy_))
    typed = next(c.id for c in table.columns if not c.readonly)
    opinions = dict(o.split("=", 1) for o in args.opinion if "=" in o)
    for row in data[form_id][table_id]:
        row[typed] = opinions.get(row.get(named_by, ""), "")
    name, content, report = engine.export("city", data, attachments)
    out = Path(args.output)
    try:
        _make_dir(out)
        _write_new(out / name, content)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for entry in archive.namelist():
                if entry.startswith("附件5"):
                    _write_new(out / entry, archive.read(entry))
    except BundleError as exc:
        print(exc, file=sys.stderr)
        return EXIT_UNREADABLE
    print(report.verdict)
    for issue in report.errors + report.warnings:
        _print_issue(issue, sys.stdout)
    return EXIT_OK if report.ok else EXIT_ERRORS


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
    parser.add_argument("--rules", help="规则集文件（默认：rules/ 中的默认规则集）")
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
    p = sub.add_parser("annex5", help="由各县（市、区）数据包生成设区市数据包和附件5 重点项目清单")
    p.add_argument("counties", nargs="+", help="县（市、区）数据包（.zip）")
    p.add_argument("--city", required=True, help="设区市，如 湖州市")
    p.add_argument("--tier", required=True, choices=["1", "2", "3"], help="综试区考核评估档次")
    p.add_argument("--set", action="append", default=[], metavar="字段=值",
                   help="城市信息中的其他字段，如 org_name=湖州市商务局，可重复")
    p.add_argument("--opinion", action="append", default=[], metavar="县=意见",
                   help="对某县（市、区）的推荐意见，可重复")
    p.add_argument("-o", "--output", required=True, help="输出目录")
    args = parser.parse_args(argv)
    # A file name that is not UTF-8 (or a character no terminal shows) is printed escaped,
    # never as a UnicodeEncodeError.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        engine = load_engine(args.root, args.definitions, args.rules)
    except DefinitionError as exc:
        print(f"定义文件有误：\n{exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    return {"validate": cmd_validate, "schema": cmd_schema, "examples": cmd_examples,
            "render": cmd_render, "annex5": cmd_annex5}[
        args.command](engine, args)
