"""Graph-stage passes, IR in -> IR out (FileCheck), the way MLIR tests its passes."""

from __future__ import annotations

import numpy as np
import pytest

from byteir_sdk.compiler.passes import passes_of


def test_every_graph_pass_is_documented_in_one_line() -> None:
    passes = passes_of("graph")
    assert {"canonicalize", "cse", "fold-constants", "fold-identity-ops", "fold-transpose-of-transpose",
            "fold-transpose-into-dot", "fold-reshape-chains", "simplify-arithmetic", "dce", "outline-fusion-groups"} <= set(passes)  # fmt: skip
    for cls in passes.values():
        assert cls.summary() and "\n" not in cls.summary()


def test_fold_constants(run_pass) -> None:
    run_pass("fold-constants", """
    func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
      %a = stablehlo.constant dense<[1.0, 2.0]> : tensor<2xf32>
      %b = stablehlo.constant dense<[3.0, 5.0]> : tensor<2xf32>
      %0 = stablehlo.multiply %a, %b : tensor<2xf32>
      %1 = stablehlo.add %x, %0 : tensor<2xf32>
      return %1 : tensor<2xf32>
    }""", checks="""
    // CHECK-LABEL: func.func @f
    // CHECK:       stablehlo.constant dense<[3.000000e+00, 1.000000e+01]>
    // CHECK-NOT:   stablehlo.multiply
    // CHECK:       stablehlo.add %arg0
    """)


def test_fold_constants_respects_the_size_cap_and_never_expands_weights(run_pass) -> None:
    run_pass("fold-constants", """
    func.func @f() -> (tensor<64xf32>, tensor<4x3xf32>) {
      %a = stablehlo.iota dim = 0 : tensor<64xf32>
      %b = stablehlo.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
      %0 = stablehlo.exponential %a : tensor<64xf32>
      %1 = stablehlo.broadcast_in_dim %b, dims = [1] : (tensor<3xf32>) -> tensor<4x3xf32>
      return %0, %1 : tensor<64xf32>, tensor<4x3xf32>
    }""", checks="""
    // CHECK: stablehlo.exponential
    // CHECK: stablehlo.broadcast_in_dim
    """, fold_limit=32)


def test_fold_constants_moves_data_without_evaluating(run_pass) -> None:
    """A broadcast of a splat stays a splat at any size; a transpose of a small weight is moved."""
    run_pass("fold-constants", """
    func.func @f() -> (tensor<512x1024xf32>, tensor<3x2xf32>) {
      %z = stablehlo.constant dense<0.5> : tensor<f32>
      %w = stablehlo.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
      %0 = stablehlo.broadcast_in_dim %z, dims = [] : (tensor<f32>) -> tensor<512x1024xf32>
      %1 = stablehlo.transpose %w, dims = [1, 0] : (tensor<2x3xf32>) -> tensor<3x2xf32>
      return %0, %1 : tensor<512x1024xf32>, tensor<3x2xf32>
    }""", checks="""
    // CHECK-DAG: stablehlo.constant dense<5.000000e-01> : tensor<512x1024xf32>
    // CHECK-DAG: stablehlo.constant dense<{{.*}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
    // CHECK-NOT: stablehlo.broadcast_in_dim
    // CHECK-NOT: stablehlo.transpose
    """, fold_limit=1 << 20)


@pytest.mark.parametrize("dtype", ["f32", "bf16", "i8", "i1"])
@pytest.mark.parametrize(
    "move",
    [
        "stablehlo.broadcast_in_dim %w, dims = [2, 0] : (tensor<2x3xT>) -> tensor<3x1x2xT>",
        "stablehlo.transpose %w, dims = [1, 0] : (tensor<2x3xT>) -> tensor<3x2xT>",
        "stablehlo.reshape %w : (tensor<2x3xT>) -> tensor<3x2xT>",
        "stablehlo.reverse %w, dims = [1] : tensor<2x3xT>",
        "stablehlo.slice %w [0:2, 0:3:2] : (tensor<2x3xT>) -> tensor<2x2xT>",
    ],
    ids=["broadcast_in_dim-permuted", "transpose", "reshape", "reverse", "slice-strided"],
)
def test_folded_moves_match_the_interpreter(run_pass, move: str, dtype: str) -> None:
    """Each data-movement fold gives exactly what the interpreter gives for the unfolded op."""
    from byteir_sdk import reference
    from byteir_sdk.compiler.frontend import loads

    values = {"f32": "[[1.5, -2.0, 3.25], [4.0, 0.0, -6.5]]", "bf16": "[[1.5, -2.0, 3.25], [4.0, 0.0, -6.5]]",
              "i8": "[[1, -2, 3], [4, 0, -128]]", "i1": "[[true, false, true], [false, false, true]]"}[dtype]  # fmt: skip
    op = move.replace("T>", f"{dtype}>")
    result_type = op.rsplit("-> ", 1)[-1] if "->" in op else op.rsplit(": ", 1)[-1]
    text = f"""
    func.func @main() -> {result_type} {{
      %w = stablehlo.constant dense<{values}> : tensor<2x3x{dtype}>
      %0 = {op}
      return %0 : {result_type}
    }}"""
    folded = run_pass("fold-constants", text, fold_limit=64)
    assert op.split()[0] not in folded
    (want,) = reference.run(loads(text), [])
    (got,) = reference.run(loads(folded), [])
    assert got.dtype == want.dtype and np.array_equal(got.view(np.uint8), want.view(np.uint8))


def test_fold_empty_tensors(run_pass) -> None:
    run_pass("fold-empty-tensors", """
    func.func @f(%x: tensor<1x1xf32>, %y: tensor<0x3xf32>) -> (tensor<1x0xf32>, tensor<0xf32>, tensor<1x1xf32>) {
      %0 = stablehlo.slice %x [0:1, 1:1:2] : (tensor<1x1xf32>) -> tensor<1x0xf32>
      %z = stablehlo.constant dense<0.0> : tensor<f32>
      %1 = stablehlo.reduce(%y init: %z) applies stablehlo.add across dimensions = [1] : (tensor<0x3xf32>, tensor<f32>) -> tensor<0xf32>
      %2 = stablehlo.abs %x : tensor<1x1xf32>
      return %0, %1, %2 : tensor<1x0xf32>, tensor<0xf32>, tensor<1x1xf32>
    }""", checks="""
    // CHECK-LABEL: func.func @f
    // CHECK-NOT:   stablehlo.slice
    // CHECK-NOT:   stablehlo.reduce
    // CHECK-DAG:   %[[E1:.*]] = stablehlo.constant dense<> : tensor<1x0xf32>
    // CHECK-DAG:   %[[E2:.*]] = stablehlo.constant dense<> : tensor<0xf32>
    // CHECK:       %[[A:.*]] = stablehlo.abs %arg0
    // CHECK:       return %[[E1]], %[[E2]], %[[A]]
    """)


def test_fold_identity_ops(run_pass) -> None:
    run_pass("fold-identity-ops", """
    func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
      %0 = stablehlo.transpose %x, dims = [0, 1] : (tensor<2x3xf32>) -> tensor<2x3xf32>
      %1 = stablehlo.reshape %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
      %2 = stablehlo.convert %1 : tensor<2x3xf32>
      return %2 : tensor<2x3xf32>
    }""", checks="""
    // CHECK-LABEL: func.func @f
    // CHECK-NOT:   stablehlo.
    // CHECK:       return %arg0
    """)


def test_fold_transpose_of_transpose(run_pass) -> None:
    run_pass("fold-transpose-of-transpose", """
    func.func @f(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x2x3xf32>) {
      %0 = stablehlo.transpose %x, dims = [1, 0, 2] : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
      %1 = stablehlo.transpose %0, dims = [1, 0, 2] : (tensor<3x2x4xf32>) -> tensor<2x3x4xf32>
      %2 = stablehlo.transpose %0, dims = [2, 1, 0] : (tensor<3x2x4xf32>) -> tensor<4x2x3xf32>
      return %1, %2 : tensor<2x3x4xf32>, tensor<4x2x3xf32>
    }""", checks="""
    // CHECK:     %[[T:.*]] = stablehlo.transpose %arg0, dims = [2, 0, 1]
    // CHECK:     return %arg0, %[[T]]
    """)


TRANSPOSED_DOTS = """
func.func @f(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>, %w: tensor<3x5xf32>, %x: tensor<5x2x3xf32>)
    -> (tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>, tensor<2x5x5xf32>) {
  %qt = stablehlo.transpose %q, dims = [0, 2, 1, 3] : (tensor<2x16x4x8xf32>) -> tensor<2x4x16x8xf32>
  %kt = stablehlo.transpose %k, dims = [0, 2, 1, 3] : (tensor<2x16x4x8xf32>) -> tensor<2x4x16x8xf32>
  %s = stablehlo.dot_general %qt, %kt, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [3] : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x16xf32>
  %kr = stablehlo.transpose %k, dims = [0, 2, 3, 1] : (tensor<2x16x4x8xf32>) -> tensor<2x4x8x16xf32>
  %u = stablehlo.dot_general %qt, %kr, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [2] : (tensor<2x4x16x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x16x16xf32>
  %xt = stablehlo.transpose %x, dims = [1, 0, 2] : (tensor<5x2x3xf32>) -> tensor<2x5x3xf32>
  %v = stablehlo.dot_general %xt, %w, contracting_dims = [2] x [0] : (tensor<2x5x3xf32>, tensor<3x5xf32>) -> tensor<2x5x5xf32>
  return %s, %u, %v : tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>, tensor<2x5x5xf32>
}"""


def test_fold_transpose_into_dot(run_pass) -> None:
    """A head split's transpose becomes the dot's batch and contracting dims; a transpose that
    would reorder the dot's free dims (%v's lhs: its free dims would swap) stays."""
    run_pass("fold-transpose-into-dot", TRANSPOSED_DOTS, checks="""
    // CHECK:     stablehlo.dot_general %arg0, %arg1, batching_dims = [0, 2] x [0, 2], contracting_dims = [3] x [3]
    // CHECK:     stablehlo.dot_general %arg0, %arg1, batching_dims = [0, 2] x [0, 2], contracting_dims = [3] x [3]
    // CHECK:     %[[XT:.*]] = stablehlo.transpose %arg3, dims = [1, 0, 2]
    // CHECK:     stablehlo.dot_general %[[XT]], %arg2
    """)


def test_fold_transpose_into_dot_needs_strided_contractions(run_pass) -> None:
    text = run_pass("fold-transpose-into-dot", TRANSPOSED_DOTS, target="cuda")
    assert "stablehlo.dot_general %arg0" not in text


def test_fold_reshape_and_widening_convert_chains(run_pass) -> None:
    run_pass("fold-reshape-chains", """
    func.func @f(%x: tensor<6xf32>, %y: tensor<4xi8>) -> (tensor<3x2xf32>, tensor<4xi16>, tensor<4xi8>) {
      %0 = stablehlo.reshape %x : (tensor<6xf32>) -> tensor<2x3xf32>
      %1 = stablehlo.reshape %0 : (tensor<2x3xf32>) -> tensor<3x2xf32>
      %2 = stablehlo.convert %y : (tensor<4xi8>) -> tensor<4xi32>
      %3 = stablehlo.convert %2 : (tensor<4xi32>) -> tensor<4xi16>
      %4 = stablehlo.convert %3 : (tensor<4xi16>) -> tensor<4xi8>
      return %1, %3, %4 : tensor<3x2xf32>, tensor<4xi16>, tensor<4xi8>
    }""", checks="""
    // CHECK-DAG: stablehlo.reshape %arg0 : (tensor<6xf32>) -> tensor<3x2xf32>
    // CHECK-DAG: stablehlo.convert %arg1 : (tensor<4xi8>) -> tensor<4xi16>
    // CHECK:     return {{.*}}, {{.*}}, %arg1
    """)


def test_narrowing_convert_chains_are_kept(run_pass) -> None:
    text = run_pass("fold-reshape-chains", """
    func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
      %0 = stablehlo.convert %x : (tensor<4xf32>) -> tensor<4xf16>
      %1 = stablehlo.convert %0 : (tensor<4xf16>) -> tensor<4xf32>
      return %1 : tensor<4xf32>
    }""")
    assert text.count("stablehlo.convert") == 2  # f32 -> f16 -> f32 rounds: not an identity


def test_simplify_arithmetic_is_exact(run_pass) -> None:
    run_pass("simplify-arithmetic", """
    func.func @f(%x: tensor<3xf32>, %i: tensor<3xi32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xi32>, tensor<3xi32>) {
      %one = stablehlo.constant dense<1.0> : tensor<3xf32>
      %pz = stablehlo.constant dense<0.0> : tensor<3xf32>
      %zi = stablehlo.constant dense<0> : tensor<3xi32>
      %0 = stablehlo.multiply %x, %one : tensor<3xf32>
      %1 = stablehlo.add %x, %pz : tensor<3xf32>
      %2 = stablehlo.add %zi, %i : tensor<3xi32>
      %3 = stablehlo.multiply %i, %zi : tensor<3xi32>
      return %0, %1, %2, %3 : tensor<3xf32>, tensor<3xf32>, tensor<3xi32>, tensor<3xi32>
    }""", checks="""
    // CHECK:     %[[ZI:.*]] = stablehlo.constant dense<0> : tensor<3xi32>
    // CHECK-NOT: stablehlo.multiply
    // CHECK:     %[[ADD:.*]] = stablehlo.add %arg0, %{{.*}} : tensor<3xf32>
    // CHECK:     return %arg0, %[[ADD]], %arg1, %[[ZI]]
    """)


def test_dce(run_pass) -> None:
    run_pass("dce", """
    func.func @f(%x: tensor<3xf32>) -> tensor<3xf32> {
      %0 = stablehlo.exponential %x : tensor<3xf32>
      %1 = stablehlo.log %0 : tensor<3xf32>
      return %x : tensor<3xf32>
    }""", checks="""
    // CHECK-NOT: stablehlo.exponential
    // CHECK-NOT: stablehlo.log
    """)


FUSION_INPUT = """
func.func @main(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4xf32> {
  %0 = stablehlo.dot_general %x, %w, contracting_dims = [1] x [0] : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = stablehlo.tanh %0 : tensor<4x16xf32>
  %2 = stablehlo.multiply %1, %1 : tensor<4x16xf32>
  %z = stablehlo.constant dense<0.0> : tensor<f32>
  %3 = stablehlo.reduce(%2 init: %z) applies stablehlo.add across dimensions = [1] : (tensor<4x16xf32>, tensor<f32>) -> tensor<4xf32>
  %4 = stablehlo.sqrt %3 : tensor<4xf32>
  %5 = "stablehlo.sort"(%4) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %c = stablehlo.compare LT, %a, %b : (tensor<f32>, tensor<f32>) -> tensor<i1>
    stablehlo.return %c : tensor<i1>
  }) {dimension = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %5 : tensor<4xf32>
}"""


def test_outline_fusion_groups_follows_the_targets_rules(run_pass) -> None:
    # cpu fuses contraction epilogues and the reductions after a contraction (with their own
    # epilogues); sort has no loop form and becomes a host kernel.
    run_pass("outline-fusion-groups", FUSION_INPUT, checks="""
    // CHECK:      func.func private @k0_dot_general({{.*}}) -> tensor<4xf32> attributes {byteir.kernel_kind = "contraction"}
    // CHECK:        stablehlo.dot_general
    // CHECK:        stablehlo.tanh
    // CHECK:        stablehlo.multiply
    // CHECK:        stablehlo.reduce
    // CHECK:        stablehlo.sqrt
    // CHECK:      func.func private @k1_sort({{.*}}) -> tensor<4xf32> attributes {byteir.kernel_kind = "host"}
    // CHECK:        "stablehlo.sort"
    // CHECK-LABEL: func.func @main
    // CHECK:        %[[A:.*]] = call @k0_dot_general(%arg0, %arg1)
    // CHECK:        %[[B:.*]] = call @k1_sort(%[[A]])
    // CHECK:        return %[[B]]
    """)


@pytest.mark.parametrize("on", [True, False])
@pytest.mark.parametrize(("capability", "joined_op"), [("fuse_contraction_epilogue", "stablehlo.tanh"), ("fuse_contraction_reduction", "stablehlo.reduce")])
def test_what_joins_a_contraction_is_a_capability(capability: str, joined_op: str, on: bool, monkeypatch, run_pass) -> None:
    """Its elementwise epilogue (tanh) and the reduction after it each join the matmul's kernel
    exactly when the target's capability says so."""
    import dataclasses

    from byteir_targets.cpu.backend import CpuBackend

    original = CpuBackend.capabilities
    monkeypatch.setattr(CpuBackend, "capabilities", lambda self: dataclasses.replace(original(self), **{capability: on}))
    text = run_pass("outline-fusion-groups", FUSION_INPUT)
    matmul_kernel = text[text.index("@k0_dot_general") : text.index("func.func", text.index("@k0_dot_general"))]
    assert (joined_op in matmul_kernel) == on


CNN_INPUT = """
func.func @main(%x: tensor<2x8x8x1xf32>, %k1: tensor<3x3x1x4xf32>, %k2: tensor<3x3x4x4xf32>, %w: tensor<256x3xf32>) -> tensor<2x3xf32> {
  %zero = stablehlo.constant dense<0.0> : tensor<2x8x8x4xf32>
  %0 = stablehlo.convolution(%x, %k1) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {pad = [[1, 1], [1, 1]]}
       {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<2x8x8x1xf32>, tensor<3x3x1x4xf32>) -> tensor<2x8x8x4xf32>
  %1 = stablehlo.maximum %0, %zero : tensor<2x8x8x4xf32>
  %2 = stablehlo.convolution(%1, %k2) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {pad = [[1, 1], [1, 1]]}
       {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<2x8x8x4xf32>, tensor<3x3x4x4xf32>) -> tensor<2x8x8x4xf32>
  %3 = stablehlo.reshape %2 : (tensor<2x8x8x4xf32>) -> tensor<2x256xf32>
  %4 = stablehlo.dot_general %3, %w, contracting_dims = [1] x [0] : (tensor<2x256xf32>, tensor<256x3xf32>) -> tensor<2x3xf32>
  return %4 : tensor<2x3xf32>
}"""


@pytest.mark.parametrize("on", [True, False])
def test_a_convolution_joins_the_convolution_before_it_when_the_target_says_so(on: bool, monkeypatch, run_pass) -> None:
    """With ``fuse_convolution_chain`` (cpu), a CNN's second convolution joins the first one's
    kernel with the relu between them; a matmul never joins a contraction's kernel."""
    import dataclasses

    from byteir_targets.cpu.backend import CpuBackend

    original = CpuBackend.capabilities
    monkeypatch.setattr(CpuBackend, "capabilities", lambda self: dataclasses.replace(original(self), fuse_convolution_chain=on))
    joined = """
    // CHECK:      func.func private @k0_convolution({{.*}}) -> tensor<2x256xf32> attributes {byteir.kernel_kind = "contraction"}
    // CHECK:        stablehlo.convolution
    // CHECK:        stablehlo.maximum
    // CHECK:        stablehlo.convolution
    // CHECK:        stablehlo.reshape
    // CHECK:      func.func private @k1_dot_general(
    // CHECK-LABEL: func.func @main
    // CHECK:        %[[A:.*]] = call @k0_convolution(%arg0, %arg1, %arg2)
    // CHECK:        call @k1_dot_general(%[[A]], %arg3)
    """
    apart = """
    // CHECK:      func.func private @k0_convolution(
    // CHECK:        stablehlo.convolution
    // CHECK:        stablehlo.maximum
    // CHECK-NOT:    stablehlo.convolution
    // CHECK:      func.func private @k1_convolution(
    // CHECK:      func.func private @k2_dot_general(
    """
    run_pass("outline-fusion-groups", CNN_INPUT, checks=joined if on else apart)


def test_shrink_broadcast_constants(run_pass) -> None:
    import numpy as np

    rows = ", ".join("[" + ", ".join(f"{v:.1f}" for v in np.arange(32.0)) + "]" for _ in range(64))
    run_pass("shrink-broadcast-constants", f"""
    func.func @f(%x: tensor<64x32xf32>) -> tensor<64x32xf32> {{
      %c = stablehlo.constant dense<[{rows}]> : tensor<64x32xf32>
      %0 = stablehlo.add %x, %c : tensor<64x32xf32>
      return %0 : tensor<64x32xf32>
    }}""", checks="""
    // CHECK: %[[S:.*]] = stablehlo.constant dense<[0.000000e+00, 1.000000e+00, {{.*}}]> : tensor<32xf32>
    // CHECK: %[[B:.*]] = stablehlo.broadcast_in_dim %[[S]], dims = [1] : (tensor<32xf32>) -> tensor<64x32xf32>
    // CHECK: stablehlo.add %arg0, %[[B]]
    """)


@pytest.mark.parametrize(("constant", "dims"), [
    ("dense<0.0> : tensor<f32>", "[]"),
    # A layernorm gain shared by two layernorms: each gets its own copy, whatever its size.
    ("dense<1.5> : tensor<128xf32>", "[1]"),
], ids=["scalar", "row of 128"])  # fmt: skip
def test_rematerialize_cheap_broadcasts(run_pass, constant: str, dims: str) -> None:
    source = constant.split(" : ")[1]
    run_pass("rematerialize-cheap-broadcasts", f"""
    func.func @f(%x: tensor<4x128xf32>, %y: tensor<4x128xf32>) -> (tensor<4x128xf32>, tensor<4x128xf32>) {{
      %z = stablehlo.constant {constant}
      %b = stablehlo.broadcast_in_dim %z, dims = {dims} : ({source}) -> tensor<4x128xf32>
      %0 = stablehlo.maximum %x, %b : tensor<4x128xf32>
      %1 = stablehlo.maximum %y, %b : tensor<4x128xf32>
      return %0, %1 : tensor<4x128xf32>, tensor<4x128xf32>
    }}""", checks="""
    // CHECK-DAG: %[[B1:.*]] = stablehlo.broadcast_in_dim
    // CHECK-DAG: %[[B2:.*]] = stablehlo.broadcast_in_dim
    // CHECK-DAG: stablehlo.maximum %arg0, %[[B2]]
    // CHECK-DAG: stablehlo.maximum %arg1, %[[B1]]
    """)


_KERNELS = """
    func.func private @k_elementwise(%a: tensor<8xf32>) -> tensor<8xf32> attributes {byteir.kernel_kind = "elementwise"} {
      %0 = stablehlo.exponential %a : tensor<8xf32>
      return %0 : tensor<8xf32>
    }
    func.func private @k_add(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> attributes {byteir.kernel_kind = "elementwise"} {
      %0 = stablehlo.add %a, %b : tensor<8xf32>
      return %0 : tensor<8xf32>
    }
    func.func private @k_host(%a: tensor<8xf32>) -> tensor<8xf32> attributes {byteir.kernel_kind = "host"} {
      %0 = "stablehlo.sort"(%a) ({
      ^bb0(%l: tensor<f32>, %r: tensor<f32>):
        %c = stablehlo.compare LT, %l, %r : (tensor<f32>, tensor<f32>) -> tensor<i1>
        stablehlo.return %c : tensor<i1>
      }) {dimension = 0 : i64, is_stable = false} : (tensor<8xf32>) -> tensor<8xf32>
      return %0 : tensor<8xf32>
    }
"""


def _sink_calls(run_pass, calls: str, checks: str) -> None:  # noqa: ANN001
    """Run sink-calls-to-first-use on `@main(%x)` made of `calls` (kernels of `_KERNELS`), which
    must define `%s`, its result."""
    run_pass("sink-calls-to-first-use", "module {" + _KERNELS + f"""
    func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {{{calls}
      return %s : tensor<8xf32>
    }}}}""", checks=checks)


def test_sink_calls_to_first_use(run_pass) -> None:
    # %v reads only a parameter: it moves down to its user, after the chain that does not need
    # it, so its buffer is not live across that chain.
    _sink_calls(run_pass, """
      %v = call @k_elementwise(%x) : (tensor<8xf32>) -> tensor<8xf32>
      %h = call @k_elementwise(%x) : (tensor<8xf32>) -> tensor<8xf32>
      %a = call @k_elementwise(%h) : (tensor<8xf32>) -> tensor<8xf32>
      %s = call @k_add(%a, %v) : (tensor<8xf32>, tensor<8xf32>) -> (tensor<8xf32>)""", checks="""
    // CHECK-LABEL: func.func @main
    // CHECK:      %[[H:.*]] = call @k_elementwise(%arg0)
    // CHECK-NEXT: %[[A:.*]] = call @k_elementwise(%[[H]])
    // CHECK-NEXT: %[[V:.*]] = call @k_elementwise(%arg0)
    // CHECK-NEXT: call @k_add(%[[A]], %[[V]])
    """)


def test_sink_calls_keeps_a_call_whose_operand_dies_there(run_pass) -> None:
    # Moving %v below %a would keep %h (read last by %v) alive across %a.
    _sink_calls(run_pass, """
      %h = call @k_elementwise(%x) : (tensor<8xf32>) -> tensor<8xf32>
      %v = call @k_elementwise(%h) : (tensor<8xf32>) -> tensor<8xf32>
      %a = call @k_add(%x, %x) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
      %s = call @k_add(%a, %v) : (tensor<8xf32>, tensor<8xf32>) -> (tensor<8xf32>)""", checks="""
    // CHECK-LABEL: func.func @main
    // CHECK:      %[[H:.*]] = call @k_elementwise(%arg0)
    // CHECK-NEXT: call @k_elementwise(%[[H]])
    // CHECK-NEXT: call @k_add(%arg0, %arg0)
    """)


def test_sink_calls_never_reorders_host_calls(run_pass) -> None:
    # A host kernel (here a sort; in general one with effects, such as an rng) keeps its place
    # among the calls: %v is not moved past it.
    _sink_calls(run_pass, """
      %v = call @k_elementwise(%x) : (tensor<8xf32>) -> tensor<8xf32>
      %a = call @k_host(%x) : (tensor<8xf32>) -> tensor<8xf32>
      %s = call @k_add(%a, %v) : (tensor<8xf32>, tensor<8xf32>) -> (tensor<8xf32>)""", checks="""
    // CHECK-LABEL: func.func @main
    // CHECK:      call @k_elementwise(%arg0)
    // CHECK-NEXT: call @k_host(%arg0)
    """)


def test_a_constant_broadcast_joins_its_consumers_kernel(run_pass) -> None:
    # Without deferral the broadcast would open a kernel of its own and split the reduction's
    # epilogue from the reduction.
    run_pass("outline-fusion-groups", """
    func.func @main(%x: tensor<4x8xf32>) -> tensor<4xf32> {
      %z = stablehlo.constant dense<0.0> : tensor<f32>
      %0 = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [1] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4xf32>
      %c = stablehlo.constant dense<2.0> : tensor<f32>
      %b = stablehlo.broadcast_in_dim %c, dims = [] : (tensor<f32>) -> tensor<4xf32>
      %1 = stablehlo.multiply %0, %b : tensor<4xf32>
      return %1 : tensor<4xf32>
    }""", checks="""
    // CHECK:      func.func private @k0_reduce
    // CHECK:        stablehlo.reduce
    // CHECK:        stablehlo.broadcast_in_dim
    // CHECK:        stablehlo.multiply
    // CHECK-NOT:  func.func private @k1
    """)
