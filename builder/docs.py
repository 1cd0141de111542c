"""Build dist/docs/ with MkDocs: the guide from site_src/docs/ plus reference pages generated
from the definitions, so the published rules reference can never be stale."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from formsite.checks import CHECKS
from formsite.engine import Engine

_TYPE_NAMES = {
    "text": "文字", "longtext": "长文字", "money": "金额（万元）", "integer": "整数", "area": "面积",
    "percent": "百分比", "date": "日期", "year_month": "年月", "phone": "电话", "credit_code": "统一社会信用代码",
    "choice": "单选", "multichoice": "多选", "checkbox": "勾选", "table": "表格",
}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def rules_page(engine: Engine) -> str:
    rules = engine.definitions.ruleset
    lines = [f"# 规则说明：{rules.title}", "",
             f"规则集 `{rules.id}`，版本 {rules.version}，"
             f"规则集与表单的内容哈希 `{engine.definitions.ruleset_hash[:19]}…`。",
             f"依据：{rules.source}", "", "## 参数", "", "| 参数 | 值 |", "| --- | --- |"]
    lines += [f"| `{k}` | {_cell(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))} |"
              for k, v in rules.parameters.items()]
    lines += ["", "## 检查", "", "| 编号 | 级别 | 检查 | 说明 | 依据 |", "| --- | --- | --- | --- | --- |"]
    for rule in rules.checks:
        level = "错误" if rule.severity == "error" else "提醒"
        lines.append(f"| `{rule.id}` | {level} | `{rule.check}` | {_cell(rule.message)} | {_cell(rule.clause)} |")
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


def build_docs(engine: Engine, source: Path, out: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        shutil.copytree(source, docs)
        (docs / "rules.md").write_text(rules_page(engine), encoding="utf-8")
        (docs / "forms.md").write_text(forms_page(engine), encoding="utf-8")
        config = Path(tmp) / "mkdocs.yml"
        config.write_text(
            "site_name: 申报材料填报 使用说明\n"
            "use_directory_urls: false\n"   # plain files: works under any sub-path, any server
            "theme:\n  name: mkdocs\n  highlightjs: false\n  locale: zh_CN\n"
            "nav:\n  - 使用说明: index.md\n  - 规则说明: rules.md\n  - 表单字段: forms.md\n",
            encoding="utf-8")
        cfg = load_config(str(config), site_dir=str(out), docs_dir=str(docs), strict=True)
        # MkDocs stamps the build date into every page unless SOURCE_DATE_EPOCH is set:
        # the same sources must give the same bytes.
        previous = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = previous or "1704067200"
        try:
            build(cfg)
        finally:
            if previous is None:
                del os.environ["SOURCE_DATE_EPOCH"]
