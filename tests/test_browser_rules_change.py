"""In the browser: a 2024 bundle opened on a site built with next year's rules lists exactly
what changed for it and keeps every typed value (fields found by their labels).

Needs a site built with the second rule set, named by FORMSITE_RULES_DIST (built here into a
temporary folder when it is not given):
    .venv/bin/python build.py --rules rules/zj-cbec-2025.yaml --out /tmp/site-2025
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dossiers import valid_project_dossier
from playwright.sync_api import expect

from formsite.engine import Engine
from formsite.loader import load_definitions

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    dist = Path(os.environ.get("FORMSITE_RULES_DIST") or tmp_path_factory.mktemp("s") / "site")
    built = dist / "definitions.json"
    if not built.is_file() or json.loads(built.read_text("utf-8"))["ruleset"]["id"] != "zj-cbec-2025":
        subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-screenshots", "--rules",
                        str(ROOT / "rules" / "zj-cbec-2025.yaml"), "--out", str(dist)], check=True)
    from support.server import serve

    with serve(dist, sub_path="/shenbao/2025/") as base_url:
        yield base_url


@pytest.fixture(scope="module")
def old_engine() -> Engine:
    return Engine.from_definitions(load_definitions(ROOT / "forms", ROOT / "rules" / "zj-cbec-2024.yaml"))


def _old_data() -> dict:
    data = valid_project_dossier()
    data["project_info"]["showroom_area"] = "1,200"  # enough in 2024, not in 2025
    return data


def _draft_file(old_engine: Engine, tmp_path: Path) -> Path:
    """A draft saved under the 2024 rules by a browser that could not run the engine."""
    from formsite.bundle import draft_file_name, draft_record

    compiled = old_engine.dossiers["project"]
    path = tmp_path / draft_file_name(compiled)
    path.write_text(json.dumps({**draft_record(compiled), "data": _old_data()}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def _bundle_file(old_engine: Engine, tmp_path: Path) -> Path:
    name, content, report = old_engine.export("project", _old_data())
    assert report.ok
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("make", [_bundle_file, _draft_file], ids=["bundle", "draft"])
def test_a_2024_record_lists_its_changes_and_keeps_what_was_typed(site, old_engine, tmp_path, make):
    from playwright.sync_api import sync_playwright

    data = _old_data()
    bundle = make(old_engine, tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(site + "project.html")
        page.wait_for_selector("body[data-engine=ready]", timeout=60_000)
        page.locator("#import-file").set_input_files(str(bundle))
        notice = page.locator("#notice")
        expect(notice).to_contain_text("按规则集 zj-cbec-2024 版本 2024.1 制作", timeout=30_000)
        expect(notice).to_contain_text("新出现的问题：跨境电商产业带展示选品中心要求展示选品中心实际使用面积不少于1500平方米，填写的是1200平方米。")
        expect(notice).to_contain_text("新增的填写项：“展示选品中心年接待境内外采购商（家）”")
        items = notice.locator("li").all_text_contents()
        assert len([i for i in items if i.startswith(("新出现的问题", "新增的填写项", "不再填写的项"))]) == 3
        # Nothing typed is lost: every field shows what the 2024 bundle holds.
        label = lambda text: page.get_by_label(text, exact=True)  # noqa: E731
        assert label("展示选品中心实际使用面积（平方米）").input_value() == "1,200"
        assert label("项目名称").input_value() == data["project_info"]["project_name"]
        assert label("净资产（万元）").input_value() == "3100万元"
        assert label("2025年营业收入（万元）").input_value() == "23,456.78"
        assert label("展示选品中心年接待境内外采购商（家）").input_value() == ""
        browser.close()
