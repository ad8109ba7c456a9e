"""StableHLO testdata-style files as test cases with real arguments.

A testdata file's ``@main`` takes no arguments: it calls ``@inputs()`` and ``@expected()``
(constant functions), computes, and checks with ``check.expect_*`` custom calls. A
:class:`CorpusCase` turns it into what a device needs: a Program whose entry takes the inputs
as arguments and returns the checked values, plus the input arrays, the expected arrays and
the tolerance each check states. The rewriting is done on the IR with the MLIR bindings.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from byteir_sdk import _mlir
from byteir_sdk._mlir import func_dialect, ir, stablehlo
from byteir_sdk.compiler.frontend import Program, find_function, from_module
from byteir_sdk.dtypes import TensorSpec, array_to_attr
from byteir_sdk.errors import ParseError, SourceFileError
from byteir_sdk.reference.compare import CHECK_TOLERANCES, Comparison, Tolerance, compare
from byteir_sdk.reference.engines import run_interpreter

__all__ = ["CorpusCase", "load_case", "corpus_files", "write_case"]


@dataclass
class CorpusCase:
    """One testdata file: the program, its inputs and what each output must match."""

    path: Path
    program: Program
    inputs: list[np.ndarray]
    expected: list[np.ndarray]
    checks: list[str]  # check.* target name per output

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def tolerances(self) -> list[Tolerance]:
        return [CHECK_TOLERANCES[c] for c in self.checks]

    def check(self, outputs: Sequence[np.ndarray]) -> list[Comparison]:
        """Compare `outputs` with the expectations, one Comparison per output."""
        return [compare(o, e, t) for o, e, t in zip(outputs, self.expected, self.tolerances)]

    def run(self, runner: Callable[[Program, list[np.ndarray]], list[np.ndarray]] = run_interpreter) -> list[Comparison]:
        """Run the case with `runner(program, inputs)` and check the results."""
        return self.check(runner(self.program, self.inputs))


def corpus_files(directory: str | os.PathLike[str]) -> list[Path]:
    """The ``*.mlir`` files of a testdata directory, sorted by name."""
    return sorted(Path(directory).glob("*.mlir"))


def _callee(op: ir.Operation) -> str | None:
    if op.name != "func.call":
        return None
    return ir.FlatSymbolRefAttr(op.attributes["callee"]).value


def _check_target(op: ir.Operation) -> str | None:
    if op.name != "stablehlo.custom_call":
        return None
    target = ir.StringAttr(op.attributes["call_target_name"]).value
    return target if target.startswith("check.") else None


def _constant_values(text: str, source: str, entry: str) -> list[np.ndarray]:
    """Evaluate a no-argument function of the file (``@inputs``/``@expected``)."""
    module = _mlir.parse_module(text, _mlir.new_context(), source=source)
    return run_interpreter(from_module(module, source=source, entry=entry), [])


def load_case(path: str | os.PathLike[str]) -> CorpusCase:
    """Read one testdata file into a CorpusCase."""
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as exc:
        raise SourceFileError(f"{p}: cannot read ({exc.strerror})") from None
    source = str(p)

    module = _mlir.parse_module(text, _mlir.new_context(), source=source)
    with module.context, ir.Location.unknown():
        main = find_function(module, "main")
        block = main.regions[0].blocks[0]
        ops = [op.operation for op in block.operations]
        input_calls = [op for op in ops if _callee(op) == "inputs"]
        expected_calls = [op for op in ops if _callee(op) == "expected"]
        check_ops = [op for op in ops if _check_target(op)]
        if len(input_calls) > 1 or len(expected_calls) != 1 or not check_ops:
            raise ParseError(f"{source}: not a testdata file (needs one call of @expected, at most one of @inputs, and check.* calls)")
        (exp_call,) = expected_calls
        for in_call in input_calls:
            for result in in_call.results:
                result.replace_all_uses_with(block.add_argument(result.type, ir.Location.unknown()))
        outputs: list[ir.Value] = []
        order: list[int] = []
        checks: list[str] = []
        exp_results = list(exp_call.results)
        for op in check_ops:
            actual, want = op.operands[0], op.operands[1]
            index = next((i for i, r in enumerate(exp_results) if r == want), None)
            if index is None:
                raise ParseError(f"{source}: a check compares with a value that is not a result of @expected")
            outputs.append(actual)
            order.append(index)
            checks.append(_check_target(op) or "")
            op.erase()
        ret = ops[-1]
        with ir.InsertionPoint(ret):
            func_dialect.ReturnOp(outputs)
        ret.erase()
        exp_call.erase()
        for in_call in input_calls:
            in_call.erase()
        _mlir.set_function_type(main, [a.type for a in block.arguments], [v.type for v in outputs])

    inputs = _constant_values(text, source, "inputs") if input_calls else []
    expected = _constant_values(text, source, "expected")
    program = from_module(module, source=source, entry="main")
    return CorpusCase(p, program, inputs, [expected[i] for i in order], checks)


def _constant_function(name: str, values: Sequence[np.ndarray], specs: Sequence[TensorSpec]) -> None:
    types = [ir.Type.parse(spec.mlir_type) for spec in specs]
    fn = func_dialect.FuncOp(name, ([], types), visibility="private")
    with ir.InsertionPoint(fn.add_entry_block()):
        func_dialect.ReturnOp([stablehlo.ConstantOp(array_to_attr(v, s)).result for v, s in zip(values, specs)])


def write_case(
    program: Program,
    inputs: Sequence[np.ndarray],
    expected: Sequence[np.ndarray],
    path: str | os.PathLike[str],
    *,
    check: str = "check.expect_close",
) -> Path:
    """Write a testdata-format file: ``@main`` calls ``@inputs``/``@expected``, computes, checks.

    `check` is the ``check.*`` kind used for every output (floats); integer and boolean outputs
    always use ``check.expect_eq``. The result loads back with :func:`load_case`.
    """
    if check not in CHECK_TOLERANCES:
        raise ValueError(f"unknown check {check!r}; one of {', '.join(CHECK_TOLERANCES)}")
    module = _mlir.clone_module(program.module)
    with module.context, ir.Location.unknown():
        body = find_function(module, program.entry)
        body.attributes["sym_name"] = ir.StringAttr.get("computation")
        body.attributes["sym_visibility"] = ir.StringAttr.get("private")
        in_types = [ir.Type.parse(s.mlir_type) for s in program.inputs]
        out_types = [ir.Type.parse(s.mlir_type) for s in program.outputs]
        with ir.InsertionPoint(module.body):
            main = func_dialect.FuncOp("main", ([], out_types))
            _constant_function("inputs", inputs, program.inputs)
            _constant_function("expected", expected, program.outputs)
        with ir.InsertionPoint(main.add_entry_block()):
            args = func_dialect.CallOp(in_types, "inputs", []).results if in_types else []
            want = func_dialect.CallOp(out_types, "expected", []).results
            got = func_dialect.CallOp(out_types, "computation", list(args)).results
            for spec, g, w in zip(program.outputs, got, want):
                kind = check if spec.element.kind in ("float", "complex") else "check.expect_eq"
                stablehlo.CustomCallOp([], [g, w], kind, has_side_effect=True)
            func_dialect.ReturnOp(list(got))
        _mlir.verify(module, source=str(path))
        text = module.operation.get_asm()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return out
