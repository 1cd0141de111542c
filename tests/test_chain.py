"""The enterprise → county → city chain through the engine and the CLI: project bundles go
into a county bundle byte for byte, county bundles into a city bundle, and 附件5 comes out with
every figure the enterprises typed; whatever does not belong is flagged on its row."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from dossiers import KEY_PROJECT_TEXT, valid_city_dossier, valid_county_dossier, valid_project_dossier

from formsite.bundle import DATA_FILE, MANIFEST_FILE
from formsite.engine import Engine
from formsite.errors import BundleError

ROOT = Path(__file__).resolve().parents[1]


def project(name: str, county: str = "安吉县", city: str = "湖州市", **changes) -> dict:
    data = valid_project_dossier()
    info = data["project_info"]
    info.update(project_name=name, county=county, city=city, **changes)
    return data


def export_projects(engine: Engine, *dossiers: dict) -> list[tuple[str, bytes]]:
    out = []
    for data in dossiers:
        name, content, _ = engine.export("project", data)
        out.append((name, content))
    return out


def county_bundle(engine: Engine, projects: list[tuple[str, bytes]], county: str = "安吉县",
                  city: str = "湖州市") -> tuple[dict, bytes, object]:
    data = engine.sync_rows("county", valid_county_dossier(city, county), projects)
    for row in data["key_projects"]["projects"]:
        row.update(KEY_PROJECT_TEXT)
    _, content, report = engine.export("county", data, projects)
    return data, content, report


def codes(report, path_prefix: str = "") -> set[tuple[str, str]]:
    return {(i.path, i.code) for i in report.errors + report.warnings if i.path.startswith(path_prefix)}


def docx_text(content: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(content))
    return "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


@pytest.fixture(scope="module")
def two_projects(engine: Engine) -> list[tuple[str, bytes]]:
    return export_projects(engine, project("安吉县椅业展示选品中心"), project("安吉县竹制品线上专区"))


# --- county ---------------------------------------------------------------------------------


def test_county_bundle_keeps_each_project_bundle_byte_for_byte(engine: Engine, two_projects):
    data, content, report = county_bundle(engine, two_projects)
    assert report.ok, [(i.path, i.message) for i in report.errors]
    files = unzip(content)
    record = json.loads(files[DATA_FILE])
    assert record["dossier"] == "county"
    assert [files[a["file"]] for a in record["attachments"]] == [raw for _, raw in two_projects]
    assert {n for n in files if n.startswith("附件2")} == {
        "附件2 重点项目申报表（安吉县椅业展示选品中心）.docx",
        "附件2 重点项目申报表（安吉县竹制品线上专区）.docx"}
    assert any(n.startswith("附件1 安吉县2022-2024年") for n in files)
    assert MANIFEST_FILE in files
    # 所在地区 and 项目名称 of each 附件2 come from the project, not typed by the county.
    assert [r["project_name"] for r in data["key_projects"]["projects"]] == [
        "安吉县椅业展示选品中心", "安吉县竹制品线上专区"]


def test_county_bundle_reopens_with_its_projects_revalidated(engine: Engine, two_projects):
    _, content, _ = county_bundle(engine, two_projects)
    opened = engine.open(content)
    assert opened.dossier == "county" and opened.report.ok and opened.notes == []
    assert [a.opened.report.ok for a in opened.attachments] == [True, True]
    assert [a.raw for a in opened.attachments] == [raw for _, raw in two_projects]


def test_rows_follow_the_attachments_and_keep_what_was_typed(engine: Engine, two_projects):
    data = engine.sync_rows("county", valid_county_dossier(), two_projects)
    data["key_projects"]["projects"][1]["goals"] = "第二个项目的目标"
    data = engine.sync_rows("county", data, list(reversed(two_projects)))
    rows = data["key_projects"]["projects"]
    assert [r["project_name"] for r in rows] == ["安吉县竹制品线上专区", "安吉县椅业展示选品中心"]
    assert rows[0]["goals"] == "第二个项目的目标"
    data = engine.sync_rows("county", data, two_projects[:1])
    assert [r["project_name"] for r in data["key_projects"]["projects"]] == ["安吉县椅业展示选品中心"]


def test_what_does_not_belong_in_a_county_is_flagged_on_its_row(engine: Engine, two_projects):
    invalid = project("无效项目", subsidy_requested="99999")  # more than its costs
    other = project("德清县的项目", county="德清县")
    attachments = [*two_projects, two_projects[0], *export_projects(engine, invalid, other),
                   ("损坏.zip", b"PK\x03\x04 not a zip")]
    data = engine.sync_rows("county", valid_county_dossier(), attachments)
    report = engine.validate("county", data, attachments)
    rows = "key_projects.projects"
    assert (f"{rows}.2", "chain.duplicate") in codes(report)
    assert (f"{rows}.3", "chain.invalid") in codes(report)
    assert (f"{rows}.4", "chain.not_same") in codes(report)
    assert (f"{rows}.5", "chain.unreadable") in codes(report)
    assert not codes(report, f"{rows}.0") - {(f"{rows}.0.{k}", "row_required") for k in KEY_PROJECT_TEXT}
    message = next(i.message for i in report.errors if i.code == "chain.not_same")
    assert "德清县" in message and "安吉县" in message


def test_a_draft_saved_without_the_engine_is_not_a_project_bundle(engine: Engine):
    draft = {"format": "formsite-bundle", "format_version": 1, "dossier": "project",
             "data": valid_project_dossier()}
    attachments = [("草稿.json", json.dumps(draft, ensure_ascii=False).encode())]
    data = engine.sync_rows("county", valid_county_dossier(), attachments)
    report = engine.validate("county", data, attachments)
    assert ("key_projects.projects.0", "chain.unchecked") in codes(report)


def test_a_county_needs_at_least_one_project(engine: Engine):
    report = engine.validate("county", valid_county_dossier(), [])
    assert ("key_projects.projects", "chain.too_few") in codes(report)


# --- city -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def counties(engine: Engine, two_projects) -> list[tuple[str, bytes]]:
    anji = county_bundle(engine, two_projects)[1]
    deqing_projects = export_projects(engine, project("德清县地理信息跨境服务中心", county="德清县",
                                                      total_investment="2,000.10",
                                                      subsidy_requested="0.30"))
    deqing = county_bundle(engine, deqing_projects, county="德清县")[1]
    return [("安吉县.zip", anji), ("德清县.zip", deqing)]


def city_bundle(engine: Engine, counties, tier: str = "2", city: str = "湖州市"):
    data = engine.sync_rows("city", valid_city_dossier(city, tier), counties)
    for row in data["city_list"]["counties"]:
        row["opinion"] = f"推荐{row['county']}。"
    return engine.export("city", data, counties)


def test_city_bundle_with_annex5_from_every_project(engine: Engine, counties):
    name, content, report = city_bundle(engine, counties)
    assert report.ok, [(i.path, i.message) for i in report.errors]
    assert name == "湖州市.zip"
    files = unzip(content)
    assert "附件5 重点项目清单.docx" in files or any(n.startswith("附件5") and n.endswith(".docx") for n in files)
    xlsx = next(n for n in files if n.endswith(".xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(files[xlsx])).active
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    flat = [c for row in cells for c in row if c is not None]
    for typed in ("安吉县椅业展示选品中心", "安吉县竹制品线上专区", "德清县地理信息跨境服务中心",
                  "安吉县递铺街道椅业园区1号楼"):
        assert typed in flat
    numbers = [Decimal(str(c)) for c in flat if isinstance(c, int | float)]
    assert Decimal("2000") in numbers and Decimal("2000.1") in numbers  # 总投资 as typed
    assert Decimal("0.3") in numbers  # 申请补助资金 as typed
    # The printed list carries the exact totals: 2 000 + 2 000 + 2 000.10 and 300 + 300 + 0.30.
    docx = docx_text(files[next(n for n in files if n.startswith("附件5") and n.endswith(".docx"))])
    assert "6000.10" in docx and "600.30" in docx
    opened = engine.open(content)
    assert opened.report.ok and len(opened.attachments) == 2
    assert [len(c.opened.attachments) for c in opened.attachments] == [2, 1]


def test_city_quota_other_city_and_tampered_county_are_flagged(engine: Engine, counties, two_projects):
    # Tier 3 allows 2 counties; a third from another city, and one changed after export.
    hangzhou = county_bundle(engine, export_projects(engine, project("西湖区项目", county="西湖区",
                                                                     city="杭州市")),
                             county="西湖区", city="杭州市")[1]
    files = unzip(counties[0][1])
    record = json.loads(files[DATA_FILE])
    record["data"]["county_summary"]["trade_y3"] = "99999"
    files[DATA_FILE] = json.dumps(record, ensure_ascii=False).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n, c in files.items():
            archive.writestr(n, c)
    tampered = buffer.getvalue()
    attachments = [("篡改的安吉县.zip", tampered), counties[1], ("西湖区.zip", hangzhou)]
    data = engine.sync_rows("city", valid_city_dossier(tier="3"), attachments)
    report = engine.validate("city", data, attachments)
    rows = "city_list.counties"
    assert (f"{rows}.0", "chain.tampered") in codes(report)
    assert (f"{rows}.2", "chain.not_same") in codes(report)
    assert (rows, "chain.too_many") in codes(report)
    quota = next(i.message for i in report.errors if i.code == "chain.too_many")
    assert "第三档" in quota and "2" in quota and "3" in quota


# --- CLI ------------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formsite", "--root", str(ROOT), *args],
                          capture_output=True, text=True, timeout=300)


def test_cli_validates_nested_bundles_and_builds_the_same_city_bundle(engine: Engine, counties,
                                                                      tmp_path: Path):
    paths = []
    for name, content in counties:
        (tmp_path / name).write_bytes(content)
        paths.append(str(tmp_path / name))
    result = run_cli("validate", *paths)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "安吉县椅业展示选品中心" in result.stdout  # the projects inside are listed too
    out = tmp_path / "out"
    result = run_cli("annex5", *paths, "--city", "湖州市", "--tier", "2",
                     "--set", "org_name=湖州市商务局", "--set", "contact_person=赵强",
                     "--set", "contact_phone=0572-2222222",
                     "--opinion", "安吉县=推荐安吉县。", "--opinion", "德清县=推荐德清县。",
                     "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    _, page_bytes, _ = city_bundle(engine, counties)
    assert (out / "湖州市.zip").read_bytes() == page_bytes  # same bytes as the page's export
    rendered = tmp_path / "rendered"
    result = run_cli("render", str(out / "湖州市.zip"), "-o", str(rendered))
    assert result.returncode == 0, result.stderr
    docs = {p.relative_to(rendered).as_posix() for p in rendered.rglob("*.docx")}
    assert any(d.startswith("附件5") for d in docs)
    assert any(d.endswith("附件3 重点项目信息表.docx") and d.count("/") == 2 for d in docs)


# --- hostile bundles (from a review: each of these once crashed, escaped or slipped through) -


def rezip(files: dict[str, bytes], stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_record(content: bytes, change) -> bytes:
    files = unzip(content)
    record = json.loads(files[DATA_FILE])
    change(record)
    files[DATA_FILE] = json.dumps(record, ensure_ascii=False).encode()
    return rezip(files)


def test_a_county_bundle_inside_a_county_bundle_is_refused_not_recursed(engine: Engine, two_projects):
    # Once each level opened the next whatever its kind: 600 levels raised RecursionError.
    _, county, _ = county_bundle(engine, two_projects)

    def carry_itself(record):
        record["attachments"] = [{"file": "attachments/01-县.zip"}]

    files = unzip(with_record(county, carry_itself))
    files["attachments/01-县.zip"] = county
    opened = engine.open(rezip(files))
    assert ("key_projects.projects.0", "chain.unreadable") in codes(opened.report)
    message = next(i.message for i in opened.report.errors if i.code == "chain.unreadable")
    assert "不能导入到本页面" in message and opened.attachments[0].opened is None


def test_attachment_names_cannot_leave_the_output_folder(engine: Engine, two_projects, tmp_path: Path):
    _, content, _ = county_bundle(engine, two_projects)

    def escape(record):
        record["attachments"][0]["file"] = "attachments/.."

    files = unzip(with_record(content, escape))
    files["attachments/.."] = files.pop(next(n for n in files if n.startswith("attachments/01")))
    bad = tmp_path / "bad.zip"
    bad.write_bytes(rezip(files))
    result = run_cli("render", str(bad), "-o", str(tmp_path / "a" / "out"))
    assert result.returncode == 2 and "清单已损坏" in result.stderr
    assert not any((tmp_path / "a").glob("*.docx"))


def test_a_corrupt_compressed_entry_is_a_chinese_message(engine: Engine):
    raw = bytearray(rezip({DATA_FILE: b'{"format": "formsite-bundle"}' * 200}))
    start = 30 + len(DATA_FILE)  # the first entry's compressed bytes
    raw[start:start + 16] = b"\xff" * 16  # once: zlib.error escaped as a traceback
    attachments = [("bad.zip", bytes(raw))]
    data = engine.sync_rows("county", valid_county_dossier(), attachments)
    report = engine.validate("county", data, attachments)
    assert ("key_projects.projects.0", "chain.unreadable") in codes(report)
    assert "ZIP文件已损坏" in next(i.message for i in report.errors if i.code == "chain.unreadable")


def test_changed_data_and_bare_json_are_not_accepted_as_project_bundles(engine: Engine, two_projects):
    def raise_subsidy(record):
        record["data"]["project_info"]["subsidy_requested"] = "301"

    changed = with_record(two_projects[0][1], raise_subsidy)  # manifest and checksum now stale
    bare = unzip(two_projects[1][1])[DATA_FILE]  # a data.json taken out of its bundle
    attachments = [("changed.zip", changed), ("bare.json", bare)]
    data = engine.sync_rows("county", valid_county_dossier(), attachments)
    report = engine.validate("county", data, attachments)
    assert ("key_projects.projects.0", "chain.tampered") in codes(report)
    assert ("key_projects.projects.1", "chain.unchecked") in codes(report)


def test_a_row_key_that_is_not_text_does_not_break_the_rows(engine: Engine, two_projects):
    data = engine.sync_rows("county", valid_county_dossier(), two_projects)
    data["key_projects"]["projects"][0]["ref"] = {"a": 1}
    data = engine.sync_rows("county", data, two_projects)
    assert data["key_projects"]["projects"][0]["ref"].endswith("安吉县椅业展示选品中心")


def test_annex5_leaves_out_what_the_chain_refused(engine: Engine, counties, two_projects):
    yuhang = county_bundle(engine, export_projects(engine, project("余杭区项目", county="余杭区", city="杭州市")),
                           county="余杭区", city="杭州市")[1]
    attachments = [*counties, counties[0], ("余杭区.zip", yuhang)]  # a duplicate and a stranger
    _, content, report = city_bundle(engine, attachments, tier="1")
    assert {c for _, c in codes(report)} >= {"chain.duplicate", "chain.not_same"}
    docx = docx_text(unzip(content)[next(n for n in unzip(content) if n.endswith(".docx"))])
    assert docx.count("安吉县椅业展示选品中心") == 1 and "余杭区项目" not in docx
    assert "6000.10" in docx  # the total of the accepted projects only


def test_an_attachment_listing_longer_than_the_archive_is_refused(engine: Engine, two_projects):
    _, content, _ = county_bundle(engine, two_projects)

    def repeat(record):
        record["attachments"] = record["attachments"] * 5000

    opened_or_error = None
    try:
        engine.open(with_record(content, repeat))
    except BundleError as exc:
        opened_or_error = exc.code
    assert opened_or_error == "bundle.bad_listing"


def test_a_bundle_still_to_attach_is_to_do_not_wrong(engine: Engine, two_projects):
    """A blank county page: "at least one project bundle" is on the to-do list like a blank
    field; a wrong bundle attached is an error."""
    county = engine.compiled("county")
    table = county.dossier.attachments.table
    blank = engine.chain.validate(county, {}, [])
    assert [i.code for i in blank.errors if i.path == table] == ["chain.too_few"]
    assert table in blank.todo
    assert blank.verdict.startswith("尚未开始填写")
    attached = engine.attach("county", [(name, content) for name, content in two_projects])
    report = engine.chain.validate(county, {}, attached)
    assert table not in report.todo
    assert not [p for p in report.todo if p.startswith(f"{table}.") and p.count(".") == 2]
