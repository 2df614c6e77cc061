# test_loop: the main loop (loop.c) with the real BQL; cpu_exec is stubbed in the test.
HOST_TEST_SRCS_test_loop := loop.c bql.c
