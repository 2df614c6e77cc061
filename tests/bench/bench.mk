# bench.mk - the benchmarks and `make bench`; included by the Makefile.
#
# Two kinds of benchmark guests:
#  - tests/bench/bench.bin: the real-mode ROM (bench.S), run with
#    `vm ROM` and `qemu-system-i386 -bios ROM`;
#  - the protected-mode kernels: every tests/bench/k_NAME.c is a compute
#    core (see bench.h) compiled ONCE to k_NAME.o and linked twice:
#      tests/bench/k_NAME.elf  multiboot kernel with the bench runtime
#                              (brt_start.S, brt_main.c: paging on, COM1,
#                              debug exit), for `vm -kernel` and
#                              `qemu-system-i386 -kernel`;
#      tests/bench/n_NAME.elf  static 32-bit Linux program (nat_start.c),
#                              the native reference;
#    both with blib.c.  No libc, no libgcc.
# bench.sh runs them all and prints the comparison (see there).
#   make bench            build what is needed and run the whole comparison
#   make bench-kernels    only build the kernels and native programs

# The real-mode benchmark ROM.
tests/bench/bench.o: tests/bench/bench.S tests/lib.inc
	$(GUEST_AS) -o $@ $<
tests/bench/bench.bin: tests/bench/bench.o tests/rom.ld
	ld -m elf_i386 -T tests/rom.ld -o tests/bench/bench.elf $<
	objcopy -O binary tests/bench/bench.elf $@

# The protected-mode kernels.  One set of flags for everything, so the
# guest and the native program run the same compute code (the same .o).
BENCH_CFLAGS  := -m32 -std=gnu99 -O2 -ffreestanding -fno-builtin -fno-pic -fno-pie \
                 -fno-stack-protector -mgeneral-regs-only -fno-tree-loop-distribute-patterns \
                 -fno-asynchronous-unwind-tables -Wall -Wextra -Werror
BENCH_SRCS    := $(wildcard tests/bench/k_*.c)
BENCH_NAMES   := $(patsubst tests/bench/k_%.c,%,$(BENCH_SRCS))
BENCH_ELFS    := $(BENCH_NAMES:%=tests/bench/k_%.elf)
BENCH_NATIVES := $(BENCH_NAMES:%=tests/bench/n_%.elf)
BENCH_GUEST_RT  := tests/bench/brt_start.o tests/bench/brt_main.o tests/bench/blib.o
BENCH_NATIVE_RT := tests/bench/nat_start.o tests/bench/blib.o

tests/bench/%.o: tests/bench/%.c tests/bench/bench.h tests/bench/bench.mk
	$(CC) $(BENCH_CFLAGS) -c -o $@ $<
# The floating-point cores (k_fp_*.c) use the x87, as gcc -m32 does without
# SSE: -mfpmath=387 -mno-sse instead of -mgeneral-regs-only.
BENCH_FP_CFLAGS := $(filter-out -mgeneral-regs-only,$(BENCH_CFLAGS)) -mfpmath=387 -mno-sse
tests/bench/k_fp_%.o: tests/bench/k_fp_%.c tests/bench/bench.h tests/bench/fp.h tests/bench/bench.mk
	$(CC) $(BENCH_FP_CFLAGS) -c -o $@ $<
tests/bench/brt_start.o: tests/bench/brt_start.S tests/bench/bench.mk
	$(CC) -m32 -c -o $@ $<
tests/bench/k_%.elf: tests/bench/k_%.o $(BENCH_GUEST_RT) tests/bench/bench.ld
	ld -m elf_i386 --no-warn-rwx-segments -T tests/bench/bench.ld -o $@ $(BENCH_GUEST_RT) $<
tests/bench/n_%.elf: tests/bench/k_%.o $(BENCH_NATIVE_RT)
	$(CC) -m32 -nostdlib -static -no-pie -o $@ $(BENCH_NATIVE_RT) $<

bench-kernels: $(BENCH_ELFS) $(BENCH_NATIVES)
.PHONY: bench-kernels

bench: vm tests/bench/bench.bin $(BENCH_ELFS) $(BENCH_NATIVES) tests/bench/smp_bench.elf
	sh tests/bench/bench.sh ./vm tests/bench/bench.bin $(BENCH_ELFS)
	sh tests/bench/smp.sh ./vm tests/bench/smp_bench.elf

# SMP scaling (tests/bench/smp.sh): one kernel, run with -smp 1 and -smp 2.
tests/bench/smp_bench.o: tests/bench/smp_bench.c $(KERN_HDRS)
	$(CC) $(KERN_CFLAGS) -c -o $@ $<
tests/bench/smp_bench.elf: tests/bench/smp_bench.o $(KERN_LIB) tests/kern/kernel.ld
	ld -m elf_i386 --no-warn-rwx-segments -T tests/kern/kernel.ld -o $@ $(KERN_LIB) $<
