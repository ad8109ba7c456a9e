"""The ToyVec backend: what the compiler asks of a target.

`capabilities` tells the shared pipeline what to plan for; `lower` turns one Kernel IR kernel into
an executable blob. ToyVec lowers f32 elementwise kernels to a register program for its vector
unit and hands every other kernel to the SDK's CPU backend (the host runs those).
"""

from __future__ import annotations

import dataclasses
import json

from byteir_sdk.compiler import Backend, Capabilities, LoweredKernel, get_target
from byteir_sdk.compiler.loop import kernel_ir as K

FORMAT = "toyvec"
#: The vector unit's instructions: Kernel IR scalar op -> (ToyVec opcode, operand count).
VECTOR_OPS = {
    "add": ("vadd", 2), "sub": ("vsub", 2), "mul": ("vmul", 2), "divf": ("vdiv", 2),
    "maximumf": ("vmax", 2), "minimumf": ("vmin", 2), "neg": ("vneg", 1), "absf": ("vabs", 1),
    "exp": ("vexp", 1), "log": ("vlog", 1), "tanh": ("vtanh", 1), "sqrt": ("vsqrt", 1),
}  # fmt: skip


class ToyVecBackend(Backend):
    """Elementwise f32 kernels on the vector unit; the rest through the CPU target's backend."""

    name = "toyvec"

    def __init__(self) -> None:
        self._host = get_target("cpu").make_backend()  # any registered target can serve as a fallback

    def capabilities(self) -> Capabilities:
        host = self._host.capabilities()
        # No 16-bit floats; and matmul epilogues (bias, activation) stay separate kernels, so
        # they reach the vector unit instead of being fused into the host's matmul.
        # Its vector unit runs a kernel as one program (parallelism 1): the loop stage then keeps
        # each kernel's loops over its params' shapes, as the unit reads them.
        return dataclasses.replace(host, executable_format=FORMAT, dtypes=host.dtypes - {"f16", "bf16"}, fuse_contraction_epilogue=False,
                                   parallelism=1)

    def lower(self, kernel: K.Kernel) -> LoweredKernel:
        program = vector_program(kernel)
        if program is None:
            return self._host.lower(kernel)  # format llvm-ir or host-kernel: the driver forwards it to the CPU
        return LoweredKernel(FORMAT, json.dumps(program).encode(), kernel.name, {"shape": program["shape"]})


def vector_program(kernel: K.Kernel) -> dict | None:
    """The register program of a kernel that is one f32 elementwise loop, else None.

    Operands are kernel parameters or small constants, each read element for element or
    broadcast (its map keeps some loop dims in order, or indexes a size-1 dim with 0).
    Registers: ``v<k>`` (operand k, broadcast to the loop's shape) and ``r<i>`` (instruction i).
    """
    loops = list(kernel.loops())
    if len(loops) != 1 or any(not isinstance(op, (K.Loop, K.Empty, K.Const)) for op in kernel.ops):
        return None
    (loop,) = loops
    consts = {op.result: op.value for op in kernel.ops if isinstance(op, K.Const)}
    if "reduction" in loop.iterators or loop.extra or list(loop.results) != kernel.results:
        return None
    if any(kernel.types[n] != K.TensorType(loop.domain, "f32") for n in loop.results):
        return None
    operands = []
    for name, amap in zip(loop.inputs, loop.maps):
        view = _broadcast_view(amap, kernel.types[name], loop.domain)
        if view is None or kernel.types[name].element != "f32":
            return None
        if name in kernel.params:
            operands.append({"binding": kernel.params.index(name), "view": view})
        elif name in consts and consts[name].size <= 4096:  # small constants travel inside the program
            operands.append({"const": consts[name].astype("float32").reshape(-1).tolist(), "view": view})
        else:
            return None
    code: list[list] = []
    registers: dict[K.Expr, str] = {}

    def emit(e: K.Expr) -> str | float | None:
        if isinstance(e, K.Arg) and e.index < len(loop.inputs):
            return f"v{e.index}"
        if isinstance(e, K.Lit) and e.type == "f32":
            return float(e.value)  # type: ignore[arg-type]
        if not (isinstance(e, K.Op) and e.name in VECTOR_OPS and e.type == "f32"):
            return None
        if e not in registers:  # the body is a DAG: each shared node is computed once
            args = [emit(a) for a in e.args]
            if any(a is None for a in args):
                return None
            registers[e] = f"r{len(code)}"
            code.append([VECTOR_OPS[e.name][0], *args])
        return registers[e]

    results = [emit(b) for b in loop.body]
    if any(not isinstance(r, str) for r in results):
        return None
    outputs = [len(kernel.params) + kernel.results.index(r) for r in loop.results]
    return {"shape": list(loop.domain), "operands": operands, "code": code, "results": results, "outputs": outputs}


def _broadcast_view(amap: K.AffineMap, t: K.TensorType, domain: tuple[int, ...]) -> list[int] | None:
    """The shape (1 for broadcast dims) that NumPy broadcasts to the loop's, or None (e.g. a
    transposed or partial read)."""
    view, last = [1] * len(domain), -1
    for r, size in zip(amap.results, t.shape):
        if isinstance(r, K.Dim) and r.index > last and size == domain[r.index]:
            view[r.index], last = size, r.index
        elif not (isinstance(r, K.Cst) and r.value == 0 and size == 1):
            return None
    return view
