module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<3x3xi32>, %arg1: tensor<3x3xi32>) -> (tensor<3x3xi32> {jax.result_info = "result"}) {
    %c = stablehlo.constant dense<2> : tensor<3x3xi32>
    %0 = stablehlo.compare GT, %arg0, %arg1, SIGNED : (tensor<3x3xi32>, tensor<3x3xi32>) -> tensor<3x3xi1>
    %1 = stablehlo.multiply %arg1, %c : tensor<3x3xi32>
    %2 = stablehlo.select %0, %arg0, %1 : tensor<3x3xi1>, tensor<3x3xi32>
    return %2 : tensor<3x3xi32>
  }
  func.func @main() -> tensor<3x3xi32> {
    %0:2 = call @inputs() : () -> (tensor<3x3xi32>, tensor<3x3xi32>)
    %1 = call @expected() : () -> tensor<3x3xi32>
    %2 = call @computation(%0#0, %0#1) : (tensor<3x3xi32>, tensor<3x3xi32>) -> tensor<3x3xi32>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<3x3xi32>, tensor<3x3xi32>) -> ()
    return %2 : tensor<3x3xi32>
  }
  func.func private @inputs() -> (tensor<3x3xi32>, tensor<3x3xi32>) {
    %c = stablehlo.constant dense<[[7, -2, -5], [4, 6, -4], [-2, -7, 8]]> : tensor<3x3xi32>
    %c_0 = stablehlo.constant dense<[[7, 2, -8], [5, 0, -6], [4, -3, -7]]> : tensor<3x3xi32>
    return %c, %c_0 : tensor<3x3xi32>, tensor<3x3xi32>
  }
  func.func private @expected() -> tensor<3x3xi32> {
    %c = stablehlo.constant dense<[[14, 4, -5], [10, 6, -4], [8, -6, 8]]> : tensor<3x3xi32>
    return %c : tensor<3x3xi32>
  }
}
