"""The host CPU target: Kernel IR -> LLVM via llvmlite, and a host-memory HAL driver (issue #4)."""
