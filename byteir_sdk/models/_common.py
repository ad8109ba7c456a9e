"""Helpers shared by the example models: seeded parameter initialisation."""

from __future__ import annotations

import numpy as np


def dense_params(rng: np.random.Generator, fan_in: int, fan_out: int) -> tuple[np.ndarray, np.ndarray]:
    """He-initialised weight (fan_in x fan_out) and a small bias, f32."""
    w = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
    b = rng.standard_normal(fan_out) * 0.01
    return w.astype(np.float32), b.astype(np.float32)


def conv_params(rng: np.random.Generator, kh: int, kw: int, cin: int, cout: int) -> np.ndarray:
    """He-initialised HWIO convolution kernel, f32."""
    return (rng.standard_normal((kh, kw, cin, cout)) * np.sqrt(2.0 / (kh * kw * cin))).astype(np.float32)


def batchnorm_params(rng: np.random.Generator, channels: int) -> dict[str, np.ndarray]:
    """Inference-mode batch-norm statistics and affine parameters, f32."""
    return {
        "gamma": (1.0 + 0.1 * rng.standard_normal(channels)).astype(np.float32),
        "beta": (0.1 * rng.standard_normal(channels)).astype(np.float32),
        "mean": (0.1 * rng.standard_normal(channels)).astype(np.float32),
        "var": (1.0 + 0.1 * np.abs(rng.standard_normal(channels))).astype(np.float32),
    }
