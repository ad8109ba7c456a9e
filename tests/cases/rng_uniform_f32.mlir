module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<2xui32>) -> (tensor<8xf32> {jax.result_info = "result"}) {
    %c = stablehlo.constant dense<1065353216> : tensor<8xui32>
    %c_0 = stablehlo.constant dense<9> : tensor<8xui32>
    %c_1 = stablehlo.constant dense<32> : tensor<8xui64>
    %c_2 = stablehlo.constant dense<1> : tensor<8xui64>
    %c_3 = stablehlo.constant dense<32> : tensor<ui32>
    %c_4 = stablehlo.constant dense<[17, 29, 16, 24]> : tensor<4xui32>
    %c_5 = stablehlo.constant dense<[13, 15, 26, 6]> : tensor<4xui32>
    %c_6 = stablehlo.constant dense<466688986> : tensor<ui32>
    %c_7 = stablehlo.constant dense<0> : tensor<i32>
    %c_8 = stablehlo.constant dense<5> : tensor<i32>
    %c_9 = stablehlo.constant dense<1> : tensor<i32>
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %cst_10 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %0 = stablehlo.convert %cst : tensor<f32>
    %1 = stablehlo.convert %cst_10 : tensor<f32>
    %2 = stablehlo.broadcast_in_dim %0, dims = [] : (tensor<f32>) -> tensor<1xf32>
    %3 = stablehlo.broadcast_in_dim %1, dims = [] : (tensor<f32>) -> tensor<1xf32>
    %4 = stablehlo.slice %arg0 [0:1] : (tensor<2xui32>) -> tensor<1xui32>
    %5 = stablehlo.reshape %4 : (tensor<1xui32>) -> tensor<ui32>
    %6 = stablehlo.slice %arg0 [1:2] : (tensor<2xui32>) -> tensor<1xui32>
    %7 = stablehlo.reshape %6 : (tensor<1xui32>) -> tensor<ui32>
    %8 = stablehlo.iota dim = 0 : tensor<8xui64>
    %9 = stablehlo.multiply %c_2, %8 : tensor<8xui64>
    %10 = stablehlo.shift_right_logical %9, %c_1 : tensor<8xui64>
    %11 = stablehlo.convert %9 : (tensor<8xui64>) -> tensor<8xui32>
    %12 = stablehlo.convert %10 : (tensor<8xui64>) -> tensor<8xui32>
    %13 = stablehlo.xor %5, %7 : tensor<ui32>
    %14 = stablehlo.xor %13, %c_6 : tensor<ui32>
    %15 = stablehlo.broadcast_in_dim %5, dims = [] : (tensor<ui32>) -> tensor<8xui32>
    %16 = stablehlo.add %12, %15 : tensor<8xui32>
    %17 = stablehlo.broadcast_in_dim %7, dims = [] : (tensor<ui32>) -> tensor<8xui32>
    %18 = stablehlo.add %11, %17 : tensor<8xui32>
    %19:9 = stablehlo.while(%iterArg = %c_7, %iterArg_11 = %c_7, %iterArg_12 = %16, %iterArg_13 = %18, %iterArg_14 = %7, %iterArg_15 = %14, %iterArg_16 = %5, %iterArg_17 = %c_5, %iterArg_18 = %c_4) : tensor<i32>, tensor<i32>, tensor<8xui32>, tensor<8xui32>, tensor<ui32>, tensor<ui32>, tensor<ui32>, tensor<4xui32>, tensor<4xui32>
    cond {
      %32 = stablehlo.compare LT, %iterArg, %c_8, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
      stablehlo.return %32 : tensor<i1>
    } do {
      %32 = stablehlo.add %iterArg_11, %c_9 : tensor<i32>
      %33 = stablehlo.slice %iterArg_17 [0:1] : (tensor<4xui32>) -> tensor<1xui32>
      %34 = stablehlo.reshape %33 : (tensor<1xui32>) -> tensor<ui32>
      %35 = stablehlo.add %iterArg_12, %iterArg_13 : tensor<8xui32>
      %36 = stablehlo.broadcast_in_dim %34, dims = [] : (tensor<ui32>) -> tensor<8xui32>
      %37 = stablehlo.shift_left %iterArg_13, %36 : tensor<8xui32>
      %38 = stablehlo.subtract %c_3, %34 : tensor<ui32>
      %39 = stablehlo.broadcast_in_dim %38, dims = [] : (tensor<ui32>) -> tensor<8xui32>
      %40 = stablehlo.shift_right_logical %iterArg_13, %39 : tensor<8xui32>
      %41 = stablehlo.or %37, %40 : tensor<8xui32>
      %42 = stablehlo.xor %35, %41 : tensor<8xui32>
      %43 = stablehlo.slice %iterArg_17 [1:2] : (tensor<4xui32>) -> tensor<1xui32>
      %44 = stablehlo.reshape %43 : (tensor<1xui32>) -> tensor<ui32>
      %45 = stablehlo.add %35, %42 : tensor<8xui32>
      %46 = stablehlo.broadcast_in_dim %44, dims = [] : (tensor<ui32>) -> tensor<8xui32>
      %47 = stablehlo.shift_left %42, %46 : tensor<8xui32>
      %48 = stablehlo.subtract %c_3, %44 : tensor<ui32>
      %49 = stablehlo.broadcast_in_dim %48, dims = [] : (tensor<ui32>) -> tensor<8xui32>
      %50 = stablehlo.shift_right_logical %42, %49 : tensor<8xui32>
      %51 = stablehlo.or %47, %50 : tensor<8xui32>
      %52 = stablehlo.xor %45, %51 : tensor<8xui32>
      %53 = stablehlo.slice %iterArg_17 [2:3] : (tensor<4xui32>) -> tensor<1xui32>
      %54 = stablehlo.reshape %53 : (tensor<1xui32>) -> tensor<ui32>
      %55 = stablehlo.add %45, %52 : tensor<8xui32>
      %56 = stablehlo.broadcast_in_dim %54, dims = [] : (tensor<ui32>) -> tensor<8xui32>
      %57 = stablehlo.shift_left %52, %56 : tensor<8xui32>
      %58 = stablehlo.subtract %c_3, %54 : tensor<ui32>
      %59 = stablehlo.broadcast_in_dim %58, dims = [] : (tensor<ui32>) -> tensor<8xui32>
      %60 = stablehlo.shift_right_logical %52, %59 : tensor<8xui32>
      %61 = stablehlo.or %57, %60 : tensor<8xui32>
      %62 = stablehlo.xor %55, %61 : tensor<8xui32>
      %63 = stablehlo.slice %iterArg_17 [3:4] : (tensor<4xui32>) -> tensor<1xui32>
      %64 = stablehlo.reshape %63 : (tensor<1xui32>) -> tensor<ui32>
      %65 = stablehlo.add %55, %62 : tensor<8xui32>
      %66 = stablehlo.broadcast_in_dim %64, dims = [] : (tensor<ui32>) -> tensor<8xui32>
      %67 = stablehlo.shift_left %62, %66 : tensor<8xui32>
      %68 = stablehlo.subtract %c_3, %64 : tensor<ui32>
      %69 = stablehlo.broadcast_in_dim %68, dims = [] : (tensor<ui32>) -> tensor<8xui32>
      %70 = stablehlo.shift_right_logical %62, %69 : tensor<8xui32>
      %71 = stablehlo.or %67, %70 : tensor<8xui32>
      %72 = stablehlo.xor %65, %71 : tensor<8xui32>
      %73 = stablehlo.broadcast_in_dim %iterArg_14, dims = [] : (tensor<ui32>) -> tensor<8xui32>
      %74 = stablehlo.add %65, %73 : tensor<8xui32>
      %75 = stablehlo.broadcast_in_dim %iterArg_15, dims = [] : (tensor<ui32>) -> tensor<8xui32>
      %76 = stablehlo.add %72, %75 : tensor<8xui32>
      %77 = stablehlo.convert %32 : (tensor<i32>) -> tensor<ui32>
      %78 = stablehlo.broadcast_in_dim %77, dims = [] : (tensor<ui32>) -> tensor<8xui32>
      %79 = stablehlo.add %76, %78 : tensor<8xui32>
      %80 = stablehlo.add %iterArg, %c_9 : tensor<i32>
      stablehlo.return %80, %32, %74, %79, %iterArg_15, %iterArg_16, %iterArg_14, %iterArg_18, %iterArg_17 : tensor<i32>, tensor<i32>, tensor<8xui32>, tensor<8xui32>, tensor<ui32>, tensor<ui32>, tensor<ui32>, tensor<4xui32>, tensor<4xui32>
    }
    %20 = stablehlo.xor %19#2, %19#3 : tensor<8xui32>
    %21 = stablehlo.shift_right_logical %20, %c_0 : tensor<8xui32>
    %22 = stablehlo.or %21, %c : tensor<8xui32>
    %23 = stablehlo.bitcast_convert %22 : (tensor<8xui32>) -> tensor<8xf32>
    %24 = stablehlo.broadcast_in_dim %cst_10, dims = [] : (tensor<f32>) -> tensor<8xf32>
    %25 = stablehlo.subtract %23, %24 : tensor<8xf32>
    %26 = stablehlo.subtract %3, %2 : tensor<1xf32>
    %27 = stablehlo.broadcast_in_dim %26, dims = [0] : (tensor<1xf32>) -> tensor<8xf32>
    %28 = stablehlo.multiply %25, %27 : tensor<8xf32>
    %29 = stablehlo.broadcast_in_dim %2, dims = [0] : (tensor<1xf32>) -> tensor<8xf32>
    %30 = stablehlo.add %28, %29 : tensor<8xf32>
    %31 = stablehlo.maximum %29, %30 : tensor<8xf32>
    return %31 : tensor<8xf32>
  }
  func.func @main() -> tensor<8xf32> {
    %0 = call @inputs() : () -> tensor<2xui32>
    %1 = call @expected() : () -> tensor<8xf32>
    %2 = call @computation(%0) : (tensor<2xui32>) -> tensor<8xf32>
    stablehlo.custom_call @check.expect_eq(%2, %1) {has_side_effect = true} : (tensor<8xf32>, tensor<8xf32>) -> ()
    return %2 : tensor<8xf32>
  }
  func.func private @inputs() -> tensor<2xui32> {
    %c = stablehlo.constant dense<[15, 11]> : tensor<2xui32>
    return %c : tensor<2xui32>
  }
  func.func private @expected() -> tensor<8xf32> {
    %cst = stablehlo.constant dense<[0.29411447, 0.977718472, 0.102417946, 8.339200e-01, 0.167459607, 1.900320e-01, 0.0482906103, 0.104750633]> : tensor<8xf32>
    return %cst : tensor<8xf32>
  }
}
