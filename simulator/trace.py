"""Simulator outputs: a stats dictionary (JSON) and a Chrome/Perfetto trace.

Trace: one track per engine (``tid``), one complete event per instruction with its fields and
the StableHLO location in ``args``, a flow arrow from each semaphore signal to the wait that
consumed it, and a DMA bandwidth counter track. Timestamps are microseconds at the clock.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from byteir_sim.config import MachineConfig
from byteir_sim.isa import ENGINES
from byteir_sim.sim import RunResult

__all__ = ["stats", "chrome_trace", "write_json"]


def stats(result: RunResult, config: MachineConfig, name: str = "program") -> dict[str, object]:
    """Cycles, per-engine busy/idle/stall, MAC utilisation, DMA bytes and bandwidth, verdict."""
    cycles = result.cycles
    seconds = cycles / config.clock_hz
    return {
        "name": name,
        "cycles": cycles,
        "seconds": seconds,
        "engines": {e: {"busy": result.busy[e], "stall": result.stall[e], "idle": max(0, cycles - result.busy[e] - result.stall[e])} for e in ENGINES},
        "macs": result.macs,
        "mac_utilisation": result.utilisation(config),
        "dma_bytes": result.dma_bytes,
        "dma_bytes_per_cycle": result.dma_bytes / cycles if cycles else 0.0,
        "dram_bandwidth_utilisation": result.dma_bytes / (cycles * config.dram_bandwidth) if cycles else 0.0,
        "verdict": result.verdict(),
        "races": list(result.races),
        "uninitialized_reads": list(result.uninitialized_reads),
    }


def chrome_trace(result: RunResult, config: MachineConfig, pid: int = 0, name: str = "program") -> list[dict[str, object]]:
    """Trace events for one program run (Chrome/Perfetto JSON array format)."""
    us = 1e6 / config.clock_hz
    events: list[dict[str, object]] = [{"ph": "M", "pid": pid, "name": "process_name", "args": {"name": name}}]
    for tid, engine in enumerate(ENGINES):
        events.append({"ph": "M", "pid": pid, "tid": tid, "name": "thread_name", "args": {"name": engine}})
    by_index = {ev.index: ev for ev in result.events}
    for ev in result.events:
        tid = ENGINES.index(ev.engine)
        events.append({"name": ev.name, "cat": ev.engine, "ph": "X", "pid": pid, "tid": tid, "ts": ev.start * us, "dur": max(ev.end - ev.start, 1) * us,
                       "args": {"instruction": ev.index, "loc": ev.loc, **ev.args}})  # fmt: skip
        if ev.waited_on is not None and ev.waited_on in by_index:
            src = by_index[ev.waited_on]
            flow = f"{pid}-{ev.waited_on}-{ev.index}"
            events.append({"name": "semaphore", "cat": "sync", "ph": "s", "id": flow, "pid": pid, "tid": ENGINES.index(src.engine), "ts": src.end * us})
            events.append({"name": "semaphore", "cat": "sync", "ph": "f", "bp": "e", "id": flow, "pid": pid, "tid": tid, "ts": ev.start * us})
        if ev.name in ("DMA_LOAD", "DMA_STORE"):
            nbytes = ev.args.get("rows", 0) * ev.args.get("row_bytes", 0)
            rate = nbytes / max(ev.end - ev.start, 1)
            events.append({"name": f"{ev.engine} bytes/cycle", "ph": "C", "pid": pid, "ts": ev.start * us, "args": {"bytes_per_cycle": rate}})
            events.append({"name": f"{ev.engine} bytes/cycle", "ph": "C", "pid": pid, "ts": ev.end * us, "args": {"bytes_per_cycle": 0}})
    return events


def write_json(path: str | os.PathLike[str], data: object) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1))
    return out
