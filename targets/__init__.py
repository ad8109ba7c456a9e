"""byteir_targets: the in-tree device targets (cpu, cuda, ref_asic), each registered like a vendor target. Installed from targets/."""
