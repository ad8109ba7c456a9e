"""`byteir new-target`: the scaffold imports, registers its entry point, and every contract method
it leaves open says what to implement when the conformance suite reaches it."""

from __future__ import annotations

import importlib
import sys
import tomllib
from pathlib import Path

import pytest

from byteir_sdk.cli import main as byteir_cli
from byteir_sdk.compiler import Target
from byteir_sdk.compiler import backend as backend_registry
from byteir_sdk.conformance.hal import hal_cases
from byteir_sdk.conformance.suite import Manifest, load_manifest, run_case
from byteir_sdk.errors import UnimplementedError, UsageError
from byteir_sdk.porting import new_target


@pytest.fixture
def scaffold(tmp_path: Path, monkeypatch):
    root = tmp_path / "mychip"
    assert byteir_cli.main(["new-target", "my_chip", "--dir", str(root)]) == 0
    monkeypatch.syspath_prepend(str(root))
    registered = backend_registry.targets()  # what `pip install` of the scaffold would add
    monkeypatch.setattr(backend_registry, "targets", lambda name=None: {**registered, "my_chip": importlib.import_module("my_chip_byteir").TARGET})
    yield root
    for name in [m for m in sys.modules if m.startswith("my_chip_byteir")]:
        del sys.modules[name]


def test_the_scaffold_is_an_installable_target_package(scaffold: Path) -> None:
    meta = tomllib.loads((scaffold / "pyproject.toml").read_text())
    assert meta["project"]["name"] == "my-chip-byteir"
    assert meta["project"]["entry-points"]["byteir_sdk.targets"] == {"my_chip": "my_chip_byteir:TARGET"}
    target = importlib.import_module("my_chip_byteir").TARGET
    assert isinstance(target, Target) and target.name == "my_chip"
    assert load_manifest(target.manifest) == Manifest()  # an empty manifest that parses
    with pytest.raises(UnimplementedError, match="MyChipBackend.capabilities") as info:
        target.make_backend().capabilities()
    assert "Capabilities(" in (info.value.hint or "")


def test_the_conformance_suite_names_what_to_implement(scaffold: Path) -> None:
    target = importlib.import_module("my_chip_byteir").TARGET
    results = [run_case(case, target, Manifest()) for case in hal_cases()]
    assert all(r.status in ("error", "fail") for r in results)
    assert all("is not implemented" in r.reason for r in results), [r.reason[:150] for r in results if "is not implemented" not in r.reason]
    assert any("MyChipDevice.allocate" in r.reason and "OutOfMemoryError" in r.reason for r in results)  # the hint travels


def test_bad_names_and_used_directories_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="invalid target name"):
        new_target("My-Chip", tmp_path / "a")
    with pytest.raises(UsageError, match="in-tree"):
        new_target("cpu", tmp_path / "b")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "keep.txt").write_text("x")
    with pytest.raises(UsageError, match="not an empty directory"):
        new_target("mychip", tmp_path / "c")
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["keep.txt"]
