"""Reference ASIC model sanity, as a benchmark (not a timed test). Prints a table and writes
markdown + JSON (default benchmarks/results/ref_asic_sanity.{md,json}).

1. A 1024 x 1024 x 1024 f32 matmul lowered by the ref_asic backend: modelled MAC utilisation.
2. One 16-row tile: the simulated cycles equal the documented formula.
3. The transformer example on the simulator end to end: wall seconds on this machine.

Usage: python benchmarks/ref_asic_sanity.py [--out DIR] [--size 1024]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import date
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

import byteir_sdk
from byteir_sdk import models, reference
from byteir_sim import MachineConfig, Simulator
from byteir_sim.isa import DTYPES, Instruction, make
from byteir_sim.trace import stats
from byteir_targets.ref_asic import RefAsicDevice
from byteir_sdk.compiler.loop.kernel_ir import Contraction
from byteir_targets.ref_asic.lowering.gemm import lower_contraction


def matmul_utilisation(size: int, config: MachineConfig) -> dict[str, object]:
    sim = Simulator(config)
    bases = [0, size * size * 4, 2 * size * size * 4]
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size)).astype(np.float32)
    b = rng.standard_normal((size, size)).astype(np.float32)
    sim.dram[bases[0] : bases[0] + a.nbytes] = a.view(np.uint8).reshape(-1)
    sim.dram[bases[1] : bases[1] + b.nbytes] = b.view(np.uint8).reshape(-1)
    program, relocations = lower_contraction(Contraction(1, size, size, size), (0, 0), (1, 0), (2, 0), config)
    for i in range(0, len(relocations), 2):
        instr = program[relocations[i]]
        program[relocations[i]] = Instruction(instr.name, {**instr.fields, "dram_addr": instr.get("dram_addr") + bases[relocations[i + 1]]})
    start = time.perf_counter()
    result = sim.run(program)
    wall = time.perf_counter() - start
    c = sim.dram[bases[2] : bases[2] + size * size * 4].view(np.float32).reshape(size, size)
    ok = np.allclose(c, a.astype(np.float64) @ b, rtol=1e-3, atol=1e-3)
    s = stats(result, config)
    return {"size": size, "cycles": result.cycles, "mac_utilisation": result.utilisation(config), "verdict": s["verdict"],
            "instructions": len(program), "simulated_seconds_wall": wall, "correct_vs_numpy": bool(ok), "races": len(result.races)}  # fmt: skip


def single_tile(config: MachineConfig, rows: int = 16) -> dict[str, object]:
    sim = Simulator(config)
    sim.sram[:] = 0
    sim._written[:] = True  # values are irrelevant here: only the timing is measured
    n = config.array_size
    program = [make("MM_PRELOAD", sram_addr=0, dtype=DTYPES["f32"]), make("MM_COMPUTE", sram_addr=4096, acc_addr=0, rows=rows, dtype=DTYPES["f32"]), make("END")]
    result = sim.run(program)
    compute = next(e for e in result.events if e.name == "MM_COMPUTE")
    formula = rows + 2 * n - 1
    return {"rows": rows, "array": n, "simulated_cycles": compute.end - compute.start, "formula": formula, "equal": compute.end - compute.start == formula}


def transformer_wall() -> dict[str, object]:
    program = models.get("transformer")
    start = time.perf_counter()
    byre = byteir_sdk.compile(program, "ref_asic")
    compiled = time.perf_counter()
    device = RefAsicDevice()
    try:
        with byteir_sdk.Session(byre, device=device) as session:
            x = reference.random_inputs(program)
            loaded = time.perf_counter()
            out = session.run(x)
            ran = time.perf_counter()
            reports = device.take_reports()
    finally:
        device.close()
    ok = all(reference.compare(o, w, reference.default_tolerance(w.dtype)).ok for o, w in zip(out, reference.run(program, x, engine="xla")))
    return {"compile_s": compiled - start, "load_s": loaded - compiled, "run_s": ran - loaded, "total_s": ran - start,
            "asic_kernels": sum(r.where == "asic" for r in reports), "host_kernels": sum(r.where == "host" for r in reports), "matches_xla": ok}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="benchmarks/results", help="directory for the markdown and JSON reports")
    parser.add_argument("--size", type=int, default=1024, help="matmul size (default 1024)")
    args = parser.parse_args()
    config = MachineConfig()
    results = {"date": str(date.today()), "machine": f"{platform.processor() or platform.machine()}, {platform.python_version()}",
               "config": config.to_dict(), "matmul": matmul_utilisation(args.size, config), "single_tile": single_tile(config),
               "transformer": transformer_wall()}  # fmt: skip
    m, t, tr = results["matmul"], results["single_tile"], results["transformer"]
    table = Table(title="reference ASIC model sanity", title_justify="left")
    for col in ("check", "measured", "target", "met"):
        table.add_column(col)
    rows = [
        (f"{args.size}^3 f32 matmul MAC utilisation", f"{m['mac_utilisation']:.1%} ({m['cycles']:,} cycles, {m['verdict']})", ">= 80%", m["mac_utilisation"] >= 0.8),
        ("single tile cycles vs formula rows + 2N - 1", f"{t['simulated_cycles']} vs {t['formula']}", "equal", t["equal"]),
        ("transformer on the simulator, wall", f"{tr['total_s']:.2f} s ({tr['asic_kernels']} asic / {tr['host_kernels']} host kernels)", "< 60 s", tr["total_s"] < 60),
    ]
    for row in rows:
        table.add_row(row[0], row[1], row[2], "yes" if row[3] else "NO")
    Console().print(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ref_asic_sanity.json").write_text(json.dumps(results, indent=1))
    md = ["| check | measured | target | met |", "|---|---|---|---|"] + [f"| {r[0]} | {r[1]} | {r[2]} | {'yes' if r[3] else 'NO'} |" for r in rows]
    (out / "ref_asic_sanity.md").write_text(f"Measured {results['date']} on {results['machine']}.\n\n" + "\n".join(md) + "\n")
    print(f"wrote {out / 'ref_asic_sanity.md'} and .json")


if __name__ == "__main__":
    main()
