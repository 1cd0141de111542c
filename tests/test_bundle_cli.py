"""Bundles (export/open), the CLI and the browser JSON API, on the real definitions."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from dossiers import valid_project_dossier

from formsite import browser
from formsite.bundle import DATA_FILE, FORMAT, MANIFEST_FILE, BundleError, data_sha256
from formsite.definitions import Definitions
from formsite.engine import Engine

ISSUE_KEYS = {"path", "code", "severity", "message", "label", "expected", "found", "clause"}


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def make_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def rezip_record(content: bytes, change, *, manifest: bool = True) -> bytes:
    """The bundle with its data.json record changed by ``change(record)``; the manifest is
    recomputed to match (as a careful editor would) unless ``manifest`` is False."""
    files = unzip(content)
    record = json.loads(files[DATA_FILE])
    change(record)
    files[DATA_FILE] = json.dumps(record, ensure_ascii=False).encode()
    if manifest:
        listing = json.loads(files[MANIFEST_FILE])
        for entry in listing["files"]:
            entry["sha256"] = hashlib.sha256(files[entry["name"]]).hexdigest()
        files[MANIFEST_FILE] = json.dumps(listing, ensure_ascii=False).encode()
    return make_zip(files)


@pytest.fixture
def exported(engine: Engine) -> tuple[str, bytes, Any]:
    return engine.export("project", valid_project_dossier())


def invalid_dossier() -> dict:
    data = valid_project_dossier()
    data["project_info"]["net_assets"] = "9,999"
    data["project_info"]["contact_phone"] = "12345"
    return data


# --- export -------------------------------------------------------------------------------


def test_export_zip_contents_and_checksums(exported, definitions: Definitions):
    name, content, report = exported
    assert report.ok
    assert name == "安吉县椅业跨境电商产业带展示选品中心.zip"
    files = unzip(content)
    documents = {"附件3 重点项目信息表.docx", "附件3补充 基本条件自查表.docx", "附件4 项目资金投入明细表.docx"}
    assert set(files) == {DATA_FILE, MANIFEST_FILE, *documents}

    manifest = json.loads(files[MANIFEST_FILE])
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == {DATA_FILE, *documents}
    for name in listed:
        assert listed[name]["sha256"] == hashlib.sha256(files[name]).hexdigest()
        assert listed[name]["bytes"] == len(files[name])
    assert manifest["format"] == FORMAT
    assert manifest["dossier"] == "project"
    assert manifest["validation"]["ok"] is True
    assert manifest["validation"]["errors"] == 0

    record = json.loads(files[DATA_FILE])
    assert record["format"] == FORMAT
    assert record["dossier"] == "project"
    assert record["ruleset"] == {"id": definitions.ruleset.id,
                                 "version": definitions.ruleset.version,
                                 "hash": definitions.ruleset_hash}
    assert record["data"] == valid_project_dossier()  # exactly as entered, not normalised
    assert record["data_sha256"] == data_sha256(record["data"])
    canonical = json.dumps(record["data"], ensure_ascii=False, sort_keys=True,
                           separators=(",", ":")).encode()
    assert record["data_sha256"] == "sha256:" + hashlib.sha256(canonical).hexdigest()
    assert record["validation"]["ok"] is True
    assert record["validation"]["errors"] == []


def test_export_records_errors(engine: Engine):
    _, content, report = engine.export("project", invalid_dossier())
    assert not report.ok
    files = unzip(content)
    record = json.loads(files[DATA_FILE])
    assert {(e["path"], e["code"]) for e in record["validation"]["errors"]} == {
        ("project_info.net_assets", "net_assets_le_total_assets"),
        ("project_info.contact_phone", "phone.invalid")}
    assert json.loads(files[MANIFEST_FILE])["validation"]["errors"] == 2


def test_export_is_deterministic(engine: Engine, exported):
    _, again, _ = engine.export("project", valid_project_dossier())
    assert again == exported[1]


def test_export_file_name_is_safe(engine: Engine):
    data = valid_project_dossier()
    data["project_info"]["project_name"] = '../安吉:椅业*"项目"/<1>|?'
    name, _, _ = engine.export("project", data)
    assert name.endswith(".zip")
    assert not set('/\\:*?"<>|') & set(name)
    assert not name.startswith(".")
    data["project_info"]["project_name"] = ""
    assert engine.export("project", data)[0].endswith(".zip")


# --- open ---------------------------------------------------------------------------------


def test_open_round_trip(engine: Engine, exported):
    opened = engine.open(exported[1])
    assert opened.dossier == "project"
    assert opened.data == valid_project_dossier()
    assert opened.report.ok
    assert opened.notes == []


def test_open_bare_data_json(engine: Engine, exported):
    raw = unzip(exported[1])[DATA_FILE]
    opened = engine.open(raw)
    assert opened.data == valid_project_dossier()
    assert opened.notes == []
    # with a byte-order mark, as Windows editors save it
    assert engine.open(b"\xef\xbb\xbf" + raw).data == valid_project_dossier()


def test_open_revalidates(engine: Engine):
    _, content, _ = engine.export("project", invalid_dossier())
    opened = engine.open(content)
    assert not opened.report.ok
    assert {(i.code, i.path) for i in opened.report.errors} == {
        ("net_assets_le_total_assets", "project_info.net_assets"),
        ("phone.invalid", "project_info.contact_phone")}


@pytest.mark.parametrize(
    "raw",
    [
        os.urandom(4096),
        b"",
        b"PK\x03\x04garbage that is not a zip",
        make_zip({"readme.txt": b"hello"}),
        make_zip({DATA_FILE: b"\xff\xfe not utf-8"}),
        make_zip({DATA_FILE: b"{not json"}),
        b'{"hello": "world"}',
        b"[1, 2, 3]",
        b"null",
        "数据".encode("gbk"),
        b'{"format": "formsite-bundle", "format_version": 1, "dossier": "province", "data": {}}',
        b'{"format": "formsite-bundle", "format_version": 99, "dossier": "project", "data": {}}',
        b'{"format": "formsite-bundle", "format_version": "1", "dossier": "project", "data": {}}',
        b'{"format": "formsite-bundle", "format_version": 1, "dossier": "project", "data": []}',
        b'{"format": "formsite-bundle", "format_version": 1, "dossier": "project",'
        b' "data": {"project_info": "x"}}',
        b'{"format": "formsite-bundle", "format_version": 1, "dossier": "project",'
        b' "data": {"project_info": {"total_assets": ' + b"9" * 5000 + b"}}}",
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["random", "empty", "broken-zip", "zip-without-data", "zip-non-utf8", "zip-bad-json",
         "foreign-json", "json-list", "json-null", "gbk-text", "unknown-dossier",
         "newer-format", "format-version-string", "data-list", "form-string", "int-5000-digits",
         "deep-nesting"],
)
def test_open_rejects_bad_files_with_a_message(engine: Engine, raw: bytes):
    with pytest.raises(BundleError) as caught:
        engine.open(raw)
    assert str(caught.value)  # a Chinese sentence for the person
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(caught.value))


def test_open_rejects_bundle_for_another_page(engine: Engine, exported):
    with pytest.raises(BundleError):
        engine.open(exported[1], expect_dossier="county")
    assert engine.open(exported[1], expect_dossier="project").report.ok


def test_tampered_data_fails_the_integrity_check(engine: Engine, exported):
    def tamper(record):
        record["data"]["project_info"]["subsidy_requested"] = "400"

    opened = engine.open(rezip_record(exported[1], tamper))
    assert opened.data["project_info"]["subsidy_requested"] == "400"
    assert opened.report.ok and not opened.ok  # the data validates; the bundle is not as exported
    assert {i.code for i in opened.integrity} == {"integrity.checksum_mismatch",
                                                  "integrity.documents_differ"}
    assert opened.verdict.startswith("未通过完整性检查：2个问题")
    assert opened.notes == []


def test_a_file_changed_behind_the_manifest_is_named(engine: Engine, exported):
    def tamper(record):
        record["validation"]["status"] = "通过校验（手改）"

    opened = engine.open(rezip_record(exported[1], tamper, manifest=False))
    assert [i.path for i in opened.tampered] == [DATA_FILE]
    [issue] = opened.integrity
    assert issue.code == "integrity.manifest_mismatch"
    assert "manifest.json" in issue.message and DATA_FILE in issue.message


def test_a_bundle_without_manifest_is_named(engine: Engine, exported):
    files = unzip(exported[1])
    del files[MANIFEST_FILE]
    assert [i.path for i in engine.open(make_zip(files)).tampered] == [MANIFEST_FILE]


def test_bundle_from_older_rule_set_is_revalidated_and_the_change_named(engine: Engine,
                                                                         definitions: Definitions):
    data = valid_project_dossier()
    data["project_info"]["showroom_area"] = "900"  # fine last year (say), not under 2024 rules
    _, content, _ = engine.export("project", data)

    def older(record):
        record["ruleset"] = {"id": "zj-cbec-2023", "version": "2023.2",
                             "hash": "sha256:" + "0" * 64}
        record["validation"] = {"ok": True, "errors": [], "warnings": []}

    opened = engine.open(rezip_record(content, older))
    assert ("showroom_min_area", "project_info.showroom_area") in {
        (i.code, i.path) for i in opened.report.errors}
    assert opened.data == data
    first = opened.notes[0]
    assert "zj-cbec-2023" in first and "2023.2" in first
    assert definitions.ruleset.id in first and definitions.ruleset.version in first
    assert any(opened.report.errors[0].message in note for note in opened.notes[1:])


def test_problems_resolved_under_new_rules_are_counted(engine: Engine, exported):
    def older(record):
        record["ruleset"]["hash"] = "sha256:old"
        record["validation"]["errors"] = [{"path": "project_info.net_assets",
                                           "code": "old_rule"}]

    notes = engine.open(rezip_record(exported[1], older)).notes
    assert len(notes) == 3
    assert "1" in notes[1]
    assert "文档未与数据核对" in notes[2]  # other rules may print other figures


def test_same_rule_set_gives_no_rule_note(engine: Engine, exported):
    assert engine.open(exported[1]).notes == []


def test_unknown_fields_are_named_and_kept(engine: Engine):
    data = valid_project_dossier()
    data["project_info"]["wechat_id"] = "anji_chairs"
    data["county_summary"] = {"growth": "12%"}
    _, content, report = engine.export("project", data)
    assert report.ok
    opened = engine.open(content)
    assert opened.data == data
    assert opened.data["project_info"]["wechat_id"] == "anji_chairs"
    assert len(opened.notes) == 1
    assert "project_info.wechat_id" in opened.notes[0]
    assert "county_summary" in opened.notes[0]


# --- CLI ----------------------------------------------------------------------------------


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formsite", *args], cwd=root,
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          check=False)


@pytest.fixture
def bundle_files(engine: Engine, tmp_path: Path) -> dict[str, Path]:
    valid = tmp_path / "valid.zip"
    valid.write_bytes(engine.export("project", valid_project_dossier())[1])
    bad = tmp_path / "errors.zip"
    bad.write_bytes(engine.export("project", invalid_dossier())[1])
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a bundle")
    return {"valid": valid, "errors": bad, "junk": junk, "missing": tmp_path / "nope.zip"}


def test_cli_valid_bundle_exits_0(project_root: Path, bundle_files):
    result = run_cli(project_root, "validate", str(bundle_files["valid"]), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert isinstance(out, list) and len(out) == 1
    assert out[0]["readable"] is True
    assert out[0]["ok"] is True
    assert out[0]["errors"] == []
    assert out[0]["dossier"] == "project"


def test_cli_bundle_with_errors_exits_1(project_root: Path, bundle_files):
    result = run_cli(project_root, "validate", str(bundle_files["errors"]), "--json")
    assert result.returncode == 1, result.stderr
    [entry] = json.loads(result.stdout)
    assert entry["ok"] is False
    assert len(entry["errors"]) == 2
    for issue in entry["errors"] + entry["warnings"]:
        assert set(issue) == ISSUE_KEYS
    assert {(e["code"], e["path"]) for e in entry["errors"]} == {
        ("net_assets_le_total_assets", "project_info.net_assets"),
        ("phone.invalid", "project_info.contact_phone")}


@pytest.mark.parametrize("which", ["junk", "missing"])
def test_cli_unreadable_file_exits_2(project_root: Path, bundle_files, which):
    result = run_cli(project_root, "validate", str(bundle_files[which]), "--json")
    assert result.returncode == 2, result.stderr
    [entry] = json.loads(result.stdout)
    assert entry["readable"] is False
    assert entry["message"]
    assert "Traceback" not in result.stderr


def test_cli_several_files_worst_exit_code_wins(project_root: Path, bundle_files):
    result = run_cli(project_root, "validate", str(bundle_files["valid"]),
                     str(bundle_files["errors"]), str(bundle_files["junk"]), "--json")
    assert result.returncode == 2
    assert [e["readable"] for e in json.loads(result.stdout)] == [True, True, False]
    result = run_cli(project_root, "validate", str(bundle_files["valid"]),
                     str(bundle_files["errors"]), "--json")
    assert result.returncode == 1


def test_cli_text_output(project_root: Path, bundle_files):
    result = run_cli(project_root, "validate", str(bundle_files["errors"]))
    assert result.returncode == 1
    assert "project_info.net_assets" in result.stdout
    assert "project_info.contact_phone" in result.stdout


def test_cli_schema_has_chinese_titles(project_root: Path):
    result = run_cli(project_root, "schema", "project_info")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    props = schema["properties"]
    assert props["project_name"]["title"] == "项目名称"
    assert props["credit_code"]["title"] == "社会信用代码"
    assert props["related_costs_total"]["readOnly"] is True
    assert "附件3" in schema["title"]


def test_cli_schema_of_dossier_and_unknown_form(project_root: Path):
    result = run_cli(project_root, "schema", "project")
    assert result.returncode == 0
    assert set(json.loads(result.stdout)["properties"]) == {"project_info", "fund_details"}
    result = run_cli(project_root, "schema", "nonexistent")
    assert result.returncode == 2
    assert "project_info" in result.stderr


def test_cli_examples_exit_0(project_root: Path):
    result = run_cli(project_root, "examples")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed" in result.stdout


def test_cli_with_compiled_definitions_json(project_root: Path, definitions: Definitions,
                                            bundle_files, tmp_path: Path):
    compiled = tmp_path / "definitions.json"
    compiled.write_text(definitions.model_dump_json(by_alias=True), encoding="utf-8")
    result = run_cli(tmp_path, "--definitions", str(compiled), "validate",
                     str(bundle_files["errors"]), "--json")
    assert result.returncode == 1, result.stderr


# --- browser API (run in CPython here; the Pyodide tests run the same calls) ---------------


@pytest.fixture
def page(definitions: Definitions):
    info = json.loads(browser.init(definitions.model_dump_json(by_alias=True)))
    assert info["dossiers"] == ["city", "county", "project"]
    assert info["ruleset"]["hash"] == definitions.ruleset_hash
    return browser


def test_browser_validate(page):
    result = json.loads(page.validate(json.dumps({"dossier": "project",
                                                  "data": valid_project_dossier()})))
    assert result["ok"] is True
    assert result["errors"] == []
    assert result["normalised"]["project_info"]["related_costs_total"] == "1510.00"

    result = json.loads(page.validate(json.dumps({"dossier": "project",
                                                  "data": invalid_dossier()})))
    assert result["ok"] is False
    for issue in result["errors"]:
        assert set(issue) == ISSUE_KEYS


def test_browser_export_import_round_trip(page):
    exported = json.loads(page.export_bundle(json.dumps({"dossier": "project",
                                                         "data": valid_project_dossier()})))
    assert exported["ok"] is True
    assert exported["name"].endswith(".zip")
    imported = json.loads(page.import_bundle(json.dumps({"dossier": "project",
                                                         "file_base64": exported["zip_base64"]})))
    assert imported["ok"] is True
    # As typed, except what the page's date, month and tick-box inputs can only show in ISO form.
    expected = valid_project_dossier()
    expected["project_info"].update(start_month="2024-03", end_month="2025-09")
    expected["project_info"]["progress_plan"][0]["deadline"] = "2024-12-31"
    assert imported["data"] == expected
    assert imported["notes"] == []
    assert imported["report"]["ok"] is True


@pytest.mark.parametrize("payload", ["!!!not base64!!!", base64.b64encode(b"junk").decode(),
                                     base64.b64encode(os.urandom(64)).decode()])
def test_browser_import_bad_file(page, payload):
    result = json.loads(page.import_bundle(json.dumps({"dossier": "project",
                                                       "file_base64": payload})))
    assert result["ok"] is False
    assert result["message"]


def test_browser_run_examples(page):
    results = json.loads(page.run_examples())
    assert results
    assert all(set(r) == {"rule", "kind", "index", "flagged", "problem"} for r in results)
    assert all(r["flagged"] == (r["kind"] == "fail") and not r["problem"] for r in results)
