module @jit_multiply attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<3x7xbf16>, %arg1: tensor<3x7xbf16>) -> (tensor<3x7xbf16> {jax.result_info = "result"}) {
    %0 = stablehlo.multiply %arg0, %arg1 : tensor<3x7xbf16>
    return %0 : tensor<3x7xbf16>
  }
  func.func @main() -> tensor<3x7xbf16> {
    %0:2 = call @inputs() : () -> (tensor<3x7xbf16>, tensor<3x7xbf16>)
    %1 = call @expected() : () -> tensor<3x7xbf16>
    %2 = call @computation(%0#0, %0#1) : (tensor<3x7xbf16>, tensor<3x7xbf16>) -> tensor<3x7xbf16>
    stablehlo.custom_call @check.expect_close(%2, %1) {has_side_effect = true} : (tensor<3x7xbf16>, tensor<3x7xbf16>) -> ()
    return %2 : tensor<3x7xbf16>
  }
  func.func private @inputs() -> (tensor<3x7xbf16>, tensor<3x7xbf16>) {
    %cst = stablehlo.constant dense<[[-1.734380e+00, -1.335940e+00, -1.359380e+00, -3.515630e-01, -2.312500e+00, -1.884770e-01, -9.570310e-01], [8.945310e-01, 9.570310e-01, 1.390630e+00, 7.656250e-01, -5.297850e-02, 8.593750e-01, 1.507810e+00], [-6.523440e-01, 6.093750e-01, -4.272460e-02, 1.437500e+00, -8.359380e-01, -3.007810e-01, 3.632810e-01]]> : tensor<3x7xbf16>
    %cst_0 = stablehlo.constant dense<[[-4.707030e-01, -4.492190e-01, 1.726560e+00, 2.968750e-01, -1.943360e-01, -1.906250e+00, 9.804680e-01], [1.476560e+00, 1.796880e+00, 9.140620e-01, -1.455080e-01, 7.343750e-01, -2.832030e-01, -1.742190e+00], [3.105470e-01, 1.312500e+00, 2.441410e-01, 1.699220e-01, 3.164060e-01, -1.046880e+00, -1.835940e+00]]> : tensor<3x7xbf16>
    return %cst, %cst_0 : tensor<3x7xbf16>, tensor<3x7xbf16>
  }
  func.func private @expected() -> tensor<3x7xbf16> {
    %cst = stablehlo.constant dense<[[8.164060e-01, 6.015630e-01, -2.343750e+00, -1.044920e-01, 4.492190e-01, 3.593750e-01, -9.375000e-01], [1.320310e+00, 1.718750e+00, 1.273440e+00, -1.113280e-01, -3.881840e-02, -2.431640e-01, -2.625000e+00], [-2.021480e-01, 8.007810e-01, -1.043700e-02, 2.441410e-01, -2.636720e-01, 3.144530e-01, -6.679690e-01]]> : tensor<3x7xbf16>
    return %cst : tensor<3x7xbf16>
  }
}
