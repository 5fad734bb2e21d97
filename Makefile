# Yinjian's developer entry points. README.md documents two of them: `make run` and `make test`.
# Everything builds from Debian 12 packages (scripts/install-deps.sh); nothing is downloaded.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
DATA_DIR ?= data
TOKEN_LABEL ?= yinjian-dev
JOBS ?= $(shell nproc)
# Extra arguments for the benchmark binary, e.g. BENCH_ARGS="--only ECDSA --threads 1"
BENCH_ARGS ?=

.PHONY: all deps build test sanitize run bench clean

all: build

# Installs missing Debian packages (as root, or through sudo); silent when nothing is missing.
deps:
	@scripts/install-deps.sh

# Configures once (an existing build directory keeps its settings), then builds everything.
build: deps
	@if [[ ! -f "$(BUILD_DIR)/build.ninja" ]]; then \
	  cmake -S . -B "$(BUILD_DIR)" -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE); \
	fi
	cmake --build "$(BUILD_DIR)" -j$(JOBS)

test: build
	ctest --test-dir "$(BUILD_DIR)" --output-on-failure -j$(JOBS)

# The whole test suite again under AddressSanitizer and UndefinedBehaviorSanitizer (R16), in
# its own build directory. LeakSanitizer ignores leaks inside SoftHSM itself (tests/lsan.supp).
ASAN_BUILD_DIR ?= build-asan
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
sanitize: deps
	@if [[ ! -f "$(ASAN_BUILD_DIR)/build.ninja" ]]; then \
	  cmake -S . -B "$(ASAN_BUILD_DIR)" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DYINJIAN_BUILD_BENCH=OFF \
	    -DCMAKE_CXX_FLAGS="$(SANITIZE_FLAGS)" -DCMAKE_EXE_LINKER_FLAGS="$(SANITIZE_FLAGS)"; \
	fi
	cmake --build "$(ASAN_BUILD_DIR)" -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir "$(ASAN_BUILD_DIR)" --output-on-failure -j$(JOBS)

# Creates (once) the development SoftHSM token under $(DATA_DIR)/softhsm, prepares the data
# folder (development CA and certificates, SQLite store, server.conf, admin.profile), and starts
# the server on it. The assignment, unlike a bare eval "$(...)", fails when create-token.sh fails.
run: build
	@exports="$$(softhsm-setup/create-token.sh --dir "$(DATA_DIR)/softhsm" --label "$(TOKEN_LABEL)")"; \
	eval "$$exports"; \
	"$(BUILD_DIR)/bin/yinjian-server" init --data-dir "$(DATA_DIR)"; \
	echo "yinjianctl: export YINJIAN_PROFILE=$(CURDIR)/$(DATA_DIR)/admin.profile"; \
	exec "$(BUILD_DIR)/bin/yinjian-server" --config "$(DATA_DIR)/server.conf"

bench: build
	"$(BUILD_DIR)/bin/hsm_bench" $(BENCH_ARGS)

# Removes build output only. $(DATA_DIR) holds the development token and its keys: delete it by
# hand when you mean to.
clean:
	rm -rf "$(BUILD_DIR)" "$(ASAN_BUILD_DIR)"
