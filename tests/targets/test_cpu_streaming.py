"""Streaming stores of the CPU code generator: a light elementwise loop (no transcendental op)
writes each result of at least ``stream_bytes`` (target option; default half the host's last-level
cache) into a strip in its frame, then copies the strip out with non-temporal stores, whole cache
lines at a time, and fences before the step returns. A memory-bound kernel with such a result keeps
its intermediate rows in the frame instead of updating the result in place, so the result is
written once and never read back. Every case is checked against the StableHLO interpreter with
the default tolerance of its dtype; the thresholds here are tiny so small shapes take the path."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from byteir_targets.cpu.backend import CpuBackend, last_level_cache_bytes
from tests.targets.cpu_checks import checked_compilation, llvm_text
from tests.targets.test_cpu_step_groups import _layernorm, _softmax

RNG = np.random.default_rng(5)


def _compile(fn, *args: np.ndarray, stream_bytes: int):  # noqa: ANN001, ANN202
    """The program's compilation (tensor dump kept) after checking its run against the interpreter."""
    return checked_compilation(fn, *args, target_options={"stream_bytes": stream_bytes})


@pytest.mark.parametrize("dtype", [np.float32, np.int32, jnp.bfloat16, np.float16, np.int8])
@pytest.mark.parametrize("shape", [(37, 1029), (10007,), (3, 5, 64), (2, 3000)])
def test_light_elementwise_results_are_streamed(shape, dtype, filecheck) -> None:  # noqa: ANN001
    """Rows of every length (ragged strips, rows that start mid cache line, strips longer than a
    row and rows longer than a strip) and widths from 1 to 4 bytes come out exact."""
    x, y, z = (RNG.standard_normal(shape) * 4).astype(dtype), (RNG.standard_normal(shape) * 4).astype(dtype), (RNG.standard_normal(shape) * 4).astype(dtype)
    comp = _compile(lambda x, y, z: x * y + z, x, y, z, stream_bytes=1)
    filecheck(llvm_text(comp), """
    // CHECK: define internal void @"{{.*}}_s0_body"(
    // CHECK-DAG: call void @"byteir_stream_copy"(
    // CHECK-DAG: fence seq_cst
    // CHECK: define internal void @"byteir_stream_copy"(ptr noalias {{.*}}, ptr noalias {{.*}}, i64 {{.*}})
    // CHECK: and i64 {{.*}}, 63
    // CHECK: store <8 x i32> {{.*}}, align 32, !nontemporal
    // CHECK: store <8 x i32> {{.*}}, align 32, !nontemporal
    """)


def test_no_streaming_below_the_threshold_for_heavy_loops_or_when_off() -> None:
    """A result smaller than the threshold, a loop with a transcendental op (its compute hides
    the traffic) and ``stream_bytes=0``: plain stores."""
    x = RNG.standard_normal((64, 64)).astype(np.float32)
    assert "!nontemporal" in llvm_text(_compile(lambda x: x * 2.0 + 1.0, x, stream_bytes=x.nbytes))
    assert "!nontemporal" not in llvm_text(_compile(lambda x: x * 2.0 + 1.0, x, stream_bytes=x.nbytes + 1))
    assert "!nontemporal" not in llvm_text(_compile(lambda x: jnp.tanh(x) * 2.0, x, stream_bytes=1))
    assert "!nontemporal" not in llvm_text(_compile(lambda x: x * 2.0 + 1.0, x, stream_bytes=0))


@pytest.mark.parametrize("shape", [(67, 300), (300, 1024), (5, 3, 129)])
def test_a_memory_bound_kernel_keeps_its_intermediate_rows_in_the_frame(shape, filecheck) -> None:  # noqa: ANN001
    """Layernorm: with its result streamed, x - mean lives in the group's frame (local), not in the
    result buffer, and the last loop streams the result; without streaming, x - mean is written
    into the result, which the last loop then updates in place."""
    x = (RNG.standard_normal(shape) * 3).astype(np.float32)
    streamed = _compile(_layernorm, x, stream_bytes=1)
    assert streamed.plan.arena_bytes == 0 and "!nontemporal" in llvm_text(streamed)
    (kernel,) = streamed.kernel_program.kernels.values()
    assert sorted(r.kind for r in kernel.buffers.refs.values() if r.kind in ("local", "result")) == ["local", "local", "local", "result"]
    filecheck(streamed.dumps["tensor"], """
    // CHECK: memory plan: arena 0 bytes
    // CHECK: scratch 0 bytes; {{.*}}=local[0]{{.*}}=result[0]
    """)
    plain = _compile(_layernorm, x, stream_bytes=0)
    (kernel,) = plain.kernel_program.kernels.values()
    assert sorted(r.kind for r in kernel.buffers.refs.values() if r.kind in ("local", "result")) == ["local", "local", "result"]


def test_a_kernel_with_a_heavy_loop_keeps_its_in_place_update() -> None:
    """Softmax's exp is heavy: writing it into the result overlaps that traffic with its compute
    (faster than streaming the result), so the division still updates the result in place, and
    so is not streamed (its lines are already in cache)."""
    x = (RNG.standard_normal((67, 300)) * 3).astype(np.float32)
    comp = _compile(_softmax, x, stream_bytes=1)
    (kernel,) = comp.kernel_program.kernels.values()
    assert sorted(r.kind for r in kernel.buffers.refs.values() if r.kind in ("local", "result")) == ["local", "local", "result"]
    assert "!nontemporal" not in llvm_text(comp)


def test_the_default_threshold_is_half_the_last_level_cache() -> None:
    """Read from sysfs where Linux has it; 0 (no streaming) where the size is unknown."""
    llc = last_level_cache_bytes()
    assert llc >= 0 and CpuBackend().stream_bytes == llc // 2
    assert CpuBackend(stream_bytes=123).stream_bytes == 123
