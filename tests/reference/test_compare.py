"""The tolerance policy: exact, ULP, absolute, relative; NaN and infinity semantics."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from byteir_sdk.reference import CHECK_TOLERANCES, Tolerance, compare, default_tolerance, ulp_distance


def test_ulp_distance_across_zero_and_neighbours() -> None:
    x = np.array([1.0, -0.0, 1.0], np.float32)
    y = np.array([np.nextafter(np.float32(1.0), np.float32(2.0)), 0.0, 1.0], np.float32)
    assert ulp_distance(x, y).tolist() == [1, 0, 0]
    tiny = np.array([np.float32(1e-45)], np.float32)
    assert ulp_distance(tiny, -tiny).tolist() == [2]


@given(st.floats(width=32, allow_nan=False, allow_infinity=False), st.integers(0, 50))
def test_ulp_distance_counts_nextafter_steps(value: float, steps: int) -> None:
    start = np.array([value], np.float32)
    moved = start.copy()
    with np.errstate(over="ignore"):
        for _ in range(steps):
            moved = np.nextafter(moved, np.float32(np.inf))
    if np.isinf(moved[0]):
        return
    assert ulp_distance(start, moved)[0] == steps


def test_expect_close_is_3_ulp_with_nan_matching() -> None:
    tol = CHECK_TOLERANCES["check.expect_close"]
    want = np.array([1.0, np.nan, np.inf], np.float32)
    got = want.copy()
    got[0] = np.float32(1.0) + 3 * np.finfo(np.float32).eps
    assert compare(got, want, tol).ok
    got[0] = np.float32(1.0) + 4 * np.finfo(np.float32).eps
    result = compare(got, want, tol)
    assert not result.ok and result.worst_index == (0,) and result.max_ulp == 4


def test_infinities_must_match_exactly() -> None:
    tol = CHECK_TOLERANCES["check.expect_close"]
    want = np.array([np.inf], np.float32)
    assert not compare(np.array([np.finfo(np.float32).max], np.float32), want, tol).ok
    assert not compare(np.array([-np.inf], np.float32), want, tol).ok


def test_expect_eq_treats_nan_as_unequal() -> None:
    assert not compare(np.array([np.nan]), np.array([np.nan]), CHECK_TOLERANCES["check.expect_eq"]).ok


def test_expect_almost_eq_is_absolute() -> None:
    tol = CHECK_TOLERANCES["check.expect_almost_eq"]
    assert compare(np.array([100.0009]), np.array([100.0]), tol).ok
    assert not compare(np.array([100.002]), np.array([100.0]), tol).ok


def test_integers_are_exact_whatever_the_tolerance() -> None:
    result = compare(np.array([1, 2, 3], np.int32), np.array([1, 2, 4], np.int32), Tolerance("abs", atol=10))
    assert not result.ok and result.mismatches == 1 and result.worst_index == (2,)


def test_bf16_and_complex_ulps() -> None:
    a = np.array([1.0], ml_dtypes.bfloat16)
    b = np.nextafter(a.astype(np.float32), np.float32(2)).astype(ml_dtypes.bfloat16)  # rounds to 1 or next bf16
    assert ulp_distance(a, b)[0] in (0, 1)
    c = np.array([1 + 1j], np.complex64)
    d = np.array([1 + np.nextafter(np.float32(1), np.float32(2)) * 1j], np.complex64)
    assert compare(d, c, Tolerance("ulp", ulp=1)).ok
    assert not compare(d, c, Tolerance("exact")).ok


def test_shape_or_dtype_mismatch_fails_with_a_note() -> None:
    result = compare(np.zeros(3, np.float32), np.zeros(4, np.float32), Tolerance())
    assert not result.ok and "want float32[4]" in result.note


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, ml_dtypes.bfloat16, np.int8, np.bool_])
def test_default_tolerance_is_stated_per_dtype(dtype) -> None:
    tol = default_tolerance(np.dtype(dtype))
    assert str(tol)
    if np.dtype(dtype).kind in "biu":
        assert tol.kind == "exact"
