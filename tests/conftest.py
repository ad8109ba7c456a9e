"""Shared fixtures. The public corpus lives in ../shared and is optional: tests using it skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]  # the conformance plugin is tested in a scratch pytest run

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


@pytest.fixture
def run_pass(filecheck: Callable[[str, str], None]) -> Callable[..., str]:
    """run_pass(name, mlir, checks=None, target="cpu"): run one registered graph pass on MLIR text.

    Returns the IR text after the pass; with `checks`, FileCheck verifies it.
    """
    from byteir_sdk import _mlir
    from byteir_sdk.compiler.backend import get_target
    from byteir_sdk.compiler.passes import PassContext, get_pass
    from byteir_sdk.compiler import pipeline  # noqa: F401  (registers the passes)

    def run(name: str, mlir: str, checks: str | None = None, target: str = "cpu", **options: object) -> str:
        module = _mlir.parse_module(mlir, _mlir.new_context(), source="<test>")
        caps = get_target(target).make_backend().capabilities()
        get_pass(name)().run(module, PassContext(source="<test>", capabilities=caps, options=dict(options)))
        _mlir.verify(module, source="<test>")
        text = module.operation.get_asm()
        if checks is not None:
            filecheck(text, checks)
        return text

    return run
