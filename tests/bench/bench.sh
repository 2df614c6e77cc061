#!/bin/sh
# bench.sh VM ROM [KERNEL.elf...]: the benchmark of vm (run by `make bench`).
#
# 1. The real-mode ROM (tests/bench/bench.S): run as `VM ROM` and as
#    `qemu-system-i386 -bios ROM`; the guest prints "bench: instructions N"
#    (the exact number of guest instructions it executes) and "bench: OK"
#    or "bench: MISMATCH", then exits through the debug-exit port (exit
#    status 1 = passed).  Reported: time and guest MIPS per emulator.
#
# 2. The protected-mode kernels tests/bench/k_NAME.elf (see bench.mk and
#    bench.h): each runs natively (tests/bench/n_NAME.elf, the same compute
#    code as a 32-bit Linux program), as `VM -kernel K` and as
#    `qemu-system-i386 -kernel K`.  Each prints
#        bench: NAME checksum XXXXXXXX expected YYYYYYYY
#        bench: OK
#    vm's checksum must equal the native one (and the expected value built
#    into the kernel).  Reported per kernel: the median time of RUNS runs
#    (runs interleave native, vm, QEMU so a busy machine hurts them alike),
#    the ratios vm/native and vm/QEMU, then the geometric means and the
#    milestone targets: geometric mean of vm/native <= 2.0, no kernel above
#    4.0, vm faster than QEMU (TCG) on every kernel.  Times are wall clock
#    and include each runner's start-up; the kernel `empty` (no work)
#    measures that start-up and is reported apart, outside the means.
#
# Exits non-zero when vm gets a wrong checksum, fails or times out on any
# guest (it keeps going to measure the others), or when a native program
# fails.  ROM may be "-" to skip part 1; e.g. one kernel alone:
#   sh tests/bench/bench.sh ./vm - tests/bench/k_memcpy.elf
# Missed performance targets only print "MISSED" unless
# BENCH_STRICT=1.  Environment: RUNS (default 5), BENCH_TIMEOUT (seconds
# per run, default 120), QEMU (default qemu-system-i386; skipped when not
# installed).  Needs only POSIX sh, coreutils (date, timeout, mktemp, sort)
# and awk.
VM=${1:-./vm}
ROM=${2:-tests/bench/bench.bin}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi
RUNS=${RUNS:-5}
TIMEOUT=${BENCH_TIMEOUT:-120}
QEMU=${QEMU:-qemu-system-i386}
QEMU_DEV="-device isa-debug-exit,iobase=0xf4,iosize=0x04 -display none -serial stdio -monitor none -no-reboot -accel tcg"

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

have_qemu=no
command -v "$QEMU" >/dev/null 2>&1 && have_qemu=yes
failed=0

now() { date +%s.%N; }

# run_once OUT CMD...: run the command once with the timeout, stdout in
# OUT, stderr in OUT.err; sets t (seconds, 3 decimals) and st (status).
run_once() {
    out=$1
    shift
    t0=$(now)
    timeout "$TIMEOUT" "$@" >"$out" 2>"$out.err" </dev/null
    st=$?
    t1=$(now)
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

# median FILE: the median of the numbers in FILE, one per line.
median() {
    sort -n "$1" | awk '{ v[NR] = $1 }
        END { if (NR == 0) exit 1
              if (NR % 2) printf "%.3f", v[(NR + 1) / 2]
              else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# show_failure WHAT OUT: print why a run failed, with its output.
show_failure() {
    echo "bench: $1"
    sed 's/^/    | /' "$2" | tail -n 20
    tail -n 20 "$2.err" | sed 's/^/    ! /'
}

# ---------------------------------------------------------------------------
# 1. The real-mode ROM.
# ---------------------------------------------------------------------------
# rom_check OUT: sets verdict for a run of the ROM (status in st).
rom_check() {
    if grep -q '^bench: MISMATCH' "$1"; then
        verdict="MISMATCH (wrong checksum)"
    elif [ "$st" -eq 124 ]; then
        verdict="timed out after $TIMEOUT s"
    elif ! grep -q '^bench: OK' "$1" || [ "$st" -ne 1 ]; then
        verdict="exit status $st, no \"bench: OK\""
    else
        verdict=OK
    fi
}

if [ "$ROM" = - ]; then
    :
elif [ -f "$ROM" ]; then
    echo "== real-mode ROM $ROM: median of $RUNS runs"
    : >"$tmp/rom.vm" && : >"$tmp/rom.qemu"
    rom_vm=OK rom_qemu=$have_qemu
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        i=$((i + 1))
        if [ "$rom_vm" = OK ]; then
            run_once "$tmp/rom.vm.out" "$VM" "$ROM"
            rom_check "$tmp/rom.vm.out"
            if [ "$verdict" = OK ]; then
                echo "$t" >>"$tmp/rom.vm"
            else
                rom_vm=FAILED
                show_failure "$VM $ROM: $verdict" "$tmp/rom.vm.out"
                failed=1
            fi
        fi
        if [ "$rom_qemu" = yes ]; then
            # shellcheck disable=SC2086
            run_once "$tmp/rom.qemu.out" "$QEMU" -bios "$ROM" $QEMU_DEV
            rom_check "$tmp/rom.qemu.out"
            if [ "$verdict" = OK ]; then
                echo "$t" >>"$tmp/rom.qemu"
            else
                rom_qemu=no
                echo "bench: $QEMU -bios $ROM: $verdict (not compared)"
            fi
        fi
    done
    insns=$(awk '$1 == "bench:" && $2 == "instructions" { print $3; exit }' \
        "$tmp/rom.vm.out" "$tmp/rom.qemu.out" 2>/dev/null)
    printf '%-20s %10s %12s\n' emulator "time (s)" "guest MIPS"
    rom_med_vm='' rom_med_qemu=''
    [ -s "$tmp/rom.vm" ] && rom_med_vm=$(median "$tmp/rom.vm")
    [ -s "$tmp/rom.qemu" ] && rom_med_qemu=$(median "$tmp/rom.qemu")
    for e in vm qemu; do
        if [ "$e" = vm ]; then m=$rom_med_vm name=vm; else m=$rom_med_qemu name=$QEMU; fi
        [ -n "$m" ] || continue
        printf '%-20s %10s %12s\n' "$name" "$m" \
            "$(awk -v n="$insns" -v t="$m" 'BEGIN { if (n != "" && t > 0) printf "%.1f", n / t / 1e6; else print "-" }')"
    done
    if [ -n "$rom_med_vm" ] && [ -n "$rom_med_qemu" ]; then
        awk -v v="$rom_med_vm" -v q="$rom_med_qemu" -v name="$QEMU" 'BEGIN {
            if (v <= 0) { print "vm is too fast to measure"; exit }
            r = q / v
            if (r >= 1) printf "vm is %.2fx faster than %s\n", r, name
            else        printf "vm is %.2fx slower than %s\n", 1 / r, name }'
    fi
    echo
else
    echo "bench: no ROM $ROM (make tests/bench/bench.bin): skipped"
fi

# ---------------------------------------------------------------------------
# 2. The protected-mode kernels.
# ---------------------------------------------------------------------------
# kern_check OUT WANT_STATUS: sets verdict and sum (the checksum printed).
kern_check() {
    sum=$(awk '$1 == "bench:" && $3 == "checksum" { print $4; exit }' "$1")
    if [ "$st" -eq 124 ]; then
        verdict="timed out after $TIMEOUT s"
    elif grep -q '^bench: MISMATCH' "$1"; then
        verdict="MISMATCH: checksum $sum, wrong"
    elif ! grep -q '^bench: OK' "$1" || [ "$st" -ne "$2" ]; then
        verdict="exit status $st (want $2), no \"bench: OK\""
    elif [ -n "$native_sum" ] && [ "$sum" != "$native_sum" ]; then
        verdict="MISMATCH: checksum $sum, native $native_sum"
    else
        verdict=OK
    fi
}

[ $# -eq 0 ] && { echo "bench: no kernels given"; exit $failed; }

if [ "$have_qemu" = yes ]; then
    echo "== protected-mode kernels: median of $RUNS runs, native / $VM -kernel / $QEMU -kernel (TCG)"
else
    echo "== protected-mode kernels: median of $RUNS runs, native / $VM -kernel ($QEMU not found: no QEMU column)"
fi
: >"$tmp/table"
for k in "$@"; do
    name=$(basename "$k" .elf)
    name=${name#k_}
    native=$(dirname "$k")/n_$name.elf
    if [ ! -f "$k" ] || [ ! -x "$native" ]; then
        echo "bench: $name: missing $k or $native (make bench-kernels)"
        failed=1
        continue
    fi
    : >"$tmp/$name.native" && : >"$tmp/$name.vm" && : >"$tmp/$name.qemu"
    native_sum='' vm_state=OK q_state=$have_qemu n_state=OK
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        i=$((i + 1))
        if [ "$n_state" = OK ]; then
            run_once "$tmp/n.out" "$native"
            kern_check "$tmp/n.out" 0
            if [ "$verdict" = OK ]; then
                native_sum=$sum
                echo "$t" >>"$tmp/$name.native"
            else
                n_state=FAILED
                show_failure "$native: $verdict (native build broken?)" "$tmp/n.out"
                failed=1
            fi
        fi
        if [ "$vm_state" = OK ]; then
            run_once "$tmp/v.out" "$VM" -kernel "$k"
            kern_check "$tmp/v.out" 1
            if [ "$verdict" = OK ]; then
                echo "$t" >>"$tmp/$name.vm"
            else
                vm_state=FAILED
                show_failure "$VM -kernel $k: $verdict" "$tmp/v.out"
                failed=1
            fi
        fi
        if [ "$q_state" = yes ]; then
            # shellcheck disable=SC2086
            run_once "$tmp/q.out" "$QEMU" -kernel "$k" $QEMU_DEV
            kern_check "$tmp/q.out" 1
            if [ "$verdict" = OK ]; then
                echo "$t" >>"$tmp/$name.qemu"
            else
                q_state=no
                show_failure "$QEMU -kernel $k: $verdict (not compared)" "$tmp/q.out"
            fi
        fi
    done
    printf '  %-8s' "$name"
    for r in native vm qemu; do
        [ -s "$tmp/$name.$r" ] && printf ' %s: %s' "$r" "$(tr '\n' ' ' <"$tmp/$name.$r" | sed 's/ $//')"
    done
    echo
    n=- v=- q=-
    [ -s "$tmp/$name.native" ] && n=$(median "$tmp/$name.native")
    if [ -s "$tmp/$name.vm" ]; then
        v=$(median "$tmp/$name.vm")
    elif [ "$vm_state" = FAILED ]; then
        v=FAILED
    fi
    [ -s "$tmp/$name.qemu" ] && q=$(median "$tmp/$name.qemu")
    echo "$name $n $v $q" >>"$tmp/table"
done

echo
awk -v strict="${BENCH_STRICT:-0}" -v have_qemu="$have_qemu" '
function num(x) { return x != "-" && x != "FAILED" && x + 0 > 0 }
function r(a, b) { return (num(a) && num(b)) ? sprintf("%.2f", a / b) : "-" }
{
    name[NR] = $1; nat[NR] = $2; vm[NR] = $3; qe[NR] = $4
}
END {
    line = "--------------------------------------------------------------------------------"
    printf "%-10s %9s %9s %9s %10s %9s %12s\n", "kernel", "native s", "vm s", "qemu s", "vm/native", "vm/qemu", "qemu/native"
    print line
    for (i = 1; i <= NR; i++) {
        if (name[i] == "empty") { startup = i; continue }
        printf "%-10s %9s %9s %9s %10s %9s %12s\n", name[i], nat[i], vm[i], qe[i],
            r(vm[i], nat[i]), r(vm[i], qe[i]), r(qe[i], nat[i])
        kernels++
        if (num(vm[i]) && num(nat[i])) {
            x = vm[i] / nat[i]; lvn += log(x); cvn++
            if (x > 4.0) over4 = over4 " " name[i]
            if (x > maxvn) { maxvn = x; maxname = name[i] }
        } else vm_missing++
        if (num(qe[i]) && num(nat[i])) { lqn += log(qe[i] / nat[i]); cqn++ }
        if (num(vm[i]) && num(qe[i])) {
            lvq += log(vm[i] / qe[i]); cvq++
            if (vm[i] >= qe[i]) slower = slower " " name[i]
        } else qemu_missing++
    }
    print line
    printf "%-10s %9s %9s %9s %10s %9s %12s\n", "geomean", "", "", "",
        cvn ? sprintf("%.2f", exp(lvn / cvn)) : "-",
        cvq ? sprintf("%.2f", exp(lvq / cvq)) : "-",
        cqn ? sprintf("%.2f", exp(lqn / cqn)) : "-"
    if (startup)
        printf "start-up (kernel \"empty\", included in every time above): native %s s, vm %s s, qemu %s s\n",
            nat[startup], vm[startup], qe[startup]
    print ""
    missed = 0
    if (vm_missing || !cvn) {
        printf "targets: not measurable: vm did not run %d of %d kernels\n", vm_missing, kernels
        missed = 1
    } else {
        g = exp(lvn / cvn)
        printf "target geomean vm/native <= 2.0: %.2f  %s\n", g, g <= 2.0 ? "met" : "MISSED"
        printf "target no kernel above 4.0x native: max %.2f (%s)  %s\n", maxvn, maxname,
            over4 == "" ? "met" : "MISSED:" over4
        if (g > 2.0 || over4 != "") missed = 1
        if (have_qemu != "yes")
            print "target vm faster than QEMU on every kernel: not measured (no QEMU)"
        else if (qemu_missing)
            print "target vm faster than QEMU on every kernel: not measured (QEMU failed on some kernels)"
        else {
            printf "target vm faster than QEMU on every kernel: %s\n", slower == "" ? "met" : "MISSED:" slower
            if (slower != "") missed = 1
        }
    }
    exit (strict && missed) ? 3 : 0
}' "$tmp/table"
st=$?
[ "$st" -ne 0 ] && failed=1
if [ "$failed" -ne 0 ]; then
    echo "bench: FAILED (see above)"
    exit 1
fi
exit 0
