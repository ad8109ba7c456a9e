"""`byteir-sim`: run compiled models on the reference ASIC simulator."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from rich.progress import Progress
from rich.table import Table

from byteir_sdk import __version__
from byteir_sdk import io as sdk_io
from byteir_sdk.cli._common import EXIT_OK, add_common_options, console, human_bytes, outputs_table, run_command
from byteir_sdk.errors import UsageError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="byteir-sim",
        description="Run a compiled model on the reference ASIC simulator: bit-exact values, cycle counts, "
        "per-engine utilisation, a roofline verdict per kernel and a Perfetto timeline trace.",
        epilog="Exit codes: 0 ok, 1 a check failed, 2 bad usage or input, 3 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"byteir-sim {__version__}")
    add_common_options(parser, subcommand=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run a .byre (ref_asic) or .mlir (compiled first) on the simulator",
                         description="Run FILE on the simulator and print outputs, total cycles and time at the clock.")  # fmt: skip
    run.add_argument("file", metavar="FILE", help="a .byre compiled for ref_asic, or a StableHLO .mlir/.mlirbc")
    run.add_argument("--inputs", metavar="IN.npz", help="inputs (keys arg0.. or argument names); default: seeded random")
    run.add_argument("--outputs", metavar="OUT.npz", help="write outputs as out0..outM-1")
    run.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default 0)")
    run.add_argument("--config", metavar="CFG", help="machine configuration (TOML/JSON): array size, memories, bandwidth, clock")
    run.add_argument("--trace", metavar="TRACE.json", help="write a Chrome/Perfetto timeline trace")
    run.add_argument("--stats", metavar="STATS.json", help="write the per-kernel statistics as JSON")
    run.add_argument("--report", action="store_true", help="print a per-kernel table: cycles, utilisation, bound")
    run.add_argument("--check", action="store_true", help="compare with the XLA oracle (needs the .mlir; exit 1 on mismatch)")
    run.add_argument("--rtl", action="append", choices=["matrix"], default=[], metavar="BLOCK",
                     help="run BLOCK's work through its Verilated RTL instead of the Python model (matrix: the systolic tile, int8 tiles; needs the rtl extra)")  # fmt: skip
    add_common_options(run)
    disasm = sub.add_parser("disasm", help="print the ISA programs inside a .byre", description="Disassemble the programs of FILE.")
    disasm.add_argument("file", metavar="FILE.byre")
    add_common_options(disasm)
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    from byteir_sdk import reference
    from byteir_sdk.compiler.frontend import load
    from byteir_sdk.compiler.pipeline import compile as compile_program
    from byteir_sdk.runtime import Session
    from byteir_sim.config import load_config
    from byteir_sim.trace import write_json
    from byteir_targets.ref_asic.driver import RefAsicDevice

    config = load_config(args.config)
    out = console()
    program = None
    if Path(args.file).suffix in (".byre", ".byrebc"):
        byre: object = args.file
    else:
        program = load(args.file)
        byre = compile_program(program, "ref_asic")
    matrix = None
    if "matrix" in args.rtl:
        from byteir_sim.rtl.cosim import RtlMatrixUnit

        with Progress(console=out, transient=True) as progress:
            progress.add_task(f"building the {config.array_size}x{config.array_size} RTL systolic tile (cached after the first time)", total=None)
            matrix = RtlMatrixUnit(config.array_size)
    device = RefAsicDevice(config, matrix)
    try:
        session = Session(byre, device=device)  # type: ignore[arg-type]
        if session.program.target != "ref_asic":
            raise UsageError(f"{args.file} was compiled for '{session.program.target}', not ref_asic", hint="Compile with --target ref_asic.")
        specs = session.input_specs
        inputs = sdk_io.load_inputs_npz(args.inputs, specs) if args.inputs else sdk_io.random_inputs(specs, args.seed)
        device.take_reports()
        start = time.perf_counter()
        with Progress(console=out, transient=True) as progress:
            progress.add_task(f"simulating {Path(args.file).name}", total=None)
            outputs = session.run(inputs)
        wall = time.perf_counter() - start
        reports = device.take_reports()
        session.close()
    finally:
        device.close()
        if matrix is not None:
            matrix.close()
    name = Path(args.file).stem
    out.print(outputs_table(session.output_specs, outputs, title=f"{name} on the reference ASIC ({args.inputs or f'random inputs, seed {args.seed}'})"))
    asic = [r for r in reports if r.where == "asic"]
    cycles = sum(r.cycles for r in asic)
    host = [r for r in reports if r.where == "host"]
    copies = [r for r in reports if r.where == "copy" and r.direction in ("device->host", "host->device")]
    out.print(f"total: {cycles:,} cycles = {cycles / config.clock_hz * 1e3:.3f} ms at {config.clock_hz / 1e9:g} GHz "
              f"({len(asic)} kernels on the ASIC, {len(host)} host-fallback kernels taking {sum(r.host_seconds for r in host) * 1e3:.1f} ms, "
              f"{len(copies)} copies between DRAM and host memory moving {human_bytes(sum(r.copy_bytes for r in copies))}); "
              f"simulated in {wall:.2f} s")  # fmt: skip
    if matrix is not None:
        out.print(f"RTL matrix unit: {matrix.rtl_tiles:,} int8 tiles ran on the Verilated systolic_tile.v ({matrix.rtl_cycles:,} RTL cycles), "
                  f"{matrix.python_tiles:,} tiles of other types on the Python model (the RTL tile is int8 only)")  # fmt: skip
    if args.report:
        table = Table(title="per-kernel report", title_justify="left")
        for col in ("#", "kernel", "where", "cycles", "MAC util", "DMA B/cycle", "bound"):
            table.add_column(col, justify="right" if col in ("cycles", "MAC util", "DMA B/cycle") else "left")
        for i, r in enumerate(reports):
            if r.where == "asic":
                s = r.stats
                table.add_row(str(i), r.name, "asic", f"{r.cycles:,}", f"{s['mac_utilisation']:.1%}", f"{s['dma_bytes_per_cycle']:.1f}", str(s["verdict"]))
            elif r.where == "copy":
                table.add_row(str(i), "byre.copy", r.direction, "-", "-", "-", human_bytes(r.copy_bytes))
            else:
                table.add_row(str(i), r.name, "host fallback", "-", "-", "-", f"{r.host_seconds * 1e3:.2f} ms host")
        out.print(table)
    if args.trace:
        events: list[dict[str, object]] = []
        offset_us = 0.0
        for pid, r in enumerate(asic):
            for ev in r.trace:
                shifted = dict(ev, pid=pid)
                if "ts" in shifted:
                    shifted["ts"] = float(shifted["ts"]) + offset_us  # type: ignore[arg-type]
                if "id" in shifted:
                    shifted["id"] = f"{pid}:{shifted['id']}"
                events.append(shifted)
            offset_us += r.cycles / config.clock_hz * 1e6
        out.print(f"wrote {write_json(args.trace, {'traceEvents': events, 'displayTimeUnit': 'ns'})} (open in ui.perfetto.dev)")
    if args.stats:
        rows = [{"kernel": r.name, "where": r.where, "cycles": r.cycles, "host_seconds": r.host_seconds, **({"bytes": r.copy_bytes, "direction": r.direction} if r.where == "copy" else {}), **r.stats} for r in reports]
        out.print(f"wrote {write_json(args.stats, rows)}")
    if args.outputs:
        out.print(f"wrote {sdk_io.save_outputs_npz(args.outputs, outputs)}")
    if args.check:
        if program is None:
            raise UsageError("--check needs the StableHLO program: run the .mlir")
        expected = reference.run(program, inputs, engine="xla")
        failed = False
        for spec, got, want in zip(session.output_specs, outputs, expected):
            cmp = reference.compare(got, want, reference.default_tolerance(want.dtype))
            failed |= not cmp.ok
            out.print(f"check {spec.name} against XLA: {cmp}")
        return 1 if failed else EXIT_OK
    return EXIT_OK


def cmd_disasm(args: argparse.Namespace) -> int:
    from byteir_sdk.runtime import read_byre
    from byteir_sim.isa import decode_program, disassemble

    program = read_byre(args.file)
    out = console()
    shown = 0
    for name, exe in program.executables.items():
        if exe.format != "ref-asic":
            out.print(f"// {name}: {exe.format} executable (host fallback)", markup=False)
            continue
        out.print(f"// {name}: {len(exe.blob) // 16} instructions, shape {exe.launch.get('shape')}, {exe.launch.get('loc', '')}", markup=False)
        out.print(disassemble(decode_program(exe.blob)), markup=False, highlight=False)
        shown += 1
    if not shown:
        out.print("// no ref-asic programs in this file", markup=False)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), lambda a: cmd_run(a) if a.command == "run" else cmd_disasm(a), argv)


if __name__ == "__main__":
    raise SystemExit(main())
