"""The ref_asic target end to end. Oracle: XLA for models (f32 atol 1e-5 + rtol 1e-4), each
testdata file's checks for the corpora; the array's matmul also against NumPy directly."""

from __future__ import annotations

import json
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import byteir_sdk
from byteir_sdk import models, reference
from byteir_sdk.cli import sim as sim_cli
from byteir_sdk.conformance.corpus import corpus_files, load_case
from byteir_sdk.runtime import Session, read_byre
from byteir_sdk.runtime.byre import ComputeOp, CopyOp
from byteir_targets.ref_asic import RefAsicDevice
from tests.conftest import CASES_DIR, SHARED_CORPUS


@pytest.fixture(scope="module")
def device():
    dev = RefAsicDevice()
    yield dev
    dev.close()


def _run_on_asic(program, device, seed: int = 0):
    with Session(byteir_sdk.compile(program, "ref_asic"), device=device) as session:
        x = reference.random_inputs(program, seed=seed)
        device.take_reports()
        got = session.run(x)
        return x, got, device.take_reports()


def test_matmul_runs_on_the_array(device) -> None:
    program = byteir_sdk.load(lambda a, b: a @ b, np.zeros((24, 64), np.float32), np.zeros((64, 32), np.float32))
    x, (got,), reports = _run_on_asic(program, device, seed=2)
    assert [r.where for r in reports] == ["asic"]
    assert reports[0].cycles > 0 and reports[0].stats["macs"] == 24 * 64 * 32 and not reports[0].stats["races"]
    np.testing.assert_allclose(got, x[0].astype(np.float64) @ x[1], rtol=1e-5, atol=1e-5)


def test_matmuls_the_array_cannot_run_fall_back_to_the_host(device) -> None:
    program = byteir_sdk.load(lambda a, b: a @ b, np.zeros((5, 7), np.float16), np.zeros((7, 3), np.float16))  # no f16 on the array
    x, (got,), reports = _run_on_asic(program, device)
    # Both operands are copied from DRAM to host memory, the host kernel runs, its result is copied back.
    assert [(r.where, r.direction) for r in reports] == [("copy", "device->host")] * 2 + [("host", ""), ("copy", "host->device")]
    assert [r.copy_bytes for r in reports if r.where == "copy"] == [5 * 7 * 2, 7 * 3 * 2, 5 * 3 * 2]
    assert reference.compare(got, reference.run(program, x)[0], reference.default_tolerance(np.dtype(np.float16))).ok


@pytest.mark.parametrize(
    ("m", "k", "n"),
    [(5, 7, 3), (33, 40, 17), (1, 16, 16), (600, 48, 20)],
    ids=["tiny", "partial-tiles", "one-row", "two-row-blocks"],
)
def test_matmuls_with_partial_tiles_run_on_the_array(m: int, k: int, n: int, device) -> None:
    program = byteir_sdk.load(lambda a, b: a @ b, np.zeros((m, k), np.float32), np.zeros((k, n), np.float32))
    x, (got,), reports = _run_on_asic(program, device, seed=3)
    assert [r.where for r in reports] == ["asic"] and not reports[0].stats["races"] and not reports[0].stats["uninitialized_reads"]
    assert reports[0].stats["macs"] == m * -(-k // 16) * 16 * -(-n // 16) * 16  # the array always does whole tiles
    # Oracle: the interpreter; f32 tolerance (the array accumulates k in tiles of 16).
    assert reference.compare(got, reference.run(program, x)[0], reference.default_tolerance(got.dtype)).ok


@pytest.mark.parametrize("dtype", ["i8", "bf16"])
def test_narrow_matmuls_accumulate_wide_on_the_array(dtype: str, device) -> None:
    import ml_dtypes
    from jax import lax

    np_type, wide = {"i8": (np.int8, jnp.int32), "bf16": (ml_dtypes.bfloat16, jnp.float32)}[dtype]
    program = byteir_sdk.load(lambda a, b: lax.dot(a, b, preferred_element_type=wide), np.zeros((40, 48), np_type), np.zeros((48, 24), np_type))
    x, (got,), reports = _run_on_asic(program, device, seed=7)
    assert [r.where for r in reports] == ["asic"] and not reports[0].stats["races"]
    # Oracle: the interpreter; exact for i8 -> i32, f32 tolerance for bf16 (products exact, sums reordered).
    want = reference.run(program, x)[0]
    assert reference.compare(got, want, reference.default_tolerance(want.dtype)).ok


@pytest.mark.parametrize(
    ("fn", "shapes"),
    [
        (lambda q, k: jnp.einsum("bhqd,bhkd->bhqk", q, k), ((2, 3, 20, 24), (2, 3, 17, 24))),  # attention scores: B transposed
        (lambda p, v: jnp.einsum("bhqk,bhkd->bhqd", p, v), ((2, 3, 20, 17), (2, 3, 17, 24))),  # attention values
        (lambda a, b: jnp.einsum("mk,nk->mn", a, b), ((33, 40), (19, 40))),  # one batch, B transposed
    ],
    ids=["scores", "values", "a-bT"],
)
def test_batched_and_transposed_contractions_run_on_the_array(fn, shapes, device) -> None:
    program = byteir_sdk.load(fn, *(np.zeros(s, np.float32) for s in shapes))
    x, (got,), reports = _run_on_asic(program, device, seed=8)
    assert [r.where for r in reports] == ["asic"] and not reports[0].stats["races"] and not reports[0].stats["uninitialized_reads"]
    assert reference.compare(got, reference.run(program, x)[0], reference.default_tolerance(got.dtype)).ok


def test_the_transformer_s_contractions_all_run_on_the_array() -> None:
    """Its head split (reshape + transpose before the attention einsums) must not be folded into
    the dots: the array's GEMM reads operands in their dot's own layout (the CPU's BLAS reads any
    strides; ref_asic once inherited that capability from its host backend and sent both
    attention contractions to the host)."""
    from byteir_sdk.compiler.pipeline import CompileOptions, run_stages

    comp = run_stages(models.get("transformer"), CompileOptions.make("ref_asic"))
    dots = [k.format for n, k in comp.lowered.items() if "dot_general" in n]
    assert len(dots) == 8 and set(dots) == {"ref-asic"}


def test_a_reduction_after_a_matmul_leaves_the_matmul_on_the_array(device) -> None:
    program = byteir_sdk.load(lambda a, b: jnp.max(a @ b, axis=-1), np.zeros((24, 64), np.float32), np.zeros((64, 32), np.float32))
    x, (got,), reports = _run_on_asic(program, device, seed=3)
    assert reports[0].where == "asic"  # the row maximum is a kernel of its own
    assert reference.compare(got, reference.run(program, x)[0], reference.default_tolerance(got.dtype)).ok


CONVS = {  # id: (image NHWC, filter HWIO, strides, padding, filter dilation)
    "same-3x3-rgb": ((2, 12, 12, 3), (3, 3, 3, 16), (1, 1), "SAME", (1, 1)),
    "strided-partial-tiles": ((1, 11, 9, 20), (3, 3, 20, 18), (2, 2), "SAME", (1, 1)),
    "1x1-strided": ((2, 8, 8, 16), (1, 1, 16, 32), (2, 2), "VALID", (1, 1)),
    "dilated-asymmetric-pad": ((1, 10, 10, 4), (3, 2, 4, 5), (2, 1), ((2, 1), (0, 3)), (2, 3)),
    "5x5-valid": ((1, 9, 7, 8), (5, 5, 8, 8), (1, 1), "VALID", (1, 1)),
    "multi-block-lines": ((1, 40, 40, 8), (3, 3, 8, 8), (1, 1), "SAME", (1, 1)),
}


@pytest.mark.parametrize("case", CONVS.values(), ids=list(CONVS))
def test_convolutions_run_on_the_array(case, device) -> None:
    from jax import lax

    image, filt, strides, padding, dilation = case
    program = byteir_sdk.load(
        lambda x, w: lax.conv_general_dilated(x, w, strides, padding, rhs_dilation=dilation, dimension_numbers=("NHWC", "HWIO", "NHWC")),
        np.zeros(image, np.float32), np.zeros(filt, np.float32),
    )  # fmt: skip
    x, (got,), reports = _run_on_asic(program, device, seed=5)
    assert [r.where for r in reports] == ["asic"]
    assert not reports[0].stats["races"] and not reports[0].stats["uninitialized_reads"]
    # Oracle: the interpreter; f32 tolerance (taps and channel tiles accumulate in another order).
    assert reference.compare(got, reference.run(program, x)[0], reference.default_tolerance(got.dtype)).ok


def test_a_transposed_convolution_falls_back(device) -> None:
    from jax import lax

    program = byteir_sdk.load(
        lambda x, w: lax.conv_general_dilated(x, w, (1, 1), ((1, 1), (1, 1)), lhs_dilation=(2, 2), dimension_numbers=("NHWC", "HWIO", "NHWC")),
        np.zeros((1, 6, 6, 4), np.float32), np.zeros((3, 3, 4, 4), np.float32),
    )  # fmt: skip
    x, (got,), reports = _run_on_asic(program, device)
    assert "host" in [r.where for r in reports]  # the image index is a division, not an affine window
    assert reference.compare(got, reference.run(program, x)[0], reference.default_tolerance(got.dtype)).ok


@pytest.mark.parametrize("name", models.names())
def test_models_match_the_oracle(name: str, device) -> None:
    program = models.get(name)
    with Session(byteir_sdk.compile(program, "ref_asic"), device=device) as session:
        x = reference.random_inputs(program, seed=9)
        got = session.run(x)
    for g, w in zip(got, reference.run(program, x, engine="xla")):
        result = reference.compare(g, w, reference.default_tolerance(w.dtype))
        assert result.ok, str(result)


PUBLIC = corpus_files(SHARED_CORPUS) if (SHARED_CORPUS / "INDEX.tsv").is_file() else []


@pytest.mark.parametrize("path", corpus_files(CASES_DIR) + [pytest.param(p, marks=pytest.mark.corpus) for p in PUBLIC], ids=lambda p: p.stem)
def test_corpora_on_ref_asic(path: Path, device) -> None:
    case = load_case(path)
    with Session(byteir_sdk.compile(case.program, "ref_asic"), device=device) as session:
        results = case.check(session.run(case.inputs))
    assert all(r.ok for r in results), [str(r) for r in results]


def test_dram_is_returned(device) -> None:
    start = device.memory_in_use()
    buffers = [device.allocate(1000 + i) for i in range(50)]
    for b in buffers:
        b.release()
    assert device.memory_in_use() == start


def test_byteir_sim_run_report_trace_and_disasm(tmp_path: Path, capsys) -> None:
    src = tmp_path / "mm.mlir"
    byteir_sdk.load(lambda a, b: a @ b, np.zeros((16, 32), np.float32), np.zeros((32, 16), np.float32)).save(src)
    trace, stats_file = tmp_path / "t.json", tmp_path / "s.json"
    assert sim_cli.main(["run", str(src), "--report", "--trace", str(trace), "--stats", str(stats_file), "--check"]) == 0
    out = capsys.readouterr().out
    assert "cycles" in out and "per-kernel report" in out and "asic" in out and "ok" in out
    events = json.loads(trace.read_text())["traceEvents"]
    assert {e["args"]["name"] for e in events if e.get("name") == "thread_name"} >= {"dma_in", "matrix"}
    assert any(e.get("ph") == "s" for e in events) and all("loc" in e["args"] for e in events if e.get("ph") == "X")
    assert json.loads(stats_file.read_text())[0]["where"] == "asic"
    byre = tmp_path / "mm.byre"
    byteir_sdk.compile(byteir_sdk.load(src), "ref_asic").save(byre)
    assert sim_cli.main(["disasm", str(byre)]) == 0
    assert "MM_COMPUTE" in capsys.readouterr().out
    cfg = tmp_path / "small.toml"
    cfg.write_text("dram_bandwidth = 8\n")
    assert sim_cli.main(["run", str(byre), "--config", str(cfg)]) == 0
    assert sim_cli.main(["run", str(tmp_path / "absent.byre")]) == 2


def test_a_cpu_byre_is_refused(tmp_path: Path, capsys) -> None:
    src = tmp_path / "mm.mlir"
    byteir_sdk.load(lambda a: a * 2, np.zeros((4,), np.float32)).save(src)
    byre = byteir_sdk.compile(byteir_sdk.load(src), "cpu").save(tmp_path / "cpu.byre")
    assert sim_cli.main(["run", str(byre)]) == 2
    assert "compiled for 'cpu', not ref_asic" in capsys.readouterr().err


def test_elementwise_kernels_run_on_the_vector_unit(device) -> None:
    program = byteir_sdk.load(lambda a, b: jnp.maximum(a * b + a, 0.0), np.zeros((3000,), np.float32), np.zeros((3000,), np.float32))
    x, (got,), reports = _run_on_asic(program, device, seed=4)
    asic = [r for r in reports if r.where == "asic"]
    assert asic and not any(r.stats["races"] for r in asic) and asic[0].stats["engines"]["vector"]["busy"] > 0
    # Oracle: the StableHLO interpreter; exact: the same f32 ops in the same order.
    assert reference.compare(got, reference.run(program, x)[0], reference.Tolerance("exact")).ok


def test_ops_the_vector_unit_lacks_fall_back(device) -> None:
    program = byteir_sdk.load(lambda a, b: a / b, np.zeros((64,), np.float32), np.ones((64,), np.float32))
    reports = _run_on_asic(program, device)[2]
    assert [r.where for r in reports] == ["copy", "copy", "host", "copy"]


def test_fallback_values_move_between_memory_spaces_with_byre_copy() -> None:
    """A host kernel between two ASIC kernels: its input is copied DRAM -> host once, its result back."""
    program = byteir_sdk.load(lambda a, b: jnp.maximum((a @ b) / 3.0, 0.0) @ b, np.zeros((16, 32), np.float32), np.zeros((32, 32), np.float32))
    prog = read_byre(byteir_sdk.compile(program, "ref_asic"))
    assert set(prog.arenas) == {"device", "host"}
    copies = [op for op in prog.ops if isinstance(op, CopyOp)]
    assert [(c.source.space, c.target.space) for c in copies] == [("device", "host"), ("host", "device")]
    for op in prog.ops:  # every compute's operands lie in one space
        if isinstance(op, ComputeOp):
            assert len({o.space for o in (*op.inputs, *op.outputs)}) == 1


def test_driver_refuses_a_host_kernel_bound_to_dram(device) -> None:
    from byteir_sdk.errors import InvalidArgumentError

    program = byteir_sdk.load(lambda a: a / 3.0, np.zeros((16,), np.float32))
    prog = read_byre(byteir_sdk.compile(program, "ref_asic"))
    (exe,) = prog.executables.values()
    blob = exe.hal_blob()
    executable = device.prepare_executable(blob.format, blob.blob, blob.entry_points)
    dram = [device.allocate(64).whole(), device.allocate(64).whole()]
    q = device.queue()
    q.dispatch(executable, exe.entry, dram, exe.launch)
    with pytest.raises(InvalidArgumentError, match="host-fallback kernel is bound to device memory"):
        q.finish()


def test_broadcast_inputs_run_on_the_vector_unit(device) -> None:
    program = byteir_sdk.load(lambda x, b: x + b, np.zeros((8, 1024), np.float32), np.zeros((1024,), np.float32))
    x, (got,), reports = _run_on_asic(program, device, seed=6)
    assert "asic" in [r.where for r in reports] and not any(r.stats.get("races") for r in reports if r.where == "asic")
    assert reference.compare(got, reference.run(program, x)[0], reference.Tolerance("exact")).ok


@pytest.mark.parametrize(
    ("fn", "shape"),
    [
        (lambda x: (jnp.sum(x, axis=-1), jnp.max(x, axis=-1)), (64, 256)),  # plain row sums and maxima
        (lambda x: jnp.sum(jnp.exp(x) * x, axis=(1, 2)), (5, 7, 33)),  # an elementwise prologue, two reduced dims
        (lambda x: jnp.sum(x * x, axis=-1), (3000, 3)),  # many short rows, in chunks
    ],
    ids=["sum-max", "prologue", "short-rows"],
)
def test_row_reductions_run_on_the_vector_unit(fn, shape, device) -> None:
    program = byteir_sdk.load(fn, np.zeros(shape, np.float32))
    x, got, reports = _run_on_asic(program, device, seed=1)
    assert reports and all(r.where == "asic" and not r.stats["races"] and not r.stats["uninitialized_reads"] for r in reports)
    # Oracle: the interpreter; f32 tolerance (the lanes sum in another order than the interpreter).
    for g, w in zip(got, reference.run(program, x)):
        assert reference.compare(g, w, reference.default_tolerance(w.dtype)).ok


def test_reduction_with_a_non_identity_init_falls_back(device) -> None:
    from jax import lax

    program = byteir_sdk.load(lambda x: lax.reduce(x, np.float32(1.0), lax.add, (1,)), np.zeros((4, 32), np.float32))
    x, (got,), reports = _run_on_asic(program, device, seed=2)
    assert "asic" not in [r.where for r in reports]
    assert reference.compare(got, reference.run(program, x)[0], reference.default_tolerance(np.dtype(np.float32))).ok
