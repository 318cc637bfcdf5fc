# Thin wrapper over scripts/deps.sh, CMake presets and CTest.
PRESET ?= release
BUILD  := build/$(PRESET)
NNLAB  := $(BUILD)/nnlab

.PHONY: all deps build report report-quick test test-asan bench train clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET)

report: build
	$(NNLAB) report --out .

report-quick: build
	$(NNLAB) report --quick --out .

test: build
	ctest --preset $(PRESET)

test-asan:
	$(MAKE) test PRESET=debug

train: build
	$(NNLAB) train --data fashion-mnist --out runs/fashion-mnist

bench: build
	bash bench/compare.sh

clean:
	rm -rf build
