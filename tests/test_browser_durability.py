"""Nothing typed is lost: keystrokes made before the page's script runs, a browser whose storage
is full, drafts replaced by an import or a clear, a Python runtime that fails mid-call; and the
pages run under their Content-Security-Policy. Chromium against the built site, by labels.
"""

from __future__ import annotations

import re

import pytest
from dossiers import valid_project_dossier
from playwright.sync_api import expect
from test_browser import browser, choose, field, settled, site, stored_draft, wait_ready  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, site):  # noqa: F811
    """A person's browser on the project page. Service workers are blocked: requests a
    service worker answers never reach the test's routes (and these tests route the page's
    own files to delay or break them)."""
    context = browser.new_context(service_workers="block", accept_downloads=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(site + "project.html")
    yield page
    context.close()


def test_typing_before_the_script_runs_is_kept(page):
    """On a slow server the form is on screen seconds before app.js runs. What is typed then
    stays, and the draft stored earlier merges under it (never over it)."""
    wait_ready(page)
    field(page, "法定代表人").fill("张伟")  # an earlier visit
    expect(page.locator("#save-state")).to_contain_text("已保存")

    held = []
    page.route("**/static/app.js", lambda route: held.append(route))
    page.reload(wait_until="commit")  # (DOMContentLoaded waits for the held module script)
    page.wait_for_selector("#dossier-form")
    page.wait_for_timeout(200)
    assert held, "the page did not ask for its script"
    # The script has not run: the stored draft is not on screen yet.
    assert field(page, "法定代表人").input_value() == ""
    field(page, "项目名称").press_sequentially("早到的每一个字")
    field(page, "单位地址").fill("浙江省湖州市安吉县递铺街道")
    choose(page, "企业类型", "贸易型")
    field(page, "所在设区市").select_option("湖州市")
    field(page, "本企业承诺所填内容真实有效。").check()
    held[0].continue_()
    page.unroute("**/static/app.js")

    wait_ready(page)
    expect(page.locator("#save-state")).to_contain_text("已保存")
    assert field(page, "项目名称").input_value() == "早到的每一个字"
    assert field(page, "法定代表人").input_value() == "张伟"  # the stored draft, merged under
    data = stored_draft(page)["data"]["project_info"]
    assert data["project_name"] == "早到的每一个字"
    assert data["org_address"] == "浙江省湖州市安吉县递铺街道"
    assert data["legal_representative"] == "张伟"
    assert data["city"] == "湖州市"
    assert data["enterprise_type"] == "trade"
    assert data["commit_truthful"] is True

    page.reload()
    expect(field(page, "项目名称")).to_have_value("早到的每一个字")
    assert page.get_by_role("group", name="企业类型").get_by_label("贸易型", exact=True).is_checked()
    assert field(page, "本企业承诺所填内容真实有效。").is_checked()


def _import_a_project_bundle(page, engine, tmp_path) -> None:
    """Import, through the page's button, the bundle the engine makes of a valid project."""
    name, content, _ = engine.export("project", valid_project_dossier())
    bundle = tmp_path / name
    bundle.write_bytes(content)
    page.get_by_role("button", name="导入数据包").click()
    page.locator("#import-file").set_input_files(str(bundle))


QUOTA = 4 << 20  # the origin's storage quota in this test (Chromium's override)


def _fill_storage(page) -> int:
    """Fill what is left of the origin's quota with another database, as other data on the
    same intranet site would; return the bytes written."""
    return page.evaluate("""async () => {
        const db = await new Promise((ok, no) => {
            const r = indexedDB.open("filler", 1);
            r.onupgradeneeded = () => r.result.createObjectStore("s");
            r.onsuccess = () => ok(r.result);
            r.onerror = () => no(r.error);
        });
        let written = 0, chunk = 256 * 1024;
        for (let i = 0; chunk >= 1024; i += 1) {
            const ok = await new Promise((done) => { const tx = db.transaction("s", "readwrite");
                tx.objectStore("s").put("x".repeat(chunk), i); tx.oncomplete = () => done(true);
                tx.onabort = tx.onerror = () => done(false); });
            if (ok) written += chunk; else chunk = chunk / 2;
        }
        db.close();
        return written;
    }""")


def _free_storage(page) -> None:
    page.evaluate("""() => new Promise((ok) => { const r = indexedDB.deleteDatabase("filler");
        r.onsuccess = r.onerror = r.onblocked = () => ok(); })""")


def test_a_full_storage_is_said_at_once_and_nothing_is_lost(browser, site, engine, tmp_path):  # noqa: F811
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    cdp = context.new_cdp_session(page)  # the override lasts as long as this session
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": re.match(r"https?://[^/]+", site).group(0),
                                                "quotaSize": QUOTA})
    page.goto(site + "project.html")
    wait_ready(page)
    field(page, "项目名称").fill("存储已满时的草稿")
    expect(page.locator("#save-state")).to_contain_text("已保存")

    assert _fill_storage(page) > QUOTA // 2
    field(page, "法定代表人").fill("李娜")
    expect(page.locator("#save-state")).to_have_text("未能保存")
    expect(page.locator("#notice")).to_contain_text("浏览器存储空间已满")
    expect(page.locator("#notice")).to_contain_text("下载数据包")

    # An import that cannot be stored is refused, not reported as done; the form is unchanged.
    _import_a_project_bundle(page, engine, tmp_path)
    expect(page.locator("#notice")).to_contain_text("导入失败：浏览器未能保存导入的内容（浏览器存储空间已满）")
    assert field(page, "项目名称").input_value() == "存储已满时的草稿"
    assert field(page, "法定代表人").input_value() == "李娜"

    # Space again: the next edit saves everything on screen, and a reload finds it.
    _free_storage(page)
    field(page, "联系人").fill("王强")
    expect(page.locator("#save-state")).to_contain_text("已保存")
    page.reload()
    expect(field(page, "法定代表人")).to_have_value("李娜")
    assert field(page, "项目名称").input_value() == "存储已满时的草稿"
    assert field(page, "联系人").input_value() == "王强"
    context.close()


def test_the_draft_history_restores_what_an_import_or_a_clear_replaced(page, engine, tmp_path):
    wait_ready(page)
    field(page, "项目名称").fill("我自己的草稿")
    expect(page.locator("#save-state")).to_contain_text("已保存")
    _import_a_project_bundle(page, engine, tmp_path)
    expect(page.locator("#notice")).to_contain_text("导入前的草稿已存入“草稿历史”")
    imported = valid_project_dossier()["project_info"]["project_name"]
    assert field(page, "项目名称").input_value() == imported

    page.get_by_role("button", name="清空草稿").click()
    expect(field(page, "项目名称")).to_have_value("")
    history = page.get_by_role("button", name=re.compile("草稿历史"))
    expect(history).to_have_text("草稿历史（2）")
    history.click()
    versions = page.locator("#history-list li")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("清空前")
    expect(versions.nth(1)).to_contain_text("导入前")
    versions.nth(1).get_by_role("button", name=re.compile("恢复")).click()
    expect(field(page, "项目名称")).to_have_value("我自己的草稿")
    expect(page.locator("#notice")).to_contain_text("已恢复")
    expect(history).to_have_text("草稿历史（3）")  # the cleared form went in too: undoable

    page.reload()
    expect(field(page, "项目名称")).to_have_value("我自己的草稿")


def _failing_worker(fail_on: str):
    """Serve py-worker.js so that, in the first worker only, a call whose arguments contain
    ``fail_on`` fails as the runtime itself would (a JavaScript-level error out of Python:
    a stack overflow in WebAssembly)."""
    served = []

    def handle(route):
        response = route.fetch()
        text = response.text()
        if not served:
            marker = "const raw = callPython(fn, JSON.stringify(msg.args || []));"
            assert marker in text
            text = text.replace(marker, f"if (JSON.stringify(msg.args).includes({fail_on!r})) "
                                        "throw new RangeError('Maximum call stack size exceeded'); " + marker)
        served.append(route.request.url)
        route.fulfill(response=response, body=text)
    return handle, served


def test_a_failed_runtime_is_replaced_and_the_draft_kept(page):
    handle, served = _failing_worker("让运行环境崩溃")
    page.route("**/py-worker.js", handle)
    page.reload()
    wait_ready(page)
    field(page, "项目名称").fill("让运行环境崩溃的项目")
    expect(page.locator("#notice")).to_contain_text("校验引擎运行出错，已自动重新启动")
    wait_ready(page)  # a fresh worker, a fresh runtime
    assert len(served) == 2
    settled(page)
    expect(page.locator("#verdict")).to_contain_text("填写中：已完成 1/")  # the engine answers again
    assert field(page, "项目名称").input_value() == "让运行环境崩溃的项目"
    assert stored_draft(page)["data"]["project_info"]["project_name"] == "让运行环境崩溃的项目"
    field(page, "法定代表人").fill("张伟")
    settled(page)
    assert "法定代表人" not in page.locator("#summary-list").text_content()


def test_an_unusable_engine_snapshot_is_replaced_quietly(page):
    """The started engine is kept in the browser for the next visit (py-worker.js). One that
    cannot be restored is dropped and the engine starts the normal way: the person sees no error
    and the form validates as always."""
    from test_pyodide_boot import SNAPSHOT_RECORD

    wait_ready(page)
    page.wait_for_selector("body[data-engine-snapshot=stored]", state="attached", timeout=60_000)
    page.reload()
    wait_ready(page)
    assert page.evaluate("document.body.dataset.engineStart") == "local"
    field(page, "项目名称").fill("恢复的引擎")
    settled(page)
    expect(page.locator("#verdict")).to_contain_text("填写中：已完成 1/")

    assert page.evaluate(SNAPSHOT_RECORD, ["junk", None])["size"] > 10_000_000
    page.reload()
    wait_ready(page)
    assert page.evaluate("document.body.dataset.engineStart") == "fresh"
    assert page.evaluate(SNAPSHOT_RECORD, [None, None]) is None  # forgotten
    expect(page.locator("#notice")).not_to_contain_text("出错")
    field(page, "法定代表人").fill("张伟")
    settled(page)
    expect(page.locator("#verdict")).to_contain_text("填写中：已完成 2/")
    assert field(page, "项目名称").input_value() == "恢复的引擎"


def test_pages_run_under_their_content_security_policy(browser, site):  # noqa: F811
    """Every page carries the policy; nothing the site does violates it (engine included)."""
    context = browser.new_context()
    try:
        for name in ("index.html", "project.html", "county.html", "city.html", "docs/index.html"):
            page = context.new_page()
            page.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation',"
                                 " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
            page.goto(site + name)
            policy = page.locator("meta[http-equiv='Content-Security-Policy']").get_attribute("content")
            assert "script-src 'self' 'wasm-unsafe-eval'" in policy and "object-src 'none'" in policy
            assert "base-uri 'none'" in policy
            if name.endswith(("project.html", "county.html", "city.html")):
                wait_ready(page)
            assert page.evaluate("window.__csp") == [], name
            page.close()
    finally:
        context.close()


def test_two_tabs_keep_both_versions(browser, site):  # noqa: F811
    """Two tabs of one page in one browser: neither silently overwrites the other; the
    version the other tab saved goes into the history when this tab saves over it."""
    context = browser.new_context(service_workers="block")
    try:
        first = context.new_page()
        first.goto(site + "project.html")
        wait_ready(first)
        field(first, "项目名称").fill("甲标签页的项目")
        expect(first.locator("#save-state")).to_contain_text("已保存")
        second = context.new_page()
        second.goto(site + "project.html")
        expect(field(second, "项目名称")).to_have_value("甲标签页的项目")
        field(second, "法定代表人").fill("乙标签页的法人")
        expect(second.locator("#save-state")).to_contain_text("已保存")
        expect(first.locator("#notice")).to_contain_text("另一个浏览器标签页中被修改")
        field(first, "单位地址").fill("甲标签页的地址")
        expect(first.locator("#save-state")).to_contain_text("已保存")
        assert stored_draft(first)["data"]["project_info"]["org_address"] == "甲标签页的地址"
        history = first.evaluate("""async () => {
            const drafts = await import(new URL("static/drafts.js", location.href).href);
            const [latest] = await drafts.listHistory("project");
            return [latest.reason, (await drafts.readHistory(latest.id)).data.project_info.legal_representative];
        }""")
        assert history == ["另一标签页保存的版本", "乙标签页的法人"]
    finally:
        context.close()


def test_the_last_keystrokes_before_a_reload_are_kept(page):
    wait_ready(page)
    intro = field(page, "单位简介")
    for attempt in range(3):
        text = f"第{attempt}次快速输入后立即刷新"
        intro.fill("")
        intro.press_sequentially(text, delay=5)
        page.reload()
        expect(field(page, "单位简介")).to_have_value(text)
        intro = field(page, "单位简介")


def test_clearing_a_cleared_form_keeps_the_history(page):
    wait_ready(page)
    field(page, "项目名称").fill("珍贵的版本")
    expect(page.locator("#save-state")).to_contain_text("已保存")
    for _ in range(4):
        page.get_by_role("button", name="清空草稿").click()
        expect(page.locator("#notice")).to_contain_text("已清空")
    expect(page.get_by_role("button", name=re.compile("草稿历史"))).to_have_text("草稿历史（1）")


def test_storage_cleared_under_the_page_is_saved_again(page, site):  # noqa: F811
    """The person clears the browser's data for the site while the page is open: the page
    notices, says so, and saves what is on screen again."""
    wait_ready(page)
    field(page, "项目名称").fill("清除浏览器数据前的草稿")
    expect(page.locator("#save-state")).to_contain_text("已保存")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Storage.clearDataForOrigin", {"origin": re.match(r"https?://[^/]+", site).group(0),
                                            "storageTypes": "indexeddb"})
    expect(page.locator("#notice")).to_contain_text("草稿被清除了", timeout=10_000)
    assert stored_draft(page)["data"]["project_info"]["project_name"] == "清除浏览器数据前的草稿"
    page.reload()
    expect(field(page, "项目名称")).to_have_value("清除浏览器数据前的草稿")
