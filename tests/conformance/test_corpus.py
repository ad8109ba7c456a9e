"""Testdata-format corpora through the oracle: the project's own cases and the public corpus.

Oracle and tolerance: each file's own ``check.*`` calls (expect_eq exact, expect_close <= 3 ULP,
expect_almost_eq |a-b| <= 1e-3). The project's cases carry XLA-computed expectations, so they
cross-check XLA against the StableHLO interpreter.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from byteir_sdk.conformance.corpus import corpus_files, load_case, write_case
from byteir_sdk.errors import ParseError
from tests.conftest import CASES_DIR, SHARED_CORPUS

OWN_CASES = corpus_files(CASES_DIR)
PUBLIC = corpus_files(SHARED_CORPUS) if (SHARED_CORPUS / "INDEX.tsv").is_file() else []


def test_project_ships_its_own_cases() -> None:
    assert len(OWN_CASES) >= 25


@pytest.mark.parametrize("path", OWN_CASES, ids=lambda p: p.stem)
def test_own_case_on_interpreter(path: Path) -> None:
    case = load_case(path)
    results = case.run()
    assert all(r.ok for r in results), [str(r) for r in results]


@pytest.mark.corpus
def test_public_corpus_has_400_files(corpus_dir: Path) -> None:
    assert len(corpus_files(corpus_dir)) == 400


@pytest.mark.corpus
@pytest.mark.parametrize("path", PUBLIC or [pytest.param(None, marks=pytest.mark.skip(reason=f"no public corpus at {SHARED_CORPUS}"))],
                         ids=lambda p: p.stem if p else "absent")  # fmt: skip
def test_public_corpus_file_on_interpreter(path: Path) -> None:
    case = load_case(path)
    assert case.program.entry == "main" and len(case.inputs) == len(case.program.inputs)
    results = case.run()
    assert all(r.ok for r in results), [str(r) for r in results]


def test_a_broken_expectation_is_caught(tmp_path: Path) -> None:
    case = load_case(CASES_DIR / "add_f32.mlir")
    wrong = [e.copy() for e in case.expected]
    wrong[0].flat[0] += np.float32(0.5)
    broken = write_case(case.program, case.inputs, wrong, tmp_path / "broken.mlir")
    results = load_case(broken).run()
    assert not results[0].ok and results[0].mismatches == 1


def test_a_file_without_checks_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "plain.mlir"
    path.write_text("func.func @main() -> tensor<f32> {\n %0 = stablehlo.constant dense<1.0> : tensor<f32>\n return %0 : tensor<f32>\n}")
    with pytest.raises(ParseError, match="not a testdata file"):
        load_case(path)
