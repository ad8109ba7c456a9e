"""Loop stage: linalg -> Kernel IR translation and loop passes, checked by the NumPy evaluator.

Oracle: the StableHLO interpreter (corpus/cases: each file's own checks; models: default f32
tolerance atol 1e-5 + rtol 1e-4 against XLA). Every pass is checked for preserved semantics.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import byteir_sdk
from byteir_sdk import models, reference
from byteir_sdk.compiler.backend import get_target
from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.compiler.loop.evaluate import apply_op, evaluate_kernel
from byteir_sdk.compiler.loop.passes import LOOP_PASSES
from byteir_sdk.compiler.pipeline import CompileOptions, STAGES, run_stages
from byteir_sdk.conformance.corpus import corpus_files, load_case
from tests.conftest import CASES_DIR

CAPS = get_target("cpu").make_backend().capabilities()


def kernel_program(program: byteir_sdk.Program, passes: tuple[str, ...] = ()):
    """The program after the graph stage and loop translation, then `passes`."""
    comp = run_stages(program, CompileOptions.make("cpu"))
    from byteir_sdk.compiler.loop.program import build_kernel_program

    kp = build_kernel_program(comp.graph_module, program.entry, program.inputs, program.outputs, source=program.source)
    for name in passes:
        kp.kernels = {k: LOOP_PASSES[name][0](v, CAPS) for k, v in kp.kernels.items()}
    return kp


def test_translation_of_a_small_function() -> None:
    program = byteir_sdk.loads("""
    func.func @main(%x: tensor<4x8xf32>) -> tensor<4xf32> {
      %0 = stablehlo.exponential %x : tensor<4x8xf32>
      %z = stablehlo.constant dense<0.0> : tensor<f32>
      %1 = stablehlo.reduce(%0 init: %z) applies stablehlo.add across dimensions = [1] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4xf32>
      return %1 : tensor<4xf32>
    }""")
    kp = kernel_program(program)
    (kernel,) = kp.kernels.values()
    loops = list(kernel.loops())
    assert [l.name for l in loops] == ["generic", "fill", "generic"]
    reduce = loops[-1]
    assert reduce.iterators == ("parallel", "reduction") and reduce.domain == (4, 8)
    assert str(reduce.maps[0]) == "(d0, d1) -> (d0, d1)" and str(reduce.maps[1]) == "(d0, d1) -> (d0)"
    text = str(kernel)
    assert "loop.generic domain=[4, 8] iterators=[parallel, reduction]" in text and "exp(%in0)" in text


def test_fusion_merges_the_elementwise_chain_into_the_reduction() -> None:
    program = byteir_sdk.loads("""
    func.func @main(%x: tensor<4x8xf32>) -> tensor<4xf32> {
      %0 = stablehlo.exponential %x : tensor<4x8xf32>
      %1 = stablehlo.multiply %0, %0 : tensor<4x8xf32>
      %z = stablehlo.constant dense<0.0> : tensor<f32>
      %2 = stablehlo.reduce(%1 init: %z) applies stablehlo.add across dimensions = [1] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4xf32>
      return %2 : tensor<4xf32>
    }""")
    before = kernel_program(program)
    after = kernel_program(program, ("fuse-elementwise-loops",))
    count = lambda kp: sum(len(list(k.loops())) for k in kp.kernels.values())  # noqa: E731
    assert count(before) == 4 and count(after) == 2  # fill + one fused reduction loop
    x = reference.random_inputs(program)
    want = reference.run(program, x)[0]
    for kp in (before, after):
        assert reference.compare(kp.evaluate(x)[0], want, reference.default_tolerance(want.dtype)).ok


def test_fusion_inlines_a_scalar_read_into_its_consumer() -> None:
    """A 0-d loop that only extracts a scalar (a pooling's -inf init from a 0-d constant) is fused
    into the fill that broadcasts it, so no step sits between a convolution and its pooling."""
    program = byteir_sdk.loads("""
    func.func @main(%x: tensor<2x4x4x3xf32>) -> tensor<2x2x2x3xf32> {
      %m = stablehlo.constant dense<0xFF800000> : tensor<f32>
      %0 = "stablehlo.reduce_window"(%x, %m) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %1 = stablehlo.maximum %a, %b : tensor<f32>
        stablehlo.return %1 : tensor<f32>
      }) {window_dimensions = array<i64: 1, 2, 2, 1>, window_strides = array<i64: 1, 2, 2, 1>} : (tensor<2x4x4x3xf32>, tensor<f32>) -> tensor<2x2x2x3xf32>
      return %0 : tensor<2x2x2x3xf32>
    }""")
    before = kernel_program(program)
    after = kernel_program(program, ("fuse-elementwise-loops",))
    domains = lambda kp: [l.domain for k in kp.kernels.values() for l in k.loops()]  # noqa: E731
    assert () in domains(before) and () not in domains(after)
    x = reference.random_inputs(program)
    want = reference.run(program, x)[0]
    for kp in (before, after):
        assert reference.compare(kp.evaluate(x)[0], want, reference.default_tolerance(want.dtype)).ok


LOOP_PASS_ORDER = STAGES["loop"][1:]


@pytest.mark.parametrize("name", models.names())
def test_every_loop_pass_preserves_model_semantics(name: str) -> None:
    program = models.get(name, batch=1)
    x = reference.random_inputs(program, seed=3)
    want = reference.run(program, x, engine="xla")[0]
    for i in range(len(LOOP_PASS_ORDER) + 1):
        got = kernel_program(program, LOOP_PASS_ORDER[:i]).evaluate(x)[0]
        result = reference.compare(got, want, reference.default_tolerance(want.dtype))
        assert result.ok, f"after {LOOP_PASS_ORDER[:i]}: {result}"


@pytest.mark.parametrize("path", corpus_files(CASES_DIR), ids=lambda p: p.stem)
def test_own_cases_through_all_loop_passes(path) -> None:
    case = load_case(path)
    results = case.check(kernel_program(case.program, LOOP_PASS_ORDER).evaluate(case.inputs))
    assert all(r.ok for r in results), [str(r) for r in results]


@pytest.mark.corpus
def test_public_corpus_through_the_loop_stage(corpus_dir) -> None:
    failures = []
    for path in corpus_files(corpus_dir):
        case = load_case(path)
        results = case.check(kernel_program(case.program, LOOP_PASS_ORDER).evaluate(case.inputs))
        if not all(r.ok for r in results):
            failures.append(path.name)
    assert not failures, f"{len(failures)} of 400 diverge: {failures[:10]}"


def test_annotations_and_tiles_fit_the_memory_budget() -> None:
    kp = kernel_program(models.get("mlp", batch=4), LOOP_PASS_ORDER)
    matmul = next(l for k in kp.kernels.values() for l in k.loops() if l.reduction_dims)
    tiles = matmul.annotations["tiles"]
    assert all(1 <= t <= d for t, d in zip(tiles, matmul.domain))
    assert matmul.annotations["tile_memory"] == "L1"
    assert any("vector_dim" in l.annotations for k in kp.kernels.values() for l in k.loops())


def test_dead_operand_elimination() -> None:
    loop = K.Loop("generic", (4,), ("parallel",), ("a", "b"), ("o",),
                  (K.AffineMap(1, (K.Dim(0),)),) * 3, (K.Op("exp", (K.Arg(1, "f32"),), "f32"),), ("r",))  # fmt: skip
    kernel = K.Kernel("k", ["a", "b"], ["r"], {n: K.TensorType((4,), "f32") for n in "abro"}, [K.Empty("o"), loop])
    out = LOOP_PASSES["eliminate-dead-operands"][0](kernel, CAPS)
    (new_loop,) = out.loops()
    assert new_loop.inputs == ("b",) and new_loop.body[0] == K.Op("exp", (K.Arg(0, "f32"),), "f32")
    a = np.zeros(4, np.float32)
    b = np.arange(4, dtype=np.float32)
    assert np.array_equal(evaluate_kernel(out, [a, b])[0], evaluate_kernel(kernel, [a, b])[0])


@pytest.mark.parametrize(
    "name, args, type_, want",
    [
        ("divs", [np.array([-7, 7, 5], np.int32), np.array([2, -2, 0], np.int32)], "i32", [-3, -3, 5]),
        ("rems", [np.array([-7, 7], np.int32), np.array([2, -2], np.int32)], "i32", [-1, 1]),
        ("shl", [np.array([1, 1], np.int8), np.array([3, 9], np.int8)], "i8", [8, 0]),
        ("shrs", [np.array([-8, -8], np.int8), np.array([1, 12], np.int8)], "i8", [-4, -1]),
        ("maxu", [np.array([-1, 3], np.int8), np.array([5, 4], np.int8)], "i8", [-1, 4]),
        ("cmpi.ult", [np.array([-1], np.int8), np.array([1], np.int8)], "i1", [False]),
        ("fptosi", [np.array([1e10, -2.7, np.nan], np.float32)], "i32", [2147483647, -2, 0]),
    ],
)
def test_scalar_op_semantics(name, args, type_, want) -> None:
    # Oracle: the semantics table in kernel_ir.SCALAR_OPS, exact for integers.
    assert apply_op(name, args, type_).tolist() == want


def test_every_documented_scalar_op_is_evaluable() -> None:
    from byteir_sdk.compiler.loop.kernel_ir import SCALAR_OPS

    samples = {"f32": np.array([0.5, -1.5], np.float32), "i32": np.array([3, -4], np.int32), "c": np.array([1 + 1j, 2 - 1j], np.complex64)}
    for name in SCALAR_OPS:
        if name.startswith(("cmpf", "cmpi")):
            arity, t = 2, "i1"
        elif name in ("complex",):
            continue
        elif name in ("select",):
            assert apply_op(name, [np.array([True, False]), samples["f32"], samples["f32"]], "f32").shape == (2,)
            continue
        else:
            arity, t = (1 if name in ("neg", "absf", "absi", "ctpop", "ctlz", "exp", "expm1", "log", "log1p", "sqrt", "rsqrt", "cbrt", "sin", "cos",
                                      "tan", "tanh", "erf", "floor", "ceil", "roundeven", "round", "sitofp", "uitofp", "fptosi", "fptoui",
                                      "extf", "truncf", "extsi", "extui", "trunci", "bitcast", "index_cast", "index_castui", "re", "im", "cabs", "conj")  # fmt: skip
                       else 2), "f32"
        src = samples["c"] if name in ("re", "im", "cabs", "conj", "csign", "ceq", "cne") else samples["i32"] if name in (
            "divs", "divu", "rems", "remu", "floordivs", "ceildivs", "mods", "maxs", "mins", "maxu", "minu", "and", "or", "xor", "shl", "shrs", "shru",
            "absi", "ctpop", "ctlz", "sitofp", "uitofp", "extsi", "extui", "index_cast", "index_castui") or name.startswith("cmpi") else samples["f32"]  # fmt: skip
        out_t = {"re": "f32", "im": "f32", "cabs": "f32", "conj": "complex<f32>", "csign": "complex<f32>", "sitofp": "f32", "uitofp": "f32",
                 "fptosi": "i32", "fptoui": "i32", "extf": "f64", "truncf": "f16", "extsi": "i64", "extui": "i64", "trunci": "i8", "bitcast": "i32" if src.dtype == np.float32 else "f32",
                 "index_cast": "index", "index_castui": "index", "ceq": "i1", "cne": "i1"}.get(name, t if t == "i1" else ("i32" if src.dtype == np.int32 else "f32"))  # fmt: skip
        result = apply_op(name, [src] * arity, out_t)
        assert result.shape == (2,), name


def test_kernel_ir_loop_dataclass_roundtrips_through_replace() -> None:
    loop = K.Loop("generic", (2,), ("parallel",), (), ("o",), (K.AffineMap(1, (K.Dim(0),)),), (K.Lit(1.0, "f32"),), ("r",))
    assert dataclasses.replace(loop, annotations={"x": 1}).annotations == {"x": 1}


def test_contraction_recognises_flattened_and_transposed_contractions() -> None:
    def contraction(fn, *shapes):
        kp = kernel_program(byteir_sdk.load(fn, *(np.zeros(s, np.float32) for s in shapes)))
        return next((l, k.types) for k in kp.kernels.values() for l in k.loops() if l.reduction_dims)

    # (2, 16, 64) x (64, 32): a generic loop whose leading dims flatten into M = 32.
    loop, types = contraction(lambda x, w: x @ w, (2, 16, 64), (64, 32))
    assert K.contraction(loop, types) == K.Contraction(1, 32, 64, 32)
    # Contracting both operands' dim 1 reads B transposed.
    from jax import lax

    loop, types = contraction(lambda x, w: lax.dot_general(x, w, (((1,), (1,)), ((), ()))), (16, 64), (32, 64))
    assert K.contraction(loop, types) == K.Contraction(1, 16, 64, 32, b_transposed=True)


def test_strided_contraction_reads_head_splits_and_permuted_outputs() -> None:
    from jax import lax

    def strided(fn, *shapes):
        kp = kernel_program(byteir_sdk.load(fn, *(np.zeros(s, np.float32) for s in shapes)), ("fold-transposes-into-producers",))
        return next(K.strided_contraction(l, k.types) for k in kp.kernels.values() for l in k.loops() if l.reduction_dims)

    # q, k (b, s, h, d) read as (b, h, s, d): batch axes b and h, rows of 4 * 8 elements (lda 32).
    heads = lambda t: t.transpose(0, 2, 1, 3)  # noqa: E731
    c = strided(lambda q, k: heads(q) @ heads(k).transpose(0, 1, 3, 2), (2, 16, 4, 8), (2, 12, 4, 8))
    assert c == K.StridedContraction((2, 4), 16, 8, 12, (512, 8, 32, 1), (384, 8, 1, 32), (768, 192, 12, 1), ("batch", 0))
    # x @ w on (2, 16, 64): M collapses over both leading dims; the output's rows are 16 of M each.
    assert strided(lambda x, w: x @ w, (2, 16, 64), (64, 32)) == K.StridedContraction((), 32, 64, 32, (64, 1), (32, 1), (32, 1), ("m", 16))
    # A transposed output (n, m): its first dim is in N, so its rows cannot be cut.
    assert strided(lambda x, w: (x @ w).T, (6, 5), (5, 7)) == K.StridedContraction((), 6, 5, 7, (5, 1), (7, 1), (1, 6), None)
    # lhs (m, k, batch): no matrix of it has a unit-stride axis, so BLAS cannot read it.
    assert strided(lambda x, y: lax.dot_general(x, y, (((1,), (1,)), ((2,), (0,)))), (4, 8, 3), (3, 8, 5)) is None


def test_fold_transposes_into_producers() -> None:
    """A transpose of a reduction's result (a contraction's, a sum's) becomes that reduction's
    output map, its init fill refilled in the new shape; a result someone else reads stays."""
    program = byteir_sdk.loads("""
    func.func @main(%p: tensor<2x3x6x5xf32>, %v: tensor<2x3x5x4xf32>, %x: tensor<4x7x6xf32>) -> (tensor<2x6x3x4xf32>, tensor<6x4xf32>, tensor<7x4xf32>, tensor<4x7xf32>) {
      %0 = stablehlo.dot_general %p, %v, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [2] : (tensor<2x3x6x5xf32>, tensor<2x3x5x4xf32>) -> tensor<2x3x6x4xf32>
      %1 = stablehlo.transpose %0, dims = [0, 2, 1, 3] : (tensor<2x3x6x4xf32>) -> tensor<2x6x3x4xf32>
      %z = stablehlo.constant dense<0.0> : tensor<f32>
      %2 = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [1] : (tensor<4x7x6xf32>, tensor<f32>) -> tensor<4x6xf32>
      %3 = stablehlo.transpose %2, dims = [1, 0] : (tensor<4x6xf32>) -> tensor<6x4xf32>
      %4 = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [2] : (tensor<4x7x6xf32>, tensor<f32>) -> tensor<4x7xf32>
      %5 = stablehlo.transpose %4, dims = [1, 0] : (tensor<4x7xf32>) -> tensor<7x4xf32>
      return %1, %3, %5, %4 : tensor<2x6x3x4xf32>, tensor<6x4xf32>, tensor<7x4xf32>, tensor<4x7xf32>
    }""")
    before = kernel_program(program, ("views-to-loops", "fuse-elementwise-loops"))
    after = kernel_program(program, ("views-to-loops", "fuse-elementwise-loops", "fold-transposes-into-producers"))
    copies = lambda kp: sum(1 for k in kp.kernels.values() for l in k.loops() if l.body == (K.Arg(0, "f32"),) and l.name != "fill")  # noqa: E731
    assert copies(before) == 3 and copies(after) == 1  # %5 stays: %4 is a result too
    folded = [l for k in after.kernels.values() for l in k.loops() if l.reduction_dims and l.domain == (2, 3, 6, 4, 5)]
    assert [str(l.maps[-1]) for l in folded] == ["(d0, d1, d2, d3, d4) -> (d0, d2, d1, d3)"]
    x = reference.random_inputs(program)
    want = reference.run(program, x)
    for kp in (before, after):
        for got, w in zip(kp.evaluate(x), want):
            assert reference.compare(got, w, reference.default_tolerance(w.dtype)).ok


def test_conv_geometry_reads_stride_dilation_and_fused_padding() -> None:
    from jax import lax

    def geometry(image, filt, **conv):
        fn = lambda x, w: lax.conv_general_dilated(x, w, dimension_numbers=("NHWC", "HWIO", "NHWC"), **conv)  # noqa: E731
        kp = kernel_program(byteir_sdk.load(fn, np.zeros(image, np.float32), np.zeros(filt, np.float32)), ("views-to-loops", "fuse-elementwise-loops"))
        return [K.conv_geometry(l, k) for k in kp.kernels.values() for l in k.loops() if l.reduction_dims]

    # Padding fused into the loop (views-to-loops, then fusion) as select(in bounds, extract, 0).
    (geo,) = geometry((2, 9, 9, 5), (3, 3, 5, 7), window_strides=(2, 1), padding=((2, 1), (0, 3)), rhs_dilation=(2, 3))
    assert (geo.image, geo.filter, geo.output) == ((2, 9, 9, 5), (3, 3, 5, 7), (2, 4, 6, 7))
    assert (geo.stride, geo.dilation, geo.pad) == ((2, 1), (2, 3), (2, 0))
    # No padding: the image is read through its indexing map.
    (geo,) = geometry((1, 8, 8, 16), (1, 1, 16, 32), window_strides=(2, 2), padding="VALID")
    assert (geo.stride, geo.pad, geo.output) == ((2, 2), (0, 0), (1, 4, 4, 32))
    # A transposed (input-dilated) convolution divides the index: not an affine window.
    assert geometry((1, 6, 6, 4), (3, 3, 4, 4), window_strides=(1, 1), padding=((1, 1), (1, 1)), lhs_dilation=(2, 2)) == [None]


def _merged(program: byteir_sdk.Program, parallelism: int = 2):
    """The program's kernels before and after merge-leading-dims for `parallelism` threads (the
    passes before it run first); the merged ones are checked against the interpreter by the Kernel
    IR evaluator."""
    caps = dataclasses.replace(CAPS, parallelism=parallelism)
    before = kernel_program(program, LOOP_PASS_ORDER[: LOOP_PASS_ORDER.index("merge-leading-dims")])
    x = reference.random_inputs(program, seed=5)
    want = reference.run(program, x)
    after = dataclasses.replace(before, kernels={name: LOOP_PASSES["merge-leading-dims"][0](k, caps) for name, k in before.kernels.items()})
    for got, w in zip(after.evaluate(x), want):
        result = reference.compare(got, w, reference.default_tolerance(w.dtype))
        assert result.ok, str(result)
    return before, after


def test_merge_leading_dims_gives_a_batch_of_one_rows_to_split() -> None:
    """A batch-1 layernorm [1, 64, 32]: its loops over (1, 64, ...) become loops over 64 rows, its
    param and result keep their types (a reshape view at each end), and it computes the same."""
    program = byteir_sdk.loads("""
    func.func @main(%x: tensor<1x64x32xf32>) -> tensor<1x64x32xf32> {
      %z = stablehlo.constant dense<0.0> : tensor<f32>
      %s = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [2] : (tensor<1x64x32xf32>, tensor<f32>) -> tensor<1x64xf32>
      %b = stablehlo.broadcast_in_dim %s, dims = [0, 1] : (tensor<1x64xf32>) -> tensor<1x64x32xf32>
      %y = stablehlo.subtract %x, %b : tensor<1x64x32xf32>
      return %y : tensor<1x64x32xf32>
    }""")
    before, after = _merged(program)
    (k0,), (k1,) = before.kernels.values(), after.kernels.values()
    assert {l.domain for l in k0.loops()} == {(1, 64), (1, 64, 32)}
    assert {l.domain for l in k1.loops()} == {(64,), (64, 32)}
    assert all(l.iterators[0] == "parallel" for l in k1.loops())
    assert [k1.types[n] for n in (*k1.params, *k1.results)] == [k0.types[n] for n in (*k0.params, *k0.results)]
    assert isinstance(k1.ops[0], K.View) and k1.ops[0].kind == "reshape" and k1.ops[0].operands == tuple(k1.params)
    assert isinstance(k1.ops[-1], K.View) and k1.ops[-1].result == k1.results[0]


def test_merge_leading_dims_merges_until_the_rows_split_evenly() -> None:
    """[3, 4, 2, 16] softmax over 4 threads: (3, 4) -> 12 rows, still under 4 a thread, then
    (12, 2) -> 24 rows; over 2 threads it stops at 12; over one thread nothing is split, so nothing
    merges; a leading dim that already has 4 rows a thread stays."""
    program = byteir_sdk.load(lambda x: jax.nn.softmax(x, axis=-1), np.zeros((3, 4, 2, 16), np.float32))
    domains = lambda kp: {l.domain for k in kp.kernels.values() for l in k.loops()}  # noqa: E731
    assert domains(_merged(program, 4)[1]) == {(24, 16), (24,)}
    assert domains(_merged(program, 2)[1]) == {(12, 2, 16), (12, 2)}
    before, after = _merged(program, 1)
    assert domains(after) == domains(before) == {(3, 4, 2, 16), (3, 4, 2)}
    wide = byteir_sdk.load(lambda x: jax.nn.softmax(x, axis=-1), np.zeros((8, 2, 16), np.float32))
    assert domains(_merged(wide, 2)[1]) == {(8, 2, 16), (8, 2)}


@pytest.mark.parametrize(
    ("fn", "shapes"),
    [
        # the scores of attention: q and k are read [b, s, h, d], so (b, h) are not their leading dims
        (lambda q, k: jnp.einsum("bqhd,bkhd->bhqk", q, k), ((1, 8, 2, 4), (1, 8, 2, 4))),
        # an iota along the second dim reads that dim's counter
        (lambda x: x + jnp.arange(8, dtype=jnp.float32)[None, :, None], ((1, 8, 4),)),
        # a transpose of the leading pair
        (lambda x: jnp.swapaxes(x, 0, 1) * 2.0, ((2, 3, 4),)),
    ],
    ids=["head-split", "iota", "transpose"],
)
def test_merge_leading_dims_leaves_kernels_whose_loops_disagree(fn, shapes) -> None:  # noqa: ANN001
    program = byteir_sdk.load(fn, *(np.zeros(s, np.float32) for s in shapes))
    before, after = _merged(program, 2)
    assert [str(k) for k in after.kernels.values()] == [str(k) for k in before.kernels.values()]
