module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<7x3xf32>) -> (tensor<7x3xf32> {jax.result_info = "result"}) {
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %cst_0 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %0 = stablehlo.reduce(%arg0 init: %cst_0) applies stablehlo.maximum across dimensions = [0] : (tensor<7x3xf32>, tensor<f32>) -> tensor<3xf32>
    %1 = stablehlo.broadcast_in_dim %cst_0, dims = [] : (tensor<f32>) -> tensor<3xf32>
    %2 = stablehlo.maximum %1, %0 : tensor<3xf32>
    %3 = stablehlo.broadcast_in_dim %2, dims = [1] : (tensor<3xf32>) -> tensor<1x3xf32>
    %4 = stablehlo.broadcast_in_dim %3, dims = [0, 1] : (tensor<1x3xf32>) -> tensor<7x3xf32>
    %5 = stablehlo.subtract %arg0, %4 : tensor<7x3xf32>
    %6 = stablehlo.exponential %5 : tensor<7x3xf32>
    %7 = stablehlo.reduce(%6 init: %cst) applies stablehlo.add across dimensions = [0] : (tensor<7x3xf32>, tensor<f32>) -> tensor<3xf32>
    %8 = stablehlo.broadcast_in_dim %7, dims = [1] : (tensor<3xf32>) -> tensor<1x3xf32>
    %9 = stablehlo.log %8 : tensor<1x3xf32>
    %10 = stablehlo.broadcast_in_dim %9, dims = [0, 1] : (tensor<1x3xf32>) -> tensor<7x3xf32>
    %11 = stablehlo.subtract %5, %10 : tensor<7x3xf32>
    return %11 : tensor<7x3xf32>
  }
  func.func @main() -> tensor<7x3xf32> {
    %0 = call @inputs() : () -> tensor<7x3xf32>
    %1 = call @expected() : () -> tensor<7x3xf32>
    %2 = call @computation(%0) : (tensor<7x3xf32>) -> tensor<7x3xf32>
    stablehlo.custom_call @check.expect_almost_eq(%2, %1) {has_side_effect = true} : (tensor<7x3xf32>, tensor<7x3xf32>) -> ()
    return %2 : tensor<7x3xf32>
  }
  func.func private @inputs() -> tensor<7x3xf32> {
    %cst = stablehlo.constant dense<[[-1.43087304, -0.936547696, 0.393938363], [-0.524086654, 0.525616229, 0.807323634], [-1.44353139, 1.01706374, -0.595648646], [2.09408498, 0.728688955, -0.538989425], [0.201487795, 0.21497792, 0.32951811], [1.39326048, 5.328440e-01, 1.6606375], [0.634220123, -0.177741081, -1.52440786]]> : tensor<7x3xf32>
    return %cst : tensor<7x3xf32>
  }
  func.func private @expected() -> tensor<7x3xf32> {
    %cst = stablehlo.constant dense<[[-4.22338915, -3.30694747, -2.06820822], [-3.31660247, -1.84478354, -1.65482306], [-4.23604727, -1.3533361, -3.05779529], [-0.698430836, -1.64171088, -3.00113606], [-2.59102798, -2.15542197, -2.13262844], [-1.39925528, -1.83755589, -0.801509142], [-2.15829563, -2.548141, -3.98655438]]> : tensor<7x3xf32>
    return %cst : tensor<7x3xf32>
  }
}
