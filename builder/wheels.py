"""The wheels the browser installs: the ``formsite`` engine and its pinned dependencies.

The engine wheel is built from this tree. The dependencies (pydantic and the four packages it
needs) are fetched from PyPI as Pyodide-compatible wheels: ``pydantic-core`` ships a
``pyemscripten_2026_0_wasm32`` wheel (PEP 783 platform tag) built for the same ABI as the
Pyodide 314 runtime in ``node_modules/pyodide``; the rest are pure Python. The exact files and
their sha256 are pinned below, so a build is repeatable and, once the cache is filled, works
offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .files import sha256_file

# Pyodide 314's ABI: `info.abi_version` = "2026_0" and Python 3.14 in its pyodide-lock.json.
PYODIDE_PLATFORM = "pyemscripten_2026_0_wasm32"
PYODIDE_PYTHON = "3.14"


@dataclass(frozen=True)
class PinnedWheel:
    requirement: str  # what pip is asked for
    file_name: str  # the exact wheel pip resolved for the Pyodide platform
    sha256: str


# What `pip download --only-binary=:all: --platform pyemscripten_2026_0_wasm32 --platform any
# --python-version 3.14 pydantic` resolved on 2026-11-26. To upgrade: run that command into an
# empty directory, then copy the file names and `sha256sum` output here. pydantic pins
# pydantic-core exactly, and only pydantic-core is platform specific.
BROWSER_WHEELS: tuple[PinnedWheel, ...] = (
    PinnedWheel("pydantic==2.14.4", "pydantic-2.14.4-py3-none-any.whl",
                "653a2ad9f6d8858529c77c72717d0ea991d6c6837fe683246b2f4b2bbfc3fadc"),
    PinnedWheel("pydantic-core==2.50.5",
                "pydantic_core-2.50.5-cp314-cp314-pyemscripten_2026_0_wasm32.whl",
                "b2910ec0fa5aeb9bef70156f2b79f4783978fdcfaa7b2f1b5d1814458d2e79a1"),
    PinnedWheel("annotated-types==0.8.0", "annotated_types-0.8.0-py3-none-any.whl",
                "f072f4d804ea359e4eaf198b1af7a8b0943881a87f31bb764f8bf219bb9419e0"),
    PinnedWheel("typing-extensions==4.16.0", "typing_extensions-4.16.0-py3-none-any.whl",
                "481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8"),
    PinnedWheel("typing-inspection==0.4.5", "typing_inspection-0.4.5-py3-none-any.whl",
                "bc210535442b39e1bf2805e0c7a17dfd6a4ace760c84c7f7d16245d23a6b1c39"),
)

# Wheel members the browser never imports, left out of the shipped wheels (fnmatch patterns):
# type stubs and markers, test modules, the SBOM, pydantic's v1 compatibility package and its
# mypy plugin. The build runs the engine in Pyodide with the pruned wheels and stops if an
# import fails (builder/stdlib_usage.py).
WHEEL_DROP: tuple[str, ...] = (
    "*.pyi", "*/py.typed", "*.dist-info/sboms/*", "*/tests/*", "*/test_*.py",
    "pydantic/v1/*", "pydantic/mypy.py",
)


def shipped_wheel_options(wheel: Path) -> dict[str, object]:
    """How builder/precompile.py ships ``wheel``: as bytecode only, without docstrings (a
    traceback on the console names file and line, without the line's text)."""
    return {"drop": list(WHEEL_DROP), "sources": False, "docstrings": False}


# Fixed zip timestamps (setuptools/wheel honour SOURCE_DATE_EPOCH): the same tree gives the
# same engine wheel bytes, so its sha256 in pyodide-lock.json only changes with the code.
_EPOCH_2024 = "1704067200"


class WheelError(RuntimeError):
    """A wheel could not be built or fetched; the message says what to do."""



def _run(cmd: list[str], what: str, env: dict[str, str] | None = None) -> None:
    # Quiet on success; on failure show pip's own output, which names the real cause.
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise WheelError(f"{what} failed ({' '.join(cmd)}):\n{proc.stdout}\n{proc.stderr}")


def _stage_source(project_root: Path, stage: Path) -> None:
    """Copy only what the wheel is built from.

    Building in a copy keeps setuptools' ``build/`` leftovers (which can smuggle deleted
    modules into the next wheel) and ``*.egg-info`` out of the work tree, and makes the
    wheel depend on nothing but the sources.
    """
    for name in ("pyproject.toml", "setup.cfg", "setup.py", "README.md", "LICENSE", "MANIFEST.in"):
        if (project_root / name).is_file():
            shutil.copy2(project_root / name, stage / name)
    if not (stage / "README.md").exists():
        # pyproject.toml names README.md as the long description; setuptools refuses to build
        # without it. The browser never reads it, so an empty one is enough.
        (stage / "README.md").write_text("", encoding="utf-8")
    shutil.copytree(project_root / "src", stage / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))


def build_engine_wheel(project_root: Path, out_dir: Path) -> Path:
    """Build the pure-Python ``formsite`` wheel from ``project_root`` into ``out_dir``.

    Uses ``pip wheel --no-deps``; without build isolation when setuptools is installed in this
    interpreter (fast, offline), otherwise pip fetches setuptools into an isolated environment.
    Earlier ``formsite-*.whl`` files in ``out_dir`` are removed so the result is unambiguous.
    """
    import importlib.util

    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("formsite-*.whl"):
        old.unlink()
    env = {**os.environ, "SOURCE_DATE_EPOCH": _EPOCH_2024, "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryDirectory(prefix="formsite-wheel-") as tmp:
        stage = Path(tmp) / "src-tree"
        stage.mkdir()
        _stage_source(project_root, stage)
        cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
               "--disable-pip-version-check", "-w", str(out_dir), str(stage)]
        if importlib.util.find_spec("setuptools") is not None:
            cmd.insert(5, "--no-build-isolation")
        _run(cmd, "building the formsite wheel", env=env)
    built = sorted(out_dir.glob("formsite-*.whl"))
    if len(built) != 1:
        raise WheelError(f"expected one formsite wheel in {out_dir}, found {built}")
    return built[0]


def _cached(cache_dir: Path) -> list[Path] | None:
    """The pinned wheels from the cache if every one is there with the right sha256."""
    paths = [cache_dir / pin.file_name for pin in BROWSER_WHEELS]
    pairs = zip(paths, BROWSER_WHEELS, strict=True)
    if all(p.is_file() and sha256_file(p) == pin.sha256 for p, pin in pairs):
        return paths
    return None


def download_browser_wheels(cache_dir: Path, *, offline: bool = False) -> list[Path]:
    """Return the pinned Pyodide wheels of the engine's dependencies, downloading if needed.

    Skips pip entirely when ``cache_dir`` already holds every pinned file with its pinned
    sha256, so rebuilds work offline; with ``offline`` a missing or changed file is an error
    instead of a download. Raises :class:`WheelError` when what pip fetched does not match the
    pins (e.g. a pin was edited by hand inconsistently).
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached = _cached(cache_dir)
    if cached is not None:
        return cached
    if offline:
        raise WheelError(f"离线构建：{cache_dir} 中缺少固定版本的浏览器 wheel（或其 sha256 不符）："
                         + "、".join(p.file_name for p in BROWSER_WHEELS)
                         + "。请从已联网构建过的机器复制 .cache/ 目录。")
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
           "--only-binary=:all:", "--platform", PYODIDE_PLATFORM, "--platform", "any",
           "--python-version", PYODIDE_PYTHON, "-d", str(cache_dir),
           *(pin.requirement for pin in BROWSER_WHEELS)]
    _run(cmd, "downloading the browser wheels (needs PyPI once; later builds use the cache)")
    cached = _cached(cache_dir)
    if cached is None:
        problems = []
        for pin in BROWSER_WHEELS:
            path = cache_dir / pin.file_name
            if not path.is_file():
                problems.append(f"{pin.file_name}: not downloaded")
            elif (actual := sha256_file(path)) != pin.sha256:
                problems.append(f"{pin.file_name}: sha256 {actual}, pinned {pin.sha256}")
        raise WheelError("browser wheels do not match the pins in builder/wheels.py:\n  "
                         + "\n  ".join(problems))
    return cached
