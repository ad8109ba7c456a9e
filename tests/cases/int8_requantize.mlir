module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<4x8xi8>, %arg1: tensor<8x4xi8>) -> (tensor<4x4xi8> {jax.result_info = "result"}) {
    %c = stablehlo.constant dense<127> : tensor<i32>
    %c_0 = stablehlo.constant dense<-128> : tensor<i32>
    %cst = stablehlo.constant dense<5.000000e-02> : tensor<f32>
    %0 = stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0] : (tensor<4x8xi8>, tensor<8x4xi8>) -> tensor<4x4xi32>
    %1 = stablehlo.convert %0 : (tensor<4x4xi32>) -> tensor<4x4xf32>
    %2 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<4x4xf32>
    %3 = stablehlo.multiply %1, %2 : tensor<4x4xf32>
    %4 = stablehlo.round_nearest_even %3 : tensor<4x4xf32>
    %5 = stablehlo.convert %c_0 : (tensor<i32>) -> tensor<f32>
    %6 = stablehlo.broadcast_in_dim %5, dims = [] : (tensor<f32>) -> tensor<4x4xf32>
    %7 = stablehlo.maximum %6, %4 : tensor<4x4xf32>
    %8 = stablehlo.convert %c : (tensor<i32>) -> tensor<f32>
    %9 = stablehlo.broadcast_in_dim %8, dims = [] : (tensor<f32>) -> tensor<4x4xf32>
    %10 = stablehlo.minimum %9, %7 : tensor<4x4xf32>
    %11 = stablehlo.convert %10 : (tensor<4x4xf32>) -> tensor<4x4xi8>
    return %11 : tensor<4x4xi8>
  }
  func.func @main() -> tensor<4x4xi8> {
    %0:2 = call @inputs() : () -> (tensor<4x8xi8>, tensor<8x4xi8>)
    %1 = call @expected() : () -> tensor<4x4xi8>
    %2 = call @computation(%0#0, %0#1) : (tensor<4x8xi8>, tensor<8x4xi8>) -> tensor<4x4xi8>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<4x4xi8>, tensor<4x4xi8>) -> ()
    return %2 : tensor<4x4xi8>
  }
  func.func private @inputs() -> (tensor<4x8xi8>, tensor<8x4xi8>) {
    %c = stablehlo.constant dense<[[7, 3, 3, 5, -4, -3, -5, -8], [-1, 1, 8, -6, 8, 4, -1, -3], [3, -1, -4, 8, -5, 5, -7, 6], [-6, 1, 0, 8, 7, -8, 7, 7]]> : tensor<4x8xi8>
    %c_0 = stablehlo.constant dense<[[4, -2, 5, -7], [-5, 5, -1, -5], [6, 2, -4, 5], [1, 7, -2, -8], [0, 5, 6, 3], [7, 3, 3, 3], [-6, 0, -2, 0], [-3, -2, 2, -4]]> : tensor<8x4xi8>
    return %c, %c_0 : tensor<4x8xi8>, tensor<8x4xi8>
  }
  func.func private @expected() -> tensor<4x4xi8> {
    %c = stablehlo.constant dense<[[3, 1, -1, -4], [4, 2, 2, 7], [3, 1, 1, -6], [-7, 4, -1, -3]]> : tensor<4x4xi8>
    return %c : tensor<4x4xi8>
  }
}
