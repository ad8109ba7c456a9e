"""Elementwise f32 loops and row reductions on the vector unit.

A loop qualifies when its output is written through the identity map, every input is read
through the identity map or broadcast over leading dims (``(d0, d1) -> (0, d1)``, ``-> (d1)``, a
0-d scalar), all types are f32, and its body is built from the kernel's inputs with ops the vector unit has
(add, sub, mul, maximum, minimum, neg, abs, exp, log, tanh, erf, rsqrt; ``maximum(x, 0)`` is
``relu``). The elements are processed in chunks: each chunk's inputs are DMA'd into the
scratchpad (a broadcast input by a DMA that repeats its row), every expression node becomes one
VECTOR instruction into its own scratchpad slot, and the result is DMA'd back. A reduction of
the trailing dims (``sum``/``max`` of an elementwise expression of the inputs) runs the expression
the same way and then one reducing VECTOR per row. Semaphores come from the buffer-region
dependency analysis.
"""

from __future__ import annotations

import numpy as np

from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sim.config import MachineConfig
from byteir_sim.isa import DTYPES, SPACES, VECTOR_OPS, Instruction, make
from byteir_targets.ref_asic.lowering.sync import ProgramBuilder

__all__ = ["lower_elementwise", "lower_reduction"]

_UNARY = {"neg": "neg", "absf": "abs", "exp": "exp", "log": "log", "tanh": "tanh", "erf": "erf", "rsqrt": "rsqrt"}
_BINARY = {"add": "add", "sub": "sub", "mul": "mul", "maximumf": "max", "minimumf": "min"}
CHUNK = 2048  # elements per chunk (8 KiB per scratchpad slot)
MAX_CHUNK = 16383  # a chunk is one DMA row: row_bytes has 16 bits


def _total(loop: K.Loop) -> int:
    return int(np.prod(loop.domain, dtype=np.int64))


def _inner_size(m: K.AffineMap, shape: tuple[int, ...], domain: tuple[int, ...]) -> int | None:
    """Elements of an input repeated along the chunked flat index: the whole domain for the
    identity map, the trailing-dims size for a broadcast over leading dims, else None."""
    if m.is_identity() and shape == domain:
        return int(np.prod(domain, dtype=np.int64))
    dims = [r.index if isinstance(r, K.Dim) else None for r in m.results]
    consts = [r for r in m.results if not isinstance(r, K.Dim)]
    if any(not (isinstance(c, K.Cst) and c.value == 0) for c in consts):
        return None
    trailing = [d for d in dims if d is not None]
    n = len(domain)
    if trailing != list(range(n - len(trailing), n)) or dims[len(dims) - len(trailing):] != trailing:
        return None
    if any(size != 1 for size, d in zip(shape, dims) if d is None):
        return None
    return int(np.prod(domain[n - len(trailing):], dtype=np.int64))


def _plan(root: K.Expr, n_in: int, zeros: set[int]) -> list[tuple[K.Op, str, list[K.Expr]]] | None:
    """The ops of the expression `root` in dependency order as (node, vector op, operands), or None.

    Leaves must be the loop's inputs (``Arg`` below `n_in`); `zeros` are the input positions
    holding a one-element constant zero (for ``relu``). A bare input gives an empty plan.
    """

    def zero(e: K.Expr) -> bool:
        return (isinstance(e, K.Lit) and e.value == 0) or (isinstance(e, K.Arg) and e.index in zeros)

    order: list[tuple[K.Op, str, list[K.Expr]]] = []
    seen: set[int] = set()

    def visit(e: K.Expr) -> bool:
        if isinstance(e, K.Arg):
            return e.index < n_in
        if not isinstance(e, K.Op) or e.type != "f32" or id(e) in seen:
            return isinstance(e, K.Op) and id(e) in seen
        if e.name in _UNARY and len(e.args) == 1:
            op, operands = _UNARY[e.name], [e.args[0]]
        elif e.name == "maximumf" and len(e.args) == 2 and any(zero(a) for a in e.args):
            op, operands = "relu", [a for a in e.args if not zero(a)]
        elif e.name in _BINARY and len(e.args) == 2:
            op, operands = _BINARY[e.name], list(e.args)
        else:
            return False
        if len(operands) != (1 if op in ("relu", *_UNARY.values()) else 2) or not all(visit(a) for a in operands):
            return False
        seen.add(id(e))
        order.append((e, op, operands))
        return True

    return order if visit(root) else None


def _zero_inputs(kernel: K.Kernel, loop: K.Loop) -> tuple[dict[str, np.ndarray], set[int]]:
    consts = {op.result: op.value for op in kernel.ops if isinstance(op, K.Const)}
    return consts, {i for i, n in enumerate(loop.inputs) if n in consts and consts[n].size == 1 and float(consts[n].reshape(-1)[0]) == 0.0}


def lower_elementwise(kernel: K.Kernel, loop: K.Loop, slots: list[tuple[int, int]], config: MachineConfig, loc: str = "") -> tuple[list[Instruction], list[int]] | None:
    """Program + relocations for `loop`; `slots` are (buffer slot, offset) of its inputs then its result."""
    types = kernel.types
    names = [*loop.inputs, loop.results[0]]
    if loop.reduction_dims or loop.extra or not loop.domain or any(types[n].element != "f32" for n in names):
        return None
    n_in = len(loop.inputs)
    if not loop.maps[n_in].is_identity() or types[loop.results[0]].shape != loop.domain:
        return None
    consts, zeros = _zero_inputs(kernel, loop)
    plan = _plan(loop.body[0], n_in, zeros) if len(loop.body) == 1 else None
    if not plan:
        return None
    used = {a.index for _, _, operands in plan for a in operands if isinstance(a, K.Arg)}
    if any(loop.inputs[i] in consts for i in used):
        return None  # a constant operand has no DRAM copy to DMA from
    inner = [_inner_size(m, types[n].shape, loop.domain) if i in used else _total(loop) for i, (n, m) in enumerate(zip(loop.inputs, loop.maps))]
    if any(s is None for s in inner):
        return None
    total = types[loop.results[0]].size
    period = max([s for s in inner if s is not None and s < total], default=1)  # chunks start on row boundaries
    if period > MAX_CHUNK:
        return None
    chunk = total if total <= CHUNK else max(1, CHUNK // period) * period
    slot_bytes = chunk * 4
    if (n_in + len(plan)) * slot_bytes > config.sram_bytes:
        return None
    input_slot = [i * slot_bytes for i in range(n_in)]
    node_slot = {id(node): (n_in + k) * slot_bytes for k, (node, _, _) in enumerate(plan)}
    builder = ProgramBuilder(loc)
    emit = builder.emit

    def address(e: K.Expr) -> int:
        return input_slot[e.index] if isinstance(e, K.Arg) else node_slot[id(e)]

    sram = SPACES["sram"]
    for start in range(0, total, chunk):
        length = min(chunk, total - start)
        for i in range(n_in):
            if i not in used:
                continue
            buffer, offset = slots[i]
            size = inner[i] or total
            if size >= total:
                emit(make("DMA_LOAD", dram_addr=offset + start * 4, sram_addr=input_slot[i], rows=1, row_bytes=length * 4), buffer)
            else:  # a broadcast input: its `size` elements repeated over the chunk
                emit(make("DMA_LOAD", dram_addr=offset, sram_addr=input_slot[i], rows=length // size, row_bytes=size * 4, broadcast=1), buffer)
        for node, op, operands in plan:
            srcs = [address(a) for a in operands]
            emit(make("VECTOR", op=VECTOR_OPS[op], src0=srcs[0], src1=srcs[-1], dst=node_slot[id(node)], length=length,
                      src_space=sram, dst_space=sram, dtype=DTYPES["f32"]))  # fmt: skip
        buffer, offset = slots[n_in]
        emit(make("DMA_STORE", dram_addr=offset + start * 4, sram_addr=node_slot[id(plan[-1][0])], rows=1, row_bytes=length * 4), buffer)
    return builder.finish(config)


#: reduction combiner -> (vector op, the identity its fill must write)
_REDUCTIONS = {"add": ("reduce_sum", 0.0), "maximumf": ("reduce_max", float("-inf"))}


def lower_reduction(kernel: K.Kernel, fill: K.Loop, loop: K.Loop, slots: list[tuple[int, int]], config: MachineConfig, loc: str = "") -> tuple[list[Instruction], list[int]] | None:
    """Program + relocations for a row reduction: `fill` writes the combiner's identity, `loop`
    reduces its trailing dims with ``acc = add/max(acc, f(inputs))``; `slots` are (buffer slot,
    offset) of its inputs then its result. Each chunk of rows is DMA'd in, ``f`` runs as
    elementwise VECTOR ops over the chunk, one reducing VECTOR per row writes that row's scalar,
    and the chunk's results are DMA'd out."""
    types = kernel.types
    n_in = len(loop.inputs)
    names = [*loop.inputs, loop.results[0]]
    red = loop.reduction_dims
    p = len(loop.domain) - len(red)
    if not red or red != list(range(p, len(loop.domain))) or loop.extra or len(loop.body) != 1 or any(types[n].element != "f32" for n in names):
        return None
    if tuple(loop.outputs) != (fill.results[0],) or tuple(loop.maps[n_in].results) != tuple(K.Dim(d) for d in range(p)):
        return None
    if any(not m.is_identity() or types[n].shape != loop.domain for n, m in zip(loop.inputs, loop.maps)):
        return None
    root = loop.body[0]
    if not isinstance(root, K.Op) or root.name not in _REDUCTIONS or len(root.args) != 2:
        return None
    op, identity = _REDUCTIONS[root.name]
    acc = [a for a in root.args if isinstance(a, K.Arg) and a.index == n_in]
    if len(acc) != 1 or kernel.fill_value(fill) != identity:
        return None
    value = root.args[1] if root.args[0] is acc[0] else root.args[0]
    consts, zeros = _zero_inputs(kernel, loop)
    plan = _plan(value, n_in, zeros)
    if plan is None:
        return None
    used = {a.index for _, _, operands in plan for a in operands if isinstance(a, K.Arg)} | ({value.index} if isinstance(value, K.Arg) else set())
    if any(loop.inputs[i] in consts for i in used):
        return None
    rows = int(np.prod(loop.domain[:p], dtype=np.int64))
    width = int(np.prod(loop.domain[p:], dtype=np.int64))
    if width > MAX_CHUNK:
        return None
    per_chunk = max(1, min(rows, CHUNK // width, 4095))
    slot_bytes = per_chunk * width * 4
    out_bytes = per_chunk * 4
    if (len(used) + len(plan)) * slot_bytes + out_bytes > config.sram_bytes:
        return None
    input_slot = {i: k * slot_bytes for k, i in enumerate(sorted(used))}
    node_slot = {id(node): (len(used) + k) * slot_bytes for k, (node, _, _) in enumerate(plan)}
    out_slot = (len(used) + len(plan)) * slot_bytes
    source = node_slot[id(plan[-1][0])] if plan else input_slot[value.index]  # type: ignore[union-attr]
    builder = ProgramBuilder(loc)
    emit = builder.emit

    def address(e: K.Expr) -> int:
        return input_slot[e.index] if isinstance(e, K.Arg) else node_slot[id(e)]

    sram = SPACES["sram"]
    f32 = DTYPES["f32"]
    for r0 in range(0, rows, per_chunk):
        count = min(per_chunk, rows - r0)
        for i in sorted(used):
            buffer, offset = slots[i]
            emit(make("DMA_LOAD", dram_addr=offset + r0 * width * 4, sram_addr=input_slot[i], rows=count, row_bytes=width * 4, dram_stride=width * 4), buffer)
        for node, vop, operands in plan:
            srcs = [address(a) for a in operands]
            emit(make("VECTOR", op=VECTOR_OPS[vop], src0=srcs[0], src1=srcs[-1], dst=node_slot[id(node)], length=count * width,
                      src_space=sram, dst_space=sram, dtype=f32))  # fmt: skip
        for r in range(count):
            emit(make("VECTOR", op=VECTOR_OPS[op], src0=source + r * width * 4, dst=out_slot + r * 4, length=width, src_space=sram, dst_space=sram, dtype=f32))
        buffer, offset = slots[n_in]
        emit(make("DMA_STORE", dram_addr=offset + r0 * 4, sram_addr=out_slot, rows=1, row_bytes=count * 4), buffer)
    return builder.finish(config)
