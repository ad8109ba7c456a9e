"""The SDK's one exception hierarchy.

Every error the SDK raises on bad input is a :class:`ByteIRError`. Its message is a single
line a person can act on: where (file, op, location), what is wrong, and what to do. The CLI
prints that line and exits with :attr:`ByteIRError.exit_code` (2 for bad input or usage,
1 for a failed check); only ``--debug`` shows a Python traceback.
"""

from __future__ import annotations


class ByteIRError(Exception):
    """Root of every error the SDK raises on purpose."""

    exit_code: int = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message} {hint}" if hint else message)


class SourceFileError(ByteIRError):
    """A model path that does not exist, is a directory, or cannot be read."""


class ParseError(ByteIRError):
    """Input that is not valid MLIR: empty, binary garbage, or a syntax error (path:line:col)."""


class VerificationError(ByteIRError):
    """Input that parses but fails MLIR verification or an import pass."""


class EntryPointError(ByteIRError):
    """The module has no function to run under the requested entry name."""


class UnsupportedError(ByteIRError):
    """A feature the SDK (or the chosen target) does not handle yet."""


class UnsupportedOpError(UnsupportedError):
    """An op the chosen stage or target cannot run; names the op, its location and the target."""


class UnsupportedTypeError(UnsupportedError):
    """An element type with no NumPy/ml_dtypes equivalent, or a dynamic shape."""


class CompileError(ByteIRError):
    """A backend's toolchain (e.g. NVRTC, ptxas) rejected the code the SDK generated: a compiler bug."""

    exit_code = 1


class InputMismatchError(ByteIRError):
    """Inputs whose count, name, shape or dtype do not match the program's entry signature."""


class OracleError(ByteIRError):
    """The reference interpreter or XLA rejected or failed on a program."""


class CheckFailedError(ByteIRError):
    """Computed values disagree with the expected values beyond the stated tolerance."""

    exit_code = 1


class UsageError(ByteIRError):
    """A command line that does not make sense (unknown model, bad option combination)."""


class UnknownTargetError(UsageError):
    """A target name that no installed package registers."""


class HalError(ByteIRError):
    """Base of the errors a HAL driver raises; each says what failed on which device."""


class OutOfMemoryError(HalError):
    """An allocation larger than the device's free memory or its per-allocation limit."""


class InvalidArgumentError(HalError):
    """A call with arguments outside the contract: bad sizes, offsets, views or formats."""


class UnimplementedError(HalError):
    """A HAL method or executable format this driver does not implement (yet)."""


class DeadlineExceededError(HalError):
    """A wait that timed out before its semaphore reached the value."""


class DeviceLostError(HalError):
    """The device stopped responding or was closed; nothing more can be submitted to it."""


class KernelFaultError(HalError):
    """A dispatched kernel failed while running."""


class ByreFormatError(ByteIRError):
    """A .byre file that is truncated, corrupt, of an unknown version, or otherwise malformed."""
