#!/bin/sh
# -d out_asm: every guest instruction that -d in_asm shows comes with the
# host code made for it, a jump back checks exit_request first, and
# docs/out_asm.sh turns the bytes into host instructions with objdump.
VM=${1:-./vm}
K=tests/kern/t_hello.elf
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
command -v objdump >/dev/null || { echo "objdump not installed: nothing to check"; exit 0; }
"$VM" -d in_asm,out_asm -D "$tmp/log" -kernel "$K" >/dev/null 2>&1
in=$(sed -n '/^IN:/,/^OUT:/p' "$tmp/log" | grep -c '^  [0-9a-f]\{4\}:[0-9a-f]\{8\}  [0-9a-f][0-9a-f] ')
out=$(sed -n '/^OUT:/,/^IN:/p' "$tmp/log" | grep -c '^  [0-9a-f]\{4\}:[0-9a-f]\{8\}  [a-z(]')
[ "$in" -gt 0 ] && [ "$in" -eq "$out" ] ||
    { echo "FAIL: $in guest instructions in in_asm, $out in out_asm"; exit 1; }
sh docs/out_asm.sh "$tmp/log" >"$tmp/dis"
grep -A1 'cmpl   \$0x0,0x[0-9a-f]*(%rbp)' "$tmp/dis" | grep -q 'jne ' ||
    { echo "FAIL: no block checks exit_request (cmpl \$0,exit_request(%rbp); jne)"; exit 1; }
grep -q '(bad)' "$tmp/dis" && { echo "FAIL: objdump found bytes that are no instruction"; exit 1; }
echo "ok: $in guest instructions, each with its host code"
