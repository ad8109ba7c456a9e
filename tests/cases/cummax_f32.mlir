module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<6x3xf32>) -> (tensor<6x3xf32> {jax.result_info = "result"}) {
    %cst = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %0 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<f32>
    %1 = "stablehlo.reduce_window"(%arg0, %0) <{padding = dense<[[5, 0], [0, 0]]> : tensor<2x2xi64>, window_dimensions = array<i64: 6, 1>}> ({
    ^bb0(%arg1: tensor<f32>, %arg2: tensor<f32>):
      %2 = stablehlo.maximum %arg1, %arg2 : tensor<f32>
      stablehlo.return %2 : tensor<f32>
    }) : (tensor<6x3xf32>, tensor<f32>) -> tensor<6x3xf32>
    return %1 : tensor<6x3xf32>
  }
  func.func @main() -> tensor<6x3xf32> {
    %0 = call @inputs() : () -> tensor<6x3xf32>
    %1 = call @expected() : () -> tensor<6x3xf32>
    %2 = call @computation(%0) : (tensor<6x3xf32>) -> tensor<6x3xf32>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<6x3xf32>, tensor<6x3xf32>) -> ()
    return %2 : tensor<6x3xf32>
  }
  func.func private @inputs() -> tensor<6x3xf32> {
    %cst = stablehlo.constant dense<[[-1.10333848, -0.72502464, -0.781805277], [0.26697585, -0.248580724, 0.126483053], [0.843042552, 0.857936561, 0.475183636], [-0.45076859, -0.754932284, -0.81481409], [-0.343854845, -0.0513800941, -0.972273647], [-1.13448751, 0.30570522, -1.85168505]]> : tensor<6x3xf32>
    return %cst : tensor<6x3xf32>
  }
  func.func private @expected() -> tensor<6x3xf32> {
    %cst = stablehlo.constant dense<[[-1.10333848, -0.72502464, -0.781805277], [0.26697585, -0.248580724, 0.126483053], [0.843042552, 0.857936561, 0.475183636], [0.843042552, 0.857936561, 0.475183636], [0.843042552, 0.857936561, 0.475183636], [0.843042552, 0.857936561, 0.475183636]]> : tensor<6x3xf32>
    return %cst : tensor<6x3xf32>
  }
}
