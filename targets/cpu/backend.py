"""The CPU backend: Kernel IR -> LLVM IR (JIT-compiled by the CPU HAL driver), host kernels
for the StableHLO ops without a loop form."""

from __future__ import annotations

import abc
import dataclasses
import functools
from collections.abc import Sequence
from pathlib import Path

from byteir_sdk.compiler import Backend, Capabilities, LoweredKernel, MemoryLevel
from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.compiler.tensor.bufferize import KernelBuffers, bufferize_kernel, nbytes
from byteir_sdk.errors import UsageError
from byteir_sdk.hal.host import host_threads
from byteir_targets.cpu.codegen import SUPPORTED_TYPES, block_locals, generate, light

#: StableHLO ops the CPU runs as host kernels (through the StableHLO reference interpreter).
HOST_OPS = frozenset(
    "stablehlo." + n
    for n in "while case if sort scatter select_and_scatter fft triangular_solve cholesky rng_bit_generator".split()
)

#: An executable of LLVM IR text: one module, or several separated by NUL bytes (see `llvm_blob`).
LLVM_FORMAT = "llvm-ir"
HOST_FORMAT = "stablehlo-host"


def llvm_blob(modules: Sequence[str]) -> bytes:
    """An llvm-ir executable of LLVM IR `modules` that link into one program (each function
    defined in one of them): the texts joined by NUL bytes, which LLVM IR text never holds. A
    driver may compile them apart, on several threads, and link the objects."""
    return b"\0".join(m.encode() for m in modules)


def llvm_modules(blob: bytes) -> list[bytes]:
    """The LLVM IR modules of an llvm-ir executable (`llvm_blob`)."""
    return bytes(blob).split(b"\0")


@functools.cache
def last_level_cache_bytes() -> int:
    """Size of the host's last-level data cache, from Linux sysfs (0 where it cannot tell)."""
    best = (0, 0)
    for index in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*"):
        try:
            if (index / "type").read_text().strip() == "Instruction":
                continue
            level = int((index / "level").read_text())
            size = (index / "size").read_text().strip().upper()
            scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(size[-1:], 1)
            best = max(best, (level, int(size.rstrip("KMG")) * scale))
        except (OSError, ValueError):
            continue
    return best[1]


class CpuBackend(Backend):
    """Generated loops for every kernel; host kernels for ops without a loop form.

    Target options (keyword arguments; ``byteir compile --target-option NAME=VALUE``, whose
    values arrive as text):

    - `stream_bytes`: elementwise results at least this big are written with streaming
      (non-temporal) stores; default half this machine's last-level cache, 0 turns them off.
    - `threads`: the cores of the machine the program will run on, which the loop stage plans
      parallel work for (``Capabilities.parallelism``: which leading dims to merge, each loop's
      ``threads``); default this process's cores (`host_threads`). The runtime always uses the
      cores it has; a program compiled for fewer splits its batch-1 kernels coarser than it could.
    """

    name = "cpu"

    def __init__(self, stream_bytes: int | str | None = None, threads: int | str | None = None) -> None:
        self.stream_bytes = last_level_cache_bytes() // 2 if stream_bytes is None else _count_option("stream_bytes", stream_bytes, 0, 0)
        self.threads = host_threads() if threads is None else _count_option("threads", threads, 1, 16)

    def capabilities(self) -> Capabilities:
        return Capabilities(
            dtypes=frozenset(SUPPORTED_TYPES - {"index"}),
            executable_format=LLVM_FORMAT,
            host_ops=HOST_OPS,
            fuse_contraction_epilogue=True,
            # a reduction after a convolution (its pooling) runs on each block of images the
            # direct kernel finishes, in one step group, so the convolution's output never
            # reaches memory
            fuse_contraction_reduction=True,
            # a CNN's layers in one kernel: the direct kernels run layer after layer on each block
            # of images, so what one layer passes the next stays in the group's frame
            fuse_convolution_chain=True,
            strided_contractions=True,
            memory=(MemoryLevel("L1", 32 * 1024), MemoryLevel("L2", 512 * 1024)),
            alignment=64,
            vector_bytes=32,
            parallelism=self.threads,
        )

    def bufferize(self, kernel: K.Kernel, alignment: int) -> KernelBuffers:
        """The shared assignment, then again with the values only one step group touches, row by
        row, kept in the group's frame a block of rows at a time (no scratch bytes for them).
        A memory-bound kernel (every loop light, see `light`) with a result to stream computes no
        other value in the result's buffer (no in-place update) when its frame can hold them
        instead at no scratch cost: the result is then written once, by streaming stores, and
        never read back. (A heavy loop's in-place writes overlap their traffic with its compute,
        which pays more: softmax 10.1 ms in place, 11.3 streamed.)"""
        buffers = self._with_locals(kernel, alignment, in_place=True)
        loops = [op for op in kernel.ops if isinstance(op, K.Loop)]
        if (self.stream_bytes and loops and all(map(light, loops))  # a host kernel has no loops
                and any(nbytes(kernel.types[r]) >= self.stream_bytes for r in kernel.results)):  # fmt: skip
            streamed = self._with_locals(kernel, alignment, in_place=False)
            if streamed.scratch_bytes <= buffers.scratch_bytes and _locals(streamed) > _locals(buffers):
                return streamed
        return buffers

    @staticmethod
    def _with_locals(kernel: K.Kernel, alignment: int, in_place: bool) -> KernelBuffers:
        if any(isinstance(op, K.HostOp) for op in kernel.ops):
            return bufferize_kernel(kernel, alignment, in_place=in_place)
        # the groups are found where no two values share scratch bytes: a value packed over one
        # that died would look like a dependence between the steps that touch them
        local, spans = block_locals(kernel, bufferize_kernel(kernel, alignment, in_place=in_place, reuse=False))
        return bufferize_kernel(kernel, alignment, local, spans, in_place=in_place)

    def lower(self, kernel: K.Kernel) -> LoweredKernel:
        host = [op for op in kernel.ops if isinstance(op, K.HostOp)]
        if host:
            return LoweredKernel(HOST_FORMAT, host[0].module.encode(), "main", {"op": host[0].name})
        parts, steps = generate(kernel, self.stream_bytes)
        return LoweredKernel(
            LLVM_FORMAT,
            llvm_blob(parts),
            kernel.name,
            {
                "steps": [s.entry for s in steps if s.library is None] + [e for s in steps if s.library for e in s.library.get("epilogue", ())],
                "schedule": [s.entry if s.library is None else f"library:{i}" for i, s in enumerate(steps)],
                "extents": [s.extent for s in steps],
                "points": [s.points for s in steps],
                "library_calls": [s.library for s in steps if s.library is not None],
                "buffers": len(kernel.params) + len(kernel.results) + 1,
            },
        )


def _count_option(name: str, value: int | str, least: int, example: int) -> int:
    """Target option `name` as a whole number of at least `least` (from the command line: text)."""
    try:
        count = None if isinstance(value, bool) else int(str(value), 10)
    except ValueError:
        count = None
    if count is None or count < least:
        raise UsageError(f"cpu target option {name}={value!r}: not a whole number >= {least}", hint=f"Pass e.g. --target-option {name}={example}.")
    return count


def _locals(buffers: KernelBuffers) -> int:
    return sum(1 for ref in buffers.refs.values() if ref.kind == "local")


class HostFallbackBackend(Backend):
    """A device backend whose kernels it has no program for run on the host CPU: ``device_program``
    returns the device's lowering or None, and None-kernels are lowered by the CPU backend (launch
    ``fallback: cpu``) and placed in host memory, so the pipeline copies between the spaces."""

    def __init__(self) -> None:
        self._host = CpuBackend()
        # kernel -> its device lowering (None: host fallback); the kernel is kept so its id stays unique
        self._programs: dict[tuple[str, int], tuple[K.Kernel, LoweredKernel | None]] = {}

    @abc.abstractmethod
    def device_program(self, kernel: K.Kernel) -> LoweredKernel | None:
        """The device's lowering of `kernel`, or None when the host runs it."""

    def memory_space(self, kernel: K.Kernel) -> str:
        """Device memory for kernels the device runs, host memory for host-fallback kernels."""
        return "device" if self._program(kernel) is not None else "host"

    def lower(self, kernel: K.Kernel) -> LoweredKernel:
        program = self._program(kernel)
        if program is None:
            fallback = self._host.lower(kernel)
            return dataclasses.replace(fallback, launch={**fallback.launch, "fallback": "cpu"})
        return program

    def _program(self, kernel: K.Kernel) -> LoweredKernel | None:
        key = (kernel.name, id(kernel))
        if key not in self._programs:
            self._programs[key] = (kernel, self.device_program(kernel))
        return self._programs[key][1]
