"""Compile the browser's Python to bytecode at build time, with the browser's own Python.

The npm package's ``python_stdlib.zip`` and the wheels hold only ``.py`` sources, so every
module the page imports is compiled in the browser at each start (about half of the time from
``loadPyodide()`` to the validators being ready). Here the same CPython 3.14 that runs in the
browser (Pyodide from ``node_modules/pyodide``, run in Node by ``runtime/precompile.mjs``)
compiles them once, so the magic number and bytecode are exactly what the browser expects.

* ``python_stdlib.zip`` → a zip with ``name.pyc`` where ``name.py`` was: zipimport tries
  ``.pyc`` before ``.py`` at the same path. Only the modules the engine loads are kept (the
  list comes from builder/stdlib_usage.py); the ``.py`` sources are dropped (see
  :data:`KEEP_STDLIB_SOURCES`) and docstrings are compiled out. Files
  that are not ``.py`` (and any source that does not compile) are kept as they are.
* each wheel → the same wheel with bytecode: without what the browser never imports, and
  either with ``__pycache__/<module>.cpython-314.pyc`` beside each source or with a sourceless
  ``<module>.pyc`` instead of it (builder/wheels.py says which), with RECORD rewritten to
  match. The file name is unchanged.

Every ``.pyc`` is an *unchecked* hash-based pyc (PEP 552): Python loads it without looking at
the source or its mtime (wheels are unpacked with fresh mtimes; zip entries have none that
matter), and the bytes do not depend on when the build ran. Outputs are written with fixed
timestamps and sorted entries, and zlib is Pyodide's own, so the same input gives the same
bytes on every machine. They are cached in ``.cache/precompiled/`` keyed by the input's sha256
and this compiler's fingerprint, so rebuilds neither start Node nor need the network.

This file is also the program that runs inside Pyodide (``__main__`` at the bottom); that part
uses only the standard library.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import posixpath
import shutil
import sys
import zipfile
from pathlib import Path

# Dropping the stdlib's .py sources: the zip shrinks from 2.5 MB to about the same size as the
# original instead of roughly doubling, which every cold start downloads. The cost: a traceback
# through a standard-library frame shows file and line number but not the line's text (our
# engine's and pydantic's frames keep theirs: wheels keep their sources).
KEEP_STDLIB_SOURCES = False

# Where Pyodide 314 puts things (``/lib/python${major}${minor}.zip`` in pyodide.mjs, and the
# "site" install dir of loadPackage); compiled into each code object's co_filename so that
# tracebacks name the real runtime path.
STDLIB_ZIP_PATH = "/lib/python314.zip"
SITE_PACKAGES = "/lib/python3.14/site-packages"

# 2024-01-01 00:00:00, as SOURCE_DATE_EPOCH in builder/wheels.py.
ZIP_DATE = (2024, 1, 1, 0, 0, 0)
_COMPRESSLEVEL = 9

HELPER = Path(__file__).resolve().parent / "runtime" / "precompile.mjs"
DEFAULT_CACHE = Path(__file__).resolve().parents[1] / ".cache" / "precompiled"


class PrecompileError(RuntimeError):
    """Compiling in Pyodide failed; the message carries Node's and Python's output."""


# ------------------------------------------------------------------------------------------
# Host side (CPython of the build).


def _sha256(path: Path) -> str:
    # Not builder.files.sha256_file: this module also runs alone inside Pyodide (run_path).
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fingerprint(pyodide_dir: Path) -> str:
    """What, besides the input, decides the output bytes: this file, the Node helper, and the
    Pyodide build that compiles (its version and its stdlib, which holds zlib and marshal)."""
    digest = hashlib.sha256()
    for part in (Path(__file__).resolve(), HELPER, pyodide_dir / "package.json"):
        digest.update(part.read_bytes())
    digest.update(_sha256(pyodide_dir / "python_stdlib.zip").encode())
    return digest.hexdigest()


def precompile(inputs: list[Path], node_modules: Path, cache_dir: Path = DEFAULT_CACHE,
               options: list[dict[str, object]] | None = None) -> list[Path]:
    """Return the compiled counterpart of each input (a stdlib zip or a wheel), in order.

    ``options`` (one dict per input, JSON-able) go to :func:`compile_stdlib` or
    :func:`compile_wheel` as keyword arguments: which stdlib modules to keep, which wheel
    members to drop, whether a wheel keeps its sources, the optimisation level.

    Inputs whose output is not cached yet are compiled in one Node run (one Pyodide start,
    a few seconds; the whole stdlib takes longer). Cached outputs live in
    ``cache_dir/<file name>/<key>/<file name>``; other keys for the same file name are
    removed, so the cache keeps one version per file (the engine wheel changes with the code).
    """
    pyodide_dir = node_modules / "pyodide"
    fingerprint = _fingerprint(pyodide_dir)
    outputs: list[Path] = []
    jobs: list[dict[str, object]] = []
    for source, opts in zip(inputs, options or [{}] * len(inputs), strict=True):
        kind = "wheel" if source.name.endswith(".whl") else "stdlib"
        wanted = json.dumps(opts, sort_keys=True)
        key = hashlib.sha256(f"{kind}\0{_sha256(source)}\0{fingerprint}\0{wanted}".encode()
                             ).hexdigest()[:32]
        target = cache_dir / source.name / key / source.name
        outputs.append(target)
        if not target.is_file():
            jobs.append({"kind": kind, "src": str(source.resolve()), "options": opts,
                         "dst": str(target.with_name(target.name + ".part").resolve())})
            target.parent.mkdir(parents=True, exist_ok=True)
    if jobs:
        _run_in_pyodide(pyodide_dir, jobs)
        for job in jobs:
            part = Path(str(job["dst"]))
            part.replace(part.with_name(part.name.removesuffix(".part")))
    for target in outputs:
        for stale in target.parent.parent.iterdir():
            if stale != target.parent:
                shutil.rmtree(stale, ignore_errors=True)
    return outputs


def _run_in_pyodide(pyodide_dir: Path, jobs: list[dict[str, object]]) -> None:
    import subprocess
    import tempfile

    node = shutil.which("node")
    if node is None:
        raise PrecompileError("node is not on PATH; it compiles the browser's Python at build "
                              "time (scripts/setup.sh installs Node for `npm ci`)")
    with tempfile.TemporaryDirectory(prefix="formsite-precompile-") as tmp:
        job_file = Path(tmp) / "jobs.json"
        job_file.write_text(json.dumps(jobs), encoding="utf-8")
        cmd = [node, str(HELPER), str(pyodide_dir.resolve()), str(Path(__file__).resolve()),
               str(job_file)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        for job in jobs:
            Path(str(job["dst"])).unlink(missing_ok=True)
        raise PrecompileError(f"compiling in Pyodide failed ({' '.join(cmd)}):\n"
                              f"{proc.stdout}\n{proc.stderr}")


# ------------------------------------------------------------------------------------------
# Pyodide side (CPython 3.14 in Node; standard library only).


def _pyc(source: bytes, filename: str, docstrings: bool = True) -> bytes:
    """An unchecked hash-based pyc, as ``py_compile`` with ``UNCHECKED_HASH`` writes it.

    Without ``docstrings`` the docstrings are left out (as ``python -OO`` does; nothing the
    page runs reads one: the checks' docstrings feed the rules reference, written at build
    time by CPython) but, unlike ``-OO``, asserts stay: some libraries validate with them.
    """
    import ast
    import importlib._bootstrap_external as external
    import importlib.util

    if docstrings:
        code = compile(source, filename, "exec", dont_inherit=True, optimize=0)
    else:
        tree = ast.parse(source, filename)
        for node in ast.walk(tree):
            if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                    and node.body and isinstance(node.body[0], ast.Expr)
                    and isinstance(node.body[0].value, ast.Constant)
                    and isinstance(node.body[0].value.value, str)):
                doc = node.body[0]
                node.body[0:1] = [] if len(node.body) > 1 else [ast.copy_location(ast.Pass(), doc)]
        code = compile(tree, filename, "exec", dont_inherit=True, optimize=0)
    return bytes(external._code_to_hash_pyc(code, importlib.util.source_hash(source), False))


def _write_zip(dst: str, entries: list[tuple[str, bytes, int]]) -> None:
    """Write ``(name, data, unix mode)`` entries in the given order, reproducibly."""
    with zipfile.ZipFile(dst, "w") as out:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.create_system = 3  # unix, so external_attr holds the mode
            if name.endswith("/"):
                info.external_attr = (0o40000 | mode) << 16 | 0x10
                info.compress_type = zipfile.ZIP_STORED
                out.writestr(info, b"")
            else:
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, data, compresslevel=_COMPRESSLEVEL)


def _mode(info: zipfile.ZipInfo) -> int:
    mode = (info.external_attr >> 16) & 0o777
    if info.is_dir():
        return mode or 0o755
    return 0o755 if mode & 0o111 else 0o644


def compile_stdlib(src: str, dst: str, keep: list[str] | None = None, docstrings: bool = True,
                   keep_sources: bool = KEEP_STDLIB_SOURCES) -> dict[str, int]:
    """Compile the stdlib zip; with ``keep`` (zip member names of modules, ``json/__init__.py``)
    only those modules, and the data files of the packages they are in."""
    entries: dict[str, tuple[bytes, int]] = {}
    failed = 0
    wanted = set(keep) if keep is not None else None
    kept_dirs = {posixpath.dirname(name) for name in wanted} if wanted is not None else set()
    with zipfile.ZipFile(src) as zin:
        names = set(zin.namelist())
        if wanted is not None and (missing := sorted(wanted - names)):
            raise ValueError(f"{src} has no {missing}")
        for info in zin.infolist():
            name = info.filename
            if info.is_dir():
                continue  # zipimport needs no directory entries
            if wanted is not None:
                if name.endswith(".py") and name not in wanted:
                    continue
                if not name.endswith(".py") and posixpath.dirname(name) not in kept_dirs:
                    continue
            data = zin.read(info)
            if name.endswith(".py"):
                if name + "c" in names:
                    raise ValueError(f"{src} already holds {name}c")
                try:
                    entries[name + "c"] = (_pyc(data, f"{STDLIB_ZIP_PATH}/{name}", docstrings), 0o644)
                except (SyntaxError, ValueError):
                    failed += 1  # zipimport falls back to the source
                    entries[name] = (data, _mode(info))
                    continue
                if not keep_sources:
                    continue
            entries[name] = (data, _mode(info))
    _write_zip(dst, [(name, data, mode) for name, (data, mode) in sorted(entries.items())])
    return {"entries": len(entries), "not_compiled": failed}


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def compile_wheel(src: str, dst: str, drop: list[str] | None = None, sources: bool = True,
                  docstrings: bool = True) -> dict[str, int]:
    """The wheel with bytecode for every module.

    ``drop``: fnmatch patterns of members left out (never imported in the browser: pydantic's
    v1 package, its mypy plugin, tests, type stubs). With ``sources`` each ``x.py`` keeps its
    source and gets ``__pycache__/x.cpython-314.pyc``; without, ``x.py`` is replaced by a
    sourceless ``x.pyc`` beside it (Python's sourceless loader imports it; a traceback through
    it shows file and line but not the line's text). RECORD is rewritten to match.
    """
    import fnmatch

    tag = sys.implementation.cache_tag  # cpython-314
    drop = drop or []
    dropped = 0
    with zipfile.ZipFile(src) as zin:
        infos = [i for i in zin.infolist() if not i.is_dir()]
        names = {i.filename for i in infos}
        records = [n for n in names if n.count("/") == 1 and n.endswith(".dist-info/RECORD")]
        if len(records) != 1:
            raise ValueError(f"{src}: expected one .dist-info/RECORD, found {records}")
        record_name = records[0]
        dist_info = record_name.rsplit("/", 1)[0] + "/"
        data_dir = dist_info.removesuffix(".dist-info/") + ".data/"
        files: dict[str, tuple[bytes, int]] = {}
        added: dict[str, bytes] = {}
        removed: set[str] = set()
        for info in infos:
            name = info.filename
            if name != record_name and any(fnmatch.fnmatchcase(name, p) for p in drop):
                removed.add(name)
                dropped += 1
                continue
            data = zin.read(info)
            # .data/ is installed elsewhere (scripts, headers); dist-info holds no modules.
            if not name.endswith(".py") or name.startswith((dist_info, data_dir)):
                files[name] = (data, _mode(info))
                continue
            head, tail = posixpath.split(name)
            if sources:
                files[name] = (data, _mode(info))
                pyc_name = posixpath.join(head, "__pycache__", f"{tail[:-3]}.{tag}.pyc")
            else:
                removed.add(name)
                pyc_name = name + "c"
            if pyc_name in names:
                continue
            added[pyc_name] = _pyc(data, f"{SITE_PACKAGES}/{name}", docstrings)
    record_text = files[record_name][0].decode("utf-8")
    rows = [row for row in csv.reader(io.StringIO(record_text))
            if row and row[0] != record_name and row[0] not in removed]
    rows += [[name, _record_hash(data), str(len(data))] for name, data in sorted(added.items())]
    rows.append([record_name, "", ""])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    files[record_name] = (buffer.getvalue().encode("utf-8"), files[record_name][1])
    for name, data in added.items():
        files[name] = (data, 0o644)
    # The wheel spec asks for .dist-info last, RECORD last of all.
    order = sorted(files, key=lambda n: (n.startswith(dist_info), n == record_name, n))
    _write_zip(dst, [(name, *files[name]) for name in order])
    return {"compiled": len(added), "dropped": dropped}


def _pyodide_main(job_file: str) -> None:
    if sys.platform != "emscripten" or sys.version_info[:2] != (3, 14):
        raise SystemExit("builder/precompile.py compiles for Pyodide 314; run it through "
                         "builder/runtime/precompile.mjs, not with the build's Python")
    # The helper mounts the host's / at /host.
    for job in json.loads(Path("/host" + job_file).read_text(encoding="utf-8")):
        src, dst = "/host" + job["src"], "/host" + job["dst"]
        compile_one = compile_stdlib if job["kind"] == "stdlib" else compile_wheel
        stats = compile_one(src, dst, **job.get("options", {}))
        print(f"{job['kind']} {posixpath.basename(job['src'])}: {stats}")


if __name__ == "__main__":
    _pyodide_main(sys.argv[1])
