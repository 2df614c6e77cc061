#!/bin/sh
# walkthrough.sh BLOCK [VM]: print one of the logs quoted in
# docs/walkthrough.md, made by the current vm (host addresses, which differ
# from run to run, become ADDR).  BLOCK: in (the guest block, -d in_asm),
# fast (push %ebx's host code), slow (its slow path), both as vm runs by
# default, through a view; lookup (push %ebx with views and page groups
# off: the inline TLB lookup); group (views off, page groups on: the
# block's pushes and call as one page group).
# tests/walkthrough.sh checks that the document still quotes what vm prints.
set -u
VM=${2:-./vm}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
accel=tcg
case $1 in
lookup) accel=tcg,views=off,groups=off ;;
group)  accel=tcg,views=off ;;
esac
"$VM" -accel $accel -d in_asm,out_asm -dfilter 10000c+1 -D "$tmp/log" \
    -kernel tests/kern/t_hello.elf >/dev/null 2>&1 </dev/null
sh docs/out_asm.sh "$tmp/log" | sed -E 's/(0x)?[0-9a-f]{9,16}/ADDR/g' >"$tmp/dis"
case $1 in
in)   sed -n '/^IN:/,/^OUT:/p' "$tmp/dis" | sed '$d' ;;
fast|lookup) sed -n '/^  0008:00100012  push   %ebx$/,/^  0008:00100013/p' "$tmp/dis" | sed '$d' ;;
slow) sed -n '/^  -- slow paths/,$p' "$tmp/dis" | sed -n '/lea    -0x4(%r12),%esi$/,/jmp /p' ;;
group) sed -n '/^  0008:00100012  push   %ebx$/,/,-0xc(%r10)$/p' "$tmp/dis" ;;
*)    echo "usage: walkthrough.sh in|fast|slow|lookup|group [vm]" >&2; exit 2 ;;
esac
