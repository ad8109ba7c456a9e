"""Matmul on the systolic array, activation-stationary across a group of output column tiles.

Rows are processed in blocks; for each block the output columns are processed in groups of
``jn`` tiles of N (as many as the accumulator holds). For each k tile the activation tile
(rows x N) is loaded once into one of two scratchpad buffers and reused by the ``jn`` weight tiles
of the group, which stream through two weight buffers: DMA of the next tiles overlaps the array's
work. When a group's k loop is done its accumulator tiles are stored.

Semaphores (one wait and one signal per instruction; SYNC adds a second one where needed):
LW[b]/FREEW[b] weight buffer b loaded / copied into the array (by MM_PRELOAD); LA[b]/FREEA[b]
activation buffer b loaded / consumed by the group's last compute; ST "group computed";
ACCFREE "accumulator stored". DRAM addresses are offsets into the kernel's buffers;
``relocations`` lists which instruction reads which buffer slot, and the driver adds the buffers'
addresses at dispatch.
"""

from __future__ import annotations

from dataclasses import dataclass

from byteir_sim.config import MachineConfig
from byteir_sim.isa import DTYPES, ENGINES, Instruction, make

__all__ = ["MatmulShape", "lower_matmul", "fits"]

LW, FREEW, LA, FREEA, ST, ACCFREE = (0, 1), (2, 3), (4, 5), (6, 7), 8, 9
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


def _blocking(shape: MatmulShape, config: MachineConfig) -> tuple[int, int]:
    """(rows per block, column tiles per group) fitting the scratchpad and the accumulator."""
    n = config.array_size
    weights = 2 * n * n * ITEM
    by_sram = (config.sram_bytes - weights) // (2 * n * ITEM)
    rows = max(1, min(shape.m, 512, 4095, by_sram, config.acc_bytes // (n * ITEM)))
    groups = max(1, min(shape.n // n, config.acc_bytes // (rows * n * ITEM)))
    return rows, groups


def lower_matmul(shape: MatmulShape, a: tuple[int, int], b: tuple[int, int], c: tuple[int, int], config: MachineConfig, loc: str = "") -> tuple[list[Instruction], list[int]]:
    """The program for C = A @ B (f32) and its relocations [instruction, slot, ...].

    `a`, `b`, `c` are (buffer slot, byte offset) of the row-major operands.
    """
    n = config.array_size
    rows_blk, jn = _blocking(shape, config)
    w_buf = [0, n * n * ITEM]
    a_base = 2 * n * n * ITEM
    a_buf = [a_base, a_base + rows_blk * n * ITEM]
    program: list[Instruction] = []
    relocations: list[int] = []
    matrix = ENGINES.index("matrix")

    def emit(instr: Instruction, slot: int | None = None) -> None:
        if slot is not None:
            relocations.extend([len(program), slot])
        program.append(Instruction(instr.name, instr.fields, loc))

    w_step = a_step = group = 0
    for m0 in range(0, shape.m, rows_blk):
        rows = min(rows_blk, shape.m - m0)
        for j0 in range(0, shape.n, jn * n):
            tiles = list(range(j0, min(shape.n, j0 + jn * n), n))
            if group >= 1:  # the accumulator is reused: wait for the previous group's stores
                emit(make("SYNC", engine=matrix).with_sync(wait=ACCFREE))
            for k0 in range(0, shape.k, n):
                ab = a_step % 2
                load_a = make("DMA_LOAD", dram_addr=a[1] + (m0 * shape.k + k0) * ITEM, sram_addr=a_buf[ab], rows=rows, row_bytes=n * ITEM, dram_stride=shape.k * ITEM)
                emit(load_a.with_sync(wait=FREEA[ab] if a_step >= 2 else None, signal=LA[ab]), a[0])
                for t, j in enumerate(tiles):
                    wb = w_step % 2
                    load_w = make("DMA_LOAD", dram_addr=b[1] + (k0 * shape.n + j) * ITEM, sram_addr=w_buf[wb], rows=n, row_bytes=n * ITEM, dram_stride=shape.n * ITEM)
                    emit(load_w.with_sync(wait=FREEW[wb] if w_step >= 2 else None, signal=LW[wb]), b[0])
                    emit(make("MM_PRELOAD", sram_addr=w_buf[wb], dtype=DTYPES["f32"]).with_sync(wait=LW[wb], signal=FREEW[wb]))
                    compute = make("MM_COMPUTE", sram_addr=a_buf[ab], acc_addr=t * rows_blk * n * ITEM, rows=rows, accumulate=int(k0 > 0), dtype=DTYPES["f32"])
                    emit(compute.with_sync(wait=LA[ab] if t == 0 else None, signal=FREEA[ab] if t == len(tiles) - 1 else None))
                    w_step += 1
                a_step += 1
            emit(make("SYNC", engine=matrix).with_sync(signal=ST))
            for t, j in enumerate(tiles):
                store = make("DMA_STORE", dram_addr=c[1] + (m0 * shape.n + j) * ITEM, sram_addr=t * rows_blk * n * ITEM, rows=rows, row_bytes=n * ITEM,
                             dram_stride=shape.n * ITEM, from_acc=1)  # fmt: skip
                emit(store.with_sync(wait=ST if t == 0 else None, signal=ACCFREE if t == len(tiles) - 1 else None), c[0])
            group += 1
    emit(make("END"))
    return program, relocations
