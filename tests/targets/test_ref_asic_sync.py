"""Semaphore insertion from buffer regions: the simulator's race detector is the independent check."""

from __future__ import annotations

import numpy as np

from byteir_sim import MachineConfig, Simulator
from byteir_sim.isa import DTYPES, ENGINES, SPACES, VECTOR_OPS, DmaShape, dma_shape_after, make
from byteir_targets.ref_asic.lowering.sync import insert_semaphores, regions


def test_regions_of_each_kind() -> None:
    c = MachineConfig()
    reads, writes = regions(make("MM_COMPUTE", sram_addr=64, acc_addr=128, rows=2, accumulate=1, dtype=DTYPES["f32"]), c)
    assert ("sram", 64, 64 + 2 * 16 * 4) in reads and ("weights", 0, 1) in reads and writes == [("acc", 128, 128 + 2 * 16 * 4)]
    reads, writes = regions(make("DMA_STORE", dram_addr=0, sram_addr=0, rows=3, row_bytes=8, dram_stride=100, from_acc=1), c)
    assert reads == [("acc", 0, 24)] and writes == [("dram", 0, 208)]


def test_hazards_across_engines_get_semaphores_and_no_races() -> None:
    c = MachineConfig()
    f32 = DTYPES["f32"]
    plain = [
        make("DMA_LOAD", dram_addr=0, sram_addr=0, rows=1, row_bytes=64),  # x -> sram[0:64]
        make("VECTOR", op=VECTOR_OPS["relu"], src0=0, dst=0x1000, length=16, dtype=f32, src_space=SPACES["sram"], dst_space=SPACES["sram"]),  # RAW on dma_in
        make("DMA_LOAD", dram_addr=64, sram_addr=0, rows=1, row_bytes=64),  # WAR: must wait for the VECTOR read
        make("VECTOR", op=VECTOR_OPS["add"], src0=0, src1=0x1000, dst=0x2000, length=16, dtype=f32, src_space=SPACES["sram"], dst_space=SPACES["sram"]),
        make("DMA_STORE", dram_addr=4096, sram_addr=0x2000, rows=1, row_bytes=64),  # RAW on vector
        make("END"),
    ]  # fmt: skip
    synced = insert_semaphores(plain, c)
    waits = [(i.name, i.get("wait_sem")) for i in synced if i.get("wait_en")]
    assert [w[0] for w in waits] == ["VECTOR", "DMA_LOAD", "VECTOR", "DMA_STORE"]
    x = np.arange(-8, 8, dtype=np.float32)
    y = np.arange(16, dtype=np.float32)
    for program, expect_races in ((plain, True), (synced, False)):
        sim = Simulator(c)
        sim.dram[0:64] = x.view(np.uint8)
        sim.dram[64:128] = y.view(np.uint8)
        result = sim.run(program)
        assert bool(result.races) == expect_races
    assert np.array_equal(sim.dram[4096 : 4096 + 64].view(np.float32), y + np.maximum(x, 0))


def test_an_instruction_needing_two_waits_gets_a_sync() -> None:
    c = MachineConfig()
    f32 = DTYPES["f32"]
    # The store reads sram[0:128]: its first half comes from dma_in, its second half from vector.
    plain = [
        make("DMA_LOAD", dram_addr=0, sram_addr=0, rows=1, row_bytes=64),
        make("VECTOR", op=VECTOR_OPS["neg"], src0=64, dst=64, length=16, dtype=f32, src_space=SPACES["dram"], dst_space=SPACES["sram"]),
        make("DMA_STORE", dram_addr=4096, sram_addr=0, rows=1, row_bytes=128),
        make("END"),
    ]  # fmt: skip
    synced = insert_semaphores(plain, c)
    assert [i.name for i in synced] == ["DMA_LOAD", "VECTOR", "SYNC", "DMA_STORE", "END"]
    assert synced[2].engine == "dma_out" and synced[2].get("wait_en") and synced[3].get("wait_en")
    sim = Simulator(c)
    x = np.arange(32, dtype=np.float32)
    sim.dram[0:128] = x.view(np.uint8)
    result = sim.run(synced)
    assert not result.races
    out = sim.dram[4096 : 4096 + 128].view(np.float32)
    assert np.array_equal(out, np.concatenate([x[:16], -x[16:]]))


def test_shaped_dma_regions_cover_every_block() -> None:
    """A DMA_DIMS-shaped load writes all its blocks: a read of the last block must wait for it."""
    c = MachineConfig()
    f32, sram = DTYPES["f32"], SPACES["sram"]
    plain = [
        make("DMA_DIMS", engine=ENGINES.index("dma_in"), count2=4, dram_stride2=64),
        make("DMA_LOAD", dram_addr=0, sram_addr=0, rows=1, row_bytes=64),  # 4 blocks -> sram[0:256]
        make("VECTOR", op=VECTOR_OPS["relu"], src0=192, dst=0x1000, length=16, dtype=f32, src_space=sram, dst_space=sram),
        make("DMA_STORE", dram_addr=4096, sram_addr=0x1000, rows=1, row_bytes=64),
        make("END"),
    ]
    reads, writes = regions(plain[1], c, dma_shape_after(DmaShape(), plain[0]))
    assert writes == [("sram", 0, 256)] and len(reads) == 4
    synced = insert_semaphores(plain, c)
    assert [i.name for i in synced if i.get("wait_en")] == ["VECTOR", "DMA_STORE"]
    sim = Simulator(c)
    x = np.arange(-32, 32, dtype=np.float32)
    sim.dram[:256] = x.view(np.uint8)
    result = sim.run(synced)
    assert not result.races and np.array_equal(sim.dram[4096 : 4096 + 64].view(np.float32), np.maximum(x[48:], 0))
