# oracle.mk - the host-CPU oracle (tests/oracle.c, tests/oracle_pm*.c);
# included by the Makefile.
#
# Real mode: tests/oracle runs random instruction sequences natively and
# writes guest ROM sources (tests/gen/oracle_NN.S) that must reproduce its
# results.  Protected mode: `tests/oracle pm-gen` writes random 32-bit
# sequences (tests/gen/pmseq_NN.S); tests/oracle_pm.mk runs them in a native
# i386 process and builds the kernels tests/gen/pm_NN.elf that compare the
# VM with those results.
#
#   make fuzz-diff [N=200000] [SEED=1] [FUZZ_VM=./vm|qemu]
#       more sequences from another seed; prints the first mismatch,
#       shrunk to a minimal reproducer (FUZZ_VM=qemu: check with QEMU,
#       undefined flags masked)
#   make fuzz-diff-x87 [N=200000] [SEED=1]
#       the same with x87 sequences (pm-gen -x)
ORACLE_SRCS := tests/oracle.c tests/oracle_pm.c tests/oracle_pm.h
ORACLE_PM32 := tests/oracle_pm32.c tests/oracle_pm32.sx tests/oracle_pm.mk
KERN_BASE   := tests/kern/start.o tests/kern/klib.o tests/kern/kernel.ld

tests/oracle: $(ORACLE_SRCS)
	$(CC) $(CFLAGS) -o $@ tests/oracle.c tests/oracle_pm.c $(LDLIBS)
tests/gen/stamp: tests/oracle tests/lib.inc tests/rom.ld $(ORACLE_PM32) $(KERN_BASE)
	rm -rf tests/gen && mkdir -p tests/gen
	./tests/oracle tests/gen
	for s in tests/gen/oracle_*.S; do \
	    $(GUEST_AS) -o $${s%.S}.o $$s && \
	    ld -m elf_i386 -T tests/rom.ld -o $${s%.S}.elf $${s%.S}.o && \
	    objcopy -O binary $${s%.S}.elf $${s%.S}.bin || exit 1; \
	done
	./tests/oracle pm-gen tests/gen
	./tests/oracle pm-gen tests/gen -x
	$(MAKE) -s -f tests/oracle_pm.mk DIR=tests/gen CC='$(CC)'
	touch $@

N    ?= 200000
SEED ?= 1
FUZZ_VM ?= ./vm
fuzz-diff: tests/oracle $(ORACLE_PM32) $(KERN_BASE) $(if $(filter qemu,$(FUZZ_VM)),,vm)
	./tests/oracle pm-fuzz -n $(N) -s $(SEED) -v $(FUZZ_VM)
fuzz-diff-x87: tests/oracle $(ORACLE_PM32) $(KERN_BASE) vm
	./tests/oracle pm-fuzz -x -n $(N) -s $(SEED) -v $(FUZZ_VM)
.PHONY: fuzz-diff fuzz-diff-x87
