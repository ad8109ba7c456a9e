"""Native launches: a dispatch whose steps all run on the calling thread (generated steps over all
their rows, BLAS calls that BLAS threads itself, and the epilogues after them) replayed by a
native loop, so that a run makes one foreign call instead of Python per step and call.

The driver plans the sequence (:class:`Call` and :class:`Gemm`, in order) from a parsed launch
config, and checks each run's operands against their buffers before the call; this module packs a
sequence into a table of words and runs it with one JIT-compiled loop that calls the steps'
functions and the BLAS routine by address.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import llvmlite.ir as ll
import numpy as np

__all__ = ["Call", "Copy", "Gemm", "GemmRoutine", "Matrix", "NativeLaunch", "gemm"]

#: CBLAS enum values
ROW_MAJOR, COL_MAJOR, NO_TRANS, TRANS = 101, 102, 111, 112

_I32, _I64, _PTR = ll.IntType(32), ll.IntType(64), ll.PointerType()


@dataclass(frozen=True)
class GemmRoutine:
    """A CBLAS ``sgemm`` / ``dgemm`` of the loaded BLAS: its address, and the width of its integer
    arguments (64 for an ILP64 build)."""

    address: int
    index_bits: int
    double: bool


@dataclass(frozen=True)
class Matrix:
    """A matrix operand: binding `slot`, `offset` bytes into it, `rows` x `cols` with strides in
    elements."""

    slot: int
    offset: int
    rows: int
    cols: int
    row_stride: int
    col_stride: int

    def layout(self) -> tuple[bool, int] | None:
        """(column-major?, leading dimension) as BLAS reads it, or None when it cannot (no unit
        stride, or rows that overlap). A dimension of one may have any stride."""
        row_stride = max(self.cols, 1) if self.rows == 1 else self.row_stride
        col_stride = 1 if self.cols == 1 else self.col_stride
        if col_stride == 1 and row_stride >= max(self.cols, 1):
            return False, row_stride
        if row_stride == 1 and col_stride >= max(self.rows, 1):
            return True, col_stride
        return None


@dataclass(frozen=True)
class Gemm:
    """One CBLAS call ``C (+)= op(A) op(B)``, C `m` x `n`, over `k`; each operand is (binding slot,
    byte offset) with its leading dimension."""

    routine: GemmRoutine
    order: int
    trans_a: int
    trans_b: int
    m: int
    n: int
    k: int
    a: tuple[int, int]
    lda: int
    b: tuple[int, int]
    ldb: int
    c: tuple[int, int]
    ldc: int
    beta: float


@dataclass(frozen=True)
class Call:
    """A generated function over rows [lo, hi): ``fn(bindings, lo, hi)``."""

    address: int
    lo: int
    hi: int


@dataclass(frozen=True)
class Copy:
    """`size` bytes from (binding slot, byte offset) `source` to `target` (as memmove: they may overlap)."""

    source: tuple[int, int]
    target: tuple[int, int]
    size: int


def gemm(routine: GemmRoutine, a: Matrix, b: Matrix, c: Matrix, accumulate: bool) -> Gemm | None:
    """The CBLAS call computing ``c (+)= a @ b``, or None when BLAS cannot read one of the views."""
    layouts = a.layout(), b.layout(), c.layout()
    if None in layouts or min(a.rows, a.cols, b.cols) < 1:
        return None
    (a_cm, lda), (b_cm, ldb), (c_cm, ldc) = layouts  # type: ignore[misc]
    if max(c.rows, c.cols, a.cols, lda, ldb, ldc) >= 1 << (routine.index_bits - 1):
        return None  # (past the BLAS build's integers)
    # a column-major C is the row-major C^T: each operand stored the other way is read transposed
    return Gemm(routine, COL_MAJOR if c_cm else ROW_MAJOR, TRANS if a_cm != c_cm else NO_TRANS, TRANS if b_cm != c_cm else NO_TRANS,
                c.rows, c.cols, a.cols, (a.slot, a.offset), lda, (b.slot, b.offset), ldb, (c.slot, c.offset), ldc, 1.0 if accumulate else 0.0)  # fmt: skip


class NativeLaunch:
    """A launch sequence as a table of operations that one JIT-compiled loop, the same for every
    launch (compiled once per process; its object code cached on disk like a kernel's), runs in
    order. Its calls go to the steps' functions by address: whoever holds it keeps their
    executable alive."""

    def __init__(self, ops: Sequence[Call | Copy | Gemm]) -> None:
        self.ops = tuple(ops)
        #: whether it calls BLAS (which then runs on the threads it is set to)
        self.blas = any(isinstance(op, Gemm) for op in self.ops)
        self._table = np.zeros((len(self.ops), _WORDS), np.int64)
        for row, op in zip(self._table, self.ops):
            if isinstance(op, Call):
                row[:4] = (_CALL, op.address, op.lo, op.hi)
            elif isinstance(op, Copy):
                row[:7] = (_COPY, 0, *op.source, *op.target, op.size)
            else:
                kind = _GEMM + 2 * op.routine.double + (op.routine.index_bits == 64)
                row[:] = (kind, op.routine.address, op.order, op.trans_a, op.trans_b, op.m, op.n, op.k, *op.a, op.lda, *op.b, op.ldb, *op.c, op.ldc, op.beta)
        self._address = int(self._table.ctypes.data)
        self._run = _RUNNER.function()

    def __call__(self, table: int) -> None:
        """Run the sequence over the bindings whose addresses are at `table` (GIL released)."""
        self._run(self._address, len(self.ops), table)


#: an operation's words: kind, function address, then its arguments (a Gemm's: order, trans_a,
#: trans_b, m, n, k, (slot, byte offset) and leading dimension of A, B and C, beta)
_WORDS = 18
#: kinds: a generated function over rows; a copy (words 2-6: source slot and offset, target
#: slot and offset, bytes); a gemm (+ 2 for double, + 1 for 64-bit integers)
_CALL, _COPY, _GEMM = 0, 1, 2


class _Runner:
    """The loop that runs a sequence of operations: ``run(ops, count, bindings)``, JIT-compiled
    the first time a native launch is made in the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executable: Any = None
        self._function: Any = None

    def function(self) -> Any:
        with self._lock:
            if self._function is None:
                from byteir_targets.cpu.driver import LlvmExecutable  # (the driver imports this module)

                self._executable = LlvmExecutable(str(_runner_module()).encode(), ["byteir_native_launch"], "cpu")
                address = ctypes.cast(self._executable.function("byteir_native_launch"), ctypes.c_void_p).value
                self._function = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p)(address)
            return self._function


_RUNNER = _Runner()


def _runner_module() -> ll.Module:
    module = ll.Module(name="byteir_native_launch")
    fn = ll.Function(module, ll.FunctionType(ll.VoidType(), [_PTR, _I64, _PTR]), name="byteir_native_launch")
    ops, count, table = fn.args
    entry, head, body, step, done = (fn.append_basic_block(name) for name in ("entry", "head", "body", "next", "done"))
    b = ll.IRBuilder(entry)
    b.branch(head)
    b.position_at_end(head)
    i = b.phi(_I64)
    i.add_incoming(_I64(0), entry)
    b.cbranch(b.icmp_signed("<", i, count), body, done)
    b.position_at_end(body)
    row = b.gep(ops, [b.mul(i, _I64(_WORDS))], source_etype=_I64)

    def word(k: int) -> Any:
        return b.load(b.gep(row, [_I64(k)], source_etype=_I64), typ=_I64)

    kind = word(0)
    switch = b.switch(kind, step)
    call = fn.append_basic_block("call")
    switch.add_case(_I64(_CALL), call)
    b.position_at_end(call)
    step_type = ll.FunctionType(ll.VoidType(), [_PTR, _I64, _I64])
    b.call(b.inttoptr(word(1), step_type.as_pointer()), [table, word(2), word(3)])
    b.branch(step)

    def operand(k: int) -> Any:  # (slot, byte offset) at words k, k + 1
        base = b.load(b.gep(table, [word(k)], source_etype=_PTR), typ=_PTR)
        return b.gep(base, [word(k + 1)], source_etype=ll.IntType(8))

    copy = fn.append_basic_block("copy")
    switch.add_case(_I64(_COPY), copy)
    b.position_at_end(copy)
    memmove = module.declare_intrinsic("llvm.memmove", [_PTR, _PTR, _I64])
    b.call(memmove, [operand(4), operand(2), word(6), ll.IntType(1)(0)])
    b.branch(step)
    for double in (False, True):
        for wide in (False, True):
            block = fn.append_basic_block(f"{'d' if double else 's'}gemm{64 if wide else 32}")
            switch.add_case(_I64(_GEMM + 2 * double + wide), block)
            b.position_at_end(block)
            index = _I64 if wide else _I32
            real = ll.DoubleType() if double else ll.FloatType()

            def integer(k: int) -> Any:
                return word(k) if wide else b.trunc(word(k), _I32)

            gemm_type = ll.FunctionType(ll.VoidType(), [_I32, _I32, _I32, index, index, index, real, _PTR, index, _PTR, index, real, _PTR, index])
            args = [b.trunc(word(2), _I32), b.trunc(word(3), _I32), b.trunc(word(4), _I32), integer(5), integer(6), integer(7), real(1.0),
                    operand(8), integer(10), operand(11), integer(13), b.sitofp(word(17), real), operand(14), integer(16)]  # fmt: skip
            b.call(b.inttoptr(word(1), gemm_type.as_pointer()), args)
            b.branch(step)
    b.position_at_end(step)
    i.add_incoming(b.add(i, _I64(1)), step)
    b.branch(head)
    b.position_at_end(done)
    b.ret_void()
    return module
