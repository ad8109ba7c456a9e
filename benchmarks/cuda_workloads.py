"""CUDA target vs XLA-GPU on the CPU benchmark's eight workloads, side by side in one run (issue 9).

Runners: our cuda target (steady-state ``Session.run``: one CUDA-graph launch per run, plus the
input upload and output read-back) and XLA on the GPU (``jax.jit`` placed on jax's first GPU
device; needs a CUDA-enabled jaxlib). Rounds are interleaved; each figure is the median with its
spread. Also compile times (ours: compile to PTX + module load; XLA: lower + compile).

Without a GPU, ``--compile-only`` still compiles every workload to PTX (checked with ptxas when
installed) and reports kernel counts, tensor-core / GEMM / reduction launches and compile time.

Usage: python benchmarks/cuda_workloads.py [--rounds 7] [--only NAME,...] [--arch sm_90] [--compile-only] [--out DIR]
Writes DIR/cuda_workloads.{md,json} (default benchmarks/results/).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import jax
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cpu_workloads import Workload, _timed, workloads  # noqa: E402

import byteir_sdk  # noqa: E402
from byteir_sdk.compiler.pipeline import CompileOptions, run_stages  # noqa: E402
from byteir_sdk.runtime import Session  # noqa: E402


def compile_for_cuda(w: Workload, arch: str) -> tuple[object, dict]:
    """The workload's Compilation and a summary of its launches."""
    from byteir_targets.cuda.nvrtc import find_ptxas

    program = byteir_sdk.load(w.fn, *w.args)
    start = time.perf_counter()
    comp = run_stages(program, CompileOptions.make("cuda", target_options={"arch": arch}))
    seconds = time.perf_counter() - start
    kinds: Counter[str] = Counter()
    host = 0
    for lowered in comp.lowered.values():
        if lowered.format != "ptx":
            host += 1
            continue
        if find_ptxas() is not None:
            comp.backend.check_executable(lowered)
        kinds.update(step["kind"] for step in lowered.launch["schedule"])
    return comp, {"compile_s": seconds, "kernels": len(comp.lowered), "host_kernels": host, "launches": dict(kinds)}


def measure(w: Workload, rounds: int, arch: str) -> dict:
    comp, summary = compile_for_cuda(w, arch)
    start = time.perf_counter()
    session = Session(comp.byre)
    summary["load_s"] = time.perf_counter() - start
    gpu = jax.devices("gpu")[0]
    args = [jax.device_put(a, gpu) for a in w.args]
    start = time.perf_counter()
    xla = jax.jit(w.fn).lower(*args).compile()
    summary["xla_compile_s"] = time.perf_counter() - start
    runners = {"ours": lambda: session.run(w.args), "xla_gpu": lambda: jax.block_until_ready(xla(*args)),
               "xla_gpu_with_copies": lambda: [jax.device_get(o) for o in jax.tree.leaves(xla(*[jax.device_put(a, gpu) for a in w.args]))]}  # fmt: skip
    for fn in runners.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in runners}
    for _ in range(rounds):
        for k, fn in runners.items():
            times[k].append(_timed(fn))
    session.close()
    summary["median_s"] = {k: statistics.median(v) for k, v in times.items()}
    summary["min_s"] = {k: min(v) for k, v in times.items()}
    summary["max_s"] = {k: max(v) for k, v in times.items()}
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", help="comma-separated workload name prefixes")
    parser.add_argument("--arch", default="sm_90", help="CUDA architecture to compile for (default sm_90)")
    parser.add_argument("--compile-only", action="store_true", help="no GPU needed: compile to PTX and report the launches")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results"))
    args = parser.parse_args()
    console = Console()
    chosen = [w for w in workloads() if not args.only or any(w.name.startswith(p) for p in args.only.split(","))]
    if not args.compile_only:
        from byteir_targets.cuda.driver import unavailable_reason

        reason = unavailable_reason()
        if reason is None and not any(d.platform == "gpu" for d in jax.devices()):
            reason = "jax has no GPU device (install a CUDA-enabled jaxlib for the XLA-GPU peer)"
        if reason is not None:
            console.print(f"[red]cannot run on a GPU here:[/] {reason}\nRun with --compile-only to check code generation.")
            return 2
    rows, results = [], {}
    for w in chosen:
        with console.status(w.name):
            results[w.name] = compile_for_cuda(w, args.arch)[1] if args.compile_only else measure(w, args.rounds, args.arch)
    gpu = "" if args.compile_only else jax.devices("gpu")[0].device_kind
    title = f"CUDA target ({args.arch}) {'code generation' if args.compile_only else 'vs XLA-GPU on ' + gpu}, {date.today()}"
    table = Table(title=title, title_justify="left")
    cols = ["workload", "kernels (host)", "launches", "compile s"] + ([] if args.compile_only else ["ours ms", "XLA-GPU ms", "XLA-GPU + copies ms", "XLA / ours"])
    for col in cols:
        table.add_column(col, justify="left" if col in ("workload", "launches") else "right")
    for w in chosen:
        r = results[w.name]
        row = [w.name, f"{r['kernels']} ({r['host_kernels']})", ", ".join(f"{k} {v}" for k, v in sorted(r["launches"].items())), f"{r['compile_s']:.2f}"]
        if not args.compile_only:
            med = {k: v * 1e3 for k, v in r["median_s"].items()}
            row += [f"{med['ours']:.3f}", f"{med['xla_gpu']:.3f}", f"{med['xla_gpu_with_copies']:.3f}", f"{med['xla_gpu_with_copies'] / med['ours']:.2f}x"]
        rows.append(row)
        table.add_row(*row)
    console.print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    md = [f"# {title}", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)] + ["| " + " | ".join(r) + " |" for r in rows]
    (args.out / "cuda_workloads.md").write_text("\n".join(md) + "\n")
    (args.out / "cuda_workloads.json").write_text(json.dumps({"date": str(date.today()), "host": platform.node(), "arch": args.arch, "gpu": gpu,
                                                              "compile_only": args.compile_only, "workloads": results}, indent=2))  # fmt: skip
    console.print(f"wrote {args.out / 'cuda_workloads.md'} and .json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
