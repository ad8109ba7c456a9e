module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<5x4xf32>, %arg1: tensor<2x2xf32>, %arg2: tensor<i32>) -> (tensor<5x4xf32> {jax.result_info = "result"}) {
    %c = stablehlo.constant dense<1> : tensor<i32>
    %c_0 = stablehlo.constant dense<5> : tensor<i32>
    %c_1 = stablehlo.constant dense<0> : tensor<i32>
    %0 = stablehlo.compare LT, %arg2, %c_1, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
    %1 = stablehlo.add %arg2, %c_0 : tensor<i32>
    %2 = stablehlo.select %0, %1, %arg2 : tensor<i1>, tensor<i32>
    %3 = stablehlo.dynamic_update_slice %arg0, %arg1, %2, %c : (tensor<5x4xf32>, tensor<2x2xf32>, tensor<i32>, tensor<i32>) -> tensor<5x4xf32>
    return %3 : tensor<5x4xf32>
  }
  func.func @main() -> tensor<5x4xf32> {
    %0:3 = call @inputs() : () -> (tensor<5x4xf32>, tensor<2x2xf32>, tensor<i32>)
    %1 = call @expected() : () -> tensor<5x4xf32>
    %2 = call @computation(%0#0, %0#1, %0#2) : (tensor<5x4xf32>, tensor<2x2xf32>, tensor<i32>) -> tensor<5x4xf32>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<5x4xf32>, tensor<5x4xf32>) -> ()
    return %2 : tensor<5x4xf32>
  }
  func.func private @inputs() -> (tensor<5x4xf32>, tensor<2x2xf32>, tensor<i32>) {
    %cst = stablehlo.constant dense<[[1.35074735, 0.343090594, -1.16299021, -0.187085822], [-0.339464605, -0.227676317, 0.596856177, -1.27902317], [0.966655313, -1.12796068, -0.188458532, 0.886988937], [0.663676917, -0.691016316, 1.76886606, 0.36550957], [-9.544420e-01, 0.0425344482, -0.831052362, 0.434181362]]> : tensor<5x4xf32>
    %cst_0 = stablehlo.constant dense<[[-1.23208928, -0.312838137], [0.351963371, -0.26236847]]> : tensor<2x2xf32>
    %c = stablehlo.constant dense<0> : tensor<i32>
    return %cst, %cst_0, %c : tensor<5x4xf32>, tensor<2x2xf32>, tensor<i32>
  }
  func.func private @expected() -> tensor<5x4xf32> {
    %cst = stablehlo.constant dense<[[1.35074735, -1.23208928, -0.312838137, -0.187085822], [-0.339464605, 0.351963371, -0.26236847, -1.27902317], [0.966655313, -1.12796068, -0.188458532, 0.886988937], [0.663676917, -0.691016316, 1.76886606, 0.36550957], [-9.544420e-01, 0.0425344482, -0.831052362, 0.434181362]]> : tensor<5x4xf32>
    return %cst : tensor<5x4xf32>
  }
}
