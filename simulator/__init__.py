"""byteir_sim: the reference ASIC simulator (one ISA definition, functional + timing model,
stats and Perfetto traces). Installed from simulator/ as ``byteir_sim``."""

from byteir_sim.config import MachineConfig, load_config
from byteir_sim.isa import ISA, Instruction, assemble, decode_program, disassemble, encode_program, make
from byteir_sim.sim import DeadlockError, RunResult, Simulator, SimulatorFault, cycles_of

__all__ = [
    "ISA", "Instruction", "MachineConfig", "Simulator", "RunResult", "DeadlockError", "SimulatorFault",
    "assemble", "disassemble", "encode_program", "decode_program", "make", "load_config", "cycles_of",
]  # fmt: skip
