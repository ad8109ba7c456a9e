"""`transformer`: one pre-LayerNorm encoder block: layernorm, multi-head self-attention with
softmax, residual, layernorm, GELU MLP, residual."""

from __future__ import annotations

import numpy as np

from byteir_sdk.models._common import dense_params

D_MODEL = 64
HEADS = 4
D_MLP = 256


def build(batch: int = 2, seq: int = 16, seed: int = 0):
    """The JAX function (weights baked in as constants) and its example input."""
    import jax
    import jax.numpy as jnp

    rng = np.random.default_rng(seed)
    wq, wk, wv, wo = (dense_params(rng, D_MODEL, D_MODEL) for _ in range(4))
    w1, w2 = dense_params(rng, D_MODEL, D_MLP), dense_params(rng, D_MLP, D_MODEL)
    ln = [(1.0 + 0.1 * rng.standard_normal(D_MODEL)).astype(np.float32) for _ in range(2)]

    def layernorm(x, gamma, eps=1e-5):
        mean = jnp.mean(x, axis=-1, keepdims=True)
        var = jnp.mean(jnp.square(x - mean), axis=-1, keepdims=True)
        return (x - mean) * jax.lax.rsqrt(var + eps) * gamma

    def heads(x):
        b, s, _ = x.shape
        return x.reshape(b, s, HEADS, D_MODEL // HEADS).transpose(0, 2, 1, 3)

    def attention(x):
        q, k, v = (heads(x @ w + bias) for w, bias in (wq, wk, wv))
        scores = jnp.einsum("bhqd,bhkd->bhqk", q, k) / np.float32(np.sqrt(D_MODEL // HEADS))
        ctx = jnp.einsum("bhqk,bhkd->bhqd", jax.nn.softmax(scores, axis=-1), v)
        b, h, s, d = ctx.shape
        return ctx.transpose(0, 2, 1, 3).reshape(b, s, h * d) @ wo[0] + wo[1]

    def transformer(x):
        x = x + attention(layernorm(x, ln[0]))
        h = jax.nn.gelu(layernorm(x, ln[1]) @ w1[0] + w1[1], approximate=False)
        return x + (h @ w2[0] + w2[1])

    return transformer, (jnp.zeros((batch, seq, D_MODEL), jnp.float32),)
