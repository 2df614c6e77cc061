#!/bin/sh
# disas.sh VM: disas.c (vm's disassembler, used by -d in_asm) prints what
# objdump prints (run by tests/run.sh; exit 0 = pass).  objdump sweeps
# each file linearly; tests/disas_check disassembles at every address
# objdump found an instruction and must find the same length and text
# (whitespace aside; the classes objdump decodes differently by design are
# listed in tests/disas_check.c, differs_by_design).  The files:
#   - every guest test ROM tests/*.bin and the BIOS, as 16-bit code
#     (objdump -mi8086), addresses as IP in the ROM's segment;
#   - the .text of every test kernel tests/kern/t_*.elf, as 32-bit code
#     (objdump -mi386), at its link address;
#   - generated instructions (disas_check gen): every opcode vm translates
#     with each ModRM/SIB form and prefix, as 16- and as 32-bit code;
#   - 256 KiB of pseudo-random bytes (a fixed seed), 16- and 32-bit.
# Needs objdump and objcopy (binutils, which building vm needs anyway).
CHECK=tests/disas_check
command -v objdump >/dev/null 2>&1 || { echo "objdump not installed: not tested"; exit 0; }
[ -x "$CHECK" ] || { echo "FAIL: $CHECK not built"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# check BITS FILE VMA: objdump's lines as "ADDR LEN TEXT" into disas_check.
check() {
    arch=i386
    [ "$1" = 16 ] && arch=i8086
    objdump -D -z -b binary -m"$arch" --insn-width=16 --adjust-vma=0x"$3" "$2" |
        awk -F'\t' '/^ *[0-9a-f]+:\t/ {
            addr = $1; sub(/^ */, "", addr); sub(/:$/, "", addr)
            n = split($2, bytes, " ")
            text = $3; gsub(/ +/, " ", text); sub(/ $/, "", text)
            print addr, n, text }' >"$tmp/lines"
    "$CHECK" check "$1" "$2" "$3" <"$tmp/lines" || failed=1
}

for rom in tests/*.bin bios/bios.bin; do
    [ -f "$rom" ] && check 16 "$rom" 0
done
for kernel in tests/kern/t_*.elf; do
    [ -f "$kernel" ] || continue
    vma=$(objdump -h "$kernel" | awk '$2 == ".text" { print $4 }')
    text=$tmp/$(basename "$kernel" .elf).text
    objcopy -O binary -j .text "$kernel" "$text"
    check 32 "$text" "$vma"
done
# -d in_asm: every instruction vm logs reads as objdump reads the ROM at
# that IP (the log's "CS:EIP  BYTES  TEXT" against objdump's "IP: TEXT").
VM=${1:-./vm}
ROM=tests/rm_move.bin
timeout 60 "$VM" -d in_asm "$ROM" >/dev/null 2>"$tmp/in_asm"
objdump -D -z -b binary -mi8086 --insn-width=16 "$ROM" |
    awk -F'\t' '/^ *[0-9a-f]+:\t/ { a = $1; sub(/^ */, "", a); sub(/:$/, "", a)
                                   t = $3; gsub(/ +/, " ", t); sub(/ $/, "", t); print a "\t" t }' >"$tmp/obj"
awk -F'\t' 'NR == FNR { want[$1] = $2; next }
    /^  f000:0000[0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / {
        ip = substr($0, 12, 4); sub(/^0+/, "", ip); if (ip == "") ip = "0"
        t = substr($0, 18); sub(/^([0-9a-f][0-9a-f] )+ */, "", t); gsub(/ +/, " ", t); sub(/ $/, "", t)
        if (!(ip in want)) next
        n++
        if (t != want[ip]) { bad++; if (bad < 5) print "in_asm " ip ": \"" t "\", objdump: \"" want[ip] "\"" }
    }
    END { print "in_asm: " n + 0 " instructions checked, " bad + 0 " differ"; exit (bad > 0 || n < 50) }' \
    "$tmp/obj" "$tmp/in_asm" || failed=1

"$CHECK" gen "$tmp/gen.bin" || exit 1
check 16 "$tmp/gen.bin" 0
check 32 "$tmp/gen.bin" 0
"$CHECK" random "$tmp/random.bin" || exit 1
check 16 "$tmp/random.bin" 0
check 32 "$tmp/random.bin" 0
[ "$failed" -eq 0 ] && echo "PASS: disas.c agrees with objdump"
exit "$failed"
