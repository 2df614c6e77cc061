# bench.mk - the benchmark guests and `make bench`; included by the Makefile.

# The benchmark guest and its driver script.
tests/bench/bench.o: tests/bench/bench.S tests/lib.inc
	$(GUEST_AS) -o $@ $<
tests/bench/bench.bin: tests/bench/bench.o tests/rom.ld
	ld -m elf_i386 -T tests/rom.ld -o tests/bench/bench.elf $<
	objcopy -O binary tests/bench/bench.elf $@
bench: vm tests/bench/bench.bin
	sh tests/bench/bench.sh ./vm tests/bench/bench.bin

