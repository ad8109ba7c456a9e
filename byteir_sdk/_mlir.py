"""The one module that imports jaxlib's MLIR / StableHLO bindings and sets up contexts.

Everything else in the SDK takes ``ir``, ``passmanager`` and the dialect modules from here,
so a jaxlib upgrade (renamed modules, a changed context factory) touches this file only.
"""

from __future__ import annotations

import io
import re
import logging
import threading
from collections.abc import Sequence

from jax._src.interpreters.mlir import make_ir_context as _jax_make_ir_context
from jaxlib.mlir import ir, passmanager
from jaxlib.mlir.dialects import func as func_dialect
from jaxlib.mlir.dialects import memref as memref_dialect
from jaxlib.mlir.dialects import stablehlo

from byteir_sdk.errors import ParseError, VerificationError

if "byteir_sdk._dialects" not in ir._globals.dialect_search_modules:  # see byteir_sdk/_dialects
    ir._globals.append_dialect_search_prefix("byteir_sdk._dialects")

__all__ = [
    "ir",
    "passmanager",
    "stablehlo",
    "func_dialect",
    "memref_dialect",
    "new_byre_context",
    "new_context",
    "parse_module",
    "run_pipeline",
    "module_to_bytecode",
    "clone_module",
    "eval_module",
    "format_location",
    "short_location",
    "function_type",
    "set_function_type",
    "diagnostics_text",
    "BYTECODE_MAGIC",
]

log = logging.getLogger(__name__)

BYTECODE_MAGIC = b"ML\xefR"

_passes_registered = False
_register_lock = threading.Lock()


def _register_passes() -> None:
    global _passes_registered  # registry of upstream passes: process-wide by nature
    with _register_lock:
        if not _passes_registered:
            stablehlo.register_stablehlo_passes()
            _passes_registered = True


def new_context() -> ir.Context:
    """A fresh MLIR context with every dialect JAX emits (StableHLO, CHLO, func, sdy, ...)."""
    _register_passes()
    return _jax_make_ir_context()


def new_byre_context() -> ir.Context:
    """A context for ByRE modules: the JAX dialects plus unregistered ``byre.*`` ops."""
    ctx = new_context()
    ctx.allow_unregistered_dialects = True
    return ctx


def format_location(loc: ir.Location | str, source: str | None) -> str:
    """``loc("-":3:7)`` -> ``model.mlir:3:7``; other locations are shown without ``loc(...)``."""
    text = str(loc)
    if text.startswith("loc(") and text.endswith(")"):
        text = text[4:-1]
    if text.startswith('"-":') and source:
        return f"{source}:{text[4:]}"
    if text.startswith('"') and '":' in text:
        name, _, rest = text[1:].partition('":')
        return f"{name}:{rest}"
    return text


def short_location(loc: ir.Location | str, source: str | None) -> str:
    """The first ``file:line:col`` of a location (call-site chains are long), with its name if any."""
    text = format_location(loc, source)
    found = re.search(r'"([^"]+)":(\d+):(\d+)', text)
    if not found:
        return text if len(text) <= 120 else text[:117] + "..."
    name = re.match(r'"([^"]+)"\(', text)
    where = f"{found.group(1)}:{found.group(2)}:{found.group(3)}"
    return f"{where} ({name.group(1)})" if name else where


def diagnostics_text(err: ir.MLIRError, source: str | None) -> str:
    """One line per error diagnostic: ``path:line:col: message``."""
    lines = []
    for diag in err.error_diagnostics:
        lines.append(f"{format_location(diag.location, source)}: {diag.message}")
        for note in diag.notes:
            lines.append(f"  note: {format_location(note.location, source)}: {note.message}")
    return "\n".join(lines) if lines else err.message


def parse_module(data: bytes | str, context: ir.Context, *, source: str) -> ir.Module:
    """Parse MLIR text, MLIR bytecode or a StableHLO portable artifact (VHLO) into `context`."""
    if isinstance(data, str):
        data = data.encode()
    if not data.strip():
        raise ParseError(f"{source}: the file is empty", hint="Expected StableHLO MLIR text or bytecode.")
    if data.startswith(BYTECODE_MAGIC):
        return _parse_bytecode(data, context, source=source)
    if b"\x00" in data[:4096]:
        raise ParseError(
            f"{source}: not MLIR (binary data that is not MLIR bytecode)",
            hint="Expected StableHLO text (.mlir) or MLIR bytecode / a portable artifact (.mlirbc).",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{source}: not MLIR text (invalid UTF-8 at byte {exc.start})") from None
    with context:
        try:
            return ir.Module.parse(text)
        except ir.MLIRError as err:
            raise ParseError(f"{diagnostics_text(err, source)}", hint="(while parsing MLIR text)") from None


def _parse_bytecode(data: bytes, context: ir.Context, *, source: str) -> ir.Module:
    # A portable artifact is bytecode of the VHLO dialect; try it first, then plain bytecode.
    with context:
        try:
            return stablehlo.deserialize_portable_artifact(context, data)
        except Exception as exc:  # the binding raises a bare ValueError/RuntimeError
            log.debug("%s: not a StableHLO portable artifact (%s); trying plain bytecode", source, exc)
        try:
            return ir.Module.parse(data)
        except ir.MLIRError as err:
            raise ParseError(
                f"{source}: unreadable MLIR bytecode: {diagnostics_text(err, source)}",
                hint="The file may be truncated or written by a newer MLIR.",
            ) from None


def run_pipeline(module: ir.Module, pipeline: str, *, source: str, stage: str) -> None:
    """Run a textual pass pipeline on `module` in place; failures raise VerificationError."""
    with module.context:
        pm = passmanager.PassManager.parse(pipeline)
        try:
            pm.run(module.operation)
        except ir.MLIRError as err:
            raise VerificationError(f"{diagnostics_text(err, source)}", hint=f"(in the {stage} stage)") from None


def verify(module: ir.Module, *, source: str) -> None:
    """Run the MLIR verifier; failures raise VerificationError with path:line:col."""
    with module.context:
        try:
            module.operation.verify()
        except ir.MLIRError as err:
            raise VerificationError(diagnostics_text(err, source), hint="(MLIR verifier)") from None


def module_to_bytecode(module: ir.Module) -> bytes:
    """MLIR bytecode of `module` (the context's current bytecode version)."""
    buf = io.BytesIO()
    module.operation.write_bytecode(buf)
    return buf.getvalue()


def clone_module(module: ir.Module) -> ir.Module:
    """A deep copy of `module` in the same context (its ops cloned; attributes, weights included,
    are immutable and shared)."""
    with module.context:
        copy = module.operation.clone()
        clone = ir.Module.create(loc=module.operation.location)
        attributes = module.operation.attributes
        for i in range(len(attributes)):
            clone.operation.attributes[attributes[i].name] = attributes[i].attr
        for op in list(copy.regions[0].blocks[0].operations):
            clone.body.append(op)
        copy.erase()
        return clone


def function_type(fn: ir.Operation) -> ir.FunctionType:
    """The FunctionType of a func.func op."""
    return ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)


def set_function_type(fn: ir.Operation, inputs: Sequence[ir.Type], results: Sequence[ir.Type]) -> None:
    """Replace the FunctionType of a func.func op."""
    with fn.context:
        fn.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(list(inputs), list(results)))


def eval_module(module: ir.Module, args: Sequence[ir.Attribute]) -> list[ir.Attribute]:
    """StableHLO reference interpreter on the module's ``@main``."""
    with module.context:
        return list(stablehlo.eval_module(module, list(args)))
