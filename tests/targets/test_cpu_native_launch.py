"""Native launches on the CPU target: a dispatch whose steps all run on the calling thread, with
BLAS threading its calls, is replayed by one native loop (generated steps and epilogues by address,
CBLAS gemms over the operands' views); a recorded program of such dispatches runs with no Python
per dispatch. Results must agree with the Python path's (NumPy matmul over the same views, f32:
|a - b| <= 1e-5 + 1e-5 |b|), call the epilogue on the same blocks of rows, and leave to the Python
path every view BLAS cannot read and every output that overlaps an operand."""

from __future__ import annotations

import ctypes

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from byteir_targets.cpu import driver
from byteir_targets.cpu.launch import COL_MAJOR, NO_TRANS, ROW_MAJOR, TRANS, Gemm, GemmRoutine, Matrix, NativeLaunch, gemm

RNG = np.random.default_rng(11)


@pytest.fixture
def openblas() -> None:
    if driver._OPENBLAS.gemm(False) is None:
        pytest.skip("NumPy's BLAS is not an OpenBLAS exporting CBLAS: no native launches")


@pytest.mark.parametrize(("matrix", "layout"), [
    (Matrix(0, 0, 4, 3, 3, 1), (False, 3)),  # row-major
    (Matrix(0, 0, 4, 3, 8, 1), (False, 8)),  # rows of a wider matrix
    (Matrix(0, 0, 4, 3, 1, 4), (True, 4)),  # column-major: read transposed
    (Matrix(0, 0, 1, 3, 0, 1), (False, 3)),  # one row: its stride does not count
    (Matrix(0, 0, 4, 1, 5, 0), (False, 5)),  # one column: its stride does not count
    (Matrix(0, 0, 4, 3, 2, 1), None),  # rows overlap
    (Matrix(0, 0, 4, 3, 0, 1), None),  # broadcast rows
    (Matrix(0, 0, 4, 3, 6, 2), None),  # no unit stride
])  # fmt: skip
def test_blas_reads_a_matrix_with_a_unit_stride_and_rows_apart(matrix: Matrix, layout: tuple[bool, int] | None) -> None:
    assert matrix.layout() == layout


def test_a_column_major_output_is_the_transposed_row_major_product() -> None:
    """C stored column-major is computed as C^T = B^T A^T: each operand stored the other way is read transposed."""
    routine = GemmRoutine(0, 64, False)
    a, b = Matrix(0, 0, 5, 7, 7, 1), Matrix(1, 0, 7, 6, 1, 7)
    assert gemm(routine, a, b, Matrix(2, 0, 5, 6, 6, 1), False) == Gemm(routine, ROW_MAJOR, NO_TRANS, TRANS, 5, 6, 7, (0, 0), 7, (1, 0), 7, (2, 0), 6, 0.0)
    assert gemm(routine, a, b, Matrix(2, 0, 5, 6, 1, 5), True) == Gemm(routine, COL_MAJOR, TRANS, NO_TRANS, 5, 6, 7, (0, 0), 7, (1, 0), 7, (2, 0), 5, 1.0)


def test_a_product_past_the_blas_integers_is_not_a_gemm() -> None:
    """An LP64 BLAS takes 32-bit sizes and leading dimensions: a row 2^31 elements apart is past them."""
    a, b, c = Matrix(0, 0, 2, 3, 1 << 31, 1), Matrix(1, 0, 3, 4, 4, 1), Matrix(2, 0, 2, 4, 4, 1)
    assert gemm(GemmRoutine(0, 32, False), a, b, c, False) is None
    assert gemm(GemmRoutine(0, 64, False), a, b, c, False) is not None


def _r(*shape: int, dtype=np.float32) -> np.ndarray:  # noqa: ANN001
    return RNG.standard_normal(shape).astype(dtype)


CALLS = {  # name: a, b (arrays the operands view), call fields, C's buffer shape
    "rows of one matmul, epilogue blocks": (_r(40, 9), _r(9, 6), {"a_shape": [40, 9], "b_shape": [9, 6], "c_shape": [40, 6], "rows": ["m", 1]}, (40, 6)),
    "few rows: whole, then the epilogue": (_r(3, 9), _r(9, 40), {"a_shape": [3, 9], "b_shape": [9, 40], "c_shape": [3, 40], "rows": ["m", 1]}, (3, 40)),
    "A transposed, rows of 5 matrix rows": (_r(9, 20), _r(9, 6), {"a_shape": [20, 9], "b_shape": [9, 6], "c_shape": [20, 6], "a_strides": [1, 20],
                                                                "b_strides": [6, 1], "c_strides": [6, 1], "rows": ["m", 5]}, (4, 5, 6)),
    "batches, B shared (stride 0)": (_r(9, 20), _r(9, 6), {"a_shape": [4, 5, 9], "b_shape": [4, 9, 6], "c_shape": [4, 5, 6], "a_strides": [5, 1, 20],
                                                         "b_strides": [0, 6, 1], "c_strides": [30, 6, 1], "rows": ["batch", 0]}, (4, 5, 6)),
    "attention scores: B transposed": (_r(2, 3, 8, 4), _r(2, 3, 10, 4), {"a_shape": [2, 3, 8, 4], "b_shape": [2, 3, 4, 10], "c_shape": [2, 3, 8, 10],
                                                                        "b_strides": [120, 40, 1, 4], "rows": ["batch", 0]}, (2, 3, 8, 10)),
    "C written transposed, no epilogue": (_r(9, 20), _r(9, 6), {"a_shape": [20, 9], "b_shape": [9, 6], "c_shape": [20, 6], "a_strides": [1, 20],
                                                              "b_strides": [6, 1], "c_strides": [1, 20]}, (6, 20)),
    "f64, accumulating": (_r(12, 7, dtype=np.float64), _r(7, 5, dtype=np.float64), {"a_shape": [12, 7], "b_shape": [7, 5], "c_shape": [12, 5],
                                                                                    "dtype": "f64", "accumulate": True, "rows": ["m", 1]}, (12, 5)),
}  # fmt: skip


def _views(x: np.ndarray, shape: list[int], strides: list[int] | None) -> np.ndarray:
    strides = strides or [int(np.prod(shape[j + 1 :])) for j in range(len(shape))]
    return np.lib.stride_tricks.as_strided(x, shape, [s * x.itemsize for s in strides])


@pytest.mark.parametrize("name", CALLS)
def test_native_contractions_agree_with_the_python_path(name: str, openblas: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same product, and the same epilogue calls (blocks of the output's rows, in order), as
    the Python path running the call whole on BLAS's threads."""
    monkeypatch.setattr(driver, "_EPILOGUE_BLOCK_BYTES", 64)
    a, b, fields, c_shape = CALLS[name]
    call = {"op": "contraction", "a": [0, 0], "b": [1, 0], "c": [2, 0], "dtype": "f32", "accumulate": False, **fields}
    call = {**call, **{f"{k}_strides": call.get(f"{k}_strides") or [int(np.prod(call[f"{k}_shape"][j + 1 :])) for j in range(len(call[f"{k}_shape"]))] for k in "abc"}}
    c0 = _r(*c_shape, dtype=a.dtype)
    want = c0.copy()
    av, bv, cv = (_views(x, call[f"{k}_shape"], call[f"{k}_strides"]) for k, x in zip("abc", (a, b, want)))
    cv[...] = av @ bv + (cv if call["accumulate"] else 0)
    epilogue = "rows" in call

    # the Python path, run as a program with no parallel code of ours runs it
    python_blocks: list[tuple[int, int]] = []
    device = driver.CpuDevice()
    try:
        views = [device.allocate(x.nbytes).view(0, x.shape, x.dtype) for x in (a, b, c0)]
        for view, x in zip(views, (a, b, c0)):
            np.copyto(driver.host_array(view), x)
        driver.HostExecutor(device.pool, device.threads)._run_library(call, views, (lambda lo, hi: python_blocks.append((lo, hi))) if epilogue else None, True)
        python = driver.host_array(views[2]).copy()
    finally:
        device.close()

    native_blocks: list[tuple[int, int]] = []
    recorder = driver._KERNEL(lambda table, lo, hi: native_blocks.append((lo, hi)))
    step = driver._LibraryStep(call, (recorder,) if epilogue else (), driver._call_operands(call))
    ops = driver._native_contraction(step)
    assert ops is not None
    c = c0.copy()
    table = (ctypes.c_void_p * 3)(a.ctypes.data, b.ctypes.data, c.ctypes.data)
    NativeLaunch(ops)(ctypes.addressof(table))

    np.testing.assert_allclose(c, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(python, want, rtol=1e-5, atol=1e-5)
    assert native_blocks == python_blocks
    if epilogue:  # each of the output's rows once
        assert sorted(r for lo, hi in native_blocks for r in range(lo, hi)) == list(range(c_shape[0]))


def test_views_blas_cannot_read_run_from_python(openblas: None) -> None:
    """An operand with no unit stride, or a batch dim neither C's nor broadcast, gets no native launch."""
    base = {"op": "contraction", "a": [0, 0], "b": [1, 0], "c": [2, 0], "dtype": "f32", "accumulate": False}
    no_unit_stride = {**base, "a_shape": [4, 3], "a_strides": [6, 2], "b_shape": [3, 5], "b_strides": [5, 1], "c_shape": [4, 5], "c_strides": [5, 1]}
    assert driver._native_contraction(driver._LibraryStep(no_unit_stride, (), driver._call_operands(no_unit_stride))) is None
    other_batch = {**base, "a_shape": [2, 4, 3], "a_strides": [12, 3, 1], "b_shape": [3, 3, 5], "b_strides": [15, 5, 1], "c_shape": [2, 4, 5], "c_strides": [20, 5, 1]}
    assert driver._native_contraction(driver._LibraryStep(other_batch, (), driver._call_operands(other_batch))) is None


def _mlp(x, w, b):  # noqa: ANN001, ANN202
    return jnp.maximum(x @ w + b, 0.0) @ w.T


def test_blas_programs_run_as_native_programs(openblas: None) -> None:
    """A recorded program of BLAS calls with small epilogues runs natively; its runs, and its
    per-op profile runs (each dispatch's native launch), agree with XLA."""
    import byteir_sdk
    from byteir_sdk.runtime import Session

    x, w, b = _r(16, 32), _r(32, 32) * 0.2, _r(32)
    want = np.asarray(jax.jit(_mlp)(x, w, b))
    with Session(byteir_sdk.compile(byteir_sdk.load(_mlp, x, w, b), "cpu")) as session:
        assert isinstance(session._commands, driver._NativeProgram)
        for _ in range(2):
            np.testing.assert_allclose(session.run([x, w, b])[0], want, rtol=1e-5, atol=1e-5)
        session.profile([x, w, b])
        np.testing.assert_allclose(session.run([x, w, b])[0], want, rtol=1e-5, atol=1e-5)


def test_programs_with_parallel_steps_are_not_native(openblas: None) -> None:
    import byteir_sdk
    from byteir_sdk.runtime import Session

    x, w = _r(512, 512), _r(512, 512) * 0.05
    fn = lambda x, w: jnp.tanh(x) @ w  # noqa: E731
    with Session(byteir_sdk.compile(byteir_sdk.load(fn, x, w), "cpu")) as session:
        if session.device.info.properties["threads"] < 2:
            pytest.skip("one thread: nothing runs in parallel")
        assert not isinstance(session._commands, driver._NativeProgram)
        np.testing.assert_allclose(session.run([x, w])[0], np.asarray(jax.jit(fn)(x, w)), rtol=1e-4, atol=1e-4)


def test_an_output_bound_over_its_operand_runs_from_python(openblas: None) -> None:
    """Buffers bound to the caller's arrays may overlap: a run whose product's output overlaps its
    operand leaves the native program for the Python path, where NumPy copies the operand first."""
    import byteir_sdk
    from byteir_sdk.runtime import Session

    x, w = _r(16, 16), _r(16, 16)
    with Session(byteir_sdk.compile(byteir_sdk.load(lambda x, w: x @ w, x, w), "cpu")) as session:
        program = session._commands
        assert isinstance(program, driver._NativeProgram)
        (dispatch,) = program.commands
        a_buffer, b_buffer, c_buffer = (view.buffer for view in dispatch.args[2])
        queue = session.device.queue()
        shared = x.copy()
        assert queue.bind_host(a_buffer, shared) and queue.bind_host(c_buffer, shared, writable=True)
        np.copyto(driver.host_array(dispatch.args[2][1]), w)
        try:
            assert not program.run(session.device.threads)  # the overlap is seen before anything runs
            queue.execute(program)
            queue.finish()
        finally:
            queue.unbind_host(a_buffer)
            queue.unbind_host(c_buffer)
        np.testing.assert_allclose(shared, x @ w, rtol=1e-5, atol=1e-5)


def test_programs_with_copies_run_natively() -> None:
    """A program returning an input as it is copies it into its output: a memmove of the native program."""
    import byteir_sdk
    from byteir_sdk.runtime import Session

    x, w = _r(3, 4), _r(4, 4)
    fn = lambda x, w: (x @ w, x)  # noqa: E731
    with Session(byteir_sdk.compile(byteir_sdk.load(fn, x, w), "cpu")) as session:
        assert isinstance(session._commands, driver._NativeProgram)
        assert [c.kind for c in session._commands.commands] == ["dispatch", "copy"]
        for _ in range(2):
            product, same = session.run([x, w])
            np.testing.assert_allclose(product, x @ w, rtol=1e-5, atol=1e-5)
            np.testing.assert_array_equal(same, x)
