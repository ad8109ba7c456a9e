module @jit__cond attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<4xf32>, %arg1: tensor<i1>) -> (tensor<4xf32> {jax.result_info = "result"}) {
    %cst = stablehlo.constant dense<2.000000e+00> : tensor<f32>
    %cst_0 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %0 = stablehlo.convert %arg1 : (tensor<i1>) -> tensor<i32>
    %1 = "stablehlo.case"(%0) ({
      %2 = stablehlo.broadcast_in_dim %cst_0, dims = [] : (tensor<f32>) -> tensor<4xf32>
      %3 = stablehlo.subtract %arg0, %2 : tensor<4xf32>
      stablehlo.return %3 : tensor<4xf32>
    }, {
      %2 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<4xf32>
      %3 = stablehlo.multiply %arg0, %2 : tensor<4xf32>
      stablehlo.return %3 : tensor<4xf32>
    }) : (tensor<i32>) -> tensor<4xf32>
    return %1 : tensor<4xf32>
  }
  func.func @main() -> tensor<4xf32> {
    %0:2 = call @inputs() : () -> (tensor<4xf32>, tensor<i1>)
    %1 = call @expected() : () -> tensor<4xf32>
    %2 = call @computation(%0#0, %0#1) : (tensor<4xf32>, tensor<i1>) -> tensor<4xf32>
    stablehlo.custom_call @check.expect_close(%2, %1) {has_side_effect = true} : (tensor<4xf32>, tensor<4xf32>) -> ()
    return %2 : tensor<4xf32>
  }
  func.func private @inputs() -> (tensor<4xf32>, tensor<i1>) {
    %cst = stablehlo.constant dense<[-1.73826635, -1.33664274, -1.36110675, -0.351617128]> : tensor<4xf32>
    %c = stablehlo.constant dense<true> : tensor<i1>
    return %cst, %c : tensor<4xf32>, tensor<i1>
  }
  func.func private @expected() -> tensor<4xf32> {
    %cst = stablehlo.constant dense<[-3.4765327, -2.67328548, -2.72221351, -0.703234255]> : tensor<4xf32>
    return %cst : tensor<4xf32>
  }
}
