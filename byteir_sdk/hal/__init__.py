"""Hardware-abstraction layer: the device contract every target's driver implements."""

from byteir_sdk.hal.contract import (
    Buffer,
    BufferUsage,
    BufferView,
    Command,
    CommandBuffer,
    Device,
    DeviceInfo,
    Driver,
    Executable,
    ExecutableBlob,
    Fence,
    MemoryType,
    ProfileEvent,
    Queue,
    Semaphore,
)

__all__ = [
    "Buffer", "BufferUsage", "BufferView", "Command", "CommandBuffer", "Device", "DeviceInfo", "Driver", "Executable", "ExecutableBlob", "Fence",
    "MemoryType", "ProfileEvent", "Queue", "Semaphore",
]  # fmt: skip
