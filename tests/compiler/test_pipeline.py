"""The compiler pipeline end to end: stages, dumps, determinism, round trips, errors, CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

import byteir_sdk
from byteir_sdk import models
from byteir_sdk.cli import main as byteir_cli
from byteir_sdk.compiler.byre.format import VERSION
from byteir_sdk.compiler.pipeline import STAGES, CompileOptions, run_stages
from byteir_sdk.errors import UnknownTargetError, UnsupportedOpError, UnsupportedTypeError, UsageError
from byteir_sdk.runtime import read_byre, verify_byre


@pytest.fixture(scope="module")
def cnn_compilation():
    return run_stages(models.get("cnn", batch=1), CompileOptions.make("cpu", dump_after="all"))


def test_stages_are_named_lists_of_passes() -> None:
    assert list(STAGES) == ["import", "graph", "loop", "tensor", "byre"]
    assert STAGES["graph"][-2:] == ("outline-fusion-groups", "sink-calls-to-first-use")


def test_dumps_after_every_stage(cnn_compilation, filecheck) -> None:
    dumps = cnn_compilation.dumps
    assert set(dumps) == set(STAGES)
    filecheck(dumps["graph"], """
    // CHECK: func.func private @k0_convolution
    // CHECK: func.func {{.*}}@main
    // CHECK: call @k0_convolution
    """)
    filecheck(dumps["loop"], """
    // CHECK: @k0_convolution as linalg
    // CHECK: linalg.conv_2d_nhwc_hwcf
    // CHECK: Kernel IR after the loop passes
    // CHECK: kernel @k0_convolution
    // CHECK: loop.conv_2d_nhwc_hwcf domain=[1, 32, 32, 16, 3, 3, 3] iterators=[parallel, parallel, parallel, parallel, reduction, reduction, reduction]
    """)
    filecheck(dumps["tensor"], """
    // CHECK: memory plan: arena {{[0-9]+}} bytes (naive {{[0-9]+}}), alignment 64; arenas by space: device {{[0-9]+}}
    // CHECK: written into out0
    """)
    filecheck(dumps["byre"], """
    // CHECK: module attributes {byre.container_module
    // CHECK-SAME: byre.target = "cpu"
    // CHECK-SAME: byre.version = "1.1.0"
    // CHECK: func.func @main(%arg0: memref<1x32x32x3xf32> {byre.argname = "x", byre.argtype = 1 : i32}
    // CHECK: memref.alloc() {alignment = 64 : i64, byre.memory_space = "device"}
    // CHECK: "byre.alias"
    // CHECK: "byre.compute"({{.*}}) {{{.*}}callee = "k0_convolution"}
    """)


def test_statistics(cnn_compilation) -> None:
    stats = cnn_compilation.byre.stats
    assert 0 < stats["arena_peak_bytes"] <= stats["arena_naive_bytes"]
    assert stats["weight_bytes"] > 0 and stats["kernels"] == len(stats["ops_per_kernel"])
    assert set(stats["stage_seconds"]) == {"graph", "loop", "tensor", "byre"}


def test_compiled_module_verifies(cnn_compilation) -> None:
    verify_byre(read_byre(cnn_compilation.byre))


def test_compile_is_deterministic_and_round_trips(tmp_path: Path) -> None:
    program = models.get("transformer", batch=1, seq=4)
    a = byteir_sdk.compile(program, "cpu").save(tmp_path / "a.byre")
    b = byteir_sdk.compile(program, "cpu").save(tmp_path / "b.byre")
    assert a.read_bytes() == b.read_bytes()
    bc = byteir_sdk.compile(program, "cpu").save(tmp_path / "a.byrebc", bytecode=True)
    again = read_byre(bc)
    assert again.version == VERSION and len(again.ops) == len(read_byre(a).ops)
    # text -> bytecode -> text is identical
    from byteir_sdk import _mlir

    module = _mlir.parse_module(bc.read_bytes(), _mlir.new_byre_context(), source="bc")
    assert module.operation.get_asm(enable_debug_info=False) == a.read_text()


def test_unknown_target() -> None:
    with pytest.raises(UnknownTargetError, match="Registered targets: cpu"):
        byteir_sdk.compile(models.get("mlp", batch=1), "tpu9000")


def test_unsupported_op_names_the_op_location_and_target() -> None:
    program = byteir_sdk.loads("""
    func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
      %0 = stablehlo.custom_call @my_vendor_op(%x) : (tensor<4xf32>) -> tensor<4xf32>
      return %0 : tensor<4xf32>
    }""", source="model.mlir")
    with pytest.raises(UnsupportedOpError, match=r"model.mlir:3:\d+: stablehlo.custom_call is not supported by target 'cpu'"):
        byteir_sdk.compile(program, "cpu")


def test_unsupported_element_type() -> None:
    program = byteir_sdk.loads("func.func @main(%x: tensor<4xf8E4M3FN>) -> tensor<4xf8E4M3FN> {\n %0 = stablehlo.abs %x : tensor<4xf8E4M3FN>\n return %0 : tensor<4xf8E4M3FN>\n}")
    with pytest.raises(UnsupportedTypeError, match="f8E4M3FN, which target 'cpu' does not support"):
        byteir_sdk.compile(program, "cpu")


def test_dynamic_shapes_are_rejected() -> None:
    with pytest.raises(UnsupportedTypeError, match="dynamic shape"):
        byteir_sdk.loads("func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> { return %x : tensor<?xf32> }")


def test_bad_dump_stage() -> None:
    with pytest.raises(UsageError, match="unknown stage"):
        CompileOptions.make("cpu", dump_after="optimise")


def test_cli_compile_and_errors(tmp_path: Path, capsys) -> None:
    src = tmp_path / "m.mlir"
    models.get("mlp", batch=1).save(src)
    out = tmp_path / "m.byre"
    assert byteir_cli.main(["compile", str(src), "-o", str(out), "--stats", "--dump-after", "loop", "--dump-dir", str(tmp_path / "d")]) == 0
    assert out.is_file() and (tmp_path / "d" / "m.loop.kir").is_file()
    assert "arena peak" in capsys.readouterr().out
    assert byteir_cli.main(["compile", str(src), "--target", "nope"]) == 2
    assert "unknown target 'nope'" in capsys.readouterr().err
