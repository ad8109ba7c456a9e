module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<5xcomplex<f32>>, %arg1: tensor<5xcomplex<f32>>) -> (tensor<5xcomplex<f32>> {jax.result_info = "result"}) {
    %0 = stablehlo.multiply %arg0, %arg1 : tensor<5xcomplex<f32>>
    %1 = stablehlo.add %0, %arg0 : tensor<5xcomplex<f32>>
    return %1 : tensor<5xcomplex<f32>>
  }
  func.func @main() -> tensor<5xcomplex<f32>> {
    %0:2 = call @inputs() : () -> (tensor<5xcomplex<f32>>, tensor<5xcomplex<f32>>)
    %1 = call @expected() : () -> tensor<5xcomplex<f32>>
    %2 = call @computation(%0#0, %0#1) : (tensor<5xcomplex<f32>>, tensor<5xcomplex<f32>>) -> tensor<5xcomplex<f32>>
    stablehlo.custom_call @check.expect_almost_eq(%2, %1) {has_side_effect = true} : (tensor<5xcomplex<f32>>, tensor<5xcomplex<f32>>) -> ()
    return %2 : tensor<5xcomplex<f32>>
  }
  func.func private @inputs() -> (tensor<5xcomplex<f32>>, tensor<5xcomplex<f32>>) {
    %cst = stablehlo.constant dense<[(-1.43087304,0.807323634), (-0.936547696,-1.44353139), (0.393938363,1.01706374), (-0.524086654,-0.595648646), (0.525616229,2.09408498)]> : tensor<5xcomplex<f32>>
    %cst_0 = stablehlo.constant dense<[(-0.0935421288,-0.608783364), (-0.949534714,0.669195234), (0.743136644,-0.00629897323), (-1.21455967,0.355252117), (0.130829528,0.191408008)]> : tensor<5xcomplex<f32>>
    return %cst, %cst_0 : tensor<5xcomplex<f32>>, tensor<5xcomplex<f32>>
  }
  func.func private @expected() -> tensor<5xcomplex<f32>> {
    %cst = stablehlo.constant dense<[(-0.805540919,1.60289657), (0.918741166,-0.699581444), (0.69309485,1.77039969), (0.324053288,-0.058380723), (0.193557709,2.46866035)]> : tensor<5xcomplex<f32>>
    return %cst : tensor<5xcomplex<f32>>
  }
}
