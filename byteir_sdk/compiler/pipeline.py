"""The compiler driver: import -> graph -> loop -> tensor -> byre, for one target.

Each stage is a named, ordered list of passes (``STAGES``); the IR after any stage can be
dumped (MLIR text for import/graph/byre, Kernel IR text for loop/tensor) so a vendor sees
exactly what their backend receives.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from byteir_sdk import _mlir
from byteir_sdk.compiler.backend import Backend, Capabilities, LoweredKernel, get_target
from byteir_sdk.compiler.byre.emit import ByreModule, emit_byre
from byteir_sdk.compiler.frontend import Program, load
from byteir_sdk.compiler.graph import fusion as _fusion  # noqa: F401  (registers the graph passes)
from byteir_sdk.compiler.graph import schedule as _schedule  # noqa: F401
from byteir_sdk.compiler.graph import simplify as _simplify  # noqa: F401
from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.compiler.loop.passes import LOOP_PASSES
from byteir_sdk.compiler.loop.program import KernelProgram, build_kernel_program
from byteir_sdk.compiler.passes import PassContext, get_pass
from byteir_sdk.compiler.tensor.bufferize import MemoryPlan, plan_memory
from byteir_sdk.compiler.tensor.spaces import DEVICE, place_memory_spaces
from byteir_sdk.dtypes import element_type
from byteir_sdk.errors import UnsupportedOpError, UnsupportedTypeError, UsageError

__all__ = ["compile", "CompileOptions", "STAGES", "Compilation", "run_stages"]

#: stage -> its passes, in order
STAGES: dict[str, tuple[str, ...]] = {
    "import": ("legalize-composite-to-call", "inline-calls", "chlo-legalize-to-stablehlo", "shape-legalize-to-stablehlo", "stablehlo-refine-shapes", "canonicalize", "cse", "symbol-dce"),
    "graph": ("canonicalize", "fold-empty-tensors", "fold-constants", "fold-identity-ops", "fold-transpose-of-transpose", "fold-transpose-into-dot", "fold-reshape-chains",
              "simplify-arithmetic", "dce", "cse", "shrink-broadcast-constants", "rematerialize-cheap-broadcasts", "outline-fusion-groups", "sink-calls-to-first-use"),  # fmt: skip
    "loop": ("legalize-to-kernel-ir", "views-to-loops", "fuse-elementwise-loops", "fold-transposes-into-producers", "eliminate-dead-operands", "merge-leading-dims", "tile-for-memory", "annotate-parallelism"),
    "tensor": ("bufferize", "place-memory-spaces", "plan-memory"),
    "byre": ("lower-kernels", "emit-byre"),
}


@dataclass
class CompileOptions:
    """Options of one compilation (keyword arguments of :func:`compile`)."""

    target: str = "cpu"
    dump_after: frozenset[str] = frozenset()
    dump_dir: Path | None = None
    fold_limit: int | None = None
    target_options: tuple[tuple[str, Any], ...] = ()  # keyword arguments of the target's backend factory (e.g. arch)

    @classmethod
    def make(cls, target: str, dump_after: Iterable[str] | str | None = None, dump_dir: str | os.PathLike[str] | None = None, **rest: Any) -> CompileOptions:
        unknown = set(rest) - {"fold_limit", "target_options"}
        if unknown:
            raise UsageError(f"unknown compile option(s): {', '.join(sorted(unknown))}")
        stages = {dump_after} if isinstance(dump_after, str) else set(dump_after or ())
        if "all" in stages:
            stages = set(STAGES)
        bad = stages - set(STAGES)
        if bad:
            raise UsageError(f"unknown stage(s) {', '.join(sorted(bad))} for --dump-after", hint=f"Stages: {', '.join(STAGES)}, all.")
        target_options = tuple(sorted(dict(rest.get("target_options") or {}).items()))
        return cls(target, frozenset(stages), Path(dump_dir) if dump_dir else None, rest.get("fold_limit"), target_options)


@dataclass
class Compilation:
    """Everything the pipeline produced: per-stage artefacts, timings and statistics."""

    program: Program
    backend: Backend
    capabilities: Capabilities
    graph_module: Any = None
    kernel_program: KernelProgram | None = None
    plan: MemoryPlan | None = None
    lowered: dict[str, LoweredKernel] = field(default_factory=dict)
    byre: ByreModule | None = None
    dumps: dict[str, str] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    pass_statistics: dict[str, int] = field(default_factory=dict)

    def statistics(self) -> dict[str, object]:
        kp = self.kernel_program
        plan = self.plan
        stats: dict[str, object] = {"target": self.backend.name, "stage_seconds": dict(self.stage_seconds), **self.pass_statistics}
        if kp is not None:
            stats["kernels"] = len(kp.kernels)
            stats["ops_per_kernel"] = {name: sum(1 for op in k.ops if isinstance(op, (K.Loop, K.HostOp))) for name, k in kp.kernels.items()}
            stats["host_kernels"] = sorted(n for n, k in kp.kernels.items() if any(isinstance(op, K.HostOp) for op in k.ops))
        if plan is not None:
            stats["arena_peak_bytes"] = plan.arena_bytes
            stats["arena_bytes_by_space"] = dict(plan.arenas)
            stats["arena_naive_bytes"] = plan.naive_bytes
            stats["weight_bytes"] = plan.weight_bytes
            stats["in_place_reuses"] = len(plan.in_place)
        return stats


def _dump(comp: Compilation, options: CompileOptions, stage: str, text: Callable[[], str]) -> None:
    """Keep (and write) the IR after `stage` when it was asked for; `text` prints it only then."""
    if stage not in options.dump_after:
        return
    comp.dumps[stage] = text = text()
    if options.dump_dir is not None:
        options.dump_dir.mkdir(parents=True, exist_ok=True)
        suffix = ".mlir" if stage in ("import", "graph", "byre") else ".kir"
        (options.dump_dir / f"{comp.program.name}.{stage}{suffix}").write_text(text)


def _check_types(program: Program, caps: Capabilities, target: str) -> None:
    for op in program.ops():
        for value in list(op.operands) + list(op.results):
            try:
                name = element_type(_mlir.ir.RankedTensorType(value.type).element_type).name
            except (ValueError, UnsupportedTypeError):
                continue
            if name not in caps.dtypes:
                raise UnsupportedTypeError(
                    f"{_mlir.short_location(op.location, program.source)}: {op.name} uses element type {name}, "
                    f"which target '{target}' does not support",
                    hint=f"Supported: {', '.join(sorted(caps.dtypes))}.",
                )


def _check_host_ops(kp: KernelProgram, caps: Capabilities, target: str) -> None:
    for kernel in kp.kernels.values():
        for op in kernel.ops:
            if isinstance(op, K.HostOp) and op.name not in caps.host_ops:
                where = f"{op.loc}: " if op.loc else ""
                raise UnsupportedOpError(
                    f"{where}{op.name} is not supported by target '{target}'",
                    hint=f"It has no loop form and '{target}' runs none as a host op"
                    + (f" (it does run: {', '.join(sorted(caps.host_ops))})." if caps.host_ops else "."),
                )


def run_stages(program: Program, options: CompileOptions, lower_on: str | None = None) -> Compilation:
    """Run every stage for `options.target`; returns the whole Compilation.

    With `lower_on`, the graph and loop stages still plan for `options.target` (same kernels,
    same names), but that target's backend runs the tensor and ByRE stages: the program
    `options.target` would run, made runnable on `lower_on` for a side-by-side comparison."""
    backend = get_target(options.target).make_backend(**dict(options.target_options))
    caps = backend.capabilities()
    comp = Compilation(program=program, backend=backend, capabilities=caps)
    _dump(comp, options, "import", program.text)
    _check_types(program, caps, options.target)

    start = time.perf_counter()
    module = _mlir.clone_module(program.module)
    ctx = PassContext(source=program.source, capabilities=caps, options={"fold_limit": options.fold_limit} if options.fold_limit else {})
    for name in STAGES["graph"]:
        get_pass(name)().run(module, ctx)
    _mlir.verify(module, source=program.source)
    comp.graph_module = module
    comp.pass_statistics.update(ctx.statistics)
    comp.stage_seconds["graph"] = time.perf_counter() - start
    _dump(comp, options, "graph", module.operation.get_asm)

    start = time.perf_counter()
    kp = build_kernel_program(module, program.entry, program.inputs, program.outputs, source=program.source)
    for name in STAGES["loop"][1:]:
        fn = LOOP_PASSES[name][0]
        kp.kernels = {k: fn(v, caps) for k, v in kp.kernels.items()}
    _check_host_ops(kp, caps, options.target)
    comp.kernel_program = kp
    comp.stage_seconds["loop"] = time.perf_counter() - start
    _dump(comp, options, "loop", lambda: _loop_text(kp))

    start = time.perf_counter()
    if lower_on is not None:
        backend = comp.backend = get_target(lower_on).make_backend()
        caps = backend.capabilities()
    buffers = {name: backend.bufferize(k, caps.alignment) for name, k in kp.kernels.items()}
    kp.kernels = {name: dataclasses.replace(k, buffers=buffers[name]) for name, k in kp.kernels.items()}
    kernel_spaces = {name: backend.memory_space(k) for name, k in kp.kernels.items()}
    comp.pass_statistics["memory_space_copies"] = place_memory_spaces(kp, kernel_spaces)
    comp.pass_statistics["host_space_kernels"] = sum(1 for s in kernel_spaces.values() if s != DEVICE)  # type: ignore[assignment]
    comp.plan = plan_memory(kp, buffers, caps.alignment)
    comp.stage_seconds["tensor"] = time.perf_counter() - start
    _dump(comp, options, "tensor", lambda: _tensor_text(kp, comp.plan))

    start = time.perf_counter()
    comp.lowered = {name: backend.lower(k) for name, k in kp.kernels.items()}
    module = emit_byre(kp, comp.plan, comp.lowered, target=lower_on or options.target, input_names=[s.name for s in program.inputs])
    comp.stage_seconds["byre"] = time.perf_counter() - start
    comp.byre = ByreModule(module, comp.statistics())
    _dump(comp, options, "byre", comp.byre.text)
    return comp


def _loop_text(kp: KernelProgram) -> str:
    linalg = "\n".join(f"// ----- @{name} as linalg (input of the loop stage)\n{k.linalg}" for name, k in kp.kernels.items() if k.linalg)
    return f"{linalg}\n// ----- Kernel IR after the loop passes\n{kp}"


def _tensor_text(kp: KernelProgram, plan: MemoryPlan) -> str:
    arenas = ", ".join(f"{space} {size}" for space, size in plan.arenas.items()) or "none"
    lines = [str(kp), "", f"memory plan: arena {plan.arena_bytes} bytes (naive {plan.naive_bytes}), alignment {plan.alignment}; arenas by space: {arenas}"]
    for name, p in sorted(plan.placements.items(), key=lambda kv: (kv[1].space, kv[1].offset)):
        lines.append(f"  %{name}: {p.space}[{p.offset}, {p.offset + p.size})")
    for name, i in plan.output_of.items():
        lines.append(f"  %{name}: written into out{i}")
    for name, i in plan.copies:
        lines.append(f"  %{name}: copied into out{i}")
    for kname, k in kp.kernels.items():
        kb = k.buffers
        if kb is None:
            continue
        refs = ", ".join(f"%{v}={r.kind}{'' if r.kind in ('const',) else ('(%' + r.of + ')' if r.kind == 'alias' else f'[{r.index}]')}" for v, r in kb.refs.items())
        lines.append(f"  @{kname}: scratch {kb.scratch_bytes} bytes; {refs}")
    return "\n".join(lines)


def compile(program: Program | str | os.PathLike[str], target: str = "cpu", **options: Any) -> ByreModule:  # noqa: A001
    """Compile a Program (or a model path) for `target` into a ByRE module.

    Options: ``dump_after`` (a stage name, a list, or "all"), ``dump_dir``, ``fold_limit``,
    ``target_options`` (a dict for the target's backend, e.g. ``{"arch": "sm_80"}`` for cuda).
    """
    opts = CompileOptions.make(target, **options)
    prog = program if isinstance(program, Program) else load(program)
    comp = run_stages(prog, opts)
    assert comp.byre is not None
    return comp.byre
