"""`byteir-sim`: run compiled models on the reference ASIC simulator."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from byteir_sdk import __version__
from byteir_sdk.cli._common import add_common_options, run_command
from byteir_sdk.errors import UnsupportedError


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
    run.add_argument("--config", metavar="CFG", help="machine configuration (TOML/JSON): array size, memories, bandwidth, clock")
    run.add_argument("--trace", metavar="TRACE.json", help="write a Chrome/Perfetto timeline trace")
    run.add_argument("--report", action="store_true", help="print a per-kernel table: cycles, utilisation, bound")
    add_common_options(run)
    disasm = sub.add_parser("disasm", help="print the ISA programs inside a .byre", description="Disassemble the programs of FILE.")
    disasm.add_argument("file", metavar="FILE.byre")
    add_common_options(disasm)
    return parser


def _handle(args: argparse.Namespace) -> int:
    raise UnsupportedError(
        f"byteir-sim {args.command}: the reference ASIC simulator is not part of this build yet",
        hint="Use `byteir reference FILE` to evaluate a model on the oracle meanwhile.",
    )


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), _handle, argv)


if __name__ == "__main__":
    raise SystemExit(main())
