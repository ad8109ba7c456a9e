module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<4x6xi8>, %arg1: tensor<6x3xi8>) -> (tensor<4x3xi32> {jax.result_info = "result"}) {
    %0 = stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0] : (tensor<4x6xi8>, tensor<6x3xi8>) -> tensor<4x3xi32>
    return %0 : tensor<4x3xi32>
  }
  func.func @main() -> tensor<4x3xi32> {
    %0:2 = call @inputs() : () -> (tensor<4x6xi8>, tensor<6x3xi8>)
    %1 = call @expected() : () -> tensor<4x3xi32>
    %2 = call @computation(%0#0, %0#1) : (tensor<4x6xi8>, tensor<6x3xi8>) -> tensor<4x3xi32>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<4x3xi32>, tensor<4x3xi32>) -> ()
    return %2 : tensor<4x3xi32>
  }
  func.func private @inputs() -> (tensor<4x6xi8>, tensor<6x3xi8>) {
    %c = stablehlo.constant dense<[[1, 1, 6, -1, 5, -7], [0, -3, -8, 2, -1, -8], [-3, 6, -7, 6, 7, -8], [-6, 5, -8, -5, 5, 3]]> : tensor<4x6xi8>
    %c_0 = stablehlo.constant dense<[[-1, 7, -6], [-7, 0, -3], [-3, -6, -8], [1, 0, -3], [-2, -1, 2], [-7, 6, 2]]> : tensor<6x3xi8>
    return %c, %c_0 : tensor<4x6xi8>, tensor<6x3xi8>
  }
  func.func private @expected() -> tensor<4x3xi32> {
    %c = stablehlo.constant dense<[[12, -76, -58], [105, 1, 49], [30, -34, 36], [-41, 19, 116]]> : tensor<4x3xi32>
    return %c : tensor<4x3xi32>
  }
}
