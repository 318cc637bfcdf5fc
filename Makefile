# Thin wrapper over scripts/deps.sh, CMake presets and CTest.
# `report`, `report-quick` and `train` build only the library and the nnlab command
# (build-cli); `python` the Python module; `test` and `bench` build everything (tests,
# benchmarks, examples, the Python module).
PRESET ?= release
BUILD  := build/$(PRESET)
NNLAB  := $(BUILD)/nnlab

.PHONY: all deps configure build build-cli python report report-quick test test-asan bench train clean

all: build

deps:
	@bash scripts/deps.sh

configure: deps
	cmake --preset $(PRESET) >/dev/null

build: configure
	cmake --build --preset $(PRESET)

build-cli: configure
	cmake --build --preset $(PRESET) --target nnlab_cli

python: configure
	cmake --build --preset $(PRESET) --target nnlab_python
	@echo "nnlab: to import nnlab from Python: export PYTHONPATH=$(CURDIR)/$(BUILD)/python"

report: build-cli
	$(NNLAB) report --out .

report-quick: build-cli
	$(NNLAB) report --quick --out .

test: build
	ctest --preset $(PRESET)

test-asan:
	$(MAKE) test PRESET=debug

train: build-cli
	$(NNLAB) train --data fashion-mnist --out runs/fashion-mnist

bench: build
	bash bench/compare.sh

clean:
	rm -rf build
