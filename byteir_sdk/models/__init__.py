"""Example models, generated in code with JAX (no downloads), with seeded weights baked in.

``get(name, **options)`` returns a Program; ``build(name, **options)`` the JAX function and
its example arguments. Options are each model's ``build`` keywords (``batch``, ``seed``, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from byteir_sdk.compiler.frontend import Program, load
from byteir_sdk.errors import UsageError
from byteir_sdk.models import cnn, mlp, transformer

__all__ = ["get", "build", "names", "describe"]

_MODELS = {"mlp": mlp, "cnn": cnn, "transformer": transformer}


def names() -> list[str]:
    """Names of the example models."""
    return list(_MODELS)


def describe(name: str) -> str:
    """One-line description of a model."""
    return (_module(name).__doc__ or "").strip().splitlines()[0]


def _module(name: str):
    try:
        return _MODELS[name]
    except KeyError:
        raise UsageError(f"unknown example model {name!r}", hint=f"Choose one of: {', '.join(_MODELS)}.") from None


def build(name: str, **options: Any) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    """The JAX function of model `name` and its example arguments."""
    return _module(name).build(**options)


def get(name: str, **options: Any) -> Program:
    """Model `name` as a Program (exported with jax.export, imported through the front door)."""
    fn, args = build(name, **options)
    program = load(fn, *args)
    program.source = f"<{name}>"
    return program
