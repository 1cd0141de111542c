"""Write ``dist/sw.js``: the service worker with this build's version and file list.

``builder/runtime/sw.js`` is copied with its ``BUILD`` value filled in: the files it caches
(relative to the site root: the pages, static files, ``definitions.json``, the worker, the
runtime and the wheels; not the user guide, which it caches as it is read, nor precompressed
siblings or server configurations) and a version that is a hash of their bytes. So every build
that changes any of them changes ``sw.js``, which is how browsers learn of it (they compare
``sw.js`` byte for byte at each visit), and the same tree always gives the same ``sw.js``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from formsite.definitions import Definitions

from .files import sha256_file

SOURCE = Path(__file__).resolve().parent / "runtime" / "sw.js"
PLACEHOLDER = '/* BUILD */ { version: "dev", ruleset: "", files: [] }'
# Not cached ahead: the user guide (many pages; cached as read), precompressed siblings (the
# browser receives them decoded under the plain name), server configurations, sw.js itself.
_SKIP_DIRS = ("docs/", "deploy/")
_SKIP_NAMES = frozenset({"sw.js", "web.config", ".htaccess"})
# .snapshot: the published engine snapshot (builder/engine_snapshot.py), fetched only by first
# visits over a fast link; later visits use the browser's own copy.
_SKIP_SUFFIXES = (".gz", ".br", ".snapshot")


def read_build(sw_js: str) -> dict:
    """The ``BUILD`` value written into a ``sw.js``."""
    line = next(row for row in sw_js.splitlines() if row.startswith("const BUILD = /* BUILD */ "))
    return json.loads(line.removeprefix("const BUILD = /* BUILD */ ").removesuffix(";"))


def write_build(sw_js: str, build: dict) -> str:
    """``sw_js`` with another ``BUILD`` value (what a new build writes)."""
    lines = [f"const BUILD = /* BUILD */ {json.dumps(build, ensure_ascii=False, separators=(',', ':'))};"
             if row.startswith("const BUILD = /* BUILD */ ") else row for row in sw_js.splitlines()]
    return "\n".join(lines) + "\n"


def precached_files(dist: Path) -> list[str]:
    files = []
    for path in sorted(dist.rglob("*")):
        rel = path.relative_to(dist).as_posix()
        if (not path.is_file() or rel.startswith(_SKIP_DIRS) or path.name in _SKIP_NAMES
                or rel.endswith(_SKIP_SUFFIXES) or path.name.startswith(".")):
            continue
        files.append(rel)
    return files


def write_service_worker(dist: Path, definitions: Definitions) -> Path:
    """Write ``dist/sw.js``; call it when everything else in ``dist`` is written."""
    files = precached_files(dist)
    digest = hashlib.sha256()
    for rel in files:
        digest.update(f"{rel}\0{sha256_file(dist / rel)}\n".encode())
    rules = definitions.ruleset
    build = {"version": digest.hexdigest()[:16], "ruleset": f"{rules.title}（版本 {rules.version}）",
             "files": files}
    source = SOURCE.read_text(encoding="utf-8")
    if source.count(PLACEHOLDER) != 1:
        raise RuntimeError(f"{SOURCE} must hold {PLACEHOLDER!r} once")
    target = dist / "sw.js"
    # One line, so a test can read it back: ``const BUILD = /* BUILD */ {...};``.
    filled = "/* BUILD */ " + json.dumps(build, ensure_ascii=False, separators=(",", ":"))
    target.write_text(source.replace(PLACEHOLDER, filled), encoding="utf-8")
    return target
