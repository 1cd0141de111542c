"""Check a freshly built dist/ before it replaces the old one.

Every local reference in the pages resolves to a file; no page or script refers to another
origin (the site must work on an intranet with no internet); with the runtime, every package in
pyodide-lock.json is a file in dist/pyodide/ with the recorded sha256.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .files import sha256_file

_REF = re.compile(r"""(?:src|href)=["']([^"'#]+)["']""")
# A page may link to another site, but must never load anything from one.
_FOREIGN_LOAD = re.compile(
    r"""<(?:script|img|iframe)[^>]*\ssrc=["'](?:https?:)?//|<link[^>]*href=["'](?:https?:)?//""", re.I)
_FOREIGN = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.I)


def check(dist: Path, *, runtime: bool) -> list[str]:
    problems: list[str] = []
    for page in sorted(dist.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        for ref in _REF.findall(text):
            if ref.startswith(("data:", "blob:", "mailto:")):
                continue
            if "//" in ref:
                problems.append(f"{page.name}: 引用了外部地址 {ref}")
            elif not (dist / ref.split("?")[0]).exists():
                problems.append(f"{page.name}: 引用的文件不存在 {ref}")
    for asset in sorted((dist / "static").rglob("*")):
        if asset.suffix in (".css", ".js") and _FOREIGN.search(asset.read_text(encoding="utf-8")):
            problems.append(f"static/{asset.name}: 引用了外部地址")
    for page in sorted((dist / "docs").rglob("*.html")):
        if _FOREIGN_LOAD.search(page.read_text(encoding="utf-8")):
            problems.append(f"docs/{page.relative_to(dist / 'docs')}: 加载了外部资源")
    if not (dist / "definitions.json").is_file():
        problems.append("缺少 definitions.json")
    if runtime:
        problems.extend(_check_lock(dist))
    return problems


def _check_lock(dist: Path) -> list[str]:
    lock_path = dist / "pyodide" / "pyodide-lock.json"
    if not lock_path.is_file():
        return ["缺少 pyodide/pyodide-lock.json"]
    if not (dist / "py-worker.js").is_file():
        return ["缺少 py-worker.js"]
    problems = []
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    for name, package in lock["packages"].items():
        file = dist / "pyodide" / package["file_name"]
        if not file.is_file():
            problems.append(f"pyodide-lock.json 中的 {name} 缺少文件 {package['file_name']}")
        elif sha256_file(file) != package["sha256"]:
            problems.append(f"{package['file_name']} 的 sha256 与 pyodide-lock.json 不符")
    if "formsite" not in lock["packages"]:
        problems.append("pyodide-lock.json 中没有 formsite")
    return problems
