"""The guides are complete and work under the site's policy: every CLI command and option,
check, parameter and field is in the docs; every docs page carries the pages' CSP, runs no
inline script, loads nothing from elsewhere, and its search finds Chinese words offline."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from builder.site import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "site"
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-runtime", "--no-screenshots",
                    "--out", str(out)], check=True, capture_output=True)
    return out


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self.urls: list[str] = []
        self.meta_csp: list[str] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._script = attrs
            self.scripts.append((attrs, ""))
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy":
            self.meta_csp.append(attrs.get("content") or "")
        self.urls += [attrs[k] for k in ("src", "href") if attrs.get(k)]
        if "style" in attrs:
            self.scripts.append(({"inline-style": attrs["style"]}, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.parts.append(data)


def _pages(site: Path) -> dict[str, _Text]:
    parsed = {}
    for page in sorted((site / "docs").glob("*.html")):
        parser = _Text()
        parser.feed(page.read_text(encoding="utf-8"))
        parsed[page.name] = parser
    return parsed


def _docs_text(site: Path) -> str:
    return "\n".join("".join(p.parts) for p in _pages(site).values())


def _help(*command: str) -> str:
    return subprocess.run([sys.executable, *command, "--help"], capture_output=True, text=True,
                          check=True, cwd=ROOT).stdout


def test_every_cli_command_and_option_is_in_the_docs(site):
    text = _docs_text(site)
    commands = re.search(r"\{([a-z0-9,]+)\}", _help("-m", "formsite"))[1].split(",")
    assert len(commands) >= 5
    missing = [f"formsite {c}" for c in commands if f"formsite {c}" not in text]
    for command in commands:
        options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", _help("-m", "formsite", command)))
        missing += [f"formsite {command} {o}" for o in options - {"--help"} if o not in text]
    top = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", _help("-m", "formsite"))) - {"--help"}
    missing += [f"formsite {o}" for o in top if o not in text]
    build_options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", _help(str(ROOT / "build.py"))))
    missing += [f"build.py {o}" for o in build_options - {"--help"} if o not in text]
    missing += [f"build.py {c}" for c in ("serve",) if c not in text]
    assert missing == [], f"not documented: {missing}"


@pytest.mark.parametrize("rules", ["zj-cbec-2024.yaml", "zj-cbec-2025.yaml"])
def test_every_check_parameter_and_field_is_in_the_docs(rules, tmp_path):
    from formsite.loader import load_definitions

    out = tmp_path / "site"
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-runtime", "--no-screenshots",
                    "--rules", str(ROOT / "rules" / rules), "--out", str(out)],
                   check=True, capture_output=True)
    definitions = load_definitions(ROOT / "forms", ROOT / "rules" / rules)
    pages = _pages(out)
    reference = "".join(pages["rules.html"].parts)
    fields = "".join(pages["forms.html"].parts)
    missing = [f"check {r.id}" for r in definitions.ruleset.checks if r.id not in reference]
    for name, doc in definitions.ruleset.parameter_docs.items():
        # each parameter with its meaning, unit and clause, in Chinese
        missing += [f"parameter {name}: {part}" for part in (name, doc.description, doc.unit, doc.clause)
                    if part not in reference]
    missing += [f"field {form.id}.{f.id}" for form in definitions.forms.values()
                for f in form.fields() if f.id not in fields or f.label not in fields]
    assert missing == [], f"not documented: {missing}"


def test_the_guides_cover_each_role_the_faq_and_the_admin(site):
    pages = _pages(site)
    for page, words in {
        "project.html": ["项目承建单位", "下载数据包"], "county.html": ["县（市、区）", "导入重点项目数据包"],
        "city.html": ["设区市", "附件5"], "faq.html": ["草稿", "浏览器", "打印", "校验结果与您的理解不一致"],
        "admin.html": ["showroom_min_area", "--rules", "重新生成", "发布"],
        "changes.html": ["规则变化"],
    }.items():
        text = "".join(pages[page].parts)
        assert all(w in text for w in words), page
    # Built without screenshots: the guides say so instead of showing a broken image.
    assert "本次生成网站时没有截图" in "".join(pages["project.html"].parts)


def test_every_docs_page_carries_the_policy_and_runs_nothing_inline(site):
    for name, page in _pages(site).items():
        assert page.meta_csp == [CONTENT_SECURITY_POLICY], name
        inline = [(attrs, text) for attrs, text in page.scripts if "src" not in attrs]
        assert inline == [], name
        foreign = [u for u in page.urls if re.match(r"^(https?:)?//", u)]
        assert foreign == [], name


@pytest.mark.browser
def test_the_docs_search_finds_chinese_words_under_the_policy(site):
    from playwright.sync_api import sync_playwright
    from support.server import serve

    with serve(site, sub_path="/shenbao/") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        problems: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(base + "docs/faq.html")
        page.keyboard.press("s")  # the theme's shortcut opens the search
        box = page.get_by_role("searchbox")
        box.wait_for()
        box.fill("草稿历史")
        results = page.locator("#mkdocs-search-results article")
        results.first.wait_for()
        titles = results.locator("h3").all_text_contents()
        assert any("常见问题" in t or "草稿" in t for t in titles), titles
        results.first.locator("a").click()
        page.wait_for_load_state()
        assert "草稿历史" in page.content()
        browser.close()
    assert problems == []
    assert all(u.startswith(base.split("/shenbao/")[0]) for u in requests)


@pytest.mark.parametrize("rules", ["zj-cbec-2024.yaml", "zj-cbec-2025.yaml"])
def test_the_screenshot_samples_pass_under_every_rule_set(rules):
    from builder.screenshots import sample_bundles
    from formsite.engine import Engine
    from formsite.loader import load_definitions

    engine = Engine.from_definitions(load_definitions(ROOT / "forms", ROOT / "rules" / rules))
    verdicts = {d: engine.open(content).report.verdict
                for d, (_, content) in sample_bundles(engine).items()}
    assert verdicts == dict.fromkeys(("project", "county", "city"), "通过校验，可以下载提交")
