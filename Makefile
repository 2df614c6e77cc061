# vm: build the emulator, its BIOS and its tests.
#   make          build ./vm, the BIOS and the test ROMs
#   make test     run every test; ends with "N passed, M failed"
#   make bench    compare vm with native code and with qemu-system-i386
#   make asan     the test suite under AddressSanitizer + UBSan
#   make tsan     the test suite under ThreadSanitizer
#   make clean
# Needs only gcc, binutils and GNU make.

CC      ?= gcc
OPT     ?= -O2
CFLAGS  := -std=c99 -Wall -Wextra -Werror $(OPT) -g -D_GNU_SOURCE -pthread $(EXTRA_CFLAGS)
LDLIBS  := -lpthread -lm
SRCS    := main.c cpu.c translate.c tlb.c loop.c devices.c bql.c rcu.c
HDRS    := vm.h

# Guest test ROMs: every tests/*.S is a 64 KiB image run from the reset vector.
TEST_SRCS := $(wildcard tests/*.S)
TEST_BINS := $(TEST_SRCS:.S=.bin)
GUEST_AS  := $(CC) -m32 -c -I tests

.PHONY: all test bench asan tsan clean
all: vm bios/bios.bin $(TEST_BINS)

vm: $(SRCS) $(HDRS) Makefile
	$(CC) $(CFLAGS) -o $@ $(SRCS) $(LDLIBS)

TEST_INCS := $(wildcard tests/*.inc)
tests/%.o: tests/%.S $(TEST_INCS)
	$(GUEST_AS) -o $@ $<
tests/%.bin: tests/%.o tests/rom.ld
	ld -m elf_i386 -T tests/rom.ld -o tests/$*.elf $<
	objcopy -O binary tests/$*.elf $@

# The BIOS ROM (for now a 64 KiB real-mode image with the same layout as a test).
bios/bios.o: bios/bios.S tests/lib.inc
	$(GUEST_AS) -o $@ $<
bios/bios.bin: bios/bios.o tests/rom.ld
	ld -m elf_i386 -T tests/rom.ld -o bios/bios.elf $<
	objcopy -O binary bios/bios.elf $@

# The host-CPU oracle: tests/oracle runs random instruction sequences natively
# and writes guest ROM sources (tests/gen/*.S) that must reproduce its results.
tests/oracle: tests/oracle.c
	$(CC) $(CFLAGS) -o $@ $< $(LDLIBS)
tests/gen/stamp: tests/oracle tests/lib.inc tests/rom.ld
	rm -rf tests/gen && mkdir -p tests/gen
	./tests/oracle tests/gen
	for s in tests/gen/*.S; do \
	    $(GUEST_AS) -o $${s%.S}.o $$s && \
	    ld -m elf_i386 -T tests/rom.ld -o $${s%.S}.elf $${s%.S}.o && \
	    objcopy -O binary $${s%.S}.elf $${s%.S}.bin || exit 1; \
	done
	touch $@

test: all tests/gen/stamp
	sh tests/run.sh ./vm

# The benchmark guest and its driver script.
tests/bench/bench.o: tests/bench/bench.S tests/lib.inc
	$(GUEST_AS) -o $@ $<
tests/bench/bench.bin: tests/bench/bench.o tests/rom.ld
	ld -m elf_i386 -T tests/rom.ld -o tests/bench/bench.elf $<
	objcopy -O binary tests/bench/bench.elf $@
bench: vm tests/bench/bench.bin
	sh tests/bench/bench.sh ./vm tests/bench/bench.bin

# The sanitizer build lives in its own binary so it never mixes with ./vm.
vm-asan: $(SRCS) $(HDRS) Makefile
	$(CC) $(filter-out -O2,$(CFLAGS)) -O1 -fsanitize=address,undefined \
	    -fno-sanitize-recover=undefined -fno-omit-frame-pointer -o $@ $(SRCS) $(LDLIBS)
asan: vm-asan bios/bios.bin $(TEST_BINS) tests/gen/stamp
	sh tests/run.sh ./vm-asan

# ThreadSanitizer: the same suite; matters once vCPU threads exist.
vm-tsan: $(SRCS) $(HDRS) Makefile
	$(CC) $(filter-out -O2,$(CFLAGS)) -O1 -fsanitize=thread -o $@ $(SRCS) $(LDLIBS)
tsan: vm-tsan bios/bios.bin $(TEST_BINS) tests/gen/stamp
	sh tests/run.sh ./vm-tsan

clean:
	rm -f vm vm-asan vm-tsan tests/oracle tests/*.o tests/*.elf tests/*.bin
	rm -f tests/bench/*.o tests/bench/*.elf tests/bench/*.bin bios/*.o bios/*.elf bios/*.bin
	rm -rf tests/gen
