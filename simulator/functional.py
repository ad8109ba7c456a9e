"""Value semantics of the reference ASIC's units: the exact functions the simulator computes
with, and the ones the RTL testbenches compare against. Bit-exact with NumPy / ml_dtypes.

- Matrix unit: a weight-stationary tile. Products are exact (i8*i8 in i32; bf16*bf16 is exact in
  f32); partial sums run down the array in k order: ``acc = acc + a[:, k] * w[k, :]`` for
  k = 0..N-1, each step rounded to the accumulator type (i32 wraps; f32 rounds to nearest even).
- Vector unit: elementwise ops in the element type (bf16 computed in f32 and rounded back), and
  i32 -> i8 requantisation with round-half-to-even and saturation. ``reduce_sum`` adds the way
  the lanes do: lane j accumulates elements j, j + L, j + 2L, ... in order (each step rounded),
  then the L partial sums are added as a binary tree (halves added pairwise) -- so the
  result is defined bit for bit, not left to NumPy's summation order. ``reduce_max`` is
  order-independent (NaN propagates).
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
from scipy import special

__all__ = ["NUMPY_DTYPE", "ACC_DTYPE", "systolic_tile", "vector_op", "lane_sum", "requantize"]

NUMPY_DTYPE = {"i8": np.dtype(np.int8), "i32": np.dtype(np.int32), "bf16": np.dtype(ml_dtypes.bfloat16), "f32": np.dtype(np.float32)}
#: accumulator element type per input type
ACC_DTYPE = {"i8": np.dtype(np.int32), "bf16": np.dtype(np.float32), "f32": np.dtype(np.float32), "i32": np.dtype(np.int32)}


def systolic_tile(acts: np.ndarray, weights: np.ndarray, acc: np.ndarray | None = None) -> np.ndarray:
    """rows x N activations times an N x N weight tile, accumulated in k order (see module doc)."""
    dtype = acts.dtype
    out_t = np.dtype(np.int32) if dtype == np.int8 or dtype == np.int32 else np.dtype(np.float32)
    rows, n = acts.shape
    total = np.zeros((rows, weights.shape[1]), out_t) if acc is None else acc.astype(out_t, copy=True)
    if out_t == np.int32:
        a = acts.astype(np.int64)
        w = weights.astype(np.int64)
        wide = total.astype(np.int64)
        for k in range(n):
            wide = (wide + a[:, k : k + 1] * w[k : k + 1, :] + (1 << 31)) % (1 << 32) - (1 << 31)
        return wide.astype(np.int32)
    a = acts.astype(np.float32)
    w = weights.astype(np.float32)
    with np.errstate(all="ignore"):
        for k in range(n):
            total = (total + a[:, k : k + 1] * w[k : k + 1, :]).astype(np.float32)
    return total


def requantize(x: np.ndarray, scale: int, shift: int, zero_point: int) -> np.ndarray:
    """i32 -> i8: saturate(round_half_even(x * scale / 2**shift) + zero_point)."""
    y = x.astype(np.int64) * int(scale)
    if shift:
        q = y >> shift
        r = y - (q << shift)
        half = 1 << (shift - 1)
        q = q + ((r > half) | ((r == half) & ((q & 1) == 1))).astype(np.int64)
    else:
        q = y
    zp = zero_point - 256 if zero_point >= 128 else zero_point
    return np.clip(q + zp, -128, 127).astype(np.int8)


def lane_sum(x: np.ndarray, lanes: int) -> np.ndarray:
    """``reduce_sum`` of `x` over `lanes` lanes (see the module docstring), as a 1-element array."""
    width = 1 << max(0, (lanes - 1).bit_length())  # the tree runs over a power of two (idle lanes hold 0)
    rows = -(-x.size // lanes)
    padded = np.zeros(rows * lanes, x.dtype)
    padded[: x.size] = x
    acc = np.zeros(width, x.dtype)
    for row in padded.reshape(rows, lanes):
        acc[:lanes] = acc[:lanes] + row
    while acc.size > 1:
        half = acc.size // 2
        acc = acc[:half] + acc[half:]
    return acc


def vector_op(op: str, a: np.ndarray, b: np.ndarray | None, dtype: np.dtype, lanes: int = 16) -> np.ndarray:
    """One vector-unit operation, elementwise (reductions return one element)."""
    wide = np.float32 if dtype.kind in "fV" else None
    x = a.astype(wide) if wide else a
    y = (b.astype(wide) if wide else b) if b is not None else None
    with np.errstate(all="ignore"):
        if op == "copy":
            r = x
        elif op == "add":
            r = x + y
        elif op == "sub":
            r = x - y
        elif op == "mul":
            r = x * y
        elif op == "max":
            r = np.maximum(x, y)
        elif op == "min":
            r = np.minimum(x, y)
        elif op == "relu":
            r = np.maximum(x, np.zeros_like(x))
        elif op == "neg":
            r = -x
        elif op == "abs":
            r = np.abs(x)
        elif op == "exp":
            r = np.exp(x)
        elif op == "log":
            r = np.log(x)
        elif op == "tanh":
            r = np.tanh(x)
        elif op == "erf":
            r = special.erf(x)
        elif op == "rsqrt":
            r = 1 / np.sqrt(x)
        elif op == "cmp_lt":
            r = (x < y).astype(x.dtype)
        elif op == "select":
            r = np.where(x != 0, y, np.zeros_like(y))
        elif op == "reduce_sum":
            r = lane_sum(x, lanes)
        elif op == "reduce_max":
            r = np.array([x.max()]) if x.size else np.zeros(1, x.dtype)
        else:
            raise ValueError(f"vector op {op!r} is not implemented")
    return np.asarray(r).astype(dtype)
