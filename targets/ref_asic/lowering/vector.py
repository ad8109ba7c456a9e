"""Elementwise f32 loops on the vector unit.

A loop qualifies when its output is written through the identity map, every input is read
through the identity map or broadcast over leading dims (``(d0, d1) -> (0, d1)``, ``-> (d1)``, a
0-d scalar), all types are f32, and its body is built from the kernel's inputs with ops the vector unit has
(add, sub, mul, maximum, minimum, neg, abs, exp, log, tanh, erf, rsqrt; ``maximum(x, 0)`` is
``relu``). The elements are processed in chunks: each chunk's inputs are DMA'd into the
scratchpad (a broadcast input by a DMA that repeats its row), every expression node becomes one
VECTOR instruction into its own scratchpad slot, and the result is DMA'd back. Semaphores come from the buffer-region dependency analysis.
"""

from __future__ import annotations

import numpy as np

from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sim.config import MachineConfig
from byteir_sim.isa import DTYPES, SPACES, VECTOR_OPS, Instruction, make
from byteir_targets.ref_asic.lowering.sync import insert_semaphores

__all__ = ["lower_elementwise"]

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


def _plan(loop: K.Loop, zeros: set[int]) -> list[tuple[K.Op, str, list[K.Expr]]] | None:
    """The body's ops in dependency order as (node, vector op, operands), or None.

    `zeros` are the input positions holding a one-element constant zero (for ``relu``).
    """
    n_in = len(loop.inputs)

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

    return order if len(loop.body) == 1 and visit(loop.body[0]) and order else None


def lower_elementwise(kernel: K.Kernel, loop: K.Loop, slots: list[tuple[int, int]], config: MachineConfig, loc: str = "") -> tuple[list[Instruction], list[int]] | None:
    """Program + relocations for `loop`; `slots` are (buffer slot, offset) of its inputs then its result."""
    types = kernel.types
    names = [*loop.inputs, loop.results[0]]
    if loop.reduction_dims or loop.extra or not loop.domain or any(types[n].element != "f32" for n in names):
        return None
    n_in = len(loop.inputs)
    if not loop.maps[n_in].is_identity() or types[loop.results[0]].shape != loop.domain:
        return None
    consts = {op.result: op.value for op in kernel.ops if isinstance(op, K.Const)}
    zeros = {i for i, n in enumerate(loop.inputs) if n in consts and consts[n].size == 1 and float(consts[n].reshape(-1)[0]) == 0.0}
    plan = _plan(loop, zeros)
    if plan is None:
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
    program: list[Instruction] = []
    relocations: list[tuple[int, int]] = []

    def emit(instr: Instruction, slot: int | None = None) -> None:
        if slot is not None:
            relocations.append((len(program), slot))
        program.append(Instruction(instr.name, instr.fields, loc))

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
    emit(make("END"))
    synced = insert_semaphores(program, config)
    positions = [i for i, instr in enumerate(synced) if instr.name != "SYNC"]
    return synced, [x for pos, slot in relocations for x in (positions[pos], slot)]
