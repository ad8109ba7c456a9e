"""Per-run overhead of the CPU target on tiny programs, against XLA:CPU and NumPy in the same run.

A program on 8 x 8 f32 inputs does almost no work, so a run's time is the runtime's own cost:
checking and binding the inputs, binding the outputs, launching the kernels, finishing. Ours is a
steady-state ``Session.run``; XLA's is a ``jax.jit`` call (with NumPy inputs, as the CPU workloads
benchmark calls it, and with inputs already on its device) and ``block_until_ready``; NumPy's the
eager expression. Each figure is the best of 5 repeats of 5000 calls (the least disturbed: these
are microseconds on a shared machine). Writes markdown + JSON (default
benchmarks/results/run_overhead.{md,json}).

Usage: python benchmarks/run_overhead.py [--out DIR] [--calls 5000]
"""

from __future__ import annotations

import argparse
import json
import platform
import timeit
from collections.abc import Callable
from datetime import date
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from rich.console import Console
from rich.table import Table

import byteir_sdk
from byteir_sdk.compiler.pipeline import CompileOptions, run_stages
from byteir_sdk.runtime import Session

#: name -> (function of two arrays, in JAX, and in NumPy)
PROGRAMS: dict[str, tuple[Callable, Callable]] = {
    "a + b": (lambda a, b: a + b, lambda a, b: a + b),  # one generated kernel
    "a @ b": (lambda a, b: a @ b, lambda a, b: a @ b),  # one BLAS call
    "tanh(a @ b) + b": (lambda a, b: jnp.tanh(a @ b) + b, lambda a, b: np.tanh(a @ b) + b),  # a BLAS call and its epilogue
}


def best_us(fn: Callable[[], object], calls: int) -> float:
    """Microseconds a call, the best of 5 repeats of `calls` calls."""
    return min(timeit.repeat(fn, number=calls, repeat=5)) / calls * 1e6


def measure(calls: int) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((8, 8)).astype(np.float32) for _ in range(2))
    out = {}
    for name, (jax_fn, numpy_fn) in PROGRAMS.items():
        session = Session(run_stages(byteir_sdk.load(jax_fn, a, b), CompileOptions.make("cpu")).byre)
        jitted = jax.jit(jax_fn)
        on_device = [jax.device_put(x) for x in (a, b)]
        np.testing.assert_allclose(session.run([a, b])[0], np.asarray(jitted(a, b)), rtol=1e-5, atol=1e-6)
        out[name] = {
            "ours": best_us(lambda: session.run([a, b]), calls),
            "xla_numpy_inputs": best_us(lambda: jax.block_until_ready(jitted(a, b)), calls),  # noqa: B023
            "xla_device_inputs": best_us(lambda: jax.block_until_ready(jitted(*on_device)), calls),  # noqa: B023
            "numpy": best_us(lambda: numpy_fn(a, b), calls),  # noqa: B023
        }
        session.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results"))
    args = parser.parse_args()
    console = Console()
    with console.status("measuring"):
        results = measure(args.calls)
    columns = ("program", "ours us", "XLA us", "XLA us, inputs on device", "NumPy us", "XLA / ours")
    table = Table(title=f"Per-run overhead, 8x8 f32 ({platform.machine()}, {date.today()}); XLA: NumPy inputs unless said",
                  title_justify="left")
    for col in columns:
        table.add_column(col, justify="left" if col == "program" else "right")
    rows = []
    for name, r in results.items():
        row = [name, f"{r['ours']:.1f}", f"{r['xla_numpy_inputs']:.1f}", f"{r['xla_device_inputs']:.1f}", f"{r['numpy']:.1f}",
               f"{r['xla_numpy_inputs'] / r['ours']:.2f}x"]  # fmt: skip
        rows.append(row)
        table.add_row(*row)
    console.print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    md = [f"# Per-run overhead, {date.today()}, {platform.machine()}", "", "| " + " | ".join(columns) + " |", "|---" * len(columns) + "|"]
    md += ["| " + " | ".join(row) + " |" for row in rows]
    (args.out / "run_overhead.md").write_text("\n".join(md) + "\n")
    (args.out / "run_overhead.json").write_text(json.dumps({"date": str(date.today()), "machine": platform.machine(), "calls": args.calls,
                                                            "microseconds": results}, indent=2))  # fmt: skip
    console.print(f"wrote {args.out / 'run_overhead.md'} and .json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
