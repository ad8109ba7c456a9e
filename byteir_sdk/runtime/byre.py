"""Reading and verifying ByRE modules (the runtime side of the format in compiler/byre/format.py)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from byteir_sdk import _mlir, hal
from byteir_sdk._mlir import ir
from byteir_sdk.compiler.byre.emit import ByreModule
from byteir_sdk.compiler.byre.format import ATTR, MEMORY_SPACES, OP, SUPPORTED_VERSIONS, ArgType
from byteir_sdk.dtypes import ElementType, TensorSpec, element_type
from byteir_sdk.errors import ByreFormatError, ByteIRError, SourceFileError

__all__ = ["ByreProgram", "ArgSpec", "Operand", "ComputeOp", "CopyOp", "ExecutableBlob", "read_byre", "verify_byre", "from_attr"]


@dataclass(frozen=True)
class ArgSpec:
    name: str
    kind: ArgType
    shape: tuple[int, ...]
    element: ElementType

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.element.dtype.itemsize

    def spec(self) -> TensorSpec:
        return TensorSpec(self.name, self.shape, self.element)


@dataclass(frozen=True)
class Operand:
    """A memref operand: an entry argument (``arg``) or a view at ``offset`` of the arena of ``space``."""

    arg: int | None
    offset: int
    shape: tuple[int, ...]
    element: ElementType
    view: int = -1  # which byre.alias op made it (-1 for arguments): liveness is per view
    space: str = "device"  # memory space of its arena (arguments: device)

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.element.dtype.itemsize


@dataclass(frozen=True)
class ComputeOp:
    callee: str
    inputs: tuple[Operand, ...]
    outputs: tuple[Operand, ...]
    scratch: Operand | None
    attrs: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class CopyOp:
    source: Operand
    target: Operand


@dataclass(frozen=True)
class ExecutableBlob:
    name: str
    format: str
    entry: str
    blob: bytes
    launch: dict[str, Any]

    def hal_blob(self) -> hal.ExecutableBlob:
        """What a device loads (:meth:`Device.prepare_executables`): the format, the bytes, and
        the entry points it is dispatched by (each JIT step of its launch, then its own entry)."""
        return hal.ExecutableBlob(self.format, self.blob, (*self.launch.get("steps", []), self.entry))


@dataclass
class ByreProgram:
    """A ByRE module, read into plain data the runtime plans with."""

    source: str
    version: str
    target: str
    args: list[ArgSpec]
    arenas: dict[str, int]  # memory space -> arena bytes
    arena_alignment: int
    ops: list[ComputeOp | CopyOp]
    executables: dict[str, ExecutableBlob]
    weights: dict[str, bytes]
    digests: dict[str, str] = field(default_factory=dict)

    @property
    def arena_bytes(self) -> int:
        """Bytes of the device arena."""
        return self.arenas.get("device", 0)

    def arg_indices(self, kind: ArgType) -> list[int]:
        return [i for i, a in enumerate(self.args) if a.kind == kind]


def from_attr(attr: ir.Attribute) -> Any:
    """An MLIR attribute as a Python value (inverse of the emitter's to_attr)."""
    for cls, conv in (
        (ir.BoolAttr, lambda a: bool(a.value)),
        (ir.IntegerAttr, lambda a: int(a.value)),
        (ir.FloatAttr, lambda a: float(a.value)),
        (ir.StringAttr, lambda a: a.value),
        (ir.DenseI64ArrayAttr, lambda a: [int(v) for v in a]),
        (ir.DenseElementsAttr, lambda a: np.array(a).tobytes()),
        (ir.ArrayAttr, lambda a: [from_attr(v) for v in a]),
        (ir.DictAttr, lambda a: {a[i].name: from_attr(a[i].attr) for i in range(len(a))}),
        (ir.UnitAttr, lambda a: True),
    ):
        if isinstance(attr, cls):
            return conv(attr)
    return str(attr)


def _fail(source: str, what: str, hint: str | None = None) -> ByreFormatError:
    return ByreFormatError(f"{source}: {what}", hint=hint or "Recompile the model with `byteir compile`.")


def _memref(t: ir.Type, source: str, what: str) -> tuple[tuple[int, ...], ElementType]:
    try:
        mt = ir.MemRefType(t)
    except ValueError:
        raise _fail(source, f"{what} is {t}, not a memref") from None
    if not mt.has_static_shape:
        raise _fail(source, f"{what} has a dynamic shape ({t})")
    return tuple(mt.shape), element_type(mt.element_type)


def read_byre(source: str | os.PathLike[str] | bytes | ByreModule) -> ByreProgram:
    """Read a ``.byre`` (text or bytecode, detected by content), or a ByreModule in memory."""
    if isinstance(source, ByreModule):
        return _read_module(source.module, "<byre>")
    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), "<byre bytes>"
    else:
        path = Path(source)
        if not path.is_file():
            raise SourceFileError(f"{path}: no such file")
        data, name = path.read_bytes(), str(path)
    try:
        module = _mlir.parse_module(data, _mlir.new_byre_context(), source=name)
    except ByteIRError as exc:
        raise _fail(name, f"not a readable ByRE module: {exc.message}", "The file may be truncated or corrupt; recompile it.") from None
    return _read_module(module, name)


def _read_module(module: ir.Module, name: str) -> ByreProgram:
    with module.context:
        attrs = module.operation.attributes
        if ATTR.CONTAINER not in attrs:
            raise _fail(name, "not a ByRE module (no byre.container_module attribute)", "Compile StableHLO with `byteir compile` first.")
        if ATTR.VERSION not in attrs:
            raise _fail(name, "no byre.version attribute")
        version = ir.StringAttr(attrs[ATTR.VERSION]).value
        if version not in SUPPORTED_VERSIONS:
            raise _fail(name, f"ByRE version {version} is not supported by this runtime (it reads {', '.join(sorted(SUPPORTED_VERSIONS))})",
                        "Recompile the model with this SDK's `byteir compile`.")  # fmt: skip
        target = ir.StringAttr(attrs[ATTR.TARGET]).value if ATTR.TARGET in attrs else ""
        executables: dict[str, ExecutableBlob] = {}
        if ATTR.EXECUTABLES in attrs:
            for kname, info in from_attr(attrs[ATTR.EXECUTABLES]).items():
                try:
                    executables[kname] = ExecutableBlob(kname, info["format"], info["entry"], info["blob"], dict(info.get("launch", {})))
                except (KeyError, TypeError):
                    raise _fail(name, f"executable {kname} is malformed (needs format, entry, blob)") from None
        weights = {k: v for k, v in from_attr(attrs[ATTR.WEIGHTS]).items()} if ATTR.WEIGHTS in attrs else {}
        entries = [op.operation for op in module.body.operations if op.operation.name == "func.func" and ATTR.ENTRY_POINT in op.operation.attributes]
        if len(entries) != 1:
            raise _fail(name, f"expected one function marked byre.entry_point, found {len(entries)}")
        fn = entries[0]
        block = fn.regions[0].blocks[0]
        arg_attrs = ir.ArrayAttr(fn.attributes["arg_attrs"]) if "arg_attrs" in fn.attributes else []
        args: list[ArgSpec] = []
        for i, arg in enumerate(block.arguments):
            d = from_attr(arg_attrs[i]) if i < len(arg_attrs) else {}
            if ATTR.ARG_NAME not in d or ATTR.ARG_TYPE not in d:
                raise _fail(name, f"entry argument {i} lacks byre.argname / byre.argtype")
            try:
                kind = ArgType(d[ATTR.ARG_TYPE])
            except ValueError:
                raise _fail(name, f"entry argument {i} has unknown byre.argtype {d[ATTR.ARG_TYPE]}") from None
            shape, et = _memref(arg.type, name, f"entry argument {i}")
            args.append(ArgSpec(d[ATTR.ARG_NAME], kind, shape, et))
        arena_space: dict[ir.Value, str] = {}
        arenas: dict[str, int] = {}
        alignment = 1
        views: dict[ir.Value, Operand] = {}
        for i, arg in enumerate(block.arguments):
            views[arg] = Operand(i, 0, args[i].shape, args[i].element)
        ops: list[ComputeOp | CopyOp] = []
        for op in [o.operation for o in block.operations]:
            if op.name == OP.ALLOC:
                space = ir.StringAttr(op.attributes[ATTR.SPACE]).value if ATTR.SPACE in op.attributes else "device"
                if space not in MEMORY_SPACES:
                    raise _fail(name, f"arena in unknown memory space {space!r} (known: {', '.join(MEMORY_SPACES)})")
                if space in arenas:
                    raise _fail(name, f"more than one arena allocation in the {space} memory space")
                arena_space[op.results[0]] = space
                arenas[space] = ir.MemRefType(op.results[0].type).shape[0]
                alignment = max(alignment, int(ir.IntegerAttr(op.attributes["alignment"]).value) if "alignment" in op.attributes else 1)
            elif op.name == OP.ALIAS:
                if op.operands[0] not in arena_space:
                    raise _fail(name, "byre.alias of something other than an arena")
                shape, et = _memref(op.results[0].type, name, "a byre.alias view")
                views[op.results[0]] = Operand(None, int(ir.IntegerAttr(op.attributes[ATTR.OFFSET]).value), shape, et, len(views), arena_space[op.operands[0]])
            elif op.name == OP.COMPUTE:
                operands = [views.get(v) for v in op.operands]
                if any(o is None for o in operands):
                    raise _fail(name, "byre.compute uses a value that is neither an argument nor an arena view")
                n_in = int(ir.IntegerAttr(op.attributes[ATTR.NUM_INPUTS]).value)
                n_out = int(ir.IntegerAttr(op.attributes[ATTR.NUM_OUTPUTS]).value)
                scratch = ATTR.SCRATCH in op.attributes
                if n_in + n_out + int(scratch) != len(operands):
                    raise _fail(name, f"byre.compute {op.attributes[ATTR.CALLEE]} has {len(operands)} operands, expected {n_in} + {n_out}{' + scratch' if scratch else ''}")
                extra = {n: from_attr(op.attributes[n]) for n in op.attributes if n not in (ATTR.CALLEE, ATTR.NUM_INPUTS, ATTR.NUM_OUTPUTS, ATTR.SCRATCH)}
                ops.append(ComputeOp(ir.StringAttr(op.attributes[ATTR.CALLEE]).value, tuple(operands[:n_in]), tuple(operands[n_in : n_in + n_out]),  # type: ignore[arg-type]
                                     operands[-1] if scratch else None, extra))  # fmt: skip
            elif op.name == OP.COPY:
                src, dst = views.get(op.operands[0]), views.get(op.operands[1])
                if src is None or dst is None:
                    raise _fail(name, "byre.copy of a value that is neither an argument nor an arena view")
                ops.append(CopyOp(src, dst))
            elif op.name in ("func.return",):
                continue
            else:
                raise _fail(name, f"unexpected op {op.name} in the entry function")
        digests = from_attr(attrs[ATTR.DIGESTS]) if ATTR.DIGESTS in attrs else {}
        return ByreProgram(name, version, target, args, arenas, alignment, ops, executables, weights, digests)


def verify_byre(program: ByreProgram, library_callees: Iterable[str] = ()) -> None:
    """Check a ByreProgram is safe to run; raise ByreFormatError naming the first problem.

    Callees known (an executable or a library op of the target), weights present with the right
    size, views inside the arena, no two live views overlapping, every output written.
    """
    name = program.source
    for key, data in [*((k, e.blob) for k, e in program.executables.items()), *program.weights.items()]:
        want = program.digests.get(key)
        if want is None:
            raise _fail(name, f"no checksum for {key} in byre.digests")
        if hashlib.sha256(data).hexdigest() != want:
            raise _fail(name, f"{key} is corrupted (its SHA-256 does not match byre.digests)", "The file was damaged after compilation; recompile it.")
    known = set(program.executables) | set(library_callees)
    names = [a.name for a in program.args]
    if len(set(names)) != len(names):
        raise _fail(name, "duplicate byre.argname")
    for a in program.args:
        if a.kind == ArgType.WEIGHT:
            blob = program.weights.get(a.name)
            if blob is None:
                raise _fail(name, f"weight {a.name} has no data in byre.weights")
            if len(blob) != a.nbytes:
                raise _fail(name, f"weight {a.name} holds {len(blob)} bytes, its memref needs {a.nbytes}", "The file may be corrupt; recompile it.")
    live: dict[int, list[int]] = {}  # view -> [first, last] op index
    extent: dict[int, tuple[str, int, int]] = {}  # view -> (memory space, [start, end) bytes of its arena)
    written_outputs: set[int] = set()
    for i, op in enumerate(program.ops):
        operands = [*op.inputs, *op.outputs, *([op.scratch] if op.scratch else [])] if isinstance(op, ComputeOp) else [op.source, op.target]
        if isinstance(op, ComputeOp) and op.callee not in known:
            raise _fail(name, f"byre.compute calls {op.callee!r}, which is neither an executable in the module nor a library op of target '{program.target}'")
        for o in operands:
            if o.arg is None:
                size = program.arenas.get(o.space, 0)
                if o.offset < 0 or o.offset + o.nbytes > size:
                    raise _fail(name, f"view [{o.offset}, {o.offset + o.nbytes}) lies outside the {size}-byte {o.space} arena")
                live.setdefault(o.view, [i, i])[1] = i
                extent[o.view] = (o.space, o.offset, o.offset + o.nbytes)
        if isinstance(op, ComputeOp) and len({o.space for o in operands}) > 1:
            raise _fail(name, f"op {i} ({op.callee}) mixes memory spaces {', '.join(sorted({o.space for o in operands}))}",
                        "A compute's operands must lie in one space; the compiler inserts byre.copy between spaces.")
        outs = op.outputs if isinstance(op, ComputeOp) else (op.target,)
        for o in outs:
            if o.arg is not None:
                if program.args[o.arg].kind != ArgType.OUTPUT:
                    raise _fail(name, f"op {i} writes entry argument {program.args[o.arg].name}, which is not an output")
                written_outputs.add(o.arg)
        if isinstance(op, ComputeOp):  # inside one op, only an exact in-place pair may share bytes
            regions = [(o.offset, o.offset + o.nbytes, role) for role, group in (("in", op.inputs), ("out", op.outputs), ("scratch", (op.scratch,) if op.scratch else ())) for o in group if o is not None and o.arg is None]
            for a in range(len(regions)):
                for b in range(a + 1, len(regions)):
                    (s1, e1, r1), (s2, e2, r2) = regions[a], regions[b]
                    if s1 < e2 and s2 < e1 and not ((s1, e1) == (s2, e2) and {r1, r2} == {"in", "out"}) and not (r1 == r2 == "in"):
                        raise _fail(name, f"op {i} ({op.callee}) uses overlapping arena views [{s1}, {e1}) and [{s2}, {e2})")
    by_start = sorted(extent.items(), key=lambda kv: kv[1])  # by space, then start
    for a in range(len(by_start)):
        v1, (space1, s1, e1) = by_start[a]
        for b in range(a + 1, len(by_start)):
            v2, (space2, s2, e2) = by_start[b]
            if space2 != space1 or s2 >= e1:
                break
            (f1, l1), (f2, l2) = live[v1], live[v2]
            if max(f1, f2) < min(l1, l2):
                raise _fail(name, f"arena views [{s1}, {e1}) and [{s2}, {e2}) overlap while both are live (ops {max(f1, f2)}..{min(l1, l2)})")
    missing = [program.args[i].name for i in program.arg_indices(ArgType.OUTPUT) if i not in written_outputs]
    if missing:
        raise _fail(name, f"output(s) {', '.join(missing)} are never written")
