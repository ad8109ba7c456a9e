"""The reference ASIC's ISA: one Python definition from which the encoder, the decoder, the
assembler, the disassembler and the ISA table in docs/ref_asic.md are all derived.

Every instruction is 128 bits, little-endian. Bits 0-7 are the opcode; every instruction carries
the same synchronisation header after it:

    wait_en (1) | wait_sem (4) | signal_en (1) | signal_sem (4)

An instruction with ``wait_en`` starts only after semaphore ``wait_sem`` is positive, and
decrements it; with ``signal_en`` it increments ``signal_sem`` when it completes. The operand
fields follow, packed in the order listed.

Assembly: ``OPNAME field=value ... [wait=S] [signal=S]``, one instruction per line, ``#`` starts a
comment. Values are integers (decimal or 0x hex) or, for enum fields, names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from byteir_sdk.errors import ParseError

__all__ = [
    "Field", "InstrDef", "Instruction", "ISA", "OPCODES", "encode", "decode", "assemble", "disassemble",
    "isa_table_markdown", "WORD_BYTES", "SEMAPHORES", "ENGINES", "DTYPES", "VECTOR_OPS", "DmaShape", "dma_shape_after",
]  # fmt: skip

WORD_BYTES = 16
SEMAPHORES = 16
ENGINES = ("dma_in", "dma_out", "matrix", "vector", "control")
#: Element types of the matrix/vector units (code -> name, itemsize).
DTYPES = {"i8": 0, "i32": 1, "bf16": 2, "f32": 3}
#: Vector-unit operations (name -> code); semantics in simulator/functional.py.
VECTOR_OPS = {
    "copy": 0, "add": 1, "sub": 2, "mul": 3, "max": 4, "min": 5, "relu": 6, "exp": 7, "log": 8,
    "tanh": 9, "erf": 10, "rsqrt": 11, "cmp_lt": 12, "select": 13, "reduce_sum": 14, "reduce_max": 15,
    "requant": 16, "cast": 17, "neg": 18, "abs": 19,
}  # fmt: skip
#: Memory spaces an address may name.
SPACES = {"dram": 0, "sram": 1, "acc": 2}

_HEADER = (("wait_en", 1), ("wait_sem", 4), ("signal_en", 1), ("signal_sem", 4))


@dataclass(frozen=True)
class Field:
    name: str
    bits: int
    doc: str
    enum: dict[str, int] | None = None

    def check(self, value: int, op: str) -> None:
        if not 0 <= value < (1 << self.bits):
            raise ValueError(f"{op}.{self.name} = {value} does not fit in {self.bits} bits")


@dataclass(frozen=True)
class InstrDef:
    name: str
    opcode: int
    engine: str
    doc: str
    fields: tuple[Field, ...]
    cost: str  # the documented cycle formula

    @property
    def all_fields(self) -> tuple[Field, ...]:
        header = tuple(Field(n, b, "synchronisation header") for n, b in _HEADER)
        return header + self.fields

    def bits_used(self) -> int:
        return 8 + sum(f.bits for f in self.all_fields)


def _f(name: str, bits: int, doc: str, enum: dict[str, int] | None = None) -> Field:
    return Field(name, bits, doc, enum)


_DMA_FIELDS = (
    _f("dram_addr", 32, "byte address in DRAM"),
    _f("sram_addr", 20, "byte address in the scratchpad"),
    _f("rows", 12, "number of rows (1..4095)"),
    _f("row_bytes", 16, "bytes per row"),
    _f("dram_stride", 20, "bytes between rows in DRAM"),
)

#: The ISA, in opcode order.
ISA: tuple[InstrDef, ...] = (
    InstrDef("NOP", 0x00, "control", "Do nothing (still waits and signals).", (), "1"),
    InstrDef("END", 0x01, "control", "End of program: completes when every engine is idle.", (), "1"),
    InstrDef("BARRIER", 0x02, "control", "Wait until every engine has drained its queue.", (), "1"),
    InstrDef("SYNC", 0x03, "any", "Only wait and/or signal, in the stream of engine `engine` (ordering without work).",
             (_f("engine", 3, "engine whose queue it joins", {e: i for i, e in enumerate(ENGINES)}),), "1"),
    InstrDef("DMA_LOAD", 0x10, "dma_in", "DRAM -> scratchpad, `rows` rows of `row_bytes` (2-D strided; `broadcast` repeats one DRAM row; "
             "DMA_DIMS / DMA_LAYOUT before it add outer dims, zero padding and a transpose).",
             _DMA_FIELDS + (_f("broadcast", 1, "every row reads the same DRAM row (stride 0)"),),
             "dma_setup + dram_latency + ceil(max(dram bytes, scratchpad bytes) / dram_bandwidth)"),
    InstrDef("DMA_STORE", 0x11, "dma_out", "Scratchpad (or accumulator) -> DRAM, 2-D strided (DMA_DIMS adds outer dims, DMA_LAYOUT a row pitch).",
             _DMA_FIELDS + (_f("from_acc", 1, "read from the accumulator instead of the scratchpad"),),
             "dma_setup + dram_latency + ceil(max(dram bytes, scratchpad bytes) / dram_bandwidth)"),
    InstrDef("DMA_DIMS", 0x12, "any",
             "Outer dims 2 and 3 of the next DMA on engine `engine`: the 2-D transfer repeats `count2` x `count3` times "
             "(0 counts as 1), DRAM advancing by the strides, the scratchpad packed block after block.",
             (_f("engine", 3, "the DMA engine whose next transfer it shapes", {e: i for i, e in enumerate(ENGINES)}),
              _f("count2", 12, "repeats of the 2-D block (dim 2)"), _f("dram_stride2", 32, "DRAM bytes between dim-2 blocks"),
              _f("count3", 12, "repeats of dim 2 (dim 3)"), _f("dram_stride3", 32, "DRAM bytes between dim-3 blocks")), "1"),
    InstrDef("DMA_LAYOUT", 0x13, "any",
             "Scratchpad layout of the next DMA on engine `engine`: rows `sram_pitch` bytes apart (the bytes past `row_bytes` "
             "zero-filled on a load), `pad_before`/`pad_after` zero rows around each block, and an optional transpose of each "
             "block (elements of 2**`elem_log2` bytes). Padding and transpose are load-only.",
             (_f("engine", 3, "the DMA engine whose next transfer it shapes", {e: i for i, e in enumerate(ENGINES)}),
              _f("pad_before", 12, "zero rows before each block"), _f("pad_after", 12, "zero rows after each block"),
              _f("sram_pitch", 16, "scratchpad bytes per row (0: row_bytes)"), _f("transpose", 1, "store each block transposed"),
              _f("elem_log2", 2, "log2 of the element size the transpose moves")), "1"),
    InstrDef("MM_PRELOAD", 0x20, "matrix", "Load an N x N weight tile (row-major) from the scratchpad into the array.",
             (_f("sram_addr", 20, "weight tile address"), _f("dtype", 2, "element type", DTYPES)), "N"),
    InstrDef("MM_COMPUTE", 0x21, "matrix",
             "Stream `rows` activation rows (N elements each) through the array; results (rows x N, i32 or f32) "
             "go to the accumulator, added to it when `accumulate`.",
             (_f("sram_addr", 20, "activation rows address"), _f("acc_addr", 17, "accumulator byte address"),
              _f("rows", 12, "rows streamed"), _f("accumulate", 1, "add into the accumulator instead of overwriting"),
              _f("dtype", 2, "element type of activations and weights", DTYPES)),
             "rows + 2 * N - 1 (fill + stream + drain)"),
    InstrDef("VECTOR", 0x30, "vector",
             "Elementwise or reducing op over `length` elements: dst = op(src0, src1) (src1 ignored by unary ops).",
             (_f("op", 5, "operation", VECTOR_OPS), _f("src0", 20, "first source address"), _f("src1", 20, "second source address"),
              _f("dst", 20, "destination address"), _f("length", 16, "elements"), _f("src_space", 2, "space of the sources", SPACES),
              _f("dst_space", 2, "space of the destination", SPACES), _f("dtype", 2, "element type", DTYPES)),
             "ceil(length / lanes) + vector_pipeline_depth"),
    InstrDef("VECTOR_QUANT", 0x31, "vector",
             "Requantise i32 -> i8: dst = saturate(round_half_even(src * scale >> shift) + zero_point).",
             (_f("src0", 20, "i32 source address (accumulator)"), _f("dst", 20, "i8 destination address (scratchpad)"),
              _f("length", 16, "elements"), _f("scale", 16, "multiplier"), _f("shift", 6, "right shift"),
              _f("zero_point", 8, "added after rounding (two's complement)")),
             "ceil(length / lanes) + vector_pipeline_depth"),
)  # fmt: skip

OPCODES = {d.opcode: d for d in ISA}
_BY_NAME = {d.name: d for d in ISA}

for _d in ISA:  # the definition itself is checked at import: every instruction fits 128 bits
    assert _d.bits_used() <= 128, f"{_d.name} uses {_d.bits_used()} bits"


@dataclass(frozen=True)
class Instruction:
    """One decoded instruction: its definition and field values (missing fields are 0)."""

    name: str
    fields: dict[str, int] = field(default_factory=dict, hash=False)
    loc: str = ""  # StableHLO location it implements (for traces); not encoded

    @property
    def definition(self) -> InstrDef:
        return _BY_NAME[self.name]

    @property
    def engine(self) -> str:
        """The engine whose in-order queue runs it (SYNC names its engine in a field)."""
        d = _BY_NAME[self.name]
        return ENGINES[self.get("engine")] if d.engine == "any" else d.engine

    def get(self, name: str) -> int:
        return self.fields.get(name, 0)

    def with_sync(self, wait: int | None = None, signal: int | None = None) -> Instruction:
        f = dict(self.fields)
        if wait is not None:
            f.update(wait_en=1, wait_sem=wait)
        if signal is not None:
            f.update(signal_en=1, signal_sem=signal)
        return Instruction(self.name, f, self.loc)


def make(name: str, loc: str = "", **fields: int) -> Instruction:
    """An instruction by name, checking every field against the definition."""
    try:
        d = _BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown instruction {name!r}") from None
    known = {f.name: f for f in d.all_fields}
    for k, v in fields.items():
        if k not in known:
            raise ValueError(f"{name} has no field {k!r} (fields: {', '.join(known)})")
        known[k].check(int(v), name)
    return Instruction(name, {k: int(v) for k, v in fields.items()}, loc)


def encode(instr: Instruction) -> bytes:
    """The 16 bytes of one instruction."""
    d = instr.definition
    word = d.opcode
    shift = 8
    for f in d.all_fields:
        value = instr.get(f.name)
        f.check(value, d.name)
        word |= value << shift
        shift += f.bits
    return word.to_bytes(WORD_BYTES, "little")


def decode(data: bytes) -> Instruction:
    """One instruction from 16 bytes (ValueError for an unknown opcode)."""
    if len(data) != WORD_BYTES:
        raise ValueError(f"an instruction is {WORD_BYTES} bytes, got {len(data)}")
    word = int.from_bytes(data, "little")
    opcode = word & 0xFF
    if opcode not in OPCODES:
        raise ValueError(f"unknown opcode 0x{opcode:02x}")
    d = OPCODES[opcode]
    fields = {}
    shift = 8
    for f in d.all_fields:
        value = (word >> shift) & ((1 << f.bits) - 1)
        if value:
            fields[f.name] = value
        shift += f.bits
    if word >> shift:
        raise ValueError(f"{d.name}: bits above {shift} are set")
    return Instruction(d.name, fields)


def encode_program(program: Iterable[Instruction]) -> bytes:
    return b"".join(encode(i) for i in program)


def decode_program(data: bytes) -> list[Instruction]:
    if len(data) % WORD_BYTES:
        raise ValueError(f"program of {len(data)} bytes is not a whole number of {WORD_BYTES}-byte instructions")
    return [decode(data[i : i + WORD_BYTES]) for i in range(0, len(data), WORD_BYTES)]


def _format_value(f: Field, value: int) -> str:
    if f.enum:
        for k, v in f.enum.items():
            if v == value:
                return k
    return f"0x{value:x}" if f.bits >= 16 and value >= 256 else str(value)


def disassemble(program: Sequence[Instruction]) -> str:
    """Readable assembly; `assemble` reads it back to the same instructions."""
    lines = []
    for instr in program:
        d = instr.definition
        parts = [d.name]
        for f in d.fields:
            if f.name in instr.fields:
                parts.append(f"{f.name}={_format_value(f, instr.fields[f.name])}")
        for kind in ("wait", "signal"):
            if instr.get(f"{kind}_en"):
                parts.append(f"{kind}={instr.get(f'{kind}_sem')}")
            elif instr.get(f"{kind}_sem"):  # not a canonical encoding, but keep every bit
                parts.append(f"{kind}_sem={instr.get(f'{kind}_sem')}")
        line = " ".join(parts)
        if instr.loc:
            line += f"  # {instr.loc}"
        lines.append(line)
    return "\n".join(lines) + ("\n" if lines else "")


def assemble(text: str, *, source: str = "<asm>") -> list[Instruction]:
    """Instructions from assembly text; ParseError names the line and the problem."""
    program = []
    for number, raw in enumerate(text.splitlines(), 1):
        line, _, comment = raw.partition("#")
        words = line.split()
        if not words:
            continue
        name, args = words[0].upper(), words[1:]
        d = _BY_NAME.get(name)
        if d is None:
            raise ParseError(f"{source}:{number}: unknown instruction {words[0]!r}")
        fields: dict[str, int] = {}
        by_name = {f.name: f for f in d.all_fields}
        for arg in args:
            key, sep, value = arg.partition("=")
            if not sep:
                raise ParseError(f"{source}:{number}: expected field=value, got {arg!r}")
            try:
                if key in ("wait", "signal"):
                    fields[f"{key}_en"] = 1
                    fields[f"{key}_sem"] = int(value, 0)
                    if not 0 <= fields[f"{key}_sem"] < SEMAPHORES:
                        raise ValueError(f"semaphore {value} out of range 0..{SEMAPHORES - 1}")
                    continue
                f = by_name[key]
                fields[key] = f.enum[value] if f.enum and value in f.enum else int(value, 0)
                f.check(fields[key], d.name)
            except KeyError:
                raise ParseError(f"{source}:{number}: {d.name} has no field {key!r}") from None
            except ValueError as exc:
                raise ParseError(f"{source}:{number}: {exc}") from None
        program.append(Instruction(d.name, fields, comment.strip()))
    return program


def isa_table_markdown() -> str:
    """The ISA table for docs/ref_asic.md, generated from this definition."""
    lines = ["| opcode | instruction | engine | fields (bits) | cycles | what it does |", "|---|---|---|---|---|---|"]
    for d in ISA:
        fields = ", ".join(f"`{f.name}`({f.bits})" for f in d.fields) or "-"
        lines.append(f"| 0x{d.opcode:02x} | `{d.name}` | {d.engine} | {fields} | `{d.cost}` | {d.doc} |")
    return "\n".join(lines)


@dataclass(frozen=True)
class DmaShape:
    """The geometry of one DMA: its own fields plus what DMA_DIMS / DMA_LAYOUT set before it.

    The transfer is ``count3 x count2`` blocks; block (i3, i2) reads ``rows`` DRAM rows of
    ``row_bytes`` from ``dram_addr + i3 * dram_stride3 + i2 * dram_stride2`` (rows ``dram_stride``
    apart, 0 with ``broadcast``) and is ``pad_before + rows + pad_after`` scratchpad rows of ``pitch``
    bytes, packed one block after another from ``sram_addr`` (transposed when ``transpose``).
    """

    count2: int = 0
    dram_stride2: int = 0
    count3: int = 0
    dram_stride3: int = 0
    pad_before: int = 0
    pad_after: int = 0
    sram_pitch: int = 0
    transpose: int = 0
    elem_log2: int = 0

    def bases(self, instr: Instruction) -> list[int]:
        """DRAM address of each block's first row, dim 3 outer."""
        a = instr.get("dram_addr")
        return [a + i3 * self.dram_stride3 + i2 * self.dram_stride2 for i3 in range(max(1, self.count3)) for i2 in range(max(1, self.count2))]

    def row_stride(self, instr: Instruction) -> int:
        return 0 if instr.get("broadcast") else instr.get("dram_stride") or instr.get("row_bytes")

    def pitch(self, instr: Instruction) -> int:
        return self.sram_pitch or instr.get("row_bytes")

    def block_bytes(self, instr: Instruction) -> int:
        return (self.pad_before + instr.get("rows") + self.pad_after) * self.pitch(instr)

    def dram_bytes(self, instr: Instruction) -> int:
        return max(1, self.count2) * max(1, self.count3) * instr.get("rows") * instr.get("row_bytes")

    def sram_bytes(self, instr: Instruction) -> int:
        return max(1, self.count2) * max(1, self.count3) * self.block_bytes(instr)


def dma_shape_after(shape: DmaShape, instr: Instruction) -> DmaShape:
    """The pending shape of a DMA engine after a DMA_DIMS / DMA_LAYOUT instruction."""
    names = {"DMA_DIMS": ("count2", "dram_stride2", "count3", "dram_stride3"), "DMA_LAYOUT": ("pad_before", "pad_after", "sram_pitch", "transpose", "elem_log2")}
    return dataclasses.replace(shape, **{n: instr.get(n) for n in names[instr.name]}) if instr.name in names else shape
