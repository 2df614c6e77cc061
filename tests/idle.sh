#!/bin/sh
# An idle guest costs no host CPU: idle_hlt sleeps 2 s in HLT waiting for
# its APIC timer; vm must use under 5% of one core meanwhile (HLT sleeps on
# halt_cond, the main loop sleeps in epoll_wait until the timer's deadline).
VM=${1:-./vm}
out=$( { "$VM" -kernel tests/kern/idle_hlt.elf >/dev/null 2>&1; echo "status $?"; times; } )
echo "$out" | grep -q "status 1" || { echo "idle_hlt did not pass: $out"; exit 1; }
# `times` prints the shell's then the children's user and system time.
cpu=$(echo "$out" | awk '/m.*s .*m.*s/ { n++; if (n == 2) { split($1, u, /[ms]/); split($2, s, /[ms]/);
      print u[1] * 60 + u[2] + s[1] * 60 + s[2] } }')
echo "idle_hlt: 2 s of HLT cost ${cpu} s of host CPU"
awk -v c="$cpu" 'BEGIN { exit !(c < 0.1) }'
