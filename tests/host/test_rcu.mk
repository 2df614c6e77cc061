# test_rcu: rcutorture-style stress test of rcu.c - see tests/host/test_rcu.c.
HOST_TEST_SRCS_test_rcu := rcu.c bql.c
