"""The whole chain as people play it, in headless Chromium against the built site, every field
found by the label a person reads: two enterprises fill project.html and download their bundles;
安吉县 imports both at once, fills 附件1 and one 附件2 per project and downloads its bundle, which
is still there after a reload; 德清县 gets its project bundle by drag and drop; 湖州市 imports both
county bundles, writes its 推荐意见 and downloads the city bundle, whose 附件5 (DOCX and .xlsx)
carries every figure the enterprises typed, with exact totals. Then what goes wrong: too many
counties for the tier, a county of another city, a changed bundle, a file that is no bundle.

Each person has a browser context of their own (their own localStorage and IndexedDB). The extra
bundles (德清县's project, 杭州市's county) come from the engine in CPython, like test_chain.py.

FORMSITE_DIST names the built site (as for test_browser.py); FORMSITE_SCREENSHOTS, when set,
names a folder for the screenshots of the final county and city pages (else a temporary one).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from dossiers import EXPECTED_CATEGORY_TOTALS, KEY_PROJECT_TEXT, valid_county_dossier, valid_project_dossier
from ooxml_validate import validate_docx, validate_xlsx
from playwright.sync_api import Page, expect
from test_browser import browser, choose, field, fill_dossier, settled, site, wait_ready  # noqa: F401

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1400, "height": 1000}
ROLES = {"project.html": "项目承建单位", "county.html": "县（市、区）商务局", "city.html": "设区市商务主管部门"}


# --- people and their pages ------------------------------------------------------------------


@contextlib.contextmanager
def person(browser, site: str, page_name: str, ready: bool = True) -> Iterator[Page]:  # noqa: F811
    """One person's browser (own storage), on their role's page of the site, engine ready."""
    context = browser.new_context(accept_downloads=True, viewport=VIEWPORT)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    # People arrive at the start page and pick their role.
    page.goto(site + "index.html")
    page.get_by_role("link", name=f"进入{ROLES[page_name]}填报页面").click()
    page.wait_for_url(site + page_name)
    if ready:
        wait_ready(page)
    try:
        yield page
    finally:
        origin = site.split("/shenbao/")[0]
        foreign = [u for u in requests if not u.startswith((origin, "blob:", "data:"))]
        context.close()
    assert foreign == [], f"requests outside the origin: {foreign}"


def download_bundle(page: Page, folder: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("button", name="下载数据包").click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def verdict(page: Page):
    return page.locator("#verdict")


def attachment_rows(page: Page):
    return page.get_by_role("list", name=re.compile("^已导入的")).get_by_role("listitem")


def drop_files(page: Page, paths: list[Path]) -> None:
    """Drop files on the drop zone as a file manager would: a drop event with a DataTransfer."""
    files = [[p.name, base64.b64encode(p.read_bytes()).decode()] for p in paths]
    transfer = page.evaluate_handle("""files => {
        const transfer = new DataTransfer();
        for (const [name, b64] of files) {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            transfer.items.add(new File([bytes], name, {type: "application/zip"}));
        }
        return transfer;
    }""", files)
    zone = page.locator("#attach-drop")
    zone.dispatch_event("dragover", {"dataTransfer": transfer})
    zone.dispatch_event("drop", {"dataTransfer": transfer})


def card(page: Page, title: str):
    """The card (one 附件2 or one 推荐意见) whose heading names ``title``."""
    return page.get_by_role("article").filter(has=page.locator("h4", has_text=title))


def card_field(card_locator, label: str):
    """A field inside a card, by the label printed above it."""
    return card_locator.locator(".row").filter(
        has=card_locator.page.locator("label", has_text=re.compile(f"^{re.escape(label)}$"))
    ).locator("input, textarea")


# --- what the enterprises type ---------------------------------------------------------------


@dataclass
class Project:
    """The figures of one project as 附件5 must show them (normalised: two decimals)."""

    name: str
    county: str
    address: str
    start: str  # 附件5 prints 开始/完成时间 as "2024年3月"
    end: str
    total_investment: Decimal
    spent: Decimal
    planned: Decimal
    subsidy: Decimal
    org_name: str
    progress: Decimal  # 当前实施进度: the plan row due by the round's cut-off (2024-12-31)


FIRST = Project("安吉县椅业跨境电商产业带展示选品中心", "安吉县", "安吉县递铺街道椅业园区1号楼",
                "2024年3月", "2025年9月", Decimal("2000.00"), Decimal("1050.30"), Decimal("200.00"),
                Decimal("300.00"), "安吉优选跨境电子商务有限公司", Decimal("40"))

# The second enterprise: fill_dossier, then another project with other amounts.
SECOND_TYPED = {
    "项目名称": "安吉县竹制品跨境电商线上专区",
    "承担单位名称": "安吉竹韵家居用品有限公司",
    "社会信用代码": "91330523MA2B3C4D6Q",
    "项目开始时间": "2024-05",
    "项目完成时间": "2025-09",
    "总投资（投入）（万元）": "3,500.50",
    "申报期内投资（投入）（万元）": "2800",
    "项目建设地址": "安吉县天子湖镇竹产业园3号楼",
    "项目分年度建设进度计划 第1行 完成投资（投入）": "1,200",
    "项目分年度建设进度计划 第1行 项目实施进度": "35",
    "项目分年度建设进度计划 第2行 完成投资（投入）": "3500.5",
    "本年度申请补助资金（万元）": "420.25",
    "设备购置费用 第1行 已开支费用": "12.34",
    "设备购置费用 第2行 已开支费用": "0.66",
    "建设费用 第1行 已开支费用": "2,100.5",
    "建设费用 第1行 拟支出费用": "350.75",
}
SECOND = Project("安吉县竹制品跨境电商线上专区", "安吉县", "安吉县天子湖镇竹产业园3号楼",
                 "2024年5月", "2025年9月", Decimal("3500.50"), Decimal("2113.50"), Decimal("350.75"),
                 Decimal("420.25"), "安吉竹韵家居用品有限公司", Decimal("35"))

# 德清县's project, made through the engine (tests/dossiers.py, with another name and figures).
THIRD_CHANGES = {"project_name": "德清县地理信息跨境服务中心", "county": "德清县",
                 "org_name": "德清星图跨境科技有限公司", "credit_code": "91330521MA2C5E7F8M",
                 "build_address": "德清县阜溪街道地理信息小镇8号", "total_investment": "2,000.10",
                 "subsidy_requested": "0.30", "start_month": "2024年6月", "end_month": "2025年9月"}
THIRD = Project("德清县地理信息跨境服务中心", "德清县", "德清县阜溪街道地理信息小镇8号",
                "2024年6月", "2025年9月", Decimal("2000.10"),
                sum((s for s, _ in EXPECTED_CATEGORY_TOTALS.values()), Decimal("0")),
                sum((p for _, p in EXPECTED_CATEGORY_TOTALS.values()), Decimal("0")),
                Decimal("0.30"), "德清星图跨境科技有限公司", Decimal("40"))

# 附件1 as the county types it: row label of the indicator grid (with its unit) → 2022, 2023, 2024,
# 2025目标.
INDICATORS = {
    "跨境电商进出口额（万元）": ("52,000", "61,300.5", "70,000", "80500"),
    "其中：出口额（万元）": ("48000", "55000", "63000", "72000"),
    "跨境电商经营主体数（家）": ("320", "410", "520", "600"),
    "年销售额超千万元的大卖家数（家）": ("12", "15", "21", "25"),
    "自主品牌数（个）": ("40", "46", "58", "70"),
    "跨境电商产业园区数（个）": ("2", "2", "3", "4"),
    "园区面积（平方米）": ("52000", "52000", "81000", "100000"),
    "园区入驻企业数（家）": ("96", "120", "163", "200"),
    "海外仓数（个）": ("5", "7", "9", "12"),
    "海外仓面积（平方米）": ("21000", "30000", "41000", "50000"),
    "跨境电商服务商数（家）": ("18", "24", "31", "40"),
    "跨境电商培训人次（人次）": ("1200", "1500", "2100", "2500"),
    "出台支持政策数（项）": ("2", "3", "3", "4"),
    "财政投入资金（万元）": ("300", "450", "600", "800"),
}
GRID_HEADERS = ["2022年", "2023年", "2024年", "2025年目标", "2023年增长率（%）", "2024年增长率（%）",
                "2025年目标增长率（%）"]
NARRATIVES = ("工作总结", "主要做法与成效", "存在问题", "2025年工作目标", "具体举措", "拟支持方向和重点项目")


def fill_project(page: Page, changes: dict[str, str] | None = None) -> None:
    fill_dossier(page)
    for label, value in (changes or {}).items():
        field(page, label).fill(value)
    settled(page)
    expect(verdict(page)).to_contain_text("通过校验")


def fill_county(page: Page, city: str, county: str, contact: str) -> None:
    """附件1, every field by its label; the indicator grid by row label and column heading."""
    unit = page.get_by_role("group", name="填报单位")
    unit.get_by_label("所在设区市", exact=True).select_option(city)
    unit.get_by_label("县（市、区）", exact=True).select_option(county)
    unit.get_by_label("填报单位全称", exact=True).fill(f"{county}商务局")
    unit.get_by_label("联系人", exact=True).fill(contact)
    unit.get_by_label("联系电话", exact=True).fill("0572-5123456")
    grid = indicator_grid(page)
    for label, values in INDICATORS.items():
        row = grid.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label, exact=True))
        inputs = row.get_by_role("textbox")
        assert inputs.count() == 4, label  # the three years and the target; growth is computed
        for i, value in enumerate(values):
            inputs.nth(i).fill(value)
    for label in NARRATIVES:
        field(page, label).fill(f"{county}{label}：全县跨境电商工作情况。\n第二段。")


def indicator_grid(page: Page):
    first_row = page.get_by_role("rowheader", name="跨境电商进出口额（万元）", exact=True)
    return page.get_by_role("table").filter(has=first_row)


def fill_key_project(page: Page, project_name: str, contact: str) -> None:
    """One 附件2 card: the fields the county types, found by label within the card."""
    item = card(page, project_name)
    expect(item).to_have_count(1)
    typed = {**KEY_PROJECT_TEXT, "contact_person": contact}
    for label, key in (("联系人", "contact_person"), ("联系电话", "contact_phone"), ("目标体系", "goals"),
                       ("工作体系", "work"), ("政策体系", "policies"), ("工作保障", "safeguards")):
        card_field(item, label).fill(f"{project_name}：{typed[key]}" if key in ("goals", "work") else typed[key])


def growth_text(value: str, base: str) -> str:
    v, b = (Decimal(x.replace(",", "")) for x in (value, base))
    return str(((v - b) / b * 100).quantize(Decimal("0.01")))


def shots_dir(tmp_path_factory) -> Path:
    folder = os.environ.get("FORMSITE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- the chain, stage by stage ---------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("chain")


@pytest.fixture(scope="module")
def project_bundles(browser, site, folder) -> list[Path]:  # noqa: F811
    """Two enterprises, each in their own browser, fill project.html and download."""
    paths = []
    for changes in (None, SECOND_TYPED):
        with person(browser, site, "project.html") as page:
            fill_project(page, changes)
            paths.append(download_bundle(page, folder))
    return paths


@pytest.fixture(scope="module")
def deqing_project(engine, folder) -> Path:
    data = valid_project_dossier()
    data["project_info"].update(THIRD_CHANGES)
    name, content, report = engine.export("project", data)
    assert report.ok, [(i.path, i.message) for i in report.errors]
    path = folder / name
    path.write_bytes(content)
    return path


@dataclass
class CountyResult:
    bundle: Path
    screenshot: Path


@pytest.fixture(scope="module")
def anji(browser, site, folder, project_bundles, tmp_path_factory) -> CountyResult:  # noqa: F811
    """安吉县: both project bundles at once through the file chooser, 附件1 and two 附件2s."""
    shots = shots_dir(tmp_path_factory)
    with person(browser, site, "county.html") as page:
        expect(page.get_by_text("尚未导入重点项目数据包。")).to_be_visible()
        fill_county(page, "湖州市", "安吉县", "李明")
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="选择重点项目数据包").click()
        chooser.value.set_files([str(p) for p in project_bundles])
        rows = attachment_rows(page)
        expect(rows).to_have_count(2)
        for row, path in zip(rows.all(), project_bundles, strict=True):
            expect(row).to_contain_text(path.name)
            expect(row).to_contain_text("通过校验")
        expect(page.locator("#notice")).to_contain_text("已导入2个重点项目数据包")
        # Two new 附件2 cards, nothing typed in them yet: no wall of red before anyone types.
        expect(page.get_by_role("article")).to_have_count(2)
        expect(page.locator("article .msg.error:visible")).to_have_count(0)

        # One 附件2 card per project, its name and place from the project's 附件3.
        cards = page.get_by_role("article")
        expect(cards).to_have_count(2)
        for item, project in zip(cards.all(), (FIRST, SECOND), strict=True):
            expect(item.get_by_role("heading")).to_contain_text(project.name)
            expect(item).to_contain_text("湖州市")
            expect(item).to_contain_text("安吉县")
        fill_key_project(page, FIRST.name, "王芳")
        fill_key_project(page, SECOND.name, "陈静")
        settled(page)

        # Growth rates are the engine's: (2023 − 2022) ÷ 2022, two decimals.
        expect(page.get_by_label("2023年跨境电商进出口额增长率", exact=True)).to_have_text(
            growth_text("61,300.5", "52,000"))
        expect(page.get_by_label("2025年跨境电商进出口额目标增长率", exact=True)).to_have_text(
            growth_text("80500", "70,000"))
        expect(verdict(page)).to_contain_text("通过校验")
        for message in page.locator(".card-msg").all():
            expect(message).to_be_hidden()

        # Reload: the draft and the project bundles (IndexedDB) are still there, still good.
        page.reload()
        wait_ready(page)
        rows = attachment_rows(page)
        expect(rows).to_have_count(2)
        for row in rows.all():
            expect(row).to_contain_text("通过校验")
        settled(page)
        expect(verdict(page)).to_contain_text("通过校验")
        assert field(page, "工作总结").input_value().startswith("安吉县工作总结")
        assert card_field(card(page, SECOND.name), "联系人").input_value() == "陈静"
        trade = indicator_grid(page).get_by_role("row").filter(
            has=page.get_by_role("rowheader", name="跨境电商进出口额（万元）", exact=True))
        assert trade.get_by_role("textbox").first.input_value() == "52,000"

        bundle = download_bundle(page, folder)
        expect(page.locator("#notice")).to_contain_text("通过校验")
        screenshot = shots / "county-anji.png"
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(screenshot), full_page=True)
        page.locator("#attachments").screenshot(path=str(shots / "county-anji-attachments.png"))
        page.get_by_role("article").first.screenshot(path=str(shots / "county-anji-card.png"))
    assert bundle.name == "安吉县.zip"
    return CountyResult(bundle, screenshot)


@pytest.fixture(scope="module")
def deqing(browser, site, folder, deqing_project, tmp_path_factory) -> CountyResult:  # noqa: F811
    """德清县: its one project bundle dropped on the drop zone."""
    with person(browser, site, "county.html") as page:
        fill_county(page, "湖州市", "德清县", "周敏")
        drop_files(page, [deqing_project])
        rows = attachment_rows(page)
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(deqing_project.name)
        expect(rows.first).to_contain_text("通过校验")
        # The same bundle dropped again is named as a duplicate, and can be removed.
        drop_files(page, [deqing_project])
        expect(rows).to_have_count(2)
        expect(rows.nth(1)).to_contain_text("与第1个重复")
        page.get_by_role("button", name=f"移除{deqing_project.name}").nth(1).click()
        expect(rows).to_have_count(1)
        expect(page.get_by_role("article")).to_have_count(1)
        fill_key_project(page, THIRD.name, "沈洁")
        settled(page)
        expect(verdict(page)).to_contain_text("通过校验")
        bundle = download_bundle(page, folder)
    assert bundle.name == "德清县.zip"
    return CountyResult(bundle, Path())


@dataclass
class CityResult:
    bundle: Path
    files: dict[str, bytes]


@pytest.fixture(scope="module")
def huzhou(browser, site, folder, anji, deqing, tmp_path_factory) -> CityResult:  # noqa: F811
    """湖州市 (第二档): both county bundles at once, one 推荐意见 per county."""
    shots = shots_dir(tmp_path_factory)
    with person(browser, site, "city.html") as page:
        field(page, "设区市").select_option("湖州市")
        choose(page, "跨境电商综试区考核评估档次", "第二档")
        field(page, "报送单位").fill("湖州市商务局")
        field(page, "联系人").fill("赵强")
        field(page, "联系电话").fill("0572-2222222")
        page.locator("#attach-file").set_input_files([str(anji.bundle), str(deqing.bundle)])
        rows = attachment_rows(page)
        expect(rows).to_have_count(2)
        for row, name in zip(rows.all(), ("安吉县.zip", "德清县.zip"), strict=True):
            expect(row).to_contain_text(name)
            expect(row).to_contain_text("通过校验")
        for county in ("安吉县", "德清县"):
            card_field(card(page, county), "推荐意见").fill(f"推荐{county}：跨境电商基础好，重点项目质量高。")
        settled(page)
        expect(verdict(page)).to_contain_text("通过校验")
        bundle = download_bundle(page, folder)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(shots / "city-huzhou.png"), full_page=True)
    assert bundle.name == "湖州市.zip"
    with zipfile.ZipFile(bundle) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    return CityResult(bundle, files)


# --- tests -----------------------------------------------------------------------------------


def test_indicator_grid_headings_name_the_years(browser, site):  # noqa: F811
    """The county reads the indicator grid by its column headings: the rule set's years."""
    with person(browser, site, "county.html", ready=False) as page:
        headers = [h.strip() for h in indicator_grid(page).get_by_role("columnheader").all_text_contents()]
    assert headers == ["主要定量指标", *GRID_HEADERS]


def test_project_bundles_carry_what_each_enterprise_typed(project_bundles):
    names = []
    for path, project in zip(project_bundles, (FIRST, SECOND), strict=True):
        assert path.name == f"{project.name}.zip"
        with zipfile.ZipFile(path) as archive:
            record = json.loads(archive.read("data.json"))
            manifest = json.loads(archive.read("manifest.json"))
        assert manifest["validation"]["status"] == "通过校验"
        names.append(record["data"]["project_info"]["project_name"])
    assert names == [FIRST.name, SECOND.name]


def test_county_bundle_holds_both_project_bundles_byte_for_byte(anji, project_bundles):
    with zipfile.ZipFile(anji.bundle) as archive:
        record = json.loads(archive.read("data.json"))
        manifest = json.loads(archive.read("manifest.json"))
        inside = [archive.read(a["file"]) for a in record["attachments"]]
        names = archive.namelist()
    assert manifest["validation"]["status"] == "通过校验"
    assert inside == [p.read_bytes() for p in project_bundles]
    assert {n for n in names if n.startswith("附件2")} == {
        f"附件2 重点项目申报表（{FIRST.name}）.docx", f"附件2 重点项目申报表（{SECOND.name}）.docx"}
    summary = record["data"]["county_summary"]
    assert (summary["city"], summary["county"], summary["trade_y2"]) == ("湖州市", "安吉县", "61,300.5")
    rows = record["data"]["key_projects"]["projects"]
    assert [(r["project_name"], r["contact_person"]) for r in rows] == [(FIRST.name, "王芳"), (SECOND.name, "陈静")]
    # The growth the page showed is the one 附件1 prints.
    import docx

    with zipfile.ZipFile(anji.bundle) as archive:
        annex1 = next(n for n in names if n.startswith("附件1 安吉县"))
        document = docx.Document(io.BytesIO(archive.read(annex1)))
    growth = [[c.text for c in row.cells] for t in document.tables for row in t.rows
              if row.cells[0].text == "跨境电商进出口额" and row.cells[1].text == "增长率"]
    assert growth == [["跨境电商进出口额", "增长率", "—", f"{growth_text('61,300.5', '52,000')}%",
                       f"{growth_text('70,000', '61,300.5')}%", f"{growth_text('80500', '70,000')}%"]]


def test_county_bundle_from_a_drop(deqing, deqing_project):
    with zipfile.ZipFile(deqing.bundle) as archive:
        record = json.loads(archive.read("data.json"))
        assert [archive.read(a["file"]) for a in record["attachments"]] == [deqing_project.read_bytes()]


def annex5_files(files: dict[str, bytes]) -> tuple[str, str]:
    docx_name = next(n for n in files if n.startswith("附件5") and n.endswith(".docx"))
    xlsx_name = next(n for n in files if n.startswith("附件5") and n.endswith(".xlsx"))
    return docx_name, xlsx_name


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_annex5_carries_every_figure_the_enterprises_typed(huzhou):
    import docx
    import openpyxl

    docx_name, xlsx_name = annex5_files(huzhou.files)
    projects = (FIRST, SECOND, THIRD)

    # The spreadsheet, as a spreadsheet program reads it (cached values of the SUM formulas).
    sheet = openpyxl.load_workbook(io.BytesIO(huzhou.files[xlsx_name]), data_only=True).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in table if "项目名称" in r)
    sub = table[table.index(header) + 1]
    column = {label: i for i, label in enumerate(header) if label}
    column.update({label: i for i, label in enumerate(sub) if label in ("已开支", "拟支出")})
    by_name = {r[column["项目名称"]]: r for r in table if r[column["项目名称"]] in {p.name for p in projects}}
    assert set(by_name) == {p.name for p in projects}
    for p in projects:
        row = by_name[p.name]
        assert row[column["县（市、区）"]] == p.county
        assert row[column["实施企业"]] == p.org_name
        assert row[column["实施地点"]] == p.address
        assert (row[column["开始时间（年月）"]], row[column["完成时间（年月）"]]) == (p.start, p.end)
        assert money(row[column["总投资（投入）"]]) == p.total_investment, p.name
        assert money(row[column["已开支"]]) == p.spent, p.name
        assert money(row[column["拟支出"]]) == p.planned, p.name
        assert money(row[column["申请补助资金"]]) == p.subsidy, p.name
        assert Decimal(str(row[column["当前实施进度（%）"]])) == p.progress, p.name
    labelled = {next((c for c in r if isinstance(c, str) and ("小计" in c or c == "合计")), None): r for r in table}
    for label, members in (("安吉县小计", (FIRST, SECOND)), ("德清县小计", (THIRD,)), ("合计", projects)):
        row = labelled[label]
        for key, attr in (("总投资（投入）", "total_investment"), ("已开支", "spent"), ("拟支出", "planned"),
                          ("申请补助资金", "subsidy")):
            assert money(row[column[key]]) == sum((getattr(p, attr) for p in members), Decimal("0")), (label, key)

    # The printed list: the same figures and exact totals, as text.
    document = docx.Document(io.BytesIO(huzhou.files[docx_name]))
    # A month prints as "2024年" and "3月" on two lines of its cell.
    cells = [[c.text.replace("\n", "") for c in row.cells] for t in document.tables for row in t.rows]
    text = "\n".join("\t".join(r) for r in cells)
    for p in projects:
        row = next(r for r in cells if p.name in r)
        for figure in (p.total_investment, p.spent, p.planned, p.subsidy):
            assert f"{figure:.2f}" in row, (p.name, figure, row)
        assert p.address in row and p.start in row and p.end in row and p.org_name in row, row
        assert str(p.progress) in row, row
    for label, members in (("安吉县小计", (FIRST, SECOND)), ("德清县小计", (THIRD,)), ("合计", projects)):
        row = next(r for r in cells if label in r)
        for attr in ("total_investment", "spent", "planned", "subsidy"):
            assert f"{sum((getattr(p, attr) for p in members), Decimal('0')):.2f}" in row, (label, attr)
    assert "单位：万元" in text or any("单位：万元" in p.text for p in document.paragraphs)


def test_annex5_files_are_valid_office_documents(huzhou, tmp_path):
    docx_name, xlsx_name = annex5_files(huzhou.files)
    (tmp_path / "a5.docx").write_bytes(huzhou.files[docx_name])
    (tmp_path / "a5.xlsx").write_bytes(huzhou.files[xlsx_name])
    assert validate_docx(tmp_path / "a5.docx") == []
    assert validate_xlsx(tmp_path / "a5.xlsx") == []
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "a5.docx")],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "a5.pdf"
    assert pdf.is_file()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 1
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "重点项目清单" in text.replace(" ", "")


def hangzhou_county_bundle(engine) -> bytes:
    data = valid_project_dossier()
    data["project_info"].update(project_name="西湖区数字贸易服务中心", city="杭州市", county="西湖区",
                                credit_code="91330106MA2D4E5F6K")
    project_name, project_zip, _ = engine.export("project", data)
    projects = [(project_name, project_zip)]
    county = engine.sync_rows("county", valid_county_dossier("杭州市", "西湖区"), projects)
    for row in county["key_projects"]["projects"]:
        row.update(KEY_PROJECT_TEXT)
    _, content, report = engine.export("county", county, projects)
    assert report.ok
    return content


def tampered(bundle: Path) -> bytes:
    """The county bundle with one figure changed in data.json, manifest.json left as it was."""
    with zipfile.ZipFile(bundle) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    record = json.loads(files["data.json"])
    record["data"]["county_summary"]["trade_y3"] = "99999"
    files["data.json"] = json.dumps(record, ensure_ascii=False).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_city_page_flags_quota_other_city_tampered_and_broken(browser, site, engine, anji, deqing,  # noqa: F811
                                                              tmp_path, tmp_path_factory):
    files = {"安吉县（改过）.zip": tampered(anji.bundle), "德清县.zip": deqing.bundle.read_bytes(),
             "西湖区.zip": hangzhou_county_bundle(engine), "损坏.zip": b"PK\x03\x04\x14\x00garbage"}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    with person(browser, site, "city.html") as page:
        field(page, "设区市").select_option("湖州市")
        choose(page, "跨境电商综试区考核评估档次", "第三档")
        page.locator("#attach-file").set_input_files([str(tmp_path / n) for n in files])
        rows = attachment_rows(page)
        expect(rows).to_have_count(4)
        changed, good, other, broken = rows.all()
        expect(good).to_contain_text("通过校验")
        expect(changed).to_contain_text("安吉县（改过）.zip")
        expect(changed).to_contain_text("可能在导出后被修改过")
        expect(other).to_contain_text("杭州市")
        expect(other).to_contain_text("湖州市")
        expect(broken).to_contain_text("无法打开：")
        reason = broken.text_content().split("无法打开：", 1)[1]
        assert re.search(r"[\u4e00-\u9fff]", reason), reason  # a reason, in Chinese
        for refused in (changed, other, broken):  # a refused bundle never reads as passed
            expect(refused.locator(".attach-status")).to_have_text("不能采用，原因如下：")
        # Each bundle's 推荐意见 card says the same, above the opinion to write.
        cards = page.get_by_role("article")
        expect(cards).to_have_count(4)
        expect(cards.nth(0)).to_contain_text("可能在导出后被修改过")
        expect(cards.nth(1).locator(".card-msg")).not_to_contain_text("德清县")  # nothing wrong with it
        expect(cards.nth(2)).to_contain_text("“杭州市”，与本单位的“湖州市”不一致")
        expect(cards.nth(3)).to_contain_text("无法打开")
        # The tier's quota, where the counties' 推荐意见 are.
        opinions = page.get_by_role("group", name="推荐意见")
        expect(opinions).to_contain_text("最多可以有2个")
        expect(page.locator("#summary-list")).to_contain_text("最多可以有2个")
        settled(page)
        expect(verdict(page)).to_contain_text("未通过校验")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(shots_dir(tmp_path_factory) / "city-flags.png"), full_page=True)
        page.locator("#attachments").screenshot(path=str(shots_dir(tmp_path_factory) / "city-flags-list.png"))

        # The broken file removed: its row and its card go; the quota counts what is left.
        page.get_by_role("button", name="移除损坏.zip").click()
        expect(rows).to_have_count(3)
        expect(cards).to_have_count(3)
        expect(opinions).to_contain_text("最多可以有2个")
        expect(opinions).to_contain_text("现有3个")
        # 第二档 allows 3: the quota message goes, the other problems stay.
        choose(page, "跨境电商综试区考核评估档次", "第二档")
        settled(page)
        expect(opinions).not_to_contain_text("最多可以有")
        expect(rows.nth(0)).to_contain_text("可能在导出后被修改过")
        expect(verdict(page)).to_contain_text("未通过校验")
