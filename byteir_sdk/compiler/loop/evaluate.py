"""A NumPy evaluator for Kernel IR: a debugging reference, not a target.

It executes kernels exactly as the IR says, so every loop/tensor pass can be checked against
the oracle: same inputs, evaluate before and after the pass, compare. Loops are vectorised over
their parallel dims; reductions use NumPy's reduce when the body is ``acc <op> f(inputs)`` with
an associative op, and otherwise step through the reduction dims in order.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import special

from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.dtypes import element_type
from byteir_sdk.errors import UnsupportedOpError

__all__ = ["evaluate_kernel", "scalar_dtype"]

#: Elements evaluated at once; bigger loops are split along their first parallel dim.
CHUNK = 1 << 22
#: Float reductions up to this many steps run in loop order; longer ones use NumPy's reduce.
STEPWISE_FLOAT_LIMIT = 4096

_ASSOCIATIVE = {"add": np.add, "mul": np.multiply, "maximumf": np.maximum, "minimumf": np.minimum,
                "maxnumf": np.fmax, "minnumf": np.fmin, "maxs": np.maximum, "mins": np.minimum,
                "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor}  # fmt: skip


def scalar_dtype(type_name: str) -> np.dtype:
    """NumPy dtype of a Kernel IR scalar type (``index`` is int64; signless ints are signed)."""
    if type_name == "index":
        return np.dtype(np.int64)
    return element_type(type_name).dtype


def _unsigned(x: np.ndarray) -> np.ndarray:
    if x.dtype == np.bool_:
        return x
    return x.view(np.dtype(f"u{x.dtype.itemsize}")) if x.dtype.kind == "i" else x


def _signed(x: np.ndarray) -> np.ndarray:
    if x.dtype == np.bool_:
        return x
    return x.view(np.dtype(f"i{x.dtype.itemsize}")) if x.dtype.kind == "u" else x


def _wide_float(x: np.ndarray) -> np.ndarray:
    """Compute 16-bit and 8-bit floats in float32, the others as they are."""
    return x.astype(np.float32) if x.dtype.itemsize < 4 and x.dtype.kind in "fV" else x


def _float_op(fn, dtype: np.dtype, *args: np.ndarray) -> np.ndarray:
    return np.asarray(fn(*[_wide_float(a) for a in args])).astype(dtype)


def _shift(kind: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    bits = a.dtype.itemsize * 8
    bu = _unsigned(b).astype(np.uint64)
    big = bu >= bits
    amount = np.where(big, 0, bu).astype(_unsigned(a).dtype)
    if kind == "shl":
        return _signed(np.where(big, 0, _unsigned(a) << amount).astype(_unsigned(a).dtype)).astype(a.dtype, copy=False)
    if kind == "shru":
        out = np.where(big, 0, _unsigned(a) >> amount).astype(_unsigned(a).dtype)
        return out.view(a.dtype) if a.dtype.kind == "i" else out
    sa = _signed(a)
    out = np.where(big, np.where(sa < 0, -1, 0), sa >> amount.astype(sa.dtype)).astype(sa.dtype)
    return out.view(a.dtype) if a.dtype.kind == "u" else out


def _ctlz(a: np.ndarray) -> np.ndarray:
    u = _unsigned(a).astype(np.uint64)
    bits = a.dtype.itemsize * 8
    count = np.zeros(u.shape, np.int64)
    for shift in (32, 16, 8, 4, 2, 1):
        if shift >= bits:
            continue
        mask = u >> np.uint64(bits - shift) == 0
        count += np.where(mask, shift, 0)
        u = np.where(mask, u << np.uint64(shift), u) & np.uint64((1 << bits) - 1 if bits < 64 else 0xFFFFFFFFFFFFFFFF)
    count += (u >> np.uint64(bits - 1) == 0).astype(np.int64)
    return count.astype(a.dtype)


def _int_div(kind: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if kind in ("divu", "remu"):
        ua, ub = _unsigned(a), _unsigned(b)
        safe = np.where(ub == 0, 1, ub).astype(ub.dtype)
        out = (ua // safe) if kind == "divu" else (ua % safe)
        return out.astype(ua.dtype).view(a.dtype)
    safe = np.where(b == 0, 1, b).astype(b.dtype)
    if kind == "rems":
        return np.fmod(a, safe).astype(a.dtype)
    q = a // safe
    fix = (np.fmod(a, safe) != 0) & ((a < 0) != (safe < 0))
    return (q + fix.astype(a.dtype)).astype(a.dtype)


def _fp_to_int(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    info = np.iinfo(dtype)
    wide = np.trunc(np.nan_to_num(a.astype(np.float64), nan=0.0))
    return np.clip(wide, info.min, info.max).astype(dtype)


def _round_half_away(a: np.ndarray) -> np.ndarray:
    t = np.trunc(a)
    return np.where(np.abs(a - t) >= 0.5, t + np.sign(a), t)


_CMPF = {
    "oeq": lambda a, b: a == b, "ogt": lambda a, b: a > b, "oge": lambda a, b: a >= b,
    "olt": lambda a, b: a < b, "ole": lambda a, b: a <= b,
    "one": lambda a, b: (a != b) & ~np.isnan(a) & ~np.isnan(b), "ord": lambda a, b: ~np.isnan(a) & ~np.isnan(b),
    "ueq": lambda a, b: (a == b) | np.isnan(a) | np.isnan(b), "ugt": lambda a, b: ~(a <= b),
    "uge": lambda a, b: ~(a < b), "ult": lambda a, b: ~(a >= b), "ule": lambda a, b: ~(a > b),
    "une": lambda a, b: a != b, "uno": lambda a, b: np.isnan(a) | np.isnan(b),
    "true": lambda a, b: np.ones(np.broadcast(a, b).shape, bool), "false": lambda a, b: np.zeros(np.broadcast(a, b).shape, bool),
}  # fmt: skip
_CMPI = {"eq": np.equal, "ne": np.not_equal, "slt": np.less, "sle": np.less_equal, "sgt": np.greater, "sge": np.greater_equal}

_UNARY_FLOAT = {
    "exp": np.exp, "expm1": np.expm1, "log": np.log, "log1p": np.log1p, "sqrt": np.sqrt,
    "rsqrt": lambda x: 1 / np.sqrt(x), "cbrt": np.cbrt, "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "tanh": np.tanh, "erf": special.erf, "floor": np.floor, "ceil": np.ceil, "roundeven": np.rint,
    "round": _round_half_away, "absf": np.abs, "neg": np.negative,
}  # fmt: skip


def apply_op(name: str, args: Sequence[np.ndarray], result_type: str) -> np.ndarray:
    """The value of scalar op `name` applied elementwise to `args` (see kernel_ir.SCALAR_OPS)."""
    dtype = scalar_dtype(result_type)
    a = args[0]
    with np.errstate(all="ignore"):
        if name.startswith("cmpf."):
            return _CMPF[name[5:]](_wide_float(a), _wide_float(args[1]))
        if name.startswith("cmpi."):
            pred = name[5:]
            if pred[0] == "u":
                return _CMPI["s" + pred[1:]](_unsigned(a), _unsigned(args[1]))
            return _CMPI[pred](_signed(a), _signed(args[1]))
        if name in ("ceq", "cne"):
            eq = a == args[1]
            return eq if name == "ceq" else ~eq
        if name == "select":
            return np.where(a, args[1], args[2]).astype(dtype, copy=False)
        kind = a.dtype.kind
        if kind == "b" and name in ("add", "sub", "xor"):
            return np.logical_xor(a, args[1])
        if kind == "b" and name in ("mul", "and", "mins", "minu"):
            return np.logical_and(a, args[1])
        if kind == "b" and name in ("or", "maxs", "maxu"):
            return np.logical_or(a, args[1])
        if name in ("add", "sub", "mul"):
            fn = {"add": np.add, "sub": np.subtract, "mul": np.multiply}[name]
            if kind in "fV" and a.dtype.itemsize < 4:
                return _float_op(fn, dtype, a, args[1])
            return fn(a, args[1]).astype(dtype, copy=False)
        if name == "divf":
            return _float_op(np.divide, dtype, a, args[1])
        if name in ("floordivs", "mods", "ceildivs"):
            b = np.where(args[1] == 0, 1, args[1]).astype(args[1].dtype)
            if name == "floordivs":
                return np.floor_divide(a, b).astype(dtype)
            if name == "mods":
                return np.mod(a, b).astype(dtype)
            return (-np.floor_divide(-a, b)).astype(dtype)
        if name in ("divs", "divu", "rems", "remu"):
            return _int_div(name, a, args[1])
        if name == "remf":
            return _float_op(np.fmod, dtype, a, args[1])
        if name in ("maximumf", "minimumf", "maxnumf", "minnumf"):
            fn = {"maximumf": np.maximum, "minimumf": np.minimum, "maxnumf": np.fmax, "minnumf": np.fmin}[name]
            return _float_op(fn, dtype, a, args[1])
        if name in ("maxs", "mins"):
            return (np.maximum if name == "maxs" else np.minimum)(_signed(a), _signed(args[1])).astype(_signed(a).dtype).view(dtype)
        if name in ("maxu", "minu"):
            return (np.maximum if name == "maxu" else np.minimum)(_unsigned(a), _unsigned(args[1])).astype(_unsigned(a).dtype).view(dtype)
        if name in ("and", "or", "xor"):
            return {"and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor}[name](a, args[1]).astype(dtype, copy=False)
        if name in ("shl", "shrs", "shru"):
            return _shift(name, a, args[1])
        if name == "absi":
            return np.abs(a).astype(dtype, copy=False)
        if name == "ctpop":
            return np.bitwise_count(_unsigned(a)).astype(dtype)
        if name == "ctlz":
            return _ctlz(a)
        if name in ("copysign", "powf", "atan2"):
            fn = {"copysign": np.copysign, "powf": np.power, "atan2": np.arctan2}[name]
            return _float_op(fn, dtype, a, args[1]) if kind != "c" else np.power(a, args[1]).astype(dtype)
        if name == "neg" and kind in "iu":
            return np.negative(a).astype(dtype, copy=False)
        if name in _UNARY_FLOAT:
            return _float_op(_UNARY_FLOAT[name], dtype, a)
        if name in ("sitofp", "uitofp"):
            src = _signed(a) if name == "sitofp" else _unsigned(a)
            return src.astype(np.float64).astype(dtype) if dtype.itemsize < 8 or src.dtype.itemsize < 8 else src.astype(dtype)
        if name in ("fptosi", "fptoui"):
            target = dtype if name == "fptosi" or dtype.kind == "b" else np.dtype(f"u{dtype.itemsize}")
            if dtype.kind == "b":
                return np.trunc(a.astype(np.float64)) != 0
            return _fp_to_int(a, target).view(dtype) if target != dtype else _fp_to_int(a, dtype)
        if name in ("extf", "truncf"):
            return a.astype(dtype)
        if name in ("extsi", "index_cast"):
            if a.dtype == np.bool_:
                return np.where(a, -1, 0).astype(dtype) if name == "extsi" else a.astype(dtype)
            return _signed(a).astype(dtype)
        if name in ("extui", "index_castui"):
            return _unsigned(a).astype(dtype)
        if name == "trunci":
            if dtype == np.bool_:
                return (a & 1).astype(bool)
            return a.astype(dtype)
        if name == "bitcast":
            return a.view(dtype) if a.dtype.itemsize == dtype.itemsize else a.astype(dtype)
        if name == "complex":
            return (a.astype(np.float64) + 1j * args[1].astype(np.float64)).astype(dtype)
        if name in ("re", "im"):
            return (np.real(a) if name == "re" else np.imag(a)).astype(dtype)
        if name == "cabs":
            return np.abs(a).astype(dtype)
        if name == "conj":
            return np.conj(a).astype(dtype)
        if name == "csign":
            mag = np.abs(a)
            return np.where(mag == 0, 0, a / np.where(mag == 0, 1, mag)).astype(dtype)
    raise UnsupportedOpError(f"Kernel IR evaluator: scalar op {name} on {a.dtype} is not implemented")


def _affine(e: K.AffineExpr, grid: Sequence[np.ndarray | int]) -> np.ndarray | int:
    if isinstance(e, K.Dim):
        return grid[e.index]
    if isinstance(e, K.Cst):
        return e.value
    lhs, rhs = _affine(e.lhs, grid), _affine(e.rhs, grid)
    if e.kind == "+":
        return lhs + rhs
    if e.kind == "*":
        return lhs * rhs
    if e.kind == "floordiv":
        return lhs // rhs
    if e.kind == "ceildiv":
        return -((-lhs) // rhs)
    return lhs % rhs


class _LoopEval:
    def __init__(self, loop: K.Loop, env: Mapping[str, np.ndarray], types: Mapping[str, K.TensorType]) -> None:
        self.loop = loop
        self.env = env
        self.types = types
        self.extra = [env[x] for x in loop.extra]

    def gather(self, array: np.ndarray, m: K.AffineMap, grid: Sequence[np.ndarray | int], shape: tuple[int, ...]) -> np.ndarray:
        if not m.results:
            return np.broadcast_to(array.reshape(()), shape)
        index = tuple(np.asarray(_affine(r, grid)) for r in m.results)
        return np.broadcast_to(array[index], shape)

    def exprs(self, body: Sequence[K.Expr], args: list[np.ndarray], grid: Sequence[np.ndarray | int], shape: tuple[int, ...]) -> list[np.ndarray]:
        cache: dict[int, np.ndarray] = {}

        def ev(e: K.Expr) -> np.ndarray:
            key = id(e)
            if key in cache:
                return cache[key]
            if isinstance(e, K.Arg):
                v = args[e.index]
            elif isinstance(e, K.Index):
                v = np.broadcast_to(np.asarray(grid[e.dim], np.int64), shape)
            elif isinstance(e, K.Lit):
                v = np.asarray(e.value).astype(scalar_dtype(e.type))
            elif isinstance(e, K.Op):
                v = apply_op(e.name, [np.asarray(ev(a)) for a in e.args], e.type)
            elif isinstance(e, K.Extract):
                src = self.extra[e.operand]
                if src.size == 0:  # only reachable in an untaken branch of a Cond (both are evaluated)
                    v = np.zeros(np.broadcast_shapes(*(np.shape(ev(i)) for i in e.indices)), src.dtype)
                elif not e.indices:
                    v = src.reshape(())
                else:
                    idx = tuple(np.clip(np.asarray(ev(i)).astype(np.int64), 0, max(n - 1, 0)) for i, n in zip(e.indices, src.shape))
                    v = src[idx]
            else:
                c = np.asarray(ev(e.cond))
                v = np.where(c, ev(e.then[e.result]), ev(e.otherwise[e.result]))
            cache[key] = v
            return v

        return [np.broadcast_to(np.asarray(ev(e)), shape) for e in body]

    def run(self) -> list[np.ndarray]:
        loop = self.loop
        n_in = len(loop.inputs)
        ins = [self.env[v] for v in loop.inputs]
        outs = [np.array(self.env[v], copy=True) for v in loop.outputs]
        if not loop.outputs:  # a 0-d scalar loop: results are the body values
            shape: tuple[int, ...] = ()
            args = [np.asarray(a).reshape(()) for a in ins]
            vals = self.exprs(loop.body, args, [], shape)
            return [np.asarray(v).astype(scalar_dtype(self.types[r].element)).reshape(self.types[r].shape)
                    for v, r in zip(vals, loop.results)]  # fmt: skip
        if not loop.reduction_dims:
            for grid, shape, sl in self.chunks(loop.domain):
                args = [self.gather(a, m, grid, shape) for a, m in zip(ins + outs, loop.maps)]
                for out, m, v in zip(outs, loop.maps[n_in:], self.exprs(loop.body, args, grid, shape)):
                    self.scatter(out, m, grid, v.astype(out.dtype, copy=False))
            return outs
        fast = self.associative_reduction()
        extent = int(np.prod([loop.domain[d] for d in loop.reduction_dims], dtype=np.int64))
        if fast is not None and any(o.dtype.kind in "fcV" for o in outs) and extent <= STEPWISE_FLOAT_LIMIT:
            fast = None  # float reductions in loop order, as a sequential loop (and the interpreter) would
        if fast is not None:
            self.reduce_fast(fast, ins, outs)
        else:
            self.reduce_stepwise(ins, outs)
        return outs

    def chunks(self, domain: tuple[int, ...]):
        """Sparse index grids over the domain, split along dim 0 when large."""
        if not domain:
            yield [], (), slice(0, 0)
            return
        total = int(np.prod(domain, dtype=np.int64))
        step = domain[0] if total <= CHUNK else max(1, domain[0] * CHUNK // total)
        for lo in range(0, domain[0], max(step, 1)):
            hi = min(lo + step, domain[0])
            grid = [np.arange(lo, hi) if d == 0 else np.arange(n) for d, n in enumerate(domain)]
            grid = [g.reshape([-1 if i == d else 1 for i in range(len(domain))]) for d, g in enumerate(grid)]
            yield grid, (hi - lo, *domain[1:]), slice(lo, hi)

    @staticmethod
    def scatter(out: np.ndarray, m: K.AffineMap, grid: Sequence[np.ndarray | int], values: np.ndarray) -> None:
        if not m.results:
            out[()] = values.reshape(-1)[-1] if values.size else out[()]
            return
        index = tuple(np.asarray(_affine(r, grid)) for r in m.results)
        out[index] = values

    def associative_reduction(self) -> list[tuple[str, K.Expr]] | None:
        """[(op, f)] per output when each body is ``acc_k <op> f`` (K.accumulations) with an op NumPy
        reduces exactly (no unsigned max / min: NumPy would read the bits signed)."""
        plan = K.accumulations(self.loop)
        return plan if plan is not None and all(name in _ASSOCIATIVE for name, _ in plan) else None

    def reduce_fast(self, plan: list[tuple[str, K.Expr]], ins: list[np.ndarray], outs: list[np.ndarray]) -> None:
        loop = self.loop
        n_in = len(ins)
        red = tuple(loop.reduction_dims)
        par = loop.parallel_dims
        for grid, shape, _ in self.chunks(loop.domain):
            args = [self.gather(a, m, grid, shape) for a, m in zip(ins, loop.maps[:n_in])]
            args += [np.zeros((), o.dtype) for o in outs]  # accumulators are not read by f
            values = self.exprs([f for _, f in plan], args, grid, shape)
            for out, m, (name, _), v in zip(outs, loop.maps[n_in:], plan, values):
                ufunc = _ASSOCIATIVE[name]
                if out.dtype == np.bool_ and name in ("add", "xor"):
                    ufunc = np.logical_xor
                partial = ufunc.reduce(np.asarray(v).astype(out.dtype, copy=False), axis=red) if red else v
                sub_grid = [grid[d] for d in par]
                pgrid = [g.reshape(-1) for g in sub_grid]
                pgrid = [g.reshape([-1 if i == j else 1 for i in range(len(par))]) for j, g in enumerate(pgrid)]
                full = [None] * len(loop.domain)
                for j, d in enumerate(par):
                    full[d] = pgrid[j]
                index = tuple(np.asarray(_affine(r, full)) for r in m.results)
                current = out[index] if index else out[()]
                with np.errstate(all="ignore"):
                    combined = ufunc(current, partial.astype(out.dtype, copy=False))
                if index:
                    out[index] = combined
                else:
                    out[()] = combined

    def reduce_stepwise(self, ins: list[np.ndarray], outs: list[np.ndarray]) -> None:
        loop = self.loop
        n_in = len(ins)
        par = loop.parallel_dims
        par_shape = tuple(loop.domain[d] for d in par)
        for point in itertools.product(*(range(loop.domain[d]) for d in loop.reduction_dims)):
            grid: list[np.ndarray | int] = [0] * len(loop.domain)
            for j, d in enumerate(par):
                grid[d] = np.arange(loop.domain[d]).reshape([-1 if i == j else 1 for i in range(len(par))])
            for d, value in zip(loop.reduction_dims, point):
                grid[d] = value
            args = [self.gather(a, m, grid, par_shape) for a, m in zip(ins + outs, loop.maps)]
            values = self.exprs(loop.body, args, grid, par_shape)
            for out, m, v in zip(outs, loop.maps[n_in:], values):
                self.scatter(out, m, grid, v.astype(out.dtype, copy=False))


def _view(op: K.View, env: Mapping[str, np.ndarray], types: Mapping[str, K.TensorType]) -> np.ndarray:
    rtype = types[op.result]
    src = env[op.operands[0]]
    if op.kind == "reshape":
        return src.reshape(rtype.shape)
    if op.kind == "bitcast":
        dtype = element_type(rtype.element).dtype
        return src.view(dtype).reshape(rtype.shape) if src.dtype.itemsize == dtype.itemsize else src.astype(dtype)
    if op.kind == "pad":
        value = env[op.operands[1]].reshape(())
        return np.pad(src, list(zip(op.attrs["low"], op.attrs["high"])), constant_values=value)
    index = tuple(slice(o, o + (s - 1) * st + 1, st) for o, s, st in zip(op.attrs["offsets"], op.attrs["sizes"], op.attrs["strides"]))
    if op.kind == "slice":
        return src[index].reshape(rtype.shape)
    dest = np.array(env[op.operands[1]], copy=True)
    dest[index] = src.reshape(op.attrs["sizes"])
    return dest


def evaluate_kernel(kernel: K.Kernel, args: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run `kernel` on `args` (one array per param) and return its results."""
    from byteir_sdk.compiler.frontend import loads
    from byteir_sdk.reference.engines import run_interpreter

    env: dict[str, np.ndarray] = dict(zip(kernel.params, args))
    for op in kernel.ops:
        if isinstance(op, K.Const):
            env[op.result] = op.value.reshape(kernel.types[op.result].shape).astype(scalar_dtype(kernel.types[op.result].element), copy=False)
        elif isinstance(op, K.Empty):
            t = kernel.types[op.result]
            env[op.result] = np.zeros(t.shape, scalar_dtype(t.element))
        elif isinstance(op, K.View):
            env[op.result] = _view(op, env, kernel.types)
        elif isinstance(op, K.Loop):
            for name, value in zip(op.results, _LoopEval(op, env, kernel.types).run()):
                env[name] = value
        else:
            program = loads(op.module, source=f"<host {op.name}>")
            for name, value in zip(op.results, run_interpreter(program, [env[o] for o in op.operands])):
                env[name] = value
    return [env[r] for r in kernel.results]

