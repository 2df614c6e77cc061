# oracle_pm.mk - builds the protected-mode oracle's programs in $(DIR) from
# the generated $(DIR)/pmseq_NN.S (see tests/oracle_pm.c).  Not included by
# the Makefile: tests/oracle.mk and `tests/oracle pm-fuzz` run it as
#     $(MAKE) -f tests/oracle_pm.mk DIR=tests/gen
# after generating the sources, so that the wildcard below sees them.
# Needs tests/kern/start.o and klib.o (built by tests/kern/kern.mk).
#
# For each NN:
#   pmseq_NN.o   the sequences, assembled once, linked twice:
#   pmnat_NN     a static Linux i386 program: runs them on the host CPU
#   pmexp_NN.dat its output: the native results
#   pm_NN.elf    the multiboot kernel that runs them in the VM and compares
#                with pmexp_NN.dat (included by pmk_NN.o)

CC ?= gcc
PM32_CFLAGS := -m32 -std=gnu99 -O2 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
               -fno-builtin -fno-tree-loop-distribute-patterns -mgeneral-regs-only -nostdlib \
               -Wall -Wextra -Werror -I tests -I tests/kern
PM32_DEPS   := tests/oracle_pm.h tests/oracle_pm.mk
SEQS        := $(wildcard $(DIR)/pmseq_*.S)
KERNELS     := $(patsubst $(DIR)/pmseq_%.S,$(DIR)/pm_%.elf,$(SEQS))

all: $(KERNELS)
.PHONY: all
.SECONDARY:
.DELETE_ON_ERROR:

$(DIR)/pmseq_%.o: $(DIR)/pmseq_%.S
	$(CC) -m32 -c -o $@ $<

# The native program.
$(DIR)/pm32_native.o: tests/oracle_pm32.c $(PM32_DEPS)
	$(CC) $(PM32_CFLAGS) -DNATIVE -c -o $@ $<
$(DIR)/pm32s_native.o: tests/oracle_pm32.sx $(PM32_DEPS)
	$(CC) -m32 -I tests -DNATIVE -c -o $@ $<
# The sequences' code (section .oseq) lies at PM_CODE in both programs.
OSEQ_AT := --section-start=.oseq=0x00e00000
$(DIR)/pmnat_%: $(DIR)/pmseq_%.o $(DIR)/pm32_native.o $(DIR)/pm32s_native.o
	$(CC) -m32 -nostdlib -static -fno-pic -no-pie -Wl,$(OSEQ_AT) -o $@ $(DIR)/pm32s_native.o $(DIR)/pm32_native.o $<
$(DIR)/pmexp_%.dat: $(DIR)/pmnat_%
	$(abspath $<) >$@

# The kernel.
$(DIR)/pm32_kernel.o: tests/oracle_pm32.c tests/kern/klib.h $(PM32_DEPS)
	$(CC) $(PM32_CFLAGS) -DKERNEL -c -o $@ $<
$(DIR)/pmk_%.o: tests/oracle_pm32.sx $(DIR)/pmexp_%.dat $(PM32_DEPS)
	$(CC) -m32 -I tests -DKERNEL -DEXPECT_FILE='"$(DIR)/pmexp_$*.dat"' -c -o $@ $<
$(DIR)/pm_%.elf: $(DIR)/pmseq_%.o $(DIR)/pmk_%.o $(DIR)/pm32_kernel.o tests/kern/kernel.ld \
                 tests/kern/start.o tests/kern/klib.o
	ld -m elf_i386 --no-warn-rwx-segments -T tests/kern/kernel.ld $(OSEQ_AT) -o $@ tests/kern/start.o \
	    tests/kern/klib.o $(DIR)/pm32_kernel.o $(DIR)/pmk_$*.o $<
