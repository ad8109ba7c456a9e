"""The front door: text, bytecode, portable artifacts and JAX functions become Programs."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import byteir_sdk
from byteir_sdk import _mlir, reference
from byteir_sdk.compiler import IMPORT_PIPELINE
from byteir_sdk.errors import UsageError

SOURCE = """
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = chlo.erf %x : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = call @helper(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = stablehlo.add %0, %0 : tensor<4xf32>
  %2 = stablehlo.add %0, %0 : tensor<4xf32>
  %3 = stablehlo.multiply %1, %2 : tensor<4xf32>
  return %3 : tensor<4xf32>
}
"""


def test_import_stage_inlines_legalizes_chlo_and_cses(filecheck) -> None:
    program = byteir_sdk.loads(SOURCE)
    filecheck(
        program.text(),
        """
        // CHECK:     func.func @main(%arg0: tensor<4xf32>) -> tensor<4xf32>
        // CHECK-NOT: call
        // CHECK-NOT: chlo.
        // CHECK:     stablehlo.add
        // CHECK-NOT: stablehlo.add
        // CHECK:     stablehlo.multiply
        // CHECK-NOT: func.func
        """,
    )
    assert [str(s) for s in program.inputs] == ["arg0: tensor<4xf32>"]
    assert program.entry == "main"


def test_filecheck_helper_can_fail(filecheck) -> None:
    with pytest.raises(AssertionError, match="FileCheck failed"):
        filecheck("stablehlo.add", "// CHECK: stablehlo.multiply")


def test_import_pipeline_is_the_documented_one() -> None:
    assert "stablehlo-refine-shapes" in IMPORT_PIPELINE and "canonicalize" in IMPORT_PIPELINE
    assert IMPORT_PIPELINE.index("func.func(chlo-legalize-to-stablehlo)") < IMPORT_PIPELINE.index("cse")


def test_imported_program_keeps_semantics() -> None:
    program = byteir_sdk.loads(SOURCE)
    x = np.array([-1.0, 0.0, 0.5, 2.0], np.float32)
    from math import erf

    want = np.array([(2 * erf(v)) ** 2 for v in x], np.float32)
    got = reference.run(program, [x])[0]
    # Oracle: Python's math.erf in double. Tolerance: f32 default.
    assert reference.compare(got, want, reference.default_tolerance(got.dtype)).ok


def test_text_bytecode_and_portable_artifact_load_the_same(tmp_path: Path) -> None:
    program = byteir_sdk.loads(SOURCE)
    text_path = program.save(tmp_path / "m.mlir")
    bc_path = program.save(tmp_path / "m.mlirbc")
    art_path = program.save(tmp_path / "m.vhlo", portable=True)
    assert bc_path.read_bytes().startswith(_mlir.BYTECODE_MAGIC)
    assert b"StableHLO" in art_path.read_bytes()[:64]
    texts = {byteir_sdk.load(p).text() for p in (text_path, bc_path, art_path)}
    assert texts == {program.text()}


@pytest.mark.parametrize("version", [_mlir.stablehlo.get_minimum_version(), "1.0.0", _mlir.stablehlo.get_current_version()])
def test_portable_artifacts_of_every_supported_version_load(version: str) -> None:
    program = byteir_sdk.loads(SOURCE)
    again = byteir_sdk.loads(program.portable_artifact(version), source=f"<vhlo {version}>")
    assert again.text() == program.text()


def test_portable_artifact_version_out_of_range_is_a_clear_error() -> None:
    with pytest.raises(UsageError, match="Supported"):
        byteir_sdk.loads(SOURCE).portable_artifact("0.1.0")


def test_jax_function_with_argument_names() -> None:
    def affine(x, w):
        return jnp.tanh(x @ w), x.sum(axis=0)

    program = byteir_sdk.load(affine, jnp.zeros((2, 3), jnp.float32), jax.ShapeDtypeStruct((3, 4), jnp.bfloat16))
    assert [s.name for s in program.inputs] == ["x", "w"]
    assert [s.mlir_type for s in program.inputs] == ["tensor<2x3xf32>", "tensor<3x4xbf16>"]
    assert [s.mlir_type for s in program.outputs] == ["tensor<2x4xf32>", "tensor<3xf32>"]
    x, w = reference.random_inputs(program)
    got = reference.run(program, {"x": x, "w": w}, engine="xla")
    want = affine(x, w)
    for g, e in zip(got, want):
        assert reference.compare(g, np.asarray(e), reference.default_tolerance(g.dtype)).ok


def test_entry_selection() -> None:
    two = """
    func.func public @first(%x: tensor<f32>) -> tensor<f32> { return %x : tensor<f32> }
    func.func public @second(%x: tensor<i32>) -> tensor<i32> { return %x : tensor<i32> }
    """
    assert byteir_sdk.loads(two, entry="second").inputs[0].mlir_type == "tensor<i32>"
    one = "func.func public @only(%x: tensor<f32>) -> tensor<f32> { return %x : tensor<f32> }"
    assert byteir_sdk.loads(one).entry == "only"


def test_refine_shapes_makes_static_results() -> None:
    program = byteir_sdk.loads(
        """func.func @main(%x: tensor<2x3xf32>) -> tensor<?x3xf32> {
          %0 = stablehlo.convert %x : (tensor<2x3xf32>) -> tensor<?x3xf32>
          return %0 : tensor<?x3xf32>
        }"""
    )
    assert program.outputs[0].shape == (2, 3)
