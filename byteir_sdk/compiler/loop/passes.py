"""Loop-stage passes on Kernel IR. Each is a function Kernel -> Kernel registered by name.

They must preserve semantics exactly; the tests check each one with the Kernel IR evaluator
against the oracle on the example models and the corpus.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from byteir_sdk.compiler.backend import Capabilities
from byteir_sdk.compiler.loop import kernel_ir as K

__all__ = ["LOOP_PASSES", "loop_pass", "fuse_elementwise_loops", "fold_transposes_into_producers", "eliminate_dead_operands", "merge_leading_dims", "annotate_parallelism", "tile_for_memory"]

LoopPass = Callable[[K.Kernel, Capabilities], K.Kernel]
#: name -> (pass function, one-line summary); the registry of loop passes
LOOP_PASSES: dict[str, tuple[LoopPass, str]] = {}


def loop_pass(name: str) -> Callable[[LoopPass], LoopPass]:
    """Register a loop pass; its docstring's first line is its summary."""

    def wrap(fn: LoopPass) -> LoopPass:
        LOOP_PASSES[name] = (fn, (fn.__doc__ or "").strip().splitlines()[0])
        return fn

    return wrap


def _uses(kernel: K.Kernel) -> dict[str, int]:
    counts: dict[str, int] = {r: 1 for r in kernel.results}
    for op in kernel.ops:
        names: tuple[str, ...] = ()
        if isinstance(op, K.Loop):
            names = op.inputs + op.outputs + op.extra
        elif isinstance(op, K.View):
            names = op.operands
        elif isinstance(op, K.HostOp):
            names = op.operands
        for n in names:
            counts[n] = counts.get(n, 0) + 1
    return counts


def _affine_to_expr(e: K.AffineExpr) -> K.Expr:
    if isinstance(e, K.Dim):
        return K.Index(e.index)
    if isinstance(e, K.Cst):
        return K.Lit(e.value, "index")
    op = {"+": "add", "*": "mul", "floordiv": "floordivs", "ceildiv": "ceildivs", "mod": "mods"}[e.kind]
    return K.Op(op, (_affine_to_expr(e.lhs), _affine_to_expr(e.rhs)), "index")


def _substitute_dims(e: K.AffineExpr, by: tuple[K.AffineExpr, ...]) -> K.AffineExpr:
    if isinstance(e, K.Dim):
        return by[e.index]
    if isinstance(e, K.AffineBin):
        return K.AffineBin(e.kind, _substitute_dims(e.lhs, by), _substitute_dims(e.rhs, by))
    return e


def _rewrite(e: K.Expr, fn: Callable[[K.Expr], K.Expr | None], memo: dict[int, K.Expr]) -> K.Expr:
    """Bottom-up rewrite of an expression DAG; `fn` returns a replacement or None."""
    key = id(e)
    if key in memo:
        return memo[key]
    if isinstance(e, K.Op):
        e2: K.Expr = dataclasses.replace(e, args=tuple(_rewrite(a, fn, memo) for a in e.args))
    elif isinstance(e, K.Extract):
        e2 = dataclasses.replace(e, indices=tuple(_rewrite(a, fn, memo) for a in e.indices))
    elif isinstance(e, K.Cond):
        e2 = dataclasses.replace(
            e,
            cond=_rewrite(e.cond, fn, memo),
            then=tuple(_rewrite(a, fn, memo) for a in e.then),
            otherwise=tuple(_rewrite(a, fn, memo) for a in e.otherwise),
        )
    else:
        e2 = e
    out = fn(e2)
    memo[key] = out if out is not None else e2
    return memo[key]


def _fusable_producer(p: K.Loop) -> bool:
    # A pure elementwise producer writing its whole output through the identity map, with a
    # body that does not read its (uninitialised) output. A 0-d one only when it just reads a
    # scalar (e.g. a pooling's init extracted from a 0-d constant): fused, it is an invariant
    # load in the consumer, where any other 0-d computation would run once per element.
    n_in = len(p.inputs)
    return (
        not p.reduction_dims
        and len(p.results) == 1
        and (p.domain != () or isinstance(p.body[0], (K.Arg, K.Extract)))
        and (p.maps[n_in].is_identity() if len(p.maps) > n_in else p.domain == ())
        and not any(K.reads_outputs(e, n_in) for e in p.body)
    )


def _fuse_into(consumer: K.Loop, slots: list[int], producer: K.Loop) -> K.Loop:
    """Replace consumer inputs `slots` (all reading `producer`'s result through one map) by the
    producer's computation, computed once."""
    n_in_c = len(consumer.inputs)
    slot = slots[0]
    m_c = consumer.maps[slot]
    n_in_p = len(producer.inputs)
    # New consumer inputs: its own minus `slots`, plus the producer's inputs read through the
    # composed map  producer_map o consumer_map.
    keep = [i for i in range(n_in_c) if i not in slots]
    new_inputs = [consumer.inputs[i] for i in keep] + list(producer.inputs)
    new_maps = [consumer.maps[i] for i in keep]
    new_maps += [K.AffineMap(m_c.n_dims, tuple(_substitute_dims(r, m_c.results) for r in producer.maps[i].results)) for i in range(n_in_p)]
    new_maps += list(consumer.maps[n_in_c:])
    extra = list(consumer.extra)
    extra_base = len(extra)
    extra += list(producer.extra)
    # Producer body, with its Args renumbered and its Index(d) replaced by the consumer's
    # affine expression for that producer dim.
    shift_p = len(keep)
    index_exprs = [_affine_to_expr(r) for r in m_c.results]

    def rewrite_p(e: K.Expr) -> K.Expr | None:
        if isinstance(e, K.Arg):
            return K.Arg(shift_p + e.index, e.type)
        if isinstance(e, K.Index):
            return index_exprs[e.dim]
        if isinstance(e, K.Extract):
            return dataclasses.replace(e, operand=e.operand + extra_base)
        return None

    produced = _rewrite(producer.body[0], rewrite_p, {})
    n_new_in = len(new_inputs)

    def rewrite_c(e: K.Expr) -> K.Expr | None:
        if isinstance(e, K.Arg):
            if e.index in slots:
                return produced
            if e.index < n_in_c:
                return K.Arg(keep.index(e.index), e.type)
            return K.Arg(n_new_in + e.index - n_in_c, e.type)
        return None

    memo: dict[int, K.Expr] = {}
    body = tuple(_rewrite(e, rewrite_c, memo) for e in consumer.body)
    return dataclasses.replace(consumer, inputs=tuple(new_inputs), maps=tuple(new_maps), body=body, extra=tuple(extra))


@loop_pass("fuse-elementwise-loops")
def fuse_elementwise_loops(kernel: K.Kernel, caps: Capabilities) -> K.Kernel:
    """Inline elementwise loops read by one consumer into it (index-map composition)."""
    ops = list(kernel.ops)
    changed = True
    while changed:
        changed = False
        uses = _uses(dataclasses.replace(kernel, ops=ops))
        producers = {op.results[0]: op for op in ops if isinstance(op, K.Loop) and _fusable_producer(op)}
        for ci, consumer in enumerate(ops):
            if not isinstance(consumer, K.Loop):
                continue
            for slot, name in enumerate(consumer.inputs):
                producer = producers.get(name)
                slots = [i for i, n in enumerate(consumer.inputs) if n == name]
                # Only when this consumer is the sole reader, always through the same map.
                if producer is None or producer is consumer or uses.get(name, 0) != len(slots):
                    continue
                if len({consumer.maps[i] for i in slots}) != 1 or name in consumer.extra:
                    continue
                ops[ci] = _fuse_into(consumer, slots, producer)
                ops.remove(producer)
                changed = True
                break
            if changed:
                break
    return _drop_unused(dataclasses.replace(kernel, ops=ops))


def _permutation(loop: K.KernelOp, types: dict[str, K.TensorType]) -> list[int] | None:
    """σ when `loop` is a transpose copy ``w[y] = v[y_σ(0), ..., y_σ(r-1)]`` into an init it does
    not read, else None."""
    if not isinstance(loop, K.Loop) or len(loop.inputs) != 1 or len(loop.outputs) != 1 or loop.extra or loop.reduction_dims:
        return None
    read, write = loop.maps
    if loop.body != (K.Arg(0, loop.body[0].type),) or not write.is_identity() or types[loop.inputs[0]].element != types[loop.results[0]].element:
        return None
    sigma = [r.index if isinstance(r, K.Dim) else -1 for r in read.results]
    return sigma if sorted(sigma) == list(range(read.n_dims)) else None


@loop_pass("fold-transposes-into-producers")
def fold_transposes_into_producers(kernel: K.Kernel, caps: Capabilities) -> K.Kernel:
    """A loop whose result only a transpose copy reads writes it transposed instead (strided-contraction backends)."""
    if not caps.strided_contractions:
        return kernel
    ops, types = list(kernel.ops), dict(kernel.types)
    made = {op.result: op for op in ops if isinstance(op, K.Empty)}
    for copy, sigma in [(op, sigma) for op in ops if (sigma := _permutation(op, types)) is not None]:
        uses = _uses(dataclasses.replace(kernel, ops=ops))
        value, target = copy.inputs[0], copy.outputs[0]
        producer = next((op for op in ops if isinstance(op, K.Loop) and value in op.results), None)
        if producer is None or len(producer.results) != 1 or uses.get(value) != 1 or uses.get(producer.outputs[0]) != 1 or target not in made:
            continue
        init = producer.outputs[0]
        fill = next((op for op in ops if isinstance(op, K.Loop) and init in op.results), None)
        if init not in made and not (fill is not None and fill.name == "fill" and fill.maps[0].results == () and fill.maps[1].is_identity()):
            continue
        out_map = producer.maps[-1]
        written = K.AffineMap(out_map.n_dims, tuple(out_map.results[sigma.index(i)] for i in range(len(sigma))))
        shape = types[copy.results[0]]
        rank = len(shape.shape)
        if fill is not None:
            identity = K.AffineMap(rank, tuple(K.Dim(i) for i in range(rank)))
            ops[ops.index(fill)] = dataclasses.replace(fill, domain=shape.shape, iterators=("parallel",) * rank, outputs=(target,),
                                                       maps=(K.AffineMap(rank, ()), identity))  # fmt: skip
            types[init] = shape
            new_init = init
        else:
            new_init = target
        ops[ops.index(producer)] = dataclasses.replace(producer, outputs=(new_init,), maps=(*producer.maps[:-1], written), results=copy.results)
        ops.remove(copy)
        ops.remove(made[target])
        ops.insert(0, made[target])  # the producer (or its fill) now writes it
        del types[value]
    return _drop_unused(dataclasses.replace(kernel, ops=ops, types=types))


def _drop_unused(kernel: K.Kernel) -> K.Kernel:
    """Remove Empty/Const/View ops whose results nobody reads (e.g. fused producers' inits)."""
    ops = list(kernel.ops)
    while True:
        uses = _uses(dataclasses.replace(kernel, ops=ops))
        dead = [op for op in ops if isinstance(op, (K.Empty, K.Const, K.View)) and uses.get(op.result, 0) == 0]
        if not dead:
            break
        ops = [op for op in ops if all(op is not d for d in dead)]
    used = {n for n in _uses(dataclasses.replace(kernel, ops=ops))} | set(kernel.params)
    types = {n: t for n, t in kernel.types.items() if n in used or any(n in getattr(op, "results", ()) for op in ops)}
    return dataclasses.replace(kernel, ops=ops, types=types)


@loop_pass("eliminate-dead-operands")
def eliminate_dead_operands(kernel: K.Kernel, caps: Capabilities) -> K.Kernel:
    """Drop loop inputs (and whole-tensor operands) the body never reads; merge duplicate inputs."""
    ops = []
    for op in kernel.ops:
        if isinstance(op, K.Loop):
            op = _compact_inputs(op)
        ops.append(op)
    return _drop_unused(dataclasses.replace(kernel, ops=ops))


def _compact_inputs(loop: K.Loop) -> K.Loop:
    n_in = len(loop.inputs)
    read: set[int] = set()
    read_extra: set[int] = set()

    def mark(e: K.Expr) -> None:
        if isinstance(e, K.Arg):
            read.add(e.index)
        elif isinstance(e, K.Extract):
            read_extra.add(e.operand)

    for e in loop.body:
        _rewrite(e, lambda x: mark(x), {})
    # Identical (tensor, map) pairs read through one input.
    canonical: dict[tuple[str, K.AffineMap], int] = {}
    new_index: dict[int, int] = {}
    inputs: list[str] = []
    maps: list[K.AffineMap] = []
    for i in range(n_in):
        if i not in read:
            continue
        key = (loop.inputs[i], loop.maps[i])
        if key not in canonical:
            canonical[key] = len(inputs)
            inputs.append(loop.inputs[i])
            maps.append(loop.maps[i])
        new_index[i] = canonical[key]
    extra_index = {k: j for j, k in enumerate(sorted(read_extra))}

    def rewrite(e: K.Expr) -> K.Expr | None:
        if isinstance(e, K.Arg):
            return K.Arg(new_index[e.index] if e.index < n_in else len(inputs) + e.index - n_in, e.type)
        if isinstance(e, K.Extract):
            return dataclasses.replace(e, operand=extra_index[e.operand])
        return None

    memo: dict[int, K.Expr] = {}
    body = tuple(_rewrite(e, rewrite, memo) for e in loop.body)
    extra = tuple(loop.extra[k] for k in sorted(read_extra))
    return dataclasses.replace(loop, inputs=tuple(inputs), maps=tuple(maps) + loop.maps[n_in:], body=body, extra=extra)


#: rows the threaded dim should have per thread: a CPU-style runtime cuts a step into a few pieces
#: per thread that each takes as it comes free, so fewer rows leave threads idle or unbalanced
_ROWS_PER_THREAD = 4


@loop_pass("merge-leading-dims")
def merge_leading_dims(kernel: K.Kernel, caps: Capabilities) -> K.Kernel:
    """Merge two leading parallel dims into one where the first has too few rows to split across threads (no contractions)."""
    if caps.parallelism <= 1:
        return kernel  # (one thread: nothing to split)
    rows = _ROWS_PER_THREAD * caps.parallelism
    while (merged := _merge_leading_pair(kernel, rows)) is not None:
        kernel = merged
    return kernel


def _leading_access(m: K.AffineMap, shape: tuple[int, ...], pair: tuple[int, int]) -> str | None:
    """How a map reads its value for merging dims d0, d1 of extents `pair`: "lead" (its first two
    results are d0, d1 alone, over the value's first two dims), "free" (it uses neither), or None."""
    used = m.dims_used()
    if not {0, 1} & used:
        return "free"
    rest = K.AffineMap(m.n_dims, m.results[2:]).dims_used()
    if m.results[:2] == (K.Dim(0), K.Dim(1)) and not {0, 1} & rest and tuple(shape[:2]) == pair:
        return "lead"
    return None


def _reads_index(loop: K.Loop, dims: set[int]) -> bool:
    """Whether `loop`'s body reads the counter of one of `dims`."""
    found: list[bool] = []

    def visit(e: K.Expr) -> None:
        if isinstance(e, K.Index) and e.dim in dims:
            found.append(True)

    memo: dict[int, K.Expr] = {}
    for e in loop.body:
        _rewrite(e, visit, memo)
    return bool(found)


def _merge_leading_pair(kernel: K.Kernel, rows: int) -> K.Kernel | None:
    """The kernel with the leading pair of parallel dims (D0, D1) of its first loop merged into one
    of D0 * D1 wherever it appears, when D0 < `rows` and every loop and value agrees: each loop over
    (D0, D1, ...) reads every value either through d0, d1 as its first two dims or not along them,
    and each value so read is touched only by such loops (and by reshapes). Merged values get the
    merged shape; a param or result so merged is reshaped (a view) at the kernel's boundary."""
    if any(isinstance(op, K.HostOp) for op in kernel.ops):
        return None
    # A contraction's threads split its rows or columns already (a library call or a direct
    # kernel), and its epilogue follows its rows: a batch-1 transformer block ran 10.2 -> 12.0 ms
    # with its contraction kernels merged (the merged epilogues made the runtime cut its BLAS
    # calls into parts on its threads, instead of letting BLAS thread them whole).
    if any(K.strided_contraction(op, kernel.types) is not None for op in kernel.loops()):
        return None
    first = next((op for op in kernel.loops() if len(op.domain) >= 2), None)
    if first is None or first.iterators[:2] != ("parallel", "parallel") or first.domain[0] >= rows:
        return None
    pair = (first.domain[0], first.domain[1])
    types = kernel.types

    def accesses(loop: K.Loop) -> list[tuple[str, str | None]]:
        """Each value `loop` touches (results through their outputs' maps) with its `_leading_access`."""
        n_in = len(loop.inputs)
        named = [*zip(loop.inputs + loop.outputs, loop.maps), *zip(loop.results, loop.maps[n_in:])]
        return [(n, _leading_access(m, types[n].shape, pair)) for n, m in named]

    candidates = {id(op): accesses(op) for op in kernel.loops() if op.domain[:2] == pair and op.iterators[:2] == ("parallel", "parallel")
                  and len(op.results) == len(op.outputs) and not _reads_index(op, {0, 1})}  # fmt: skip
    merged = {i: found for i, found in candidates.items() if all(kind is not None for _, kind in found)}
    lead = {n for found in merged.values() for n, kind in found if kind == "lead"}
    changed = True
    while changed:  # a bitcast's two sides are one buffer: both merge or neither
        changed = False
        for op in kernel.ops:
            if isinstance(op, K.View) and op.kind == "bitcast" and (op.operands[0] in lead) != (op.result in lead):
                lead |= {op.operands[0], op.result}
                changed = True
    for op in kernel.ops:
        if isinstance(op, K.Loop):
            if id(op) in merged:
                if any(n in lead for n, kind in merged[id(op)] if kind == "free") or lead & set(op.extra):
                    return None
            elif lead & {*op.inputs, *op.outputs, *op.results, *op.extra}:
                return None
        elif isinstance(op, K.View) and op.kind not in ("reshape", "bitcast") and lead & {*op.operands, op.result}:
            return None
    if not merged or not lead:
        return None
    # values at the kernel's boundary keep their types: a merged copy of each is used inside
    rename: dict[str, str] = {}
    new_types = dict(types)
    for name in sorted(lead & {*kernel.params, *kernel.results}):
        fresh, i = f"{name}_m", 0
        while fresh in types:
            i += 1
            fresh = f"{name}_m{i}"
        rename[name] = fresh
    for name in lead:
        shape = types[name].shape
        new_types[rename.get(name, name)] = K.TensorType((shape[0] * shape[1], *shape[2:]), types[name].element)
    r = lambda n: rename.get(n, n)  # noqa: E731

    ops: list[K.KernelOp] = [K.View("reshape", (p,), rename[p]) for p in kernel.params if p in rename]
    for op in kernel.ops:
        if isinstance(op, K.Loop) and id(op) in merged:
            n_dims = len(op.domain)
            by = (K.Dim(0), K.Dim(0), *(K.Dim(d - 1) for d in range(2, n_dims)))
            maps = []
            for n, m in zip([*op.inputs, *op.outputs], op.maps):
                results = m.results[1:] if n in lead else m.results
                maps.append(K.AffineMap(n_dims - 1, tuple(_substitute_dims(e, by) for e in results)))
            memo: dict[int, K.Expr] = {}
            body = tuple(_rewrite(e, lambda x: K.Index(x.dim - 1, x.type) if isinstance(x, K.Index) else None, memo) for e in op.body)
            op = dataclasses.replace(op, domain=(pair[0] * pair[1], *op.domain[2:]), iterators=op.iterators[1:], maps=tuple(maps), body=body,
                                     inputs=tuple(map(r, op.inputs)), outputs=tuple(map(r, op.outputs)), results=tuple(map(r, op.results)))  # fmt: skip
        elif isinstance(op, K.Loop):
            pass  # (it touches no merged value)
        elif isinstance(op, K.View):
            op = dataclasses.replace(op, operands=tuple(map(r, op.operands)), result=r(op.result))
        elif isinstance(op, K.Empty):
            op = K.Empty(r(op.result))
        elif isinstance(op, K.Const) and op.result in lead:
            op = K.Const(r(op.result), op.value.reshape(new_types[r(op.result)].shape))
        ops.append(op)
    ops += [K.View("reshape", (rename[n],), n) for n in kernel.results if n in rename and n not in kernel.params]
    return dataclasses.replace(kernel, ops=ops, types=new_types)


@loop_pass("annotate-parallelism")
def annotate_parallelism(kernel: K.Kernel, caps: Capabilities) -> K.Kernel:
    """Mark the outermost parallel dim for threading and the innermost unit-stride dim for vectors."""
    ops = []
    for op in kernel.ops:
        if isinstance(op, K.Loop) and op.domain:
            notes = dict(op.annotations)
            par = op.parallel_dims
            work = int(np.prod(op.domain, dtype=np.int64))
            if par and caps.parallelism > 1 and work >= 1 << 14:
                notes["threads_dim"] = par[0]
                notes["threads"] = min(caps.parallelism, op.domain[par[0]])
            inner = len(op.domain) - 1
            lanes = max(1, caps.vector_bytes // 4)
            if op.domain[inner] >= lanes and all(_unit_stride(m, inner) for m in op.maps):
                notes["vector_dim"] = inner
                notes["vector_lanes"] = lanes
            op = dataclasses.replace(op, annotations=notes)
        ops.append(op)
    return dataclasses.replace(kernel, ops=ops)


def _unit_stride(m: K.AffineMap, dim: int) -> bool:
    """`dim` appears only as the last result, alone, or not at all (broadcast)."""
    uses = [i for i, r in enumerate(m.results) if dim in K.AffineMap(m.n_dims, (r,)).dims_used()]
    return not uses or (uses == [len(m.results) - 1] and m.results[-1] == K.Dim(dim))


@loop_pass("tile-for-memory")
def tile_for_memory(kernel: K.Kernel, caps: Capabilities) -> K.Kernel:
    """Choose tile sizes so each loop's per-tile working set fits the target's innermost memory."""
    budget = caps.memory[0].size_bytes if caps.memory else 32 * 1024
    ops = []
    for op in kernel.ops:
        if isinstance(op, K.Loop) and op.domain:
            tiles = list(op.domain)
            elem = 4
            # Halve the largest tile until the operands' tile footprints fit the budget.
            while _footprint(op, tiles, elem) > budget and max(tiles) > 1:
                d = int(np.argmax(tiles))
                tiles[d] = max(1, tiles[d] // 2)
            op = dataclasses.replace(op, annotations={**op.annotations, "tiles": tuple(tiles), "tile_memory": caps.memory[0].name if caps.memory else "L1"})
        ops.append(op)
    return dataclasses.replace(kernel, ops=ops)


def _footprint(loop: K.Loop, tiles: list[int], elem: int) -> int:
    total = 0
    for m in loop.maps:
        size = 1
        for r in m.results:
            dims = K.AffineMap(m.n_dims, (r,)).dims_used()
            size *= max(1, sum(tiles[d] for d in dims) - len(dims) + 1) if dims else 1
        total += size * elem
    return total


@loop_pass("views-to-loops")
def views_to_loops(kernel: K.Kernel, caps: Capabilities) -> K.Kernel:
    """Rewrite slice / pad / insert_slice views as loops; only reshape and bitcast stay views."""
    ops: list[K.KernelOp] = []
    types = dict(kernel.types)
    for op in kernel.ops:
        if not isinstance(op, K.View) or op.kind in ("reshape", "bitcast"):
            ops.append(op)
            continue
        result = types[op.result]
        rank = len(result.shape)
        identity = K.AffineMap(rank, tuple(K.Dim(i) for i in range(rank)))
        init = f"{op.result}_init"
        types[init] = result
        ops.append(K.Empty(init))
        src = types[op.operands[0]]
        if op.kind == "slice":
            offsets, sizes, strides = op.attrs["offsets"], op.attrs["sizes"], op.attrs["strides"]
            kept = [d for d, s in enumerate(sizes) if s != 1] if len(sizes) != rank else list(range(rank))
            kept = kept[:rank] if len(kept) >= rank else list(range(rank))
            exprs = []
            for d, (off, stride) in enumerate(zip(offsets, strides)):
                if d in kept:
                    step: K.AffineExpr = K.Dim(kept.index(d))
                    if stride != 1:
                        step = K.AffineBin("*", step, K.Cst(stride))
                    exprs.append(K.AffineBin("+", step, K.Cst(off)) if off else step)
                else:
                    exprs.append(K.Cst(off))
            loop = K.Loop("copy", result.shape, ("parallel",) * rank, (op.operands[0],), (init,),
                          (K.AffineMap(rank, tuple(exprs)), identity), (K.Arg(0, result.element),), (op.result,), loc=op.loc)  # fmt: skip
        else:
            if op.kind == "pad":
                low, sizes, strides = op.attrs["low"], list(src.shape), [1] * rank
                fill_map = K.AffineMap(rank, ())  # the padding value, a 0-d tensor
            else:  # insert_slice: the destination everywhere but the window
                low, sizes, strides = op.attrs["offsets"], op.attrs["sizes"], op.attrs["strides"]
                fill_map = identity
            inputs, source = (op.operands[1],), op.operands[0]
            otherwise: K.Expr = K.Arg(0, result.element)
            inside: K.Expr | None = None
            index: list[K.Expr] = []
            for d in range(rank):
                ok, rel = K.window(d, K.Lit(low[d], "index"), sizes[d], strides[d])
                inside = ok if inside is None else K.Op("and", (inside, ok), "i1")
                index.append(rel)
            if len(src.shape) != rank:  # a rank-reduced source: drop the unit window dims
                index = [e for d, e in enumerate(index) if sizes[d] != 1][: len(src.shape)]
            body = (K.Op("select", (inside or K.Lit(True, "i1"), K.Extract(0, tuple(index), result.element), otherwise), result.element),)
            loop = K.Loop("copy", result.shape, ("parallel",) * rank, inputs, (init,), (fill_map, identity), body, (op.result,),
                          extra=(source,), loc=op.loc)  # fmt: skip
        ops.append(loop)
    return dataclasses.replace(kernel, ops=ops, types=types)
