"""The project's packages type-check and lint clean: mypy and ruff as configured in pyproject.toml.

mypy keeps its incremental cache in .mypy_cache at the repository root: the first run analyses
the libraries too (some 15 s), later runs only what changed (under a second when nothing did).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 240  # seconds; below pytest's own timeout, so a hung checker fails with its output


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT)


def test_mypy_finds_no_errors() -> None:
    # No file arguments: mypy checks the packages that [tool.mypy] lists, with its settings.
    result = _run("mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(ROOT / ".mypy_cache"),
                  "--no-color-output")
    assert result.returncode == 0, f"mypy found errors:\n{result.stdout}{result.stderr}"


def test_ruff_finds_nothing() -> None:
    result = _run("ruff", "check", "--no-fix", "--output-format", "concise", ".")
    assert result.returncode == 0, f"ruff check found problems:\n{result.stdout}{result.stderr}"
