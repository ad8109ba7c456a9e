"""Where one CPU workload's time goes: our kernels beside XLA's ops, and each GEMM beside the libraries.

For a workload of ``cpu_workloads.py`` (chosen by name prefix), in one process:

1. **Ours, per kernel**: ``Session.profile`` over interleaved rounds (a pause before each, as in
   ``cpu_workloads.py``), the median seconds of each kernel, its FLOPs (the StableHLO ops it was
   outlined from) and GFLOP/s, against the steady-state ``Session.run`` of the same rounds.
2. **XLA, per op**: a ``jax.profiler`` trace (Perfetto JSON) of the same number of runs; each
   HLO op's median seconds a run, against ``jax.jit``'s steady-state run. XLA:CPU runs independent
   ops concurrently, so its column can sum to more than its run.
3. **GEMM ceiling**: each BLAS contraction of ours (its batch and m x k x n, as our launch calls
   it) timed alone in OpenBLAS (NumPy's ``matmul``, on all cores) and in XLA (``jax.jit`` of the
   same ``matmul``): what each library reaches on that shape, whatever the program around it.

Usage: python benchmarks/kernel_profile.py NAME [--rounds 15] [--out DIR]
Writes DIR/kernel_profile_<name>.{md,json} (default benchmarks/results/).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import statistics
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from cpu_workloads import (  # (this script's folder is on sys.path)
    Workload,
    roofline,
    steady,
    warm,
    warm_up,
    workloads,
)
from rich.console import Console
from rich.table import Table

import byteir_sdk
from byteir_sdk._mlir import func_dialect
from byteir_sdk.compiler.analysis import op_flops
from byteir_sdk.compiler.pipeline import CompileOptions, run_stages
from byteir_sdk.runtime import Session


def kernel_flops(graph_module: object) -> dict[str, int]:
    """FLOPs of each outlined kernel function (``kN_<op>``) of a compiled program's graph module."""
    out: dict[str, int] = {}
    for op in graph_module.body.operations:  # type: ignore[attr-defined]
        if isinstance(op.opview, func_dialect.FuncOp):
            name = op.opview.sym_name.value
            out[name] = sum(op_flops(inner) for block in op.regions[0].blocks for inner in block.operations)
    return out


def gemm_shapes(lowered: dict) -> dict[str, list[tuple[tuple[int, ...], int, int, int]]]:
    """Each kernel's BLAS calls as (batch shape, m, k, n): contractions as called, convolutions as
    their im2col GEMM."""
    out: dict[str, list[tuple[tuple[int, ...], int, int, int]]] = {}
    for name, kernel in lowered.items():
        for call in kernel.launch.get("library_calls", []) if isinstance(kernel.launch, dict) else []:
            if call["op"] == "conv2d":
                n, oh, ow, f = call["c_shape"]
                kh, kw, c, _ = call["b_shape"]
                out.setdefault(name, []).append(((), n * oh * ow, kh * kw * c, f))
            else:
                *batch, m, k = call["a_shape"]
                out.setdefault(name, []).append((tuple(batch), m, k, call["b_shape"][-1]))
    return out


def _median_ms(values: Sequence[float]) -> float:
    return statistics.median(values) * 1e3


def profile_ours(w: Workload, rounds: int) -> tuple[dict[str, list[float]], list[float], dict[str, int], dict]:
    """Our kernels' seconds over `rounds` (name -> one figure a round), our run's seconds, each
    kernel's FLOPs and its BLAS shapes."""
    comp = run_stages(byteir_sdk.load(w.fn, *w.args), CompileOptions.make("cpu"))
    kernels: dict[str, list[float]] = defaultdict(list)
    runs = []
    with Session(comp.byre) as session:
        session.run(w.args)
        for _ in range(rounds):
            runs.append(steady(lambda: session.run(w.args)))
            warm(lambda: session.run(w.args))
            per_round: dict[str, float] = defaultdict(float)
            for k in session.profile(w.args, repeat=2):
                per_round[k.callee] += k.seconds
            for name, seconds in per_round.items():
                kernels[name].append(seconds)
    return dict(kernels), runs, kernel_flops(comp.graph_module), gemm_shapes(comp.lowered)


def _trace_ops(trace_dir: Path, runs: int) -> dict[str, float]:
    """HLO op -> seconds a run, from the Perfetto trace ``jax.profiler`` wrote under `trace_dir`:
    the complete events on XLA's threads that are not runtime bookkeeping (``A::B``, ``$python``,
    ``end: ...`` markers)."""
    files = sorted(trace_dir.rglob("perfetto_trace.json.gz"))
    if not files:
        return {}
    data = json.loads(gzip.decompress(files[-1].read_bytes()))
    events = data["traceEvents"] if isinstance(data, dict) else data
    threads = {(e.get("pid"), e.get("tid")): e.get("args", {}).get("name", "") for e in events if e.get("ph") == "M" and e.get("name") == "thread_name"}
    per_op: dict[str, float] = defaultdict(float)
    for e in events:
        name = e.get("name", "")
        if e.get("ph") != "X" or "XLA" not in threads.get((e.get("pid"), e.get("tid")), ""):
            continue
        if "::" in name or name.startswith(("$", "end: ")) or " " in name:
            continue
        per_op[name] += float(e.get("dur", 0)) * 1e-6 / runs
    return dict(per_op)


def profile_xla(w: Workload, rounds: int) -> tuple[dict[str, float], list[float]]:
    """XLA's ops (name -> seconds a run, traced over `rounds` warmed rounds) and its run's seconds."""
    fn = jax.jit(w.fn)
    args = [jax.device_put(a) for a in w.args]
    traced = [0]

    def run() -> None:
        jax.block_until_ready(fn(*args))
        traced[0] += 1

    run()
    times = [steady(run) for _ in range(rounds)]
    with tempfile.TemporaryDirectory() as tmp:
        traced[0] = 0
        with jax.profiler.trace(tmp, create_perfetto_trace=True):
            for _ in range(rounds):
                warm(run)
        ops = _trace_ops(Path(tmp), traced[0])
    return ops, times


def gemm_ceiling(shape: tuple[tuple[int, ...], int, int, int], rounds: int) -> tuple[float, float]:
    """Seconds of one GEMM of `shape` (batch, m, k, n) alone: OpenBLAS (NumPy) and XLA."""
    batch, m, k, n = shape
    rng = np.random.default_rng(0)
    a = rng.standard_normal((*batch, m, k), dtype=np.float32)
    b = rng.standard_normal((*batch, k, n), dtype=np.float32)
    c = np.empty((*batch, m, n), np.float32)
    xla = jax.jit(jnp.matmul)
    ja, jb = jax.device_put(a), jax.device_put(b)
    blas_runs, xla_runs = [], []
    for _ in range(rounds):
        blas_runs.append(steady(lambda: np.matmul(a, b, out=c)))
        xla_runs.append(steady(lambda: jax.block_until_ready(xla(ja, jb))))
    return statistics.median(blas_runs), statistics.median(xla_runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="a workload name prefix (see cpu_workloads.py)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results"))
    args = parser.parse_args()
    chosen = [w for w in workloads() if w.name.lower().startswith(args.name.lower())]
    if len(chosen) != 1:
        parser.error(f"{args.name!r} names {len(chosen)} workloads; one of: {', '.join(w.name for w in workloads())}")
    w = chosen[0]
    console = Console()
    warm_up()
    peak = roofline()
    console.print(f"[bold]{w.name}[/bold]: sgemm {peak[0] / 1e9:.1f} GFLOP/s (NumPy/BLAS, 2048^3), {args.rounds} rounds")

    kernels, our_runs, flops, shapes = profile_ours(w, args.rounds)
    xla_ops, xla_runs = profile_xla(w, args.rounds)
    ceilings = {shape: gemm_ceiling(shape, max(5, args.rounds // 2)) for calls in shapes.values() for shape in calls}

    ours = Table(title=f"ours: {_median_ms(our_runs):.2f} ms a run (Session.run)")
    for col in ("kernel", "ms", "share", "GFLOP", "GFLOP/s", "% sgemm"):
        ours.add_column(col, justify="left" if col == "kernel" else "right")
    total = sum(_median_ms(v) for v in kernels.values())
    rows_ours = []
    for name, values in kernels.items():
        ms, gflop = _median_ms(values), flops.get(name, 0) / 1e9
        rate = gflop / ms * 1e3 if ms else 0.0
        rows_ours.append({"kernel": name, "ms": ms, "gflop": gflop, "gflops": rate})
        ours.add_row(name, f"{ms:.2f}", f"{ms / total:.0%}", f"{gflop:.3f}", f"{rate:.0f}", f"{rate * 1e9 / peak[0]:.0%}" if gflop else "-")
    ours.add_row("sum", f"{total:.2f}", "", f"{sum(flops.values()) / 1e9:.3f}", "", "")
    console.print(ours)

    xla = Table(title=f"XLA: {_median_ms(xla_runs):.2f} ms a run (jax.jit)")
    for col in ("op", "ms a run", "share"):
        xla.add_column(col, justify="left" if col == "op" else "right")
    xla_total = sum(xla_ops.values())
    for name, seconds in sorted(xla_ops.items(), key=lambda kv: -kv[1]):
        xla.add_row(name, f"{seconds * 1e3:.2f}", f"{seconds / xla_total:.0%}" if xla_total else "-")
    xla.add_row("sum", f"{xla_total * 1e3:.2f}", "")
    console.print(xla)

    ceiling = Table(title="GEMM ceiling: our BLAS calls alone, OpenBLAS vs XLA")
    for col in ("kernel", "batch x m x k x n", "OpenBLAS ms", "GFLOP/s", "XLA ms", "GFLOP/s ", "XLA / OpenBLAS"):
        ceiling.add_column(col, justify="left" if col in ("kernel", "batch x m x k x n") else "right")
    rows_ceiling = []
    for name, calls in shapes.items():
        for shape in calls:
            blas, xla_s = ceilings[shape]
            work = 2 * math.prod(shape[0]) * shape[1] * shape[2] * shape[3] / 1e9
            label = "x".join(map(str, (*shape[0], *shape[1:])))
            rows_ceiling.append({"kernel": name, "shape": label, "openblas_ms": blas * 1e3, "xla_ms": xla_s * 1e3,
                                 "openblas_gflops": work / blas, "xla_gflops": work / xla_s})  # fmt: skip
            ceiling.add_row(name, label, f"{blas * 1e3:.2f}", f"{work / blas:.0f}", f"{xla_s * 1e3:.2f}", f"{work / xla_s:.0f}", f"{blas / xla_s:.2f}")
    console.print(ceiling)

    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"kernel_profile_{w.name.split()[0].lower()}"
    result = {"workload": w.name, "sgemm_flops": peak[0], "rounds": args.rounds, "ours_run_ms": _median_ms(our_runs), "xla_run_ms": _median_ms(xla_runs),
              "ours": rows_ours, "xla": {k: v * 1e3 for k, v in xla_ops.items()}, "gemm_ceiling": rows_ceiling}  # fmt: skip
    stem.with_suffix(".json").write_text(json.dumps(result, indent=1))
    md = [f"# {w.name}", "", f"sgemm {peak[0] / 1e9:.1f} GFLOP/s; ours {result['ours_run_ms']:.2f} ms a run, XLA {result['xla_run_ms']:.2f} ms", "",
          "| our kernel | ms | GFLOP/s |", "|---|---|---|", *(f"| {r['kernel']} | {r['ms']:.2f} | {r['gflops']:.0f} |" for r in rows_ours), "",
          "| XLA op | ms a run |", "|---|---|", *(f"| {k} | {v * 1e3:.2f} |" for k, v in sorted(xla_ops.items(), key=lambda kv: -kv[1])), "",
          "| kernel | GEMM | OpenBLAS GFLOP/s | XLA GFLOP/s |", "|---|---|---|---|",
          *(f"| {r['kernel']} | {r['shape']} | {r['openblas_gflops']:.0f} | {r['xla_gflops']:.0f} |" for r in rows_ceiling)]  # fmt: skip
    stem.with_suffix(".md").write_text("\n".join(md) + "\n")
    console.print(f"wrote {stem}.md and .json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
