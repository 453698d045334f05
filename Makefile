# Quiesce: one non-recursive Makefile.
#
#   make            kernel, modules and the bootable ISO
#   make run        boot the ISO in QEMU, serial console on this terminal
#   make test       host unit tests, in-kernel KTAP suites, console checks
#   make help       every target, one line each
#
# Sources are found by pattern; objects go to build/, mirroring the tree.

# ---- toolchain ---------------------------------------------------------------
ifeq ($(origin CROSS),undefined)
  ifneq ($(shell command -v i686-elf-gcc 2>/dev/null),)
    CROSS := i686-elf-
  else
    CROSS := i686-linux-gnu-
  endif
endif

CC      := $(CROSS)gcc
LD      := $(CROSS)ld
NM      := $(CROSS)nm
OBJCOPY := $(CROSS)objcopy
NASM    := nasm
QEMU    := qemu-system-i386
PYTHON  := python3
HOSTCC  := gcc

# B: where objects go (make mutants builds each mutant in its own B).
B ?= build
# V=1 shows full commands.
ifeq ($(V),1)
  Q :=
  say := @true
else
  Q := @
  say := @printf '  %-8s %s\n'
endif

# The tools a build needs; a missing one makes `make` run scripts/deps.
NEEDED_TOOLS := $(CC) $(NASM) $(QEMU) grub-mkrescue xorriso mformat $(PYTHON)
# ... and the files of the hybrid ISO (GRUB for EFI) and of its UEFI test.
NEEDED_FILES := /usr/lib/grub/i386-pc /usr/lib/grub/x86_64-efi \
	/usr/lib/grub/i386-efi /usr/share/ovmf/OVMF.fd
MISSING := $(strip $(foreach t,$(NEEDED_TOOLS),$(if $(shell command -v $(t) 2>/dev/null),,$(t))) \
	$(foreach f,$(NEEDED_FILES),$(if $(wildcard $(f)),,$(f))))
ifneq ($(MISSING),)
  ifeq ($(filter clean help doctor,$(MAKECMDGOALS)),)
    $(info deps: missing $(MISSING); running scripts/deps)
    DEPS_STATUS := $(shell sh scripts/deps >&2; echo $$?)
    ifneq ($(DEPS_STATUS),0)
      $(error scripts/deps failed; install the packages it listed and retry)
    endif
  endif
endif

# ---- flags -------------------------------------------------------------------
# Frame pointers everywhere and no sibling calls: the unload protocol, panics
# and the watchdog walk stacks through %ebp, and a tail call would erase the
# very frame that proves a task is still inside a module.
KCFLAGS := -std=gnu11 -m32 -march=i686 -O2 -g \
	-ffreestanding -fno-pie -fno-pic -fno-stack-protector \
	-fcf-protection=none -fno-omit-frame-pointer \
	-fno-optimize-sibling-calls -fno-common -fno-strict-aliasing \
	-mno-sse -mno-sse2 -mno-mmx -mno-80387 -mno-red-zone \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-Iinclude -MMD -MP
MODCFLAGS := $(KCFLAGS) -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-DQUIESCE_MODULE
# MUTANT=name: break one safety mechanism on purpose (<kernel/mutant.h>);
# make mutants builds each in build/mutants/NAME.
MUTANTS := no-stack-scan no-eip-check no-entry-window no-recheck \
	no-thread-reap no-callback-drain freeze-caller freeze-module-threads \
	no-gate early-thread-put no-raw-entry no-shootdown scan-sleeping-only
ifneq ($(MUTANT),)
  ifeq ($(filter $(MUTANT),$(MUTANTS)),)
    $(error MUTANT=$(MUTANT) is not one of: $(MUTANTS))
  endif
  KCFLAGS += -DMUTANT_$(subst -,_,$(shell echo $(MUTANT) | tr a-z A-Z))=1
endif
NASMFLAGS := -f elf32 -g -F dwarf
KLDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T linker.ld

# ---- sources -----------------------------------------------------------------
KSRC_C   := $(wildcard kernel/*.c kernel/*/*.c mm/*.c sched/*.c drivers/*.c)
KSRC_ASM := $(wildcard boot/*.asm)
KOBJ := $(KSRC_ASM:%.asm=$(B)/%.o) $(KSRC_C:%.c=$(B)/%.o)

MOD_SINGLE := $(basename $(notdir $(wildcard modules/*.c)))
MOD_DIRS   := $(notdir $(patsubst %/,%,$(dir $(wildcard modules/*/*.c))))
MODULES    := $(sort $(MOD_SINGLE) $(MOD_DIRS))
MOD_KO     := $(MODULES:%=$(B)/modules/%.ko)
# Damaged copies of a good module, for the loader's bad-input tests.
MOD_BAD    := $(if $(wildcard modules/hello.c),$(B)/modules/bad_truncated.ko \
	$(B)/modules/bad_bitflip.ko)

KERNEL := $(B)/kernel.elf
ISO    := $(B)/quiesce.iso

.PHONY: all iso run qemu qemu-nox qemu-gdb debug test test-host test-kernel \
	test-tools test-e2e test-labs doctor clean help stress bench \
	bench-compare bench-loaded fuzz fuzz-smoke fuzz-minimize failalloc \
	flood soak modules mutants bochs bochs-console diagrams test-diagrams \
	lab grade
.DEFAULT_GOAL := all

all: $(KERNEL) modules $(ISO)
iso: $(ISO)
modules: $(MOD_KO) $(MOD_BAD)

# ---- kernel: two link passes for the built-in symbol table -------------------
# Pass 1 links with an empty table; its text symbols become ksyms.S; pass 2
# links with the real table. The table lives after .data, so no text address
# moves between the passes; scripts/gensyms checks that it did not.
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(B)/%.o: %.asm
	@mkdir -p $(dir $@)
	$(say) NASM $<
	$(Q)$(NASM) $(NASMFLAGS) -MD $(B)/$*.d -MP $< -o $@

$(B)/ksyms0.S:
	@mkdir -p $(B)
	$(PYTHON) scripts/gensyms --empty > $@

$(B)/%.ksyms.o: $(B)/%.S
	$(Q)$(CC) -m32 -c $< -o $@

$(B)/kernel.pass1.elf: $(KOBJ) $(B)/ksyms0.ksyms.o linker.ld
	$(say) LD $@
	$(Q)$(CC) $(KLDFLAGS) -o $@ $(KOBJ) $(B)/ksyms0.ksyms.o -lgcc

$(B)/ksyms.S: $(B)/kernel.pass1.elf scripts/gensyms
	$(say) GENSYMS $@
	$(Q)$(NM) -n $< | $(PYTHON) scripts/gensyms > $@

$(KERNEL): $(KOBJ) $(B)/ksyms.ksyms.o linker.ld
	$(say) LD $@
	$(Q)$(CC) $(KLDFLAGS) -o $@ $(KOBJ) $(B)/ksyms.ksyms.o -lgcc
	@$(NM) -n $@ | $(PYTHON) scripts/gensyms | cmp -s - $(B)/ksyms.S || \
		{ echo "gensyms: text moved between link passes" >&2; rm -f $@; exit 1; }

# ---- modules -----------------------------------------------------------------
$(B)/modules/%.o: modules/%.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(MODCFLAGS) -c $< -o $@

# Bad samples that need bad flags: GOT-relative relocations, a COMMON symbol.
$(B)/modules/bad_reloc.o: MODCFLAGS += -fpic
$(B)/modules/bad_common.o: MODCFLAGS += -fcommon
# A CET property note (.note.gnu.property), as Ubuntu's gcc adds by default.
$(B)/modules/bad_cet.o: MODCFLAGS += -fcf-protection=full

define single_module
$(B)/modules/$(1).ko: $(B)/modules/$(1).o
	$(say) LD $$@
	$(Q)$(LD) -m elf_i386 -r -o $$@ $$^
endef
define dir_module
$(B)/modules/$(1).ko: $(patsubst %.c,$(B)/%.o,$(wildcard modules/$(1)/*.c))
	$(say) LD $$@
	$(Q)$(LD) -m elf_i386 -r -o $$@ $$^
endef
$(foreach m,$(MOD_SINGLE),$(eval $(call single_module,$(m))))
$(foreach m,$(filter-out $(MOD_SINGLE),$(MOD_DIRS)),$(eval $(call dir_module,$(m))))

$(B)/modules/bad_truncated.ko: $(B)/modules/hello.ko
	$(say) DAMAGE $@
	$(Q)head -c 700 $< > $@
$(B)/modules/bad_bitflip.ko: $(B)/modules/hello.ko scripts/bitflip
	$(say) DAMAGE $@
	$(Q)$(PYTHON) scripts/bitflip $< $@

# ---- ISO ---
# The kernel command line: KARGS="hz=100 loglevel=7", RUN="cmd; cmd".
KCMDLINE := $(strip $(KARGS) $(if $(RUN),run="$(RUN)"))
$(B)/cmdline.stamp: FORCE
	@mkdir -p $(B)
	@echo '$(KCMDLINE)' | cmp -s - $@ || echo '$(KCMDLINE)' > $@
FORCE:

$(B)/iso/boot/grub/grub.cfg: iso/grub.cfg scripts/mkgrubcfg $(MOD_KO) $(MOD_BAD) \
		$(B)/cmdline.stamp
	@mkdir -p $(dir $@) $(B)/iso/modules
	$(Q)rm -f $(B)/iso/modules/*.ko
	$(Q)$(if $(MOD_KO),cp $(MOD_KO) $(MOD_BAD) $(B)/iso/modules/)
	$(say) GRUBCFG $@
	$(Q)sh scripts/mkgrubcfg iso/grub.cfg '$(KCMDLINE)' $(B)/iso/modules > $@

# A hybrid ISO: grub-mkrescue adds a BIOS El Torito image (i386-pc) and
# an EFI system partition with GRUB for x86_64-efi and i386-efi, for each
# platform whose GRUB is installed (scripts/deps installs all three).
# Each platform gets the modules named here; the EFI ones add the video
# drivers (GOP, UGA) and the partition modules their early config loads.
GRUB_EFI_MODS := all_video part_acorn part_amiga part_bsd part_dfly \
	part_dvh part_plan part_sun part_sunpc
# The ISO's kernel has no debug info or ELF symbols (it carries its own
# table; gdb reads build/kernel.elf): GRUB reads every section it does not
# load, so they only slowed the boot. GRUB's own files are gzip'ed: under
# QEMU, decoding xz cost GRUB some 50 million instructions (see docs/bench.md).
$(ISO): $(KERNEL) $(B)/iso/boot/grub/grub.cfg
	$(say) ISO $@
	$(Q)$(OBJCOPY) --strip-all $(KERNEL) $(B)/iso/boot/kernel.elf
	$(Q)grub-mkrescue -o $@ $(B)/iso --compress=gz \
		--install-modules="multiboot normal configfile test $(GRUB_EFI_MODS)" \
		--locales= --fonts= --themes= 2>$(B)/grub-mkrescue.log || \
		{ cat $(B)/grub-mkrescue.log; exit 1; }

# ---- running -----------------------------------------------------------------
QEMU_MEM  ?= 64
# CPUs for make run/qemu-window/debug (1 to 8), each a host thread of its
# own (-accel tcg,thread=multi: the CPUs really run at the same time).
SMP       ?= 2
QEMU_BASE := $(QEMU) -m $(QEMU_MEM) -no-reboot \
	-smp $(SMP) -accel tcg,thread=multi \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04

run qemu: all
	@echo "(QEMU: Ctrl-A X quits, Ctrl-A C switches to the QEMU monitor)"
	$(QEMU_BASE) -cdrom $(ISO) -serial mon:stdio -display none; \
		rc=$$?; [ $$rc = 33 ] || [ $$rc = 35 ] || [ $$rc = 0 ]

qemu-nox: run

qemu-window: all
	$(QEMU_BASE) -cdrom $(ISO) -serial mon:stdio

debug qemu-gdb: all
	$(QEMU_BASE) -cdrom $(ISO) -serial mon:stdio -display none -s -S & \
		gdb -q -x scripts/gdbinit $(KERNEL); kill %1 2>/dev/null; true

# ---- Bochs: the ISO in another emulator (scripts/bochs.py) --------------------
# make bochs: `test all` in Bochs, one line per case, a last line
# "bochs: N passed, N failed" and the exit status to match.
bochs: all
	@command -v bochs >/dev/null || sh scripts/deps
	$(PYTHON) scripts/bochs.py --iso $(ISO)

bochs-console: all
	@command -v bochs >/dev/null || sh scripts/deps
	$(PYTHON) scripts/bochs.py --console --iso $(ISO)

# ---- tests -------------------------------------------------------------------
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Iinclude -Itests/host -DHOST_TEST
HOST_TESTS := $(basename $(notdir $(wildcard tests/host/test_*.c)))
HOST_BINS  := $(HOST_TESTS:%=$(B)/host/%)

# Each host test names the kernel sources it compiles in a line
#   // host-sources: kernel/lib/format.c mm/pmm_bitmap.c
host_sources = $(shell sed -n 's|^// host-sources:||p' tests/host/$(1).c)

define host_test
$(B)/host/$(1): tests/host/$(1).c tests/host/host.h $(call host_sources,$(1))
	@mkdir -p $(B)/host
	$(say) HOSTCC $$@
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $$@ tests/host/$(1).c $(call host_sources,$(1))
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test,$(t))))
# The ELF tests damage copies of real modules.
$(B)/host/test_elf: $(B)/modules/hello.ko $(B)/modules/counter.ko \
	$(B)/modules/mathuser.ko $(B)/modules/ticker.ko

test: all $(HOST_BINS) fuzz-smoke
	$(PYTHON) tests/run.py --iso $(ISO) --kernel $(KERNEL) \
		--modules $(B)/modules --host $(HOST_BINS)

test-host: $(HOST_BINS)
	$(PYTHON) tests/run.py --only host --host $(HOST_BINS)

test-tools: all
	$(PYTHON) tests/run.py --only tools --kernel $(KERNEL) \
		--modules $(B)/modules

test-kernel: all
	$(PYTHON) tests/run.py --only kernel --iso $(ISO)

test-e2e: all
	$(PYTHON) tests/run.py --only e2e --iso $(ISO)

# ---- pictures of the races: sequence diagrams of real runs ----------------
# One boot runs the races of scripts/race_diagram.py's RUNS with --events;
# the pages go to docs/diagrams/, the same diagrams into the catalogue
# between its markers. make test regenerates them in build/diagrams/ and
# fails, naming the file, if docs/ differs (test-diagrams).
diagrams: all
	$(PYTHON) scripts/race_diagram.py --iso $(ISO) --out docs/diagrams \
		--catalogue docs/race-catalogue.md

test-diagrams: all
	$(PYTHON) tests/run.py --only diagrams --iso $(ISO)
test-labs: all
	$(PYTHON) tests/run.py --only labs --iso $(ISO)

# ---- stress: a long unload torture run on the ISO (SPEC §8) -----------------
STRESS_ARGS ?= --duration=300
stress: all
	$(PYTHON) scripts/stress.py --iso $(ISO) -- $(STRESS_ARGS)

# ---- fault injection: every allocation failure, every operation ----------
failalloc: all
	$(PYTHON) tests/e2e_failalloc.py --iso $(ISO) --table $(B)/failalloc.md

# ---- soak: stress over 20 seeds until 1,000,000 unloads per strategy ------
SOAK_SEEDS  ?= 20
SOAK_CYCLES ?= 1000000
SOAK_SMP    ?= 1
soak: all
	$(PYTHON) scripts/soak.py --iso $(ISO) --seeds $(SOAK_SEEDS) \
		--cycles $(SOAK_CYCLES) --smp $(SOAK_SMP) --table $(B)/soak.md

# ---- the console flood, long: 1 MiB of random bytes, 100,000 lines ----------
flood: all
	$(PYTHON) tests/e2e_flood.py --iso $(ISO) --bytes 1048576 --lines 100000

# ---- mutation testing: every safety mechanism must be needed ----------------
# Each mutant is a full build with one mechanism switched off; the race
# matrix must change. MUTANTS_RUN=a,b runs some; make test runs two.
mutants: all
	$(PYTHON) scripts/mutants.py --mutants "$(or $(MUTANTS_RUN),$(MUTANTS))"

# ---- labs: starter trees and grading (docs/labs/README.md) ------------------
# make lab LAB=scan DEST=dir    a standalone starter for one lab
# make grade LAB=scan           grade it (in a starter: its own lab, .lab)
LAB ?= $(shell cat .lab 2>/dev/null)
lab:
	@test -n "$(LAB)" && test -n "$(DEST)" || { \
		echo "usage: make lab LAB=name DEST=dir; the labs:"; \
		$(PYTHON) scripts/lab.py list; exit 2; }
	$(PYTHON) scripts/lab.py make $(LAB) $(DEST)
grade: all
	@test -n "$(LAB)" || { \
		echo "usage: make grade LAB=name (or all); the labs:"; \
		$(PYTHON) scripts/lab.py list; exit 2; }
	$(PYTHON) scripts/grade.py --lab $(LAB) --iso $(ISO)

# ---- benchmarks --------------------------------------------------------------
bench: all
	$(PYTHON) scripts/bench.py --kernel $(KERNEL) --iso $(ISO) \
		--modules $(B)/modules --out $(B)/bench.json
# BASE: any git revision; it is built in a temporary worktree.
bench-compare: all
	@test -n "$(BASE)" || { echo "usage: make bench-compare BASE=<rev>"; \
		exit 2; }
	$(PYTHON) scripts/bench.py --kernel $(KERNEL) --iso $(ISO) \
		--modules $(B)/modules --compare $(BASE)
# test all idle and with four busy tasks, by the kernel's clock under -icount
bench-loaded: all
	$(PYTHON) scripts/bench.py --kernel $(KERNEL) --modules $(B)/modules \
		--loaded
# ---- fuzzing: libFuzzer over the kernel's parsers (tests/fuzz/) ----------
# Five targets, each a tests/fuzz/fuzz_NAME.c with the kernel sources it
# runs named in a line "// fuzz-sources: ..." (and "// fuzz-flags: -m32"
# for those built for i386 like the kernel). The corpus kept in the
# repository is tests/fuzz/corpus/NAME/ (minimized); runs grow a copy in
# build/fuzz/corpus/NAME/.
#   make fuzz                  every target for FUZZ_TIME seconds each
#   make fuzz FUZZ_RUNS=10000000 FUZZ_TARGETS=fuzz_line   a campaign
#   make fuzz-smoke            every target over its corpus, briefly
#   make fuzz-minimize         merge build/fuzz/corpus back, minimized
FUZZCC    := clang
FUZZ_TIME ?= 600
FUZZ_SMOKE_TIME ?= 4
FUZZ_ALL  := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_BINS := $(FUZZ_ALL:%=$(B)/fuzz/%)
FUZZ_CFLAGS := -g -O1 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Iinclude -I$(B)/fuzz -DHOST_TEST
# clang picks the i686 cross gcc's files for -m32; the host gcc's 32-bit
# libstdc++ (lib32stdc++-12-dev) is what libFuzzer's runtime needs.
FUZZ_LIB32 = -L$(dir $(shell gcc -m32 -print-file-name=libstdc++.so 2>/dev/null))
fuzz_sources = $(shell sed -n 's|^// fuzz-sources:||p' tests/fuzz/$(1).c)
fuzz_flags = $(shell sed -n 's|^// fuzz-flags:||p' tests/fuzz/$(1).c)

$(B)/fuzz/.probe:
	@mkdir -p $(dir $@)
	@# clang may be there without libFuzzer's runtime or the 32-bit C
	@# libraries: probe both, then install what is missing.
	@printf '#include <stddef.h>\nint LLVMFuzzerTestOneInput(const char *d, size_t n){ return 0; }\n' \
		> $(B)/fuzz/probe.c
	@{ $(FUZZCC) -fsanitize=fuzzer $(B)/fuzz/probe.c -o $(B)/fuzz/probe && \
	  $(FUZZCC) -m32 -fsanitize=fuzzer $(B)/fuzz/probe.c -o $(B)/fuzz/probe \
		$(FUZZ_LIB32); } 2>/dev/null || sh scripts/deps
	@touch $@

# Every EXPORT_SYMBOL, for the fuzzers' resolver.
$(B)/fuzz/fuzz_kexports.inc: $(KSRC_C)
	@mkdir -p $(dir $@)
	$(Q)grep -h '^EXPORT_SYMBOL(' $(KSRC_C) | \
		sed -n 's/^EXPORT_SYMBOL(\(.*\));.*/"\1",/p' > $@
# The module fuzz_modinfo rewrites, as a C array.
$(B)/fuzz/template.o: tests/fuzz/template_mod.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(MODCFLAGS) -c $< -o $@
$(B)/fuzz/template.ko: $(B)/fuzz/template.o
	$(Q)$(LD) -m elf_i386 -r -o $@ $<
$(B)/fuzz/fuzz_template.inc: $(B)/fuzz/template.ko
	$(Q)$(PYTHON) -c 'import sys; d = open(sys.argv[1], "rb").read(); \
		print(",".join(str(b) for b in d))' $< > $@

define fuzz_target
$(B)/fuzz/$(1): tests/fuzz/$(1).c $(call fuzz_sources,$(1)) \
		$(wildcard tests/fuzz/*.h) $(B)/fuzz/.probe \
		$(B)/fuzz/fuzz_kexports.inc $(B)/fuzz/fuzz_template.inc
	$(say) FUZZCC $$@
	$(Q)$(FUZZCC) $(FUZZ_CFLAGS) $(call fuzz_flags,$(1)) -o $$@ \
		tests/fuzz/$(1).c $(call fuzz_sources,$(1)) \
		$(if $(findstring -m32,$(call fuzz_flags,$(1))),$(FUZZ_LIB32))
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call fuzz_target,$(t))))

# A target's working corpus: the repository's, plus the built modules for
# the targets that read .ko files.
$(B)/fuzz/corpus/%/.seeded: $(MOD_KO) $(MOD_BAD)
	@mkdir -p $(dir $@)
	@cp tests/fuzz/corpus/$*/* $(dir $@) 2>/dev/null || true
	@case $* in fuzz_elf|fuzz_load) cp $(MOD_KO) $(MOD_BAD) $(dir $@);; esac
	@touch $@

fuzz: $(FUZZ_TARGETS:%=$(B)/fuzz/%) \
		$(FUZZ_TARGETS:%=$(B)/fuzz/corpus/%/.seeded)
	@for t in $(FUZZ_TARGETS); do \
		echo "== $$t"; s=$$(date +%s); \
		$(B)/fuzz/$$t $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_TIME)) \
			-print_final_stats=1 -close_fd_mask=1 \
			-artifact_prefix=$(B)/fuzz/$$t- $(B)/fuzz/corpus/$$t \
			> $(B)/fuzz/$$t.log 2>&1; rc=$$?; \
		grep -E '^(#[0-9]+.*DONE|Done|stat::number_of_executed|stat::peak)|ERROR|SUMMARY' \
			$(B)/fuzz/$$t.log; \
		echo "$$t: $$(( $$(date +%s) - s )) s"; \
		[ $$rc = 0 ] || { echo "$$t: FAILED (see $(B)/fuzz/$$t.log)"; \
			exit 1; }; \
	done

# Merge what the runs found into the repository's corpus, minimized
# (regress-* inputs, each a bug found once, are always kept).
fuzz-minimize: $(FUZZ_TARGETS:%=$(B)/fuzz/%)
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p tests/fuzz/corpus/$$t.new; \
		$(B)/fuzz/$$t -merge=1 tests/fuzz/corpus/$$t.new \
			tests/fuzz/corpus/$$t $(B)/fuzz/corpus/$$t \
			> $(B)/fuzz/$$t.merge.log 2>&1 || exit 1; \
		cp tests/fuzz/corpus/$$t/regress-* tests/fuzz/corpus/$$t.new/ \
			2>/dev/null; \
		rm -rf tests/fuzz/corpus/$$t; \
		mv tests/fuzz/corpus/$$t.new tests/fuzz/corpus/$$t; \
		echo "$$t: $$(ls tests/fuzz/corpus/$$t | wc -l) inputs"; \
	done

# For make test: every target replays its corpus, then mutates briefly.
fuzz-smoke: $(FUZZ_BINS)
	@for t in $(FUZZ_ALL); do \
		rm -rf $(B)/fuzz/smoke/$$t; mkdir -p $(B)/fuzz/smoke/$$t; \
		$(B)/fuzz/$$t -max_total_time=$(FUZZ_SMOKE_TIME) \
			-print_final_stats=1 -close_fd_mask=1 \
			-artifact_prefix=$(B)/fuzz/$$t- $(B)/fuzz/smoke/$$t \
			tests/fuzz/corpus/$$t > $(B)/fuzz/$$t.smoke.log 2>&1; \
		rc=$$?; \
		echo "fuzz-smoke: $$t: $$(sed -n 's/^stat::number_of_executed_units: *//p' \
			$(B)/fuzz/$$t.smoke.log) runs over $$(ls tests/fuzz/corpus/$$t | \
			wc -l) corpus inputs"; \
		grep -E 'ERROR|SUMMARY' $(B)/fuzz/$$t.smoke.log; \
		[ $$rc = 0 ] || { echo "fuzz-smoke: $$t FAILED (see $(B)/fuzz/$$t.smoke.log)"; \
			exit 1; }; \
	done; echo "fuzz-smoke: ok"

# ---- housekeeping ------------------------------------------------------------
doctor:
	@sh scripts/doctor "$(CC)" "$(KERNEL)"

clean:
	rm -rf $(B)

help:
	@echo "make             build kernel, modules and build/quiesce.iso"
	@echo "make run         boot the ISO in QEMU on this terminal (alias: qemu, qemu-nox)"
	@echo "make qemu-window boot with a VGA window and PS/2 keyboard too"
	@echo "make debug       boot halted, gdb attached with symbols (alias: qemu-gdb)"
	@echo "make test        host unit tests + in-kernel KTAP suites + console checks"
	@echo "make test-host | test-tools | test-kernel | test-e2e | test-labs   one part of make test"
	@echo "make bench       exact cycle figures under QEMU -icount (build/bench.json)"
	@echo "make bench-compare BASE=<rev>  the same for another revision, side by side"
	@echo "make bench-loaded test all idle and with 4 busy tasks under -icount: the 1.5x goal"
	@echo "make mutants     break each safety mechanism in turn; the race matrix must notice"
	@echo "make lab LAB=name DEST=dir  a lab's starter tree (docs/labs/README.md)"
	@echo "make grade LAB=name         grade a lab: points per test, Score: X/Y"
	@echo "make fuzz        run every fuzz target (FUZZ_TIME=600 s each, or FUZZ_RUNS=N)"
	@echo "make fuzz-smoke  each fuzz target over its corpus, briefly (part of make test)"
	@echo "make failalloc   fail each allocation of each operation in turn (table in build/failalloc.md)"
	@echo "make soak        stress over 20 seeds to 1,000,000 unloads each for twophase and refcount, naive caught (SOAK_SMP=4: on 4 CPUs)"
	@echo "make flood       1 MiB of random bytes and 100,000 random lines at the console"
	@echo "make bochs       run the in-kernel suites in Bochs; last line: bochs: N passed, N failed"
	@echo "make bochs-console  boot the ISO in Bochs, serial console on this terminal"
	@echo "make diagrams    sequence diagrams of real race runs (docs/diagrams/, docs/race-catalogue.md)"
	@echo "make doctor      check every tool and that the kernel is multiboot"
	@echo "make clean       remove build/"

-include $(shell find $(B) -path '$(B)/mutants' -prune -o -name '*.d' -print 2>/dev/null)
