"""Matmul on the systolic array, activation-stationary across a group of output column tiles.

Rows are processed in blocks; for each block the output columns are processed in groups of
``jn`` tiles of N (as many as the accumulator holds). For each k tile the activation tile
(rows x N) is loaded once into one of two scratchpad buffers and reused by the ``jn`` weight tiles
of the group, which stream through two weight buffers: DMA of the next tiles overlaps the array's
work. When a group's k loop is done its accumulator tiles are stored.

The schedule only places data; every semaphore comes from the buffer-region dependency analysis
(``sync.insert_semaphores``), which sees that a load into buffer b must wait for the compute that
last read b, that a store waits for its tile's last compute, and so on. DRAM addresses are offsets
into the kernel's buffers;
``relocations`` lists which instruction reads which buffer slot, and the driver adds the buffers'
addresses at dispatch.
"""

from __future__ import annotations

from dataclasses import dataclass

from byteir_sim.config import MachineConfig
from byteir_sim.isa import DTYPES, Instruction, make
from byteir_targets.ref_asic.lowering.sync import ProgramBuilder

__all__ = ["MatmulShape", "lower_matmul", "fits"]

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
    builder = ProgramBuilder(loc)
    emit = builder.emit

    w_step = a_step = 0
    for m0 in range(0, shape.m, rows_blk):
        rows = min(rows_blk, shape.m - m0)
        for j0 in range(0, shape.n, jn * n):
            tiles = list(range(j0, min(shape.n, j0 + jn * n), n))
            for k0 in range(0, shape.k, n):
                ab = a_step % 2
                emit(make("DMA_LOAD", dram_addr=a[1] + (m0 * shape.k + k0) * ITEM, sram_addr=a_buf[ab], rows=rows, row_bytes=n * ITEM, dram_stride=shape.k * ITEM), a[0])
                for t, j in enumerate(tiles):
                    wb = w_step % 2
                    emit(make("DMA_LOAD", dram_addr=b[1] + (k0 * shape.n + j) * ITEM, sram_addr=w_buf[wb], rows=n, row_bytes=n * ITEM, dram_stride=shape.n * ITEM), b[0])
                    emit(make("MM_PRELOAD", sram_addr=w_buf[wb], dtype=DTYPES["f32"]))
                    emit(make("MM_COMPUTE", sram_addr=a_buf[ab], acc_addr=t * rows_blk * n * ITEM, rows=rows, accumulate=int(k0 > 0), dtype=DTYPES["f32"]))
                    w_step += 1
                a_step += 1
            for t, j in enumerate(tiles):
                emit(make("DMA_STORE", dram_addr=c[1] + (m0 * shape.n + j) * ITEM, sram_addr=t * rows_blk * n * ITEM, rows=rows, row_bytes=n * ITEM,
                          dram_stride=shape.n * ITEM, from_acc=1), c[0])  # fmt: skip
    return builder.finish(config)
