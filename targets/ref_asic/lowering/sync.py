"""Semaphore insertion from a buffer-region dependency analysis.

Input: a program in program order with no synchronisation. Every instruction's reads and writes
are byte regions of DRAM, the scratchpad, the accumulator, or the array's weight registers. For
each instruction, every earlier instruction *on another engine* that it conflicts with (read
after write, write after read, write after write) must complete first; engines are in-order, so
only the latest conflicting instruction per other engine matters, and an edge already implied by
an earlier wait from the same engine is dropped. The remaining edges between a pair of engines
are monotonic in both streams, so one counting semaphore per (producer engine, consumer engine)
pair carries them in FIFO order. An instruction waits on and signals at most one semaphore; extra
waits become SYNC instructions before it and extra signals SYNC instructions after its producer,
in the same engine's stream.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from collections.abc import Sequence

from byteir_sim.config import MachineConfig
from byteir_sim.functional import NUMPY_DTYPE
from byteir_sim.isa import DTYPES, ENGINES, SEMAPHORES, SPACES, VECTOR_OPS, DmaShape, Instruction, dma_shape_after, make
from byteir_sdk.errors import UnsupportedError

__all__ = ["regions", "insert_semaphores", "finish_program", "ProgramBuilder"]

_ITEM = {code: NUMPY_DTYPE[name].itemsize for name, code in DTYPES.items()}  # element bytes per ISA dtype code
_SPACE = {v: k for k, v in SPACES.items()}
_BINARY = {VECTOR_OPS[n] for n in ("add", "sub", "mul", "max", "min", "cmp_lt", "select")}
_REDUCING = {VECTOR_OPS[n] for n in ("reduce_sum", "reduce_max")}

Region = tuple[str, int, int]  # (space, start, end)


def regions(instr: Instruction, config: MachineConfig, shape: DmaShape | None = None) -> tuple[list[Region], list[Region]]:
    """(reads, writes) of one instruction; a DMA's `shape` is what DMA_DIMS / DMA_LAYOUT set before it."""
    g = instr.get
    n = config.array_size
    name = instr.name
    if name in ("DMA_LOAD", "DMA_STORE"):
        shape = shape or DmaShape()
        rows, row_bytes, stride = g("rows"), g("row_bytes"), shape.row_stride(instr)
        dram = [("dram", base, base + (rows - 1) * stride + row_bytes) for base in shape.bases(instr)]
        local = [("acc" if g("from_acc") else "sram", g("sram_addr"), g("sram_addr") + shape.sram_bytes(instr))]
        return (dram, local) if name == "DMA_LOAD" else (local, dram)
    if name == "MM_PRELOAD":
        return [("sram", g("sram_addr"), g("sram_addr") + n * n * _ITEM[g("dtype")])], [("weights", 0, 1)]
    if name == "MM_COMPUTE":
        acts = ("sram", g("sram_addr"), g("sram_addr") + g("rows") * n * _ITEM[g("dtype")])
        acc = ("acc", g("acc_addr"), g("acc_addr") + g("rows") * n * 4)
        return [acts, ("weights", 0, 1), *([acc] if g("accumulate") else [])], [acc]
    if name == "VECTOR":
        item = _ITEM[g("dtype")]
        span = g("length") * item
        space = _SPACE[g("src_space")]
        reads = [(space, g("src0"), g("src0") + span)] + ([(space, g("src1"), g("src1") + span)] if g("op") in _BINARY else [])
        written = item if g("op") in _REDUCING else span  # a reduction writes one element
        return reads, [(_SPACE[g("dst_space")], g("dst"), g("dst") + written)]
    if name == "VECTOR_QUANT":
        return [("acc", g("src0"), g("src0") + g("length") * 4)], [("sram", g("dst"), g("dst") + g("length"))]
    return [], []


def _overlap(a: Sequence[Region], b: Sequence[Region]) -> bool:
    return any(x[0] == y[0] and x[1] < y[2] and y[1] < x[2] for x in a for y in b)


def insert_semaphores(program: Sequence[Instruction], config: MachineConfig) -> list[Instruction]:
    """`program` (ending in END, no sync fields) with the waits and signals its hazards need."""
    body = [i for i in program if i.name != "END"]
    effects = []
    shapes: dict[str, DmaShape] = defaultdict(DmaShape)  # per DMA engine: what its next transfer looks like
    for instr in body:
        effects.append(regions(instr, config, shapes[instr.engine]))
        if instr.name in ("DMA_LOAD", "DMA_STORE"):
            shapes[instr.engine] = DmaShape()
        else:
            shapes[instr.engine] = dma_shape_after(shapes[instr.engine], instr)
    # waits[i] = {producer engine: producer index}
    waits: list[dict[str, int]] = [dict() for _ in body]
    last_on: dict[str, list[int]] = defaultdict(list)
    satisfied: dict[tuple[str, str], int] = {}
    for i, instr in enumerate(body):
        reads, writes = effects[i]
        engine = instr.engine
        for other, indices in last_on.items():
            if other == engine:
                continue
            done = satisfied.get((other, engine), -1)
            for j in reversed(indices):  # the latest conflicting instruction of that engine
                if j <= done:
                    break  # already ordered by an earlier wait from this engine
                r2, w2 = effects[j]
                if _overlap(reads, w2) or _overlap(writes, r2) or _overlap(writes, w2):
                    waits[i][other] = j
                    satisfied[(other, engine)] = j
                    break
        last_on[engine].append(i)
    pairs = sorted({(body[j].engine, body[i].engine) for i in range(len(body)) for j in waits[i].values()})
    if len(pairs) > SEMAPHORES:
        raise UnsupportedError(f"the program needs {len(pairs)} engine pairs to synchronise, more than the {SEMAPHORES} semaphores")
    sem = {pair: k for k, pair in enumerate(pairs)}
    signals: dict[int, list[int]] = defaultdict(list)  # producer index -> semaphores to signal
    for i in range(len(body)):
        for other, j in waits[i].items():
            signals[j].append(sem[(other, body[i].engine)])
    out: list[Instruction] = []
    for i, instr in enumerate(body):
        pending = [sem[(other, instr.engine)] for other, _ in sorted(waits[i].items(), key=lambda kv: kv[1])]
        engine_index = ENGINES.index(instr.engine)
        for s in pending[:-1]:  # extra waits: SYNCs just before, in this engine's stream
            out.append(Instruction("SYNC", {"engine": engine_index, "wait_en": 1, "wait_sem": s}, instr.loc))
        fields = dict(instr.fields)
        if pending:
            fields.update(wait_en=1, wait_sem=pending[-1])
        mine = signals.get(i, [])
        if mine:
            fields.update(signal_en=1, signal_sem=mine[0])
        out.append(Instruction(instr.name, fields, instr.loc))
        for s in mine[1:]:  # extra signals: SYNCs just after, in this engine's stream
            out.append(Instruction("SYNC", {"engine": engine_index, "signal_en": 1, "signal_sem": s}, instr.loc))
    out.append(make("END"))
    return out


def finish_program(program: list[Instruction], relocations: Sequence[tuple[int, int]], config: MachineConfig) -> tuple[list[Instruction], list[int]]:
    """Append END to a schedule, insert its semaphores, and return it with its relocations
    ``[instruction, slot, ...]`` moved past the inserted SYNCs (`relocations` holds
    (position in `program`, buffer slot) pairs)."""
    program = [*program, make("END")]
    synced = insert_semaphores(program, config)
    positions = [i for i, instr in enumerate(synced) if instr.name != "SYNC"]
    return synced, [x for pos, slot in relocations for x in (positions[pos], slot)]


@dataclass
class ProgramBuilder:
    """A schedule being written: instructions tagged with the StableHLO location, and relocations."""

    loc: str = ""
    program: list[Instruction] = field(default_factory=list)
    relocations: list[tuple[int, int]] = field(default_factory=list)  # (position, buffer slot)

    def emit(self, instr: Instruction, slot: int | None = None) -> None:
        """Append `instr`; with `slot`, its ``dram_addr`` is an offset into that dispatch buffer."""
        if slot is not None:
            self.relocations.append((len(self.program), slot))
        self.program.append(Instruction(instr.name, instr.fields, self.loc))

    def finish(self, config: MachineConfig) -> tuple[list[Instruction], list[int]]:
        return finish_program(self.program, self.relocations, config)
