module @jit_add attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<4x5xf32>, %arg1: tensor<4x5xf32>) -> (tensor<4x5xf32> {jax.result_info = "result"}) {
    %0 = stablehlo.add %arg0, %arg1 : tensor<4x5xf32>
    return %0 : tensor<4x5xf32>
  }
  func.func @main() -> tensor<4x5xf32> {
    %0:2 = call @inputs() : () -> (tensor<4x5xf32>, tensor<4x5xf32>)
    %1 = call @expected() : () -> tensor<4x5xf32>
    %2 = call @computation(%0#0, %0#1) : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
    stablehlo.custom_call @check.expect_close(%2, %1) {has_side_effect = true} : (tensor<4x5xf32>, tensor<4x5xf32>) -> ()
    return %2 : tensor<4x5xf32>
  }
  func.func private @inputs() -> (tensor<4x5xf32>, tensor<4x5xf32>) {
    %cst = stablehlo.constant dense<[[0.00123015337, 0.298745543, -0.274137855, -0.89059186, -0.454670787], [-0.991646528, 6.014360e-02, 1.34021521, -0.492206514, -0.620474874], [0.489842057, 3.568870e-01, 0.105414249, -9.304680e-01, -0.0292518232], [0.695303202, -1.34421456, -0.457615763, -1.90122271, -1.28953779]]> : tensor<4x5xf32>
    %cst_0 = stablehlo.constant dense<[[0.347361773, -2.33785605, -0.33885783, -0.683088839, 0.662926614], [0.0476958342, -2.24419379, 0.619897663, -1.28265345, -0.288826495], [-1.7252785, 0.607449293, 0.257110953, 0.355554581, 5.274600e-01], [-1.31296873, 1.3297714, -0.270818651, -1.51014698, 0.638727247]]> : tensor<4x5xf32>
    return %cst, %cst_0 : tensor<4x5xf32>, tensor<4x5xf32>
  }
  func.func private @expected() -> tensor<4x5xf32> {
    %cst = stablehlo.constant dense<[[0.348591924, -2.03911042, -0.612995684, -1.57368064, 0.208255827], [-0.943950712, -2.184050e+00, 1.96011281, -1.77485991, -0.9093014], [-1.23543644, 0.964336276, 0.362525195, -0.574913442, 0.498208165], [-0.617665529, -0.0144431591, -0.728434443, -3.4113698, -0.650810539]]> : tensor<4x5xf32>
    return %cst : tensor<4x5xf32>
  }
}
