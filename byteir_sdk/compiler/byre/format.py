"""The ByRE format: names, versions and enums shared by the emitter and the runtime's reader.

A ByRE module is genuine MLIR (text ``.byre`` or MLIR bytecode)::

    module attributes {byre.container_module, byre.version = "1.0.0", byre.target = "cpu",
                       byre.executables = {k0 = {format = "llvm-ir", entry = "k0", blob = dense<"0x.."> : tensor<Nxui8>,
                                                 launch = {...}}},
                       byre.weights = {w3 = dense<"0x.."> : tensor<Mxui8>}} {
      func.func @main(%x: memref<8x784xf32> {byre.argname = "x", byre.argtype = 1 : i32}, ...,
                      %w3: memref<784x1024xf32> {byre.argname = "w3", byre.argtype = 4 : i32},
                      %out0: memref<8x10xf32> {byre.argname = "out0", byre.argtype = 2 : i32})
          attributes {byre.entry_point} {
        %arena = memref.alloc() {alignment = 64 : i64, byre.memory_space = "device"} : memref<65536xi8>
        %t = "byre.alias"(%arena) {offset = 0 : i64} : (memref<65536xi8>) -> memref<8x1024xf32>
        "byre.compute"(%x, %w3, %t) {callee = "k0", byre.num_inputs = 2 : i32, byre.num_outputs = 1 : i32} : (...) -> ()
        "byre.copy"(%a, %out0) : (memref<..>, memref<..>) -> ()
        return
      }
    }

Kernels and weights travel inside the module as byte tensors (``dense<"0x...">`` of ``ui8``), so
one file is the whole program; ``byre.digests`` holds a SHA-256 of each so the runtime detects
corruption. (MLIR ``dense_resource`` blobs would be the natural home, but
jaxlib's bindings can write them and cannot read them back.) A ``byre.compute`` whose callee has
no entry in ``byre.executables`` is a library op of the target (e.g. ``MatmulOp_f32f32_f32``).
Compute operands are its inputs, then its outputs, then (when ``byre.scratch`` is set) one
scratch buffer.

Memory spaces: each ``memref.alloc`` is the arena of one space (``byre.memory_space``:
``"device"``, or ``"host"`` for kernels a target runs on the host CPU); entry arguments live in
device memory. A compute's operands all lie in one space; ``byre.copy`` moves values between
spaces (and into outputs).
"""

from __future__ import annotations

import enum

__all__ = ["VERSION", "SUPPORTED_VERSIONS", "MEMORY_SPACES", "ArgType", "ATTR", "OP"]

#: The format version this SDK writes (1.1.0: arenas carry ``byre.memory_space``; there may be
#: one per space, with ``byre.copy`` between them).
VERSION = "1.1.0"
#: Versions this SDK's runtime reads (1.0.0: one arena, in device memory).
SUPPORTED_VERSIONS = frozenset({"1.0.0", "1.1.0"})
#: Memory spaces an arena may live in.
MEMORY_SPACES = ("device", "host")


class ArgType(enum.IntEnum):
    """``byre.argtype`` of an entry argument (ByteIR's numbering)."""

    INPUT = 1
    OUTPUT = 2
    WEIGHT = 4


class ATTR:
    """Attribute names."""

    CONTAINER = "byre.container_module"
    VERSION = "byre.version"
    TARGET = "byre.target"
    EXECUTABLES = "byre.executables"
    WEIGHTS = "byre.weights"
    DIGESTS = "byre.digests"  # name -> sha256 hex of each executable blob and weight
    ENTRY_POINT = "byre.entry_point"
    ARG_NAME = "byre.argname"
    ARG_TYPE = "byre.argtype"
    CALLEE = "callee"
    NUM_INPUTS = "byre.num_inputs"
    NUM_OUTPUTS = "byre.num_outputs"
    SCRATCH = "byre.scratch"
    OFFSET = "offset"
    SPACE = "byre.memory_space"


class OP:
    """Op names."""

    COMPUTE = "byre.compute"
    COPY = "byre.copy"
    ALIAS = "byre.alias"
    ALLOC = "memref.alloc"
