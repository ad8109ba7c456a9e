"""Conformance: the suite a device target runs to qualify (``byteir-conformance``, a pytest plugin),
and testdata-format cases (corpus). See docs/conformance.md."""

from byteir_sdk.conformance.suite import TIERS, Case, CaseResult, Manifest, SuiteResult, load_manifest, run_suite

__all__ = ["TIERS", "Case", "CaseResult", "Manifest", "SuiteResult", "load_manifest", "run_suite"]
