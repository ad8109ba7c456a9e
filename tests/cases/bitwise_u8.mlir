module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<8xui8>, %arg1: tensor<8xui8>) -> (tensor<8xui8> {jax.result_info = "result[0]"}, tensor<8xui8> {jax.result_info = "result[1]"}, tensor<8xui8> {jax.result_info = "result[2]"}) {
    %c = stablehlo.constant dense<2> : tensor<8xui8>
    %c_0 = stablehlo.constant dense<1> : tensor<8xui8>
    %c_1 = stablehlo.constant dense<3> : tensor<8xui8>
    %0 = stablehlo.and %arg0, %arg1 : tensor<8xui8>
    %1 = stablehlo.xor %arg0, %c_1 : tensor<8xui8>
    %2 = stablehlo.or %0, %1 : tensor<8xui8>
    %3 = stablehlo.shift_left %arg0, %c_0 : tensor<8xui8>
    %4 = stablehlo.shift_right_logical %arg1, %c : tensor<8xui8>
    return %2, %3, %4 : tensor<8xui8>, tensor<8xui8>, tensor<8xui8>
  }
  func.func @main() -> (tensor<8xui8>, tensor<8xui8>, tensor<8xui8>) {
    %0:2 = call @inputs() : () -> (tensor<8xui8>, tensor<8xui8>)
    %1:3 = call @expected() : () -> (tensor<8xui8>, tensor<8xui8>, tensor<8xui8>)
    %2:3 = call @computation(%0#0, %0#1) : (tensor<8xui8>, tensor<8xui8>) -> (tensor<8xui8>, tensor<8xui8>, tensor<8xui8>)
    stablehlo.custom_call @check.expect_eq(%2#0, %1#0) {has_side_effect = true} : (tensor<8xui8>, tensor<8xui8>) -> ()
    stablehlo.custom_call @check.expect_eq(%2#1, %1#1) {has_side_effect = true} : (tensor<8xui8>, tensor<8xui8>) -> ()
    stablehlo.custom_call @check.expect_eq(%2#2, %1#2) {has_side_effect = true} : (tensor<8xui8>, tensor<8xui8>) -> ()
    return %2#0, %2#1, %2#2 : tensor<8xui8>, tensor<8xui8>, tensor<8xui8>
  }
  func.func private @inputs() -> (tensor<8xui8>, tensor<8xui8>) {
    %c = stablehlo.constant dense<[13, 16, 4, 3, 13, 14, 8, 2]> : tensor<8xui8>
    %c_0 = stablehlo.constant dense<[15, 2, 15, 12, 16, 14, 7, 13]> : tensor<8xui8>
    return %c, %c_0 : tensor<8xui8>, tensor<8xui8>
  }
  func.func private @expected() -> (tensor<8xui8>, tensor<8xui8>, tensor<8xui8>) {
    %c = stablehlo.constant dense<[15, 19, 7, 0, 14, 15, 11, 1]> : tensor<8xui8>
    %c_0 = stablehlo.constant dense<[26, 32, 8, 6, 26, 28, 16, 4]> : tensor<8xui8>
    %c_1 = stablehlo.constant dense<[3, 0, 3, 3, 4, 3, 1, 3]> : tensor<8xui8>
    return %c, %c_0, %c_1 : tensor<8xui8>, tensor<8xui8>, tensor<8xui8>
  }
}
