"""The compiler: the front door (import stage) and the pipeline to ByRE, plus the Backend contract."""

from byteir_sdk.compiler.backend import Backend, Capabilities, LoweredKernel, MemoryLevel, Target, get_target, targets
from byteir_sdk.compiler.frontend import IMPORT_PIPELINE, Program, load, loads
from byteir_sdk.compiler.pipeline import STAGES, compile  # noqa: A004  (also registers every pass)

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
    "compile",
    "STAGES",
]
