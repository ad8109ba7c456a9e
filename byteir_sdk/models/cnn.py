"""`cnn`: a small ResNet-style network: conv-BN-ReLU stem, two residual basic blocks (the
second strided with a 1x1 projection), max pooling, global average pooling and a dense head.
NHWC activations, HWIO kernels, inference-mode batch norm."""

from __future__ import annotations

import numpy as np

from byteir_sdk.models._common import batchnorm_params, conv_params, dense_params

IMAGE = (32, 32, 3)
CLASSES = 10


def build(batch: int = 2, seed: int = 0):
    """The JAX function (weights baked in as constants) and its example input."""
    import jax
    import jax.numpy as jnp
    from jax import lax

    rng = np.random.default_rng(seed)
    dn = ("NHWC", "HWIO", "NHWC")

    def conv(x, w, stride=1):
        pad = "SAME" if w.shape[0] > 1 else "VALID"
        return lax.conv_general_dilated(x, w, (stride, stride), pad, dimension_numbers=dn)

    def bn(x, p, eps=1e-5):
        return (x - p["mean"]) * (p["gamma"] / jnp.sqrt(p["var"] + eps)) + p["beta"]

    stem = (conv_params(rng, 3, 3, 3, 16), batchnorm_params(rng, 16))
    block1 = [conv_params(rng, 3, 3, 16, 16), batchnorm_params(rng, 16), conv_params(rng, 3, 3, 16, 16), batchnorm_params(rng, 16)]
    block2 = [conv_params(rng, 3, 3, 16, 32), batchnorm_params(rng, 32), conv_params(rng, 3, 3, 32, 32), batchnorm_params(rng, 32)]
    proj = (conv_params(rng, 1, 1, 16, 32), batchnorm_params(rng, 32))
    head = dense_params(rng, 32, CLASSES)

    def basic_block(x, params, stride=1, shortcut=None):
        w1, b1, w2, b2 = params
        y = jax.nn.relu(bn(conv(x, w1, stride), b1))
        y = bn(conv(y, w2), b2)
        skip = x if shortcut is None else bn(conv(x, shortcut[0], stride), shortcut[1])
        return jax.nn.relu(y + skip)

    def cnn(x):
        x = jax.nn.relu(bn(conv(x, stem[0]), stem[1]))
        x = lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        x = basic_block(x, block1)
        x = basic_block(x, block2, stride=2, shortcut=proj)
        x = jnp.mean(x, axis=(1, 2))
        return x @ head[0] + head[1]

    return cnn, (jnp.zeros((batch, *IMAGE), jnp.float32),)
