module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<9xi32>) -> (tensor<9xi32> {jax.result_info = "result[0]"}, tensor<9xi32> {jax.result_info = "result[1]"}, tensor<9xi32> {jax.result_info = "result[2]"}, tensor<9xi32> {jax.result_info = "result[3]"}) {
    %c = stablehlo.constant dense<2> : tensor<9xi32>
    %c_0 = stablehlo.constant dense<3> : tensor<9xi32>
    %0 = stablehlo.popcnt %arg0 : tensor<9xi32>
    %1 = stablehlo.count_leading_zeros %arg0 : tensor<9xi32>
    %2 = stablehlo.shift_right_arithmetic %arg0, %c_0 : tensor<9xi32>
    %3 = stablehlo.shift_right_logical %arg0, %c : tensor<9xi32>
    return %0, %1, %2, %3 : tensor<9xi32>, tensor<9xi32>, tensor<9xi32>, tensor<9xi32>
  }
  func.func @main() -> (tensor<9xi32>, tensor<9xi32>, tensor<9xi32>, tensor<9xi32>) {
    %0 = call @inputs() : () -> tensor<9xi32>
    %1:4 = call @expected() : () -> (tensor<9xi32>, tensor<9xi32>, tensor<9xi32>, tensor<9xi32>)
    %2:4 = call @computation(%0) : (tensor<9xi32>) -> (tensor<9xi32>, tensor<9xi32>, tensor<9xi32>, tensor<9xi32>)
    stablehlo.custom_call @check.expect_eq(%2#0, %1#0) {has_side_effect = true} : (tensor<9xi32>, tensor<9xi32>) -> ()
    stablehlo.custom_call @check.expect_eq(%2#1, %1#1) {has_side_effect = true} : (tensor<9xi32>, tensor<9xi32>) -> ()
    stablehlo.custom_call @check.expect_eq(%2#2, %1#2) {has_side_effect = true} : (tensor<9xi32>, tensor<9xi32>) -> ()
    stablehlo.custom_call @check.expect_eq(%2#3, %1#3) {has_side_effect = true} : (tensor<9xi32>, tensor<9xi32>) -> ()
    return %2#0, %2#1, %2#2, %2#3 : tensor<9xi32>, tensor<9xi32>, tensor<9xi32>, tensor<9xi32>
  }
  func.func private @inputs() -> tensor<9xi32> {
    %c = stablehlo.constant dense<[1, 1, 6, -1, 5, -7, 0, -3, -8]> : tensor<9xi32>
    return %c : tensor<9xi32>
  }
  func.func private @expected() -> (tensor<9xi32>, tensor<9xi32>, tensor<9xi32>, tensor<9xi32>) {
    %c = stablehlo.constant dense<[1, 1, 2, 32, 2, 30, 0, 31, 29]> : tensor<9xi32>
    %c_0 = stablehlo.constant dense<[31, 31, 29, 0, 29, 0, 32, 0, 0]> : tensor<9xi32>
    %c_1 = stablehlo.constant dense<[0, 0, 0, -1, 0, -1, 0, -1, -1]> : tensor<9xi32>
    %c_2 = stablehlo.constant dense<[0, 0, 1, 1073741823, 1, 1073741822, 0, 1073741823, 1073741822]> : tensor<9xi32>
    return %c, %c_0, %c_1, %c_2 : tensor<9xi32>, tensor<9xi32>, tensor<9xi32>, tensor<9xi32>
  }
}
