#!/bin/sh
# vm reaches guest memory through views by default (view.c); with
# -accel tcg,views=off translated code looks each operand up in the TLB
# itself (and groups operands).  The paging, self-modifying-code, flags
# and SMP test kernels must pass that way too.
VM=${1:-./vm}
fail=0
for k in tests/kern/t_pg_*.elf tests/kern/t_flags_*.elf tests/kern/t_smp.elf tests/gen/pm_00.elf; do
    [ -f "$k" ] || continue
    args=$(sed -n 's/.*vm-args: *\(.*[^ ]\) *$/\1/p' "${k%.elf}.c" 2>/dev/null | head -n 1)
    case $args in *views=off*) continue ;; esac     # runs that way already
    # shellcheck disable=SC2086
    timeout 60 "$VM" $args -accel tcg,views=off -kernel "$k" >/dev/null 2>&1 </dev/null
    status=$?
    if [ "$status" -ne 1 ]; then
        echo "FAIL $k with -accel tcg,views=off: status $status"
        fail=1
    fi
done
[ "$fail" -eq 0 ] && echo "views_off: ok"
exit $fail
