# tlskit - finding tunnelling two-level systems in computer glasses.
#
#   make            build lib + every program in src/ into bin/
#   make test       install missing deps, build, run all tests (unit + Bats)
#   make test SAN=1 the same built with AddressSanitizer + UBSan (build/san/)
#   make demo       run the main job on a small embedded default
#   make bench      benchmarks against LAMMPS (bench/)
#   make validate   slow physics validations (tests/validate/, minutes)
#   make deps       install the Debian packages the project needs
#   make fuzz       fuzz every reader FUZZ_TIME seconds each (fuzz/README.md)
#
# CFLAGS is yours to override (default -O3 -g); warnings and the C standard
# are always on.

VERSION := 0.1.0
CFLAGS ?= -O3 -g
# -Wno-psabi: GCC notes that 64-byte vector arguments changed ABI in GCC 4.6
# (lib/minimize.c's 8-lane helpers, always inlined: no vector crosses a
# real call); its pragma there does not reach that note
WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wno-unused-parameter -Wno-psabi
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -DTK_VERSION='"$(VERSION)"' -Ilib
LDLIBS := -llapacke -lopenblas -lm

ifeq ($(SAN),1)
  BUILD := build/san
  BINDIR := build/san/bin
  CFLAGS := -O1 -g -fno-omit-frame-pointer
  SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
  BUILD := build/opt
  BINDIR := bin
  SANFLAGS :=
endif

LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o)
LIBA := $(BUILD)/libtlskit.a
PROGS := $(patsubst src/%.c,$(BINDIR)/%,$(wildcard src/*.c))
UNITS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
BENCHES := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

# Debian packages: build, tests, cross-checks and benchmarks; a single-node
# SLURM for tests/slurm.bats (the daemons are started by the test only).
DEB_PKGS := gcc make libc6-dev libopenblas-dev liblapacke-dev bats python3 python3-ase \
            lammps gnuplot-nox hyperfine slurmctld slurmd slurm-client munge \
            afl++ clang

.DELETE_ON_ERROR:
.PHONY: all test check unit deps demo bench bench-explore clean validate

all: $(PROGS)

$(BUILD)/lib/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BINDIR)/%: src/%.c $(LIBA) lib/*.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -o $@ $< $(LIBA) $(LDFLAGS) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/tap.h $(LIBA) lib/*.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(SANFLAGS) -o $@ $< $(LIBA) $(LDFLAGS) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(LIBA) lib/*.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -o $@ $< $(LIBA) $(LDFLAGS) $(LDLIBS)

# Install what is missing (as root), or print the command to do so.
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	  done); \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	echo "deps: missing:" $$missing; \
	if [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
	  echo "deps: run as root:  apt-get install -y $$missing"; exit 1; \
	fi

# The test command of README.md and .ci/run.
test: deps
	@$(MAKE) --no-print-directory all-tests
	@TLSKIT_BIN=$(abspath $(BINDIR)) TLSKIT_UNIT=$(abspath $(BUILD)/tests) \
	  TLSKIT_DATA=$(abspath tests/data) TLSKIT_SAN=$(if $(filter 1,$(SAN)),1,0) bash tests/run

.PHONY: all-tests
all-tests: $(PROGS) $(UNITS) $(BENCHES)

check: test

# Slow physics validations (minutes), not part of `make test`.
validate: all
	@for v in tests/validate/*.sh; do echo "== $$v"; TLSKIT_BIN=$(abspath $(BINDIR)) bash $$v || exit 1; done

# The whole pipeline at the embedded demo scale (pipelines/params/demo.mk):
# two Tf, a few small glasses; restartable, parallel (JOBS), ends with
# demo/nE.png and demo/tls.tsv.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
demo: deps all
	@$(MAKE) --no-print-directory -f pipelines/tls.mk SCALE=demo OUT=demo -j$(JOBS)
	@echo "== TLS density per Tf (demo/Tf*/density.tsv)"
	@for f in demo/Tf*/density.tsv; do echo "$$f"; column -t $$f; done
	@echo "== figures: demo/nE.png demo/n0.png demo/hist.png demo/pr.png; active TLS: demo/tls.tsv ($$(grep -vc '^#' demo/tls.tsv) rows)"

bench: deps all $(BENCHES)
	@TLSKIT_BIN=$(abspath $(BINDIR)) TLSKIT_BENCH=$(abspath $(BUILD)/bench) \
	  TLSKIT_DATA=$(abspath tests/data) bash bench/run
	@TLSKIT_BIN=$(abspath $(BINDIR)) bash bench/explore.sh

# the whole exploration against the baseline build only (bench/explore.sh)
bench-explore: all
	@TLSKIT_BIN=$(abspath $(BINDIR)) bash bench/explore.sh

# Fuzzing (fuzz/README.md): one AFL++ harness per reader (fuzz/*.c), built
# with afl-clang-fast, ASan and UBSan into build/fuzz/; `make fuzz` runs each
# for FUZZ_TIME seconds from its seeds in fuzz/corpus/TARGET and fails on any
# crash or hang.  FUZZ_TARGETS picks some.
FUZZ_CC ?= afl-clang-fast
FUZZ_TIME ?= 60
FUZZ_TARGETS ?= $(patsubst fuzz/%.c,%,$(wildcard fuzz/*.c))
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=all -Wno-unknown-pragmas
FUZZ_LIBA := build/fuzz/libtlskit.a

build/fuzz/lib/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D)
	AFL_QUIET=1 $(FUZZ_CC) $(WARN) $(CPPFLAGS) $(FUZZ_FLAGS) -c -o $@ $<

$(FUZZ_LIBA): $(LIB_SRC:lib/%.c=build/fuzz/lib/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

build/fuzz/bin/%: fuzz/%.c fuzz/*.h $(FUZZ_LIBA) lib/*.h
	@mkdir -p $(@D)
	AFL_QUIET=1 $(FUZZ_CC) $(WARN) $(CPPFLAGS) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_LIBA) $(LDFLAGS) \
	  -Wl,--wrap=exit $(LDLIBS)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_TARGETS:%=build/fuzz/bin/%)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_TIME=$(FUZZ_TIME) bash fuzz/run $(FUZZ_TARGETS)

clean:
	rm -rf build bin/*
