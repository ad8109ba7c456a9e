"""The reference oracle: what a StableHLO program *should* compute.

``run(program, inputs, engine="interpreter")`` evaluates with ``stablehlo.eval_module``;
``engine="xla"`` uses XLA:CPU through jax. Every numerical test in the SDK compares against
one of these, with the tolerance policy of :mod:`byteir_sdk.reference.compare`.
"""

from __future__ import annotations

import numpy as np

from byteir_sdk import io as _io
from byteir_sdk.compiler.frontend import Program
from byteir_sdk.errors import UsageError
from byteir_sdk.reference.compare import CHECK_TOLERANCES, Comparison, Tolerance, compare, default_tolerance, ulp_distance
from byteir_sdk.reference.engines import ENGINES

__all__ = [
    "run",
    "random_inputs",
    "ENGINES",
    "compare",
    "Comparison",
    "Tolerance",
    "default_tolerance",
    "ulp_distance",
    "CHECK_TOLERANCES",
]


def run(program: Program, inputs: _io.Inputs | None = None, *, engine: str = "interpreter") -> list[np.ndarray]:
    """Evaluate `program` on `inputs` (list, or dict by name; None: seeded random inputs)."""
    try:
        runner = ENGINES[engine]
    except KeyError:
        raise UsageError(f"unknown oracle engine {engine!r}", hint=f"Choose one of: {', '.join(ENGINES)}.") from None
    args = random_inputs(program) if inputs is None else _io.bind_inputs(program.inputs, inputs, what=program.source)
    return runner(program, args)


def random_inputs(program: Program, seed: int = 0) -> list[np.ndarray]:
    """Deterministic, dtype-appropriate inputs for `program`'s entry signature."""
    return _io.random_inputs(program.inputs, seed)
