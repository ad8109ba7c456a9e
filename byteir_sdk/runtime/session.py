"""Session: load a ByRE program onto a device once, then run it many times.

At construction: read + verify the module, create the target's device (or use the one given),
allocate one arena per memory space (device-local, or host-visible for host kernels) and one
buffer per entry argument, upload the weights, prepare every
executable. ``run`` binds inputs (in place, without a copy, where the queue can back an input
buffer by the caller's array -- host memory -- and no operation writes it), dispatches the
computes in order on the device queue, copies, and reads the outputs: no allocation of device
buffers per run.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from byteir_sdk import io as sdk_io
from byteir_sdk.compiler.backend import get_target
from byteir_sdk.compiler.byre.emit import ByreModule
from byteir_sdk.compiler.byre.format import ArgType
from byteir_sdk.dtypes import TensorSpec
from byteir_sdk.errors import UnsupportedError
from byteir_sdk.hal import Buffer, BufferView, Command, Device, Executable, MemoryType, Queue
from byteir_sdk.runtime.byre import ByreProgram, ComputeOp, CopyOp, Operand, read_byre, verify_byre

__all__ = ["Session", "KernelTime"]

#: the HAL memory type of each ByRE memory space's arena
_MEMORY_TYPE = {"device": MemoryType.DEVICE_LOCAL, "host": MemoryType.HOST_VISIBLE}


@dataclass(frozen=True)
class KernelTime:
    """One dispatched compute of the last profiled run."""

    callee: str
    kind: str
    seconds: float


class Session:
    """A ByRE program resident on a device. Several sessions may share one device."""

    def __init__(self, byre: ByreModule | ByreProgram | str | os.PathLike[str] | bytes, device: Device | None = None) -> None:
        self.program = byre if isinstance(byre, ByreProgram) else read_byre(byre)
        program = self.program
        target = get_target(program.target) if program.target else None
        if device is None:
            if target is None or target.driver is None:
                raise UnsupportedError(f"{program.source}: target '{program.target}' has no HAL driver to run on", hint="Pass device=... explicitly.")
            device = target.driver().create_device()
            self._owns_device = True
        else:
            self._owns_device = False
        self.device = device
        library = getattr(device, "library_callees", lambda: ())()
        verify_byre(program, library)
        self._queue = device.queue(0)
        self._args: list[Buffer] = [device.allocate(a.nbytes) for a in program.args]
        self._arenas: dict[str, Buffer] = {space: device.allocate(size, _MEMORY_TYPE[space]) for space, size in program.arenas.items() if size}
        for i in program.arg_indices(ArgType.WEIGHT):
            self._queue.update(self._args[i].whole(), program.weights[program.args[i].name])
        blobs = [exe.hal_blob() for exe in program.executables.values()]
        self._executables: dict[str, Executable] = dict(zip(program.executables, device.prepare_executables(blobs), strict=True))
        self._plan: list[tuple[str, Any]] = []
        for op in program.ops:
            if isinstance(op, ComputeOp):
                exe = program.executables[op.callee]
                bindings = [self._view(o) for o in (*op.inputs, *op.outputs)]
                if op.scratch is not None:
                    bindings.append(self._view(op.scratch))
                self._plan.append(("dispatch", (op.callee, self._executables[op.callee], exe.entry, bindings, dict(exe.launch))))
            else:
                assert isinstance(op, CopyOp)
                self._plan.append(("copy", (self._view(op.source), self._view(op.target))))
        # the whole plan as one command buffer, replayed per run (a CUDA graph on the cuda target)
        self._commands = self._queue.record([Command("dispatch", item[1:]) if kind == "dispatch" else Command("copy", item) for kind, item in self._plan])
        self._inputs = program.arg_indices(ArgType.INPUT)
        self._outputs = program.arg_indices(ArgType.OUTPUT)
        self._input_views = [self._args[i].whole() for i in self._inputs]
        # inputs no operation writes may be read from the caller's arrays in place (no upload copy)
        written = {o.arg for op in program.ops for o in (op.outputs if isinstance(op, ComputeOp) else (op.target,))}
        self._read_only_inputs = [i not in written for i in self._inputs]
        self._bound: list[Buffer] = []
        self._spares: list[np.ndarray | None] = [None] * len(self._outputs)  # the last run's direct outputs
        self._output_views = [self._view(Operand(i, 0, program.args[i].shape, program.args[i].element)) for i in self._outputs]
        self.input_specs: tuple[TensorSpec, ...] = tuple(program.args[i].spec() for i in self._inputs)
        self.output_specs: tuple[TensorSpec, ...] = tuple(program.args[i].spec() for i in self._outputs)
        self._queue.finish()
        self._last_profile: list[KernelTime] = []

    def _view(self, o: Operand) -> BufferView:
        if o.arg is not None:
            return self._args[o.arg].view(0, o.shape, o.element.dtype)
        return self._arenas[o.space].view(o.offset, o.shape, o.element.dtype)

    def _upload(self, inputs: sdk_io.Inputs) -> Queue:
        """Check `inputs` against the signature and queue their upload; returns the queue."""
        arrays = sdk_io.bind_inputs(self.input_specs, inputs, what=self.program.source)
        for view, array, read_only in zip(self._input_views, arrays, self._read_only_inputs):
            if read_only and self._queue.bind_host(view.buffer, array):
                self._bound.append(view.buffer)
            else:
                self._queue.update(view, array)
        return self._queue

    def _bind_outputs(self) -> list[np.ndarray | None]:
        """Arrays the outputs are written into in place (no read-back copy), where the queue can
        back an output buffer by host memory; None where the output is read back after. An array
        returned by the previous run that nobody holds any more (no reference, view or buffer
        export but this session's) is written again instead of a fresh one: a fresh array's pages
        are faulted in and zeroed by the kernel on first touch, as slow as a copy."""
        arrays: list[np.ndarray | None] = []
        for i, view in enumerate(self._output_views):
            # references: the list's and getrefcount's argument; any other holder keeps it theirs
            free = self._spares[i] is not None and sys.getrefcount(self._spares[i]) == 2
            array = self._spares[i] if free else np.empty(view.shape, view.dtype)
            self._spares[i] = None
            if self._queue.bind_host(view.buffer, array, writable=True):
                self._bound.append(view.buffer)
                arrays.append(array)
            else:
                arrays.append(None)
        return arrays

    def _finish(self) -> None:
        """Wait for the run; then the input buffers stop borrowing the caller's arrays."""
        try:
            self._queue.finish()
        finally:
            for buffer in self._bound:
                self._queue.unbind_host(buffer)
            self._bound = []

    def run(self, inputs: sdk_io.Inputs) -> list[np.ndarray]:
        """Run once on `inputs` (a list, or a dict by argument name); returns the outputs, arrays the
        caller owns (on host memory the kernels write them in place; one the caller has dropped by
        the next run, with no view or reference left, is written again instead of a fresh one)."""
        return self._run(inputs, recorded=True)

    def _run(self, inputs: sdk_io.Inputs, recorded: bool) -> list[np.ndarray]:
        """One run: the recorded command buffer, or (`recorded` False, for per-op profiles) each op."""
        q = self._upload(inputs)
        try:
            direct = self._bind_outputs()
            if recorded:
                q.execute(self._commands)
            else:  # the recorded commands, one by one (the queue may have told their configs more)
                for command in self._commands.commands:
                    (q.dispatch if command.kind == "dispatch" else q.copy)(*command.args)
            outputs = [q.read(view) if array is None else array for view, array in zip(self._output_views, direct)]
        finally:
            self._finish()
        self._spares = direct
        return outputs

    def run_traced(self, inputs: sdk_io.Inputs) -> list[tuple[str, list[np.ndarray]]]:
        """Run once, reading back every compute's outputs right after it: ``[(callee, outputs)]``
        in dispatch order (slow; for debugging, e.g. first-divergence bisection)."""
        q = self._upload(inputs)
        computes = iter(op for op in self.program.ops if isinstance(op, ComputeOp))
        trace: list[tuple[str, list[np.ndarray]]] = []
        try:
            for (kind, item), command in zip(self._plan, self._commands.commands):
                if kind == "dispatch":
                    q.dispatch(*command.args)
                    callee, bindings = item[0], item[3]
                    op = next(computes)  # its bindings are its inputs, then its outputs
                    trace.append((callee, [q.read(v) for v in bindings[len(op.inputs) : len(op.inputs) + len(op.outputs)]]))
                else:
                    q.copy(*command.args)
        finally:
            self._finish()
        return trace

    def profile(self, inputs: sdk_io.Inputs, repeat: int = 1) -> list[KernelTime]:
        """Run `repeat` times with device profiling on; per-compute times of the last run."""
        self.device.set_profiling(True)
        try:
            self._queue.profile()
            for _ in range(repeat):
                self._run(inputs, recorded=False)
                events = self._queue.profile()
        finally:
            self.device.set_profiling(False)
        names = iter(item[0] for kind, item in self._plan if kind == "dispatch")
        times = []
        for ev in events:
            if ev.kind == "dispatch":
                times.append(KernelTime(next(names, ev.name), "dispatch", ev.seconds))
            elif ev.kind == "copy":
                times.append(KernelTime("copy", "copy", ev.seconds))
        self._last_profile = times
        return times

    def benchmark(self, inputs: sdk_io.Inputs, repeat: int = 10) -> list[float]:
        """Wall seconds of `repeat` steady-state runs (after one warm-up)."""
        self.run(inputs)
        out = []
        for _ in range(repeat):
            start = time.perf_counter()
            self.run(inputs)
            out.append(time.perf_counter() - start)
        return out

    def close(self) -> None:
        """Free the session's buffers (and the device, if the session created it)."""
        for b in self._args:
            b.release()
        for arena in self._arenas.values():
            arena.release()
        self._args = []
        self._arenas = {}
        if self._owns_device:
            self.device.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


