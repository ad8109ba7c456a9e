module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<3x6xi32>) -> (tensor<3x6xi32> {jax.result_info = "result"}) {
    %c = stablehlo.constant dense<0> : tensor<i32>
    %0 = "stablehlo.reduce_window"(%arg0, %c) <{padding = dense<[[0, 0], [5, 0]]> : tensor<2x2xi64>, window_dimensions = array<i64: 1, 6>}> ({
    ^bb0(%arg1: tensor<i32>, %arg2: tensor<i32>):
      %1 = stablehlo.add %arg1, %arg2 : tensor<i32>
      stablehlo.return %1 : tensor<i32>
    }) : (tensor<3x6xi32>, tensor<i32>) -> tensor<3x6xi32>
    return %0 : tensor<3x6xi32>
  }
  func.func @main() -> tensor<3x6xi32> {
    %0 = call @inputs() : () -> tensor<3x6xi32>
    %1 = call @expected() : () -> tensor<3x6xi32>
    %2 = call @computation(%0) : (tensor<3x6xi32>) -> tensor<3x6xi32>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<3x6xi32>, tensor<3x6xi32>) -> ()
    return %2 : tensor<3x6xi32>
  }
  func.func private @inputs() -> tensor<3x6xi32> {
    %c = stablehlo.constant dense<[[5, 8, -4, -5, 5, 6], [0, -6, 6, 0, -6, -6], [-2, 3, -2, 6, -8, -1]]> : tensor<3x6xi32>
    return %c : tensor<3x6xi32>
  }
  func.func private @expected() -> tensor<3x6xi32> {
    %c = stablehlo.constant dense<[[5, 13, 9, 4, 9, 15], [0, -6, 0, 0, -6, -12], [-2, 1, -1, 5, -3, -4]]> : tensor<3x6xi32>
    return %c : tensor<3x6xi32>
  }
}
