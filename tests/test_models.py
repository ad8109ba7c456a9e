"""The example models: shapes, determinism, and agreement between the two oracles."""

from __future__ import annotations

import numpy as np
import pytest

from byteir_sdk import models, reference
from byteir_sdk.compiler.analysis import analyze
from byteir_sdk.errors import UsageError

SMALL = {"mlp": {"batch": 1}, "cnn": {"batch": 1}, "transformer": {"batch": 1, "seq": 8}}


@pytest.mark.parametrize("name", models.names())
def test_model_interpreter_matches_xla(name: str) -> None:
    program = models.get(name, **SMALL[name])
    inputs = reference.random_inputs(program, seed=11)
    spec_out = reference.run(program, inputs)  # the StableHLO interpreter
    xla_out = reference.run(program, inputs, engine="xla")
    for got, want in zip(spec_out, xla_out):
        # Oracle: XLA:CPU. Tolerance: f32 default (atol 1e-5, rtol 1e-4).
        result = reference.compare(got, want, reference.default_tolerance(got.dtype))
        assert result.ok, str(result)
        assert np.isfinite(got).all() and np.abs(got).max() > 0


def test_models_are_deterministic_and_seeded() -> None:
    a, b = models.get("mlp", batch=1).text(), models.get("mlp", batch=1).text()
    assert a == b
    assert models.get("mlp", batch=1, seed=1).text() != a


def test_model_structure() -> None:
    cnn = analyze(models.get("cnn"))
    assert cnn.op_histogram["stablehlo.convolution"] == 6 and cnn.op_histogram["stablehlo.reduce_window"] == 1
    tr = analyze(models.get("transformer"))
    assert tr.op_histogram["stablehlo.dot_general"] == 8 and tr.op_histogram["stablehlo.exponential"] >= 1
    mlp = models.get("mlp")
    assert [s.shape for s in mlp.inputs] == [(8, 784)] and [s.shape for s in mlp.outputs] == [(8, 10)]


def test_unknown_model() -> None:
    with pytest.raises(UsageError, match="mlp"):
        models.get("alexnet")


def test_public_api_is_reachable_from_the_package() -> None:
    import byteir_sdk

    program = byteir_sdk.models.get("mlp", batch=1)
    out = byteir_sdk.reference.run(program, byteir_sdk.reference.random_inputs(program), engine="xla")
    assert out[0].shape == (1, 10)
