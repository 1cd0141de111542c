"""Every hostile file of tests/support/hostile.py, imported through the page's 导入数据包 button
in Chromium: the person reads why (in Chinese), and what was typed before stays, on screen and
in the stored draft. Files the engine accepts with a finding (changed after export, a value it
flags) load and say so.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from support.hostile import CASES, Case
from test_browser import browser, field, site, stored_draft, wait_ready  # noqa: F401

pytestmark = pytest.mark.browser

# What a person typed before trying the file, per page (a field each page has).
TYPED = {"project": ("项目名称", "导入前已填写的项目"),
         "county": ("填报单位全称", "导入前已填写的单位"),
         "city": ("报送单位", "导入前已填写的市局")}


@pytest.fixture(scope="module")
def files(engine, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-page")
    out = {}
    for case in CASES:
        path = folder / f"{case.id}-{case.file_name}"
        path.write_bytes(case.build(engine))
        out[case.id] = path
    return out


@pytest.fixture(scope="module")
def pages(browser, site):  # noqa: F811
    """One page per dossier, reused across cases (the engine loads once per page)."""
    context = browser.new_context(service_workers="block")
    opened = {}

    def get(dossier: str):
        if dossier not in opened:
            page = context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())
            page.goto(site + f"{dossier}.html")
            wait_ready(page)
            opened[dossier] = page
        return opened[dossier]
    yield get
    context.close()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_file_through_the_page_import(pages, files, case: Case):
    page = pages(case.dossier)
    label, typed = TYPED[case.dossier]
    if case.refused:
        # Whatever an earlier case loaded, the person's own entry is on screen and saved.
        field(page, label).fill(typed)
        expect(page.locator("#save-state")).to_contain_text("已保存")
        before = stored_draft(page, case.dossier)
    page.locator("#notice").evaluate("(el) => { el.hidden = true; el.textContent = ''; }")
    page.get_by_role("button", name="导入数据包").click()
    page.locator("#import-file").set_input_files(str(files[case.id]))
    notice = page.locator("#notice")
    expect(notice).to_be_visible(timeout=30_000)
    if case.refused:
        expect(notice).to_contain_text("导入失败")
        expect(notice).to_contain_text(case.expect)
        assert field(page, label).input_value() == typed
        assert stored_draft(page, case.dossier) == before
        assert page.evaluate("document.body.dataset.engine") == "ready"  # the runtime survived
    else:
        expect(notice).to_contain_text("已导入")
        shown = notice.text_content() + page.locator("#summary-list").text_content()
        assert case.expect in shown, shown
