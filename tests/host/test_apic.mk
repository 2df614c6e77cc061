# test_apic: the local APICs and the IO-APIC (apic.c) - see
# tests/host/test_apic.c, which stubs the loop.c timers, cpu.c's
# cpu_apic_changed and tlb.c's memory_map_update.
HOST_TEST_SRCS_test_apic := apic.c bql.c

# host.mk's rules depend only on the test's own source: rebuild on these too.
tests/host/test_apic tests/host/test_apic-asan tests/host/test_apic-tsan: apic.c bql.c
