module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<4x10xf32>) -> (tensor<4x3xf32> {jax.result_info = "result[0]"}, tensor<4x3xi32> {jax.result_info = "result[1]"}) {
    %0 = stablehlo.iota dim = 1 : tensor<4x10xi32>
    %1:2 = "stablehlo.sort"(%arg0, %0) <{dimension = 1 : i64, is_stable = true}> ({
    ^bb0(%arg1: tensor<f32>, %arg2: tensor<f32>, %arg3: tensor<i32>, %arg4: tensor<i32>):
      %4 = stablehlo.compare GT, %arg1, %arg2, TOTALORDER : (tensor<f32>, tensor<f32>) -> tensor<i1>
      stablehlo.return %4 : tensor<i1>
    }) : (tensor<4x10xf32>, tensor<4x10xi32>) -> (tensor<4x10xf32>, tensor<4x10xi32>)
    %2 = stablehlo.slice %1#0 [0:4, 0:3] : (tensor<4x10xf32>) -> tensor<4x3xf32>
    %3 = stablehlo.slice %1#1 [0:4, 0:3] : (tensor<4x10xi32>) -> tensor<4x3xi32>
    return %2, %3 : tensor<4x3xf32>, tensor<4x3xi32>
  }
  func.func @main() -> (tensor<4x3xf32>, tensor<4x3xi32>) {
    %0 = call @inputs() : () -> tensor<4x10xf32>
    %1:2 = call @expected() : () -> (tensor<4x3xf32>, tensor<4x3xi32>)
    %2:2 = call @computation(%0) : (tensor<4x10xf32>) -> (tensor<4x3xf32>, tensor<4x3xi32>)
    stablehlo.custom_call @check.expect_eq(%2#0, %1#0) {has_side_effect = true} : (tensor<4x3xf32>, tensor<4x3xf32>) -> ()
    stablehlo.custom_call @check.expect_eq(%2#1, %1#1) {has_side_effect = true} : (tensor<4x3xi32>, tensor<4x3xi32>) -> ()
    return %2#0, %2#1 : tensor<4x3xf32>, tensor<4x3xi32>
  }
  func.func private @inputs() -> tensor<4x10xf32> {
    %cst = stablehlo.constant dense<[[-0.802836954, 0.242849901, -1.65634549, 0.656104862, 1.143453, -4.526110e-01, 0.430485755, 0.250932574, -0.394352049, -0.862404882], [-2.03255248, 1.41042352, -0.047632236, 2.52232742, 0.826218247, 0.277780533, -0.657431066, 1.39246917, -0.506289124, 1.56994915], [-0.398361295, 0.18595393, -1.52267039, 2.34323239, -0.0940258279, -0.385113597, 0.81084764, -0.891371846, 0.767607271, -1.17124045], [0.545241773, -1.04412627, -1.83706808, -0.593767583, -1.46391439, 0.553278208, 0.0216711164, 0.509446502, 0.091302827, -0.353859037]]> : tensor<4x10xf32>
    return %cst : tensor<4x10xf32>
  }
  func.func private @expected() -> (tensor<4x3xf32>, tensor<4x3xi32>) {
    %cst = stablehlo.constant dense<[[1.143453, 0.656104862, 0.430485755], [2.52232742, 1.56994915, 1.41042352], [2.34323239, 0.81084764, 0.767607271], [0.553278208, 0.545241773, 0.509446502]]> : tensor<4x3xf32>
    %c = stablehlo.constant dense<[[4, 3, 6], [3, 9, 1], [3, 6, 8], [5, 0, 7]]> : tensor<4x3xi32>
    return %cst, %c : tensor<4x3xf32>, tensor<4x3xi32>
  }
}
