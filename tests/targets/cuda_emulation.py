"""Runs the cuda target's generated CUDA C on the CPU, so its semantics are tested without a GPU.

The backend compiles each kernel's CUDA C to PTX; :func:`recording_sources` keeps the CUDA C of
every PTX it produced. :class:`EmulatedCudaDevice` is a host-memory HAL device that "prepares" a
PTX blob by compiling that same source with g++ against a small shim (``__global__`` -> a plain
function, ``threadIdx``/``blockIdx`` thread-locals, ``__shared__`` -> one static per block,
``__syncthreads`` -> a std::barrier over real threads) and runs each launch of the schedule: a
block's threads one after another for kernels without barriers, as threads for those with.
Grid-stride kernels run on a smaller grid than the launch asks (the loop covers the rest, which
also tests that they do). Inline-PTX kernels (tensor-core MMA) cannot run here: compile for an
architecture below sm_80 to get the shared-memory GEMM instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from byteir_sdk.hal import BufferView, DeviceInfo, Executable
from byteir_sdk.hal.host import HostBackedDevice, HostMemory, HostQueue, host_array, host_memory_bytes
from byteir_targets.cpu.driver import HostExecutor, HostKernelExecutable, LlvmExecutable
from byteir_targets.cuda import backend as cuda_backend

SHIM = r"""
#include <barrier>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>
struct byteir_dim3 { unsigned x, y, z; };
static thread_local byteir_dim3 threadIdx, blockIdx;
static byteir_dim3 blockDim, gridDim;
static std::barrier<>* byteir_barrier = nullptr;
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(n)
#define __shared__ static
#define __align__(n) alignas(n)
static inline void __syncthreads() { byteir_barrier->arrive_and_wait(); }
static inline float __int_as_float(int x) { float f; std::memcpy(&f, &x, 4); return f; }
static inline float __uint_as_float(unsigned x) { float f; std::memcpy(&f, &x, 4); return f; }
static inline unsigned __float_as_uint(float x) { unsigned u; std::memcpy(&u, &x, 4); return u; }
static inline double __longlong_as_double(long long x) { double d; std::memcpy(&d, &x, 8); return d; }
static inline long long __double_as_longlong(double x) { long long v; std::memcpy(&v, &x, 8); return v; }
static inline int __popc(unsigned x) { return __builtin_popcount(x); }
static inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
static inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
static inline int __clzll(long long x) { return x == 0 ? 64 : __builtin_clzll((unsigned long long)x); }
"""

#: sha256 of a PTX blob -> the CUDA C it was compiled from
SOURCES: dict[str, str] = {}


@contextlib.contextmanager
def recording_sources() -> Iterator[None]:
    """Within the block, the cuda backend records the CUDA C of every PTX it compiles."""
    original = cuda_backend.compile_ptx

    def compile_and_record(source: str, arch: int, name: str = "kernel.cu") -> bytes:
        ptx = original(source, arch, name)
        SOURCES[hashlib.sha256(ptx).hexdigest()] = source
        return ptx

    cuda_backend.compile_ptx = compile_and_record
    try:
        yield
    finally:
        cuda_backend.compile_ptx = original


def _launcher(entry: str, n_slots: int) -> str:
    args = ", ".join(f"b[{i}]" for i in range(n_slots))
    return f"""
extern "C" void byteir_launch_{entry}(char** b, unsigned gx, unsigned gy, unsigned gz, unsigned bx, int barrier) {{
  gridDim = {{gx, gy, gz}}; blockDim = {{bx, 1, 1}};
  for (unsigned z = 0; z < gz; ++z) for (unsigned y = 0; y < gy; ++y) for (unsigned x = 0; x < gx; ++x) {{
    if (!barrier) {{
      for (unsigned t = 0; t < bx; ++t) {{ blockIdx = {{x, y, z}}; threadIdx = {{t, 0, 0}}; {entry}({args}); }}
      continue;
    }}
    std::barrier<> sync(bx);
    byteir_barrier = &sync;
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < bx; ++t) threads.emplace_back([=] {{ blockIdx = {{x, y, z}}; threadIdx = {{t, 0, 0}}; {entry}({args}); }});
    for (auto& th : threads) th.join();
  }}
}}
"""


class EmulatedExecutable(Executable):
    """A kernel's CUDA C compiled for the host (g++), cached by content hash."""

    def __init__(self, blob: bytes, entry_points: Sequence[str]) -> None:
        key = hashlib.sha256(blob).hexdigest()
        if key not in SOURCES:
            raise AssertionError("PTX compiled outside recording_sources(): no CUDA C to emulate")
        source = SOURCES[key]
        self.steps = [e for e in entry_points if f" {e}(char* b0" in source]
        self.kernel = next((e for e in entry_points if e not in self.steps), None)  # runs the whole schedule
        n_slots = source.split(self.steps[0] + "(", 1)[1].split(")", 1)[0].count("char*") if self.steps else 0
        text = SHIM + source + "".join(_launcher(e, n_slots) for e in self.steps)
        digest = hashlib.sha256(text.encode()).hexdigest()[:24]
        cache = Path(os.environ.get("BYTEIR_CACHE_DIR", Path.home() / ".cache" / "byteir")) / "cuda-emulation"
        cache.mkdir(parents=True, exist_ok=True)
        lib = cache / f"{digest}.so"
        if not lib.is_file():
            src = cache / f"{digest}.{os.getpid()}.cpp"
            src.write_text(text)
            tmp = lib.with_suffix(f".{os.getpid()}.tmp")
            done = subprocess.run(["g++", "-std=c++20", "-O1", "-shared", "-fPIC", "-pthread", "-w", str(src), "-o", str(tmp)],
                                  capture_output=True, text=True)  # fmt: skip
            src.unlink()
            if done.returncode:
                raise AssertionError(f"g++ rejected the generated CUDA C:\n{done.stderr[:3000]}")
            tmp.replace(lib)
        self._lib = ctypes.CDLL(str(lib))
        self.n_slots = n_slots

    @property
    def format(self) -> str:
        return cuda_backend.PTX_FORMAT

    @property
    def entry_points(self) -> tuple[str, ...]:
        return (*([self.kernel] if self.kernel else []), *self.steps)

    def run(self, bindings: Sequence[BufferView], config: dict[str, Any]) -> None:
        pointers = [host_array(v).ctypes.data if v.nbytes else 0 for v in bindings][: self.n_slots]
        table = (ctypes.c_void_p * max(self.n_slots, 1))(*pointers, *([0] * (self.n_slots - len(pointers))))
        for step in config["schedule"]:
            gx, gy, gz = step["grid"]
            barrier = step["kind"] in ("reduction", "gemm", "mma")
            if step["kind"] in ("loop", "copy"):
                gx = min(gx, 3)
            elif step["kind"] == "reduction":
                gx = min(gx, 2)
            fn = getattr(self._lib, f"byteir_launch_{step['entry']}")
            fn(table, ctypes.c_uint(gx), ctypes.c_uint(gy), ctypes.c_uint(gz), ctypes.c_uint(step["block"][0]), ctypes.c_int(int(barrier)))


class _Queue(HostQueue):
    def __init__(self, device: EmulatedCudaDevice) -> None:
        super().__init__(device.info.name)
        self._host = HostExecutor(device.pool, device.threads)

    def run_dispatch(self, executable: Executable, entry: str, bindings: Sequence[BufferView], config: dict[str, Any]) -> None:
        if isinstance(executable, EmulatedExecutable):
            executable.run(bindings, config)
        else:
            self._host.run(executable, entry, bindings, config)


class EmulatedCudaDevice(HostBackedDevice):
    """A HAL device in host memory that runs the cuda target's kernels through their CUDA C."""

    def __init__(self) -> None:
        self._start_host("cuda-emulated")
        total = host_memory_bytes()
        self._info = DeviceInfo("cuda-emulated:0", "cuda-emulated", total, total // 2, 256, frozenset({"executable:ptx"}))
        self._memory = HostMemory(total, total // 2, 256)
        self._queue = _Queue(self)

    def prepare_executable(self, format: str, blob: bytes, entry_points: Sequence[str] = ()) -> Executable:  # noqa: A002
        if format == cuda_backend.PTX_FORMAT:
            return EmulatedExecutable(blob, entry_points)
        if format == "llvm-ir":
            return LlvmExecutable(blob, entry_points, self._info.name)
        return HostKernelExecutable(blob, self._info.name)
