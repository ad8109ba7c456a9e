"""Tensor stage: a kernel's buffers (bufferize_kernel): in-place elementwise ops, backend-local
values and op spans."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

import byteir_sdk
from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.compiler.pipeline import CompileOptions, run_stages
from byteir_sdk.compiler.tensor.bufferize import BufferRef, buffer_slot, bufferize_kernel, value_root


def _softmax_kernel(out_dtype=jnp.float32):  # noqa: ANN001, ANN202
    """A softmax's one kernel: fill, row max, exp, fill, row sum, division (and a cast)."""
    x = np.zeros((64, 32), np.float32)

    def softmax(x):  # noqa: ANN001, ANN202
        e = jnp.exp(x - x.max(-1, keepdims=True))
        return (e / e.sum(-1, keepdims=True)).astype(out_dtype)

    (kernel,) = run_stages(byteir_sdk.load(softmax, x), CompileOptions.make("cpu")).kernel_program.kernels.values()
    return kernel


def _roots(kernel, buffers) -> list[str]:  # noqa: ANN001
    """The scratch roots of the kernel's values, in op order."""
    names = [r for op in kernel.ops for r in getattr(op, "results", (getattr(op, "result", None),)) if r]
    return list(dict.fromkeys(value_root(buffers, n) for n in names if buffers.refs[value_root(buffers, n)].kind == "scratch"))


def test_scratch_is_reused_by_liveness() -> None:
    """The row max dies before the row sum is born: they share bytes. (The f16 result is narrower
    than exp's f32 values, so the division cannot overwrite them: they keep scratch.)"""
    kernel = _softmax_kernel(jnp.float16)
    buffers = bufferize_kernel(kernel, 64)
    vectors = [r for r in _roots(kernel, buffers) if kernel.types[r].shape == (64,)]
    assert len(vectors) == 2 and buffers.refs[vectors[0]].index == buffers.refs[vectors[1]].index
    assert buffers.scratch_bytes == 64 * 32 * 4 + 256


def test_values_touched_in_a_span_live_across_it() -> None:
    """With the whole kernel as one span, every value it touches is live throughout: no sharing."""
    kernel = _softmax_kernel(jnp.float16)
    buffers = bufferize_kernel(kernel, 64, spans=[(0, len(kernel.ops) - 1)])
    offsets = [buffers.refs[r].index for r in _roots(kernel, buffers)]
    assert len(offsets) == 3 and len(set(offsets)) == 3
    assert buffers.spans == [(0, len(kernel.ops) - 1)]


def test_local_values_take_no_scratch_and_get_slots_past_the_table() -> None:
    """Local values are numbered in the order given; their aliases (the loops writing into them)
    follow; buffer_slot puts them past params, results and the scratch slot."""
    kernel = _softmax_kernel(jnp.float16)
    roots = _roots(kernel, bufferize_kernel(kernel, 64))
    big = next(r for r in roots if kernel.types[r].shape == (64, 32))
    buffers = bufferize_kernel(kernel, 64, local=[big])
    assert buffers.refs[big].kind == "local" and buffers.refs[big].index == 0
    assert buffers.scratch_bytes == 256
    readers = [n for n in buffers.refs if n != big and value_root(buffers, n) == big]
    assert readers, "the exp loop writes into the local value"
    n_params, n_results = len(kernel.params), len(kernel.results)
    assert buffer_slot(buffers, n_params, n_results, readers[0]) == (n_params + n_results + 1, 0)


def test_an_elementwise_op_overwrites_an_input_that_dies_there() -> None:
    """The division reads exp's values at the index it writes, and nothing reads them later: it
    writes in place, so exp writes straight into the result and only the row vectors take scratch."""
    kernel = _softmax_kernel()
    buffers = bufferize_kernel(kernel, 64)
    division = [op for op in kernel.loops() if not op.reduction_dims][-1]
    exp_values = next(n for n in division.inputs if kernel.types[n].shape == (64, 32))
    assert value_root(buffers, division.results[0]) == value_root(buffers, exp_values)
    assert buffers.refs[value_root(buffers, exp_values)] == BufferRef("result", 0)
    assert buffers.scratch_bytes == 256


def _chain(second_map: K.AffineMap | None = None, second_type: str = "f32", read_again: bool = False,
           first_from_param: bool = False) -> K.Kernel:
    """t = exp(p0) into fresh memory; u = t + 1 (at `second_map`, as `second_type`) is result 0;
    with `read_again`, a third op reads t afterwards (result 1)."""
    ident = K.AffineMap(2, (K.Dim(0), K.Dim(1)))
    types = {n: K.TensorType((8, 8), "f32") for n in ("p0", "e1", "t", "e2", "u", "e3", "w")}
    types["e2"] = types["u"] = K.TensorType((8, 8), second_type)
    ops: list = []
    t = "p0"
    if not first_from_param:
        ops += [K.Empty("e1"), K.Loop("generic", (8, 8), ("parallel",) * 2, ("p0",), ("e1",), (ident, ident),
                                      (K.Op("exp", (K.Arg(0, "f32"),), "f32"),), ("t",))]
        t = "t"
    add = K.Op("add", (K.Arg(0, "f32"), K.Lit(1.0, "f32")), "f32")
    body = add if second_type == "f32" else K.Op("convert", (add,), second_type)
    ops += [K.Empty("e2"), K.Loop("generic", (8, 8), ("parallel",) * 2, (t,), ("e2",), (second_map or ident, ident), (body,), ("u",))]
    results = ["u"]
    if read_again:
        ops += [K.Empty("e3"), K.Loop("generic", (8, 8), ("parallel",) * 2, (t,), ("e3",), (ident, ident), (K.Arg(0, "f32"),), ("w",))]
        results.append("w")
    return K.Kernel("k", ["p0"], results, types, ops)


def test_in_place_writes_the_chain_into_the_result() -> None:
    """exp's fresh buffer becomes the result buffer; the add overwrites it element by element."""
    buffers = bufferize_kernel(_chain(), 64)
    assert buffers.refs["e1"] == BufferRef("result", 0) and value_root(buffers, "u") == "e1"
    assert buffers.scratch_bytes == 0


@pytest.mark.parametrize(
    "case",
    [
        {"read_again": True},  # t is read after the add: it must survive
        {"second_map": K.AffineMap(2, (K.Dim(1), K.Dim(0)))},  # the add reads t transposed
        {"second_type": "f16"},  # the result is narrower than t
        {"first_from_param": True},  # the add's input is the caller's param
    ],
    ids=["read-later", "transposed", "narrower", "param"],
)
def test_in_place_is_refused_when_it_could_change_an_answer(case: dict) -> None:
    """Only an input in scratch, read at the written index, of the same width, and dead after the
    op may be overwritten; otherwise the result takes its own buffer."""
    kernel = _chain(**case)
    buffers = bufferize_kernel(kernel, 64)
    assert value_root(buffers, "u") == "e2" and buffers.refs["e2"] == BufferRef("result", 0)


def test_an_early_independent_call_does_not_hold_memory_across_a_chain() -> None:
    """The transformer's pattern: `v` reads only the input, and is needed only by the last kernel.
    sink-calls-to-first-use runs it after the chain (h, a), so its buffer is not live while h and
    a are: the arena is h + a, not h + a + v. Checked against the interpreter."""
    from tests.targets.cpu_checks import checked_compilation

    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 16), dtype=np.float32)
    wv, w1, w2, wo = (rng.standard_normal(s, dtype=np.float32) / 8 for s in [(16, 16), (16, 256), (256, 256), (256, 16)])

    def f(x):  # noqa: ANN001, ANN202
        v = x @ wv
        a = jnp.exp((x @ w1) @ w2 / 16)
        return a @ wo + v

    comp = checked_compilation(f, x)
    kp = comp.kernel_program
    shapes = [kp.types[c.results[0]].shape for c in kp.calls]
    assert shapes == [(8, 256), (8, 256), (8, 16), (8, 16)]  # h, a, then v right before its user
    assert comp.plan.arena_bytes == 2 * 8 * 256 * 4
