"""`byteir-conformance`: qualify a device target against the HAL, op, model and corpus suites."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from byteir_sdk import __version__
from byteir_sdk.cli._common import add_common_options, run_command
from byteir_sdk.errors import UnsupportedError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="byteir-conformance",
        description="Qualify a registered device target (entry point group byteir_sdk.targets): HAL contract "
        "tests, a StableHLO op x dtype matrix, the example models and a testdata corpus, each checked against "
        "the StableHLO reference interpreter; writes a machine-readable report and a conformance level.",
        epilog="Exit codes: 0 conformant, 1 failures, 2 bad usage or input, 3 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"byteir-conformance {__version__}")
    parser.add_argument("--target", required=True, metavar="NAME", help="registered target to qualify (e.g. cpu, ref_asic)")
    parser.add_argument("--tier", choices=["hal", "ops", "models", "corpus", "all"], default="all", help="which suite to run")
    parser.add_argument("--corpus", metavar="DIR", help="directory of StableHLO testdata-style files for the corpus tier")
    parser.add_argument("--report", metavar="R.json", help="write the JSON report")
    parser.add_argument("--markdown", metavar="R.md", help="write the markdown report")
    add_common_options(parser, subcommand=False)
    return parser


def _handle(args: argparse.Namespace) -> int:
    from byteir_sdk.compiler.backend import get_target

    get_target(args.target)  # an unknown target is a usage error naming the registered ones
    raise UnsupportedError(
        f"byteir-conformance --target {args.target}: the conformance suite is not part of this build yet",
        hint=f"Meanwhile `byteir run FILE.mlir --target {args.target} --check` checks one program against the oracle.",
    )


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), _handle, argv)


if __name__ == "__main__":
    raise SystemExit(main())
