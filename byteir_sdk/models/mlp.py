"""`mlp`: a 784-1024-1024-10 multilayer perceptron with ReLU (MNIST-shaped)."""

from __future__ import annotations

import numpy as np

from byteir_sdk.models._common import dense_params

LAYERS = (784, 1024, 1024, 10)


def build(batch: int = 8, seed: int = 0):
    """The JAX function (weights baked in as constants) and its example input."""
    import jax
    import jax.numpy as jnp

    rng = np.random.default_rng(seed)
    params = [dense_params(rng, a, b) for a, b in zip(LAYERS[:-1], LAYERS[1:])]

    def mlp(x):
        for i, (w, b) in enumerate(params):
            x = x @ w + b
            if i < len(params) - 1:
                x = jax.nn.relu(x)
        return x

    return mlp, (jnp.zeros((batch, LAYERS[0]), jnp.float32),)
