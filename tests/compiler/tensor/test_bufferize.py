"""Tensor stage: a kernel's buffers (bufferize_kernel), with backend-local values and op spans."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

import byteir_sdk
from byteir_sdk.compiler.pipeline import CompileOptions, run_stages
from byteir_sdk.compiler.tensor.bufferize import buffer_slot, bufferize_kernel, value_root


def _softmax_kernel():  # noqa: ANN202
    """A softmax's one kernel: fill, row max, exp, fill, row sum, division."""
    x = np.zeros((64, 32), np.float32)

    def softmax(x):  # noqa: ANN001, ANN202
        e = jnp.exp(x - x.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)

    (kernel,) = run_stages(byteir_sdk.load(softmax, x), CompileOptions.make("cpu")).kernel_program.kernels.values()
    return kernel


def _roots(kernel, buffers) -> list[str]:  # noqa: ANN001
    """The scratch roots of the kernel's values, in op order."""
    names = [r for op in kernel.ops for r in getattr(op, "results", (getattr(op, "result", None),)) if r]
    return list(dict.fromkeys(value_root(buffers, n) for n in names if buffers.refs[value_root(buffers, n)].kind == "scratch"))


def test_scratch_is_reused_by_liveness() -> None:
    """The row max dies before the row sum is born: they share bytes."""
    kernel = _softmax_kernel()
    buffers = bufferize_kernel(kernel, 64)
    vectors = [r for r in _roots(kernel, buffers) if kernel.types[r].shape == (64,)]
    assert len(vectors) == 2 and buffers.refs[vectors[0]].index == buffers.refs[vectors[1]].index
    assert buffers.scratch_bytes == 64 * 32 * 4 + 256


def test_values_touched_in_a_span_live_across_it() -> None:
    """With the whole kernel as one span, every value it touches is live throughout: no sharing."""
    kernel = _softmax_kernel()
    buffers = bufferize_kernel(kernel, 64, spans=[(0, len(kernel.ops) - 1)])
    offsets = [buffers.refs[r].index for r in _roots(kernel, buffers)]
    assert len(offsets) == 3 and len(set(offsets)) == 3
    assert buffers.spans == [(0, len(kernel.ops) - 1)]


def test_local_values_take_no_scratch_and_get_slots_past_the_table() -> None:
    """Local values are numbered in the order given; their aliases (the loops writing into them)
    follow; buffer_slot puts them past params, results and the scratch slot."""
    kernel = _softmax_kernel()
    roots = _roots(kernel, bufferize_kernel(kernel, 64))
    big = next(r for r in roots if kernel.types[r].shape == (64, 32))
    buffers = bufferize_kernel(kernel, 64, local=[big])
    assert buffers.refs[big].kind == "local" and buffers.refs[big].index == 0
    assert buffers.scratch_bytes == 256
    readers = [n for n in buffers.refs if n != big and value_root(buffers, n) == big]
    assert readers, "the exp loop writes into the local value"
    n_params, n_results = len(kernel.params), len(kernel.results)
    assert buffer_slot(buffers, n_params, n_results, readers[0]) == (n_params + n_results + 1, 0)
