"""The CUDA backend: Kernel IR -> CUDA C (``codegen``) -> PTX (NVRTC) for one architecture; kernels
with no CUDA form (host ops such as sort or while, complex numbers) run on the host CPU inside the
same ByRE, over host memory, with ``byre.copy`` between the spaces (as the ref_asic target does)."""

from __future__ import annotations

from byteir_sdk.compiler import Capabilities, LoweredKernel, MemoryLevel
from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.errors import UnsupportedOpError, UsageError
from byteir_targets.cpu.backend import HOST_OPS, HostFallbackBackend
from byteir_targets.cpu.codegen import SUPPORTED_TYPES as HOST_TYPES
from byteir_targets.cuda.codegen import SUPPORTED_TYPES, arch_number, generate
from byteir_targets.cuda.nvrtc import compile_ptx, find_ptxas, ptxas_check

__all__ = ["CudaBackend", "PTX_FORMAT", "DEFAULT_ARCH"]

PTX_FORMAT = "ptx"
DEFAULT_ARCH = "sm_90"


class CudaBackend(HostFallbackBackend):
    """PTX for every kernel the CUDA code generator takes; the CPU backend lowers the rest."""

    name = "cuda"

    def __init__(self, arch: str = DEFAULT_ARCH) -> None:
        try:
            self.arch = arch_number(arch)
        except ValueError as exc:
            raise UsageError(str(exc), hint="Pass --cuda-arch sm_80, sm_90, ... (the GPU's compute capability).") from None
        super().__init__()

    def capabilities(self) -> Capabilities:
        return Capabilities(
            dtypes=frozenset(HOST_TYPES - {"index"}),
            executable_format=PTX_FORMAT,
            host_ops=HOST_OPS,
            fuse_contraction_epilogue=False,  # a contraction stays a pure GEMM for the tiled / tensor-core kernels
            memory=(MemoryLevel("shared", 48 * 1024), MemoryLevel("L2", 40 * 1024 * 1024)),
            alignment=256,
            vector_bytes=16,
            parallelism=1,  # the GPU's parallelism is in the launch, not in host threads
        )

    def check_executable(self, lowered: LoweredKernel) -> None:
        """Assemble PTX with ptxas for its architecture (when ptxas is installed; else nothing)."""
        if lowered.format == PTX_FORMAT and find_ptxas() is not None:
            ptxas_check(lowered.blob, arch_number(lowered.launch["arch"]))

    def device_program(self, kernel: K.Kernel) -> LoweredKernel | None:
        """PTX for `kernel`, or None when it has no CUDA form (host ops, complex numbers, a scalar
        op the generator lacks)."""
        if any(isinstance(op, K.HostOp) for op in kernel.ops) or any(t.element not in SUPPORTED_TYPES for t in kernel.types.values()):
            return None
        try:
            source, steps = generate(kernel, self.arch)
        except UnsupportedOpError:
            return None
        ptx = compile_ptx(source, self.arch, f"{kernel.name}.cu")
        n_slots = len(kernel.params) + len(kernel.results) + 1
        return LoweredKernel(
            PTX_FORMAT,
            ptx,
            kernel.name,
            {"arch": f"sm_{self.arch}", "steps": [s.entry for s in steps], "schedule": [s.launch() for s in steps], "buffers": n_slots},
        )
