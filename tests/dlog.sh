#!/bin/sh
# -d items and -dfilter: the log has what each item promises, -dfilter
# keeps in_asm to the blocks in its ranges, bad ranges are one-line errors.
VM=${1:-./vm}
K=tests/kern/t_hello.elf
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
vm() { timeout 60 "$VM" "$@"; }     # a guest that runs away must not fill the disk with its log

entry=$(nm "$K" | awk '$3 == "_start" { print $1 }')
vm -d in_asm -dfilter "$entry+4" -D "$tmp/log" -kernel "$K" >/dev/null 2>&1
n=$(grep -c '^IN:' "$tmp/log")
[ "$n" -ge 1 ] || bad "-dfilter $entry+4: no block logged"
others=$(grep '^IN:' "$tmp/log" | grep -v "(linear $entry)")
[ -z "$others" ] || bad "-dfilter $entry+4 logged other blocks: $others"
vm -d in_asm -D "$tmp/all" -kernel "$K" >/dev/null 2>&1
[ "$(grep -c '^IN:' "$tmp/all")" -gt "$n" ] || bad "without -dfilter no more blocks are logged"

vm -d mmu,pcall,unimp,guest_errors -D "$tmp/log" -kernel tests/kern/t_pg_msr_hw.elf >/dev/null 2>&1
grep -q '^mmu: fill' "$tmp/log" || bad "-d mmu: no TLB fill logged"
grep -q '^unimp: RDMSR of MSR' "$tmp/log" || bad "-d unimp: the missing MSR is not logged"

vm -d mmu -D "$tmp/log" -kernel tests/kern/t_pg_basic.elf >/dev/null 2>&1
grep -q '^mmu: #PF at linear' "$tmp/log" || bad "-d mmu: no page fault logged"

vm -d guest_errors -D "$tmp/log" -kernel tests/kern/sh_guest_err.elf >/dev/null 2>&1
grep -q '^guest_errors: read of unassigned physical f0000000' "$tmp/log" &&
    grep -q '^guest_errors: write of 12345678 to unassigned physical f0000000' "$tmp/log" ||
    bad "-d guest_errors: the unassigned read and write are not logged"

for arg in 100000 zz..100 200..100 100+ 1..2,3; do
    vm -dfilter "$arg" -kernel "$K" >"$tmp/out" 2>&1
    st=$?
    if [ "$st" -ne 2 ] || [ "$(wc -l <"$tmp/out")" -ne 1 ]; then
        bad "-dfilter '$arg': status $st, output $(cat "$tmp/out")"
    fi
done
exit $fail
