"""Element types both ways: MLIR <-> NumPy, arrays -> attributes -> interpreter -> arrays."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

import byteir_sdk
from byteir_sdk import reference
from byteir_sdk.dtypes import element_type, element_type_of_dtype
from byteir_sdk.errors import UnsupportedTypeError

ALL_TYPES = ["i1", "i8", "i16", "i32", "i64", "ui8", "ui16", "ui32", "ui64", "f16", "bf16", "f32", "f64",
             "complex<f32>", "complex<f64>", "f8E4M3FN", "f8E5M2", "i4", "ui4"]  # fmt: skip


@pytest.mark.parametrize("name", ALL_TYPES)
def test_identity_roundtrip_is_bit_exact_on_both_engines(name: str) -> None:
    # Oracle: the value itself. Tolerance: exact (bits), including NaN payloads kept by identity.
    program = byteir_sdk.loads(
        f"""func.func @main(%a: tensor<3x5x{name}>, %b: tensor<0x{name}>) -> (tensor<3x5x{name}>, tensor<0x{name}>) {{
          return %a, %b : tensor<3x5x{name}>, tensor<0x{name}>
        }}"""
    )
    inputs = reference.random_inputs(program, seed=7)
    et = element_type(name)
    for engine in ("interpreter", "xla"):
        out, empty = reference.run(program, inputs, engine=engine)
        assert out.dtype == et.dtype and out.shape == (3, 5) and empty.shape == (0,)
        assert out.tobytes() == inputs[0].tobytes(), engine


@pytest.mark.parametrize("name", ["f32", "bf16", "f16", "i8", "ui32", "complex<f32>", "f8E4M3FN", "i4"])
def test_add_agrees_between_interpreter_and_xla(name: str) -> None:
    program = byteir_sdk.loads(
        f"""func.func @main(%a: tensor<4x{name}>, %b: tensor<4x{name}>) -> tensor<4x{name}> {{
          %0 = stablehlo.add %a, %b : tensor<4x{name}>
          return %0 : tensor<4x{name}>
        }}"""
    )
    inputs = reference.random_inputs(program, seed=1)
    a = reference.run(program, inputs)[0]
    b = reference.run(program, inputs, engine="xla")[0]
    # Oracle: interpreter vs XLA. Tolerance: exact: one correctly rounded add per element.
    assert reference.compare(a, b, reference.Tolerance("exact")).ok
    expected = (inputs[0].astype(np.complex128 if "complex" in name else np.float64) + inputs[1]).astype(a.dtype)
    if element_type(name).kind in ("int", "uint") and element_type(name).bits >= 8:
        assert np.array_equal(a, expected)


def test_dtype_tables_are_consistent() -> None:
    assert element_type("bf16").dtype == np.dtype(ml_dtypes.bfloat16)
    assert element_type_of_dtype(np.uint16).name == "ui16"
    assert element_type_of_dtype(np.bool_).name == "i1"
    assert element_type("complex<f64>").dtype == np.complex128


def test_unknown_element_type_is_rejected() -> None:
    with pytest.raises(UnsupportedTypeError, match="tf32"):
        element_type("tf32")
