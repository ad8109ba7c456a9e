"""The compiler: the front door (import stage) and, stage by stage, the pipeline to ByRE."""

from byteir_sdk.compiler.frontend import IMPORT_PIPELINE, Program, load, loads

__all__ = ["Program", "load", "loads", "IMPORT_PIPELINE"]
