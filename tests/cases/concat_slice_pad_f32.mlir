module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<3x4xf32>, %arg1: tensor<3x4xf32>) -> (tensor<5x6xf32> {jax.result_info = "result"}) {
    %c = stablehlo.constant dense<0> : tensor<i32>
    %0 = stablehlo.concatenate %arg0, %arg1, dim = 0 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<6x4xf32>
    %1 = stablehlo.slice %0 [1:5, 0:4] : (tensor<6x4xf32>) -> tensor<4x4xf32>
    %2 = stablehlo.convert %c : (tensor<i32>) -> tensor<f32>
    %3 = stablehlo.pad %1, %2, low = [1, 0], high = [0, 2], interior = [0, 0] : (tensor<4x4xf32>, tensor<f32>) -> tensor<5x6xf32>
    return %3 : tensor<5x6xf32>
  }
  func.func @main() -> tensor<5x6xf32> {
    %0:2 = call @inputs() : () -> (tensor<3x4xf32>, tensor<3x4xf32>)
    %1 = call @expected() : () -> tensor<5x6xf32>
    %2 = call @computation(%0#0, %0#1) : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<5x6xf32>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<5x6xf32>, tensor<5x6xf32>) -> ()
    return %2 : tensor<5x6xf32>
  }
  func.func private @inputs() -> (tensor<3x4xf32>, tensor<3x4xf32>) {
    %cst = stablehlo.constant dense<[[-0.359668463, 1.20367515, 1.39686811, 0.317235917], [0.414134204, -0.489549816, -0.914120733, -0.900360643], [-0.998431265, 0.929204821, -0.0562919155, 0.12827909]]> : tensor<3x4xf32>
    %cst_0 = stablehlo.constant dense<[[0.240070716, -0.801762044, -0.730905414, -0.172386959], [1.342590e-01, 0.0800387263, -0.978400051, -0.629238605], [-0.622826576, -1.82974958, -0.990348219, 0.623926163]]> : tensor<3x4xf32>
    return %cst, %cst_0 : tensor<3x4xf32>, tensor<3x4xf32>
  }
  func.func private @expected() -> tensor<5x6xf32> {
    %cst = stablehlo.constant dense<[[0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.414134204, -0.489549816, -0.914120733, -0.900360643, 0.000000e+00, 0.000000e+00], [-0.998431265, 0.929204821, -0.0562919155, 0.12827909, 0.000000e+00, 0.000000e+00], [0.240070716, -0.801762044, -0.730905414, -0.172386959, 0.000000e+00, 0.000000e+00], [1.342590e-01, 0.0800387263, -0.978400051, -0.629238605, 0.000000e+00, 0.000000e+00]]> : tensor<5x6xf32>
    return %cst : tensor<5x6xf32>
  }
}
