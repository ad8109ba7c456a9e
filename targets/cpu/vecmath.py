"""Branch-free f32 ``exp`` and ``tanh`` in plain LLVM arithmetic, so the loop vectorizer can
vectorise them (a call to ``llvm.exp`` or libm's ``tanhf`` is scalarised: one call per element).

Accuracy, measured against float64 over dense sweeps (``tests/targets/test_cpu_vecmath.py``):
``exp`` within 1.25 ULP for normal results (subnormal results within one subnormal step),
``tanh`` within 1.5 ULP. NaN propagates; ``exp(+inf) = inf``, ``exp(-inf) = 0``, ``tanh(+-inf) = +-1``.

- ``exp(x) = 2^n * p(r)``: ``n = roundeven(x log2 e)``, ``r = x - n ln 2`` (Cody-Waite, ln 2 split
  in a high part exact in f32 and a low part), ``p`` the degree-7 Taylor polynomial of ``e^r`` on
  ``|r| <= ln2 / 2`` (truncation below 0.1 ULP). ``2^n`` is two exponent-field scalings, so results
  down in the subnormal range and up to overflow come out right; ``x`` is clamped to
  [-104, 89] first (beyond it the result is 0 or inf anyway).
- ``tanh(x)``: for ``|x| < 0.625``, ``x + x^3 q(x^2)`` with ``q`` of degree 5 (a least-squares fit
  on Chebyshev nodes); otherwise ``sign(x) (1 - 2 / (exp(2|x|) + 1))``. Both are computed and
  selected, so there is no branch.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import llvmlite.ir as ll

__all__ = ["exp_f32", "tanh_f32"]

F32, I32 = ll.FloatType(), ll.IntType(32)
Intrinsic = Callable[[str, int], ll.Function]  # (llvm intrinsic name, arity) -> its f32 declaration

_LOG2E = 1.4426950408889634
_LN2_HI = 0.693145751953125  # ln 2 with its low 12 mantissa bits zero: n * _LN2_HI is exact for |n| < 2^12
_LN2_LO = 1.428606765330187e-06  # ln 2 - _LN2_HI
_EXP_TAYLOR = [1 / math.factorial(i) for i in range(8)]
_TANH_SMALL = 0.625
_TANH_Q = [-0.3333333432674408, 0.13333304226398468, -0.053959403187036514, 0.021769944578409195,
           -0.008346936665475368, 0.002295797225087881]  # fmt: skip


def _c(v: float) -> ll.Constant:
    return ll.Constant(F32, float(v))


def _horner(b: ll.IRBuilder, fma: ll.Function, x: ll.Value, coefficients: list[float]) -> ll.Value:
    """sum(c[i] x^i), evaluated with fused multiply-adds."""
    acc: ll.Value = _c(coefficients[-1])
    for c in reversed(coefficients[:-1]):
        acc = b.call(fma, [acc, x, _c(c)])
    return acc


def exp_f32(b: ll.IRBuilder, x: ll.Value, intrinsic: Intrinsic) -> ll.Value:
    """e^x for an f32 `x`."""
    fma = intrinsic("llvm.fma", 3)
    nan = b.fcmp_unordered("uno", x, x)
    clamped = b.call(intrinsic("llvm.minnum", 2), [b.call(intrinsic("llvm.maxnum", 2), [x, _c(-104.0)]), _c(89.0)])
    n = b.call(intrinsic("llvm.roundeven", 1), [b.fmul(clamped, _c(_LOG2E))])
    r = b.call(fma, [n, _c(-_LN2_HI), clamped])
    r = b.call(fma, [n, _c(-_LN2_LO), r])
    p = _horner(b, fma, r, _EXP_TAYLOR)
    ni = b.fptosi(n, I32)
    half = b.ashr(ni, ll.Constant(I32, 1))
    rest = b.sub(ni, half)

    def two_to(k: ll.Value) -> ll.Value:  # 2^k as f32 for k in [-126, 127]
        return b.bitcast(b.shl(b.add(k, ll.Constant(I32, 127)), ll.Constant(I32, 23)), F32)

    result = b.fmul(b.fmul(p, two_to(half)), two_to(rest))
    return b.select(nan, x, result)


def tanh_f32(b: ll.IRBuilder, x: ll.Value, intrinsic: Intrinsic) -> ll.Value:
    """tanh(x) for an f32 `x`."""
    fma = intrinsic("llvm.fma", 3)
    a = b.call(intrinsic("llvm.fabs", 1), [x])
    s = b.fmul(x, x)
    small = b.call(fma, [b.fmul(x, s), _horner(b, fma, s, _TANH_Q), x])
    e = exp_f32(b, b.fmul(a, _c(2.0)), intrinsic)
    large = b.fsub(_c(1.0), b.fdiv(_c(2.0), b.fadd(e, _c(1.0))))
    # tanh is odd: the sign is x's (this also keeps tanh(-0) = -0, which the fma would lose)
    return b.call(intrinsic("llvm.copysign", 2), [b.select(b.fcmp_ordered("<", a, _c(_TANH_SMALL)), small, large), x])
