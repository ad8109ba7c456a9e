module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<12xf32>) -> (tensor<12xf32> {jax.result_info = "result[0]"}, tensor<12xf32> {jax.result_info = "result[1]"}, tensor<12xf32> {jax.result_info = "result[2]"}, tensor<12xf32> {jax.result_info = "result[3]"}, tensor<12xf32> {jax.result_info = "result[4]"}, tensor<12xf32> {jax.result_info = "result[5]"}) {
    %cst = stablehlo.constant dense<0.00999999977> : tensor<f32>
    %cst_0 = stablehlo.constant dense<6.000000e+00> : tensor<f32>
    %cst_1 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %cst_2 = stablehlo.constant dense<4.000000e+00> : tensor<f32>
    %cst_3 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %0 = stablehlo.negate %arg0 : tensor<12xf32>
    %1 = stablehlo.exponential %0 : tensor<12xf32>
    %2 = stablehlo.broadcast_in_dim %cst_3, dims = [] : (tensor<f32>) -> tensor<12xf32>
    %3 = stablehlo.add %2, %1 : tensor<12xf32>
    %4 = stablehlo.divide %2, %3 : tensor<12xf32>
    %5 = stablehlo.multiply %arg0, %4 : tensor<12xf32>
    %6 = stablehlo.broadcast_in_dim %cst_1, dims = [] : (tensor<f32>) -> tensor<12xf32>
    %7 = stablehlo.compare GT, %arg0, %6, FLOAT : (tensor<12xf32>, tensor<12xf32>) -> tensor<12xi1>
    %8 = stablehlo.convert %cst_1 : tensor<f32>
    %9 = stablehlo.broadcast_in_dim %8, dims = [] : (tensor<f32>) -> tensor<12xf32>
    %10 = stablehlo.select %7, %9, %arg0 : tensor<12xi1>, tensor<12xf32>
    %11 = stablehlo.exponential_minus_one %10 : tensor<12xf32>
    %12 = stablehlo.multiply %2, %11 : tensor<12xf32>
    %13 = stablehlo.select %7, %arg0, %12 : tensor<12xi1>, tensor<12xf32>
    %14 = stablehlo.maximum %arg0, %6 : tensor<12xf32>
    %15 = stablehlo.subtract %arg0, %6 : tensor<12xf32>
    %16 = stablehlo.compare NE, %15, %15, FLOAT : (tensor<12xf32>, tensor<12xf32>) -> tensor<12xi1>
    %17 = stablehlo.add %arg0, %6 : tensor<12xf32>
    %18 = stablehlo.abs %15 : tensor<12xf32>
    %19 = stablehlo.negate %18 : tensor<12xf32>
    %20 = stablehlo.exponential %19 : tensor<12xf32>
    %21 = stablehlo.log_plus_one %20 : tensor<12xf32>
    %22 = stablehlo.add %14, %21 : tensor<12xf32>
    %23 = stablehlo.select %16, %17, %22 : tensor<12xi1>, tensor<12xf32>
    %24 = stablehlo.broadcast_in_dim %cst_2, dims = [] : (tensor<f32>) -> tensor<12xf32>
    %25 = stablehlo.multiply %arg0, %24 : tensor<12xf32>
    %26 = stablehlo.maximum %25, %6 : tensor<12xf32>
    %27 = stablehlo.broadcast_in_dim %cst_0, dims = [] : (tensor<f32>) -> tensor<12xf32>
    %28 = stablehlo.minimum %26, %27 : tensor<12xf32>
    %29 = stablehlo.compare GE, %arg0, %6, FLOAT : (tensor<12xf32>, tensor<12xf32>) -> tensor<12xi1>
    %30 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<12xf32>
    %31 = stablehlo.multiply %30, %arg0 : tensor<12xf32>
    %32 = stablehlo.select %29, %arg0, %31 : tensor<12xi1>, tensor<12xf32>
    return %5, %13, %23, %4, %28, %32 : tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>
  }
  func.func @main() -> (tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>) {
    %0 = call @inputs() : () -> tensor<12xf32>
    %1:6 = call @expected() : () -> (tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>)
    %2:6 = call @computation(%0) : (tensor<12xf32>) -> (tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>)
    stablehlo.custom_call @check.expect_almost_eq(%2#0, %1#0) {has_side_effect = true} : (tensor<12xf32>, tensor<12xf32>) -> ()
    stablehlo.custom_call @check.expect_almost_eq(%2#1, %1#1) {has_side_effect = true} : (tensor<12xf32>, tensor<12xf32>) -> ()
    stablehlo.custom_call @check.expect_almost_eq(%2#2, %1#2) {has_side_effect = true} : (tensor<12xf32>, tensor<12xf32>) -> ()
    stablehlo.custom_call @check.expect_almost_eq(%2#3, %1#3) {has_side_effect = true} : (tensor<12xf32>, tensor<12xf32>) -> ()
    stablehlo.custom_call @check.expect_almost_eq(%2#4, %1#4) {has_side_effect = true} : (tensor<12xf32>, tensor<12xf32>) -> ()
    stablehlo.custom_call @check.expect_almost_eq(%2#5, %1#5) {has_side_effect = true} : (tensor<12xf32>, tensor<12xf32>) -> ()
    return %2#0, %2#1, %2#2, %2#3, %2#4, %2#5 : tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>
  }
  func.func private @inputs() -> tensor<12xf32> {
    %cst = stablehlo.constant dense<[-1.43087304, -0.936547696, 0.393938363, -0.524086654, 0.525616229, 0.807323634, -1.44353139, 1.01706374, -0.595648646, 2.09408498, 0.728688955, -0.538989425]> : tensor<12xf32>
    return %cst : tensor<12xf32>
  }
  func.func private @expected() -> (tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>) {
    %cst = stablehlo.constant dense<[-0.276105136, -0.263730168, 0.235271975, -0.194906309, 0.330328822, 0.558295667, -0.275713176, 0.746931911, -0.211657703, 1.86442029, 0.491513461, -0.198575944]> : tensor<12xf32>
    %cst_0 = stablehlo.constant dense<[-0.760899901, -0.608021259, 0.393938363, -0.407904088, 0.525616229, 0.807323634, -0.763907432, 1.01706374, -0.44879508, 2.09408498, 0.728688955, -0.416662514]> : tensor<12xf32>
    %cst_1 = stablehlo.constant dense<[0.214385375, 0.330726296, 0.909390628, 0.465051293, 0.990098953, 1.1761595, 0.211955234, 1.32576489, 0.439032018, 2.21025157, 1.12244654, 4.595350e-01]> : tensor<12xf32>
    %cst_2 = stablehlo.constant dense<[0.192962706, 0.28159821, 0.597230434, 0.371897101, 0.628460109, 0.69153887, 0.190999091, 0.734400272, 0.355339855, 0.890326976, 0.674517512, 0.368422717]> : tensor<12xf32>
    %cst_3 = stablehlo.constant dense<[0.000000e+00, 0.000000e+00, 1.57575345, 0.000000e+00, 2.10246491, 3.22929454, 0.000000e+00, 4.06825495, 0.000000e+00, 6.000000e+00, 2.91475582, 0.000000e+00]> : tensor<12xf32>
    %cst_4 = stablehlo.constant dense<[-0.0143087301, -0.00936547667, 0.393938363, -0.00524086645, 0.525616229, 0.807323634, -0.0144353136, 1.01706374, -0.00595648633, 2.09408498, 0.728688955, -0.00538989436]> : tensor<12xf32>
    return %cst, %cst_0, %cst_1, %cst_2, %cst_3, %cst_4 : tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<12xf32>
  }
}
