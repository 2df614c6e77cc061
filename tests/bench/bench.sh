#!/bin/sh
# bench.sh VM ROM: time the benchmark guest (tests/bench/bench.bin) under VM
# and, when it is installed, under qemu-system-i386; print guest MIPS.
#
# The guest prints "bench: instructions N" (the exact number of guest
# instructions it executes, see bench.S) and "bench: OK" or "bench: MISMATCH"
# (its checksum against the one QEMU computes), then exits through the
# debug-exit port: status 1 means it passed.  Each emulator runs RUNS times
# (default 3) and the best time counts, since the machine may be busy.
# Times include the emulator's start-up.  Exits non-zero when VM gets a wrong
# checksum, fails or times out (BENCH_TIMEOUT seconds, default 300).
# Needs only POSIX sh, coreutils (date, timeout, mktemp) and awk.
VM=${1:-./vm}
ROM=${2:-tests/bench/bench.bin}
RUNS=${RUNS:-3}
TIMEOUT=${BENCH_TIMEOUT:-300}
QEMU=qemu-system-i386

if [ ! -f "$ROM" ]; then
    echo "bench: no ROM $ROM (make tests/bench/bench.bin)" >&2
    exit 2
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }

# run NAME CMD...: run the command RUNS times, guest output in $tmp/NAME.out.
# Sets best (seconds), insns and verdict (OK, MISMATCH or FAILED: ...).
run() {
    name=$1
    shift
    best=
    insns=
    verdict=OK
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        i=$((i + 1))
        t0=$(now)
        timeout "$TIMEOUT" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
        status=$?
        t1=$(now)
        t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
        printf '  %-18s run %d: %7s s (exit status %d)\n' "$name" "$i" "$t" "$status"
        if grep -q '^bench: MISMATCH' "$tmp/$name.out"; then
            verdict=MISMATCH
            return
        fi
        if [ "$status" -eq 124 ]; then
            verdict="FAILED: timed out after $TIMEOUT s"
            return
        fi
        if ! grep -q '^bench: OK' "$tmp/$name.out" || [ "$status" -ne 1 ]; then
            verdict="FAILED: exit status $status, no \"bench: OK\""
            return
        fi
        insns=$(awk '$1 == "bench:" && $2 == "instructions" { print $3 }' "$tmp/$name.out")
        if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then
            best=$t
        fi
    done
}

# mips INSNS SECONDS
mips() {
    awk -v n="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.1f", n / t / 1e6; else print "inf" }'
}

echo "bench: $ROM, best of $RUNS runs"
run vm "$VM" "$ROM"
vm_best=$best vm_insns=$insns vm_verdict=$verdict
if [ "$vm_verdict" != OK ]; then
    echo "bench: $VM $ROM: $vm_verdict"
    sed 's/^/    /' "$tmp/vm.out"
    tail -n 20 "$tmp/vm.err" | sed 's/^/    /'
    [ "$vm_verdict" = MISMATCH ] && echo "bench: vm computed a WRONG checksum (MISMATCH)"
    exit 1
fi
if [ -z "$vm_insns" ]; then
    echo "bench: the guest did not print its instruction count"
    exit 1
fi

have_qemu=no
if command -v "$QEMU" >/dev/null 2>&1; then
    run qemu "$QEMU" -bios "$ROM" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -display none -serial stdio -monitor none
    q_best=$best q_verdict=$verdict
    if [ "$q_verdict" = OK ]; then
        have_qemu=yes
    else
        echo "bench: $QEMU: $q_verdict (not compared)"
    fi
fi

echo
echo "guest instructions: $vm_insns"
printf '%-20s %10s %12s\n' emulator "time (s)" "guest MIPS"
printf '%-20s %10s %12s\n' vm "$vm_best" "$(mips "$vm_insns" "$vm_best")"
if [ "$have_qemu" = yes ]; then
    printf '%-20s %10s %12s\n' "$QEMU" "$q_best" "$(mips "$vm_insns" "$q_best")"
    awk -v v="$vm_best" -v q="$q_best" -v name="$QEMU" 'BEGIN {
        if (v <= 0) { print "vm is too fast to measure"; exit }
        r = q / v
        if (r >= 1) printf "vm is %.1fx faster than %s\n", r, name
        else        printf "vm is %.1fx slower than %s\n", 1 / r, name
    }'
else
    echo "($QEMU not found: no comparison)"
fi
exit 0
