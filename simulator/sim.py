"""The reference ASIC simulator: functional and timing in the same run.

Instructions are dispatched in program order, one per cycle, into per-engine in-order queues
(dma_in, dma_out, matrix, vector, control). An engine starts its next instruction when the engine
is free, the instruction has been dispatched, and (with ``wait_en``) a token of its semaphore is
available; it consumes the token and, on completion, produces one on ``signal_sem``. Events are
processed in start-time order, so the functional effects happen in a legal hardware order.
``BARRIER`` starts after every earlier instruction completed; ``END`` completes the program.

Checks while running: a deadlock (engines waiting on semaphores nobody will signal) raises
:class:`DeadlockError` naming engines and semaphores; scratchpad accesses not ordered by
semaphores or program order (vector clocks) are reported as races; reads of never-written
scratchpad bytes are reported.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from byteir_sdk.errors import ByteIRError
from byteir_sim.config import MachineConfig
from byteir_sim.functional import ACC_DTYPE, NUMPY_DTYPE, requantize, systolic_tile, vector_op
from byteir_sim.isa import DTYPES, ENGINES, SEMAPHORES, SPACES, VECTOR_OPS, DmaShape, Instruction, dma_shape_after

__all__ = ["Simulator", "RunResult", "DeadlockError", "SimulatorFault", "cycles_of"]

_DTYPE_NAME = {v: k for k, v in DTYPES.items()}
_VOP_NAME = {v: k for k, v in VECTOR_OPS.items()}
_SPACE_NAME = {v: k for k, v in SPACES.items()}


class DeadlockError(ByteIRError):
    """Engines wait on semaphores that no remaining instruction signals."""


class SimulatorFault(ByteIRError):
    """An instruction accessed memory out of range or used an unsupported operand."""


@dataclass
class Event:
    index: int  # position in the program
    name: str
    engine: str
    start: int
    end: int
    loc: str
    args: dict[str, int]
    waited_on: int | None = None  # producer instruction index of the consumed token


@dataclass
class RunResult:
    """What one program run measured."""

    cycles: int
    events: list[Event]
    busy: dict[str, int]
    stall: dict[str, int]
    macs: int
    dma_bytes: int
    races: list[str] = field(default_factory=list)
    uninitialized_reads: list[str] = field(default_factory=list)

    def utilisation(self, config: MachineConfig) -> float:
        n = config.array_size
        return self.macs / (self.cycles * n * n) if self.cycles else 0.0

    def verdict(self) -> str:
        """compute-, memory- or sync-bound, by which engine class dominated the run."""
        compute = max(self.busy.get("matrix", 0), self.busy.get("vector", 0))
        memory = max(self.busy.get("dma_in", 0), self.busy.get("dma_out", 0))
        sync = max(self.stall.values(), default=0)
        if sync > max(compute, memory):
            return "sync-bound"
        return "compute-bound" if compute >= memory else "memory-bound"


def cycles_of(instr: Instruction, config: MachineConfig, shape: DmaShape | None = None) -> int:
    """The documented cycle cost of one instruction (the ISA table's formulas); a DMA's `shape`
    is what DMA_DIMS / DMA_LAYOUT set before it."""
    name = instr.name
    n = config.array_size
    if name in ("DMA_LOAD", "DMA_STORE"):
        shape = shape or DmaShape()
        nbytes = max(shape.dram_bytes(instr), shape.sram_bytes(instr))
        return config.dma_setup + config.dram_latency + math.ceil(nbytes / config.dram_bandwidth)
    if name == "MM_PRELOAD":
        return n
    if name == "MM_COMPUTE":
        return instr.get("rows") + 2 * n - 1
    if name in ("VECTOR", "VECTOR_QUANT"):
        stream = math.ceil(instr.get("length") / config.vector_lanes)
        if name == "VECTOR" and _bank_conflict(instr, config):
            stream *= 2  # both sources in one scratchpad bank: reads serialise
        return stream + config.vector_pipeline_depth
    return 1


def _bank_conflict(instr: Instruction, config: MachineConfig) -> bool:
    op = _VOP_NAME.get(instr.get("op"), "copy")
    binary = op in ("add", "sub", "mul", "max", "min", "cmp_lt", "select")
    return binary and instr.get("src_space") == SPACES["sram"] and instr.get("src0") // config.bank_bytes == instr.get("src1") // config.bank_bytes


class Simulator:
    """One reference ASIC: DRAM, scratchpad, accumulator, and the engines."""

    def __init__(self, config: MachineConfig | None = None, matrix_tile: Callable[..., np.ndarray] | None = None) -> None:
        """`matrix_tile` computes MM_COMPUTE's values (default the Python model,
        :func:`~byteir_sim.functional.systolic_tile`; ``byteir_sim.rtl.cosim.RtlMatrixUnit`` runs the RTL)."""
        self.config = config or MachineConfig()
        self.matrix_tile = matrix_tile or systolic_tile
        c = self.config
        self.dram = np.zeros(c.dram_bytes, np.uint8)
        self.sram = np.zeros(c.sram_bytes, np.uint8)
        self.acc = np.zeros(c.acc_bytes, np.uint8)
        self.weights: np.ndarray | None = None  # the array's resident N x N tile
        self._written = np.zeros(c.sram_bytes, bool)
        # Race detection: last writer of each scratchpad byte (engine index, sequence number).
        self._writer_engine = np.full(c.sram_bytes, -1, np.int8)
        self._writer_seq = np.zeros(c.sram_bytes, np.int64)

    # ----------------------------------------------------------------- memory helpers
    def _space(self, space: int) -> np.ndarray:
        return {0: self.dram, 1: self.sram, 2: self.acc}[space]

    def _slice(self, mem: np.ndarray, addr: int, nbytes: int, what: str) -> np.ndarray:
        if addr < 0 or addr + nbytes > mem.size:
            raise SimulatorFault(f"{what}: [{addr}, {addr + nbytes}) is outside the {mem.size}-byte memory")
        return mem[addr : addr + nbytes]

    # ----------------------------------------------------------------- running
    def run(self, program: Sequence[Instruction]) -> RunResult:
        """Execute `program` (it must end with END) and return timing, stats and checks."""
        if not program or program[-1].name != "END":
            raise SimulatorFault("a program must end with END")
        # Everything an earlier program did completed before this one starts: it is ordered.
        self._writer_engine[:] = -1
        self._writer_seq[:] = 0
        events: list[Event] = []
        busy = {e: 0 for e in ENGINES}
        stall = {e: 0 for e in ENGINES}
        self._macs = 0
        self._dma_bytes = 0
        pending = {e: DmaShape() for e in ENGINES}  # what DMA_DIMS / DMA_LAYOUT set for each engine's next DMA
        self._races: list[str] = []
        self._uninit: list[str] = []
        clocks = {e: np.zeros(len(ENGINES), np.int64) for e in ENGINES}
        seq = {e: 0 for e in ENGINES}
        tokens: list[deque[tuple[int, int, np.ndarray]]] = [deque() for _ in range(SEMAPHORES)]  # (time, producer, clock)
        now_dispatch = 0
        segment_start = 0
        free = {e: 0 for e in ENGINES}
        index = 0
        while index < len(program):
            # One barrier-delimited segment: dispatch into engine queues, then simulate.
            queues: dict[str, deque[tuple[int, int, Instruction]]] = {e: deque() for e in ENGINES}
            end_index = index
            while end_index < len(program) and program[end_index].name not in ("BARRIER", "END"):
                instr = program[end_index]
                queues[instr.engine].append((end_index, max(now_dispatch, segment_start), instr))
                now_dispatch = max(now_dispatch, segment_start) + 1
                end_index += 1
            def candidate(engine: str) -> tuple[int, int] | None:
                if not queues[engine]:
                    return None
                idx, dispatched, instr = queues[engine][0]
                start = max(free[engine], dispatched)
                if instr.get("wait_en"):
                    toks = tokens[instr.get("wait_sem")]
                    if not toks:
                        return None
                    start = max(start, toks[0][0])
                return start, idx

            while any(queues.values()):
                options = [(c[0], c[1], e) for e in ENGINES if (c := candidate(e)) is not None]
                if not options:
                    blocked = [f"{e} (instruction {queues[e][0][0]}: {queues[e][0][2].name} waits on semaphore {queues[e][0][2].get('wait_sem')})"
                               for e in ENGINES if queues[e]]  # fmt: skip
                    raise DeadlockError("deadlock: " + "; ".join(blocked), hint="Every wait needs a matching signal earlier in another engine's stream.")
                start, idx, engine = min(options)
                _, dispatched, instr = queues[engine].popleft()
                waited_on = None
                ready = max(free[engine], dispatched)
                if instr.get("wait_en"):
                    token_time, waited_on, token_clock = tokens[instr.get("wait_sem")].popleft()
                    stall[engine] += max(0, token_time - ready)
                    np.maximum(clocks[engine], token_clock, out=clocks[engine])
                e_idx = ENGINES.index(engine)
                seq[engine] += 1
                clocks[engine][e_idx] = seq[engine]
                shape = pending[engine]
                if instr.name in ("DMA_DIMS", "DMA_LAYOUT"):
                    if engine not in ("dma_in", "dma_out"):
                        raise SimulatorFault(f"instruction {idx}: {instr.name} names engine {engine}, not a DMA engine")
                    pending[engine] = dma_shape_after(shape, instr)
                elif instr.name in ("DMA_LOAD", "DMA_STORE"):
                    pending[engine] = DmaShape()
                self._execute(instr, idx, e_idx, seq[engine], clocks[engine], shape)
                cost = cycles_of(instr, self.config, shape)
                end = start + cost
                free[engine] = end
                busy[engine] += cost
                if instr.get("signal_en"):
                    tokens[instr.get("signal_sem")].append((end, idx, clocks[engine].copy()))
                events.append(Event(idx, instr.name, engine, start, end, instr.loc, dict(instr.fields), waited_on))
            segment_end = max(free.values())
            if end_index < len(program):  # BARRIER or END
                instr = program[end_index]
                events.append(Event(end_index, instr.name, "control", segment_end, segment_end + 1, instr.loc, dict(instr.fields)))
                busy["control"] += 1
                segment_start = segment_end + 1
                merged = np.max(np.stack(list(clocks.values())), axis=0)  # a barrier orders everything
                for e in ENGINES:
                    free[e] = max(free[e], segment_start)
                    clocks[e] = merged.copy()
                if instr.name == "END":
                    break
            index = end_index + 1
        cycles = max((ev.end for ev in events), default=0)
        return RunResult(cycles, events, busy, stall, self._macs, self._dma_bytes, self._races, self._uninit)

    # ----------------------------------------------------------------- functional model
    def _read_sram(self, addr: int, nbytes: int, idx: int, clock: np.ndarray) -> np.ndarray:
        data = self._slice(self.sram, addr, nbytes, f"instruction {idx} reads the scratchpad")
        if not self._written[addr : addr + nbytes].all():
            self._uninit.append(f"instruction {idx} reads never-written scratchpad bytes in [{addr}, {addr + nbytes})")
        engines = self._writer_engine[addr : addr + nbytes]
        seqs = self._writer_seq[addr : addr + nbytes]
        for e in np.unique(engines[engines >= 0]):
            if (seqs[engines == e] > clock[e]).any():
                self._races.append(f"instruction {idx} reads [{addr}, {addr + nbytes}) written by {ENGINES[e]} without a semaphore ordering them")
        return data

    def _write_sram(self, addr: int, data: np.ndarray, idx: int, engine: int, seq: int, clock: np.ndarray) -> None:
        n = data.size
        target = self._slice(self.sram, addr, n, f"instruction {idx} writes the scratchpad")
        engines = self._writer_engine[addr : addr + n]
        seqs = self._writer_seq[addr : addr + n]
        for e in np.unique(engines[(engines >= 0) & (engines != engine)]):
            if (seqs[engines == e] > clock[e]).any():
                self._races.append(f"instruction {idx} overwrites [{addr}, {addr + n}) written by {ENGINES[e]} without a semaphore ordering them")
        target[:] = data
        self._written[addr : addr + n] = True
        engines[:] = engine
        seqs[:] = seq

    def _execute(self, instr: Instruction, idx: int, engine: int, seq: int, clock: np.ndarray, shape: DmaShape) -> None:
        g = instr.get
        n = self.config.array_size
        if instr.name == "DMA_LOAD":
            rows, row_bytes, stride, pitch = g("rows"), g("row_bytes"), shape.row_stride(instr), shape.pitch(instr)
            if pitch < row_bytes:
                raise SimulatorFault(f"instruction {idx}: DMA_LOAD sram_pitch {pitch} is below row_bytes {row_bytes}")
            height = shape.pad_before + rows + shape.pad_after
            for b, base in enumerate(shape.bases(instr)):
                block = np.zeros((height, pitch), np.uint8)
                for r in range(rows):
                    block[shape.pad_before + r, :row_bytes] = self._slice(self.dram, base + r * stride, row_bytes, f"instruction {idx} DMA_LOAD")
                if shape.transpose:
                    item = 1 << shape.elem_log2
                    if pitch % item:
                        raise SimulatorFault(f"instruction {idx}: DMA_LOAD transposes {item}-byte elements of {pitch}-byte rows")
                    block = np.ascontiguousarray(block.view(f"V{item}").reshape(height, pitch // item).T).view(np.uint8)
                self._write_sram(g("sram_addr") + b * block.size, block.reshape(-1), idx, engine, seq, clock)
            self._dma_bytes += shape.dram_bytes(instr)
        elif instr.name == "DMA_STORE":
            if shape.pad_before or shape.pad_after or shape.transpose:
                raise SimulatorFault(f"instruction {idx}: DMA_STORE cannot pad or transpose (DMA_LAYOUT padding and transpose are load-only)")
            rows, row_bytes, stride, pitch = g("rows"), g("row_bytes"), g("dram_stride") or g("row_bytes"), shape.pitch(instr)
            for b, base in enumerate(shape.bases(instr)):
                for r in range(rows):
                    addr = g("sram_addr") + b * rows * pitch + r * pitch
                    if g("from_acc"):
                        src = self._slice(self.acc, addr, row_bytes, f"instruction {idx} DMA_STORE")
                    else:
                        src = self._read_sram(addr, row_bytes, idx, clock)
                    self._slice(self.dram, base + r * stride, row_bytes, f"instruction {idx} DMA_STORE")[:] = src
            self._dma_bytes += shape.dram_bytes(instr)
        elif instr.name == "MM_PRELOAD":
            dt = NUMPY_DTYPE[_DTYPE_NAME[g("dtype")]]
            self.weights = self._read_sram(g("sram_addr"), n * n * dt.itemsize, idx, clock).view(dt).reshape(n, n).copy()
        elif instr.name == "MM_COMPUTE":
            if self.weights is None:
                raise SimulatorFault(f"instruction {idx}: MM_COMPUTE before any MM_PRELOAD")
            dt = NUMPY_DTYPE[_DTYPE_NAME[g("dtype")]]
            rows = g("rows")
            acts = self._read_sram(g("sram_addr"), rows * n * dt.itemsize, idx, clock).view(dt).reshape(rows, n)
            acc_t = ACC_DTYPE[_DTYPE_NAME[g("dtype")]]
            acc_bytes = self._slice(self.acc, g("acc_addr"), rows * n * acc_t.itemsize, f"instruction {idx} MM_COMPUTE")
            current = acc_bytes.view(acc_t).reshape(rows, n) if g("accumulate") else None
            acc_bytes[:] = self.matrix_tile(acts, self.weights.astype(dt), current).astype(acc_t).view(np.uint8).reshape(-1)
            self._macs += rows * n * n
        elif instr.name == "VECTOR":
            dt = NUMPY_DTYPE[_DTYPE_NAME[g("dtype")]]
            op = _VOP_NAME[g("op")]
            length = g("length")
            nbytes = length * dt.itemsize

            def load(addr: int) -> np.ndarray:
                if g("src_space") == SPACES["sram"]:
                    return self._read_sram(addr, nbytes, idx, clock).view(dt)
                return self._slice(self._space(g("src_space")), addr, nbytes, f"instruction {idx} VECTOR").view(dt)

            a = load(g("src0"))
            b = load(g("src1")) if op in ("add", "sub", "mul", "max", "min", "cmp_lt", "select") else None
            out = vector_op(op, a, b, dt, self.config.vector_lanes).view(np.uint8)
            if g("dst_space") == SPACES["sram"]:
                self._write_sram(g("dst"), out, idx, engine, seq, clock)
            else:
                self._slice(self._space(g("dst_space")), g("dst"), out.size, f"instruction {idx} VECTOR")[:] = out
        elif instr.name == "VECTOR_QUANT":
            length = g("length")
            src = self._slice(self.acc, g("src0"), length * 4, f"instruction {idx} VECTOR_QUANT").view(np.int32)
            self._write_sram(g("dst"), requantize(src, g("scale"), g("shift"), g("zero_point")).view(np.uint8), idx, engine, seq, clock)
