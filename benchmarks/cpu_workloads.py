"""CPU target vs its peers on eight workloads, measured side by side in one run (issue 7).

Each workload is a JAX function exported to StableHLO. Runners: our CPU target (steady-state
``Session.run``), XLA:CPU (``jax.jit``), NumPy eager (where NumPy has the ops), and IREE's CPU
backend (llvm-cpu, ``local-task``, inputs already on its device) when the optional
``iree-base-compiler``/``iree-base-runtime`` are installed (``pip install -e '.[iree]'``).
Rounds are interleaved (every runner once per round, in a new order each round) and each
figure is the median with its spread (min..max over rounds); "best peer / ours" is the median,
with its spread, of the fastest peer's time over ours within each round (so a machine whose
speed drifts between rounds does not read as a difference between runners). In a round, each
runner starts after a pause that lets the previous runner's threads go idle (a BLAS that threads
itself leaves its threads spinning for about 0.1 s after a call, which would take a core from
whichever runner comes next; measured: XLA's transformer 71 -> 45 ms without them), runs back to
back for 0.15 s (the cores are slow for a while after the pause), then counts the median of three
timed runs. Its own threads still count against a runner: that is its steady state. The
machine's roofline is measured in the same run: sgemm GFLOP/s (NumPy/BLAS, 2048^3) and a
STREAM-like triad bandwidth; a workload's roofline time is max(FLOPs / peak, minimum bytes /
bandwidth). Also: compile times, cold (ours: compile + load/JIT with an empty object cache; XLA:
lower + compile; IREE: compile + load), after one warm-up compile of a small program by each so
that no one pays its imports; and our arena peak vs XLA's temp bytes.

Working memory, measured: XLA's temp bytes (its compiled memory analysis) leave out what runs
inside XLA:CPU's YNNPACK fusions (jaxlib 0.10 runs the transformer's attention, and the whole MNIST
CNN, as one such fusion each). So each workload is also run in a child process with
``malloc_peak.c`` (built with ``cc``) preloaded, which counts the bytes in use through malloc and
their peak: a runner's growth is the peak over a run above what was in use before it, less one
set of outputs (the previous run's result is still held; XLA's inputs are already on its device,
as ours are bound without a copy), the median of five runs. Ours is our arena (allocated at
load) plus that growth; XLA's is the larger of its temp bytes and that growth. What a runtime
keeps between runs (XLA's packed weights, say) is not growth, and memory mapped without malloc is
not counted. Without ``cc``, the column reads "-".

Usage: python benchmarks/cpu_workloads.py [--rounds 7] [--only NAME,...] [--out DIR]
Writes DIR/cpu_workloads.{md,json} (default benchmarks/results/).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import logging
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from rich.console import Console
from rich.table import Table

import byteir_sdk
from byteir_sdk.compiler.analysis import analyze
from byteir_sdk.compiler.pipeline import CompileOptions, run_stages
from byteir_sdk.runtime import Session

RNG = np.random.default_rng(0)
log = logging.getLogger("cpu_workloads")


def _w(*shape: int, scale: float = 0.05) -> np.ndarray:
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


@dataclass
class Workload:
    name: str
    fn: Callable  # JAX function
    args: list[np.ndarray]
    numpy: Callable | None = None  # NumPy eager version, when NumPy has the ops
    results: dict = field(default_factory=dict)


def _layernorm(x, g, b, xp):  # noqa: ANN001, ANN202
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / xp.sqrt(var + 1e-5) * g + b


def _softmax(x, xp):  # noqa: ANN001, ANN202
    e = xp.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def workloads() -> list[Workload]:
    out = []
    a, b = _w(1024, 1024, scale=1), _w(1024, 1024, scale=1)
    out.append(Workload("matmul 1024^3", lambda a, b: a @ b, [a, b], lambda a, b: a @ b))

    w1, b1, w2, b2, w3, b3 = _w(784, 1024), _w(1024), _w(1024, 1024), _w(1024), _w(1024, 10), _w(10)

    def mlp(x, xp):  # noqa: ANN001, ANN202
        h = xp.maximum(x @ w1 + b1, 0)
        h = xp.maximum(h @ w2 + b2, 0)
        return h @ w3 + b3

    out.append(Workload("MLP b64 784-1024-1024-10", lambda x: mlp(x, jnp), [_w(64, 784, scale=1)], lambda x: mlp(x, np)))
    x, y, z = (_w(1 << 24, scale=1) for _ in range(3))
    out.append(Workload("elementwise tanh(x*y+z)*0.5, 16M", lambda x, y, z: jnp.tanh(x * y + z) * 0.5, [x, y, z],
                        lambda x, y, z: np.tanh(x * y + z) * np.float32(0.5)))  # fmt: skip
    g, bb = _w(1024, scale=1), _w(1024)
    out.append(Workload("layernorm 8192x1024", lambda x: _layernorm(x, g, bb, jnp), [_w(8192, 1024, scale=1)], lambda x: _layernorm(x, g, bb, np)))
    out.append(Workload("softmax 4096x4096", lambda x: _softmax(x, jnp), [_w(4096, 4096, scale=1)], lambda x: _softmax(x, np)))

    d, heads, ff = 512, 8, 2048
    wq, wk, wv, wo, f1, f2 = _w(d, d), _w(d, d), _w(d, d), _w(d, d), _w(d, ff), _w(ff, d)
    g1, g2, be = np.ones(d, np.float32), np.ones(d, np.float32), np.zeros(d, np.float32)

    def encoder(x, xp):  # noqa: ANN001, ANN202
        bsz, s, _ = x.shape
        split = lambda t: t.reshape(bsz, s, heads, d // heads).transpose(0, 2, 1, 3)  # noqa: E731
        q, k, v = split(x @ wq), split(x @ wk), split(x @ wv)
        att = _softmax(xp.einsum("bhqd,bhkd->bhqk", q, k) / np.float32(np.sqrt(d // heads)), xp)
        o = xp.einsum("bhqk,bhkd->bhqd", att, v).transpose(0, 2, 1, 3).reshape(bsz, s, d) @ wo
        h = _layernorm(x + o, g1, be, xp)
        m = xp.maximum(h @ f1, 0) @ f2
        return _layernorm(h + m, g2, be, xp)

    out.append(Workload("transformer block b4 s256 d512", lambda x: encoder(x, jnp), [_w(4, 256, d, scale=1)], lambda x: encoder(x, np)))

    dn = ("NHWC", "HWIO", "NHWC")
    c1, c2 = _w(3, 3, 64, 64), _w(3, 3, 64, 64)

    def block(x):  # noqa: ANN001, ANN202
        y = jax.nn.relu(lax.conv_general_dilated(x, c1, (1, 1), "SAME", dimension_numbers=dn))
        return jax.nn.relu(lax.conv_general_dilated(y, c2, (1, 1), "SAME", dimension_numbers=dn) + x)

    out.append(Workload("ResNet basic block 8x56x56x64", block, [_w(8, 56, 56, 64, scale=1)]))
    k1, k2, d1, d2 = _w(3, 3, 1, 32), _w(3, 3, 32, 64), _w(7 * 7 * 64, 128), _w(128, 10)

    def cnn(x):  # noqa: ANN001, ANN202
        y = jax.nn.relu(lax.conv_general_dilated(x, k1, (1, 1), "SAME", dimension_numbers=dn))
        y = lax.reduce_window(y, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        y = jax.nn.relu(lax.conv_general_dilated(y, k2, (1, 1), "SAME", dimension_numbers=dn))
        y = lax.reduce_window(y, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        return jax.nn.relu(y.reshape(y.shape[0], -1) @ d1) @ d2

    out.append(Workload("MNIST CNN b64", cnn, [_w(64, 28, 28, 1, scale=1)]))
    return out


def roofline() -> tuple[float, float]:
    """(sgemm FLOP/s, triad bytes/s) measured on this machine now."""
    n = 2048
    a, b = _w(n, n, scale=1), _w(n, n, scale=1)
    a @ b
    gemm = min(_timed(lambda: a @ b) for _ in range(5))
    x, y = _w(1 << 25, scale=1), _w(1 << 25, scale=1)
    out = np.empty_like(x)
    s = np.float32(1.5)

    def triad() -> None:
        np.multiply(y, s, out=out)
        np.add(out, x, out=out)

    triad()
    bw = min(_timed(triad) for _ in range(5))
    return 2 * n**3 / gemm, 5 * x.nbytes / bw  # triad in two passes: read y, write out; read out, x, write out


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _peak_growth(run: Callable[[], object], runs: int = 5) -> list[int]:
    """Peak bytes in use through malloc during each of `runs` runs, above what was in use before it
    (the previous run's result still held); in a process with ``malloc_peak.c`` preloaded."""
    shim = ctypes.CDLL(None)
    shim.malloc_peak_reset.restype = shim.malloc_peak.restype = ctypes.c_longlong
    held = run()
    growth = []
    for _ in range(runs + 1):
        base = shim.malloc_peak_reset()
        held = run()  # noqa: F841  (made while the previous result is still held)
        growth.append(int(shim.malloc_peak()) - int(base))
    return growth[1:]  # (the first run's previous result was the warm-up's)


def _working_memory_here(name: str) -> dict[str, int]:
    """Working memory of workload `name`, ours and XLA's (see the module docstring); run in the
    child process that ``malloc_peak.c`` is preloaded into."""
    w = next(w for w in workloads() if w.name == name)
    program = byteir_sdk.load(w.fn, *w.args)
    out_bytes = analyze(program).output_bytes
    comp = run_stages(program, CompileOptions.make("cpu"))
    xla = jax.jit(w.fn).lower(*w.args).compile()
    with Session(comp.byre) as session:
        ours = _peak_growth(lambda: session.run(w.args))
    args = [jax.device_put(a) for a in w.args]  # (as ours binds its inputs: no copy of them is counted)
    theirs = _peak_growth(lambda: jax.block_until_ready(xla(*args)))
    temp = getattr(xla.memory_analysis(), "temp_size_in_bytes", 0) or 0
    # (the median run: in some of XLA's runs the transformer's growth is 10 MiB less, a buffer kept
    # from an earlier run reused, which is then no growth)
    ours_growth, theirs_growth = statistics.median(ours), statistics.median(theirs)
    return {"ours": (comp.plan.arena_bytes if comp.plan else 0) + max(0, int(ours_growth) - out_bytes), "xla": max(temp, int(theirs_growth) - out_bytes)}


def _working_memory(name: str, shim: Path | None) -> dict[str, int] | None:
    """`_working_memory_here` of workload `name` in a child process with `shim` preloaded; None
    without the shim or when the child fails."""
    if shim is None:
        return None
    env = {**os.environ, "LD_PRELOAD": str(shim)}
    try:
        done = subprocess.run([sys.executable, __file__, "--working-memory", name], env=env, capture_output=True, text=True, timeout=600, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, OSError, ValueError, IndexError) as exc:
        log.warning("%s: working memory not measured: %s", name, exc)
        return None


def _build_shim(directory: str) -> Path | None:
    """``malloc_peak.c`` built into `directory` as a shared library; None without a C compiler."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    out = Path(directory) / "malloc_peak.so"
    try:
        subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", str(out), str(Path(__file__).with_name("malloc_peak.c"))], capture_output=True, check=True, timeout=120)
    except (subprocess.SubprocessError, OSError) as exc:
        log.warning("malloc_peak.c not built (%s): no working-memory column", exc)
        return None
    return out


def _iree_runner(text: str, args: list[np.ndarray]) -> tuple[Callable[[], object], float] | None:
    """IREE's llvm-cpu build of the StableHLO `text` as a runner (inputs uploaded once) and its
    compile + load seconds; None where IREE is not installed."""
    try:
        import iree.compiler as iree_compiler
        import iree.runtime as iree_runtime
    except ImportError:
        return None
    start = time.perf_counter()
    vmfb = iree_compiler.compile_str(text, target_backends=["llvm-cpu"], input_type="stablehlo", extra_args=["--iree-llvmcpu-target-cpu=host"])
    context = iree_runtime.SystemContext(config=iree_runtime.Config("local-task"))
    module = iree_runtime.VmModule.copy_buffer(context.instance, vmfb)
    context.add_vm_module(module)
    main = context.modules[module.name]["main"]
    seconds = time.perf_counter() - start
    inputs = [iree_runtime.asdevicearray(context.config.device, a) for a in args]

    def run() -> object:
        out = main(*inputs)
        return [o.to_host() for o in out] if isinstance(out, (list, tuple)) else out.to_host()

    return run, seconds


def warm_up() -> None:
    """One small compile by each compiler, so that imports and one-time set-up are not timed."""
    x = np.ones((8, 8), np.float32)
    fn = lambda x: jnp.tanh(x @ x) + 1  # noqa: E731
    program = byteir_sdk.load(fn, x)
    Session(run_stages(program, CompileOptions.make("cpu")).byre).close()
    jax.jit(fn).lower(x).compile()
    _iree_runner(program.text(), [x])


#: seconds between runners in a round: a spinning BLAS thread pool (OpenBLAS: about 0.1 s) goes idle
_SETTLE_S = 0.25
#: seconds a runner then runs back to back before it is timed: the cores are slow for some 20 ms
#: after a pause (measured: MNIST 7.7 ms a run right after 0.2 s idle, 4.1 ms from the fifth run)
_WARM_S = 0.15


def warm(run: Callable[[], object]) -> None:
    """Ready a runner to be timed: a pause (`_SETTLE_S`: the previous runner's BLAS threads go
    idle), then runs back to back for `_WARM_S` (the cores are slow right after a pause)."""
    time.sleep(_SETTLE_S)
    until = time.perf_counter() + _WARM_S
    while time.perf_counter() < until:
        run()


def steady(run: Callable[[], object]) -> float:
    """Seconds of one run of a runner in a round: warmed (`warm`), the median of three timed runs."""
    warm(run)
    return statistics.median(_timed(run) for _ in range(3))


def measure(w: Workload, rounds: int, peak: tuple[float, float], shim: Path | None = None) -> dict:
    program = byteir_sdk.load(w.fn, *w.args)
    stats = analyze(program)
    start = time.perf_counter()
    comp = run_stages(program, CompileOptions.make("cpu"))
    compiled = time.perf_counter()
    session = Session(comp.byre)
    ours_compile = (compiled - start, time.perf_counter() - compiled)
    start = time.perf_counter()
    lowered = jax.jit(w.fn).lower(*w.args)
    xla = lowered.compile()
    xla_compile = time.perf_counter() - start
    memory = xla.memory_analysis()
    runners: dict[str, Callable[[], object]] = {
        "ours": lambda: session.run(w.args),
        "xla": lambda: jax.block_until_ready(xla(*w.args)),
    }
    if w.numpy is not None:
        runners["numpy"] = lambda: w.numpy(*w.args)
    compile_s = {"ours_compile": ours_compile[0], "ours_load_jit": ours_compile[1], "xla": xla_compile}
    iree = _iree_runner(program.text(), w.args)
    if iree is not None:
        want = np.asarray(runners["xla"]())
        got = np.asarray(iree[0]())
        if got.shape == want.shape and np.allclose(got, want, rtol=1e-3, atol=1e-4 * float(np.abs(want).max())):
            runners["iree"], compile_s["iree"] = iree
        else:
            log.warning("%s: IREE's result differs from XLA's; IREE is left out of this workload", w.name)
    times: dict[str, list[float]] = {k: [] for k in runners}
    order, shuffle = list(runners), random.Random(0).shuffle
    for _ in range(rounds):  # a new order each round: no runner always follows the same neighbour
        shuffle(order)
        for k in order:
            times[k].append(steady(runners[k]))
    session.close()
    min_bytes = stats.input_bytes + stats.output_bytes + stats.parameter_bytes
    roof = max(stats.flops / peak[0], min_bytes / peak[1])
    medians = {k: statistics.median(v) for k, v in times.items()}
    # the fastest peer over ours round by round: rounds are minutes apart, and a shared machine's
    # speed drifts between them (one run here: sgemm 147 against 204 GFLOP/s), which the ratio of
    # two medians taken over different rounds reads as a difference between the runners
    paired = [min(times[k][i] for k in times if k != "ours") / times["ours"][i] for i in range(rounds)]
    return {
        "flops": stats.flops, "min_bytes": min_bytes, "roofline_s": roof,
        "median_s": medians, "min_s": {k: min(v) for k, v in times.items()}, "max_s": {k: max(v) for k, v in times.items()},
        "fraction_of_roofline": {k: roof / m for k, m in medians.items()},
        "best_peer_over_ours": {"median": statistics.median(paired), "min": min(paired), "max": max(paired)},
        "compile_s": compile_s,
        "arena_peak_bytes": comp.plan.arena_bytes if comp.plan else 0, "xla_temp_bytes": getattr(memory, "temp_size_in_bytes", None),
        "kernels": len(comp.kernel_program.kernels) if comp.kernel_program else 0,
        "working_bytes": _working_memory(w.name, shim),
    }  # fmt: skip


def _arena_ratio(arena: int, xla_temp: int | None) -> str:
    """Our arena over XLA's temp bytes; where XLA needs none, our arena in MiB (a miss unless 0)."""
    if xla_temp is None:
        return "-"
    if xla_temp == 0:
        return "0 vs 0" if arena == 0 else f"{arena / 2**20:.1f} MiB vs 0"
    return f"{arena / xla_temp:.2f}"


def _working_ratio(working: dict[str, int] | None) -> str:
    """Our measured working memory and XLA's, with their ratio where either is 1 MiB or more and
    XLA's is not 0; "-" where it was not measured."""
    if working is None:
        return "-"
    ours, xla = working["ours"], working["xla"]
    sizes = f"{_size(ours)} vs {_size(xla)}"
    return sizes if xla == 0 or max(ours, xla) < 2**20 else f"{ours / xla:.2f} ({sizes})"


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**19 else f"{n / 2**10:.1f} KiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", help="comma-separated workload name prefixes")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results"))
    parser.add_argument("--working-memory", metavar="NAME", help=argparse.SUPPRESS)  # (the child process of _working_memory)
    args = parser.parse_args()
    if args.working_memory:
        print(json.dumps(_working_memory_here(args.working_memory)))
        return 0
    console = Console()
    # Every load JIT-compiles: an empty object cache (removed at exit), as XLA and IREE compile
    # from scratch too.
    cache = tempfile.TemporaryDirectory(prefix="byteir-bench-cache-")
    os.environ["BYTEIR_CACHE_DIR"] = cache.name
    warm_up()
    shim = _build_shim(cache.name)
    peak = roofline()
    console.print(f"roofline: sgemm {peak[0] / 1e9:.1f} GFLOP/s, triad {peak[1] / 1e9:.1f} GB/s")
    chosen = [w for w in workloads() if not args.only or any(w.name.startswith(p) for p in args.only.split(","))]
    for w in chosen:
        with console.status(f"{w.name}"):
            w.results = measure(w, args.rounds, peak, shim)
    table = Table(title=f"CPU target vs peers ({platform.machine()}, {os.cpu_count()} cores, {date.today()})", title_justify="left")
    columns = ("workload", "ours ms", "XLA ms", "NumPy ms", "IREE ms", "best peer / ours", "ours % roofline", "compile ours/XLA", "arena / XLA temp", "working memory ours / XLA (measured)")
    for col in columns:
        table.add_column(col, justify="left" if col == "workload" else "right")
    rows = []
    for w in chosen:
        r = w.results
        med = {k: v * 1e3 for k, v in r["median_s"].items()}
        spread = {k: f"{r['min_s'][k] * 1e3:.2f}..{r['max_s'][k] * 1e3:.2f}" for k in med}
        paired = r["best_peer_over_ours"]
        compile_ratio = (r["compile_s"]["ours_compile"] + r["compile_s"]["ours_load_jit"]) / r["compile_s"]["xla"]
        temp = r["xla_temp_bytes"]
        row = [w.name, f"{med['ours']:.2f}", f"{med['xla']:.2f}", f"{med['numpy']:.2f}" if "numpy" in med else "-",
               f"{med['iree']:.2f}" if "iree" in med else "-", f"{paired['median']:.2f}x ({paired['min']:.2f}..{paired['max']:.2f})", f"{100 * r['fraction_of_roofline']['ours']:.0f}%", f"{compile_ratio:.2f}",
               _arena_ratio(r["arena_peak_bytes"], temp), _working_ratio(r["working_bytes"])]  # fmt: skip
        rows.append((row, spread))
        table.add_row(*row)
    console.print(table)
    fractions = [w.results["fraction_of_roofline"]["ours"] for w in chosen]
    geomean = float(np.exp(np.mean(np.log(fractions)))) if fractions else 0.0
    console.print(f"geomean of ours as a fraction of roofline: {100 * geomean:.0f}%")
    args.out.mkdir(parents=True, exist_ok=True)
    header = "| " + " | ".join(columns) + " |\n" + "|---" * len(columns) + "|\n"
    md = [f"# CPU workloads, {date.today()}, {platform.machine()} / {platform.processor() or 'cpu'}, {os.cpu_count()} cores",
          f"Roofline: sgemm {peak[0] / 1e9:.1f} GFLOP/s, triad {peak[1] / 1e9:.1f} GB/s; medians of {args.rounds} interleaved rounds.", "",
          header + "\n".join("| " + " | ".join(row) + " |" for row, _ in rows), "",
          f"Geomean of ours as a fraction of roofline: {100 * geomean:.0f}%.", "", "Spread (min..max ms):", ""]  # fmt: skip
    md += [f"- {row[0]}: " + ", ".join(f"{k} {v}" for k, v in spread.items()) for row, spread in rows]
    (args.out / "cpu_workloads.md").write_text("\n".join(md) + "\n")
    (args.out / "cpu_workloads.json").write_text(json.dumps({
        "date": str(date.today()), "machine": platform.machine(), "cores": os.cpu_count(), "sgemm_flops": peak[0], "triad_bytes_per_s": peak[1],
        "rounds": args.rounds, "geomean_fraction_of_roofline": geomean, "workloads": {w.name: w.results for w in chosen},
    }, indent=2))  # fmt: skip
    console.print(f"wrote {args.out / 'cpu_workloads.md'} and .json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
