"""cocotb testbench of simulator/rtl/systolic_tile.v (run by tests/rtl/test_rtl.py).

Constrained-random weights and activations (including -128 and 127), random gaps on the weight
and activation streams and random back-pressure on results; every result row must equal
``byteir_sim.functional.systolic_tile`` bit for bit. Without gaps or back-pressure, the cycles
from the first activation handshake to the last result handshake (both counted) must equal the
simulator's MM_COMPUTE formula (``byteir_sim.sim.cycles_of``)."""

from __future__ import annotations

import os
import random

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly

from byteir_sim.config import MachineConfig
from byteir_sim.functional import systolic_tile
from byteir_sim.isa import make
from byteir_sim.sim import cycles_of
from tests.rtl.handshake import stream

N = int(os.environ["TILE_N"])


def _pack(values: np.ndarray, bits: int) -> int:
    mask = (1 << bits) - 1
    return sum((int(v) & mask) << (bits * i) for i, v in enumerate(values))


def _unpack_i32(word: int) -> np.ndarray:
    return np.array([(word >> (32 * j)) & 0xFFFFFFFF for j in range(N)], np.uint32).view(np.int32)


async def _reset(dut) -> None:  # noqa: ANN001
    Clock(dut.clk, 10, unit="ns").start(start_high=False)
    dut.rst_n.value = 0
    dut.w_valid.value = 0
    dut.a_valid.value = 0
    dut.a_last.value = 0
    dut.r_ready.value = 0
    dut.w_data.value = 0
    dut.a_data.value = 0
    for _ in range(3):
        await FallingEdge(dut.clk)
    dut.rst_n.value = 1


async def _load_weights(dut, weights: np.ndarray, rng: random.Random, gap: float) -> None:  # noqa: ANN001
    k = 0
    while k < N:
        await FallingEdge(dut.clk)
        valid = rng.random() >= gap
        dut.w_valid.value = int(valid)
        dut.w_data.value = _pack(weights[k], 8)
        await ReadOnly()
        if valid and int(dut.w_ready.value):
            k += 1
    await FallingEdge(dut.clk)
    dut.w_valid.value = 0


async def _stream(dut, acts: np.ndarray, rng: random.Random, gap: float, stall: float) -> tuple[np.ndarray, int]:  # noqa: ANN001
    """Stream `acts`; returns (result rows, cycles from first input to last output, both counted)."""
    rows = acts.shape[0]
    out = np.zeros((rows, N), np.int32)

    def drive(i: int) -> None:
        dut.a_data.value = _pack(acts[i], 8)
        dut.a_last.value = int(i == rows - 1)

    def take(j: int) -> None:
        out[j] = _unpack_i32(int(dut.r_data.value))
        assert int(dut.r_last.value) == int(j == rows - 1), f"r_last wrong on row {j}"

    cycles = await stream(dut, rows, drive, take, ("a_valid", "a_ready", "r_valid", "r_ready"), rng, gap, stall)
    return out, cycles


def _operands(rng: np.random.Generator, rows: int) -> tuple[np.ndarray, np.ndarray]:
    acts = rng.integers(-128, 128, (rows, N), dtype=np.int16).astype(np.int8)
    weights = rng.integers(-128, 128, (N, N), dtype=np.int16).astype(np.int8)
    acts[0, 0], weights[0, 0] = -128, -128  # the extreme product
    if rows > 1:
        acts[1, :] = 127
    return acts, weights


@cocotb.test()
async def random_tiles_with_backpressure_match_the_model(dut) -> None:  # noqa: ANN001
    await _reset(dut)
    rng, np_rng = random.Random(int(os.environ.get("TILE_SEED", "1"))), np.random.default_rng(int(os.environ.get("TILE_SEED", "1")))
    for tile in range(6):
        rows = [1, 2, N, 3 * N + 1, 7, 40][tile]
        acts, weights = _operands(np_rng, rows)
        gap, stall = [(0.0, 0.0), (0.3, 0.0), (0.0, 0.4), (0.5, 0.5), (0.2, 0.7), (0.1, 0.2)][tile]
        await _load_weights(dut, weights, rng, gap)
        got, _ = await _stream(dut, acts, rng, gap, stall)
        want = systolic_tile(acts, weights)
        assert np.array_equal(got, want), f"tile {tile} ({rows} rows): RTL differs from systolic_tile at {np.argwhere(got != want)[:4].tolist()}"


@cocotb.test()
async def tile_latency_is_the_simulator_formula(dut) -> None:  # noqa: ANN001
    await _reset(dut)
    rng, np_rng = random.Random(0), np.random.default_rng(0)
    for rows in (1, N, 5 * N + 3):
        acts, weights = _operands(np_rng, rows)
        await _load_weights(dut, weights, rng, 0.0)
        got, cycles = await _stream(dut, acts, rng, 0.0, 0.0)
        assert np.array_equal(got, systolic_tile(acts, weights))
        formula = cycles_of(make("MM_COMPUTE", rows=rows), MachineConfig(array_size=N))
        assert cycles == formula, f"{rows} rows: RTL latency {cycles} cycles, simulator formula {formula}"
