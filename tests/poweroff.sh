#!/bin/sh
# Power off by halting (cpu.c machine_powered_off): with every vCPU halted
# with interrupts off nothing can run again and vm ends with status 0 (per
# vCPU threads and thread=single); while one vCPU still runs, a halted one
# is woken by its NMI (the kernel then exits with status 1).
VM=${1:-./vm}
K=tests/kern/sh_halt_all.elf
fail=0
check() {   # want-status, vm's arguments
    want=$1
    shift
    timeout 20 "$VM" "$@" >/dev/null 2>&1 </dev/null
    status=$?
    if [ "$status" -ne "$want" ]; then
        echo "FAIL: vm $*: status $status, want $want"
        fail=1
    fi
}
check 0 -smp 3 -kernel "$K" -append all
check 0 -smp 3 -accel tcg,thread=single -kernel "$K" -append all
check 1 -smp 3 -kernel "$K" -append one
check 1 -smp 3 -accel tcg,thread=single -kernel "$K" -append one
exit $fail
