"""CUDA C -> PTX with NVRTC (``cuda.bindings.nvrtc``), and PTX validation with ``ptxas`` when present.

Needs no GPU and no driver: NVRTC is a library (the ``nvidia-cuda-nvrtc`` wheel). ``ptxas`` comes
with the ``nvidia-cuda-nvcc`` wheel (or a CUDA toolkit on PATH); without it, validation is skipped.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from byteir_sdk.errors import CompileError, UnsupportedError

__all__ = ["compile_ptx", "nvrtc_version", "supported_archs", "find_ptxas", "ptxas_check", "unavailable_reason"]


def _nvrtc():  # noqa: ANN202 - the module, imported on first use (the cuda extra is optional)
    try:
        from cuda.bindings import nvrtc
    except ImportError as exc:
        raise UnsupportedError(
            f"the cuda target needs NVRTC, which is not installed ({exc})",
            hint="pip install 'byteir-sdk[cuda]' (cuda-python and nvidia-cuda-nvrtc 13.0).",
        ) from None
    return nvrtc


def unavailable_reason() -> str | None:
    """Why NVRTC cannot compile here (None when it can)."""
    try:
        nvrtc_version()
    except UnsupportedError as exc:
        return str(exc)
    return None


def _check(result: object, what: str) -> None:
    nvrtc = _nvrtc()
    if result != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        _, text = nvrtc.nvrtcGetErrorString(result)
        raise CompileError(f"NVRTC {what} failed: {text.decode() if isinstance(text, bytes) else text}")


@functools.cache
def nvrtc_version() -> tuple[int, int]:
    """NVRTC's (major, minor) version."""
    nvrtc = _nvrtc()
    try:
        err, major, minor = nvrtc.nvrtcVersion()
    except Exception as exc:  # the library itself could not be loaded
        raise UnsupportedError(f"NVRTC could not be loaded: {exc}", hint="pip install 'nvidia-cuda-nvrtc==13.0.*'.") from None
    _check(err, "nvrtcVersion")
    return int(major), int(minor)


@functools.cache
def supported_archs() -> tuple[int, ...]:
    """Compute capabilities this NVRTC can target (e.g. 75, 80, ..., 120)."""
    nvrtc = _nvrtc()
    err, archs = nvrtc.nvrtcGetSupportedArchs()
    _check(err, "nvrtcGetSupportedArchs")
    return tuple(int(a) for a in archs)


def compile_ptx(source: str, arch: int, name: str = "kernel.cu") -> bytes:
    """PTX (NUL-free text) of CUDA C `source` for compute capability `arch`; CompileError with
    NVRTC's log when the source does not compile."""
    nvrtc = _nvrtc()
    if arch not in supported_archs():
        raise UnsupportedError(f"NVRTC {'.'.join(map(str, nvrtc_version()))} cannot target sm_{arch}",
                               hint=f"Supported: {', '.join(f'sm_{a}' for a in supported_archs())}.")  # fmt: skip
    err, prog = nvrtc.nvrtcCreateProgram(source.encode(), name.encode(), 0, [], [])
    _check(err, "nvrtcCreateProgram")
    try:
        options = [f"--gpu-architecture=compute_{arch}".encode(), b"-std=c++17"]
        (err,) = nvrtc.nvrtcCompileProgram(prog, len(options), options)
        if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
            _, size = nvrtc.nvrtcGetProgramLogSize(prog)
            log = b" " * size
            nvrtc.nvrtcGetProgramLog(prog, log)
            text = log.decode(errors="replace").rstrip("\0 \n")
            raise CompileError(f"NVRTC could not compile {name} for sm_{arch}:\n{text[:4000]}",
                               hint="This is a bug in the cuda code generator: please report it with the kernel (byteir compile --dump-after tensor).")  # fmt: skip
        err, size = nvrtc.nvrtcGetPTXSize(prog)
        _check(err, "nvrtcGetPTXSize")
        ptx = b" " * size
        (err,) = nvrtc.nvrtcGetPTX(prog, ptx)
        _check(err, "nvrtcGetPTX")
    finally:
        nvrtc.nvrtcDestroyProgram(prog)
    return ptx.rstrip(b"\0")


def find_ptxas() -> str | None:
    """The ``ptxas`` to validate PTX with: ``$BYTEIR_PTXAS``, the nvidia-cuda-nvcc wheel's, or PATH's."""
    explicit = os.environ.get("BYTEIR_PTXAS")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    try:
        import nvidia  # the namespace package the CUDA wheels install into

        for root in getattr(nvidia, "__path__", []):
            for candidate in sorted(Path(root).glob("cu*/bin/ptxas")) + [Path(root) / "cuda_nvcc" / "bin" / "ptxas"]:
                if candidate.is_file() and os.access(candidate, os.X_OK):
                    return str(candidate)
    except ImportError:
        pass
    return shutil.which("ptxas")


def ptxas_check(ptx: bytes, arch: int, ptxas: str | None = None) -> str:
    """Assemble `ptx` for sm_`arch` with ptxas (output discarded); returns ptxas's resource report
    (``-v``). CompileError with ptxas's message when it rejects the PTX."""
    tool = ptxas or find_ptxas()
    if tool is None:
        raise UnsupportedError("ptxas is not installed", hint="pip install 'nvidia-cuda-nvcc==13.0.*' or put a CUDA toolkit's ptxas on PATH.")
    with tempfile.TemporaryDirectory(prefix="byteir-ptxas-") as tmp:
        src = Path(tmp) / "kernel.ptx"
        src.write_bytes(ptx)
        done = subprocess.run([tool, f"-arch=sm_{arch}", "-v", "-o", str(Path(tmp) / "kernel.cubin"), str(src)],
                              capture_output=True, text=True, timeout=300)  # fmt: skip
    if done.returncode != 0:
        raise CompileError(f"ptxas rejected the PTX for sm_{arch}:\n{(done.stderr or done.stdout).strip()[:4000]}")
    return done.stderr + done.stdout
