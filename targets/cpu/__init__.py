"""The host CPU target: Kernel IR -> LLVM IR via llvmlite, and a host-memory HAL driver.

Registered like any vendor target, through the ``byteir_sdk.targets`` entry point ``cpu``.
"""

from byteir_sdk.compiler import Target
from byteir_targets.cpu.backend import CpuBackend
from byteir_targets.cpu.driver import CpuDriver

TARGET = Target(name="cpu", backend=CpuBackend, driver=CpuDriver, description="host CPU: LLVM code generation via llvmlite")

__all__ = ["TARGET", "CpuBackend", "CpuDriver"]
