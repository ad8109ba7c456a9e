"""The conformance suite: cases per tier, the target's manifest, running, and the conformance level.

Tiers: ``hal`` (the device contract, conformance/hal.py), ``ops`` (the op x dtype x shape matrix,
conformance/ops.py), ``models`` (the example models against XLA) and ``corpus`` (a directory of
StableHLO testdata files). Each case gets a status:

- ``pass`` / ``fail`` (a result outside tolerance) / ``error`` (an exception: the message is kept);
- ``unsupported``: the manifest says the target will never run it (not run);
- ``xfail``: the manifest expects it to fail for now and it did; ``xpass``: it passed although
  expected to fail -- a failure in strict mode, so stale manifest entries get removed.

Manifest: ``Target.manifest`` maps ``"unsupported"`` and ``"xfail"`` to ``{case-id pattern:
reason}`` (fnmatch patterns over ids such as ``ops/divide/i8/17x33``), or is a path to a TOML file
with those two tables.

Levels: **Core** -- every HAL case, every ops case on f32/i32/i1 and every model passes;
**Full** -- every case of every tier passes, with the corpus tier run. Anything else, and any run
restricted with a selection pattern: none.
"""

from __future__ import annotations

import dataclasses

import fnmatch
import os
import time
import tomllib
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from byteir_sdk.compiler.backend import Target, get_target
from byteir_sdk.errors import ByteIRError, UsageError
from byteir_sdk.reference.compare import Comparison, compare, default_tolerance

__all__ = ["Case", "CaseResult", "Manifest", "SuiteResult", "TIERS", "CORE_DTYPES", "collect", "run_suite", "load_manifest"]

TIERS = ("hal", "ops", "models", "corpus")
#: dtypes of the ops tier that Core conformance requires
CORE_DTYPES = frozenset({"f32", "i32", "i1"})


def is_core(tier: str, dtype: str) -> bool:
    """Whether a case of `tier` on `dtype` counts towards Core conformance."""
    return tier in ("hal", "models") or (tier == "ops" and dtype in CORE_DTYPES)


@dataclass(frozen=True)
class Case:
    """One conformance case: ``run(target)`` returns one Comparison per output (HAL cases: [])."""

    id: str
    tier: str
    run: Callable[[Target], list[Comparison]] = field(compare=False, repr=False)
    op: str = ""
    dtype: str = ""


@dataclass
class CaseResult:
    id: str
    tier: str
    op: str
    dtype: str
    status: str  # pass | fail | error | unsupported | xfail | xpass
    reason: str = ""
    seconds: float = 0.0
    outputs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "pass"

    @property
    def core(self) -> bool:
        return is_core(self.tier, self.dtype)


@dataclass
class Manifest:
    """Known gaps of a target: permanent (``unsupported``) and temporary (``xfail``), with reasons."""

    unsupported: dict[str, str] = field(default_factory=dict)
    xfail: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def _match(table: Mapping[str, str], case_id: str) -> str | None:
        return next((reason for pattern, reason in table.items() if fnmatch.fnmatchcase(case_id, pattern)), None)

    def unsupported_reason(self, case_id: str) -> str | None:
        return self._match(self.unsupported, case_id)

    def xfail_reason(self, case_id: str) -> str | None:
        return self._match(self.xfail, case_id)


def load_manifest(source: Mapping[str, Mapping[str, str]] | str | os.PathLike[str] | None) -> Manifest:
    """A Manifest from a mapping, a TOML file, or None (no known gaps)."""
    if source is None:
        return Manifest()
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            source = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(f"{path}: cannot read the conformance manifest: {exc}") from None
    unknown = set(source) - {"unsupported", "xfail"}
    if unknown:
        raise UsageError(f"conformance manifest has unknown table(s) {', '.join(sorted(unknown))}", hint="Use [unsupported] and [xfail].")
    for table in ("unsupported", "xfail"):
        for pattern, reason in dict(source.get(table, {})).items():
            if not isinstance(reason, str) or not reason.strip():
                raise UsageError(f"conformance manifest: {table} entry {pattern!r} needs a reason")
    return Manifest(dict(source.get("unsupported", {})), dict(source.get("xfail", {})))


@dataclass
class SuiteResult:
    target: str
    tiers: tuple[str, ...]
    results: list[CaseResult]
    strict: bool
    seconds: float = 0.0
    select: str | None = None  # a --select pattern: a partial run, which never earns a level
    compile_only: bool = False  # code generation checked, nothing run: never earns a level

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def failed(self) -> list[CaseResult]:
        bad = {"fail", "error"} | ({"xpass"} if self.strict else set())
        return [r for r in self.results if r.status in bad]

    @property
    def level(self) -> str:
        core = [r for r in self.results if r.core]
        core_tiers = {"hal", "ops", "models"} <= set(self.tiers)
        if self.compile_only:
            return "compile-only"
        if self.select or not core_tiers or not core or any(not r.ok for r in core):
            return "none"
        if set(TIERS) <= set(self.tiers) and all(r.ok for r in self.results):
            return "Full"
        return "Core"


# ---------------------------------------------------------------------------- running programs


@dataclass(frozen=True)
class CompileOnly:
    """A target whose cases are compiled (and each executable checked offline by the backend's
    ``check_executable``, e.g. ptxas for PTX) but not run: code generation qualified without a device."""

    target: Target

    @property
    def name(self) -> str:
        return self.target.name


def run_on_target(target: Target | CompileOnly, program: Any, inputs: Sequence[np.ndarray]) -> list[np.ndarray] | None:
    """Compile `program` for `target` and run it once on its HAL driver (None: compile only)."""
    from byteir_sdk.compiler.pipeline import CompileOptions, run_stages
    from byteir_sdk.runtime import Session

    comp = run_stages(program, CompileOptions.make(target.name))
    if isinstance(target, CompileOnly):
        for lowered in comp.lowered.values():
            comp.backend.check_executable(lowered)
        return None
    assert comp.byre is not None
    with Session(comp.byre) as session:
        return session.run(list(inputs))


def _bisect_failures(target: Target, program: Any, inputs: Sequence[np.ndarray], comparisons: list[Comparison]) -> list[Comparison]:
    """`comparisons`, the failing ones noting the first kernel that diverges from the CPU target."""
    if all(c.ok for c in comparisons) or target.name == "cpu":
        return comparisons
    from byteir_sdk.conformance.bisect import first_divergence

    try:
        found = str(first_divergence(program, target.name, inputs))
    except Exception as exc:  # noqa: BLE001 - the failure stands; the bisection is a diagnosis only
        found = f"bisection against cpu failed: {type(exc).__name__}: {exc}"
    return [c if c.ok else dataclasses.replace(c, note="; ".join(filter(None, (c.note, found)))) for c in comparisons]


def _comparison_record(c: Comparison) -> dict[str, Any]:
    return {
        "ok": c.ok, "tolerance": str(c.tolerance), "max_abs": c.max_abs, "max_rel": c.max_rel, "max_ulp": c.max_ulp,
        "mismatches": c.mismatches, "worst_index": list(c.worst_index) if c.worst_index is not None else None,
        "worst_actual": repr(c.worst_actual) if c.worst_actual is not None else None,
        "worst_expected": repr(c.worst_expected) if c.worst_expected is not None else None, "note": c.note,
    }  # fmt: skip


# ---------------------------------------------------------------------------- tiers


def _ops_cases() -> Iterator[Case]:
    from byteir_sdk.compiler.frontend import load
    from byteir_sdk.conformance.ops import DTYPES, SHAPES, op_inputs, op_matrix, tolerance_for
    from byteir_sdk.reference.engines import run_interpreter

    for spec in op_matrix():
        for dtype_name in spec.dtypes:
            dtype = DTYPES[dtype_name]
            for shape_name in spec.shapes:
                shape = SHAPES[shape_name]
                shapes = list(spec.arg_shapes(shape)) if spec.arg_shapes else [shape] * spec.arity

                def run(target: Target, spec=spec, dtype=dtype, shapes=shapes, seed=len(shape)) -> list[Comparison]:  # noqa: ANN001
                    args = op_inputs(spec, dtype, shapes, seed)
                    program = load(spec.fn, *args)
                    got = run_on_target(target, program, args)
                    if got is None:
                        return []
                    want = run_interpreter(program, args)
                    return [compare(g, w, tolerance_for(spec, w.dtype)) for g, w in zip(got, want)]

                yield Case(f"ops/{spec.op}/{dtype_name}/{shape_name}", "ops", run, spec.op, dtype_name)


def _model_cases() -> Iterator[Case]:
    from byteir_sdk import models, reference

    for name in models.names():

        def run(target: Target, name: str = name) -> list[Comparison]:
            program = models.get(name)
            args = reference.random_inputs(program, seed=11)
            got = run_on_target(target, program, args)
            if got is None:
                return []
            want = reference.run(program, args, engine="xla")
            return _bisect_failures(target, program, args, [compare(g, w, default_tolerance(w.dtype)) for g, w in zip(got, want)])

        yield Case(f"models/{name}", "models", run, f"model:{name}", "f32")


def _corpus_cases(directory: str | os.PathLike[str]) -> Iterator[Case]:
    from byteir_sdk.conformance.corpus import corpus_files, load_case

    files = corpus_files(directory)
    if not files:
        raise UsageError(f"{directory}: no *.mlir testdata files for the corpus tier")
    for path in files:

        def run(target: Target, path: Path = path) -> list[Comparison]:
            case = load_case(path)
            got = run_on_target(target, case.program, case.inputs)
            return [] if got is None else _bisect_failures(target, case.program, case.inputs, case.check(got))

        yield Case(f"corpus/{path.name}", "corpus", run)


def collect(tiers: Sequence[str], corpus: str | os.PathLike[str] | None = None) -> list[Case]:
    """The cases of `tiers` (the corpus tier needs a directory)."""
    from byteir_sdk.conformance.hal import hal_cases

    bad = set(tiers) - set(TIERS)
    if bad:
        raise UsageError(f"unknown tier(s) {', '.join(sorted(bad))}", hint=f"Tiers: {', '.join(TIERS)}.")
    cases: list[Case] = []
    if "hal" in tiers:
        cases += hal_cases()
    if "ops" in tiers:
        cases += _ops_cases()
    if "models" in tiers:
        cases += _model_cases()
    if "corpus" in tiers:
        if corpus is None:
            raise UsageError("the corpus tier needs --corpus DIR (a directory of StableHLO testdata files)")
        cases += _corpus_cases(corpus)
    return cases


def run_case(case: Case, target: Target, manifest: Manifest) -> CaseResult:
    """Run one case under the manifest; never raises for a failing case."""
    result = CaseResult(case.id, case.tier, case.op, case.dtype, "pass")
    reason = manifest.unsupported_reason(case.id)
    if reason is not None:
        result.status, result.reason = "unsupported", reason
        return result
    start = time.perf_counter()
    try:
        comparisons = case.run(target)
        result.outputs = [_comparison_record(c) for c in comparisons]
        if not all(c.ok for c in comparisons):
            result.status = "fail"
            result.reason = "; ".join(f"output {i}: {c}" for i, c in enumerate(comparisons) if not c.ok)
    except ByteIRError as exc:
        result.status, result.reason = "error", f"{type(exc).__name__}: {exc.message}" + (f" -- {exc.hint}" if exc.hint else "")
    except AssertionError as exc:
        result.status, result.reason = "fail", str(exc) or "assertion failed"
    except Exception as exc:  # noqa: BLE001 - a crashing target is a result, not the end of the run
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        result.status, result.reason = "error", f"{type(exc).__name__}: {exc} (at {Path(frame.filename).name}:{frame.lineno})"
    result.seconds = time.perf_counter() - start
    expected_failure = manifest.xfail_reason(case.id)
    if expected_failure is not None:
        if result.status in ("fail", "error"):
            result.status, result.reason = "xfail", f"{expected_failure} ({result.reason})"
        else:
            result.status, result.reason = "xpass", f"expected to fail ({expected_failure}) but passed: remove it from the manifest"
    return result


def run_suite(
    target_name: str,
    tiers: Sequence[str] = TIERS,
    *,
    corpus: str | os.PathLike[str] | None = None,
    manifest: Manifest | None = None,
    strict: bool = False,
    select: str | None = None,
    progress: Callable[[CaseResult, int, int], None] | None = None,
    compile_only: bool = False,
) -> SuiteResult:
    """Run the conformance tiers against a registered target.

    `manifest` defaults to the target's own (``Target.manifest``); `select` is an fnmatch pattern
    over case ids; `progress(result, done, total)` is called after each case. `compile_only`
    compiles the ops, models and corpus cases and checks each executable offline
    (``Backend.check_executable``) without running anything (no HAL tier; level "compile-only").
    """
    target = get_target(target_name)
    if compile_only:
        tiers = [t for t in tiers if t != "hal"]
    if manifest is None:
        manifest = load_manifest(getattr(target, "manifest", None))
    cases = collect(tiers, corpus)
    if select:
        cases = [c for c in cases if fnmatch.fnmatchcase(c.id, select)]
    start = time.perf_counter()
    results = []
    runner: Any = CompileOnly(target) if compile_only else target
    for i, case in enumerate(cases):
        results.append(run_case(case, runner, manifest))
        if progress is not None:
            progress(results[-1], i + 1, len(cases))
    return SuiteResult(target_name, tuple(tiers), results, strict, time.perf_counter() - start, select, compile_only)


def tolerance_table() -> list[tuple[str, str]]:
    """The tolerance policy as (rule, tolerance) rows for reports."""
    from byteir_sdk.conformance.ops import TOLERANCE_POLICY

    rows = [("integers, booleans", "exact")]
    rows += [(f"float ops of class '{k}'", v) for k, v in TOLERANCE_POLICY.items()]
    rows += [(f"models / approx class, {d}", str(default_tolerance(np.dtype(t)))) for d, t in (("f32", np.float32), ("f16", np.float16))]
    rows += [("corpus files", "what each file's check.* call states (expect_eq exact, expect_close 3 ULP, expect_almost_eq 1e-3)")]
    return rows

