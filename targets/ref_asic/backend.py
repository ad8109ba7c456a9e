"""The reference ASIC backend: matmuls and convolutions onto the systolic array, f32 elementwise kernels and row
reductions onto the vector unit; every other kernel falls back to the host CPU inside the same ByRE (its LLVM /
host-kernel executables) over host memory, with ``byre.copy`` between DRAM and host memory
(``memory_space``), counted in the report."""

from __future__ import annotations

import dataclasses

import numpy as np

from byteir_sdk.compiler import Capabilities, LoweredKernel, MemoryLevel
from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.compiler.tensor.bufferize import buffer_slot
from byteir_sim.config import MachineConfig
from byteir_sim.isa import encode_program
from byteir_targets.cpu.backend import HostFallbackBackend
from byteir_targets.ref_asic.lowering.gemm import lower_contraction, lower_conv
from byteir_targets.ref_asic.lowering.vector import lower_elementwise, lower_reduction

__all__ = ["RefAsicBackend", "ASIC_FORMAT"]

ASIC_FORMAT = "ref-asic"
#: Operand element type -> the accumulator type the systolic array produces for it.
_ARRAY_TYPES = {"f32": "f32", "bf16": "f32", "i8": "i32"}


class RefAsicBackend(HostFallbackBackend):
    """Generates ISA programs for the kernels the array runs; the CPU backend lowers the rest."""

    name = "ref_asic"

    def __init__(self, config: MachineConfig | None = None) -> None:
        super().__init__()
        self.config = config or MachineConfig()

    def capabilities(self) -> Capabilities:
        host = self._host.capabilities()
        return dataclasses.replace(
            host,
            executable_format=ASIC_FORMAT,
            # a matmul kernel stays a pure matmul the array can run: no epilogue, no reduction
            # joins it (the host CPU backend's fusions would send the whole kernel to the host)
            fuse_contraction_epilogue=False,
            fuse_contraction_reduction=False,
            strided_contractions=False,  # the array's GEMM reads its operands in their dot's own layout
            memory=(MemoryLevel("scratchpad", self.config.sram_bytes), MemoryLevel("accumulator", self.config.acc_bytes)),
            vector_bytes=self.config.vector_lanes * 4,
            parallelism=1,
        )

    def device_program(self, kernel: K.Kernel) -> LoweredKernel | None:
        """The ISA program of a kernel the array or vector unit runs, else None (host fallback)."""
        return self._gemm_program(kernel) or self._vector_program(kernel)

    def _vector_program(self, kernel: K.Kernel) -> LoweredKernel | None:
        loops = list(kernel.loops())
        if not 1 <= len(loops) <= 2 or kernel.buffers is None or any(isinstance(op, (K.HostOp, K.View)) for op in kernel.ops):
            return None
        loop = loops[-1]
        if kernel.results != [loop.results[0]] or loop.init_copy_needed(kernel.buffers):
            return None
        slots = [buffer_slot(kernel.buffers, len(kernel.params), len(kernel.results), n) for n in (*loop.inputs, loop.results[0])]  # type: ignore[arg-type]
        if slots[-1] is None:
            return None
        if len(loops) == 1:
            lowered = lower_elementwise(kernel, loop, slots, self.config, loc=loop.loc)  # type: ignore[arg-type]
        else:
            lowered = lower_reduction(kernel, loops[0], loop, slots, self.config, loc=loop.loc)  # type: ignore[arg-type]
        if lowered is None:
            return None
        program, relocations = lowered
        launch = {"relocations": relocations, "macs": 0, "instructions": len(program), "loc": loop.loc, "shape": list(loop.domain), "unit": "vector"}
        return LoweredKernel(ASIC_FORMAT, encode_program(program), kernel.name, launch)

    def _gemm_program(self, kernel: K.Kernel) -> LoweredKernel | None:
        """A (batched) matmul or convolution (f32, bf16 -> f32 or i8 -> i32) into a zero-filled output, as an implicit GEMM on the array."""
        loops = list(kernel.loops())
        if len(loops) != 2 or any(isinstance(op, (K.HostOp, K.View)) for op in kernel.ops) or kernel.buffers is None:
            return None
        fill, loop = loops
        if kernel.results != [loop.results[0]] or fill.results[0] != loop.outputs[0] or not kernel.is_zero_fill(fill):
            return None  # the array overwrites on the first reduction step: only a zero-initialised output qualifies
        if loop.init_copy_needed(kernel.buffers):
            return None
        contraction = K.contraction(loop, kernel.types)
        geo = K.conv_geometry(loop, kernel) if contraction is None else None
        if contraction is None and geo is None:
            return None
        operands = (*loop.inputs, loop.results[0]) if geo is None else (geo.image_name, geo.filter_name, loop.results[0])
        dtype = kernel.types[operands[0]].element
        if _ARRAY_TYPES.get(dtype) != kernel.types[loop.results[0]].element:
            return None
        refs = [buffer_slot(kernel.buffers, len(kernel.params), len(kernel.results), name) for name in operands]  # type: ignore[arg-type]
        if any(r is None for r in refs):
            return None
        if geo is not None:
            lowered = lower_conv(geo, refs[0], refs[1], refs[2], self.config, dtype, loc=loop.loc)  # type: ignore[arg-type]
        else:
            lowered = lower_contraction(contraction, refs[0], refs[1], refs[2], self.config, dtype, loc=loop.loc)  # type: ignore[arg-type]
        if lowered is None:
            return None
        program, relocations = lowered
        macs = int(np.prod(loop.domain, dtype=np.int64))
        launch = {"relocations": relocations, "macs": macs, "instructions": len(program), "loc": loop.loc, "shape": list(loop.domain), "unit": "matrix"}
        return LoweredKernel(ASIC_FORMAT, encode_program(program), kernel.name, launch)
