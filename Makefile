# survstat: a plain GNU Makefile.  `make` builds ./survstat; `make check`,
# `make demo` and `make bench` first install missing Debian packages.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-missing-field-initializers
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -MMD -MP
GSL_CFLAGS := $(shell pkg-config --cflags gsl 2>/dev/null)
GSL_LIBS   := $(shell pkg-config --libs gsl 2>/dev/null || echo -lgsl -lgslcblas)
# Start-up cost (docs/design.md, "Start-up"): every shared library costs a
# process time to map and relocate, so the libraries Debian ships as static
# archives in their -dev packages (GSL, libcsv, inih, R's nmath, minizip,
# zlib) are linked from those archives, found where the compiler finds
# libraries; a library without its archive is linked with -lNAME.  The
# licences allow it: GSL (GPL-3+) and R's nmath (GPL-2+) make the binary a
# GPL work linked statically or not; libcsv is LGPL-2.1+ (survstat's source
# lets a user relink it); inih is BSD, zlib and minizip zlib-licensed.
static_or_l = $(if $(filter /%,$(shell $(CC) -print-file-name=lib$(1).a)),$(shell $(CC) -print-file-name=lib$(1).a),-l$(1))
STATIC_LIBS := $(foreach l,gsl gslcblas csv inih Rmath minizip z,$(call static_or_l,$(l)))
# libxlsxwriter (which pulls in libcrypto) and ReadStat are not linked:
# src/io/dl.c opens them with dlopen when an .xlsx is written or an SPSS,
# Stata or SAS file read, by the sonames of the libraries built against.
soname = $(shell readelf -d "$$($(CC) -print-file-name=lib$(1).so)" 2>/dev/null | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
XLSXWRITER_SONAME := $(call soname,xlsxwriter)
READSTAT_SONAME   := $(call soname,readstat)
DL_SONAMES := $(if $(XLSXWRITER_SONAME),-DSS_XLSXWRITER_SONAME='"$(XLSXWRITER_SONAME)"') \
              $(if $(READSTAT_SONAME),-DSS_READSTAT_SONAME='"$(READSTAT_SONAME)"')
LDLIBS  += $(STATIC_LIBS) -lm -ldl -pthread
# The library versions `survstat --version` names (those of the build).
LIB_VERSIONS := -DSS_GSL_VERSION='"$(shell pkg-config --modversion gsl 2>/dev/null)"' \
                -DSS_INIH_VERSION='"$(shell pkg-config --modversion inih 2>/dev/null)"' \
                -DSS_RMATH_VERSION='"$(shell pkg-config --modversion libRmath 2>/dev/null)"'

# The source folders are layers, lowest first (README "Source layout"); a
# file sees only the headers of its own layer and the ones below, so a
# lower layer cannot call a higher one (tests/tools/check_layers.py checks
# the objects too: no upward call, no circle between files).
LAYERS  := io design stats report cli
INC_io     = -Isrc/io
INC_design = $(INC_io) -Isrc/design
INC_stats  = $(INC_design) -Isrc/stats
INC_report = $(INC_stats) -Isrc/report
INC_cli    = $(INC_report) -Isrc/cli -Iinclude
INC_ALL    = $(INC_cli)
layer_inc  = $(INC_$(firstword $(subst /, ,$(1))))

SRC  := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
OBJ  := $(SRC:src/%.c=build/%.o)
# libsurvstat.a: everything but the command layer (include/survstat.h is
# what an embedding program may call).
LIB_OBJ := $(filter-out build/cli/%,$(OBJ))
CLI_OBJ := $(filter build/cli/%,$(OBJ))
LIB     := build/libsurvstat.a
ASAN_OBJ := $(SRC:src/%.c=build/asan/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/tests/%)

# Debian packages the build, the tests and the demo need.
DEB_PACKAGES = gcc make pkg-config libgsl-dev libcsv-dev libcmocka-dev libinih-dev r-mathlib gnuplot-nox \
               libxlsxwriter-dev libminizip-dev python3-openpyxl libxml2-utils \
               fonts-wqy-zenhei libc-bin python3 man-db groff-base libreadstat-dev zlib1g-dev
# What `make bench` needs besides: R, data.table's reader, and what R's
# survey 4.5 is built with (Rcpp, RcppArmadillo; Debian's r-cran-survey, 4.1,
# brings the other packages survey depends on and stays for `make refs`).
BENCH_PACKAGES = r-base-core r-base-dev r-cran-survey r-cran-data.table r-cran-rcpp \
                 r-cran-rcpparmadillo r-cran-haven
# make bench measures against R's survey 4.5 (its variance in C++), built
# from SURVEY_TARBALL into the library BENCH_RLIB once, beside Debian's 4.1.
SURVEY_TARBALL ?= ../shared/reference/survey_4.5.tar.gz
BENCH_RLIB     ?= build/R-4.5
# What `make fuzz` needs more (libFuzzer comes with clang's runtime).
FUZZ_PACKAGES = clang libclang-rt-14-dev
PACKAGES ?= $(DEB_PACKAGES)

.PHONY: all check demo asan bench bench-deps bench-rlib clean deps unit e2e refs fuzz fuzz-build fuzz-check \
        install uninstall

all: survstat

survstat: $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

build/cli/main.o build/asan/cli/main.o: CPPFLAGS += $(LIB_VERSIONS)
build/io/dl.o build/asan/io/dl.o build/fuzz/obj/io/dl.o: CPPFLAGS += $(DL_SONAMES)

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

build/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(GSL_CFLAGS) $(CPPFLAGS) $(call layer_inc,$*) -c -o $@ $<

build build/tests:
	mkdir -p $@

# AddressSanitizer and UndefinedBehaviorSanitizer build.
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan: survstat-asan
survstat-asan: $(ASAN_OBJ)
	$(CC) $(ASAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
build/asan/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(ASAN_FLAGS) $(GSL_CFLAGS) $(CPPFLAGS) $(call layer_inc,$*) -c -o $@ $<

# Installs what is missing (apt-get, through sudo when not root).  A package
# whose triggers are pending (another apt-get still finishing) counts as
# installed, and apt-get waits up to 15 minutes for another one's lock.
deps:
	@missing=""; for p in $(PACKAGES) $(EXTRA_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	    | grep -Eq '^install ok (installed|triggers-pending|triggers-awaited)$$' \
	    || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=900 \
	    install -y -qq $$missing >/dev/null; \
	fi

build/tests/%: tests/unit/%.c $(LIB) | build/tests
	$(CC) $(WARN) $(CFLAGS) $(GSL_CFLAGS) $(CPPFLAGS) -Iinclude $(INC_report) -o $@ $< $(LIB) -lcmocka $(LDLIBS)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do $$t; done

e2e: survstat
	@tests/run_tests.sh ./survstat

# The plain and the sanitizer suites run side by side (one core each on a
# two-core machine); each one's log is shown when both are done.
check: deps
	@$(MAKE) --no-print-directory -j2 all asan
	@$(MAKE) --no-print-directory unit
	@tests/run_tests.sh ./survstat >build/e2e.log 2>&1 & plain=$$!; \
	  SURVSTAT_ASAN=1 tests/run_tests.sh ./survstat-asan >build/e2e-asan.log 2>&1; asan=$$?; \
	  wait $$plain; plain=$$?; \
	  echo "== tests/run_tests.sh ./survstat"; cat build/e2e.log; \
	  echo "== tests/run_tests.sh ./survstat-asan (AddressSanitizer, UBSan)"; cat build/e2e-asan.log; \
	  [ $$plain -eq 0 ] && [ $$asan -eq 0 ]
	@if [ -n "$$(find tests/fuzz/regress -type f 2>/dev/null)" ]; then \
	  $(MAKE) --no-print-directory deps PACKAGES="$(DEB_PACKAGES) $(FUZZ_PACKAGES)" && \
	  $(MAKE) --no-print-directory fuzz-check; fi

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
# survey 4.5 in BENCH_RLIB: installed when that library has no survey 4.5.
bench-rlib: bench-deps
	@if R_LIBS="$(BENCH_RLIB)" Rscript -e 'quit(status = !(packageVersion("survey") >= "4.5"))' \
	    >/dev/null 2>&1 && [ -d "$(BENCH_RLIB)/survey" ]; then :; \
	elif [ ! -f "$(SURVEY_TARBALL)" ]; then \
	  echo "make bench: $(SURVEY_TARBALL) not found: R's survey 4.5 source package is needed" \
	       "(set SURVEY_TARBALL=PATH/survey_4.5.tar.gz)" >&2; exit 1; \
	else \
	  echo "installing R's survey from $(SURVEY_TARBALL) into $(BENCH_RLIB)"; \
	  mkdir -p build "$(BENCH_RLIB)" && R CMD INSTALL --no-test-load -l "$(BENCH_RLIB)" \
	    "$(SURVEY_TARBALL)" >build/bench-rlib.log 2>&1 \
	    || { tail -20 build/bench-rlib.log; echo "make bench: R CMD INSTALL failed" \
	         "(log: build/bench-rlib.log)" >&2; exit 1; }; \
	fi
BENCH_GEN = build/bench/gen build/bench/gen_people build/bench/csvparse \
            $(if $(wildcard bench/gen_acs.c),build/bench/gen_acs)
bench: bench-rlib
	@$(MAKE) --no-print-directory all $(BENCH_GEN)
	@BENCH_RLIB="$(abspath $(BENCH_RLIB))" python3 bench/bench.py
build/bench:
	mkdir -p $@
build/bench/%: bench/%.c bench/gen_common.h | build/bench
	$(CC) $(WARN) -O2 -o $@ $< -lcsv -lm

# Regenerate the R reference values (needs r-cran-survey; tests do not).
refs:
	Rscript tests/ref/export_data.R && Rscript tests/ref/margins/make_margins.R && \
	  Rscript tests/ref/make_refs.R && Rscript tests/ref/make_test_refs.R
	Rscript tests/ref/make_rep_refs.R && Rscript tests/ref/make_repcmp_refs.R && \
	  Rscript tests/ref/make_reptest_refs.R && Rscript tests/ref/make_repfast_refs.R && \
	  Rscript tests/ref/make_trust_rep_refs.R && Rscript tests/ref/make_intervals_refs.R && \
	  Rscript tests/ref/contrasts/make_contrast_refs.R && Rscript tests/ref/make_subset_refs.R && \
	  Rscript tests/ref/make_table_refs.R && \
	  Rscript tests/ref/make_levels_refs.R && \
	  Rscript tests/ref/make_pps_refs.R && \
	  Rscript tests/ref/make_model_refs.R && \
	  Rscript tests/ref/make_ppsrep_refs.R
	Rscript tests/ref/make_labelled.R && Rscript datasets/make_household_sav.R && \
	  Rscript tests/ref/make_negative_refs.R
	R_LIBS=$(R45_LIBS) Rscript tests/ref/make_acs_refs.R
# --rep-type acs follows survey 4.5 (its ACS turns mse on): that script runs
# with 4.5 from a library of its own (../shared/reference/README.md).
R45_LIBS ?= /work/rlib45

# libFuzzer harnesses (tests/fuzz/fuzz_NAME.c, seeds in tests/fuzz/corpus/NAME/):
# `make fuzz` builds them with clang and runs each for FUZZ_TIME seconds;
# what they find is kept in tests/fuzz/regress/NAME/ and replayed by
# `make fuzz-check` (and tests/e2e/hardening.sh through ./survstat).  A new
# harness is one more tests/fuzz/fuzz_NAME.c plus its corpus directory.
FUZZ_CC   ?= clang
FUZZ_TIME ?= 30
FUZZ_FLAGS = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_OBJ  := $(filter-out build/fuzz/obj/cli/main.o build/fuzz/obj/cli/cmd_%.o,$(SRC:src/%.c=build/fuzz/obj/%.o))
FUZZ_CMD_OBJ := $(filter-out build/fuzz/obj/cli/cmd_run.o,$(filter build/fuzz/obj/cli/cmd_%.o,$(SRC:src/%.c=build/fuzz/obj/%.o)))
.SECONDARY: $(FUZZ_OBJ) $(FUZZ_CMD_OBJ)
build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(GSL_CFLAGS) $(CPPFLAGS) $(call layer_inc,$*) -Wno-unused-command-line-argument -c -o $@ $<
# fuzz_run includes src/cli/cmd_run.c itself (to reach its static parser) and
# links the commands it would run.
build/fuzz/fuzz_run: $(FUZZ_CMD_OBJ)
build/fuzz/fuzz_run: FUZZ_MORE = $(FUZZ_CMD_OBJ)
build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_util.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $(GSL_CFLAGS) $(CPPFLAGS) $(INC_ALL) -D_GNU_SOURCE -Itests/fuzz -o $@ $< \
	  $(FUZZ_MORE) $(FUZZ_OBJ) $(LDLIBS)
fuzz-build: $(FUZZ_BIN)
fuzz:
	@$(MAKE) --no-print-directory deps PACKAGES="$(DEB_PACKAGES) $(FUZZ_PACKAGES)"
	@$(MAKE) --no-print-directory fuzz-build
	@set -e; for b in $(FUZZ_BIN); do n=$${b#build/fuzz/fuzz_}; \
	  mkdir -p build/fuzz/corpus/$$n tests/fuzz/regress/$$n; \
	  echo "fuzz $$n: $(FUZZ_TIME) s"; \
	  ASAN_OPTIONS=detect_leaks=1 $$b -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 -close_fd_mask=2 -artifact_prefix=tests/fuzz/regress/$$n/ \
	    -print_final_stats=0 build/fuzz/corpus/$$n tests/fuzz/corpus/$$n \
	    2>build/fuzz/$$n.log || { tail -40 build/fuzz/$$n.log; exit 1; }; \
	  grep -h '^#[0-9]*.*DONE' build/fuzz/$$n.log | tail -1; done
# Replays the seeds and every input kept from a crash through the harnesses.
fuzz-check: fuzz-build
	@set -e; for b in $(FUZZ_BIN); do n=$${b#build/fuzz/fuzz_}; \
	  files=$$(find tests/fuzz/corpus/$$n tests/fuzz/regress/$$n -type f 2>/dev/null || true); \
	  [ -z "$$files" ] || ASAN_OPTIONS=detect_leaks=1 $$b $$files >/dev/null 2>&1 \
	    || { echo "fuzz-check $$n failed"; $$b $$files 2>&1 | tail -30; exit 1; }; \
	  echo "fuzz-check $$n: $$(echo $$files | wc -w) inputs"; done

# make install [PREFIX=/usr/local] [DESTDIR=...]: the binary, the man page,
# bash completion and the example data (share/survstat/datasets); make
# uninstall removes what install put there.
PREFIX  ?= /usr/local
BINDIR   = $(DESTDIR)$(PREFIX)/bin
MANDIR   = $(DESTDIR)$(PREFIX)/share/man/man1
COMPDIR  = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
DATADIR  = $(DESTDIR)$(PREFIX)/share/survstat
DATA     = $(filter-out datasets/generate.c,$(wildcard datasets/*))
install: survstat
	install -d $(BINDIR) $(MANDIR) $(COMPDIR) $(DATADIR)/datasets
	install -m 755 survstat $(BINDIR)/survstat
	install -m 644 man/survstat.1 $(MANDIR)/survstat.1
	install -m 644 completion/survstat.bash $(COMPDIR)/survstat
	install -m 644 $(DATA) $(DATADIR)/datasets/
uninstall:
	rm -f $(BINDIR)/survstat $(MANDIR)/survstat.1 $(COMPDIR)/survstat
	rm -f $(addprefix $(DATADIR)/datasets/,$(notdir $(DATA)))
	-rmdir $(DATADIR)/datasets $(DATADIR) 2>/dev/null

clean:
	rm -rf build survstat survstat-asan

-include $(OBJ:.o=.d) $(ASAN_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d) $(FUZZ_CMD_OBJ:.o=.d) $(FUZZ_BIN:=.d)
