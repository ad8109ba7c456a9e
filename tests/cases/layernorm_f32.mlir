module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<4x16xf32>) -> (tensor<4x16xf32> {jax.result_info = "result"}) {
    %cst = stablehlo.constant dense<0x7FC00000> : tensor<f32>
    %cst_0 = stablehlo.constant dense<9.99999974E-6> : tensor<f32>
    %c = stablehlo.constant dense<0> : tensor<i32>
    %cst_1 = stablehlo.constant dense<1.600000e+01> : tensor<f32>
    %cst_2 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %0 = stablehlo.reduce(%arg0 init: %cst_2) applies stablehlo.add across dimensions = [1] : (tensor<4x16xf32>, tensor<f32>) -> tensor<4xf32>
    %1 = stablehlo.broadcast_in_dim %0, dims = [0] : (tensor<4xf32>) -> tensor<4x1xf32>
    %2 = stablehlo.broadcast_in_dim %cst_1, dims = [] : (tensor<f32>) -> tensor<4x1xf32>
    %3 = stablehlo.divide %1, %2 : tensor<4x1xf32>
    %4 = stablehlo.broadcast_in_dim %3, dims = [0, 1] : (tensor<4x1xf32>) -> tensor<4x16xf32>
    %5 = stablehlo.subtract %arg0, %4 : tensor<4x16xf32>
    %6 = stablehlo.multiply %5, %5 : tensor<4x16xf32>
    %7 = stablehlo.convert %c : (tensor<i32>) -> tensor<f32>
    %8 = stablehlo.subtract %cst_1, %7 : tensor<f32>
    %9 = stablehlo.reduce(%6 init: %cst_2) applies stablehlo.add across dimensions = [1] : (tensor<4x16xf32>, tensor<f32>) -> tensor<4xf32>
    %10 = stablehlo.broadcast_in_dim %9, dims = [0] : (tensor<4xf32>) -> tensor<4x1xf32>
    %11 = stablehlo.broadcast_in_dim %8, dims = [] : (tensor<f32>) -> tensor<4x1xf32>
    %12 = stablehlo.divide %10, %11 : tensor<4x1xf32>
    %13 = stablehlo.compare GT, %8, %cst_2, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %14 = stablehlo.convert %cst : tensor<f32>
    %15 = stablehlo.broadcast_in_dim %14, dims = [] : (tensor<f32>) -> tensor<4x1xf32>
    %16 = stablehlo.select %13, %12, %15 : tensor<i1>, tensor<4x1xf32>
    %17 = stablehlo.broadcast_in_dim %cst_0, dims = [] : (tensor<f32>) -> tensor<4x1xf32>
    %18 = stablehlo.add %16, %17 : tensor<4x1xf32>
    %19 = stablehlo.rsqrt %18 : tensor<4x1xf32>
    %20 = stablehlo.broadcast_in_dim %19, dims = [0, 1] : (tensor<4x1xf32>) -> tensor<4x16xf32>
    %21 = stablehlo.multiply %5, %20 : tensor<4x16xf32>
    return %21 : tensor<4x16xf32>
  }
  func.func @main() -> tensor<4x16xf32> {
    %0 = call @inputs() : () -> tensor<4x16xf32>
    %1 = call @expected() : () -> tensor<4x16xf32>
    %2 = call @computation(%0) : (tensor<4x16xf32>) -> tensor<4x16xf32>
    stablehlo.custom_call @check.expect_almost_eq(%2, %1) {has_side_effect = true} : (tensor<4x16xf32>, tensor<4x16xf32>) -> ()
    return %2 : tensor<4x16xf32>
  }
  func.func private @inputs() -> tensor<4x16xf32> {
    %cst = stablehlo.constant dense<[[1.8267566, -3.07833195, 0.95806396, 0.0696372241, 1.31825006, 0.385629237, 1.82725859, 0.0317437574, -0.516229451, 0.580484927, 0.432106853, -0.356839359, -0.247303829, 0.719440699, 7.043160e-01, -0.493934244], [-0.36771372, -1.80679035, 1.67920744, -0.224290878, 1.33727741, 0.417465597, 1.94396281, 1.537110e+00, 0.318298429, 1.48076344, -0.950123548, 1.25861812, -1.48042357, 0.343236357, 1.06487644, 0.223632142], [-0.367137492, -0.805560052, -0.342800021, 1.05112517, 0.890839457, -0.262131453, -1.24600434, 0.673997223, -1.44987392, -0.530854881, -0.734828353, 0.743265211, 0.23594974, 0.461854726, 0.272407919, -0.677930117], [0.535475969, 1.41246033, -0.0367712416, 0.633594453, -0.125903189, 1.02855539, 0.666636645, 0.875819445, 3.484230e-01, 1.64000392, -0.361150593, -0.33416608, -5.918600e-01, 0.610962688, -0.622400284, -0.64453262]]> : tensor<4x16xf32>
    return %cst : tensor<4x16xf32>
  }
  func.func private @expected() -> tensor<4x16xf32> {
    %cst = stablehlo.constant dense<[[1.39722455, -2.97728825, 6.224970e-01, -1.698300e-01, 0.943722367, 0.111981653, 1.39767218, -0.203624576, -0.6923244, 0.285760105, 0.153431863, -0.550175309, -0.452488065, 0.409685254, 0.396196604, -0.672440826], [-7.115650e-01, -2.00586629, 1.1294297, -0.58257097, 0.821898877, -0.00537712034, 1.3675499, 1.00162768, -0.0945677682, 0.950949728, -1.23538256, 0.751152932, -1.71233284, -0.0721386746, 0.57690227, -0.179710343], [-0.317630678, -0.906061172, -0.284966052, 1.58589602, 1.37076795, -0.176696405, -1.49720526, 1.07973242, -1.77082968, -0.537364602, -0.811128437, 1.17270064, 0.491805196, 0.795004487, 0.540737689, -0.734762251], [0.312915802, 1.55588746, -0.498144358, 0.451981574, -0.624473273, 1.01176953, 0.498813093, 0.795293033, 4.780100e-02, 1.87839067, -0.957895278, -0.919649363, -1.28488541, 4.199050e-01, -1.3281709, -1.35953963]]> : tensor<4x16xf32>
    return %cst : tensor<4x16xf32>
  }
}
