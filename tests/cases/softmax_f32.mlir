module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<3x10xf32>) -> (tensor<3x10xf32> {jax.result_info = "result"}) {
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %cst_0 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %0 = stablehlo.reduce(%arg0 init: %cst_0) applies stablehlo.maximum across dimensions = [1] : (tensor<3x10xf32>, tensor<f32>) -> tensor<3xf32>
    %1 = stablehlo.broadcast_in_dim %cst_0, dims = [] : (tensor<f32>) -> tensor<3xf32>
    %2 = stablehlo.maximum %1, %0 : tensor<3xf32>
    %3 = stablehlo.broadcast_in_dim %2, dims = [0] : (tensor<3xf32>) -> tensor<3x1xf32>
    %4 = stablehlo.broadcast_in_dim %3, dims = [0, 1] : (tensor<3x1xf32>) -> tensor<3x10xf32>
    %5 = stablehlo.subtract %arg0, %4 : tensor<3x10xf32>
    %6 = stablehlo.exponential %5 : tensor<3x10xf32>
    %7 = stablehlo.reduce(%6 init: %cst) applies stablehlo.add across dimensions = [1] : (tensor<3x10xf32>, tensor<f32>) -> tensor<3xf32>
    %8 = stablehlo.broadcast_in_dim %7, dims = [0] : (tensor<3xf32>) -> tensor<3x1xf32>
    %9 = stablehlo.broadcast_in_dim %8, dims = [0, 1] : (tensor<3x1xf32>) -> tensor<3x10xf32>
    %10 = stablehlo.divide %6, %9 : tensor<3x10xf32>
    return %10 : tensor<3x10xf32>
  }
  func.func @main() -> tensor<3x10xf32> {
    %0 = call @inputs() : () -> tensor<3x10xf32>
    %1 = call @expected() : () -> tensor<3x10xf32>
    %2 = call @computation(%0) : (tensor<3x10xf32>) -> tensor<3x10xf32>
    stablehlo.custom_call @check.expect_almost_eq(%2, %1) {has_side_effect = true} : (tensor<3x10xf32>, tensor<3x10xf32>) -> ()
    return %2 : tensor<3x10xf32>
  }
  func.func private @inputs() -> tensor<3x10xf32> {
    %cst = stablehlo.constant dense<[[0.034192767, 1.35974753, 1.22472107, -0.510307074, -0.29796952, -0.527384222, 0.569726348, -0.0560644381, 0.746885597, -1.84732485], [1.56654882, -0.0964321568, 0.680378437, -0.136566341, -0.379098564, 0.463110149, 0.824513554, -0.202529877, -0.15278618, 0.685698628], [-0.870340645, -1.51438355, 0.394981861, -0.670565844, -1.92034054, -0.814053654, -0.467597544, -1.1932025, -1.49246383, 0.0366378278]]> : tensor<3x10xf32>
    return %cst : tensor<3x10xf32>
  }
  func.func private @expected() -> tensor<3x10xf32> {
    %cst = stablehlo.constant dense<[[0.0678665787, 0.255468339, 0.223200858, 0.039371565, 0.0486855134, 0.0387049243, 0.115940519, 0.0620094276, 0.138412252, 0.0103400657], [0.285812885, 0.0541824102, 0.117821053, 0.0520509034, 0.0408411436, 0.0948122591, 0.136088043, 0.0487282351, 0.0512134582, 0.118449554], [0.0773275942, 0.0406097397, 0.274067193, 0.0944268628, 0.0270598456, 0.0818049609, 0.11567609, 0.0559908859, 0.0415097214, 0.191527098]]> : tensor<3x10xf32>
    return %cst : tensor<3x10xf32>
  }
}
