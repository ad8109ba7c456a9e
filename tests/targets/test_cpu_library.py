"""The CPU target's library steps: f32/f64 contractions (plain, batched, B transposed) and NHWC x
HWIO 2-D convolutions (im2col + BLAS, built in chunks) must be chosen for those loops and agree
with the StableHLO interpreter (f32: |a - b| <= 1e-5 + 1e-4 |b|)."""

from __future__ import annotations

import contextlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from byteir_sdk.hal.host import host_array
from byteir_targets.cpu import codegen, driver
from tests.targets.cpu_checks import checked_compilation, kernel_steps

RNG = np.random.default_rng(7)


@pytest.fixture(autouse=True)
def _no_direct_convolutions(monkeypatch: pytest.MonkeyPatch) -> None:
    """f32 convolutions go to the library only when the direct kernel does not take them (its
    filter block would not fit L1): here, none does (the direct kernel: test_cpu_direct_conv)."""
    monkeypatch.setattr(codegen, "_CONV_FILTER_BLOCK_BYTES", 0)


def _library_steps(fn, *args: np.ndarray) -> list:  # noqa: ANN001
    """The library steps of the compiled program, after checking its run against the interpreter."""
    return [s for steps in kernel_steps(checked_compilation(fn, *args)) for s in steps if s.library is not None]


def _check(fn, *args: np.ndarray) -> list[str]:  # noqa: ANN001
    return [s.library["op"] for s in _library_steps(fn, *args)]


def _r(*shape: int, dtype=np.float32) -> np.ndarray:  # noqa: ANN001
    return RNG.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize(("a", "b", "spec"), [
    ((3, 17, 9), (3, 9, 5), "bmk,bkn->bmn"),
    ((2, 4, 8, 6), (2, 4, 10, 6), "bhqd,bhkd->bhqk"),  # attention scores: B transposed
    ((2, 4, 8, 10), (2, 4, 10, 6), "bhqk,bhkd->bhqd"),
    ((33, 7), (7, 1), "mk,kn->mn"),
])  # fmt: skip
def test_contractions_run_as_blas(a, b, spec) -> None:  # noqa: ANN001
    assert _check(lambda x, y: jnp.einsum(spec, x, y), _r(*a), _r(*b)) == ["contraction"]


def _heads(t, h: int):  # noqa: ANN001, ANN202
    """(b, s, h * d) -> (b, h, s, d): a head split."""
    return t.reshape(t.shape[0], t.shape[1], h, -1).transpose(0, 2, 1, 3)


STRIDED = {  # fn, operand shapes: contractions whose operands are strided views of their buffers
    "head split q k^T": (lambda x, wq, wk: jnp.einsum("bhqd,bhkd->bhqk", _heads(x @ wq, 4), _heads(x @ wk, 4)), (2, 12, 16), (16, 32), (16, 32)),
    "attention merged back": (lambda p, x, wv: jnp.einsum("bhqk,bhkd->bhqd", p, _heads(x @ wv, 4)).transpose(0, 2, 1, 3).reshape(2, 12, 32),
                              (2, 4, 12, 12), (2, 12, 16), (16, 32)),
    "A transposed": (lambda x, w: x.T @ w, (9, 17), (9, 5)),
    "both transposed": (lambda x, w: jnp.einsum("km,nk->mn", x, w), (9, 17), (5, 9)),
    "batch in the middle": (lambda x, y: jnp.einsum("mbk,bkn->bmn", x, y), (7, 3, 6), (3, 6, 5)),
    "output transposed": (lambda x, w: jnp.transpose(x @ w), (16, 9), (9, 24)),
}  # fmt: skip


@pytest.mark.parametrize("name", STRIDED)
def test_strided_contractions_run_as_blas_without_copies(name: str) -> None:
    """A transpose before a contraction folds into the dot (graph stage), one after it into the
    contraction's output map (loop stage): BLAS reads and writes the views, no copy loop is left."""
    fn, *shapes = STRIDED[name]
    # operands of a quarter: chained contractions' terms stay near 1, so where their sum cancels, its
    # rounding (on BLAS's order or the interpreter's) stays under f32's absolute tolerance (1e-5)
    comp = checked_compilation(fn, *(_r(*s) / 4 for s in shapes))
    steps = [s for steps in kernel_steps(comp) for s in steps]
    assert steps and all(s.library is not None and s.library["op"] == "contraction" for s in steps), [s.entry for s in steps]


def test_a_contraction_blas_cannot_read_is_generated() -> None:
    """lhs (m, k, batch): its matrices have no unit-stride axis, so no BLAS call can read them."""
    fn = lambda x, y: lax.dot_general(x, y, (((1,), (1,)), ((2,), (0,))))  # noqa: E731
    assert _check(fn, _r(4, 8, 3), _r(3, 8, 5)) == []


def test_f64_contraction_and_epilogue() -> None:
    with jax.enable_x64(True):
        ops = _check(lambda x, y: jnp.maximum(x @ y + 1.0, 0.0), _r(5, 7, dtype=np.float64), _r(7, 3, dtype=np.float64))
    assert ops == ["contraction"]


CONVS = {  # image NHWC, filter HWIO, stride, padding, filter dilation
    "3x3 same": ((2, 9, 11, 5), (3, 3, 5, 7), (1, 1), "SAME", (1, 1)),
    "stride 2": ((2, 10, 9, 3), (3, 3, 3, 4), (2, 2), "SAME", (1, 1)),
    "1x1": ((3, 6, 5, 8), (1, 1, 8, 4), (1, 1), "VALID", (1, 1)),
    "1x1 stride 2": ((1, 7, 7, 4), (1, 1, 4, 6), (2, 2), "VALID", (1, 1)),
    "dilated asymmetric pad": ((1, 12, 10, 2), (3, 2, 2, 3), (1, 2), ((2, 1), (0, 3)), (2, 3)),
    "5x5 valid": ((2, 9, 9, 1), (5, 5, 1, 2), (1, 1), "VALID", (1, 1)),  # one channel: tap-major im2col
    "stride 2 one channel": ((3, 9, 8, 1), (3, 3, 1, 4), (2, 2), "SAME", (1, 1)),
}


@pytest.mark.parametrize("chunk", [None, 256, 1 << 12], ids=["whole", "row-chunks", "image-chunks"])
@pytest.mark.parametrize("name", CONVS)
def test_convolutions_run_as_im2col_gemm(name: str, chunk: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if chunk is not None:
        monkeypatch.setattr(driver, "_IM2COL_CHUNK_BYTES", chunk)
    image, filt, stride, padding, dilation = CONVS[name]

    def conv(x, w):  # noqa: ANN001, ANN202
        y = lax.conv_general_dilated(x, w, stride, padding, rhs_dilation=dilation, dimension_numbers=("NHWC", "HWIO", "NHWC"))
        return jnp.maximum(y, 0.0)

    assert _check(conv, _r(*image), _r(*filt)) == ["conv2d"]


def test_integer_and_grouped_convolutions_stay_generated() -> None:
    x, w = _r(1, 6, 6, 4), _r(3, 3, 2, 4)
    grouped = lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"), feature_group_count=2)  # noqa: E731
    assert _check(grouped, x, w) == []
    xi, wi = RNG.integers(-5, 5, (1, 5, 5, 2)).astype(np.int32), RNG.integers(-5, 5, (3, 3, 2, 2)).astype(np.int32)
    assert _check(lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")), xi, wi) == []


@pytest.mark.parametrize("images", [1, 3])
@pytest.mark.parametrize(("filt", "pad"), [((3, 3, 6, 5), (1, 1)), ((1, 1, 6, 5), (0, 0))], ids=["3x3 same", "1x1"])
def test_fewer_images_than_threads_split_output_rows(images: int, filt: tuple[int, ...], pad: tuple[int, int]) -> None:
    """A convolution on fewer images than threads (batch-1 inference) cuts every image's output rows
    across the threads, not its images (one image would run on one core); its epilogue runs once,
    on all the images, after every row is done. f32 against XLA: |a - b| <= 1e-5 + 1e-4 |b|."""
    x, w = _r(images, 9, 7, 6), _r(*filt)
    want = np.asarray(lax.conv_general_dilated(x, w, (1, 1), [(p, p) for p in pad], dimension_numbers=("NHWC", "HWIO", "NHWC")))
    call = {"op": "conv2d", "a_shape": list(x.shape), "b_shape": list(w.shape), "c_shape": list(want.shape), "stride": [1, 1],
            "dilation": [1, 1], "pad": list(pad)}  # fmt: skip
    done: list[tuple[int, int]] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(driver, "_BLAS_MIN_MACS", 1)  # (this small convolution is cut all the same)
        got = _run_call(call, x, w, want.shape, threads=4, after=lambda lo, hi: done.append((lo, hi)))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    assert done == [(0, images)]


def _run_call(call: dict, a: np.ndarray, b: np.ndarray, c_shape: tuple[int, ...], threads: int = 0, after=None,  # noqa: ANN001
              blas_threads: bool = False) -> np.ndarray:
    """Run library `call` on buffers holding `a`, `b` and a zero C of `c_shape` (on a pool of
    `threads`, else the device's; `blas_threads` as a program with no parallel code of ours would
    run it); returns C."""
    from concurrent.futures import ThreadPoolExecutor

    from byteir_targets.cpu.driver import CpuDevice, HostExecutor

    device = CpuDevice()
    try:
        views = [device.allocate(arr.nbytes).view(0, arr.shape, arr.dtype) for arr in (a, b, np.zeros(c_shape, np.float32))]
        for view, arr in zip(views, (a, b)):
            host_array(view)[...] = arr
        call = {"a": [0, 0], "b": [1, 0], "c": [2, 0], "dtype": "f32", "accumulate": False, **call}
        with contextlib.ExitStack() as stack:
            pool = stack.enter_context(ThreadPoolExecutor(threads)) if threads else device.pool
            HostExecutor(pool, threads or device.threads)._run_library(call, views, after, blas_threads)
        return host_array(views[2]).copy()
    finally:
        device.close()


@pytest.mark.parametrize(("op", "a", "b"), [("matmul", (5, 3), (3, 4)), ("batch_matmul", (2, 5, 3), (2, 3, 4))])
def test_library_calls_of_older_byre_files_still_run(op: str, a: tuple[int, ...], b: tuple[int, ...]) -> None:
    """.byre files written before the "contraction" routine name their BLAS calls matmul / batch_matmul."""
    x, y = _r(*a), _r(*b)
    c_shape = (*a[:-1], b[-1])
    got = _run_call({"op": op, "a_shape": list(a), "b_shape": list(b), "c_shape": list(c_shape)}, x, y, c_shape)
    np.testing.assert_allclose(got, x @ y, rtol=1e-5, atol=1e-6)


BIAS = _r(24)


@pytest.mark.parametrize("block", [None, 64], ids=["one-block", "row-blocks"])
@pytest.mark.parametrize(("fn", "shapes"), [
    (lambda x, w: jnp.maximum(x @ w + BIAS, 0.0), [(37, 16), (16, 24)]),  # rows of one matmul
    (lambda x, w: jnp.tanh(jnp.einsum("bmk,bkn->bmn", x, w) * BIAS[:6]), [(5, 7, 9), (5, 9, 6)]),  # batches
    (lambda x, w: jnp.maximum(lax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC")) + BIAS[:6], 0.0),
     [(5, 4, 3, 8), (1, 1, 8, 6)]),  # 1x1: a GEMM on the image
])  # fmt: skip
def test_elementwise_steps_after_a_library_call_run_on_each_block(fn, shapes, block, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """The bias / activation loop after a BLAS call (in the same kernel: the bias is a constant)
    becomes its epilogue, run on each block of output rows as it is done; results agree with
    the interpreter for one block and for many."""
    if block is not None:
        monkeypatch.setattr(driver, "_EPILOGUE_BLOCK_BYTES", block)
    args = [_r(*s) for s in shapes]
    (step,) = _library_steps(fn, *args)
    epilogue = step.library.get("epilogue", [])
    assert len(epilogue) == 1


def test_a_library_output_read_across_rows_gets_no_epilogue() -> None:
    """(x @ w).T read by the next loop needs every row of the product: no epilogue."""
    x, w = _r(12, 12), _r(12, 12)
    (step,) = _library_steps(lambda x, w: jnp.exp((x @ w).T) + 1.0, x, w)
    assert step.library["op"] == "contraction" and not step.library.get("epilogue")


@pytest.fixture
def blas_counts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """BLAS's thread count at each matmul of the test (OpenBLAS only); calls of any size split."""
    from byteir_targets.cpu.driver import _OPENBLAS

    if not _OPENBLAS.available:
        pytest.skip("NumPy's BLAS is not OpenBLAS: library calls run whole")
    monkeypatch.setattr(driver, "_BLAS_MIN_MACS", 0)
    monkeypatch.setattr(driver, "_BLAS_MIN_ROWS", 4)
    seen: list[int] = []
    real = driver._matmul

    def matmul(*args) -> None:  # noqa: ANN002
        seen.append(_OPENBLAS._get())  # type: ignore[misc]
        real(*args)

    monkeypatch.setattr(driver, "_matmul", matmul)
    return seen


@pytest.mark.parametrize(("a", "b", "epilogue"), [
    ((70, 9), (9, 5), False),  # parts of rows
    ((20, 9), (9, 70), False),  # few rows: parts of columns
    ((20, 9), (9, 70), True),  # few rows and an epilogue: whole
    ((70, 9), (9, 5), True),  # parts of rows, each with its epilogue blocks
    ((5, 7, 9), (5, 9, 6), True),  # parts of batches
])  # fmt: skip
def test_library_calls_run_in_parts_with_single_threaded_blas(a, b, epilogue, blas_counts: list[int], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """A matmul is cut into a part per thread (rows, batches, or columns when rows are few and
    nothing follows per row); each part runs with BLAS's own threads off, so none is left
    spinning after the call; the count is restored after; each row's epilogue runs once."""
    from byteir_targets.cpu.driver import _OPENBLAS

    monkeypatch.setattr(driver, "_EPILOGUE_BLOCK_BYTES", 64)
    before = _OPENBLAS._get()  # type: ignore[misc]
    seen = blas_counts
    x, y = _r(*a), _r(*b)
    c_shape = (*a[:-1], b[-1])
    rows_done: list[tuple[int, int]] = []
    batch = a[0] if len(a) == 3 else 1
    call = {"op": "contraction", "a_shape": [batch, *a[-2:]], "b_shape": [batch, *b[-2:]], "c_shape": [batch, a[-2], b[-1]]}
    got = _run_call(call, x, y, c_shape, 3, (lambda lo, hi: rows_done.append((lo, hi))) if epilogue else None)
    np.testing.assert_allclose(got, x @ y, rtol=1e-5, atol=1e-5)
    split = not (epilogue and len(a) == 2 and a[0] < 4 * 3)
    assert len(seen) > 1 and set(seen) == ({1} if split else {before})
    assert _OPENBLAS._get() == before  # type: ignore[misc]
    if epilogue:
        covered = sorted(r for lo, hi in rows_done for r in range(lo, hi))
        assert covered == list(range(c_shape[0]))


def test_library_calls_run_whole_on_blas_threads_when_told(blas_counts: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """With `blas_threads` (a program with no parallel code of ours), a call runs whole with BLAS
    threading it on the executor's thread count, restored after; an epilogue big enough for
    threads of its own keeps the call in parts all the same."""
    from byteir_targets.cpu.driver import _OPENBLAS

    before = _OPENBLAS._get()  # type: ignore[misc]
    seen = blas_counts
    x, y = _r(70, 9), _r(9, 5)
    call = {"op": "contraction", "a_shape": [1, 70, 9], "b_shape": [1, 9, 5], "c_shape": [1, 70, 5]}
    np.testing.assert_allclose(_run_call(call, x, y, (70, 5), 3, blas_threads=True), x @ y, rtol=1e-5, atol=1e-5)
    assert seen == [3] and _OPENBLAS._get() == before  # type: ignore[misc]
    seen.clear()
    monkeypatch.setattr(driver, "_POINTS_PER_THREAD", 16)  # the 350 outputs' epilogue is worth threads
    rows_done: list[tuple[int, int]] = []
    got = _run_call(call, x, y, (70, 5), 3, lambda lo, hi: rows_done.append((lo, hi)), blas_threads=True)
    np.testing.assert_allclose(got, x @ y, rtol=1e-5, atol=1e-5)
    assert len(seen) > 1 and set(seen) == {1}
    assert sorted(r for lo, hi in rows_done for r in range(lo, hi)) == list(range(70))


@pytest.mark.parametrize(("fn", "rows", "blas"), [
    (lambda x, w: jnp.maximum(x @ w, 0.0) @ w.T, 64, True),  # BLAS calls with small epilogues only
    (lambda x, w: jnp.tanh(x @ w) * 0.5, 512, False),  # an epilogue worth threads after a matmul
    (lambda x, w: jnp.tanh(x) @ w, 512, False),  # a parallel generated step, then a matmul
])  # fmt: skip
def test_recorded_programs_say_whether_blas_threads_their_calls(fn, rows: int, blas: bool) -> None:  # noqa: ANN001
    """CpuQueue.record tells every dispatch of a program whether BLAS threads its library calls:
    only when no dispatch runs our code on several threads; the runs agree with XLA either way."""
    import byteir_sdk
    from byteir_sdk.runtime import Session

    x, w = RNG.standard_normal((rows, 512), dtype=np.float32), RNG.standard_normal((512, 512), dtype=np.float32) * 0.05
    session = Session(byteir_sdk.compile(byteir_sdk.load(fn, x, w), "cpu"))
    if session.device.info.properties["threads"] < 2:
        pytest.skip("one thread: nothing runs in parallel")
    told = {c.args[3]["blas_threads"] for c in session._commands.commands if c.kind == "dispatch"}
    assert told == {blas}
    np.testing.assert_allclose(session.run([x, w])[0], np.asarray(jax.jit(fn)(x, w)), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(("rows", "c_store"), [
    (["m", 5], "rows"),  # the output's 4 rows are 5 rows of M each: parts and epilogue blocks of whole rows
    (["batch", 0], "batches"),  # batch axis 0, B shared by every batch (stride 0)
    (None, "transposed"),  # C written transposed: its first dim is N, parts of columns, no epilogue
])  # fmt: skip
def test_strided_library_calls_in_parts(rows, c_store: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """A contraction over strided views (A stored transposed) runs in parts along the axis its
    `rows` names; the epilogue sees each of the output's rows once."""


    monkeypatch.setattr(driver, "_BLAS_MIN_MACS", 0)
    monkeypatch.setattr(driver, "_BLAS_MIN_ROWS", 2)
    monkeypatch.setattr(driver, "_EPILOGUE_BLOCK_BYTES", 64)
    at, y = _r(9, 20), _r(9, 6)  # A = at.T: (20, 9), column-major
    want = at.T @ y
    if c_store == "batches":  # (4 batches, 5, 9) @ (9, 6), A of batch i is rows 5i..5i+4 of at.T
        shape = {"a_shape": [4, 5, 9], "b_shape": [4, 9, 6], "c_shape": [4, 5, 6], "a_strides": [5, 1, 20], "b_strides": [0, 6, 1], "c_strides": [30, 6, 1]}
        c_size = (4, 5, 6)
    elif c_store == "rows":
        shape = {"a_shape": [20, 9], "b_shape": [9, 6], "c_shape": [20, 6], "a_strides": [1, 20], "b_strides": [6, 1], "c_strides": [6, 1]}
        c_size = (4, 5, 6)
    else:
        shape = {"a_shape": [20, 9], "b_shape": [9, 6], "c_shape": [20, 6], "a_strides": [1, 20], "b_strides": [6, 1], "c_strides": [1, 20]}
        c_size = (6, 20)
    rows_done: list[tuple[int, int]] = []
    call = {"op": "contraction", **shape, **({"rows": rows} if rows else {})}
    got = _run_call(call, at, y, c_size, 2, (lambda lo, hi: rows_done.append((lo, hi))) if rows else None)
    np.testing.assert_allclose(got.T if c_store == "transposed" else got.reshape(20, 6), want, rtol=1e-5, atol=1e-5)
    if rows:
        assert sorted(r for lo, hi in rows_done for r in range(lo, hi)) == list(range(4))


@pytest.mark.parametrize("epilogue", [False, True])
def test_fewer_batches_than_threads_cut_by_columns(epilogue: bool, blas_counts: list[int]) -> None:
    """A batched contraction cut along a batch axis with fewer batches than threads (attention's
    [1, heads, m, n] at batch 1) runs in parts of columns on every thread, each with single-threaded
    BLAS (not one part on one thread); its epilogue then runs once on each of the output's rows."""
    x, y = _r(1, 4, 8, 9), _r(1, 4, 9, 12)
    call = {"op": "contraction", "a_shape": [1, 4, 8, 9], "b_shape": [1, 4, 9, 12], "c_shape": [1, 4, 8, 12],
            "a_strides": [288, 72, 9, 1], "b_strides": [432, 108, 12, 1], "c_strides": [384, 96, 12, 1], "rows": ["batch", 0]}  # fmt: skip
    rows_done: list[tuple[int, int]] = []
    got = _run_call(call, x, y, (1, 4, 8, 12), 3, (lambda lo, hi: rows_done.append((lo, hi))) if epilogue else None)
    np.testing.assert_allclose(got, x @ y, rtol=1e-5, atol=1e-5)
    assert len(blas_counts) == 3 and set(blas_counts) == {1}  # 12 columns, 4 a part (_BLAS_MIN_ROWS)
    assert rows_done == ([(0, 1)] if epilogue else [])


def test_a_library_view_outside_its_buffer_is_a_kernel_fault() -> None:
    from byteir_sdk.errors import KernelFaultError

    call = {"op": "contraction", "a_shape": [8, 8], "b_shape": [8, 8], "c_shape": [8, 8], "a_strides": [9, 1], "b_strides": [8, 1], "c_strides": [8, 1]}
    with pytest.raises(KernelFaultError, match="operand a .* lies outside its buffer"):
        _run_call(call, _r(8, 8), _r(8, 8), (8, 8))


def test_parsed_launches_go_with_their_session() -> None:
    """A device's executor keeps each dispatch's parsed launch config while its executable lives,
    and drops it with the session that loaded it (sessions may share one device)."""
    import gc

    import byteir_sdk
    from byteir_sdk.runtime import Session
    from byteir_targets.cpu.driver import CpuDevice

    x, w = RNG.standard_normal((8, 16), dtype=np.float32), RNG.standard_normal((16, 4), dtype=np.float32)
    byre = byteir_sdk.compile(byteir_sdk.load(lambda a, b: jnp.tanh(a @ b), x, w), "cpu")
    device = CpuDevice()
    try:
        executor = device.queue()._executor  # type: ignore[attr-defined]
        session = Session(byre, device=device)
        for _ in range(3):
            np.testing.assert_allclose(session.run([x, w])[0], np.tanh(x @ w), rtol=1e-5, atol=1e-6)
        launches = [len(known) for known in executor._launches.values()]
        assert launches and all(n == 1 for n in launches)  # each dispatch parsed once, for all runs
        del session
        gc.collect()
        assert len(executor._launches) == 0
    finally:
        device.close()


def test_blas_thread_count_is_set_by_the_first_user_and_restored_after_the_last() -> None:
    """`_OPENBLAS.using`: the first user sets the count, a nested or concurrent one runs with it,
    and the count is back to what the first found once the last is out (also after an error)."""
    from byteir_targets.cpu.driver import _OPENBLAS

    if not _OPENBLAS.available:
        pytest.skip("NumPy's BLAS is not OpenBLAS: there is no count to set")
    before = _OPENBLAS._get()  # type: ignore[misc]
    first = 1 if before != 1 else 2
    with _OPENBLAS.using(first):
        assert _OPENBLAS._get() == first  # type: ignore[misc]
        with _OPENBLAS.using(first + 1):
            assert _OPENBLAS._get() == first  # type: ignore[misc]
        assert _OPENBLAS._get() == first  # type: ignore[misc]
    assert _OPENBLAS._get() == before  # type: ignore[misc]
    with pytest.raises(RuntimeError), _OPENBLAS.using(first):
        raise RuntimeError("a failing call")
    assert _OPENBLAS._get() == before and _OPENBLAS._users == 0  # type: ignore[misc]
