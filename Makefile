# mcpos top-level build.
#
#   make run                 build everything and boot the OS in QEMU (ARCH=x86_64|aarch64)
#   make check               every test; last line "N passed, M failed[, K skipped]"
#   make                     userspace for ARCH plus host tools
#   make image ARCH=...      build/image/<arch>/{kernel,initramfs}
#   make bench               benchmark tables, build/bench/*.json
#
# Each module adds itself through a module.mk fragment using the templates
# below, so adding a program or a test never means editing this file.

ARCH ?= x86_64
ARCHES := x86_64 aarch64
BUILD := build
SOURCE_DATE_EPOCH ?= 1700000000
export SOURCE_DATE_EPOCH

# ---- toolchains -----------------------------------------------------------
CC_x86_64  := musl-gcc
CC_aarch64 := aarch64-linux-musl-gcc
HOSTCC     ?= gcc
FUZZCC     ?= clang

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CSTD    := -std=c11 -D_GNU_SOURCE
INC     := -Isrc/lib -Isrc
OPT     := -O2
# Target binaries: static, small, reproducible.
TFLAGS  := $(CSTD) $(WARN) $(OPT) $(INC) -ffunction-sections -fdata-sections \
           -fno-asynchronous-unwind-tables -ffile-prefix-map=$(CURDIR)=.
TLDFLAGS_x86_64  := -static -Wl,--gc-sections -Wl,--build-id=none -s
TLDFLAGS_aarch64 := -static -Wl,--gc-sections -Wl,--build-id=none -s -Wl,-z,max-page-size=4096
# Host tools and sanitizer builds of the unit tests (glibc).
HFLAGS  := $(CSTD) $(WARN) $(OPT) $(INC) -g
SANFLAGS := $(CSTD) $(WARN) -O1 -g $(INC) -fsanitize=address,undefined \
            -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZFLAGS := $(CSTD) -O1 -g $(INC) -fsanitize=fuzzer,address,undefined

LIBS_target := -lm -lpthread
LIBS_host   := -lm -lpthread

# ---- registries filled by module.mk fragments ------------------------------
TARGET_PROGS :=   # programs that go into the image, per arch
HOST_PROGS   :=   # programs that run on the build machine
UNIT_TESTS   :=   # unit test names (run natively, under sanitizers, under qemu-aarch64)
FUZZ_TARGETS :=   # libFuzzer targets

# Headers beside any of a program's sources are prerequisites too.
hdrs = $(foreach d,$(sort $(dir $(1))),$(wildcard $(d)*.h))

# $(call target_prog,name,sources): build/<arch>/name for every arch.
define target_prog_arch
$(BUILD)/$(2)/$(1): $(3) $$(wildcard src/lib/*.h) $$(call hdrs,$(3)) | $(BUILD)/$(2)/.dir
	$$(CC_$(2)) $$(TFLAGS) $$(CFLAGS_$(1)) -o $$@ $(3) $$(TLDFLAGS_$(2)) $$(LIBS_target)
endef
define target_prog
TARGET_PROGS += $(1)
$(foreach a,$(ARCHES),$(eval $(call target_prog_arch,$(1),$(a),$(2))))
endef

# $(call host_prog,name,sources): build/host/name.
define host_prog
HOST_PROGS += $(1)
$(BUILD)/host/$(1): $(2) $$(wildcard src/lib/*.h) $$(call hdrs,$(2)) | $(BUILD)/host/.dir
	$$(HOSTCC) $$(HFLAGS) $$(CFLAGS_$(1)) -o $$@ $(2) $$(LIBS_host)
endef

# $(call unit_test,name,sources): three builds of one test program:
#   build/test/san/name      glibc + ASan + UBSan
#   build/test/x86_64/name   static musl, run natively
#   build/test/aarch64/name  static musl, run under qemu-aarch64-static
define unit_test
UNIT_TESTS += $(1)
$(BUILD)/test/san/$(1): $(2) tests/unit/check.h $$(wildcard src/lib/*.h) $$(call hdrs,$(2)) | $(BUILD)/test/san/.dir
	$$(HOSTCC) $$(SANFLAGS) $$(CFLAGS_$(1)) -o $$@ $(2) $$(LIBS_host)
$(BUILD)/test/x86_64/$(1): $(2) tests/unit/check.h $$(wildcard src/lib/*.h) $$(call hdrs,$(2)) | $(BUILD)/test/x86_64/.dir
	$$(CC_x86_64) $$(TFLAGS) $$(CFLAGS_$(1)) -o $$@ $(2) $$(TLDFLAGS_x86_64) $$(LIBS_target)
$(BUILD)/test/aarch64/$(1): $(2) tests/unit/check.h $$(wildcard src/lib/*.h) $$(call hdrs,$(2)) | $(BUILD)/test/aarch64/.dir
	$$(CC_aarch64) $$(TFLAGS) $$(CFLAGS_$(1)) -o $$@ $(2) $$(TLDFLAGS_aarch64) $$(LIBS_target)
endef

# $(call fuzz_target,name,sources): build/fuzz/name (clang libFuzzer).
define fuzz_target
FUZZ_TARGETS += $(1)
$(BUILD)/fuzz/$(1): $(2) $$(wildcard src/lib/*.h) $$(call hdrs,$(2)) | $(BUILD)/fuzz/.dir
	$$(FUZZCC) $$(FUZZFLAGS) $$(CFLAGS_$(1)) -o $$@ $(2) -lm -lpthread
endef

%/.dir:
	@mkdir -p $(@D) && touch $@

include $(sort $(wildcard src/*/module.mk tools/*/module.mk kernel/module.mk image/module.mk tests/module.mk bench/module.mk))

# ---- top-level targets ----------------------------------------------------
.PHONY: all deps image run check bench clean programs host-tools tests fuzzers

all: deps-build programs host-tools

deps:
	@scripts/deps.sh
deps-build:
	@scripts/deps.sh build

programs: $(foreach p,$(TARGET_PROGS),$(BUILD)/$(ARCH)/$(p))
host-tools: $(foreach p,$(HOST_PROGS),$(BUILD)/host/$(p))
tests: $(foreach t,$(UNIT_TESTS),$(BUILD)/test/san/$(t) $(BUILD)/test/x86_64/$(t) $(BUILD)/test/aarch64/$(t))
fuzzers: $(foreach f,$(FUZZ_TARGETS),$(BUILD)/fuzz/$(f))

clean:
	rm -rf $(BUILD)

# ---- the two commands -----------------------------------------------------
# `make check`: set up, build everything for both architectures, run every
# test.  The last line of its output is "N passed, M failed[, K skipped]".
check: deps
	@$(MAKE) --no-print-directory host-tools tests fuzzers
	@$(MAKE) --no-print-directory ARCH=x86_64 programs image
	@$(MAKE) --no-print-directory ARCH=aarch64 programs image
	@scripts/npm-deps.sh
	@UNIT_TESTS="$(sort $(UNIT_TESTS))" FUZZ_TARGETS="$(sort $(FUZZ_TARGETS))" tests/run.sh

# `make run`: build and boot the OS in QEMU with MCP on the serial console
# (this terminal) and Streamable HTTP forwarded to 127.0.0.1:$(HTTP_PORT).
HTTP_PORT ?= 8080
run: deps
	@$(MAKE) --no-print-directory ARCH=$(ARCH) host-tools programs image
	@scripts/qemu-run $(ARCH) $(HTTP_PORT)

# `make bench`: tables on the terminal, JSON in build/bench/.
bench: deps
	@$(MAKE) --no-print-directory host-tools
	@$(MAKE) --no-print-directory ARCH=x86_64 programs image
	@$(MAKE) --no-print-directory ARCH=aarch64 programs image
	@scripts/stock-kernels.sh
	@node bench/boot.mjs
	@node bench/initramfs.mjs
