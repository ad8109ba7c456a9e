"""Branch-free f32 ``exp`` and ``tanh`` in plain LLVM arithmetic, so the loop vectorizer can
vectorise them (a call to ``llvm.exp`` or libm's ``tanhf`` is scalarised: one call per element).
Kernels that use them are bound by this arithmetic, not by memory (a 16M-element ``tanh`` costs
twice a plain multiply-add's time), so every instruction a lane counts.

Accuracy, measured against float64 over dense sweeps (``tests/targets/test_cpu_vecmath.py``):
``exp`` within 1.25 ULP for normal results (subnormal results within one subnormal step),
``tanh`` within 1.5 ULP. NaN propagates; ``exp(+inf) = inf``, ``exp(-inf) = 0``, ``tanh(+-inf) = +-1``.

- ``e^(s c) = 2^n e^u`` (`_exp_reduced`): ``n = round(s c log2 e)`` by adding 1.5 * 2^23, which
  also leaves ``n`` in the sum's low bits; ``u = s c - n ln 2`` (Cody-Waite, ln 2 split in a high
  part exact in f32 and a low part); ``e^u`` on ``|u| <= ln2 / 2`` a degree-6 minimax polynomial
  (f32 coefficients, 0.06 ULP).
- ``exp(x)``: ``x`` clamped to [-104, 89] (beyond it the result is 0 or inf anyway; a NaN passes
  the clamps and the arithmetic), ``2^n`` as two exponent-field scalings, so results down in the
  subnormal range and up to overflow come out right.
- ``tanh(x)``: for ``|x| < 0.625``, ``x + x^3 q(x^2)`` with ``q`` of degree 5 (a least-squares fit
  on Chebyshev nodes); otherwise ``sign(x) (1 - 2 / (e^(2|x|) + 1))``. Both are computed and
  selected, so there is no branch. The large side clamps ``|x|`` to 10 (``tanh`` rounds to 1 from
  9.02 on), so ``2^n`` is one exponent-field scaling.
"""

from __future__ import annotations

from collections.abc import Callable

import llvmlite.ir as ll

__all__ = ["exp_f32", "tanh_f32"]

F32, I32 = ll.FloatType(), ll.IntType(32)
Intrinsic = Callable[[str, int], ll.Function]  # (llvm intrinsic name, arity) -> its f32 declaration

_LOG2E = 1.4426950408889634
_LN2_HI = 0.693145751953125  # ln 2 with its low 12 mantissa bits zero: n * _LN2_HI is exact for |n| < 2^12
_LN2_LO = 1.428606765330187e-06  # ln 2 - _LN2_HI
_ROUND = 12582912.0  # 1.5 * 2^23: y + _ROUND rounds y (|y| < 2^22) to an integer n, ties to even; its bits are _ROUND's + n
_ROUND_BITS = 0x4B400000
_EXP_P = [1.0, 1.0, 0.5, 0.16666534543037415, 0.04166724532842636, 0.008367440663278103,
          0.0013863143976777792]  # e^u on |u| <= ln2 / 2: minimax, fitted one f32 coefficient at a time # fmt: skip
_EXP_RANGE = (-104.0, 89.0)
_TANH_SMALL = 0.625
_TANH_CLAMP = 10.0
_TANH_Q = [-0.3333333432674408, 0.13333304226398468, -0.053959403187036514, 0.021769944578409195,
           -0.008346936665475368, 0.002295797225087881]  # fmt: skip


def _c(v: float) -> ll.Constant:
    return ll.Constant(F32, float(v))


def _i(v: int) -> ll.Constant:
    return ll.Constant(I32, v)


def _horner(b: ll.IRBuilder, fma: ll.Function, x: ll.Value, coefficients: list[float]) -> ll.Value:
    """sum(c[i] x^i), evaluated with fused multiply-adds."""
    acc: ll.Value = _c(coefficients[-1])
    for c in reversed(coefficients[:-1]):
        acc = b.call(fma, [acc, x, _c(c)])
    return acc


def _exp_reduced(b: ll.IRBuilder, fma: ll.Function, c: ll.Value, s: float) -> tuple[ll.Value, ll.Value]:
    """(e^u, n) with e^(s c) = 2^n e^u, `n` an i32 read from the rounding sum's low bits (defined
    even for a NaN `c`, where converting the float would give poison). The polynomial takes
    h = u / s (its coefficient k scaled by s^k, exact for s = 1, 2)."""
    k = b.call(fma, [c, _c(s * _LOG2E), _c(_ROUND)])
    n = b.fsub(k, _c(_ROUND))
    h = b.call(fma, [n, _c(-_LN2_HI / s), c])
    h = b.call(fma, [n, _c(-_LN2_LO / s), h])
    return _horner(b, fma, h, [v * s**j for j, v in enumerate(_EXP_P)]), b.sub(b.bitcast(k, I32), _i(_ROUND_BITS))


def _two_to(b: ll.IRBuilder, n: ll.Value) -> ll.Value:
    """2^n as f32 for an i32 n in [-126, 127]."""
    return b.bitcast(b.shl(b.add(n, _i(127)), _i(23)), F32)


def exp_f32(b: ll.IRBuilder, x: ll.Value, intrinsic: Intrinsic) -> ll.Value:
    """e^x for an f32 `x`."""
    lo, hi = _EXP_RANGE  # unordered compares: a NaN x passes both clamps, and the arithmetic keeps it
    c = b.select(b.fcmp_unordered(">=", x, _c(lo)), x, _c(lo))
    c = b.select(b.fcmp_unordered("<=", c, _c(hi)), c, _c(hi))
    p, n = _exp_reduced(b, intrinsic("llvm.fma", 3), c, 1.0)
    half = b.ashr(n, _i(1))  # n in [-150, 128]: two scalings, each in range
    return b.fmul(b.fmul(p, _two_to(b, half)), _two_to(b, b.sub(n, half)))


def tanh_f32(b: ll.IRBuilder, x: ll.Value, intrinsic: Intrinsic) -> ll.Value:
    """tanh(x) for an f32 `x`."""
    fma = intrinsic("llvm.fma", 3)
    a = b.call(intrinsic("llvm.fabs", 1), [x])
    s = b.fmul(x, x)
    small = b.call(fma, [b.fmul(x, s), _horner(b, fma, s, _TANH_Q), x])
    # A NaN x clamps to 10 here, and the select below takes `small` (NaN) for it.
    c = b.select(b.fcmp_ordered("<", a, _c(_TANH_CLAMP)), a, _c(_TANH_CLAMP))
    p, n = _exp_reduced(b, fma, c, 2.0)  # n <= 29
    large = b.fsub(_c(1.0), b.fdiv(_c(2.0), b.fadd(b.fmul(p, _two_to(b, n)), _c(1.0))))
    # tanh is odd: the sign is x's (this also keeps tanh(-0) = -0, which the fma would lose)
    return b.call(intrinsic("llvm.copysign", 2), [b.select(b.fcmp_unordered("<", a, _c(_TANH_SMALL)), small, large), x])
