"""Kernel IR -> LLVM IR (llvmlite), one function per step of a kernel.

Each loop becomes ``void @<kernel>_s<i>(ptr %buffers, i64 %lo, i64 %hi)``: ``%buffers`` points
to the kernel's buffer table (params, then results, then the scratch region); ``[lo, hi)`` is the
slice of the loop's first dim this call computes when that dim is parallel (the runtime splits it
across threads), else the whole loop runs when ``lo == 0``. Values are computed in f32 for f16
and bf16 (rounded back to their type after every op, so results match per-op rounding), and the
other types natively; divisions and shifts are guarded so no input is undefined behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import llvmlite.ir as ll
import numpy as np

from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.compiler.loop.evaluate import scalar_dtype
from byteir_sdk.compiler.tensor.bufferize import BufferRef, KernelBuffers, buffer_slot, value_root, with_result_copies
from byteir_sdk.errors import UnsupportedOpError
from byteir_targets.cpu.conv import band_bytes, emit_direct_conv, filter_block_bytes, host_lanes
from byteir_targets.cpu.vecmath import exp_f32, tanh_f32

__all__ = ["generate", "block_locals", "Step", "SUPPORTED_TYPES"]

I1, I8, I16, I32, I64 = ll.IntType(1), ll.IntType(8), ll.IntType(16), ll.IntType(32), ll.IntType(64)
F32, F64, HALF = ll.FloatType(), ll.DoubleType(), ll.HalfType()
PTR = ll.PointerType()

SUPPORTED_TYPES = frozenset({"i1", "i8", "i16", "i32", "i64", "ui8", "ui16", "ui32", "ui64", "f16", "bf16", "f32", "f64", "index",
                             "complex<f32>", "complex<f64>"})  # fmt: skip
C64, C128 = ll.LiteralStructType([F32, F32]), ll.LiteralStructType([F64, F64])

_LIBM_F32 = {"tanh": "tanhf", "erf": "erff", "expm1": "expm1f", "log1p": "log1pf", "cbrt": "cbrtf", "tan": "tanf", "atan2": "atan2f"}
_LIBM_F64 = {"tanh": "tanh", "erf": "erf", "expm1": "expm1", "log1p": "log1p", "cbrt": "cbrt", "tan": "tan", "atan2": "atan2"}
_INTRINSIC_UNARY = {"exp": "llvm.exp", "log": "llvm.log", "sqrt": "llvm.sqrt", "sin": "llvm.sin", "cos": "llvm.cos",
                    "floor": "llvm.floor", "ceil": "llvm.ceil", "roundeven": "llvm.roundeven", "round": "llvm.round",
                    "absf": "llvm.fabs"}  # fmt: skip
#: scalar ops that cost tens of instructions a lane (polynomial expansions, libm calls)
_HEAVY_OPS = frozenset({*_LIBM_F32, "exp", "log", "sin", "cos", "powf"})
_FCMP = {"oeq": (True, "=="), "ogt": (True, ">"), "oge": (True, ">="), "olt": (True, "<"), "ole": (True, "<="),
         "one": (True, "!="), "ord": (True, "ord"), "ueq": (False, "=="), "ugt": (False, ">"), "uge": (False, ">="),
         "ult": (False, "<"), "ule": (False, "<="), "une": (False, "!="), "uno": (False, "uno")}  # fmt: skip
_ICMP = {"eq": (True, "=="), "ne": (True, "!="), "slt": (True, "<"), "sle": (True, "<="), "sgt": (True, ">"), "sge": (True, ">="),
         "ult": (False, "<"), "ule": (False, "<="), "ugt": (False, ">"), "uge": (False, ">=")}  # fmt: skip


@dataclass(frozen=True)
class Step:
    """One step of a kernel, run in order: a JIT function (``extent`` > 1 means [0, extent) may be
    split across threads; ``points`` is its iteration count, which bounds how many threads pay off)
    or, with ``library``, a library routine over the kernel's buffers."""

    entry: str
    extent: int
    library: dict | None = None
    points: int = 1


#: bytes of rows a step group works on at a time: the rows its steps pass on to each other stay in L2
_GROUP_BLOCK_BYTES = 256 << 10
#: most bytes of a group's local values (values only its steps touch) held at a time, a block of
#: rows of each, in the group's stack frame (which must fit a thread's stack)
_LOCAL_BLOCK_BYTES = 256 << 10
#: most bytes of the band of image rows a direct convolution copies into its frame (past it:
#: im2col + BLAS)
_CONV_BAND_BYTES = 128 << 10
#: images below which a direct convolution splits its output rows across threads, not its images
#: (so one image still runs on every core; the step then cannot be a group's member)
_CONV_ROW_SPLIT_IMAGES = 4
#: most bytes of the filter taps of one block of output channels for a direct convolution (they are
#: read once per tile of output pixels, so they must stay in L1)
_CONV_FILTER_BLOCK_BYTES = 40 << 10
#: pixels of a row of the image a matmul's A is seen as (see `_Gen.matmul_as_conv`), and the fewest
#: such rows: each band of A's rows and filter block then feeds enough tiles
_MATMUL_ROW_PIXELS = 64
_MATMUL_MIN_ROWS = 8
#: the matmuls the direct kernel takes (measured, see `_Gen.matmul_as_conv`): k from 128 (below,
#: too few FMAs a band) to 512 (its filter block, 8 lanes: 32 KiB), n whole blocks of 32 channels
_MATMUL_K = (128, 512)
_MATMUL_MIN_N = 128
#: bytes of a streamed result a loop computes into its frame before copying them out with
#: non-temporal stores (a strip of the innermost loop; it stays in L1)
_STREAM_STRIP_BYTES = 4 << 10


@dataclass(frozen=True)
class _Access:
    """Bytes [first, end) of buffer-table slot `slot` that a loop step reads or writes, with
    `row_bytes` when iteration d0 = r touches only the row at ``first + r * row_bytes``; `root`
    names the value whose buffer it is."""

    slot: int
    first: int
    end: int
    row_bytes: int | None
    write: bool
    root: str = ""

    def conflicts(self, other: _Access) -> bool:
        """Whether running the two steps a block of rows at a time could reorder a dependence
        between these accesses (they overlap, one writes, and they are not the same rows)."""
        if self.slot != other.slot or not (self.write or other.write) or self.first >= other.end or other.first >= self.end:
            return False
        return self.row_bytes is None or (self.first, self.row_bytes) != (other.first, other.row_bytes)


@dataclass
class _Planned:
    """A step before it is emitted: the kernel op it comes from, what it runs (a loop, a copy or a
    library call), the rows it computes in order (0: it cannot run a block of rows at a time) and
    the memory it touches."""

    op: int
    loop: K.Loop | None = None
    copy: tuple[str, str] | None = None  # (target, source)
    library: dict | None = None
    rows: int = 0
    accesses: list[_Access] = field(default_factory=list)


def _loop_order(loop: K.Loop, split: bool) -> list[int]:
    """The nest order of `loop`'s dims: as declared, except that the last parallel dim moves inside
    the reduction dims after it when every output is contiguous along it and every input either
    is too or does not vary along it (e.g. pooling or a direct convolution over channels), so the
    innermost loop runs over independent outputs and vectorises. (Not a row reduction such as a
    layernorm's over [batch, rows, features]: its input would be read a column at a time.) Each
    output still sees its reduction iterations in the same order (bit-identical results)."""
    order = list(range(len(loop.domain)))
    par = loop.parallel_dims
    if not par or not loop.reduction_dims or (par[-1] == 0 and split):
        return order
    p = par[-1]
    n_in = len(loop.inputs)
    contiguous = all(m.results and m.results[-1] == K.Dim(p) for m in loop.maps[n_in:])
    contiguous = contiguous and all(p not in m.dims_used() or m.results[-1] == K.Dim(p) for m in loop.maps[:n_in])
    if not contiguous or not any(d > p for d in loop.reduction_dims) or loop.domain[p] < 4:
        return order
    return [d for d in order if d != p] + [p]


def light(loop: K.Loop) -> bool:
    """Whether `loop`'s body is a few instructions a lane (no op of `_HEAVY_OPS`), so its time is
    its memory traffic: streaming its stores pays, where a heavy body hides the traffic."""
    todo: list[K.Expr] = list(loop.body)
    while todo:
        e = todo.pop()
        if isinstance(e, K.Op):
            if e.name in _HEAVY_OPS:
                return False
            todo += e.args
        elif isinstance(e, K.Cond):
            todo += [e.cond, *e.then, *e.otherwise]
        elif isinstance(e, K.Extract):
            todo += e.indices
    return True


def _transposes(loop: K.Loop) -> bool:
    """Whether some access of `loop` walks memory out of loop order (its dims, read left to right
    in the map's results, are not increasing, e.g. a transpose), where tiling buys locality."""
    for m in loop.maps:
        dims = [r.index for r in m.results if isinstance(r, K.Dim)]
        if any(not isinstance(r, (K.Dim, K.Cst)) for r in m.results) or dims != sorted(dims):
            return True
    return False


def _combines_accumulator(e: K.Op, n_in: int) -> bool:
    """Whether `e` combines a reduction's accumulator (an output operand) with one other value."""
    return len(e.args) == 2 and sum(isinstance(a, K.Arg) and a.index >= n_in for a in e.args) == 1


def _width(t: str) -> int:
    if t == "index":
        return 64
    return int(t.removeprefix("ui").removeprefix("i"))


def _is_float(t: str) -> bool:
    return t in ("f16", "bf16", "f32", "f64")


def storage_type(t: str) -> ll.Type:
    if t.startswith("complex"):
        return C64 if t == "complex<f32>" else C128
    if t in ("f16", "bf16"):
        return I16
    if t == "f32":
        return F32
    if t == "f64":
        return F64
    if t == "i1":
        return I8
    if t not in SUPPORTED_TYPES:
        raise UnsupportedOpError(f"element type {t} is not supported by the cpu code generator")
    return ll.IntType(_width(t))


def compute_type(t: str) -> ll.Type:
    if t.startswith("complex"):
        return C64 if t == "complex<f32>" else C128
    if t in ("f16", "bf16", "f32"):
        return F32
    if t == "f64":
        return F64
    if t == "i1":
        return I1
    if t not in SUPPORTED_TYPES:
        raise UnsupportedOpError(f"element type {t} is not supported by the cpu code generator")
    return ll.IntType(_width(t))


class _Complex:
    """Complex arithmetic on {re, im} pairs, built from real operations and libm."""

    def __init__(self, gen: _Gen, b: ll.IRBuilder) -> None:
        self.g, self.b = gen, b

    def parts(self, z: ll.Value) -> tuple[ll.Value, ll.Value]:
        return self.b.extract_value(z, 0), self.b.extract_value(z, 1)

    def make(self, re: ll.Value, im: ll.Value) -> ll.Value:
        t = ll.LiteralStructType([re.type, re.type])
        z = self.b.insert_value(ll.Constant(t, ll.Undefined), re, 0)
        return self.b.insert_value(z, im, 1)

    def f(self, name: str, *args: ll.Value) -> ll.Value:
        t = args[0].type
        if name in ("exp", "log", "sqrt", "sin", "cos", "fabs"):
            return self.b.call(self.g.intrinsic(f"llvm.{name}", [t]), list(args))
        if name in ("copysign", "pow"):
            return self.b.call(self.g.intrinsic(f"llvm.{name}", [t], 2), list(args))
        libm = name + ("f" if t == F32 else "")
        return self.b.call(self.g.declare(libm, t, [t] * len(args)), list(args))

    def op(self, name: str, args: list[ll.Value], ct: ll.Type) -> ll.Value:
        b = self.b
        if name == "complex":
            return self.make(args[0], args[1])
        a, c = self.parts(args[0])
        if name == "re":
            return a
        if name == "im":
            return c
        t = a.type
        one, zero = ll.Constant(t, 1.0), ll.Constant(t, 0.0)
        if name in ("add", "sub"):
            x, y = self.parts(args[1])
            fn = b.fadd if name == "add" else b.fsub
            return self.make(fn(a, x), fn(c, y))
        if name == "mul":
            x, y = self.parts(args[1])
            return self.make(b.fsub(b.fmul(a, x), b.fmul(c, y)), b.fadd(b.fmul(a, y), b.fmul(c, x)))
        if name == "divf":
            return self.div(a, c, *self.parts(args[1]))
        if name == "neg":
            return self.make(b.fneg(a), b.fneg(c))
        if name == "conj":
            return self.make(a, b.fneg(c))
        if name == "cabs":
            return self.f("hypot", a, c)
        if name in ("ceq", "cne"):
            x, y = self.parts(args[1])
            eq = b.and_(b.fcmp_ordered("==", a, x), b.fcmp_ordered("==", c, y))
            return eq if name == "ceq" else b.not_(eq)
        if name == "csign":
            mag = self.f("hypot", a, c)
            is0 = b.fcmp_ordered("==", mag, zero)
            safe = b.select(is0, one, mag)
            return self.make(b.select(is0, zero, b.fdiv(a, safe)), b.select(is0, zero, b.fdiv(c, safe)))
        if name == "exp":
            e = self.f("exp", a)
            return self.make(b.fmul(e, self.f("cos", c)), b.fmul(e, self.f("sin", c)))
        if name == "expm1":
            half_sin = self.f("sin", b.fmul(c, ll.Constant(t, 0.5)))
            re = b.fsub(b.fmul(self.f("expm1", a), self.f("cos", c)), b.fmul(ll.Constant(t, 2.0), b.fmul(half_sin, half_sin)))
            return self.make(re, b.fmul(self.f("exp", a), self.f("sin", c)))
        if name == "log":
            return self.make(self.f("log", self.f("hypot", a, c)), self.f("atan2", c, a))
        if name == "log1p":
            inner = b.fadd(b.fmul(ll.Constant(t, 2.0), a), b.fadd(b.fmul(a, a), b.fmul(c, c)))
            return self.make(b.fmul(ll.Constant(t, 0.5), self.f("log1p", inner)), self.f("atan2", c, b.fadd(one, a)))
        if name in ("sqrt", "rsqrt"):
            root = self.sqrt(a, c)
            if name == "sqrt":
                return root
            return self.div(one, zero, *self.parts(root))
        if name in ("sin", "cos"):
            sa, ca, sh, ch = self.f("sin", a), self.f("cos", a), self.f("sinh", c), self.f("cosh", c)
            if name == "sin":
                return self.make(b.fmul(sa, ch), b.fmul(ca, sh))
            return self.make(b.fmul(ca, ch), b.fneg(b.fmul(sa, sh)))
        if name in ("tanh", "tan"):
            # tanh(x+iy) = (tanh x (1 + tan^2 y) + i tan y (1 - tanh^2 x)) / (1 + tanh^2 x tan^2 y);  tan z = -i tanh(iz)
            x, y = (a, c) if name == "tanh" else (b.fneg(c), a)
            tx, ty = self.f("tanh", x), self.f("tan", y)
            tx2, ty2 = b.fmul(tx, tx), b.fmul(ty, ty)
            den = b.fadd(one, b.fmul(tx2, ty2))
            re, im = b.fdiv(b.fmul(tx, b.fadd(one, ty2)), den), b.fdiv(b.fmul(ty, b.fsub(one, tx2)), den)
            return self.make(re, im) if name == "tanh" else self.make(im, b.fneg(re))
        if name == "powf":
            lg = self.op("log", [args[0]], ct)
            return self.op("exp", [self.op("mul", [args[1], lg], ct)], ct)
        raise UnsupportedOpError(f"complex op {name} is not supported by the cpu code generator")

    def div(self, a: ll.Value, c: ll.Value, x: ll.Value, y: ll.Value) -> ll.Value:
        """(a+ic)/(x+iy) by Smith's algorithm (no overflow for large divisors)."""
        b = self.b
        swap = b.fcmp_ordered(">=", self.f("fabs", x), self.f("fabs", y))
        # |x| >= |y|: r = y/x, d = x + y r;   else r = x/y, d = x r + y
        r = b.select(swap, b.fdiv(y, x), b.fdiv(x, y))
        d = b.select(swap, b.fadd(x, b.fmul(y, r)), b.fadd(b.fmul(x, r), y))
        re = b.select(swap, b.fdiv(b.fadd(a, b.fmul(c, r)), d), b.fdiv(b.fadd(b.fmul(a, r), c), d))
        im = b.select(swap, b.fdiv(b.fsub(c, b.fmul(a, r)), d), b.fdiv(b.fsub(b.fmul(c, r), a), d))
        return self.make(re, im)

    def sqrt(self, a: ll.Value, c: ll.Value) -> ll.Value:
        b = self.b
        t = a.type
        zero = ll.Constant(t, 0.0)
        mag = self.f("hypot", a, c)
        root = self.f("sqrt", b.fmul(ll.Constant(t, 0.5), b.fadd(self.f("fabs", a), mag)))
        is0 = b.fcmp_ordered("==", root, zero)
        safe = b.select(is0, ll.Constant(t, 1.0), root)
        other = b.fdiv(c, b.fmul(ll.Constant(t, 2.0), safe))
        pos = b.fcmp_ordered(">=", a, zero)
        re = b.select(pos, root, self.f("fabs", other))
        im = b.select(pos, other, self.f("copysign", root, c))
        return self.make(b.select(is0, zero, re), b.select(is0, c, im))


class _Gen:
    def __init__(self, kernel: K.Kernel, buffers: KernelBuffers, result_copies: list[tuple[str, str]], stream_bytes: int = 0) -> None:
        self.kernel = kernel
        self.stream_bytes = stream_bytes  # results this big are written with streaming stores (0: never)
        self.buffers = buffers
        self.result_copies = result_copies  # (target, source) copies after the ops
        self.module = ll.Module(name=kernel.name)
        self.entries: list[ll.Function] = []  # every step's function, each the root of a module part
        self.steps: list[Step] = []
        self.globals: dict[str, ll.GlobalVariable] = {}
        self.decls: dict[str, ll.Function] = {}
        self.accumulates: dict[int, bool] = {}  # id(loop) -> False: the loop overwrites its output (its zero fill is skipped)
        self.convs = {id(op): geo for op in kernel.loops() if (geo := self.direct_conv(op)) is not None}  # the direct convolutions

    # ------------------------------------------------------------------ helpers
    def declare(self, name: str, ret: ll.Type, args: list[ll.Type]) -> ll.Function:
        if name not in self.decls:
            self.decls[name] = ll.Function(self.module, ll.FunctionType(ret, args), name=name)
        return self.decls[name]

    def intrinsic(self, name: str, types: list[ll.Type], arity: int | None = None) -> ll.Function:
        if arity is None:
            return self.module.declare_intrinsic(name, types)
        t = types[0]  # n-ary intrinsics over one float type: llvmlite needs the signature spelled out
        return self.module.declare_intrinsic(name, types, ll.FunctionType(t, [t] * arity))

    def value_bytes(self, name: str) -> int:
        t = self.kernel.types[name]
        return t.size * scalar_dtype(t.element).itemsize

    def root(self, name: str) -> tuple[str, BufferRef]:
        name = value_root(self.buffers, name)
        return name, self.buffers.refs[name]

    def base(self, b: ll.IRBuilder, table: ll.Value, name: str) -> ll.Value:
        ref = self.buffer_ref(name)
        if ref is None:
            return self.constant_global(self.root(name)[0])
        ptr = b.load(b.gep(table, [ll.Constant(I64, ref[0])], source_etype=PTR), typ=PTR)
        return b.gep(ptr, [ll.Constant(I64, ref[1])], source_etype=I8) if ref[1] else ptr

    def noalias_body(self, suffix: str, names: list[str]) -> tuple[str, ll.Function, ll.IRBuilder, dict[str, ll.Value]]:
        """A step ``(table, lo, hi)`` that calls an internal body ``(ptr noalias region..., lo, hi)``,
        one pointer per disjoint memory region of `names` (values whose bytes overlap share one),
        so LLVM knows which accesses cannot alias (e.g. two values in the one scratch region) and
        can vectorise and hoist freely. Returns the step's name, the body, a builder in it and each
        value's base pointer."""
        wrapper, wb = self.new_function(suffix)
        regions: list[list] = []  # [slot, first byte, end byte, {name: byte offset}]
        for name in dict.fromkeys(names):
            ref = self.buffer_ref(name)
            if ref is None:
                continue  # a constant: its own global
            slot, first = ref
            end = first + self.value_bytes(self.root(name)[0])
            joined = [r for r in regions if r[0] == slot and r[1] < max(end, first + 1) and first < max(r[2], r[1] + 1)]
            for r in joined:
                regions.remove(r)
            members = {name: first}
            for r in joined:
                members.update(r[3])
            regions.append([slot, min([first, *(r[1] for r in joined)]), max([end, *(r[2] for r in joined)]), members])
        body = ll.Function(self.module, ll.FunctionType(ll.VoidType(), [PTR] * len(regions) + [I64, I64]), name=f"{wrapper.name}_body")
        body.linkage = "internal"
        body.attributes.add("alwaysinline")  # simplified once, inside its step (LLVM opt time -35%)
        for a in body.args[: len(regions)]:
            a.add_attribute("noalias")
        b = ll.IRBuilder(body.append_basic_block("entry"))
        bases: dict[str, ll.Value] = {}
        pointers = []
        for (slot, first, _, members), arg in zip(regions, body.args):
            table_ptr = wb.load(wb.gep(wrapper.args[0], [ll.Constant(I64, slot)], source_etype=PTR), typ=PTR)
            pointers.append(wb.gep(table_ptr, [ll.Constant(I64, first)], source_etype=I8) if first else table_ptr)
            for name, offset in members.items():
                bases[name] = b.gep(arg, [ll.Constant(I64, offset - first)], source_etype=I8) if offset != first else arg
        for name in names:
            if name not in bases:
                bases[name] = self.constant_global(self.root(name)[0])
        wb.call(body, [*pointers, *wrapper.args[1:]])
        wb.ret_void()
        return wrapper.name, body, b, bases

    def constant_global(self, name: str) -> ll.GlobalVariable:
        if name not in self.globals:
            op = next(o for o in self.kernel.ops if isinstance(o, K.Const) and o.result == name)
            t = self.kernel.types[name]
            data = np.ascontiguousarray(op.value.reshape(t.shape).astype(scalar_dtype(t.element), copy=False)).tobytes() or b"\0"
            arr = ll.ArrayType(I8, len(data))
            g = ll.GlobalVariable(self.module, arr, name=f"const_{name}")
            g.global_constant = True
            g.linkage = "internal"
            g.align = 64
            g.initializer = ll.Constant(arr, bytearray(data))
            self.globals[name] = g
        return self.globals[name]

    def new_function(self, suffix: str) -> tuple[ll.Function, ll.IRBuilder]:
        fn = ll.Function(self.module, ll.FunctionType(ll.VoidType(), [PTR, I64, I64]), name=f"{self.kernel.name}_{suffix}")
        self.entries.append(fn)
        for a in fn.args:
            if a.type == PTR:
                a.add_attribute("noalias")
        return fn, ll.IRBuilder(fn.append_basic_block("entry"))

    @staticmethod
    def frame(b: ll.IRBuilder, nbytes: int) -> ll.Value:
        """`nbytes` of the function's stack frame, 64-byte aligned (`b` is in the entry block)."""
        frame = b.alloca(I8, size=ll.Constant(I64, nbytes))
        frame.align = 64
        frame.type = PTR  # an opaque pointer, like every other pointer here (llvmlite types allocas)
        return frame

    @staticmethod
    def loop(b: ll.IRBuilder, start: ll.Value, stop: ll.Value, body: Callable[[ll.Value], None]) -> None:
        pre = b.block
        fn = pre.function
        cond_bb, body_bb, end_bb = fn.append_basic_block(), fn.append_basic_block(), fn.append_basic_block()
        b.branch(cond_bb)
        b.position_at_end(cond_bb)
        iv = b.phi(I64)
        iv.add_incoming(start, pre)
        b.cbranch(b.icmp_signed("<", iv, stop), body_bb, end_bb)
        b.position_at_end(body_bb)
        body(iv)
        iv.add_incoming(b.add(iv, ll.Constant(I64, 1)), b.block)
        b.branch(cond_bb)
        b.position_at_end(end_bb)

    # ------------------------------------------------------------------ loads / stores
    def load(self, b: ll.IRBuilder, ptr: ll.Value, index: ll.Value, t: str) -> ll.Value:
        st = storage_type(t)
        raw = b.load(b.gep(ptr, [index], source_etype=st), typ=st)
        return self.from_storage(b, raw, t)

    def store(self, b: ll.IRBuilder, ptr: ll.Value, index: ll.Value, value: ll.Value, t: str) -> None:
        st = storage_type(t)
        b.store(self.to_storage(b, value, t), b.gep(ptr, [index], source_etype=st))

    def from_storage(self, b: ll.IRBuilder, raw: ll.Value, t: str) -> ll.Value:
        if t == "f16":
            return b.fpext(b.bitcast(raw, HALF), F32)
        if t == "bf16":
            return b.bitcast(b.shl(b.zext(raw, I32), ll.Constant(I32, 16)), F32)
        if t == "i1":
            return b.trunc(raw, I1)
        return raw

    def to_storage(self, b: ll.IRBuilder, value: ll.Value, t: str) -> ll.Value:
        if t == "f16":
            return b.bitcast(b.fptrunc(value, HALF) if value.type != HALF else value, I16)
        if t == "bf16":
            return self.bf16_bits(b, value)
        if t == "i1":
            return b.zext(value, I8)
        return value

    def bf16_bits(self, b: ll.IRBuilder, value: ll.Value) -> ll.Value:
        if value.type == F64:
            value = b.fptrunc(value, F32)
        bits = b.bitcast(value, I32)
        lsb = b.and_(b.lshr(bits, ll.Constant(I32, 16)), ll.Constant(I32, 1))
        rounded = b.lshr(b.add(b.add(bits, ll.Constant(I32, 0x7FFF)), lsb), ll.Constant(I32, 16))
        is_nan = b.fcmp_unordered("uno", value, value)
        quiet = b.or_(b.lshr(bits, ll.Constant(I32, 16)), ll.Constant(I32, 0x40))
        return b.trunc(b.select(is_nan, quiet, rounded), I16)

    def round_to(self, b: ll.IRBuilder, value: ll.Value, t: str) -> ll.Value:
        """Round an f32/f64 compute value to f16/bf16 precision (kept in f32)."""
        if t == "f16":
            return b.fpext(b.fptrunc(value, HALF), F32)
        if t == "bf16":
            return self.from_storage(b, self.bf16_bits(b, value), "bf16")
        return value

    # ------------------------------------------------------------------ expressions
    def index_of(self, b: ll.IRBuilder, m: K.AffineMap, shape: tuple[int, ...], ivs: list[ll.Value]) -> ll.Value:
        linear: ll.Value = ll.Constant(I64, 0)
        stride = 1
        for size, expr in reversed(list(zip(shape, m.results))):
            linear = b.add(linear, b.mul(self.affine(b, expr, ivs), ll.Constant(I64, stride)))
            stride *= size
        return linear

    def affine(self, b: ll.IRBuilder, e: K.AffineExpr, ivs: list[ll.Value]) -> ll.Value:
        if isinstance(e, K.Dim):
            return ivs[e.index]
        if isinstance(e, K.Cst):
            return ll.Constant(I64, e.value)
        lhs, rhs = self.affine(b, e.lhs, ivs), self.affine(b, e.rhs, ivs)
        if e.kind == "+":
            return b.add(lhs, rhs)
        if e.kind == "*":
            return b.mul(lhs, rhs)
        return self.int_op(b, {"floordiv": "floordivs", "ceildiv": "ceildivs", "mod": "mods"}[e.kind], lhs, rhs, I64)

    def lit(self, value: object, t: str) -> ll.Value:
        ct = compute_type(t)
        if isinstance(ct, ll.LiteralStructType):
            z = complex(value)  # type: ignore[arg-type]
            return ll.Constant(ct, [ll.Constant(ct.elements[0], z.real), ll.Constant(ct.elements[0], z.imag)])
        if isinstance(ct, (ll.FloatType, ll.DoubleType)):
            return ll.Constant(ct, float(value))  # type: ignore[arg-type]
        v = int(value)  # type: ignore[call-overload]
        bits = ct.width
        v &= (1 << bits) - 1
        if v >= 1 << (bits - 1) and bits > 1:
            v -= 1 << bits
        return ll.Constant(ct, v)

    def int_op(self, b: ll.IRBuilder, name: str, x: ll.Value, y: ll.Value, ct: ll.Type) -> ll.Value:
        zero, one = ll.Constant(ct, 0), ll.Constant(ct, 1)
        is_zero = b.icmp_unsigned("==", y, zero)
        if name in ("divu", "remu"):
            safe = b.select(is_zero, one, y)
            return b.udiv(x, safe) if name == "divu" else b.urem(x, safe)
        width = ct.width
        int_min = ll.Constant(ct, -(1 << (width - 1)) if width > 1 else 0)
        overflow = b.and_(b.icmp_signed("==", x, int_min), b.icmp_signed("==", y, ll.Constant(ct, -1)))
        safe = b.select(b.or_(is_zero, overflow), one, y)
        q, r = b.sdiv(x, safe), b.srem(x, safe)
        if name == "divs":
            return q
        if name == "rems":
            return b.select(overflow, zero, r)
        r_nonzero = b.icmp_signed("!=", r, zero)
        signs_differ = b.icmp_signed("!=", b.icmp_signed("<", r, zero), b.icmp_signed("<", safe, zero))
        if name == "floordivs":
            return b.select(b.and_(r_nonzero, signs_differ), b.sub(q, one), q)
        if name == "mods":
            return b.select(b.and_(r_nonzero, signs_differ), b.add(r, safe), r)
        if name == "ceildivs":
            return b.select(b.and_(r_nonzero, b.not_(signs_differ)), b.add(q, one), q)
        raise AssertionError(name)

    def op(self, b: ll.IRBuilder, e: K.Op, args: list[ll.Value], arg_types: list[str]) -> ll.Value:
        name, t = e.name, e.type
        ct = compute_type(t)
        a = args[0]
        at = arg_types[0]
        is_f = isinstance(a.type, (ll.FloatType, ll.DoubleType))
        if name.startswith("cmpf."):
            pred = name[5:]
            if pred in ("true", "false"):
                return ll.Constant(I1, int(pred == "true"))
            ordered, op = _FCMP[pred]
            return (b.fcmp_ordered if ordered else b.fcmp_unordered)(op, a, args[1])
        if name.startswith("cmpi."):
            signed, op = _ICMP[name[5:]]
            return (b.icmp_signed if signed else b.icmp_unsigned)(op, a, args[1])
        if name == "select":
            return b.select(a, args[1], args[2])
        if isinstance(a.type, ll.LiteralStructType) or isinstance(ct, ll.LiteralStructType) or name in ("complex", "re", "im"):
            return _Complex(self, b).op(name, args, ct)
        if name in ("add", "sub", "mul"):
            if is_f:
                return {"add": b.fadd, "sub": b.fsub, "mul": b.fmul}[name](a, args[1])
            return {"add": b.add, "sub": b.sub, "mul": b.mul}[name](a, args[1])
        if name == "neg":
            return b.fneg(a) if is_f else b.sub(ll.Constant(a.type, 0), a)
        if name == "divf":
            return b.fdiv(a, args[1])
        if name == "remf":
            return b.frem(a, args[1])
        if name in ("divs", "divu", "rems", "remu", "floordivs", "mods", "ceildivs"):
            return self.int_op(b, name, a, args[1], a.type)
        if name in ("maximumf", "minimumf"):
            x, y = a, args[1]
            nan = b.fcmp_unordered("uno", x, y)
            better = b.fcmp_ordered(">" if name == "maximumf" else "<", x, y)
            equal = b.fcmp_ordered("==", x, y)
            it = I32 if x.type == F32 else I64
            xb, yb = b.bitcast(x, it), b.bitcast(y, it)
            tie = b.bitcast(b.and_(xb, yb) if name == "maximumf" else b.or_(xb, yb), x.type)  # +0/-0 ordering
            pick = b.select(better, x, b.select(equal, tie, y))
            return b.select(nan, ll.Constant(x.type, float("nan")), pick)
        if name in ("maxnumf", "minnumf"):
            return b.call(self.intrinsic("llvm.maxnum" if name == "maxnumf" else "llvm.minnum", [a.type], 2), [a, args[1]])
        if name in ("maxs", "mins", "maxu", "minu"):
            cmp = b.icmp_signed if name[-1] == "s" else b.icmp_unsigned
            return b.select(cmp(">" if name.startswith("max") else "<", a, args[1]), a, args[1])
        if name in ("and", "or", "xor"):
            return {"and": b.and_, "or": b.or_, "xor": b.xor}[name](a, args[1])
        if name in ("shl", "shrs", "shru"):
            width = ll.Constant(a.type, a.type.width)
            big = b.icmp_unsigned(">=", args[1], width)
            amount = b.select(big, ll.Constant(a.type, 0), args[1])
            if name == "shl":
                return b.select(big, ll.Constant(a.type, 0), b.shl(a, amount))
            if name == "shru":
                return b.select(big, ll.Constant(a.type, 0), b.lshr(a, amount))
            return b.ashr(a, b.select(big, ll.Constant(a.type, a.type.width - 1), amount))
        if name in ("absi", "ctlz"):  # (value, i1 is_poison) -> value: spell the signature out
            intrinsic = self.module.declare_intrinsic("llvm.abs" if name == "absi" else "llvm.ctlz", [a.type], ll.FunctionType(a.type, [a.type, I1]))
            return b.call(intrinsic, [a, ll.Constant(I1, 0)])
        if name == "ctpop":
            return b.call(self.intrinsic("llvm.ctpop", [a.type]), [a])
        if name in ("exp", "tanh") and a.type == F32:  # vectorisable, unlike a call per element
            f32 = lambda n, arity: self.intrinsic(n, [F32], None if arity == 1 else arity)  # noqa: E731
            return (exp_f32 if name == "exp" else tanh_f32)(b, a, f32)
        if name in _INTRINSIC_UNARY:
            return b.call(self.intrinsic(_INTRINSIC_UNARY[name], [a.type]), [a])
        if name == "rsqrt":
            return b.fdiv(ll.Constant(a.type, 1.0), b.call(self.intrinsic("llvm.sqrt", [a.type]), [a]))
        if name in ("copysign", "powf"):
            return b.call(self.intrinsic("llvm.copysign" if name == "copysign" else "llvm.pow", [a.type], 2), [a, args[1]])
        if name in _LIBM_F32:
            libm = (_LIBM_F32 if a.type == F32 else _LIBM_F64)[name]
            fn = self.declare(libm, a.type, [a.type] * len(args))
            return b.call(fn, args)
        if name in ("sitofp", "uitofp"):
            convert = b.sitofp if name == "sitofp" else b.uitofp
            if t == "f16":  # one rounding, straight to half
                return b.fpext(convert(a, HALF), F32)
            if t == "bf16":
                return self.round_to(b, convert(a, F64), "bf16")
            return convert(a, ct)
        if name in ("fptosi", "fptoui"):
            return b.call(self.module.declare_intrinsic(f"llvm.{name}.sat", [ct, a.type], ll.FunctionType(ct, [a.type])), [a])
        if name in ("extf", "truncf"):
            if at == "f64" and t in ("f16", "bf16"):
                return b.fpext(b.fptrunc(a, HALF), F32) if t == "f16" else self.round_to(b, a, "bf16")
            if a.type == ct:
                return self.round_to(b, a, t)
            return b.fpext(a, ct) if name == "extf" else self.round_to(b, b.fptrunc(a, ct), t)
        if name in ("extsi", "extui", "trunci", "index_cast", "index_castui"):
            if a.type.width == ct.width:
                return a
            if a.type.width > ct.width:
                return b.trunc(a, ct)
            return b.sext(a, ct) if name in ("extsi", "index_cast") else b.zext(a, ct)
        if name == "bitcast":
            raw = self.to_storage(b, a, at)
            target = storage_type(t)
            if raw.type != target:
                raw = b.bitcast(raw, target)
            return self.from_storage(b, raw, t)
        raise UnsupportedOpError(f"{self.kernel.name}: scalar op {name} ({at} -> {t}) is not supported by the cpu code generator")

    # ------------------------------------------------------------------ loops
    def emit_loop(self, index: int, loop: K.Loop) -> None:
        geo = self.convs.get(id(loop))
        if geo is not None:
            self.emit_conv(index, loop, geo)
            return
        kernel = self.kernel
        n_in = len(loop.inputs)
        operands = list(loop.inputs) + list(loop.outputs)
        step, fn, b, bases = self.noalias_body(f"s{index}", [*operands, *loop.results, *loop.extra])
        lo, hi = fn.args[-2:]
        extra_bases = [bases[x] for x in loop.extra]
        split = bool(loop.domain) and loop.iterators[0] == "parallel"
        reduces = "reduction" in loop.iterators

        def point(ivs: list[ll.Value], strip_start: ll.Value | None = None) -> None:
            cache: dict[int, tuple[ll.Value, str]] = {}

            def ev(e: K.Expr) -> tuple[ll.Value, str]:
                key = id(e)
                if key in cache:
                    return cache[key]
                if isinstance(e, K.Arg):
                    name = operands[e.index] if e.index < len(operands) else None
                    if name is None:
                        raise UnsupportedOpError(f"{kernel.name}: loop body reads a missing operand")
                    t = kernel.types[name].element
                    value = self.load(b, bases[name], self.index_of(b, loop.maps[e.index], kernel.types[name].shape, ivs), t)
                    out = (value, t)
                elif isinstance(e, K.Index):
                    out = (ivs[e.dim], "index")
                elif isinstance(e, K.Lit):
                    out = (self.lit(e.value, e.type), e.type)
                elif isinstance(e, K.Extract):
                    src = loop.extra[e.operand]
                    shape = kernel.types[src].shape
                    linear: ll.Value = ll.Constant(I64, 0)
                    stride = 1
                    for size, idx in reversed(list(zip(shape, e.indices))):
                        v, vt = ev(idx)
                        if v.type != I64:
                            v = b.zext(v, I64) if vt.startswith("ui") or v.type == I1 else b.sext(v, I64)
                        v = b.select(b.icmp_signed("<", v, ll.Constant(I64, 0)), ll.Constant(I64, 0), v)
                        v = b.select(b.icmp_signed(">", v, ll.Constant(I64, max(size - 1, 0))), ll.Constant(I64, max(size - 1, 0)), v)
                        linear = b.add(linear, b.mul(v, ll.Constant(I64, stride)))
                        stride *= size
                    out = (self.load(b, extra_bases[e.operand], linear, kernel.types[src].element), e.type)
                elif isinstance(e, K.Cond):
                    c, _ = ev(e.cond)
                    x, xt = ev(e.then[e.result])
                    y, _ = ev(e.otherwise[e.result])
                    out = (b.select(c, x, y), xt)
                elif reduces and e.name in ("add", "mul", "maximumf", "minimumf") and e.type in ("f32", "f64") and _combines_accumulator(e, n_in):
                    # A reduction's combiner may reassociate, so the vectorizer can split it into lanes
                    # (the sum's order changes within rounding; max / min are exact in any order).
                    x, y = (ev(a)[0] for a in e.args)
                    if e.name in ("add", "mul"):
                        value = (b.fadd if e.name == "add" else b.fmul)(x, y, flags=("reassoc", "nsz"))
                    else:
                        value = b.call(self.intrinsic("llvm.maximum" if e.name == "maximumf" else "llvm.minimum", [x.type], 2), [x, y])
                    out = (value, e.type)
                else:
                    vals = [ev(a) for a in e.args]
                    value = self.op(b, e, [v for v, _ in vals], [t for _, t in vals])
                    if e.type in ("f16", "bf16") and e.name not in K.SELF_ROUNDING_OPS:
                        value = self.round_to(b, value, e.type)
                    out = (value, e.type)
                cache[key] = out
                return out

            values = [ev(e) for e in loop.body]
            for k, ((value, _), res) in enumerate(zip(values, loop.results)):
                t = kernel.types[res]
                if k in streamed:  # into its strip, at the innermost index's offset from the strip's start
                    self.store(b, streamed[k], b.sub(ivs[order[-1]], strip_start), value, t.element)
                    continue
                m = loop.maps[n_in + k] if loop.outputs else K.AffineMap(len(loop.domain), ())
                self.store(b, bases[res], self.index_of(b, m, t.shape, ivs) if m.results else ll.Constant(I64, 0), value, t.element)

        # Tiling: parallel dims whose tile (from tile-for-memory) is smaller than the dim get a
        # tile loop outside all point loops; reduction dims stay whole and in order, so every
        # output still accumulates in the original order (bit-identical results).
        tiles = list(loop.annotations.get("tiles", loop.domain)) or list(loop.domain)
        tiled = [d for d in range(len(loop.domain)) if loop.iterators[d] == "parallel" and 1 < tiles[d] < loop.domain[d] and not (d == 0 and split)]
        if not reduces and not _transposes(loop):
            tiled = []  # every access already walks memory in loop order: tiles add loops, not locality

        order = _loop_order(loop, split)
        # result index -> its strip in the frame (see `streamed_results`), and a strip's elements
        streamed = {k: self.frame(b, _STREAM_STRIP_BYTES) for k in self.streamed_results(loop, order)}
        strip_length = _STREAM_STRIP_BYTES // max([scalar_dtype(kernel.types[loop.results[k]].element).itemsize for k in streamed], default=1)

        def nest(depth: int, ivs: dict[int, ll.Value], tile_starts: dict[int, ll.Value]) -> None:
            if depth == len(loop.domain):
                point([ivs[d] for d in range(len(loop.domain))])
                return
            dim = order[depth]
            if dim == 0 and split:
                start, stop = lo, hi
            elif dim in tile_starts:
                start = tile_starts[dim]
                end = b.add(start, ll.Constant(I64, tiles[dim]))
                limit = ll.Constant(I64, loop.domain[dim])
                stop = b.select(b.icmp_signed("<", end, limit), end, limit)
            else:
                start, stop = ll.Constant(I64, 0), ll.Constant(I64, loop.domain[dim])
            if streamed and depth == len(loop.domain) - 1:
                self.strips(b, start, stop, strip_length, lambda first, end: strip(ivs, dim, first, end))
                return
            self.loop(b, start, stop, lambda iv: nest(depth + 1, {**ivs, dim: iv}, tile_starts))

        def strip(ivs: dict[int, ll.Value], dim: int, first: ll.Value, end: ll.Value) -> None:
            """The innermost loop over [first, end), its streamed results into their strips, then
            each strip copied out with streaming stores."""
            self.loop(b, first, end, lambda iv: point([{**ivs, dim: iv}[d] for d in range(len(loop.domain))], first))
            at = [{**ivs, dim: first}[d] for d in range(len(loop.domain))]
            for k, buf in streamed.items():
                res = loop.results[k]
                t = kernel.types[res]
                size = scalar_dtype(t.element).itemsize
                dst = b.gep(bases[res], [b.mul(self.index_of(b, loop.maps[n_in + k], t.shape, at), ll.Constant(I64, size))], source_etype=I8)
                b.call(self.stream_copy(), [dst, buf, b.mul(b.sub(end, first), ll.Constant(I64, size))])

        def tile_nest(k: int, starts: dict[int, ll.Value]) -> None:
            if k == len(tiled):
                nest(0, {}, starts)
                return
            d = tiled[k]
            n_tiles = -(-loop.domain[d] // tiles[d])
            self.loop(b, ll.Constant(I64, 0), ll.Constant(I64, n_tiles),
                      lambda t: tile_nest(k + 1, {**starts, d: b.mul(t, ll.Constant(I64, tiles[d]))}))  # fmt: skip

        if split:
            tile_nest(0, {})
        else:  # not splittable: the call with lo == 0 runs everything
            run_bb, done_bb = fn.append_basic_block("run"), fn.append_basic_block("done")
            b.cbranch(b.icmp_signed("==", lo, ll.Constant(I64, 0)), run_bb, done_bb)
            b.position_at_end(run_bb)
            tile_nest(0, {})
            b.branch(done_bb)
            b.position_at_end(done_bb)
        if streamed:
            b.fence("seq_cst")  # streaming stores are weakly ordered: done before the step is
        b.ret_void()
        self.steps.append(Step(step, loop.domain[0] if split else 1, points=int(np.prod(loop.domain, dtype=np.int64))))

    def direct_conv(self, loop: K.Loop) -> K.ConvGeometry | None:
        """The geometry of an f32 NHWC x HWIO convolution `loop` that the register-blocked direct
        kernel computes, else None: its band of image rows must fit the frame, and the filter taps of
        a block of output channels L1 (measured, 3x3 filters: 180 GFLOP/s at 64 input channels, 36
        KiB a block; 112 at 128, 72 KiB, where im2col + BLAS makes 156). The limit is on the 8-lane
        block's taps whatever the host: a 16-lane (AVX-512) block's are twice the bytes, but each of
        its filter loads feeds 12 pixels, not 6, so it keeps up reading them from L2."""
        geo = K.conv_geometry(loop, self.kernel) or self.matmul_as_conv(loop)
        if geo is None or len(loop.results) != 1 or band_bytes(geo) > _CONV_BAND_BYTES or filter_block_bytes(geo, 8) > _CONV_FILTER_BLOCK_BYTES:
            return None
        if any(self.kernel.types[n].element != "f32" for n in (geo.image_name, geo.filter_name, loop.results[0])):
            return None
        return geo

    def matmul_as_conv(self, loop: K.Loop) -> K.ConvGeometry | None:
        """A row-major matmul ``C[m, n] (+)= A[m, k] @ B[k, n]`` (no batch axis; m may be several
        loop dims that collapse, e.g. [batch, tokens]) as a 1x1 convolution: A's rows are the
        pixels of an image of rows of 64 pixels, k its channels, B the filter. The direct kernel
        then computes it without packing. A/B in one process (2-core Zen 4, matmul + relu, against
        OpenBLAS): 1024x512x2048 0.92, 1024x512x512 0.94, 1024x256x1024 0.89, 512x128x2048 0.85,
        4096x128x128 0.93; slower where k is small (1024x64x256 1.05), n small or ragged (x100
        1.03, x10 2.1), m small (256^3 1.28) or k past 512 (640: 1.01), which it leaves to BLAS:
        m a multiple of 64 with 8 rows, k in `_MATMUL_K`, n whole blocks of 32. Else None."""
        c = K.strided_contraction(loop, self.kernel.types)
        if c is None or c.batch or (c.a_strides, c.b_strides, c.c_strides) != ((c.k, 1), (c.n, 1), (c.n, 1)):
            return None
        w = _MATMUL_ROW_PIXELS
        if c.m % w or c.m // w < _MATMUL_MIN_ROWS or not _MATMUL_K[0] <= c.k <= _MATMUL_K[1] or c.n < _MATMUL_MIN_N or c.n % 32:
            return None
        a, b = loop.inputs
        return K.ConvGeometry((1, c.m // w, w, c.k), (1, 1, c.k, c.n), (1, c.m // w, w, c.n), (1, 1), (1, 1), (0, 0), a, b)

    def emit_conv(self, index: int, loop: K.Loop, geo: K.ConvGeometry) -> None:
        """A convolution step over images [lo, hi), or over output rows (image x row) [lo, hi) when
        there are few images (see `conv_rows`)."""
        out = loop.results[0]
        step, fn, b, bases = self.noalias_body(f"s{index}", [geo.image_name, geo.filter_name, out])
        lo, hi = fn.args[-2:]
        accumulate = self.accumulates.get(id(loop), True)
        by_rows = self.conv_rows(geo)
        emit_direct_conv(b, self.loop, bases[geo.image_name], bases[geo.filter_name], bases[out], lo, hi, geo, accumulate, by_rows, host_lanes())
        b.ret_void()
        n, oh = geo.output[:2]
        self.steps.append(Step(step, n * oh if by_rows else n, points=int(np.prod(loop.domain, dtype=np.int64))))

    @staticmethod
    def conv_rows(geo: K.ConvGeometry) -> bool:
        """Whether a direct convolution's step splits output rows (few images), not images."""
        return geo.output[0] < _CONV_ROW_SPLIT_IMAGES

    def streamed_results(self, loop: K.Loop, order: list[int]) -> list[int]:
        """The results of a light elementwise `loop` (no reduction, see `light`) it writes with
        streaming (non-temporal) stores, which skip the cache and the read of each line before it
        is written: those of at least `stream_bytes` (they leave the cache before anyone reads
        them), in memory, contiguous along the innermost loop, and not read by the loop itself (an
        in-place update's lines are already cached)."""
        if not self.stream_bytes or not loop.domain or loop.reduction_dims or not loop.outputs or not light(loop):
            return []
        n_in = len(loop.inputs)
        inner = order[-1]
        read = {self.root(n)[0] for n in [*loop.inputs, *loop.extra]}
        out = []
        for k, res in enumerate(loop.results):
            m, t = loop.maps[n_in + k], self.kernel.types[res]
            root, ref = self.root(res)
            if (self.value_bytes(res) < self.stream_bytes or ref.kind not in ("param", "result", "scratch") or root in read
                    or not m.results or m.results[-1] != K.Dim(inner) or inner in K.AffineMap(m.n_dims, m.results[:-1]).dims_used()
                    or t.element.startswith("complex")):  # fmt: skip
                continue
            out.append(k)
        return out

    @classmethod
    def strips(cls, b: ll.IRBuilder, start: ll.Value, stop: ll.Value, length: int, body: Callable[[ll.Value, ll.Value], None]) -> None:
        """[start, stop) cut into strips of `length` (the last one shorter): `body(first, end)` per
        strip (a group's blocks of rows, a streamed result's strips)."""
        size = ll.Constant(I64, length)
        n = b.sdiv(b.add(b.sub(stop, start), b.sub(size, ll.Constant(I64, 1))), size)

        def one(t: ll.Value) -> None:
            first = b.add(start, b.mul(t, size))
            end = b.add(first, size)
            body(first, b.select(b.icmp_signed("<", end, stop), end, stop))

        cls.loop(b, ll.Constant(I64, 0), n, one)

    def stream_copy(self) -> ll.Function:
        """``byteir_stream_copy(dst, src, n)``: copy `n` bytes, the whole cache lines of `dst` with
        streaming (non-temporal) stores (a partial line would be read back to merge), plain
        copies for the ragged ends."""
        name = "byteir_stream_copy"
        if name in self.decls:
            return self.decls[name]
        fn = self.declare(name, ll.VoidType(), [PTR, PTR, I64])
        fn.linkage = "internal"
        dst, src, n = fn.args
        for a in (dst, src):
            a.add_attribute("noalias")
        b = ll.IRBuilder(fn.append_basic_block("entry"))
        memcpy = self.intrinsic("llvm.memcpy", [PTR, PTR, I64])
        head = b.and_(b.sub(ll.Constant(I64, 0), b.ptrtoint(dst, I64)), ll.Constant(I64, 63))  # bytes to a cache line
        head = b.select(b.icmp_signed("<", head, n), head, n)
        b.call(memcpy, [dst, src, head, ll.Constant(I1, 0)])
        blocks = b.lshr(b.sub(n, head), ll.Constant(I64, 6))
        vec = ll.VectorType(I32, 8)
        nontemporal = self.module.add_metadata([ll.Constant(I32, 1)])

        def block(i: ll.Value) -> None:
            at = b.add(head, b.shl(i, ll.Constant(I64, 6)))
            for half in (0, 32):
                offset = b.add(at, ll.Constant(I64, half))
                value = b.load(b.gep(src, [offset], source_etype=I8), typ=vec)
                value.align = 4
                store = b.store(value, b.gep(dst, [offset], source_etype=I8))
                store.align = 32
                store.set_metadata("nontemporal", nontemporal)

        self.loop(b, ll.Constant(I64, 0), blocks, block)
        done = b.add(head, b.shl(blocks, ll.Constant(I64, 6)))
        b.call(memcpy, [b.gep(dst, [done], source_etype=I8), b.gep(src, [done], source_etype=I8), b.sub(n, done), ll.Constant(I1, 0)])
        b.ret_void()
        return fn

    def loop_accesses(self, loop: K.Loop) -> list[_Access]:
        """The memory `loop` reads and writes (constants aside), row by row where it can tell (a
        direct convolution's image too, read at computed indices: image n only for output image n)."""
        n_in = len(loop.inputs)
        conv = self.convs.get(id(loop))
        none = K.AffineMap(len(loop.domain), ())
        named: list[tuple[str, K.AffineMap | None, bool]] = [(n, loop.maps[i], i >= n_in) for i, n in enumerate([*loop.inputs, *loop.outputs])]
        named += [(r, loop.maps[n_in + k] if loop.outputs else none, True) for k, r in enumerate(loop.results)]
        named += [(x, None, False) for x in loop.extra]  # read at computed indices
        out = []
        for name, m, write in named:
            ref = self.buffer_ref(name)
            if ref is None:
                continue
            t = self.kernel.types[name]
            nbytes = self.value_bytes(name)
            rows = m is not None and m.row_local() and bool(t.shape) and t.shape[0] == loop.domain[0]
            rows = rows or (conv is not None and name == conv.image_name and t.shape[0] == loop.domain[0])
            out.append(_Access(ref[0], ref[1], ref[1] + nbytes, nbytes // t.shape[0] if rows else None, write, self.root(name)[0]))
        return out

    def library_accesses(self, call: dict, names: list[str], by_rows: tuple[bool, bool, bool]) -> tuple[int, list[_Access]]:
        """What a library step reads and writes (`names`: its a, b and c values; `by_rows`: which
        of them it reads or writes a row of the output's first dim at a time), and the rows of its
        output (images of a convolution, the output's first dim of a contraction) it can compute a
        block at a time (0: none), so loop steps after it may run on each block as it is done (an
        epilogue)."""
        t = self.kernel.types[names[2]]
        rows = t.shape[0] if t.shape and (call["op"] == "conv2d" or call.get("rows")) else 0
        if rows < 2:
            rows = 0
        accesses = []
        for key, row_wise, name in zip("abc", by_rows, names):
            slot, first = call[key]
            nbytes = self.value_bytes(name)
            accesses.append(_Access(slot, first, first + nbytes, nbytes // rows if row_wise and rows else None, key == "c", self.root(name)[0]))
        return rows, accesses

    def copy_accesses(self, target: str, source: str) -> list[_Access]:
        """What a whole-buffer copy reads and writes."""
        out = []
        for name, write in ((source, False), (target, True)):
            ref = self.buffer_ref(name)
            if ref is not None:
                out.append(_Access(ref[0], ref[1], ref[1] + self.value_bytes(target), None, write, self.root(name)[0]))
        return out

    def plan(self) -> list[_Planned]:
        """The kernel's steps in order, not yet emitted: a library call per contraction or
        convolution it can take, a copy per loop that must start from a copy of its init, a loop
        step per other loop (a zero fill only a library call reads becomes its "overwrite"), and
        a copy per result whose data lives elsewhere."""
        calls = {id(op): self.library_call(op) for op in self.kernel.ops if isinstance(op, K.Loop)}
        skipped_fills: set[int] = set()
        for op in self.kernel.loops():
            found = calls.get(id(op))
            if found is None and id(op) not in self.convs:
                continue
            fill = self.kernel.sole_zero_fill(op)
            if fill is not None:
                skipped_fills.add(id(fill))
                if found is not None:
                    found[0]["accumulate"] = False
                else:
                    self.accumulates[id(op)] = False
        plan: list[_Planned] = []
        for i, op in enumerate(self.kernel.ops):
            if isinstance(op, K.Loop) and id(op) in skipped_fills:
                continue
            found = calls.get(id(op)) if isinstance(op, K.Loop) else None
            if isinstance(op, K.Loop) and found is not None:
                rows, accesses = self.library_accesses(*found)
                plan.append(_Planned(i, op, library=found[0], rows=rows, accesses=accesses))
            elif isinstance(op, K.Loop):
                for res in op.results:
                    if res in self.buffers.init_copies:
                        copy = (res, self.buffers.init_copies[res])
                        plan.append(_Planned(i, copy=copy, accesses=self.copy_accesses(*copy)))
                split = bool(op.domain) and op.iterators[0] == "parallel" and op.domain[0] > 1
                if id(op) in self.convs and self.conv_rows(self.convs[id(op)]):
                    split = False  # its step runs over output rows, not images
                plan.append(_Planned(i, op, rows=op.domain[0] if split else 0, accesses=self.loop_accesses(op)))
            elif isinstance(op, K.HostOp):
                raise UnsupportedOpError(f"{self.kernel.name}: host op {op.name} cannot be compiled to LLVM")
            elif isinstance(op, K.View) and op.kind not in ("reshape", "bitcast"):
                raise UnsupportedOpError(f"{self.kernel.name}: view {op.kind} reached the cpu code generator (run views-to-loops)")
        for copy in self.result_copies:
            plan.append(_Planned(len(self.kernel.ops), copy=copy, accesses=self.copy_accesses(*copy)))
        return plan

    def runs(self, plan: list[_Planned]) -> list[list[int]]:
        """The steps of `plan` (indices) in runs that become one step: consecutive steps split over
        the same rows whose dependences on each other are row by row (each reads only the rows of
        the others' outputs it computes, e.g. a layernorm's mean, variance and normalisation) run
        all on a block of rows before the next block, so what one writes the next reads from
        cache, not memory; after a library step, they become its epilogue, run on each block of
        its output. The buffer plan's spans, where it has them, are the runs (it was made for
        them: see `block_locals`)."""
        if self.buffers.spans:
            span_of = {p: k for k, (lo, hi) in enumerate(self.buffers.spans) for p in range(lo, hi + 1)}
            runs: list[list[int]] = []
            for i, step in enumerate(plan):
                k = span_of.get(step.op) if step.rows else None
                if k is not None and runs and span_of.get(plan[runs[-1][0]].op) == k and plan[runs[-1][0]].rows:
                    runs[-1].append(i)
                else:
                    runs.append([i])
            return runs
        runs, run = [], []
        for i, step in enumerate(plan):
            joins = bool(run) and step.library is None and step.rows == plan[run[0]].rows
            if joins and any(a.conflicts(o) for m in run for a in step.accesses for o in plan[m].accesses):
                joins = False
            if not joins and run:
                runs.append(run)
                run = []
            if step.rows:
                run.append(i)
            else:
                runs.append([i])
        if run:
            runs.append(run)
        return runs

    def row_private(self, plan: list[_Planned], runs: list[list[int]]) -> list[dict[str, int]]:
        """For each run of loop steps: the values only it touches, each only row by row at one row
        size, with that size (bytes of a row)."""
        run_of = {i: k for k, run in enumerate(runs) for i in run}
        touched: dict[str, set[int]] = {}
        sizes: dict[str, set[int | None]] = {}
        for i, step in enumerate(plan):
            for a in step.accesses:
                touched.setdefault(a.root, set()).add(run_of[i])
                sizes.setdefault(a.root, set()).add(a.row_bytes)
        out: list[dict[str, int]] = []
        for k, run in enumerate(runs):
            found: dict[str, int] = {}
            if plan[run[0]].library is None and plan[run[0]].rows:
                for root in sorted({a.root for i in run for a in plan[i].accesses}):
                    row_bytes = next(iter(sizes[root]))
                    if touched[root] == {k} and len(sizes[root]) == 1 and row_bytes is not None:
                        found[root] = row_bytes
            out.append(found)
        return out

    def emit_group(self, members: list[Step], accesses: list[_Access], local: dict[str, int]) -> Step:
        """``<kernel>_g<i>(table, lo, hi)``: every member step over rows [r, r + block), block by
        block. The group's local values (name -> row bytes) live in its frame, a block of rows of
        each at a time: the members get a table whose slots for them point that block's rows there."""
        fn, b = self.new_function("g" + members[0].entry.rsplit("_s", 1)[-1])  # named for its first step
        table, lo, hi = fn.args
        rows = {(a.slot, a.first): a.row_bytes for a in accesses if a.row_bytes}
        block_rows = max(1, _GROUP_BLOCK_BYTES // max(sum(rows.values()), 1))
        if local:
            block_rows = max(1, min(block_rows, _LOCAL_BLOCK_BYTES // sum(local.values())))
        callees = []
        for m in members:
            callee = self.module.get_global(m.entry)
            # Called, not inlined: each member is register-allocated on its own. Inlined into one
            # loop nest, a heavy member's loop constants were rematerialised from the constant
            # pool (or rotated through registers) every iteration under its neighbours' register
            # pressure (A/B, same process: softmax 9.17 -> 8.32 ms, MNIST 3.96 -> 3.74, layernorm
            # 2.74 -> 2.69, the rest unchanged). A call per member per block costs nothing.
            callee.attributes.add("noinline")
            callees.append(callee)
        member_table = table
        frames: list[tuple[int, int, ll.Value]] = []  # (slot, row bytes, block buffer)
        if local:
            n_table = len(self.kernel.params) + len(self.kernel.results) + 1
            n_slots = n_table + sum(1 for r in self.buffers.refs.values() if r.kind == "local")
            member_table = b.alloca(PTR, size=ll.Constant(I64, n_slots))
            for slot in range(n_table):
                entry = b.load(b.gep(table, [ll.Constant(I64, slot)], source_etype=PTR), typ=PTR)
                b.store(entry, b.gep(member_table, [ll.Constant(I64, slot)], source_etype=PTR))
            for name, row_bytes in local.items():
                frames.append((self.buffer_ref(name)[0], row_bytes, self.frame(b, block_rows * row_bytes)))  # type: ignore[index]

        def body(start: ll.Value, end: ll.Value) -> None:
            for slot, row_bytes, frame in frames:  # row r of the value is at frame + (r - start) * row bytes
                shifted = b.gep(frame, [b.mul(start, ll.Constant(I64, -row_bytes))], source_etype=I8)
                b.store(shifted, b.gep(member_table, [ll.Constant(I64, slot)], source_etype=PTR))
            for callee in callees:
                b.call(callee, [member_table, start, end])

        self.strips(b, lo, hi, block_rows, body)
        b.ret_void()
        return Step(fn.name, members[0].extent, points=sum(m.points for m in members))

    def emit_copy(self, index: int, dst: str, src: str) -> None:
        fn, b = self.new_function(f"c{index}")
        table = fn.args[0]
        nbytes = self.value_bytes(dst)
        memcpy = self.intrinsic("llvm.memcpy", [PTR, PTR, I64])
        run_bb, done_bb = fn.append_basic_block("run"), fn.append_basic_block("done")
        b.cbranch(b.icmp_signed("==", fn.args[1], ll.Constant(I64, 0)), run_bb, done_bb)
        b.position_at_end(run_bb)
        b.call(memcpy, [self.base(b, table, dst), self.base(b, table, src), ll.Constant(I64, nbytes), ll.Constant(I1, 0)])
        b.branch(done_bb)
        b.position_at_end(done_bb)
        b.ret_void()
        self.steps.append(Step(fn.name, 1))

    def buffer_ref(self, name: str) -> list[int] | None:
        """[slot, byte offset] of a value in the buffer table, or None for constants."""
        slot = buffer_slot(self.buffers, len(self.kernel.params), len(self.kernel.results), name)
        return list(slot) if slot is not None else None

    def library_call(self, loop: K.Loop) -> tuple[dict, list[str], tuple[bool, bool, bool]] | None:
        """The library routine for an f32/f64 contraction over strided views of its operands
        (matmul, batched, transposed, head-split: see `K.strided_contraction`) or an NHWC x HWIO
        2-D convolution over buffers (one the direct kernel does not take); its a, b and c values;
        and which of them it touches a row of the output's first dim at a time. Else None (the
        loop is generated)."""
        types = self.kernel.types
        if loop.init_copy_needed(self.buffers) or len(loop.results) != 1 or id(loop) in self.convs:
            return None
        out = loop.results[0]
        geo = K.conv_geometry(loop, self.kernel)
        if geo is not None:
            names = [geo.image_name, geo.filter_name, out]
            by_rows = (True, False, True)
            call: dict = {"op": "conv2d", "a_shape": list(geo.image), "b_shape": list(geo.filter), "c_shape": list(geo.output),
                          "stride": list(geo.stride), "dilation": list(geo.dilation), "pad": list(geo.pad)}  # fmt: skip
        else:
            c = K.strided_contraction(loop, types)
            if c is None:
                return None
            names = [*loop.inputs, out]
            batch = list(c.batch)
            call = {"op": "contraction", "a_shape": [*batch, c.m, c.k], "b_shape": [*batch, c.k, c.n], "c_shape": [*batch, c.m, c.n],
                    "a_strides": list(c.a_strides), "b_strides": list(c.b_strides), "c_strides": list(c.c_strides),
                    **({"rows": list(c.rows)} if c.rows else {})}  # fmt: skip
            first = loop.maps[2].results[0]
            rows = types[out].shape[0]
            by_rows = tuple(bool(m.results) and m.results[0] == first and types[n].shape[0] == rows for m, n in zip(loop.maps, names))  # type: ignore[assignment]
        if {types[n].element for n in names} not in ({"f32"}, {"f64"}):
            return None
        refs = [self.buffer_ref(n) for n in names]
        if any(r is None for r in refs):
            return None
        return {"a": refs[0], "b": refs[1], "c": refs[2], "dtype": types[out].element, "accumulate": True, **call}, names, by_rows

    def generate(self) -> ll.Module:
        plan = self.plan()
        emitted: list[Step] = []
        for step in plan:
            if step.library is not None:
                self.steps.append(Step(f"library:{step.loop.name}", 1, step.library))  # type: ignore[union-attr]
            elif step.copy is not None:
                self.emit_copy(len(self.steps), *step.copy)
            else:
                self.emit_loop(len(self.steps), step.loop)  # type: ignore[arg-type]
            emitted.append(self.steps[-1])
        self.steps = []
        for run in self.runs(plan):
            first = emitted[run[0]]
            if len(run) == 1:
                self.steps.append(first)
            elif first.library is not None:
                self.steps.append(Step(first.entry, 1, {**first.library, "epilogue": [emitted[i].entry for i in run[1:]]}, first.points))
            else:
                accesses = [a for i in run for a in plan[i].accesses]
                local = {a.root: a.row_bytes for a in accesses if self.buffers.refs[a.root].kind == "local" and a.row_bytes}
                self.steps.append(self.emit_group([emitted[i] for i in run], accesses, local))
        return self.module


def _callees(fn: ll.Function) -> list[ll.Function]:
    return [i.callee for block in fn.blocks for i in block.instructions if isinstance(i, ll.CallInstr) and isinstance(i.callee, ll.Function)]


def module_parts(module: ll.Module, roots: list[ll.Function]) -> list[str]:
    """`module` as LLVM IR texts that link back into it, one per root function (a step): each
    defines its root, external, and a private copy of every other function the root reaches, and
    declares the roots it calls; every part has the module's constants (internal: unused ones go
    in LLVM's first passes) and declarations. A driver compiles the parts on several threads."""
    root_names = {f.name for f in roots}
    shared = [g for g in module.globals.values() if not isinstance(g, ll.Function) or not g.blocks]
    texts = []
    for i, root in enumerate(roots):
        part = ll.Module(name=f"{module.name}.{i}")
        part.triple, part.data_layout = module.triple, module.data_layout
        part.metadata, part.namedmetadata = module.metadata, module.namedmetadata  # (numbered as in the module)
        defined, called, pending = [], {}, [root]  # (called: the other roots it calls)
        while pending:
            fn = pending.pop()
            if fn in defined:
                continue
            defined.append(fn)
            for c in _callees(fn):
                if c.name in root_names:
                    if c is not root:
                        called[c.name] = c
                elif c.blocks:
                    pending.append(c)
        for g in shared:
            part.globals[g.name] = g
        for name, fn in called.items():
            ll.Function(part, fn.ftype, name=name)  # declared: another part defines it
        linkage = {fn.name: fn.linkage for fn in defined}
        for fn in defined:
            fn.linkage = "" if fn is root else "internal"
            part.globals[fn.name] = fn
        try:
            texts.append(str(part))
        finally:
            for fn in defined:
                fn.linkage = linkage[fn.name]
    return texts


def _gen(kernel: K.Kernel, stream_bytes: int = 0) -> _Gen:
    """The code generator of `kernel` (after the tensor stage), with its result copies."""
    lowered, copies = with_result_copies(kernel)
    return _Gen(lowered, lowered.buffers, copies, stream_bytes)  # type: ignore[arg-type]


def generate(kernel: K.Kernel, stream_bytes: int = 0) -> tuple[list[str], list[Step]]:
    """LLVM IR of `kernel` (after the tensor stage), in parts that link into one program (see
    `module_parts`), and its steps in order; elementwise results of at least `stream_bytes` (0:
    none) are written with streaming stores."""
    gen = _gen(kernel, stream_bytes)
    module = gen.generate()
    return module_parts(module, gen.entries), gen.steps


def block_locals(kernel: K.Kernel, buffers: KernelBuffers) -> tuple[list[str], list[tuple[int, int]]]:
    """The values of `kernel` (with `buffers`) that can live in the frame of the step group that
    touches them, a block of rows at a time, instead of in scratch: every access to them is by
    the one loop group's steps, row by row. Returns them and the op spans of the kernel's runs
    (groups and epilogues): with these locals, values a run touches must stay live across it,
    so the runs found here stay valid when scratch is packed again without the locals."""
    gen = _gen(K.Kernel(kernel.name, kernel.params, kernel.results, kernel.types, kernel.ops, buffers))
    plan = gen.plan()
    runs = gen.runs(plan)
    local: list[str] = []
    for run, private in zip(runs, gen.row_private(plan, runs)):
        if len(run) < 2:
            continue
        budget = _LOCAL_BLOCK_BYTES
        for root, row_bytes in sorted(private.items(), key=lambda item: -item[1]):  # the most bytes first
            if buffers.refs[root].kind == "scratch" and row_bytes <= budget:
                local.append(root)
                budget -= row_bytes
    if not local:
        return [], []
    spans = [(plan[run[0]].op, plan[run[-1]].op) for run in runs if len(run) > 1]
    return local, spans
