"""The CPU code generator's step groups: consecutive loop steps over the same rows whose
dependences are row by row run a block of rows at a time (one group step); any other dependence
keeps them apart. Every case is checked against the StableHLO interpreter (f32: |a - b| <= 1e-5 +
1e-4 |b|), so a group that reordered a dependence would show as a wrong answer."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

import byteir_sdk
from byteir_sdk.compiler.pipeline import CompileOptions, run_stages
from byteir_sdk.errors import UsageError
from byteir_sdk.hal.host import host_threads
from byteir_targets.cpu.backend import CpuBackend
from byteir_targets.cpu.codegen import generate
from tests.targets.cpu_checks import checked_compilation, kernel_steps

RNG = np.random.default_rng(11)


def _steps(fn, *args: np.ndarray) -> list[list[str]]:  # noqa: ANN001
    """Each kernel's step names, after checking the compiled program against the interpreter."""
    return [[s.entry.rsplit("_", 1)[-1] for s in steps] for steps in kernel_steps(checked_compilation(fn, *args))]


def _layernorm(x):  # noqa: ANN001, ANN202
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / jnp.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + 1e-5)


def _softmax(x):  # noqa: ANN001, ANN202
    e = jnp.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize("shape", [(67, 300), (5, 3, 129), (2, 8)])
@pytest.mark.parametrize("fn", [_layernorm, _softmax], ids=["layernorm", "softmax"])
def test_row_reductions_and_their_consumers_form_one_group(fn, shape) -> None:  # noqa: ANN001
    """Fills, row reductions and the elementwise steps reading them: one step, block by block
    (the mean and the variance even share scratch bytes, row for row)."""
    x = (RNG.standard_normal(shape) * 3).astype(np.float32)
    assert _steps(fn, x) == [["g0"]]


def test_a_transposed_read_keeps_steps_apart() -> None:
    """exp(x) read back at (j, i): iteration i needs every row of it, so those two steps stay
    apart; the row sum and its consumer in the next kernel still group."""
    x = RNG.standard_normal((48, 48)).astype(np.float32)
    steps = _steps(lambda x: jnp.exp(x) + jnp.exp(x).T * jnp.sum(x, -1, keepdims=True), x)
    assert steps == [["s0", "s1"], ["g0"]]


def test_column_reductions_are_not_row_local() -> None:
    """A mean over rows (axis 0) is read by every row of its consumer: the fill and the reduction
    group (row d0 of the mean is column d0 of x), the consumer stays apart."""
    x = RNG.standard_normal((48, 48)).astype(np.float32)
    assert _steps(lambda x: jnp.tanh(x - x.mean(0, keepdims=True)), x) == [["g0", "s2"]]


def test_each_step_is_a_module_and_the_modules_link_into_the_kernel() -> None:
    """The kernel's LLVM IR comes as one module per step function: the group's defines the group
    and declares its members; each member's defines it, with its body as a private copy. The
    modules link back into one object, or compile an object per core for a session."""
    import llvmlite.binding as llvm

    from byteir_sdk.runtime import Session
    from byteir_targets.cpu import driver
    from byteir_targets.cpu.backend import llvm_blob

    x = RNG.standard_normal((16, 32)).astype(np.float32)
    program = byteir_sdk.load(_softmax, x)
    (kernel,) = run_stages(program, CompileOptions.make("cpu")).kernel_program.kernels.values()
    parts, steps = generate(kernel)
    (group,) = steps
    assert group.extent == 16 and group.points >= 4 * 16 * 32
    defined = []
    for text in parts:
        module = llvm.parse_assembly(text)
        defined.append({f.name: f.linkage.name for f in module.functions if not f.is_declaration})
        declared = {f.name for f in module.functions if f.is_declaration}
        if group.entry in defined[-1]:
            members = {n for n in declared if n.startswith(f"{kernel.name}_s")}
            assert defined[-1] == {group.entry: "external"} and members
    members = [d for d in defined if group.entry not in d]
    assert len(members) == len(parts) - 1 and all(
        {n: k for n, k in d.items() if not n.endswith("_body")} == {next(n for n in d if not n.endswith("_body")): "external"} for d in members)
    assert all(k == "internal" for d in members for n, k in d.items() if n.endswith("_body"))
    linked = driver.LlvmExecutable(llvm_blob(parts), [group.entry], "cpu:0")  # one object
    assert len(linked.cache_files) == 1 and linked.entry_points == (group.entry,)
    with Session(run_stages(program, CompileOptions.make("cpu")).byre) as session:  # an object per core
        np.testing.assert_allclose(session.run([x])[0], np.asarray(_softmax(x)), rtol=1e-5, atol=1e-6)


def test_access_conflicts() -> None:
    """Overlapping bytes, one write: only the same rows at the same place may be grouped."""
    from byteir_targets.cpu.codegen import _Access

    rows = _Access(slot=2, first=0, end=4096, row_bytes=64, write=True)
    assert not rows.conflicts(_Access(2, 0, 4096, 64, write=False))  # the same rows
    assert not rows.conflicts(_Access(3, 0, 4096, None, write=True))  # another buffer
    assert not rows.conflicts(_Access(2, 4096, 8192, None, write=True))  # disjoint bytes
    assert not _Access(2, 0, 4096, None, False).conflicts(_Access(2, 0, 4096, None, False))  # two reads
    assert rows.conflicts(_Access(2, 0, 4096, 128, write=False))  # scratch reused at another row size
    assert rows.conflicts(_Access(2, 64, 4160, 64, write=False))  # shifted by a row
    assert rows.conflicts(_Access(2, 1024, 2048, None, write=False))  # read at computed indices


def test_only_loops_that_walk_memory_out_of_order_are_tiled() -> None:
    """A transpose's loop gets tile loops for locality; an elementwise one walks memory in order."""
    from byteir_targets.cpu.codegen import _transposes

    x = RNG.standard_normal((48, 48)).astype(np.float32)
    program = byteir_sdk.load(lambda x: (jnp.exp(x), jnp.exp(x).T + 1.0), x)
    loops = [op for k in run_stages(program, CompileOptions.make("cpu")).kernel_program.kernels.values() for op in k.loops()]
    assert sorted(_transposes(loop) for loop in loops) == [False, True]


def _plan(fn, *args: np.ndarray):  # noqa: ANN001, ANN202
    """The program's compilation for the cpu (its memory plan and kernels), without streaming
    stores (which change the plan of a memory-bound kernel, see test_cpu_streaming.py)."""
    return run_stages(byteir_sdk.load(fn, *args), CompileOptions.make("cpu", dump_after="tensor", target_options={"stream_bytes": 0}))


@pytest.mark.parametrize("shape", [(300, 4096), (7, 30, 1000)])
@pytest.mark.parametrize("fn", [_layernorm, _softmax], ids=["layernorm", "softmax"])
def test_values_only_a_group_touches_live_in_its_frame(fn, shape, filecheck) -> None:  # noqa: ANN001
    """The row vectors of a layernorm or a softmax are touched only by its group, row by row: they
    take no arena bytes, and live a block of rows at a time in the group's frame (here many
    blocks per thread, the last one partial). The full-size intermediate is written into the
    result buffer, which the last op then overwrites in place."""
    x = (RNG.standard_normal(shape) * 3).astype(np.float32)
    assert _steps(fn, x) == [["g0"]]
    comp = _plan(fn, x)
    assert comp.plan.arena_bytes == 0
    (kernel,) = comp.kernel_program.kernels.values()
    assert kernel.buffers.scratch_bytes == 0 and kernel.buffers.spans
    filecheck(comp.dumps["tensor"], """
    // CHECK: memory plan: arena 0 bytes
    // CHECK: scratch 0 bytes; {{.*}}=local[0]
    """)


def test_rows_too_wide_for_a_frame_stay_in_scratch() -> None:
    """A 320 KB row of the intermediate does not fit the frame budget: it stays in scratch (the
    row vectors still move to the frame), and the answer is the same. (The f16 result is narrower
    than the f32 intermediate, so the division cannot overwrite it in place.)"""
    x = RNG.standard_normal((3, 80000)).astype(np.float32)
    half = lambda x: _softmax(x).astype(jnp.float16)  # noqa: E731
    assert _steps(half, x) == [["g0"]]
    comp = _plan(half, x)
    (kernel,) = comp.kernel_program.kernels.values()
    kinds = sorted(ref.kind for ref in kernel.buffers.refs.values() if ref.kind in ("local", "scratch"))
    assert kinds == ["local", "local", "scratch"]
    assert comp.plan.arena_bytes == 3 * 80000 * 4


def test_values_read_outside_the_group_stay_in_memory() -> None:
    """exp(x - max) is also an output here, so it is written whole; the row vectors still move."""
    x = RNG.standard_normal((40, 300)).astype(np.float32)

    def both(x):  # noqa: ANN001, ANN202
        e = jnp.exp(x - x.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True), e

    assert _steps(both, x) == [["g0"]]
    (kernel,) = _plan(both, x).kernel_program.kernels.values()
    assert sum(ref.kind == "local" for ref in kernel.buffers.refs.values()) == 2
    assert sorted(ref.kind for ref in kernel.buffers.refs.values() if ref.kind == "result") == ["result", "result"]


def _cnn(x, k1, k2, w):  # noqa: ANN001, ANN202
    from jax import lax

    dn = ("NHWC", "HWIO", "NHWC")
    y = jnp.maximum(lax.conv_general_dilated(x, k1, (1, 1), "SAME", dimension_numbers=dn), 0)
    y = lax.reduce_window(y, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    y = jnp.maximum(lax.conv_general_dilated(y, k2, (1, 1), "SAME", dimension_numbers=dn), 0)
    y = lax.reduce_window(y, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    return y.reshape(y.shape[0], -1) @ w


def test_a_cnns_layers_run_a_block_of_images_at_a_time() -> None:
    """Two direct convolutions, each with its relu and max pooling (a small CNN): one kernel whose
    layers form one group, run a block of images at a time, so what one layer hands the next lives
    in the group's frame; the arena holds only the last pooling's output, which the matmul reads
    whole. Checked against the interpreter."""
    x = RNG.standard_normal((6, 16, 16, 3)).astype(np.float32)
    k1, k2 = (RNG.standard_normal(s).astype(np.float32) * 0.3 for s in [(3, 3, 3, 16), (3, 3, 16, 32)])
    w = RNG.standard_normal((4 * 4 * 32, 10)).astype(np.float32) * 0.1
    args = (x, k1, k2, w)
    assert _steps(_cnn, *args) == [["g0"], ["library:matmul"]]
    comp = _plan(_cnn, *args)
    conv = next(k for k in comp.kernel_program.kernels.values() if "convolution" in k.name)
    assert sum(ref.kind == "local" for ref in conv.buffers.refs.values()) == 3  # conv1, pool1, conv2 outputs
    assert conv.buffers.scratch_bytes == 0 and comp.plan.arena_bytes == 6 * 4 * 4 * 32 * 4


def test_a_batch_of_one_still_gives_every_thread_rows() -> None:
    """A batch-1 layernorm [1, 96, 40] and softmax [1, 3, 24, 40] compiled for a machine of 4
    cores: their leading dims merge (merge-leading-dims), so each one group step runs over 96
    or 72 rows that the runtime splits across threads, not over the one image; compiled for one
    core, nothing merges and each step runs over the one image."""
    for fn, shape, rows in ((_layernorm, (1, 96, 40), 96), (_softmax, (1, 3, 24, 40), 72)):
        x = (RNG.standard_normal(shape) * 3).astype(np.float32)
        (steps,) = kernel_steps(checked_compilation(fn, x, target_options={"threads": 4}))
        assert [s.extent for s in steps] == [rows]
        (steps,) = kernel_steps(checked_compilation(fn, x, target_options={"threads": 1}))
        assert {s.extent for s in steps} == {1}  # (steps over the one image: no group)


def test_a_program_is_planned_for_the_cores_it_will_run_on() -> None:
    """Target option ``threads`` (default: this process's cores): a layernorm over [16, 24, 40]
    has 8 rows a thread on 2 cores and keeps its dims; for 16 cores its 16 rows are too few, and
    its leading dims merge into 384. Either program runs right on this machine (the runtime
    splits by the cores it has), checked against the interpreter."""
    x = (RNG.standard_normal((16, 24, 40)) * 3).astype(np.float32)
    for threads, extent in ((2, 16), (16, 384)):
        comp = checked_compilation(_layernorm, x, target_options={"threads": str(threads)})  # (as the command line passes it)
        assert comp.capabilities.parallelism == threads
        assert [s.extent for s in kernel_steps(comp)[0]] == [extent]
    assert CpuBackend().capabilities().parallelism == host_threads()
    for bad in ("0", "many", -2):
        with pytest.raises(UsageError, match="threads"):
            CpuBackend(threads=bad)
