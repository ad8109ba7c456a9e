"""The reference ASIC target: Kernel IR -> ISA programs, and a HAL driver over byteir_sim (issue #5)."""
