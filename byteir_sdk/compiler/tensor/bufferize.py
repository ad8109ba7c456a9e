"""Tensor stage: every tensor value gets a buffer, planned statically into one arena.

Inside a kernel (destination-passing style): a loop writes into the buffer of its ``init``
tensor; a loop whose value is a kernel result writes straight into the result buffer; an
elementwise loop overwrites an input that dies there (read only at the index it writes, same
width) instead of taking a fresh buffer, so a chain ending in a result is written into the
result buffer from its start (e.g. a matmul and its bias epilogue); another ``Empty`` init
takes scratch memory; ``reshape``/``bitcast`` views alias their source; other
views (slice, pad, insert_slice) copy into a buffer of their own. Constants stay inside the
kernel (the backend embeds them). A backend may keep some values in storage of its own (``local``:
e.g. one block of rows at a time, in the frame of the code that runs a span of ops block by
block); they take no scratch, and every value a span touches stays live across the whole span.

Across kernels: program outputs produced by a kernel are written straight into the output
arguments; everything else (call results and each call's scratch) is packed into the arena of
its memory space (tensor/spaces.py) by liveness, greedy best-fit by size, at the target's alignment. A result may reuse the buffer
of an input that dies at the same call when the kernel reads each element of that input only
at the index it writes (an elementwise kernel): that is in-place reuse.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from byteir_sdk.compiler.loop import kernel_ir as K
from byteir_sdk.compiler.loop.evaluate import scalar_dtype
from byteir_sdk.compiler.loop.program import Call, KernelProgram

__all__ = ["BufferRef", "KernelBuffers", "Placement", "MemoryPlan", "bufferize_kernel", "plan_memory", "nbytes", "buffer_slot",
           "value_root", "with_result_copies"]


def nbytes(t: K.TensorType) -> int:
    """Storage bytes of a tensor (sub-byte integers take a byte per element)."""
    return t.size * scalar_dtype(t.element).itemsize


@dataclass(frozen=True)
class BufferRef:
    """Where a kernel value lives: a param, a result, scratch (offset into the call's scratch), an
    alias, or backend-local storage (numbered from 0)."""

    kind: str  # "param" | "result" | "scratch" | "alias" | "const" | "local"
    index: int = 0  # param/result index, scratch offset, or local number
    of: str = ""  # alias: the value whose buffer this reuses


@dataclass
class KernelBuffers:
    """Every value's buffer, the scratch bytes a call needs, inits a loop must copy first, and the
    op spans [first, last] whose values stay live across the span (the backend interleaves them)."""

    refs: dict[str, BufferRef]
    scratch_bytes: int
    init_copies: dict[str, str] = field(default_factory=dict)  # loop result -> init it starts from
    spans: list[tuple[int, int]] = field(default_factory=list)


def _root(refs: dict[str, BufferRef], name: str) -> str:
    while refs[name].kind == "alias":
        name = refs[name].of
    return name


def bufferize_kernel(kernel: K.Kernel, alignment: int, local: Collection[str] = (), spans: Sequence[tuple[int, int]] = (),
                     in_place: bool = True, reuse: bool = True) -> KernelBuffers:
    """Assign a buffer to every value of `kernel` (see the module docstring); the values in `local`
    (buffer roots: empties, scratch views, loop results) take backend-local storage, values
    touched in an op span of `spans` stay live across it, without `in_place` no elementwise
    loop overwrites a dying input, and without `reuse` no two scratch values share bytes (a
    backend planning which ops may run interleaved sees only their true dependences)."""
    local_index = {n: i for i, n in enumerate(dict.fromkeys(local))}
    refs: dict[str, BufferRef] = {p: BufferRef("param", i) for i, p in enumerate(kernel.params)}
    init_copies: dict[str, str] = {}
    reads_after: dict[str, int] = {}  # how many ops read each value (an init read once is consumed)
    uses: dict[str, int] = {}  # value -> index of the last op that names it
    for index, op in enumerate(kernel.ops):
        reads, writes = _reads_writes(op)
        for n in reads:
            reads_after[n] = reads_after.get(n, 0) + 1
        for n in reads + writes:
            uses[n] = index
    for r in kernel.results:
        reads_after[r] = reads_after.get(r, 0) + 1
        uses[r] = len(kernel.ops)
    result_index = {r: i for i, r in enumerate(kernel.results)}
    for index, op in enumerate(kernel.ops):
        if isinstance(op, K.Const):
            refs[op.result] = BufferRef("const")
        elif isinstance(op, K.Empty):
            refs[op.result] = _own(op.result, local_index)  # offset assigned below, unless a loop redirects it
        elif isinstance(op, K.View):
            if op.kind in ("reshape", "bitcast"):
                refs[op.result] = BufferRef("alias", of=op.operands[0])
            else:
                refs[op.result] = _own(op.result, local_index)
        elif isinstance(op, K.Loop):
            for res, init in zip(op.results, op.outputs or (None,) * len(op.results)):
                source = _in_place_source(kernel, index, op, res, init, refs, uses) if init is not None and in_place else None
                if source is not None:
                    refs[init] = BufferRef("alias", of=source)  # overwrite an input that dies here, element by element
                if init is not None and refs[_root(refs, init)].kind in ("scratch", "result", "local") and reads_after.get(init, 0) <= 1:
                    refs[res] = BufferRef("alias", of=init)  # destination passing: write into the init
                else:
                    refs[res] = _own(res, local_index)  # the init is shared (or absent): start from a copy
                    if init is not None:
                        init_copies[res] = init
        else:
            for res in op.results:
                refs[res] = _own(res, local_index)
    # Kernel results: the buffer chain ending in a result is the result buffer itself.
    for r, i in result_index.items():
        root = _root(refs, r)
        if refs[root].kind == "scratch":
            refs[root] = BufferRef("result", i)
    # Pack the remaining scratch buffers by liveness inside the kernel (op indices).
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for i, op in enumerate(kernel.ops):
        reads, writes = _reads_writes(op)
        for n in writes:
            root = _root(refs, n)
            first.setdefault(root, i)
            last[root] = max(last.get(root, i), i)
        for n in reads:
            root = _root(refs, n)
            last[root] = max(last.get(root, i), i)
    for lo, hi in spans:  # a value touched inside a span lives from the span's start to its end
        for root in first:
            if first[root] <= hi and last[root] >= lo:
                first[root], last[root] = min(first[root], lo), max(last[root], hi)
    scratch = [n for n, ref in refs.items() if ref.kind == "scratch"]
    live = {n: (first.get(n, 0), last.get(n, 0)) if reuse else (0, len(kernel.ops)) for n in scratch}
    offsets, total = _pack({n: nbytes(kernel.types[n]) for n in scratch}, live, alignment)
    for n in scratch:
        refs[n] = BufferRef("scratch", offsets[n])
    return KernelBuffers(refs, total, init_copies, list(spans))


def _reads_writes(op: K.KernelOp) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The values an op reads (a loop's inits included) and the values it defines."""
    if isinstance(op, K.Loop):
        return op.inputs + op.outputs + op.extra, op.results
    if isinstance(op, (K.View, K.Empty, K.Const)):
        return tuple(getattr(op, "operands", ())), (op.result,)
    return op.operands, op.results  # a HostOp


def _in_place_source(kernel: K.Kernel, index: int, loop: K.Loop, res: str, init: str, refs: dict[str, BufferRef],
                     uses: dict[str, int]) -> str | None:
    """An input of `loop` whose buffer (scratch or local) result `res` may overwrite instead of
    taking the fresh buffer `init`: the loop is elementwise (no reduction, identity output map),
    reads the input only at the index it writes, and nothing names the input's buffer after it."""
    if refs.get(init) != BufferRef("scratch") or uses.get(init) != index or loop.reduction_dims:
        return None
    out_map = loop.maps[len(loop.inputs) + loop.results.index(res)]
    if not out_map.is_identity():
        return None
    size = nbytes(kernel.types[res]), scalar_dtype(kernel.types[res].element).itemsize
    claimed = {_root(refs, o) for o in loop.outputs if o != init and o in refs}
    for name in dict.fromkeys(loop.inputs):
        root = _root(refs, name)
        if refs[root].kind not in ("scratch", "local") or root in claimed or name in loop.extra or name in loop.outputs:
            continue
        if (nbytes(kernel.types[name]), scalar_dtype(kernel.types[name].element).itemsize) != size:
            continue
        if any(n == name and m != out_map for n, m in zip(loop.inputs, loop.maps)):
            continue
        if any(n != name and _root(refs, n) == root for n in loop.inputs + loop.extra):
            continue  # another view of the same buffer is read too, at its own index
        if all(uses.get(n, -1) <= index for n in refs if _root(refs, n) == root):
            return name
    return None


def _own(name: str, local_index: dict[str, int]) -> BufferRef:
    """A value's own buffer: backend-local storage when the backend asked for it, else scratch."""
    return BufferRef("local", local_index[name]) if name in local_index else BufferRef("scratch")


def _align(n: int, alignment: int) -> int:
    return (n + alignment - 1) // alignment * alignment


def _pack(sizes: dict[str, int], live: dict[str, tuple[int, int]], alignment: int) -> tuple[dict[str, int], int]:
    """Offsets for buffers so that buffers live at the same time never overlap; returns (offsets, peak)."""
    placed: list[tuple[int, int, int, int]] = []  # (offset, end, first, last)
    offsets: dict[str, int] = {}
    for name in sorted(sizes, key=lambda n: (-sizes[n], live[n][0], n)):
        size = _align(max(sizes[name], 1), alignment)
        lo, hi = live[name]
        busy = sorted((o, e) for o, e, f, l in placed if not (l < lo or f > hi))
        offset = 0
        best = None
        for o, e in busy:  # best fit: the smallest gap that holds the buffer
            if o - offset >= size and (best is None or o - offset < best[1]):
                best = (offset, o - offset)
            offset = max(offset, e)
        chosen = best[0] if best is not None else offset
        offsets[name] = chosen
        placed.append((chosen, chosen + size, lo, hi))
    return offsets, max((e for _, e, _, _ in placed), default=0)


@dataclass(frozen=True)
class Placement:
    """A buffer in the arena of a memory space."""

    space: str
    offset: int
    size: int


@dataclass
class MemoryPlan:
    """The static memory plan of a program (see the module docstring)."""

    alignment: int
    arena_bytes: int
    naive_bytes: int
    placements: dict[str, Placement]  # program values living in the arena
    output_of: dict[str, int]  # program value -> output argument index it is written into
    copies: list[tuple[str, int]]  # (value, output index) copied into outputs after the last call
    scratch: dict[int, Placement]  # call index -> its scratch region
    kernel_buffers: dict[str, KernelBuffers] = field(default_factory=dict)
    in_place: list[tuple[str, str]] = field(default_factory=list)  # (result, input whose buffer it reuses)
    weight_bytes: int = 0
    arenas: dict[str, int] = field(default_factory=dict)  # memory space -> arena bytes (arena_bytes is "device")


def _elementwise_in_place(kernel: K.Kernel, param: int, result: int) -> bool:
    """True when result `result` may share the buffer of param `param` (reads only at its own index)."""
    loops = [op for op in kernel.ops if isinstance(op, K.Loop)]
    if len(loops) != 1 or any(isinstance(op, (K.View, K.HostOp)) for op in kernel.ops):
        return False
    loop = loops[0]
    pname, rname = kernel.params[param], kernel.results[result]
    if rname not in loop.results or pname in loop.extra or loop.reduction_dims:
        return False
    if nbytes(kernel.types[pname]) != nbytes(kernel.types[rname]) or kernel.types[pname].shape != kernel.types[rname].shape:
        return False
    out_map = loop.maps[len(loop.inputs) + loop.results.index(rname)]
    return all(m == out_map and m.is_identity() for n, m in zip(loop.inputs, loop.maps) if n == pname)


def plan_memory(program: KernelProgram, kernel_buffers: dict[str, KernelBuffers], alignment: int) -> MemoryPlan:
    """Plan every program value and call scratch into one arena per memory space."""
    outputs = program.outputs
    output_of: dict[str, int] = {}
    copies: list[tuple[str, int]] = []
    produced = {r for c in program.calls for r in c.results}
    for i, o in enumerate(outputs):
        if o in produced and o not in output_of:
            output_of[o] = i
        else:
            copies.append((o, i))  # an input, a weight, or the same value returned twice
    sizes: dict[str, int] = {}
    spaces: dict[str, str] = {}
    live: dict[str, tuple[int, int]] = {}
    last_use: dict[str, int] = {}
    for i, call in enumerate(program.calls):
        for a in call.args:
            last_use[a] = i
    end = len(program.calls)
    for o, _ in copies:
        last_use[o] = end
    alias: dict[str, str] = {}
    in_place: list[tuple[str, str]] = []
    for i, call in enumerate(program.calls):
        kernel = program.kernels[call.kernel] if isinstance(call, Call) else None
        for ri, r in enumerate(call.results):
            if r in output_of:
                continue
            for pi, a in enumerate(call.args):
                if (kernel is not None and a in sizes and a not in alias.values() and last_use.get(a) == i and a not in program.outputs
                        and program.space(a) == program.space(r) and _elementwise_in_place(kernel, pi, ri)):  # fmt: skip
                    alias[r] = a
                    in_place.append((r, a))
                    break
            else:
                sizes[r] = nbytes(program.types[r])
                spaces[r] = program.space(r)
                live[r] = (i, last_use.get(r, i))
        scratch_bytes = kernel_buffers[call.kernel].scratch_bytes if isinstance(call, Call) else 0
        if scratch_bytes:
            key = f"__scratch{i}"
            sizes[key] = scratch_bytes
            spaces[key] = program.space(call.results[0]) if call.results else "device"
            live[key] = (i, i)
    # An in-place result extends the live range of the buffer it reuses.
    for r, a in in_place:
        root = a
        while root in alias:
            root = alias[root]
        lo, hi = live[root]
        live[root] = (lo, max(hi, last_use.get(r, hi)))
    offsets: dict[str, int] = {}
    arenas: dict[str, int] = {}
    for space in sorted(set(spaces.values())):
        names = [n for n in sizes if spaces[n] == space]
        placed, arenas[space] = _pack({n: sizes[n] for n in names}, {n: live[n] for n in names}, alignment)
        offsets.update(placed)
    placements = {n: Placement(spaces[n], offsets[n], sizes[n]) for n in sizes if not n.startswith("__scratch")}
    for r, a in in_place:
        root = a
        while root in alias:
            root = alias[root]
        placements[r] = dataclasses.replace(placements[root], size=nbytes(program.types[r]))
    scratch = {int(n.removeprefix("__scratch")): Placement(spaces[n], offsets[n], sizes[n]) for n in sizes if n.startswith("__scratch")}
    naive = sum(nbytes(program.types[r]) for c in program.calls for r in c.results if r not in output_of)
    naive += sum(kernel_buffers[c.kernel].scratch_bytes for c in program.calls if isinstance(c, Call))
    weight_bytes = sum(int(w.nbytes) for w in program.weights.values())
    return MemoryPlan(alignment, arenas.get("device", 0), naive, placements, output_of, copies, scratch, dict(kernel_buffers), in_place, weight_bytes,
                      {s: b for s, b in arenas.items() if b})  # fmt: skip


def buffer_slot(buffers: KernelBuffers, kernel_params: int, kernel_results: int, name: str) -> tuple[int, int] | None:
    """(slot, byte offset) of a kernel value in the dispatch's buffer table -- params, then
    results, then the scratch region, then (past the table the runtime passes) the backend's local
    buffers -- or None for a constant (embedded in the executable)."""
    ref = buffers.refs[_root(buffers.refs, name)]
    if ref.kind == "param":
        return ref.index, 0
    if ref.kind == "result":
        return kernel_params + ref.index, 0
    if ref.kind == "scratch":
        return kernel_params + kernel_results, ref.index
    if ref.kind == "local":
        return kernel_params + kernel_results + 1 + ref.index, 0
    return None


def value_root(buffers: KernelBuffers, name: str) -> str:
    """The value whose buffer `name` lives in (itself unless it is an alias)."""
    return _root(buffers.refs, name)


def with_result_copies(kernel: K.Kernel) -> tuple[K.Kernel, list[tuple[str, str]]]:
    """A copy of `kernel` (after the tensor stage) for a backend to lower, and the (target, source)
    copies it must emit after the kernel's ops: each result whose data lives elsewhere (a param, a
    constant, another result) gets a value ``__result<i>`` naming its own result buffer."""
    if kernel.buffers is None:
        raise ValueError(f"kernel {kernel.name} has no buffer assignment: run the tensor stage first")
    assert isinstance(kernel.buffers, KernelBuffers)
    buffers = dataclasses.replace(kernel.buffers, refs=dict(kernel.buffers.refs), init_copies=dict(kernel.buffers.init_copies))
    types = dict(kernel.types)
    copies = []
    for i, r in enumerate(kernel.results):
        root = _root(buffers.refs, r)
        ref = buffers.refs[root]
        if not (ref.kind == "result" and ref.index == i):
            buffers.refs[f"__result{i}"] = BufferRef("result", i)
            types[f"__result{i}"] = types[r]
            copies.append((f"__result{i}", root))
    return K.Kernel(kernel.name, kernel.params, kernel.results, types, kernel.ops, buffers), copies
