module @jit__lambda attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func private @computation(%arg0: tensor<4x32xbf16>, %arg1: tensor<32xbf16>) -> (tensor<4x32xbf16> {jax.result_info = "result"}) {
    %cst = stablehlo.constant dense<9.99999997E-7> : tensor<f32>
    %cst_0 = stablehlo.constant dense<3.200000e+01> : tensor<f32>
    %cst_1 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %0 = stablehlo.convert %arg0 : (tensor<4x32xbf16>) -> tensor<4x32xf32>
    %1 = stablehlo.multiply %0, %0 : tensor<4x32xf32>
    %2 = stablehlo.reduce(%1 init: %cst_1) applies stablehlo.add across dimensions = [1] : (tensor<4x32xf32>, tensor<f32>) -> tensor<4xf32>
    %3 = stablehlo.broadcast_in_dim %2, dims = [0] : (tensor<4xf32>) -> tensor<4x1xf32>
    %4 = stablehlo.broadcast_in_dim %cst_0, dims = [] : (tensor<f32>) -> tensor<4x1xf32>
    %5 = stablehlo.divide %3, %4 : tensor<4x1xf32>
    %6 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<4x1xf32>
    %7 = stablehlo.add %5, %6 : tensor<4x1xf32>
    %8 = stablehlo.rsqrt %7 : tensor<4x1xf32>
    %9 = stablehlo.convert %8 : (tensor<4x1xf32>) -> tensor<4x1xbf16>
    %10 = stablehlo.broadcast_in_dim %9, dims = [0, 1] : (tensor<4x1xbf16>) -> tensor<4x32xbf16>
    %11 = stablehlo.multiply %arg0, %10 : tensor<4x32xbf16>
    %12 = stablehlo.broadcast_in_dim %arg1, dims = [1] : (tensor<32xbf16>) -> tensor<1x32xbf16>
    %13 = stablehlo.broadcast_in_dim %12, dims = [0, 1] : (tensor<1x32xbf16>) -> tensor<4x32xbf16>
    %14 = stablehlo.multiply %11, %13 : tensor<4x32xbf16>
    return %14 : tensor<4x32xbf16>
  }
  func.func @main() -> tensor<4x32xbf16> {
    %0:2 = call @inputs() : () -> (tensor<4x32xbf16>, tensor<32xbf16>)
    %1 = call @expected() : () -> tensor<4x32xbf16>
    %2 = call @computation(%0#0, %0#1) : (tensor<4x32xbf16>, tensor<32xbf16>) -> tensor<4x32xbf16>
    stablehlo.custom_call @check.expect_almost_eq(%2, %1) {has_side_effect = true} : (tensor<4x32xbf16>, tensor<4x32xbf16>) -> ()
    return %2 : tensor<4x32xbf16>
  }
  func.func private @inputs() -> (tensor<4x32xbf16>, tensor<32xbf16>) {
    %cst = stablehlo.constant dense<"0xE0BB863F3E3F393FCF3F9ABF21BFA9BFDDBD803FB4BCFE3EF5BF173E68BFE33F633F733F6DBD1D3F283FB0BEFFBEEBBD1BBF18BF91BE3ABF443FCCBF533F20BF0CBFADBF14BE7EBE443E09BFC03DE93FD13E13BF743F04BE183F1D3FC8BEF7BFB2BE0D3FC3BEE13E7B3F0BBF9E3FD03F8A3F953F8C3F10403E3E093B1A3F68BFC7BF62BFBF3EF23EC5BFF1BFA2BE41BE4ABD2C3F9D3F6C3E1D3F8CBF97BF723E2A3F3A3F183F493F4F3FE0BF3CBFE93E193FC2BF963FE1BE6EBE8C3E403FB7BF7D3F9E3D45BF8DBE0CC026BF3A3E36BFA8BE16BE463D833FCCBC85BE0A3F0540AFBE033FCABFAC3F293FAB3F72BD85BF633F413F5EBFBDBFE63E30BE27401DBF"> : tensor<4x32xbf16>
    %cst_0 = stablehlo.constant dense<[6.030270e-02, 3.359380e-01, -2.270510e-02, 1.289060e+00, 6.523440e-01, -3.300780e-01, -4.589840e-01, 1.109380e+00, 2.675780e-01, 2.687500e+00, 4.804690e-01, -6.396480e-02, -1.289060e+00, 9.648430e-01, -9.531250e-01, -5.859380e-01, -1.435550e-01, -9.531250e-01, 5.312500e-01, 1.083980e-01, 2.221680e-02, 6.914060e-01, 7.031250e-01, 2.015630e+00, 2.148440e-01, -1.328130e-01, -5.742190e-01, 1.226560e+00, -1.226560e+00, -1.140630e+00, -3.769530e-01, -7.929680e-01]> : tensor<32xbf16>
    return %cst, %cst_0 : tensor<4x32xbf16>, tensor<32xbf16>
  }
  func.func private @expected() -> tensor<4x32xbf16> {
    %cst = stablehlo.constant dense<"0xF1B9CA3E9ABC853F973FE33EA53ED2BF04BD404041BC11BD3140233E783F95BF12BE82BF0CBD983D863C88BEC8BE84BE15BEB53D3A3E7FBF86BF0240B2BE0E3F11BDF9BE663BAFBE093E423E3DBD0A40F03DD3BFFC3E103C52BF223FCC3E9B3F5B3D10BF5EBE513DBF3CCEBE6E3F61407E3E29BE2CBF3D4079BE28BB79BE453FCEBDA3BE14BC283F8ABF2A3F1F3E66BE67BCF73F213F81BC59BF91BF9A3F18BED1BD3EBFAD3EBA3D9E3CA6BF0DBF7B3F0D3E5D3E39BF14BF9C3EABBE9BBE9B3F703DD23C8D3CB3BEB4BF573EA8BD47BFB1BDC7BEBB3C84BD023D7DBE02BF9ABF463DF6BE53BF133E6C3C683F27BD04C0403ECABDFC3EE4BF0BBF453E77BFF63E"> : tensor<4x32xbf16>
    return %cst : tensor<4x32xbf16>
  }
}
