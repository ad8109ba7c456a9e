"""The CPU HAL driver: host memory, an in-order queue on a worker thread, LLVM JIT executables
(cached on disk by content hash) run on all cores, and host kernels on the StableHLO interpreter."""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import functools
import hashlib
import itertools
import math
import os
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import llvmlite
import llvmlite.binding as llvm
from llvmlite.binding import ffi as llvm_ffi
import numpy as np

from byteir_sdk.errors import DeviceLostError, InvalidArgumentError, KernelFaultError, UnimplementedError
from byteir_sdk.hal import BufferView, Command, CommandBuffer, DeviceInfo, Driver, Executable, ExecutableBlob, Fence
from byteir_sdk.hal.host import HostBackedDevice, HostBuffer, HostMemory, HostQueue, buffer_bytes, host_array, host_memory_bytes
from byteir_targets.cpu.backend import HOST_FORMAT, LLVM_FORMAT, llvm_modules
from byteir_targets.cpu.launch import Call, Copy, Gemm, GemmRoutine, Matrix, NativeLaunch, gemm

__all__ = ["CpuDriver", "CpuDevice", "HostExecutor", "LlvmExecutable", "HostKernelExecutable", "cache_dir"]

#: loop iterations below which another thread does not pay for its hand-off (about 50 us of work)
_POINTS_PER_THREAD = 1 << 16
#: chunks a parallel step is cut into per thread (threads take them as they come free)
_CHUNKS_PER_THREAD = 4
_KERNEL = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)
_llvm_lock = threading.Lock()
_llvm_ready = False


def cache_dir() -> Path:
    """Where JIT-compiled objects are cached (``$BYTEIR_CACHE_DIR`` or ``~/.cache/byteir``)."""
    return Path(os.environ.get("BYTEIR_CACHE_DIR", Path.home() / ".cache" / "byteir")) / "cpu"


def _target_machine() -> llvm.TargetMachine:
    global _llvm_ready  # LLVM's native target is process-wide state, initialised once
    with _llvm_lock:
        if not _llvm_ready:
            llvm.initialize_native_target()
            llvm.initialize_native_asmprinter()
            _llvm_ready = True
    target = llvm.Target.from_default_triple()
    return target.create_target_machine(cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(), opt=3, jit=True)


def _without_llvmlite_lock(name: str) -> Callable[..., Any]:
    """llvmlite's C function `name`, called without the process-wide lock llvmlite takes around
    every call (its private ``_cfn``; the locked call where llvmlite has none). Only for the long
    calls on one module's own context, target machine and pass builder, which LLVM runs on several
    threads at once."""
    locked = getattr(llvm_ffi.lib, name)
    return getattr(locked, "_cfn", locked)


_RUN_PASSES = _without_llvmlite_lock("LLVMPY_RunNewModulePassManager")
_EMIT_TO_MEMORY = _without_llvmlite_lock("LLVMPY_TargetMachineEmitToMemory")


def _close_in_order(*resources: Any) -> None:
    """Close llvmlite `resources` first to last: an engine (or a module) before the LLVM context it
    lives in. (Left to the garbage collector, a cycle's objects are finalised in any order, and a
    context closed before its module's engine crashes the process.)"""
    for r in resources:
        r.close()


def _bins(parts: list[bytes], n: int) -> list[list[bytes]]:
    """`parts` in at most `n` bins of about equal text size (the largest part first, each into
    the smallest bin so far), in their order within a bin."""
    bins: list[list[int]] = [[] for _ in range(max(1, min(n, len(parts))))]
    sizes = [0] * len(bins)
    for i in sorted(range(len(parts)), key=lambda i: -len(parts[i])):
        k = sizes.index(min(sizes))
        bins[k].append(i)
        sizes[k] += len(parts[i])
    return [[parts[i] for i in sorted(b)] for b in bins]


def _llvm_objects(blob: bytes, device: str, threads: int) -> list[_LlvmObject]:
    """An llvm-ir executable's modules parsed, in up to `threads` objects that compile apart (a
    function defined in two of its modules is an error here too, as linking them would make it)."""
    data = blob if isinstance(blob, (bytes, bytearray)) else str(blob).encode()
    objects = [_LlvmObject(parts, device) for parts in _bins(llvm_modules(data), threads)]
    seen: set[str] = set()
    for o in objects:
        defined = {f.name for f in o.module.functions if not f.is_declaration and f.linkage != llvm.Linkage.internal}
        twice = seen & defined
        if twice:
            raise InvalidArgumentError(f"{device}: corrupt llvm-ir executable: function {sorted(twice)[0]!r} is defined in two of its modules")
        seen |= defined
    return objects


class _LlvmObject:
    """LLVM IR modules parsed and linked into one, verified, in an LLVM context of its own, and
    its native object code: read from the object cache (keyed by content hash), or made by
    :meth:`compile`, which may run on any thread beside other modules' compiles."""

    def __init__(self, parts: Sequence[bytes], device: str) -> None:
        self.device = device
        try:
            texts = [p.decode("utf-8", errors="strict") for p in parts]
        except UnicodeDecodeError as exc:
            raise InvalidArgumentError(f"{device}: corrupt llvm-ir executable: not UTF-8 text ({exc.reason})") from None
        self.machine = _target_machine()
        key = hashlib.sha256(b"\0".join([*parts, self.machine.triple.encode(), llvm.get_host_cpu_name().encode(),
                                         llvm.get_host_cpu_features().flatten().encode(), llvmlite.__version__.encode()])).hexdigest()  # fmt: skip
        self.cache_file = cache_dir() / f"{key}.o"
        self.size = sum(map(len, parts))
        self.context = llvm.create_context()
        modules = []
        try:
            for text in texts:
                modules.append(llvm.parse_assembly(text, context=self.context))
            for other in modules[1:]:
                modules[0].link_in(other)  # (consumed)
            modules[0].verify()
        except RuntimeError as exc:
            _close_in_order(*(m for m in modules if not m.closed), self.context)  # (a linked module is gone already)
            lines = str(exc).strip().splitlines() or ["LLVM rejected it"]
            raise InvalidArgumentError(f"{device}: corrupt llvm-ir executable: {' '.join(line.strip() for line in lines[:2])}") from None
        self.module = modules[0]
        self.release = weakref.finalize(self, _close_in_order, self.module, self.context)
        self.release.atexit = False
        self.module.triple = self.machine.triple
        self.module.data_layout = str(self.machine.target_data)
        try:
            self.code: bytes | None = self.cache_file.read_bytes()
        except OSError:
            self.code = None
        self.cache_hit = self.code is not None

    def compile(self) -> None:
        """Optimise the module and emit its object code, unless it came from the cache; the object
        goes into the cache (best effort: the cache is an optimisation only)."""
        if self.code is not None:
            return
        tuning = llvm.create_pipeline_tuning_options(speed_level=3)
        tuning.loop_vectorization = True
        tuning.slp_vectorization = True
        # Unrolling the long fused bodies (e.g. an expanded erf) makes LLVM take minutes;
        # the vectorizer's interleaving already gives the ILP.
        tuning.loop_unrolling = False
        builder = llvm.create_pass_builder(self.machine, tuning)
        _RUN_PASSES(builder.getModulePassManager(), self.module, builder)
        with llvm_ffi.OutputString() as error:
            code = _EMIT_TO_MEMORY(self.machine, self.module, 1, error)
            if not code:
                raise InvalidArgumentError(f"{self.device}: LLVM could not compile an llvm-ir executable: {error}")
        try:
            self.code = ctypes.string_at(llvm_ffi.lib.LLVMPY_GetBufferStart(code), llvm_ffi.lib.LLVMPY_GetBufferSize(code))
        finally:
            llvm_ffi.lib.LLVMPY_DisposeMemoryBuffer(code)
        with contextlib.suppress(OSError):
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_file.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(self.code)
            tmp.replace(self.cache_file)


class LlvmExecutable(Executable):
    """LLVM IR JIT-compiled (MCJIT loads the object code); object code cached on disk keyed by
    content hash. :meth:`CpuDevice.prepare_executables` compiles several, and the modules of one,
    on all cores at once."""

    def __init__(self, blob: bytes, entry_points: Sequence[str], device: str, *, compiled: Sequence[_LlvmObject] = ()) -> None:
        if not compiled:
            compiled = _llvm_objects(blob, device, 1)
            for o in compiled:
                o.compile()
        self._device = device
        self.cache_files = tuple(o.cache_file for o in compiled)
        self.cache_hit = all(o.cache_hit for o in compiled)
        self._engine = llvm.create_mcjit_compiler(compiled[0].module, compiled[0].machine)
        for o in compiled[1:]:
            self._engine.add_module(o.module)
        for o in compiled:
            o.release.detach()  # the engine owns the modules now; it goes before their contexts
        weakref.finalize(self, _close_in_order, self._engine, *(o.context for o in compiled)).atexit = False
        codes = {id(o.module): o.code for o in compiled}
        self._engine.set_object_cache(lambda _module, _code: None, lambda module: codes[id(module)])  # MCJIT loads them, compiles nothing
        self._engine.finalize_object()
        modules = [o.module for o in compiled]
        defined = {f.name for module in modules for f in module.functions if not f.is_declaration}
        # A requested entry that is no function is the kernel's own name: dispatching it runs the
        # kernel's whole schedule (JIT steps and library steps, from the launch config).
        schedules = [n for n in entry_points if n not in defined]
        if len(schedules) > 1:
            raise InvalidArgumentError(f"{device}: executable has no functions {', '.join(map(repr, schedules))}")
        self.kernel = schedules[0] if schedules else None
        names = [n for n in entry_points if n in defined] or sorted(defined)
        self._functions = {}
        for name in names:
            address = self._engine.get_function_address(name)
            if not address:
                raise InvalidArgumentError(f"{device}: executable has no function {name!r}")
            self._functions[name] = _KERNEL(address)

    @property
    def format(self) -> str:
        return LLVM_FORMAT

    @property
    def entry_points(self) -> tuple[str, ...]:
        return (*([self.kernel] if self.kernel else []), *self._functions)

    def function(self, name: str) -> Any:
        return self._functions[name]


class HostKernelExecutable(Executable):
    """A StableHLO function run by the reference interpreter on the host (no loop form)."""

    def __init__(self, blob: bytes, device: str) -> None:
        from byteir_sdk.compiler.frontend import loads

        try:
            self.program = loads(blob, source=f"<{device} host kernel>", entry="main")
        except Exception as exc:
            raise InvalidArgumentError(f"{device}: corrupt host-kernel executable: {exc}") from None

    @property
    def format(self) -> str:
        return HOST_FORMAT

    @property
    def entry_points(self) -> tuple[str, ...]:
        return ("main",)


class HostExecutor:
    """Runs CPU executables (LLVM JIT steps, BLAS library steps, host kernels) over host-visible
    buffers on a thread pool. The CPU queue uses it; so can any device with host-visible memory."""

    def __init__(self, pool: ThreadPoolExecutor, threads: int) -> None:
        self._pool = pool
        self._threads = threads
        #: launch configs parsed, by executable (dropped with it), then by the config's id
        self._launches: weakref.WeakKeyDictionary[Executable, dict[int, tuple[dict, _Launch]]] = weakref.WeakKeyDictionary()

    def run(self, executable: Executable, entry: str, bindings: Sequence[BufferView], config: dict[str, Any]) -> None:
        if isinstance(executable, HostKernelExecutable):
            self._run_host(executable, bindings)
            return
        if not isinstance(executable, LlvmExecutable):
            raise InvalidArgumentError(f"{type(executable).__name__} is not a CPU executable")
        launch = self._launch(executable, entry, config)
        addresses = [_address(v) if v.nbytes else 0 for v in bindings]
        table = (ctypes.c_void_p * max(len(bindings), 1))(*addresses)
        address = ctypes.addressof(table)
        if launch.native is not None and _fits_native(launch, bindings, addresses):
            with _OPENBLAS.using(self._threads) if launch.native.blas else contextlib.nullcontext():
                launch.native(address)
            return
        for step in launch.steps:
            if isinstance(step, _LibraryStep):
                after = None
                if step.epilogue:

                    def after(lo: int, hi: int, epilogue: tuple = step.epilogue) -> None:
                        for fn in epilogue:
                            fn(address, lo, hi)

                self._run_library(step.call, bindings, after, launch.blas_threads, step.operands)
            elif step.threads <= 1:
                step.fn(address, 0, step.extent)
            else:
                self._parallel(functools.partial(step.fn, address), step.extent, step.threads)

    def _launch(self, executable: LlvmExecutable, entry: str, config: dict[str, Any]) -> _Launch:
        """The steps of a dispatch's launch `config`, with their functions and threads, parsed once
        per executable and config (a recorded program's dispatches repeat theirs)."""
        known = self._launches.setdefault(executable, {})
        hit = known.get(id(config))
        if hit is not None and hit[0] is config:
            return hit[1]
        if len(known) >= _LAUNCHES_PER_EXECUTABLE:
            known.clear()
        launch = self._parse_launch(executable, entry, config)
        known[id(config)] = (config, launch)  # (the config kept: its id stays its own)
        return launch

    def _parse_launch(self, executable: LlvmExecutable, entry: str, config: dict[str, Any]) -> _Launch:
        # set for the whole program when it was recorded (CpuQueue.record); else this kernel decides
        blas_threads = config.get("blas_threads", None)
        if blas_threads is None:
            blas_threads = not self.runs_code_in_parallel(config)
        planned: list[_LibraryStep | _CodeStep] = []
        for step, extent, work, call in _schedule(config, entry):
            if call is not None:
                planned.append(_LibraryStep(call, tuple(executable.function(e) for e in call.get("epilogue", ())), _call_operands(call)))
            elif int(extent):  # (an empty outer dimension: the step has no iterations)
                planned.append(_CodeStep(executable.function(step), int(extent), self._step_threads(extent, work)))
        return _Launch(tuple(planned), bool(blas_threads), _native_launch(planned) if blas_threads else None)

    def prepare(self, executable: Executable, entry: str, config: dict[str, Any]) -> _Launch | None:
        """A dispatch's launch config parsed (and its native launch made) ahead of its first run;
        None for a dispatch that is not of generated code."""
        if isinstance(executable, LlvmExecutable) and entry in executable.entry_points:
            return self._launch(executable, entry, config)
        return None

    def _step_threads(self, extent: int, work: int | None) -> int:
        """Threads a generated step of `extent` rows and `work` points runs on: a small step runs on
        the calling thread (a hand-off costs more than it saves)."""
        threads = min(self._threads, int(extent))
        if work is not None:
            threads = min(threads, max(1, int(work) // _POINTS_PER_THREAD))
        return threads

    def runs_code_in_parallel(self, config: dict[str, Any]) -> bool:
        """Whether a dispatch with launch `config` runs our code (a generated step, a library call's
        epilogue or im2col) on several threads."""
        for _, extent, work, call in _schedule(config, None):
            if call is None:
                if int(extent) and self._step_threads(extent, work) > 1:
                    return True
            elif call.get("op") == "conv2d" or (call.get("epilogue") and _threaded_epilogue(math.prod(int(e) for e in call.get("c_shape", ())))):
                return self._threads > 1
        return False

    def _parallel(self, fn: Callable[[int, int], None], extent: int, threads: int, chunks: int = 0) -> None:
        """`fn(lo, hi)` over [0, extent) on `threads` threads, the calling one included, in `chunks`
        pieces (default 4 per thread) each takes as it comes free: a worker that starts late (its
        core busy, or waking) takes fewer pieces instead of holding up the step."""
        if threads <= 1:
            fn(0, extent)
            return
        chunks = chunks or min(extent, threads * _CHUNKS_PER_THREAD)
        bounds = [extent * c // chunks for c in range(chunks + 1)]
        taken = itertools.count()  # its next() is atomic under the GIL

        def work() -> None:
            while (c := next(taken)) < chunks:
                fn(bounds[c], bounds[c + 1])

        futures = [self._pool.submit(work) for _ in range(threads - 1)]
        try:
            work()
        finally:
            for f in futures:
                f.result()

    def _run_library(self, call: dict[str, Any], bindings: Sequence[BufferView], after: Callable[[int, int], None] | None = None,
                     blas_threads: bool = False, operands: dict[str, _Operand] | None = None) -> None:
        """A BLAS routine (NumPy matmul, GIL released) over kernel buffers, cut into one part per
        thread run on the pool with single-threaded BLAS, or, with `blas_threads`, run whole on
        BLAS's own threads (see `_in_parts`); `operands`: the call's, parsed (`_call_operands`).
        `after(lo, hi)` runs the call's epilogue on rows [lo, hi) of the output as each block of
        them is done (while it is in cache), on the thread that computed them."""
        operands = operands or _call_operands(call)

        def operand(key: str) -> np.ndarray:
            return operands[key].array(bindings, call["op"])

        accumulate = call.get("accumulate", True)
        if call["op"] == "conv2d":
            a, b, c = operand("a"), operand("b"), operand("c")
            conv = functools.partial(_conv2d, stride=call["stride"], dilation=call["dilation"], pad=call["pad"], accumulate=accumulate)
            split = math.prod(c.shape) * b.shape[0] * b.shape[1] * b.shape[2] >= _BLAS_MIN_MACS
            # (always in parts: each part builds its own im2col, which BLAS's threads would not share)
            if split and len(c) < self._threads:
                # Fewer images than threads (batch-1 inference): each part computes a band of
                # output rows of every image, and the epilogue runs once all are done. A/B, one
                # image, 2 cores, against one part: 3x3 convs 28x28x128 0.64, 14x14x256 0.68,
                # 7x7x512 0.64; a 1x1 32x32x1024->256 0.54.
                # (the image is padded once here, not by every part)
                image = _padded(a, c.shape[1:3], b.shape[:2], call["stride"], call["dilation"], call["pad"])
                self._in_parts(lambda lo, hi: conv(image, b, c, pad=(0, 0), rows=(lo, hi)), c.shape[1])
                if after is not None:
                    after(0, len(c))
                return

            def images(lo: int, hi: int) -> None:
                shifted = None if after is None else (lambda i, j: after(lo + i, lo + j))
                conv(a[lo:hi], b, c[lo:hi], after=shifted)

            self._in_parts(images, len(c), split=split)
            return
        # "matmul" and "batch_matmul": what .byre files written before "contraction" call these
        if call["op"] not in ("contraction", "matmul", "batch_matmul"):
            raise KernelFaultError(f"unknown library routine {call['op']!r}")
        if "a_strides" in call:
            a, b, c = (operand(key) for key in "abc")
            rows = tuple(call["rows"]) if call.get("rows") else None
        else:  # written before strided views: [batch, m, k] x [batch, k, n] (or [batch, n, k], transposed)
            a, b, c = operand("a"), operand("b"), operand("c")
            b = b.swapaxes(-1, -2) if call.get("b_transposed", False) else b
            rows = ("batch", 0) if len(a) > 1 else ("m", 1)
            if len(a) == 1:
                a, b, c = a[0], b[0], c[0]
        self._contraction(a, b, c, rows, accumulate, after, blas_threads)

    def _contraction(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, rows: tuple | None, accumulate: bool,
                     after: Callable[[int, int], None] | None, blas_threads: bool = False) -> None:
        """``c (+)= a @ b`` over views (batch axes, then the matrix) in parts. `rows` is the axis the
        output's first dim (the epilogue's rows) runs along: ``("batch", i)`` or ``("m", units)``
        (`units` matrix rows a row); parts and epilogue blocks are cut along it (`_row_cut`).
        Without a cut, parts are columns and the epilogue runs after, in parts of rows."""
        m, n = c.shape[-2], c.shape[-1]
        split = c.size * a.shape[-1] >= _BLAS_MIN_MACS
        # an epilogue worth threads of its own keeps the call in parts (see runs_code_in_parallel)
        whole = blas_threads and not (after is not None and _threaded_epilogue(c.size))
        cut = _row_cut(c.shape, c.itemsize, rows, after is not None)
        # fewer rows than threads (a batch of one): its parts are cut by columns too
        if cut is None or (split and not whole and cut.units < self._threads):

            def columns(lo: int, hi: int) -> None:
                _matmul(a, b[..., lo:hi], c[..., lo:hi], accumulate)

            self._in_parts(columns, n, _BLAS_MIN_ROWS, split, whole)
            if after is not None and rows is not None:
                units = m // rows[1] if cut is None else cut.units
                grain = 1 if rows[0] == "batch" else max(1, _BLAS_MIN_ROWS // rows[1])
                self._in_parts(after, units, grain, split=_threaded_epilogue(c.size))
            return
        grain = 1 if cut.batches else max(1, -(-_BLAS_MIN_ROWS // cut.scale))
        operands = ((a, cut.axis), (b, cut.axis if cut.batches else None), (c, cut.axis))

        def part(lo: int, hi: int) -> None:
            for first in range(lo, hi, cut.block):
                end = min(first + cut.block, hi)
                _matmul(*(_along(x, ax, first * cut.scale, end * cut.scale) for x, ax in operands), accumulate)
                if after is not None:
                    after(first, end)

        self._in_parts(part, cut.units, grain, split, whole)

    def _in_parts(self, part: Callable[[int, int], None], extent: int, grain: int = 1, split: bool = True, whole: bool = False) -> None:
        """`part(lo, hi)` over [0, extent): library work (BLAS calls, and the epilogue of each block
        of rows after its own). With `whole`, it runs whole on BLAS's own threads (the device's
        count); else it is cut (if `split`: big enough for a hand-off to pay) into one part of at
        least `grain` per thread, the calling thread's included, with BLAS single-threaded
        meanwhile. When BLAS's threads cannot be set, it runs whole, as BLAS threads it.

        Which: OpenBLAS's threads share packed panels and, spinning between calls, start the next
        call with no hand-off (A/B in one process, noisy machine: MLP 3.62 -> 3.06 ms a run,
        matmul 1024^3 unchanged within noise); but they spin for about 0.1 s after each call,
        taking a core from any parallel step of ours that follows (MNIST: 4.0 ms a run with parts,
        7.3 ms with OpenBLAS's threads). So calls run whole only in a program that runs none of
        its own code on several threads (`runs_code_in_parallel`, decided per recorded program)."""
        if not _OPENBLAS.available:
            part(0, extent)
            return
        if whole:
            with _OPENBLAS.using(self._threads):
                part(0, extent)
            return
        parts = max(1, min(self._threads, extent // max(grain, 1))) if split else 1
        with _OPENBLAS.using(1):
            self._parallel(part, extent, parts, chunks=parts)

    @staticmethod
    def _run_host(executable: HostKernelExecutable, bindings: Sequence[BufferView]) -> None:
        from byteir_sdk.reference.engines import run_interpreter

        program = executable.program
        n_in = len(program.inputs)
        inputs = [host_array(v).copy() for v in bindings[:n_in]]
        try:
            outputs = run_interpreter(program, inputs)
        except Exception as exc:
            raise KernelFaultError(f"host kernel failed: {exc}") from None
        for view, value in zip(bindings[n_in:], outputs):
            np.copyto(host_array(view), value.reshape(view.shape))




#: bytes of a matmul's output computed before its epilogue runs on them (they stay in L2)
_EPILOGUE_BLOCK_BYTES = 1 << 20
#: bytes of im2col matrix built at a time: small enough to stay in cache for the GEMM that reads it
_IM2COL_CHUNK_BYTES = 4 << 20
#: channels up to which im2col is built tap-major (measured: 2.9x faster for 1, 1.3x for 2, even at 3)
_TAP_MAJOR_CHANNELS = 2


def _schedule(config: dict[str, Any], entry: str | None) -> Iterator[tuple[str, Any, Any, dict[str, Any] | None]]:
    """A launch config's steps in order: (name, extent, points, its library call or None); a
    config without a schedule is the one step `entry` (none when `entry` is None)."""
    steps = config.get("schedule", config.get("steps", [] if entry is None else [entry]))
    extents = config.get("extents", [1] * len(steps))
    points = config.get("points", [None] * len(steps))  # absent in .byre files before it was added
    library = iter(config.get("library_calls", []))
    for step, extent, work in zip(steps, extents, points):
        yield step, extent, work, next(library) if step.startswith("library:") else None


def _native_launch(steps: Sequence[_LibraryStep | _CodeStep]) -> NativeLaunch | None:
    """The native launch of a dispatch whose library calls BLAS threads: when every generated step
    runs on the calling thread, and every library call is CBLAS gemms over the views (at most
    _NATIVE_OPS calls in all); else None (the steps run from Python)."""
    ops: list[Call | Gemm] = []
    for step in steps:
        if isinstance(step, _CodeStep):
            if step.threads > 1:
                return None
            ops.append(Call(_function_address(step.fn), 0, step.extent))
            continue
        gemms = _native_contraction(step)
        if gemms is None:
            return None
        ops += gemms
    return NativeLaunch(ops) if len(ops) <= _NATIVE_OPS else None


def _native_contraction(step: _LibraryStep) -> list[Call | Gemm] | None:
    """A contraction run whole (as `HostExecutor._contraction` runs it with `blas_threads`) as
    CBLAS calls, one per matrix product of each block of rows, each block followed by its
    epilogue; None where BLAS cannot read a view, or the call is not a strided contraction of one
    routine's dtype, or its epilogue is worth threads of its own."""
    call, operands = step.call, step.operands
    a, b, c = (operands[key] for key in "abc")
    routine = _OPENBLAS.gemm(c.dtype == np.float64)
    nb = len(c.shape) - 2
    if call.get("op") != "contraction" or "a_strides" not in call or routine is None or nb < 0 or not len(a.shape) == len(b.shape) == len(c.shape):
        return None
    if 0 in a.shape or 0 in b.shape or 0 in c.shape or (step.epilogue and _threaded_epilogue(math.prod(c.shape))):
        return None
    if any(e not in (1, t) for x in (a, b) for e, t in zip(x.shape[:nb], c.shape[:nb])):
        return None  # (a batch dim neither C's nor broadcast)
    epilogue = [_function_address(fn) for fn in step.epilogue]
    rows = tuple(call["rows"]) if call.get("rows") else None
    accumulate = call.get("accumulate", True)
    views = [(x.offset, x.shape, x.strides) for x in (a, b, c)]
    ops: list[Call | Gemm] = []

    def products(block: list[tuple[int, tuple[int, ...], tuple[int, ...]]]) -> bool:
        for index in np.ndindex(*block[2][1][:nb]):
            matrices = [x.matrix(offset + sum(i * st for i, e, st in zip(index, shape, strides) if e > 1), shape, strides)
                        for x, (offset, shape, strides) in zip((a, b, c), block)]  # fmt: skip
            op = gemm(routine, *matrices, accumulate)  # type: ignore[arg-type]
            if op is None:
                return False
            ops.append(op)
        return True

    cut = _row_cut(c.shape, c.dtype.itemsize, rows, bool(epilogue))
    if cut is None:
        if not products(views):
            return None
        if rows is not None:
            ops += [Call(fn, 0, c.shape[-2] // rows[1]) for fn in epilogue]
        return ops
    axis, scale = cut.axis, cut.scale
    for first in range(0, cut.units, cut.block):
        end = min(first + cut.block, cut.units)
        block = [(offset + first * scale * strides[axis], (*shape[:axis], (end - first) * scale, *shape[axis + 1 :]), strides) if sliced else (offset, shape, strides)
                 for sliced, (offset, shape, strides) in zip((True, cut.batches, True), views)]  # fmt: skip
        if not products(block):
            return None
        ops += [Call(fn, first, end) for fn in epilogue]
    return ops


def _fits_native(launch: _Launch, bindings: Sequence[BufferView], addresses: Sequence[int]) -> bool:
    """Whether a run may take the native launch: every library operand lies inside its buffer
    (KernelFaultError otherwise, as from Python), and no output overlaps an operand it reads (NumPy
    would copy that one first; BLAS would read what it has written)."""
    for step in launch.steps:
        if isinstance(step, _LibraryStep):
            step.check(bindings)
            a, b, c = (step.operands[key] for key in "abc")
            if any(_overlap(addresses[c.slot] + c.offset, c.span, addresses[x.slot] + x.offset, x.span) for x in (a, b)):
                return False
    return True


def _overlap(first: int, size: int, other: int, other_size: int) -> bool:
    """Whether [first, first + size) and [other, other + other_size) share a byte."""
    return other < first + size and first < other + other_size


def _function_address(fn: Any) -> int:
    return int(ctypes.cast(fn, ctypes.c_void_p).value or 0)


def _threaded_epilogue(outputs: int) -> bool:
    """Whether a library call's epilogue over `outputs` elements is worth threads of its own."""
    return outputs >= 2 * _POINTS_PER_THREAD


@dataclasses.dataclass(frozen=True)
class _Operand:
    """A library call's operand: a strided view of its binding (byte offset, strides in bytes,
    `span`: bytes from its first element to past its last), parsed once from the call."""

    key: str
    slot: int
    offset: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    span: int
    dtype: np.dtype

    def array(self, bindings: Sequence[BufferView], op: str) -> np.ndarray:
        raw = buffer_bytes(bindings[self.slot])
        # (a view made by the constructor: as_strided costs 10x as much, 0.2 ms a run of the MLP)
        return np.ndarray(self.shape, self.dtype, buffer=raw, offset=self.check(bindings, op), strides=self.strides)

    def check(self, bindings: Sequence[BufferView], op: str) -> int:
        """Its first byte in its binding's buffer; KernelFaultError unless it lies inside."""
        view = bindings[self.slot]
        start = view.offset + self.offset
        if start < 0 or start + self.span > len(buffer_bytes(view)):
            raise KernelFaultError(f"library {op}: operand {self.key} {list(self.shape)} (strides {[st // self.dtype.itemsize for st in self.strides]}) "
                                   "lies outside its buffer")  # fmt: skip
        return start

    def matrix(self, offset: int, shape: tuple[int, ...], strides: tuple[int, ...]) -> Matrix:
        """The matrix of the view `offset` bytes into this operand's binding, of `shape` and byte
        `strides` (the last two dims)."""
        size = self.dtype.itemsize
        return Matrix(self.slot, offset, shape[-2], shape[-1], strides[-2] // size, strides[-1] // size)


def _call_operands(call: dict[str, Any]) -> dict[str, _Operand]:
    """The a, b and c operands of library `call` (row-major unless it gives their strides)."""
    dtype = np.dtype(np.float32 if call["dtype"] == "f32" else np.float64)
    out = {}
    for key in "abc":
        slot, offset = call[key]
        shape = tuple(int(e) for e in call[f"{key}_shape"])
        given = call.get(f"{key}_strides")
        strides = [int(st) for st in given] if given is not None else [math.prod(shape[j + 1 :]) for j in range(len(shape))]
        if min(strides, default=0) < 0:
            raise KernelFaultError(f"library {call['op']}: operand {key} {list(shape)} (strides {strides}) lies outside its buffer")
        span = (1 + sum((e - 1) * st for e, st in zip(shape, strides))) * dtype.itemsize if all(shape) else 0
        out[key] = _Operand(key, int(slot), int(offset), shape, tuple(st * dtype.itemsize for st in strides), span, dtype)
    return out


@dataclasses.dataclass(frozen=True)
class _LibraryStep:
    """A library call of a launch, with its epilogue's functions."""

    call: dict[str, Any]
    epilogue: tuple[Any, ...]
    operands: dict[str, _Operand]

    def check(self, bindings: Sequence[BufferView]) -> None:
        """KernelFaultError unless every operand lies inside its binding's buffer."""
        for x in self.operands.values():
            x.check(bindings, self.call["op"])


@dataclasses.dataclass(frozen=True)
class _CodeStep:
    """A generated step of a launch: its function over rows [0, extent) on `threads` threads."""

    fn: Any
    extent: int
    threads: int


@dataclasses.dataclass(frozen=True)
class _Launch:
    """A dispatch's launch config, parsed once: its steps, whether BLAS threads its calls, and the
    native launch that replays them where every one runs on the calling thread."""

    steps: tuple[_LibraryStep | _CodeStep, ...]
    blas_threads: bool
    native: NativeLaunch | None = None


#: parsed launch configs an executor keeps per executable
_LAUNCHES_PER_EXECUTABLE = 64
#: calls a native launch makes at most (more: its steps run from Python, as NumPy loops over batches)
_NATIVE_OPS = 256


#: rows (or columns) of a matmul's output below which no part is cut for a thread
_BLAS_MIN_ROWS = 16
#: multiply-adds below which a library call runs whole (a hand-off costs more than it saves)
_BLAS_MIN_MACS = 1 << 20


class _OpenBlas:
    """The OpenBLAS that NumPy loaded (found among the process's mapped libraries; other BLAS
    builds: not available): its thread count, set while library calls run (to 1 when they run in
    parts on the device's threads, to the device's thread count when BLAS threads them), and its
    CBLAS gemm routines for native launches. One setting for the process: nested and concurrent
    users are counted, and the last one out restores the count the first one found."""

    #: (prefix, suffix) of the symbols of the builds NumPy ships and of plain OpenBLAS; a "64_"
    #: suffix marks an ILP64 build (64-bit integer arguments)
    _BUILDS = (("scipy_", "64_"), ("", "64_"), ("scipy_", ""), ("", ""))

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved = 0
        self._changed = False
        self._set: Callable[[int], None] | None = None
        self._get: Callable[[], int] | None = None
        self._gemm: dict[bool, GemmRoutine] = {}
        self._found = False

    def _find(self) -> None:
        try:
            with open("/proc/self/maps") as maps:
                paths = {line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1].lower()}
        except OSError:
            return
        for path in sorted(paths):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for prefix, suffix in self._BUILDS:
                set_name, get_name = f"{prefix}openblas_set_num_threads{suffix}", f"{prefix}openblas_get_num_threads{suffix}"
                if hasattr(lib, set_name) and hasattr(lib, get_name):
                    setter, getter = getattr(lib, set_name), getattr(lib, get_name)
                    setter.argtypes, setter.restype, getter.restype = [ctypes.c_int], None, ctypes.c_int
                    self._set, self._get = setter, getter
                    for double, letter in ((False, "s"), (True, "d")):
                        name = f"{prefix}cblas_{letter}gemm{suffix}"
                        if hasattr(lib, name):
                            self._gemm[double] = GemmRoutine(_function_address(getattr(lib, name)), 64 if suffix else 32, double)
                    return

    @property
    def available(self) -> bool:
        if not self._found:  # (set once the search is over; until then, callers wait on the lock)
            with self._lock:
                if not self._found:
                    self._find()
                    self._found = True
        return self._set is not None

    def gemm(self, double: bool) -> GemmRoutine | None:
        """The CBLAS ``dgemm`` (`double`) or ``sgemm``, if this OpenBLAS exports it."""
        return self._gemm.get(double) if self.available else None

    def using(self, threads: int) -> _BlasThreads:
        """BLAS on `threads` threads meanwhile (a context manager). The first user sets the count;
        concurrent users run with it (results do not depend on it). Nothing to set where not
        available."""
        return _BlasThreads(self, threads)

    def _enter(self, threads: int) -> bool:
        """Count a user in (setting the count for the first); False where there is nothing to set."""
        if not self.available:
            return False
        with self._lock:
            if self._users == 0:
                self._saved = self._get()  # type: ignore[misc]
                self._changed = threads != self._saved
                if self._changed:
                    self._set(threads)  # type: ignore[misc]
            self._users += 1
        return True

    def _exit(self) -> None:
        """Count a user `_enter` counted out (restoring the count after the last)."""
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._changed:
                self._set(self._saved)  # type: ignore[misc]


class _BlasThreads:
    """`_OpenBlas.using`'s context manager (a plain class: a generator's costs a microsecond more
    per run, on runs of a few microseconds)."""

    __slots__ = ("_blas", "_threads", "_counted")

    def __init__(self, blas: _OpenBlas, threads: int) -> None:
        self._blas, self._threads, self._counted = blas, threads, False

    def __enter__(self) -> None:
        self._counted = self._blas._enter(self._threads)

    def __exit__(self, *exc: object) -> None:
        if self._counted:
            self._blas._exit()


_OPENBLAS = _OpenBlas()


@dataclasses.dataclass(frozen=True)
class _RowCut:
    """How a contraction is cut along its output's first dim: `units` rows, each `scale` entries
    of the views' `axis` (batches, or matrix rows of A and C; `batches`: B is cut too), computed
    `block` rows at a time before their epilogue runs on them."""

    axis: int
    scale: int
    batches: bool
    units: int
    block: int


def _row_cut(c_shape: Sequence[int], itemsize: int, rows: Sequence[Any] | None, epilogue: bool) -> _RowCut | None:
    """The cut along `rows` (``("batch", axis)`` or ``("m", matrix rows a row)``) of a contraction
    with output `c_shape`, as both the Python path and native launches run it; None for one
    product over all rows, cut by columns (no `rows`, or a lone matrix with fewer rows than
    columns: each thread then packs only its columns of B, where parts of rows would each pack
    all of B)."""
    nb = len(c_shape) - 2
    if rows is None or (nb == 0 and c_shape[-1] > c_shape[-2]):
        return None
    batches = rows[0] == "batch"
    axis, scale = (int(rows[1]), 1) if batches else (nb, int(rows[1]))
    units = c_shape[axis] // scale
    return _RowCut(axis, scale, batches, units, _block_rows(units, math.prod(c_shape) * itemsize // max(units, 1), epilogue))


def _block_rows(rows: int, row_bytes: int, epilogue: bool) -> int:
    """Rows of a library call's output per block: all of them without an epilogue, else about
    _EPILOGUE_BLOCK_BYTES, so the epilogue finds them in cache."""
    return max(1, _EPILOGUE_BLOCK_BYTES // max(row_bytes, 1)) if epilogue else rows


def _along(x: np.ndarray, axis: int | None, lo: int, hi: int) -> np.ndarray:
    """`x` sliced to [lo, hi) along `axis` (all of it when `axis` is None)."""
    return x if axis is None else x[(slice(None),) * axis + (slice(lo, hi),)]


def _matmul(a: np.ndarray, b: np.ndarray, c: np.ndarray, accumulate: bool) -> None:
    if accumulate:
        c += np.matmul(a, b)
    else:
        np.matmul(a, b, out=c)


def _padded(image: np.ndarray, out_hw: Sequence[int], filt_hw: Sequence[int], stride: Sequence[int], dilation: Sequence[int],
            pad: Sequence[int]) -> np.ndarray:  # fmt: skip
    """NHWC `image` with `pad` zero rows above / columns left, and as many below / right as the
    taps of an `out_hw` output need (the image itself when none)."""
    span = [(o - 1) * s + (k - 1) * d + 1 for o, s, k, d in zip(out_hw, stride, filt_hw, dilation)]
    widths = [(p, max(sp - p - size, 0)) for p, sp, size in zip(pad, span, image.shape[1:3])]
    return np.pad(image, [(0, 0), *widths, (0, 0)]) if any(w for pair in widths for w in pair) else image


def _conv2d(image: np.ndarray, filt: np.ndarray, out: np.ndarray, stride: Sequence[int], dilation: Sequence[int], pad: Sequence[int],
            accumulate: bool, after: Callable[[int, int], None] | None = None, rows: tuple[int, int] | None = None) -> None:  # fmt: skip
    """``out (+)= conv(image, filt)``, NHWC x HWIO with zero padding `pad` above / left (and as much
    below / right as the output needs), as GEMMs over the im2col matrix, built a chunk of whole
    images or output rows at a time (a 1x1, stride-1, unpadded one is a GEMM on the image itself);
    `after(lo, hi)` runs once images [lo, hi) of `out` are done. With `rows`, only output rows
    [rows[0], rows[1]) of each image are computed, and `after` is not called."""
    n, oh, ow, f = out.shape
    kh, kw, c, _ = filt.shape
    weights = filt.reshape(kh * kw * c, f)
    done = after or (lambda lo, hi: None)

    def gemm(cols: np.ndarray, target: np.ndarray) -> None:
        _matmul(cols, weights, target.reshape(-1, f), accumulate)

    if (kh, kw) == (1, 1) and tuple(stride) == (1, 1) and tuple(pad) == (0, 0) and image.shape[1:3] == (oh, ow):
        if rows is not None:  # (one image's rows are contiguous: the GEMM writes through its view)
            for i in range(n):
                gemm(image[i, rows[0] : rows[1]].reshape(-1, c), out[i, rows[0] : rows[1]])
            return
        step = _block_rows(n, math.prod(out.shape[1:]) * out.itemsize, after is not None)
        for i in range(0, n, step):
            gemm(image[i : i + step].reshape(-1, c), out[i : i + step])
            done(i, min(i + step, n))
        return
    padded = _padded(image, (oh, ow), (kh, kw), stride, dilation, pad)
    st = padded.strides
    # taps[b, y, x, i, j, :] = padded[b, y * sy + i * dy, x * sx + j * dx, :] (a view; copying it is im2col)
    taps = np.lib.stride_tricks.as_strided(
        padded, (n, oh, ow, kh, kw, c), (st[0], st[1] * stride[0], st[2] * stride[1], st[1] * dilation[0], st[2] * dilation[1], st[3]), writeable=False
    )
    row_bytes = ow * kh * kw * c * image.itemsize
    if rows is None and c <= _TAP_MAJOR_CHANNELS and oh * row_bytes <= _IM2COL_CHUNK_BYTES:
        # Few channels: a row-major im2col copies c elements at a time. Tap-major columns (one
        # row per tap and channel) copy whole image rows, and BLAS reads them transposed.
        step = max(1, _IM2COL_CHUNK_BYTES // (oh * row_bytes))
        cols_t = np.empty((kh * kw * c, min(step, n), oh, ow), image.dtype)
        for i in range(0, n, step):
            src = taps[i : i + step]
            chunk = cols_t[:, : len(src)]
            for a in range(kh):
                for b in range(kw):
                    tap = (a * kw + b) * c
                    np.copyto(chunk[tap : tap + c], src[:, :, :, a, b, :].transpose(3, 0, 1, 2))
            gemm(chunk.reshape(kh * kw * c, -1).T, out[i : i + step])
            done(i, i + len(src))
        return
    if rows is None and oh * row_bytes <= _IM2COL_CHUNK_BYTES:  # chunks of whole images
        step = max(1, _IM2COL_CHUNK_BYTES // (oh * row_bytes))
        cols = np.empty((min(step, n), oh, ow, kh, kw, c), image.dtype)
        blocks = ((taps[i : i + step], out[i : i + step], (i, min(i + step, n))) for i in range(0, n, step))
    else:  # chunks of output rows of one image; image i is done with its last chunk
        first, last = rows or (0, oh)
        step = max(1, min(_IM2COL_CHUNK_BYTES // row_bytes, last - first))
        cols = np.empty((step, ow, kh, kw, c), image.dtype)
        blocks = ((taps[i, y : min(y + step, last)], out[i, y : min(y + step, last)], (i, i + 1) if rows is None and y + step >= last else None)
                  for i in range(n) for y in range(first, last, step))  # fmt: skip
    for src, dst, finished in blocks:
        chunk = cols[: len(src)]
        np.copyto(chunk, src)
        gemm(chunk.reshape(-1, kh * kw * c), dst)
        if finished:
            done(*finished)


def _address(view: BufferView) -> int:
    """The address of a view of host-visible memory (a HostBuffer's, borrowed or its own, directly)."""
    buffer = view.buffer
    if isinstance(buffer, HostBuffer):
        return buffer.address + view.offset
    return int(buffer_bytes(view).ctypes.data) + view.offset


class _NativeProgram(CommandBuffer):
    """A recorded program of copies and of dispatches that all have native launches, over host
    buffers: a run fills each launch's address table from the buffers' addresses and calls the
    launches in turn, with no Python per step or library call. Operand bounds, and overlaps of a
    call's output with its operands in the same buffer, were checked when it was recorded;
    overlaps across buffers (which may be bound to callers' arrays) are checked each run."""

    def __init__(self, commands: Sequence[Command], buffers: Sequence[HostBuffer], launches: Sequence[tuple[NativeLaunch, Any, tuple]],
                 overlaps: Sequence[tuple[int, int, int, int, int, int]]) -> None:  # fmt: skip
        super().__init__(commands)
        self._buffers = tuple(buffers)
        #: (native launch, its address table, (slot, buffer index, byte offset) of each non-empty binding)
        self._launches = tuple(launches)
        self._blas = any(native.blas for native, _, _ in self._launches)
        #: (output's buffer index, byte offset, size, operand's buffer index, byte offset, size)
        self._overlaps = tuple(overlaps)
        self._lock = threading.Lock()  # (the address tables are the program's: one run at a time)

    def run(self, threads: int) -> bool:
        """Run it with BLAS on `threads`; False (nothing run) when an output overlaps an operand."""
        bases = [buffer.address for buffer in self._buffers]  # (a released buffer raises)
        if any(_overlap(bases[c] + c_at, c_size, bases[x] + x_at, x_size) for c, c_at, c_size, x, x_at, x_size in self._overlaps):
            return False
        with self._lock, _OPENBLAS.using(threads) if self._blas else contextlib.nullcontext():
            for native, table, fills in self._launches:
                for slot, buffer, offset in fills:
                    table[slot] = bases[buffer] + offset
                native(ctypes.addressof(table))
        return True


def _native_program(commands: Sequence[Command], executor: HostExecutor) -> _NativeProgram | None:
    """`commands` as a native program, when each is a copy between views of equal size or a
    dispatch with a native launch, over host buffers, whose library operands lie inside their
    buffers and whose outputs do not overlap an operand in the same buffer; else None."""
    buffers: dict[int, int] = {}
    held: list[HostBuffer] = []
    launches, overlaps = [], []
    for command in commands:
        if command.kind == "copy":
            bindings = command.args
            if len(bindings) != 2 or bindings[0].nbytes != bindings[1].nbytes:
                return None  # (the copy raises it when it runs)
            native, steps = NativeLaunch([Copy((0, 0), (1, 0), bindings[0].nbytes)]), ()
        elif command.kind == "dispatch":
            executable, entry, bindings, config = command.args
            launch = executor.prepare(executable, entry, config)
            if launch is None:
                return None
            native, steps = launch.native, launch.steps
        else:
            return None
        if native is None or not all(isinstance(v.buffer, HostBuffer) for v in bindings):
            return None
        for view in bindings:
            if id(view.buffer) not in buffers:
                buffers[id(view.buffer)] = len(held)
                held.append(view.buffer)
        place = [(buffers[id(v.buffer)], v.offset) for v in bindings]
        for step in steps:
            if isinstance(step, _LibraryStep):
                try:
                    step.check(bindings)
                except KernelFaultError:
                    return None  # (the dispatch raises it when it runs)
                a, b, c = (step.operands[key] for key in "abc")
                c_buffer, c_at = place[c.slot][0], place[c.slot][1] + c.offset
                for x in (a, b):
                    x_buffer, x_at = place[x.slot][0], place[x.slot][1] + x.offset
                    if x_buffer != c_buffer:
                        overlaps.append((c_buffer, c_at, c.span, x_buffer, x_at, x.span))
                    elif _overlap(c_at, c.span, x_at, x.span):
                        return None
        table = (ctypes.c_void_p * max(len(bindings), 1))()
        launches.append((native, table, tuple((slot, *place[slot]) for slot, v in enumerate(bindings) if v.nbytes)))
    return _NativeProgram(commands, held, launches, overlaps) if launches else None


class CpuQueue(HostQueue):
    def __init__(self, device: CpuDevice) -> None:
        super().__init__(device.info.name)
        self._threads = device.threads
        self._executor = HostExecutor(device.pool, device.threads)

    def record(self, commands: Sequence[Command]) -> CommandBuffer:
        """The commands, each dispatch's launch config told whether its library calls run on BLAS's
        own threads: yes when no dispatch of the program runs our code on several threads (see
        `HostExecutor._in_parts`). A dispatch not recorded decides by its own kernel. A program
        whose dispatches all have native launches is kept as a native program (`_NativeProgram`)."""
        dispatches = [c.args[3] for c in commands if c.kind == "dispatch"]
        blas_threads = not any(self._executor.runs_code_in_parallel(config) for config in dispatches)
        recorded = [Command("dispatch", (*c.args[:3], {**c.args[3], "blas_threads": blas_threads})) if c.kind == "dispatch" else c for c in commands]
        # launches parsed (native ones packed) at load, not in the first run
        try:
            program = _native_program(recorded, self._executor)
        except Exception:  # noqa: BLE001 - a bad launch config fails its dispatch when it runs, as a KernelFaultError
            program = None
        return program or CommandBuffer(recorded)

    def execute(self, buffer: CommandBuffer, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:
        """A native program runs at once on an idle queue (no fences, no profiling); otherwise, and
        where a run's buffers overlap, each command is submitted."""
        if isinstance(buffer, _NativeProgram) and not wait and not signal and not self._profiling and not self._closed and self._idle():
            if buffer.run(self._threads):
                return
        super().execute(buffer, wait=wait, signal=signal)

    def run_dispatch(self, executable: Executable, entry: str, bindings: Sequence[BufferView], config: dict[str, Any]) -> None:
        self._executor.run(executable, entry, bindings, config)


class CpuDevice(HostBackedDevice):
    """The host CPU as a device."""

    def __init__(self, index: int = 0) -> None:
        self._start_host("cpu")
        total = host_memory_bytes()
        self._info = DeviceInfo(
            name=f"cpu:{index}",
            driver="cpu",
            memory_bytes=int(total),
            max_allocation_bytes=int(total) // 2,
            alignment=64,
            capabilities=frozenset({f"executable:{LLVM_FORMAT}", f"executable:{HOST_FORMAT}", f"threads:{self.threads}"}),
            properties={"cpu": llvm.get_host_cpu_name(), "threads": self.threads},
        )
        self._memory = HostMemory(self._info.memory_bytes, self._info.max_allocation_bytes, self._info.alignment)
        self._queue = CpuQueue(self)

    def prepare_executable(self, format: str, blob: bytes, entry_points: Sequence[str] = ()) -> Executable:  # noqa: A002
        return self.prepare_executables([ExecutableBlob(format, blob, tuple(entry_points))])[0]

    def prepare_executables(self, blobs: Sequence[ExecutableBlob]) -> list[Executable]:
        """Every blob is checked and parsed first (a bad one raises before anything compiles); the
        llvm-ir ones not in the object cache then compile on up to one thread per core at once, the
        largest first (LLVM takes some 50 ms for a kernel of a few hundred lines)."""
        self._check_open()
        for b in blobs:
            if b.format not in (LLVM_FORMAT, HOST_FORMAT):
                raise UnimplementedError(f"{self._info.name}: executable format {b.format!r} is not supported", hint=f"Supported: {LLVM_FORMAT}, {HOST_FORMAT}.")
        parsed = [_llvm_objects(b.blob, self._info.name, self.threads) if b.format == LLVM_FORMAT else HostKernelExecutable(b.blob, self._info.name)
                  for b in blobs]  # fmt: skip
        pending = sorted((o for p in parsed if isinstance(p, list) for o in p if o.code is None), key=lambda o: o.size, reverse=True)
        if len(pending) > 1 and self.threads > 1:
            with ThreadPoolExecutor(min(self.threads, len(pending)), thread_name_prefix="byteir-llvm") as pool:
                list(pool.map(_LlvmObject.compile, pending))
        else:
            for o in pending:
                o.compile()
        return [LlvmExecutable(b.blob, b.entry_points, self._info.name, compiled=p) if isinstance(p, list) else p for b, p in zip(blobs, parsed)]


class CpuDriver(Driver):
    """One device: the host CPU."""

    name = "cpu"

    def devices(self) -> list[DeviceInfo]:
        return [self._probe()]

    @staticmethod
    def _probe() -> DeviceInfo:
        device = CpuDevice(0)
        try:
            return device.info
        finally:
            device.close()

    def create_device(self, index: int = 0) -> CpuDevice:
        if index != 0:
            raise DeviceLostError(f"cpu: no device {index} (there is one CPU device, index 0)")
        return CpuDevice(index)
