# boot.mk - boot-sector guests and the demo disk; included by the Makefile.
#
# Every tests/boot/NAME.S is a boot sector (boot.inc, boot.ld) that loads
# the rest of itself with INT 13h; tests/boot/NAME.img is its disk: the
# code, then patterned sectors (mkimg.c) up to BOOT_IMG_SECTORS in all.
# tests/boot.sh boots each with vm (and one with QEMU).  tests/demo.img is
# the demo disk: tests/demo.S alone.

BOOT_SRCS := $(wildcard tests/boot/*.S)
BOOT_IMGS := $(BOOT_SRCS:.S=.img)
BOOT_IMG_SECTORS := 2048                # 1 MiB: two cylinders of 16 heads x 63 sectors

tests/boot/mkimg: tests/boot/mkimg.c
	$(CC) $(CFLAGS) -o $@ $<

tests/boot/%.o: tests/boot/%.S tests/boot/boot.inc tests/boot/boot.mk
	$(GUEST_AS) -DBOOT_IMG_SECTORS=$(BOOT_IMG_SECTORS) -o $@ $<
tests/boot/%.elf: tests/boot/%.o tests/boot/boot.ld
	ld -m elf_i386 -T tests/boot/boot.ld -o $@ $<
tests/boot/%.img: tests/boot/%.elf tests/boot/mkimg
	objcopy -O binary $< $@.code
	tests/boot/mkimg $@ $@.code $(BOOT_IMG_SECTORS)
	rm -f $@.code

tests/demo.o: tests/boot/boot.inc
tests/demo.elf: tests/demo.o tests/boot/boot.ld
	ld -m elf_i386 -T tests/boot/boot.ld -o $@ $<
tests/demo.img: tests/demo.elf tests/boot/mkimg
	objcopy -O binary $< $@.code
	tests/boot/mkimg $@ $@.code 0
	rm -f $@.code
