"""CPU-driver specifics. The generic HAL contract (memory, queues, semaphores, failure propagation,
stress and leaks) is the conformance suite's HAL tier, run for every in-tree target in
tests/conformance/test_suite.py."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from byteir_sdk.errors import InvalidArgumentError, UnimplementedError
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


def test_corrupt_and_unknown_executables(device) -> None:
    with pytest.raises(InvalidArgumentError, match="corrupt llvm-ir"):
        device.prepare_executable("llvm-ir", b"define void @f( garbage")
    with pytest.raises(UnimplementedError, match="not supported"):
        device.prepare_executable("spirv", b"\x03\x02\x23\x07")


def _scale_kernel(name: str, factor: int, sine: bool = False) -> bytes:
    """A kernel `name` that multiplies a float table by `factor`, and with `sine` adds the sine of
    each element (a loop LLVM vectorises around a libm call, so that a compile takes a while)."""
    body = "%s = call float @llvm.sin.f32(float %x)\n      %d = fadd float %m, %s" if sine else "%d = fadd float %m, 0.0"
    return f"""
    declare float @llvm.sin.f32(float)
    define void @{name}(ptr %table, i64 %lo, i64 %hi) {{
    entry:
      %p = load ptr, ptr %table
      br label %loop
    loop:
      %i = phi i64 [%lo, %entry], [%n, %loop]
      %a = getelementptr float, ptr %p, i64 %i
      %x = load float, ptr %a
      %m = fmul float %x, {factor}.0
      {body}
      store float %d, ptr %a
      %n = add i64 %i, 1
      %c = icmp slt i64 %n, %hi
      br i1 %c, label %loop, label %done
    done:
      ret void
    }}""".encode()


def test_dispatch_runs_a_jitted_kernel_and_reports_faults(device) -> None:
    exe = device.prepare_executable("llvm-ir", _scale_kernel("double", 2), ["double"])
    buf = device.allocate(4 * 1000)
    q = device.queue()
    q.update(buf.whole(), np.arange(1000, dtype=np.float32))
    q.dispatch(exe, "double", [buf.whole()], {"steps": ["double"], "extents": [1000]})
    out = q.read(buf.view(0, (1000,), np.float32))
    q.finish()
    assert np.array_equal(out, 2 * np.arange(1000, dtype=np.float32))  # split across threads, exact
    with pytest.raises(InvalidArgumentError, match="no entry point"):
        q.dispatch(exe, "triple", [buf.whole()], {})


def test_jit_objects_are_cached_on_disk_by_content(tmp_path, monkeypatch, device) -> None:
    from byteir_targets.cpu.driver import LlvmExecutable

    monkeypatch.setenv("BYTEIR_CACHE_DIR", str(tmp_path))
    ir = b"define void @k(ptr %t, i64 %lo, i64 %hi) {\nentry:\n  ret void\n}\n"
    first = LlvmExecutable(ir, ["k"], "cpu:0")
    (cached,) = first.cache_files
    assert not first.cache_hit and cached.is_file() and cached.parent.parent == tmp_path
    second = LlvmExecutable(ir, ["k"], "cpu:0")
    assert second.cache_hit and second.cache_files == first.cache_files
    other = LlvmExecutable(ir.replace(b"@k", b"@k2"), ["k2"], "cpu:0")
    assert other.cache_files != first.cache_files  # keyed by content


def test_prepare_executables_compiles_a_batch_on_threads_as_one_at_a_time(tmp_path, monkeypatch, device) -> None:
    """A batch of llvm-ir blobs compiles on up to one thread per core; each executable runs, and
    its object code is byte for byte what compiling it alone gives."""
    from byteir_sdk.hal import ExecutableBlob
    from byteir_targets.cpu import driver

    threads: set[int] = set()
    compile_one = driver._LlvmObject.compile

    def compile_recorded(self) -> None:  # noqa: ANN001
        threads.add(threading.get_ident())
        compile_one(self)

    monkeypatch.setattr(driver._LlvmObject, "compile", compile_recorded)
    monkeypatch.setenv("BYTEIR_CACHE_DIR", str(tmp_path / "batch"))
    blobs = [ExecutableBlob("llvm-ir", _scale_kernel(f"k{i}", i + 2, sine=True), (f"k{i}",)) for i in range(6)]
    exes = device.prepare_executables(blobs)
    assert [e.entry_points for e in exes] == [b.entry_points for b in blobs] and not any(e.cache_hit for e in exes)
    assert len(threads) == min(device.threads, len(blobs))
    x = np.linspace(-3, 3, 1000, dtype=np.float32)
    q = device.queue()
    for i, exe in enumerate(exes):
        buf = device.allocate(x.nbytes)
        q.update(buf.whole(), x)
        q.dispatch(exe, f"k{i}", [buf.whole()], {"steps": [f"k{i}"], "extents": [x.size]})
        got = q.read(buf.view(0, x.shape, x.dtype))
        q.finish()
        np.testing.assert_allclose(got, x * (i + 2) + np.sin(x), rtol=1e-6, atol=1e-6)  # float32: libm's sinf vs NumPy's
    monkeypatch.setenv("BYTEIR_CACHE_DIR", str(tmp_path / "alone"))
    for blob, exe in zip(blobs, exes):
        alone = driver.LlvmExecutable(blob.blob, blob.entry_points, "cpu:0")
        assert not alone.cache_hit and alone.cache_files[0].read_bytes() == exe.cache_files[0].read_bytes()
    again = device.prepare_executables(blobs)  # all from the cache: nothing compiles
    assert all(e.cache_hit for e in again)


def _caller_kernel(name: str, callees: list[str]) -> bytes:
    """A kernel `name` that calls each of `callees` (declared: another module defines them)."""
    decls = "".join(f"declare void @{c}(ptr, i64, i64)\n" for c in callees)
    calls = "".join(f"  call void @{c}(ptr %t, i64 %lo, i64 %hi)\n" for c in callees)
    return f"{decls}define void @{name}(ptr %t, i64 %lo, i64 %hi) {{\nentry:\n{calls}  ret void\n}}\n".encode()


def test_the_modules_of_one_executable_compile_on_threads_and_link(tmp_path, monkeypatch, device) -> None:
    """An llvm-ir blob of several modules (NUL-separated) compiles in up to one object per core,
    the modules spread evenly over them; the objects link into one program (a call from one module
    into another works), and compiled alone, in one object, it runs the same."""
    from byteir_targets.cpu import driver
    from byteir_targets.cpu.backend import llvm_blob

    objects: list[int] = []
    compile_one = driver._LlvmObject.compile
    monkeypatch.setattr(driver._LlvmObject, "compile", lambda self: (objects.append(self.size), compile_one(self))[1])
    monkeypatch.setenv("BYTEIR_CACHE_DIR", str(tmp_path))
    parts = [_scale_kernel("twice", 2, sine=True), _scale_kernel("thrice", 3, sine=True), _caller_kernel("both", ["twice", "thrice"])]
    blob = llvm_blob([p.decode() for p in parts])
    exe = device.prepare_executable("llvm-ir", blob, ["both"])
    assert len(objects) == min(device.threads, 3) and exe.entry_points == ("both",)
    alone = driver.LlvmExecutable(blob, ["both"], "cpu:0")
    assert len(alone.cache_files) == 1
    x = np.linspace(-3, 3, 1000, dtype=np.float32)
    q = device.queue()
    for e in (exe, alone):
        buf = device.allocate(x.nbytes)
        q.update(buf.whole(), x)
        q.dispatch(e, "both", [buf.whole()], {"steps": ["both"], "extents": [x.size]})
        got = q.read(buf.view(0, x.shape, x.dtype))
        q.finish()
        twice = x * 2 + np.sin(x)
        np.testing.assert_allclose(got, twice * 3 + np.sin(twice), rtol=1e-5, atol=1e-5)  # float32 libm sinf vs NumPy


def test_modules_go_into_bins_of_about_equal_size() -> None:
    from byteir_targets.cpu.driver import _bins

    parts = ["a" * 90, "b" * 50, "c" * 40, "d" * 10]
    assert _bins(parts, 2) == [["a" * 90, "d" * 10], ["b" * 50, "c" * 40]]
    assert _bins(parts, 1) == [parts]
    assert _bins(parts[:2], 8) == [["a" * 90], ["b" * 50]]  # no empty bins
    assert _bins(["x"], 4) == [["x"]]


def test_a_module_that_does_not_link_is_a_corrupt_executable(tmp_path, monkeypatch, device) -> None:
    """Two modules that define the same function, or a module that is not LLVM IR, raise our
    error naming the executable, before anything compiles."""
    from byteir_targets.cpu.backend import llvm_blob

    monkeypatch.setenv("BYTEIR_CACHE_DIR", str(tmp_path))
    twice = _scale_kernel("twice", 2).decode()
    for blob in (llvm_blob([twice, twice]), llvm_blob([twice, "define void @f( garbage"])):
        with pytest.raises(InvalidArgumentError, match="corrupt llvm-ir executable"):
            driver_exe = device.prepare_executable("llvm-ir", blob, ["twice"])
            del driver_exe
    assert not any(tmp_path.rglob("*.o"))


def test_prepare_executables_checks_every_blob_before_compiling(tmp_path, monkeypatch, device) -> None:
    """A corrupt blob or an unknown format anywhere in a batch raises before any blob compiles."""
    from byteir_sdk.hal import ExecutableBlob

    monkeypatch.setenv("BYTEIR_CACHE_DIR", str(tmp_path))
    good = ExecutableBlob("llvm-ir", _scale_kernel("k", 3, sine=True), ("k",))
    with pytest.raises(InvalidArgumentError, match="corrupt llvm-ir"):
        device.prepare_executables([good, ExecutableBlob("llvm-ir", b"define void @f( garbage")])
    with pytest.raises(InvalidArgumentError, match="corrupt host-kernel"):
        device.prepare_executables([good, ExecutableBlob("stablehlo-host", b"module { garbage")])
    with pytest.raises(UnimplementedError, match="not supported"):
        device.prepare_executables([good, ExecutableBlob("spirv", b"\x03\x02\x23\x07")])
    assert not any(tmp_path.rglob("*.o"))


def test_command_buffers_and_inline_ops_keep_queue_order(device) -> None:
    """A recorded command buffer runs its commands in order, after its waits and before its
    signals; an operation submitted behind blocked work waits for it even though an idle queue
    runs operations inline."""
    from byteir_sdk.hal import Command

    a, b = device.allocate(16), device.allocate(16)
    q = device.queue()
    q.update(a.whole(), np.arange(16, dtype=np.uint8))
    gate, done = device.semaphore(0), device.semaphore(0)
    commands = q.record([Command("copy", (a.whole(), b.whole())), Command("copy", (b.view(0, (8,)), a.view(8, (8,))))])
    q.execute(commands, wait=[(gate, 1)], signal=[(done, 1)])
    late = q.read(a.whole())  # queued behind the blocked command buffer, not run inline
    assert done.value == 0
    gate.signal(1)
    done.wait(1, timeout=10)
    q.finish()
    assert np.array_equal(late, np.r_[np.arange(16)[:8], np.arange(8)].astype(np.uint8))
    q.execute(q.record([]), signal=[(done, 2)])  # an empty buffer still signals
    assert done.value == 2
    a.release()
    b.release()


def test_last_parallel_dim_moves_inside_trailing_reductions() -> None:
    """Pooling-style loops vectorise over channels; row reductions keep their order."""
    from byteir_sdk.compiler.loop import kernel_ir as K
    from byteir_targets.cpu.codegen import _loop_order

    d = [K.Dim(i) for i in range(6)]
    pool = K.Loop("pooling_nhwc_max", (2, 4, 4, 8, 2, 2), ("parallel",) * 4 + ("reduction",) * 2, ("x",), ("o",),
                  (K.AffineMap(6, (d[0], d[1], d[2], d[3])), K.AffineMap(6, (d[0], d[1], d[2], d[3]))), (K.Arg(1, "f32"),), ("r",))  # fmt: skip
    assert _loop_order(pool, split=True) == [0, 1, 2, 4, 5, 3]
    rows = K.Loop("generic", (8, 64), ("parallel", "reduction"), ("x",), ("o",),
                  (K.AffineMap(2, (d[0], d[1])), K.AffineMap(2, (d[0],))), (K.Arg(1, "f32"),), ("r",))  # fmt: skip
    assert _loop_order(rows, split=True) == [0, 1]
    # a layernorm's row sums over [batch, rows, features]: moving the rows inside would read the
    # input a column at a time (gathers, and the accumulator loaded and stored per element)
    rows3 = K.Loop("generic", (4, 256, 512), ("parallel", "parallel", "reduction"), ("x",), ("o",),
                   (K.AffineMap(3, (d[0], d[1], d[2])), K.AffineMap(3, (d[0], d[1]))), (K.Arg(1, "f32"),), ("r",))  # fmt: skip
    assert _loop_order(rows3, split=True) == [0, 1, 2]
    # a convolution over channels: the image does not vary along the output channel, the filter
    # is contiguous along it, so the output channels still go inside the taps and input channels
    conv = K.Loop("generic", (2, 4, 4, 8, 3, 3, 16), ("parallel",) * 4 + ("reduction",) * 3, ("x", "w"), ("o",),
                  (K.AffineMap(7, (d[0], K.AffineBin("+", d[1], d[4]), K.AffineBin("+", d[2], d[5]), K.Dim(6))),
                   K.AffineMap(7, (d[4], d[5], K.Dim(6), d[3])), K.AffineMap(7, (d[0], d[1], d[2], d[3]))),
                  (K.Arg(2, "f32"),), ("r",))  # fmt: skip
    assert _loop_order(conv, split=True) == [0, 1, 2, 4, 5, 6, 3]


@pytest.mark.parametrize(("extent", "threads"), [(1000, 2), (7, 2), (5, 4), (64, 3)])
def test_a_parallel_step_covers_every_row_once_in_chunks(extent: int, threads: int) -> None:
    """The rows of a parallel step are cut into chunks that threads (the calling one included)
    take as they come free: together the chunks cover [0, extent) exactly once."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from byteir_targets.cpu.driver import HostExecutor

    seen: list[tuple[int, int, int]] = []
    caller, caller_started = threading.get_ident(), threading.Event()

    def step(table: int, lo: int, hi: int) -> None:
        # Workers hold their first chunk until the calling thread has taken one: on a loaded
        # machine the calling thread may otherwise be scheduled only after they took every chunk.
        if threading.get_ident() == caller:
            caller_started.set()
        else:
            caller_started.wait(10)
        seen.append((lo, hi, threading.get_ident()))
        time.sleep(0.005)  # a kernel releases the GIL while it runs

    with ThreadPoolExecutor(threads) as pool:
        HostExecutor(pool, threads)._parallel(lambda lo, hi: step(0, lo, hi), extent, threads)
    ranges = sorted((lo, hi) for lo, hi, _ in seen)
    assert ranges[0][0] == 0 and ranges[-1][1] == extent
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:])) and all(hi > lo for lo, hi in ranges)
    assert len(ranges) == min(extent, threads * 4)
    assert threading.get_ident() in {t for _, _, t in seen}  # the calling thread works too
