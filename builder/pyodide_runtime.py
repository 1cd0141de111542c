"""Vendor the Pyodide runtime and our wheels into ``dist/pyodide/`` so the site needs no CDN.

What ``loadPyodide`` fetches (read from ``pyodide.mjs`` 314.0.7 and confirmed by watching the
requests of a headless Chromium boot, see tests/test_pyodide_boot.py):

* ``pyodide.asm.mjs``: the Emscripten module. ``pyodide.mjs`` would ``import()`` it as
  ``${indexURL}pyodide.asm.mjs``; the worker instead imports it itself and hands it over with
  the documented (experimental) ``createPyodideModule`` option, so the file may have any name.
* ``pyodide.asm.wasm`` (fetched as ``${indexURL}pyodide.asm.wasm``; the name is fixed).
* ``python_stdlib.zip`` (``stdLibURL``, default ``${indexURL}python_stdlib.zip``). Shipped
  compiled to ``.pyc`` by builder/precompile.py, as are the wheels (their bytecode is added
  beside the sources); the npm package's zip holds only sources, which every start compiled.
* ``pyodide-lock.json`` (``lockFileURL``); the worker fetches it itself and passes
  ``lockFileContents`` plus ``packageBaseUrl`` so every wheel URL is relative to this folder.
* one wheel per package of ``loadPackage(["formsite"])`` and its dependencies, at
  ``packageBaseUrl + file_name`` (with ``integrity`` = the lock's sha256).

Renamed on copy (a deterministic rename, no byte is patched): both ES modules get a ``.js``
name, because servers that do not know ``.mjs`` (older nginx mime.types, IIS without a MIME
map entry) send it as ``application/octet-stream`` or refuse it, and browsers refuse module
scripts whose MIME type is not JavaScript. The npm package's own ``pyodide.js`` is the UMD
(classic-script) build, which module workers cannot use, so it is not shipped and the ESM
build gets the distinct name ``pyodide.mjs.js``. ``pyodide.asm.mjs`` becomes
``pyodide.asm.mjs.js``: Pyodide trims its own frames from JS stack traces by looking for the
substring "pyodide.asm.mjs" in file names, which this name keeps.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from builder.wheels import PYODIDE_PLATFORM

# Where the worker, copied to the site root by build.py, lives in this repository.
WORKER_SOURCE = Path(__file__).resolve().parent / "runtime" / "py-worker.js"

# npm file name -> name in dist/pyodide/. The worker (py-worker.js) hard-codes the right-hand
# names; keep both in step.
RUNTIME_FILES: dict[str, str] = {
    "pyodide.mjs": "pyodide.mjs.js",
    "pyodide.asm.mjs": "pyodide.asm.mjs.js",
    "pyodide.asm.wasm": "pyodide.asm.wasm",
    "python_stdlib.zip": "python_stdlib.zip",
}
EXPECTED_PYODIDE_MAJOR = "314"

class RuntimeVendorError(RuntimeError):
    """The npm package or the wheels are not what the worker expects."""


# What the build reads from the npm package (vendored, or run in Node to compile and to
# record imports); kept in the build's cache with their sha256 for offline rebuilds.
RUNTIME_CACHE_FILES = ("package.json", "pyodide-lock.json", "pyodide.mjs", "pyodide.asm.mjs",
                       "pyodide.asm.wasm", "python_stdlib.zip")
_SUMS = "SHA256SUMS.json"


def runtime_packages(node_modules: Path, cache: Path, *, offline: bool = False) -> Path:
    """A folder holding ``pyodide/`` (the npm package's files) for :func:`vendor_pyodide`.

    Normally ``node_modules``, whose runtime files are then also copied to ``cache/pyodide/``
    with their sha256 (once per version). With ``offline``, or when ``node_modules`` has no
    runtime, the cached copy is used after checking every sha256.
    """
    from builder.files import sha256_file

    npm, kept = node_modules / "pyodide", cache / "pyodide"
    if not offline and (npm / "package.json").is_file():
        sums = {name: sha256_file(npm / name) for name in RUNTIME_CACHE_FILES if (npm / name).is_file()}
        if not (kept / _SUMS).is_file() or json.loads((kept / _SUMS).read_text(encoding="utf-8")) != sums:
            shutil.rmtree(kept, ignore_errors=True)
            kept.mkdir(parents=True)
            for name in sums:
                shutil.copyfile(npm / name, kept / name)
            (kept / _SUMS).write_text(json.dumps(sums, indent=1), encoding="utf-8")
        return node_modules
    if not (kept / _SUMS).is_file():
        raise RuntimeVendorError(f"离线构建：{kept} 中没有 Pyodide 运行环境的副本。请从已联网构建过的"
                                 "机器复制 .cache/ 目录（或先运行 npm ci）。")
    sums = json.loads((kept / _SUMS).read_text(encoding="utf-8"))
    for name in RUNTIME_CACHE_FILES:
        if name not in sums or not (kept / name).is_file() or sha256_file(kept / name) != sums[name]:
            raise RuntimeVendorError(f"离线构建：{kept / name} 缺失或与记录的 sha256 不符。")
    return cache


@contextlib.contextmanager
def _accept_pep783_platform_tags() -> Iterator[None]:
    """Let pyodide-lock 0.2.1 accept ``pyemscripten_<abi>_wasm32`` wheels.

    pyodide-lock compares a binary wheel's platform tag with ``info.platform + "_" +
    info.arch`` from the lock (``emscripten_5_0_3_wasm32``), which predates the PEP 783 tags
    that Pyodide 314 wheels on PyPI carry. A wheel tagged for the lock's ``abi_version`` and
    CPython version is exactly the right build, so accept it and leave every other case to
    pyodide-lock's own check. Drop this shim once pyodide-lock knows PEP 783 tags.
    """
    import pyodide_lock.utils as lock_utils
    from packaging.utils import parse_wheel_filename
    from packaging.version import Version
    from pyodide_lock.spec import InfoSpec

    original = lock_utils._check_wheel_compatible

    def check(path: Path, info: InfoSpec) -> None:
        if info.abi_version:
            python = Version(info.python)
            cp = f"cp{python.major}{python.minor}"
            platform = f"pyemscripten_{info.abi_version}_{info.arch}"
            _, _, _, tags = parse_wheel_filename(path.name)
            if any(t.platform == platform and t.interpreter == cp and t.abi in (cp, "abi3")
                   for t in tags):
                return
        original(path, info)

    lock_utils._check_wheel_compatible = check
    try:
        yield
    finally:
        lock_utils._check_wheel_compatible = original


def _top_level_imports(wheel: Path) -> list[str] | None:
    """pyodide-lock's ``parse_top_level_import_name``, also for wheels shipped as bytecode only
    (``pkg/__init__.pyc``, ``module.pyc``), which it does not recognise."""
    import zipfile

    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.endswith((".py", ".pyc")) and ".dist-info/" not in n]
    tops = set()
    for name in names:
        head, _, rest = name.partition("/")
        if not rest:
            tops.add(head.rsplit(".", 1)[0])
        elif rest in ("__init__.py", "__init__.pyc") and head.isidentifier():
            tops.add(head)
    return sorted(tops) or None


def _write_lock(npm_lock: Path, out_dir: Path, wheels: list[Path]) -> dict[str, object]:
    """Write ``out_dir/pyodide-lock.json`` listing only ``wheels`` (already in ``out_dir``).

    The npm lock lists ~357 packages whose wheels live on the jsDelivr CDN; keeping any of
    them would let a stray ``loadPackage``/auto-import fetch from outside the origin. So the
    lock keeps the runtime's ``info`` (its ``abi_version`` is checked against the runtime at
    boot) and gets exactly our wheels, added by pyodide-lock's own ``add_wheels_to_spec``
    (sha256, import names, dependency edges from each wheel's metadata). A dependency missing
    from ``wheels`` is an error here rather than a failed download in the browser.
    """
    from pyodide_lock import PyodideLockSpec
    from pyodide_lock.utils import add_wheels_to_spec

    try:
        import pkginfo  # noqa: F401 - pyodide-lock reads wheel metadata with it, lazily
    except ImportError:
        raise RuntimeVendorError(
            "pyodide-lock needs pkginfo to read wheels: pip install 'pyodide-lock[wheel]'") from None

    base = PyodideLockSpec.from_json(npm_lock)
    abi_platform = f"pyemscripten_{base.info.abi_version}_{base.info.arch}"
    if abi_platform != PYODIDE_PLATFORM:
        raise RuntimeVendorError(
            f"node_modules/pyodide is for {abi_platform}, but builder/wheels.py pins wheels for "
            f"{PYODIDE_PLATFORM}; update the pins (pydantic-core is ABI specific)")
    empty = base.clone()
    empty.packages = {}
    import pyodide_lock.utils as lock_utils

    parse = lock_utils.parse_top_level_import_name
    lock_utils.parse_top_level_import_name = _top_level_imports
    try:
        with _accept_pep783_platform_tags():
            spec = add_wheels_to_spec(empty, wheels, base_path=out_dir)
    finally:
        lock_utils.parse_top_level_import_name = parse
    # Sizes for the worker's progress bar (Content-Length is absent when a server compresses).
    sizes = {name: (out_dir / name).stat().st_size
             for name in [*RUNTIME_FILES.values(), *(w.name for w in wheels)]
             if (out_dir / name).is_file()}
    spec.tool = {"formsite": {"sizes": sizes, "snapshot_key": snapshot_key(out_dir)}}
    spec.to_json(out_dir / "pyodide-lock.json", indent=1)
    return json.loads((out_dir / "pyodide-lock.json").read_text(encoding="utf-8"))


def snapshot_key(out_dir: Path) -> str:
    """What an engine snapshot stored in a browser depends on (see py-worker.js): the runtime,
    the standard library and wheels in ``out_dir``, the definitions the engine is initialised
    with (next to ``out_dir``) and the worker that takes and restores it. A new build with any
    of these changed makes browsers start afresh once and store a new snapshot."""
    from builder.files import sha256_file

    digest = hashlib.sha256()
    parts = [p for p in sorted(out_dir.iterdir())
             if p.is_file() and p.name != "pyodide-lock.json"
             and not p.name.endswith((".gz", ".snapshot"))]
    for part in [*parts, out_dir.parent / "definitions.json", WORKER_SOURCE]:
        if part.is_file():
            digest.update(f"{part.name}\0{sha256_file(part)}\n".encode())
    return digest.hexdigest()[:24]


def vendor_pyodide(dist_dir: Path, node_modules: Path, wheels: list[Path], *,
                   precompile: bool = True, cache_dir: Path | None = None) -> None:
    """Fill ``dist_dir/pyodide/`` with the runtime, ``wheels`` and a pruned lock file.

    ``wheels`` must include the ``formsite`` wheel and every dependency of it; afterwards
    ``pyodide.loadPackage(["formsite"])`` installs them by name from the site's own origin.
    The worker itself (:data:`WORKER_SOURCE`) is copied to the site root by the caller.

    With ``precompile`` (the default) the wheels are shipped as bytecode compiled by Pyodide's
    own Python, without what the browser never imports (builder/wheels.py), and
    ``python_stdlib.zip`` holds only the compiled modules the engine loads in Pyodide with
    those wheels (recorded by builder/stdlib_usage.py, which reads ``dist_dir/definitions.json``)
    plus an allow-list. Outputs are cached in ``cache_dir`` (default ``.cache/precompiled/``).
    The lock is generated from the shipped wheels.
    """
    npm = node_modules / "pyodide"
    package_json = npm / "package.json"
    if not package_json.is_file():
        raise RuntimeVendorError(f"{npm} is missing: run `npm ci` (scripts/setup.sh does)")
    version = json.loads(package_json.read_text(encoding="utf-8"))["version"]
    if version.split(".")[0] != EXPECTED_PYODIDE_MAJOR:
        # The worker relies on 314's file names and on the createPyodideModule option.
        raise RuntimeVendorError(
            f"node_modules/pyodide is {version}; builder/runtime/py-worker.js is written for "
            f"Pyodide {EXPECTED_PYODIDE_MAJOR}.x")

    out = dist_dir / "pyodide"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    sources = {name: npm / name for name in RUNTIME_FILES}
    for source in sources.values():
        if not source.is_file():
            raise RuntimeVendorError(f"{source} is missing; reinstall the npm package")
    if len({wheel.name for wheel in wheels}) != len(wheels):
        raise RuntimeVendorError(f"two wheels with the same name among {wheels}")
    if precompile:
        from builder.precompile import DEFAULT_CACHE, PrecompileError
        from builder.precompile import precompile as compile_to_pyc
        from builder.stdlib_usage import StdlibUsageError, record, shipped_members
        from builder.wheels import shipped_wheel_options

        cache = cache_dir or DEFAULT_CACHE
        try:
            wheels = compile_to_pyc(wheels, node_modules, cache,
                                    [shipped_wheel_options(w) for w in wheels])
        except PrecompileError as exc:
            raise RuntimeVendorError(str(exc)) from None
    copied = _copy_wheels(out, wheels)
    lock = _write_lock(npm / "pyodide-lock.json", out, copied)
    if "formsite" not in lock["packages"]:  # type: ignore[operator]
        raise RuntimeVendorError("no formsite wheel among the wheels to vendor")
    if precompile:
        try:
            keep = shipped_members(record(npm, out, dist_dir / "definitions.json"),
                                   sources["python_stdlib.zip"])
            [stdlib] = compile_to_pyc([sources["python_stdlib.zip"]], node_modules, cache,
                                      [{"keep": keep, "docstrings": False}])
        except (PrecompileError, StdlibUsageError) as exc:
            raise RuntimeVendorError(str(exc)) from None
        sources["python_stdlib.zip"] = stdlib
    for source, target in RUNTIME_FILES.items():
        shutil.copyfile(sources[source], out / target)
    _write_lock(npm / "pyodide-lock.json", out, copied)  # again: sizes of the runtime files


def _copy_wheels(out: Path, wheels: list[Path]) -> list[Path]:
    copied: list[Path] = []
    for wheel in wheels:
        if (out / wheel.name).exists():
            raise RuntimeVendorError(f"two wheels named {wheel.name}")
        shutil.copyfile(wheel, out / wheel.name)
        copied.append(out / wheel.name)
    return copied
