module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<5xi32>) -> (tensor<5x6xi32> {jax.result_info = "result"}) {
    %0 = stablehlo.broadcast_in_dim %arg0, dims = [0] : (tensor<5xi32>) -> tensor<5x1xi32>
    %1 = stablehlo.iota dim = 1 : tensor<1x6xi32>
    %2 = stablehlo.broadcast_in_dim %0, dims = [0, 1] : (tensor<5x1xi32>) -> tensor<5x6xi32>
    %3 = stablehlo.broadcast_in_dim %1, dims = [0, 1] : (tensor<1x6xi32>) -> tensor<5x6xi32>
    %4 = stablehlo.compare EQ, %2, %3, SIGNED : (tensor<5x6xi32>, tensor<5x6xi32>) -> tensor<5x6xi1>
    %5 = stablehlo.convert %4 : (tensor<5x6xi1>) -> tensor<5x6xi32>
    return %5 : tensor<5x6xi32>
  }
  func.func @main() -> tensor<5x6xi32> {
    %0 = call @inputs() : () -> tensor<5xi32>
    %1 = call @expected() : () -> tensor<5x6xi32>
    %2 = call @computation(%0) : (tensor<5xi32>) -> tensor<5x6xi32>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<5x6xi32>, tensor<5x6xi32>) -> ()
    return %2 : tensor<5x6xi32>
  }
  func.func private @inputs() -> tensor<5xi32> {
    %c = stablehlo.constant dense<[-6, -6, 5, 0, 2]> : tensor<5xi32>
    return %c : tensor<5xi32>
  }
  func.func private @expected() -> tensor<5x6xi32> {
    %c = stablehlo.constant dense<[[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0]]> : tensor<5x6xi32>
    return %c : tensor<5x6xi32>
  }
}
