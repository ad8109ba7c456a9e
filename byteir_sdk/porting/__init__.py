"""The vendor porting kit: ``byteir new-target`` scaffolds an installable out-of-tree target
(see docs/porting.md and the worked example in examples/vendor_target/)."""

from byteir_sdk.porting.scaffold import new_target

__all__ = ["new_target"]
