"""The CPU target's vectorisable f32 exp and tanh (targets/cpu/vecmath.py): ULP error against
float64 over dense sweeps, and the special values. Stated bounds: exp 1.25 ULP for normal
results (one subnormal step below), tanh 1.5 ULP."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

import byteir_sdk
from byteir_sdk.runtime import Session


def _on_cpu(fn, x: np.ndarray) -> np.ndarray:  # noqa: ANN001
    with Session(byteir_sdk.compile(byteir_sdk.load(fn, x), "cpu")) as session:
        return session.run([x])[0]


def _ulp(got: np.ndarray, exact: np.ndarray) -> np.ndarray:
    spacing = np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
    return np.abs(got.astype(np.float64) - exact) / spacing


def test_exp_f32_ulp() -> None:
    x = np.concatenate([np.linspace(-103.9, 88.7, 1 << 20), np.linspace(-1, 1, 1 << 16)]).astype(np.float32)
    got, exact = _on_cpu(jnp.exp, x), np.exp(x.astype(np.float64))
    normal = exact >= np.finfo(np.float32).tiny
    assert _ulp(got[normal], exact[normal]).max() <= 1.25
    assert np.abs(got[~normal] - exact[~normal]).max() <= np.finfo(np.float32).smallest_subnormal


def test_tanh_f32_ulp() -> None:
    x = np.concatenate([np.linspace(-12, 12, 1 << 20), np.linspace(-0.7, 0.7, 1 << 16), [1e-30, -1e-30, 1e-40]]).astype(np.float32)
    got, exact = _on_cpu(jnp.tanh, x), np.tanh(x.astype(np.float64))
    nonzero = exact != 0
    assert _ulp(got[nonzero], exact[nonzero]).max() <= 1.5


@pytest.mark.parametrize(("fn", "x", "want"), [
    (jnp.exp, [np.inf, -np.inf, np.nan, 0.0, -0.0, 89.0, -200.0], [np.inf, 0.0, np.nan, 1.0, 1.0, np.inf, 0.0]),
    (jnp.tanh, [np.inf, -np.inf, np.nan, 0.0, -0.0, 30.0, -30.0], [1.0, -1.0, np.nan, 0.0, -0.0, 1.0, -1.0]),
], ids=["exp", "tanh"])  # fmt: skip
def test_special_values(fn, x, want) -> None:  # noqa: ANN001
    got = _on_cpu(fn, np.array(x, np.float32))
    np.testing.assert_array_equal(got, np.array(want, np.float32))
    assert list(np.signbit(got)) == list(np.signbit(np.array(want, np.float32)))
