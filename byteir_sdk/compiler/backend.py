"""The Backend contract (vendor plug point 1) and the target registry.

A *target* is a name plus a :class:`Backend` (compiler side) and a HAL driver (runtime side).
Targets are found through the entry-point group ``byteir_sdk.targets``; each entry point names
a :class:`Target` object. In-tree targets register exactly like out-of-tree ones::

    [project.entry-points."byteir_sdk.targets"]
    mychip = "mychip_byteir:TARGET"
"""

from __future__ import annotations

import abc
import logging
import os
import sys
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from byteir_sdk.compiler.loop.kernel_ir import Kernel
from byteir_sdk.errors import UnknownTargetError, UsageError

if TYPE_CHECKING:
    from byteir_sdk.compiler.tensor.bufferize import KernelBuffers

__all__ = ["Backend", "Capabilities", "MemoryLevel", "LoweredKernel", "Target", "targets", "get_target", "ENTRY_POINT_GROUP"]

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "byteir_sdk.targets"

#: the group's entry points, under the state of sys.path they were read in (see `_registered`)
_ENTRY_POINTS: dict[tuple[tuple[str, int], ...], tuple[EntryPoint, ...]] = {}


@dataclass(frozen=True)
class MemoryLevel:
    """One level of the target's memory hierarchy, as tiling sees it."""

    name: str  # e.g. "L1", "L2", "scratchpad"
    size_bytes: int


@dataclass(frozen=True)
class Capabilities:
    """What a backend declares; the shared pipeline plans fusion, tiling and memory with it.

    - ``dtypes``: element types (MLIR names) its kernels accept; others are rejected up front.
    - ``library_ops``: named loops (``matmul``, ``batch_matmul``, ``conv_2d_nhwc_hwcf``, ...) it runs
      as library routines; other loops reach ``lower`` as generated-code kernels all the same.
    - ``host_ops``: StableHLO ops without a loop form (``stablehlo.sort``, ``stablehlo.while``, ...)
      it can run as host kernels; any other such op is an UnsupportedOpError at compile time.
    - fusion rules: which producer/consumer pairs may share a kernel (``fuse_convolution_chain``:
      a convolution joins its producer's contraction group, e.g. the previous convolution's with
      the relu and pooling between them: a CNN's layers, which a backend may then run a block of
      images at a time).
    - ``strided_contractions``: its contractions read and write operands through any strides (a
      BLAS's leading dimensions and batch strides), so the graph stage folds a transpose that
      feeds a ``dot_general`` into the dot's dimension numbers instead of copying it.
    - ``memory``: hierarchy for tiling, innermost first; ``alignment``: buffer alignment in bytes.
    - ``parallelism``: threads the device splits a kernel's first loop dim across (1: it runs a
      kernel as one program). Above 1, the loop stage merges a kernel's leading parallel dims
      while the first has too few rows for them (``merge-leading-dims``), so a kernel may then
      reshape its params and results at its ends (reshape views).
    - ``executable_format``: the format tag of ``lower``'s blobs (the HAL driver's
      ``prepare_executable`` receives it back).
    """

    dtypes: frozenset[str]
    executable_format: str
    library_ops: frozenset[str] = frozenset()
    host_ops: frozenset[str] = frozenset()
    fuse_elementwise: bool = True
    fuse_reduction_prologue: bool = True
    fuse_reduction_epilogue: bool = True
    fuse_contraction_epilogue: bool = False
    fuse_contraction_reduction: bool = False
    fuse_convolution_chain: bool = False
    strided_contractions: bool = False
    memory: tuple[MemoryLevel, ...] = (MemoryLevel("L1", 32 * 1024), MemoryLevel("L2", 512 * 1024))
    alignment: int = 64
    vector_bytes: int = 32
    parallelism: int = 1


@dataclass(frozen=True)
class LoweredKernel:
    """A backend's output for one kernel: an executable blob plus how to launch it."""

    format: str
    blob: bytes
    entry: str
    launch: dict[str, Any] = field(default_factory=dict)  # grid/block, threads, library op name, ...


class Backend(abc.ABC):
    """Compiler side of a target: declares capabilities, lowers Kernel IR to executables.

    ``lower`` receives kernels after the loop and tensor stages (see ``byteir compile
    --dump-after tensor``) and must either return a :class:`LoweredKernel` or raise
    ``UnsupportedOpError`` naming the op, its location and this target.
    """

    name: str = "unnamed"

    @abc.abstractmethod
    def capabilities(self) -> Capabilities:
        """The target's capabilities (constant for the backend's lifetime)."""

    @abc.abstractmethod
    def lower(self, kernel: Kernel) -> LoweredKernel:
        """Lower one kernel to an executable blob and its launch metadata."""

    def bufferize(self, kernel: Kernel, alignment: int) -> KernelBuffers:
        """Assign every value of `kernel` a buffer (the tensor stage; ``alignment`` is the
        capabilities'). The default is the shared assignment; a backend that keeps some values in
        storage of its own (e.g. a block of rows at a time in the frame of the code that runs the
        loops touching them) calls ``bufferize_kernel`` with them as ``local``, so they take no
        arena bytes, and must then run each op span it gives as one unit."""
        from byteir_sdk.compiler.tensor.bufferize import bufferize_kernel  # the tensor stage imports this module

        return bufferize_kernel(kernel, alignment)

    def check_executable(self, lowered: LoweredKernel) -> None:
        """Validate one of this backend's executables without a device (e.g. assemble PTX with
        ptxas); raise a ByteIRError saying what is wrong. The default accepts everything.
        ``byteir-conformance --compile-only`` calls it for every kernel."""

    def memory_space(self, kernel: Kernel) -> str:
        """Where `kernel`'s buffers must live: ``"device"`` (the default) or ``"host"`` for a kernel
        the target runs on the host CPU; the pipeline inserts ``byre.copy`` between the spaces and
        plans one arena per space. Called after bufferization, before ``lower``."""
        return "device"


@dataclass(frozen=True)
class Target:
    """A registered target: name, backend factory and HAL driver factory."""

    name: str
    backend: Any  # a Backend subclass or zero-argument factory
    driver: Any = None  # a HAL Driver subclass or factory (None: compile-only target)
    description: str = ""
    manifest: Any = None  # conformance manifest: {"unsupported"|"xfail": {case-id pattern: reason}} or a TOML path

    def make_backend(self, **options: Any) -> Backend:
        """A new backend; `options` are its factory's keyword arguments (UsageError when it takes none such)."""
        try:
            backend = self.backend(**options)
        except TypeError as exc:
            if not options:
                raise
            raise UsageError(f"target {self.name} does not take the option(s) {', '.join(sorted(options))}: {exc}") from None
        if not isinstance(backend, Backend):
            raise TypeError(f"target {self.name}: backend factory returned {type(backend).__name__}, not a Backend")
        return backend


def targets(name: str | None = None) -> dict[str, Target]:
    """Every target registered under the ``byteir_sdk.targets`` entry-point group (only those
    registered as `name`, when given: the other targets' packages are not imported)."""
    found: dict[str, Target] = {}
    for ep in _registered():
        if name is not None and ep.name != name:
            continue
        try:
            target = ep.load()
        except Exception as exc:  # a broken vendor package must not break the others
            log.warning("target %s (%s) failed to load: %s", ep.name, ep.value, exc)
            continue
        if isinstance(target, Target):
            found[ep.name] = target
        else:
            log.warning("entry point %s = %s is not a byteir_sdk Target", ep.name, ep.value)
    return found


def _registered() -> tuple[EntryPoint, ...]:
    """The entry points of ``byteir_sdk.targets``, read again only when sys.path or the mtime of a
    directory on it changes (a package installed or removed there). Reading them scans every
    installed package's metadata: 2.7 ms here, paid by every compile and every Session."""

    def mtime(path: str) -> int:
        try:
            return os.stat(path or ".").st_mtime_ns
        except OSError:
            return -1

    key = tuple((p, mtime(p)) for p in sys.path)
    if key not in _ENTRY_POINTS:
        _ENTRY_POINTS.clear()
        _ENTRY_POINTS[key] = tuple(entry_points(group=ENTRY_POINT_GROUP))
    return _ENTRY_POINTS[key]


def get_target(name: str) -> Target:
    """The registered target `name`; UnknownTargetError lists the registered ones."""
    found = targets(name)
    if name not in found:
        raise UnknownTargetError(
            f"unknown target {name!r}",
            hint=f"Registered targets: {', '.join(sorted(targets())) or 'none'} (entry-point group {ENTRY_POINT_GROUP}).",
        )
    return found[name]
