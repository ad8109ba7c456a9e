"""The compiler: the front door (import stage) and the pipeline to ByRE, plus the Backend contract."""

from byteir_sdk.compiler.backend import Backend, Capabilities, LoweredKernel, MemoryLevel, Target, get_target, targets
from byteir_sdk.compiler.frontend import IMPORT_PIPELINE, Program, load, loads

__all__ = [
    "Program",
    "load",
    "loads",
    "IMPORT_PIPELINE",
    "Backend",
    "Capabilities",
    "LoweredKernel",
    "MemoryLevel",
    "Target",
    "get_target",
    "targets",
]
