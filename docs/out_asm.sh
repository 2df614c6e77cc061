#!/bin/sh
# out_asm.sh [LOG]: read a vm -d out_asm log (a file, or stdin) and print it
# with each run of host code bytes disassembled by objdump, as x86-64:
#   ./vm -d in_asm,out_asm -D log -kernel k.elf; sh docs/out_asm.sh log
# Lines that are not host bytes pass through unchanged.  Needs objdump.
set -u
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
start=""

flush() {           # disassemble the bytes collected since $start
    [ -n "$start" ] || return 0
    objdump -D -b binary -mi386:x86-64 --adjust-vma="$start" "$tmp/code" |
        sed -n 's/^ *\([0-9a-f]*\):\t[0-9a-f ]*\t\(.*\)$/      \1:  \2/p'
    start=""
    : >"$tmp/code"
}

: >"$tmp/code"
cat "${1:--}" | { while IFS= read -r line; do
    case $line in
    "    0x"*:*)
        addr=${line%%:*}
        addr=${addr#"    "}
        [ -n "$start" ] || start=$addr
        bytes=${line#*: }
        for b in $bytes; do
            printf "\\$(printf '%03o' "0x$b")" >>"$tmp/code"
        done
        ;;
    *)
        flush
        printf '%s\n' "$line"
        ;;
    esac
done; flush; }
