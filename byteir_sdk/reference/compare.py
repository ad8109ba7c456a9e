"""Comparing computed tensors with expected ones under a stated tolerance.

One policy for the whole SDK (tests, `--check`, conformance):

============  =====================================================================
kind          meaning
============  =====================================================================
exact         bit-for-bit equal values; floats by IEEE ``==`` (so NaN != NaN)
ulp           at most `ulp` units in the last place apart; NaN matches NaN,
              infinities must match exactly (complex: per component)
abs           ``|a - b| <= atol`` (complex: modulus of the difference); NaN matches NaN,
              infinities must match exactly
close         ``|a - b| <= atol + rtol * |b|``; NaN matches NaN, infinities must match
============  =====================================================================

Integers and booleans are always compared exactly, whatever the tolerance says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from byteir_sdk.dtypes import element_type_of_dtype

__all__ = ["Tolerance", "Comparison", "compare", "ulp_distance", "default_tolerance", "CHECK_TOLERANCES"]


@dataclass(frozen=True)
class Tolerance:
    """How close two tensors must be; see the module docstring for the kinds."""

    kind: str = "exact"
    ulp: int = 0
    atol: float = 0.0
    rtol: float = 0.0

    def __str__(self) -> str:
        if self.kind == "ulp":
            return f"<= {self.ulp} ULP"
        if self.kind == "abs":
            return f"|a-b| <= {self.atol:g}"
        if self.kind == "close":
            return f"|a-b| <= {self.atol:g} + {self.rtol:g}*|b|"
        return "exact"


#: The meaning of the StableHLO testdata ``check.*`` custom calls.
CHECK_TOLERANCES: dict[str, Tolerance] = {
    "check.expect_eq": Tolerance("exact"),
    "check.expect_close": Tolerance("ulp", ulp=3),
    "check.expect_almost_eq": Tolerance("abs", atol=1e-3),
}


def default_tolerance(dtype: np.dtype) -> Tolerance:
    """The SDK's tolerance for comparing a target's result with the oracle, per dtype."""
    et = element_type_of_dtype(dtype)
    if et.kind in ("bool", "int", "uint"):
        return Tolerance("exact")
    base = et.name.removeprefix("complex<").removesuffix(">")
    return {
        "f64": Tolerance("close", atol=1e-12, rtol=1e-10),
        "f32": Tolerance("close", atol=1e-5, rtol=1e-4),
        "f16": Tolerance("close", atol=1e-2, rtol=1e-2),
        "bf16": Tolerance("close", atol=5e-2, rtol=5e-2),
    }.get(base, Tolerance("close", atol=0.25, rtol=0.125))  # 8-bit floats


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing one tensor: pass/fail and the error figures."""

    ok: bool
    tolerance: Tolerance
    max_abs: float = 0.0
    max_rel: float = 0.0
    max_ulp: int = 0
    mismatches: int = 0
    worst_index: tuple[int, ...] | None = None
    worst_actual: object = None
    worst_expected: object = None
    note: str = ""

    def __str__(self) -> str:
        status = "ok" if self.ok else "MISMATCH"
        text = f"{status} ({self.tolerance}): max abs {self.max_abs:.3g}, max rel {self.max_rel:.3g}, max ULP {self.max_ulp}"
        if not self.ok and self.worst_index is not None:
            text += f"; {self.mismatches} bad, worst at {list(self.worst_index)}: got {self.worst_actual!r}, want {self.worst_expected!r}"
        if self.note:
            text += f"; {self.note}"
        return text


def _as_float_parts(x: np.ndarray) -> list[np.ndarray]:
    if np.iscomplexobj(x):
        return [np.real(x), np.imag(x)]
    return [x]


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Units in the last place between two real float arrays of the same dtype (int64 result)."""
    if a.dtype != b.dtype:
        raise ValueError(f"ulp_distance: dtypes differ ({a.dtype} vs {b.dtype})")
    bits = a.dtype.itemsize * 8
    ui = np.dtype(f"u{a.dtype.itemsize}")
    sign = np.uint64(1) << np.uint64(bits - 1)

    def ordered(x: np.ndarray) -> np.ndarray:
        u = np.ascontiguousarray(x).view(ui).astype(np.uint64)
        mag = (u & (sign - np.uint64(1))).astype(np.int64) if bits < 64 else (u & (sign - np.uint64(1))).view(np.int64)
        return np.where((u & sign) != 0, -mag, mag)

    # Differences of 64-bit ordered values can overflow; saturate instead.
    oa, ob = ordered(a), ordered(b)
    with np.errstate(over="ignore"):
        d = np.abs(oa.astype(np.float64) - ob.astype(np.float64))
    return np.minimum(d, 2.0**62).astype(np.int64)


def compare(actual: np.ndarray, expected: np.ndarray, tol: Tolerance) -> Comparison:
    """Compare `actual` with `expected` under `tol`; never raises on a mismatch."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    if actual.shape != expected.shape or actual.dtype != expected.dtype:
        return Comparison(
            False, tol, note=f"got {actual.dtype}{list(actual.shape)}, want {expected.dtype}{list(expected.shape)}"
        )
    if actual.size == 0:
        return Comparison(True, tol)
    kind = element_type_of_dtype(actual.dtype).kind
    if kind in ("bool", "int", "uint"):
        bad = actual != expected
        diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64)) if kind != "bool" else bad.astype(float)
        return _result(~bad, actual, expected, Tolerance("exact"), diff, diff, np.zeros(actual.shape, np.int64))

    a64 = actual.astype(np.complex128 if kind == "complex" else np.float64)
    e64 = expected.astype(a64.dtype)
    with np.errstate(all="ignore"):
        absdiff = np.abs(a64 - e64)
        reldiff = absdiff / np.maximum(np.abs(e64), np.finfo(np.float64).tiny)
    ulps = np.zeros(actual.shape, np.int64)
    for pa, pe in zip(_as_float_parts(actual), _as_float_parts(expected)):
        ulps = np.maximum(ulps, ulp_distance(np.ascontiguousarray(pa), np.ascontiguousarray(pe)))

    if tol.kind == "exact":
        good = actual == expected
    else:
        nan_match = np.ones(actual.shape, bool)
        inf_match = np.ones(actual.shape, bool)
        both_nan = np.zeros(actual.shape, bool)
        for pa, pe in zip(_as_float_parts(a64), _as_float_parts(e64)):
            nan_match &= np.isnan(pa) == np.isnan(pe)
            inf_match &= ~(np.isinf(pa) | np.isinf(pe)) | (pa == pe)
            both_nan |= np.isnan(pa) & np.isnan(pe)
        if tol.kind == "ulp":
            within = ulps <= tol.ulp
        elif tol.kind == "abs":
            within = absdiff <= tol.atol
        elif tol.kind == "close":
            with np.errstate(all="ignore"):
                within = absdiff <= tol.atol + tol.rtol * np.abs(e64)
        else:
            raise ValueError(f"unknown tolerance kind {tol.kind!r}")
        good = nan_match & inf_match & (within | both_nan)
    finite = np.isfinite(absdiff)
    return _result(good, actual, expected, tol, np.where(finite, absdiff, 0.0), np.where(finite, reldiff, 0.0), ulps)


def _result(
    good: np.ndarray,
    actual: np.ndarray,
    expected: np.ndarray,
    tol: Tolerance,
    absdiff: np.ndarray,
    reldiff: np.ndarray,
    ulps: np.ndarray,
) -> Comparison:
    good = np.asarray(good, bool)
    bad_count = int((~good).sum())
    worst = None
    wa = we = None
    if bad_count:
        score = np.where(good, -1.0, absdiff + 1.0)
        flat = int(np.argmax(score))
        worst = tuple(int(i) for i in np.unravel_index(flat, actual.shape))
        wa, we = actual[worst].item(), expected[worst].item()
    return Comparison(
        ok=bad_count == 0,
        tolerance=tol,
        max_abs=float(absdiff.max()),
        max_rel=float(reldiff.max()),
        max_ulp=int(ulps.max()),
        mismatches=bad_count,
        worst_index=worst,
        worst_actual=wa,
        worst_expected=we,
    )
