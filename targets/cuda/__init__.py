"""The NVIDIA GPU target: Kernel IR -> CUDA C -> PTX via NVRTC, and a cuda-python HAL driver.

Registered like any vendor target, through the ``byteir_sdk.targets`` entry point ``cuda``.
Compiling needs only NVRTC (``pip install 'byteir-sdk[cuda]'``); running needs an NVIDIA GPU.
"""

from byteir_sdk.compiler import Target
from byteir_targets.cuda.backend import CudaBackend
from byteir_targets.cuda.driver import CudaDriver

TARGET = Target(name="cuda", backend=CudaBackend, driver=CudaDriver, description="NVIDIA GPUs: CUDA C -> PTX via NVRTC, cuda-python driver")

__all__ = ["TARGET", "CudaBackend", "CudaDriver"]
