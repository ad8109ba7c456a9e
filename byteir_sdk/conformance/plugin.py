"""pytest plugin: the conformance suite as pytest tests.

Enabled explicitly (``pytest_plugins = ["byteir_sdk.conformance.plugin"]`` in a conftest, or
``-p byteir_sdk.conformance.plugin``), not auto-loaded: importing the SDK takes most of a second,
which no unrelated pytest run in the same environment should pay. In a vendor package's tests::

    def test_conformance(conformance_result):
        conformance_result.check()

    pytest --byteir-target mychip [--byteir-tier hal,ops] [--byteir-corpus DIR] [--byteir-select 'ops/add/*']

Each case becomes one test, parametrized by case id: a ``pass`` passes, ``unsupported`` skips
with its reason, ``xfail`` is an expected failure, ``fail``/``error``/``xpass`` fail with the
error figures. Without ``--byteir-target`` such tests are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from byteir_sdk.conformance.suite import Case, CaseResult, Manifest

__all__ = ["ConformanceResult"]


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("byteir-conformance")
    group.addoption("--byteir-target", default=None, help="registered target to qualify")
    group.addoption("--byteir-tier", default="hal,ops,models", help="comma-separated tiers of hal, ops, models, corpus")
    group.addoption("--byteir-corpus", default=None, help="StableHLO testdata directory for the corpus tier")
    group.addoption("--byteir-select", default=None, help="fnmatch pattern over case ids")


@dataclass
class ConformanceResult:
    """One case, run lazily by ``check()`` against the selected target."""

    case: Case
    target_name: str
    manifest: Manifest

    def check(self) -> CaseResult:
        from byteir_sdk.compiler.backend import get_target
        from byteir_sdk.conformance.suite import run_case

        result = run_case(self.case, get_target(self.target_name), self.manifest)
        if result.status == "unsupported":
            pytest.skip(f"unsupported: {result.reason}")
        if result.status == "xfail":
            pytest.xfail(result.reason)
        if result.status != "pass":
            pytest.fail(f"{result.status}: {result.reason}", pytrace=False)
        return result


def pytest_generate_tests(metafunc: Any) -> None:
    if "conformance_result" not in metafunc.fixturenames:
        return
    target = metafunc.config.getoption("--byteir-target")
    if not target:
        metafunc.parametrize("conformance_result", [pytest.param(None, marks=pytest.mark.skip(reason="no --byteir-target given"))])
        return
    from fnmatch import fnmatchcase

    from byteir_sdk.compiler.backend import get_target
    from byteir_sdk.conformance.suite import collect, load_manifest

    tiers = [t.strip() for t in metafunc.config.getoption("--byteir-tier").split(",") if t.strip()]
    cases = collect(tiers, metafunc.config.getoption("--byteir-corpus"))
    select = metafunc.config.getoption("--byteir-select")
    if select:
        cases = [c for c in cases if fnmatchcase(c.id, select)]
    manifest = load_manifest(getattr(get_target(target), "manifest", None))
    metafunc.parametrize("conformance_result", [ConformanceResult(c, target, manifest) for c in cases], ids=[c.id for c in cases])
