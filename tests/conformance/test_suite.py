"""The conformance suite itself: manifest semantics, levels, reports, the CLI and the pytest plugin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from byteir_sdk.cli import conformance as conformance_cli
from byteir_sdk.compiler.backend import get_target
from byteir_sdk.conformance.report import coverage, to_json, to_markdown
from byteir_sdk.conformance.suite import Case, CaseResult, SuiteResult, load_manifest, run_case
from byteir_sdk.errors import UsageError
from byteir_sdk.reference.compare import Tolerance, compare

CPU = get_target("cpu")


def _case(case_id: str, ok: bool = True, boom: bool = False) -> Case:
    def run(target):  # noqa: ANN001, ANN202
        if boom:
            raise RuntimeError("kernel exploded")
        return [compare([1.0, 2.0 if ok else 2.5], [1.0, 2.0], Tolerance("exact"))]

    return Case(case_id, "ops", run, case_id.split("/")[1], case_id.split("/")[2])


def test_manifest_statuses() -> None:
    manifest = load_manifest({"unsupported": {"ops/fft/*": "no FFT unit"}, "xfail": {"ops/div/*": "rounding bug #12"}})
    assert run_case(_case("ops/add/f32/x"), CPU, manifest).status == "pass"
    bad = run_case(_case("ops/add/f32/y", ok=False), CPU, manifest)
    assert bad.status == "fail" and "output 0" in bad.reason and bad.outputs[0]["worst_index"] == [1]
    assert run_case(_case("ops/add/f32/z", boom=True), CPU, manifest).status == "error"
    skipped = run_case(_case("ops/fft/f32/x", boom=True), CPU, manifest)
    assert skipped.status == "unsupported" and skipped.reason == "no FFT unit"
    assert run_case(_case("ops/div/f32/x", ok=False), CPU, manifest).status == "xfail"
    xpass = run_case(_case("ops/div/f32/y"), CPU, manifest)
    assert xpass.status == "xpass" and "remove it from the manifest" in xpass.reason
    strict = SuiteResult("cpu", ("ops",), [xpass], strict=True)
    assert strict.failed() == [xpass] and not SuiteResult("cpu", ("ops",), [xpass], strict=False).failed()


def test_manifest_needs_reasons_and_known_tables(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="needs a reason"):
        load_manifest({"xfail": {"ops/*": ""}})
    with pytest.raises(UsageError, match="unknown table"):
        load_manifest({"skip": {}})
    path = tmp_path / "m.toml"
    path.write_text('[unsupported]\n"ops/sine/*" = "no transcendental unit"\n')
    assert load_manifest(path).unsupported_reason("ops/sine/f16/1x1") == "no transcendental unit"


def _result(status: str, case_id: str, tier: str = "ops", dtype: str = "f32") -> CaseResult:
    return CaseResult(case_id, tier, case_id.split("/")[1], dtype, status)


def test_levels() -> None:
    core = [_result("pass", "hal/x/", "hal", ""), _result("pass", "ops/add/f32", dtype="f32"), _result("pass", "models/mlp/", "models")]
    assert SuiteResult("t", ("hal", "ops", "models"), core, False).level == "Core"
    full = core + [_result("pass", "corpus/a.mlir/", "corpus", "")]
    assert SuiteResult("t", ("hal", "ops", "models", "corpus"), full, False).level == "Full"
    # a non-core dtype failing keeps Core but not Full; a core failure loses both
    assert SuiteResult("t", ("hal", "ops", "models", "corpus"), [*full, _result("fail", "ops/add/bf16", dtype="bf16")], False).level == "Core"
    assert SuiteResult("t", ("hal", "ops", "models"), [*core, _result("xfail", "ops/mul/i32", dtype="i32")], False).level == "none"
    assert SuiteResult("t", ("ops",), core[1:2], False).level == "none"  # Core needs the HAL and models tiers run
    assert SuiteResult("t", ("hal", "ops", "models"), core, False, select="hal/*").level == "none"  # a selection qualifies nothing


def test_reports_carry_figures_coverage_and_policy() -> None:
    results = [run_case(_case("ops/add/f32/x"), CPU, load_manifest(None)), run_case(_case("ops/add/i32/x", ok=False), CPU, load_manifest(None))]
    result = SuiteResult("cpu", ("ops",), results, False)
    data = to_json(result)
    assert data["counts"] == {"pass": 1, "fail": 1} and data["failed"] == ["ops/add/i32/x"]
    assert data["cases"][1]["outputs"][0]["max_abs"] == 0.5 and data["tolerance_policy"]
    assert coverage(result) == {"add": {"f32": "pass", "i32": "fail"}}
    md = to_markdown(result)
    assert "| add | ok | FAIL |" in md and "## Tolerance policy" in md and "ops/add/i32/x" in md


def test_cli_runs_a_selection_and_writes_reports(tmp_path: Path, capsys) -> None:
    rc = conformance_cli.main(["--target", "cpu", "--tier", "ops", "--select", "ops/add/*/17x33",
                               "--report", str(tmp_path / "r.json"), "--markdown", str(tmp_path / "r.md")])  # fmt: skip
    assert rc == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert {c["id"] for c in data["cases"]} == {f"ops/add/{d}/17x33" for d in ("f32", "f16", "bf16", "i32", "i8")}
    assert all(c["status"] == "pass" for c in data["cases"]) and "conformance level" in capsys.readouterr().out


def test_cli_refuses_unknown_targets_and_a_corpus_tier_without_a_directory(capsys) -> None:
    assert conformance_cli.main(["--target", "nochip"]) == 2
    assert "unknown target 'nochip'" in capsys.readouterr().err
    assert conformance_cli.main(["--target", "cpu", "--tier", "corpus"]) == 2
    assert "--corpus DIR" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["cpu", "ref_asic"])
def test_hal_tier_passes_on_the_in_tree_targets(target: str) -> None:
    from byteir_sdk.conformance.suite import run_suite

    result = run_suite(target, ["hal"])
    assert [r.id for r in result.results if not r.ok] == [] and len(result.results) == 9


def test_pytest_plugin_turns_cases_into_tests(pytester) -> None:
    pytester.makepyfile("def test_conformance(conformance_result):\n    conformance_result.check()\n")
    run = pytester.runpytest("-p", "byteir_sdk.conformance.plugin", "--byteir-target", "cpu", "--byteir-tier", "ops", "--byteir-select", "ops/negate/*/1x1")
    run.assert_outcomes(passed=5)
    skipped = pytester.runpytest("-p", "byteir_sdk.conformance.plugin")
    skipped.assert_outcomes(skipped=1)
