"""Regenerate the project's own testdata-format cases (``python tests/cases/generate.py``).

Each case is a small JAX program, exported to StableHLO, with seeded inputs and expected
values computed by XLA:CPU. The tests evaluate them with the StableHLO interpreter, so every
case cross-checks the two oracles. Same format as the public StableHLO testdata corpus.
"""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
from jax import lax

import byteir_sdk
from byteir_sdk import reference
from byteir_sdk.conformance.corpus import write_case

HERE = Path(__file__).parent
f32, bf16, f16, i8, i32, u8 = jnp.float32, jnp.bfloat16, jnp.float16, jnp.int8, jnp.int32, jnp.uint8


def s(shape, dtype):
    return jax.ShapeDtypeStruct(shape, dtype)


def _while_sum(x):
    return lax.while_loop(lambda c: c[0] < 5, lambda c: (c[0] + 1, c[1] * 1.5 + 1.0), (0, x))[1]


def _cond(x, p):
    return lax.cond(p, lambda v: v * 2.0, lambda v: v - 1.0, x)


def _conv_grouped(x, w):
    return lax.conv_general_dilated(x, w, (2, 1), [(1, 1), (2, 2)], rhs_dilation=(1, 2),
                                    feature_group_count=2, dimension_numbers=("NHWC", "HWIO", "NHWC"))  # fmt: skip


def _attention(q, k, v):
    w = jax.nn.softmax(jnp.einsum("bqd,bkd->bqk", q, k) / 4.0, axis=-1)
    return jnp.einsum("bqk,bkd->bqd", w, v)


#: name -> (function, argument shapes/dtypes, check kind for float outputs)
CASES = {
    "add_f32": (jnp.add, [s((4, 5), f32), s((4, 5), f32)], "check.expect_close"),
    "mul_bf16": (jnp.multiply, [s((3, 7), bf16), s((3, 7), bf16)], "check.expect_close"),
    "sub_f16_broadcast": (lambda a, b: a - b, [s((2, 3, 4), f16), s((4,), f16)], "check.expect_close"),
    "tanh_exp_f32": (lambda x: jnp.tanh(x) + jnp.exp(x * 0.5), [s((16,), f32)], "check.expect_almost_eq"),
    "gelu_f32": (lambda x: jax.nn.gelu(x, approximate=False), [s((4, 8), f32)], "check.expect_almost_eq"),
    "softmax_f32": (lambda x: jax.nn.softmax(x, axis=-1), [s((3, 10), f32)], "check.expect_almost_eq"),
    "layernorm_f32": (lambda x: (x - x.mean(-1, keepdims=True)) * lax.rsqrt(x.var(-1, keepdims=True) + 1e-5),
                      [s((4, 16), f32)], "check.expect_almost_eq"),  # fmt: skip
    "matmul_f32": (jnp.matmul, [s((5, 7), f32), s((7, 3), f32)], "check.expect_almost_eq"),
    "batch_matmul_f32": (jnp.matmul, [s((2, 3, 4), f32), s((2, 4, 5), f32)], "check.expect_almost_eq"),
    "matmul_i8_i32acc": (lambda a, b: lax.dot(a, b, preferred_element_type=jnp.int32), [s((4, 6), i8), s((6, 3), i8)], "check.expect_eq"),
    "matmul_bf16_f32acc": (lambda a, b: lax.dot(a, b, preferred_element_type=jnp.float32), [s((4, 8), bf16), s((8, 2), bf16)], "check.expect_almost_eq"),
    "conv_grouped_dilated_f32": (_conv_grouped, [s((1, 6, 7, 4), f32), s((3, 2, 2, 6), f32)], "check.expect_almost_eq"),
    "maxpool_f32": (lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (1, 3, 3, 1), (1, 2, 2, 1), "SAME"), [s((1, 7, 7, 2), f32)], "check.expect_eq"),
    "avgpool_f32": (lambda x: lax.reduce_window(x, 0.0, lax.add, (1, 2, 2, 1), (1, 2, 2, 1), "VALID") / 4.0, [s((2, 6, 6, 3), f32)], "check.expect_almost_eq"),
    "reduce_sum_max_f32": (lambda x: (x.sum(axis=0), x.max(axis=1)), [s((6, 5), f32)], "check.expect_almost_eq"),
    "cumsum_i32": (lambda x: jnp.cumsum(x, axis=1), [s((3, 6), i32)], "check.expect_eq"),
    "argmax_f32": (lambda x: jnp.argmax(x, axis=-1), [s((4, 9), f32)], "check.expect_eq"),
    "sort_f32": (lambda x: jnp.sort(x, axis=-1), [s((3, 8), f32)], "check.expect_eq"),
    "gather_take_f32": (lambda x, i: jnp.take(x, i, axis=0, mode="clip"), [s((6, 4), f32), s((5,), i32)], "check.expect_eq"),
    "scatter_add_f32": (lambda x, i, u: x.at[i].add(u), [s((6,), f32), s((4,), i32), s((4,), f32)], "check.expect_almost_eq"),
    "while_loop_f32": (_while_sum, [s((4,), f32)], "check.expect_almost_eq"),
    "cond_f32": (_cond, [s((4,), f32), s((), jnp.bool_)], "check.expect_close"),
    "bitwise_u8": (lambda a, b: ((a & b) | (a ^ 3), a << 1, b >> 2), [s((8,), u8), s((8,), u8)], "check.expect_eq"),
    "convert_chain": (lambda x: (x.astype(i32), x.astype(bf16), x.astype(f16)), [s((10,), f32)], "check.expect_eq"),
    "select_compare_i32": (lambda a, b: jnp.where(a > b, a, b * 2), [s((3, 3), i32), s((3, 3), i32)], "check.expect_eq"),
    "complex_mul_c64": (lambda a, b: a * b + a, [s((5,), jnp.complex64), s((5,), jnp.complex64)], "check.expect_almost_eq"),
    "attention_f32": (_attention, [s((2, 4, 8), f32)] * 3, "check.expect_almost_eq"),
    "transpose_reshape_f32": (lambda x: x.transpose(2, 0, 1).reshape(4, 6), [s((2, 3, 4), f32)], "check.expect_eq"),
    "concat_slice_pad_f32": (lambda a, b: jnp.pad(jnp.concatenate([a, b], 0)[1:5], ((1, 0), (0, 2))), [s((3, 4), f32), s((3, 4), f32)], "check.expect_eq"),
    "rng_uniform_f32": (lambda k: jax.random.uniform(jax.random.wrap_key_data(k), (8,)), [s((2,), jnp.uint32)], "check.expect_eq"),
    "rng_normal_f32": (lambda k: jax.random.normal(jax.random.wrap_key_data(k), (6,)), [s((2,), jnp.uint32)], "check.expect_almost_eq"),
    "matmul_f16_f32acc": (lambda a, b: lax.dot(a, b, preferred_element_type=jnp.float32), [s((3, 16), f16), s((16, 5), f16)], "check.expect_almost_eq"),
    "activations_f32": (lambda x: (jax.nn.silu(x), jax.nn.elu(x), jax.nn.softplus(x), jax.nn.sigmoid(x), jax.nn.relu6(x * 4), jax.nn.leaky_relu(x)),
                        [s((12,), f32)], "check.expect_almost_eq"),  # fmt: skip
    "rmsnorm_bf16": (lambda x, g: (x * lax.rsqrt((x.astype(f32) ** 2).mean(-1, keepdims=True) + 1e-6).astype(bf16)) * g, [s((4, 32), bf16), s((32,), bf16)], "check.expect_almost_eq"),
    "log_softmax_f32": (lambda x: jax.nn.log_softmax(x, axis=0), [s((7, 3), f32)], "check.expect_almost_eq"),
    "top_k_f32": (lambda x: lax.top_k(x, 3), [s((4, 10), f32)], "check.expect_eq"),
    "one_hot_i32": (lambda i: jax.nn.one_hot(i, 6, dtype=jnp.int32), [s((5,), i32)], "check.expect_eq"),
    "cummax_f32": (lambda x: lax.cummax(x, axis=0), [s((6, 3), f32)], "check.expect_eq"),
    "scatter_max_i32": (lambda x, i, u: x.at[i].max(u, mode="drop"), [s((8,), i32), s((5,), i32), s((5,), i32)], "check.expect_eq"),
    "dynamic_update_slice_f32": (lambda x, u, i: lax.dynamic_update_slice(x, u, (i, 1)), [s((5, 4), f32), s((2, 2), f32), s((), i32)], "check.expect_eq"),
    "popcount_clz_i32": (lambda x: (lax.population_count(x), lax.clz(x), x >> 3, lax.shift_right_logical(x, 2)), [s((9,), i32)], "check.expect_eq"),
    "int8_requantize": (lambda a, b: jnp.clip(jnp.round(lax.dot(a, b, preferred_element_type=jnp.int32) * 0.05), -128, 127).astype(i8),
                        [s((4, 8), i8), s((8, 4), i8)], "check.expect_eq"),  # fmt: skip
    "conv_stride2_same_f32": (lambda x, w: lax.conv_general_dilated(x, w, (2, 2), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")),
                              [s((1, 8, 8, 3), f32), s((3, 3, 3, 4), f32)], "check.expect_almost_eq"),  # fmt: skip
}


def main() -> None:
    for old in HERE.glob("*.mlir"):
        old.unlink()
    for name, (fn, specs, check) in CASES.items():
        program = byteir_sdk.load(fn, *specs)
        inputs = reference.random_inputs(program, seed=len(name))
        expected = reference.run(program, inputs, engine="xla")
        write_case(program, inputs, expected, HERE / f"{name}.mlir", check=check)
        print(f"wrote {name}.mlir")


if __name__ == "__main__":
    main()
