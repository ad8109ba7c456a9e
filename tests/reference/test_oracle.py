"""The reference oracle: engines, inputs, random inputs; checked against NumPy and each other."""

from __future__ import annotations

import numpy as np
import pytest

import byteir_sdk
from byteir_sdk import reference
from byteir_sdk.errors import InputMismatchError, UsageError

MATMUL = """
func.func @main(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>) -> (tensor<3x2xf32>, tensor<i32>) {
  %0 = stablehlo.dot_general %a, %b, contracting_dims = [1] x [0] : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  %c = stablehlo.constant dense<42> : tensor<i32>
  return %0, %c : tensor<3x2xf32>, tensor<i32>
}"""


@pytest.fixture(scope="module")
def matmul() -> byteir_sdk.Program:
    return byteir_sdk.loads(MATMUL)


@pytest.mark.parametrize("engine", ["interpreter", "xla"])
def test_matmul_matches_numpy(matmul, engine: str) -> None:
    a, b = reference.random_inputs(matmul, seed=3)
    out, c = reference.run(matmul, [a, b], engine=engine)
    # Oracle: NumPy in float64. Tolerance: f32 default (atol 1e-5, rtol 1e-4).
    want = (a.astype(np.float64) @ b).astype(np.float32)
    assert reference.compare(out, want, reference.default_tolerance(out.dtype)).ok
    assert c.dtype == np.int32 and c.shape == () and int(c) == 42


def test_inputs_by_name_and_argk(matmul) -> None:
    a, b = reference.random_inputs(matmul)
    by_list = reference.run(matmul, [a, b])[0]
    by_name = reference.run(matmul, {"arg0": a, "arg1": b})[0]
    assert np.array_equal(by_list, by_name)


def test_random_inputs_are_deterministic_and_typed(matmul) -> None:
    x1 = reference.random_inputs(matmul, seed=5)
    x2 = reference.random_inputs(matmul, seed=5)
    x3 = reference.random_inputs(matmul, seed=6)
    assert all(np.array_equal(p, q) for p, q in zip(x1, x2))
    assert not np.array_equal(x1[0], x3[0])
    assert [x.dtype for x in x1] == [np.float32, np.float32]


def test_random_integer_inputs_stay_in_small_ranges() -> None:
    program = byteir_sdk.loads(
        """func.func @main(%a: tensor<1000xi8>, %b: tensor<1000xui32>, %c: tensor<1000xi1>) -> tensor<1000xi8> {
          return %a : tensor<1000xi8>
        }"""
    )
    a, b, c = reference.random_inputs(program)
    assert a.min() >= -8 and a.max() <= 8 and b.max() <= 16 and c.dtype == np.bool_ and 300 < c.sum() < 700


@pytest.mark.parametrize(
    "inputs, message",
    [
        ([np.zeros((3, 4), np.float32)], "expected 2 input"),
        ([np.zeros((3, 4), np.float32), np.zeros((4, 3), np.float32)], r"arg1.*shape \(4, 3\)"),
        ([np.zeros((3, 4), np.float64), np.zeros((4, 2), np.float32)], r"arg0.*dtype float64"),
        ({"arg0": np.zeros((3, 4), np.float32), "bogus": 1}, "unknown input name"),
        ({"arg0": np.zeros((3, 4), np.float32)}, "missing input arg1"),
    ],
)
def test_wrong_inputs_name_the_argument(matmul, inputs, message: str) -> None:
    with pytest.raises(InputMismatchError, match=message):
        reference.run(matmul, inputs)


def test_python_scalars_convert_when_lossless() -> None:
    program = byteir_sdk.loads(
        """func.func @main(%a: tensor<i32>) -> tensor<i32> {
          %0 = stablehlo.add %a, %a : tensor<i32>
          return %0 : tensor<i32>
        }"""
    )
    assert int(reference.run(program, [21])[0]) == 42
    with pytest.raises(InputMismatchError):
        reference.run(program, [2.5])


def test_unknown_engine_is_a_usage_error(matmul) -> None:
    with pytest.raises(UsageError, match="interpreter"):
        reference.run(matmul, None, engine="tpu")
