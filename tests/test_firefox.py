"""The project page in a second browser engine: Debian's firefox-esr, served by nginx under a
sub-path with the shipped snippet (so under the Content-Security-Policy header).

Firefox is driven over WebDriver BiDi by puppeteer-core (npm) from tests/js/firefox_dossier.mjs;
it fills the same dossier as tests/test_browser.py (its fill_dossier, recorded below), by the
fields' visible labels, and must see the engine's message, download a bundle the CLI accepts
and find the draft again after a reload.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.webservers import nginx_binary, run_nginx
from test_browser import fill_dossier

ROOT = Path(__file__).resolve().parents[1]
DIST = Path(os.environ.get("FORMSITE_DIST") or ROOT / "dist").resolve()
FIREFOX = shutil.which("firefox-esr") or "/usr/bin/firefox-esr"
SCRIPT = ROOT / "tests" / "js" / "firefox_dossier.mjs"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(FIREFOX).is_file() or nginx_binary() is None,
                       reason="firefox-esr or nginx is not installed (scripts/setup.sh installs both)"),
]


class _Target:
    def __init__(self, steps: list[dict[str, Any]], where: dict[str, str]) -> None:
        self.steps, self.where = steps, where

    def fill(self, value: str) -> None:
        self.steps.append({**self.where, "action": "fill", "value": value})

    def check(self) -> None:
        self.steps.append({**self.where, "action": "check"})

    def select_option(self, value: str) -> None:
        self.steps.append({**self.where, "action": "select", "value": value})

    def click(self) -> None:
        self.steps.append({**self.where, "action": "click"})


class RecordingPage:
    """Stands in for a Playwright page and records what is done to which labelled control, so
    Firefox fills exactly the dossier the Chromium test fills."""

    def __init__(self, steps: list[dict[str, Any]] | None = None, group: str | None = None) -> None:
        self.steps = [] if steps is None else steps
        self.group = group

    def get_by_label(self, label: str, exact: bool = True) -> _Target:
        assert exact, "labels are matched exactly"
        return _Target(self.steps, {"label": label, **({"group": self.group} if self.group else {})})

    def get_by_role(self, role: str, name: str) -> RecordingPage | _Target:
        if role == "group":
            return RecordingPage(self.steps, group=name)
        return _Target(self.steps, {"role": role, "name": name, "exact": False})  # as Playwright


def test_project_dossier_in_firefox(tmp_path: Path) -> None:
    if not (DIST / "pyodide" / "pyodide-lock.json").is_file():
        subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(DIST)], check=True)
    recorder = RecordingPage()
    fill_dossier(recorder)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with run_nginx(DIST, "/forms/2025/") as base_url:
        job = {
            "firefox": FIREFOX,
            "url": base_url + "project.html",
            "downloads": str(downloads),
            "steps": recorder.steps,
            "probe": {"label": "净资产（万元）", "value": "6000", "restore": "3100"},
            "after_reload": ["项目名称", "设备购置费用 第2行 已开支费用"],
        }
        run = subprocess.run(["node", str(SCRIPT)], input=json.dumps(job, ensure_ascii=False),
                             capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert "error" not in seen, seen["error"] + "\nconsole:\n" + "\n".join(seen["console"])
    assert seen["browser"].startswith("firefox/")
    assert seen["engine"] == "ready"  # Pyodide started in Firefox: these are the engine's words
    assert seen["verdict"].startswith("通过校验"), (seen["verdict"], seen["summary"])
    assert seen["probe"]["invalid"] == "true"
    assert "净资产为6000.00万元，不能大于总资产（5200.50万元）" in seen["probe"]["message"]
    assert seen["verdict_after_probe"].startswith("通过校验")
    policy_refusals = [m for m in seen["console"] if "Content-Security-Policy" in m
                       or "Content Security Policy" in m]
    assert policy_refusals == []

    bundles = [Path(p) for p in seen["downloads"]]
    assert [b.name for b in bundles] == ["安吉县椅业跨境电商产业带展示选品中心.zip"]
    assert "通过校验" in seen["notice"]
    cli = subprocess.run([sys.executable, "-m", "formsite", "validate", str(bundles[0]), "--json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    report = json.loads(cli.stdout)
    assert report[0]["errors"] == []

    assert seen["after_reload"] == {"项目名称": "安吉县椅业跨境电商产业带展示选品中心",
                                    "设备购置费用 第2行 已开支费用": "0.2"}
