"""scripts/import_cycles.py on a small package made here (the project itself still has cycles)."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "import_cycles.py"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def package(tmp_path: Path) -> Path:
    """alpha ⇄ beta (beta's import back is inside a function, and relative); gamma imports
    alpha and the top-level module shared, which is not an app; delta imports nothing."""
    return write(
        tmp_path / "pkg",
        {
            "__init__.py": "",
            "shared.py": "X = 1\n",
            "alpha/__init__.py": "",
            "alpha/models.py": "from pkg.beta.rules import rule\n",
            "beta/__init__.py": "",
            "beta/rules.py": "def rule():\n    from ..alpha import models\n    return models\n",
            "gamma/__init__.py": "from pkg import alpha, shared\n",
            "delta/__init__.py": "import os\n",
        },
    )


def test_a_cycle_is_found_with_its_evidence_and_a_one_way_import_is_not(tmp_path):
    result = run(package(tmp_path))

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "cycle 1: 2 apps: alpha, beta"
    assert "  e.g. alpha -> beta -> alpha" in lines
    assert "  alpha -> beta: pkg/alpha/models.py:1" in lines
    assert "  beta -> alpha: pkg/beta/rules.py:2" in lines  # the import inside the function
    assert not any("gamma" in line or "delta" in line or "shared" in line for line in lines)
    assert lines[-1] == "import cycles: 1 (apps in them: 2 of 4, edges inside them: 2)"


def test_no_cycle_counts_zero_and_max_fails_only_above_it(tmp_path):
    root = package(tmp_path)
    (root / "beta" / "rules.py").write_text("def rule():\n    return 1\n")  # the way back gone

    clean = run(root, "--max", "0")
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.splitlines() == [
        "import cycles: 0 (apps in them: 0 of 4, edges inside them: 0)"
    ]

    (root / "delta" / "__init__.py").write_text("from ..gamma import x\n")
    (root / "gamma" / "x.py").write_text("import pkg.delta\n")
    found = run(root, "--max", "0")
    assert found.returncode == 1
    assert "cycle 1: 2 apps: delta, gamma" in found.stdout
    assert "1 cycles, more than --max 0" in found.stderr


def test_imports_only_for_type_checking_can_be_left_out(tmp_path):
    root = package(tmp_path)
    (root / "beta" / "rules.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.alpha import models\n"
    )

    assert "import cycles: 1 " in run(root).stdout
    assert "import cycles: 0 " in run(root, "--runtime-only").stdout
