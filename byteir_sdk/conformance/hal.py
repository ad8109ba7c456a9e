"""The HAL tier: the device contract (byteir_sdk.hal) exercised through any target's driver.

In the spirit of IREE's HAL CTS. Every case creates its own device from the target's driver and
closes it; a failing expectation raises AssertionError with what was wrong. Sizes, offsets and
alignments are property-tested with hypothesis.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from byteir_sdk.compiler.backend import Target
from byteir_sdk.conformance.suite import Case
from byteir_sdk.errors import ByteIRError, DeadlineExceededError, HalError, InvalidArgumentError, KernelFaultError, OutOfMemoryError
from byteir_sdk.hal import Device, ExecutableBlob, MemoryType

__all__ = ["hal_cases"]


@contextmanager
def _device(target: Target) -> Iterator[Device]:
    if target.driver is None:
        raise AssertionError(f"target {target.name} has no HAL driver (Target.driver is None)")
    device = target.driver().create_device()
    try:
        yield device
    finally:
        device.close()


def _expect(exc_type: type[BaseException] | tuple[type[BaseException], ...], fn: Callable[[], object], what: str) -> BaseException:
    try:
        fn()
    except exc_type as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - the wrong error type is the finding
        raise AssertionError(f"{what}: raised {type(exc).__name__} ({exc}), expected {exc_type}") from None
    raise AssertionError(f"{what}: no error, expected {exc_type}")


def _hypothesis(strategy_fn: Callable[..., None], **strategies: object) -> None:
    from hypothesis import HealthCheck, given, settings

    settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))(given(**strategies)(strategy_fn))()  # type: ignore[arg-type]


def allocation(target: Target) -> None:
    """Zero, odd and large sizes; alignment of views; every memory type the contract names."""
    from hypothesis import strategies as st

    with _device(target) as dev:
        for size in (0, 1, 3, 4097, 1 << 20):
            buf = dev.allocate(size)
            assert buf.size == size, f"allocate({size}).size == {buf.size}"
            buf.release()
        for memory_type in (MemoryType.DEVICE_LOCAL, MemoryType.HOST_VISIBLE, MemoryType.DEVICE_LOCAL | MemoryType.HOST_VISIBLE):
            dev.allocate(64, memory_type).release()
        q = dev.queue()

        def roundtrip(size: int, offset: int) -> None:
            buf = dev.allocate(size)
            n = size - offset
            data = np.arange(n, dtype=np.uint32).astype(np.uint8)
            q.update(buf.view(offset, (n,), np.uint8), data)
            got = q.read(buf.view(offset, (n,), np.uint8))
            q.finish()
            assert np.array_equal(got, data), f"write/read of {n} bytes at offset {offset} of a {size}-byte buffer"
            buf.release()

        _hypothesis(lambda size, frac: roundtrip(size, int(size * frac)), size=st.integers(1, 1 << 14), frac=st.floats(0, 0.99))


def over_limit(target: Target) -> None:
    """An allocation beyond the device's limit is OutOfMemoryError, and the device still works."""
    with _device(target) as dev:
        exc = _expect(OutOfMemoryError, lambda: dev.allocate(dev.info.max_allocation_bytes + 1), "allocate(max_allocation_bytes + 1)")
        assert str(exc), "OutOfMemoryError without a message"
        dev.allocate(16).release()


def subranges(target: Target) -> None:
    """update / fill / copy / read over sub-ranges, with size mismatches refused."""
    with _device(target) as dev:
        q = dev.queue()
        a, b = dev.allocate(64), dev.allocate(64)
        q.fill(a.whole(), b"\x07")
        q.update(a.view(8, (4,), np.int32), np.array([1, 2, 3, 4], np.int32))
        q.copy(a.view(8, (16,), np.uint8), b.view(32, (16,), np.uint8))
        q.fill(b.view(0, (8,), np.uint8), b"\xab\xcd")
        out = q.read(b.whole())
        q.finish()
        assert out[:8].tolist() == [0xAB, 0xCD] * 4, "fill with a 2-byte pattern"
        assert out[32:48].view(np.int32).tolist() == [1, 2, 3, 4], "update then copy of a sub-range"
        _expect(InvalidArgumentError, lambda: q.copy(a.view(0, (8,), np.uint8), b.view(0, (16,), np.uint8)), "copy between views of different sizes")
        _expect(InvalidArgumentError, lambda: a.view(60, (8,), np.uint8), "a view past the end of the buffer")


def queue_ordering(target: Target) -> None:
    """Queue work waits on a timeline semaphore and signals one; work stays in submission order."""
    with _device(target) as dev:
        q = dev.queue()
        gate, done = dev.semaphore(0), dev.semaphore(0)
        buf = dev.allocate(4)
        q.update(buf.whole(), np.array([1], np.int32).view(np.uint8), wait=[(gate, 1)])
        q.update(buf.whole(), np.array([2], np.int32).view(np.uint8))
        result = q.read(buf.view(0, (1,), np.int32), signal=[(done, 5)])
        _expect(DeadlineExceededError, lambda: done.wait(5, timeout=0.05), "waiting on work blocked behind an unsignalled semaphore")
        threading.Timer(0.05, gate.signal, args=(1,)).start()
        done.wait(5, timeout=10)
        q.finish()
        assert result.tolist() == [2] and done.value == 5, f"got {result.tolist()} / semaphore {done.value}: work ran out of order"


def semaphores(target: Target) -> None:
    """Wait-before-signal, fan-out to several waiters, monotonic values, timeouts."""
    with _device(target) as dev:
        sem = dev.semaphore(0)
        woke: list[int] = []
        threads = [threading.Thread(target=lambda v=v: (sem.wait(v, timeout=10), woke.append(v))) for v in (1, 2, 3)]
        for t in threads:
            t.start()
        time.sleep(0.02)
        sem.signal(2)
        time.sleep(0.05)
        assert sorted(woke) == [1, 2], f"after signal(2) waiters on {sorted(woke)} woke (want 1 and 2)"
        sem.signal(3)
        for t in threads:
            t.join(timeout=10)
        assert sorted(woke) == [1, 2, 3], "every waiter wakes once the value is reached"
        _expect(InvalidArgumentError, lambda: sem.signal(1), "signalling a smaller value")
        _expect(DeadlineExceededError, lambda: sem.wait(10, timeout=0.02), "a wait that times out")


def failure_propagation(target: Target) -> None:
    """A failed semaphore wakes every waiter with the error, and later waits see it too."""
    with _device(target) as dev:
        sem = dev.semaphore(0)
        errors: list[BaseException] = []

        def waiter() -> None:
            try:
                sem.wait(1, timeout=10)
            except KernelFaultError as exc:
                errors.append(exc)

        threads = [threading.Thread(target=waiter) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.02)
        sem.fail(KernelFaultError("injected fault"))
        for t in threads:
            t.join(timeout=10)
        assert len(errors) == 3, f"{len(errors)} of 3 waiters saw the failure"
        _expect(KernelFaultError, lambda: sem.wait(1), "a wait after the failure")


def _tiny_program():  # noqa: ANN202 - (program, inputs)
    from byteir_sdk.compiler.frontend import load

    def fn(a, b):  # noqa: ANN001, ANN202
        return a * b + a

    a = np.linspace(-2, 2, 300, dtype=np.float32)
    b = np.linspace(1, 3, 300, dtype=np.float32)
    return load(fn, a, b), [a, b]


def executables(target: Target) -> None:
    """Every executable the backend emits prepares; a corrupt or unknown one is a clear HalError."""
    from byteir_sdk.compiler.pipeline import compile as compile_program
    from byteir_sdk.runtime import read_byre

    program, _ = _tiny_program()
    byre = read_byre(compile_program(program, target.name))
    backend = target.make_backend()
    fmt = backend.capabilities().executable_format
    blobs = [exe.hal_blob() for exe in byre.executables.values()]
    corrupt = ExecutableBlob(fmt, b"\x00\xffcorrupt" * 7, ("main",))
    with _device(target) as dev:
        for blob in blobs:
            dev.prepare_executable(blob.format, blob.blob, blob.entry_points)
        batch = dev.prepare_executables(blobs)
        assert [e.format for e in batch] == [b.format for b in blobs], "prepare_executables did not give one executable per blob, in order"
        exc = _expect(ByteIRError, lambda: dev.prepare_executable(fmt, corrupt.blob, corrupt.entry_points), f"a corrupt {fmt} blob")
        assert isinstance(exc, HalError), f"a corrupt blob raised {type(exc).__name__}, not a HalError"
        exc = _expect(ByteIRError, lambda: dev.prepare_executables([*blobs, corrupt]), f"a batch with a corrupt {fmt} blob")
        assert isinstance(exc, HalError), f"a batch with a corrupt blob raised {type(exc).__name__}, not a HalError"
        _expect(HalError, lambda: dev.prepare_executable("no-such-format", b"x", ["main"]), "an unknown executable format")


def dispatch_and_reuse(target: Target) -> None:
    """A compiled program runs, and runs again on new inputs with the same session (no re-allocation)."""
    from byteir_sdk.compiler.pipeline import compile as compile_program
    from byteir_sdk.runtime import Session

    program, inputs = _tiny_program()
    with _device(target) as dev:
        with Session(compile_program(program, target.name), device=dev) as session:
            for k in range(3):
                scaled = [x * (k + 1) for x in inputs]
                (got,) = session.run(scaled)
                want = scaled[0] * scaled[1] + scaled[0]
                assert np.allclose(got, want, rtol=1e-6, atol=1e-6), f"run {k}: max error {np.max(np.abs(got - want))}"


def stress_and_leaks(target: Target) -> None:
    """Many allocations and launches; memory in use returns to where it started."""
    from byteir_sdk.compiler.pipeline import compile as compile_program
    from byteir_sdk.runtime import Session

    program, inputs = _tiny_program()
    byre = compile_program(program, target.name)
    with _device(target) as dev:
        start = dev.memory_in_use()
        q = dev.queue()
        bufs = [dev.allocate(1 + i * 37) for i in range(300)]
        for b in bufs:
            q.fill(b.whole(), b"\x01")
        q.finish()
        for b in bufs:
            b.release()
        for _ in range(3):
            with Session(byre, device=dev) as session:
                for _ in range(10):
                    session.run(inputs)
        assert dev.memory_in_use() == start, f"{dev.memory_in_use() - start} bytes still in use after releasing everything"


_CASES = (allocation, over_limit, subranges, queue_ordering, semaphores, failure_propagation, executables, dispatch_and_reuse, stress_and_leaks)


def hal_cases() -> list[Case]:
    """One case per contract area."""

    def wrap(fn: Callable[[Target], None]) -> Callable[[Target], list]:
        def run(target: Target) -> list:
            fn(target)
            return []

        return run

    return [Case(f"hal/{fn.__name__}", "hal", wrap(fn), f"hal:{fn.__name__}") for fn in _CASES]
