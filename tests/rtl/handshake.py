"""The valid/ready stream driver both cocotb testbenches use."""

from __future__ import annotations

import random
from collections.abc import Callable

from cocotb.triggers import FallingEdge, ReadOnly


async def stream(dut, n: int, drive: Callable[[int], None], take: Callable[[int], None], ports: tuple[str, str, str, str],  # noqa: ANN001
                 rng: random.Random, gap: float, stall: float) -> int:  # fmt: skip
    """Clock `n` items through `dut` with random input gaps and output stalls: ``drive(i)`` sets
    item i's data, ``take(j)`` reads result j; `ports` names (in_valid, in_ready, out_valid,
    out_ready). Inputs change on falling edges and handshakes are sampled before the next rising
    edge. Returns the cycles from the first input handshake to the last output one, both counted."""
    in_valid, in_ready, out_valid, out_ready = (getattr(dut, p) for p in ports)
    sent = received = cycle = 0
    first = last = -1
    while received < n:
        assert cycle < 50 * n + 1000, "the block stopped making progress"
        valid = sent < n and rng.random() >= gap
        ready = rng.random() >= stall
        in_valid.value = int(valid)
        drive(min(sent, n - 1))
        out_ready.value = int(ready)
        await ReadOnly()
        if ready and int(out_valid.value):
            take(received)
            received += 1
            last = cycle
        if valid and int(in_ready.value):
            first = cycle if first < 0 else first
            sent += 1
        await FallingEdge(dut.clk)
        cycle += 1
    in_valid.value = 0
    out_ready.value = 0
    return last - first + 1
