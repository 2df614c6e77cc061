# vm: build the emulator, its BIOS and its tests.
#   make          build ./vm, the BIOS, the demo disk and the tests
#   make test     run every test; ends with "N passed, M failed"
#   make bench    compare vm with native code and with qemu-system-i386
#   make asan     the test suite under AddressSanitizer + UBSan
#   make tsan     the test suite under ThreadSanitizer
#   make clean
# Needs only gcc, binutils and GNU make.

CC      ?= gcc
OPT     ?= -O2
# -mno-80387: the guest's x87 state lives in the host's x87 unit (fpu.c), so
# the compiler must never emit x87 code of its own.
CFLAGS  := -std=c99 -Wall -Wextra -Werror $(OPT) -g -D_GNU_SOURCE -pthread -mno-80387 $(EXTRA_CFLAGS)
LDLIBS  := -lpthread -lm
SRCS    := main.c boot.c cpu.c seg.c translate.c tlb.c view.c fpu.c loop.c devices.c ata.c apic.c bql.c rcu.c disas.c gdbstub.c monitor.c
HDRS    := vm.h

# Guest test ROMs: every tests/*.S is a 64 KiB image run from the reset vector.
TEST_SRCS := $(filter-out tests/demo.S,$(wildcard tests/*.S))
TEST_BINS := $(TEST_SRCS:.S=.bin)
GUEST_AS  := $(CC) -m32 -c -I tests

.PHONY: all test bench asan tsan clean test-linux test-bootloader bench-linux
.SECONDARY:
all: vm bios/bios.bin tests/demo.img $(TEST_BINS)

vm: $(SRCS) $(HDRS) Makefile
	$(CC) $(CFLAGS) -o $@ $(SRCS) $(LDLIBS)

TEST_INCS := $(wildcard tests/*.inc)
tests/%.o: tests/%.S $(TEST_INCS)
	$(GUEST_AS) -o $@ $<
tests/%.bin: tests/%.o tests/rom.ld
	ld -m elf_i386 -T tests/rom.ld -o tests/$*.elf $<
	objcopy -O binary tests/$*.elf $@

# The BIOS ROM: 64 KiB of real-mode code from bios/*.S (see bios/bios.ld).
BIOS_SRCS := $(wildcard bios/*.S)
BIOS_OBJS := $(BIOS_SRCS:.S=.o)
bios/%.o: bios/%.S bios/bios.h
	$(CC) -m32 -c -I bios -o $@ $<
bios/bios.bin: $(BIOS_OBJS) bios/bios.ld
	ld -m elf_i386 -T bios/bios.ld -o bios/bios.elf $(BIOS_OBJS)
	objcopy -O binary bios/bios.elf $@

# Test kernels, the oracle and the benchmark bring their own rules.
include tests/kern/kern.mk
-include tests/kern/seg.mk tests/kern/pg.mk
include tests/host/host.mk
include tests/oracle.mk
include tests/bench/bench.mk
include tests/boot/boot.mk

TEST_DEPS := all tests/gen/stamp $(KERN_ELFS) $(HOST_TESTS) $(BOOT_IMGS) tests/disas_check

# tests/disas.sh's checker: disas.c against objdump.
tests/disas_check: tests/disas_check.c disas.c $(HDRS) Makefile
	$(CC) $(CFLAGS) -I. -o $@ tests/disas_check.c disas.c $(LDLIBS)

test: $(TEST_DEPS)
	sh tests/run.sh ./vm

# Real guests from Debian's packages (fetched with apt-get download into
# ~/.cache/vm, or $VM_CACHE): Linux with busybox on 1 and 4 vCPUs, and the
# SYSLINUX bootloader through the BIOS.
tests/linux/mkcpio: tests/linux/mkcpio.c
	$(CC) $(CFLAGS) -o $@ $<
tests/linux/peakrss: tests/linux/peakrss.c
	$(CC) $(CFLAGS) -o $@ $<
bench-linux: vm bios/bios.bin tests/linux/mkcpio tests/linux/peakrss
	sh tests/linux/bench.sh ./vm
test-linux: vm bios/bios.bin tests/linux/mkcpio
	sh tests/linux/run.sh ./vm
test-bootloader: vm bios/bios.bin
	sh tests/bootloader/run.sh ./vm

# The sanitizer build lives in its own binary so it never mixes with ./vm.
vm-asan: $(SRCS) $(HDRS) Makefile
	$(CC) $(filter-out -O2,$(CFLAGS)) -O1 -fsanitize=address,undefined \
	    -fno-sanitize-recover=undefined -fno-omit-frame-pointer -o $@ $(SRCS) $(LDLIBS)
asan: vm-asan $(TEST_DEPS) $(HOST_TESTS_ASAN)
	HOST_SUFFIX=-asan sh tests/run.sh ./vm-asan

# ThreadSanitizer: the same suite; matters once vCPU threads exist.
vm-tsan: $(SRCS) $(HDRS) Makefile
	$(CC) $(filter-out -O2,$(CFLAGS)) -O1 -fsanitize=thread -o $@ $(SRCS) $(LDLIBS)
tsan: vm-tsan $(TEST_DEPS) $(HOST_TESTS_TSAN)
	TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp" HOST_SUFFIX=-tsan sh tests/run.sh ./vm-tsan

clean:
	rm -f vm vm-asan vm-tsan tests/oracle tests/disas_check tests/linux/mkcpio tests/linux/peakrss tests/*.o tests/*.elf tests/*.bin
	rm -f tests/bench/*.o tests/bench/*.elf tests/bench/*.bin bios/*.o bios/*.elf bios/*.bin
	rm -f tests/kern/*.o tests/kern/*.elf tests/kern/*.bzimage tests/kern/*.pm $(HOST_TESTS) $(HOST_TESTS_ASAN) $(HOST_TESTS_TSAN)
	rm -f tests/demo.img tests/boot/*.o tests/boot/*.elf tests/boot/*.img tests/boot/mkimg
	rm -rf tests/gen
