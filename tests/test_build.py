"""The build: same sources give the same site, byte for byte (pages and docs)."""

import filecmp
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _build(out: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-runtime", "--out", str(out)],
                   check=True, capture_output=True)


def test_build_is_reproducible(tmp_path):
    _build(tmp_path / "a")
    _build(tmp_path / "b")
    compared = filecmp.dircmp(tmp_path / "a", tmp_path / "b")

    def differences(cmp: filecmp.dircmp) -> list[str]:
        out = [*cmp.diff_files, *cmp.left_only, *cmp.right_only]
        # dircmp compares by stat; check the bytes of same-named files too.
        out += [f for f in cmp.same_files
                if (Path(cmp.left) / f).read_bytes() != (Path(cmp.right) / f).read_bytes()]
        return out + [d for sub in cmp.subdirs.values() for d in differences(sub)]

    assert differences(compared) == []


def test_build_refuses_to_overwrite_a_foreign_folder(tmp_path):
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.php").write_text("<?php ?>")
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-runtime", "--out",
                             str(tmp_path / "www")], capture_output=True, text=True)
    assert result.returncode == 2
    assert (tmp_path / "www" / "index.php").exists()
