"""HAL driver for the reference ASIC: device-local memory is the simulator's DRAM, queue
submissions run ISA programs on the simulator, and host-fallback kernels run on the CPU over
host memory (``MemoryType.HOST_VISIBLE`` allocations). Each kind of kernel may only be bound to
its own memory: the compiler moves values between them with ``byre.copy`` (the queue's copies
are the only traffic between the two, and each is reported). Profiling returns the simulator's
statistics per kernel."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from byteir_sdk.errors import DeviceLostError, InvalidArgumentError, OutOfMemoryError, UnimplementedError
from byteir_sdk.hal import Buffer, BufferUsage, BufferView, DeviceInfo, Driver, Executable, MemoryType
from byteir_sdk.hal.host import HostBackedDevice, HostBuffer, HostMemory, HostQueue, host_memory_bytes
from byteir_sim.config import MachineConfig
from byteir_sim.isa import Instruction, decode_program
from byteir_sim.sim import RunResult, Simulator
from byteir_sim.trace import chrome_trace, stats
from byteir_targets.cpu.backend import HOST_FORMAT, LLVM_FORMAT
from byteir_targets.cpu.driver import HostExecutor, HostKernelExecutable, LlvmExecutable
from byteir_targets.ref_asic.backend import ASIC_FORMAT

__all__ = ["RefAsicDriver", "RefAsicDevice", "KernelReport"]


class DramBuffer(Buffer):
    """A region of the simulated DRAM."""

    def __init__(self, device: RefAsicDevice, offset: int, size: int, usage: BufferUsage) -> None:
        self._device = device
        self.dram_offset = offset
        self._size = size
        self._usage = usage
        self._released = False

    @property
    def size(self) -> int:
        return self._size

    @property
    def memory_type(self) -> MemoryType:
        return MemoryType.DEVICE_LOCAL

    @property
    def usage(self) -> BufferUsage:
        return self._usage

    @property
    def data(self) -> np.ndarray:
        if self._released:
            raise InvalidArgumentError("buffer was released")
        return self._device.sim.dram[self.dram_offset : self.dram_offset + self._size]

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._device._free(self.dram_offset, self._size)

    def __del__(self) -> None:  # a collected buffer returns its DRAM
        try:
            self.release()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class AsicExecutable(Executable):
    def __init__(self, blob: bytes, entry: str) -> None:
        try:
            self.program = decode_program(blob)
        except ValueError as exc:
            raise InvalidArgumentError(f"corrupt ref-asic program: {exc}") from None
        if not self.program or self.program[-1].name != "END":
            raise InvalidArgumentError("corrupt ref-asic program: it does not end with END")
        self.entry = entry

    @property
    def format(self) -> str:
        return ASIC_FORMAT

    @property
    def entry_points(self) -> tuple[str, ...]:
        return (self.entry,)


@dataclass
class KernelReport:
    """One dispatch: where it ran and, on the ASIC, what the simulator measured."""

    name: str
    where: str  # "asic", "host" (a fallback kernel) or "copy"
    cycles: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    trace: list[dict[str, Any]] = field(default_factory=list)
    host_seconds: float = 0.0
    copy_bytes: int = 0
    direction: str = ""  # copies: "device->host", "host->device", "device->device"


class AsicQueue(HostQueue):
    def __init__(self, device: RefAsicDevice) -> None:
        super().__init__(device.info.name)
        self._device = device
        self._host = HostExecutor(device.pool, device.threads)

    def run_copy(self, source: BufferView, target: BufferView) -> None:
        super().run_copy(source, target)
        self._device.record(KernelReport("copy", "copy", copy_bytes=source.nbytes, direction=f"{_space(source)}->{_space(target)}"))

    def run_dispatch(self, executable: Executable, entry: str, bindings: Sequence[BufferView], config: dict[str, Any]) -> None:
        asic = isinstance(executable, AsicExecutable)
        for i, view in enumerate(bindings):
            if (_space(view) == "device") != asic:
                kind = "an ASIC program" if asic else "a host-fallback kernel"
                raise InvalidArgumentError(f"{self._device.info.name}: {entry}: {kind} is bound to {_space(view)} memory (binding {i})",
                                           hint="ASIC programs read DRAM and host kernels host memory; compile with this SDK, which copies between them.")  # fmt: skip
        if asic:
            program = list(executable.program)
            relocations = config.get("relocations", [])
            loc = str(config.get("loc", ""))
            for i in range(0, len(relocations), 2):
                index, slot = relocations[i], relocations[i + 1]
                view = bindings[slot]
                base = view.buffer.dram_offset + view.offset  # type: ignore[attr-defined]
                instr = program[index]
                program[index] = Instruction(instr.name, {**instr.fields, "dram_addr": instr.get("dram_addr") + base}, loc)
            program = [i if i.loc else Instruction(i.name, i.fields, loc) for i in program]
            result: RunResult = self._device.sim.run(program)
            self._device.record(KernelReport(entry, "asic", result.cycles, stats(result, self._device.config, entry),
                                             chrome_trace(result, self._device.config, name=entry)))  # fmt: skip
            return
        start = time.perf_counter()
        self._host.run(executable, entry, bindings, config)  # type: ignore[arg-type]
        self._device.record(KernelReport(entry, "host", host_seconds=time.perf_counter() - start))


def _space(view: BufferView) -> str:
    return "device" if isinstance(view.buffer, DramBuffer) else "host"


class RefAsicDevice(HostBackedDevice):
    """One simulated reference ASIC."""

    def __init__(self, config: MachineConfig | None = None, matrix_tile: Callable[..., np.ndarray] | None = None) -> None:
        """`matrix_tile`: what computes the matrix unit's tiles (default the simulator's Python
        model; ``byteir_sim.rtl.cosim.RtlMatrixUnit`` runs the RTL)."""
        self._start_host("ref_asic")
        self.config = config or MachineConfig()
        self.sim = Simulator(self.config, matrix_tile)
        c = self.config
        self._info = DeviceInfo(
            name="ref_asic:0", driver="ref_asic", memory_bytes=c.dram_bytes, max_allocation_bytes=c.dram_bytes, alignment=64,
            capabilities=frozenset({f"executable:{ASIC_FORMAT}", f"executable:{LLVM_FORMAT}", f"executable:{HOST_FORMAT}", f"array:{c.array_size}"}),
            properties={"config": c.to_dict()},
        )  # fmt: skip
        self._free_list: list[tuple[int, int]] = [(0, c.dram_bytes)]
        self._lock = threading.Lock()
        self._in_use = 0
        self._reports: list[KernelReport] = []
        host_bytes = host_memory_bytes()
        self._host_memory = HostMemory(host_bytes, host_bytes // 2, 64)
        self._queue = AsicQueue(self)

    # -- memory: DRAM (first fit, 64-byte aligned) or host memory ----------------------
    def allocate(self, size: int, memory_type: MemoryType = MemoryType.DEVICE_LOCAL, usage: BufferUsage = BufferUsage.DEFAULT) -> Buffer:
        """Device-local memory is simulated DRAM; a host-visible-only request is host memory."""
        self._check_open()
        if MemoryType.DEVICE_LOCAL not in memory_type:
            return HostBuffer(self._host_memory, int(size), MemoryType.HOST_VISIBLE, usage, self._info.name)
        if size < 0:
            raise InvalidArgumentError(f"{self._info.name}: cannot allocate a negative size ({size})")
        need = max(64, (size + 63) // 64 * 64)
        with self._lock:
            for i, (start, length) in enumerate(self._free_list):
                if length >= need:
                    self._free_list[i] = (start + need, length - need)
                    self._in_use += need
                    return DramBuffer(self, start, size, usage)
        raise OutOfMemoryError(f"{self._info.name}: no {need:,}-byte region free in the {self.config.dram_bytes:,}-byte DRAM ({self._in_use:,} in use)",
                               hint="Raise dram_bytes in the machine config or free sessions.")  # fmt: skip

    def _free(self, offset: int, size: int) -> None:
        need = max(64, (size + 63) // 64 * 64)
        with self._lock:
            self._in_use -= need
            regions = sorted([*self._free_list, (offset, need)])
            merged: list[tuple[int, int]] = []
            for start, length in regions:
                if merged and merged[-1][0] + merged[-1][1] == start:
                    merged[-1] = (merged[-1][0], merged[-1][1] + length)
                elif length:
                    merged.append((start, length))
            self._free_list = merged

    def memory_in_use(self) -> int:
        return self._in_use + self._host_memory.in_use

    def prepare_executable(self, format: str, blob: bytes, entry_points: Sequence[str] = ()) -> Executable:  # noqa: A002
        if format == ASIC_FORMAT:
            return AsicExecutable(blob, entry_points[-1] if entry_points else "main")
        if format == LLVM_FORMAT:
            return LlvmExecutable(blob, entry_points, self._info.name)
        if format == HOST_FORMAT:
            return HostKernelExecutable(blob, self._info.name)
        raise UnimplementedError(f"{self._info.name}: executable format {format!r} is not supported")

    # -- reports ----------------------------------------------------------------------
    def record(self, report: KernelReport) -> None:
        with self._lock:
            self._reports.append(report)

    def take_reports(self) -> list[KernelReport]:
        """The per-dispatch reports since the last call."""
        with self._lock:
            reports, self._reports = self._reports, []
        return reports


class RefAsicDriver(Driver):
    name = "ref_asic"

    def devices(self) -> list[DeviceInfo]:
        device = self.create_device()
        try:
            return [device.info]
        finally:
            device.close()

    def create_device(self, index: int = 0, config: MachineConfig | None = None) -> RefAsicDevice:
        if index != 0:
            raise DeviceLostError(f"ref_asic: no device {index} (the simulator provides device 0)")
        return RefAsicDevice(config)
