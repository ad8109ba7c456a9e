"""The CUDA HAL driver on ``cuda.bindings.driver``: the device's primary context, device memory
(``cuMemAlloc``) and pinned host memory (``cuMemHostAlloc``, for host-fallback kernels), one
in-order queue on a CUDA stream, PTX modules (``cuModuleLoadData``) launched with ``cuLaunchKernel``,
and command buffers captured once as a CUDA graph and replayed per run.

Ordering: the queue's worker thread submits each operation to the stream asynchronously once its
waits are reached; an operation that signals records a CUDA event after it and signals the
timeline semaphores when the event completes, so host threads and other queues see exactly the
completed work. CUDA errors map onto the HAL's error types (:func:`error_for`).

Without the NVIDIA driver library, or without a GPU, :meth:`CudaDriver.devices` is empty and
:meth:`CudaDriver.create_device` raises DeviceLostError saying why (:func:`unavailable_reason`).
"""

from __future__ import annotations

import ctypes
import functools
import threading
import weakref
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from byteir_sdk.errors import (
    DeadlineExceededError,
    DeviceLostError,
    HalError,
    InvalidArgumentError,
    KernelFaultError,
    OutOfMemoryError,
    UnimplementedError,
)
from byteir_sdk.hal import Buffer, BufferUsage, BufferView, Command, CommandBuffer, DeviceInfo, Driver, Executable, Fence, MemoryType
from byteir_sdk.hal.host import HostBackedDevice, HostQueue
from byteir_targets.cpu.backend import HOST_FORMAT, LLVM_FORMAT
from byteir_targets.cpu.driver import HostExecutor, HostKernelExecutable, LlvmExecutable
from byteir_targets.cuda.backend import PTX_FORMAT

__all__ = ["CudaDriver", "CudaDevice", "CudaExecutable", "error_for", "unavailable_reason"]

#: CUDA error names -> the HAL error raised for them (others: HalError)
_ERRORS: dict[str, type[HalError]] = {
    "CUDA_ERROR_OUT_OF_MEMORY": OutOfMemoryError,
    "CUDA_ERROR_INVALID_VALUE": InvalidArgumentError,
    "CUDA_ERROR_INVALID_HANDLE": InvalidArgumentError,
    "CUDA_ERROR_NOT_FOUND": InvalidArgumentError,
    "CUDA_ERROR_INVALID_PTX": InvalidArgumentError,
    "CUDA_ERROR_INVALID_IMAGE": InvalidArgumentError,
    "CUDA_ERROR_NO_BINARY_FOR_GPU": InvalidArgumentError,
    "CUDA_ERROR_UNSUPPORTED_PTX_VERSION": InvalidArgumentError,
    "CUDA_ERROR_INVALID_SOURCE": InvalidArgumentError,
    "CUDA_ERROR_NOT_SUPPORTED": UnimplementedError,
    "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES": InvalidArgumentError,
    "CUDA_ERROR_LAUNCH_FAILED": KernelFaultError,
    "CUDA_ERROR_ILLEGAL_ADDRESS": KernelFaultError,
    "CUDA_ERROR_MISALIGNED_ADDRESS": KernelFaultError,
    "CUDA_ERROR_ILLEGAL_INSTRUCTION": KernelFaultError,
    "CUDA_ERROR_HARDWARE_STACK_ERROR": KernelFaultError,
    "CUDA_ERROR_INVALID_PC": KernelFaultError,
    "CUDA_ERROR_ASSERT": KernelFaultError,
    "CUDA_ERROR_LAUNCH_TIMEOUT": DeadlineExceededError,
    "CUDA_ERROR_TIMEOUT": DeadlineExceededError,
    "CUDA_ERROR_NO_DEVICE": DeviceLostError,
    "CUDA_ERROR_INVALID_DEVICE": DeviceLostError,
    "CUDA_ERROR_NOT_INITIALIZED": DeviceLostError,
    "CUDA_ERROR_DEINITIALIZED": DeviceLostError,
    "CUDA_ERROR_INVALID_CONTEXT": DeviceLostError,
    "CUDA_ERROR_CONTEXT_IS_DESTROYED": DeviceLostError,
    "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH": DeviceLostError,
    "CUDA_ERROR_ECC_UNCORRECTABLE": DeviceLostError,
}
_HINTS = {
    OutOfMemoryError: "Free sessions or buffers you no longer need, or use a smaller batch.",
    KernelFaultError: "The CUDA context is unusable after a kernel fault; close the device and create a new one.",
    DeviceLostError: "Check nvidia-smi; the driver must support CUDA 13 for the PTX this SDK emits.",
}


def error_for(name: str, what: str, device: str = "cuda") -> HalError:
    """The HAL error for CUDA error `name` (e.g. ``CUDA_ERROR_OUT_OF_MEMORY``) raised by `what`."""
    kind = _ERRORS.get(name, HalError)
    hint = _HINTS.get(kind)
    if name in ("CUDA_ERROR_INVALID_PTX", "CUDA_ERROR_NO_BINARY_FOR_GPU", "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"):
        hint = "Recompile for this GPU (byteir compile --target cuda --cuda-arch sm_XY) with a driver that supports CUDA 13."
    return kind(f"{device}: {what} failed with {name}", hint=hint)


@functools.cache
def _cuda() -> Any:
    """``cuda.bindings.driver`` with the driver initialised; DeviceLostError saying why it cannot be."""
    try:
        from cuda.bindings import driver
    except ImportError as exc:
        raise DeviceLostError(f"cuda: cuda-python is not installed ({exc})", hint="pip install 'byteir-sdk[cuda]'.") from None
    try:
        (err,) = driver.cuInit(0)
    except Exception as exc:  # the NVIDIA driver library (libcuda) is not on this machine
        raise DeviceLostError(f"cuda: the NVIDIA driver is not available ({type(exc).__name__}: {exc})".splitlines()[0],
                              hint="Install the NVIDIA display driver on a machine with an NVIDIA GPU.") from None  # fmt: skip
    if err != driver.CUresult.CUDA_SUCCESS:
        raise error_for(err.name, "cuInit")
    return driver


def unavailable_reason() -> str | None:
    """Why no CUDA device can be used here (None when one can)."""
    try:
        cu = _cuda()
        count = _call(cu.cuDeviceGetCount(), "cuDeviceGetCount")
    except HalError as exc:
        return str(exc)
    return None if count else "cuda: no CUDA device is present"


def _call(result: tuple, what: str, device: str = "cuda") -> Any:
    """The value(s) of a ``cuda.bindings`` call's result tuple; the mapped HAL error on failure."""
    err, *values = result
    if int(err) != 0:
        raise error_for(err.name, what, device)
    return values[0] if len(values) == 1 else tuple(values) if values else None


class CudaBuffer(Buffer):
    """Device memory (``cuMemAlloc``), or pinned, mapped host memory (``cuMemHostAlloc``) that host
    kernels read through ``data`` and the GPU reaches through unified addressing."""

    def __init__(self, device: CudaDevice, size: int, memory_type: MemoryType, usage: BufferUsage) -> None:
        cu = _cuda()
        device.make_current()
        self._size, self._type, self._usage, self._device = size, memory_type, usage, device.info.name
        self.data: np.ndarray | None = None
        self.host = bool(memory_type & MemoryType.HOST_VISIBLE)
        if size == 0:
            self.ptr = 0
        elif self.host:
            flags = cu.CU_MEMHOSTALLOC_PORTABLE | cu.CU_MEMHOSTALLOC_DEVICEMAP
            self.ptr = int(_call(cu.cuMemHostAlloc(size, flags), f"cuMemHostAlloc({size:,} bytes)", self._device))
        else:
            self.ptr = int(_call(cu.cuMemAlloc(size), f"cuMemAlloc({size:,} bytes)", self._device))
        if self.host:
            self.data = np.ctypeslib.as_array((ctypes.c_uint8 * size).from_address(self.ptr)) if size else np.zeros(0, np.uint8)
        device.accounted += size
        self._finalizer = weakref.finalize(self, _free, device, self.ptr, size, self.host)

    @property
    def size(self) -> int:
        return self._size

    @property
    def memory_type(self) -> MemoryType:
        return self._type

    @property
    def usage(self) -> BufferUsage:
        return self._usage

    @property
    def address(self) -> int:
        """The device (or pinned host) address; InvalidArgumentError once released."""
        if not self._finalizer.alive:
            raise InvalidArgumentError(f"{self._device}: buffer was released")
        return self.ptr

    def release(self) -> None:
        self.data = None
        self._finalizer()


def _free(device: CudaDevice, ptr: int, size: int, host: bool) -> None:
    device.accounted -= size
    if ptr and not device.closed:
        cu = _cuda()
        device.make_current()
        (cu.cuMemFreeHost(ptr) if host else cu.cuMemFree(ptr))


def _address(view: BufferView) -> int:
    if not isinstance(view.buffer, CudaBuffer):
        raise InvalidArgumentError(f"a {type(view.buffer).__name__} is not a buffer of the cuda driver")
    return view.buffer.address + view.offset


class CudaExecutable(Executable):
    """A PTX module loaded with ``cuModuleLoadData``; its entry points are the kernel's steps plus
    the kernel's name, which dispatches the whole schedule of launches."""

    def __init__(self, device: CudaDevice, blob: bytes, entry_points: Sequence[str]) -> None:
        cu = _cuda()
        if not isinstance(blob, (bytes, bytearray)) or b".entry" not in blob or b"\0" in blob.rstrip(b"\0"):
            raise InvalidArgumentError(f"{device.info.name}: corrupt ptx executable: not PTX text with kernel entries")
        device.make_current()
        self.module = _call(cu.cuModuleLoadData(bytes(blob).rstrip(b"\0") + b"\0"), "cuModuleLoadData (JIT of the PTX)", device.info.name)
        self._device = device
        self.functions: dict[str, Any] = {}
        self.kernel: str | None = None
        for name in entry_points:
            err, fn = cu.cuModuleGetFunction(self.module, name.encode())
            if int(err) == 0:
                self.functions[name] = fn
            elif self.kernel is None:
                self.kernel = name  # not a function: the kernel's name, running its schedule
            else:
                raise InvalidArgumentError(f"{device.info.name}: the PTX has no kernel {name!r}")
        weakref.finalize(self, _unload, device, self.module)

    @property
    def format(self) -> str:
        return PTX_FORMAT

    @property
    def entry_points(self) -> tuple[str, ...]:
        return (*([self.kernel] if self.kernel else []), *self.functions)


def _unload(device: CudaDevice, module: Any) -> None:
    if not device.closed:
        device.make_current()
        _cuda().cuModuleUnload(module)


class _Graph(CommandBuffer):
    """A command buffer of PTX dispatches and copies, captured as a CUDA graph on first execute."""

    def __init__(self, commands: Sequence[Command]) -> None:
        super().__init__(commands)
        self.exec: Any = None
        self.graph: Any = None


class CudaQueue(HostQueue):
    """The device's in-order queue: a worker thread submitting to one CUDA stream."""

    def __init__(self, device: CudaDevice) -> None:
        self._cuda_device = device
        cu = _cuda()
        device.make_current()
        self.stream = _call(cu.cuStreamCreate(int(cu.CUstream_flags.CU_STREAM_NON_BLOCKING)), "cuStreamCreate", device.info.name)
        self._host = HostExecutor(device.pool, device.threads)
        super().__init__(device.info.name)

    # -- completion: what signals see has finished on the GPU -------------------
    def _execute(self, name: str, kind: str, fn: Any, signal: Sequence[Fence]) -> None:
        self._cuda_device.make_current()
        complete = self._profiling or bool(signal)
        if complete:
            self.synchronize()  # a profiled operation is timed alone: earlier work first

        def run() -> None:
            fn()
            if complete:  # signals (and profile events) must see the GPU work finished
                self.synchronize()

        super()._execute(name, kind, run, signal)

    def synchronize(self) -> None:
        """Block the calling thread until the stream's work completed (event record + wait)."""
        cu = _cuda()
        self._cuda_device.make_current()
        event = _call(cu.cuEventCreate(int(cu.CUevent_flags.CU_EVENT_DISABLE_TIMING)), "cuEventCreate", self._device)
        try:
            _call(cu.cuEventRecord(event, self.stream), "cuEventRecord", self._device)
            _call(cu.cuEventSynchronize(event), "the stream's work", self._device)
        finally:
            cu.cuEventDestroy(event)

    def finish(self, timeout: float | None = None) -> None:
        super().finish(timeout)
        self.synchronize()

    # -- transfers ----------------------------------------------------------------
    def copy(self, source: BufferView, target: BufferView, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:
        self._check_copy(source, target)
        src, dst = _address(source), _address(target)
        self._submit("copy", "copy", lambda: self._copy(dst, src, source.nbytes), wait, signal)

    def _copy(self, dst: int, src: int, nbytes: int) -> None:
        if nbytes:
            _call(_cuda().cuMemcpyAsync(dst, src, nbytes, self.stream), "cuMemcpyAsync", self._device)

    def fill(self, target: BufferView, pattern: bytes, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:
        self._check_fill(target, pattern)
        dst, count, cu = _address(target), target.nbytes // len(pattern), _cuda()

        def run() -> None:
            if not count:
                return
            if len(pattern) == 8:  # no 64-bit memset: stage the pattern on the host (synchronous copy)
                tiled = np.frombuffer(bytes(pattern) * count, np.uint8)
                _call(cu.cuMemcpyHtoDAsync(dst, tiled.ctypes.data, tiled.size, self.stream), "cuMemcpyHtoDAsync", self._device)
                self.synchronize()
                return
            value = int.from_bytes(pattern, "little")
            memset = {1: cu.cuMemsetD8Async, 2: cu.cuMemsetD16Async, 4: cu.cuMemsetD32Async}[len(pattern)]
            _call(memset(dst, value, count, self.stream), "cuMemset", self._device)

        self._submit("fill", "fill", run, wait, signal)

    def update(self, target: BufferView, data: np.ndarray | bytes, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:
        dst, captured = _address(target), self._update_bytes(target, data).copy()

        def run() -> None:
            # from pageable memory the call returns once `captured` is staged, so it may go at once
            if captured.size:
                _call(_cuda().cuMemcpyHtoDAsync(dst, captured.ctypes.data, captured.size, self.stream), "cuMemcpyHtoDAsync", self._device)

        self._submit("update", "update", run, wait, signal)

    def read(self, source: BufferView, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> np.ndarray:
        out = np.empty(source.shape, source.dtype)
        src = _address(source)

        def run() -> None:
            # into pageable memory the call returns only once the copy completed
            if out.nbytes:
                _call(_cuda().cuMemcpyDtoHAsync(out.ctypes.data, src, out.nbytes, self.stream), "cuMemcpyDtoHAsync", self._device)

        self._submit("read", "read", run, wait, signal)
        return out

    # -- dispatch -----------------------------------------------------------------
    def dispatch(self, executable: Executable, entry: str, bindings: Sequence[BufferView], config: dict[str, Any], *,
                 wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:  # fmt: skip
        self._check_entry(executable, entry)
        host = not isinstance(executable, CudaExecutable)
        for view in bindings:
            if not isinstance(view.buffer, CudaBuffer):
                raise InvalidArgumentError(f"{self._device}: a {type(view.buffer).__name__} is not a buffer of the cuda driver")
            if host and not view.buffer.host:
                raise InvalidArgumentError(f"{self._device}: a host kernel ({executable.format}) is bound to device memory",
                                           hint="Host kernels read host memory; compile with this SDK, which copies between the spaces.")  # fmt: skip
        bound = tuple(bindings)
        self._submit(entry, "dispatch", lambda: self.run_dispatch(executable, entry, bound, config), wait, signal)

    def run_dispatch(self, executable: Executable, entry: str, bindings: Sequence[BufferView], config: dict[str, Any]) -> None:
        if isinstance(executable, CudaExecutable):
            self._launch(executable, entry, bindings, config)
        else:  # a host-fallback kernel over pinned memory: the GPU's earlier work must be done
            self.synchronize()
            self._host.run(executable, entry, bindings, config)

    def _launch(self, executable: CudaExecutable, entry: str, bindings: Sequence[BufferView], config: dict[str, Any]) -> None:
        cu = _cuda()
        n = int(config.get("buffers", len(bindings)))
        pointers = [_address(v) for v in bindings][:n] + [0] * max(0, n - len(bindings))
        values = (ctypes.c_void_p * max(n, 1))(*pointers)
        params = (ctypes.c_void_p * max(n, 1))(*[ctypes.addressof(values) + i * ctypes.sizeof(ctypes.c_void_p) for i in range(n)])
        steps = config.get("schedule", []) if entry == executable.kernel else [{"entry": entry, "grid": config["grid"], "block": config["block"]}]
        for step in steps:
            grid, block = step["grid"], step["block"]
            _call(cu.cuLaunchKernel(executable.functions[step["entry"]], *grid, *block, int(step.get("shared_dynamic", 0)), self.stream,
                                    ctypes.addressof(params), 0), f"cuLaunchKernel({step['entry']})", self._device)  # fmt: skip

    # -- command buffers: CUDA graphs -----------------------------------------------
    def record(self, commands: Sequence[Command]) -> CommandBuffer:
        """A CUDA graph when every command is a PTX dispatch or a device copy; else the plain list
        (host-fallback kernels run on the host between GPU work, which a graph cannot hold)."""
        graphable = all((c.kind == "dispatch" and isinstance(c.args[0], CudaExecutable)) or c.kind == "copy" for c in commands)
        return _Graph(commands) if graphable and commands else CommandBuffer(commands)

    def execute(self, buffer: CommandBuffer, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:
        if not isinstance(buffer, _Graph) or self._profiling:
            super().execute(buffer, wait=wait, signal=signal)
            return
        self._submit("graph", "dispatch", lambda: self._replay(buffer), wait, signal)

    def _replay(self, graph: _Graph) -> None:
        cu = _cuda()
        if graph.exec is None:  # first execution: capture the commands as they would be issued
            mode = cu.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL
            _call(cu.cuStreamBeginCapture(self.stream, mode), "cuStreamBeginCapture", self._device)
            try:
                for c in graph.commands:
                    if c.kind == "dispatch":
                        self._launch(*c.args)
                    else:
                        self._copy(_address(c.args[1]), _address(c.args[0]), c.args[0].nbytes)
            finally:
                captured = _call(cu.cuStreamEndCapture(self.stream), "cuStreamEndCapture", self._device)
            graph.graph = captured
            graph.exec = _call(cu.cuGraphInstantiate(captured, 0), "cuGraphInstantiate", self._device)
            weakref.finalize(graph, _destroy_graph, self._cuda_device, graph.exec, captured)
        _call(cu.cuGraphLaunch(graph.exec, self.stream), "cuGraphLaunch", self._device)


def _destroy_graph(device: CudaDevice, exec_: Any, graph: Any) -> None:
    if not device.closed:
        device.make_current()
        cu = _cuda()
        cu.cuGraphExecDestroy(exec_)
        cu.cuGraphDestroy(graph)


class CudaDevice(HostBackedDevice):
    """One NVIDIA GPU through its primary context."""

    def __init__(self, index: int = 0) -> None:
        cu = _cuda()
        count = _call(cu.cuDeviceGetCount(), "cuDeviceGetCount")
        if not 0 <= index < count:
            raise DeviceLostError(f"cuda: no device {index} ({count} present)")
        self._handle = _call(cu.cuDeviceGet(index), "cuDeviceGet")
        self.closed = False
        self._context = _call(cu.cuDevicePrimaryCtxRetain(self._handle), "cuDevicePrimaryCtxRetain")
        self.accounted = 0
        self._local = threading.local()
        self.make_current()
        name = _call(cu.cuDeviceGetName(256, self._handle), "cuDeviceGetName")
        total = int(_call(cu.cuDeviceTotalMem(self._handle), "cuDeviceTotalMem"))
        attr = cu.CUdevice_attribute
        major = _call(cu.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, self._handle), "cuDeviceGetAttribute")
        minor = _call(cu.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, self._handle), "cuDeviceGetAttribute")
        sms = _call(cu.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, self._handle), "cuDeviceGetAttribute")
        self.arch = int(major) * 10 + int(minor)
        self._info = DeviceInfo(
            name=f"cuda:{index}",
            driver="cuda",
            memory_bytes=total,
            max_allocation_bytes=total,
            alignment=256,
            capabilities=frozenset({f"executable:{PTX_FORMAT}", f"executable:{LLVM_FORMAT}", f"executable:{HOST_FORMAT}", f"arch:sm_{self.arch}"}),
            properties={"gpu": bytes(name).split(b"\0")[0].decode(), "arch": f"sm_{self.arch}", "multiprocessors": int(sms)},
        )
        self.threads = 1
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cuda-host-kernel")
        self._closed = False
        self._queue = CudaQueue(self)

    def make_current(self) -> None:
        """Bind the device's context to the calling thread (once per thread)."""
        if getattr(self._local, "current", False):
            return
        _call(_cuda().cuCtxSetCurrent(self._context), "cuCtxSetCurrent", "cuda")
        self._local.current = True

    def allocate(self, size: int, memory_type: MemoryType = MemoryType.DEVICE_LOCAL, usage: BufferUsage = BufferUsage.DEFAULT) -> Buffer:
        self._check_open()
        if size < 0:
            raise InvalidArgumentError(f"{self._info.name}: cannot allocate a negative size ({size})")
        if size > self._info.max_allocation_bytes:
            raise OutOfMemoryError(f"{self._info.name}: allocation of {size:,} bytes exceeds the device's {self._info.memory_bytes:,} bytes")
        return CudaBuffer(self, int(size), memory_type, usage)

    def memory_in_use(self) -> int:
        return self.accounted

    def prepare_executable(self, format: str, blob: bytes, entry_points: Sequence[str] = ()) -> Executable:  # noqa: A002
        self._check_open()
        if format == PTX_FORMAT:
            return CudaExecutable(self, blob, entry_points)
        if format == LLVM_FORMAT:
            return LlvmExecutable(blob, entry_points, self._info.name)
        if format == HOST_FORMAT:
            return HostKernelExecutable(blob, self._info.name)
        raise UnimplementedError(f"{self._info.name}: executable format {format!r} is not supported", hint=f"Supported: {PTX_FORMAT}, {LLVM_FORMAT}, {HOST_FORMAT}.")

    def close(self) -> None:
        if not self._closed:
            super().close()
            self.make_current()
            _cuda().cuStreamDestroy(self._queue.stream)
            self.closed = True
            _cuda().cuDevicePrimaryCtxRelease(self._handle)


class CudaDriver(Driver):
    """The NVIDIA GPUs of this machine (none, with the reason in :func:`unavailable_reason`)."""

    name = "cuda"

    def devices(self) -> list[DeviceInfo]:
        if unavailable_reason() is not None:
            return []
        count = _call(_cuda().cuDeviceGetCount(), "cuDeviceGetCount")
        infos = []
        for i in range(count):
            device = CudaDevice(i)
            try:
                infos.append(device.info)
            finally:
                device.close()
        return infos

    def create_device(self, index: int = 0) -> CudaDevice:
        reason = unavailable_reason()
        if reason is not None:
            raise DeviceLostError(reason, hint="The cuda target compiles anywhere (PTX via NVRTC); running it needs an NVIDIA GPU and driver.")
        return CudaDevice(index)
