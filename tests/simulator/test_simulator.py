"""The simulator: bit-exact values (oracle: NumPy / ml_dtypes), documented cycle formulas,
deadlock and race detection, stats and the Perfetto trace."""

from __future__ import annotations

import json

import ml_dtypes
import numpy as np
import pytest

from byteir_sdk.errors import UsageError
from byteir_sim import DeadlockError, MachineConfig, Simulator, SimulatorFault, load_config
from byteir_sim.functional import lane_sum, requantize, systolic_tile
from byteir_sim.isa import DTYPES, ENGINES, SPACES, VECTOR_OPS, make
from byteir_sim.trace import chrome_trace, stats

N = 16


def tile_program(dtype: str, rows: int, *, sync: bool = True):
    item = {"i8": 1, "bf16": 2, "f32": 4}[dtype]
    acc_item = 4
    w = make("DMA_LOAD", dram_addr=0x10000, sram_addr=0, rows=N, row_bytes=N * item)
    a = make("DMA_LOAD", dram_addr=0, sram_addr=0x8000, rows=rows, row_bytes=N * item)
    pre = make("MM_PRELOAD", sram_addr=0, dtype=DTYPES[dtype])
    mm = make("MM_COMPUTE", sram_addr=0x8000, acc_addr=0, rows=rows, dtype=DTYPES[dtype])
    st = make("DMA_STORE", dram_addr=0x20000, sram_addr=0, rows=1, row_bytes=rows * N * acc_item, from_acc=1)
    if sync:
        w, a, pre, mm, st = w.with_sync(signal=0), a.with_sync(signal=1), pre.with_sync(wait=0), mm.with_sync(wait=1, signal=2), st.with_sync(wait=2)
    return [w, a, pre, mm, st, make("END")]


def load_operands(sim: Simulator, acts: np.ndarray, weights: np.ndarray) -> None:
    sim.dram[0 : acts.nbytes] = acts.view(np.uint8).reshape(-1)
    sim.dram[0x10000 : 0x10000 + weights.nbytes] = weights.view(np.uint8).reshape(-1)


@pytest.mark.parametrize("dtype", ["i8", "bf16", "f32"])
def test_matmul_tile_is_bit_exact(dtype: str) -> None:
    rng = np.random.default_rng(0)
    np_t = {"i8": np.int8, "bf16": ml_dtypes.bfloat16, "f32": np.float32}[dtype]
    rows = 40
    if dtype == "i8":
        acts, weights = rng.integers(-128, 128, (rows, N)).astype(np.int8), rng.integers(-128, 128, (N, N)).astype(np.int8)
    else:
        acts, weights = rng.standard_normal((rows, N)).astype(np_t), rng.standard_normal((N, N)).astype(np_t)
    sim = Simulator()
    load_operands(sim, acts, weights)
    result = sim.run(tile_program(dtype, rows))
    out_t = np.int32 if dtype == "i8" else np.float32
    got = sim.dram[0x20000 : 0x20000 + rows * N * 4].view(out_t).reshape(rows, N)
    want = systolic_tile(acts, weights)
    assert got.tobytes() == want.tobytes()  # exact, bits
    if dtype == "i8":
        assert np.array_equal(got, acts.astype(np.int32) @ weights.astype(np.int32))
    else:  # k-order f32 accumulation vs NumPy's float64 product: rounding differences only
        np.testing.assert_allclose(got, acts.astype(np.float64) @ weights.astype(np.float64), rtol=1e-5, atol=1e-4)
    assert not result.races and not result.uninitialized_reads


def test_single_tile_cycles_follow_the_documented_formulas() -> None:
    c = MachineConfig()
    rows = 32
    sim = Simulator(c)
    load_operands(sim, np.zeros((rows, N), np.int8), np.zeros((N, N), np.int8))
    r = sim.run(tile_program("i8", rows))
    by_name = {ev.name: ev for ev in r.events}
    dma = lambda nbytes: c.dma_setup + c.dram_latency + -(-nbytes // c.dram_bandwidth)  # noqa: E731
    assert by_name["MM_COMPUTE"].end - by_name["MM_COMPUTE"].start == rows + 2 * N - 1
    assert by_name["MM_PRELOAD"].end - by_name["MM_PRELOAD"].start == N
    # dma_in is one in-order engine: the activation DMA follows the weight DMA; the preload
    # overlaps it; the compute waits for the activations; then the store.
    w_done = dma(N * N)
    a_done = w_done + dma(rows * N)
    compute_start = max(w_done + N, a_done)
    assert by_name["MM_COMPUTE"].start == compute_start
    assert r.cycles == compute_start + rows + 2 * N - 1 + dma(rows * N * 4) + 1  # + END
    assert r.macs == rows * N * N
    assert 0 < r.utilisation(c) < 1


def test_missing_semaphore_is_a_race() -> None:
    sim = Simulator()
    load_operands(sim, np.ones((16, N), np.int8), np.ones((N, N), np.int8))
    result = sim.run(tile_program("i8", 16, sync=False))
    assert any("without a semaphore" in r for r in result.races)


def test_reads_of_never_written_scratchpad_are_reported() -> None:
    sim = Simulator()
    result = sim.run([make("MM_PRELOAD", sram_addr=0x100, dtype=0), make("END")])
    assert result.uninitialized_reads and "never-written" in result.uninitialized_reads[0]


def test_deadlock_names_engines_and_semaphores() -> None:
    program = [make("DMA_LOAD", dram_addr=0, sram_addr=0, rows=1, row_bytes=16).with_sync(wait=3),
               make("MM_PRELOAD", sram_addr=0, dtype=0).with_sync(wait=4, signal=3), make("END")]  # fmt: skip
    with pytest.raises(DeadlockError, match=r"dma_in .*semaphore 3.*matrix .*semaphore 4"):
        Simulator().run(program)


def test_vector_ops_and_requantisation() -> None:
    sim = Simulator()
    x = np.arange(-8, 8, dtype=np.float32)
    sim.sram[0:64] = x.view(np.uint8)
    sim.sram[0x10000:0x10040] = (x * 2).view(np.uint8)
    sim._written[:] = True
    prog = [make("VECTOR", op=VECTOR_OPS["add"], src0=0, src1=0x10000, dst=0x200, length=16, dtype=DTYPES["f32"], src_space=SPACES["sram"], dst_space=SPACES["sram"]),
            make("VECTOR", op=VECTOR_OPS["relu"], src0=0x200, dst=0x300, length=16, dtype=DTYPES["f32"], src_space=SPACES["sram"], dst_space=SPACES["sram"]),
            make("END")]  # fmt: skip
    r = sim.run(prog)
    assert np.array_equal(sim.sram[0x300:0x340].view(np.float32), np.maximum(3 * x, 0))
    c = MachineConfig()
    assert [ev.end - ev.start for ev in r.events[:2]] == [1 + c.vector_pipeline_depth] * 2
    acc = np.array([0, 5, 6, 7, -7, 1000000, -1000000, 10], np.int32)
    # Oracle: round-half-even by hand. x*1 >> 1: 0, 2.5->2, 3, 3.5->4, -3.5->-4, sat 127, sat -128, 5 (+ zero point 0)
    assert requantize(acc, 1, 1, 0).tolist() == [0, 2, 3, 4, -4, 127, -128, 5]


def test_bank_conflicts_cost_cycles() -> None:
    c = MachineConfig()
    same = make("VECTOR", op=VECTOR_OPS["add"], src0=0, src1=64, dst=0x40000, length=64, dtype=DTYPES["f32"], src_space=1, dst_space=1)
    apart = make("VECTOR", op=VECTOR_OPS["add"], src0=0, src1=c.bank_bytes, dst=0x40000, length=64, dtype=DTYPES["f32"], src_space=1, dst_space=1)
    from byteir_sim import cycles_of

    assert cycles_of(same, c) - cycles_of(apart, c) == 64 // c.vector_lanes


def test_stats_and_trace() -> None:
    sim = Simulator()
    load_operands(sim, np.ones((16, N), np.int8), np.ones((N, N), np.int8))
    result = sim.run(tile_program("i8", 16))
    s = stats(result, sim.config, "tile")
    assert s["cycles"] == result.cycles and s["verdict"] in ("compute-bound", "memory-bound", "sync-bound")
    assert set(s["engines"]) == {"dma_in", "dma_out", "matrix", "vector", "control"} and s["dma_bytes"] == 16 * 16 + 16 * 16 + 16 * 16 * 4
    trace = chrome_trace(result, sim.config, name="tile")
    json.dumps(trace)
    names = {e["args"]["name"] for e in trace if e.get("name") == "thread_name"}
    assert names == {"dma_in", "dma_out", "matrix", "vector", "control"}
    assert sum(1 for e in trace if e["ph"] == "s") == 3 and sum(1 for e in trace if e["ph"] == "f") == 3
    assert any(e["ph"] == "C" for e in trace)


def test_program_must_end_and_stay_in_bounds() -> None:
    with pytest.raises(SimulatorFault, match="must end with END"):
        Simulator().run([make("NOP")])
    with pytest.raises(SimulatorFault, match="outside"):
        Simulator(MachineConfig(dram_bytes=1024)).run([make("DMA_LOAD", dram_addr=2048, sram_addr=0, rows=1, row_bytes=16), make("END")])


def test_config_files(tmp_path) -> None:
    (tmp_path / "m.toml").write_text("array_size = 8\ndram_bandwidth = 32\n")
    assert load_config(tmp_path / "m.toml") == MachineConfig(array_size=8, dram_bandwidth=32)
    (tmp_path / "m.json").write_text('{"vector_lanes": 32}')
    assert load_config(tmp_path / "m.json").vector_lanes == 32
    (tmp_path / "bad.toml").write_text("warp_drive = 9\n")
    with pytest.raises(UsageError, match="unknown machine parameter"):
        load_config(tmp_path / "bad.toml")


def test_sync_orders_engines_without_work() -> None:
    sim = Simulator()
    sim.sram[:64] = 1
    sim._written[:64] = True
    prog = [make("SYNC", engine=2).with_sync(signal=5),  # on the matrix engine
            make("DMA_STORE", dram_addr=0, sram_addr=0, rows=1, row_bytes=64).with_sync(wait=5), make("END")]  # fmt: skip
    r = sim.run(prog)
    assert [ev.engine for ev in r.events[:2]] == ["matrix", "dma_out"] and r.events[1].start >= r.events[0].end


def test_race_tracking_starts_afresh_for_each_program() -> None:
    sim = Simulator()
    sim.dram[:64] = 1
    load = [make("DMA_LOAD", dram_addr=0, sram_addr=0, rows=1, row_bytes=64), make("END")]
    overwrite = [make("VECTOR", op=VECTOR_OPS["neg"], src0=0, dst=0, length=16, dtype=DTYPES["f32"], src_space=SPACES["dram"], dst_space=SPACES["sram"]), make("END")]
    assert not sim.run(load).races
    assert not sim.run(overwrite).races  # the earlier program's write is complete, hence ordered


def test_broadcast_dma_repeats_one_row() -> None:
    sim = Simulator()
    row = np.arange(4, dtype=np.float32)
    sim.dram[:16] = row.view(np.uint8)
    sim.run([make("DMA_LOAD", dram_addr=0, sram_addr=0, rows=3, row_bytes=16, broadcast=1), make("END")])
    assert np.array_equal(sim.sram[:48].view(np.float32), np.tile(row, 3))


def test_lane_sum_is_lanewise_then_a_tree() -> None:
    """reduce_sum is defined bit for bit: lane j sums elements j, j+L, ... in order, then a tree over lanes."""
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(37) * 1e4).astype(np.float32)
    lanes = [np.float32(0)] * 4
    for i, v in enumerate(x):
        lanes[i % 4] = np.float32(lanes[i % 4] + v)
    want = np.float32(np.float32(lanes[0] + lanes[2]) + np.float32(lanes[1] + lanes[3]))
    assert lane_sum(x, 4)[0] == want
    # five lanes: the tree runs over eight, idle lanes hold zero
    bound = x.size * 2.0**-24 * np.abs(np.float64(x)).sum()  # the textbook bound for f32 summation
    assert abs(np.float64(lane_sum(x, 5)[0]) - np.float64(x).sum()) <= bound


def test_vector_reductions_write_one_element() -> None:
    sim = Simulator()
    x = np.arange(40, dtype=np.float32)
    sim.dram[:160] = x.view(np.uint8)
    f32, sram = DTYPES["f32"], SPACES["sram"]
    program = [
        make("DMA_LOAD", dram_addr=0, sram_addr=0, rows=1, row_bytes=160, signal_en=1, signal_sem=0),
        make("VECTOR", op=VECTOR_OPS["reduce_sum"], src0=0, dst=256, length=40, src_space=sram, dst_space=sram, dtype=f32, wait_en=1, wait_sem=0),
        make("VECTOR", op=VECTOR_OPS["reduce_max"], src0=0, dst=260, length=40, src_space=sram, dst_space=sram, dtype=f32, signal_en=1, signal_sem=1),
        make("DMA_STORE", dram_addr=1024, sram_addr=256, rows=1, row_bytes=8, wait_en=1, wait_sem=1),
        make("END"),
    ]
    result = sim.run(program)
    assert sim.dram[1024:1032].view(np.float32).tolist() == [780.0, 39.0]
    assert not result.races and not result.uninitialized_reads


def _run_load(shape_instrs: list, load, nbytes: int) -> tuple[np.ndarray, object]:
    sim = Simulator()
    sim.dram[:4096] = np.arange(4096, dtype=np.uint32).astype(np.uint8)
    program = [*shape_instrs, load.with_sync(signal=0), make("SYNC", engine=ENGINES.index("dma_out"), wait_en=1, wait_sem=0)]
    program += [make("DMA_STORE", dram_addr=8192, sram_addr=0, rows=1, row_bytes=nbytes), make("END")]
    result = sim.run(program)
    return sim.dram[8192 : 8192 + nbytes].copy(), result


def test_four_dimensional_dma_gathers_strided_blocks() -> None:
    """count3 x count2 blocks of rows x row_bytes, DRAM strided at every level, packed in the scratchpad."""
    dram = np.arange(4096, dtype=np.uint32).astype(np.uint8)
    dims = make("DMA_DIMS", engine=ENGINES.index("dma_in"), count2=3, dram_stride2=100, count3=2, dram_stride3=1000)
    load = make("DMA_LOAD", dram_addr=7, sram_addr=0, rows=2, row_bytes=5, dram_stride=20)
    got, result = _run_load([dims], load, 2 * 3 * 2 * 5)
    want = np.concatenate([dram[7 + i3 * 1000 + i2 * 100 + r * 20 :][:5] for i3 in range(2) for i2 in range(3) for r in range(2)])
    np.testing.assert_array_equal(got, want)
    dma = next(ev for ev in result.events if ev.name == "DMA_LOAD")
    c = MachineConfig()
    assert dma.end - dma.start == c.dma_setup + c.dram_latency + -(-60 // c.dram_bandwidth)


def test_dma_layout_pads_with_zeros_and_pitches_rows() -> None:
    layout = make("DMA_LAYOUT", engine=ENGINES.index("dma_in"), pad_before=1, pad_after=2, sram_pitch=8)
    load = make("DMA_LOAD", dram_addr=0, sram_addr=0, rows=2, row_bytes=3, dram_stride=10)
    got, result = _run_load([layout], load, 5 * 8)
    block = np.zeros((5, 8), np.uint8)
    block[1, :3], block[2, :3] = [0, 1, 2], [10, 11, 12]
    np.testing.assert_array_equal(got.reshape(5, 8), block)
    assert not result.uninitialized_reads  # the padding counts as written


def test_dma_layout_transposes_each_block() -> None:
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    sim = Simulator()
    sim.dram[:48] = x.view(np.uint8).reshape(-1)
    program = [
        make("DMA_LAYOUT", engine=ENGINES.index("dma_in"), transpose=1, elem_log2=2),
        make("DMA_LOAD", dram_addr=0, sram_addr=0, rows=3, row_bytes=16, signal_en=1, signal_sem=0),
        make("DMA_STORE", dram_addr=4096, sram_addr=0, rows=1, row_bytes=48, wait_en=1, wait_sem=0),
        make("END"),
    ]
    sim.run(program)
    np.testing.assert_array_equal(sim.dram[4096:4144].view(np.float32).reshape(4, 3), x.T)


def test_dma_shape_applies_to_one_transfer_and_is_checked() -> None:
    sim = Simulator()
    dims = make("DMA_DIMS", engine=ENGINES.index("dma_in"), count2=4, dram_stride2=64)
    first = make("DMA_LOAD", dram_addr=0, sram_addr=0, rows=1, row_bytes=64)
    second = make("DMA_LOAD", dram_addr=0, sram_addr=4096, rows=1, row_bytes=64)
    result = sim.run([dims, first, second, make("END")])
    loads = [ev for ev in result.events if ev.name == "DMA_LOAD"]
    assert loads[0].end - loads[0].start > loads[1].end - loads[1].start  # only the first moved 4 blocks
    with pytest.raises(SimulatorFault, match="not a DMA engine"):
        Simulator().run([make("DMA_DIMS", engine=ENGINES.index("vector"), count2=2), make("END")])
    with pytest.raises(SimulatorFault, match="load-only"):
        Simulator().run([make("DMA_LAYOUT", engine=ENGINES.index("dma_out"), pad_before=1),
                         make("DMA_STORE", dram_addr=0, sram_addr=0, rows=1, row_bytes=4), make("END")])  # fmt: skip
