#!/bin/sh
# make bench-linux: Debian's kernel and busybox (tests/linux/fetch.sh) with
# an initramfs whose /init (bench-init) times, with /proc/uptime,
#   boot  from power-on to /init
#   sha   sha256sum twice over 16 MiB
#   gzip  gzip -9 of 16 MiB
#   awk   an awk floating-point loop of 1,000,000 iterations
#   par   two copies of sha+gzip+awk at once, on 2 vCPUs
# (tests/linux/workloads.sh).  The same busybox runs the workloads natively,
# and the same kernel and initramfs boot in qemu-system-i386 -accel tcg when
# it is installed; all in one run, so the ratios compare like with like.
# Also the peak RSS of vm and QEMU with the same -m.
#
# The machines this runs on are shared, and a neighbour's load can slow
# any one measurement by half or more.  So the three take turns for
# BENCH_ROUNDS rounds (3 unless set), and the table holds each one's best
# time per workload, the same rule for all three; the spread of every
# column is printed under it.
#
# usage: tests/linux/bench.sh [vm]     (BENCH_ROUNDS=n in the environment)
set -u
VM=${1:-./vm}
ROUNDS=${BENCH_ROUNDS:-3}
case $ROUNDS in
''|*[!0-9]*|0) echo "bench-linux: BENCH_ROUNDS must be a positive number, not '$ROUNDS'"; exit 1 ;;
esac
DIR=$(sh tests/linux/fetch.sh) || { echo "bench-linux: cannot fetch the kernel and busybox"; exit 1; }
BB=$DIR/busybox
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
WORKLOADS="sha gzip awk par"

cat >"$work/list" <<LIST
dir /bin 755
dir /dev 755
dir /proc 755
dir /tmp 1777
nod /dev/console 600 c 5 1
file /bin/busybox 755 $BB
file /init 755 tests/linux/bench-init
file /workloads.sh 644 tests/linux/workloads.sh
LIST
tests/linux/mkcpio "$work/list" >"$work/initrd.cpio" || exit 1

# Natively: busybox's applets first in PATH, timed with the host's uptime.
mkdir "$work/bin" && "$BB" --install -s "$work/bin"
native() {
    PATH="$work/bin:$PATH" "$BB" sh -c '
        . tests/linux/workloads.sh
        up() { cut -d" " -f1 /proc/uptime; }
        make_data "$1/d"
        for w in sha gzip awk par; do
            s=$(up); "run_$w" "$1/d"
            echo "BENCH $w $(echo "$(up) $s" | awk "{ printf \"%.2f\", \$1 - \$2 }")"
        done
        rm -f "$1/d"' sh "$work" >"$work/native.$1.out"
}

# One guest run: $1 = name, $2 = round, the rest the command line.
guest() {
    name=$1
    round=$2
    shift 2
    echo "bench-linux: round $round: $name ..." >&2
    timeout 900 tests/linux/peakrss "$work/$name.$round.rss" "$@" </dev/null >"$work/$name.$round.out" 2>&1
    grep -q "BENCH par" "$work/$name.$round.out" ||
        { echo "bench-linux: $name did not finish:"; tail -n 20 "$work/$name.$round.out"; }
}

KARGS="console=ttyS0 quiet"
have_qemu=0
command -v qemu-system-i386 >/dev/null 2>&1 && have_qemu=1
for r in $(seq "$ROUNDS"); do
    echo "bench-linux: round $r: native ..." >&2
    native "$r"
    guest vm "$r" "$VM" -m 256 -smp 2 -kernel "$DIR/vmlinuz" -initrd "$work/initrd.cpio" -append "$KARGS"
    [ "$have_qemu" = 1 ] &&
        guest qemu "$r" qemu-system-i386 -accel tcg -cpu max -smp 2 -m 256 -display none -serial stdio \
            -monitor none -no-reboot -kernel "$DIR/vmlinuz" -initrd "$work/initrd.cpio" -append "$KARGS"
done

# Every round's time of workload $2 for $1 (native, vm, qemu), one per line.
vals() { for r in $(seq "$ROUNDS"); do tr -d '\r' <"$work/$1.$r.out" | sed -n "s/^BENCH $2 //p" | head -n 1; done; }
best() { vals "$1" "$2" | sort -n | head -n 1; }
spread() { vals "$1" "$2" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%s-%s", lo, hi }'; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }' || echo "-"; }

echo
echo "make bench-linux: $(cat "$DIR/kernel-package"), busybox-static; -m 256 -smp 2; seconds, best of $ROUNDS rounds"
printf '%-6s %9s %9s %9s %12s %12s\n' workload native vm qemu vm/native qemu/vm
for w in boot $WORKLOADS; do
    n=$([ "$w" = boot ] && echo "" || best native "$w")
    v=$(best vm "$w")
    q=$([ "$have_qemu" = 1 ] && best qemu "$w" || echo "")
    printf '%-6s %9s %9s %9s %12s %12s\n' "$w" "${n:--}" "${v:--}" "${q:--}" "$(ratio "$v" "$n")" "$(ratio "$q" "$v")"
done
echo "spread (fastest-slowest round):"
for w in boot $WORKLOADS; do
    n=$([ "$w" = boot ] && echo "-" || spread native "$w")
    q=$([ "$have_qemu" = 1 ] && spread qemu "$w" || echo "-")
    printf '%-6s %s\n' "$w" "native $n, vm $(spread vm "$w"), qemu $q"
done
maxrss() { for r in $(seq "$ROUNDS"); do cat "$work/$1.$r.rss" 2>/dev/null; done | sort -n | tail -n 1; }
printf 'peak RSS (largest of the rounds): vm %s KiB' "$(maxrss vm)"
[ "$have_qemu" = 1 ] && printf ', qemu %s KiB' "$(maxrss qemu)"
echo
