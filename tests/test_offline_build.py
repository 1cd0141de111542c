"""An intranet machine without a package registry rebuilds the site from a copied .cache/.

The build is run with the network really blocked (a new user and network namespace, `unshare
-rn`: only a loopback that is down) and ``--offline --cache DIR``: the pinned wheels and the
Pyodide runtime come from DIR, checked against their sha256; pip, npm and node_modules are not
used. Without them in DIR it stops with a Chinese message naming what is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from builder.pyodide_runtime import runtime_packages
from builder.wheels import BROWSER_WHEELS, download_browser_wheels

ROOT = Path(__file__).resolve().parents[1]


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not _unshare_works(), reason="unshare -rn (user namespaces) unavailable")


def _offline(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["unshare", "-rn", *cmd], capture_output=True, text=True, cwd=ROOT,
                          timeout=900)


def test_the_network_is_really_blocked() -> None:
    probe = _offline(sys.executable, "-c",
                     "import socket; socket.create_connection(('pypi.org', 443), timeout=5)")
    assert probe.returncode != 0
    assert "gaierror" in probe.stderr or "unreachable" in probe.stderr.lower()


def test_builds_from_a_copied_cache_with_no_network(tmp_path: Path) -> None:
    cache = tmp_path / "copied-cache"
    # What a machine with internet leaves in .cache/: the wheels and a copy of the runtime.
    for wheel in download_browser_wheels(ROOT / ".cache" / "wheels"):
        (cache / "wheels").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(wheel, cache / "wheels" / wheel.name)
    runtime_packages(ROOT / "node_modules", cache / "runtime")
    if (ROOT / ".cache" / "precompiled").is_dir():  # compiled outputs: only saves time
        shutil.copytree(ROOT / ".cache" / "precompiled", cache / "precompiled")
    out = tmp_path / "dist"
    proc = _offline(sys.executable, "build.py", "--out", str(out), "--cache", str(cache),
                    "--offline", "--no-screenshots")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    lock = json.loads((out / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    assert set(lock["packages"]) == {"formsite", "pydantic", "pydantic-core", "annotated-types",
                                     "typing-extensions", "typing-inspection"}
    assert (out / "pyodide" / "pyodide.asm.wasm").read_bytes() == (
        cache / "runtime" / "pyodide" / "pyodide.asm.wasm").read_bytes()
    assert (out / "sw.js").is_file() and (out / "project.html").is_file()


def test_an_incomplete_cache_is_named_not_downloaded(tmp_path: Path) -> None:
    cache = tmp_path / "empty-cache"
    (cache / "wheels").mkdir(parents=True)
    shutil.copyfile(ROOT / ".cache" / "wheels" / BROWSER_WHEELS[0].file_name,
                    cache / "wheels" / BROWSER_WHEELS[0].file_name)
    proc = _offline(sys.executable, "build.py", "--out", str(tmp_path / "dist"), "--cache",
                    str(cache), "--offline", "--no-screenshots")
    assert proc.returncode != 0
    assert "离线构建" in proc.stderr and BROWSER_WHEELS[1].file_name in proc.stderr
    assert not (tmp_path / "dist").exists()
