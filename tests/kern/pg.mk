# pg.mk - the paging / TLB / system-instruction test kernels (t_pg_*) link
# the shared pg_lib (pg_lib.c, pg_asm.S) on top of the usual KERN_LIB.
# Included by the top-level Makefile after kern.mk.

PG_LIB := tests/kern/pg_lib.o tests/kern/pg_asm.o

tests/kern/t_pg_%.elf: tests/kern/t_pg_%.o $(KERN_LIB) $(PG_LIB) tests/kern/kernel.ld
	ld -m elf_i386 --no-warn-rwx-segments -T tests/kern/kernel.ld -o $@ $(KERN_LIB) $(PG_LIB) $<
