"""``byteir new-target NAME --dir DIR``: an installable target package whose every contract
method raises UnimplementedError saying what to implement, so a vendor can fill it in method by
method while ``byteir-conformance --target NAME`` tells them what is left."""

from __future__ import annotations

import re
from pathlib import Path

from byteir_sdk.errors import UsageError

__all__ = ["new_target"]

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")

_PYPROJECT = '''[build-system]
requires = ["setuptools>=68", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "0.1.0"
description = "The {name} target for the ByteIR SDK."
requires-python = ">=3.11"
dependencies = ["byteir-sdk", "numpy"]

# How the SDK finds the target: `byteir compile --target {name}`, `byteir-conformance --target {name}`.
[project.entry-points."byteir_sdk.targets"]
{name} = "{pkg}:TARGET"

[tool.setuptools]
packages = ["{pkg}"]

[tool.setuptools.package-data]
{pkg} = ["conformance.toml"]
'''

_INIT = '''"""The {name} target for the ByteIR SDK (scaffolded by `byteir new-target`)."""

from pathlib import Path

from byteir_sdk.compiler import Target
from {pkg}.backend import {cls}Backend
from {pkg}.driver import {cls}Driver

TARGET = Target(
    name="{name}",
    backend={cls}Backend,
    driver={cls}Driver,
    description="{name} (scaffolded; see docs/porting.md)",
    manifest=str(Path(__file__).with_name("conformance.toml")),
)

__all__ = ["TARGET", "{cls}Backend", "{cls}Driver"]
'''

_BACKEND = '''"""The {name} backend: capabilities for the shared pipeline, and Kernel IR -> executables.

Start here: run `byteir compile model.mlir --target {name} --dump-after tensor` to see the
kernels `lower` receives. A kernel your device cannot run yet can go to the host: keep a
`byteir_sdk.compiler.get_target("cpu").make_backend()` and return its `lower(kernel)`.
"""

from __future__ import annotations

from byteir_sdk.compiler import Backend, Capabilities, LoweredKernel
from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.errors import UnimplementedError

FORMAT = "{name}"  # the executable format tag your HAL driver accepts


class {cls}Backend(Backend):
    name = "{name}"

    def capabilities(self) -> Capabilities:
        raise UnimplementedError(
            "{name}: {cls}Backend.capabilities() is not implemented",
            hint="Return Capabilities(dtypes=frozenset({{'f32', 'i32', 'i1', ...}}), executable_format=FORMAT, ...): "
            "the element types your kernels take, fusion rules, memory levels for tiling (byteir_sdk/compiler/backend.py).",
        )

    def lower(self, kernel: K.Kernel) -> LoweredKernel:
        raise UnimplementedError(
            f"{name}: {cls}Backend.lower() is not implemented (kernel @{{kernel.name}})",
            hint="Translate the kernel's loops (byteir_sdk/compiler/loop/kernel_ir.py) into your executable format and return "
            "LoweredKernel(FORMAT, blob, kernel.name, launch); or delegate to the CPU backend for kernels you do not run.",
        )
'''

_DRIVER = '''"""The {name} HAL driver: memory, queues, semaphores, executables and dispatch.

The contract is byteir_sdk/hal/contract.py. If your device can address host memory, the pieces in
byteir_sdk.hal.host (HostBuffer, HostMemory, HostQueue, HostBackedDevice) give you buffers,
timeline semaphores and an in-order queue, and you implement only executables and dispatch
(examples/vendor_target does exactly that).
"""

from __future__ import annotations

from collections.abc import Sequence

from byteir_sdk.errors import UnimplementedError
from byteir_sdk.hal import Buffer, BufferUsage, Device, DeviceInfo, Driver, Executable, MemoryType, Queue, Semaphore


def _todo(what: str, hint: str) -> UnimplementedError:
    return UnimplementedError(f"{name}: {{what}} is not implemented", hint=hint)


class {cls}Device(Device):
    def __init__(self, index: int) -> None:
        self.index = index

    @property
    def info(self) -> DeviceInfo:
        raise _todo("{cls}Device.info", "Return DeviceInfo(name, driver, memory_bytes, max_allocation_bytes, alignment, capabilities).")

    def allocate(self, size: int, memory_type: MemoryType = MemoryType.DEVICE_LOCAL, usage: BufferUsage = BufferUsage.DEFAULT) -> Buffer:
        raise _todo("{cls}Device.allocate", "Allocate device memory (size 0 included); raise OutOfMemoryError past the limits.")

    def queue(self, index: int = 0) -> Queue:
        raise _todo("{cls}Device.queue", "Return an in-order Queue: copy/fill/update/read/dispatch with wait/signal fences.")

    def semaphore(self, initial: int = 0) -> Semaphore:
        raise _todo("{cls}Device.semaphore", "Return a timeline Semaphore (signal/wait/fail; byteir_sdk.hal.host.HostSemaphore).")

    def prepare_executable(self, format: str, blob: bytes, entry_points: Sequence[str] = ()) -> Executable:  # noqa: A002
        raise _todo("{cls}Device.prepare_executable", "Load what your backend's lower() emitted; a corrupt blob raises InvalidArgumentError.")

    def set_profiling(self, enabled: bool) -> None:
        raise _todo("{cls}Device.set_profiling", "Record per-dispatch ProfileEvents while enabled (Queue.profile returns them).")

    def memory_in_use(self) -> int:
        raise _todo("{cls}Device.memory_in_use", "Return the bytes currently allocated (the leak check compares it).")

    def close(self) -> None:
        """Drain the queues and free the device; the scaffold holds nothing, so there is nothing to free yet.
        (It does not raise: the suite closes devices after a failure, and the real error must show.)"""


class {cls}Driver(Driver):
    name = "{name}"

    def devices(self) -> list[DeviceInfo]:
        raise _todo("{cls}Driver.devices", "Enumerate the devices present (an empty list when none).")

    def create_device(self, index: int = 0) -> Device:
        return {cls}Device(index)
'''

_MANIFEST = '''# Known gaps of the {name} target, read by byteir-conformance (Target.manifest).
# [unsupported]: permanent, with the reason. [xfail]: a known bug, with the reason (strict mode
# fails when such a case starts passing). Keys are fnmatch patterns over case ids, e.g.
#   "ops/*/f16/*" = "no 16-bit float unit"
[unsupported]

[xfail]
'''

_README = '''# {dist}

The `{name}` target for the ByteIR SDK, scaffolded by `byteir new-target`.

```sh
pip install -e .                                   # registers the target (entry point byteir_sdk.targets)
byteir-conformance --target {name} --tier hal      # what is left to implement, method by method
byteir-conformance --target {name} --require-level Core
```

Fill in `{pkg}/backend.py` and `{pkg}/driver.py`; each method raises UnimplementedError saying
what it must do. docs/porting.md in the SDK walks through a complete example
(examples/vendor_target).
'''


def new_target(name: str, directory: str | Path) -> list[Path]:
    """Write the scaffold of target `name` into `directory` (new or empty); returns the files."""
    if not _NAME.match(name):
        raise UsageError(f"invalid target name {name!r}", hint="Use lower case letters, digits and _ (a Python identifier), e.g. 'mychip'.")
    if name in ("cpu", "ref_asic", "cuda"):
        raise UsageError(f"target name {name!r} is taken by an in-tree target")
    root = Path(directory)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise UsageError(f"{root} exists and is not an empty directory", hint="Choose a new directory; nothing was written.")
    pkg = f"{name}_byteir"
    fields = {"name": name, "pkg": pkg, "dist": f"{name.replace('_', '-')}-byteir", "cls": "".join(p.capitalize() for p in name.split("_"))}
    files = {
        "pyproject.toml": _PYPROJECT, "README.md": _README, f"{pkg}/__init__.py": _INIT, f"{pkg}/backend.py": _BACKEND,
        f"{pkg}/driver.py": _DRIVER, f"{pkg}/conformance.toml": _MANIFEST,
    }  # fmt: skip
    written = []
    for rel, template in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**fields))
        written.append(path)
    return written
