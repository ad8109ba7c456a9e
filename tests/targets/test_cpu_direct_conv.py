"""The CPU target's direct convolution: an f32 NHWC x HWIO convolution whose filter block fits L1
becomes a register-blocked LLVM kernel (`byteir_targets.cpu.conv`), not im2col + BLAS. Every
geometry is checked against the StableHLO interpreter (f32: |a - b| <= 1e-5 + 1e-4 |b|): strides,
dilations, asymmetric and oversized padding, output channels that fill no vector / part of one /
several blocks, output rows shorter and longer than a tile, one input channel, few images (split
by output rows) and many (split by images, with the activation after it in the same group)."""

from __future__ import annotations

import ctypes

import jax
import jax.numpy as jnp
import llvmlite.ir as ll
import numpy as np
import pytest
from jax import lax

from byteir_sdk.compiler.loop.kernel_ir import ConvGeometry
from byteir_targets.cpu import codegen
from byteir_targets.cpu.conv import emit_direct_conv
from byteir_targets.cpu.driver import LlvmExecutable
from tests.targets.cpu_checks import checked_compilation, kernel_steps, llvm_text

RNG = np.random.default_rng(11)
DN = ("NHWC", "HWIO", "NHWC")


@pytest.fixture(autouse=True, params=[8, 16], ids=["avx2", "avx512"])
def lanes(request, monkeypatch) -> int:  # noqa: ANN001
    """Every test runs with the kernel's AVX2 vectors (8 lanes) and its AVX-512 ones (16), whatever
    the host (without AVX-512, LLVM splits a 16-lane vector in two)."""
    monkeypatch.setattr(codegen, "host_lanes", lambda: request.param)
    return request.param


def _r(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def _compiled(fn, *args: np.ndarray, engine: str = "interpreter") -> tuple[list, str]:  # noqa: ANN001
    """The program's steps and LLVM IR, after checking its run against the oracle `engine`."""
    comp = checked_compilation(fn, *args, engine=engine)
    return [s for steps in kernel_steps(comp) for s in steps], llvm_text(comp)


GEOMETRIES = {  # image NHWC, filter HWIO, stride, padding, filter dilation
    "3x3 same, 2 blocks": ((4, 10, 10, 8), (3, 3, 8, 32), (1, 1), "SAME", (1, 1)),
    "one image, rows split": ((1, 9, 11, 5), (3, 2, 5, 13), (2, 1), ((1, 0), (0, 2)), (1, 2)),
    "one input channel": ((5, 12, 12, 1), (3, 3, 1, 16), (1, 1), "SAME", (1, 1)),
    "one output channel": ((4, 7, 6, 3), (3, 3, 3, 1), (1, 1), "SAME", (1, 1)),
    "9 channels: a vector and one lane": ((4, 6, 17, 4), (3, 3, 4, 9), (1, 1), "SAME", (1, 1)),
    "24 channels: a block and a vector": ((4, 8, 8, 6), (3, 3, 6, 24), (1, 1), "SAME", (1, 1)),
    "40 channels: two blocks and a vector": ((4, 5, 5, 3), (2, 2, 3, 40), (1, 1), "VALID", (1, 1)),
    "row shorter than a tile": ((4, 3, 2, 2), (3, 3, 2, 16), (1, 1), "SAME", (1, 1)),
    "stride 2 valid": ((6, 11, 13, 7), (3, 3, 7, 20), (2, 2), "VALID", (1, 1)),
    "7x7 stride 2 pad 3": ((4, 16, 16, 3), (7, 7, 3, 8), (2, 2), ((3, 3), (3, 3)), (1, 1)),
    "1x1": ((4, 5, 6, 16), (1, 1, 16, 12), (1, 1), "VALID", (1, 1)),
    "padding wider than the image": ((4, 2, 3, 2), (3, 3, 2, 8), (1, 1), ((4, 3), (5, 2)), (1, 1)),
    "dilated": ((3, 12, 10, 2), (3, 2, 2, 3), (1, 2), ((2, 1), (0, 3)), (2, 3)),
}


@pytest.mark.parametrize("name", GEOMETRIES)
def test_f32_convolutions_run_direct(name: str, filecheck, lanes: int) -> None:  # noqa: ANN001
    image, filt, stride, padding, dilation = GEOMETRIES[name]

    def conv(x, w):  # noqa: ANN001, ANN202
        return jnp.maximum(lax.conv_general_dilated(x, w, stride, padding, rhs_dilation=dilation, dimension_numbers=DN), 0.0)

    steps, llvm = _compiled(conv, _r(*image), _r(*filt))
    assert not [s for s in steps if s.library is not None]
    n = image[0]
    out_rows = lax.conv_general_dilated(np.zeros(image, np.float32), np.zeros(filt, np.float32), stride, padding, rhs_dilation=dilation,
                                        dimension_numbers=DN).shape[1]  # fmt: skip
    # few images: the step splits image x output row, else images (and the activation joins it)
    assert steps[0].extent == (n * out_rows if n < codegen._CONV_ROW_SPLIT_IMAGES else n)
    filecheck(llvm, f"""
    // CHECK: call void @"llvm.memset.p0.i64"
    // CHECK: call void @"llvm.memcpy.p0.p0.i64"
    // CHECK: call <{lanes} x float> @"llvm.fma.v{lanes}f32"
    """)


def test_partial_vectors_use_masked_loads_and_stores(filecheck, lanes: int) -> None:  # noqa: ANN001
    """9 output channels: a last vector of 1 lane (AVX2) or of 9 (AVX-512)."""
    _, llvm = _compiled(lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=DN), _r(4, 5, 5, 3), _r(3, 3, 3, 9))
    used = 9 % lanes
    mask = f"<{lanes} x i1> <" + ", ".join(f"i1 {str(i < used).lower()}" for i in range(lanes)) + ">"
    filecheck(llvm, f"""
    // CHECK-DAG: call <{lanes} x float> @"llvm.masked.load.v{lanes}f32.p0"({{{{.*}}}}, i32 4, {mask}
    // CHECK-DAG: call void @"llvm.masked.store.v{lanes}f32.p0"({{{{.*}}}}, i32 4, {mask}
    """)


def test_many_images_run_with_their_activation_in_one_group() -> None:
    """A bias + relu after the convolution runs on each block of images as the kernel finishes it."""
    bias = _r(32)
    steps, _ = _compiled(lambda x, w: jax.nn.relu(lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=DN) + bias),
                         _r(8, 6, 6, 16), _r(3, 3, 16, 32))  # fmt: skip
    assert [s.entry.rsplit("_", 1)[-1] for s in steps] == ["g0"]


def test_the_pooling_after_a_convolution_joins_its_group() -> None:
    """conv -> relu -> 2x2 max pool is one kernel and one step group: the convolution's output
    lives a block of images at a time in the group's frame, not in the arena."""
    x, k = _r(8, 12, 12, 4), _r(3, 3, 4, 16)

    def block(x, w):  # noqa: ANN001, ANN202
        y = jax.nn.relu(lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=DN))
        return lax.reduce_window(y, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")

    comp = checked_compilation(block, x, k)
    assert [[s.entry.rsplit("_", 1)[-1] for s in steps] for steps in kernel_steps(comp)] == [["g0"]]
    assert comp.plan.arena_bytes == 0


def test_wide_filters_f64_and_integers_do_not_run_direct(lanes: int) -> None:
    """A filter block over 40 KiB (3x3x128: 72 KiB) runs as im2col + BLAS; so does f64; i32 is generated."""
    conv = lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=DN)  # noqa: E731
    small_ints = lambda *shape: RNG.integers(-3, 4, shape).astype(np.float32)  # noqa: E731  # sums of 1152 products stay exact
    steps, llvm = _compiled(conv, small_ints(4, 4, 4, 128), small_ints(3, 3, 128, 8))
    assert [s.library["op"] for s in steps if s.library] == ["conv2d"] and f"llvm.fma.v{lanes}f32" not in llvm
    with jax.enable_x64(True):
        steps, _ = _compiled(conv, _r(4, 5, 5, 3).astype(np.float64), _r(3, 3, 3, 8).astype(np.float64))
    assert [s.library["op"] for s in steps if s.library] == ["conv2d"]
    xi, wi = RNG.integers(-5, 5, (4, 5, 5, 2)).astype(np.int32), RNG.integers(-5, 5, (3, 3, 2, 8)).astype(np.int32)
    steps, llvm = _compiled(conv, xi, wi)
    assert not [s for s in steps if s.library] and f"llvm.fma.v{lanes}f32" not in llvm


@pytest.mark.parametrize("by_rows", [False, True], ids=["images", "rows"])
def test_accumulating_kernel_adds_to_its_output(by_rows: bool, lanes: int) -> None:
    """With `accumulate`, the kernel adds the convolution to what the output holds (an init that
    is not a zero fill); run here on images / rows [1, 3) only, the rest of the output untouched."""
    image, filt = _r(4, 6, 7, 3), _r(3, 3, 3, 10)
    init = _r(4, 6, 7, 10)
    geo = ConvGeometry(image.shape, filt.shape, init.shape, (1, 1), (1, 1), (1, 1), "x", "w")  # type: ignore[arg-type]
    module = ll.Module("conv")
    ptr, i64 = ll.PointerType(), ll.IntType(64)
    fn = ll.Function(module, ll.FunctionType(ll.VoidType(), [ptr, i64, i64]), name="conv")
    b = ll.IRBuilder(fn.append_basic_block("entry"))
    image_p, filt_p, out_p = (b.load(b.gep(fn.args[0], [ll.Constant(i64, i)], source_etype=ptr), typ=ptr) for i in range(3))
    emit_direct_conv(b, codegen._Gen.loop, image_p, filt_p, out_p, fn.args[1], fn.args[2], geo, True, by_rows, lanes)
    b.ret_void()
    exe = LlvmExecutable(str(module).encode(), ["conv"], "cpu:0")  # (its code lives as long as it does)
    kernel = exe.function("conv")
    out = init.copy()
    table = (ctypes.c_void_p * 3)(image.ctypes.data, filt.ctypes.data, out.ctypes.data)
    lo, hi = (6, 18) if by_rows else (1, 3)  # rows 6..17 are those of images 1 and 2
    kernel(ctypes.addressof(table), lo, hi)
    want = init.copy()
    want[1:3] += np.asarray(lax.conv_general_dilated(image[1:3], filt, (1, 1), "SAME", dimension_numbers=DN))
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)


def test_output_rows_are_cut_into_even_tiles() -> None:
    """A row of w pixels becomes tiles of at most `most` pixels, as few as can hold it, whose
    widths differ by at most one, covering it exactly (an empty row: none)."""
    from byteir_targets.cpu.conv import _pixel_tiles

    assert _pixel_tiles(14, 6) == [(5, 2), (4, 1)] and _pixel_tiles(0, 6) == []
    for most in (6, 8):
        for width in range(1, 120):
            tiles = _pixel_tiles(width, most)
            widths = [w for w, n in tiles for _ in range(n)]
            assert sum(widths) == width and max(widths) <= most and max(widths) - min(widths) <= 1
            assert len(widths) == -(-width // most)


MATMULS = {  # A, B (x @ B, then relu): which the direct kernel takes, as a 1x1 convolution
    "512x128x128": ((512, 128), (128, 128), True),
    "tokens [4, 128] collapse into m": ((4, 128, 256), (256, 160), True),
    "k 512, n 256": ((512, 512), (512, 256), True),
    "m not whole rows of 64": ((520, 128), (128, 128), False),
    "k below 128": ((512, 64), (64, 128), False),
    "k past 512": ((512, 640), (640, 128), False),
    "n ragged": ((512, 128), (128, 100), False),
    "few rows": ((256, 128), (128, 128), False),
}


@pytest.mark.parametrize("name", MATMULS)
def test_row_major_f32_matmuls_run_direct_as_1x1_convolutions(name: str, lanes: int) -> None:
    """A big enough row-major matmul runs in the direct kernel (no BLAS call), its A as an image of
    rows of 64 pixels; the others stay BLAS calls. Both checked against XLA (these sizes take the
    interpreter minutes)."""
    a_shape, b_shape, direct = MATMULS[name]
    steps, _ = _compiled(lambda x, w: jnp.maximum(x @ w, 0.0), _r(*a_shape), _r(*b_shape) / np.float32(np.sqrt(b_shape[0])), engine="xla")
    assert (not [s for s in steps if s.library is not None]) == direct
    if direct:  # the step splits rows of 64 pixels across threads
        assert steps[0].extent == int(np.prod(a_shape[:-1])) // codegen._MATMUL_ROW_PIXELS


def test_transposed_or_batched_matmuls_stay_blas_calls() -> None:
    """A transposed B (x @ w.T) or a batch axis (attention's per-head products) is no image."""
    x, w, q = _r(512, 128), _r(128, 128), _r(4, 8, 64, 128)
    steps, _ = _compiled(lambda x, w: x @ w.T, x, w, engine="xla")
    assert [s for s in steps if s.library is not None]
    steps, _ = _compiled(lambda q, k: jnp.einsum("bhqd,bhkd->bhqk", q, k), q, q + 1, engine="xla")
    assert [s for s in steps if s.library is not None]
