module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<3x8xf32>) -> (tensor<3x8xf32> {jax.result_info = "result"}) {
    %cst = stablehlo.constant dense<0x7FC00000> : tensor<f32>
    %cst_0 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %0 = "stablehlo.sort"(%arg0) <{dimension = 1 : i64, is_stable = true}> ({
    ^bb0(%arg1: tensor<f32>, %arg2: tensor<f32>):
      %1 = stablehlo.compare EQ, %arg1, %cst_0, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %2 = stablehlo.select %1, %cst_0, %arg1 : tensor<i1>, tensor<f32>
      %3 = stablehlo.compare NE, %arg1, %arg1, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %4 = stablehlo.select %3, %cst, %2 : tensor<i1>, tensor<f32>
      %5 = stablehlo.compare EQ, %arg2, %cst_0, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %6 = stablehlo.select %5, %cst_0, %arg2 : tensor<i1>, tensor<f32>
      %7 = stablehlo.compare NE, %arg2, %arg2, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %8 = stablehlo.select %7, %cst, %6 : tensor<i1>, tensor<f32>
      %9 = stablehlo.compare LT, %4, %8, TOTALORDER : (tensor<f32>, tensor<f32>) -> tensor<i1>
      stablehlo.return %9 : tensor<i1>
    }) : (tensor<3x8xf32>) -> tensor<3x8xf32>
    return %0 : tensor<3x8xf32>
  }
  func.func @main() -> tensor<3x8xf32> {
    %0 = call @inputs() : () -> tensor<3x8xf32>
    %1 = call @expected() : () -> tensor<3x8xf32>
    %2 = call @computation(%0) : (tensor<3x8xf32>) -> tensor<3x8xf32>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<3x8xf32>, tensor<3x8xf32>) -> ()
    return %2 : tensor<3x8xf32>
  }
  func.func private @inputs() -> tensor<3x8xf32> {
    %cst = stablehlo.constant dense<[[-1.73826635, -1.33664274, -1.36110675, -0.351617128, -2.31258154, -0.188897192, -0.957229256, 0.893600165], [0.95684725, 1.39225829, 0.767470121, -0.0530297793, 0.859793961, 1.50548112, -0.653594553, 0.610351145], [-0.0426738262, 1.44001675, -0.836895048, -0.301546603, 0.362338603, 0.258110255, -1.63944793, 0.360155225]]> : tensor<3x8xf32>
    return %cst : tensor<3x8xf32>
  }
  func.func private @expected() -> tensor<3x8xf32> {
    %cst = stablehlo.constant dense<[[-2.31258154, -1.73826635, -1.36110675, -1.33664274, -0.957229256, -0.351617128, -0.188897192, 0.893600165], [-0.653594553, -0.0530297793, 0.610351145, 0.767470121, 0.859793961, 0.95684725, 1.39225829, 1.50548112], [-1.63944793, -0.836895048, -0.301546603, -0.0426738262, 0.258110255, 0.360155225, 0.362338603, 1.44001675]]> : tensor<3x8xf32>
    return %cst : tensor<3x8xf32>
  }
}
