#!/bin/sh
# A small code buffer (-tb-size 256 KiB) forces many full flushes of the
# translated code while guests run: their results must not change.
VM=${1:-./vm}
for rom in tests/rm_control.bin tests/gen/oracle_00.bin; do
    "$VM" -tb-size 256 "$rom" >/dev/null 2>&1 </dev/null
    status=$?
    [ "$status" -eq 1 ] || { echo "FAIL $rom with -tb-size 256: status $status"; exit 1; }
done
for k in tests/kern/t_pg_smc.elf tests/gen/pm_00.elf; do
    "$VM" -tb-size 256 -kernel "$k" >/dev/null 2>&1 </dev/null
    status=$?
    [ "$status" -eq 1 ] || { echo "FAIL $k with -tb-size 256: status $status"; exit 1; }
done
echo "tbflush: ok"
