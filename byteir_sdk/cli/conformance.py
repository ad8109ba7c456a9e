"""`byteir-conformance`: qualify a device target against the HAL, op, model and corpus suites."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from byteir_sdk import __version__
from byteir_sdk.cli._common import EXIT_FAILED, EXIT_OK, add_common_options, console, run_command


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
    parser.add_argument("--manifest", metavar="M.toml", help="known gaps ([unsupported] / [xfail] tables of case-id pattern = reason); default: the target's own")
    parser.add_argument("--strict", action="store_true", help="a case that passes although the manifest expects it to fail is a failure")
    parser.add_argument("--require-level", choices=["Core", "Full"], help="exit 1 unless the run reaches this conformance level")
    parser.add_argument("--compile-only", action="store_true",
                        help="compile every ops/models/corpus case and check each executable offline (e.g. ptxas), run nothing: "
                             "qualifies code generation on a machine without the device (no HAL tier, no level)")  # fmt: skip
    parser.add_argument("--select", metavar="PATTERN", help="run only case ids matching this fnmatch pattern (e.g. 'ops/add/*')")
    add_common_options(parser, subcommand=False)
    return parser


def _handle(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from byteir_sdk.compiler.backend import get_target
    from byteir_sdk.conformance.report import write_reports
    from byteir_sdk.conformance.suite import TIERS, load_manifest, run_suite

    get_target(args.target)  # an unknown target is a usage error naming the registered ones
    tiers = list(TIERS) if args.tier == "all" else [args.tier]
    if args.tier == "all" and args.corpus is None:
        tiers.remove("corpus")
    if args.compile_only:
        tiers = [t for t in tiers if t != "hal"]
    manifest = load_manifest(args.manifest) if args.manifest else None
    out = console()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=out, transient=True) as bar:
        task = bar.add_task(f"{args.target}: starting", total=None)

        def progress(result, done: int, total: int) -> None:  # noqa: ANN001
            bar.update(task, total=total, completed=done, description=f"{args.target}: {result.id}")

        result = run_suite(args.target, tiers, corpus=args.corpus, manifest=manifest, strict=args.strict, select=args.select, progress=progress, compile_only=args.compile_only)
    counts = result.counts()
    table = Table(title=f"byteir-conformance --target {args.target}", title_justify="left")
    for col in ("tier", "cases", "pass", "fail", "error", "xfail", "xpass", "unsupported"):
        table.add_column(col, justify="left" if col == "tier" else "right")
    for tier in tiers:
        rows = [r for r in result.results if r.tier == tier]
        table.add_row(tier, str(len(rows)), *(str(sum(1 for r in rows if r.status == s)) for s in ("pass", "fail", "error", "xfail", "xpass", "unsupported")))
    out.print(table)
    for r in result.failed()[:20]:
        out.print(f"[red]{r.status}[/] {r.id}: {r.reason[:300]}", highlight=False)
    if len(result.failed()) > 20:
        out.print(f"... and {len(result.failed()) - 20} more (see the report)")
    for path in write_reports(result, args.report, args.markdown):
        out.print(f"wrote {path}")
    out.print(f"conformance level: [bold]{result.level}[/] ({sum(counts.values())} cases, {result.seconds:.1f} s)")
    levels = ["none", "Core", "Full"]
    if args.require_level and levels.index(result.level) < levels.index(args.require_level):
        out.print(f"[red]required level {args.require_level} not reached[/]")
        return EXIT_FAILED
    return EXIT_OK if not result.failed() else EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), _handle, argv)


if __name__ == "__main__":
    raise SystemExit(main())
