module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<2x3x4xf16>, %arg1: tensor<4xf16>) -> (tensor<2x3x4xf16> {jax.result_info = "result"}) {
    %0 = stablehlo.broadcast_in_dim %arg1, dims = [2] : (tensor<4xf16>) -> tensor<1x1x4xf16>
    %1 = stablehlo.broadcast_in_dim %0, dims = [0, 1, 2] : (tensor<1x1x4xf16>) -> tensor<2x3x4xf16>
    %2 = stablehlo.subtract %arg0, %1 : tensor<2x3x4xf16>
    return %2 : tensor<2x3x4xf16>
  }
  func.func @main() -> tensor<2x3x4xf16> {
    %0:2 = call @inputs() : () -> (tensor<2x3x4xf16>, tensor<4xf16>)
    %1 = call @expected() : () -> tensor<2x3x4xf16>
    %2 = call @computation(%0#0, %0#1) : (tensor<2x3x4xf16>, tensor<4xf16>) -> tensor<2x3x4xf16>
    stablehlo.custom_call @check.expect_close(%2, %1) {has_side_effect = true} : (tensor<2x3x4xf16>, tensor<2x3x4xf16>) -> ()
    return %2 : tensor<2x3x4xf16>
  }
  func.func private @inputs() -> (tensor<2x3x4xf16>, tensor<4xf16>) {
    %cst = stablehlo.constant dense<[[[1.101560e+00, 3.383790e-01, -5.400390e-01, -1.259770e+00], [-1.894530e+00, 1.863100e-02, -8.105460e-01, -8.720700e-01], [-2.219240e-01, -5.184940e-02, -2.277340e+00, 9.252920e-01]], [[-2.027340e+00, 1.859380e+00, 5.903320e-01, -4.719240e-01], [1.342770e+00, 2.078250e-02, 6.909170e-01, 1.072390e-01], [1.096680e+00, 1.061520e+00, -9.072260e-01, -6.123050e-01]]]> : tensor<2x3x4xf16>
    %cst_0 = stablehlo.constant dense<[-3.610840e-01, 4.638670e-01, -1.398440e+00, -1.525880e-01]> : tensor<4xf16>
    return %cst, %cst_0 : tensor<2x3x4xf16>, tensor<4xf16>
  }
  func.func private @expected() -> tensor<2x3x4xf16> {
    %cst = stablehlo.constant dense<[[[1.462890e+00, -1.254880e-01, 8.583980e-01, -1.107420e+00], [-1.533200e+00, -4.453130e-01, 5.878900e-01, -7.197270e-01], [1.391600e-01, -5.156250e-01, -8.789060e-01, 1.078130e+00]], [[-1.666020e+00, 1.395510e+00, 1.988280e+00, -3.193360e-01], [1.704100e+00, -4.431150e-01, 2.089840e+00, 2.597660e-01], [1.458010e+00, 5.976560e-01, 4.912110e-01, -4.597170e-01]]]> : tensor<2x3x4xf16>
    return %cst : tensor<2x3x4xf16>
  }
}
