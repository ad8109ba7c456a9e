"""The front door: StableHLO text, bytecode, portable artifacts or JAX functions -> Program.

Every model enters the SDK here. The ``import`` stage parses with the real MLIR bindings,
verifies, picks the entry function, and runs the upstream passes that put the module into the
form the rest of the pipeline expects (one inlined, shape-refined, canonical entry function).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from byteir_sdk import _mlir
from byteir_sdk._mlir import ir
from byteir_sdk.dtypes import TensorSpec, tensor_spec
from byteir_sdk.compiler.passes import functions, walk
from byteir_sdk.errors import EntryPointError, SourceFileError, UsageError, VerificationError

__all__ = ["Program", "load", "loads", "IMPORT_PIPELINE", "from_module", "inline_calls", "find_function"]

#: The upstream passes of the ``import`` stage, in order (after composites become calls and
#: calls are inlined: the
#: upstream ``inline`` pass is a no-op in jaxlib's context, whose func dialect lacks the
#: inliner extension, so :func:`inline_calls` does that on the IR through the bindings).
IMPORT_PIPELINE: tuple[str, ...] = (
    "symbol-dce",
    "func.func(chlo-legalize-to-stablehlo)",
    "func.func(shape-legalize-to-stablehlo)",
    "stablehlo-refine-shapes",
    "canonicalize",
    "cse",
    "symbol-dce",
)


@dataclass(eq=False)
class Program:
    """A StableHLO module with one entry function, ready for the compiler or the oracle.

    `module` owns its own MLIR context; `inputs`/`outputs` give the entry signature.
    """

    module: ir.Module
    source: str
    entry: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def context(self) -> ir.Context:
        return self.module.context

    @property
    def entry_function(self) -> ir.Operation:
        return find_function(self.module, self.entry)

    @property
    def name(self) -> str:
        return Path(self.source).stem if not self.source.startswith("<") else self.source.strip("<>")

    def text(self, *, debug_info: bool = False) -> str:
        """MLIR text of the module (with locations when `debug_info`)."""
        with self.context:
            return self.module.operation.get_asm(enable_debug_info=debug_info)

    def bytecode(self) -> bytes:
        """MLIR bytecode of the module."""
        return _mlir.module_to_bytecode(self.module)

    def portable_artifact(self, target_version: str | None = None) -> bytes:
        """A StableHLO portable artifact (VHLO bytecode) for `target_version` (default: current)."""
        copy = _mlir.clone_module(self.module)  # serialization rewrites the module to VHLO in place
        with self.context:
            version = target_version or _mlir.stablehlo.get_current_version()
            try:
                return _mlir.stablehlo.serialize_portable_artifact(copy, version)
            except Exception as exc:  # the binding raises a bare ValueError
                raise UsageError(
                    f"cannot write a portable artifact for StableHLO {version}: {exc}",
                    hint=f"Supported: {_mlir.stablehlo.get_minimum_version()} to {_mlir.stablehlo.get_current_version()}.",
                ) from None

    def save(self, path: str | os.PathLike[str], *, portable: bool = False) -> Path:
        """Write the module: a portable artifact if `portable`, bytecode for ``.mlirbc``, else text."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        if portable:
            out.write_bytes(self.portable_artifact())
        elif out.suffix == ".mlirbc":
            out.write_bytes(self.bytecode())
        else:
            out.write_text(self.text())
        return out

    def ops(self) -> Iterator[ir.Operation]:
        """Every op nested in the entry function, in pre-order (regions included)."""
        yield from walk(self.entry_function)

    def __str__(self) -> str:
        return self.text()


def _symbol(op: ir.Operation) -> str:
    return ir.StringAttr(op.attributes["sym_name"]).value


def _is_public(op: ir.Operation) -> bool:
    return "sym_visibility" not in op.attributes or ir.StringAttr(op.attributes["sym_visibility"]).value == "public"


def find_function(module: ir.Module, name: str) -> ir.Operation:
    """The func.func named @`name` in `module`; EntryPointError if there is none."""
    for fn in functions(module):
        if _symbol(fn) == name:
            return fn
    raise EntryPointError(f"no function @{name} in the module")


def _resolve_entry(module: ir.Module, entry: str | None, source: str) -> str:
    funcs = functions(module)
    names = [_symbol(f) for f in funcs]
    if entry is not None:
        if entry not in names:
            raise EntryPointError(
                f"{source}: no entry function @{entry}",
                hint=f"Functions in the module: {', '.join('@' + n for n in names) or 'none'}.",
            )
        return entry
    if "main" in names:
        return "main"
    public = [_symbol(f) for f in funcs if _is_public(f)]
    if len(public) == 1:
        return public[0]
    raise EntryPointError(
        f"{source}: no entry function: the module has no @main and "
        + (f"{len(public)} public functions ({', '.join('@' + n for n in public)})" if public else "no public function"),
        hint="Name one with entry=... (CLI: --entry NAME).",
    )


def _arg_name(arg: ir.Value, index: int) -> str:
    loc = str(arg.location)
    # A bare name location, loc("x"), is how jax.export records argument names.
    if loc.startswith('loc("') and loc.endswith('")') and loc.count('"') == 2:
        name = loc[5:-2]
        if name.isidentifier():
            return name
    return f"arg{index}"


def _signature(fn: ir.Operation) -> tuple[tuple[TensorSpec, ...], tuple[TensorSpec, ...]]:
    ftype = _mlir.function_type(fn)
    block = fn.regions[0].blocks[0]
    names: list[str] = []
    for i, arg in enumerate(block.arguments):
        name = _arg_name(arg, i)
        names.append(name if name not in names else f"arg{i}")
    inputs = tuple(tensor_spec(n, t) for n, t in zip(names, ftype.inputs))
    outputs = tuple(tensor_spec(f"out{i}", t) for i, t in enumerate(ftype.results))
    return inputs, outputs


def inline_calls(module: ir.Module, entry: str, *, source: str) -> None:
    """Replace every func.call reachable from @entry by the callee's body; other functions go private."""
    with module.context:
        symbols = {_symbol(f): f for f in functions(module)}
        fn = symbols[entry]
        for _ in range(10_000):  # StableHLO has no recursion; this only bounds a malformed module
            call = next((op for op in walk(fn) if op.name == "func.call"), None)
            if call is None:
                break
            callee_name = ir.FlatSymbolRefAttr(call.attributes["callee"]).value
            body = symbols[callee_name].clone(ir.InsertionPoint(module.body))
            block = body.regions[0].blocks[0]
            for formal, actual in zip(block.arguments, call.operands):
                formal.replace_all_uses_with(actual)
            ops = [op.operation for op in block.operations]
            for op in ops[:-1]:
                op.move_before(call)
            for result, value in zip(call.results, ops[-1].operands):
                result.replace_all_uses_with(value)
            call.erase()
            body.erase()
        else:
            raise VerificationError(f"{source}: calls nest too deeply to inline (recursive functions?)")
        for other in functions(module):
            if _symbol(other) != entry:  # symbol-dce removes it unless something (a decomposition) refers to it
                other.attributes["sym_visibility"] = ir.StringAttr.get("private")
        if not _is_public(fn):
            fn.attributes["sym_visibility"] = ir.StringAttr.get("public")


def from_module(module: ir.Module, *, source: str, entry: str | None = None) -> Program:
    """Run the import stage on a parsed module (which it takes over) and wrap it as a Program."""
    _mlir.verify(module, source=source)
    name = _resolve_entry(module, entry, source)
    # Composites (e.g. chlo.top_k) become calls of their decompositions, then everything inlines.
    _mlir.run_pipeline(module, "builtin.module(func.func(stablehlo-legalize-composite-to-call))", source=source, stage="import")
    inline_calls(module, name, source=source)
    _mlir.run_pipeline(module, f"builtin.module({','.join(IMPORT_PIPELINE)})", source=source, stage="import")
    inputs, outputs = _signature(find_function(module, name))
    return Program(module=module, source=source, entry=name, inputs=inputs, outputs=outputs)


def loads(data: str | bytes, *, source: str = "<string>", entry: str | None = None) -> Program:
    """Load a Program from MLIR text, MLIR bytecode or a StableHLO portable artifact in memory."""
    module = _mlir.parse_module(data, _mlir.new_context(), source=source)
    return from_module(module, source=source, entry=entry)


def load(
    model: str | os.PathLike[str] | Callable[..., Any],
    *example_args: Any,
    entry: str | None = None,
) -> Program:
    """Load a Program from a ``.mlir``/``.mlirbc`` path, or from a JAX function and example args.

    For a function, `example_args` are arrays or ``jax.ShapeDtypeStruct``s fixing the shapes;
    the function is exported with ``jax.export`` (a portable artifact) and imported like a file.
    """
    if callable(model) and not isinstance(model, (str, os.PathLike)):
        return _load_jax(model, example_args)
    if example_args:
        raise UsageError("example arguments are only taken with a JAX function, not a file")
    if isinstance(model, str) and ("\n" in model or "{" in model):
        raise UsageError("load() takes a path, and this is MLIR text: pass the text to byteir_sdk.loads() instead")
    path = Path(model)
    try:
        exists = path.exists()
    except OSError as exc:
        raise SourceFileError(f"{str(path)[:80]}: not a usable path ({exc.strerror})") from None
    if not exists:
        raise SourceFileError(f"{path}: no such file", hint="Check the path (see `byteir export-model` for examples).")
    if path.is_dir():
        raise SourceFileError(f"{path}: is a directory, not a model file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceFileError(f"{path}: cannot read ({exc.strerror})") from None
    return loads(data, source=str(path), entry=entry)


def _load_jax(fn: Callable[..., Any], example_args: Sequence[Any]) -> Program:
    import jax  # the JAX frontend is optional for file-based use; import on demand

    name = getattr(fn, "__name__", "jax_function")
    if not example_args:
        raise UsageError(f"load({name}): a JAX function needs example arguments to fix the shapes")
    exported = jax.export.export(fn if hasattr(fn, "lower") else jax.jit(fn, keep_unused=True))(*example_args)  # the signature stays whole
    return loads(exported.mlir_module_serialized, source=f"<{name}>")
