"""The ToyVec HAL driver: what the runtime asks of a device.

Memory is host-visible (ToyVec shares the host's memory), so the SDK's host-side HAL pieces
(`byteir_sdk.hal.host`) provide buffers, semaphores and an in-order queue; this driver adds its
executables: ToyVec register programs run on the vector unit (modelled with NumPy), and CPU
executables (the backend's fallback kernels) are forwarded to a CPU device from the registry.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from byteir_sdk.compiler import get_target
from byteir_sdk.errors import DeviceLostError, InvalidArgumentError, KernelFaultError
from byteir_sdk.hal import BufferView, DeviceInfo, Driver, Executable
from byteir_sdk.hal.host import HostBackedDevice, HostMemory, HostQueue, host_array
from toyvec_byteir.backend import FORMAT

_UNITS = {
    "vadd": np.add, "vsub": np.subtract, "vmul": np.multiply, "vdiv": np.divide, "vmax": np.maximum,
    "vmin": np.minimum, "vneg": np.negative, "vabs": np.abs, "vexp": np.exp, "vlog": np.log,
    "vtanh": np.tanh, "vsqrt": np.sqrt,
}  # fmt: skip
_MEMORY = 1 << 30  # 1 GiB of (host-shared) device memory


class VectorProgram(Executable):
    """A validated ToyVec register program."""

    def __init__(self, blob: bytes, entry_points: Sequence[str], device: str) -> None:
        self._entries = tuple(entry_points) or ("main",)  # one program, callable by the kernel's name
        try:
            program = json.loads(blob)
            self.shape = tuple(int(d) for d in program["shape"])
            self.operands = [(o.get("binding"), np.asarray(o.get("const", []), np.float32), tuple(o["view"])) for o in program["operands"]]
            self.code = [(_UNITS[op], args) for op, *args in program["code"]]
            self.results, self.outputs = list(program["results"]), [int(k) for k in program["outputs"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidArgumentError(f"{device}: corrupt {FORMAT} executable ({type(exc).__name__}: {exc})") from None

    @property
    def format(self) -> str:
        return FORMAT

    @property
    def entry_points(self) -> tuple[str, ...]:
        return self._entries

    def run(self, bindings: Sequence[BufferView]) -> None:
        try:
            regs = {f"v{k}": (host_array(bindings[b]) if b is not None else c).reshape(view) for k, (b, c, view) in enumerate(self.operands)}
        except (IndexError, ValueError) as exc:
            raise KernelFaultError(f"{FORMAT} program does not match its {len(bindings)} buffers: {exc}") from None
        value = lambda a: regs[a] if isinstance(a, str) else np.float32(a)  # noqa: E731
        with np.errstate(all="ignore"):  # IEEE results (inf, nan) are the specified behaviour
            for i, (unit, args) in enumerate(self.code):
                regs[f"r{i}"] = unit(*(value(a) for a in args)).astype(np.float32, copy=False)
        for k, reg in zip(self.outputs, self.results):
            np.copyto(host_array(bindings[k]), np.broadcast_to(value(reg), self.shape))


class ToyVecQueue(HostQueue):
    def __init__(self, device: ToyVecDevice) -> None:
        super().__init__(device.info.name)
        self._host_queue = device.host.queue()

    def run_dispatch(self, executable: Executable, entry: str, bindings: Sequence[BufferView], config: dict[str, Any]) -> None:
        if isinstance(executable, VectorProgram):
            executable.run(bindings)
        else:  # a CPU executable: run it on the host over the same (host-visible) buffers
            self._host_queue.dispatch(executable, entry, bindings, config)
            self._host_queue.finish()


class ToyVecDevice(HostBackedDevice):
    def __init__(self) -> None:
        self._start_host("toyvec")
        self.host = get_target("cpu").driver().create_device()
        self._info = DeviceInfo(
            name="toyvec:0", driver="toyvec", memory_bytes=_MEMORY, max_allocation_bytes=_MEMORY // 2, alignment=64,
            capabilities=frozenset({f"executable:{FORMAT}", *self.host.info.capabilities}), properties={"vector_units": 1},
        )  # fmt: skip
        self._memory = HostMemory(_MEMORY, _MEMORY // 2, 64)
        self._queue = ToyVecQueue(self)

    def prepare_executable(self, format: str, blob: bytes, entry_points: Sequence[str] = ()) -> Executable:  # noqa: A002
        self._check_open()
        if format == FORMAT:
            return VectorProgram(blob, entry_points, self._info.name)
        return self.host.prepare_executable(format, blob, entry_points)  # unknown formats: the CPU's HalError

    def close(self) -> None:
        super().close()
        self.host.close()


class ToyVecDriver(Driver):
    name = "toyvec"

    def devices(self) -> list[DeviceInfo]:
        device = ToyVecDevice()
        try:
            return [device.info]
        finally:
            device.close()

    def create_device(self, index: int = 0) -> ToyVecDevice:
        if index != 0:
            raise DeviceLostError(f"toyvec: no device {index} (there is one, index 0)")
        return ToyVecDevice()
