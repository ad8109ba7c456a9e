"""Element types: MLIR <-> NumPy / ml_dtypes, and tensors <-> MLIR dense attributes.

The SDK names element types by their MLIR short names (``f32``, ``bf16``, ``ui8``, ``i1``,
``complex<f32>``, ``f8E4M3FN``). Every type that NumPy or ml_dtypes can represent is supported
both ways; anything else raises :class:`UnsupportedTypeError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import ml_dtypes
import numpy as np

from byteir_sdk._mlir import ir
from byteir_sdk.errors import UnsupportedTypeError

__all__ = [
    "ElementType",
    "element_type",
    "element_type_of_dtype",
    "numpy_dtype",
    "array_to_attr",
    "TensorSpec",
    "tensor_spec",
]


@dataclass(frozen=True)
class ElementType:
    """One element type: its MLIR name, NumPy dtype and storage class."""

    name: str  # MLIR short name, e.g. "bf16"
    dtype: np.dtype
    kind: str  # "bool", "int", "uint", "float", "complex"
    bits: int

    @property
    def storage_dtype(self) -> np.dtype:
        """An unsigned integer dtype of the same byte width (bool stays bool): the bits as data."""
        if self.kind == "bool":
            return np.dtype(np.bool_)
        return np.dtype(f"u{self.dtype.itemsize}") if self.kind != "complex" else self.dtype


def _entries() -> list[ElementType]:
    out = [ElementType("i1", np.dtype(np.bool_), "bool", 1)]
    for bits in (8, 16, 32, 64):
        out.append(ElementType(f"i{bits}", np.dtype(f"i{bits // 8}"), "int", bits))
        out.append(ElementType(f"ui{bits}", np.dtype(f"u{bits // 8}"), "uint", bits))
    out.append(ElementType("i4", np.dtype(ml_dtypes.int4), "int", 4))
    out.append(ElementType("ui4", np.dtype(ml_dtypes.uint4), "uint", 4))
    out.append(ElementType("i2", np.dtype(ml_dtypes.int2), "int", 2))
    out.append(ElementType("ui2", np.dtype(ml_dtypes.uint2), "uint", 2))
    out += [
        ElementType("f16", np.dtype(np.float16), "float", 16),
        ElementType("bf16", np.dtype(ml_dtypes.bfloat16), "float", 16),
        ElementType("f32", np.dtype(np.float32), "float", 32),
        ElementType("f64", np.dtype(np.float64), "float", 64),
        ElementType("complex<f32>", np.dtype(np.complex64), "complex", 64),
        ElementType("complex<f64>", np.dtype(np.complex128), "complex", 128),
    ]
    for mlir_name, ml_name in [
        ("f8E4M3FN", "float8_e4m3fn"),
        ("f8E5M2", "float8_e5m2"),
        ("f8E4M3FNUZ", "float8_e4m3fnuz"),
        ("f8E5M2FNUZ", "float8_e5m2fnuz"),
        ("f8E4M3B11FNUZ", "float8_e4m3b11fnuz"),
        ("f8E4M3", "float8_e4m3"),
        ("f8E3M4", "float8_e3m4"),
        ("f8E8M0FNU", "float8_e8m0fnu"),
    ]:
        if hasattr(ml_dtypes, ml_name):
            out.append(ElementType(mlir_name, np.dtype(getattr(ml_dtypes, ml_name)), "float", 8))
    return out


_BY_NAME: dict[str, ElementType] = {e.name: e for e in _entries()}
_BY_DTYPE: dict[np.dtype, ElementType] = {e.dtype: e for e in _BY_NAME.values()}


def element_type(t: ir.Type | str) -> ElementType:
    """The ElementType of an MLIR element type (or its short name)."""
    name = str(t)
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnsupportedTypeError(
            f"element type {name} has no NumPy/ml_dtypes equivalent",
            hint=f"Supported: {', '.join(sorted(_BY_NAME))}.",
        ) from None


def element_type_of_dtype(dtype: np.dtype | type) -> ElementType:
    """The ElementType of a NumPy / ml_dtypes dtype."""
    dt = np.dtype(dtype)
    try:
        return _BY_DTYPE[dt]
    except KeyError:
        raise UnsupportedTypeError(f"NumPy dtype {dt} has no MLIR element type in the SDK") from None


def numpy_dtype(t: ir.Type | str) -> np.dtype:
    """NumPy dtype of an MLIR element type."""
    return element_type(t).dtype


def mlir_element_type(et: ElementType) -> ir.Type:
    """The MLIR type for `et` in the current context."""
    return ir.Type.parse(et.name)


@dataclass(frozen=True)
class TensorSpec:
    """Name, static shape and element type of one entry argument or result."""

    name: str
    shape: tuple[int, ...]
    element: ElementType

    @property
    def dtype(self) -> np.dtype:
        return self.element.dtype

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        return self.size * self.element.dtype.itemsize

    @property
    def mlir_type(self) -> str:
        dims = "".join(f"{d}x" for d in self.shape)
        return f"tensor<{dims}{self.element.name}>"

    def __str__(self) -> str:
        return f"{self.name}: {self.mlir_type}"


def tensor_spec(name: str, t: ir.Type) -> TensorSpec:
    """TensorSpec of a ranked, static-shaped MLIR tensor type."""
    try:
        rt = ir.RankedTensorType(t)
    except ValueError:
        raise UnsupportedTypeError(f"{name}: type {t} is not a ranked tensor", hint="Only ranked tensors are supported.") from None
    if not rt.has_static_shape:
        raise UnsupportedTypeError(
            f"{name}: dynamic shape {t} is not supported yet",
            hint="Export the model with static shapes (or run stablehlo-refine-shapes with concrete inputs).",
        )
    return TensorSpec(name, tuple(rt.shape), element_type(rt.element_type))


def array_to_attr(value: np.ndarray, spec: TensorSpec) -> ir.DenseElementsAttr:
    """A dense attribute holding `value` (already checked against `spec`) in the current context."""
    et = spec.element
    arr = np.ascontiguousarray(value)
    elem = mlir_element_type(et)
    if et.bits < 8 and et.kind in ("int", "uint"):
        # Sub-byte integers: the attribute builder wants one value per element; go through i8/u8.
        wide = arr.astype(np.int8 if et.kind == "int" else np.uint8)
        return ir.DenseElementsAttr.get(wide, type=elem, shape=list(spec.shape))
    if et.kind == "float" and et.dtype.kind == "V":  # ml_dtypes floats: pass the bits
        arr = arr.view(et.storage_dtype)
    return ir.DenseElementsAttr.get(arr, type=elem, shape=list(spec.shape))
