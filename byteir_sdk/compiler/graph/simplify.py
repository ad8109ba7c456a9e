"""Graph-stage passes on StableHLO: upstream clean-ups, constant folding, algebraic rewrites, DCE."""

from __future__ import annotations

import numpy as np

from byteir_sdk._mlir import func_dialect, ir, stablehlo
from byteir_sdk.compiler.frontend import Program
from byteir_sdk.compiler.passes import PassContext, RewritePass, UpstreamPass, defining_op, register_pass
from byteir_sdk.dtypes import array_to_attr, tensor_spec
from byteir_sdk.reference.engines import constant_value, run_interpreter

#: Ops never folded or removed: side effects, randomness, communication, control flow.
UNFOLDABLE = frozenset(
    "stablehlo." + n
    for n in (
        "constant custom_call rng rng_bit_generator infeed outfeed send recv all_gather all_reduce "
        "all_to_all collective_permute collective_broadcast reduce_scatter partition_id replica_id "
        "after_all create_token optimization_barrier while case if"
    ).split()
)

#: Default cap on the elements a folded constant may have (`fold_limit` option).
FOLD_LIMIT = 1 << 16


@register_pass("graph")
class Canonicalize(UpstreamPass):
    """Upstream canonicalize: op-local folds and rewrites, dead pure ops removed."""

    pipeline = "canonicalize"


@register_pass("graph", name="cse")
class CommonSubexpressionElimination(UpstreamPass):
    """Upstream CSE: identical pure ops on identical operands computed once."""

    pipeline = "cse"


def _is_top_level(op: ir.Operation) -> bool:
    return op.parent is not None and op.parent.name == "func.func"


def _is_constant(value: ir.Value) -> bool:
    op = defining_op(value)
    return op is not None and op.name == "stablehlo.constant"


def _elements(t: ir.Type) -> int:
    return int(np.prod(ir.RankedTensorType(t).shape, dtype=np.int64))


def splat_value(value: ir.Value, limit: int = 1 << 20) -> object | None:
    """The scalar a splat stablehlo.constant holds, or None (not constant / not splat / too big)."""
    op = defining_op(value)
    if op is None or op.name != "stablehlo.constant" or _elements(value.type) > limit:
        return None
    attr = _dense(op)
    if attr is not None and not attr.is_splat:
        return None  # MLIR stores equal elements as a splat: these differ
    array = constant_value(op)
    if array.size == 0:
        return None
    flat = array.reshape(-1)
    first = flat[:1]
    if not np.array_equal(flat.view(np.uint8).reshape(flat.size, -1), np.broadcast_to(first.view(np.uint8), (flat.size, first.itemsize))):
        return None
    return first[0]


#: Ops that only move or repeat elements: folded without evaluating anything (`_move`).
_MOVES = frozenset("stablehlo." + n for n in ("broadcast_in_dim", "broadcast", "reshape", "transpose", "reverse", "slice"))


def _dense(op: ir.Operation) -> ir.DenseElementsAttr | None:
    """The dense attribute of a stablehlo.constant; None for a dense resource, or for complex
    elements, which the bindings cannot cast."""
    try:
        return ir.DenseElementsAttr(op.attributes["value"])
    except (ValueError, TypeError):
        return None


def _splat_element(value: ir.Value) -> ir.Attribute | None:
    """The element attribute of a splat dense stablehlo.constant (not complex), else None."""
    op = defining_op(value)
    attr = _dense(op) if op is not None and op.name == "stablehlo.constant" else None
    if attr is None or not attr.is_splat or not isinstance(ir.ShapedType(attr.type).element_type, (ir.FloatType, ir.IntegerType)):
        return None  # the bindings cannot read complex elements
    return attr.get_splat_value()


def _move(op: ir.Operation) -> ir.Attribute | None:
    """The constant that data-movement `op` makes of its constant operand, without the interpreter
    (a splat stays a splat; other elements are moved exactly with NumPy); None for complex data."""
    result = op.results[0].type
    splat = _splat_element(op.operands[0])
    if splat is not None:
        return ir.DenseElementsAttr.get_splat(result, splat)
    spec = tensor_spec("c", result)
    if spec.element.kind == "complex":
        return None
    array = constant_value(defining_op(op.operands[0]))
    attrs = op.attributes
    if op.name == "stablehlo.transpose":
        array = array.transpose(list(ir.DenseI64ArrayAttr(attrs["permutation"])))
    elif op.name == "stablehlo.reverse":
        array = np.flip(array, axis=tuple(ir.DenseI64ArrayAttr(attrs["dimensions"])))
    elif op.name == "stablehlo.slice":
        bounds = zip(*(ir.DenseI64ArrayAttr(attrs[k]) for k in ("start_indices", "limit_indices", "strides")))
        array = array[tuple(slice(lo, hi, step) for lo, hi, step in bounds)]
    elif op.name == "stablehlo.broadcast_in_dim":
        dims = list(ir.DenseI64ArrayAttr(attrs["broadcast_dimensions"]))
        order = sorted(range(len(dims)), key=dims.__getitem__)  # operand dims in result order
        shape = [1] * len(spec.shape)
        for i in order:
            shape[dims[i]] = array.shape[i]
        array = np.broadcast_to(array.transpose(order).reshape(shape), spec.shape)
    return array_to_attr(np.broadcast_to(array, spec.shape) if op.name == "stablehlo.broadcast" else array.reshape(spec.shape), spec)


def evaluate_ops(ops: list[ir.Operation], results: list[ir.Value]) -> list[np.ndarray]:
    """Evaluate constant-only `ops` (in order) with the interpreter and return `results`' values."""
    with ops[0].context, ir.Location.unknown():
        module = ir.Module.create()
        specs = tuple(tensor_spec(f"r{i}", r.type) for i, r in enumerate(results))
        with ir.InsertionPoint(module.body):
            fn = func_dialect.FuncOp("main", ([], [r.type for r in results]))
        mapping: dict[ir.Value, ir.Value] = {}
        with ir.InsertionPoint(fn.add_entry_block()):
            for op in ops:
                clone = op.clone()
                for i, operand in enumerate(clone.operands):
                    if operand in mapping:
                        clone.operands[i] = mapping[operand]
                for old, new in zip(op.results, clone.results):
                    mapping[old] = new
            func_dialect.ReturnOp([mapping[r] for r in results])
    return run_interpreter(Program(module=module, source="<fold>", entry="main", inputs=(), outputs=specs), [])


def replace_with_constants(op: ir.Operation, values: list[np.ndarray]) -> None:
    """Replace each result of `op` by a stablehlo.constant holding the matching array, erase `op`."""
    with ir.InsertionPoint(op):
        for result, value in zip(op.results, values):
            const = stablehlo.ConstantOp(array_to_attr(value, tensor_spec("c", result.type)))
            result.replace_all_uses_with(const.result)
    op.erase()


@register_pass("graph")
class FoldEmptyTensors(RewritePass):
    """Replace a side-effect-free op whose results all have zero elements by empty constants."""

    def run_on_op(self, op: ir.Operation, ctx: PassContext) -> bool:
        if op.name == "stablehlo.constant" or op.name in UNFOLDABLE or not op.name.startswith("stablehlo.") or not _is_top_level(op) or not op.results:
            return False
        try:
            types = [ir.RankedTensorType(r.type) for r in op.results]
        except ValueError:
            return False  # tokens, tuples
        if any(int(np.prod(t.shape, dtype=np.int64)) for t in types):
            return False
        replace_with_constants(op, [np.zeros(t.shape, tensor_spec("e", r.type).element.dtype) for t, r in zip(types, op.results)])
        ctx.count("graph.folded-empty-ops")
        return True


@register_pass("graph")
class FoldConstants(RewritePass):
    """Evaluate ops whose operands are all constants (capped by `fold_limit`; never expanding non-splats)."""

    def run_on_op(self, op: ir.Operation, ctx: PassContext) -> bool:
        if op.name in UNFOLDABLE or not op.name.startswith("stablehlo.") or not _is_top_level(op) or not op.results:
            return False
        operands = list(op.operands)
        if not operands or not all(_is_constant(v) for v in operands):
            return False
        limit = int(ctx.options.get("fold_limit", FOLD_LIMIT))
        produced = sum(_elements(r.type) for r in op.results)
        if produced > limit:
            return False
        if produced > max(_elements(v.type) for v in operands) and not all(splat_value(v) is not None for v in operands):
            return False  # folding would expand data (broadcast, pad, iota-like): keep the small weights
        if op.name in _MOVES and (moved := _move(op)) is not None:
            with ir.InsertionPoint(op):
                const = stablehlo.ConstantOp(moved)
            op.results[0].replace_all_uses_with(const.result)
            op.erase()
            ctx.count("graph.folded-ops")
            return True
        producers = []
        for v in operands:
            p = defining_op(v)
            if p is not None and all(p != q for q in producers):
                producers.append(p)
        replace_with_constants(op, evaluate_ops(producers + [op], list(op.results)))
        ctx.count("graph.folded-ops")
        return True


def _is_identity_layout(op: ir.Operation) -> bool:
    if op.name == "stablehlo.transpose":
        perm = list(ir.DenseI64ArrayAttr(op.attributes["permutation"]))
        return perm == list(range(len(perm)))
    if op.name == "stablehlo.broadcast_in_dim":
        dims = list(ir.DenseI64ArrayAttr(op.attributes["broadcast_dimensions"]))
        return dims == list(range(len(dims)))
    return op.name in ("stablehlo.reshape", "stablehlo.convert", "stablehlo.bitcast_convert")


@register_pass("graph")
class FoldIdentityOps(RewritePass):
    """reshape/convert/transpose/broadcast_in_dim that change nothing -> their operand."""

    def run_on_op(self, op: ir.Operation, ctx: PassContext) -> bool:
        if len(op.operands) != 1 or len(op.results) != 1 or op.results[0].type != op.operands[0].type:
            return False
        if not _is_identity_layout(op):
            return False
        op.results[0].replace_all_uses_with(op.operands[0])
        op.erase()
        ctx.count("graph.identity-ops")
        return True


@register_pass("graph")
class FoldTransposeOfTranspose(RewritePass):
    """transpose(transpose(x, p), q) -> transpose(x, p o q), or x when that is the identity."""

    def run_on_op(self, op: ir.Operation, ctx: PassContext) -> bool:
        if op.name != "stablehlo.transpose":
            return False
        inner = defining_op(op.operands[0])
        if inner is None or inner.name != "stablehlo.transpose":
            return False
        p = list(ir.DenseI64ArrayAttr(inner.attributes["permutation"]))
        q = list(ir.DenseI64ArrayAttr(op.attributes["permutation"]))
        composed = [p[i] for i in q]
        source = inner.operands[0]
        if composed == list(range(len(composed))):
            op.results[0].replace_all_uses_with(source)
        else:
            with ir.InsertionPoint(op):
                new = stablehlo.TransposeOp(source, ir.DenseI64ArrayAttr.get(composed))
            op.results[0].replace_all_uses_with(new.result)
        op.erase()
        ctx.count("graph.transpose-chains")
        return True


@register_pass("graph")
class FoldTransposeIntoDot(RewritePass):
    """dot_general(transpose(x), y) -> dot_general(x, y) with permuted dimension numbers (backends with strided contractions)."""

    def run_on_op(self, op: ir.Operation, ctx: PassContext) -> bool:
        if op.name != "stablehlo.dot_general" or ctx.capabilities is None or not ctx.capabilities.strided_contractions:
            return False
        dims = stablehlo.DotDimensionNumbers(op.attributes["dot_dimension_numbers"])
        sides = {0: (list(dims.lhs_batching_dimensions), list(dims.lhs_contracting_dimensions)),
                 1: (list(dims.rhs_batching_dimensions), list(dims.rhs_contracting_dimensions))}  # fmt: skip
        for i, (batching, contracting) in sides.items():
            transpose = defining_op(op.operands[i])
            if transpose is None or transpose.name != "stablehlo.transpose":
                continue
            perm = list(ir.DenseI64ArrayAttr(transpose.attributes["permutation"]))
            free = [perm[d] for d in range(len(perm)) if d not in batching and d not in contracting]
            if free != sorted(free):
                continue  # the result's free dims would come out in another order
            sides[i] = ([perm[d] for d in batching], [perm[d] for d in contracting])
            op.operands[i] = transpose.operands[0]
            (lb, lc), (rb, rc) = sides[0], sides[1]
            op.attributes["dot_dimension_numbers"] = stablehlo.DotDimensionNumbers.get(lb, rb, lc, rc)
            ctx.count("graph.transposes-into-dots")
            return True
        return False


@register_pass("graph")
class FoldReshapeChains(RewritePass):
    """reshape(reshape(x)) -> reshape(x); a chain of converts through a wider type -> one convert."""

    def run_on_op(self, op: ir.Operation, ctx: PassContext) -> bool:
        if op.name not in ("stablehlo.reshape", "stablehlo.convert"):
            return False
        inner = defining_op(op.operands[0])
        if inner is None or inner.name != op.name:
            return False
        if op.name == "stablehlo.convert" and not _lossless(inner.operands[0].type, inner.results[0].type):
            return False
        source = inner.operands[0]
        result_type = op.results[0].type
        with ir.InsertionPoint(op):
            if source.type == result_type:
                replacement = source
            elif op.name == "stablehlo.reshape":
                replacement = stablehlo.ReshapeOp(result_type, source).result
            else:
                replacement = stablehlo.ConvertOp(result_type, source).result
        op.results[0].replace_all_uses_with(replacement)
        op.erase()
        ctx.count("graph.reshape-convert-chains")
        return True


def _lossless(src: ir.Type, dst: ir.Type) -> bool:
    """Every value of src's element type is exactly representable in dst's."""
    a = tensor_spec("a", src).element
    b = tensor_spec("b", dst).element
    if a.kind == "float" and b.kind == "float":
        fa, fb = np.finfo(a.dtype), np.finfo(b.dtype)
        return fb.nmant >= fa.nmant and fb.maxexp >= fa.maxexp and fb.minexp <= fa.minexp
    if a.kind in ("int", "uint", "bool") and b.kind in ("int", "uint"):
        if a.kind == "bool":
            return True
        ia, ib = np.iinfo(a.dtype), np.iinfo(b.dtype)
        return ib.min <= ia.min and ib.max >= ia.max
    return False


@register_pass("graph")
class SimplifyArithmetic(RewritePass):
    """x*1 -> x; x+0, x-0 -> x (integers; floats only for -0.0); x*0 -> 0 (integers)."""

    def run_on_op(self, op: ir.Operation, ctx: PassContext) -> bool:
        if op.name not in ("stablehlo.add", "stablehlo.subtract", "stablehlo.multiply"):
            return False
        lhs, rhs = op.operands[0], op.operands[1]
        et = tensor_spec("x", op.results[0].type).element
        candidates = [(rhs, lhs), (lhs, rhs)] if op.name != "stablehlo.subtract" else [(rhs, lhs)]
        for const, other in candidates:
            value = splat_value(const)
            if value is None:
                continue
            if et.kind in ("complex", "bool"):
                return False  # (a+bi)*1 is not exact when b is infinite; keep it simple and safe
            if op.name == "stablehlo.multiply" and value == 1:
                return self._replace(op, other, ctx)
            if op.name == "stablehlo.multiply" and value == 0 and et.kind in ("int", "uint"):
                return self._replace(op, const, ctx)
            if op.name in ("stablehlo.add", "stablehlo.subtract") and value == 0:
                exact = et.kind in ("int", "uint") or (op.name == "stablehlo.add" and np.signbit(value))
                exact = exact or (op.name == "stablehlo.subtract" and et.kind == "float" and not np.signbit(value))
                if exact:
                    return self._replace(op, other, ctx)
        return False

    @staticmethod
    def _replace(op: ir.Operation, value: ir.Value, ctx: PassContext) -> bool:
        if value.type != op.results[0].type:
            return False
        op.results[0].replace_all_uses_with(value)
        op.erase()
        ctx.count("graph.arithmetic-identities")
        return True


@register_pass("graph", name="dce")
class DeadCodeElimination(RewritePass):
    """Erase ops without side effects whose results are all unused."""

    def run_on_op(self, op: ir.Operation, ctx: PassContext) -> bool:
        if op.name in UNFOLDABLE - {"stablehlo.constant"} or not op.name.startswith("stablehlo.") or not _is_top_level(op):
            return False
        if not op.results or any(len(list(r.uses)) for r in op.results):
            return False
        op.erase()
        ctx.count("graph.dead-ops")
        return True


#: Constants smaller than this are left alone by shrink-broadcast-constants.
SHRINK_MIN_ELEMENTS = 1024


@register_pass("graph")
class ShrinkBroadcastConstants(RewritePass):
    """A big constant equal along some dims -> broadcast_in_dim of its distinct slice (fewer weight bytes)."""

    def run_on_op(self, op: ir.Operation, ctx: PassContext) -> bool:
        if op.name != "stablehlo.constant" or not _is_top_level(op):
            return False
        rtype = ir.RankedTensorType(op.results[0].type)
        if _elements(rtype) < SHRINK_MIN_ELEMENTS or isinstance(rtype.element_type, ir.ComplexType):
            return False
        value = constant_value(op)
        if np.isnan(value).any() if value.dtype.kind == "f" else False:
            return False
        kept = [d for d in range(value.ndim) if not np.array_equal(value, np.broadcast_to(value.take([0], axis=d), value.shape))]
        small = value[tuple(slice(None) if d in kept else 0 for d in range(value.ndim))]
        if small.size * 4 > value.size:
            return False  # not worth a broadcast
        with ir.InsertionPoint(op):
            const = stablehlo.ConstantOp(array_to_attr(small, tensor_spec("c", ir.RankedTensorType.get(list(small.shape), rtype.element_type))))
            wide = stablehlo.BroadcastInDimOp(rtype, const.result, ir.DenseI64ArrayAttr.get(kept))
        op.results[0].replace_all_uses_with(wide.result)
        op.erase()
        ctx.count("graph.shrunk-constants")
        return True


@register_pass("graph")
class RematerializeCheapBroadcasts(RewritePass):
    """A broadcast of a constant with several users -> one copy per user (fuses instead of being stored)."""

    def run_on_op(self, op: ir.Operation, ctx: PassContext) -> bool:
        # Whatever the constant's size: each copy reads the constant, never more than the stored
        # broadcast would be read (a layernorm's 512 gains broadcast to 4x256x512 and shared by
        # two layernorms were passed between kernels: 2 x 2 MiB written and read back).
        if op.name != "stablehlo.broadcast_in_dim" or not _is_top_level(op):
            return False
        source = defining_op(op.operands[0])
        if source is None or source.name != "stablehlo.constant":
            return False
        users = [u.owner.operation for u in op.results[0].uses]
        if len(users) < 2 or any(not _is_top_level(u) for u in users):
            return False
        for user in users[1:]:
            with ir.InsertionPoint(user):
                clone = op.clone()
            user.replace_uses_of_with(op.results[0], clone.results[0])
        ctx.count("graph.rematerialized-broadcasts", len(users) - 1)
        return True
