"""Static facts about a Program: op histogram, parameters (weights), FLOP estimate.

FLOP model (multiply-add = 2 FLOPs): dot_general/dot = 2 x result elements x contracted size;
convolution = 2 x result elements x kernel window x input features per group; reduce =
input elements; reduce_window = result elements x window size; arithmetic elementwise ops =
result elements; data movement (reshape, transpose, broadcast, slice, ...) and constants = 0.
Parameters are the non-splat constants with more than one element (the baked-in weights).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from byteir_sdk._mlir import ir, stablehlo
from byteir_sdk.compiler.frontend import Program
from byteir_sdk.dtypes import element_type
from byteir_sdk.reference.engines import constant_value

__all__ = ["ProgramStats", "analyze", "op_flops"]

_ELEMENTWISE_FLOP_OPS = {
    "abs", "add", "atan2", "cbrt", "ceil", "clamp", "compare", "cosine", "divide", "exponential",
    "exponential_minus_one", "floor", "log", "log_plus_one", "logistic", "maximum", "minimum",
    "multiply", "negate", "power", "remainder", "round_nearest_afz", "round_nearest_even", "rsqrt",
    "select", "sign", "sine", "sqrt", "subtract", "tan", "tanh", "and", "or", "xor", "not",
    "shift_left", "shift_right_arithmetic", "shift_right_logical", "popcnt", "count_leading_zeros",
    "is_finite", "real", "imag", "complex",
}  # fmt: skip


@dataclass
class ProgramStats:
    """What `byteir inspect` reports."""

    op_histogram: Counter[str] = field(default_factory=Counter)
    parameters: int = 0
    parameter_bytes: int = 0
    parameter_tensors: int = 0
    flops: int = 0
    input_bytes: int = 0
    output_bytes: int = 0


def _elements(t: ir.Type) -> int:
    try:
        rt = ir.RankedTensorType(t)
    except ValueError:
        return 0
    return int(np.prod(rt.shape, dtype=np.int64)) if rt.has_static_shape else 0


def _shape(v: ir.Value) -> list[int]:
    return list(ir.RankedTensorType(v.type).shape)


def op_flops(op: ir.Operation) -> int:
    """Estimated FLOPs of one StableHLO op (see the module docstring)."""
    name = op.name.removeprefix("stablehlo.")
    if not op.results:
        return 0
    out = _elements(op.results[0].type)
    if name == "dot_general":
        dims = stablehlo.DotDimensionNumbers(op.attributes["dot_dimension_numbers"])
        lhs = _shape(op.operands[0])
        return 2 * out * int(np.prod([lhs[d] for d in dims.lhs_contracting_dimensions], dtype=np.int64))
    if name == "dot":
        return 2 * out * _shape(op.operands[0])[-1]
    if name == "convolution":
        dims = stablehlo.ConvDimensionNumbers(op.attributes["dimension_numbers"])
        kernel = _shape(op.operands[1])
        window = int(np.prod([kernel[d] for d in dims.kernel_spatial_dimensions], dtype=np.int64))
        return 2 * out * window * kernel[dims.kernel_input_feature_dimension]
    if name == "reduce":
        return sum(_elements(v.type) for v in list(op.operands)[: len(op.operands) // 2])
    if name == "reduce_window":
        window = ir.DenseI64ArrayAttr(op.attributes["window_dimensions"])
        return out * int(np.prod(list(window), dtype=np.int64)) * len(op.results)
    if name in _ELEMENTWISE_FLOP_OPS:
        return out
    return 0


def _is_splat(op: ir.Operation) -> bool:
    value = constant_value(op)
    return bool(value.size) and bool(np.all(value.reshape(-1).view(np.uint8).reshape(value.size, -1) == value.reshape(-1)[:1].view(np.uint8)))


def analyze(program: Program) -> ProgramStats:
    """Op histogram, parameter count/bytes and FLOP estimate of `program`'s entry function."""
    stats = ProgramStats()
    stats.input_bytes = sum(s.nbytes for s in program.inputs)
    stats.output_bytes = sum(s.nbytes for s in program.outputs)
    with program.context:
        for op in program.ops():
            stats.op_histogram[op.name] += 1
            if op.name == "stablehlo.constant":
                count = _elements(op.results[0].type)
                if count > 1 and not _is_splat(op):
                    et = element_type(ir.RankedTensorType(op.results[0].type).element_type)
                    stats.parameters += count
                    stats.parameter_bytes += count * et.dtype.itemsize
                    stats.parameter_tensors += 1
            else:
                stats.flops += op_flops(op)
    return stats
