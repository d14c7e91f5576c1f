# survstat: a plain GNU Makefile.  `make` builds ./survstat; `make check`,
# `make demo` and `make bench` first install missing Debian packages.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-missing-field-initializers
CPPFLAGS += -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -MMD -MP
GSL_CFLAGS := $(shell pkg-config --cflags gsl 2>/dev/null)
GSL_LIBS   := $(shell pkg-config --libs gsl 2>/dev/null || echo -lgsl -lgslcblas)
LDLIBS  += $(GSL_LIBS) -lcsv -linih -lm -pthread

SRC  := $(wildcard src/*.c)
OBJ  := $(SRC:src/%.c=build/%.o)
LIB_OBJ := $(filter-out build/main.o build/cmd_%.o,$(OBJ))
ASAN_OBJ := $(SRC:src/%.c=build/asan/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/tests/%)

# Debian packages the build, the tests and the demo need.
DEB_PACKAGES = gcc make pkg-config libgsl-dev libcsv-dev libcmocka-dev libinih-dev gnuplot-nox \
               fonts-wqy-zenhei libc-bin python3
# What `make bench` needs besides: R's survey package and data.table's reader.
BENCH_PACKAGES = r-base-core r-cran-survey r-cran-data.table

.PHONY: all check demo asan bench bench-deps clean deps unit e2e refs

all: survstat

survstat: $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

build/%.o: src/%.c | build
	$(CC) $(WARN) $(CFLAGS) $(GSL_CFLAGS) $(CPPFLAGS) -c -o $@ $<

build build/asan build/tests:
	mkdir -p $@

# AddressSanitizer and UndefinedBehaviorSanitizer build.
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan: survstat-asan
survstat-asan: $(ASAN_OBJ)
	$(CC) $(ASAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
build/asan/%.o: src/%.c | build/asan
	$(CC) $(WARN) $(ASAN_FLAGS) $(GSL_CFLAGS) $(CPPFLAGS) -c -o $@ $<

# Installs what is missing (apt-get, through sudo when not root).
deps:
	@missing=""; for p in $(DEB_PACKAGES) $(EXTRA_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
	    || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build/tests/%: tests/unit/%.c $(LIB_OBJ) | build/tests
	$(CC) $(WARN) $(CFLAGS) $(GSL_CFLAGS) $(CPPFLAGS) -o $@ $< $(LIB_OBJ) -lcmocka $(LDLIBS)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do $$t; done

e2e: survstat
	@tests/run_tests.sh ./survstat

check: deps
	@$(MAKE) --no-print-directory all unit
	@tests/run_tests.sh ./survstat
	@$(MAKE) --no-print-directory asan
	@SURVSTAT_ASAN=1 tests/run_tests.sh ./survstat-asan

demo: deps
	@$(MAKE) --no-print-directory all
	@tests/demo.sh

# The synthetic Qingdao study data (datasets/generate.c, seeded: same bytes every time).
build/generate: datasets/generate.c | build
	$(CC) $(WARN) $(CFLAGS) $(GSL_CFLAGS) $(CPPFLAGS) -o $@ $< $(GSL_LIBS) -lm
.PHONY: datasets
datasets: build/generate
	build/generate datasets
# survstat against R on generated files (bench/bench.py); not a test.
bench-deps:
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(BENCH_PACKAGES)"
bench: bench-deps
	@$(MAKE) --no-print-directory all build/bench/gen build/bench/csvparse
	@python3 bench/bench.py
build/bench:
	mkdir -p $@
build/bench/%: bench/%.c | build/bench
	$(CC) $(WARN) -O2 -o $@ $< -lcsv

# Regenerate the R reference values (needs r-cran-survey; tests do not).
refs:
	Rscript tests/ref/export_data.R && Rscript tests/ref/margins/make_margins.R && \
	  Rscript tests/ref/make_refs.R && Rscript tests/ref/make_test_refs.R

clean:
	rm -rf build survstat survstat-asan

-include $(OBJ:.o=.d) $(ASAN_OBJ:.o=.d)
