"""Which standard-library modules the browser needs: recorded by running the engine in Pyodide.

The npm package's ``python_stdlib.zip`` holds the whole standard library (600 modules, 9.6 MB
of sources); the page imports about a quarter of it. At build time the engine is installed
from the wheels the site ships and run inside Pyodide under Node, as the worker runs it: boot,
``import formsite.browser``, every module of the engine and every module its code imports
anywhere (also inside functions), every rule example, and each dossier's calls of the page
(validate, export with its documents, open the exported bundle, attach it to the next level).
The standard-library modules loaded by then, plus :data:`ALLOW`, are what the site ships
(builder/precompile.py leaves out the rest).

:data:`ALLOW` is for what a run may not reach: the Pyodide runtime's own packages, codecs that
only a file from elsewhere calls for, what a traceback needs. tests/test_stdlib_pruning.py
imports each of them from the shipped zip and runs the engine on it.

The recording is cached in ``.cache/stdlib-usage/`` by what decides it (the wheels, the
definitions, this file, the runtime), so a rebuild without changes does not start Node.

The part that runs inside Pyodide is ``runtime/record_imports.py``: it imports nothing but
``json`` and ``sys`` itself, so that what it records is the engine's and not its own.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

HELPER = Path(__file__).resolve().parent / "runtime" / "record-imports.mjs"
WORKLOAD = Path(__file__).resolve().parent / "runtime" / "record_imports.py"
DEFAULT_CACHE = Path(__file__).resolve().parents[1] / ".cache" / "stdlib-usage"
STDLIB_ZIP_PATH = "/lib/python314.zip/"

# Modules (dotted names; a name ending in ".*" is a whole package) shipped even if the
# recording did not load them.
ALLOW: tuple[str, ...] = (
    # The runtime's own Python side that a boot may reach: loadPackage, the JS bridge, the
    # event loop (its HTTP client, console and Node sockets are never used by the page).
    "pyodide.__init__", "pyodide.ffi.*", "pyodide.code", "pyodide.common", "pyodide.webloop",
    "pyodide._*", "_pyodide.*",
    # Codecs a bundle from elsewhere may call for: zip member names without the UTF-8 flag
    # are cp437; Chinese text saved by older Windows tools is GBK/GB18030; BOMs.
    "encodings.*aliases", "encodings.utf_8", "encodings.utf_8_sig", "encodings.utf_16",
    "encodings.utf_16_le", "encodings.utf_16_be", "encodings.utf_32", "encodings.ascii",
    "encodings.latin_1", "encodings.cp437", "encodings.cp1252", "encodings.gbk",
    "encodings.gb18030", "encodings.gb2312",
    # What printing a traceback to the console reads (the worker's error boundary).
    "traceback", "linecache", "tokenize", "token", "textwrap", "_colorize",
    # The archive and compression modules a bundle may use.
    "zipfile.*", "lzma", "bz2", "compression.zstd.*",
)


# Imported by the engine's build-time modules only (the loader, the CLI); not in the browser.
BUILD_ONLY = frozenset({"yaml", "jinja2", "formsite.loader", "formsite.cli", "formsite.__main__"})


class StdlibUsageError(RuntimeError):
    """The engine could not be run in Pyodide to record its imports."""


def allowed_members(names: set[str], entries: tuple[str, ...] = ALLOW) -> set[str]:
    """The zip members (``json/__init__.py``) of ``entries`` (:data:`ALLOW`), among ``names``,
    with the packages above them."""
    import fnmatch

    out: set[str] = set()
    for entry in entries:
        if entry.endswith(".*") and "*" not in entry[:-2]:
            prefix = entry[:-2].replace(".", "/") + "/"
            out |= {n for n in names if n.startswith(prefix) and n.endswith(".py")}
            continue
        path = entry.replace(".", "/")
        pattern_hits = {n for n in names
                        if fnmatch.fnmatchcase(n, path + ".py") or fnmatch.fnmatchcase(n, path + "/__init__.py")}
        out |= pattern_hits
    return _with_parents(out, names)


def _with_parents(members: set[str], names: set[str]) -> set[str]:
    """Every package ``__init__.py`` above the given modules (importing ``a.b`` runs ``a``)."""
    out = set(members)
    for member in members:
        parts = member.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            init = "/".join(parts[:i]) + "/__init__.py"
            if init in names:
                out.add(init)
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record(pyodide_dir: Path, wheel_dir: Path, definitions_json: Path,
           cache_dir: Path = DEFAULT_CACHE) -> list[str]:
    """The stdlib zip members the engine loaded in Pyodide (sorted), recorded or cached.

    ``wheel_dir`` holds the shipped wheels and their ``pyodide-lock.json``.
    """
    digest = hashlib.sha256()
    for part in (Path(__file__).resolve(), HELPER, WORKLOAD, pyodide_dir / "package.json",
                 pyodide_dir / "python_stdlib.zip", definitions_json,
                 *sorted(wheel_dir.glob("*.whl"))):
        digest.update(part.name.encode() + b"\0" + _sha256(part).encode())
    cached = cache_dir / f"{digest.hexdigest()[:32]}.json"
    if cached.is_file():
        return json.loads(cached.read_text(encoding="utf-8"))
    node = shutil.which("node")
    if node is None:
        raise StdlibUsageError("node is not on PATH; it runs the engine in Pyodide at build time")
    with tempfile.TemporaryDirectory(prefix="formsite-imports-") as tmp:
        out = Path(tmp) / "modules.json"
        given = Path(tmp) / "given.json"
        given.write_text(json.dumps({"definitions": str(definitions_json.resolve()),
                                     "imports": engine_imports(), "out": str(out)}),
                         encoding="utf-8")
        cmd = [node, str(HELPER), str(pyodide_dir.resolve()), str(wheel_dir.resolve()),
               str(WORKLOAD), str(given)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0 or not out.is_file():
            raise StdlibUsageError(f"running the engine in Pyodide failed ({' '.join(cmd)}):\n"
                                   f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
        modules = json.loads(out.read_text(encoding="utf-8"))
    cache_dir.mkdir(parents=True, exist_ok=True)
    for stale in cache_dir.glob("*.json"):
        stale.unlink()
    cached.write_text(json.dumps(modules, indent=0), encoding="utf-8")
    return modules


ENGINE_SOURCE = Path(__file__).resolve().parents[1] / "src" / "formsite"


def engine_imports(src: Path = ENGINE_SOURCE) -> list[str]:
    """Every module of the engine and every absolute import written anywhere in it (inside
    functions too), read from the sources here so the recording itself imports no ``ast``."""
    import ast

    names = set()
    for source in sorted(src.rglob("*.py")):
        module = ".".join(("formsite", *source.relative_to(src).with_suffix("").parts))
        if module in BUILD_ONLY:
            continue  # the CLI's and the loader's imports are not the browser's
        names.add(module.removesuffix(".__init__"))
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    return sorted(n for n in names if n not in BUILD_ONLY and n.split(".")[0] not in BUILD_ONLY)


def shipped_members(recorded: list[str], stdlib_zip: Path) -> list[str]:
    """What the site's stdlib zip keeps: the recorded modules and the allow-list."""
    import zipfile

    with zipfile.ZipFile(stdlib_zip) as zf:
        names = set(zf.namelist())
    unknown = sorted(set(recorded) - names)
    if unknown:
        raise StdlibUsageError(f"recorded modules not in {stdlib_zip}: {unknown}")
    return sorted(_with_parents(set(recorded), names) | allowed_members(names))
