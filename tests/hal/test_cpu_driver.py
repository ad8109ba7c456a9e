"""The CPU HAL driver against the HAL contract: memory, queues, semaphores, executables."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from byteir_sdk.errors import DeadlineExceededError, InvalidArgumentError, KernelFaultError, OutOfMemoryError, UnimplementedError
from byteir_targets.cpu.driver import CpuDriver


@pytest.fixture(scope="module")
def device():
    dev = CpuDriver().create_device()
    yield dev
    dev.close()


def test_driver_enumerates_one_device() -> None:
    (info,) = CpuDriver().devices()
    assert info.driver == "cpu" and info.alignment == 64 and "executable:llvm-ir" in info.capabilities


@given(size=st.integers(0, 1 << 16), offset=st.integers(0, 1 << 12))
@settings(max_examples=40, deadline=None)
def test_allocation_alignment_and_views(size: int, offset: int, device) -> None:
    buf = device.allocate(size)
    assert buf.size == size and buf.address % device.info.alignment == 0
    n = (size - offset) // 4 if size > offset else 0
    if offset + 4 * n <= size:
        assert buf.view(offset, (n,), np.float32).nbytes == 4 * n
    with pytest.raises(InvalidArgumentError):
        buf.view(size + 1, (1,), np.uint8)
    buf.release()


def test_out_of_memory(device) -> None:
    with pytest.raises(OutOfMemoryError, match="exceeds"):
        device.allocate(device.info.max_allocation_bytes + 1)


def test_update_copy_fill_read_over_subranges(device) -> None:
    q = device.queue()
    a, b = device.allocate(64), device.allocate(64)
    q.fill(a.whole(), b"\x07")
    q.update(a.view(8, (4,), np.int32), np.array([1, 2, 3, 4], np.int32))
    q.copy(a.view(8, (16,), np.uint8), b.view(32, (16,), np.uint8))
    q.fill(b.view(0, (8,), np.uint8), b"\xab\xcd")
    out = q.read(b.whole())
    q.finish()
    assert out[:8].tolist() == [0xAB, 0xCD] * 4
    assert out[32:48].view(np.int32).tolist() == [1, 2, 3, 4]
    with pytest.raises(InvalidArgumentError):
        q.copy(a.view(0, (8,), np.uint8), b.view(0, (16,), np.uint8))
    with pytest.raises(InvalidArgumentError):
        q.fill(a.view(0, (3,), np.uint8), b"\x01\x02")


def test_queue_order_and_semaphores(device) -> None:
    q = device.queue()
    gate, done = device.semaphore(0), device.semaphore(0)
    buf = device.allocate(4)
    q.update(buf.whole(), np.array([1], np.int32).view(np.uint8), wait=[(gate, 1)])
    result = q.read(buf.view(0, (1,), np.int32), signal=[(done, 5)])
    with pytest.raises(DeadlineExceededError):
        done.wait(5, timeout=0.05)  # the queue is blocked on `gate`
    threading.Timer(0.05, gate.signal, args=(1,)).start()
    done.wait(5, timeout=5)
    assert result.tolist() == [1] and done.value == 5
    with pytest.raises(InvalidArgumentError, match="only grow"):
        done.signal(3)


def test_failure_reaches_every_waiter(device) -> None:
    sem = device.semaphore(0)
    errors = []

    def waiter() -> None:
        try:
            sem.wait(1, timeout=5)
        except KernelFaultError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=waiter) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.02)
    sem.fail(KernelFaultError("boom"))
    for t in threads:
        t.join()
    assert len(errors) == 3
    with pytest.raises(KernelFaultError):
        sem.wait(1)


def test_corrupt_and_unknown_executables(device) -> None:
    with pytest.raises(InvalidArgumentError, match="corrupt llvm-ir"):
        device.prepare_executable("llvm-ir", b"define void @f( garbage")
    with pytest.raises(UnimplementedError, match="not supported"):
        device.prepare_executable("spirv", b"\x03\x02\x23\x07")


def test_dispatch_runs_a_jitted_kernel_and_reports_faults(device) -> None:
    ir = """
    define void @double(ptr %table, i64 %lo, i64 %hi) {
    entry:
      %p = load ptr, ptr %table
      br label %loop
    loop:
      %i = phi i64 [ %lo, %entry ], [ %n, %loop ]
      %a = getelementptr float, ptr %p, i64 %i
      %v = load float, ptr %a
      %d = fadd float %v, %v
      store float %d, ptr %a
      %n = add i64 %i, 1
      %c = icmp slt i64 %n, %hi
      br i1 %c, label %loop, label %done
    done:
      ret void
    }"""
    exe = device.prepare_executable("llvm-ir", ir.encode(), ["double"])
    buf = device.allocate(4 * 1000)
    q = device.queue()
    q.update(buf.whole(), np.arange(1000, dtype=np.float32))
    q.dispatch(exe, "double", [buf.whole()], {"steps": ["double"], "extents": [1000]})
    out = q.read(buf.view(0, (1000,), np.float32))
    q.finish()
    assert np.array_equal(out, 2 * np.arange(1000, dtype=np.float32))  # split across threads, exact
    with pytest.raises(InvalidArgumentError, match="no entry point"):
        q.dispatch(exe, "triple", [buf.whole()], {})


def test_stress_many_allocations_and_dispatches(device) -> None:
    start = device.memory_in_use()
    q = device.queue()
    bufs = [device.allocate(1 + i * 37) for i in range(500)]
    for b in bufs:
        q.fill(b.whole(), b"\x01")
    q.finish()
    for b in bufs:
        b.release()
    assert device.memory_in_use() == start


def test_jit_objects_are_cached_on_disk_by_content(tmp_path, monkeypatch, device) -> None:
    from byteir_targets.cpu.driver import LlvmExecutable

    monkeypatch.setenv("BYTEIR_CACHE_DIR", str(tmp_path))
    ir = b"define void @k(ptr %t, i64 %lo, i64 %hi) {\nentry:\n  ret void\n}\n"
    first = LlvmExecutable(ir, ["k"], "cpu:0")
    assert not first.cache_hit and first.cache_file.is_file() and first.cache_file.parent.parent == tmp_path
    second = LlvmExecutable(ir, ["k"], "cpu:0")
    assert second.cache_hit and second.cache_file == first.cache_file
    other = LlvmExecutable(ir.replace(b"@k", b"@k2"), ["k2"], "cpu:0")
    assert other.cache_file != first.cache_file  # keyed by content
