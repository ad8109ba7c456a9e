"""Pass infrastructure: named passes registered per stage, each documented in one line.

A pass works on a whole module (``run``); :class:`RewritePass` subclasses instead implement
``run_on_op(op) -> bool`` and are driven over the entry function to a fixed point, the way
MLIR's greedy pattern driver applies patterns.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from byteir_sdk import _mlir
from byteir_sdk._mlir import ir

__all__ = ["Pass", "RewritePass", "UpstreamPass", "PassContext", "register_pass", "get_pass", "passes_of", "walk", "top_level_ops", "top_level_ancestor", "functions", "defining_op"]

#: stage -> pass name -> pass class (the registry; the one kind of global state allowed)
_REGISTRY: dict[str, dict[str, type[Pass]]] = {}


@dataclass
class PassContext:
    """What a pass may consult: the source (for messages), the target's capabilities, options."""

    source: str
    capabilities: Any = None  # byteir_sdk.compiler.backend.Capabilities
    options: dict[str, Any] = field(default_factory=dict)
    statistics: dict[str, int] = field(default_factory=dict)

    def count(self, key: str, n: int = 1) -> None:
        self.statistics[key] = self.statistics.get(key, 0) + n


class Pass(abc.ABC):
    """A named transformation of a module; ``__doc__``'s first line says what it does."""

    name: ClassVar[str]
    stage: ClassVar[str]

    @abc.abstractmethod
    def run(self, module: ir.Module, ctx: PassContext) -> None:
        """Transform `module` in place."""

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().splitlines()[0]


class UpstreamPass(Pass):
    """Runs an upstream MLIR pass pipeline (e.g. ``canonicalize``)."""

    pipeline: ClassVar[str]

    def run(self, module: ir.Module, ctx: PassContext) -> None:
        _mlir.run_pipeline(module, f"builtin.module({self.pipeline})", source=ctx.source, stage=self.stage)


class RewritePass(Pass):
    """Applies ``run_on_op`` to every op of every function until nothing changes."""

    max_iterations: ClassVar[int] = 8  # rewrites allowed per op, bounding a ping-pong of patterns

    @abc.abstractmethod
    def run_on_op(self, op: ir.Operation, ctx: PassContext) -> bool:
        """Rewrite `op` (erasing/replacing it is allowed); True if anything changed."""

    def run(self, module: ir.Module, ctx: PassContext) -> None:
        # A rewrite may erase ops later in the snapshot, so every change restarts the walk.
        with module.context, ir.Location.unknown():
            for fn in functions(module):
                budget = self.max_iterations * (1 + sum(1 for _ in walk(fn)))
                while budget > 0 and any(self.run_on_op(op, ctx) for op in list(walk(fn))):
                    budget -= 1


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def register_pass(stage: str, name: str | None = None) -> Callable[[type[Pass]], type[Pass]]:
    """Class decorator: register a pass under `stage` (name defaults to the kebab-case class name)."""

    def wrap(cls: type[Pass]) -> type[Pass]:
        cls.stage = stage
        cls.name = name or _kebab(cls.__name__)
        if not (cls.__doc__ or "").strip():
            raise TypeError(f"pass {cls.__name__} needs a one-line docstring")
        _REGISTRY.setdefault(stage, {})[cls.name] = cls
        return cls

    return wrap


def get_pass(name: str) -> type[Pass]:
    """The registered pass called `name` (any stage)."""
    for passes in _REGISTRY.values():
        if name in passes:
            return passes[name]
    raise KeyError(name)


def passes_of(stage: str) -> dict[str, type[Pass]]:
    return dict(_REGISTRY.get(stage, {}))


def functions(module: ir.Module) -> list[ir.Operation]:
    return [op.operation for op in module.body.operations if op.operation.name == "func.func"]


def top_level_ops(fn: ir.Operation) -> list[ir.Operation]:
    return [op.operation for op in fn.regions[0].blocks[0].operations]


def top_level_ancestor(op: ir.Operation, fn: ir.Operation) -> ir.Operation:
    """The op of `fn`'s body that is `op` or holds it in a region."""
    while op.parent is not None and op.parent != fn:
        op = op.parent
    return op


def defining_op(value: ir.Value) -> ir.Operation | None:
    """The op producing `value`, or None for a block argument."""
    owner = value.owner
    return owner.operation if isinstance(owner, (ir.Operation, ir.OpView)) else None


def walk(op: ir.Operation) -> Iterator[ir.Operation]:
    """Every op nested under `op`, pre-order."""
    for region in op.regions:
        for block in region.blocks:
            for child in list(block.operations):
                yield child.operation
                yield from walk(child.operation)
