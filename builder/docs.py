"""Build dist/docs/ with MkDocs: the guide from site_src/docs/ plus reference pages generated
from the definitions, so the published rules reference can never be stale."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from formsite.changes import readable_message, report_markdown
from formsite.checks import CHECKS
from formsite.definitions import Definitions
from formsite.engine import Engine

from .site import CONTENT_SECURITY_POLICY

_TYPE_NAMES = {
    "text": "文字", "longtext": "长文字", "money": "金额（万元）", "integer": "整数", "area": "面积",
    "percent": "百分比", "date": "日期", "year_month": "年月", "phone": "电话", "credit_code": "统一社会信用代码",
    "choice": "单选", "multichoice": "多选", "checkbox": "勾选", "table": "表格",
}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _parameter_value(value: object) -> str:
    if isinstance(value, str):
        return value
    text = json.dumps(value, ensure_ascii=False)
    # Reference data (the list of counties) is too long for a table cell: its size instead.
    return text if len(text) <= 200 else f"（{len(value)}项，见规则集引用的文件）"


def rules_page(engine: Engine) -> str:
    rules = engine.definitions.ruleset
    lines = [f"# 规则说明：{rules.title}", "",
             f"规则集 `{rules.id}`，版本 {rules.version}，"
             f"规则集与表单的内容哈希 `{engine.definitions.ruleset_hash[:19]}…`。",
             f"依据：{rules.source}", ""]
    if rules.previous:
        lines += [f"本规则集接续上一规则集 `{rules.previous}`，变化见[规则变化](changes.md)。", ""]
    lines += ["## 参数", "", "修改门槛、年度或日期时只需改规则集文件中 `parameters` 下对应参数的值，"
              "再重新生成网站（见[管理员指南](admin.md)）。", "",
              "| 参数 | 含义 | 单位 | 值 | 依据 |", "| --- | --- | --- | --- | --- |"]
    for name, value in rules.parameters.items():
        doc = rules.parameter_docs[name]
        lines.append(f"| `{name}` | {_cell(doc.description)} | {_cell(doc.unit)} | "
                     f"{_cell(_parameter_value(value))} | {_cell(doc.clause)} |")
    lines += ["", "## 检查", "", "| 编号 | 级别 | 检查 | 说明 | 依据 |", "| --- | --- | --- | --- | --- |"]
    for rule in rules.checks:
        level = "错误" if rule.severity == "error" else "提醒"
        lines.append(f"| `{rule.id}` | {level} | `{rule.check}` | "
                     f"{_cell(readable_message(rule, engine.definitions))} | {_cell(rule.clause)} |")
    lines += ["", "## 检查类型", ""]
    for name, spec in sorted(CHECKS.items()):
        lines += [f"- `{name}`：{spec.doc}"]
    return "\n".join(lines) + "\n"


def forms_page(engine: Engine) -> str:
    lines = ["# 表单字段", ""]
    for form in engine.definitions.forms.values():
        lines += [f"## {form.annex} {form.title}", "", "| 编号 | 名称 | 类型 | 必填 |", "| --- | --- | --- | --- |"]
        for field in form.fields():
            kind = "自动计算" if field.computed else _TYPE_NAMES[field.type]
            lines.append(f"| `{field.id}` | {_cell(field.label)} | {kind} | {'是' if field.required else ''} |")
        lines.append("")
    return "\n".join(lines)


# ![caption](screenshots/name.png): a screenshot the build's browser run takes of the real page.
_SCREENSHOT = re.compile(r"^!\[([^\]]*)\]\(screenshots/([a-z0-9-]+)\.png\)$", re.MULTILINE)


def with_screenshots(text: str, available: set[str]) -> str:
    """The guide with each screenshot it names that was not taken replaced by a note."""
    return _SCREENSHOT.sub(lambda m: m[0] if m[2] in available else
                           f"> （此处为截图“{m[1]}”：本次生成网站时没有截图。）", text)


NAV = [("使用说明", "index.md"), ("项目承建单位指南", "project.md"), ("县（市、区）指南", "county.md"),
       ("设区市指南", "city.md"), ("常见问题", "faq.md"), ("管理员指南", "admin.md"),
       ("规则说明", "rules.md"), ("表单字段", "forms.md"), ("规则变化", "changes.md")]


def build_docs(engine: Engine, source: Path, out: Path,
               previous: Definitions | None = None, screenshots: Path | None = None) -> None:
    """``source``: the guides (site_src/docs); the theme overrides are beside them
    (site_src/docs_theme); ``screenshots``: PNGs the build's browser run took, if any."""
    theme = source.parent / "docs_theme"
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        shutil.copytree(source, docs)
        available = set()
        if screenshots is not None and screenshots.is_dir():
            shutil.copytree(screenshots, docs / "screenshots")
            available = {p.stem for p in screenshots.glob("*.png")}
        for page in docs.glob("*.md"):
            page.write_text(with_screenshots(page.read_text(encoding="utf-8"), available),
                            encoding="utf-8")
        (docs / "rules.md").write_text(rules_page(engine), encoding="utf-8")
        (docs / "forms.md").write_text(forms_page(engine), encoding="utf-8")
        (docs / "changes.md").write_text(report_markdown(previous, engine.definitions),
                                         encoding="utf-8")
        config = Path(tmp) / "mkdocs.yml"
        config.write_text(
            "site_name: 申报材料填报 使用说明\n"
            "use_directory_urls: false\n"   # plain files: works under any sub-path, any server
            "theme:\n  name: mkdocs\n  highlightjs: false\n  locale: zh_CN\n"
            # The theme under the pages' CSP: no inline script or style, no CDN, light only.
            f"  custom_dir: {json.dumps(str(theme))}\n  color_mode: light\n"
            "  user_color_mode_toggle: false\n"
            f"extra:\n  csp: {json.dumps(CONTENT_SECURITY_POLICY)}\n"
            "nav:\n" + "".join(f"  - {title}: {page}\n" for title, page in NAV),
            encoding="utf-8")
        cfg = load_config(str(config), site_dir=str(out), docs_dir=str(docs), strict=True)
        # MkDocs stamps the build date into every page unless SOURCE_DATE_EPOCH is set:
        # the same sources must give the same bytes.
        previous = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = previous or "1704067200"
        # MkDocs says why a strict build fails through its logger: show it.
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)
        logging.getLogger("mkdocs").addHandler(handler)
        try:
            build(cfg)
        finally:
            logging.getLogger("mkdocs").removeHandler(handler)
            if previous is None:
                del os.environ["SOURCE_DATE_EPOCH"]
        # MkDocs writes its 404 page with links from the server's root ("/css/…"), which
        # break under any sub-path; no shipped server configuration points at it.
        (out / "404.html").unlink(missing_ok=True)
        # The theme writes its locale as the page language ("zh_Hans_CN"), which is not a
        # language tag; screen readers pick their voice by it, so say "zh-CN".
        for page in out.rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            page.write_text(re.sub(r'<html lang="[^"]*"', '<html lang="zh-CN"', text, count=1), encoding="utf-8")
