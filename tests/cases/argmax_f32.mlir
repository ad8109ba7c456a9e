module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<4x9xf32>) -> (tensor<4xi32> {jax.result_info = "result"}) {
    %c = stablehlo.constant dense<0> : tensor<i32>
    %cst = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %0 = stablehlo.iota dim = 1 : tensor<4x9xi32>
    %1:2 = stablehlo.reduce(%arg0 init: %cst), (%0 init: %c) across dimensions = [1] : (tensor<4x9xf32>, tensor<4x9xi32>, tensor<f32>, tensor<i32>) -> (tensor<4xf32>, tensor<4xi32>)
     reducer(%arg1: tensor<f32>, %arg3: tensor<f32>) (%arg2: tensor<i32>, %arg4: tensor<i32>)  {
      %2 = stablehlo.compare GT, %arg1, %arg3, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %3 = stablehlo.compare NE, %arg1, %arg1, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %4 = stablehlo.or %2, %3 : tensor<i1>
      %5 = stablehlo.compare EQ, %arg1, %arg3, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %6 = stablehlo.compare LT, %arg2, %arg4, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
      %7 = stablehlo.and %5, %6 : tensor<i1>
      %8 = stablehlo.or %4, %7 : tensor<i1>
      %9 = stablehlo.select %4, %arg1, %arg3 : tensor<i1>, tensor<f32>
      %10 = stablehlo.select %8, %arg2, %arg4 : tensor<i1>, tensor<i32>
      stablehlo.return %9, %10 : tensor<f32>, tensor<i32>
    }
    return %1#1 : tensor<4xi32>
  }
  func.func @main() -> tensor<4xi32> {
    %0 = call @inputs() : () -> tensor<4x9xf32>
    %1 = call @expected() : () -> tensor<4xi32>
    %2 = call @computation(%0) : (tensor<4x9xf32>) -> tensor<4xi32>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<4xi32>, tensor<4xi32>) -> ()
    return %2 : tensor<4xi32>
  }
  func.func private @inputs() -> tensor<4x9xf32> {
    %cst = stablehlo.constant dense<[[-1.10333848, -0.72502464, -0.781805277, 0.26697585, -0.248580724, 0.126483053, 0.843042552, 0.857936561, 0.475183636], [-0.45076859, -0.754932284, -0.81481409, -0.343854845, -0.0513800941, -0.972273647, -1.13448751, 0.30570522, -1.85168505], [-0.177053511, 0.425825655, -0.985355615, -1.11295414, -7.606260e-01, 0.648024618, -0.129831359, -1.8695972, -0.423349112], [1.01389682, 0.983715355, 0.630041957, -0.238058805, -1.84493983, 0.169577733, -0.175977767, 0.0767998621, 1.54230416]]> : tensor<4x9xf32>
    return %cst : tensor<4x9xf32>
  }
  func.func private @expected() -> tensor<4xi32> {
    %c = stablehlo.constant dense<[7, 7, 5, 8]> : tensor<4xi32>
    return %c : tensor<4xi32>
  }
}
