"""byteir_sim: the reference ASIC simulator (ISA, functional + timing model, traces; issue #5). Installed from simulator/."""
