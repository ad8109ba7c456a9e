module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<10xf32>) -> (tensor<10xi32> {jax.result_info = "result[0]"}, tensor<10xbf16> {jax.result_info = "result[1]"}, tensor<10xf16> {jax.result_info = "result[2]"}) {
    %0 = stablehlo.convert %arg0 : (tensor<10xf32>) -> tensor<10xi32>
    %1 = stablehlo.convert %arg0 : (tensor<10xf32>) -> tensor<10xbf16>
    %2 = stablehlo.convert %arg0 : (tensor<10xf32>) -> tensor<10xf16>
    return %0, %1, %2 : tensor<10xi32>, tensor<10xbf16>, tensor<10xf16>
  }
  func.func @main() -> (tensor<10xi32>, tensor<10xbf16>, tensor<10xf16>) {
    %0 = call @inputs() : () -> tensor<10xf32>
    %1:3 = call @expected() : () -> (tensor<10xi32>, tensor<10xbf16>, tensor<10xf16>)
    %2:3 = call @computation(%0) : (tensor<10xf32>) -> (tensor<10xi32>, tensor<10xbf16>, tensor<10xf16>)
    stablehlo.custom_call @check.expect_eq(%2#0, %1#0) {has_side_effect = true} : (tensor<10xi32>, tensor<10xi32>) -> ()
    stablehlo.custom_call @check.expect_eq(%2#1, %1#1) {has_side_effect = true} : (tensor<10xbf16>, tensor<10xbf16>) -> ()
    stablehlo.custom_call @check.expect_eq(%2#2, %1#2) {has_side_effect = true} : (tensor<10xf16>, tensor<10xf16>) -> ()
    return %2#0, %2#1, %2#2 : tensor<10xi32>, tensor<10xbf16>, tensor<10xf16>
  }
  func.func private @inputs() -> tensor<10xf32> {
    %cst = stablehlo.constant dense<[1.8267566, -3.07833195, 0.95806396, 0.0696372241, 1.31825006, 0.385629237, 1.82725859, 0.0317437574, -0.516229451, 0.580484927]> : tensor<10xf32>
    return %cst : tensor<10xf32>
  }
  func.func private @expected() -> (tensor<10xi32>, tensor<10xbf16>, tensor<10xf16>) {
    %c = stablehlo.constant dense<[1, -3, 0, 0, 1, 0, 1, 0, 0, 0]> : tensor<10xi32>
    %cst = stablehlo.constant dense<[1.828130e+00, -3.078130e+00, 9.570310e-01, 6.982420e-02, 1.320310e+00, 3.847660e-01, 1.828130e+00, 3.173830e-02, -5.156250e-01, 5.820310e-01]> : tensor<10xbf16>
    %cst_0 = stablehlo.constant dense<[1.827150e+00, -3.078130e+00, 9.580070e-01, 6.964110e-02, 1.318360e+00, 3.857420e-01, 1.827150e+00, 3.173830e-02, -5.161130e-01, 5.805660e-01]> : tensor<10xf16>
    return %c, %cst, %cst_0 : tensor<10xi32>, tensor<10xbf16>, tensor<10xf16>
  }
}
