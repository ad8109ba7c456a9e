"""The target registry (entry-point group ``byteir_sdk.targets``): read once, read again when a
package is installed or removed."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import pytest

from byteir_sdk.compiler.backend import Target, get_target, targets


def _install(site: Path, name: str) -> None:
    """What `pip install` of a target package leaves in `site`: its module and its dist-info."""
    (site / f"{name}_byteir.py").write_text(f"from byteir_sdk.compiler.backend import Target\nTARGET = Target({name!r}, object)\n")
    info = site / f"{name}_byteir-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}-byteir\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[byteir_sdk.targets]\n{name} = {name}_byteir:TARGET\n")
    later = site.stat().st_mtime_ns + 1_000_000_000  # as a later install would leave it
    os.utime(site, ns=(later, later))
    importlib.invalidate_caches()


@pytest.fixture
def site(tmp_path: Path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("fakechip_byteir", None)


def test_lookups_are_cached(site: Path) -> None:
    assert get_target("cpu") is get_target("cpu")
    assert "cpu" in targets() and "fakechip" not in targets()


def test_a_package_installed_later_is_found(site: Path) -> None:
    assert "fakechip" not in targets()
    _install(site, "fakechip")
    found = targets()["fakechip"]
    assert isinstance(found, Target) and found.name == "fakechip"
    assert get_target("fakechip") is found
