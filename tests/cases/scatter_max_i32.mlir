module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<8xi32>, %arg1: tensor<5xi32>, %arg2: tensor<5xi32>) -> (tensor<8xi32> {jax.result_info = "result"}) {
    %c = stablehlo.constant dense<8> : tensor<5xi32>
    %c_0 = stablehlo.constant dense<0> : tensor<5xi32>
    %0 = stablehlo.compare LT, %arg1, %c_0, SIGNED : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi1>
    %1 = stablehlo.add %arg1, %c : tensor<5xi32>
    %2 = stablehlo.select %0, %1, %arg1 : tensor<5xi1>, tensor<5xi32>
    %3 = stablehlo.broadcast_in_dim %2, dims = [0] : (tensor<5xi32>) -> tensor<5x1xi32>
    %4 = "stablehlo.scatter"(%arg0, %3, %arg2) <{scatter_dimension_numbers = #stablehlo.scatter<inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1>}> ({
    ^bb0(%arg3: tensor<i32>, %arg4: tensor<i32>):
      %5 = stablehlo.maximum %arg3, %arg4 : tensor<i32>
      stablehlo.return %5 : tensor<i32>
    }) : (tensor<8xi32>, tensor<5x1xi32>, tensor<5xi32>) -> tensor<8xi32>
    return %4 : tensor<8xi32>
  }
  func.func @main() -> tensor<8xi32> {
    %0:3 = call @inputs() : () -> (tensor<8xi32>, tensor<5xi32>, tensor<5xi32>)
    %1 = call @expected() : () -> tensor<8xi32>
    %2 = call @computation(%0#0, %0#1, %0#2) : (tensor<8xi32>, tensor<5xi32>, tensor<5xi32>) -> tensor<8xi32>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<8xi32>, tensor<8xi32>) -> ()
    return %2 : tensor<8xi32>
  }
  func.func private @inputs() -> (tensor<8xi32>, tensor<5xi32>, tensor<5xi32>) {
    %c = stablehlo.constant dense<[7, 3, 3, 5, -4, -3, -5, -8]> : tensor<8xi32>
    %c_0 = stablehlo.constant dense<[4, -2, 5, -7, -5]> : tensor<5xi32>
    %c_1 = stablehlo.constant dense<[6, 2, 5, -2, 6]> : tensor<5xi32>
    return %c, %c_0, %c_1 : tensor<8xi32>, tensor<5xi32>, tensor<5xi32>
  }
  func.func private @expected() -> tensor<8xi32> {
    %c = stablehlo.constant dense<[7, 3, 3, 6, 6, 5, 2, -8]> : tensor<8xi32>
    return %c : tensor<8xi32>
  }
}
