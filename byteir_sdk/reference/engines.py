"""The two oracle engines: the StableHLO reference interpreter and XLA:CPU through jax.

``interpreter`` is ``stablehlo.eval_module``: the specification's own semantics, slow
(~1-2 us per scalar op). ``xla`` compiles the same module with XLA:CPU: fast, for big models.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from byteir_sdk import _mlir
from byteir_sdk._mlir import func_dialect, ir, stablehlo
from byteir_sdk.compiler.frontend import Program, find_function
from byteir_sdk.dtypes import TensorSpec, array_to_attr, tensor_spec
from byteir_sdk.errors import OracleError, UnsupportedTypeError

__all__ = ["run_interpreter", "run_xla", "ENGINES", "constant_value"]


def _as_main(module: ir.Module, entry: str) -> ir.Operation:
    """The entry function, renamed to @main (both engines run @main)."""
    fn = find_function(module, entry)
    if entry != "main":
        fn.attributes["sym_name"] = ir.StringAttr.get("main")
    return fn


def _bits_type(spec: TensorSpec, element: ir.Type | None = None) -> ir.RankedTensorType:
    """Same shape, unsigned integer elements of the same width: the value's bits as data."""
    width = spec.element.dtype.itemsize * 8 if element is None else ir.FloatType(element).width
    return ir.RankedTensorType.get(list(spec.shape), ir.IntegerType.get_unsigned(width))


def _interpreter_module(program: Program) -> ir.Module:
    """A copy of the program whose results are all integer tensors the bindings convert exactly.

    The Python bindings cannot hand back bf16, f8 or complex attributes as arrays, so each
    float result is bitcast to same-width unsigned bits, complex results are split into
    real/imag bits, and sub-byte integers are widened to 8 bits.
    """
    module = _mlir.clone_module(program.module)
    with module.context, ir.Location.unknown():
        fn = _as_main(module, program.entry)
        block = fn.regions[0].blocks[0]
        ret = block.operations[len(block.operations) - 1]
        results: list[ir.Value] = []
        with ir.InsertionPoint(ret):
            for value, spec in zip(ret.operands, program.outputs):
                et = spec.element
                if et.kind == "complex":
                    part = ir.ComplexType(ir.RankedTensorType(value.type).element_type).element_type
                    for p in (stablehlo.RealOp(value).result, stablehlo.ImagOp(value).result):
                        results.append(stablehlo.BitcastConvertOp(_bits_type(spec, part), p).result)
                elif et.kind == "float":
                    results.append(stablehlo.BitcastConvertOp(_bits_type(spec), value).result)
                elif et.bits < 8:
                    wide = ir.IntegerType.get_signless(8) if et.kind == "int" else ir.IntegerType.get_unsigned(8)
                    results.append(stablehlo.ConvertOp(ir.RankedTensorType.get(list(spec.shape), wide), value).result)
                else:
                    results.append(value)
            func_dialect.ReturnOp(results)
        ret.erase()
        _mlir.set_function_type(fn, [ir.Type.parse(s.mlir_type) for s in program.inputs], [r.type for r in results])
    return module


def _decode(attrs: Sequence[ir.Attribute], specs: Sequence[TensorSpec]) -> list[np.ndarray]:
    it = iter(attrs)
    out = []
    for spec in specs:
        et = spec.element
        if et.kind == "complex":
            part = np.dtype(np.float32 if et.dtype == np.complex64 else np.float64)
            re = np.array(next(it)).view(part)
            im = np.array(next(it)).view(part)
            arr = (re + 1j * im).astype(et.dtype) if re.size else np.zeros(spec.shape, et.dtype)
        elif et.kind == "float":
            arr = np.array(next(it)).view(et.dtype)
        else:
            arr = np.array(next(it)).astype(et.dtype)
        out.append(arr.reshape(spec.shape))
    return out


def run_interpreter(program: Program, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run `program` on checked `inputs` with ``stablehlo.eval_module``."""
    module = program._cache.get("interpreter")
    if module is None:
        module = program._cache["interpreter"] = _interpreter_module(program)
    with module.context, ir.Location.unknown():
        attrs = [array_to_attr(x, s) for x, s in zip(inputs, program.inputs)]
        try:
            results = _mlir.eval_module(module, attrs)
        except Exception as exc:  # the binding raises a bare ValueError with the diagnostics on stderr
            raise OracleError(
                f"{program.source}: the StableHLO interpreter failed ({exc})",
                hint="Try --engine xla, or check the op is supported by the interpreter.",
            ) from None
    return _decode(results, program.outputs)


def _xla_executable(program: Program):  # -> jaxlib LoadedExecutable
    exe = program._cache.get("xla")
    if exe is None:
        from jax.extend import backend
        from jax._src.lib import xla_client

        module = _mlir.clone_module(program.module)
        with module.context:
            _as_main(module, program.entry)
        client = backend.get_backend("cpu")
        try:
            exe = client.compile_and_load(
                _mlir.module_to_bytecode(module),
                xla_client.DeviceList(tuple(client.local_devices()[:1])),
                xla_client.CompileOptions(),
            )
        except Exception as exc:
            raise OracleError(f"{program.source}: XLA:CPU could not compile the program: {exc}") from None
        program._cache["xla"] = exe
    return exe


def run_xla(program: Program, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run `program` on checked `inputs` with XLA:CPU."""
    import jax

    exe = _xla_executable(program)
    device = exe.local_devices()[0]
    try:
        with jax.enable_x64(True):  # else jax silently narrows 64-bit inputs to 32 bits
            outs = exe.execute([jax.device_put(x, device) for x in inputs])
    except Exception as exc:
        raise OracleError(f"{program.source}: XLA:CPU failed at run time: {exc}") from None
    return [np.asarray(o).reshape(s.shape).astype(s.dtype, copy=False) for o, s in zip(outs, program.outputs)]


ENGINES = {"interpreter": run_interpreter, "xla": run_xla}



_NATIVE = {"f16", "f32", "f64"}


def constant_value(op: ir.Operation) -> np.ndarray:
    """The value of a ``stablehlo.constant`` / ``arith.constant`` op as an array (bit-exact).

    Native NumPy element types are read from the attribute. The bindings cannot read bf16, f8
    or complex attributes (complex ones even abort the process), so other stablehlo constants
    are cloned into a one-op module and evaluated by the interpreter, never touched directly.
    """
    spec = tensor_spec("value", op.results[0].type) if _is_tensor(op.results[0].type) else None
    if spec is None:  # a scalar arith.constant
        attr = op.attributes["value"]
        try:
            return np.array(ir.FloatAttr(attr).value)
        except ValueError:
            return np.array(ir.IntegerAttr(attr).value)
    et = spec.element
    if (et.kind in ("bool", "int", "uint") and et.bits >= 8) or et.name in _NATIVE:
        return np.array(ir.DenseElementsAttr(op.attributes["value"])).astype(et.dtype, copy=False).reshape(spec.shape)
    if et.kind == "bool":
        return np.array(ir.DenseElementsAttr(op.attributes["value"])).astype(np.bool_).reshape(spec.shape)
    if op.name != "stablehlo.constant" and et.kind == "complex":
        raise UnsupportedTypeError(
            f"{op.name} of type {spec.mlir_type} cannot be read through jaxlib's MLIR bindings",
            hint="Complex constants are only readable as stablehlo.constant ops.",
        )
    with op.context, ir.Location.unknown():
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            fn = func_dialect.FuncOp("main", ([], [op.results[0].type]))
        with ir.InsertionPoint(fn.add_entry_block()):
            if op.name == "stablehlo.constant":
                clone = op.clone()
            else:  # same attribute (never converted in Python) on a stablehlo.constant
                clone = ir.Operation.create("stablehlo.constant", results=[op.results[0].type], attributes={"value": op.attributes["value"]})
            func_dialect.ReturnOp([clone.results[0]])
    program = Program(module=module, source="<constant>", entry="main", inputs=(), outputs=(spec,))
    return run_interpreter(program, [])[0]


def _is_tensor(t: ir.Type) -> bool:
    try:
        ir.RankedTensorType(t)
    except ValueError:
        return False
    return True
