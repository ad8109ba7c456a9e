module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<6x4xf32>, %arg1: tensor<5xi32>) -> (tensor<5x4xf32> {jax.result_info = "result"}) {
    %0 = stablehlo.broadcast_in_dim %arg1, dims = [0] : (tensor<5xi32>) -> tensor<5x1xi32>
    %1 = "stablehlo.gather"(%arg0, %0) <{dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, slice_sizes = array<i64: 1, 4>}> : (tensor<6x4xf32>, tensor<5x1xi32>) -> tensor<5x4xf32>
    return %1 : tensor<5x4xf32>
  }
  func.func @main() -> tensor<5x4xf32> {
    %0:2 = call @inputs() : () -> (tensor<6x4xf32>, tensor<5xi32>)
    %1 = call @expected() : () -> tensor<5x4xf32>
    %2 = call @computation(%0#0, %0#1) : (tensor<6x4xf32>, tensor<5xi32>) -> tensor<5x4xf32>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<5x4xf32>, tensor<5x4xf32>) -> ()
    return %2 : tensor<5x4xf32>
  }
  func.func private @inputs() -> (tensor<6x4xf32>, tensor<5xi32>) {
    %cst = stablehlo.constant dense<[[-1.43087304, -0.936547696, 0.393938363, -0.524086654], [0.525616229, 0.807323634, -1.44353139, 1.01706374], [-0.595648646, 2.09408498, 0.728688955, -0.538989425], [0.201487795, 0.21497792, 0.32951811, 1.39326048], [5.328440e-01, 1.6606375, 0.634220123, -0.177741081], [-1.52440786, -1.56053972, 0.204787478, 0.690978586]]> : tensor<6x4xf32>
    %c = stablehlo.constant dense<[4, -2, 5, -7, -5]> : tensor<5xi32>
    return %cst, %c : tensor<6x4xf32>, tensor<5xi32>
  }
  func.func private @expected() -> tensor<5x4xf32> {
    %cst = stablehlo.constant dense<[[5.328440e-01, 1.6606375, 0.634220123, -0.177741081], [-1.43087304, -0.936547696, 0.393938363, -0.524086654], [-1.52440786, -1.56053972, 0.204787478, 0.690978586], [-1.43087304, -0.936547696, 0.393938363, -0.524086654], [-1.43087304, -0.936547696, 0.393938363, -0.524086654]]> : tensor<5x4xf32>
    return %cst : tensor<5x4xf32>
  }
}
