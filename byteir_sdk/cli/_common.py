"""What the three commands share: the console, error handling and exit codes, output tables.

Exit codes: 0 ok, 1 a check failed (mismatch), 2 bad usage or bad input, 3 internal error.
Errors print as one line; ``--debug`` adds the Python traceback.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Sequence

import numpy as np
from rich.console import Console
from rich.table import Table

from byteir_sdk.dtypes import TensorSpec
from byteir_sdk.errors import ByteIRError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def human_bytes(n: float) -> str:
    """A byte count for people: ``512 B``, ``72.30 KiB``, ``7.11 MiB``."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def error_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def add_common_options(parser: argparse.ArgumentParser, *, subcommand: bool = True) -> None:
    """``--debug``, accepted before or after the subcommand name."""
    # A subcommand's default must not overwrite a --debug given before the subcommand.
    default = argparse.SUPPRESS if subcommand else False
    parser.add_argument("--debug", action="store_true", default=default, help="show Python tracebacks and debug logging")


def run_command(parser: argparse.ArgumentParser, handler: Callable[[argparse.Namespace], int], argv: Sequence[str] | None) -> int:
    """Parse `argv`, run `handler`, and turn errors into one line + an exit code."""
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    err = error_console()
    try:
        return handler(args)
    except ByteIRError as exc:
        if args.debug:
            err.print_exception()
        err.print("error: " + exc.message + (f"\n       {exc.hint}" if exc.hint else ""), markup=False)
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("interrupted", markup=False)
        return 130
    except Exception as exc:  # a bug in the SDK: say so, keep the traceback behind --debug
        if args.debug:
            err.print_exception()
        err.print(
            f"internal error: {type(exc).__name__}: {exc}\n       This is a bug in byteir; rerun with --debug and report the traceback.",
            markup=False,
        )
        return EXIT_INTERNAL


def _preview(arr: np.ndarray, n: int = 4) -> str:
    flat = arr.reshape(-1)[:n].tolist()
    items = ", ".join(f"{v:.4g}" if isinstance(v, (float, complex)) else str(v) for v in flat)
    return f"[{items}{', ...' if arr.size > n else ''}]"


def outputs_table(specs: Sequence[TensorSpec], values: Sequence[np.ndarray], title: str = "outputs") -> Table:
    """A table of each output's name, type, min/max/mean and first values."""
    table = Table(title=title, title_justify="left")
    for col in ("output", "type", "min", "max", "mean", "values"):
        table.add_column(col, justify="right" if col in ("min", "max", "mean") else "left")
    for spec, arr in zip(specs, values):
        if arr.size and spec.element.kind in ("float", "int", "uint", "bool"):
            wide = arr.astype(np.float64)
            mn, mx, mean = f"{np.nanmin(wide):.4g}", f"{np.nanmax(wide):.4g}", f"{np.nanmean(wide):.4g}"
        else:
            mn = mx = mean = "-"
        table.add_row(spec.name, spec.mlir_type, mn, mx, mean, _preview(arr))
    return table

