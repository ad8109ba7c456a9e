"""The ops tier: a generated matrix of StableHLO ops x dtypes x shapes, and its tolerance policy.

Each case is a one-op program made with JAX (``jax.export`` -> StableHLO), inputs drawn for the
op's domain (positive for log/sqrt, non-zero divisors, in-range shift amounts), and the
StableHLO interpreter's result as the expectation. Shapes cover scalars, size-1 dims, empty
tensors, and sizes that are no multiple of any tile (17 x 33).

Tolerance policy (``TOLERANCE_POLICY``, one table): integers and booleans are exact everywhere;
data movement, comparisons, selection, min/max, abs/neg and conversions are exact for floats too;
IEEE arithmetic (add, sub, mul, div, sqrt) is within 1 ULP; transcendental functions, reductions
and contractions use the SDK's per-dtype tolerance (``reference.default_tolerance``: f32
``|a-b| <= 1e-5 + 1e-4 |b|``, f16 1e-2, bf16 5e-2).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ml_dtypes
import numpy as np

from byteir_sdk.reference.compare import Tolerance, default_tolerance

__all__ = ["OpSpec", "op_matrix", "TOLERANCE_POLICY", "tolerance_for", "op_inputs", "SHAPES", "DTYPES"]

#: op class -> tolerance for float results (integers and booleans are always exact)
TOLERANCE_POLICY: dict[str, str] = {
    "exact": "bit-exact for every dtype",
    "ieee": "within 1 ULP (correctly rounded IEEE ops)",
    "approx": "the SDK's per-dtype tolerance (reference.default_tolerance)",
}

DTYPES: dict[str, np.dtype] = {
    "f32": np.dtype(np.float32), "f16": np.dtype(np.float16), "bf16": np.dtype(ml_dtypes.bfloat16),
    "i32": np.dtype(np.int32), "i8": np.dtype(np.int8), "i1": np.dtype(np.bool_),
}  # fmt: skip
FLOATS = ("f32", "f16", "bf16")
INTS = ("i32", "i8")
#: shapes every elementwise op is tried at
SHAPES: dict[str, tuple[int, ...]] = {"scalar": (), "1x1": (1, 1), "0x3": (0, 3), "17x33": (17, 33), "2x1x5": (2, 1, 5)}


@dataclass(frozen=True)
class OpSpec:
    """One row of the matrix: the StableHLO op it exercises and how to build and feed it."""

    op: str  # StableHLO op name (without the dialect), the coverage matrix's row
    kind: str  # tolerance class: exact | ieee | approx
    fn: Callable[..., object]  # JAX function of `arity` arrays
    dtypes: tuple[str, ...]
    arity: int = 1
    domain: str = "any"  # any | positive | nonzero-second | shift
    shapes: tuple[str, ...] = tuple(SHAPES)
    # explicit argument shapes per shape key (default: every argument takes SHAPES[key])
    arg_shapes: Callable[[tuple[int, ...]], Sequence[tuple[int, ...]]] | None = None


def tolerance_for(spec: OpSpec, dtype: np.dtype) -> Tolerance:
    """The policy's tolerance for one output of `spec` with element type `dtype`."""
    if dtype.kind in "biu" or spec.kind == "exact":
        return Tolerance("exact")
    if spec.kind == "ieee":
        return Tolerance("ulp", ulp=1)
    return default_tolerance(dtype)


def op_inputs(spec: OpSpec, dtype: np.dtype, shapes: Sequence[tuple[int, ...]], seed: int) -> list[np.ndarray]:
    """Deterministic inputs for `spec` in its domain."""
    rng = np.random.default_rng(seed)
    out = []
    for i, shape in enumerate(shapes):
        if dtype == np.bool_:
            x = rng.random(shape) < 0.5
        elif dtype.kind in "iu":
            lo, hi = (0, 7) if (spec.domain == "shift" and i == 1) else (-50, 50)
            x = rng.integers(lo, hi, shape)
            if spec.domain == "nonzero-second" and i == 1:
                x = np.where(x == 0, 3, x)
        else:
            x = rng.standard_normal(shape) * 2
            if spec.domain == "positive":
                x = np.abs(x) + 0.1
            if spec.domain == "nonzero-second" and i == 1:
                x = np.where(np.abs(x) < 0.1, 0.5, x)
        out.append(np.asarray(x).astype(dtype))
    return out


def _matrix() -> list[OpSpec]:
    import jax.numpy as jnp
    from jax import lax

    everything = (*FLOATS, *INTS)
    elementwise: list[OpSpec] = [
        OpSpec("abs", "exact", jnp.abs, everything),
        OpSpec("negate", "exact", jnp.negative, everything),
        OpSpec("exponential", "approx", jnp.exp, FLOATS),
        OpSpec("log", "approx", jnp.log, FLOATS, domain="positive"),
        OpSpec("tanh", "approx", jnp.tanh, FLOATS),
        OpSpec("logistic", "approx", lax.logistic, FLOATS),
        OpSpec("sine", "approx", jnp.sin, FLOATS),
        OpSpec("sqrt", "ieee", jnp.sqrt, FLOATS, domain="positive"),
        OpSpec("rsqrt", "approx", lax.rsqrt, FLOATS, domain="positive"),
        OpSpec("floor", "exact", jnp.floor, FLOATS),
        OpSpec("not", "exact", lax.bitwise_not, (*INTS, "i1")),
        OpSpec("add", "ieee", jnp.add, everything, arity=2),
        OpSpec("subtract", "ieee", jnp.subtract, everything, arity=2),
        OpSpec("multiply", "ieee", jnp.multiply, everything, arity=2),
        OpSpec("divide", "ieee", lax.div, everything, arity=2, domain="nonzero-second"),
        OpSpec("remainder", "exact", lax.rem, (*FLOATS, *INTS), arity=2, domain="nonzero-second"),
        OpSpec("maximum", "exact", jnp.maximum, everything, arity=2),
        OpSpec("minimum", "exact", jnp.minimum, everything, arity=2),
        OpSpec("power", "approx", lax.pow, FLOATS, arity=2, domain="positive"),
        OpSpec("and", "exact", lax.bitwise_and, (*INTS, "i1"), arity=2),
        OpSpec("xor", "exact", lax.bitwise_xor, (*INTS, "i1"), arity=2),
        OpSpec("shift_left", "exact", lax.shift_left, INTS, arity=2, domain="shift"),
        OpSpec("compare", "exact", lambda a, b: a < b, everything, arity=2),
        OpSpec("select", "exact", lambda a, b: jnp.where(a > b, a, b), everything, arity=2),
        OpSpec("clamp", "exact", lambda a: jnp.clip(a, -1, 1), everything),
        OpSpec("convert", "exact", lambda a: a.astype(jnp.float32) if a.dtype != jnp.float32 else a.astype(jnp.int32), everything),
    ]
    two_d = ("1x1", "0x3", "17x33")
    structural: list[OpSpec] = [
        OpSpec("transpose", "exact", lambda a: a.T, everything, shapes=two_d),
        OpSpec("reshape", "exact", lambda a: a.reshape(-1), everything, shapes=two_d),
        OpSpec("broadcast_in_dim", "exact", lambda a: jnp.broadcast_to(a, (3, *a.shape)), everything, shapes=("scalar", *two_d)),
        OpSpec("slice", "exact", lambda a: a[:, 1::2], everything, shapes=("1x1", "17x33")),
        OpSpec("concatenate", "exact", lambda a, b: jnp.concatenate([a, b], axis=-1), everything, arity=2, shapes=two_d),
        OpSpec("pad", "exact", lambda a: jnp.pad(a, ((1, 2), (0, 3))), everything, shapes=two_d),
        OpSpec("reverse", "exact", lambda a: a[::-1], everything, shapes=two_d),
        OpSpec("reduce", "approx", lambda a: jnp.sum(a, axis=-1), everything, shapes=two_d),
        OpSpec("reduce_max", "exact", lambda a: jnp.max(a, axis=-1), everything, shapes=("1x1", "17x33")),
        OpSpec("dot_general", "approx", lambda a, b: a @ b, ("f32", "f16", "bf16", "i32"), arity=2, shapes=("1x1", "0x3", "17x33"),
               arg_shapes=lambda s: (s, (s[-1], 5))),
    ]  # fmt: skip
    return elementwise + structural


@functools.cache
def op_matrix() -> tuple[OpSpec, ...]:
    """The matrix (built on first use: it imports JAX)."""
    return tuple(_matrix())
