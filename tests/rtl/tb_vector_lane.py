"""cocotb testbench of simulator/rtl/vector_lane.v (run by tests/rtl/test_rtl.py).

Constrained-random add / max / relu / requant operands (with the int32, shift, scale and zero
point extremes mixed in), random input gaps and output back-pressure; every result must equal
``byteir_sim.functional.vector_op`` / ``requantize`` bit for bit. Without gaps or back-pressure,
a stream of L elements takes the simulator's VECTOR_QUANT formula for one lane."""

from __future__ import annotations

import os
import random

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge

from byteir_sim.config import MachineConfig
from byteir_sim.functional import requantize, vector_op
from byteir_sim.isa import make
from byteir_sim.sim import cycles_of
from tests.rtl.handshake import stream

OPS = ("add", "max", "relu", "requant")
I32 = np.dtype(np.int32)


def expected(op: str, a: int, b: int, scale: int, shift: int, zp: int) -> int:
    """The functional model's result, as the lane's sign-extended int32 output."""
    x, y = np.array([a], np.int32), np.array([b], np.int32)
    if op == "requant":
        return int(requantize(x, scale, shift, zp)[0])
    return int(vector_op(op, x, None if op == "relu" else y, I32)[0])


def _operand(rng: random.Random) -> int:
    return rng.choice([-(2**31), 2**31 - 1, 0, -1, 1, rng.randint(-(2**31), 2**31 - 1), rng.randint(-5000, 5000)])


def _element(rng: random.Random) -> tuple[str, int, int, int, int, int]:
    op = rng.choice(OPS)
    scale = rng.choice([0, 1, 65535, rng.randint(0, 65535)])
    shift = rng.choice([0, 1, 63, rng.randint(0, 40)])
    zp = rng.choice([0, 127, 128, 255, rng.randint(0, 255)])  # the ISA's 8-bit two's complement field
    if op == "requant" and rng.random() < 0.3:  # exact halves: round half to even
        shift = rng.randint(1, 20)
        scale = 1
        a = (rng.randint(-1000, 1000) << shift) + (1 << (shift - 1))
        return op, a, 0, scale, shift, zp
    return op, _operand(rng), _operand(rng), scale, shift, zp


async def _reset(dut) -> None:  # noqa: ANN001
    Clock(dut.clk, 10, unit="ns").start(start_high=False)
    dut.rst_n.value = 0
    dut.in_valid.value = 0
    dut.out_ready.value = 0
    for name in ("op", "a", "b", "scale", "shift", "zero_point"):
        getattr(dut, name).value = 0
    for _ in range(3):
        await FallingEdge(dut.clk)
    dut.rst_n.value = 1


async def _stream(dut, elements: list, rng: random.Random, gap: float, stall: float) -> tuple[list[int], int]:  # noqa: ANN001
    out: list[int] = []

    def drive(i: int) -> None:
        op, a, b, scale, shift, zp = elements[i]
        dut.op.value = OPS.index(op)
        dut.a.value = a & 0xFFFFFFFF
        dut.b.value = b & 0xFFFFFFFF
        dut.scale.value = scale
        dut.shift.value = shift
        dut.zero_point.value = zp

    def take(_: int) -> None:
        out.append(int(np.array([int(dut.out_data.value)], np.uint32).view(np.int32)[0]))

    cycles = await stream(dut, len(elements), drive, take, ("in_valid", "in_ready", "out_valid", "out_ready"), rng, gap, stall)
    return out, cycles


@cocotb.test()
async def random_operations_with_backpressure_match_the_model(dut) -> None:  # noqa: ANN001
    await _reset(dut)
    rng = random.Random(int(os.environ.get("LANE_SEED", "1")))
    elements = [_element(rng) for _ in range(3000)]
    got, _ = await _stream(dut, elements, rng, gap=0.25, stall=0.35)
    for i, (e, g) in enumerate(zip(elements, got)):
        assert g == expected(*e), f"element {i} {e}: RTL {g}, model {expected(*e)}"


@cocotb.test()
async def stream_latency_is_the_simulator_formula(dut) -> None:  # noqa: ANN001
    await _reset(dut)
    rng = random.Random(0)
    for length in (1, 5, 64):
        elements = [_element(rng) for _ in range(length)]
        got, cycles = await _stream(dut, elements, rng, gap=0.0, stall=0.0)
        assert got == [expected(*e) for e in elements]
        formula = cycles_of(make("VECTOR_QUANT", length=length), MachineConfig(vector_lanes=1))
        assert cycles == formula, f"{length} elements: RTL latency {cycles} cycles, simulator formula {formula}"
