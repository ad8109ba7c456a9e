module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<16xf32>) -> (tensor<16xf32> {jax.result_info = "result"}) {
    %cst = stablehlo.constant dense<5.000000e-01> : tensor<f32>
    %0 = stablehlo.tanh %arg0 : tensor<16xf32>
    %1 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %2 = stablehlo.multiply %arg0, %1 : tensor<16xf32>
    %3 = stablehlo.exponential %2 : tensor<16xf32>
    %4 = stablehlo.add %0, %3 : tensor<16xf32>
    return %4 : tensor<16xf32>
  }
  func.func @main() -> tensor<16xf32> {
    %0 = call @inputs() : () -> tensor<16xf32>
    %1 = call @expected() : () -> tensor<16xf32>
    %2 = call @computation(%0) : (tensor<16xf32>) -> tensor<16xf32>
    stablehlo.custom_call @check.expect_almost_eq(%2, %1) {has_side_effect = true} : (tensor<16xf32>, tensor<16xf32>) -> ()
    return %2 : tensor<16xf32>
  }
  func.func private @inputs() -> tensor<16xf32> {
    %cst = stablehlo.constant dense<[-6.826780e-03, 1.04614329, 0.741588413, 0.723956525, 1.6187762, -1.20555818, -0.626955449, -1.32066321, -0.107752509, 0.99876368, -0.0219478868, 0.495880067, -1.91076863, 0.147064164, -0.906943261, 1.77538943]> : tensor<16xf32>
    return %cst : tensor<16xf32>
  }
  func.func private @expected() -> tensor<16xf32> {
    %cst = stablehlo.constant dense<[0.989765703, 2.46750474, 2.07898879, 2.05552197, 3.1709795, -0.288053572, 0.174948394, -0.350268841, 0.840211927, 2.408777, 0.967141687, 1.74025393, -0.572485626, 1.22231603, -0.0842435359, 3.37371969]> : tensor<16xf32>
    return %cst : tensor<16xf32>
  }
}
