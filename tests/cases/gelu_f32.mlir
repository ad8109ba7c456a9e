module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<4x8xf32>) -> (tensor<4x8xf32> {jax.result_info = "result"}) {
    %cst = stablehlo.constant dense<1.12837911> : tensor<4x8xf32>
    %cst_0 = stablehlo.constant dense<-0.37612626> : tensor<4x8xf32>
    %cst_1 = stablehlo.constant dense<0.112835854> : tensor<4x8xf32>
    %cst_2 = stablehlo.constant dense<-0.0268538129> : tensor<4x8xf32>
    %cst_3 = stablehlo.constant dense<0.00518832775> : tensor<4x8xf32>
    %cst_4 = stablehlo.constant dense<-8.0101937E-4> : tensor<4x8xf32>
    %cst_5 = stablehlo.constant dense<7.85386146E-5> : tensor<4x8xf32>
    %cst_6 = stablehlo.constant dense<0.000000e+00> : tensor<4x8xf32>
    %cst_7 = stablehlo.constant dense<-88.7228394> : tensor<4x8xf32>
    %cst_8 = stablehlo.constant dense<0.564189494> : tensor<4x8xf32>
    %cst_9 = stablehlo.constant dense<-0.282076746> : tensor<4x8xf32>
    %cst_10 = stablehlo.constant dense<0.42184633> : tensor<4x8xf32>
    %cst_11 = stablehlo.constant dense<-1.01526523> : tensor<4x8xf32>
    %cst_12 = stablehlo.constant dense<2.92101908> : tensor<4x8xf32>
    %cst_13 = stablehlo.constant dense<-7.49551868> : tensor<4x8xf32>
    %cst_14 = stablehlo.constant dense<1.297720e+01> : tensor<4x8xf32>
    %cst_15 = stablehlo.constant dense<-10.477664> : tensor<4x8xf32>
    %cst_16 = stablehlo.constant dense<0.563825965> : tensor<4x8xf32>
    %cst_17 = stablehlo.constant dense<-0.274112701> : tensor<4x8xf32>
    %cst_18 = stablehlo.constant dense<3.404880e-01> : tensor<4x8xf32>
    %cst_19 = stablehlo.constant dense<-0.494451523> : tensor<4x8xf32>
    %cst_20 = stablehlo.constant dense<0.621000468> : tensor<4x8xf32>
    %cst_21 = stablehlo.constant dense<-0.582473278> : tensor<4x8xf32>
    %cst_22 = stablehlo.constant dense<0.368742466> : tensor<4x8xf32>
    %cst_23 = stablehlo.constant dense<-0.138703942> : tensor<4x8xf32>
    %cst_24 = stablehlo.constant dense<2.326820e-02> : tensor<4x8xf32>
    %cst_25 = stablehlo.constant dense<2.000000e+00> : tensor<4x8xf32>
    %cst_26 = stablehlo.constant dense<1.000000e+00> : tensor<4x8xf32>
    %cst_27 = stablehlo.constant dense<0.707106769> : tensor<f32>
    %cst_28 = stablehlo.constant dense<5.000000e-01> : tensor<f32>
    %0 = stablehlo.broadcast_in_dim %cst_28, dims = [] : (tensor<f32>) -> tensor<4x8xf32>
    %1 = stablehlo.multiply %0, %arg0 : tensor<4x8xf32>
    %2 = stablehlo.negate %arg0 : tensor<4x8xf32>
    %3 = stablehlo.broadcast_in_dim %cst_27, dims = [] : (tensor<f32>) -> tensor<4x8xf32>
    %4 = stablehlo.multiply %2, %3 : tensor<4x8xf32>
    %5 = stablehlo.multiply %4, %4 : tensor<4x8xf32>
    %6 = stablehlo.negate %5 : tensor<4x8xf32>
    %7 = stablehlo.abs %4 : tensor<4x8xf32>
    %8 = stablehlo.divide %cst_26, %5 : tensor<4x8xf32>
    %9 = stablehlo.exponential %6 : tensor<4x8xf32>
    %10 = stablehlo.divide %cst_26, %7 : tensor<4x8xf32>
    %11 = stablehlo.multiply %9, %10 : tensor<4x8xf32>
    %12 = stablehlo.compare LT, %7, %cst_25 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
    %13 = stablehlo.multiply %cst_24, %8 : tensor<4x8xf32>
    %14 = stablehlo.add %13, %cst_23 : tensor<4x8xf32>
    %15 = stablehlo.multiply %14, %8 : tensor<4x8xf32>
    %16 = stablehlo.add %15, %cst_22 : tensor<4x8xf32>
    %17 = stablehlo.multiply %16, %8 : tensor<4x8xf32>
    %18 = stablehlo.add %17, %cst_21 : tensor<4x8xf32>
    %19 = stablehlo.multiply %18, %8 : tensor<4x8xf32>
    %20 = stablehlo.add %19, %cst_20 : tensor<4x8xf32>
    %21 = stablehlo.multiply %20, %8 : tensor<4x8xf32>
    %22 = stablehlo.add %21, %cst_19 : tensor<4x8xf32>
    %23 = stablehlo.multiply %22, %8 : tensor<4x8xf32>
    %24 = stablehlo.add %23, %cst_18 : tensor<4x8xf32>
    %25 = stablehlo.multiply %24, %8 : tensor<4x8xf32>
    %26 = stablehlo.add %25, %cst_17 : tensor<4x8xf32>
    %27 = stablehlo.multiply %26, %8 : tensor<4x8xf32>
    %28 = stablehlo.add %27, %cst_16 : tensor<4x8xf32>
    %29 = stablehlo.multiply %cst_15, %8 : tensor<4x8xf32>
    %30 = stablehlo.add %29, %cst_14 : tensor<4x8xf32>
    %31 = stablehlo.multiply %30, %8 : tensor<4x8xf32>
    %32 = stablehlo.add %31, %cst_13 : tensor<4x8xf32>
    %33 = stablehlo.multiply %32, %8 : tensor<4x8xf32>
    %34 = stablehlo.add %33, %cst_12 : tensor<4x8xf32>
    %35 = stablehlo.multiply %34, %8 : tensor<4x8xf32>
    %36 = stablehlo.add %35, %cst_11 : tensor<4x8xf32>
    %37 = stablehlo.multiply %36, %8 : tensor<4x8xf32>
    %38 = stablehlo.add %37, %cst_10 : tensor<4x8xf32>
    %39 = stablehlo.multiply %38, %8 : tensor<4x8xf32>
    %40 = stablehlo.add %39, %cst_9 : tensor<4x8xf32>
    %41 = stablehlo.multiply %40, %8 : tensor<4x8xf32>
    %42 = stablehlo.add %41, %cst_8 : tensor<4x8xf32>
    %43 = stablehlo.select %12, %28, %42 : tensor<4x8xi1>, tensor<4x8xf32>
    %44 = stablehlo.multiply %11, %43 : tensor<4x8xf32>
    %45 = stablehlo.compare LT, %6, %cst_7 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
    %46 = stablehlo.select %45, %cst_6, %44 : tensor<4x8xi1>, tensor<4x8xf32>
    %47 = stablehlo.compare LT, %4, %cst_6 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
    %48 = stablehlo.subtract %cst_25, %46 : tensor<4x8xf32>
    %49 = stablehlo.select %47, %48, %46 : tensor<4x8xi1>, tensor<4x8xf32>
    %50 = stablehlo.multiply %cst_5, %5 : tensor<4x8xf32>
    %51 = stablehlo.add %50, %cst_4 : tensor<4x8xf32>
    %52 = stablehlo.multiply %51, %5 : tensor<4x8xf32>
    %53 = stablehlo.add %52, %cst_3 : tensor<4x8xf32>
    %54 = stablehlo.multiply %53, %5 : tensor<4x8xf32>
    %55 = stablehlo.add %54, %cst_2 : tensor<4x8xf32>
    %56 = stablehlo.multiply %55, %5 : tensor<4x8xf32>
    %57 = stablehlo.add %56, %cst_1 : tensor<4x8xf32>
    %58 = stablehlo.multiply %57, %5 : tensor<4x8xf32>
    %59 = stablehlo.add %58, %cst_0 : tensor<4x8xf32>
    %60 = stablehlo.multiply %59, %5 : tensor<4x8xf32>
    %61 = stablehlo.add %60, %cst : tensor<4x8xf32>
    %62 = stablehlo.multiply %4, %61 : tensor<4x8xf32>
    %63 = stablehlo.subtract %cst_26, %62 : tensor<4x8xf32>
    %64 = stablehlo.compare LT, %7, %cst_26 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
    %65 = stablehlo.select %64, %63, %49 : tensor<4x8xi1>, tensor<4x8xf32>
    %66 = stablehlo.multiply %1, %65 : tensor<4x8xf32>
    return %66 : tensor<4x8xf32>
  }
  func.func @main() -> tensor<4x8xf32> {
    %0 = call @inputs() : () -> tensor<4x8xf32>
    %1 = call @expected() : () -> tensor<4x8xf32>
    %2 = call @computation(%0) : (tensor<4x8xf32>) -> tensor<4x8xf32>
    stablehlo.custom_call @check.expect_almost_eq(%2, %1) {has_side_effect = true} : (tensor<4x8xf32>, tensor<4x8xf32>) -> ()
    return %2 : tensor<4x8xf32>
  }
  func.func private @inputs() -> tensor<4x8xf32> {
    %cst = stablehlo.constant dense<[[-1.73826635, -1.33664274, -1.36110675, -0.351617128, -2.31258154, -0.188897192, -0.957229256, 0.893600165], [0.95684725, 1.39225829, 0.767470121, -0.0530297793, 0.859793961, 1.50548112, -0.653594553, 0.610351145], [-0.0426738262, 1.44001675, -0.836895048, -0.301546603, 0.362338603, 0.258110255, -1.63944793, 0.360155225], [-0.118497699, -0.239747852, -0.15530166, 0.218971699, -1.81639564, 1.55246651, -0.861441671, -2.24136782]]> : tensor<4x8xf32>
    return %cst : tensor<4x8xf32>
  }
  func.func private @expected() -> tensor<4x8xf32> {
    %cst = stablehlo.constant dense<[[-0.0714113638, -0.121192962, -0.118062392, -0.127483264, -0.0239880122, -0.0802976861, -0.161987886, 0.727597892], [0.794831752, 1.27820158, 0.597551405, -0.025393527, 6.921760e-01, 1.40596843, -0.16776894, 0.445059121], [-0.0206106361, 1.33211434, -0.168488562, -0.115039691, 0.232422262, 0.155340835, -0.0828905106, 0.230727851], [-0.0536601022, -0.0971609055, -0.0680674389, 0.128462806, -0.062946938, 1.45889115, -0.167548209, -0.0280196387]]> : tensor<4x8xf32>
    return %cst : tensor<4x8xf32>
  }
}
