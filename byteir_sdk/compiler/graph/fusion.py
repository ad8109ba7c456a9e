"""Fusion grouping and outlining: the entry function becomes a sequence of kernel calls.

Every top-level op of the entry function is put in a group, greedily in program order: an op
joins the newest group among its operands' producers when the target's fusion rules allow the
pair, else it opens a group. Joining only the newest producer group keeps groups acyclic:
a group reads only from groups created before it. Each group is then outlined into its own
private ``func.func @kN_<op>`` and replaced by a ``func.call``; big constants stay in the entry
function (they become weights) and are passed in, small or splat ones are copied into kernels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from byteir_sdk._mlir import func_dialect, ir
from byteir_sdk.compiler.backend import Capabilities
from byteir_sdk.compiler.graph.simplify import splat_value
from byteir_sdk.compiler.passes import Pass, PassContext, defining_op, register_pass, top_level_ancestor, top_level_ops, walk

__all__ = ["classify", "HOST_OPS", "OutlineFusionGroups", "KERNEL_ATTR", "INLINE_CONSTANT_LIMIT"]

#: StableHLO ops with no loop form: they become host kernels of their own.
HOST_OPS = frozenset(
    "stablehlo." + n
    for n in (
        "while case if sort scatter select_and_scatter fft triangular_solve cholesky custom_call rng "
        "rng_bit_generator all_gather all_reduce all_to_all collective_permute collective_broadcast "
        "reduce_scatter infeed outfeed send recv batch_norm_grad batch_norm_training dynamic_conv"
    ).split()
)
CONTRACTIONS = frozenset({"stablehlo.dot_general", "stablehlo.dot", "stablehlo.convolution"})
REDUCTIONS = frozenset({"stablehlo.reduce", "stablehlo.reduce_window"})

#: Attribute marking an outlined kernel function with its group kind.
KERNEL_ATTR = "byteir.kernel_kind"
#: Constants with at most this many elements (or splats) are copied into the kernels using them.
INLINE_CONSTANT_LIMIT = 64


def classify(op: ir.Operation) -> str:
    """host | contraction | reduction | elementwise (which includes data movement)."""
    if op.name in HOST_OPS:
        return "host"
    if op.name in CONTRACTIONS:
        return "contraction"
    if op.name in REDUCTIONS:
        return "reduction"
    return "elementwise"


def _can_join(group_kind: str, op: ir.Operation, caps: Capabilities) -> bool:
    op_kind = classify(op)
    if "host" in (group_kind, op_kind):
        return False
    if op_kind == "contraction":
        return group_kind == "contraction" and op.name == "stablehlo.convolution" and caps.fuse_convolution_chain
    if op_kind == "elementwise":
        return {
            "elementwise": caps.fuse_elementwise,
            "reduction": caps.fuse_reduction_epilogue,
            "contraction": caps.fuse_contraction_epilogue,
        }[group_kind]
    # op_kind == "reduction"
    return {"elementwise": caps.fuse_reduction_prologue, "reduction": caps.fuse_reduction_epilogue,
            "contraction": caps.fuse_contraction_reduction}[group_kind]  # fmt: skip


@dataclass
class _Group:
    kind: str
    ops: list[ir.Operation] = field(default_factory=list)


def _inline_constant(value: ir.Value) -> bool:
    op = defining_op(value)
    if op is None or op.name != "stablehlo.constant":
        return False
    rt = ir.RankedTensorType(value.type)
    if isinstance(rt.element_type, ir.ComplexType):
        return False  # the loop stage could not read it back: jaxlib cannot read complex arith.constants
    return int(np.prod(rt.shape, dtype=np.int64)) <= INLINE_CONSTANT_LIMIT or splat_value(value) is not None


@register_pass("graph")
class OutlineFusionGroups(Pass):
    """Group ops by the target's fusion rules and outline each group into a kernel function."""

    def run(self, module: ir.Module, ctx: PassContext) -> None:
        caps: Capabilities = ctx.capabilities
        fn = next(op.operation for op in module.body.operations if op.operation.name == "func.func" and "sym_visibility" not in op.operation.attributes
                  or op.operation.name == "func.func" and ir.StringAttr(op.operation.attributes["sym_visibility"]).value == "public")
        with module.context, ir.Location.unknown():
            groups = self._group(fn, caps)
            for index, group in enumerate(groups):
                self._outline(module, fn, index, group)
            ctx.count("graph.kernels", len(groups))

    @staticmethod
    def _group(fn: ir.Operation, caps: Capabilities) -> list[_Group]:
        groups: list[_Group] = []
        group_of: dict[ir.Operation, int] = {}
        # A broadcast of a constant computes nothing from other groups: it waits and joins the
        # group of its consumer (rematerialize-cheap-broadcasts gave each consumer its own copy).
        deferred: list[ir.Operation] = []
        for op in top_level_ops(fn):
            if op.name in ("stablehlo.constant", "func.return"):
                continue
            producer = defining_op(op.operands[0]) if op.operands else None
            if op.name == "stablehlo.broadcast_in_dim" and producer is not None and producer.name == "stablehlo.constant":
                deferred.append(op)
                continue
            kind = classify(op)
            producers = {group_of[p] for p in (defining_op(v) for v in op.operands) if p is not None and p in group_of}
            newest = max(producers) if producers else None
            owners = [o for o in (defining_op(v) for v in op.operands) if o is not None]
            pulled = [d for d in deferred if any(d == o for o in owners)]
            if newest is not None and _can_join(groups[newest].kind, op, caps):
                index = newest
                group = groups[index]
                if group.kind == "elementwise" and kind == "reduction":
                    group.kind = "reduction"
            else:
                groups.append(_Group(kind, []))
                index = len(groups) - 1
                group = groups[index]
            for d in pulled:
                group.ops.append(d)
                group_of[d] = index
                deferred.remove(d)
            group.ops.append(op)
            group_of[op] = index
        for d in deferred:  # only returned, or used by nothing grouped: a kernel of its own
            groups.append(_Group("elementwise", [d]))
            group_of[d] = len(groups) - 1
        return groups

    @staticmethod
    def _outline(module: ir.Module, fn: ir.Operation, index: int, group: _Group) -> None:
        members = set(group.ops)
        inside = {o for op in group.ops for o in [op, *walk(op)]}
        inputs: list[ir.Value] = []
        copied: list[ir.Operation] = []
        for op in [o for op in group.ops for o in [op, *walk(op)]]:
            for v in op.operands:
                producer = defining_op(v)
                if producer is not None and producer in inside:
                    continue
                if isinstance(v.owner, ir.Block) and v.owner.region.owner in inside:
                    continue  # a block argument of a region inside the group
                if producer is not None and _inline_constant(v):
                    if producer not in copied:
                        copied.append(producer)
                elif v not in inputs:
                    inputs.append(v)
        outputs: list[ir.Value] = []
        for op in group.ops:
            for r in op.results:
                if any(top_level_ancestor(u.owner.operation, fn) not in members for u in r.uses):
                    outputs.append(r)
        name = f"k{index}_{group.ops[0].name.removeprefix('stablehlo.')}"
        main_block = fn.regions[0].blocks[0]
        with ir.InsertionPoint(fn):
            kernel = func_dialect.FuncOp(name, ([v.type for v in inputs], [v.type for v in outputs]), visibility="private")
        kernel.attributes[KERNEL_ATTR] = ir.StringAttr.get(group.kind)
        block = kernel.add_entry_block()
        with ir.InsertionPoint(block):
            ret = func_dialect.ReturnOp(outputs)
        replacements: list[tuple[ir.Value, ir.Value]] = list(zip(inputs, block.arguments))
        with ir.InsertionPoint(ret):
            for const in copied:
                clone = const.clone()
                replacements.append((const.results[0], clone.results[0]))
        for op in group.ops:
            op.move_before(ret)
        for op in [o for top in group.ops for o in [top, *walk(top)]] + [ret.operation]:
            for old, new in replacements:
                op.replace_uses_of_with(old, new)
        main_ret = main_block.operations[len(main_block.operations) - 1]
        with ir.InsertionPoint(main_ret):
            call = func_dialect.CallOp([v.type for v in outputs], name, inputs)
        for op in top_level_ops(fn):
            for nested in [op, *walk(op)]:
                for old, new in zip(outputs, call.results):
                    nested.replace_uses_of_with(old, new)
