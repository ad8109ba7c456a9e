"""First-divergence bisection: a target with one wrong kernel is caught at that kernel."""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np
import pytest

import byteir_sdk
from byteir_sdk import reference
from byteir_sdk.cli import main as byteir_cli
from byteir_sdk.compiler import backend as backend_registry
from byteir_sdk.compiler.backend import Target
from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.conformance.bisect import first_divergence
from byteir_sdk.conformance.suite import Manifest, collect, run_case
from byteir_targets.cpu import CpuBackend, CpuDriver


def _swap(e: K.Expr) -> K.Expr:
    """`e` with every exp computed as expm1 (a plausible vendor bug: off by one everywhere)."""
    if isinstance(e, K.Op):
        return K.Op("expm1" if e.name == "exp" else e.name, tuple(_swap(a) for a in e.args), e.type)
    if isinstance(e, K.Cond):
        return dataclasses.replace(e, cond=_swap(e.cond), then=tuple(map(_swap, e.then)), otherwise=tuple(map(_swap, e.otherwise)))
    return e


class WrongExpBackend(CpuBackend):
    name = "wrong_exp"

    def lower(self, kernel: K.Kernel):  # noqa: ANN201
        ops = [dataclasses.replace(op, body=tuple(map(_swap, op.body))) if isinstance(op, K.Loop) else op for op in kernel.ops]
        return super().lower(dataclasses.replace(kernel, ops=ops))


def _has_exp(kernel: K.Kernel) -> bool:
    def walk(e: K.Expr) -> bool:
        return isinstance(e, K.Op) and (e.name == "exp" or any(walk(a) for a in e.args))

    return any(walk(b) for op in kernel.loops() for b in op.body)


@pytest.fixture
def wrong_exp_target(monkeypatch):
    registered = backend_registry.targets()
    target = Target("wrong_exp", WrongExpBackend, CpuDriver, "the CPU target with exp miscompiled")
    monkeypatch.setattr(backend_registry, "targets", lambda name=None: {**registered, "wrong_exp": target})
    return target


def _program():
    # two kernels: a matmul with its tanh, then a matmul, its row maximum and exp of the shifted
    # scores (a softmax numerator)
    def fn(x, w, v):
        s = jnp.tanh(x @ w) @ v
        return jnp.exp(s - jnp.max(s, axis=-1, keepdims=True)) * 0.5

    return byteir_sdk.load(fn, np.zeros((8, 32), np.float32), np.zeros((32, 16), np.float32), np.zeros((16, 16), np.float32))


def test_the_first_diverging_kernel_is_the_miscompiled_one(wrong_exp_target) -> None:
    from byteir_sdk.compiler.pipeline import CompileOptions, run_stages

    program = _program()
    result = first_divergence(program, "wrong_exp", reference.random_inputs(program, seed=1))
    d = result.divergence
    assert d is not None and d.output == 0 and not d.comparison.ok
    kernels = run_stages(program, CompileOptions.make("wrong_exp")).kernel_program.kernels
    assert _has_exp(kernels[d.kernel]) and d.dispatch == result.kernels_compared - 1 > 0  # the kernels before it agreed
    assert not any(_has_exp(kernels[name]) for name in list(kernels)[: d.dispatch])
    assert d.loc and f"@{d.kernel}" in str(result)


def test_a_correct_target_has_no_divergence() -> None:
    program = _program()
    result = first_divergence(program, "ref_asic", reference.random_inputs(program, seed=1))
    assert result.divergence is None and result.kernels_compared >= 2
    assert "agree" in str(result)


def test_a_failing_model_case_names_the_diverging_kernel(wrong_exp_target) -> None:
    (case,) = [c for c in collect(["models"]) if c.id == "models/transformer"]
    result = run_case(case, wrong_exp_target, Manifest())
    assert result.status == "fail" and "first diverging kernel @" in result.reason


def test_byteir_bisect_cli(wrong_exp_target, tmp_path, capsys) -> None:
    path = tmp_path / "softmax.mlir"
    path.write_text(_program().text())
    assert byteir_cli.main(["bisect", str(path), "--target", "wrong_exp"]) == 1
    assert "first diverging kernel @" in capsys.readouterr().out
    assert byteir_cli.main(["bisect", str(path), "--target", "ref_asic"]) == 0
