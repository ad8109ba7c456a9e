"""Elementwise f32 loops on the vector unit.

A loop qualifies when every operand is read and written through the identity map (same shape),
all types are f32, and its body is built from the kernel's inputs with ops the vector unit has
(add, sub, mul, maximum, minimum, neg, abs, exp, log, tanh, erf, rsqrt; ``maximum(x, 0)`` is
``relu``). The elements are processed in chunks: each chunk's inputs are DMA'd into the
scratchpad, every expression node becomes one VECTOR instruction into its own scratchpad slot,
and the result is DMA'd back. Semaphores come from the buffer-region dependency analysis.
"""

from __future__ import annotations

from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sim.config import MachineConfig
from byteir_sim.isa import DTYPES, SPACES, VECTOR_OPS, Instruction, make
from byteir_targets.ref_asic.lowering.sync import insert_semaphores

__all__ = ["lower_elementwise"]

_UNARY = {"neg": "neg", "absf": "abs", "exp": "exp", "log": "log", "tanh": "tanh", "erf": "erf", "rsqrt": "rsqrt"}
_BINARY = {"add": "add", "sub": "sub", "mul": "mul", "maximumf": "max", "minimumf": "min"}
CHUNK = 2048  # elements per chunk (8 KiB per scratchpad slot)


def _plan(loop: K.Loop) -> list[tuple[K.Op, str, list[K.Expr]]] | None:
    """The body's ops in dependency order as (node, vector op, operands), or None."""
    n_in = len(loop.inputs)
    order: list[tuple[K.Op, str, list[K.Expr]]] = []
    seen: set[int] = set()

    def visit(e: K.Expr) -> bool:
        if isinstance(e, K.Arg):
            return e.index < n_in
        if not isinstance(e, K.Op) or e.type != "f32" or id(e) in seen:
            return isinstance(e, K.Op) and id(e) in seen
        if e.name in _UNARY and len(e.args) == 1:
            op, operands = _UNARY[e.name], [e.args[0]]
        elif e.name == "maximumf" and len(e.args) == 2 and any(isinstance(a, K.Lit) and a.value == 0 for a in e.args):
            op, operands = "relu", [a for a in e.args if not isinstance(a, K.Lit)]
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
    if not all(m.is_identity() for m in loop.maps) or any(types[n].shape != loop.domain for n in names):
        return None
    plan = _plan(loop)
    if plan is None:
        return None
    total = types[loop.results[0]].size
    chunk = min(total, CHUNK)
    n_in = len(loop.inputs)
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
            buffer, offset = slots[i]
            emit(make("DMA_LOAD", dram_addr=offset + start * 4, sram_addr=input_slot[i], rows=1, row_bytes=length * 4), buffer)
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
