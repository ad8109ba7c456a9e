"""The cuda target without a GPU, and with one where it exists.

- Code generation: every kernel of the project's cases and example models (and, with ../shared,
  the public corpus) compiles to PTX through NVRTC and is accepted by ``ptxas`` for sm_90 (and the
  tensor-core path for sm_80).
- Semantics: the same CUDA C runs on the CPU (tests/targets/cuda_emulation.py, g++ and a small
  shim) and is checked against each case's own expectations (exact for integers, 3 ULP / 1e-3 as
  the case says) and the models against XLA (f32: atol 1e-5 + rtol 1e-4).
- The HAL driver: unavailable without a GPU, with a clear reason; CUDA errors map onto the HAL's
  error types. With a GPU (skipped otherwise): cases and models on the device, graph replay.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import byteir_sdk
from byteir_sdk import models, reference
from byteir_sdk.cli import main as byteir_cli
from byteir_sdk.conformance.corpus import corpus_files, load_case
from byteir_sdk.errors import DeviceLostError, KernelFaultError, OutOfMemoryError, UsageError
from byteir_sdk.runtime import Session, read_byre
from tests.conftest import CASES_DIR, SHARED_CORPUS

nvrtc = pytest.importorskip("cuda.bindings.nvrtc", reason="the cuda extra is not installed (pip install '.[cuda]')")

from byteir_targets.cuda.driver import CudaDriver, error_for, unavailable_reason  # noqa: E402
from byteir_targets.cuda.nvrtc import find_ptxas, ptxas_check  # noqa: E402
from tests.targets.cuda_emulation import EmulatedCudaDevice, recording_sources  # noqa: E402

PTXAS = find_ptxas()
GPU = unavailable_reason()
CASES = corpus_files(CASES_DIR)
PUBLIC = corpus_files(SHARED_CORPUS) if (SHARED_CORPUS / "INDEX.tsv").is_file() else []
needs_gpu = pytest.mark.skipif(GPU is not None, reason=f"no CUDA device: {GPU}")


def _ptx_kernels(byre: object) -> dict[str, object]:
    prog = read_byre(byre if isinstance(byre, Path) else byre.text().encode())  # type: ignore[attr-defined]
    return {name: exe for name, exe in prog.executables.items() if exe.format == "ptx"}


def _check_ptx(program: object, arch: str = "sm_90") -> dict[str, object]:
    kernels = _ptx_kernels(byteir_sdk.compile(program, "cuda", target_options={"arch": arch}))
    for name, exe in kernels.items():
        assert f".target {arch}".encode() in exe.blob, name
        if PTXAS:
            ptxas_check(exe.blob, int(arch[3:]))
    return kernels


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_own_cases_compile_to_ptx_that_ptxas_accepts(path: Path) -> None:
    _check_ptx(load_case(path).program)


@pytest.mark.parametrize("name", models.names())
def test_models_compile_to_ptx(name: str) -> None:
    kernels = _check_ptx(models.get(name))
    assert kernels, "every model kernel has a CUDA form"


@pytest.mark.corpus
@pytest.mark.parametrize("path", PUBLIC or [pytest.param(None, marks=pytest.mark.skip(reason=f"no public corpus at {SHARED_CORPUS}"))],
                         ids=lambda p: p.stem if p else "absent")  # fmt: skip
def test_public_corpus_compiles_to_ptx(path: Path) -> None:
    _check_ptx(load_case(path).program)


@pytest.mark.parametrize("case", ["matmul_f16_f32acc", "matmul_bf16_f32acc"])
def test_half_matmuls_use_tensor_cores_from_sm80(case: str) -> None:
    program = load_case(CASES_DIR / f"{case}.mlir").program
    for arch, kind in (("sm_80", "mma"), ("sm_90", "mma"), ("sm_75", "gemm")):
        kernels = _check_ptx(program, arch)
        kinds = {step["kind"] for exe in kernels.values() for step in exe.launch["schedule"]}
        assert kind in kinds, (arch, kinds)
        assert (b"mma.sync.aligned.m16n8k16" in b"".join(e.blob for e in kernels.values())) == (kind == "mma")


def test_kernel_shapes_in_generated_cuda_c(filecheck) -> None:
    """Elementwise: grid-stride loop; row reduction: a block per row with a shared-memory tree;
    matmul: shared-memory tiles."""
    from byteir_targets.cuda.codegen import generate

    source = """
    func.func @main(%x: tensor<4x512xf32>) -> tensor<4xf32> {
      %e = stablehlo.exponential %x : tensor<4x512xf32>
      %z = stablehlo.constant dense<0.0> : tensor<f32>
      %r = stablehlo.reduce(%e init: %z) applies stablehlo.add across dimensions = [1] : (tensor<4x512xf32>, tensor<f32>) -> tensor<4xf32>
      return %r : tensor<4xf32>
    }"""
    def cuda_c(program: object) -> str:
        comp = byteir_sdk.compiler.pipeline.run_stages(program, byteir_sdk.compiler.pipeline.CompileOptions.make("cuda"))
        return "\n".join(generate(k, 90)[0] for k in comp.kernel_program.kernels.values())  # type: ignore[union-attr]

    filecheck(cuda_c(byteir_sdk.loads(source)), """
CHECK: extern "C" __global__ void __launch_bounds__(256) {{k[0-9]+_[a-z_]+_s[0-9]+}}(char* b0, char* b1, char* b2) {
CHECK-NEXT: __shared__ float red_v[256];
CHECK: for (long long p = blockIdx.x; p < 4ll; p += gridDim.x) {
CHECK: for (long long r = tid; r < 512ll; r += 256) {
CHECK: expf(
CHECK: for (int s = 128; s > 0; s >>= 1) {
CHECK: __syncthreads();
""")
    source = "func.func @main(%x: tensor<1000xf32>) -> tensor<1000xf32> { %t = stablehlo.tanh %x : tensor<1000xf32> return %t : tensor<1000xf32> }"
    filecheck(cuda_c(byteir_sdk.loads(source)), """
CHECK: for (long long p = blockIdx.x * (long long)blockDim.x + threadIdx.x; p < 1000ll; p += (long long)gridDim.x * blockDim.x) {
CHECK: tanhf(
""")
    filecheck(cuda_c(load_case(CASES_DIR / "matmul_f32.mlir").program), """
CHECK: __shared__ float As[16][65];
CHECK: __shared__ float Bs[16][65];
CHECK: for (long long k0 = 0; k0 < K; k0 += 16) {
CHECK: acc[i][j] += a[i] * b[j];
""")


def test_cuda_arch_option(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # one table row per kernel
    src = tmp_path / "mlp.mlir"
    assert byteir_cli.main(["export-model", "mlp", "-o", str(src)]) == 0
    out = tmp_path / "mlp.byre"
    assert byteir_cli.main(["compile", str(src), "--target", "cuda", "--cuda-arch", "sm_80", "-o", str(out)]) == 0
    kernels = _ptx_kernels(out)
    assert kernels and all(b".target sm_80" in e.blob for e in kernels.values())
    assert byteir_cli.main(["inspect", str(out)]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"ptx .* sm_80: k\d+_\w+_s0<<<\(\d+,1,1\), \(\d+,1,1\), \d+B>>>", listing), listing
    assert byteir_cli.main(["compile", str(src), "--target", "cpu", "--cuda-arch", "sm_80", "-o", str(out)]) == 2
    with pytest.raises(UsageError, match="not a CUDA architecture"):
        byteir_sdk.compile(models.get("mlp"), "cuda", target_options={"arch": "hopper"})


def test_host_fallback_for_ops_without_a_cuda_form() -> None:
    """sort has no loop form: it runs on the host over host memory, with byre.copy around it."""
    byre = byteir_sdk.compile(load_case(CASES_DIR / "sort_f32.mlir").program, "cuda")
    prog = read_byre(byre.text().encode())
    formats = {exe.format for exe in prog.executables.values()}
    assert "stablehlo-host" in formats
    assert set(prog.arenas) >= {"host"}


# ---------------------------------------------------------------------------- semantics on the CPU


@pytest.fixture(scope="module")
def emulated():
    device = EmulatedCudaDevice()
    yield device
    device.close()


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_own_cases_run_as_cuda_c(path: Path, emulated) -> None:
    case = load_case(path)
    with recording_sources():
        byre = byteir_sdk.compile(case.program, "cuda", target_options={"arch": "sm_75"})
    with Session(byre, device=emulated) as session:
        results = case.check(session.run(case.inputs))
    assert all(r.ok for r in results), [str(r) for r in results]


@pytest.mark.parametrize("name", models.names())
def test_models_run_as_cuda_c(name: str, emulated) -> None:
    program = models.get(name)
    with recording_sources():
        byre = byteir_sdk.compile(program, "cuda", target_options={"arch": "sm_75"})
    x = reference.random_inputs(program, seed=3)
    with Session(byre, device=emulated) as session:
        got = session.run(x)
    for g, w in zip(got, reference.run(program, x, engine="xla")):
        result = reference.compare(g, w, reference.default_tolerance(w.dtype))
        assert result.ok, str(result)


# ---------------------------------------------------------------------------- the driver


def test_driver_reports_itself_unavailable_without_a_gpu() -> None:
    if GPU is None:
        pytest.skip("a CUDA device is present")
    assert CudaDriver().devices() == []
    with pytest.raises(DeviceLostError, match="cuda"):
        CudaDriver().create_device()
    program = models.get("mlp")
    with pytest.raises(DeviceLostError):
        Session(byteir_sdk.compile(program, "cuda"))


def test_cuda_errors_map_onto_the_hal_errors() -> None:
    from cuda.bindings import driver

    assert isinstance(error_for(driver.CUresult.CUDA_ERROR_OUT_OF_MEMORY.name, "cuMemAlloc(1 TiB)"), OutOfMemoryError)
    assert isinstance(error_for("CUDA_ERROR_ILLEGAL_ADDRESS", "kernel"), KernelFaultError)
    assert isinstance(error_for("CUDA_ERROR_NO_DEVICE", "cuInit"), DeviceLostError)
    err = error_for("CUDA_ERROR_NO_BINARY_FOR_GPU", "cuModuleLoadData")
    assert "--cuda-arch" in str(err) and "cuModuleLoadData" in str(err)
    assert all(hasattr(driver.CUresult, name) for name in __import__("byteir_targets.cuda.driver", fromlist=["_ERRORS"])._ERRORS)


@needs_gpu
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_own_cases_on_the_gpu(path: Path) -> None:
    case = load_case(path)
    with Session(byteir_sdk.compile(case.program, "cuda")) as session:
        results = case.check(session.run(case.inputs))
    assert all(r.ok for r in results), [str(r) for r in results]


@needs_gpu
def test_graph_replay_and_oom_on_the_gpu() -> None:
    program = models.get("transformer")
    x = reference.random_inputs(program, seed=1)
    with Session(byteir_sdk.compile(program, "cuda")) as session:
        first, second = session.run(x), session.run(x)  # captured, then replayed
        device = session.device
        with pytest.raises(OutOfMemoryError):
            device.allocate(device.info.memory_bytes * 2)
    for a, b, w in zip(first, second, reference.run(program, x, engine="xla")):
        assert np.array_equal(a, b)
        assert reference.compare(a, w, reference.default_tolerance(w.dtype)).ok
