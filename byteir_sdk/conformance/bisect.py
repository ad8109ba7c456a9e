"""First-divergence bisection: run a program on a target and, side by side, the very same kernels
(same partition, same names) on a reference target (the CPU), reading back every kernel's outputs;
the first kernel, in dispatch order, whose outputs leave the tolerance is where the target
went wrong (everything before it agreed)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from byteir_sdk.compiler.frontend import Program
from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.reference.compare import Comparison, compare, default_tolerance

__all__ = ["KernelDivergence", "BisectResult", "first_divergence"]


@dataclass(frozen=True)
class KernelDivergence:
    """The first kernel whose output differs from the reference target's beyond the tolerance."""

    kernel: str
    dispatch: int  # position among the program's kernel dispatches
    loc: str  # the StableHLO location of the kernel's first op
    output: int
    comparison: Comparison

    def __str__(self) -> str:
        where = f", {self.loc}" if self.loc else ""
        return f"first diverging kernel @{self.kernel} (dispatch #{self.dispatch}{where}), output {self.output}: {self.comparison}"


@dataclass(frozen=True)
class BisectResult:
    target: str
    against: str
    kernels_compared: int
    divergence: KernelDivergence | None

    def __str__(self) -> str:
        if self.divergence is None:
            return f"all {self.kernels_compared} kernels agree between {self.target} and {self.against}"
        return f"{self.target} vs {self.against}: {self.divergence}"


def _kernel_loc(kernel: K.Kernel | None) -> str:
    for op in kernel.ops if kernel is not None else ():
        loc = getattr(op, "loc", "")
        if loc:
            return loc
    return ""


def first_divergence(program: Program, target: str, inputs: Sequence[np.ndarray], *, against: str = "cpu") -> BisectResult:
    """Compare `program` on `target` with the same kernels lowered for `against`, kernel by kernel."""
    from byteir_sdk.compiler.pipeline import CompileOptions, run_stages
    from byteir_sdk.runtime import Session

    options = CompileOptions.make(target)
    mine = run_stages(program, options)
    theirs = run_stages(program, options, lower_on=against)
    assert mine.byre is not None and theirs.byre is not None and mine.kernel_program is not None
    with Session(mine.byre) as session:
        got = session.run_traced(list(inputs))
    with Session(theirs.byre) as session:
        want: dict[str, list[list[np.ndarray]]] = defaultdict(list)
        for callee, outputs in session.run_traced(list(inputs)):
            want[callee].append(outputs)
    seen: dict[str, int] = defaultdict(int)
    for position, (callee, outputs) in enumerate(got):
        expected = want[callee][seen[callee]]
        seen[callee] += 1
        for i, (g, w) in enumerate(zip(outputs, expected)):
            c = compare(g, w, default_tolerance(w.dtype))
            if not c.ok:
                kernel = mine.kernel_program.kernels.get(callee)
                return BisectResult(target, against, position + 1, KernelDivergence(callee, position, _kernel_loc(kernel), i, c))
    return BisectResult(target, against, len(got), None)
