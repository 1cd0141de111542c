"""LibreOffice for the tests: open what we generate as a person's office program would, with
the project's CJK font aliases (scripts/fontconfig) and without touching /etc or ~."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FONT_CONF = ROOT / "scripts" / "fontconfig" / "formsite-cjk.conf"


def fontconfig(directory: Path) -> Path:
    """The system font configuration plus the project's CJK aliases."""
    path = directory / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <include>{FONT_CONF}</include>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def soffice(tmp_path: Path, target: str, *files: Path) -> None:
    """Convert ``files`` to ``target`` (e.g. "pdf") into ``tmp_path``. soffice exits 0 even
    when it failed: the caller checks the output files."""
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
         "--convert-to", target, "--outdir", str(tmp_path), *map(str, files)],
        env=dict(os.environ, FONTCONFIG_FILE=str(fontconfig(tmp_path))),
        capture_output=True, timeout=300, check=False,
    )


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    match = re.search(r"^Pages:\s+(\d+)", out.stdout, re.M)
    return int(match[1]) if match else 0


def pages_of(tmp_path: Path, paths: list[Path]) -> dict[str, int]:
    """Each document converted to PDF, by file stem: its number of pages (each at least 1)."""
    soffice(tmp_path, "pdf", *paths)
    pages = {}
    for path in paths:
        pdf = path.with_suffix(".pdf")
        assert pdf.is_file() and pdf.stat().st_size > 0, f"no PDF for {path.name}"
        pages[path.stem] = pdf_pages(pdf)
        assert pages[path.stem] >= 1, path.name
    return pages
