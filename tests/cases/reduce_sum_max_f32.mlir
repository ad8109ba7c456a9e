module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<6x5xf32>) -> (tensor<5xf32> {jax.result_info = "result[0]"}, tensor<6xf32> {jax.result_info = "result[1]"}) {
    %cst = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %cst_0 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %0 = stablehlo.reduce(%arg0 init: %cst_0) applies stablehlo.add across dimensions = [0] : (tensor<6x5xf32>, tensor<f32>) -> tensor<5xf32>
    %1 = stablehlo.reduce(%arg0 init: %cst) applies stablehlo.maximum across dimensions = [1] : (tensor<6x5xf32>, tensor<f32>) -> tensor<6xf32>
    return %0, %1 : tensor<5xf32>, tensor<6xf32>
  }
  func.func @main() -> (tensor<5xf32>, tensor<6xf32>) {
    %0 = call @inputs() : () -> tensor<6x5xf32>
    %1:2 = call @expected() : () -> (tensor<5xf32>, tensor<6xf32>)
    %2:2 = call @computation(%0) : (tensor<6x5xf32>) -> (tensor<5xf32>, tensor<6xf32>)
    stablehlo.custom_call @check.expect_almost_eq(%2#0, %1#0) {has_side_effect = true} : (tensor<5xf32>, tensor<5xf32>) -> ()
    stablehlo.custom_call @check.expect_almost_eq(%2#1, %1#1) {has_side_effect = true} : (tensor<6xf32>, tensor<6xf32>) -> ()
    return %2#0, %2#1 : tensor<5xf32>, tensor<6xf32>
  }
  func.func private @inputs() -> tensor<6x5xf32> {
    %cst = stablehlo.constant dense<[[-4.323400e-01, -1.13009679, 0.673843681, -1.10781455, 2.01391554], [9.241120e-01, -0.359262943, 0.570515752, 1.61158907, 2.83396935], [-0.923264682, 1.06507373, 0.517740607, -0.279551029, 1.09219813], [0.506774306, 1.07624078, -0.525899053, -0.00249147671, 0.394961149], [0.0196023565, 0.0165724382, -0.768416523, 0.126379386, 0.187646404], [-0.0613099784, -0.0147479419, 0.696460485, -0.658603072, 0.696522772]]> : tensor<6x5xf32>
    return %cst : tensor<6x5xf32>
  }
  func.func private @expected() -> (tensor<5xf32>, tensor<6xf32>) {
    %cst = stablehlo.constant dense<[0.0335740298, 0.653779268, 1.16424501, -0.310491681, 7.21921396]> : tensor<5xf32>
    %cst_0 = stablehlo.constant dense<[2.01391554, 2.83396935, 1.09219813, 1.07624078, 0.187646404, 0.696522772]> : tensor<6xf32>
    return %cst, %cst_0 : tensor<5xf32>, tensor<6xf32>
  }
}
