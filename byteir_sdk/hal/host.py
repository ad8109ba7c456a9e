"""Reusable host-side HAL pieces: a timeline semaphore, host-memory buffers, and an in-order
queue that runs operations on a worker thread. A driver whose device memory is host memory
(the CPU, a simulator) subclasses :class:`HostQueue` and implements ``run_dispatch``.
"""

from __future__ import annotations

import abc
import ctypes
import os
import queue as _queue
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from byteir_sdk.errors import (
    ByteIRError,
    DeadlineExceededError,
    DeviceLostError,
    InvalidArgumentError,
    KernelFaultError,
    OutOfMemoryError,
)
from byteir_sdk.hal.contract import Buffer, BufferUsage, BufferView, Device, DeviceInfo, Executable, Fence, MemoryType, ProfileEvent, Queue, Semaphore

__all__ = ["HostSemaphore", "HostBuffer", "HostMemory", "HostQueue", "HostBackedDevice", "host_array", "buffer_bytes", "host_memory_bytes", "host_threads"]


class HostSemaphore(Semaphore):
    """A timeline semaphore on a condition variable."""

    def __init__(self, initial: int = 0) -> None:
        self._value = int(initial)
        self._error: BaseException | None = None
        self._cond = threading.Condition()

    @property
    def value(self) -> int:
        with self._cond:
            if self._error is not None:
                raise self._error
            return self._value

    def reached(self, value: int) -> bool:
        """Whether the value is at least `value` now, without waiting or locking (values only
        grow, so a read that races a signal only says not yet) and without raising a failure."""
        return self._value >= value

    def signal(self, value: int) -> None:
        with self._cond:
            if value < self._value:
                raise InvalidArgumentError(f"semaphore signal {value} is below its value {self._value}: timelines only grow")
            self._value = value
            self._cond.notify_all()

    def wait(self, value: int, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._error is None and self._value < value:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise DeadlineExceededError(f"semaphore did not reach {value} within {timeout} s (it is at {self._value})")
                self._cond.wait(remaining)
            if self._error is not None:
                raise self._error

    def fail(self, error: BaseException) -> None:
        with self._cond:
            if self._error is None:
                self._error = error
            self._cond.notify_all()


class HostMemory:
    """Accounting of a host-memory device: limits and bytes in use."""

    def __init__(self, capacity: int, max_allocation: int, alignment: int) -> None:
        self.capacity = capacity
        self.max_allocation = max_allocation
        self.alignment = alignment
        self.in_use = 0
        self._lock = threading.Lock()

    def reserve(self, size: int, device: str) -> None:
        if size < 0:
            raise InvalidArgumentError(f"{device}: cannot allocate a negative size ({size})")
        with self._lock:
            if size > self.max_allocation:
                raise OutOfMemoryError(f"{device}: allocation of {size:,} bytes exceeds the per-allocation limit of {self.max_allocation:,} bytes")
            if self.in_use + size > self.capacity:
                raise OutOfMemoryError(
                    f"{device}: allocation of {size:,} bytes exceeds free memory ({self.capacity - self.in_use:,} of {self.capacity:,} bytes free)",
                    hint="Free buffers or sessions you no longer need, or use a smaller batch.",
                )
            self.in_use += size

    def release(self, size: int) -> None:
        with self._lock:
            self.in_use -= size


class HostBuffer(Buffer):
    """A buffer in host memory (NumPy bytes, aligned)."""

    def __init__(self, memory: HostMemory, size: int, memory_type: MemoryType, usage: BufferUsage, device: str) -> None:
        memory.reserve(size, device)
        self._memory = memory
        self._size = size
        self._type = memory_type
        self._usage = usage
        raw = np.zeros(size + memory.alignment, np.uint8)
        start = (-raw.ctypes.data) % memory.alignment
        self._raw = raw
        self._address = int(raw.ctypes.data) + start  # an empty slice would not report it
        self._data: np.ndarray | None = raw[start : start + size]
        self._own: np.ndarray | None = None  # its own bytes while it borrows a caller's array
        self._borrowed: np.ndarray | None = None  # the caller's array it borrows, its bytes not yet viewed
        self._borrowed_address = 0
        self._finalizer = weakref.finalize(self, memory.release, size)

    @property
    def size(self) -> int:
        return self._size

    @property
    def memory_type(self) -> MemoryType:
        return self._type

    @property
    def usage(self) -> BufferUsage:
        return self._usage

    def _check_live(self) -> None:
        if self._data is None:
            raise InvalidArgumentError("buffer was released")

    @property
    def data(self) -> np.ndarray:
        self._check_live()
        if self._borrowed is not None:  # (viewed as bytes only when someone asks)
            self._data, self._borrowed = self._borrowed.reshape(-1).view(np.uint8), None
        return self._data

    @property
    def address(self) -> int:
        self._check_live()
        return self._address if self._own is None else self._borrowed_address

    def borrow(self, data: np.ndarray) -> None:
        """Be backed by `data` (a C-contiguous array of exactly this size) until :meth:`give_back`."""
        self._check_live()
        if self._own is None:
            self._own = self.data
        self._borrowed, self._borrowed_address = data, _data_address(data)

    def give_back(self) -> None:
        """Be backed by this buffer's own memory again."""
        if self._own is not None and self._data is not None:
            self._data = self._own
        self._own = self._borrowed = None

    def release(self) -> None:
        if self._data is not None:
            self._data = None
            self._own = self._borrowed = None
            self._raw = np.zeros(0, np.uint8)
            self._finalizer()


_NO_BYTES = ctypes.c_char * 0


def _data_address(array: np.ndarray) -> int:
    """The address of `array`'s first byte: through the buffer protocol where it is writable and
    of a dtype the protocol can describe (NumPy's own, not ml_dtypes': 0.4 us), else NumPy's
    ctypes interface (1.4 us: it builds an object each time)."""
    if array.flags.writeable and array.dtype.isbuiltin != 2:
        try:
            return ctypes.addressof(_NO_BYTES.from_buffer(array))
        except (TypeError, ValueError):
            pass
    return int(array.ctypes.data)


def host_array(view: BufferView) -> np.ndarray:
    """The NumPy array a view of a host-visible buffer (one with ``data`` bytes) denotes; shares memory."""
    return _bytes(view).view(view.dtype).reshape(view.shape)


_STOP = object()


class HostQueue(Queue):
    """An in-order queue executing on one worker thread; subclasses implement ``run_dispatch``."""

    def __init__(self, device_name: str) -> None:
        self._device = device_name
        self._items: _queue.SimpleQueue[Any] = _queue.SimpleQueue()
        self._submitted = 0
        self._done = HostSemaphore(0)
        self._profiling = False
        self._events: list[ProfileEvent] = []
        self._events_lock = threading.Lock()
        self._closed = False
        self._error: BaseException | None = None  # first failure since the last finish()
        self._worker = threading.Thread(target=self._loop, name=f"{device_name}-queue", daemon=True)
        self._worker.start()

    # -- subclass hooks --------------------------------------------------------
    @abc.abstractmethod
    def run_dispatch(self, executable: Executable, entry: str, bindings: Sequence[BufferView], config: dict[str, Any]) -> None:
        """Run a dispatch synchronously on the worker thread."""

    # -- submission ------------------------------------------------------------
    def set_profiling(self, enabled: bool) -> None:
        self._profiling = enabled

    def _submit(self, name: str, kind: str, fn: Callable[[], None], wait: Sequence[Fence], signal: Sequence[Fence], inline: bool = False) -> None:
        """Queue `fn`; with `inline`, an operation without waits on an idle queue runs at once on the
        calling thread (the in-order result, without a hand-off to the worker)."""
        if self._closed:
            raise DeviceLostError(f"{self._device}: the device was closed")
        if inline and not wait and self._idle():
            self._run_item(name, kind, fn, (), signal)
            return
        self._submitted += 1
        self._items.put((name, kind, fn, tuple(wait), tuple(signal), self._submitted))

    def _idle(self) -> bool:
        """Whether everything submitted to the worker has completed."""
        return self._done.reached(self._submitted)

    def _loop(self) -> None:
        while True:
            item = self._items.get()
            if item is _STOP:
                return
            name, kind, fn, wait, signal, ticket = item
            self._run_item(name, kind, fn, wait, signal)
            self._done.signal(ticket)

    def _run_item(self, name: str, kind: str, fn: Callable[[], None], wait: Sequence[Fence], signal: Sequence[Fence]) -> None:
        """Wait, run, signal; a failure fails the signals and is kept for the next finish()."""
        try:
            for sem, value in wait:
                sem.wait(value)
            self._execute(name, kind, fn, signal)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the waiters
            error = exc if isinstance(exc, ByteIRError) else KernelFaultError(f"{self._device}: {kind} {name} failed: {type(exc).__name__}: {exc}")
            for sem, _ in signal:
                sem.fail(error)
            with self._events_lock:
                if self._error is None:
                    self._error = error

    def _execute(self, name: str, kind: str, fn: Callable[[], None], signal: Sequence[Fence]) -> None:
        """Run one item whose waits are satisfied: time it when profiling, then signal."""
        start = time.perf_counter()
        fn()
        if self._profiling:
            end = time.perf_counter()
            with self._events_lock:
                self._events.append(ProfileEvent(name, kind, start, end))
        for sem, value in signal:
            sem.signal(value)

    # -- argument checks (shared with queues that subclass this one for memory of their own) --
    def _check_copy(self, source: BufferView, target: BufferView) -> None:
        if source.nbytes != target.nbytes:
            raise InvalidArgumentError(f"{self._device}: copy of {source.nbytes} bytes into a {target.nbytes}-byte view")

    def _check_fill(self, target: BufferView, pattern: bytes) -> None:
        if len(pattern) not in (1, 2, 4, 8) or target.nbytes % len(pattern):
            raise InvalidArgumentError(f"{self._device}: fill pattern of {len(pattern)} bytes over a {target.nbytes}-byte view")

    def _update_bytes(self, target: BufferView, data: np.ndarray | bytes) -> np.ndarray:
        """`data` as the bytes an update writes (InvalidArgumentError unless exactly the view's size)."""
        raw = np.frombuffer(bytes(data), np.uint8) if isinstance(data, (bytes, bytearray)) else np.ascontiguousarray(data).reshape(-1).view(np.uint8)
        if raw.size != target.nbytes:
            raise InvalidArgumentError(f"{self._device}: update of {raw.size} bytes into a {target.nbytes}-byte view")
        return raw

    def _check_entry(self, executable: Executable, entry: str) -> None:
        if entry not in executable.entry_points:
            raise InvalidArgumentError(f"{self._device}: no entry point {entry!r} in the executable (it has {', '.join(executable.entry_points)})")

    def copy(self, source: BufferView, target: BufferView, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:
        self._check_copy(source, target)
        _bytes(source), _bytes(target)  # both must be memory this driver can reach
        self._submit("copy", "copy", lambda: self.run_copy(source, target), wait, signal, inline=True)

    def run_copy(self, source: BufferView, target: BufferView) -> None:
        """Execute one copy on the worker thread (subclasses may account for it)."""
        np.copyto(_bytes(target), _bytes(source))

    def fill(self, target: BufferView, pattern: bytes, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:
        self._check_fill(target, pattern)
        dst = _bytes(target)
        tiled = np.frombuffer(bytes(pattern) * (target.nbytes // len(pattern)), np.uint8)
        self._submit("fill", "fill", lambda: np.copyto(dst, tiled), wait, signal)

    def update(self, target: BufferView, data: np.ndarray | bytes, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:
        raw = self._update_bytes(target, data)
        dst = _bytes(target)
        if self._closed:
            raise DeviceLostError(f"{self._device}: the device was closed")
        if not wait and self._idle():
            # Idle queue: nothing before this update can touch `dst`, so copying now is the
            # in-order result, and saves the snapshot copy (the caller may change `data` after).
            self._run_item("update", "update", lambda: np.copyto(dst, raw), (), signal)
            return
        captured = raw.copy()
        self._submit("update", "update", lambda: np.copyto(dst, captured), wait, signal)

    def bind_host(self, target: Buffer, data: np.ndarray, *, writable: bool = False) -> bool:
        """Host memory needs no copy: an idle queue lets `target` borrow a C-contiguous, aligned
        `data` of exactly its size (kernels then read, or with `writable` also write, the caller's
        array in place)."""
        if not isinstance(target, HostBuffer) or not isinstance(data, np.ndarray) or not self._idle():
            return False
        flags = data.flags
        if not (flags.c_contiguous and flags.aligned and data.nbytes == target.size and target.size) or (writable and not flags.writeable):
            return False
        target.borrow(data)
        return True

    def unbind_host(self, target: Buffer) -> None:
        if isinstance(target, HostBuffer):
            target.give_back()

    def read(self, source: BufferView, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> np.ndarray:
        out = np.empty(source.shape, source.dtype)
        src = host_array(source)
        self._submit("read", "read", lambda: np.copyto(out, src), wait, signal, inline=True)
        return out

    def dispatch(self, executable: Executable, entry: str, bindings: Sequence[BufferView], config: dict[str, Any], *,
                 wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:  # fmt: skip
        self._check_entry(executable, entry)
        for view in bindings:
            buffer_bytes(view)  # validates the binding now, at submission
        bound = tuple(bindings)
        self._submit(entry, "dispatch", lambda: self.run_dispatch(executable, entry, bound, config), wait, signal, inline=True)

    def finish(self, timeout: float | None = None) -> None:
        if self._error is None and self._done.reached(self._submitted):
            return  # (all done, nothing failed: the common case after inline work, without a lock)
        self._done.wait(self._submitted, timeout)
        with self._events_lock:
            error, self._error = self._error, None
        if error is not None:
            raise error

    def profile(self) -> list[ProfileEvent]:
        with self._events_lock:
            events, self._events = self._events, []
        return events

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._items.put(_STOP)
            self._worker.join(timeout=10)


def buffer_bytes(view: BufferView) -> np.ndarray:
    """The bytes of the buffer `view` is in (InvalidArgumentError unless host-visible memory of
    this driver; a BufferView lies inside its buffer by construction)."""
    data = getattr(view.buffer, "data", None)
    if not isinstance(data, np.ndarray):
        raise InvalidArgumentError(f"a {type(view.buffer).__name__} is not a host-visible buffer of this driver")
    return data


def _bytes(view: BufferView) -> np.ndarray:
    return buffer_bytes(view)[view.offset : view.offset + view.nbytes]


def host_memory_bytes() -> int:
    """Physical memory of this machine (8 GiB where the OS does not say)."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 8 << 30


def host_threads() -> int:
    """Cores this process may run on (its CPU affinity: a container's or ``taskset``'s share of
    the machine, not every core the machine has)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class HostBackedDevice(Device):
    """What every device whose work runs on host threads shares: a kernel thread pool, one
    in-order queue, host semaphores, profiling, and close(). Subclasses call ``_start_host``,
    set ``self._info`` (a DeviceInfo) and ``self._memory`` (a HostMemory), create ``self._queue``
    (a HostQueue) and implement executables. Memory is host-visible HostBuffers under
    ``self._memory``'s limits; a device with memory of its own overrides ``allocate`` and
    ``memory_in_use``."""

    @property
    def info(self) -> DeviceInfo:
        return self._info

    def allocate(self, size: int, memory_type: MemoryType = MemoryType.DEVICE_LOCAL, usage: BufferUsage = BufferUsage.DEFAULT) -> Buffer:
        self._check_open()
        return HostBuffer(self._memory, int(size), memory_type | MemoryType.HOST_VISIBLE, usage, self._info.name)

    def memory_in_use(self) -> int:
        return self._memory.in_use

    def _start_host(self, name: str) -> None:
        self.threads = host_threads()
        self.pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix=f"{name}-kernel")
        self._closed = False

    def _check_open(self) -> None:
        if self._closed:
            raise DeviceLostError(f"{self.info.name}: the device was closed")

    def queue(self, index: int = 0) -> Queue:
        self._check_open()
        if index != 0:
            raise InvalidArgumentError(f"{self.info.name} has one queue (index 0), not {index}")
        return self._queue

    def semaphore(self, initial: int = 0) -> Semaphore:
        self._check_open()
        return HostSemaphore(initial)

    def set_profiling(self, enabled: bool) -> None:
        self._queue.set_profiling(enabled)

    def close(self) -> None:
        if not self._closed:
            self._queue.finish()
            self._queue.close()
            self.pool.shutdown(wait=True)
            self._closed = True
