"""ByteIR SDK: StableHLO in, ByRE out, run on any device that implements the HAL."""

from byteir_sdk.compiler import Program, compile, load, loads  # noqa: A004
from byteir_sdk.dtypes import TensorSpec
from byteir_sdk.errors import (
    ByteIRError,
    CheckFailedError,
    CompileError,
    EntryPointError,
    InputMismatchError,
    OracleError,
    ParseError,
    SourceFileError,
    UnsupportedError,
    UnsupportedOpError,
    UnsupportedTypeError,
    UsageError,
    VerificationError,
)

from byteir_sdk import models, reference  # noqa: E402  (public subpackages: byteir_sdk.models.get, ...)
from byteir_sdk.runtime import Session  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "Program",
    "TensorSpec",
    "load",
    "loads",
    "compile",
    "Session",
    "models",
    "reference",
    "ByteIRError",
    "CheckFailedError",
    "CompileError",
    "EntryPointError",
    "InputMismatchError",
    "OracleError",
    "ParseError",
    "SourceFileError",
    "UnsupportedError",
    "UnsupportedOpError",
    "UnsupportedTypeError",
    "UsageError",
    "VerificationError",
]
