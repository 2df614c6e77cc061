#!/bin/sh
# boot.sh VM: boot the BIOS (bios/bios.bin) with disks, as a user would
# (run by tests/run.sh; exit 0 = pass).
#
# Each boot-sector guest tests/boot/NAME.img (built from NAME.S, see
# tests/boot/boot.mk) runs from a copy of its image, with the options of
# the "vm-args:" line in NAME.S, and passes when vm exits with status 1
# (the guest wrote 0 to port 0xF4).  Some need more from this script:
#   int13          its geometry line must be vm's translation (2/16/63),
#                  and under qemu-system-i386 (SeaBIOS), when installed, it
#                  must pass too: the test itself is right
#   int13_persist  two runs on one copy: the first writes, the second finds
#                  the data, which is also in the image file itself
#   int13_lba48    the copy is extended to the "disk-size:" in its source
#   e820           with -m 1, 64 and 3000: the RAM it finds above 1 MiB
#   int10          the text on stdout, byte for byte
#   int16          keys piped into stdin
#   int1a          the RTC's date and time against the host's (UTC)
#   reboot         with -no-reboot: the jump to the reset vector resets the
#                  machine (status 0, one POST), also under SeaBIOS when
#                  installed; without: three boots, then PASS
# Then the demo disk (draws, powers off with status 0), a disk without the
# boot signature and no disk at all (the message, and vm ends: a key on
# stdin restarts the machine, and -no-reboot makes that an exit).
# Needs POSIX sh, coreutils (truncate, od, date), grep.
VM=${1:-./vm}
BIOS=bios/bios.bin
TIMEOUT=${BOOT_TIMEOUT:-30}
QEMU=${QEMU:-qemu-system-i386}
passed=0
failed=0

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

ok() { passed=$((passed + 1)); echo "ok   $1"; }

# bad NAME WHY: a failed check, with the end of vm's output.
bad() {
    failed=$((failed + 1))
    echo "FAIL $1: $2"
    tail -n 15 "$tmp/out" | sed 's/^/     | /'
}

# run IMG ARGS...: vm with a disk (none if IMG is -), stdin from $tmp/in;
# output in $tmp/out, status in $st.
run() {
    img=$1
    shift
    if [ "$img" = - ]; then
        timeout "$TIMEOUT" "$VM" "$@" "$BIOS" <"$tmp/in" >"$tmp/out" 2>&1
    else
        timeout "$TIMEOUT" "$VM" "$@" "$BIOS" "$img" <"$tmp/in" >"$tmp/out" 2>&1
    fi
    st=$?
}

# fresh NAME: a copy of tests/boot/NAME.img to run (tests write to it).
fresh() {
    cp "tests/boot/$1.img" "$tmp/disk.img"
}

# vm_args NAME: the "vm-args:" options in tests/boot/NAME.S.
vm_args() {
    sed -n 's/.*vm-args: *\(-[^*]*[^ *]\).*/\1/p' "tests/boot/$1.S" | head -n 1
}

# expect_pass NAME DESC: the last run passed (status 1, "PASS" printed).
expect_pass() {
    if [ "$st" -eq 1 ] && grep -q PASS "$tmp/out"; then
        ok "$2"
        return 0
    fi
    bad "$2" "exit status $st, want 1 (PASS)"
    return 1
}

: >"$tmp/in"
for src in tests/boot/*.S; do
    name=$(basename "$src" .S)
    [ -f "tests/boot/$name.img" ] || { bad "$name" "tests/boot/$name.img is not built"; continue; }
    # shellcheck disable=SC2046
    set -- $(vm_args "$name")
    case $name in
    int13)
        fresh int13
        run "$tmp/disk.img" "$@"
        if expect_pass int13 "int13: INT 13h functions"; then
            if grep -q '^geometry 2/16/63' "$tmp/out" && grep -q '^cylinder boundary: ok' "$tmp/out"; then
                ok "int13: 2048 sectors are 2/16/63 (LBA-assisted), reads cross cylinders"
            else
                bad "int13: geometry" "want 'geometry 2/16/63' and 'cylinder boundary: ok'"
            fi
        fi
        if command -v "$QEMU" >/dev/null 2>&1; then
            fresh int13
            timeout "$TIMEOUT" "$QEMU" -drive "file=$tmp/disk.img,format=raw,if=ide" \
                -device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio -display none \
                -no-reboot </dev/null >"$tmp/out" 2>&1
            st=$?
            if [ "$st" -eq 1 ]; then
                ok "int13 under $QEMU with SeaBIOS (the test is right)"
            else
                bad "int13 under $QEMU" "exit status $st, want 1"
            fi
        else
            echo "skip int13 under $QEMU: not installed (the vm checks above still ran)"
        fi
        ;;
    int13_persist)
        fresh int13_persist
        run "$tmp/disk.img" "$@"
        expect_pass "int13_persist: first run" "int13_persist: the first run writes" &&
            { grep -q 'persist: wrote' "$tmp/out" || bad int13_persist "the first run did not write"; }
        # LBA 1000 must now start with "VMPS" in the file itself.
        magic=$(od -A n -t x1 -j $((1000 * 512)) -N 4 "$tmp/disk.img" | tr -d ' \n')
        if [ "$magic" = 564d5053 ]; then
            ok "int13_persist: the write is in the image file"
        else
            bad int13_persist "LBA 1000 of the image starts with '$magic', not VMPS"
        fi
        run "$tmp/disk.img" "$@"
        expect_pass "int13_persist: second run" "int13_persist: the second run reads it" &&
            { grep -q 'persist: found' "$tmp/out" || bad int13_persist "the second run did not find the data"; }
        ;;
    int13_lba48)
        size=$(sed -n 's/.*disk-size: *\([0-9]*\).*/\1/p' "$src" | head -n 1)
        fresh int13_lba48
        truncate -s "$size" "$tmp/disk.img"
        run "$tmp/disk.img" "$@"
        expect_pass int13_lba48 "int13_lba48: a $size-byte disk, LBA48 above 2^28"
        ;;
    e820)
        for mb in 1 64 3000; do
            fresh e820
            run "$tmp/disk.img" -m "$mb" "$@"
            want="e820: RAM above 1 MiB: $(( (mb - 1) * 1024 )) KiB"
            if expect_pass e820 "e820: -m $mb"; then
                if grep -q "^$want" "$tmp/out"; then
                    ok "e820: -m $mb: $want"
                else
                    bad "e820: -m $mb" "no line '$want'"
                fi
            fi
        done
        ;;
    int10)
        fresh int10
        run "$tmp/disk.img" "$@"
        if expect_pass int10 "int10: INT 10h functions"; then
            # Teletype at row 5: "tty", BS, "Y", no BEL, CR LF.  Then the
            # terminal's cursor follows the BIOS's: down to row 9 and 32
            # blanks for 09h's "xxx", back 3 for 0Ah's "--", back 2 for
            # the CR; 13h at row 10 column 5 (5 right), at row 11 (a new
            # line) without the attributes; back up to the cursor 13h
            # restored (row 10 column 17) for the CR.  The box-drawing
            # characters of code page 437 as ASCII.
            printf 'tty\bY\r\n\r\n\n\n%32sxxx\033[3D--\033[2D\r\n\033[5Cplain string\r\nabc\033[1A\033[14C\r\n+-+||=#\r\nint10: done' '' >"$tmp/want"
            tr -d '\n' <"$tmp/want" >"$tmp/want1"
            tr -d '\n' <"$tmp/out" >"$tmp/out1"
            if grep -qF -f "$tmp/want1" "$tmp/out1"; then
                ok "int10: the bytes on stdout are exact (BS sent, BEL dropped, attributes skipped, the terminal's cursor moved to the BIOS's)"
            else
                bad int10 "stdout lacks the exact bytes; want (od -c): $(od -c "$tmp/want" | head -n 4 | tr -s ' ')"
            fi
        fi
        ;;
    int16)
        fresh int16
        printf 'aZ1\r\033\t\177!~ q0123456789abcdefghijklmnopqrstuvwxyzABCD\033[A\033OP\033[5~\033[15~\033[3~\033' >"$tmp/in"
        run "$tmp/disk.img" "$@"
        : >"$tmp/in"
        expect_pass int16 "int16: keys from stdin, scan codes, escape sequences, none lost"
        ;;
    int1a)
        fresh int1a
        start=$(date -u +%s)
        run "$tmp/disk.img" "$@"
        if expect_pass int1a "int1a: ticks, INT 15h waits, midnight"; then
            stamp=$(sed -n 's/^int1a: RTC \([0-9-]* [0-9:]*\).*/\1/p' "$tmp/out" | head -n 1)
            guest=$(date -u -d "$stamp" +%s 2>/dev/null)
            if [ -n "$guest" ] && [ "$guest" -ge $((start - 2)) ] && [ "$guest" -le $((start + 10)) ]; then
                ok "int1a: the RTC says $stamp, the host's UTC clock agrees"
            else
                bad int1a "the RTC's '$stamp' is not the host's time ($(date -u -d "@$start"))"
            fi
        fi
        ;;
    reboot)
        fresh reboot
        run "$tmp/disk.img" -no-reboot "$@"
        if [ "$st" -eq 0 ] && grep -q 'guest reset, exiting' "$tmp/out" &&
           [ "$(grep -c 'vm BIOS' "$tmp/out")" -eq 1 ] && grep -q 'reboot: boot 1' "$tmp/out"; then
            ok "reboot: a far call to F000:FFF0 after POST resets the machine (-no-reboot: vm exits 0)"
        else
            bad reboot "-no-reboot: exit status $st, want 0 after one POST and boot 1 (the BIOS ran POST again without a reset?)"
        fi
        fresh reboot
        run "$tmp/disk.img" "$@"
        if expect_pass reboot "reboot: booted again after F000:FFF0 and FFFF:0000"; then
            if [ "$(grep -c 'vm BIOS' "$tmp/out")" -eq 3 ]; then
                ok "reboot: three POSTs, no reset loop"
            else
                bad reboot "want three POST banners, got $(grep -c 'vm BIOS' "$tmp/out")"
            fi
        fi
        if command -v "$QEMU" >/dev/null 2>&1; then
            fresh reboot
            timeout "$TIMEOUT" "$QEMU" -drive "file=$tmp/disk.img,format=raw,if=ide" \
                -device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio -display none \
                -no-reboot </dev/null >"$tmp/out" 2>&1
            st=$?
            if [ "$st" -eq 0 ]; then
                ok "reboot under $QEMU with SeaBIOS: reset at the first jump too (the test is right)"
            else
                bad "reboot under $QEMU" "exit status $st, want 0 (a reset with -no-reboot)"
            fi
        else
            echo "skip reboot under $QEMU: not installed (the vm checks above still ran)"
        fi
        ;;
    *)
        fresh "$name"
        run "$tmp/disk.img" "$@"
        expect_pass "$name" "$name${1:+ ($*)}"
        ;;
    esac
done

# The demo disk: the Mandelbrot set, then the CPU halts and vm powers off.
run tests/demo.img
if [ "$st" -ne 0 ]; then
    bad demo "exit status $st, want 0 (powered off by the halt)"
elif [ "$(grep -c '@@@@@@' "$tmp/out")" -lt 10 ] || ! grep -q 'The demo is over' "$tmp/out"; then
    bad demo "no Mandelbrot set on stdout"
else
    ok "demo: tests/demo.img draws and powers off"
fi

# No boot signature, and no disk: the message, then a key (on stdin)
# restarts the machine, which -no-reboot turns into an exit.
head -c 1048576 /dev/zero >"$tmp/disk.img"
printf 'x' >"$tmp/in"
run "$tmp/disk.img" -no-reboot
if [ "$st" -eq 0 ] && grep -q 'not a boot sector' "$tmp/out" &&
   grep -q 'no bootable disk; try ./vm bios/bios.bin tests/demo.img' "$tmp/out"; then
    ok "a disk without 55AA: 'no bootable disk', a key ends vm (-no-reboot)"
else
    bad "no signature" "exit status $st (want 0) or the messages are missing"
fi
run - -no-reboot
if [ "$st" -eq 0 ] && grep -q 'no hard disk' "$tmp/out" &&
   grep -q 'no bootable disk; try ./vm bios/bios.bin tests/demo.img' "$tmp/out"; then
    ok "no disk: 'no bootable disk', a key ends vm (-no-reboot)"
else
    bad "no disk" "exit status $st (want 0) or the messages are missing"
fi
# Without a key it waits, halted, until killed.
: >"$tmp/in"
timeout 1 "$VM" "$BIOS" <"$tmp/in" >"$tmp/out" 2>&1
st=$?
if [ "$st" -eq 124 ] && grep -q 'Press a key' "$tmp/out"; then
    ok "no disk, no key: vm waits (halted) for a key"
else
    bad "no disk, no key" "exit status $st, want 124 (still waiting after 1 s)"
fi

echo "boot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
