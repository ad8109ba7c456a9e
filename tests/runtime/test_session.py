"""Runtime end to end on the CPU target: models, corpora, inputs, reliability, bad .byre files.

Oracle: XLA for the models (f32 default tolerance atol 1e-5 + rtol 1e-4), each testdata file's
own checks for the corpora (expect_eq exact, expect_close 3 ULP, expect_almost_eq 1e-3).
"""

from __future__ import annotations

import gc
import resource
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

import byteir_sdk
from byteir_sdk import models, reference
from byteir_sdk.cli import main as byteir_cli
from byteir_sdk.compiler.byre.format import VERSION
from byteir_sdk.conformance.corpus import corpus_files, load_case
from byteir_sdk.errors import ByreFormatError, InputMismatchError, SourceFileError
from byteir_sdk.runtime import Session
from byteir_targets.cpu.driver import CpuDevice
from tests.conftest import CASES_DIR, SHARED_CORPUS


@pytest.fixture(scope="module")
def device():
    dev = CpuDevice()
    yield dev
    dev.close()


@pytest.fixture(scope="module")
def mlp_byre():
    return byteir_sdk.compile(models.get("mlp", batch=2), "cpu")


@pytest.mark.parametrize("name", models.names())
def test_models_match_the_oracle(name: str, device) -> None:
    program = models.get(name)
    with Session(byteir_sdk.compile(program, "cpu"), device=device) as session:
        x = reference.random_inputs(program, seed=5)
        got = session.run(x)
    want = reference.run(program, x, engine="xla")
    for g, w in zip(got, want):
        result = reference.compare(g, w, reference.default_tolerance(w.dtype))
        assert result.ok, str(result)


def _run_case(path: Path, device) -> None:
    case = load_case(path)
    with Session(byteir_sdk.compile(case.program, "cpu"), device=device) as session:
        results = case.check(session.run(case.inputs))
    assert all(r.ok for r in results), [str(r) for r in results]


@pytest.mark.parametrize("path", corpus_files(CASES_DIR), ids=lambda p: p.stem)
def test_own_cases_on_cpu(path: Path, device) -> None:
    _run_case(path, device)


PUBLIC = corpus_files(SHARED_CORPUS) if (SHARED_CORPUS / "INDEX.tsv").is_file() else []


@pytest.mark.corpus
@pytest.mark.parametrize("path", PUBLIC or [pytest.param(None, marks=pytest.mark.skip(reason=f"no public corpus at {SHARED_CORPUS}"))],
                         ids=lambda p: p.stem if p else "absent")  # fmt: skip
def test_public_corpus_on_cpu(path: Path, device) -> None:
    _run_case(path, device)


def test_inputs_by_name_and_mismatches(mlp_byre, device) -> None:
    with Session(mlp_byre, device=device) as session:
        (spec,) = session.input_specs
        x = np.ones(spec.shape, np.float32)
        assert np.array_equal(session.run([x])[0], session.run({spec.name: x})[0])
        with pytest.raises(InputMismatchError, match=r"shape \(3, 784\)"):
            session.run([np.ones((3, 784), np.float32)])
        with pytest.raises(InputMismatchError, match="dtype float64"):
            session.run([np.ones(spec.shape)])
        with pytest.raises(InputMismatchError, match="expected 1 input"):
            session.run([])


def test_two_sessions_share_a_device(device) -> None:
    a = models.get("mlp", batch=1)
    b = models.get("transformer", batch=1, seq=4)
    with Session(byteir_sdk.compile(a, "cpu"), device=device) as sa, Session(byteir_sdk.compile(b, "cpu"), device=device) as sb:
        xa, xb = reference.random_inputs(a), reference.random_inputs(b)
        ra, rb = sa.run(xa), sb.run(xb)
        assert np.array_equal(sa.run(xa)[0], ra[0]) and np.array_equal(sb.run(xb)[0], rb[0])


def test_profile_gives_per_kernel_times(mlp_byre, device) -> None:
    with Session(mlp_byre, device=device) as session:
        times = session.profile([np.zeros(session.input_specs[0].shape, np.float32)])
    assert [t.callee for t in times if t.kind == "dispatch"] == [op.callee for op in session.program.ops if hasattr(op, "callee")]
    assert all(t.seconds >= 0 for t in times)


def test_1000_runs_keep_memory_flat(mlp_byre, device) -> None:
    with Session(mlp_byre, device=device) as session:
        x = [np.ones(session.input_specs[0].shape, np.float32)]
        for _ in range(100):
            session.run(x)
        gc.collect()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        in_use = device.memory_in_use()
        for _ in range(1000):
            session.run(x)
        gc.collect()
        grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        assert device.memory_in_use() == in_use
        assert grown_kib < 8 * 1024, f"resident memory grew by {grown_kib} KiB over 1000 runs"


def test_sessions_free_their_device_memory(mlp_byre, device) -> None:
    start = device.memory_in_use()
    session = Session(mlp_byre, device=device)
    assert device.memory_in_use() > start
    session.close()
    assert device.memory_in_use() == start


# ------------------------------------------------------------------ bad .byre files


@pytest.fixture
def byre_text(mlp_byre) -> str:
    return mlp_byre.text()


def test_truncated_byre(tmp_path: Path, byre_text: str) -> None:
    path = tmp_path / "cut.byre"
    path.write_text(byre_text[: len(byre_text) // 3])
    with pytest.raises(ByreFormatError, match="truncated or corrupt"):
        Session(path)


def test_truncated_bytecode(tmp_path: Path, mlp_byre) -> None:
    path = tmp_path / "cut.byrebc"
    data = mlp_byre.bytecode()
    path.write_bytes(data[: len(data) - 1000])
    with pytest.raises(ByreFormatError):
        Session(path)


def test_unknown_version(tmp_path: Path, byre_text: str) -> None:
    path = tmp_path / "v9.byre"
    path.write_text(byre_text.replace(f'byre.version = "{VERSION}"', 'byre.version = "9.0.0"'))
    with pytest.raises(ByreFormatError, match="version 9.0.0 is not supported"):
        Session(path)


def test_unknown_callee(tmp_path: Path, byre_text: str) -> None:
    path = tmp_path / "callee.byre"
    path.write_text(byre_text.replace('callee = "k0_dot_general"', 'callee = "FancyOp_f32_f32"'))
    with pytest.raises(ByreFormatError, match="FancyOp_f32_f32"):
        Session(path)


def test_corrupted_kernel_blob(tmp_path: Path, byre_text: str) -> None:
    start = byre_text.index('blob = dense<"0x') + len('blob = dense<"0x')
    corrupted = byre_text[:start] + "00" * 16 + byre_text[start + 32 :]
    path = tmp_path / "blob.byre"
    path.write_text(corrupted)
    with pytest.raises(ByreFormatError, match=r"k\d+_\w+ is corrupted"):
        Session(path)


def test_weight_blob_of_the_wrong_size(tmp_path: Path, mlp_byre) -> None:
    from byteir_sdk.runtime import read_byre, verify_byre

    program = read_byre(mlp_byre)
    name = next(iter(program.weights))
    program.weights[name] = program.weights[name][:-4]
    with pytest.raises(ByreFormatError, match=f"{name} is corrupted"):
        verify_byre(program)
    program.digests[name] = __import__("hashlib").sha256(program.weights[name]).hexdigest()
    with pytest.raises(ByreFormatError, match=f"weight {name} holds"):
        verify_byre(program)


def test_not_a_byre_and_missing(tmp_path: Path) -> None:
    plain = tmp_path / "plain.byre"
    plain.write_text("module {}")
    with pytest.raises(ByreFormatError, match="not a ByRE module"):
        Session(plain)
    with pytest.raises(SourceFileError):
        Session(tmp_path / "absent.byre")


def test_cli_run_with_check(tmp_path: Path, capsys) -> None:
    src = tmp_path / "cnn.mlir"
    models.get("cnn", batch=1).save(src)
    assert byteir_cli.main(["run", str(src), "--check", "--repeat", "2", "--outputs", str(tmp_path / "o.npz")]) == 0
    out = capsys.readouterr().out
    assert "check against the xla oracle" in out and "ok" in out and "steady median" in out
    byre = tmp_path / "cnn.byre"
    assert byteir_cli.main(["compile", str(src), "-o", str(byre)]) == 0
    assert byteir_cli.main(["run", str(byre), "--check"]) == 2
    assert "--check needs the StableHLO program" in capsys.readouterr().err
    assert byteir_cli.main(["run", str(byre), "--source", str(src), "--check", "--repeat", "0"]) == 0


def test_inputs_are_read_in_place_on_host_memory(mlp_byre, device, monkeypatch) -> None:
    """On host memory the input buffer borrows the caller's array for the run (no upload copy),
    leaves it unchanged, and is backed by its own memory again afterwards."""
    with Session(mlp_byre, device=device) as session:
        (spec,) = session.input_specs
        x = np.random.default_rng(0).standard_normal(spec.shape).astype(np.float32)
        before = x.copy()
        updates = []
        monkeypatch.setattr(type(session._queue), "update", lambda self, *a, **k: updates.append(a))
        got = session.run([x])
        assert not updates, "a read-only input was copied"
        assert np.array_equal(x, before)
        buffer = session._input_views[0].buffer
        assert buffer.address != x.ctypes.data  # its own memory again
        monkeypatch.undo()
        x_strided = np.asfortranarray(x)  # bound after conversion, or copied: same answer either way
        assert np.array_equal(session.run([x_strided])[0], got[0])
    want = reference.run(models.get("mlp", batch=2), [x], engine="xla")
    assert reference.compare(got[0], want[0], reference.default_tolerance(want[0].dtype)).ok


def test_outputs_are_written_in_place_on_host_memory(mlp_byre, device, monkeypatch) -> None:
    """On host memory each output buffer is backed by a fresh array for the run (no read-back
    copy): a result keeps its values after later runs, and the buffer has its own memory again."""
    with Session(mlp_byre, device=device) as session:
        (spec,) = session.input_specs
        rng = np.random.default_rng(1)
        x1, x2 = (rng.standard_normal(spec.shape).astype(np.float32) for _ in range(2))
        reads = []
        monkeypatch.setattr(type(session._queue), "read", lambda self, *a, **k: reads.append(a))
        (first,) = session.run([x1])
        (second,) = session.run([x2])
        assert not reads, "an output was read back by a copy"
        buffer = session._output_views[0].buffer
        assert buffer.address not in (first.ctypes.data, second.ctypes.data)
        assert not np.shares_memory(first, second)
    model = models.get("mlp", batch=2)
    for x, got in ((x1, first), (x2, second)):
        want = reference.run(model, [x], engine="xla")[0]
        assert reference.compare(got, want, reference.default_tolerance(want.dtype)).ok


def test_host_queue_binds_writable_only_to_writable_arrays(device) -> None:
    queue = device.queue(0)
    buffer = device.allocate(16)
    frozen = np.zeros(4, np.float32)
    frozen.flags.writeable = False
    assert not queue.bind_host(buffer, frozen, writable=True)
    assert queue.bind_host(buffer, frozen)  # read-only binding
    queue.unbind_host(buffer)
    target = np.zeros(4, np.float32)
    assert queue.bind_host(buffer, target, writable=True)
    queue.fill(buffer.whole(), np.float32(2.5).tobytes())
    queue.finish()
    queue.unbind_host(buffer)
    assert np.array_equal(target, np.full(4, 2.5, np.float32))


@pytest.mark.parametrize("dtype", ["float32", "bool", "bfloat16", "int4"])
@pytest.mark.parametrize("writeable", [True, False], ids=["writable", "read-only"])
def test_a_bound_buffer_reads_at_the_callers_array(device, dtype: str, writeable: bool) -> None:
    """A buffer bound to a caller's array reports that array's address and bytes (NumPy dtypes,
    ml_dtypes' too; writable arrays or not), and its own again once unbound."""
    queue = device.queue(0)
    buffer = device.allocate(64)
    own = buffer.address
    t = np.dtype(getattr(ml_dtypes, dtype, dtype))
    array = (np.arange(64 // t.itemsize) % 4).astype(t)
    array.flags.writeable = writeable
    assert queue.bind_host(buffer, array)
    assert buffer.address == array.ctypes.data
    assert buffer.data.tobytes() == array.tobytes() and np.shares_memory(buffer.data, array)
    queue.unbind_host(buffer)
    assert buffer.address == own and not np.shares_memory(buffer.data, array)
    buffer.release()


def test_dropped_outputs_are_written_again_held_ones_never(mlp_byre, device) -> None:
    """An output array the caller dropped is reused by the next run (no fresh pages to fault in);
    one the caller still holds, directly or through a view, keeps its values."""
    with Session(mlp_byre, device=device) as session:
        (spec,) = session.input_specs
        rng = np.random.default_rng(2)
        xs = [rng.standard_normal(spec.shape).astype(np.float32) for _ in range(3)]
        address = session.run([xs[0]])[0].ctypes.data  # dropped at once
        (held,) = session.run([xs[1]])
        assert held.ctypes.data == address
        kept = held.copy()
        part = held[:1]
        del held
        (third,) = session.run([xs[2]])
        assert not np.shares_memory(third, part)
        assert np.array_equal(part, kept[:1])
        assert not np.array_equal(third, kept)
