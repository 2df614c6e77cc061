# host.mk - host unit tests: tests/host/test_NAME.c is linked with the vm
# sources it names in HOST_TEST_SRCS_test_NAME (set in the test's own
# tests/host/test_NAME.mk) into tests/host/test_NAME, which tests/run.sh runs
# (exit status 0 = pass).  Included by the top-level Makefile.

-include $(wildcard tests/host/test_*.mk)

HOST_TESTS := $(patsubst %.c,%,$(wildcard tests/host/test_*.c))

tests/host/test_%: tests/host/test_%.c $(HDRS) Makefile
	$(CC) $(CFLAGS) -I. -o $@ $< $(HOST_TEST_SRCS_test_$*) $(LDLIBS)

host-tests: $(HOST_TESTS)
.PHONY: host-tests
