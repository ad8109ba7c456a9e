"""Shared fixtures. The public corpus lives in ../shared and is optional: tests using it skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "tests" / "cases"
SHARED_CORPUS = Path(os.environ.get("BYTEIR_CORPUS", ROOT.parent / "shared" / "conformance" / "stablehlo_testdata"))


@pytest.fixture
def corpus_dir() -> Path:
    if not (SHARED_CORPUS / "INDEX.tsv").is_file():
        pytest.skip(f"public StableHLO corpus not found at {SHARED_CORPUS} (set BYTEIR_CORPUS to point at it)")
    return SHARED_CORPUS


@pytest.fixture
def filecheck(tmp_path: Path) -> Callable[[str, str], None]:
    """filecheck(text, checks): run LLVM-style FileCheck (PyPI `filecheck`) over `text`."""
    exe = shutil.which("filecheck") or str(Path(sys.executable).parent / "filecheck")

    def run(text: str, checks: str) -> None:
        check_file = tmp_path / "checks.txt"
        check_file.write_text(checks)
        proc = subprocess.run([exe, str(check_file)], input=text, capture_output=True, text=True)
        assert proc.returncode == 0, f"FileCheck failed:\n{proc.stderr}\n--- input ---\n{text}"

    return run
