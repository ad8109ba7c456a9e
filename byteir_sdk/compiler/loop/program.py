"""The whole program after the loop stage: kernels plus the order they run in.

``KernelProgram`` is what the tensor stage bufferizes and what ByRE emission serializes: the
entry's inputs, its weights (constants too big to copy into kernels), a list of kernel calls
over named tensor values, and the outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from byteir_sdk._mlir import ir
from byteir_sdk.compiler.graph.fusion import KERNEL_ATTR
from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.compiler.loop.evaluate import evaluate_kernel
from byteir_sdk.compiler.loop.from_linalg import _tensor_type, kernel_from_function
from byteir_sdk.compiler.passes import functions, top_level_ops
from byteir_sdk.dtypes import TensorSpec
from byteir_sdk.errors import UnsupportedOpError
from byteir_sdk.reference.engines import constant_value

__all__ = ["Call", "Copy", "KernelProgram", "build_kernel_program"]


@dataclass(frozen=True)
class Call:
    """``results = kernel(args)``."""

    kernel: str
    args: tuple[str, ...]
    results: tuple[str, ...]


@dataclass(frozen=True)
class Copy:
    """``target = source`` between memory spaces (a ``byre.copy``; see tensor/spaces.py)."""

    source: str
    target: str

    @property
    def args(self) -> tuple[str, ...]:
        return (self.source,)

    @property
    def results(self) -> tuple[str, ...]:
        return (self.target,)


@dataclass
class KernelProgram:
    """Kernels and the calls that run them, over named tensors of known types."""

    inputs: list[str]
    input_specs: list[TensorSpec]
    outputs: list[str]
    output_specs: list[TensorSpec]
    weights: dict[str, np.ndarray]
    calls: list[Call | Copy]
    kernels: dict[str, K.Kernel]
    types: dict[str, K.TensorType] = field(default_factory=dict)
    spaces: dict[str, str] = field(default_factory=dict)  # value -> memory space, when not "device"

    def space(self, value: str) -> str:
        """The memory space `value` lives in."""
        return self.spaces.get(value, "device")

    def evaluate(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Run every kernel with the NumPy Kernel IR evaluator."""
        env: dict[str, np.ndarray] = dict(zip(self.inputs, inputs))
        env.update(self.weights)
        for call in self.calls:
            if isinstance(call, Copy):
                env[call.target] = env[call.source]
                continue
            for name, value in zip(call.results, evaluate_kernel(self.kernels[call.kernel], [env[a] for a in call.args])):
                env[name] = value
        return [env[o] for o in self.outputs]

    def __str__(self) -> str:
        t = self.types
        lines = [f"program({', '.join(f'%{n}: {t[n]}' for n in self.inputs)}) {{"]
        for name, value in self.weights.items():
            lines.append(f"  %{name} = weight : {t[name]}  // {value.nbytes} bytes")
        for c in self.calls:
            if isinstance(c, Copy):
                lines.append(f"  %{c.target} = copy %{c.source} : {self.space(c.source)} -> {self.space(c.target)}")
            else:
                lines.append(f"  %{', %'.join(c.results)} = call @{c.kernel}(%{', %'.join(c.args)})")
        lines.append(f"  return %{', %'.join(self.outputs)}")
        lines.append("}")
        return "\n".join(["\n\n".join(str(k) for k in self.kernels.values()), *lines])


def build_kernel_program(module: ir.Module, entry: str, input_specs: Sequence[TensorSpec], output_specs: Sequence[TensorSpec], *, source: str) -> KernelProgram:
    """Translate every kernel function and the entry's call sequence of a graph-stage module."""
    kernels: dict[str, K.Kernel] = {}
    main = None
    with module.context:
        for fn in functions(module):
            name = ir.StringAttr(fn.attributes["sym_name"]).value
            if name == entry:
                main = fn
            elif KERNEL_ATTR in fn.attributes:
                kernels[name] = kernel_from_function(module, fn, ir.StringAttr(fn.attributes[KERNEL_ATTR]).value, source=source)
        assert main is not None, "the graph stage keeps the entry function"
        names: dict[ir.Value, str] = {}
        types: dict[str, K.TensorType] = {}

        def define(value: ir.Value, prefix: str) -> str:
            n = f"{prefix}{len(types)}"
            names[value] = n
            types[n] = _tensor_type(value.type)
            return n

        inputs = [define(a, "arg") for a in main.regions[0].blocks[0].arguments]
        weights: dict[str, np.ndarray] = {}
        calls: list[Call] = []
        outputs: list[str] = []
        for op in top_level_ops(main):
            if op.name == "stablehlo.constant":
                weights[define(op.results[0], "w")] = constant_value(op)
            elif op.name == "func.call":
                callee = ir.FlatSymbolRefAttr(op.attributes["callee"]).value
                calls.append(Call(callee, tuple(names[v] for v in op.operands), tuple(define(r, "t") for r in op.results)))
            elif op.name == "func.return":
                outputs = [names[v] for v in op.operands]
            else:
                raise UnsupportedOpError(f"{source}: {op.name} left in the entry function after outlining")
    return KernelProgram(inputs, list(input_specs), outputs, list(output_specs), weights, calls, kernels, types)
