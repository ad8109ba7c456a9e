module @jit_matmul attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<5x7xf32>, %arg1: tensor<7x3xf32>) -> (tensor<5x3xf32> {jax.result_info = "result"}) {
    %0 = stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0] : (tensor<5x7xf32>, tensor<7x3xf32>) -> tensor<5x3xf32>
    return %0 : tensor<5x3xf32>
  }
  func.func @main() -> tensor<5x3xf32> {
    %0:2 = call @inputs() : () -> (tensor<5x7xf32>, tensor<7x3xf32>)
    %1 = call @expected() : () -> tensor<5x3xf32>
    %2 = call @computation(%0#0, %0#1) : (tensor<5x7xf32>, tensor<7x3xf32>) -> tensor<5x3xf32>
    stablehlo.custom_call @check.expect_almost_eq(%2, %1) {has_side_effect = true} : (tensor<5x3xf32>, tensor<5x3xf32>) -> ()
    return %2 : tensor<5x3xf32>
  }
  func.func private @inputs() -> (tensor<5x7xf32>, tensor<7x3xf32>) {
    %cst = stablehlo.constant dense<[[-1.10333848, -0.72502464, -0.781805277, 0.26697585, -0.248580724, 0.126483053, 0.843042552], [0.857936561, 0.475183636, -0.45076859, -0.754932284, -0.81481409, -0.343854845, -0.0513800941], [-0.972273647, -1.13448751, 0.30570522, -1.85168505, -0.177053511, 0.425825655, -0.985355615], [-1.11295414, -7.606260e-01, 0.648024618, -0.129831359, -1.8695972, -0.423349112, 1.01389682], [0.983715355, 0.630041957, -0.238058805, -1.84493983, 0.169577733, -0.175977767, 0.0767998621]]> : tensor<5x7xf32>
    %cst_0 = stablehlo.constant dense<[[0.128980398, 0.00605574623, 1.86509264], [0.341534019, 1.03723955, 0.96678406], [-1.06816065, -1.08162415, -1.2935003], [-0.0596378222, 0.217856839, 0.212308154], [-1.88691556, 0.347001046, -1.14459467], [1.24125588, -0.208521381, -0.0433110595], [-0.182940155, 0.534234881, 0.639151812]]> : tensor<7x3xf32>
    return %cst, %cst_0 : tensor<5x7xf32>, tensor<7x3xf32>
  }
  func.func private @expected() -> tensor<5x3xf32> {
    %cst = stablehlo.constant dense<[[0.901064455, 0.482826799, -8.729460e-01], [1.91953719, 0.582680464, 3.39700699], [0.313922584, -2.59332633, -4.1443224], [1.72902453, -1.54371059, -0.870607256], [0.153911933, 0.65158689, 2.2226789]]> : tensor<5x3xf32>
    return %cst : tensor<5x3xf32>
  }
}
