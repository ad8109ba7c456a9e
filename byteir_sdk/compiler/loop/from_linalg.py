"""Kernel functions -> Kernel IR, through upstream ``stablehlo-legalize-to-linalg``.

A loop-kind kernel function is legalized to linalg on tensors; every linalg structured op
(``linalg.generic`` and the named ops, whose bodies and indexing maps the bindings expose) becomes
a :class:`Loop`, tensor reshapes/slices/pads become :class:`View` ops, and scalar code at the
top level becomes 0-d loops. A host-kind kernel function becomes one :class:`HostOp`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from byteir_sdk import _mlir
from byteir_sdk._mlir import ir
from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.errors import UnsupportedOpError
from byteir_sdk.reference.engines import constant_value

__all__ = ["kernel_from_function", "LEGALIZE_PIPELINE"]

LEGALIZE_PIPELINE = "builtin.module(func.func(stablehlo-legalize-to-linalg))"

_CMPF = ("false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord", "ueq", "ugt", "uge", "ult", "ule", "une", "uno", "true")
_CMPI = ("eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge")

#: arith/math/complex op -> Kernel IR scalar op (see kernel_ir.SCALAR_OPS)
_SCALAR = {
    "arith.addf": "add", "arith.addi": "add", "arith.subf": "sub", "arith.subi": "sub",
    "arith.mulf": "mul", "arith.muli": "mul", "arith.divf": "divf", "arith.divsi": "divs",
    "arith.divui": "divu", "arith.remf": "remf", "arith.remsi": "rems", "arith.remui": "remu",
    "arith.negf": "neg", "arith.maximumf": "maximumf", "arith.minimumf": "minimumf",
    "arith.maxnumf": "maxnumf", "arith.minnumf": "minnumf", "arith.maxsi": "maxs", "arith.minsi": "mins",
    "arith.maxui": "maxu", "arith.minui": "minu", "arith.andi": "and", "arith.ori": "or", "arith.xori": "xor",
    "arith.shli": "shl", "arith.shrsi": "shrs", "arith.shrui": "shru", "arith.select": "select",
    "arith.sitofp": "sitofp", "arith.uitofp": "uitofp", "arith.fptosi": "fptosi", "arith.fptoui": "fptoui",
    "arith.extf": "extf", "arith.truncf": "truncf", "arith.extsi": "extsi", "arith.extui": "extui",
    "arith.trunci": "trunci", "arith.bitcast": "bitcast", "arith.index_cast": "index_cast",
    "arith.index_castui": "index_castui",
    "math.absf": "absf", "math.absi": "absi", "math.ctpop": "ctpop", "math.ctlz": "ctlz",
    "math.copysign": "copysign", "math.powf": "powf", "math.atan2": "atan2", "math.exp": "exp",
    "math.expm1": "expm1", "math.log": "log", "math.log1p": "log1p", "math.sqrt": "sqrt",
    "math.rsqrt": "rsqrt", "math.cbrt": "cbrt", "math.sin": "sin", "math.cos": "cos", "math.tan": "tan",
    "math.tanh": "tanh", "math.erf": "erf", "math.floor": "floor", "math.ceil": "ceil",
    "math.roundeven": "roundeven", "math.round": "round",
    "complex.create": "complex", "complex.re": "re", "complex.im": "im", "complex.add": "add",
    "complex.sub": "sub", "complex.mul": "mul", "complex.div": "divf", "complex.neg": "neg",
    "complex.exp": "exp", "complex.expm1": "expm1", "complex.log": "log", "complex.log1p": "log1p",
    "complex.sqrt": "sqrt", "complex.rsqrt": "rsqrt", "complex.tanh": "tanh", "complex.tan": "tan",
    "complex.sin": "sin", "complex.cos": "cos", "complex.abs": "cabs", "complex.conj": "conj",
    "complex.pow": "powf", "complex.sign": "csign", "complex.eq": "ceq", "complex.neq": "cne",
}  # fmt: skip

_VIEW_RESHAPES = ("tensor.collapse_shape", "tensor.expand_shape", "tensor.cast")
_YIELDS = ("linalg.yield", "scf.yield", "tensor.yield")


def _loc(op: ir.Operation, source: str) -> str:
    return _mlir.short_location(op.location, source)


def _unsupported(op: ir.Operation, source: str, why: str = "has no Kernel IR form") -> UnsupportedOpError:
    return UnsupportedOpError(f"{_loc(op, source)}: {op.name} {why}", hint="Please report it with the model attached.")


def _affine(e: ir.AffineExpr) -> K.AffineExpr:
    if isinstance(e, ir.AffineDimExpr):
        return K.Dim(e.position)
    if isinstance(e, ir.AffineConstantExpr):
        return K.Cst(e.value)
    kinds = {ir.AffineAddExpr: "+", ir.AffineMulExpr: "*", ir.AffineModExpr: "mod",
             ir.AffineFloorDivExpr: "floordiv", ir.AffineCeilDivExpr: "ceildiv"}  # fmt: skip
    for cls, kind in kinds.items():
        if isinstance(e, cls):
            return K.AffineBin(kind, _affine(e.lhs), _affine(e.rhs))
    raise UnsupportedOpError(f"affine expression {e} is not supported")


def _affine_map(attr: ir.Attribute) -> K.AffineMap:
    m = ir.AffineMapAttr(attr).value
    return K.AffineMap(m.n_dims, tuple(_affine(r) for r in m.results))


def _kept_dims(sizes: list[int], rank: int) -> list[int]:
    """The dims of a slice with `sizes` that a rank-`rank` tensor keeps: all of them, or (rank-reduced)
    the non-unit ones."""
    return list(range(len(sizes))) if rank == len(sizes) else [d for d, s in enumerate(sizes) if s != 1][:rank]


def _tensor_type(t: ir.Type) -> K.TensorType:
    try:
        rt = ir.RankedTensorType(t)
        return K.TensorType(tuple(rt.shape), str(rt.element_type))
    except ValueError:
        return K.TensorType((), str(t))  # a scalar at the top level is a 0-d tensor


def _dense_i64(op: ir.Operation, name: str) -> list[int]:
    return list(ir.DenseI64ArrayAttr(op.attributes[name]))


class _Translator:
    def __init__(self, name: str, source: str) -> None:
        self.source = source
        self.kernel = K.Kernel(name=name, params=[], results=[], types={}, ops=[])
        self.names: dict[ir.Value, str] = {}

    # -- values ------------------------------------------------------------------------
    def define(self, value: ir.Value, prefix: str = "v") -> str:
        name = f"{prefix}{len(self.kernel.types)}"
        self.names[value] = name
        self.kernel.types[name] = _tensor_type(value.type)
        return name

    def use(self, value: ir.Value, user: ir.Operation) -> str:
        try:
            return self.names[value]
        except KeyError:
            raise _unsupported(user, self.source, "uses a value defined in a way the loop stage does not handle") from None

    # -- top level ---------------------------------------------------------------------
    def function(self, fn: ir.Operation) -> K.Kernel:
        block = fn.regions[0].blocks[0]
        for arg in block.arguments:
            self.kernel.params.append(self.define(arg, "p"))
        for op in [o.operation for o in block.operations]:
            if op.name == "func.return":
                self.kernel.results = [self.use(v, op) for v in op.operands]
            else:
                self.top_level(op)
        return self.kernel

    def top_level(self, op: ir.Operation) -> None:
        name = op.name
        ops = self.kernel.ops
        if name in ("arith.constant", "stablehlo.constant", "complex.constant"):
            ops.append(K.Const(self.define(op.results[0]), self._constant(op)))
        elif name == "tensor.empty":
            ops.append(K.Empty(self.define(op.results[0])))
        elif name.startswith("linalg."):
            ops.append(self.structured(op))
        elif name in _VIEW_RESHAPES:
            ops.append(K.View("reshape", (self.use(op.operands[0], op),), self.define(op.results[0]), loc=_loc(op, self.source)))
        elif name == "builtin.unrealized_conversion_cast" and len(op.operands) == 1:
            ops.append(K.View("bitcast", (self.use(op.operands[0], op),), self.define(op.results[0]), loc=_loc(op, self.source)))
        elif name == "tensor.extract_slice":
            self.extract_slice(op)
        elif name == "tensor.insert_slice":
            self.insert_slice(op)
        elif name == "tensor.pad":
            self.pad(op)
        elif name == "tensor.extract":
            self.scalar_extract(op)
        elif name in _SCALAR or name in ("arith.cmpf", "arith.cmpi"):
            self.scalar_op(op)
        else:
            raise _unsupported(op, self.source)

    def _constant(self, op: ir.Operation) -> np.ndarray:
        if op.name == "complex.constant":
            parts = ir.ArrayAttr(op.attributes["value"])
            dtype = np.complex64 if "f32" in str(op.results[0].type) else np.complex128
            return np.array(complex(ir.FloatAttr(parts[0]).value, ir.FloatAttr(parts[1]).value), dtype)
        value = constant_value(op)
        if str(op.results[0].type) == "index":
            return value.astype(np.int64)
        return value

    def structured(self, op: ir.Operation) -> K.Loop:
        kind = op.name.removeprefix("linalg.")
        n_in, n_out = list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))
        operands = list(op.operands)
        ins, outs = operands[:n_in], operands[n_in : n_in + n_out]
        if "indexing_maps" in op.attributes:
            maps = [_affine_map(a) for a in ir.ArrayAttr(op.attributes["indexing_maps"])]
        elif "linalg.memoized_indexing_maps" in op.attributes:
            maps = [_affine_map(a) for a in ir.ArrayAttr(op.attributes["linalg.memoized_indexing_maps"])]
        elif kind == "fill":
            rank = len(ir.RankedTensorType(outs[0].type).shape)
            maps = [K.AffineMap(rank, ()), K.AffineMap(rank, tuple(K.Dim(i) for i in range(rank)))]
        else:
            raise _unsupported(op, self.source, "carries no indexing maps")
        n_dims = maps[0].n_dims
        domain = [-1] * n_dims
        for value, m in zip(ins + outs, maps):
            shape = _tensor_type(value.type).shape
            for size, expr in zip(shape, m.results):
                if isinstance(expr, K.Dim):
                    domain[expr.index] = size
        if -1 in domain:
            raise _unsupported(op, self.source, "has a loop dimension no operand fixes")
        used = set().union(*(m.dims_used() for m in maps[n_in:]))
        iterators = tuple("parallel" if d in used else "reduction" for d in range(n_dims))
        inputs = tuple(self.use(v, op) for v in ins)
        outputs = tuple(self.use(v, op) for v in outs)
        body = _Body(self, op, n_in)
        block = op.regions[0].blocks[0]
        exprs = body.block(block, [K.Arg(i, str(a.type)) for i, a in enumerate(block.arguments)])
        results = tuple(self.define(r) for r in op.results)
        return K.Loop(kind, tuple(domain), iterators, inputs, outputs, tuple(maps), tuple(exprs), results,
                      tuple(body.extra), loc=_loc(op, self.source))  # fmt: skip

    def extract_slice(self, op: ir.Operation) -> None:
        offsets, sizes, strides = (_dense_i64(op, f"static_{k}") for k in ("offsets", "sizes", "strides"))
        if ir.ShapedType.get_dynamic_size() in offsets + sizes + strides:
            self._dynamic_slice(op, offsets, sizes, strides)
            return
        source = self.use(op.operands[0], op)
        self.kernel.ops.append(K.View("slice", (source,), self.define(op.results[0]),
                                      {"offsets": offsets, "sizes": sizes, "strides": strides}, _loc(op, self.source)))  # fmt: skip

    def _dynamic_slice(self, op: ir.Operation, offsets: list[int], sizes: list[int], strides: list[int]) -> None:
        """A slice at run-time offsets: a loop over the result reading the source by index."""
        dynamic = ir.ShapedType.get_dynamic_size()
        if dynamic in sizes or dynamic in strides:
            raise _unsupported(op, self.source, "has dynamic sizes or strides")
        operands = list(op.operands)
        source = self.use(operands[0], op)
        inputs: list[str] = []
        index_exprs: list[K.Expr] = []
        result_type = _tensor_type(op.results[0].type)
        loop_dim = {d: i for i, d in enumerate(_kept_dims(sizes, len(result_type.shape)))}
        for d, (base, stride) in enumerate(zip(self._offset_exprs(op, offsets, operands[1:], inputs), strides)):
            if d in loop_dim:
                step: K.Expr = K.Index(loop_dim[d])
                if stride != 1:
                    step = K.Op("mul", (step, K.Lit(stride, "index")), "index")
                base = K.Op("add", (base, step), "index")
            index_exprs.append(base)
        rank = len(result_type.shape)
        identity = K.AffineMap(rank, tuple(K.Dim(i) for i in range(rank)))
        init = self._empty_like(op.results[0])
        body = (K.Extract(0, tuple(index_exprs), result_type.element),)
        maps = tuple([K.AffineMap(rank, ())] * len(inputs) + [identity])
        self.kernel.ops.append(K.Loop("generic", result_type.shape, ("parallel",) * rank, tuple(inputs), (init,), maps,
                                      body, (self.define(op.results[0]),), (source,), loc=_loc(op, self.source)))  # fmt: skip

    def _offset_exprs(self, op: ir.Operation, offsets: list[int], offset_operands: list[ir.Value], inputs: list[str]) -> list[K.Expr]:
        """Each offset as an index expression: a literal, or (dynamic) a new scalar input appended to `inputs`."""
        dynamic = ir.ShapedType.get_dynamic_size()
        values = iter(offset_operands)
        exprs: list[K.Expr] = []
        for off in offsets:
            if off == dynamic:
                inputs.append(self.use(next(values), op))
                exprs.append(K.Arg(len(inputs) - 1, "index"))
            else:
                exprs.append(K.Lit(off, "index"))
        return exprs

    def _empty_like(self, value: ir.Value) -> str:
        name = f"e{len(self.kernel.types)}"
        self.kernel.types[name] = _tensor_type(value.type)
        self.kernel.ops.append(K.Empty(name))
        return name

    def insert_slice(self, op: ir.Operation) -> None:
        offsets, sizes, strides = (_dense_i64(op, f"static_{k}") for k in ("offsets", "sizes", "strides"))
        dynamic = ir.ShapedType.get_dynamic_size()
        if dynamic in sizes or dynamic in strides or any(st != 1 for st in strides) and dynamic in offsets:
            raise _unsupported(op, self.source, "with run-time sizes or strides is not supported")
        if dynamic in offsets:
            self._dynamic_insert(op, offsets, sizes)
            return
        src, dst = self.use(op.operands[0], op), self.use(op.operands[1], op)
        self.kernel.ops.append(K.View("insert_slice", (src, dst), self.define(op.results[0]),
                                      {"offsets": offsets, "sizes": sizes, "strides": strides}, _loc(op, self.source)))  # fmt: skip

    def _dynamic_insert(self, op: ir.Operation, offsets: list[int], sizes: list[int]) -> None:
        """An update at run-time offsets: a loop over the destination selecting source or dest."""
        operands = list(op.operands)
        src, dst = self.use(operands[0], op), self.use(operands[1], op)
        src_type = self.kernel.types[src]
        dest_type = _tensor_type(op.results[0].type)
        rank = len(dest_type.shape)
        inputs = [dst]
        inside: K.Expr | None = None
        src_index: list[K.Expr] = []
        kept = _kept_dims(sizes, len(src_type.shape))
        for d, (start, size) in enumerate(zip(self._offset_exprs(op, offsets, operands[2:], inputs), sizes)):
            in_dim, rel = K.window(d, start, size)
            inside = in_dim if inside is None else K.Op("and", (inside, in_dim), "i1")
            if d in kept:
                src_index.append(rel)
        identity = K.AffineMap(rank, tuple(K.Dim(i) for i in range(rank)))
        scalar = K.AffineMap(rank, ())
        body = (K.Op("select", (inside or K.Lit(True, "i1"), K.Extract(0, tuple(src_index), dest_type.element), K.Arg(0, dest_type.element)), dest_type.element),)
        init = self._empty_like(op.results[0])
        maps = tuple([identity] + [scalar] * (len(inputs) - 1) + [identity])
        self.kernel.ops.append(K.Loop("generic", dest_type.shape, ("parallel",) * rank, tuple(inputs), (init,), maps, body,
                                      (self.define(op.results[0]),), (src,), loc=_loc(op, self.source)))  # fmt: skip

    def pad(self, op: ir.Operation) -> None:
        low, high = _dense_i64(op, "static_low"), _dense_i64(op, "static_high")
        if ir.ShapedType.get_dynamic_size() in low + high:
            raise _unsupported(op, self.source, "with run-time padding is not supported yet")
        block = op.regions[0].blocks[0]
        yielded = block.operations[len(block.operations) - 1].operands[0]
        self.kernel.ops.append(K.View("pad", (self.use(op.operands[0], op), self.use(yielded, op)), self.define(op.results[0]),
                                      {"low": low, "high": high}, _loc(op, self.source)))  # fmt: skip

    def scalar_extract(self, op: ir.Operation) -> None:
        operands = list(op.operands)
        indices = tuple(self.use(v, op) for v in operands[1:])
        body = (K.Extract(0, tuple(K.Arg(i, "index") for i in range(len(indices))), str(op.results[0].type)),)
        self.kernel.ops.append(K.Loop("generic", (), (), indices, (), tuple(K.AffineMap(0, ()) for _ in indices), body,
                                      (self.define(op.results[0]),), (self.use(operands[0], op),), loc=_loc(op, self.source)))  # fmt: skip

    def scalar_op(self, op: ir.Operation) -> None:
        """Scalar arithmetic outside any loop (index computations): a 0-d loop."""
        inputs = tuple(self.use(v, op) for v in op.operands)
        args = [K.Arg(i, str(v.type)) for i, v in enumerate(op.operands)]
        body = (_Body(self, op, len(inputs)).scalar(op, args),)
        self.kernel.ops.append(K.Loop("generic", (), (), inputs, (), tuple(K.AffineMap(0, ()) for _ in inputs), body,
                                      (self.define(op.results[0]),), loc=_loc(op, self.source)))  # fmt: skip


@dataclass
class _Elements:
    """A small tensor inside a region, as one expression per element (row-major)."""

    shape: tuple[int, ...]
    elements: list[K.Expr]


def _eval_affine(e: K.AffineExpr, point: tuple[int, ...]) -> int:
    if isinstance(e, K.Dim):
        return point[e.index]
    if isinstance(e, K.Cst):
        return e.value
    a, b = _eval_affine(e.lhs, point), _eval_affine(e.rhs, point)
    return {"+": a + b, "*": a * b, "floordiv": a // b, "ceildiv": -(-a // b), "mod": a % b}[e.kind]


class _Body:
    """Translates a structured op's region into expression DAGs."""

    def __init__(self, translator: _Translator, owner: ir.Operation, n_inputs: int) -> None:
        self.t = translator
        self.owner = owner
        self.extra: list[str] = []

    def block(self, block: ir.Block, args: list[K.Expr], env: dict[ir.Value, K.Expr] | None = None) -> list[K.Expr]:
        env = dict(env or {})
        for arg, expr in zip(block.arguments, args):
            env[arg] = expr
        for op in [o.operation for o in block.operations]:
            if op.name in _YIELDS:
                return [self.value(v, env) for v in op.operands]
            if op.name in ("stablehlo.return",):
                return [self.value(v, env) for v in op.operands]
            if op.name == "scf.if":
                cond = self.value(op.operands[0], env)
                then = self.block(op.regions[0].blocks[0], [], env)
                other = self.block(op.regions[1].blocks[0], [], env)
                for i, r in enumerate(op.results):
                    env[r] = K.Cond(cond, tuple(then), tuple(other), i, str(r.type))
                continue
            if op.name == "arith.constant":
                value = self.t._constant(op)
                if value.ndim:
                    env[op.results[0]] = _Elements(value.shape, [K.Lit(v, str(ir.RankedTensorType(op.results[0].type).element_type)) for v in value.reshape(-1).tolist()])
                else:
                    env[op.results[0]] = K.Lit(value.item(), str(op.results[0].type))
            elif op.name == "linalg.index":
                env[op.results[0]] = K.Index(ir.IntegerAttr(op.attributes["dim"]).value)
            elif op.name == "tensor.extract":
                env[op.results[0]] = self.extract(op, env)
            elif op.name == "tensor.dim":
                index = self.value(op.operands[1], env)
                if not isinstance(index, K.Lit):
                    raise _unsupported(op, self.t.source, "with a run-time dimension index")
                env[op.results[0]] = K.Lit(ir.RankedTensorType(op.operands[0].type).shape[int(index.value)], "index")
            elif op.name in ("tensor.from_elements", "tensor.empty", "builtin.unrealized_conversion_cast", *_VIEW_RESHAPES):
                env[op.results[0]] = self.small_tensor(op, env)
            elif op.name.startswith("linalg."):
                for r, value in zip(op.results, self.unrolled(op, env)):
                    env[r] = value
            else:
                env[op.results[0]] = self.scalar(op, [self.value(v, env) for v in op.operands])
        raise _unsupported(self.owner, self.t.source, "has a region without a terminator")

    # Small tensors inside a body (0-d tensors of StableHLO region code) are kept element by
    # element, so the whole region becomes scalar expressions.
    def extract(self, op: ir.Operation, env: dict[ir.Value, object]) -> K.Expr:
        operands = list(op.operands)
        indices = [self.value(v, env) for v in operands[1:]]
        source = env.get(operands[0])
        if isinstance(source, _Elements):
            if not all(isinstance(i, K.Lit) for i in indices):
                raise _unsupported(op, self.t.source, "reads a small in-body tensor at a run-time index")
            flat = int(np.ravel_multi_index([int(i.value) for i in indices], source.shape)) if source.shape else 0
            return source.elements[flat]
        return K.Extract(self.capture(operands[0], op), tuple(indices), str(op.results[0].type))

    def small_tensor(self, op: ir.Operation, env: dict[ir.Value, object]) -> _Elements:
        shape = tuple(ir.RankedTensorType(op.results[0].type).shape)
        if op.name == "tensor.from_elements":
            return _Elements(shape, [self.value(v, env) for v in op.operands])
        if op.name == "tensor.empty":
            element = str(ir.RankedTensorType(op.results[0].type).element_type)
            return _Elements(shape, [K.Lit(0, element)] * int(np.prod(shape, dtype=np.int64)))
        source = env.get(op.operands[0])
        if not isinstance(source, _Elements):
            raise _unsupported(op, self.t.source, "on a tensor from outside the region")
        return _Elements(shape, source.elements)

    def unrolled(self, op: ir.Operation, env: dict[ir.Value, object]) -> list[_Elements]:
        """A structured op on small in-body tensors, unrolled into per-element expressions."""
        n_in, n_out = list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))
        operands = [env.get(v) for v in op.operands]
        if not all(isinstance(o, _Elements) for o in operands):
            raise _unsupported(op, self.t.source, "inside a region reads a tensor from outside it")
        if "indexing_maps" in op.attributes:
            maps = [_affine_map(a) for a in ir.ArrayAttr(op.attributes["indexing_maps"])]
        else:
            rank = len(operands[-1].shape)
            maps = [K.AffineMap(rank, ()), K.AffineMap(rank, tuple(K.Dim(i) for i in range(rank)))]
        domain = [1] * maps[0].n_dims
        for o, m in zip(operands, maps):
            for size, e in zip(o.shape, m.results):
                if isinstance(e, K.Dim):
                    domain[e.index] = size
        outs = [_Elements(o.shape, list(o.elements)) for o in operands[n_in:]]
        if int(np.prod(domain)) > 64:
            raise _unsupported(op, self.t.source, "inside a region is too large to unroll")
        block = op.regions[0].blocks[0]
        for point in np.ndindex(*domain):
            def element(o: _Elements, m: K.AffineMap) -> K.Expr:
                idx = [int(_eval_affine(e, point)) for e in m.results]
                return o.elements[int(np.ravel_multi_index(idx, o.shape)) if o.shape else 0]
            args = [element(o, m) for o, m in zip(operands[:n_in], maps[:n_in])]
            args += [element(o, m) for o, m in zip(outs, maps[n_in:])]
            values = self.block(block, args, env)
            for o, m, v in zip(outs, maps[n_in:], values):
                idx = [int(_eval_affine(e, point)) for e in m.results]
                o.elements[int(np.ravel_multi_index(idx, o.shape)) if o.shape else 0] = v
        return outs

    def capture(self, value: ir.Value, user: ir.Operation) -> int:
        name = self.t.use(value, user)
        if name not in self.extra:
            self.extra.append(name)
        return self.extra.index(name)

    def value(self, v: ir.Value, env: dict[ir.Value, K.Expr]) -> K.Expr:
        if v in env:
            found = env[v]
            if isinstance(found, _Elements) and len(found.elements) == 1:
                return found.elements[0]  # a 0-d tensor stands for its element
            return found
        # A scalar defined outside the loop: a 0-d tensor read through Extract.
        return K.Extract(self.capture(v, self.owner), (), str(v.type))

    def scalar(self, op: ir.Operation, args: list[K.Expr]) -> K.Expr:
        rtype = str(op.results[0].type)
        if op.name == "arith.cmpf":
            return K.Op(f"cmpf.{_CMPF[ir.IntegerAttr(op.attributes['predicate']).value]}", tuple(args), rtype)
        if op.name == "arith.cmpi":
            return K.Op(f"cmpi.{_CMPI[ir.IntegerAttr(op.attributes['predicate']).value]}", tuple(args), rtype)
        try:
            return K.Op(_SCALAR[op.name], tuple(args), rtype)
        except KeyError:
            raise _unsupported(op, self.t.source, "is not in the Kernel IR scalar op set") from None


def kernel_from_function(module: ir.Module, fn: ir.Operation, kind: str, *, source: str) -> K.Kernel:
    """The Kernel IR of kernel function `fn` of `module` (host kinds become one HostOp)."""
    name = ir.StringAttr(fn.attributes["sym_name"]).value
    with module.context, ir.Location.unknown():
        single = ir.Module.create()
        with ir.InsertionPoint(single.body):
            clone = fn.clone()
        clone.attributes["sym_name"] = ir.StringAttr.get("main")
        clone.attributes["sym_visibility"] = ir.StringAttr.get("public")
        if kind == "host":
            return _host_kernel(name, single, clone, source)
        _mlir.run_pipeline(single, LEGALIZE_PIPELINE, source=source, stage="loop")
        kernel = _Translator(name, source).function(clone)
        clone.attributes["sym_name"] = ir.StringAttr.get(name)
        kernel.linalg = clone.get_asm(large_elements_limit=16)
        return kernel


def _host_kernel(name: str, module: ir.Module, fn: ir.Operation, source: str) -> K.Kernel:
    block = fn.regions[0].blocks[0]
    ftype = _mlir.function_type(fn)
    kernel = K.Kernel(name=name, params=[f"p{i}" for i in range(len(ftype.inputs))], results=[f"r{i}" for i in range(len(ftype.results))], types={}, ops=[])
    for n, t in zip(kernel.params, ftype.inputs):
        kernel.types[n] = _tensor_type(t)
    for n, t in zip(kernel.results, ftype.results):
        kernel.types[n] = _tensor_type(t)
    first = next((o.operation for o in block.operations if o.operation.name not in ("stablehlo.constant",)), None)
    op_name = first.name if first is not None else "stablehlo.host"
    loc = _loc(first, source) if first is not None else ""
    text = module.operation.get_asm(enable_debug_info=False)
    kernel.ops.append(K.HostOp(op_name, tuple(kernel.params), tuple(kernel.results), text, loc))
    return kernel

