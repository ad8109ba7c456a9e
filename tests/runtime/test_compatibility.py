"""ByRE files written by earlier releases keep loading and running (tests/fixtures/byre/).

Each fixture is ``v<version>_<name>.byre`` with ``.npz`` inputs (argK) and expected outputs (outK),
exact for these integer programs. Add one per format version when the version changes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from byteir_sdk.runtime import Session, read_byre

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures" / "byre").glob("v*.byre"))


def test_there_is_a_fixture_per_supported_version() -> None:
    from byteir_sdk.compiler.byre.format import SUPPORTED_VERSIONS

    assert {p.name.split("_")[0][1:] for p in FIXTURES} >= SUPPORTED_VERSIONS


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_loads_and_runs(path: Path) -> None:
    assert read_byre(path).version == path.name.split("_")[0][1:]
    data = np.load(path.with_suffix(".npz"))
    n_in = sum(1 for k in data.files if k.startswith("arg"))
    with Session(path) as session:
        got = session.run([data[f"arg{i}"] for i in range(n_in)])
    for i, g in enumerate(got):
        np.testing.assert_array_equal(g, data[f"out{i}"])
