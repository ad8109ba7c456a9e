"""`byteir`: the compiler's command line (inspect, reference, export-model, ...)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from rich.table import Table

from byteir_sdk import __version__, models
from byteir_sdk import io as sdk_io
from byteir_sdk import reference
from byteir_sdk.cli._common import EXIT_FAILED, EXIT_OK, add_common_options, console, human_bytes, outputs_table, run_command
from byteir_sdk.compiler.analysis import analyze
from byteir_sdk.compiler.frontend import Program, load
from byteir_sdk.errors import UsageError


def _load(args: argparse.Namespace) -> Program:
    return load(args.file, entry=args.entry)


def _inspect_byre(path: str) -> int:
    from byteir_sdk.runtime import read_byre, verify_byre

    prog = read_byre(path)
    verify_byre(prog, library_callees={op.callee for op in prog.ops if hasattr(op, "callee") and op.callee not in prog.executables})
    out = console()
    arenas = ", ".join(f"{space} {human_bytes(size)}" for space, size in prog.arenas.items()) or "none"
    out.print(f"[bold]{path}[/]  ByRE {prog.version}, target {prog.target}, arenas: {arenas} (alignment {prog.arena_alignment})")
    sig = Table(title="arguments", title_justify="left")
    for col in ("#", "name", "kind", "type", "bytes"):
        sig.add_column(col)
    for i, a in enumerate(prog.args):
        sig.add_row(str(i), a.name, a.kind.name.lower(), a.spec().mlir_type, human_bytes(a.nbytes))
    out.print(sig)
    kernels = Table(title="computes", title_justify="left")
    for col in ("#", "callee", "format", "ins/outs", "launch"):
        kernels.add_column(col)
    for i, op in enumerate(prog.ops):
        if not hasattr(op, "callee"):
            src, dst = op.source, op.target
            kernels.add_row(str(i), "byre.copy", "-", "1/1", f"{human_bytes(src.nbytes)} {src.space} -> {dst.space}")
            continue
        exe = prog.executables.get(op.callee)
        fmt = exe.format if exe else "library"
        launch = ""
        if exe is not None:
            launch = _launch_text(exe.launch)
        kernels.add_row(str(i), op.callee, fmt, f"{len(op.inputs)}/{len(op.outputs)}{' +scratch' if op.scratch else ''}", launch)
    out.print(kernels)
    return EXIT_OK


def _launch_text(launch: dict) -> str:
    """One line per kernel launch: GPU steps as ``entry<<<grid, block, shared>>>``, CPU steps as
    ``entry[threads extent]``, else the launch attributes."""
    sched = launch.get("schedule", launch.get("steps", []))
    if sched and all(isinstance(s, dict) for s in sched):
        dims = lambda d: "(" + ",".join(str(x) for x in d) + ")"  # noqa: E731
        steps = [f"{s['entry']}<<<{dims(s['grid'])}, {dims(s['block'])}, {s.get('shared', 0)}B>>> {s.get('kind', '')}".rstrip() for s in sched]
        return f"{launch.get('arch', '')}: " * bool(launch.get("arch")) + "; ".join(steps)
    extents = launch.get("extents", [])
    return ", ".join(f"{s}[{e}]" if e > 1 else str(s) for s, e in zip(sched, extents)) or ", ".join(f"{k}={v}" for k, v in launch.items() if k != "library_calls")


def cmd_inspect(args: argparse.Namespace) -> int:
    if _is_byre(args.file):
        return _inspect_byre(args.file)
    program = _load(args)
    stats = analyze(program)
    out = console()
    out.print(f"[bold]{program.source}[/]  entry @{program.entry}")
    sig = Table(title="signature", title_justify="left")
    for col in ("", "name", "type", "bytes"):
        sig.add_column(col)
    for kind, specs in (("input", program.inputs), ("output", program.outputs)):
        for i, spec in enumerate(specs):
            sig.add_row(f"{kind} {i}", spec.name, spec.mlir_type, human_bytes(spec.nbytes))
    out.print(sig)
    hist = Table(title="ops", title_justify="left")
    hist.add_column("op")
    hist.add_column("count", justify="right")
    for name, count in sorted(stats.op_histogram.items(), key=lambda kv: (-kv[1], kv[0])):
        hist.add_row(name, str(count))
    out.print(hist)
    summary = Table(title="summary", title_justify="left", show_header=False)
    summary.add_column("what")
    summary.add_column("value", justify="right")
    summary.add_row("parameters", f"{stats.parameters:,} in {stats.parameter_tensors} tensors")
    summary.add_row("parameter bytes", human_bytes(stats.parameter_bytes))
    summary.add_row("FLOPs (estimate)", f"{stats.flops:,} ({stats.flops / 1e9:.3f} GFLOP)")
    summary.add_row("input / output bytes", f"{human_bytes(stats.input_bytes)} / {human_bytes(stats.output_bytes)}")
    out.print(summary)
    return EXIT_OK


def cmd_reference(args: argparse.Namespace) -> int:
    program = _load(args)
    if args.inputs:
        inputs = sdk_io.load_inputs_npz(args.inputs, program.inputs)
    else:
        inputs = reference.random_inputs(program, args.seed)
    start = time.perf_counter()
    outputs = reference.run(program, inputs, engine=args.engine)
    elapsed = time.perf_counter() - start
    out = console()
    origin = args.inputs or f"random inputs, seed {args.seed}"
    out.print(outputs_table(program.outputs, outputs, title=f"{program.name} on the {args.engine} oracle ({origin})"))
    out.print(f"{args.engine}: {elapsed * 1e3:.1f} ms")
    if args.outputs:
        path = sdk_io.save_outputs_npz(args.outputs, outputs)
        out.print(f"wrote {path}")
    return EXIT_OK


def cmd_compile(args: argparse.Namespace) -> int:
    from byteir_sdk.compiler.pipeline import CompileOptions, run_stages

    program = _load(args)
    options = CompileOptions.make(args.target, dump_after=args.dump_after, dump_dir=args.dump_dir, target_options=_target_options(args))
    comp = run_stages(program, options)
    assert comp.byre is not None
    output = Path(args.output) if args.output else Path(args.file).with_suffix(".byre")
    comp.byre.save(output, bytecode=args.emit == "bytecode")
    out = console()
    out.print(f"wrote {output} ({args.emit}, target {args.target}, {output.stat().st_size:,} bytes)")
    if options.dump_after and not args.dump_dir:
        for stage in options.dump_after:
            if stage in comp.dumps:
                out.print(f"// ----- IR after stage '{stage}' -----", markup=False)
                out.print(comp.dumps[stage], markup=False, highlight=False)
    elif args.dump_dir:
        out.print(f"IR dumps after {', '.join(sorted(options.dump_after))} in {args.dump_dir}")
    if args.stats:
        out.print(_stats_table(comp.byre.stats))
    return EXIT_OK


def _target_options(args: argparse.Namespace) -> dict[str, str]:
    """The backend options the command line sets (``--target-option NAME=VALUE``, ``--cuda-arch``);
    the target's backend checks the names and values."""
    options: dict[str, str] = {}
    for item in getattr(args, "target_option", None) or ():
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise UsageError(f"--target-option {item!r} is not NAME=VALUE", hint="E.g. --target-option threads=16 (the cpu target's options are in docs/cpu.md).")
        options[name.strip()] = value.strip()
    if getattr(args, "cuda_arch", None) is not None:
        if args.target != "cuda":
            raise UsageError(f"--cuda-arch is an option of the cuda target, not of {args.target!r}")
        if options.setdefault("arch", args.cuda_arch) != args.cuda_arch:
            raise UsageError("--cuda-arch and --target-option arch=... disagree", hint="Pass one of them.")
    return options


def _stats_table(stats: dict[str, object]) -> Table:
    table = Table(title="compile statistics", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    peak, naive = int(stats.get("arena_peak_bytes", 0)), int(stats.get("arena_naive_bytes", 0))
    table.add_row("arena peak", f"{human_bytes(peak)} (naive sum {human_bytes(naive)}, {peak / naive:.0%})" if naive else human_bytes(peak))
    table.add_row("weights", human_bytes(int(stats.get("weight_bytes", 0))))
    per_kernel = dict(stats.get("ops_per_kernel", {}))  # type: ignore[call-overload]
    table.add_row("kernels", f"{stats.get('kernels', 0)} ({sum(per_kernel.values())} loops/host ops; max {max(per_kernel.values(), default=0)} per kernel)")
    host = list(stats.get("host_kernels", []))  # type: ignore[call-overload]
    table.add_row("host kernels", ", ".join(host) if host else "none")
    table.add_row("in-place reuses", str(stats.get("in_place_reuses", 0)))
    for stage, seconds in dict(stats.get("stage_seconds", {})).items():  # type: ignore[call-overload]
        table.add_row(f"time: {stage}", f"{seconds * 1e3:.1f} ms")
    return table


def _is_byre(path: str) -> bool:
    return Path(path).suffix in (".byre", ".byrebc")


def cmd_run(args: argparse.Namespace) -> int:
    from byteir_sdk.compiler.pipeline import compile as compile_program
    from byteir_sdk.runtime import Session

    out = console()
    program = None
    options = _target_options(args)
    start = time.perf_counter()
    if _is_byre(args.file):
        if options:
            raise UsageError(f"{args.file} is compiled already: target options apply when a .mlir is compiled", hint="Pass them to byteir compile.")
        byre: object = args.file
        if args.source:
            program = load(args.source, entry=args.entry)
    else:
        program = _load(args)
        byre = compile_program(program, args.target, target_options=options)
    compiled = time.perf_counter()
    session = Session(byre)  # type: ignore[arg-type]
    try:
        loaded = time.perf_counter()
        specs = session.input_specs
        inputs = sdk_io.load_inputs_npz(args.inputs, specs) if args.inputs else sdk_io.random_inputs(specs, args.seed)
        outputs = session.run(inputs)
        first = time.perf_counter() - loaded
        steady = session.benchmark(inputs, args.repeat) if args.repeat else []
    finally:
        session.close()
    name = Path(args.file).stem
    out.print(outputs_table(session.output_specs, outputs, title=f"{name} on {session.program.target} ({args.inputs or f'random inputs, seed {args.seed}'})"))
    timing = f"compile {(compiled - start) * 1e3:.1f} ms, " if program is not None and not _is_byre(args.file) else ""
    timing += f"load + JIT {(loaded - compiled) * 1e3:.1f} ms, first run {first * 1e3:.2f} ms"
    if steady:
        steady.sort()
        timing += f", steady median {steady[len(steady) // 2] * 1e3:.3f} ms over {len(steady)} runs"
    out.print(timing)
    if args.outputs:
        out.print(f"wrote {sdk_io.save_outputs_npz(args.outputs, outputs)}")
    if not args.check:
        return EXIT_OK
    if program is None:
        raise UsageError("--check needs the StableHLO program: run a .mlir, or pass --source FILE.mlir with the .byre")
    expected = reference.run(program, inputs, engine=args.engine)
    table = Table(title=f"check against the {args.engine} oracle", title_justify="left")
    for col in ("output", "tolerance", "max abs err", "max rel err", "max ULP", "result"):
        table.add_column(col)
    failed = False
    for spec, got, want in zip(session.output_specs, outputs, expected):
        cmp = reference.compare(got, want, reference.default_tolerance(want.dtype))
        failed |= not cmp.ok
        table.add_row(spec.name, str(cmp.tolerance), f"{cmp.max_abs:.3g}", f"{cmp.max_rel:.3g}", str(cmp.max_ulp), "ok" if cmp.ok else f"MISMATCH ({cmp.mismatches} elements)")
    out.print(table)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_bisect(args: argparse.Namespace) -> int:
    from byteir_sdk.conformance.bisect import first_divergence

    program = _load(args)
    inputs = sdk_io.load_inputs_npz(args.inputs, program.inputs) if args.inputs else sdk_io.random_inputs(program.inputs, args.seed)
    result = first_divergence(program, args.target, inputs, against=args.against)
    console().print(str(result), markup=False, highlight=False)
    return EXIT_OK if result.divergence is None else EXIT_FAILED


def cmd_new_target(args: argparse.Namespace) -> int:
    from byteir_sdk.porting import new_target

    files = new_target(args.name, args.dir)
    out = console()
    for path in files:
        out.print(f"wrote {path}")
    out.print(f"next: pip install -e {args.dir} && byteir-conformance --target {args.name} --tier hal  (docs/porting.md)")
    return EXIT_OK


def cmd_export_model(args: argparse.Namespace) -> int:
    options = {k: v for k, v in (("batch", args.batch), ("seed", args.seed)) if v is not None}
    program = models.get(args.name, **options)
    path = program.save(args.output)
    console().print(f"wrote {path} ({args.name}: {', '.join(str(s) for s in program.inputs)})")
    return EXIT_OK


def cmd_models(args: argparse.Namespace) -> int:
    table = Table(title="example models", title_justify="left")
    table.add_column("name")
    table.add_column("description")
    for name in models.names():
        table.add_row(name, models.describe(name))
    console().print(table)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="byteir",
        description="ByteIR SDK: load StableHLO, inspect it, compile it to ByRE, run it on a target, evaluate it on the reference oracle.",
        epilog="Exit codes: 0 ok, 1 a check failed, 2 bad usage or input, 3 internal error. "
        "npz convention: inputs arg0..argN-1 (or argument names), outputs out0..outM-1.",
    )
    parser.add_argument("--version", action="version", version=f"byteir {__version__}")
    add_common_options(parser, subcommand=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def file_command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("file", metavar="FILE", help="StableHLO .mlir text, .mlirbc bytecode or portable artifact")
        p.add_argument("--entry", default=None, help="entry function (default: @main, or the only public function)")
        add_common_options(p)
        return p

    p = file_command("inspect", "StableHLO: signature, op histogram, parameters, FLOPs; .byre: arguments and each kernel's format and launch")
    p.set_defaults(handler=cmd_inspect)

    p = file_command("reference", "evaluate a program on the reference oracle")
    p.add_argument("--inputs", metavar="IN.npz", help="inputs (keys arg0.. or argument names); default: seeded random")
    p.add_argument("--outputs", metavar="OUT.npz", help="write outputs as out0..outM-1")
    p.add_argument("--engine", choices=sorted(reference.ENGINES), default="interpreter",
                   help="interpreter = stablehlo.eval_module (exact spec semantics, slow); xla = XLA:CPU (fast)")  # fmt: skip
    p.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default 0)")
    p.set_defaults(handler=cmd_reference)

    p = file_command("compile", "compile a StableHLO program to ByRE for a target")
    p.add_argument("--target", default="cpu", help="registered target (default cpu)")
    p.add_argument("-o", "--output", metavar="OUT.byre", help="output path (default: FILE with .byre)")
    p.add_argument("--emit", choices=["text", "bytecode"], default="text", help="MLIR text (default) or MLIR bytecode")
    p.add_argument("--dump-after", action="append", metavar="STAGE", help="print the IR after STAGE (import, graph, loop, tensor, byre, all); repeatable")
    p.add_argument("--dump-dir", metavar="DIR", help="write the dumps to DIR instead of printing them")
    p.add_argument("--stats", action="store_true", help="arena peak vs naive, weight bytes, kernels, compile time per stage")
    p.add_argument("--target-option", action="append", metavar="NAME=VALUE",
                   help="an option of the target's backend, e.g. threads=16 for the cpu (the cores of the machine it will run on); repeatable")
    p.add_argument("--cuda-arch", metavar="sm_XY", help="cuda target: the GPU architecture to generate PTX for (default sm_90)")
    p.set_defaults(handler=cmd_compile)

    p = file_command("run", "run a .byre, or a .mlir compiled first, on a target")
    p.add_argument("--target", default="cpu", help="target to compile a .mlir for (a .byre names its own); default cpu")
    p.add_argument("--inputs", metavar="IN.npz", help="inputs (keys arg0.. or argument names); default: seeded random")
    p.add_argument("--outputs", metavar="OUT.npz", help="write outputs as out0..outM-1")
    p.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default 0)")
    p.add_argument("--check", action="store_true", help="also run the oracle and report max abs/rel error per output (exit 1 on mismatch)")
    p.add_argument("--engine", choices=sorted(reference.ENGINES), default="xla", help="oracle for --check (default xla)")
    p.add_argument("--source", metavar="FILE.mlir", help="the StableHLO a .byre was compiled from (for --check)")
    p.add_argument("--repeat", type=int, default=10, help="steady-state runs to time (default 10; 0 to skip)")
    p.add_argument("--target-option", action="append", metavar="NAME=VALUE", help="an option of the target's backend to compile a .mlir with; repeatable")
    p.add_argument("--cuda-arch", metavar="sm_XY", help="cuda target: the GPU architecture to compile a .mlir for (default sm_90)")
    p.set_defaults(handler=cmd_run)

    p = file_command("bisect", "run a program on a target and its kernels on the CPU side by side; name the first kernel whose output diverges")
    p.add_argument("--target", required=True, help="the target under test")
    p.add_argument("--against", default="cpu", help="the reference target running the same kernels (default cpu)")
    p.add_argument("--inputs", metavar="IN.npz", help="inputs (keys arg0.. or argument names); default: seeded random")
    p.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default 0)")
    p.set_defaults(handler=cmd_bisect)

    p = sub.add_parser("export-model", help="write a bundled example model as StableHLO",
                       description="Write an example model (generated with JAX, seeded weights) as .mlir text or .mlirbc bytecode.")  # fmt: skip
    p.add_argument("name", choices=models.names(), help="model name")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="output path (.mlir or .mlirbc)")
    p.add_argument("--batch", type=int, default=None, help="batch size (default: the model's)")
    p.add_argument("--seed", type=int, default=None, help="weight seed (default 0)")
    add_common_options(p)
    p.set_defaults(handler=cmd_export_model)

    p = sub.add_parser("new-target", help="scaffold an installable out-of-tree target package",
                       description="Write a target package (pyproject with the byteir_sdk.targets entry point, a Backend and a HAL driver "
                       "whose methods raise UnimplementedError saying what to implement, a conformance manifest).")  # fmt: skip
    p.add_argument("name", help="target name (a Python identifier, e.g. mychip)")
    p.add_argument("--dir", required=True, metavar="DIR", help="directory to create (must be new or empty)")
    add_common_options(p)
    p.set_defaults(handler=cmd_new_target)

    p = sub.add_parser("models", help="list the bundled example models", description="List the bundled example models.")
    add_common_options(p)
    p.set_defaults(handler=cmd_models)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    return run_command(parser, lambda args: args.handler(args), argv)


if __name__ == "__main__":
    raise SystemExit(main())
