"""Small forms written inline in a test, as pyxform's tests write theirs: the test says exactly
what it is about, instead of patching the real rule set.

    engine = inline_engine('''
        id: f
        sections:
          - id: s
            fields:
              - {id: a, label: 甲, type: money, unit: 万元}
    ''')

Each form is a YAML text (``annex``/``title``/``source`` may be left out); the rule set has one
harmless check unless ``checks`` are given; the dossier "d" holds all the forms. Everything goes
through the real loader, so line numbers in problems point into the inline text.
"""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

import yaml

from formsite.engine import Engine
from formsite.loader import load_definitions

_FORM_DEFAULTS = "annex: 附件\ntitle: 测试表\nsource: 测试\n"
_KEEP = """  - id: keep
    check: min_value
    args: {field: %(field)s, min: 0}
    severity: error
    message: "{label}不能小于0。"
    clause: 测试
    examples: {pass: [{%(form)s: {%(name)s: "1"}}], fail: [{%(form)s: {%(name)s: "-1"}}]}
"""


def write_definitions(root: Path, *forms: str, parameters: dict | None = None,
                      checks: str | None = None, include: dict[str, str] | None = None) -> Path:
    """forms/ and rules/ for the inline ``forms`` under ``root``; returns the rules file.
    ``include``: reference-data files (name → YAML text) the rule set includes by name."""
    (root / "forms").mkdir(parents=True, exist_ok=True)
    (root / "rules").mkdir(parents=True, exist_ok=True)
    ids = []
    for text in forms:
        text = textwrap.dedent(text).strip() + "\n"
        data = yaml.safe_load(text)
        ids.append(data["id"])
        head = "".join(line + "\n" for line in _FORM_DEFAULTS.splitlines()
                       if line.split(":")[0] not in data)
        (root / "forms" / f"{data['id']}.yaml").write_text(text + head, encoding="utf-8")
    (root / "forms" / "dossiers.yaml").write_text(
        f"dossiers:\n  - {{id: d, title: 测试材料, role: 测试单位, forms: [{', '.join(ids)}], "
        f"file_name: {ids[0]}.{_first_field(forms[0])}, documents: project_annexes}}\n",
        encoding="utf-8")
    if checks is None:
        first = yaml.safe_load(textwrap.dedent(forms[0]))
        numeric = next(f["id"] for s in first["sections"] for f in s["fields"]
                       if f["type"] in ("money", "integer", "area"))
        checks = _KEEP % {"field": f"{first['id']}.{numeric}", "form": first["id"], "name": numeric}
    rules = root / "rules" / "test.yaml"
    rules.write_text(
        "id: test\nversion: '1'\ntitle: 测试规则\nsource: 测试\n"
        + yaml.safe_dump({"include": {n: f"{n}.yaml" for n in include or {}},
                          "parameters": parameters or {},
                          # every parameter is explained; a test's need no particular words
                          "parameter_docs": {n: {"description": "测试参数", "unit": "无",
                                                 "clause": "测试"}
                                             for n in [*(parameters or {}), *(include or {})]}},
                         allow_unicode=True)
        + "checks:\n" + textwrap.dedent(checks), encoding="utf-8")
    for name, text in (include or {}).items():
        (root / "rules" / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return rules


def _first_field(form: str) -> str:
    data = yaml.safe_load(textwrap.dedent(form))
    return data["sections"][0]["fields"][0]["id"]


def inline_engine(*forms: str, **options) -> Engine:
    with tempfile.TemporaryDirectory() as tmp:
        rules = write_definitions(Path(tmp), *forms, **options)
        return Engine.from_definitions(load_definitions(Path(tmp) / "forms", rules))
