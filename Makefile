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
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# The main job: export the bundled CNN example, compile it to ByRE, run it on the CPU target
# and check it against the XLA oracle, with timings.
demo: $(STAMP)
	$(BIN)/byteir export-model cnn -o $(BUILD)/cnn.mlir
	$(BIN)/byteir compile $(BUILD)/cnn.mlir --target cpu -o $(BUILD)/cnn.byre --stats
	$(BIN)/byteir run $(BUILD)/cnn.byre --source $(BUILD)/cnn.mlir --check --outputs $(BUILD)/cnn_outputs.npz

# The test suite (what CI runs). The corpus tests use ../shared when it exists, else skip.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --durations=10

clean:
	rm -rf $(VENV) $(BUILD) .pytest_cache
