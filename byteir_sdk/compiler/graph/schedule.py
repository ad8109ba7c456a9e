"""Ordering the outlined kernel calls for memory: the memory plan (tensor stage) gives every
value an arena region from its producing call to its last use, in call order, so a call run
earlier than it needs to be holds its results' memory for nothing.
"""

from __future__ import annotations

from byteir_sdk._mlir import ir
from byteir_sdk.compiler.graph.fusion import KERNEL_ATTR
from byteir_sdk.compiler.passes import Pass, PassContext, defining_op, register_pass, top_level_ancestor, top_level_ops

__all__ = ["SinkCallsToFirstUse"]


@register_pass("graph")
class SinkCallsToFirstUse(Pass):
    """Move each kernel call down to just before its results' first user when that extends no other value's life."""

    # A call whose operands are all parameters, weights, or values read again at or after the new
    # place, allocates its results later and frees nothing later: peak memory can only go down.
    # (The transformer's value projection moves below the attention scores: 14 -> 12 MiB live.)
    # Host kernels (sort, rng, custom calls, ...) neither move nor are moved past: some have
    # effects whose order counts.

    def run(self, module: ir.Module, ctx: PassContext) -> None:
        kinds = {ir.StringAttr(op.operation.attributes["sym_name"]).value: ir.StringAttr(op.operation.attributes[KERNEL_ATTR]).value
                 for op in module.body.operations if op.operation.name == "func.func" and KERNEL_ATTR in op.operation.attributes}  # fmt: skip
        for op in module.body.operations:
            if op.operation.name == "func.func" and KERNEL_ATTR not in op.operation.attributes:
                ctx.count("graph.sunk-calls", self._sink(op.operation, kinds))

    @staticmethod
    def _sink(fn: ir.Operation, kinds: dict[str, str]) -> int:
        def movable(op: ir.Operation) -> bool:
            return op.name != "func.call" or kinds.get(ir.FlatSymbolRefAttr(op.attributes["callee"]).value, "host") != "host"

        moved = 0
        for call in reversed([o for o in top_level_ops(fn) if o.name == "func.call"]):
            ops = top_level_ops(fn)
            position = {o: i for i, o in enumerate(ops)}
            users = [position[top_level_ancestor(u.owner.operation, fn)] for r in call.results for u in r.uses]
            if not users or min(users) <= position[call] + 1:
                continue
            first = min(users)
            if not all(movable(o) for o in ops[position[call] : first]):
                continue

            def read_from(value: ir.Value) -> int:
                """The last position reading `value` (none: -1)."""
                return max((position[top_level_ancestor(u.owner.operation, fn)] for u in value.uses), default=-1)

            def stays_live(value: ir.Value) -> bool:
                producer = defining_op(value)
                return producer is None or producer.name == "stablehlo.constant" or read_from(value) >= first

            if all(stays_live(v) for v in call.operands):
                call.move_before(ops[first])
                moved += 1
        return moved
