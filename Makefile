# The two front-door commands (see README.md). Both create/refresh a local virtualenv in .venv
# idempotently: the install step reruns only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BUILD := build

.PHONY: demo test venv clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { $(PYTHON) -m pip install --user virtualenv && $(PYTHON) -m virtualenv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,rtl,cuda]'
	touch $(STAMP)

venv: $(STAMP)

# The worked out-of-tree target (examples/vendor_target), installed with pip like a vendor's.
TOYVEC := $(VENV)/.toyvec-installed
$(TOYVEC): $(STAMP) examples/vendor_target/pyproject.toml $(wildcard examples/vendor_target/toyvec_byteir/*)
	$(BIN)/python -m pip install --quiet --no-deps --force-reinstall ./examples/vendor_target
	touch $(TOYVEC)

# The main job: export the bundled MLP example, compile it for the reference ASIC, and run it
# on the simulator with the per-kernel cycle report, a Perfetto trace and the oracle check.
demo: $(STAMP)
	$(BIN)/byteir export-model mlp -o $(BUILD)/mlp.mlir
	$(BIN)/byteir compile $(BUILD)/mlp.mlir --target ref_asic -o $(BUILD)/mlp.byre --stats
	$(BIN)/byteir-sim run $(BUILD)/mlp.byre --report --trace $(BUILD)/mlp.trace.json --outputs $(BUILD)/mlp_outputs.npz

# The test suite (what CI runs): the unit/pass/end-to-end tests, then the conformance suite for
# both in-tree device targets and for the pip-installed vendor example (which must reach Core),
# and the cuda target's code generation (--compile-only: every case to PTX, checked by ptxas; no
# GPU needed), whose reports land in build/conformance/ (the corpus tier runs when ../shared is
# there). The corpus tests use ../shared when it exists, else skip.
CORPUS := ../shared/conformance/stablehlo_testdata
CONFORMANCE_TIER := $(if $(wildcard $(CORPUS)/*.mlir),--tier all --corpus $(CORPUS),--tier all)
test: $(STAMP) $(TOYVEC)
	$(BIN)/python -m pytest -n 2 --durations=10
	$(BIN)/byteir-conformance --target cpu $(CONFORMANCE_TIER) --report $(BUILD)/conformance/cpu.json --markdown $(BUILD)/conformance/cpu.md
	$(BIN)/byteir-conformance --target ref_asic $(CONFORMANCE_TIER) --report $(BUILD)/conformance/ref_asic.json --markdown $(BUILD)/conformance/ref_asic.md
	$(BIN)/byteir-conformance --target cuda --compile-only $(CONFORMANCE_TIER) --report $(BUILD)/conformance/cuda-codegen.json --markdown $(BUILD)/conformance/cuda-codegen.md
	$(BIN)/byteir-conformance --target toyvec $(CONFORMANCE_TIER) --require-level Core --report $(BUILD)/conformance/toyvec.json --markdown $(BUILD)/conformance/toyvec.md

clean:
	rm -rf $(VENV) $(BUILD) .pytest_cache
