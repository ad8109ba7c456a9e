module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<2x3x4xf32>) -> (tensor<4x6xf32> {jax.result_info = "result"}) {
    %0 = stablehlo.transpose %arg0, dims = [2, 0, 1] : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
    %1 = stablehlo.reshape %0 : (tensor<4x2x3xf32>) -> tensor<4x6xf32>
    return %1 : tensor<4x6xf32>
  }
  func.func @main() -> tensor<4x6xf32> {
    %0 = call @inputs() : () -> tensor<2x3x4xf32>
    %1 = call @expected() : () -> tensor<4x6xf32>
    %2 = call @computation(%0) : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<4x6xf32>, tensor<4x6xf32>) -> ()
    return %2 : tensor<4x6xf32>
  }
  func.func private @inputs() -> tensor<2x3x4xf32> {
    %cst = stablehlo.constant dense<[[[0.35877341, 1.51067734, -1.7863313, 1.68661356], [-0.0473172106, -0.799978613, -0.8029567, -1.08281648], [-0.223645359, 0.833884179, 0.584063709, 6.382860e-01]], [[-1.69480836, -1.57096207, 1.55380321, 0.968885362], [2.18321395, 1.20981586, -1.02439129, 1.28527248], [0.628394246, 0.21482493, -0.819873332, 0.00278022187]]]> : tensor<2x3x4xf32>
    return %cst : tensor<2x3x4xf32>
  }
  func.func private @expected() -> tensor<4x6xf32> {
    %cst = stablehlo.constant dense<[[0.35877341, -0.0473172106, -0.223645359, -1.69480836, 2.18321395, 0.628394246], [1.51067734, -0.799978613, 0.833884179, -1.57096207, 1.20981586, 0.21482493], [-1.7863313, -0.8029567, 0.584063709, 1.55380321, -1.02439129, -0.819873332], [1.68661356, -1.08281648, 6.382860e-01, 0.968885362, 1.28527248, 0.00278022187]]> : tensor<4x6xf32>
    return %cst : tensor<4x6xf32>
  }
}
