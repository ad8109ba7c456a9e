"""The command-line programs: `byteir`, `byteir-sim`, `byteir-conformance`."""
