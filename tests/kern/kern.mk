# kern.mk - guest test kernels: every tests/kern/t_*.c or t_*.S becomes a
# multiboot ELF (tests/kern/t_*.elf) run by tests/run.sh with `vm -kernel`.
# Included by the top-level Makefile.

KERN_CFLAGS := -m32 -std=gnu99 -O2 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
               -fno-builtin -mgeneral-regs-only -nostdlib -Wall -Wextra -Werror -I tests/kern
KERN_LIB    := tests/kern/start.o tests/kern/klib.o
KERN_SRCS   := $(wildcard tests/kern/t_*.c tests/kern/t_*.S)
KERN_ELFS   := $(addsuffix .elf,$(basename $(KERN_SRCS)))
KERN_HDRS   := $(wildcard tests/kern/*.h tests/kern/*.inc)

tests/kern/%.o: tests/kern/%.c $(KERN_HDRS)
	$(CC) $(KERN_CFLAGS) -c -o $@ $<
tests/kern/%.o: tests/kern/%.S $(KERN_HDRS)
	$(CC) -m32 -I tests/kern -c -o $@ $<
tests/kern/t_%.elf: tests/kern/t_%.o $(KERN_LIB) tests/kern/kernel.ld
	ld -m elf_i386 --no-warn-rwx-segments -T tests/kern/kernel.ld -o $@ $(KERN_LIB) $<

# Kernels that shell tests run with their own checks (not run.sh's t_*).
KERN_EXTRA  := tests/kern/idle_hlt.elf tests/kern/sh_uart_echo.elf tests/kern/sh_halt_all.elf tests/kern/sh_guest_err.elf tests/kern/ata_disk.elf tests/kern/gdb_target.elf \
               tests/kern/mon_target.elf
KERN_ELFS   += $(KERN_EXTRA)
tests/kern/idle_%.elf: tests/kern/idle_%.o $(KERN_LIB) tests/kern/kernel.ld
	ld -m elf_i386 --no-warn-rwx-segments -T tests/kern/kernel.ld -o $@ $(KERN_LIB) $<
tests/kern/sh_%.elf: tests/kern/sh_%.o $(KERN_LIB) tests/kern/kernel.ld
	ld -m elf_i386 --no-warn-rwx-segments -T tests/kern/kernel.ld -o $@ $(KERN_LIB) $<
tests/kern/gdb_%.elf: tests/kern/gdb_%.o $(KERN_LIB) tests/kern/kernel.ld
	ld -m elf_i386 --no-warn-rwx-segments -T tests/kern/kernel.ld -o $@ $(KERN_LIB) $<
tests/kern/ata_%.elf: tests/kern/ata_%.o $(KERN_LIB) tests/kern/kernel.ld
	ld -m elf_i386 --no-warn-rwx-segments -T tests/kern/kernel.ld -o $@ $(KERN_LIB) $<
tests/kern/mon_%.elf: tests/kern/mon_%.o $(KERN_LIB) tests/kern/kernel.ld
	ld -m elf_i386 --no-warn-rwx-segments -T tests/kern/kernel.ld -o $@ $(KERN_LIB) $<

kernels: $(KERN_ELFS)
.PHONY: kernels

# t_smp_rr is t_smp.c run in round-robin mode, t_fpu_smp_rr t_fpu_smp.c.
tests/kern/t_smp_rr.o: tests/kern/t_smp.c

# A minimal Linux bzImage for tests/lxboot.sh: the setup sectors of
# lx_header.S, then lx_boot.c's code linked at 1 MiB.
tests/kern/lx_boot.bzimage: tests/kern/lx_header.o tests/kern/lx_start.o tests/kern/lx_boot.o \
                            tests/kern/klib.o tests/kern/kernel.ld
	objcopy -O binary -j .text tests/kern/lx_header.o tests/kern/lx_header.bin
	ld -m elf_i386 --no-warn-rwx-segments -T tests/kern/kernel.ld -o tests/kern/lx_boot.elf \
	    tests/kern/lx_start.o tests/kern/klib.o tests/kern/lx_boot.o
	objcopy -O binary tests/kern/lx_boot.elf tests/kern/lx_boot.pm
	cat tests/kern/lx_header.bin tests/kern/lx_boot.pm > $@
KERN_ELFS += tests/kern/lx_boot.bzimage

tests/kern/t_fpu_smp_rr.o: tests/kern/t_fpu_smp.c
