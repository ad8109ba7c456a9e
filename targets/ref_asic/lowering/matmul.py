"""Matmul on the systolic array: output tiles of N columns, double-buffered DMA.

For each output column tile j and row block m, every k tile loads an N x N weight tile and a
rows x N activation tile into one of two scratchpad buffers (the next tile loads while the array
computes the current one), preloads the weights and streams the activations, accumulating in one
of two accumulator regions; the finished block is stored while the next block computes.

Semaphores (one wait and one signal per instruction): LW[b]/LA[b] "weights/activations of buffer
b loaded", FREE[b] "buffer b consumed", ST "block computed", ACCFREE "accumulator region stored".
DRAM addresses are offsets into the kernel's buffers; ``relocations`` lists which instruction
reads which buffer slot, and the driver adds the buffers' addresses at dispatch.
"""

from __future__ import annotations

from dataclasses import dataclass

from byteir_sim.config import MachineConfig
from byteir_sim.isa import DTYPES, ENGINES, Instruction, make

__all__ = ["MatmulShape", "lower_matmul", "fits"]

LW, LA, FREE, ST, ACCFREE = (0, 1), (2, 3), (4, 5), 6, 7
ITEM = 4  # f32


@dataclass(frozen=True)
class MatmulShape:
    m: int
    k: int
    n: int


def fits(shape: MatmulShape, config: MachineConfig) -> bool:
    """Whether the array can run this matmul (k and n multiples of the array size)."""
    size = config.array_size
    return shape.k % size == 0 and shape.n % size == 0 and shape.m >= 1


def _rows_per_block(shape: MatmulShape, config: MachineConfig) -> int:
    n = config.array_size
    weights = 2 * n * n * ITEM
    by_sram = (config.sram_bytes - weights) // (2 * n * ITEM)
    by_acc = config.acc_bytes // (2 * n * ITEM)
    return max(1, min(shape.m, 4095, by_sram, by_acc))


def lower_matmul(shape: MatmulShape, a: tuple[int, int], b: tuple[int, int], c: tuple[int, int], config: MachineConfig, loc: str = "") -> tuple[list[Instruction], list[int]]:
    """The program for C = A @ B (f32) and its relocations [instruction, slot, ...].

    `a`, `b`, `c` are (buffer slot, byte offset) of the row-major operands.
    """
    n = config.array_size
    rows_blk = _rows_per_block(shape, config)
    w_buf = [0, n * n * ITEM]
    a_base = 2 * n * n * ITEM
    a_buf = [a_base, a_base + rows_blk * n * ITEM]
    acc_buf = [0, rows_blk * n * ITEM]
    program: list[Instruction] = []
    relocations: list[int] = []
    matrix = ENGINES.index("matrix")

    def emit(instr: Instruction, slot: int | None = None) -> None:
        if slot is not None:
            relocations.extend([len(program), slot])
        program.append(Instruction(instr.name, instr.fields, loc))

    step = block = 0
    for j in range(0, shape.n, n):
        for m0 in range(0, shape.m, rows_blk):
            rows = min(rows_blk, shape.m - m0)
            acc = acc_buf[block % 2]
            if block >= 2:
                emit(make("SYNC", engine=matrix).with_sync(wait=ACCFREE))
            for k0 in range(0, shape.k, n):
                buf = step % 2
                load_w = make("DMA_LOAD", dram_addr=b[1] + (k0 * shape.n + j) * ITEM, sram_addr=w_buf[buf], rows=n, row_bytes=n * ITEM, dram_stride=shape.n * ITEM)
                emit(load_w.with_sync(wait=FREE[buf] if step >= 2 else None, signal=LW[buf]), b[0])
                load_a = make("DMA_LOAD", dram_addr=a[1] + (m0 * shape.k + k0) * ITEM, sram_addr=a_buf[buf], rows=rows, row_bytes=n * ITEM, dram_stride=shape.k * ITEM)
                emit(load_a.with_sync(signal=LA[buf]), a[0])
                emit(make("MM_PRELOAD", sram_addr=w_buf[buf], dtype=DTYPES["f32"]).with_sync(wait=LW[buf]))
                compute = make("MM_COMPUTE", sram_addr=a_buf[buf], acc_addr=acc, rows=rows, accumulate=int(k0 > 0), dtype=DTYPES["f32"])
                emit(compute.with_sync(wait=LA[buf], signal=FREE[buf]))
                step += 1
            emit(make("SYNC", engine=matrix).with_sync(signal=ST))
            store = make("DMA_STORE", dram_addr=c[1] + (m0 * shape.n + j) * ITEM, sram_addr=acc, rows=rows, row_bytes=n * ITEM,
                         dram_stride=shape.n * ITEM, from_acc=1)  # fmt: skip
            emit(store.with_sync(wait=ST, signal=ACCFREE), c[0])
            block += 1
    emit(make("END"))
    return program, relocations
