"""Kernel IR -> CUDA C: one ``__global__`` function per step of a kernel, each with its launch.

Every step takes the kernel's buffer table as arguments -- ``char* b0 .. b{n-1}``: params, then
results, then the scratch region -- and finds its values at fixed byte offsets in them. Steps:

* **elementwise / loop** (:meth:`_Gen.emit_loop`): one thread per point of the parallel dims
  (flattened, the last fastest, grid-stride), the reduction dims run in order inside the thread
  with the accumulators in registers;
* **block reduction** (:meth:`_Gen.emit_block_reduction`): a loop whose body is ``combine(acc,
  f(...))`` for an associative combiner (add, mul, max, min, and, or, xor) over >= 64 reduction
  points: one block per output point, threads stride over the reduction points, then a tree in
  shared memory;
* **GEMM** (:meth:`_Gen.emit_gemm`): a contraction (``K.contraction``: batched, B transposed)
  or an NHWC x HWIO convolution (``K.conv_geometry``, as an implicit GEMM) into an f32/f64/i32/i64
  accumulator: 64 x 64 tiles staged through shared memory, a 4 x 4 micro-tile per thread; with
  f16/bf16 operands and an f32 result on sm_80 and later, warp-level tensor-core MMA
  (``mma.sync.m16n8k16``) instead;
* **copy**: an init or result copy between buffers (a word-copy kernel, so a CUDA graph can
  hold it).

Values are computed as in the CPU target: f16 and bf16 in f32, rounded back after every op;
integer arithmetic wraps (done on unsigned types, so nothing is undefined behaviour), divisions
and shifts are guarded, float -> int conversions saturate. No headers are included: half
conversions and MMA are inline PTX.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.compiler.loop.evaluate import scalar_dtype
from byteir_sdk.compiler.tensor.bufferize import KernelBuffers, buffer_slot, value_root, with_result_copies
from byteir_sdk.errors import UnsupportedOpError

__all__ = ["generate", "Step", "SUPPORTED_TYPES", "arch_number"]

SUPPORTED_TYPES = frozenset({"i1", "i8", "i16", "i32", "i64", "ui8", "ui16", "ui32", "ui64", "f16", "bf16", "f32", "f64", "index"})

_SIGNED = {1: "bool", 8: "signed char", 16: "short", 32: "int", 64: "long long"}
_UNSIGNED = {1: "bool", 8: "unsigned char", 16: "unsigned short", 32: "unsigned int", 64: "unsigned long long"}
_FLOAT_C = {"f32": "float", "f64": "double", "f16": "float", "bf16": "float"}
_MATH = {"exp": "exp", "log": "log", "sqrt": "sqrt", "sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh", "erf": "erf",
         "expm1": "expm1", "log1p": "log1p", "cbrt": "cbrt", "floor": "floor", "ceil": "ceil", "roundeven": "rint",
         "round": "round", "absf": "fabs", "atan2": "atan2", "powf": "pow", "copysign": "copysign", "remf": "fmod",
         "maxnumf": "fmax", "minnumf": "fmin"}  # fmt: skip
_FCMP = {"oeq": "==", "ogt": ">", "oge": ">=", "olt": "<", "ole": "<=", "one": "!=", "ueq": "==", "ugt": ">", "uge": ">=",
         "ult": "<", "ule": "<=", "une": "!="}  # fmt: skip
_ICMP = {"eq": "==", "ne": "!=", "slt": "<", "sle": "<=", "sgt": ">", "sge": ">=", "ult": "<", "ule": "<=", "ugt": ">", "uge": ">="}

BLOCK = 256  # threads per block of loop kernels
REDUCE_MIN = 64  # reduction points from which a loop gets a block per output
TILE, TILE_K = 64, 16  # GEMM block tile (M and N) and k step

_PRELUDE = r"""
typedef unsigned short u16;
static __device__ __forceinline__ float bf16_load(u16 h) { return __uint_as_float(((unsigned int)h) << 16); }
static __device__ __forceinline__ u16 bf16_bits(float x) {
  unsigned int b = __float_as_uint(x);
  if (x != x) return (u16)((b >> 16) | 0x40u);
  return (u16)((b + 0x7FFFu + ((b >> 16) & 1u)) >> 16);
}
#ifdef __CUDA_ARCH__
static __device__ __forceinline__ float f16_load(u16 h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f; }
static __device__ __forceinline__ u16 f16_bits(float x) { u16 h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(x)); return h; }
static __device__ __forceinline__ u16 f16_bits_d(double x) { u16 h; asm("cvt.rn.f16.f64 %0, %1;" : "=h"(h) : "d"(x)); return h; }
#else  /* host compilation of the same source (the SDK's tests run it on the CPU) */
static __device__ __forceinline__ float f16_load(u16 h) { _Float16 f; __builtin_memcpy(&f, &h, 2); return (float)f; }
static __device__ __forceinline__ u16 f16_bits(float x) { _Float16 f = (_Float16)x; u16 h; __builtin_memcpy(&h, &f, 2); return h; }
static __device__ __forceinline__ u16 f16_bits_d(double x) { _Float16 f = (_Float16)x; u16 h; __builtin_memcpy(&h, &f, 2); return h; }
#endif
static __device__ __forceinline__ float round_f16(float x) { return f16_load(f16_bits(x)); }
static __device__ __forceinline__ float round_bf16(float x) { return bf16_load(bf16_bits(x)); }
static __device__ __forceinline__ float nan_max(float x, float y) {
  if (x != x || y != y) return __int_as_float(0x7fc00000);
  return x > y ? x : y > x ? y : __uint_as_float(__float_as_uint(x) & __float_as_uint(y));
}
static __device__ __forceinline__ float nan_min(float x, float y) {
  if (x != x || y != y) return __int_as_float(0x7fc00000);
  return x < y ? x : y < x ? y : __uint_as_float(__float_as_uint(x) | __float_as_uint(y));
}
static __device__ __forceinline__ double nan_max(double x, double y) {
  if (x != x || y != y) return __longlong_as_double(0x7ff8000000000000ll);
  return x > y ? x : y > x ? y : __longlong_as_double(__double_as_longlong(x) & __double_as_longlong(y));
}
static __device__ __forceinline__ double nan_min(double x, double y) {
  if (x != x || y != y) return __longlong_as_double(0x7ff8000000000000ll);
  return x < y ? x : y < x ? y : __longlong_as_double(__double_as_longlong(x) | __double_as_longlong(y));
}
template <class T> static __device__ __forceinline__ T int_min() { return (T)((unsigned long long)1 << (sizeof(T) * 8 - 1)); }
template <class T> static __device__ __forceinline__ T safe_divisor(T x, T y) { return (y == 0 || (x == int_min<T>() && y == (T)-1)) ? (T)1 : y; }
template <class T> static __device__ __forceinline__ T divs(T x, T y) { return (T)(x / safe_divisor(x, y)); }
template <class T> static __device__ __forceinline__ T rems(T x, T y) { return (x == int_min<T>() && y == (T)-1) ? (T)0 : (T)(x % safe_divisor(x, y)); }
template <class T> static __device__ __forceinline__ T floordivs(T x, T y) {
  T s = safe_divisor(x, y), q = (T)(x / s), r = (T)(x % s);
  return (r != 0 && ((r < 0) != (s < 0))) ? (T)(q - 1) : q;
}
template <class T> static __device__ __forceinline__ T ceildivs(T x, T y) {
  T s = safe_divisor(x, y), q = (T)(x / s), r = (T)(x % s);
  return (r != 0 && ((r < 0) == (s < 0))) ? (T)(q + 1) : q;
}
template <class T> static __device__ __forceinline__ T mods(T x, T y) {
  T s = safe_divisor(x, y), r = (T)(x % s);
  return (r != 0 && ((r < 0) != (s < 0))) ? (T)(r + s) : r;
}
template <class U> static __device__ __forceinline__ U divu(U x, U y) { return (U)(x / (y == 0 ? (U)1 : y)); }
template <class U> static __device__ __forceinline__ U remu(U x, U y) { return (U)(x % (y == 0 ? (U)1 : y)); }
static __device__ __forceinline__ long long clamp_index(long long i, long long n) { return i < 0 ? 0 : i > n ? n : i; }
"""


def arch_number(arch: str) -> int:
    """70 for ``sm_70`` (or ``compute_70``); ValueError for anything else."""
    head, _, digits = arch.partition("_")
    if head not in ("sm", "compute") or not digits.rstrip("a").isdigit():
        raise ValueError(f"not a CUDA architecture: {arch!r} (expected e.g. sm_90)")
    return int(digits.rstrip("a"))


@dataclass(frozen=True)
class Step:
    """One launch of a kernel, in order: a ``__global__`` function with its grid, block and static
    shared memory (bytes), run over the kernel's buffer table."""

    entry: str
    grid: tuple[int, int, int]
    block: tuple[int, int, int]
    shared: int = 0
    kind: str = "loop"  # "loop", "reduction", "gemm", "mma", "copy"

    def launch(self) -> dict:
        return {"entry": self.entry, "kind": self.kind, "grid": list(self.grid), "block": list(self.block), "shared": self.shared}


def _width(t: str) -> int:
    return 64 if t == "index" else int(t.removeprefix("ui").removeprefix("i"))


def _is_float(t: str) -> bool:
    return t in _FLOAT_C


def ctype(t: str) -> str:
    """The C type a value of Kernel IR type `t` is computed in."""
    if t in _FLOAT_C:
        return _FLOAT_C[t]
    if t not in SUPPORTED_TYPES:
        raise UnsupportedOpError(f"element type {t} is not supported by the cuda code generator")
    return (_UNSIGNED if t.startswith("ui") else _SIGNED)[_width(t)]


def storage(t: str) -> str:
    """The C type a tensor element of type `t` is stored as."""
    if t in ("f16", "bf16"):
        return "u16"
    if t == "i1":
        return "unsigned char"
    return ctype(t)


def from_storage(x: str, t: str) -> str:
    return {"f16": f"f16_load({x})", "bf16": f"bf16_load({x})", "i1": f"({x} != 0)"}.get(t, x)


def to_storage(x: str, t: str) -> str:
    return {"f16": f"f16_bits({x})", "bf16": f"bf16_bits({x})", "i1": f"(unsigned char)({x})"}.get(t, x)


def _literal(value: object, t: str) -> str:
    if _is_float(t):
        v = float(value)  # type: ignore[arg-type]
        c = _FLOAT_C[t]
        if np.isnan(v):
            return f"({c})__int_as_float(0x7fc00000)" if c == "float" else "__longlong_as_double(0x7ff8000000000000ll)"
        if np.isinf(v):
            inf = "__int_as_float(0x7f800000)" if c == "float" else "__longlong_as_double(0x7ff0000000000000ll)"
            return f"(-{inf})" if v < 0 else inf
        # the exact bits, so no decimal round trip can change the value
        if c == "float":
            return f"__int_as_float({int(np.array(v, np.float32).view(np.int32))})"
        return f"__longlong_as_double({int(np.array(v, np.float64).view(np.int64))}ll)"
    width = _width(t)
    if width == 1:
        return "true" if int(value) & 1 else "false"  # type: ignore[call-overload]
    v = int(value) & ((1 << width) - 1)  # type: ignore[call-overload]
    if not t.startswith("ui") and v >= 1 << (width - 1):
        v -= 1 << width
    return f"(({ctype(t)}){v}{'ull' if t.startswith('ui') else 'll'})"


def _signed_view(x: str, t: str) -> str:
    return f"({x} ? -1 : 0)" if t == "i1" else f"(({_SIGNED[_width(t)]}){x})"


def _unsigned_view(x: str, t: str) -> str:
    return f"((unsigned){x})" if t == "i1" else f"(({_UNSIGNED[_width(t)]}){x})"


def _saturate(x: str, signed: bool, t: str, from_t: str) -> str:
    """Float -> integer, toward zero, saturating, NaN -> 0 (as LLVM's fptosi.sat / fptoui.sat)."""
    width = _width(t)
    c = _FLOAT_C[from_t]
    to = ctype(t)
    if signed:
        lo, hi = -(2 ** (width - 1)), 2 ** (width - 1)
        smin, smax = _literal(lo, t) if width > 1 else "true", _literal(hi - 1, t) if width > 1 else "false"
        inner = f"(({_SIGNED[64] if width > 32 else 'int'})({x}))"
        return f"(({x}) != ({x}) ? ({to})0 : ({x}) <= ({c}){lo}.0 ? {smin} : ({x}) >= ({c}){hi}.0 ? {smax} : ({to}){inner})"
    hi = 2**width
    inner = f"(({'unsigned long long' if width > 32 else 'unsigned int'})({x}))"
    return f"(!(({x}) > ({c})0) ? ({to})0 : ({x}) >= ({c}){hi}.0 ? ({to}){_literal(hi - 1, t)} : ({to}){inner})"


def scalar_op(name: str, args: list[str], arg_types: list[str], t: str) -> str:
    """C expression of Kernel IR scalar op `name` over C expressions `args` (typed `arg_types`),
    yielding a value of type `t`. f16/bf16 results are rounded here only by the ops of
    K.SELF_ROUNDING_OPS (conversions); the caller rounds the others."""
    a = args[0]
    at = arg_types[0]
    c = ctype(t)
    if name.startswith("cmpf."):
        pred = name[5:]
        if pred in ("true", "false"):
            return pred
        x, y = a, args[1]
        if pred == "ord":
            return f"(({x}) == ({x}) && ({y}) == ({y}))"
        if pred == "uno":
            return f"(({x}) != ({x}) || ({y}) != ({y}))"
        test = f"(({x}) {_FCMP[pred]} ({y}))"
        if pred == "one":
            return f"({test} && ({x}) == ({x}) && ({y}) == ({y}))"
        return f"(!(!{test} && ({x}) == ({x}) && ({y}) == ({y})))" if pred.startswith("u") and pred != "une" else test
    if name.startswith("cmpi."):
        pred = name[5:]
        view = _unsigned_view if pred in ("ult", "ule", "ugt", "uge") else _signed_view
        return f"({view(a, at)} {_ICMP[pred]} {view(args[1], at)})"
    if name == "select":
        return f"(({a}) ? ({args[1]}) : ({args[2]}))"
    if at.startswith("complex") or t.startswith("complex"):
        raise UnsupportedOpError(f"complex op {name} is not supported by the cuda code generator")
    is_f = _is_float(at)
    if name in ("add", "sub", "mul") and is_f:
        return f"(({a}) {'+' if name == 'add' else '-' if name == 'sub' else '*'} ({args[1]}))"
    if name in ("add", "sub", "mul", "and", "or", "xor"):
        op = {"add": "+", "sub": "-", "mul": "*", "and": "&", "or": "|", "xor": "^"}[name]
        if at == "i1":
            return {"add": f"(({a}) != ({args[1]}))", "sub": f"(({a}) != ({args[1]}))", "mul": f"(({a}) && ({args[1]}))",
                    "and": f"(({a}) && ({args[1]}))", "or": f"(({a}) || ({args[1]}))", "xor": f"(({a}) != ({args[1]}))"}[name]  # fmt: skip
        return f"(({c})({_unsigned_view(a, at)} {op} {_unsigned_view(args[1], at)}))"
    if name == "neg":
        return f"(-({a}))" if is_f else f"(({c})(0ull - (unsigned long long){_unsigned_view(a, at)}))"
    if name == "divf":
        return f"(({a}) / ({args[1]}))"
    if name in ("divs", "rems", "floordivs", "ceildivs", "mods"):
        s = _SIGNED[_width(at)]
        return f"(({c}){name}<{s}>(({s})({a}), ({s})({args[1]})))"
    if name in ("divu", "remu"):
        u = _UNSIGNED[_width(at)]
        return f"(({c}){name}<{u}>(({u})({a}), ({u})({args[1]})))"
    if name in ("maximumf", "minimumf"):
        return f"nan_{name[:3]}(({a}), ({args[1]}))"
    if name in ("maxs", "mins", "maxu", "minu"):
        view = _signed_view if name[-1] == "s" else _unsigned_view
        op = ">" if name.startswith("max") else "<"
        return f"(({view(a, at)} {op} {view(args[1], at)}) ? ({a}) : ({args[1]}))"
    if name in ("shl", "shrs", "shru"):
        w = _width(at)
        amount = _unsigned_view(args[1], at)
        if name == "shl":
            return f"({amount} >= {w}u ? ({c})0 : ({c})({_unsigned_view(a, at)} << {amount}))"
        if name == "shru":
            return f"({amount} >= {w}u ? ({c})0 : ({c})({_unsigned_view(a, at)} >> {amount}))"
        return f"(({c})({_signed_view(a, at)} >> ({amount} >= {w}u ? {w - 1}u : {amount})))"
    if name == "absi":
        return f"(({a}) < 0 ? ({c})(0ull - (unsigned long long){_unsigned_view(a, at)}) : ({a}))"
    if name == "ctpop":
        w = _width(at)
        return f"(({c})__popc{'ll' if w == 64 else ''}({_unsigned_view(a, at)}))"
    if name == "ctlz":
        w = _width(at)
        if w == 64:
            return f"(({c})__clzll((long long){a}))"
        return f"(({c})(__clz((int)(unsigned int){_unsigned_view(a, at)}) - {32 - w}))"
    if name == "rsqrt":
        return f"(({c})1 / sqrt({a}))"
    if name in _MATH:
        fn = _MATH[name] + ("f" if _FLOAT_C[at] == "float" else "")
        return f"{fn}({', '.join(args)})"
    if name in ("sitofp", "uitofp"):
        view = (_signed_view if name == "sitofp" else _unsigned_view)(a, at)
        if t == "f16":  # one rounding, straight to half
            return f"f16_load(f16_bits_d((double){view}))"
        if t == "bf16":
            return f"bf16_load(bf16_bits((float)(double){view}))"
        return f"(({c}){view})"
    if name in ("fptosi", "fptoui"):
        return _saturate(a, name == "fptosi", t, at)
    if name in ("extf", "truncf"):
        if at == "f64" and t == "f16":
            return f"f16_load(f16_bits_d({a}))"  # one rounding, straight to half
        return f"round_{t}((float)({a}))" if t in ("f16", "bf16") else f"(({c})({a}))"
    if name in ("extsi", "extui", "trunci", "index_cast", "index_castui"):
        if t == "i1":
            return f"((({_unsigned_view(a, at)}) & 1) != 0)"
        view = _unsigned_view if name in ("extui", "index_castui") else _signed_view
        return f"(({c}){view(a, at)})"
    if name == "bitcast":
        return _bitcast(a, at, t)
    raise UnsupportedOpError(f"scalar op {name} ({at} -> {t}) is not supported by the cuda code generator")


def _bitcast(a: str, at: str, t: str) -> str:
    floats = {"f32": f"__float_as_uint({a})", "f64": f"(unsigned long long)__double_as_longlong({a})", "f16": f"f16_bits({a})", "bf16": f"bf16_bits({a})"}
    bits = floats[at] if at in floats else _unsigned_view(a, at)
    if t == "f32":
        return f"__uint_as_float((unsigned int){bits})"
    if t == "f64":
        return f"__longlong_as_double((long long){bits})"
    if t in ("f16", "bf16"):
        return f"{t}_load((u16){bits})"
    return f"(({ctype(t)}){bits})"


def _gemm_grid(g: dict) -> tuple[int, int, int]:
    """Blocks of a GEMM step: N tiles, M tiles, batch."""
    return -(-g["n"] // TILE), -(-g["m"] // TILE), g["batch"]


def _fits(g: dict) -> dict | None:
    """`g` when its grid fits CUDA's y / z limits (65535), else None (the loop kernel runs it)."""
    _, y, z = _gemm_grid(g)
    return g if y <= 65535 and z <= 65535 else None


def _load_into(code: str, target: str, macro: str) -> str:
    """A GEMM operand loader (``RAW(in bounds, element)`` statements) storing into `target` through `macro`."""
    return "{ " + code.replace("RAW(", f"{target} = {macro}(") + " }"


@dataclass
class _Body:
    """C statements of one scalar body, a value per expression node (each computed once)."""

    gen: _Gen
    loop: K.Loop
    ivs: list[str]
    lines: list[str]
    acc: dict[int, str] = field(default_factory=dict)  # output k -> the C variable holding its running value
    cache: dict[int, tuple[str, str]] = field(default_factory=dict)

    def value(self, e: K.Expr) -> tuple[str, str]:
        key = id(e)
        if key in self.cache:
            return self.cache[key]
        kernel, loop, n_in = self.gen.kernel, self.loop, len(self.loop.inputs)
        operands = [*loop.inputs, *loop.outputs]
        if isinstance(e, K.Arg):
            if e.index >= len(operands):
                raise UnsupportedOpError(f"{kernel.name}: loop body reads a missing operand")
            name = operands[e.index]
            t = kernel.types[name].element
            if e.index >= n_in and (e.index - n_in) in self.acc:
                out = (self.acc[e.index - n_in], t)
            else:
                out = (self.gen.load(name, self.gen.linear(loop.maps[e.index], kernel.types[name].shape, self.ivs)), t)
        elif isinstance(e, K.Index):
            out = (self.ivs[e.dim], "index")
        elif isinstance(e, K.Lit):
            out = (_literal(e.value, e.type), e.type)
        elif isinstance(e, K.Extract):
            src = loop.extra[e.operand]
            shape = kernel.types[src].shape
            terms, stride = [], 1
            for size, idx in reversed(list(zip(shape, e.indices))):
                v, vt = self.value(idx)
                wide = f"(long long){_unsigned_view(v, vt)}" if vt.startswith("ui") or vt == "i1" else f"(long long)({v})"
                terms.append(f"clamp_index({wide}, {max(size - 1, 0)}ll) * {stride}ll")
                stride *= size
            out = (self.gen.load(src, " + ".join(terms) or "0"), e.type)
        elif isinstance(e, K.Cond):
            c, _ = self.value(e.cond)
            x, xt = self.value(e.then[e.result])
            y, _ = self.value(e.otherwise[e.result])
            out = (f"(({c}) ? ({x}) : ({y}))", xt)
        else:
            vals = [self.value(a) for a in e.args]
            text = scalar_op(e.name, [v for v, _ in vals], [t for _, t in vals], e.type)
            if e.type in ("f16", "bf16") and e.name not in K.SELF_ROUNDING_OPS:
                text = f"round_{e.type}({text})"
            out = (text, e.type)
        if not isinstance(e, (K.Index, K.Lit)):
            var = f"v{len(self.lines)}_{len(self.cache)}"
            self.lines.append(f"{ctype(out[1])} {var} = {out[0]};")
            out = (var, out[1])
        self.cache[key] = out
        return out


class _Gen:
    def __init__(self, kernel: K.Kernel, buffers: KernelBuffers, arch: int, result_copies: list[tuple[str, str]]) -> None:
        self.kernel = kernel
        self.buffers = buffers
        self.result_copies = result_copies  # (target, source) copies after the ops
        self.arch = arch
        self.steps: list[Step] = []
        self.functions: list[str] = []
        self.constants: dict[str, str] = {}  # value name -> global symbol
        self.n_slots = len(kernel.params) + len(kernel.results) + 1

    # ------------------------------------------------------------------ buffers
    def pointer(self, name: str) -> str:
        """A C expression of `name`'s first byte: a table slot at an offset, or a constant's global."""
        slot = buffer_slot(self.buffers, len(self.kernel.params), len(self.kernel.results), name)
        if slot is None:
            return self.constant(value_root(self.buffers, name))
        index, offset = slot
        return f"(b{index} + {offset})" if offset else f"b{index}"

    def constant(self, name: str) -> str:
        if name not in self.constants:
            op = next(o for o in self.kernel.ops if isinstance(o, K.Const) and o.result == name)
            t = self.kernel.types[name]
            data = np.ascontiguousarray(op.value.reshape(t.shape).astype(scalar_dtype(t.element), copy=False)).tobytes() or b"\0"
            symbol = f"const_{len(self.constants)}"
            words = ",".join(str(b) for b in data)
            self.functions.insert(0, f"__device__ __align__(16) unsigned char {symbol}[{len(data)}] = {{{words}}};")
            self.constants[name] = symbol
        return f"((char*){self.constants[name]})"

    def load(self, name: str, index: str) -> str:
        t = self.kernel.types[name].element
        return from_storage(f"(({storage(t)}*){self.pointer(name)})[{index}]", t)

    def store(self, name: str, index: str, value: str) -> str:
        t = self.kernel.types[name].element
        return f"(({storage(t)}*){self.pointer(name)})[{index}] = {to_storage(value, t)};"

    @staticmethod
    def affine(e: K.AffineExpr, ivs: list[str]) -> str:
        if isinstance(e, K.Dim):
            return ivs[e.index]
        if isinstance(e, K.Cst):
            return f"{e.value}ll"
        lhs, rhs = _Gen.affine(e.lhs, ivs), _Gen.affine(e.rhs, ivs)
        if e.kind in ("+", "*"):
            return f"({lhs} {e.kind} {rhs})"
        return f"{ {'floordiv': 'floordivs', 'ceildiv': 'ceildivs', 'mod': 'mods'}[e.kind]}<long long>({lhs}, {rhs})"

    def linear(self, m: K.AffineMap, shape: tuple[int, ...], ivs: list[str]) -> str:
        terms, stride = [], 1
        for size, expr in reversed(list(zip(shape, m.results))):
            terms.append(f"{self.affine(expr, ivs)} * {stride}ll" if stride != 1 else self.affine(expr, ivs))
            stride *= size
        return " + ".join(terms) or "0"

    def signature(self, name: str, threads: int) -> str:
        params = ", ".join(f"char* b{i}" for i in range(self.n_slots))
        return f'extern "C" __global__ void __launch_bounds__({threads}) {name}({params})'

    def add_step(self, kind: str, body: list[str], grid: tuple[int, int, int], block: tuple[int, int, int], shared: int = 0) -> None:
        name = f"{self.kernel.name}_s{len(self.steps)}"
        self.functions.append("\n".join([self.signature(name, block[0] * block[1] * block[2]) + " {", *("  " + line for line in body), "}"]))
        self.steps.append(Step(name, grid, block, shared, kind))

    # ------------------------------------------------------------------ steps
    @staticmethod
    def decompose(var: str, dims: list[int], domain: tuple[int, ...], ivs: list[str]) -> list[str]:
        """Statements setting ``i<d>`` for `dims` from the flat index `var` (the last dim fastest)."""
        lines = [f"long long rem_{var} = {var};"]
        for d in reversed(dims):
            lines.append(f"const long long {ivs[d]} = rem_{var} % {domain[d]}ll; rem_{var} /= {domain[d]}ll;")
        return lines

    def emit_loop(self, loop: K.Loop) -> None:
        """One thread per parallel point; reductions in order inside it, accumulators in registers."""
        n_in = len(loop.inputs)
        ivs = [f"i{d}" for d in range(len(loop.domain))]
        par, red = loop.parallel_dims, loop.reduction_dims
        points = int(np.prod([loop.domain[d] for d in par], dtype=np.int64))
        if points == 0:
            return
        out_maps = loop.maps[n_in:]
        in_registers = bool(loop.outputs) and all(not (m.dims_used() & set(red)) for m in out_maps)
        lines = ["for (long long p = blockIdx.x * (long long)blockDim.x + threadIdx.x; p < %dll; p += (long long)gridDim.x * blockDim.x) {" % points]
        inner: list[str] = self.decompose("p", par, loop.domain, ivs)
        acc: dict[int, str] = {}
        if in_registers:
            for k, out in enumerate(loop.outputs):
                if any(K.reads_outputs(e, n_in) for e in loop.body):
                    t = self.kernel.types[out].element
                    inner.append(f"{ctype(t)} acc{k} = {self.load(out, self.linear(loop.maps[n_in + k], self.kernel.types[out].shape, ivs))};")
                    acc[k] = f"acc{k}"
        body: list[str] = []
        b = _Body(self, loop, ivs, body, acc=dict(acc))
        values = [b.value(e) for e in loop.body]
        stores = []
        for k, ((value, _), res) in enumerate(zip(values, loop.results)):
            m = loop.maps[n_in + k] if loop.outputs else K.AffineMap(len(loop.domain), ())
            index = self.linear(m, self.kernel.types[res].shape, ivs) if m.results else "0"
            if in_registers and red:
                if k not in acc:  # a result the body does not accumulate: its last value wins
                    t = self.kernel.types[res].element
                    inner.append(f"{ctype(t)} acc{k} = ({ctype(t)})0;")
                    acc[k] = f"acc{k}"
                body.append(f"{acc[k]} = {value};")
                stores.append(self.store(res, index, acc[k]))
            else:
                body.append(self.store(res, index, value))
        opened = 0
        for d in red:
            inner.append(f"for (long long {ivs[d]} = 0; {ivs[d]} < {loop.domain[d]}ll; ++{ivs[d]}) {{")
            opened += 1
        inner += ["  " * opened + line for line in body] + ["}"] * opened + stores
        lines += ["  " + line for line in inner] + ["}"]
        threads = min(BLOCK, max(32, -(-points // 32) * 32))
        self.add_step("loop", lines, (max(1, min(-(-points // threads), 1 << 20)), 1, 1), (threads, 1, 1))

    def block_reduction(self, loop: K.Loop) -> tuple[str, K.Expr] | None:
        """(combiner, the reduced expression) when `loop` may run as a block reduction: one output,
        ``acc <op> f`` with an associative op (K.accumulations), >= REDUCE_MIN reduction points."""
        n_in = len(loop.inputs)
        if len(loop.results) != 1 or not loop.reduction_dims or any(m.dims_used() & set(loop.reduction_dims) for m in loop.maps[n_in:]):
            return None
        plan = K.accumulations(loop)
        if plan is None or int(np.prod([loop.domain[d] for d in loop.reduction_dims], dtype=np.int64)) < REDUCE_MIN:
            return None
        return plan[0]

    def emit_block_reduction(self, loop: K.Loop, combiner: str, reduced: K.Expr) -> None:
        """A block per output point: threads stride over the reduction points, then a shared-memory tree."""
        n_in = len(loop.inputs)
        out, res = loop.outputs[0], loop.results[0]
        t = self.kernel.types[res].element
        c = ctype(t)
        ivs = [f"i{d}" for d in range(len(loop.domain))]
        par, red = loop.parallel_dims, loop.reduction_dims
        points = int(np.prod([loop.domain[d] for d in par], dtype=np.int64))
        rpoints = int(np.prod([loop.domain[d] for d in red], dtype=np.int64))
        if points == 0:
            return
        threads = min(BLOCK, 1 << max(5, (rpoints - 1).bit_length()))

        def combine(x: str, y: str) -> str:
            text = scalar_op(combiner, [x, y], [t, t], t)
            return f"round_{t}({text})" if t in ("f16", "bf16") else text

        body: list[str] = []
        value, _ = _Body(self, loop, ivs, body).value(reduced)
        total = combine("init", "red_v[0]")
        final = self.store(res, self.linear(loop.maps[n_in], self.kernel.types[res].shape, ivs), f"red_h[0] ? {total} : init")
        lines = [f"__shared__ {c} red_v[{threads}];", f"__shared__ bool red_h[{threads}];", "const int tid = threadIdx.x;",
                 f"for (long long p = blockIdx.x; p < {points}ll; p += gridDim.x) {{",
                 *("  " + s for s in self.decompose("p", par, loop.domain, ivs)),
                 f"  {c} part = ({c})0; bool have = false;",
                 f"  for (long long r = tid; r < {rpoints}ll; r += {threads}) {{",
                 *("    " + s for s in self.decompose("r", red, loop.domain, ivs)),
                 *("    " + s for s in body),
                 f"    part = have ? {combine('part', value)} : {value}; have = true;",
                 "  }",
                 "  red_v[tid] = part; red_h[tid] = have;",
                 "  __syncthreads();",
                 f"  for (int s = {threads // 2}; s > 0; s >>= 1) {{",
                 "    if (tid < s && red_h[tid + s]) {",
                 f"      red_v[tid] = red_h[tid] ? {combine('red_v[tid]', 'red_v[tid + s]')} : red_v[tid + s]; red_h[tid] = true;",
                 "    }",
                 "    __syncthreads();",
                 "  }",
                 "  if (tid == 0) {",
                 f"    {c} init = {self.load(out, self.linear(loop.maps[n_in], self.kernel.types[out].shape, ivs))};",
                 f"    {final}",
                 "  }",
                 "  __syncthreads();",
                 "}"]  # fmt: skip
        self.add_step("reduction", lines, (max(1, min(points, 1 << 20)), 1, 1), (threads, 1, 1), threads * (np.dtype(scalar_dtype(t)).itemsize + 1))

    def gemm(self, loop: K.Loop) -> dict | None:
        """The GEMM a contraction or convolution loop maps to (operands, sizes, loaders), else None."""
        kernel = self.kernel
        if loop.init_copy_needed(self.buffers) or len(loop.results) != 1:
            return None
        out = loop.results[0]
        acc_t = kernel.types[out].element
        if acc_t not in ("f32", "f64", "i32", "i64"):
            return None
        geo = K.conv_geometry(loop, kernel)
        if geo is not None:
            in_t = kernel.types[geo.image_name].element
            n, h, w, c = geo.image
            kh, kw, _, f = geo.filter
            _, oh, ow, _ = geo.output
            image, filt = self.pointer(geo.image_name), self.pointer(geo.filter_name)
            load_a = (f"const long long ow_ = m % {ow}ll, oh_ = (m / {ow}ll) % {oh}ll, n_ = m / {ow * oh}ll;"
                      f" const long long c_ = k % {c}ll, kw_ = (k / {c}ll) % {kw}ll, kh_ = k / {c * kw}ll;"
                      f" const long long ih = oh_ * {geo.stride[0]}ll + kh_ * {geo.dilation[0]}ll - {geo.pad[0]}ll;"
                      f" const long long iw = ow_ * {geo.stride[1]}ll + kw_ * {geo.dilation[1]}ll - {geo.pad[1]}ll;"
                      f" const bool inside = ih >= 0 && ih < {h}ll && iw >= 0 && iw < {w}ll;"
                      f" RAW(inside, (({storage(in_t)}*){image})[((n_ * {h}ll + ih) * {w}ll + iw) * {c}ll + c_]);")  # fmt: skip
            load_b = f"RAW(true, (({storage(in_t)}*){filt})[k * {f}ll + n]);"
            return _fits({"batch": 1, "m": n * oh * ow, "n": f, "k": kh * kw * c, "in": in_t, "acc": acc_t, "out": out, "load_a": load_a, "load_b": load_b})
        con = K.contraction(loop, kernel.types)
        if con is None:
            return None
        in_t = kernel.types[loop.inputs[0]].element
        a, b = self.pointer(loop.inputs[0]), self.pointer(loop.inputs[1])
        b_index = f"(bz * {con.n}ll + n) * {con.k}ll + k" if con.b_transposed else f"(bz * {con.k}ll + k) * {con.n}ll + n"
        return _fits({"batch": con.batch, "m": con.m, "n": con.n, "k": con.k, "in": in_t, "acc": acc_t, "out": out,
                "load_a": f"RAW(true, (({storage(in_t)}*){a})[(bz * {con.m}ll + m) * {con.k}ll + k]);",
                "load_b": f"RAW(true, (({storage(in_t)}*){b})[{b_index}]);"})  # fmt: skip

    def emit_gemm(self, g: dict) -> None:
        """C (+)= A @ B over 64 x 64 tiles: shared-memory staging, a 4 x 4 micro-tile per thread."""
        in_t, acc_t = g["in"], g["acc"]
        c = ctype(acc_t)
        conv = f"(({c}){from_storage('raw_', in_t)})"

        def mac(acc: str, x: str, y: str) -> str:
            if _is_float(acc_t):
                return f"{acc} += {x} * {y};"
            u = _UNSIGNED[_width(acc_t)]
            return f"{acc} = ({c})(({u}){acc} + ({u}){x} * ({u}){y});"

        out = g["out"]
        if not g.get("accumulate", True):
            result = "acc[i][j]"
        elif _is_float(acc_t):
            result = "C[(bz * M + m) * N + n] + acc[i][j]"
        else:
            u = _UNSIGNED[_width(acc_t)]
            result = f"({c})(({u})C[(bz * M + m) * N + n] + ({u})acc[i][j])"
        lines = [
            f"#define LOADED(ok, raw_) ((ok) ? {conv} : ({c})0)",
            f"__shared__ {c} As[{TILE_K}][{TILE + 1}];",
            f"__shared__ {c} Bs[{TILE_K}][{TILE + 1}];",
            f"const long long M = {g['m']}ll, N = {g['n']}ll, K = {g['k']}ll, bz = blockIdx.z;",
            f"const long long m0 = (long long)blockIdx.y * {TILE}, n0 = (long long)blockIdx.x * {TILE};",
            "const int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;",
            f"{c} acc[4][4];",
            f"for (int i = 0; i < 4; ++i) for (int j = 0; j < 4; ++j) acc[i][j] = ({c})0;",
            f"for (long long k0 = 0; k0 < K; k0 += {TILE_K}) {{",
            f"  for (int e = threadIdx.x; e < {TILE * TILE_K}; e += 256) {{",
            "    { const long long m = m0 + (e >> 4), k = k0 + (e & 15);",
            f"      if (m < M && k < K) {_load_into(g['load_a'], 'As[e & 15][e >> 4]', 'LOADED')} else As[e & 15][e >> 4] = ({c})0; }}",
            "    { const long long k = k0 + (e >> 6), n = n0 + (e & 63);",
            f"      if (k < K && n < N) {_load_into(g['load_b'], 'Bs[e >> 6][e & 63]', 'LOADED')} else Bs[e >> 6][e & 63] = ({c})0; }}",
            "  }",
            "  __syncthreads();",
            "#pragma unroll",
            f"  for (int kk = 0; kk < {TILE_K}; ++kk) {{",
            f"    {c} a[4], b[4];",
            "    for (int i = 0; i < 4; ++i) { a[i] = As[kk][ty + 16 * i]; b[i] = Bs[kk][tx + 16 * i]; }",
            f"    for (int i = 0; i < 4; ++i) for (int j = 0; j < 4; ++j) {{ {mac('acc[i][j]', 'a[i]', 'b[j]')} }}",
            "  }",
            "  __syncthreads();",
            "}",
            f"{c}* C = ({c}*){self.pointer(out)};",
            "for (int i = 0; i < 4; ++i) for (int j = 0; j < 4; ++j) {",
            "  const long long m = m0 + ty + 16 * i, n = n0 + tx + 16 * j;",
            f"  if (m < M && n < N) C[(bz * M + m) * N + n] = {result};",
            "}",
            "#undef LOADED",
        ]  # fmt: skip
        self.add_step("gemm", lines, _gemm_grid(g), (256, 1, 1), 2 * TILE_K * (TILE + 1) * np.dtype(scalar_dtype(acc_t)).itemsize)

    def emit_mma(self, g: dict) -> None:
        """f16/bf16 x f16/bf16 -> f32 on tensor cores: 64 x 64 block tiles, four warps of 32 x 32, each
        two m16 x four n8 ``mma.sync.m16n8k16`` tiles per 16-deep k step, operands staged in shared memory."""
        kind = "f16" if g["in"] == "f16" else "bf16"

        out = g["out"]
        lines = [
            "#define RAWBITS(ok, raw_) ((ok) ? (u16)(raw_) : (u16)0)",
            f"__shared__ u16 As[{TILE}][{TILE_K + 8}];",
            f"__shared__ u16 Bs[{TILE_K}][{TILE + 8}];",
            f"const long long M = {g['m']}ll, N = {g['n']}ll, K = {g['k']}ll, bz = blockIdx.z;",
            f"const long long m0 = (long long)blockIdx.y * {TILE}, n0 = (long long)blockIdx.x * {TILE};",
            "const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t = lane & 3;",
            "const int wm = (warp >> 1) * 32, wn = (warp & 1) * 32;",
            "float acc[2][4][4];",
            "for (int i = 0; i < 2; ++i) for (int j = 0; j < 4; ++j) for (int r = 0; r < 4; ++r) acc[i][j][r] = 0.0f;",
            f"for (long long k0 = 0; k0 < K; k0 += {TILE_K}) {{",
            f"  for (int e = threadIdx.x; e < {TILE * TILE_K}; e += 128) {{",
            "    { const long long m = m0 + (e >> 4), k = k0 + (e & 15);",
            f"      if (m < M && k < K) {_load_into(g['load_a'], 'As[e >> 4][e & 15]', 'RAWBITS')} else As[e >> 4][e & 15] = 0; }}",
            "    { const long long k = k0 + (e >> 6), n = n0 + (e & 63);",
            f"      if (k < K && n < N) {_load_into(g['load_b'], 'Bs[e >> 6][e & 63]', 'RAWBITS')} else Bs[e >> 6][e & 63] = 0; }}",
            "  }",
            "  __syncthreads();",
            "  unsigned int a[2][4], b[4][2];",
            "  for (int i = 0; i < 2; ++i) {",
            "    const int r = wm + 16 * i + g;",
            "    a[i][0] = As[r][2 * t] | ((unsigned int)As[r][2 * t + 1] << 16);",
            "    a[i][1] = As[r + 8][2 * t] | ((unsigned int)As[r + 8][2 * t + 1] << 16);",
            "    a[i][2] = As[r][2 * t + 8] | ((unsigned int)As[r][2 * t + 9] << 16);",
            "    a[i][3] = As[r + 8][2 * t + 8] | ((unsigned int)As[r + 8][2 * t + 9] << 16);",
            "  }",
            "  for (int j = 0; j < 4; ++j) {",
            "    const int col = wn + 8 * j + g;",
            "    b[j][0] = Bs[2 * t][col] | ((unsigned int)Bs[2 * t + 1][col] << 16);",
            "    b[j][1] = Bs[2 * t + 8][col] | ((unsigned int)Bs[2 * t + 9][col] << 16);",
            "  }",
            "  for (int i = 0; i < 2; ++i) for (int j = 0; j < 4; ++j)",
            f'    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.{kind}.{kind}.f32 {{%0, %1, %2, %3}}, {{%4, %5, %6, %7}}, {{%8, %9}}, {{%0, %1, %2, %3}};"',
            '                 : "+f"(acc[i][j][0]), "+f"(acc[i][j][1]), "+f"(acc[i][j][2]), "+f"(acc[i][j][3])',
            '                 : "r"(a[i][0]), "r"(a[i][1]), "r"(a[i][2]), "r"(a[i][3]), "r"(b[j][0]), "r"(b[j][1]));',
            "  __syncthreads();",
            "}",
            f"float* C = (float*){self.pointer(out)};",
            "for (int i = 0; i < 2; ++i) for (int j = 0; j < 4; ++j) for (int r = 0; r < 4; ++r) {",
            "  const long long m = m0 + wm + 16 * i + g + 8 * (r >> 1), n = n0 + wn + 8 * j + 2 * t + (r & 1);",
            "  if (m < M && n < N) C[(bz * M + m) * N + n] " + ("+= acc[i][j][r];" if g.get("accumulate", True) else "= acc[i][j][r];"),
            "}",
            "#undef RAWBITS",
        ]  # fmt: skip
        self.add_step("mma", lines, _gemm_grid(g), (128, 1, 1), 2 * (TILE * (TILE_K + 8)) * 2)

    def emit_copy(self, dst: str, src: str) -> None:
        nbytes = self.kernel.types[dst].size * scalar_dtype(self.kernel.types[dst].element).itemsize
        if nbytes == 0:
            return
        word, ctype_ = (4, "unsigned int") if nbytes % 4 == 0 else (1, "unsigned char")
        count = nbytes // word
        lines = [f"const {ctype_}* src = (const {ctype_}*){self.pointer(src)};", f"{ctype_}* dst = ({ctype_}*){self.pointer(dst)};",
                 f"for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < {count}ll; i += (long long)gridDim.x * blockDim.x) dst[i] = src[i];"]  # fmt: skip
        self.add_step("copy", lines, (max(1, min(-(-count // BLOCK), 1 << 16)), 1, 1), (BLOCK, 1, 1))

    def generate(self) -> str:
        kernel = self.kernel
        gemms = {id(op): self.gemm(op) for op in kernel.loops()}
        # A zero fill whose only reader is a GEMM becomes the GEMM's "overwrite".
        skipped: set[int] = set()
        for op in kernel.loops():
            fill = kernel.sole_zero_fill(op) if gemms[id(op)] is not None else None
            if fill is not None:
                skipped.add(id(fill))
                gemms[id(op)]["accumulate"] = False  # type: ignore[index]
        for op in kernel.ops:
            if isinstance(op, K.Loop) and id(op) in skipped:
                continue
            if isinstance(op, K.Loop):
                for res in op.results:
                    if res in self.buffers.init_copies:
                        self.emit_copy(res, self.buffers.init_copies[res])
                g = gemms[id(op)]
                if g is not None:
                    if g["in"] in ("f16", "bf16") and g["acc"] == "f32" and self.arch >= 80:
                        self.emit_mma(g)
                    else:
                        self.emit_gemm(g)
                    continue
                red = self.block_reduction(op)
                if red is not None:
                    self.emit_block_reduction(op, *red)
                else:
                    self.emit_loop(op)
            elif isinstance(op, K.HostOp):
                raise UnsupportedOpError(f"{kernel.name}: host op {op.name} cannot be compiled to CUDA (the backend runs it on the host)")
            elif isinstance(op, K.View) and op.kind not in ("reshape", "bitcast"):
                raise UnsupportedOpError(f"{kernel.name}: view {op.kind} reached the cuda code generator (run views-to-loops)")
        for target, source in self.result_copies:
            self.emit_copy(target, source)
        return "\n\n".join([f"// {kernel.name}: generated by byteir_targets.cuda", _PRELUDE.strip(), *self.functions]) + "\n"


def generate(kernel: K.Kernel, arch: int = 90) -> tuple[str, list[Step]]:
    """CUDA C source of `kernel` (after the tensor stage) for compute capability `arch`, and its
    launches in order."""
    for name, t in kernel.types.items():
        if t.element not in SUPPORTED_TYPES:
            raise UnsupportedOpError(f"{kernel.name}: element type {t.element} of %{name} is not supported by the cuda code generator")
    lowered, copies = with_result_copies(kernel)
    gen = _Gen(lowered, lowered.buffers, arch, copies)  # type: ignore[arg-type]
    return gen.generate(), gen.steps
