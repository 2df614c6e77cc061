# test_bql: the big lock (bql.c) - see tests/host/test_bql.c.
HOST_TEST_SRCS_test_bql := bql.c
