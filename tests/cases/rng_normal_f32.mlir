module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<2xui32>) -> (tensor<6xf32> {jax.result_info = "result"}) {
    %c = stablehlo.constant dense<1065353216> : tensor<6xui32>
    %c_0 = stablehlo.constant dense<9> : tensor<6xui32>
    %c_1 = stablehlo.constant dense<32> : tensor<6xui64>
    %c_2 = stablehlo.constant dense<1> : tensor<6xui64>
    %c_3 = stablehlo.constant dense<32> : tensor<ui32>
    %c_4 = stablehlo.constant dense<[17, 29, 16, 24]> : tensor<4xui32>
    %c_5 = stablehlo.constant dense<[13, 15, 26, 6]> : tensor<4xui32>
    %c_6 = stablehlo.constant dense<466688986> : tensor<ui32>
    %c_7 = stablehlo.constant dense<0> : tensor<i32>
    %c_8 = stablehlo.constant dense<5> : tensor<i32>
    %c_9 = stablehlo.constant dense<1> : tensor<i32>
    %cst = stablehlo.constant dense<0x7F800000> : tensor<6xf32>
    %cst_10 = stablehlo.constant dense<1.000000e+00> : tensor<6xf32>
    %cst_11 = stablehlo.constant dense<2.83297682> : tensor<6xf32>
    %cst_12 = stablehlo.constant dense<1.50140941> : tensor<6xf32>
    %cst_13 = stablehlo.constant dense<1.00167406> : tensor<6xf32>
    %cst_14 = stablehlo.constant dense<0.246640727> : tensor<6xf32>
    %cst_15 = stablehlo.constant dense<0.00943887047> : tensor<6xf32>
    %cst_16 = stablehlo.constant dense<-0.00417768164> : tensor<6xf32>
    %cst_17 = stablehlo.constant dense<-0.0076224613> : tensor<6xf32>
    %cst_18 = stablehlo.constant dense<-0.00125372503> : tensor<6xf32>
    %cst_19 = stablehlo.constant dense<0.00573950773> : tensor<6xf32>
    %cst_20 = stablehlo.constant dense<2.1858087E-4> : tensor<6xf32>
    %cst_21 = stablehlo.constant dense<-0.00367342844> : tensor<6xf32>
    %cst_22 = stablehlo.constant dense<-4.39150654E-6> : tensor<6xf32>
    %cst_23 = stablehlo.constant dense<0.00134934322> : tensor<6xf32>
    %cst_24 = stablehlo.constant dense<-3.5233877E-6> : tensor<6xf32>
    %cst_25 = stablehlo.constant dense<1.00950558E-4> : tensor<6xf32>
    %cst_26 = stablehlo.constant dense<3.43273939E-7> : tensor<6xf32>
    %cst_27 = stablehlo.constant dense<-2.00214257E-4> : tensor<6xf32>
    %cst_28 = stablehlo.constant dense<2.81022636E-8> : tensor<6xf32>
    %cst_29 = stablehlo.constant dense<3.000000e+00> : tensor<6xf32>
    %cst_30 = stablehlo.constant dense<2.500000e+00> : tensor<6xf32>
    %cst_31 = stablehlo.constant dense<5.000000e+00> : tensor<6xf32>
    %cst_32 = stablehlo.constant dense<1.41421354> : tensor<f32>
    %cst_33 = stablehlo.constant dense<-0.99999994> : tensor<f32>
    %cst_34 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %0 = stablehlo.broadcast_in_dim %cst_33, dims = [] : (tensor<f32>) -> tensor<1xf32>
    %1 = stablehlo.broadcast_in_dim %cst_34, dims = [] : (tensor<f32>) -> tensor<1xf32>
    %2 = stablehlo.slice %arg0 [0:1] : (tensor<2xui32>) -> tensor<1xui32>
    %3 = stablehlo.reshape %2 : (tensor<1xui32>) -> tensor<ui32>
    %4 = stablehlo.slice %arg0 [1:2] : (tensor<2xui32>) -> tensor<1xui32>
    %5 = stablehlo.reshape %4 : (tensor<1xui32>) -> tensor<ui32>
    %6 = stablehlo.iota dim = 0 : tensor<6xui64>
    %7 = stablehlo.multiply %c_2, %6 : tensor<6xui64>
    %8 = stablehlo.shift_right_logical %7, %c_1 : tensor<6xui64>
    %9 = stablehlo.convert %7 : (tensor<6xui64>) -> tensor<6xui32>
    %10 = stablehlo.convert %8 : (tensor<6xui64>) -> tensor<6xui32>
    %11 = stablehlo.xor %3, %5 : tensor<ui32>
    %12 = stablehlo.xor %11, %c_6 : tensor<ui32>
    %13 = stablehlo.broadcast_in_dim %3, dims = [] : (tensor<ui32>) -> tensor<6xui32>
    %14 = stablehlo.add %10, %13 : tensor<6xui32>
    %15 = stablehlo.broadcast_in_dim %5, dims = [] : (tensor<ui32>) -> tensor<6xui32>
    %16 = stablehlo.add %9, %15 : tensor<6xui32>
    %17:9 = stablehlo.while(%iterArg = %c_7, %iterArg_35 = %c_7, %iterArg_36 = %14, %iterArg_37 = %16, %iterArg_38 = %5, %iterArg_39 = %12, %iterArg_40 = %3, %iterArg_41 = %c_5, %iterArg_42 = %c_4) : tensor<i32>, tensor<i32>, tensor<6xui32>, tensor<6xui32>, tensor<ui32>, tensor<ui32>, tensor<ui32>, tensor<4xui32>, tensor<4xui32>
    cond {
      %71 = stablehlo.compare LT, %iterArg, %c_8, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
      stablehlo.return %71 : tensor<i1>
    } do {
      %71 = stablehlo.add %iterArg_35, %c_9 : tensor<i32>
      %72 = stablehlo.slice %iterArg_41 [0:1] : (tensor<4xui32>) -> tensor<1xui32>
      %73 = stablehlo.reshape %72 : (tensor<1xui32>) -> tensor<ui32>
      %74 = stablehlo.add %iterArg_36, %iterArg_37 : tensor<6xui32>
      %75 = stablehlo.broadcast_in_dim %73, dims = [] : (tensor<ui32>) -> tensor<6xui32>
      %76 = stablehlo.shift_left %iterArg_37, %75 : tensor<6xui32>
      %77 = stablehlo.subtract %c_3, %73 : tensor<ui32>
      %78 = stablehlo.broadcast_in_dim %77, dims = [] : (tensor<ui32>) -> tensor<6xui32>
      %79 = stablehlo.shift_right_logical %iterArg_37, %78 : tensor<6xui32>
      %80 = stablehlo.or %76, %79 : tensor<6xui32>
      %81 = stablehlo.xor %74, %80 : tensor<6xui32>
      %82 = stablehlo.slice %iterArg_41 [1:2] : (tensor<4xui32>) -> tensor<1xui32>
      %83 = stablehlo.reshape %82 : (tensor<1xui32>) -> tensor<ui32>
      %84 = stablehlo.add %74, %81 : tensor<6xui32>
      %85 = stablehlo.broadcast_in_dim %83, dims = [] : (tensor<ui32>) -> tensor<6xui32>
      %86 = stablehlo.shift_left %81, %85 : tensor<6xui32>
      %87 = stablehlo.subtract %c_3, %83 : tensor<ui32>
      %88 = stablehlo.broadcast_in_dim %87, dims = [] : (tensor<ui32>) -> tensor<6xui32>
      %89 = stablehlo.shift_right_logical %81, %88 : tensor<6xui32>
      %90 = stablehlo.or %86, %89 : tensor<6xui32>
      %91 = stablehlo.xor %84, %90 : tensor<6xui32>
      %92 = stablehlo.slice %iterArg_41 [2:3] : (tensor<4xui32>) -> tensor<1xui32>
      %93 = stablehlo.reshape %92 : (tensor<1xui32>) -> tensor<ui32>
      %94 = stablehlo.add %84, %91 : tensor<6xui32>
      %95 = stablehlo.broadcast_in_dim %93, dims = [] : (tensor<ui32>) -> tensor<6xui32>
      %96 = stablehlo.shift_left %91, %95 : tensor<6xui32>
      %97 = stablehlo.subtract %c_3, %93 : tensor<ui32>
      %98 = stablehlo.broadcast_in_dim %97, dims = [] : (tensor<ui32>) -> tensor<6xui32>
      %99 = stablehlo.shift_right_logical %91, %98 : tensor<6xui32>
      %100 = stablehlo.or %96, %99 : tensor<6xui32>
      %101 = stablehlo.xor %94, %100 : tensor<6xui32>
      %102 = stablehlo.slice %iterArg_41 [3:4] : (tensor<4xui32>) -> tensor<1xui32>
      %103 = stablehlo.reshape %102 : (tensor<1xui32>) -> tensor<ui32>
      %104 = stablehlo.add %94, %101 : tensor<6xui32>
      %105 = stablehlo.broadcast_in_dim %103, dims = [] : (tensor<ui32>) -> tensor<6xui32>
      %106 = stablehlo.shift_left %101, %105 : tensor<6xui32>
      %107 = stablehlo.subtract %c_3, %103 : tensor<ui32>
      %108 = stablehlo.broadcast_in_dim %107, dims = [] : (tensor<ui32>) -> tensor<6xui32>
      %109 = stablehlo.shift_right_logical %101, %108 : tensor<6xui32>
      %110 = stablehlo.or %106, %109 : tensor<6xui32>
      %111 = stablehlo.xor %104, %110 : tensor<6xui32>
      %112 = stablehlo.broadcast_in_dim %iterArg_38, dims = [] : (tensor<ui32>) -> tensor<6xui32>
      %113 = stablehlo.add %104, %112 : tensor<6xui32>
      %114 = stablehlo.broadcast_in_dim %iterArg_39, dims = [] : (tensor<ui32>) -> tensor<6xui32>
      %115 = stablehlo.add %111, %114 : tensor<6xui32>
      %116 = stablehlo.convert %71 : (tensor<i32>) -> tensor<ui32>
      %117 = stablehlo.broadcast_in_dim %116, dims = [] : (tensor<ui32>) -> tensor<6xui32>
      %118 = stablehlo.add %115, %117 : tensor<6xui32>
      %119 = stablehlo.add %iterArg, %c_9 : tensor<i32>
      stablehlo.return %119, %71, %113, %118, %iterArg_39, %iterArg_40, %iterArg_38, %iterArg_42, %iterArg_41 : tensor<i32>, tensor<i32>, tensor<6xui32>, tensor<6xui32>, tensor<ui32>, tensor<ui32>, tensor<ui32>, tensor<4xui32>, tensor<4xui32>
    }
    %18 = stablehlo.xor %17#2, %17#3 : tensor<6xui32>
    %19 = stablehlo.shift_right_logical %18, %c_0 : tensor<6xui32>
    %20 = stablehlo.or %19, %c : tensor<6xui32>
    %21 = stablehlo.bitcast_convert %20 : (tensor<6xui32>) -> tensor<6xf32>
    %22 = stablehlo.broadcast_in_dim %cst_34, dims = [] : (tensor<f32>) -> tensor<6xf32>
    %23 = stablehlo.subtract %21, %22 : tensor<6xf32>
    %24 = stablehlo.subtract %1, %0 : tensor<1xf32>
    %25 = stablehlo.broadcast_in_dim %24, dims = [0] : (tensor<1xf32>) -> tensor<6xf32>
    %26 = stablehlo.multiply %23, %25 : tensor<6xf32>
    %27 = stablehlo.broadcast_in_dim %0, dims = [0] : (tensor<1xf32>) -> tensor<6xf32>
    %28 = stablehlo.add %26, %27 : tensor<6xf32>
    %29 = stablehlo.maximum %27, %28 : tensor<6xf32>
    %30 = stablehlo.negate %29 : tensor<6xf32>
    %31 = stablehlo.multiply %29, %30 : tensor<6xf32>
    %32 = stablehlo.log_plus_one %31 : tensor<6xf32>
    %33 = stablehlo.negate %32 : tensor<6xf32>
    %34 = stablehlo.compare LT, %33, %cst_31 : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xi1>
    %35 = stablehlo.subtract %33, %cst_30 : tensor<6xf32>
    %36 = stablehlo.sqrt %33 : tensor<6xf32>
    %37 = stablehlo.subtract %36, %cst_29 : tensor<6xf32>
    %38 = stablehlo.select %34, %35, %37 : tensor<6xi1>, tensor<6xf32>
    %39 = stablehlo.select %34, %cst_28, %cst_27 : tensor<6xi1>, tensor<6xf32>
    %40 = stablehlo.select %34, %cst_26, %cst_25 : tensor<6xi1>, tensor<6xf32>
    %41 = stablehlo.multiply %39, %38 : tensor<6xf32>
    %42 = stablehlo.add %40, %41 : tensor<6xf32>
    %43 = stablehlo.select %34, %cst_24, %cst_23 : tensor<6xi1>, tensor<6xf32>
    %44 = stablehlo.multiply %42, %38 : tensor<6xf32>
    %45 = stablehlo.add %43, %44 : tensor<6xf32>
    %46 = stablehlo.select %34, %cst_22, %cst_21 : tensor<6xi1>, tensor<6xf32>
    %47 = stablehlo.multiply %45, %38 : tensor<6xf32>
    %48 = stablehlo.add %46, %47 : tensor<6xf32>
    %49 = stablehlo.select %34, %cst_20, %cst_19 : tensor<6xi1>, tensor<6xf32>
    %50 = stablehlo.multiply %48, %38 : tensor<6xf32>
    %51 = stablehlo.add %49, %50 : tensor<6xf32>
    %52 = stablehlo.select %34, %cst_18, %cst_17 : tensor<6xi1>, tensor<6xf32>
    %53 = stablehlo.multiply %51, %38 : tensor<6xf32>
    %54 = stablehlo.add %52, %53 : tensor<6xf32>
    %55 = stablehlo.select %34, %cst_16, %cst_15 : tensor<6xi1>, tensor<6xf32>
    %56 = stablehlo.multiply %54, %38 : tensor<6xf32>
    %57 = stablehlo.add %55, %56 : tensor<6xf32>
    %58 = stablehlo.select %34, %cst_14, %cst_13 : tensor<6xi1>, tensor<6xf32>
    %59 = stablehlo.multiply %57, %38 : tensor<6xf32>
    %60 = stablehlo.add %58, %59 : tensor<6xf32>
    %61 = stablehlo.select %34, %cst_12, %cst_11 : tensor<6xi1>, tensor<6xf32>
    %62 = stablehlo.multiply %60, %38 : tensor<6xf32>
    %63 = stablehlo.add %61, %62 : tensor<6xf32>
    %64 = stablehlo.multiply %63, %29 : tensor<6xf32>
    %65 = stablehlo.abs %29 : tensor<6xf32>
    %66 = stablehlo.compare EQ, %65, %cst_10 : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xi1>
    %67 = stablehlo.multiply %29, %cst : tensor<6xf32>
    %68 = stablehlo.select %66, %67, %64 : tensor<6xi1>, tensor<6xf32>
    %69 = stablehlo.broadcast_in_dim %cst_32, dims = [] : (tensor<f32>) -> tensor<6xf32>
    %70 = stablehlo.multiply %69, %68 : tensor<6xf32>
    return %70 : tensor<6xf32>
  }
  func.func @main() -> tensor<6xf32> {
    %0 = call @inputs() : () -> tensor<2xui32>
    %1 = call @expected() : () -> tensor<6xf32>
    %2 = call @computation(%0) : (tensor<2xui32>) -> tensor<6xf32>
    stablehlo.custom_call @check.expect_almost_eq(%2, %1) {has_side_effect = true} : (tensor<6xf32>, tensor<6xf32>) -> ()
    return %2 : tensor<6xf32>
  }
  func.func private @inputs() -> tensor<2xui32> {
    %c = stablehlo.constant dense<[2, 14]> : tensor<2xui32>
    return %c : tensor<2xui32>
  }
  func.func private @expected() -> tensor<6xf32> {
    %cst = stablehlo.constant dense<[0.679356933, -1.31433249, -1.11775374, -1.28469932, 0.0768314898, 0.299577922]> : tensor<6xf32>
    return %cst : tensor<6xf32>
  }
}
