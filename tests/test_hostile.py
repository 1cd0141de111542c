"""Hostile files through every way in: the engine, the page's import function (CPython and
Pyodide) and the CLI. Each case (tests/support/hostile.py) says what the person must read; a
refused file leaves everything as it was, an accepted one says what is wrong with it."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dossiers import valid_project_dossier
from support.hostile import CASES, Case, honest, unzip
from support.pyodide_node import needs_pyodide, run_in_pyodide

from formsite import browser
from formsite.bundle import DATA_FILE
from formsite.engine import Engine
from formsite.errors import BundleError

ROOT = Path(__file__).resolve().parents[1]
CHINESE = "\u4e00-\u9fff"


@pytest.fixture(scope="module")
def files(engine: Engine) -> dict[str, bytes]:
    return {case.id: case.build(engine) for case in CASES}


def told(opened) -> list[tuple[str, str]]:
    """(code, message) of everything an opened bundle says is wrong."""
    return [(i.code, i.message) for i in opened.integrity + opened.report.errors]


def said_in_chinese(message: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in message) and "Error" not in message


# --- engine -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_engine_refuses_or_flags(engine: Engine, files, case: Case):
    cached = dict(engine.chain._cache)
    if case.refused:
        with pytest.raises(BundleError) as caught:
            engine.open(files[case.id], case.dossier)
        assert caught.value.code == case.code
        assert case.expect in str(caught.value) and said_in_chinese(str(caught.value))
        assert engine.chain._cache == cached  # nothing of a refused file is kept
        return
    opened = engine.open(files[case.id], case.dossier)
    assert case.code in {code for code, _ in told(opened)}
    assert any(case.expect in message for _, message in told(opened)), told(opened)
    assert not opened.ok and "通过校验，可以" not in opened.verdict


@pytest.mark.parametrize("dossier", ["project", "county", "city"])
def test_honest_bundles_pass_every_integrity_check(engine: Engine, definitions, dossier: str):
    """Documents re-render to the same text (the writers are deterministic), in a fresh engine too."""
    raw = honest(engine, dossier)
    for opener in (engine, Engine.from_definitions(definitions)):
        opened = opener.open(raw)
        assert opened.integrity == [] and opened.tampered == []
        assert opened.verdict == opened.report.verdict


# --- the page's import function ---------------------------------------------------------------


@pytest.fixture(scope="module")
def page(definitions):
    browser.init(definitions.model_dump_json(by_alias=True))
    return browser


def page_import(page, raw: bytes, dossier: str) -> dict:
    return json.loads(page.import_bundle(json.dumps({
        "dossier": dossier, "file_base64": base64.b64encode(raw).decode("ascii")})))


def page_outcome(result: dict) -> tuple[bool, list[str]]:
    """What the page shows: refused with a message, or imported with notes and the verdict."""
    if not result["ok"]:
        return False, [result["message"]]
    return True, result["notes"] + [i["message"] for i in result["report"]["errors"]]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_page_import_says_why_and_keeps_the_draft(page, files, case: Case):
    stored = dict(page._store)
    accepted, said = page_outcome(page_import(page, files[case.id], case.dossier))
    assert accepted is not case.refused
    assert any(case.expect in text for text in said), said
    assert all(said_in_chinese(text) for text in said)
    if case.refused:
        assert page._store == stored  # no attached bundle of a refused file is kept


def test_page_import_of_a_lone_surrogate_goes_back_as_its_escape(page, files):
    text = page.import_bundle(json.dumps({"dossier": "project", "file_base64": base64.b64encode(
        files["lone-surrogate"]).decode()}))
    text.encode("utf-8")  # the worker's answer crosses as UTF-8
    assert "\\ud800" in text
    assert json.loads(text)["data"]["project_info"]["project_name"] == "安吉\ud800椅业"


@needs_pyodide
def test_page_import_in_pyodide_says_the_same(page, files, tmp_path: Path, definitions):
    """The browser's interpreter: the 3000-level file once exhausted its stack."""
    given = {"definitions": definitions.model_dump_json(by_alias=True),
             "cases": [[case.id, case.dossier, base64.b64encode(files[case.id]).decode()] for case in CASES]}
    snippet = """
import json
from formsite import browser
browser.init(GIVEN["definitions"])
out = {}
for case_id, dossier, b64 in GIVEN["cases"]:
    out[case_id] = json.loads(browser.import_bundle(json.dumps({"dossier": dossier, "file_base64": b64})))
OUTPUT = json.dumps({k: [v["ok"], v.get("message") or v["notes"]] for k, v in out.items()}, ensure_ascii=False)
"""
    in_pyodide = run_in_pyodide(snippet, given, tmp_path)
    for case in CASES:
        result = page_import(page, files[case.id], case.dossier)
        assert in_pyodide[case.id] == [result["ok"], result.get("message") or result["notes"]], case.id


# --- CLI --------------------------------------------------------------------------------------


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formsite", "--root", str(ROOT), *args], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", errors="replace",
                          timeout=600, check=False)


@pytest.fixture(scope="module")
def case_files(files, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for case in CASES:
        paths[case.id] = folder / f"{case.id}{Path(case.file_name).suffix}"
        paths[case.id].write_bytes(files[case.id])
    return paths


def test_cli_validate_says_the_same_for_every_case(engine: Engine, case_files, tmp_path: Path):
    honest_file = tmp_path / "honest.zip"
    honest_file.write_bytes(honest(engine))
    result = run_cli("validate", "--json", str(honest_file), *map(str, case_files.values()))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [good, *entries] = json.loads(result.stdout)
    assert good["ok"] is True and good["errors"] == []
    for case, entry in zip(CASES, entries, strict=True):
        if case.page_only:
            assert entry["readable"], case.id
        elif case.refused:
            assert not entry["readable"] and entry["code"] == case.code, case.id
            assert case.expect in entry["message"], case.id
        else:
            assert entry["readable"] and entry["ok"] is False, case.id
            assert case.code in {e["code"] for e in entry["errors"]}, case.id
            assert any(case.expect in e["message"] for e in entry["errors"]), case.id


@pytest.mark.parametrize(("case_id", "exit_code"), [("deep-3000", 2), ("bomb-lying-size", 2),
                                                    ("documents-from-other-data", 1),
                                                    ("manifest-missing", 1), ("lone-surrogate", 1)])
def test_cli_exit_codes_stay_0_1_2(case_files, case_id: str, exit_code: int):
    result = run_cli("validate", str(case_files[case_id]))
    assert result.returncode == exit_code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    case = next(c for c in CASES if c.id == case_id)
    assert case.expect in (result.stderr if case.refused else result.stdout)
    if not case.refused and case.code.startswith("integrity."):
        assert "未通过完整性检查" in result.stdout


def test_cli_render_refuses_a_deep_file_without_a_traceback(case_files, tmp_path: Path):
    result = run_cli("render", str(case_files["deep-900-in-zip"]), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "嵌套层数过多" in result.stderr and "Traceback" not in result.stderr


def test_cli_render_into_an_existing_file(engine: Engine, tmp_path: Path):
    bundle, target = tmp_path / "b.zip", tmp_path / "taken"
    bundle.write_bytes(honest(engine))
    target.write_text("keep")
    result = run_cli("render", str(bundle), "-o", str(target))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "无法写入" in result.stderr and "已存在且不是文件夹" in result.stderr
    assert target.read_text() == "keep"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_cli_render_never_writes_through_a_link(engine: Engine, tmp_path: Path):
    bundle, out, elsewhere = tmp_path / "b.zip", tmp_path / "out", tmp_path / "elsewhere"
    bundle.write_bytes(honest(engine))
    out.mkdir()
    elsewhere.mkdir()
    victim = elsewhere / "victim.txt"
    victim.write_text("keep")
    document = next(n for n in unzip(honest(engine)) if n.endswith(".docx"))
    (out / document).symlink_to(victim)
    result = run_cli("render", str(bundle), "-o", str(out))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "它是符号链接" in result.stderr
    assert victim.read_text() == "keep"
    # A county's projects go into folders of their own: a link there is not followed either.
    county, out2 = tmp_path / "county.zip", tmp_path / "out2"
    county.write_bytes(honest(engine, "county"))
    record = json.loads(unzip(honest(engine, "county"))[DATA_FILE])
    out2.mkdir()
    (out2 / Path(record["attachments"][0]["file"]).stem.removeprefix("attachments/")).symlink_to(elsewhere)
    result = run_cli("render", str(county), "-o", str(out2))
    assert result.returncode == 2 and "它是符号链接" in result.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == ["victim.txt"]


@pytest.mark.parametrize(("which", "why"), [("folder", "这是一个文件夹"), ("missing", "文件或文件夹不存在"),
                                            ("device", "这不是普通文件")])
def test_cli_says_in_chinese_why_a_file_cannot_be_read(tmp_path: Path, which: str, why: str):
    path = {"folder": tmp_path, "missing": tmp_path / "nope.zip", "device": Path("/dev/zero")}[which]
    if which == "device" and not path.exists():
        pytest.skip("no /dev/zero")
    result = run_cli("validate", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"无法读取文件“{path}”：{why}。" in result.stderr


def test_cli_prints_a_file_name_that_is_not_utf8(engine: Engine, tmp_path: Path):
    name = os.fsdecode(b"\xff\xfe-bundle.zip")
    (tmp_path / name).write_bytes(honest(engine))
    result = subprocess.run([sys.executable, "-m", "formsite", "--root", str(ROOT), "validate",
                             os.fsencode(tmp_path / name)], capture_output=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr and "通过校验".encode() in result.stdout


# --- a lone surrogate typed into the page -----------------------------------------------------


def test_a_typed_lone_surrogate_is_a_field_error_and_still_exports(engine: Engine):
    data = valid_project_dossier()
    data["project_info"]["org_name"] = "安吉\udc00优选"
    report = engine.validate("project", data)
    assert [(i.path, i.code) for i in report.errors] == [("project_info.org_name", "text.surrogates")]
    assert "含有1个无效的字符" in report.errors[0].message
    name, content, exported = engine.export("project", data)  # once: UnicodeEncodeError
    assert not exported.ok and name.endswith(".zip")
    unzip(content)[DATA_FILE].decode("utf-8")
    opened = engine.open(content)
    assert opened.data == data and opened.integrity == []
    assert [(i.path, i.code) for i in opened.report.errors] == [("project_info.org_name", "text.surrogates")]


# --- carried bundles --------------------------------------------------------------------------


def test_a_carried_bundle_is_refused_on_its_row_with_the_finding(engine: Engine, files):
    """A county carrying changed project bundles: each row says what is wrong with its file;
    a missing checksum is a draft's (chain.unchecked), not a change."""
    from dossiers import valid_county_dossier

    attachments = [(f"{case_id}.zip", files[case_id]) for case_id in
                   ("manifest-stale", "checksum-stale", "checksum-missing", "manifest-missing")]
    data = engine.sync_rows("county", valid_county_dossier(), attachments)
    report = engine.validate("county", data, attachments)
    rows = {}
    for issue in report.errors:
        rows.setdefault(issue.path, {})[issue.code] = issue.message
    table = "key_projects.projects"
    assert "与清单（manifest.json）不一致" in rows[f"{table}.0"]["chain.tampered"]
    assert "校验和与内容不一致" in rows[f"{table}.1"]["chain.tampered"]
    assert "chain.unchecked" in rows[f"{table}.2"] and "chain.tampered" not in rows[f"{table}.2"]
    assert "没有清单（manifest.json）" in rows[f"{table}.3"]["chain.tampered"]


@needs_pyodide
def test_a_bundle_exported_in_the_browser_passes_the_integrity_check_here(engine: Engine, definitions,
                                                                         tmp_path: Path):
    """Documents rendered in Pyodide and in CPython say the same, so the back office's CLI does
    not call a page's honest export changed."""
    from dossiers import valid_county_dossier

    project = honest(engine)
    given = {"definitions": definitions.model_dump_json(by_alias=True), "project": valid_project_dossier(),
             "county": valid_county_dossier(), "attached": base64.b64encode(project).decode()}
    snippet = """
import base64, json
from formsite import browser
browser.init(GIVEN["definitions"])
ask = lambda fn, request: json.loads(getattr(browser, fn)(json.dumps(request)))
made = {"project": ask("export_bundle", {"dossier": "project", "data": GIVEN["project"]})["zip_base64"]}
files = [{"name": "项目.zip", "base64": GIVEN["attached"]}]
refs = [item["sha256"] for item in ask("put_attachments", {"dossier": "county", "files": files})["items"]]
county = ask("sync_rows", {"dossier": "county", "data": GIVEN["county"], "attachments": refs})["data"]
made["county"] = ask("export_bundle", {"dossier": "county", "data": county, "attachments": refs})["zip_base64"]
OUTPUT = json.dumps(made)
"""
    made = run_in_pyodide(snippet, given, tmp_path)
    for dossier, b64 in made.items():
        opened = engine.open(base64.b64decode(b64))
        assert opened.dossier == dossier and opened.integrity == [], [i.message for i in opened.integrity]
