"""Kernel IR: what a backend receives. Plain, frozen Python data with a readable text form.

A :class:`Kernel` is a small dataflow graph over tensors: its ``params`` are the tensors it
reads, ``results`` the tensors it produces, and ``ops`` (in order) one of

* :class:`Loop` -- a perfectly nested loop over an iteration ``domain``; each dim is
  ``parallel`` or ``reduction``. Every operand is read (and every output written) through an
  affine indexing map of the loop dims. The ``body`` is a scalar expression DAG
  (:class:`Expr` nodes) per output; outputs start from their ``init`` tensor, so reductions
  read the running value as ``Arg(k)`` with k >= len(inputs). ``name`` is the library-op
  name (``matmul``, ``batch_matmul``, ``conv_2d_nhwc_hwcf``, ``pooling_nhwc_max``, ``fill``,
  ...) or ``generic``: a backend may map named loops to library routines.
* :class:`View` -- a data-movement op with no arithmetic: ``reshape`` (collapse/expand),
  ``slice`` (offsets/sizes/strides), ``insert_slice``, ``pad`` (constant padding value),
  ``bitcast`` (same bits, other signedness: signless <-> unsigned).
* :class:`Empty` -- a tensor whose contents are undefined (an output's init).
* :class:`Const` -- a constant tensor (weights); ``value`` is a NumPy array.
* :class:`HostOp` -- a StableHLO op that has no loop form (while, sort, scatter, fft, ...),
  kept as MLIR text; backends run it on the host or reject it with UnsupportedOpError.

Scalar expression nodes (:class:`Expr`): ``Arg(k)`` (operand k's element at its map),
``Index(d)`` (the loop counter of dim d), ``Lit(value, type)``, ``Op(name, args, type)``,
``Extract(k, indices)`` (an indirect read of whole-tensor operand k, as gather does), and
``Cond(cond, then, else)``. The op names and their semantics are in :data:`SCALAR_OPS`.

Types are MLIR element type names: ``f32``, ``bf16``, ``i8`` (signless), ``i1``, ``index``,
``complex<f32>``; tensors are :class:`TensorType`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Union

import numpy as np

__all__ = [
    "TensorType", "AffineExpr", "Dim", "Cst", "AffineBin", "AffineMap",
    "Expr", "Arg", "Index", "Lit", "Op", "Extract", "Cond",
    "Loop", "View", "Empty", "Const", "HostOp", "KernelOp", "Kernel", "SCALAR_OPS", "window",
    "ConvGeometry", "conv_geometry", "Contraction", "contraction", "StridedContraction", "strided_contraction",
    "ASSOCIATIVE_OPS", "SELF_ROUNDING_OPS", "reads_outputs", "accumulations",
]  # fmt: skip


@dataclass(frozen=True)
class TensorType:
    shape: tuple[int, ...]
    element: str

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def __str__(self) -> str:
        return "tensor<" + "".join(f"{d}x" for d in self.shape) + self.element + ">"


# ---------------------------------------------------------------------------- affine maps


@dataclass(frozen=True)
class Dim:
    index: int

    def __str__(self) -> str:
        return f"d{self.index}"


@dataclass(frozen=True)
class Cst:
    value: int

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class AffineBin:
    kind: str  # "+", "*", "floordiv", "ceildiv", "mod"
    lhs: AffineExpr
    rhs: AffineExpr

    def __str__(self) -> str:
        return f"({self.lhs} {self.kind} {self.rhs})"


AffineExpr = Union[Dim, Cst, AffineBin]


@dataclass(frozen=True)
class AffineMap:
    n_dims: int
    results: tuple[AffineExpr, ...]

    def __str__(self) -> str:
        dims = ", ".join(f"d{i}" for i in range(self.n_dims))
        return f"({dims}) -> ({', '.join(str(r) for r in self.results)})"

    def dims_used(self) -> set[int]:
        used: set[int] = set()
        for r in self.results:
            used |= _dims_of(r)
        return used

    def is_identity(self) -> bool:
        return self.results == tuple(Dim(i) for i in range(self.n_dims))

    def row_local(self) -> bool:
        """Whether the first result is d0 and no other result uses d0: iteration d0 = r touches
        only index r of the tensor's first dim."""
        return bool(self.results) and self.results[0] == Dim(0) and all(0 not in _dims_of(r) for r in self.results[1:])


def _dims_of(e: AffineExpr) -> set[int]:
    if isinstance(e, Dim):
        return {e.index}
    if isinstance(e, AffineBin):
        return _dims_of(e.lhs) | _dims_of(e.rhs)
    return set()


# ---------------------------------------------------------------------------- scalar bodies


@dataclass(frozen=True)
class Arg:
    index: int
    type: str


@dataclass(frozen=True)
class Index:
    dim: int
    type: str = "index"


@dataclass(frozen=True)
class Lit:
    value: object  # Python int/float/bool/complex
    type: str


@dataclass(frozen=True)
class Op:
    name: str
    args: tuple[Expr, ...]
    type: str


@dataclass(frozen=True)
class Extract:
    operand: int  # index into the Loop's `extra` whole-tensor operands
    indices: tuple[Expr, ...]
    type: str


@dataclass(frozen=True)
class Cond:
    cond: Expr
    then: tuple[Expr, ...]
    otherwise: tuple[Expr, ...]
    result: int  # which of the branch values this node stands for
    type: str


Expr = Union[Arg, Index, Lit, Op, Extract, Cond]

#: The documented scalar op set: name -> one-line semantics. Integer ops act on signless
#: two's-complement values; the `s`/`u` suffix says how the bits are read.
SCALAR_OPS: dict[str, str] = {
    # arithmetic (float, integer or complex as the type says)
    "add": "a + b", "sub": "a - b", "mul": "a * b", "neg": "-a",
    "divf": "a / b (IEEE)", "divs": "a / b rounding toward zero (signed; b = 0 gives a, INT_MIN / -1 gives INT_MIN)",
    "divu": "a / b (unsigned; b = 0 gives a)",
    "floordivs": "a / b rounding toward -inf (signed)", "ceildivs": "a / b rounding toward +inf (signed)",
    "mods": "a mod b, sign of b (signed, floor)",
    "remf": "fmod(a, b)", "rems": "a rem b, sign of a (signed; b = 0 gives 0)", "remu": "a rem b (unsigned; b = 0 gives 0)",
    "maximumf": "max, NaN-propagating", "minimumf": "min, NaN-propagating",
    "maxnumf": "max, NaN-ignoring", "minnumf": "min, NaN-ignoring",
    "maxs": "signed max", "mins": "signed min", "maxu": "unsigned max", "minu": "unsigned min",
    "and": "bitwise and", "or": "bitwise or", "xor": "bitwise xor",
    "shl": "a << b (0 when b >= width)", "shrs": "arithmetic a >> b", "shru": "logical a >> b",
    "absf": "|a|", "absi": "|a| (wrapping)", "ctpop": "population count", "ctlz": "count leading zeros",
    "copysign": "magnitude of a, sign of b", "powf": "a ** b", "atan2": "atan2(a, b)",
    "exp": "e ** a", "expm1": "e ** a - 1", "log": "ln a", "log1p": "ln(1 + a)",
    "sqrt": "sqrt a", "rsqrt": "1 / sqrt a", "cbrt": "cube root", "sin": "sin a", "cos": "cos a",
    "tan": "tan a", "tanh": "tanh a", "erf": "erf a", "floor": "floor a", "ceil": "ceil a",
    "roundeven": "round half to even", "round": "round half away from zero",
    "select": "c ? a : b",
    # comparisons (result i1); predicates as in arith.cmpf / arith.cmpi
    **{f"cmpf.{p}": f"float compare {p}" for p in
       ("false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord", "ueq", "ugt", "uge", "ult", "ule", "une", "uno", "true")},
    **{f"cmpi.{p}": f"integer compare {p}" for p in ("eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge")},
    # conversions (result type is the node's type)
    "sitofp": "signed int -> float", "uitofp": "unsigned int -> float",
    "fptosi": "float -> signed int (toward zero)", "fptoui": "float -> unsigned int (toward zero)",
    "extf": "widen float", "truncf": "narrow float (round to nearest even)",
    "extsi": "sign-extend", "extui": "zero-extend", "trunci": "keep low bits",
    "bitcast": "same bits, other type", "index_cast": "signed int <-> index", "index_castui": "unsigned int <-> index",
    # complex
    "complex": "complex(re, im)", "re": "real part", "im": "imaginary part", "cabs": "|z|",
    "conj": "complex conjugate",
}  # fmt: skip


#: Scalar ops whose f16 / bf16 result a code generator that computes those types in f32 must not
#: round again: they only move bits (select, bitcast) or round to the result type themselves.
SELF_ROUNDING_OPS = frozenset({"select", "bitcast", "extf", "truncf", "sitofp", "uitofp"})

#: Scalar ops that are associative and commutative (float add / mul up to rounding): a loop whose
#: body combines its accumulator with one of them may regroup its reduction.
ASSOCIATIVE_OPS = frozenset({"add", "mul", "maximumf", "minimumf", "maxnumf", "minnumf", "maxs", "mins", "maxu", "minu", "and", "or", "xor"})


def reads_outputs(e: Expr, n_in: int, seen: set[int] | None = None) -> bool:
    """Whether expression `e` reads an output operand (``Arg(k)`` with k >= `n_in`: a running value)."""
    seen = set() if seen is None else seen
    if id(e) in seen:
        return False
    seen.add(id(e))
    if isinstance(e, Arg):
        return e.index >= n_in
    children = e.args if isinstance(e, Op) else e.indices if isinstance(e, Extract) else \
        (e.cond, *e.then, *e.otherwise) if isinstance(e, Cond) else ()  # fmt: skip
    return any(reads_outputs(x, n_in, seen) for x in children)


# ---------------------------------------------------------------------------- tensor ops


@dataclass(frozen=True)
class Loop:
    """A loop nest; see the module docstring."""

    name: str
    domain: tuple[int, ...]
    iterators: tuple[str, ...]  # "parallel" | "reduction" per dim
    inputs: tuple[str, ...]  # tensor value names
    outputs: tuple[str, ...]  # init tensors (read by reductions, overwritten otherwise)
    maps: tuple[AffineMap, ...]  # one per input, then one per output
    body: tuple[Expr, ...]  # one per output
    results: tuple[str, ...]
    extra: tuple[str, ...] = ()  # whole tensors read through Extract
    loc: str = ""
    annotations: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def parallel_dims(self) -> list[int]:
        return [d for d, it in enumerate(self.iterators) if it == "parallel"]

    @property
    def reduction_dims(self) -> list[int]:
        return [d for d, it in enumerate(self.iterators) if it == "reduction"]

    def init_copy_needed(self, buffers: object) -> bool:
        """True when the tensor stage made this loop start from a copy of its init."""
        copies = getattr(buffers, "init_copies", {}) or {}
        return any(r in copies for r in self.results)


@dataclass(frozen=True)
class View:
    """Data movement without arithmetic; see the module docstring."""

    kind: str  # "reshape", "slice", "insert_slice", "pad", "bitcast"
    operands: tuple[str, ...]
    result: str
    attrs: dict[str, object] = field(default_factory=dict, hash=False)
    loc: str = ""


@dataclass(frozen=True)
class Empty:
    result: str


@dataclass(frozen=True, eq=False)
class Const:
    result: str
    value: np.ndarray


@dataclass(frozen=True)
class HostOp:
    """A StableHLO op with no loop form, kept as a self-contained MLIR function (text)."""

    name: str  # e.g. "stablehlo.sort"
    operands: tuple[str, ...]
    results: tuple[str, ...]
    module: str  # MLIR text of a module whose @main runs just this op
    loc: str = ""


KernelOp = Union[Loop, View, Empty, Const, HostOp]

def accumulations(loop: Loop) -> list[tuple[str, Expr]] | None:
    """[(op, f)] per output when each body is ``acc_k <op> f`` with `op` in :data:`ASSOCIATIVE_OPS`
    and `f` free of running values (so the reduction may be regrouped), else None."""
    n_in = len(loop.inputs)
    plan = []
    for k, e in enumerate(loop.body):
        if not (isinstance(e, Op) and e.name in ASSOCIATIVE_OPS and len(e.args) == 2):
            return None
        acc = Arg(n_in + k, e.type)
        lhs, rhs = e.args
        other = rhs if lhs == acc else lhs if rhs == acc else None
        if other is None or reads_outputs(other, n_in):
            return None
        plan.append((e.name, other))
    return plan


@dataclass(frozen=True)
class Contraction:
    """``C[b, M, N] += A[b, M, K] @ B[b, K, N]`` (or ``B[b, N, K]`` read transposed) over `batch`
    row-major slices of A, B and C; a batch of 1 is a plain matmul."""

    batch: int
    m: int
    k: int
    n: int
    b_transposed: bool = False


def contraction(loop: Loop, types: dict[str, TensorType]) -> Contraction | None:
    """The contraction `loop` computes on row-major buffers, else None.

    One reduction dim k; the output map is the parallel dims in order; B's map is its leading
    (batch) parallel dims, then (k, the last parallel dim) or, transposed, (the last parallel
    dim, k); A's map is every parallel dim but the last, then k (the dims between the batch dims
    and k flatten into M); the body is ``acc + a * b``, where A and B share one element type and
    may be widened (``extsi`` / ``extf``) to the output's.
    """
    if len(loop.inputs) != 2 or len(loop.results) != 1 or loop.extra or len(loop.reduction_dims) != 1:
        return None
    (k,) = loop.reduction_dims
    par = loop.parallel_dims
    if len(par) < 2:
        return None
    a_map, b_map, c_map = loop.maps
    dims = lambda m: [r.index if isinstance(r, Dim) else None for r in m.results]  # noqa: E731
    nb = len(b_map.results) - 2
    if nb < 0 or dims(c_map) != par or dims(a_map) != [*par[:-1], k] or dims(b_map)[:nb] != par[:nb] or nb > len(par) - 2:
        return None
    if dims(b_map)[nb:] not in ([k, par[-1]], [par[-1], k]):
        return None
    if not _sums_input_products(loop, types):
        return None
    size = lambda ds: int(np.prod([loop.domain[d] for d in ds], dtype=np.int64))  # noqa: E731
    return Contraction(size(par[:nb]), size(par[nb:-1]), loop.domain[k], loop.domain[par[-1]], dims(b_map)[nb] != k)


@dataclass(frozen=True)
class StridedContraction:
    """``C[i..., m, n] += sum over k of A[i..., m, k] * B[i..., k, n]`` where A, B and C are strided
    views of the loop's row-major operands (a transpose, a head split or a broadcast of B over a
    batch is only other strides): each of m, k, n is one loop dim or several that collapse into
    one in both operands that hold them; every other parallel dim is a batch axis (outermost in C
    first). Strides are in elements, per axis of ``(*batch, m, k)``, ``(*batch, k, n)`` and
    ``(*batch, m, n)``; a batch axis B does not hold has stride 0 there. `rows` is C's first tensor
    dim as an axis of those views: ``("batch", i)``, ``("m", rows_per_unit)`` when it is the
    outermost dim of m, else None (it is in n)."""

    batch: tuple[int, ...]
    m: int
    k: int
    n: int
    a_strides: tuple[int, ...]
    b_strides: tuple[int, ...]
    c_strides: tuple[int, ...]
    rows: tuple[str, int] | None


def _sums_input_products(loop: Loop, types: dict[str, TensorType]) -> bool:
    """Whether the body is ``acc + in0 * in1`` (maybe widened) over inputs of one element type."""
    factors = _accumulated_product(loop)
    if factors is None or {a.index for a in factors if isinstance(a, Arg)} != {0, 1}:
        return False
    return len({types[n].element for n in loop.inputs}) == 1


def _row_major_strides(shape: tuple[int, ...]) -> list[int]:
    return [int(np.prod(shape[j + 1 :], dtype=np.int64)) for j in range(len(shape))]


def _collapse(dims: list[int], extent: dict[int, int], strides: list[dict[int, int]]) -> list[list[int]]:
    """`dims` (outermost first) in groups of consecutive dims that are one axis in every operand
    of `strides` (loop dim -> element stride): the outer's stride is the inner's times its extent."""
    groups: list[list[int]] = []
    for d in dims:
        if groups and all(s[groups[-1][-1]] == s[d] * extent[d] for s in strides):
            groups[-1].append(d)
        else:
            groups.append([d])
    return groups


def strided_contraction(loop: Loop, types: dict[str, TensorType]) -> StridedContraction | None:
    """`loop` as a contraction over strided views of its operands (see
    :class:`StridedContraction`), else None. Every map is a permutation of some loop dims (no
    expression, no repeat); one reduction dim; every parallel dim is in C and in A or B; the body
    is ``acc + a * b`` over one input element type (widening allowed); and each view's matrix
    has a unit-stride axis (as BLAS needs: lda, ldb, ldc are the other stride)."""
    if len(loop.inputs) != 2 or len(loop.results) != 1 or loop.extra or len(loop.reduction_dims) != 1 or not loop.outputs:
        return None
    if not _sums_input_products(loop, types):
        return None
    maps = loop.maps
    if not all(isinstance(r, Dim) for m in maps for r in m.results) or any(len(m.dims_used()) != len(m.results) for m in maps):
        return None
    (k,) = loop.reduction_dims
    par = loop.parallel_dims
    names = (*loop.inputs, loop.outputs[0])
    strides: list[dict[int, int]] = []
    for name, m in zip(names, maps):
        shape = types[name].shape
        if len(shape) != len(m.results) or any(loop.domain[r.index] > shape[j] for j, r in enumerate(m.results)):  # type: ignore[union-attr]
            return None
        strides.append({r.index: st for r, st in zip(m.results, _row_major_strides(shape))})  # type: ignore[union-attr]
    a, b, c = strides
    if set(c) != set(par) or k not in a or k not in b or k in c:
        return None
    if any(d not in a and d not in b for d in par):
        return None  # C broadcast along a dim neither operand has
    extent = dict(enumerate(loop.domain))
    by_c = sorted(par, key=lambda d: -c[d])  # outermost in C first
    m_groups = _collapse([d for d in by_c if d in a and d not in b], extent, [a, c])
    n_groups = _collapse([d for d in by_c if d in b and d not in a], extent, [b, c])
    if not m_groups or not n_groups:
        return None
    m_dims, n_dims = m_groups[-1], n_groups[-1]
    batch_axes = sorted([[d] for d in by_c if d in a and d in b] + m_groups[:-1] + n_groups[:-1], key=lambda g: -c[g[0]])
    size = lambda g: int(np.prod([extent[d] for d in g], dtype=np.int64))  # noqa: E731
    stride = lambda s, g: s.get(g[-1], 0)  # noqa: E731  (a group's stride is its innermost dim's)
    ax_m, ax_n, ax_k = size(m_dims), size(n_dims), extent[k]
    a_st = (*[stride(a, g) for g in batch_axes], stride(a, m_dims), a[k])
    b_st = (*[stride(b, g) for g in batch_axes], b[k], stride(b, n_dims))
    c_st = (*[stride(c, g) for g in batch_axes], stride(c, m_dims), stride(c, n_dims))
    for (s0, s1), (e0, e1) in (((a_st[-2], a_st[-1]), (ax_m, ax_k)), ((b_st[-2], b_st[-1]), (ax_k, ax_n)), ((c_st[-2], c_st[-1]), (ax_m, ax_n))):
        if not ((s1 == 1 and s0 >= e1) or (s0 == 1 and s1 >= e0)):
            return None
    first = maps[2].results[0].index  # type: ignore[union-attr]  (C holds m and n: not 0-d)
    at = [i for i, g in enumerate(batch_axes) if g == [first]]
    rows = ("batch", at[0]) if at else ("m", ax_m // extent[first]) if m_dims[0] == first else None
    return StridedContraction(tuple(size(g) for g in batch_axes), ax_m, ax_k, ax_n, a_st, b_st, c_st, rows)


@dataclass(frozen=True)
class ConvGeometry:
    """A 2-D convolution ``out[n, oh, ow, f] = sum over kh, kw, c of image[n, oh * stride[0] + kh *
    dilation[0] - pad[0], ow * stride[1] + kw * dilation[1] - pad[1], c] * filter[kh, kw, c, f]``
    (NHWC image, HWIO filter, NHWC output; image reads outside the image are zero)."""

    image: tuple[int, int, int, int]  # N, H, W, C
    filter: tuple[int, int, int, int]  # KH, KW, C, F
    output: tuple[int, int, int, int]  # N, OH, OW, F
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pad: tuple[int, int]  # zero rows above / columns left of the image (those below / right follow)
    image_name: str  # the tensor value read as the image (a loop input or its `extra` operand)
    filter_name: str


_Linear = tuple[dict[int, int], int]  # (coefficient per loop dim, constant)


def _linear(e: object) -> _Linear | None:
    """`e` (an index expression or an affine map result) as a linear form of the loop dims."""
    if isinstance(e, (Index, Dim)):
        return {e.dim if isinstance(e, Index) else e.index: 1}, 0
    if isinstance(e, (Lit, Cst)) and isinstance(e.value, int):
        return {}, int(e.value)
    if isinstance(e, Op) and e.name in ("add", "sub", "mul") and len(e.args) == 2:
        kind, lhs, rhs = {"add": "+", "sub": "-", "mul": "*"}[e.name], e.args[0], e.args[1]
    elif isinstance(e, AffineBin) and e.kind in ("+", "*"):
        kind, lhs, rhs = e.kind, e.lhs, e.rhs
    else:
        return None
    a, b = _linear(lhs), _linear(rhs)
    if a is None or b is None:
        return None
    if kind == "*":
        if a[0] and b[0]:
            return None  # a product of dims is not linear
        (coef, const), k = (a, b[1]) if not b[0] else (b, a[1])
        return {d: c * k for d, c in coef.items()}, const * k
    sign = -1 if kind == "-" else 1
    coef = dict(a[0])
    for d, c in b[0].items():
        coef[d] = coef.get(d, 0) + sign * c
    return {d: c for d, c in coef.items() if c}, a[1] + sign * b[1]


def _accumulated_product(loop: Loop) -> list[Expr] | None:
    """The two factors (widening casts removed) when the loop's one body is ``acc + a * b``."""
    body = loop.body[0]
    acc = Arg(len(loop.inputs), body.type)  # the running value of the output
    if not (isinstance(body, Op) and body.name == "add" and acc in body.args):
        return None
    product = body.args[1] if body.args[0] == acc else body.args[0]
    if not (isinstance(product, Op) and product.name == "mul" and len(product.args) == 2):
        return None
    return [_unwiden(a) for a in product.args]


def _unwiden(e: Expr) -> Expr:
    """`e` without a widening cast (``extsi`` / ``extf``) around it."""
    return e.args[0] if isinstance(e, Op) and e.name in ("extsi", "extf") else e


def _and_leaves(e: Expr) -> list[Expr]:
    if isinstance(e, Op) and e.name == "and":
        return [leaf for a in e.args for leaf in _and_leaves(a)]
    return [e]


def _is_zero(e: Expr, loop: Loop, kernel: Kernel) -> bool:
    """Whether `e` is the constant 0 (a literal, or an input bound to a zero constant)."""
    if isinstance(e, Lit):
        return e.value == 0
    if isinstance(e, Arg) and e.index < len(loop.inputs):
        const = next((o for o in kernel.ops if isinstance(o, Const) and o.result == loop.inputs[e.index]), None)
        return const is not None and const.value.size == 1 and not const.value.reshape(-1)[0]
    return False


def conv_geometry(loop: Loop, kernel: Kernel) -> ConvGeometry | None:
    """The geometry when `loop` is an NHWC x HWIO 2-D convolution, else None.

    Matches ``acc + image * filter`` (image and filter of one element type, maybe widened to the
    output's by ``extsi`` / ``extf``) over the domain (n, oh, ow, f, kh, kw, c), the image read
    either through its map, or (padding fused by the loop stage) as ``select(in bounds, extract
    image[...], 0)`` whose predicate is exactly the bounds check of the extract's indices.
    """
    if len(loop.domain) != 7 or loop.iterators != ("parallel",) * 4 + ("reduction",) * 3 or len(loop.results) != 1:
        return None
    n_in = len(loop.inputs)
    factors = _accumulated_product(loop)
    if factors is None or [r.index if isinstance(r, Dim) else None for r in loop.maps[n_in].results] != [0, 1, 2, 3]:
        return None
    filt = next((a for a in factors if isinstance(a, Arg) and a.index < n_in and [_linear(r) for r in loop.maps[a.index].results]
                 == [({4: 1}, 0), ({5: 1}, 0), ({6: 1}, 0), ({3: 1}, 0)]), None)  # fmt: skip
    if filt is None:
        return None
    image = factors[1] if factors[0] == filt else factors[0]
    if isinstance(image, Arg) and image.index < n_in:
        forms = [_linear(r) for r in loop.maps[image.index].results]
        image_name = loop.inputs[image.index]
    elif isinstance(image, Op) and image.name == "select" and isinstance(image.args[1], Extract) and _is_zero(image.args[2], loop, kernel):
        read = image.args[1]
        image_name = loop.extra[read.operand]
        shape = kernel.types[image_name].shape
        if len(read.indices) != 4:
            return None
        bounds = {Op("cmpi.sge", (i, Lit(0, "index")), "i1") for i in read.indices}
        bounds |= {Op("cmpi.slt", (i, Lit(size, "index")), "i1") for i, size in zip(read.indices, shape)}
        if set(_and_leaves(image.args[0])) != bounds:
            return None
        forms = [_linear(i) for i in read.indices]
    else:
        return None
    if any(f is None for f in forms):
        return None
    (n_form, h_form, w_form, c_form) = forms  # type: ignore[misc]
    if n_form != ({0: 1}, 0) or c_form != ({6: 1}, 0) or set(h_form[0]) - {1, 4} or set(w_form[0]) - {2, 5}:
        return None
    stride = (h_form[0].get(1, 0), w_form[0].get(2, 0))
    dilation = (h_form[0].get(4, 0), w_form[0].get(5, 0))
    pad = (-h_form[1], -w_form[1])
    if min(stride) < 1 or min(dilation) < 1 or min(pad) < 0:
        return None
    types = kernel.types
    if types[image_name].element != types[loop.inputs[filt.index]].element:
        return None
    return ConvGeometry(types[image_name].shape, types[loop.inputs[filt.index]].shape, types[loop.results[0]].shape,  # type: ignore[arg-type]
                        stride, dilation, pad, image_name, loop.inputs[filt.index])  # fmt: skip


def window(dim: int, start: Expr, size: int, stride: int = 1) -> tuple[Expr, Expr]:
    """(inside, index) of loop dim `dim` against a window of `size` elements, one every `stride`,
    from `start`: inside = 0 <= d - start < size * stride (and on the stride); index = (d - start) / stride."""
    rel: Expr = Op("sub", (Index(dim), start), "index")
    inside: Expr = Op("and", (Op("cmpi.sge", (rel, Lit(0, "index")), "i1"), Op("cmpi.slt", (rel, Lit(size * stride, "index")), "i1")), "i1")
    if stride != 1:
        on_stride = Op("cmpi.eq", (Op("mods", (rel, Lit(stride, "index")), "index"), Lit(0, "index")), "i1")
        inside = Op("and", (inside, on_stride), "i1")
        rel = Op("floordivs", (rel, Lit(stride, "index")), "index")
    return inside, rel


@dataclass
class Kernel:
    """One kernel: typed tensor params/results and the ops computing the results."""

    name: str
    params: list[str]
    results: list[str]
    types: dict[str, TensorType]
    ops: list[KernelOp]
    buffers: object = None  # byteir_sdk.compiler.tensor.bufferize.KernelBuffers, set by the tensor stage
    linalg: str = ""  # the kernel as linalg-on-tensors MLIR text, which the loop stage translated

    def loops(self) -> Iterator[Loop]:
        return (op for op in self.ops if isinstance(op, Loop))

    def fill_value(self, loop: Loop) -> float | None:
        """The scalar a ``fill`` loop writes (a literal or a one-element constant), else None."""
        if loop.name != "fill":
            return None
        body = loop.body[0]
        if isinstance(body, Lit):
            return float(body.value)
        if isinstance(body, Arg) and body.index < len(loop.inputs):
            const = next((o for o in self.ops if isinstance(o, Const) and o.result == loop.inputs[body.index]), None)
            if const is not None and const.value.size == 1:
                return float(const.value.reshape(-1)[0])
        return None

    def is_zero_fill(self, loop: Loop) -> bool:
        """Whether `loop` is a ``fill`` of the value 0."""
        return self.fill_value(loop) == 0.0

    def sole_zero_fill(self, loop: Loop) -> Loop | None:
        """The zero ``fill`` producing `loop`'s first output init when `loop` is that value's only
        reader (a backend may then skip the fill and overwrite instead of accumulating), else None."""
        init = loop.outputs[0] if loop.outputs else None
        fill = next((f for f in self.loops() if f.name == "fill" and f.results[0] == init), None)
        readers = sum(init in (*o.inputs, *o.outputs, *o.extra) for o in self.loops())
        return fill if fill is not None and readers == 1 and self.is_zero_fill(fill) else None

    def __str__(self) -> str:
        return format_kernel(self)


# ---------------------------------------------------------------------------- printer


def _expr_text(e: Expr, names: dict[int, str], emit: list[str], loop: Loop) -> str:
    key = id(e)
    if key in names:
        return names[key]
    if isinstance(e, Arg):
        n_in = len(loop.inputs)
        text = f"%in{e.index}" if e.index < n_in else f"%acc{e.index - n_in}"
        return text
    if isinstance(e, Index):
        return f"d{e.dim}"
    if isinstance(e, Lit):
        return f"{e.value!r}:{e.type}"
    if isinstance(e, Op):
        args = ", ".join(_expr_text(a, names, emit, loop) for a in e.args)
        line = f"{e.name}({args}) : {e.type}"
    elif isinstance(e, Extract):
        idx = ", ".join(_expr_text(a, names, emit, loop) for a in e.indices)
        line = f"extract %x{e.operand}[{idx}] : {e.type}"
    else:
        c = _expr_text(e.cond, names, emit, loop)
        t = ", ".join(_expr_text(a, names, emit, loop) for a in e.then)
        o = ", ".join(_expr_text(a, names, emit, loop) for a in e.otherwise)
        line = f"cond({c} ? ({t}) : ({o}))#{e.result} : {e.type}"
    name = f"%s{len(emit)}"
    emit.append(f"      {name} = {line}")
    names[key] = name
    return name


def format_kernel(kernel: Kernel) -> str:
    """The readable text form of a kernel (what ``--dump-after loop`` prints)."""
    t = kernel.types
    lines = [f"kernel @{kernel.name}(" + ", ".join(f"%{p}: {t[p]}" for p in kernel.params) + ") {"]
    for op in kernel.ops:
        if isinstance(op, Loop):
            head = f"  %{', %'.join(op.results)} = loop.{op.name} domain={list(op.domain)} iterators=[{', '.join(op.iterators)}]"
            lines.append(head + (f"  // {op.loc}" if op.loc else ""))
            operands = list(op.inputs) + list(op.outputs)
            for i, (v, m) in enumerate(zip(operands, op.maps)):
                role = "in" if i < len(op.inputs) else "out"
                lines.append(f"    {role} %{v}: {t[v]} map {m}")
            for k, x in enumerate(op.extra):
                lines.append(f"    extract %x{k} = %{x}: {t[x]}")
            if op.annotations:
                lines.append(f"    annotations {op.annotations}")
            emit: list[str] = []
            names: dict[int, str] = {}
            yields = [_expr_text(e, names, emit, op) for e in op.body]
            lines += emit
            lines.append(f"      yield {', '.join(yields)}")
        elif isinstance(op, View):
            attrs = f" {op.attrs}" if op.attrs else ""
            lines.append(f"  %{op.result} = view.{op.kind} %{', %'.join(op.operands)}{attrs} : {t[op.result]}")
        elif isinstance(op, Empty):
            lines.append(f"  %{op.result} = empty : {t[op.result]}")
        elif isinstance(op, Const):
            lines.append(f"  %{op.result} = const {'splat ' if op.value.size and np.all(op.value == op.value.flat[0]) else ''}: {t[op.result]}")
        else:
            lines.append(f"  %{', %'.join(op.results)} = host {op.name}(%{', %'.join(op.operands)})")
    lines.append(f"  return %{', %'.join(kernel.results)}")
    lines.append("}")
    return "\n".join(lines)
