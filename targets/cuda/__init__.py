"""The NVIDIA GPU target: Kernel IR -> CUDA C -> PTX via NVRTC, and a cuda-python HAL driver (issue #9)."""
