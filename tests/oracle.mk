# oracle.mk - the host-CPU oracle (tests/oracle.c); included by the Makefile.

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

