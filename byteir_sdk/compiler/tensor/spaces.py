"""Memory spaces: which memory each program value lives in, and the copies between them.

A target runs most kernels on its device, whose buffers live in ``device`` memory; a kernel it
runs on the host CPU instead (``Backend.memory_space(kernel) == "host"``) needs its operands in
``host`` memory. Entry inputs, weights and outputs always live in device memory.
``place_memory_spaces`` gives every call's results its kernel's space and inserts a
``Copy`` call wherever a value is used in another space than the one it was made in (one copy
per value and space: values are immutable, so a copy is reused by every later use). The memory
plan then packs each space into its own arena, and ByRE carries the copies as ``byre.copy``.
"""

from __future__ import annotations

from collections.abc import Mapping

from byteir_sdk.compiler.byre.format import MEMORY_SPACES
from byteir_sdk.compiler.loop.program import Call, Copy, KernelProgram

__all__ = ["place_memory_spaces", "DEVICE", "HOST", "SPACES"]

SPACES = MEMORY_SPACES
DEVICE, HOST = SPACES


def place_memory_spaces(program: KernelProgram, kernel_spaces: Mapping[str, str]) -> int:
    """Place each call in its kernel's space (default device), inserting copies; returns how many."""
    bad = {s for s in kernel_spaces.values() if s not in SPACES}
    if bad:
        raise ValueError(f"unknown memory space(s) {', '.join(sorted(bad))} (known: {', '.join(SPACES)})")
    where: dict[str, str] = {v: DEVICE for v in (*program.inputs, *program.weights)}
    copies: dict[tuple[str, str], str] = {}
    taken = set(program.types)
    calls: list[Call | Copy] = []

    def at(value: str, space: str) -> str:
        if where[value] == space:
            return value
        key = (value, space)
        if key not in copies:
            name = f"{value}_{space}"
            while name in taken:
                name += "_"
            taken.add(name)
            program.types[name] = program.types[value]
            program.spaces[name] = space
            where[name] = space
            calls.append(Copy(value, name))
            copies[key] = name
        return copies[key]

    for call in program.calls:
        if isinstance(call, Copy):
            raise ValueError("place_memory_spaces runs once, on a program without copies")
        space = kernel_spaces.get(call.kernel, DEVICE)
        calls.append(Call(call.kernel, tuple(at(a, space) for a in call.args), call.results))
        for r in call.results:
            where[r] = space
            if space != DEVICE:
                program.spaces[r] = space
    program.outputs = [at(o, DEVICE) for o in program.outputs]
    program.calls = calls  # type: ignore[assignment]
    return len(copies)
