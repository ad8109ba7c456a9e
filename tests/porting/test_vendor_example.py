"""examples/vendor_target (ToyVec): within its line budget, its vector programs and fallback
kernels match the oracle, and a corrupt program is a HAL error. (CI installs it with pip and runs
`byteir-conformance --target toyvec --require-level Core`.)"""

from __future__ import annotations

import importlib
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import byteir_sdk
from byteir_sdk import models, reference
from byteir_sdk.compiler import backend as backend_registry
from byteir_sdk.errors import HalError
from byteir_sdk.runtime import Session, read_byre

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "vendor_target"


@pytest.fixture
def toyvec(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE))
    target = importlib.import_module("toyvec_byteir").TARGET
    registered = backend_registry.targets()
    monkeypatch.setattr(backend_registry, "targets", lambda name=None: {**registered, "toyvec": target})
    return target


def test_the_vendor_code_fits_the_budget() -> None:
    lines = sum(len(p.read_text().splitlines()) for p in (EXAMPLE / "toyvec_byteir").glob("*.py"))
    assert 0 < lines <= 400, lines


def test_elementwise_kernels_run_as_vector_programs(toyvec) -> None:
    program = byteir_sdk.load(lambda x, b: jnp.maximum(x * 2.0 + b, 0.0) - jnp.tanh(x), np.zeros((64, 32), np.float32), np.zeros((32,), np.float32))
    byre = byteir_sdk.compile(program, "toyvec")
    assert {e.format for e in read_byre(byre).executables.values()} == {"toyvec"}
    x = reference.random_inputs(program, seed=3)
    with Session(byre) as session:
        (got,) = session.run(x)
    # Oracle: the interpreter; f32 tolerance (NumPy's tanh is not the interpreter's).
    assert reference.compare(got, reference.run(program, x)[0], reference.default_tolerance(got.dtype)).ok


@pytest.mark.parametrize("name", models.names())
def test_models_match_xla_on_toyvec(name: str, toyvec) -> None:
    program = models.get(name)
    byre = byteir_sdk.compile(program, "toyvec")
    assert "toyvec" in {e.format for e in read_byre(byre).executables.values()}  # some kernels on the vector unit
    x = reference.random_inputs(program, seed=5)
    with Session(byre) as session:
        got = session.run(x)
    for g, w in zip(got, reference.run(program, x, engine="xla")):
        assert reference.compare(g, w, reference.default_tolerance(w.dtype)).ok


def test_a_corrupt_vector_program_is_a_hal_error(toyvec) -> None:
    device = toyvec.driver().create_device()
    try:
        for blob in (b"\x00\xff not json", b'{"shape": [4], "operands": [], "code": [["vfoo", "v0"]], "results": [], "outputs": []}'):
            with pytest.raises(HalError, match="corrupt toyvec executable"):
                device.prepare_executable("toyvec", blob, ["k0"])
    finally:
        device.close()
