"""ByRE emission: a planned KernelProgram and its lowered kernels -> a ByRE MLIR module.

Everything is built through the MLIR bindings (generic ``byre.*`` ops in a context that allows
the unregistered dialect); nothing is produced from string templates.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from byteir_sdk import _mlir
from byteir_sdk._mlir import func_dialect, ir, memref_dialect
from byteir_sdk.compiler.backend import LoweredKernel
from byteir_sdk.compiler.byre.format import ATTR, OP, VERSION, ArgType
from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.compiler.loop.program import Copy, KernelProgram
from byteir_sdk.compiler.tensor.bufferize import MemoryPlan, Placement

__all__ = ["ByreModule", "emit_byre", "to_attr", "bytes_attr", "library_callee"]


@dataclass
class ByreModule:
    """A compiled program: a ByRE MLIR module (which owns its context) plus compile statistics."""

    module: ir.Module
    stats: dict[str, object] = field(default_factory=dict)

    def text(self) -> str:
        with self.module.context:
            return self.module.operation.get_asm(enable_debug_info=False)

    def bytecode(self) -> bytes:
        return _mlir.module_to_bytecode(self.module)

    def save(self, path: str | os.PathLike[str], *, bytecode: bool = False) -> Path:
        """Write the module as MLIR text (default) or MLIR bytecode."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        if bytecode:
            out.write_bytes(self.bytecode())
        else:
            out.write_text(self.text())
        return out


def bytes_attr(data: bytes) -> ir.DenseElementsAttr:
    """Bytes as a ``tensor<Nxui8>`` dense attribute (in the current context)."""
    array = np.frombuffer(data, np.uint8)
    return ir.DenseElementsAttr.get(array, type=ir.IntegerType.get_unsigned(8), shape=[array.size])


def to_attr(value: object) -> ir.Attribute:
    """A Python value (bool/int/float/str/bytes/list/dict) as an MLIR attribute."""
    if isinstance(value, bool):
        return ir.BoolAttr.get(value)
    if isinstance(value, (int, np.integer)):
        return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(value))
    if isinstance(value, (float, np.floating)):
        return ir.FloatAttr.get(ir.F64Type.get(), float(value))
    if isinstance(value, str):
        return ir.StringAttr.get(value)
    if isinstance(value, bytes):
        return bytes_attr(value)
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
            return ir.DenseI64ArrayAttr.get([int(v) for v in value])
        return ir.ArrayAttr.get([to_attr(v) for v in value])
    if isinstance(value, Mapping):
        return ir.DictAttr.get({str(k): to_attr(v) for k, v in value.items()})
    raise TypeError(f"cannot store {type(value).__name__} in a ByRE attribute")


def _memref(t: K.TensorType) -> ir.MemRefType:
    return ir.MemRefType.get(list(t.shape), ir.Type.parse(t.element))


def library_callee(name: str, kernel: K.Kernel) -> str:
    """``MatmulOp_f32f32_f32``: library op name mangled with input and output element types."""
    ins = "".join(kernel.types[p].element for p in kernel.params)
    outs = "".join(kernel.types[r].element for r in kernel.results)
    return f"{name}_{ins}_{outs}"


def emit_byre(
    program: KernelProgram,
    plan: MemoryPlan,
    lowered: Mapping[str, LoweredKernel],
    *,
    target: str,
    input_names: Sequence[str],
) -> ir.Module:
    """Build the ByRE module of `program` under memory `plan` with `lowered` executables."""
    ctx = _mlir.new_byre_context()
    t = program.types
    with ctx, ir.Location.unknown():
        module = ir.Module.create()
        weights = list(program.weights)
        arg_values = [*program.inputs, *weights]
        arg_types = [_memref(t[n]) for n in arg_values] + [_memref(t[o]) for o in program.outputs]
        arg_attrs = [(name, ArgType.INPUT) for name in input_names] + [(w, ArgType.WEIGHT) for w in weights]
        arg_attrs += [(f"out{i}", ArgType.OUTPUT) for i in range(len(program.outputs))]
        with ir.InsertionPoint(module.body):
            fn = func_dialect.FuncOp("main", (arg_types, []))
        fn.attributes[ATTR.ENTRY_POINT] = ir.UnitAttr.get()
        fn.attributes["arg_attrs"] = ir.ArrayAttr.get(
            [ir.DictAttr.get({ATTR.ARG_NAME: ir.StringAttr.get(n), ATTR.ARG_TYPE: ir.IntegerAttr.get(ir.IntegerType.get_signless(32), int(k))}) for n, k in arg_attrs]
        )
        block = fn.add_entry_block()
        args = list(block.arguments)
        values: dict[str, ir.Value] = dict(zip(arg_values, args))
        outputs = args[len(arg_values) :]
        with ir.InsertionPoint(block):
            arenas: dict[str, ir.Value] = {}
            for space, size in plan.arenas.items():
                arena_type = ir.MemRefType.get([size], ir.IntegerType.get_signless(8))
                alloc = memref_dialect.AllocOp(arena_type, [], [], alignment=plan.alignment)
                alloc.operation.attributes[ATTR.SPACE] = ir.StringAttr.get(space)
                arenas[space] = alloc.result

            def view(where: Placement, mtype: ir.MemRefType) -> ir.Value:
                op = ir.Operation.create(OP.ALIAS, results=[mtype], operands=[arenas[where.space]], attributes={ATTR.OFFSET: to_attr(where.offset)})
                return op.results[0]

            executables: dict[str, ir.Attribute] = {}
            for i, call in enumerate(program.calls):
                for r in call.results:
                    if r in plan.output_of:
                        values[r] = outputs[plan.output_of[r]]
                    else:
                        values[r] = view(plan.placements[r], _memref(t[r]))
                if isinstance(call, Copy):
                    ir.Operation.create(OP.COPY, results=[], operands=[values[call.source], values[call.target]])
                    continue
                kernel = program.kernels[call.kernel]
                operands = [values[a] for a in call.args] + [values[r] for r in call.results]
                attrs: dict[str, ir.Attribute] = {
                    ATTR.NUM_INPUTS: ir.IntegerAttr.get(ir.IntegerType.get_signless(32), len(call.args)),
                    ATTR.NUM_OUTPUTS: ir.IntegerAttr.get(ir.IntegerType.get_signless(32), len(call.results)),
                }
                if i in plan.scratch:
                    region = plan.scratch[i]
                    operands.append(view(region, ir.MemRefType.get([region.size], ir.IntegerType.get_signless(8))))
                    attrs[ATTR.SCRATCH] = ir.UnitAttr.get()
                low = lowered[call.kernel]
                library = low.launch.get("library")
                if library:
                    callee = library_callee(str(library), kernel)
                    for key, value in dict(low.launch.get("attrs", {})).items():
                        attrs[key] = to_attr(value)
                else:
                    callee = call.kernel
                    executables[call.kernel] = to_attr({"format": low.format, "entry": low.entry, "blob": low.blob, "launch": dict(low.launch)})
                attrs[ATTR.CALLEE] = ir.StringAttr.get(callee)
                ir.Operation.create(OP.COMPUTE, results=[], operands=operands, attributes=attrs)
            for value, index in plan.copies:
                ir.Operation.create(OP.COPY, results=[], operands=[values[value], outputs[index]])
            func_dialect.ReturnOp([])
        module.operation.attributes[ATTR.CONTAINER] = ir.UnitAttr.get()
        module.operation.attributes[ATTR.VERSION] = ir.StringAttr.get(VERSION)
        module.operation.attributes[ATTR.TARGET] = ir.StringAttr.get(target)
        module.operation.attributes[ATTR.EXECUTABLES] = ir.DictAttr.get(executables)
        weight_bytes = {w: np.ascontiguousarray(program.weights[w]).tobytes() for w in weights}
        module.operation.attributes[ATTR.WEIGHTS] = ir.DictAttr.get({w: bytes_attr(data) for w, data in weight_bytes.items()})
        digests = {name: hashlib.sha256(low.blob).hexdigest() for name, low in lowered.items() if name in executables}
        digests.update({w: hashlib.sha256(data).hexdigest() for w, data in weight_bytes.items()})
        module.operation.attributes[ATTR.DIGESTS] = to_attr(digests)
        _mlir.verify(module, source="<byre>")
    return module
