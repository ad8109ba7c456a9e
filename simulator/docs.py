"""Writes docs/ref_asic.md; the ISA table in it is generated from byteir_sim.isa.

Run ``python -m byteir_sim.docs [PATH]`` after changing the ISA; a test fails while it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from byteir_sim.config import MachineConfig
from byteir_sim.isa import DTYPES, SEMAPHORES, VECTOR_OPS, WORD_BYTES, isa_table_markdown

__all__ = ["render", "main"]


def render() -> str:
    c = MachineConfig()
    config_rows = "\n".join(f"| `{k}` | {v} |" for k, v in c.to_dict().items())
    return f"""# The reference ASIC

A small deep-learning accelerator, specified by its simulator (`simulator/`, import name
`byteir_sim`). Everything below the machine description is generated from the code's single ISA
definition (`simulator/isa.py`) by `python -m byteir_sim.docs`.

## The machine
- Engines, each in-order, running concurrently: `dma_in`, `dma_out`, `matrix` (an N x N
  weight-stationary systolic array: int8 x int8 -> int32, bf16 x bf16 -> f32, f32), `vector`
  (`vector_lanes` lanes: elementwise arithmetic, compare/select, exp/log/tanh/erf/rsqrt, reductions,
  casts, int32 -> int8 requantisation), and `control` (the sequencer: NOP, BARRIER, END).
- Memories: DRAM (bandwidth in bytes/cycle, latency, per-descriptor setup), a scratchpad SRAM in
  `sram_banks` banks, and the accumulator the array writes.
- {SEMAPHORES} counting semaphores; every instruction can wait on one (consuming a token) and signal
  one (producing a token when it completes).
- Fixed {WORD_BYTES * 8}-bit instructions, dispatched in program order one per cycle into the engines'
  queues.
- DMA: a DMA_LOAD/DMA_STORE is a 2-D strided transfer; a `DMA_DIMS` before it (in the same engine's
  stream) adds two outer dims with their own DRAM strides (up to 4-D), and a `DMA_LAYOUT` sets the
  scratchpad row pitch (zero-filled tail), zero rows before/after each block and a per-block
  transpose (loads). Both apply to the engine's next transfer only.

## Configuration (defaults; override any field with `--config CFG.toml` or `.json`)
| parameter | default |
|---|---|
{config_rows}

## Instructions
Bits 0-7 hold the opcode, then the synchronisation header `wait_en(1) wait_sem(4) signal_en(1)
signal_sem(4)`, then the fields below in order (little-endian).

{isa_table_markdown()}

Element types (`dtype`): {", ".join(f"`{k}`={v}" for k, v in DTYPES.items())}.
Vector ops (`op`): {", ".join(f"`{k}`" for k in VECTOR_OPS)}.

## Timing model
An instruction starts when its engine is free, it has been dispatched, and (with `wait_en`) a token
of its semaphore exists; it ends `cycles` later (the formulas in the table, with the configuration's
`dma_setup`, `dram_latency`, `dram_bandwidth`, `vector_lanes`, `vector_pipeline_depth`, and N =
`array_size`). A binary `VECTOR` whose two scratchpad sources sit in one bank takes twice the
streaming cycles (bank conflict). A DMA moves `max(dram bytes, scratchpad bytes)` (zero padding and
row pitch cost scratchpad write bandwidth like data). `BARRIER` starts when every earlier
instruction has completed.
Stall time is time an engine's next instruction waited for a semaphore token.

## Value semantics
Bit-exact with NumPy / ml_dtypes (`simulator/functional.py`): the array multiplies exactly and
accumulates down the columns in k order, rounding each step to the accumulator type (i32 wraps,
f32 rounds to nearest even); requantisation is `saturate(round_half_even(x * scale / 2**shift) +
zero_point)`. `reduce_sum` adds the way the lanes do: lane j accumulates elements j, j + L, j + 2L,
... in order, then the L partial sums are added as a binary tree (idle lanes hold 0), so the
result is defined bit for bit; `reduce_max` is order-independent.

## Checks
A deadlock (engines waiting on semaphores no remaining instruction signals) is an error naming the
engines and semaphores. Scratchpad accesses not ordered by program order or semaphores (vector
clocks) are reported as races; reads of never-written scratchpad bytes are reported.

## The ref_asic target (`targets/ref_asic/`)
- **Backend.** Matmuls, batched matmuls (B plain or transposed, e.g. attention's `q @ k^T`) and
  NHWC x HWIO 2-D convolutions (any stride, filter dilation and zero padding; the loop stage fuses
  the padding into the loop as a bounds-checked read, `conv_geometry` recovers it) into a
  zero-initialised output, with f32, bf16 -> f32 or i8 -> i32 operands, become one implicit GEMM
  (`lowering/gemm.py`): output pixels are the array's rows, taps x channel tiles its reduction.
  Rows go in blocks of whole output lines (up to 512 rows), output channels in groups the
  accumulator holds; each activation tile is gathered once per tap and channel tile (DMA_DIMS:
  one block per output line; DMA_LAYOUT: zero rows where the tap falls into the padding, row
  pitch N for partial channel tiles) and reused by the group's weight tiles; a transposed B is
  transposed by the DMA. Scratchpad buffers are double-buffered. Any M, K, N works (partial
  tiles are zero-filled). The schedule only places data; the semaphores come from a
  buffer-region dependency analysis (`lowering/sync.py`: one FIFO semaphore per pair of engines,
  SYNC instructions for extra waits or signals), and the race detector checks the result.
  DRAM addresses are relocated at dispatch (`launch.relocations`). An f32 elementwise kernel
  (identity index maps, or inputs broadcast over leading dims via the DMA `broadcast` flag; add,
  sub, mul, max, min, neg, abs, exp, log, tanh, erf, rsqrt, relu) runs on the vector unit in
  chunks of 2048 elements, one VECTOR instruction per expression node. A reduction of the
  trailing dims (`sum` from 0 or `max` from -inf of such an expression, e.g. `sum(x * x)`) runs
  the expression the same way over a chunk of rows, then one `reduce_sum`/`reduce_max` VECTOR
  per row.
- **Fallback (chosen over rejection).** Every other kernel is lowered by the CPU backend inside the
  same ByRE and runs on the host, over host memory. `RefAsicBackend.memory_space` puts such a
  kernel in the `host` space; the tensor stage (`place-memory-spaces`) then inserts an explicit
  `byre.copy` for each value that crosses between DRAM and host memory (once per value), and plans
  a second arena in host memory. `byteir-sim run` prints how many copies moved how many bytes, and
  `--report` lists each fallback kernel (host time) and each copy (direction, bytes). Copies over
  the host link are not charged ASIC cycles (the model has no host-link parameters); their bytes
  are reported so a bring-up engineer sees the traffic a fallback costs.
- **Driver.** Device-local memory is the simulator's DRAM (first-fit allocator, 64-byte
  alignment), not host-visible; host-visible allocations are host memory. Queue submissions run
  ISA programs on the simulator and fallback kernels on host threads; an ISA program bound to host
  memory, or a host kernel bound to DRAM, is refused (`InvalidArgumentError`), so a missing copy
  can never silently work. The device keeps a report per dispatch and copy (cycles, statistics,
  trace events) for `byteir-sim`.
- **CLI.** `byteir-sim run FILE [--inputs IN.npz] [--outputs OUT.npz] [--config CFG] [--trace T.json]
  [--stats S.json] [--report] [--check]` and `byteir-sim disasm FILE.byre`.
- **Not on the ASIC (host fallback):** transposed (input-dilated) and grouped convolutions,
  contractions with a transposed A or several reduction dims, f16 / i32 matmuls (no array mode),
  matmuls whose output does not start from zero, reductions over leading dims, and elementwise
  kernels using ops the vector unit lacks (divide, integer arithmetic, ...).
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "docs" / "ref_asic.md"
    path.write_text(render())
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
