module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<6xf32>, %arg1: tensor<4xi32>, %arg2: tensor<4xf32>) -> (tensor<6xf32> {jax.result_info = "result"}) {
    %c = stablehlo.constant dense<6> : tensor<4xi32>
    %c_0 = stablehlo.constant dense<0> : tensor<4xi32>
    %0 = stablehlo.compare LT, %arg1, %c_0, SIGNED : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
    %1 = stablehlo.add %arg1, %c : tensor<4xi32>
    %2 = stablehlo.select %0, %1, %arg1 : tensor<4xi1>, tensor<4xi32>
    %3 = stablehlo.broadcast_in_dim %2, dims = [0] : (tensor<4xi32>) -> tensor<4x1xi32>
    %4 = "stablehlo.scatter"(%arg0, %3, %arg2) <{scatter_dimension_numbers = #stablehlo.scatter<inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1>}> ({
    ^bb0(%arg3: tensor<f32>, %arg4: tensor<f32>):
      %5 = stablehlo.add %arg3, %arg4 : tensor<f32>
      stablehlo.return %5 : tensor<f32>
    }) : (tensor<6xf32>, tensor<4x1xi32>, tensor<4xf32>) -> tensor<6xf32>
    return %4 : tensor<6xf32>
  }
  func.func @main() -> tensor<6xf32> {
    %0:3 = call @inputs() : () -> (tensor<6xf32>, tensor<4xi32>, tensor<4xf32>)
    %1 = call @expected() : () -> tensor<6xf32>
    %2 = call @computation(%0#0, %0#1, %0#2) : (tensor<6xf32>, tensor<4xi32>, tensor<4xf32>) -> tensor<6xf32>
    stablehlo.custom_call @check.expect_almost_eq(%2, %1) {has_side_effect = true} : (tensor<6xf32>, tensor<6xf32>) -> ()
    return %2 : tensor<6xf32>
  }
  func.func private @inputs() -> (tensor<6xf32>, tensor<4xi32>, tensor<4xf32>) {
    %cst = stablehlo.constant dense<[-1.43087304, -0.936547696, 0.393938363, -0.524086654, 0.525616229, 0.807323634]> : tensor<6xf32>
    %c = stablehlo.constant dense<[4, -2, 5, -7]> : tensor<4xi32>
    %cst_0 = stablehlo.constant dense<[0.09147612, -0.0690699145, 0.220505819, 1.41403949]> : tensor<4xf32>
    return %cst, %c, %cst_0 : tensor<6xf32>, tensor<4xi32>, tensor<4xf32>
  }
  func.func private @expected() -> tensor<6xf32> {
    %cst = stablehlo.constant dense<[-1.43087304, -0.936547696, 0.393938363, -0.524086654, 0.548022449, 1.02782941]> : tensor<6xf32>
    return %cst : tensor<6xf32>
  }
}
