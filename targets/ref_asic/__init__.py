"""The reference ASIC target: matmuls lowered to ISA programs for the systolic array, the rest
falling back to the host CPU in the same ByRE; a HAL driver over the simulator (byteir_sim).

Registered like any vendor target, through the ``byteir_sdk.targets`` entry point ``ref_asic``.
"""

from byteir_sdk.compiler import Target
from byteir_targets.ref_asic.backend import RefAsicBackend
from byteir_targets.ref_asic.driver import RefAsicDevice, RefAsicDriver

TARGET = Target(name="ref_asic", backend=RefAsicBackend, driver=RefAsicDriver, description="reference ASIC on the simulator")

__all__ = ["TARGET", "RefAsicBackend", "RefAsicDriver", "RefAsicDevice"]
