"""The `byteir`, `byteir-sim` and `byteir-conformance` commands: output, files, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from byteir_sdk import reference
from byteir_sdk.cli import conformance as conformance_cli
from byteir_sdk.cli import main as byteir_cli
from byteir_sdk.cli import sim as sim_cli
from byteir_sdk.compiler import load
from byteir_sdk.compiler.byre.format import VERSION

ADD = """func.func @main(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %0 = stablehlo.add %a, %b : tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}
"""


@pytest.fixture
def add_file(tmp_path: Path) -> Path:
    path = tmp_path / "add.mlir"
    path.write_text(ADD)
    return path


def test_inspect_prints_signature_ops_parameters_flops(add_file: Path, capsys) -> None:
    assert byteir_cli.main(["inspect", str(add_file)]) == 0
    out = capsys.readouterr().out
    for text in ("tensor<2x2xf32>", "stablehlo.add", "parameters", "FLOPs", "4 (0.000 GFLOP)"):
        assert text in out


def test_reference_with_npz_inputs_and_outputs(add_file: Path, tmp_path: Path, capsys) -> None:
    a = np.arange(4, dtype=np.float32).reshape(2, 2)
    np.savez(tmp_path / "in.npz", arg0=a, arg1=a * 10)
    out_path = tmp_path / "out.npz"
    for engine in ("interpreter", "xla"):
        code = byteir_cli.main(["reference", str(add_file), "--inputs", str(tmp_path / "in.npz"),
                                "--outputs", str(out_path), "--engine", engine])  # fmt: skip
        assert code == 0
        with np.load(out_path) as npz:
            assert list(npz.files) == ["out0"]
            np.testing.assert_array_equal(npz["out0"], a * 11)  # exact: small integers in f32
    assert "out0" in capsys.readouterr().out


def test_reference_random_inputs_match_the_library(add_file: Path, tmp_path: Path) -> None:
    assert byteir_cli.main(["reference", str(add_file), "--seed", "4", "--outputs", str(tmp_path / "o.npz")]) == 0
    program = load(add_file)
    want = reference.run(program, reference.random_inputs(program, 4))[0]
    with np.load(tmp_path / "o.npz") as npz:
        np.testing.assert_array_equal(npz["out0"], want)


def test_export_model_then_inspect(tmp_path: Path, capsys) -> None:
    path = tmp_path / "mlp.mlirbc"
    assert byteir_cli.main(["export-model", "mlp", "-o", str(path), "--batch", "2"]) == 0
    assert byteir_cli.main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "tensor<2x784xf32>" in out and "1,863,690" in out  # 784*1024+1024 + 1024*1024+1024 + 1024*10+10


@pytest.mark.parametrize(
    "argv_tail, message",
    [
        (["inspect", "{missing}"], "no such file"),
        (["inspect", "{garbage}"], "not MLIR"),
        (["reference", "{add}", "--inputs", "{bad_npz}"], "arg1"),
        (["export-model", "resnet9000", "-o", "x.mlir"], "invalid choice"),
        (["compile", "{add}", "--target-option", "threads=zero"], "threads='zero': not a whole number >= 1"),
        (["compile", "{add}", "--target-option", "cores=4"], "does not take the option(s) cores"),
        (["compile", "{add}", "--target-option", "threads"], "is not NAME=VALUE"),
    ],
)
def test_bad_input_exits_2_with_one_line_no_traceback(tmp_path: Path, add_file: Path, capsys, argv_tail, message) -> None:
    (tmp_path / "garbage.bin").write_bytes(b"\x00\x01\x02garbage")
    np.savez(tmp_path / "bad.npz", arg0=np.zeros((2, 2), np.float32), arg1=np.zeros((3, 2), np.float32))
    paths = {"missing": tmp_path / "missing.mlir", "garbage": tmp_path / "garbage.bin", "add": add_file, "bad_npz": tmp_path / "bad.npz"}
    argv = [a.format(**paths) for a in argv_tail]
    with pytest.raises(SystemExit) if argv[0] == "export-model" else _no_raise() as _:
        code = byteir_cli.main(argv)
        assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


class _no_raise:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False


def test_debug_shows_the_traceback(tmp_path: Path, capsys) -> None:
    assert byteir_cli.main(["--debug", "inspect", str(tmp_path / "missing.mlir")]) == 2
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize("module, words", [(sim_cli, ["simulator", "cycle", "Perfetto"]), (conformance_cli, ["HAL", "report", "--tier"])])
def test_sim_and_conformance_describe_themselves(module, words, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        module.main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert all(w in out for w in words)


def test_installed_entry_points_run() -> None:
    bindir = Path(sys.executable).parent
    for name in ("byteir", "byteir-sim", "byteir-conformance"):
        proc = subprocess.run([str(bindir / name), "--help"], capture_output=True, text=True)
        assert proc.returncode == 0 and "usage:" in proc.stdout, name
    proc = subprocess.run([str(bindir / "byteir"), "inspect", "/definitely/missing.mlir"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") <= 2 and "Traceback" not in proc.stderr


def test_inspect_byre_lists_kernels_with_format_and_launch(tmp_path: Path, capsys) -> None:
    from byteir_sdk import compile as compile_program, models

    path = compile_program(models.get("mlp", batch=2), "cpu").save(tmp_path / "mlp.byre")
    assert byteir_cli.main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"ByRE {VERSION}, target cpu" in out and "llvm-ir" in out and "library:0" in out and "weight" in out


def test_target_options_apply_where_a_program_is_compiled(add_file: Path, tmp_path: Path, capsys) -> None:
    """``--target-option NAME=VALUE`` reaches the target's backend when compiling (the cpu's
    ``threads``: the cores of the machine it will run on), in ``compile`` and in ``run`` of a
    .mlir; a .byre is compiled already, so there it is an error, not silently ignored."""
    byre = tmp_path / "add.byre"
    assert byteir_cli.main(["compile", str(add_file), "--target-option", "threads=16", "--target-option", "stream_bytes=0", "-o", str(byre)]) == 0
    assert byteir_cli.main(["run", str(add_file), "--target-option", "threads=3", "--repeat", "0", "--check"]) == 0
    capsys.readouterr()
    assert byteir_cli.main(["run", str(byre), "--target-option", "threads=3", "--repeat", "0"]) == 2
    assert "compiled already" in capsys.readouterr().err
