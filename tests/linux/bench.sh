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
# usage: tests/linux/bench.sh [vm]
set -u
VM=${1:-./vm}
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
PATH="$work/bin:$PATH" "$BB" sh -c '
    . tests/linux/workloads.sh
    up() { cut -d" " -f1 /proc/uptime; }
    make_data "$1/d"
    for w in sha gzip awk par; do
        s=$(up); "run_$w" "$1/d"
        echo "BENCH $w $(echo "$(up) $s" | awk "{ printf \"%.2f\", \$1 - \$2 }")"
    done' sh "$work" >"$work/native"
rm -f "$work/d"

# One guest run: $1 = name, the rest the command line.
guest() {
    name=$1
    shift
    echo "bench-linux: $name ..." >&2
    timeout 900 tests/linux/peakrss "$work/$name.rss" "$@" </dev/null >"$work/$name.out" 2>&1
    grep -q "BENCH par" "$work/$name.out" || { echo "bench-linux: $name did not finish:"; tail -n 20 "$work/$name.out"; }
}

KARGS="console=ttyS0 quiet"
guest vm "$VM" -m 256 -smp 2 -kernel "$DIR/vmlinuz" -initrd "$work/initrd.cpio" -append "$KARGS"
have_qemu=0
if command -v qemu-system-i386 >/dev/null 2>&1; then
    have_qemu=1
    guest qemu qemu-system-i386 -accel tcg -cpu max -smp 2 -m 256 -display none -serial stdio \
        -monitor none -no-reboot -kernel "$DIR/vmlinuz" -initrd "$work/initrd.cpio" -append "$KARGS"
fi

val() { tr -d '\r' <"$work/$1" | sed -n "s/^BENCH $2 //p" | head -n 1; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }' || echo "-"; }

echo
echo "make bench-linux: $(cat "$DIR/kernel-package"), busybox-static; -m 256 -smp 2; seconds"
printf '%-6s %9s %9s %9s %12s %12s\n' workload native vm qemu vm/native qemu/vm
for w in boot $WORKLOADS; do
    n=$([ "$w" = boot ] && echo "" || val native "$w")
    v=$(val vm.out "$w")
    q=$([ "$have_qemu" = 1 ] && val qemu.out "$w" || echo "")
    printf '%-6s %9s %9s %9s %12s %12s\n' "$w" "${n:--}" "${v:--}" "${q:--}" "$(ratio "$v" "$n")" "$(ratio "$q" "$v")"
done
printf 'peak RSS: vm %s KiB' "$(cat "$work/vm.rss" 2>/dev/null)"
[ "$have_qemu" = 1 ] && printf ', qemu %s KiB' "$(cat "$work/qemu.rss" 2>/dev/null)"
echo
