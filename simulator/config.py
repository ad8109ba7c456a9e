"""The reference ASIC's parameters, from one TOML or JSON file (every field optional)."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from byteir_sdk.errors import SourceFileError, UsageError

__all__ = ["MachineConfig", "load_config"]


@dataclass(frozen=True)
class MachineConfig:
    """Defaults describe the documented machine (docs/ref_asic.md)."""

    array_size: int = 16  # N: the N x N weight-stationary systolic array
    vector_lanes: int = 16
    vector_pipeline_depth: int = 4
    sram_bytes: int = 512 * 1024
    sram_banks: int = 8
    acc_bytes: int = 128 * 1024
    dram_bytes: int = 256 * 1024 * 1024
    dram_bandwidth: int = 64  # bytes per cycle
    dram_latency: int = 100  # cycles
    dma_setup: int = 16  # cycles per descriptor
    clock_hz: float = 1.0e9

    @property
    def bank_bytes(self) -> int:
        return self.sram_bytes // self.sram_banks

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def load_config(path: str | os.PathLike[str] | None = None) -> MachineConfig:
    """A MachineConfig from TOML (``.toml``) or JSON; None gives the defaults."""
    if path is None:
        return MachineConfig()
    p = Path(path)
    if not p.is_file():
        raise SourceFileError(f"{p}: no such machine config")
    try:
        data = tomllib.loads(p.read_text()) if p.suffix == ".toml" else json.loads(p.read_text())
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{p}: not valid {'TOML' if p.suffix == '.toml' else 'JSON'}: {exc}") from None
    known = {f.name: f.type for f in fields(MachineConfig)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise UsageError(f"{p}: unknown machine parameter(s) {', '.join(unknown)}", hint=f"Known: {', '.join(known)}.")
    config = MachineConfig(**data)
    if config.array_size < 1 or config.vector_lanes < 1 or config.dram_bandwidth < 1:
        raise UsageError(f"{p}: array_size, vector_lanes and dram_bandwidth must be positive")
    return config
