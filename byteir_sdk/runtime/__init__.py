"""Runtime: ByRE reader + verifier, and Session (load once, run many times on a HAL device)."""

from byteir_sdk.runtime.byre import ByreProgram, read_byre, verify_byre
from byteir_sdk.runtime.session import KernelTime, Session

__all__ = ["ByreProgram", "KernelTime", "Session", "read_byre", "verify_byre"]
