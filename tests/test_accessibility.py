"""Accessibility of the built pages: axe-core (from npm) finds no serious or critical violation
on any page, blank or with its messages shown; required entries are announced as required; the
only polite live region is the verdict; and a dossier can be filled with the keyboard alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser import browser, field, settled, site, stored_draft, wait_ready  # noqa: F401

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


def _serious(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    }""")
    return found


@pytest.fixture
def context(browser, site):  # noqa: F811
    # axe is injected as a script of the page's own: the test context lets it past the pages'
    # CSP, which allows no inline script (tests/test_browser_durability.py checks the CSP).
    context = browser.new_context(bypass_csp=True, service_workers="block", accept_downloads=True)
    yield context
    context.close()


@pytest.mark.parametrize("name", ["index.html", "project.html", "county.html", "city.html", "docs/index.html",
                                  "docs/rules.html", "docs/changes.html"])
def test_no_serious_axe_violations(context, site, name):  # noqa: F811
    page = context.new_page()
    page.goto(site + name)
    if name in ("project.html", "county.html", "city.html"):
        wait_ready(page)
        settled(page)
    assert _serious(page) == []
    if name == "project.html":
        # With every message shown beside its field (a download asks for that).
        field(page, "社会信用代码").fill("1234")
        with page.expect_download():
            page.get_by_role("button", name="下载数据包").click()
        settled(page)
        assert page.locator("[aria-invalid=true]").count() > 10
        assert _serious(page) == []


def test_required_entries_are_announced_and_one_live_region(context, site):  # noqa: F811
    page = context.new_page()
    page.goto(site + "project.html")
    wait_ready(page)
    # A required single choice: its radios are required; a required multiple choice says so in
    # its name; a commitment to tick is a required checkbox.
    for radio in page.get_by_role("group", name="企业类型").get_by_role("radio").all():
        assert radio.get_attribute("required") is not None
    expect(page.get_by_role("group", name=re.compile(r"^项目类型\s*（必填）$"))).to_have_count(1)
    commitment = field(page, "本企业承诺所填内容真实有效。")
    assert commitment.get_attribute("required") is not None
    assert commitment.get_attribute("aria-required") == "true"
    # Live regions: the verdict (polite) and the notice (an alert); sums are not announced.
    live = page.evaluate("""() => [...document.querySelectorAll("[aria-live], [role=status], [role=alert], output")]
        .filter((el) => el.getAttribute("aria-live") !== "off")
        .map((el) => el.id + ":" + (el.getAttribute("aria-live") || el.getAttribute("role")))""")
    assert sorted(live) == ["notice:alert", "verdict:polite"]


def test_a_dossier_can_be_filled_with_the_keyboard_alone(context, site):  # noqa: F811
    page = context.new_page()
    page.goto(site + "project.html")
    wait_ready(page)
    kb = page.keyboard

    def tab_to(predicate_js: str, limit: int = 400) -> None:
        for _ in range(limit):
            kb.press("Tab")
            if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate_js}; }})()"):
                return
        raise AssertionError(f"never reached by Tab: {predicate_js}")

    # Every control of the form is reachable with Tab (one stop per radio group).
    controls = set(page.evaluate("""() => [...document.querySelectorAll(
        "#dossier-form input, #dossier-form select, #dossier-form textarea, #dossier-form button")]
        .filter((el) => el.offsetParent !== null && !el.disabled)
        .map((el) => el.dataset.optionOf || el.dataset.path || el.id || el.textContent.trim())"""))
    reached = set()
    page.locator("body").focus()
    for _ in range(len(controls) * 2 + 50):
        kb.press("Tab")
        reached.add(page.evaluate("""() => { const el = document.activeElement;
            return el.dataset.optionOf || el.dataset.path || el.id || el.textContent.trim(); }"""))
    assert controls - reached == set()

    # Fill by keys: type a name, pick a radio with the arrow keys, tick a box with Space, add a
    # table row with Enter and type into it.
    page.locator("body").focus()
    tab_to("el.dataset.path === 'project_info.project_name'")
    kb.type("键盘填写的项目")
    tab_to("el.dataset.optionOf === 'project_info.enterprise_type'")
    kb.press("ArrowRight")  # the second option: 生产型
    tab_to("el.dataset.path === 'project_info.commit_truthful'")
    kb.press("Space")
    page.locator("body").focus()
    tab_to("el.dataset.addFor === 'fund_details.equipment'")
    kb.press("Enter")
    expect(page.get_by_label("设备购置费用 第1行 费用名称", exact=True)).to_be_focused()
    kb.type("展示货架")
    settled(page)
    data = stored_draft(page)["data"]
    assert data["project_info"]["project_name"] == "键盘填写的项目"
    assert data["project_info"]["enterprise_type"] == "production"
    assert data["project_info"]["commit_truthful"] is True
    assert data["fund_details"]["equipment"][0]["name"] == "展示货架"


def test_card_fields_say_which_card_they_are_in(context, site, engine, tmp_path):  # noqa: F811
    """On the county page every 附件2 card has the same labels (联系人, 联系电话…); each field is
    described by its card's heading, which names the project."""
    from dossiers import valid_project_dossier

    names = []
    for title in ("安吉县椅业展示选品中心", "安吉县竹制品线上专区"):
        data = valid_project_dossier()
        data["project_info"]["project_name"] = title
        name, content, _ = engine.export("project", data)
        (tmp_path / name).write_bytes(content)
        names.append(str(tmp_path / name))
    page = context.new_page()
    page.goto(site + "county.html")
    wait_ready(page)
    page.locator("#attach-file").set_input_files(names)
    cards = page.locator(".cards .card")
    expect(cards).to_have_count(2)
    for i, title in enumerate(("安吉县椅业展示选品中心", "安吉县竹制品线上专区")):
        expect(cards.nth(i).locator("h4")).to_contain_text(title)
        for control in cards.nth(i).locator("input, textarea, select").all():
            described = control.get_attribute("aria-describedby").split()
            assert page.locator(f"#{described[0]}").text_content().count(title) == 1
    assert _serious(page) == []
