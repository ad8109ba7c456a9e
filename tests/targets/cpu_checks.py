"""Shared by the CPU target's tests: compile a JAX function for the CPU, run it, check every result
against the StableHLO interpreter (or XLA, for programs too big for it; default tolerance of its
dtype), and hand back what the compiler made of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import byteir_sdk
from byteir_sdk import reference
from byteir_sdk.compiler.pipeline import CompileOptions, run_stages
from byteir_sdk.reference.compare import compare, default_tolerance
from byteir_sdk.runtime import Session
from byteir_targets.cpu.codegen import Step, generate


def checked_compilation(fn: Callable[..., Any], *args: np.ndarray, engine: str = "interpreter", **options: Any) -> Any:  # noqa: ANN401
    """The compilation of `fn` on `args` (tensor-stage dump kept), after checking its run against
    the oracle `engine`."""
    program = byteir_sdk.load(fn, *args)
    with Session(byteir_sdk.compile(program, "cpu", **options)) as session:
        got = session.run(list(args))
    for g, w in zip(got, reference.run(program, list(args), engine=engine)):
        result = compare(g, w, default_tolerance(w.dtype))
        assert result.ok, str(result)
    return run_stages(program, CompileOptions.make("cpu", dump_after="tensor", **options))


def kernel_steps(comp: Any) -> list[list[Step]]:  # noqa: ANN401
    """Each kernel's steps, as the code generator makes them."""
    return [generate(k)[1] for k in comp.kernel_program.kernels.values()]


def llvm_text(comp: Any) -> str:  # noqa: ANN401
    """The LLVM IR of every generated kernel."""
    return "\n".join(k.blob.decode() for k in comp.lowered.values() if k.format == "llvm-ir")
