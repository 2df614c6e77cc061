# host.mk - host unit tests: tests/host/test_NAME.c is linked with the vm
# sources it names in HOST_TEST_SRCS_test_NAME (set in the test's own
# tests/host/test_NAME.mk) into tests/host/test_NAME, which tests/run.sh runs
# (exit status 0 = pass).  Included by the top-level Makefile.

-include $(wildcard tests/host/test_*.mk)

HOST_TESTS := $(patsubst %.c,%,$(wildcard tests/host/test_*.c))

tests/host/test_%: tests/host/test_%.c $(HDRS) Makefile
	$(CC) $(CFLAGS) -I. -o $@ $< $(HOST_TEST_SRCS_test_$*) $(LDLIBS)

# The same tests under the sanitizers, for make asan / make tsan.
tests/host/test_%-asan: tests/host/test_%.c $(HDRS) Makefile
	$(CC) $(filter-out -O2,$(CFLAGS)) -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	    -fno-omit-frame-pointer -I. -o $@ $< $(HOST_TEST_SRCS_test_$*) $(LDLIBS)
tests/host/test_%-tsan: tests/host/test_%.c $(HDRS) Makefile
	$(CC) $(filter-out -O2,$(CFLAGS)) -O1 -fsanitize=thread -I. -o $@ $< $(HOST_TEST_SRCS_test_$*) $(LDLIBS)

HOST_TESTS_ASAN := $(addsuffix -asan,$(HOST_TESTS))
HOST_TESTS_TSAN := $(addsuffix -tsan,$(HOST_TESTS))

host-tests: $(HOST_TESTS)
.PHONY: host-tests
