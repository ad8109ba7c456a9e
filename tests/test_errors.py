"""Bad input never gives a wrong answer or a deep traceback: one error type, one clear line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import byteir_sdk
from byteir_sdk import reference
from byteir_sdk.errors import (
    ByteIRError,
    EntryPointError,
    InputMismatchError,
    ParseError,
    SourceFileError,
    UnsupportedTypeError,
    UsageError,
    VerificationError,
)

GOOD = """func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = stablehlo.add %x, %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}
"""


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_all_errors_share_one_root() -> None:
    for cls in (EntryPointError, InputMismatchError, ParseError, SourceFileError, UnsupportedTypeError, VerificationError):
        assert issubclass(cls, ByteIRError)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match=r"nope\.mlir: no such file"):
        byteir_sdk.load(tmp_path / "nope.mlir")


def test_text_passed_as_a_path() -> None:
    with pytest.raises(UsageError, match=r"MLIR text: pass the text to byteir_sdk\.loads\(\)"):
        byteir_sdk.load(GOOD)
    with pytest.raises(SourceFileError, match="not a usable path"):
        byteir_sdk.load("x" * 5000)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="is a directory"):
        byteir_sdk.load(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="empty"):
        byteir_sdk.load(write(tmp_path, "empty.mlir", "  \n"))


def test_binary_garbage(tmp_path: Path) -> None:
    garbage = bytes(np.random.default_rng(0).integers(0, 256, 512, dtype=np.uint8))
    with pytest.raises(ParseError, match="garbage.bin"):
        byteir_sdk.load(write(tmp_path, "garbage.bin", garbage))


def test_syntax_error_reports_path_line_col(tmp_path: Path) -> None:
    bad = GOOD.replace("%0 = stablehlo.add %x, %x", "%0 = stablehlo.add %x, %y")
    with pytest.raises(ParseError) as info:
        byteir_sdk.load(write(tmp_path, "bad.mlir", bad))
    assert f"{tmp_path / 'bad.mlir'}:2:" in info.value.message
    assert "undeclared SSA value" in info.value.message


def test_type_error_is_reported_with_location(tmp_path: Path) -> None:
    bad = GOOD.replace("return %0 : tensor<2xf32>", "return %0 : tensor<3xf32>")
    with pytest.raises((ParseError, VerificationError)) as info:
        byteir_sdk.load(write(tmp_path, "types.mlir", bad))
    assert "types.mlir:3:" in info.value.message


def test_truncated_bytecode(tmp_path: Path) -> None:
    data = byteir_sdk.loads(GOOD).bytecode()
    with pytest.raises(ParseError, match="bytecode"):
        byteir_sdk.load(write(tmp_path, "cut.mlirbc", data[: len(data) // 2]))


def test_module_without_entry_function(tmp_path: Path) -> None:
    with pytest.raises(EntryPointError, match="no entry function @run"):
        byteir_sdk.load(write(tmp_path, "m.mlir", GOOD), entry="run")
    with pytest.raises(EntryPointError, match="no @main"):
        byteir_sdk.loads("module {}")


def test_dynamic_shapes_are_rejected_clearly() -> None:
    with pytest.raises(UnsupportedTypeError, match="dynamic shape"):
        byteir_sdk.loads("func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> { return %x : tensor<?xf32> }")


def test_wrong_inputs() -> None:
    program = byteir_sdk.loads(GOOD)
    with pytest.raises(InputMismatchError, match="expected 1 input"):
        reference.run(program, [])
    with pytest.raises(InputMismatchError, match=r"arg0 \(arg0\): shape \(3,\)"):
        reference.run(program, [np.zeros(3, np.float32)])
    with pytest.raises(InputMismatchError, match="dtype int32"):
        reference.run(program, [np.zeros(2, np.int32)])
