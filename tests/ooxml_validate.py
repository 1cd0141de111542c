"""Run Microsoft's Open XML SDK validator (compiled to WebAssembly in the npm package
``@ooxml-tools/validate``) on a .docx or .xlsx file, from Python tests.

The package's CLI always exits 0, so errors are read from its JSON output rather than the
exit status.  Output that is not JSON (the .NET runtime crashing, node missing a module) is
raised as an error instead of being mistaken for "no errors".
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / "node_modules/@ooxml-tools/validate/dist/npm/bin/ooxml-validate.js"


class ValidatorUnavailable(RuntimeError):
    """node or the npm package is missing (run scripts/setup.sh)."""


def validator_available() -> bool:
    return shutil.which("node") is not None and CLI.is_file()


def validate_docx(path: str | Path, office_version: str = "Microsoft365") -> list[str]:
    """Return one "part xpath: id: description" string per validation error (empty = valid)."""
    return validate_ooxml(path, office_version, kind="docx")


def validate_xlsx(path: str | Path, office_version: str = "Microsoft365") -> list[str]:
    """The same for a spreadsheet (SpreadsheetML)."""
    return validate_ooxml(path, office_version, kind="xlsx")


def validate_ooxml(
    path: str | Path, office_version: str = "Microsoft365", kind: str | None = None
) -> list[str]:
    """Validate a .docx, .xlsx or .pptx (``kind`` defaults to the file's extension)."""
    kind = kind or Path(path).suffix.lstrip(".").lower()
    if kind not in ("docx", "xlsx", "pptx"):
        raise ValueError(f"cannot tell the format of {path}")
    if not validator_available():
        raise ValidatorUnavailable(f"need node and {CLI.relative_to(ROOT)}")
    proc = subprocess.run(
        [
            "node",
            str(CLI),
            "--output-format",
            "json",
            "--office-version",
            office_version,
            "--format",
            kind,
            str(Path(path).resolve()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    try:
        results = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(
            f"validator gave no JSON (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n"
            f"{proc.stderr[-2000:]}"
        ) from exc
    return [
        f"{r['path']['partUri']} {r['path']['xpath']}: {r['id']}: {r['description']}"
        for r in results
    ]


if __name__ == "__main__":
    import sys

    errors = validate_ooxml(sys.argv[1])
    print("\n".join(errors) or "valid")
    sys.exit(1 if errors else 0)
