module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<4x8xbf16>, %arg1: tensor<8x2xbf16>) -> (tensor<4x2xf32> {jax.result_info = "result"}) {
    %0 = stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0] : (tensor<4x8xbf16>, tensor<8x2xbf16>) -> tensor<4x2xf32>
    return %0 : tensor<4x2xf32>
  }
  func.func @main() -> tensor<4x2xf32> {
    %0:2 = call @inputs() : () -> (tensor<4x8xbf16>, tensor<8x2xbf16>)
    %1 = call @expected() : () -> tensor<4x2xf32>
    %2 = call @computation(%0#0, %0#1) : (tensor<4x8xbf16>, tensor<8x2xbf16>) -> tensor<4x2xf32>
    stablehlo.custom_call @check.expect_almost_eq(%2, %1) {has_side_effect = true} : (tensor<4x2xf32>, tensor<4x2xf32>) -> ()
    return %2 : tensor<4x2xf32>
  }
  func.func private @inputs() -> (tensor<4x8xbf16>, tensor<8x2xbf16>) {
    %cst = stablehlo.constant dense<[[-4.316410e-01, -1.132810e+00, 6.757810e-01, -1.109380e+00, 2.015630e+00, 9.257810e-01, -3.593750e-01, 5.703130e-01], [1.609380e+00, 2.828130e+00, -9.218750e-01, 1.062500e+00, 5.195310e-01, -2.792970e-01, 1.093750e+00, 5.078130e-01], [1.078130e+00, -5.273440e-01, -2.487180e-03, 3.945310e-01, 1.965330e-02, 1.660160e-02, -7.695310e-01, 1.259770e-01], [1.875000e-01, -6.127930e-02, -1.477050e-02, 6.953130e-01, -6.601560e-01, 6.953130e-01, -1.533200e-01, 5.615230e-02]]> : tensor<4x8xbf16>
    %cst_0 = stablehlo.constant dense<[[7.929680e-01, -2.294920e-01], [-2.236330e-01, 1.421880e+00], [-3.710940e-01, -6.093750e-01], [-1.875000e+00, -1.031250e+00], [3.691410e-01, 7.812500e-01], [5.273440e-01, -8.515620e-01], [4.179690e-01, -9.531250e-01], [8.359380e-01, 2.093750e+00]]> : tensor<8x2xbf16>
    return %cst, %cst_0 : tensor<4x8xbf16>, tensor<8x2xbf16>
  }
  func.func private @expected() -> tensor<4x2xf32> {
    %cst = stablehlo.constant dense<[[3.29914856, 1.54354668], [-0.0802154541, 3.78244019], [0.033705771, -0.404143095], [-1.03000903, -1.68234825]]> : tensor<4x2xf32>
    return %cst : tensor<4x2xf32>
  }
}
