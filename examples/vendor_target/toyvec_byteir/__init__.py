"""ToyVec: a made-up vector accelerator, as an out-of-tree ByteIR SDK target.

Its vector unit runs f32 elementwise kernels as small register programs (the ``toyvec``
executable format); every other kernel runs on the host CPU through the SDK's own CPU target.
"""

from pathlib import Path

from byteir_sdk.compiler import Target
from toyvec_byteir.backend import ToyVecBackend
from toyvec_byteir.driver import ToyVecDriver

TARGET = Target(
    name="toyvec",
    backend=ToyVecBackend,
    driver=ToyVecDriver,
    description="ToyVec vector accelerator (worked example of an out-of-tree target)",
    manifest=str(Path(__file__).with_name("conformance.toml")),
)

__all__ = ["TARGET", "ToyVecBackend", "ToyVecDriver"]
