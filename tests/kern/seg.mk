# seg.mk - the protected-mode segmentation, privilege, exception and task
# test kernels (t_seg_*, t_ring_*, t_exc_*, t_task_*) link seg_lib as well
# as the common kernel runtime.  Include after tests/kern/kern.mk; these
# pattern rules have shorter stems than kern.mk's t_%.elf, so make uses them.

SEG_LIB := tests/kern/seg_lib.o tests/kern/seg_asm.o
SEG_LINK = ld -m elf_i386 --no-warn-rwx-segments -T tests/kern/kernel.ld -o $@ $(KERN_LIB) $(SEG_LIB) $<

tests/kern/t_seg_%.elf: tests/kern/t_seg_%.o $(KERN_LIB) $(SEG_LIB) tests/kern/kernel.ld
	$(SEG_LINK)
tests/kern/t_ring_%.elf: tests/kern/t_ring_%.o $(KERN_LIB) $(SEG_LIB) tests/kern/kernel.ld
	$(SEG_LINK)
tests/kern/t_exc_%.elf: tests/kern/t_exc_%.o $(KERN_LIB) $(SEG_LIB) tests/kern/kernel.ld
	$(SEG_LINK)
tests/kern/t_task_%.elf: tests/kern/t_task_%.o $(KERN_LIB) $(SEG_LIB) tests/kern/kernel.ld
	$(SEG_LINK)

# seg_triple.elf is not a t_* kernel: it must shut the machine down (triple
# fault), which tests/run.sh cannot check.  See its header for how to run it.
tests/kern/seg_triple.elf: tests/kern/seg_triple.o $(KERN_LIB) $(SEG_LIB) tests/kern/kernel.ld
	$(SEG_LINK)
