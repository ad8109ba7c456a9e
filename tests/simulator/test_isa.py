"""The ISA definition: encoding, assembly, and the generated docs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from byteir_sdk.errors import ParseError
from byteir_sim import isa
from byteir_sim.docs import render


@st.composite
def instructions(draw):
    d = draw(st.sampled_from(isa.ISA))
    fields = {f.name: draw(st.integers(0, (1 << f.bits) - 1)) for f in d.all_fields if draw(st.booleans())}
    return isa.Instruction(d.name, {k: v for k, v in fields.items() if v})


@given(st.lists(instructions(), max_size=20))
@settings(max_examples=200, deadline=None)
def test_encode_decode_and_assembly_round_trip(program) -> None:
    data = isa.encode_program(program)
    assert len(data) == 16 * len(program)
    decoded = isa.decode_program(data)
    assert [(i.name, i.fields) for i in decoded] == [(i.name, i.fields) for i in program]
    assert isa.encode_program(isa.assemble(isa.disassemble(decoded))) == data


def test_known_encoding() -> None:
    instr = isa.make("MM_COMPUTE", sram_addr=0x400, acc_addr=0, rows=32, dtype=isa.DTYPES["i8"]).with_sync(wait=1, signal=2)
    word = int.from_bytes(isa.encode(instr), "little")
    assert word & 0xFF == 0x21
    assert (word >> 8) & 1 == 1 and (word >> 9) & 0xF == 1 and (word >> 13) & 1 == 1 and (word >> 14) & 0xF == 2
    assert (word >> 18) & 0xFFFFF == 0x400


def test_every_instruction_fits_in_128_bits_and_opcodes_are_unique() -> None:
    assert len({d.opcode for d in isa.ISA}) == len(isa.ISA)
    assert all(d.bits_used() <= 128 for d in isa.ISA)


@pytest.mark.parametrize(
    "text, message",
    [
        ("FROB x=1", "<asm>:1: unknown instruction 'FROB'"),
        ("NOP\nDMA_LOAD rows", "<asm>:2: expected field=value"),
        ("DMA_LOAD rows=5000", "does not fit in 12 bits"),
        ("VECTOR op=frobnicate", "invalid literal|frobnicate"),
        ("NOP wait=16", "semaphore 16 out of range"),
        ("MM_PRELOAD colour=3", "MM_PRELOAD has no field 'colour'"),
    ],
)
def test_assembler_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        isa.assemble(text)


def test_decoder_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="unknown opcode"):
        isa.decode(b"\xff" + b"\0" * 15)
    with pytest.raises(ValueError, match="bits above"):
        isa.decode(b"\x00" + b"\xff" * 15)


def test_docs_are_generated_from_the_definition() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "ref_asic.md"
    assert doc.read_text() == render(), "docs/ref_asic.md is stale: run `python -m byteir_sim.docs`"
    assert "| 0x21 | `MM_COMPUTE` | matrix |" in doc.read_text()
