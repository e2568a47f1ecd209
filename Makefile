# tracekit build. `make` builds build/tracekit; `make test` and `make demo` are the README's
# two commands and install what they need first (scripts/deps.sh).
#
# Sources are found by wildcard so that a new core module, tool or BPF object needs no edit
# here: src/core/*.c, src/tools/*.c, src/lang/**/*.c, src/bpf/*.bpf.c (one skeleton each).

# Quiet by default: one short line per step; `make V=1` shows the command lines. Under
# `make -s` (the demo) even those go.
V ?= 0
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = $(if $(findstring s,$(firstword -$(MAKEFLAGS))),@true,@printf '  %-8s %s\n')
endif

CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool
LLVM_STRIP ?= llvm-strip
PREFIX  ?= /usr/local
BUILD   := build

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	   -D_GNU_SOURCE -Isrc -I$(BUILD)/skel -I$(BUILD)/gen
# Memory: a non-PIE binary with static libbpf, libdw, libelf, zlib and capstone needs no
# load-time relocation of their data tables, which otherwise dirties ~4.5 MB of pages at
# every start (baseline peak RSS 7.8 -> 3.3 MB). All are Debian's own .a files.
CFLAGS  += -fno-pie
LDFLAGS += -no-pie
LDLIBS  := -Wl,-Bstatic -lbpf -ldw -lelf -lz -lcapstone -Wl,-Bdynamic -llzma -lbz2 -lm -lpthread

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(BUILD) -Isrc/bpf -Wall \
	      -I/usr/include/$(shell $(CC) -print-multiarch) \
	      -Wno-unused-function

CORE_SRC := $(wildcard src/core/*.c)
TOOL_SRC := $(wildcard src/tools/*.c)
LANG_SRC := $(wildcard src/lang/*.c src/lang/builtins/*.c src/lang/providers/*.c)
MAIN_SRC := src/tracekit.c
BPF_SRC  := $(wildcard src/bpf/*.bpf.c)

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
# tracekit_build_info{version=...}: the commit it was built from, when built from git
TK_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
$(BUILD)/src/core/metrics_self.o: CFLAGS += -DTK_VERSION='"$(TK_VERSION)"'

APP_OBJ  := $(MAIN_SRC:%.c=$(BUILD)/%.o) $(TOOL_SRC:%.c=$(BUILD)/%.o) $(LANG_SRC:%.c=$(BUILD)/%.o)
SKELS    := $(BPF_SRC:src/bpf/%.bpf.c=$(BUILD)/skel/%.skel.h)

LPAREN := (
# Tool names from their TOOL_REGISTER() lines.
TOOLS = $(strip $(shell grep -ho 'TOOL_REGISTER$(LPAREN)[a-z0-9_]*' $(TOOL_SRC) $(LANG_SRC) | cut -d'$(LPAREN)' -f2 | sort -u))

.SECONDARY:
.PHONY: all deps test unit fuzz e2e demo bench install clean targets format
all: $(BUILD)/tracekit

$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	$(msg) GEN $@
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: src/bpf/%.bpf.c $(wildcard src/bpf/*.h) $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(msg) BPF $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	@# DWARF is for us, not for the kernel: keep .BTF/.BTF.ext, drop the rest (10x smaller)
	$(Q)$(LLVM_STRIP) -g $@

# sigsnoop -k runs killsnoop's programs: its BPF file includes killsnoop's.
$(BUILD)/bpf/sigsnoop.bpf.o: src/bpf/killsnoop.bpf.c

$(BUILD)/skel/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(msg) SKEL $@
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@.tmp && mv $@.tmp $@

# A tool X.c includes its own X.skel.h (libbpf-tools' convention); later rebuilds follow the
# compiler's -MMD dependencies. One tool's broken BPF file then does not block the others.
.SECONDEXPANSION:
$(BUILD)/src/%.o: src/%.c $$(filter $(BUILD)/skel/$$(notdir $$*).skel.h,$(SKELS)) | $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(msg) CC $<
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# System call numbers for the raw sys_enter/sys_exit path of syscall tracepoints.
UNISTD := /usr/include/$(shell $(CC) -print-multiarch)/asm/unistd_64.h
$(BUILD)/gen/syscall_nrs.inc: $(UNISTD)
	@mkdir -p $(@D)
	$(Q)sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$$/{ "\1", \2 },/p' $< > $@.tmp && mv $@.tmp $@
$(BUILD)/src/core/syscalls.o: $(BUILD)/gen/syscall_nrs.inc

# The kernel's errno texts (its header comments), for strerror() in bpftrace 0.26's dialect.
ERRNO_H := /usr/include/asm-generic/errno-base.h /usr/include/asm-generic/errno.h
$(BUILD)/gen/errno_texts.inc: $(ERRNO_H)
	@mkdir -p $(@D)
	$(Q)cat $^ | sed -n 's/^#define[[:space:]]*E[A-Z0-9]*[[:space:]]*\([0-9][0-9]*\)[[:space:]]*\/\* \(.*\) \*\/$$/{ \1, "\2" },/p' > $@.tmp && mv $@.tmp $@
$(BUILD)/src/lang/builtins/names.o: $(BUILD)/gen/errno_texts.inc

$(BUILD)/libtkcore.a: $(CORE_OBJ)
	$(msg) AR $@
	$(Q)$(AR) rcs $@ $^

# --whole-archive keeps every TOOL_REGISTER() entry of the tk_tools section.
$(BUILD)/tracekit: $(APP_OBJ) $(BUILD)/libtkcore.a
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(APP_OBJ) $(BUILD)/libtkcore.a $(LDLIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- tests ------------------------------------------------------------------------------
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

# Unit tests link the language's objects (but its main) and the core as libraries.
LANG_LIB_OBJ := $(filter-out $(BUILD)/src/lang/main.o,$(LANG_SRC:%.c=$(BUILD)/%.o))
$(BUILD)/libtklang.a: $(LANG_LIB_OBJ)
	$(msg) AR $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/unit.h $(BUILD)/libtklang.a $(BUILD)/libtkcore.a
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< $(BUILD)/libtklang.a $(BUILD)/libtkcore.a $(LDLIBS)
# Tests that read tests/targets share unit_targets.h.
$(BUILD)/tests/test_gosym $(BUILD)/tests/test_dwarf $(BUILD)/tests/test_usym: tests/unit/unit_targets.h
# test_bccspec includes a tool's translation unit, which no library holds.
$(BUILD)/tests/test_bccspec: src/tools/bccspec.c src/tools/bccspec.h

# Debugging aids the tests use, not installed: symdump prints what core/ makes of a binary.
TEST_TOOLS := $(BUILD)/tests/symdump
$(BUILD)/tests/%: tests/tools/%.c $(BUILD)/libtkcore.a
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libtkcore.a $(LDLIBS)

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Isrc -I$(BUILD)/skel -I$(BUILD)/gen -g -O1 \
	       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRC) $(LANG_SRC) $(SKELS) $(BUILD)/gen/syscall_nrs.inc \
		     $(BUILD)/gen/errno_texts.inc
	@mkdir -p $(@D)
	$(msg) FUZZ $@
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(CORE_SRC) $(filter-out src/lang/main.c,$(LANG_SRC)) $(LDLIBS)

targets:
	$(MAKE) -C tests/targets

unit: $(UNIT_BIN) $(TEST_TOOLS)
fuzz: $(FUZZ_BIN)

deps:
	@scripts/deps.sh

# The README's test command: install, build, then one pytest run over everything (unit
# binaries, fuzzers under ASan, and real tracing), ending with pytest's own summary.
test: deps
	$(MAKE) -j$(shell nproc) all unit fuzz targets
	/usr/bin/python3 -m pytest -q -p no:cacheprovider tests

demo: deps
	@echo "demo: building tracekit and the test targets (make V=1 shows the commands)"
	@$(MAKE) -s all targets
	@scripts/demo.sh

bench: deps
	$(MAKE) all targets
	bench/run.sh

# The binary, a symlink per tool, and the man pages: tracekit(8) and one per tool, written by
# the binary from each tool's options table (tracekit --man NAME).
MANDIR := $(DESTDIR)$(PREFIX)/share/man/man8
install: $(BUILD)/tracekit
	install -d $(DESTDIR)$(PREFIX)/bin $(MANDIR)
	install -m 0755 $(BUILD)/tracekit $(DESTDIR)$(PREFIX)/bin/tracekit
	$(BUILD)/tracekit --man tracekit > $(MANDIR)/tracekit.8
	for t in $(TOOLS); do \
		ln -sf tracekit $(DESTDIR)$(PREFIX)/bin/$$t && \
		$(BUILD)/tracekit --man $$t > $(MANDIR)/$$t.8 || exit 1; \
	done

format:
	clang-format -i $$(find src tests/unit tests/fuzz bench -name '*.[ch]')

clean:
	rm -rf $(BUILD)
	$(MAKE) -C tests/targets clean
