"""The HAL: the device contract a vendor implements (vendor plug point 2).

Learned from IREE's HAL and PJRT, kept Pythonic. A :class:`Driver` enumerates devices and
creates a :class:`Device`; the device allocates :class:`Buffer` s, makes :class:`Queue` s and
:class:`Semaphore` s, and prepares :class:`Executable` s from the blobs a Backend produced. All
errors are :mod:`byteir_sdk.errors` HAL errors (OutOfMemoryError, InvalidArgumentError,
UnimplementedError, DeadlineExceededError, DeviceLostError, KernelFaultError).

Ordering model: every queue operation takes ``wait`` -- (semaphore, value) pairs that must be
reached before it starts -- and ``signal`` -- pairs set when it completes. Operations on one
queue complete in submission order. A failed operation fails every semaphore in its ``signal``
list with the error, and waiters on those semaphores raise it.
"""

from __future__ import annotations

import abc
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "MemoryType", "BufferUsage", "DeviceInfo", "Buffer", "BufferView", "Semaphore", "Executable",
    "Queue", "Device", "Driver", "ProfileEvent", "Fence", "Command", "CommandBuffer",
]  # fmt: skip


class MemoryType(enum.Flag):
    """Where a buffer lives: device-local memory, host-visible (mappable) memory, or both."""

    DEVICE_LOCAL = enum.auto()
    HOST_VISIBLE = enum.auto()


class BufferUsage(enum.Flag):
    """What a buffer may be used for; a driver may reject uses not declared at allocation."""

    TRANSFER = enum.auto()  # copy / fill / update / read
    DISPATCH = enum.auto()  # bound to kernels
    MAPPING = enum.auto()  # mapped into host memory
    DEFAULT = TRANSFER | DISPATCH


@dataclass(frozen=True)
class DeviceInfo:
    """Identity, limits and capability tags of one device."""

    name: str
    driver: str
    memory_bytes: int  # total device memory
    max_allocation_bytes: int  # largest single allocation
    alignment: int  # every buffer's address is a multiple of this
    capabilities: frozenset[str] = frozenset()  # e.g. {"executable:llvm-ir", "threads:2"}
    properties: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ProfileEvent:
    """One profiled queue operation: what ran and how long (seconds on the device's clock)."""

    name: str
    kind: str  # "dispatch", "copy", "fill", "update", "read"
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


class Buffer(abc.ABC):
    """A device allocation of ``size`` bytes. Freed by :meth:`release` (or when collected)."""

    @property
    @abc.abstractmethod
    def size(self) -> int:
        """Size in bytes."""

    @property
    @abc.abstractmethod
    def memory_type(self) -> MemoryType:
        """Where it lives."""

    @property
    @abc.abstractmethod
    def usage(self) -> BufferUsage:
        """What it may be used for."""

    @abc.abstractmethod
    def release(self) -> None:
        """Return the memory to the device; later use raises InvalidArgumentError."""

    def view(self, offset: int = 0, shape: Sequence[int] = (), dtype: Any = np.uint8) -> BufferView:
        """A typed window into this buffer; InvalidArgumentError when it does not fit."""
        return BufferView(self, offset, tuple(int(d) for d in shape), np.dtype(dtype))

    def whole(self) -> BufferView:
        """The whole buffer as bytes."""
        return BufferView(self, 0, (self.size,), np.dtype(np.uint8))


@dataclass(frozen=True)
class BufferView:
    """``shape`` elements of ``dtype`` at byte ``offset`` of ``buffer`` (row-major, dense)."""

    buffer: Buffer
    offset: int
    shape: tuple[int, ...]
    dtype: np.dtype

    def __post_init__(self) -> None:
        from byteir_sdk.errors import InvalidArgumentError

        if self.offset < 0 or self.offset + self.nbytes > self.buffer.size:
            raise InvalidArgumentError(
                f"view [{self.offset}, {self.offset + self.nbytes}) of {self.dtype}{list(self.shape)} does not fit a {self.buffer.size}-byte buffer"
            )

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


class Semaphore(abc.ABC):
    """A 64-bit timeline: a value that only grows. Waiters block until it reaches a target.

    ``fail(error)`` puts the semaphore in a failed state: every current and future waiter raises
    that error (the first failure wins).
    """

    @property
    @abc.abstractmethod
    def value(self) -> int:
        """The current value (raises the failure if failed)."""

    @abc.abstractmethod
    def signal(self, value: int) -> None:
        """Set the value to `value` (must not decrease: InvalidArgumentError) and wake waiters."""

    @abc.abstractmethod
    def wait(self, value: int, timeout: float | None = None) -> None:
        """Block until the value is >= `value`; DeadlineExceededError after `timeout` seconds."""

    @abc.abstractmethod
    def fail(self, error: BaseException) -> None:
        """Fail the timeline with `error`; waiters raise it."""


#: A (semaphore, value) pair.
Fence = tuple[Semaphore, int]


class Executable(abc.ABC):
    """A prepared program: a Backend's blob loaded for one device, ready to dispatch."""

    @property
    @abc.abstractmethod
    def format(self) -> str:
        """The executable format tag it was prepared from."""

    @property
    @abc.abstractmethod
    def entry_points(self) -> tuple[str, ...]:
        """Names that :meth:`Queue.dispatch` accepts."""


@dataclass(frozen=True)
class ExecutableBlob:
    """A Backend's blob to load (:meth:`Device.prepare_executables`): its format tag, its bytes,
    and the entry points it will be dispatched by."""

    format: str
    blob: bytes
    entry_points: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command:
    """One operation of a recorded sequence: ``dispatch`` with args (executable, entry, bindings,
    config) or ``copy`` with args (source, target), as :class:`Queue` takes them."""

    kind: str
    args: tuple[Any, ...]


class CommandBuffer:
    """Commands recorded once (:meth:`Queue.record`) and submitted as a unit many times
    (:meth:`Queue.execute`), like IREE's command buffers. A driver may subclass it to keep a
    device-side form (the CUDA driver captures a CUDA graph and replays it)."""

    def __init__(self, commands: Sequence[Command]) -> None:
        self.commands = tuple(commands)


class Queue(abc.ABC):
    """An in-order stream of device work (see the module docstring for waits and signals)."""

    def record(self, commands: Sequence[Command]) -> CommandBuffer:
        """A command buffer of `commands` (validated when executed). The default keeps the list; a
        driver may keep a device-side form, or complete the dispatches' launch configs with what it
        decides once for the whole sequence (the CPU driver: whether BLAS threads library calls)."""
        return CommandBuffer(commands)

    def execute(self, buffer: CommandBuffer, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:
        """Submit every command of `buffer` in order: `wait` before the first, `signal` after the
        last. The default submits them one by one; a driver may replay them as one unit."""
        commands = buffer.commands
        if not commands:
            for sem, value in wait:
                sem.wait(value)
            for sem, value in signal:
                sem.signal(value)
            return
        for i, command in enumerate(commands):
            fences = {"wait": wait if i == 0 else (), "signal": signal if i == len(commands) - 1 else ()}
            if command.kind == "dispatch":
                self.dispatch(*command.args, **fences)
            elif command.kind == "copy":
                self.copy(*command.args, **fences)
            else:
                from byteir_sdk.errors import InvalidArgumentError

                raise InvalidArgumentError(f"unknown command kind {command.kind!r} (dispatch or copy)")

    @abc.abstractmethod
    def copy(self, source: BufferView, target: BufferView, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:
        """Copy bytes between views of equal size (InvalidArgumentError otherwise)."""

    @abc.abstractmethod
    def fill(self, target: BufferView, pattern: bytes, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:
        """Repeat `pattern` (1, 2, 4 or 8 bytes, dividing the view's size) over the view."""

    @abc.abstractmethod
    def update(self, target: BufferView, data: np.ndarray | bytes, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> None:
        """Host -> device: write `data` (exactly the view's bytes) into the view. The data is
        captured at submission, so the caller may reuse its array at once."""

    def bind_host(self, target: Buffer, data: np.ndarray, *, writable: bool = False) -> bool:
        """Back the whole of `target` by `data`'s memory, without a copy, for the operations
        submitted until :meth:`unbind_host`. Without `writable`, the caller leaves `data`
        unchanged meanwhile and no operation may write `target`; with it, operations may write
        `target` and their writes land in `data`, which the caller reads only once they completed
        (a zero-copy output). Returns False where the driver cannot (the caller then copies with
        :meth:`update` or :meth:`read`); the default always does."""
        return False

    def unbind_host(self, target: Buffer) -> None:
        """Back `target` by its own memory again; call it once the operations reading `data`
        completed (after :meth:`finish`). The default has nothing to undo."""

    @abc.abstractmethod
    def read(self, source: BufferView, *, wait: Sequence[Fence] = (), signal: Sequence[Fence] = ()) -> np.ndarray:
        """Device -> host: an array of the view's shape and dtype, valid once this operation
        completes (wait on a signalled semaphore, or call :meth:`finish`)."""

    @abc.abstractmethod
    def dispatch(
        self,
        executable: Executable,
        entry: str,
        bindings: Sequence[BufferView],
        config: dict[str, Any],
        *,
        wait: Sequence[Fence] = (),
        signal: Sequence[Fence] = (),
    ) -> None:
        """Run `entry` of `executable` over `bindings` with launch `config` (the Backend's launch
        metadata). InvalidArgumentError for an unknown entry; a kernel failure fails `signal`
        with KernelFaultError."""

    @abc.abstractmethod
    def finish(self, timeout: float | None = None) -> None:
        """Block until everything submitted so far completed; raise the first failure."""

    @abc.abstractmethod
    def profile(self) -> list[ProfileEvent]:
        """The events recorded since the last call (profiling must be enabled on the device)."""


class Device(abc.ABC):
    """One device: memory, queues, semaphores and executables."""

    @property
    @abc.abstractmethod
    def info(self) -> DeviceInfo:
        """Identity, limits, capability tags."""

    @abc.abstractmethod
    def allocate(self, size: int, memory_type: MemoryType = MemoryType.DEVICE_LOCAL, usage: BufferUsage = BufferUsage.DEFAULT) -> Buffer:
        """A new buffer of `size` bytes (0 allowed), aligned to ``info.alignment``.
        OutOfMemoryError when it exceeds the free memory or ``info.max_allocation_bytes``."""

    @abc.abstractmethod
    def queue(self, index: int = 0) -> Queue:
        """The device's queue `index` (queues live as long as the device)."""

    @abc.abstractmethod
    def semaphore(self, initial: int = 0) -> Semaphore:
        """A new timeline semaphore starting at `initial`."""

    @abc.abstractmethod
    def prepare_executable(self, format: str, blob: bytes, entry_points: Sequence[str] = ()) -> Executable:  # noqa: A002
        """Load a Backend's blob. UnimplementedError for a format the device does not run;
        InvalidArgumentError for a corrupt blob (with what is wrong)."""

    def prepare_executables(self, blobs: Sequence[ExecutableBlob]) -> list[Executable]:
        """Load several of a Backend's blobs (a program's), in order; errors as
        :meth:`prepare_executable`'s, for the first bad blob. The default loads them one at a time;
        a device that can load them at once overrides it (the CPU device compiles LLVM IR on all
        cores)."""
        return [self.prepare_executable(b.format, b.blob, b.entry_points) for b in blobs]

    @abc.abstractmethod
    def set_profiling(self, enabled: bool) -> None:
        """Record a ProfileEvent for every queue operation (off by default)."""

    @abc.abstractmethod
    def memory_in_use(self) -> int:
        """Bytes currently allocated (for leak checks)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Wait for the queues, free everything; later calls raise DeviceLostError."""


class Driver(abc.ABC):
    """Entry point of a HAL implementation: enumerates and creates devices."""

    name: str = "unnamed"

    @abc.abstractmethod
    def devices(self) -> list[DeviceInfo]:
        """The devices present (empty when none; never raises for a missing device)."""

    @abc.abstractmethod
    def create_device(self, index: int = 0) -> Device:
        """Open device `index`; DeviceLostError when it is not available."""
