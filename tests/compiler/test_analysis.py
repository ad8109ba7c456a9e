"""FLOP and parameter estimates, checked against hand-computed values."""

from __future__ import annotations

import byteir_sdk
from byteir_sdk.compiler.analysis import analyze


def test_matmul_conv_reduce_flops_and_parameters() -> None:
    program = byteir_sdk.loads(
        """func.func @main(%x: tensor<4x8xf32>, %img: tensor<1x6x6x3xf32>) -> (tensor<4x2xf32>, tensor<1x4x4x5xf32>, tensor<f32>) {
          %w = stablehlo.constant dense<[[1.0, 2.0], [3.0, 4.0], [1.0, 2.0], [3.0, 4.0], [1.0, 2.0], [3.0, 4.0], [1.0, 2.0], [3.0, 5.0]]> : tensor<8x2xf32>
          %0 = stablehlo.dot_general %x, %w, contracting_dims = [1] x [0] : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
          %k = stablehlo.constant dense<0.5> : tensor<3x3x3x5xf32>
          %1 = stablehlo.convolution(%img, %k) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<1x6x6x3xf32>, tensor<3x3x3x5xf32>) -> tensor<1x4x4x5xf32>
          %z = stablehlo.constant dense<0.0> : tensor<f32>
          %2 = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [0, 1] : (tensor<4x8xf32>, tensor<f32>) -> tensor<f32>
          return %0, %1, %2 : tensor<4x2xf32>, tensor<1x4x4x5xf32>, tensor<f32>
        }"""
    )
    stats = analyze(program)
    matmul = 2 * 4 * 2 * 8
    conv = 2 * (4 * 4 * 5) * (3 * 3) * 3
    reduce = 4 * 8
    body_add = 1  # the scalar add in the reduce body
    assert stats.flops == matmul + conv + reduce + body_add
    assert stats.parameters == 16 and stats.parameter_bytes == 64 and stats.parameter_tensors == 1  # splats are not weights
    assert stats.input_bytes == (32 + 108) * 4
