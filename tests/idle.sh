#!/bin/sh
# An idle guest costs no host CPU: idle_hlt sleeps 2 s in HLT waiting for
# its APIC timer; vm must use under 5% of one core meanwhile (HLT sleeps on
# halt_cond, the main loop sleeps in epoll_wait until the timer's deadline).
# What vm spends starting and stopping (more under ASan or TSan) is
# measured on t_hello, which does not idle, and taken off.
VM=${1:-./vm}

# Host CPU seconds (user + system) of one run of vm with a kernel; fails
# unless the kernel passes.
cpu_of() {
    out=$( { "$VM" -kernel "$1" >/dev/null 2>&1; echo "status $?"; times; } )
    echo "$out" | grep -q "status 1" || { echo "$1 did not pass: $out" >&2; return 1; }
    # `times` prints the shell's then the children's user and system time.
    echo "$out" | awk '/m.*s .*m.*s/ { n++; if (n == 2) { split($1, u, /[ms]/); split($2, s, /[ms]/);
          print u[1] * 60 + u[2] + s[1] * 60 + s[2] } }'
}

base=$(cpu_of tests/kern/t_hello.elf) || exit 1
idle=$( (cpu_of tests/kern/idle_hlt.elf) ) || exit 1
echo "idle_hlt: 2 s of HLT cost ${idle} s of host CPU (start and stop alone: ${base} s)"
awk -v c="$idle" -v b="$base" 'BEGIN { exit !(c - b < 0.1) }'
