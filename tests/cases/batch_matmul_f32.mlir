module @jit_matmul attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<2x3x4xf32>, %arg1: tensor<2x4x5xf32>) -> (tensor<2x3x5xf32> {jax.result_info = "result"}) {
    %0 = stablehlo.dot_general %arg0, %arg1, batching_dims = [0] x [0], contracting_dims = [2] x [1] : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
    return %0 : tensor<2x3x5xf32>
  }
  func.func @main() -> tensor<2x3x5xf32> {
    %0:2 = call @inputs() : () -> (tensor<2x3x4xf32>, tensor<2x4x5xf32>)
    %1 = call @expected() : () -> tensor<2x3x5xf32>
    %2 = call @computation(%0#0, %0#1) : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
    stablehlo.custom_call @check.expect_almost_eq(%2, %1) {has_side_effect = true} : (tensor<2x3x5xf32>, tensor<2x3x5xf32>) -> ()
    return %2 : tensor<2x3x5xf32>
  }
  func.func private @inputs() -> (tensor<2x3x4xf32>, tensor<2x4x5xf32>) {
    %cst = stablehlo.constant dense<[[[-0.594723701, 0.630783498, 1.03935409, 1.0309217], [1.81784606, -0.385189384, 0.544177175, -0.366221696], [-1.42484856, -0.703859091, 0.136162341, -0.915174723]], [[-0.191471025, 1.12025011, 0.570451677, 0.572343647], [0.345122427, -0.175275788, -1.8677429, 0.991458535], [-1.5066601, 0.216085047, -0.108391725, 0.137272432]]]> : tensor<2x3x4xf32>
    %cst_0 = stablehlo.constant dense<[[[-0.412698179, -0.935372829, 1.64539015, 0.783718287, 1.4290297], [0.997375369, -1.37357306, 0.813603341, 1.03512299, 0.702238261], [0.020726651, 0.470533878, -0.859216153, 1.02131951, 1.45364153], [0.829219103, -0.598483503, 0.249979094, 0.299752623, -1.23928273]], [[0.806519627, -0.18048358, 0.355608284, 0.793437302, -0.353575408], [-3.04018497, -1.17579246, 0.735251069, 0.0593198836, -0.386564046], [1.18144095, 1.73442411, 1.30282021, 0.880780518, -0.588606954], [-0.48802191, -0.117831662, 0.997029244, 1.51065731, -0.862943828]]]> : tensor<2x4x5xf32>
    return %cst, %cst_0 : tensor<2x3x4xf32>, tensor<2x4x5xf32>
  }
  func.func private @expected() -> tensor<2x3x5xf32> {
    %cst = stablehlo.constant dense<[[[1.75097167, -0.438077211, -1.10066605, 1.55737674, -0.173672676], [-1.4267993, -0.696046531, 2.11856103, 1.47196364, 3.5721519], [-0.870037496, 2.91135263, -3.26286149, -1.98052132, -1.19833612]], [[-3.16555381, -0.360659242, 2.06941581, 1.2815907, -1.19502115], [-1.87926269, -3.2124846, -1.45096338, 0.116118193, 0.189521909], [-2.06713986, -0.186316013, -0.381254315, -1.070720e+00, 0.394528925]]]> : tensor<2x3x5xf32>
    return %cst : tensor<2x3x5xf32>
  }
}
