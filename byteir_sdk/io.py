"""Binding inputs to an entry signature, seeded random inputs, and the npz file convention.

npz convention (every command of the project): input keys ``arg0..argN-1`` in entry order
(argument names are accepted too); outputs are written as ``out0..outM-1``.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from byteir_sdk.dtypes import TensorSpec
from byteir_sdk.errors import InputMismatchError, SourceFileError

__all__ = ["bind_inputs", "random_inputs", "load_inputs_npz", "save_outputs_npz", "Inputs"]

Inputs = Sequence[np.ndarray] | Mapping[str, np.ndarray]


def bind_inputs(specs: Sequence[TensorSpec], inputs: Inputs, *, what: str = "program") -> list[np.ndarray]:
    """Order `inputs` (a list, or a dict by argument name or ``argK``) by `specs` and check them.

    Raises InputMismatchError naming the argument on a wrong count, name, shape or dtype.
    Python scalars and lists are accepted where they convert to the exact dtype losslessly.
    """
    sequence = isinstance(inputs, (list, tuple))  # (checked first: a Mapping check goes through the ABC)
    ordered: Sequence[object]
    if not sequence and isinstance(inputs, Mapping):
        picked: list[object] = []
        known = {s.name for s in specs} | {f"arg{i}" for i in range(len(specs))}
        unknown = sorted(set(inputs) - known)
        if unknown:
            raise InputMismatchError(
                f"{what}: unknown input name(s) {', '.join(unknown)}",
                hint=f"Expected: {', '.join(f'arg{i} ({s.name})' for i, s in enumerate(specs))}.",
            )
        for i, spec in enumerate(specs):
            if spec.name in inputs:
                picked.append(inputs[spec.name])
            elif f"arg{i}" in inputs:
                picked.append(inputs[f"arg{i}"])
            else:
                raise InputMismatchError(f"{what}: missing input arg{i} ({spec})")
        ordered = picked
    else:
        ordered = inputs if sequence else list(inputs)  # type: ignore[arg-type]
        if len(ordered) != len(specs):
            raise InputMismatchError(
                f"{what}: expected {len(specs)} input(s), got {len(ordered)}",
                hint=f"Signature: ({', '.join(str(s) for s in specs)}).",
            )
    return [_check_one(i, spec, value, what) for i, (spec, value) in enumerate(zip(specs, ordered))]


def _check_one(index: int, spec: TensorSpec, value: object, what: str) -> np.ndarray:
    if type(value) is np.ndarray and value.dtype == spec.dtype and value.shape == spec.shape:
        return value  # (the common case, checked first: a run's inputs are checked every run)
    label = f"{what}: input arg{index} ({spec.name})"
    if not isinstance(value, np.ndarray):
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):
            raise InputMismatchError(f"{label}: cannot convert {type(value).__name__} to {spec.mlir_type}") from None
        if not hasattr(value, "dtype") and arr.dtype != spec.dtype:
            # Python scalars and lists take the argument's dtype when that loses nothing.
            with np.errstate(all="ignore"):
                converted = arr.astype(spec.dtype)
            if np.array_equal(converted.astype(arr.dtype), arr):
                arr = converted
        value = arr
    if value.dtype != spec.dtype:
        raise InputMismatchError(
            f"{label}: dtype {value.dtype} does not match {spec.element.name} ({spec.dtype})",
            hint="Convert the array with .astype() first.",
        )
    if tuple(value.shape) != spec.shape:
        raise InputMismatchError(f"{label}: shape {tuple(value.shape)} does not match {spec.shape}")
    return value


def random_inputs(specs: Sequence[TensorSpec], seed: int = 0) -> list[np.ndarray]:
    """Deterministic, dtype-appropriate inputs: same seed and signature -> same arrays.

    Floats ~ N(0, 1); complex has N(0, 1) parts; signed ints in [-8, 8]; unsigned in [0, 16];
    bools fair coin flips. Each argument draws from its own stream, so adding an argument
    does not change the others.
    """
    out = []
    for i, spec in enumerate(specs):
        rng = np.random.default_rng([seed, i])
        et = spec.element
        if et.kind == "bool":
            arr = rng.random(spec.shape) < 0.5
        elif et.kind == "float":
            arr = rng.standard_normal(spec.shape)
        elif et.kind == "complex":
            arr = rng.standard_normal(spec.shape) + 1j * rng.standard_normal(spec.shape)
        else:
            info_min, info_max = _int_range(et.kind, et.bits)
            arr = rng.integers(max(info_min, -8), min(info_max, 16 if et.kind == "uint" else 8) + 1, spec.shape)
        out.append(np.asarray(arr).astype(spec.dtype))
    return out


def _int_range(kind: str, bits: int) -> tuple[int, int]:
    if kind == "uint":
        return 0, 2**bits - 1
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def load_inputs_npz(path: str | os.PathLike[str], specs: Sequence[TensorSpec]) -> list[np.ndarray]:
    """Inputs from an npz file (keys ``argK`` or argument names), checked against `specs`."""
    p = Path(path)
    if not p.is_file():
        raise SourceFileError(f"{p}: no such inputs file")
    try:
        with np.load(p, allow_pickle=False) as npz:
            data = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise SourceFileError(f"{p}: not a readable .npz file ({exc})") from None
    return bind_inputs(specs, data, what=str(p))


def save_outputs_npz(path: str | os.PathLike[str], outputs: Sequence[np.ndarray]) -> Path:
    """Write outputs as ``out0..outM-1`` to an npz file."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    np.savez(p, **{f"out{i}": np.asarray(o) for i, o in enumerate(outputs)})
    return p
