"""The page as a person uses it: Chromium against the built dist/, fields found by their labels.

Needs dist/ built with the runtime (scripts/test.sh builds it first; the fixture builds it when
it is missing). FORMSITE_DIST names another built site folder to test instead of dist/. The
server runs under a sub-path, as on an intranet server.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from ooxml_validate import validate_docx
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
DIST = Path(os.environ.get("FORMSITE_DIST") or ROOT / "dist").resolve()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def site():
    if not (DIST / "pyodide" / "pyodide-lock.json").is_file():
        subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(DIST)], check=True)
    from support.server import serve

    with serve(DIST, sub_path="/shenbao/2024/") as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.requests = requests  # type: ignore[attr-defined]
    page.goto(site + "project.html")
    yield page
    origin = site.split("/shenbao/")[0]
    foreign = [u for u in requests if not u.startswith((origin, "blob:", "data:"))]
    assert foreign == [], f"requests outside the origin: {foreign}"
    context.close()


def wait_ready(page) -> None:
    page.wait_for_selector("body[data-engine=ready]", timeout=60_000)


def settled(page) -> None:
    """Wait until the validation triggered by the last edit has come back and is shown."""
    # A selector, not a JS predicate: the pages' CSP forbids the eval a predicate string needs.
    page.wait_for_selector("body[data-validated]:not([data-pending])", state="attached", timeout=10_000)


def field(page, label: str):
    return page.get_by_label(label, exact=True)


def choose(page, group: str, option: str) -> None:
    page.get_by_role("group", name=group).get_by_label(option, exact=True).check()


def stored_draft(page, dossier: str = "project") -> dict:
    """The draft as the page stored it in this browser (through the page's own drafts.js)."""
    return page.evaluate("""async (dossier) => {
        const drafts = await import(new URL("static/drafts.js", location.href).href);
        return drafts.readDraft(dossier);
    }""", dossier)


def store_draft(page, draft: dict, dossier: str = "project") -> None:
    page.evaluate("""async ([dossier, draft]) => {
        const drafts = await import(new URL("static/drafts.js", location.href).href);
        await drafts.writeDraft(dossier, draft);
    }""", [dossier, draft])


def fill_dossier(page) -> None:
    """A realistic 展示选品中心 project, typed as a person would (full-width, separators)."""
    f = lambda label, value: field(page, label).fill(value)  # noqa: E731
    f("项目名称", "安吉县椅业跨境电商产业带展示选品中心")
    choose(page, "项目类型", "跨境电商产业带展示选品中心")
    choose(page, "企业类型", "贸易型")
    field(page, "所在设区市").select_option("湖州市")
    field(page, "所在县（市、区）").select_option("安吉县")  # offered once the city is chosen
    f("承担单位名称", "安吉优选跨境电子商务有限公司")
    choose(page, "单位性质", "内资")
    f("法定代表人", "张伟")
    f("单位地址", "浙江省湖州市安吉县递铺街道昌硕东路88号")
    f("社会信用代码", "91330523MA2B3C4D5M")
    f("注册资本（万元）", "1,000")
    f("总资产（万元）", "5,200.50")
    f("净资产（万元）", "3100")
    f("2024年跨境电商额（万元）", "１２３４５.６７")
    f("2024年营业收入（万元）", "23456.78")
    f("2024年利润（万元）", "-120.5")
    f("单位简介", "公司主营办公椅跨境出口。")
    f("项目负责人", "李娜")
    f("联系人", "王强")
    f("联系电话", "0572-5123456")
    f("项目开始时间", "2024-03")
    f("项目完成时间", "2025-09")
    f("总投资（投入）（万元）", "2,000")
    f("申报期内投资（投入）（万元）", "1600")
    f("项目建设地址", "安吉县递铺街道椅业园区1号楼")
    f("项目建设内容", "建设3000平方米展示选品中心。")
    f("项目分年度建设进度计划 第1行 完成投资（投入）", "800")
    f("项目分年度建设进度计划 第1行 项目实施进度", "40")
    f("项目分年度建设进度计划 第2行 完成投资（投入）", "2000")
    f("项目分年度建设进度计划 第2行 项目实施进度", "100")
    f("本年度申请补助资金（万元）", "300")
    for label in ("项目概述", "主要做法", "绩效考核指标", "项目获得政府性资金支持情况",
                  "项目前期报批情况", "项目示范带动作用"):
        f(label, f"{label}：详见附件说明。")
    f("展示选品中心实际使用面积（平方米）", "3,000")
    f("展示选品中心入驻供应商、卖家企业（家）", "86")
    f("展示选品中心品牌种类（个）", "120")
    f("展示选品中心产品类别（款）", "5000")
    for label in ("本项目未违反国家产业政策、环保政策。",
                  "申报期本项目未获得过中央和省级商务类财政专项资金补助。",
                  "本企业未列入严重失信名单，近三年未发生重大安全生产责任事故。",
                  "本企业承诺所填内容真实有效。"):
        field(page, label).check()
    page.get_by_role("button", name="添加一行设备购置费用").click()
    f("设备购置费用 第1行 费用名称", "展示货架")
    f("设备购置费用 第1行 已开支费用", "0.1")
    page.get_by_role("button", name="添加一行设备购置费用").click()
    f("设备购置费用 第2行 费用名称", "选品终端")
    f("设备购置费用 第2行 已开支费用", "0.2")
    page.get_by_role("button", name="添加一行建设费用").click()
    f("建设费用 第1行 费用名称", "展厅装修")
    f("建设费用 第1行 已开支费用", "1,050")
    f("建设费用 第1行 拟支出费用", "200")


def test_fill_validate_reload_export_import(page, tmp_path):
    wait_ready(page)
    fill_dossier(page)
    settled(page)
    # Sums flow from 附件4 into 附件3, exactly: 0.1 + 0.2 is 0.30.
    assert page.locator("output[data-path='project_info.equipment_spent']").text_content() == "0.30"
    assert page.locator("output[data-path='fund_details.total_spent']").text_content() == "1050.30"
    assert page.locator("#verdict").text_content().startswith("通过校验")

    # An error appears next to its field, with the official label, and clears again.
    net = field(page, "净资产（万元）")
    net.fill("6000")
    net.press("Tab")  # a format or rule message beside the field waits until it is left
    settled(page)
    assert net.get_attribute("aria-invalid") == "true"
    message = page.locator("#" + net.get_attribute("aria-describedby").split()[-1])
    assert "净资产为6000.00万元，不能大于总资产（5200.50万元）" in message.text_content()
    assert page.locator("#summary-list li.error").count() == 1
    net.fill("3100")
    settled(page)
    assert net.get_attribute("aria-invalid") is None
    assert page.locator("#summary-list li").count() == 0

    # A threshold of the selected project type, from the rule set.
    area = field(page, "展示选品中心实际使用面积（平方米）")
    area.fill("999")
    settled(page)
    assert "不少于1000平方米" in page.locator("#summary-list").text_content()
    area.fill("3,000")
    settled(page)

    # Reload: the draft is still there.
    page.reload()
    wait_ready(page)
    assert field(page, "项目名称").input_value() == "安吉县椅业跨境电商产业带展示选品中心"
    assert field(page, "设备购置费用 第2行 已开支费用").input_value() == "0.2"
    assert page.get_by_role("group", name="项目类型").get_by_label(
        "跨境电商产业带展示选品中心", exact=True).is_checked()

    # Export the bundle.
    with page.expect_download() as info:
        page.get_by_role("button", name="下载数据包").click()
    download = info.value
    assert download.suggested_filename == "安吉县椅业跨境电商产业带展示选品中心.zip"
    bundle = tmp_path / download.suggested_filename
    download.save_as(bundle)
    with zipfile.ZipFile(bundle) as archive:
        record = json.loads(archive.read("data.json"))
        manifest = json.loads(archive.read("manifest.json"))
    assert record["validation"]["ok"] is True, record["validation"]
    assert manifest["validation"]["status"] == "通过校验"
    assert record["data"]["project_info"]["cbec_amount"] == "１２３４５.６７"  # as typed

    # The CLI gives the same verdict on the same file.
    cli = subprocess.run([sys.executable, "-m", "formsite", "validate", str(bundle), "--json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert json.loads(cli.stdout)[0]["errors"] == []

    # The DOCX documents the page wrote are byte for byte what the CLI renders.
    out = tmp_path / "rendered"
    subprocess.run([sys.executable, "-m", "formsite", "render", str(bundle), "-o", str(out)],
                   check=True, capture_output=True, cwd=ROOT)
    with zipfile.ZipFile(bundle) as archive:
        for name in ("附件3 重点项目信息表.docx", "附件4 项目资金投入明细表.docx"):
            assert archive.read(name) == (out / name).read_bytes()
            assert validate_docx(out / name) == []  # Open XML SDK validator
            listed = {f["name"]: f["sha256"] for f in manifest["files"]}
            assert listed[name] == hashlib.sha256(archive.read(name)).hexdigest()

    # Clear, then import the bundle back.
    page.get_by_role("button", name="清空草稿").click()
    expect(field(page, "项目名称")).to_have_value("")
    page.locator("#import-file").set_input_files(str(bundle))
    expect(page.locator("#notice")).to_contain_text("已导入")
    assert field(page, "项目名称").input_value() == "安吉县椅业跨境电商产业带展示选品中心"
    assert field(page, "建设费用 第1行 已开支费用").input_value() == "1,050"
    settled(page)
    assert page.locator("#verdict").text_content().startswith("通过校验")


def test_bad_import_keeps_the_draft(page, tmp_path):
    wait_ready(page)
    field(page, "项目名称").fill("保留的草稿")
    for name, content in (("notes.txt", "这不是数据包".encode()),
                          ("foreign.json", b'{"name": "something else"}'),
                          ("broken.zip", b"PK\x03\x04garbage")):
        path = tmp_path / name
        path.write_bytes(content)
        page.locator("#import-file").set_input_files(str(path))
        expect(page.locator("#notice.error")).to_contain_text("导入失败")
        assert "当前草稿未作任何改动" in page.locator("#notice").text_content()
        page.locator("#notice button").click()
        expect(page.locator("#notice")).to_be_hidden()
    assert field(page, "项目名称").input_value() == "保留的草稿"


def test_types_show_their_basic_conditions_and_hostile_text_is_inert(page):
    wait_ready(page)
    park_area = field(page, "园区实际使用面积（平方米）")
    expect(park_area).to_be_hidden()
    choose(page, "项目类型", "跨境电商产业园区")
    expect(park_area).to_be_visible()  # once the engine says it applies
    expect(field(page, "园区年销售额（万元）")).to_be_hidden()
    field(page, "以跨境电商经营企业（卖家）为主的园区").check()
    expect(field(page, "园区年销售额（万元）")).to_be_visible()
    hostile = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1">'
    field(page, "项目名称").fill(hostile)
    field(page, "注册资本（万元）").fill("12.345")
    field(page, "注册资本（万元）").press("Tab")
    settled(page)
    assert page.evaluate("window.pwned") is None
    assert "最多保留两位小数" in page.locator("#summary-list").text_content()
    page.get_by_role("link", name="错误：注册资本以万元为单位，最多保留两位小数，填写的是“12.345”。").click()
    assert page.evaluate("document.activeElement.id") == "f-project_info-registered_capital"


def test_rule_examples_same_verdict_in_pyodide(page, engine):
    wait_ready(page)
    in_browser = json.loads(page.evaluate("window.formsiteEngine.call('run_examples')"))
    in_cpython = [{"rule": r.rule, "kind": r.kind, "index": r.index, "flagged": r.flagged,
                   "problem": r.problem} for r in engine.examples()]
    assert in_browser == in_cpython
    assert len(in_browser) > 60


def test_same_verdict_for_a_broken_dossier(page, engine):
    """Field errors, rule errors and warnings: identical in Pyodide and in CPython."""
    wait_ready(page)
    from dossiers import valid_project_dossier

    data = valid_project_dossier()
    data["project_info"].update(credit_code="91330523MA2B3C4D5X", net_assets="9999",
                                contact_phone="12345", start_month="2026-01")
    data["fund_details"]["other"] = [{"name": "空行", "spent": "0"}]
    request = json.dumps({"dossier": "project", "data": data}, ensure_ascii=False)
    in_browser = json.loads(page.evaluate("r => window.formsiteEngine.call('validate', r)", request))
    in_cpython = engine.validate("project", data)
    assert in_browser["errors"] == [i.as_dict() for i in in_cpython.errors]
    assert in_browser["warnings"] == [i.as_dict() for i in in_cpython.warnings]
    assert len(in_browser["errors"]) >= 4


def test_import_from_bytes_io_roundtrip(engine):
    """Sanity for the fixtures above: an exported bundle of the valid dossier opens clean."""
    from dossiers import valid_project_dossier

    _name, content, report = engine.export("project", valid_project_dossier())
    assert report.ok
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert set(archive.namelist()) >= {"data.json", "manifest.json"}


@pytest.fixture
def page_api(engine):
    """formsite.browser, the functions the worker calls, initialised as the worker does."""
    from formsite import browser as page_api

    page_api.init(engine.definitions.model_dump_json(by_alias=True))
    return page_api


def test_validate_answers_everything_the_page_shows(page_api):
    from dossiers import valid_project_dossier

    data = valid_project_dossier()
    data["project_info"]["registered_capital"] = "   "
    answer = json.loads(page_api.validate(json.dumps({"dossier": "project", "data": data})))
    assert {"ok", "errors", "warnings", "normalised", "hidden_fields", "hidden_sections",
            "filled"} <= set(answer)
    assert "project_info.registered_capital" not in answer["filled"]  # spaces are blank
    assert "project_info.project_name" in answer["filled"]
    assert "project_info.park_area" in answer["hidden_fields"]  # not a park


def test_open_draft_names_what_changed_without_inventing_new_problems(page_api, engine):
    from formsite.bundle import draft_record

    record = {**draft_record(engine.dossiers["project"]),
              "data": {"project_info": {"project_name": "去年的草稿", "field_removed_since": "保留"}}}
    record["ruleset"] = {"id": "zj-cbec-2023", "version": "2023.1", "hash": "sha256:old"}
    notes = json.loads(page_api.open_draft(json.dumps({"dossier": "project", "draft": record})))["notes"]
    assert notes[0].startswith("本草稿按规则集 zj-cbec-2023 版本 2023.1 制作")
    assert any("project_info.field_removed_since" in n for n in notes)
    # A draft was never checked: its problems are not "new" (they are in the summary).
    assert not any(n.startswith("新出现的问题") for n in notes)


def test_open_draft_of_a_current_draft_says_nothing(page_api, engine):
    from formsite.bundle import draft_record

    record = {**draft_record(engine.dossiers["project"]), "data": {"project_info": {}}}
    assert json.loads(page_api.open_draft(json.dumps({"dossier": "project", "draft": record}))) == {
        "notes": []}


def test_a_draft_record_opens_with_a_missing_checksum_note(engine):
    from dossiers import valid_project_dossier

    from formsite.bundle import draft_file_name, draft_record

    compiled = engine.dossiers["project"]
    record = {**draft_record(compiled), "data": valid_project_dossier()}
    opened = engine.open(json.dumps(record, ensure_ascii=False).encode())
    assert opened.report.ok
    assert len(opened.notes) == 1
    assert "没有数据校验和" in opened.notes[0] and "修改" not in opened.notes[0]
    assert draft_file_name(compiled) == "重点项目申报材料（未校验草稿）.json"


def test_a_draft_with_errors_downloads_marked_not_ready(page, tmp_path):
    wait_ready(page)
    field(page, "项目名称").fill("未完成的项目")
    settled(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="下载数据包").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert {"附件3 重点项目信息表.docx", "附件4 项目资金投入明细表.docx"} <= set(archive.namelist())
    assert manifest["validation"]["status"] == "未通过校验"
    assert manifest["validation"]["errors"] > 0
    expect(page.locator("#notice")).to_contain_text("未通过校验")
    # After a download attempt every problem is shown beside its field, not only in the summary.
    assert field(page, "承担单位名称").get_attribute("aria-invalid") == "true"


def test_a_draft_from_older_rules_opens_with_a_notice(page):
    wait_ready(page)
    field(page, "项目名称").fill("去年的草稿")
    expect(page.locator("#save-state")).to_contain_text("已保存")
    old = stored_draft(page)
    old["ruleset"] = {"id": "zj-cbec-2023", "version": "2023.1", "hash": "sha256:old"}
    old["data"]["project_info"]["field_removed_since"] = "保留"
    store_draft(page, old)
    page.reload()
    expect(field(page, "项目名称")).to_have_value("去年的草稿")  # read from IndexedDB, before the engine
    wait_ready(page)
    # What changed is the engine's to say (formsite.browser.open_draft), once it is ready.
    notice = page.locator("#notice")
    expect(notice).to_contain_text("本草稿按规则集 zj-cbec-2023 版本 2023.1 制作")
    expect(notice).to_contain_text("project_info.field_removed_since")
    field(page, "所在县（市、区）").select_option("德清县")  # an edit saves the draft again
    expect(page.locator("#save-state")).to_contain_text("已保存")
    assert stored_draft(page)["data"]["project_info"]["field_removed_since"] == "保留"


def test_without_the_engine_the_draft_can_still_leave_the_browser(page, tmp_path):
    """A browser that cannot run Pyodide: the form works, and the draft downloads as JSON
    that a capable browser imports, told that it carries no checksum (not that it was changed)."""
    page.route("**/py-worker.js", lambda route: route.abort())
    page.reload()
    page.wait_for_selector("body[data-engine=failed]", timeout=30_000)
    field(page, "项目名称").fill("旧浏览器里填的项目")
    # No verdict and no sum of the page's own.
    assert "未校验" in page.locator("#verdict").text_content()
    assert page.locator("#summary-list li").count() == 0
    assert page.locator("output[data-path='project_info.equipment_spent']").text_content() == "—"
    with page.expect_download() as info:
        page.get_by_role("button", name="下载草稿（未校验）").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    meta = json.loads(page.locator("#form-meta").text_content())
    assert path.name == meta["draft_file_name"] == "重点项目申报材料（未校验草稿）.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record == {**meta["draft_record"], "data": record["data"]}
    assert record["data"]["project_info"]["project_name"] == "旧浏览器里填的项目"
    page.unroute("**/py-worker.js")
    page.get_by_role("button", name="清空草稿").click()
    page.reload()
    wait_ready(page)
    page.locator("#import-file").set_input_files(str(path))
    notice = page.locator("#notice")
    expect(notice).to_contain_text("已导入")
    expect(notice).to_contain_text("没有数据校验和")
    assert "修改" not in notice.text_content()
    assert field(page, "项目名称").input_value() == "旧浏览器里填的项目"


# Every text an output shows, from the moment the page starts: a sum the page computed itself
# would show up here even if it was replaced a millisecond later.
RECORD_OUTPUTS = """
new MutationObserver(() => {
  window.shownSums ??= {};
  for (const out of document.querySelectorAll("output[data-computed]")) {
    (window.shownSums[out.dataset.path] ??= []).includes(out.textContent)
      || window.shownSums[out.dataset.path].push(out.textContent);
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def test_sums_and_number_errors_come_only_from_the_engine(page, engine):
    """Before the engine is ready a sum shows "—", never a figure of the page's own; then the
    engine's figure. A sum over a value it cannot read as money ("100家") is unknown to the
    engine, and stays "—": never 100.30 (the old page's guess), nor 0.30 as if nothing was typed."""
    held = []
    page.route("**/py-worker.js", lambda route: held.append(route))  # released below
    page.add_init_script(RECORD_OUTPUTS)
    page.reload()
    spent = page.locator("output[data-path='project_info.equipment_spent']")
    total = page.locator("output[data-path='fund_details.total_spent']")
    page.get_by_role("button", name="添加一行设备购置费用").click()
    field(page, "设备购置费用 第1行 费用名称").fill("展示货架")
    field(page, "设备购置费用 第1行 已开支费用").fill("100家")
    page.get_by_role("button", name="添加一行设备购置费用").click()
    field(page, "设备购置费用 第2行 费用名称").fill("选品终端")
    field(page, "设备购置费用 第2行 已开支费用").fill("0.1")
    page.get_by_role("button", name="添加一行设备购置费用").click()
    field(page, "设备购置费用 第3行 费用名称").fill("货架灯")
    field(page, "设备购置费用 第3行 已开支费用").fill("0.2")
    field(page, "注册资本（万元）").fill("5%")
    # Conditions work before the engine, from the generated condition data (conditions.js).
    choose(page, "项目类型", "跨境电商产业园区")
    expect(field(page, "园区实际使用面积（平方米）")).to_be_visible()
    # No verdict, no message and no sum of the page's own.
    assert spent.text_content() == "—" and total.text_content() == "—"
    assert spent.get_attribute("title") == "待校验引擎计算"
    assert "加载中" in page.locator("#verdict").text_content()
    assert page.locator("#summary-list li").count() == 0
    assert page.locator("[aria-invalid=true]").count() == 0

    assert held, "the page did not ask for the worker"
    held[0].continue_()
    wait_ready(page)
    settled(page)
    assert spent.text_content() == "—" and total.text_content() == "—"  # "100家" is not money
    assert "无法计算" in spent.get_attribute("title")
    shown = page.evaluate("window.shownSums")
    assert set(shown["project_info.equipment_spent"]) == {"—"}
    assert set(shown["fund_details.total_spent"]) == {"—"}

    # The engine's Chinese messages, beside the fields and in the summary.
    data = stored_draft(page)["data"]
    report = engine.validate("project", data)
    by_path = {i.path: i for i in report.errors}
    for path, typed in (("fund_details.equipment.0.spent", "100家"),
                        ("project_info.registered_capital", "5%")):
        issue = by_path[path]
        assert issue.code.startswith("number") or "数字" in issue.message, issue
        assert f"“{typed}”" in issue.message
        assert issue.message in page.locator("#summary-list").text_content()
    cell = field(page, "设备购置费用 第1行 已开支费用")
    assert cell.get_attribute("aria-invalid") == "true"
    assert by_path["fund_details.equipment.0.spent"].message in page.locator(
        "#" + cell.get_attribute("aria-describedby").split()[-1]).text_content()

    # After every edit the figure is again the engine's, never one in between.
    field(page, "设备购置费用 第1行 已开支费用").fill("1,000")
    settled(page)
    assert spent.text_content() == "1000.30"
    assert set(page.evaluate("window.shownSums")["project_info.equipment_spent"]) <= {
        "—", "0.30", "1000.30"}


def test_county_growth_rates_come_from_the_engine(page, site, engine):
    """Computed growth rates, like sums, are the engine's figures: "—" until it answers."""
    held = []
    page.route("**/py-worker.js", lambda route: held.append(route))
    page.goto(site + "county.html")
    page.locator("#f-county_summary-trade_y1").fill("80")
    page.locator("#f-county_summary-trade_y2").fill("1,000")
    growth = page.locator("output[data-path='county_summary.trade_g2']")
    assert growth.text_content() == "—"
    held[0].continue_()
    wait_ready(page)
    settled(page)
    data = {"county_summary": {"trade_y1": "80", "trade_y2": "1,000"}}
    expected = engine.validate("county", data).normalised["county_summary"]["trade_g2"]
    assert expected is not None
    assert growth.text_content() == str(expected)


def test_blank_is_the_engine_s_blank(page):
    """Spaces only are blank to the engine, so they are blank on the page too: a required
    field holding only spaces gets the engine's required message."""
    wait_ready(page)
    name = field(page, "项目名称")
    name.fill("   ")
    name.press("Tab")
    settled(page)
    assert name.get_attribute("aria-invalid") == "true"
    assert "请填写项目名称" in page.locator("#summary-list").text_content()


def test_a_blank_form_is_not_a_wall_of_red(page, engine):
    """Opened blank, the form is a to-do list: every entry to make is 待填写 (grey, beside the
    field and listed in the summary with a jump), the engine's verdict counts the progress, and
    nothing is red. A blank turns red once the person has been in the field and left it, or
    asks to download; a value typed wrong is red at once (once the field is left)."""
    wait_ready(page)
    settled(page)
    total = len(engine.validate("project", {}).entries)
    verdict = page.locator("#verdict")
    assert verdict.text_content() == f"尚未开始填写（已完成 0/{total} 项）"
    assert page.locator("#summary-list li").count() == 0
    assert page.locator("[aria-invalid=true]").count() == 0
    todo = page.locator("#todo-list li")
    # Every entry, and the cells of the preset plan rows (their dates are given, not typed).
    presets = {"project_info": {"progress_plan": [{"deadline": "2024-12-31"}, {"deadline": "2025-09-30"}]}}
    expected = engine.validate("project", presets).todo
    expect(page.locator("#todo-title")).to_have_text(f"待填写（{len(expected)}处）")
    assert todo.count() == len(expected) > total
    name = field(page, "项目名称")
    beside = page.locator("#" + name.get_attribute("aria-describedby").split()[-1])
    assert beside.text_content() == "待填写" and "todo" in beside.get_attribute("class")

    name.fill("安吉县椅业跨境电商产业带展示选品中心")
    settled(page)
    expect(verdict).to_have_text(re.compile(rf"^填写中：已完成 1/{total} 项，{len(expected) - 1}处待填写$"))
    assert page.locator("#summary-list li.error").count() == 0

    # The summary jumps to the field; left blank after being visited, it is an error.
    todo.filter(has_text="法定代表人").get_by_role("link").click()
    legal = field(page, "法定代表人")
    expect(legal).to_be_focused()
    legal.press("Tab")
    settled(page)
    assert legal.get_attribute("aria-invalid") == "true"
    assert "请填写法定代表人" in page.locator("#summary-list li.error").first.text_content()
    # A value typed wrong is an error, not a to-do.
    code = field(page, "社会信用代码")
    code.fill("1234")
    code.press("Tab")
    settled(page)
    assert code.get_attribute("aria-invalid") == "true"
    # Asking to download shows every blank as an error.
    with page.expect_download():
        page.get_by_role("button", name="下载数据包").click()
    settled(page)
    assert page.locator("#todo-list li").count() == 0
    assert page.locator("#summary-list li.error").count() >= total - 1
