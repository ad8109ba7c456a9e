"""Tensor stage: memory spaces (place-memory-spaces) and the per-space memory plan."""

from __future__ import annotations

import numpy as np
import pytest

import byteir_sdk
from byteir_sdk.compiler.loop.program import Call, Copy, KernelProgram
from byteir_sdk.compiler.pipeline import CompileOptions, run_stages
from byteir_sdk.compiler.tensor.spaces import place_memory_spaces

# k0 (a matmul: the array) -> k1 (a division: host fallback, used twice) -> k2 (a matmul) and the output
SOURCE = """
func.func @main(%a: tensor<16x32xf32>, %b: tensor<32x32xf32>) -> (tensor<16x32xf32>, tensor<16x32xf32>) {
  %c = stablehlo.dot_general %a, %b, contracting_dims = [1] x [0] : (tensor<16x32xf32>, tensor<32x32xf32>) -> tensor<16x32xf32>
  %three = stablehlo.constant dense<3.0> : tensor<16x32xf32>
  %d = stablehlo.divide %c, %three : tensor<16x32xf32>
  %e = stablehlo.dot_general %d, %b, contracting_dims = [1] x [0] : (tensor<16x32xf32>, tensor<32x32xf32>) -> tensor<16x32xf32>
  return %e, %d : tensor<16x32xf32>, tensor<16x32xf32>
}
"""


@pytest.fixture(scope="module")
def asic_compilation():
    return run_stages(byteir_sdk.loads(SOURCE), CompileOptions.make("ref_asic", dump_after="tensor"))


def test_copies_surround_the_host_kernel(asic_compilation, filecheck) -> None:
    filecheck(asic_compilation.dumps["tensor"], """
    // CHECK: call @k0_dot_general(%arg0, %arg1)
    // CHECK-NEXT: %[[H:.*]] = copy %[[C:.*]] : device -> host
    // CHECK-NEXT: call @k1_divide(%[[H]])
    // CHECK-NEXT: %[[D:.*]] = copy %[[R:.*]] : host -> device
    // CHECK-NEXT: call @k2_dot_general(%[[D]], %arg1)
    // CHECK: return %{{.*}}, %[[D]]
    // CHECK: arenas by space: device {{[0-9]+}}, host {{[0-9]+}}
    // CHECK: %[[R]]: host[
    """)


def test_each_value_is_copied_once_per_space(asic_compilation) -> None:
    kp = asic_compilation.kernel_program
    copies = [c for c in kp.calls if isinstance(c, Copy)]
    assert len({(c.source, kp.space(c.target)) for c in copies}) == len(copies) == 2
    for call in kp.calls:  # a kernel only ever sees values of its own space
        if isinstance(call, Call):
            assert len({kp.space(v) for v in (*call.args, *call.results)}) == 1


def test_each_space_is_planned_into_its_own_arena(asic_compilation) -> None:
    plan = asic_compilation.plan
    assert set(plan.arenas) == {"device", "host"} and plan.arena_bytes == plan.arenas["device"]
    kp = asic_compilation.kernel_program
    for name, placement in plan.placements.items():
        assert placement.space == kp.space(name) and placement.offset + placement.size <= plan.arenas[placement.space]


def test_the_cpu_target_needs_no_copies() -> None:
    comp = run_stages(byteir_sdk.loads(SOURCE), CompileOptions.make("cpu"))
    assert not any(isinstance(c, Copy) for c in comp.kernel_program.calls) and set(comp.plan.arenas) <= {"device"}


def test_unknown_space_is_refused() -> None:
    kp = KernelProgram([], [], [], [], {}, [], {})
    with pytest.raises(ValueError, match="unknown memory space"):
        place_memory_spaces(kp, {"k0": "l2"})


def test_copied_program_still_evaluates_like_the_oracle(asic_compilation) -> None:
    kp = asic_compilation.kernel_program
    x = byteir_sdk.reference.random_inputs(byteir_sdk.loads(SOURCE), seed=2)
    want = byteir_sdk.reference.run(byteir_sdk.loads(SOURCE), x)
    for got, expected in zip(kp.evaluate(x), want):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
