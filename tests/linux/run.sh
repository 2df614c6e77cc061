#!/bin/sh
# make test-linux: boot Debian's i386 kernel (linux-image-686) with an
# initramfs of Debian's busybox-static, on 1 and on 4 vCPUs, and drive a
# shell session by typing into vm's standard input, as a person would.
#
#   - the boot log up to /init has no WARNING, BUG, Oops, panic, "timed
#     out" or "spurious", and the TSC was calibrated against the PIT (up to
#     three boots, as a busy host can spoil the measurement);
#   - /proc/cpuinfo lists every vCPU;
#   - uname -a; sha256sum and gzip -9 of 2.6 MB; an awk floating-point loop:
#     the same answers as the same busybox run natively on this host;
#   - four gzip -9 at once give the same checksum, and every vCPU did work;
#   - dmesg still has none of the bad words after all that;
#   - poweroff -f ends vm with status 0; on 1 vCPU also reboot -f with
#     -no-reboot;
#   - through the BIOS: SYSLINUX (tests/bootloader/fetch.sh) on a FAT disk
#     boots the same kernel and initramfs on 2 vCPUs to a shell.
# Kernel and busybox come from tests/linux/fetch.sh (apt-get download into
# a cache outside the source tree); the initramfs is made by mkcpio.
#
# usage: tests/linux/run.sh [vm] [vCPU counts...]
set -u
VM=${1:-./vm}
. "$(dirname "$0")/../lib.sh"             # wait_for
[ $# -gt 0 ] && shift
SMPS=${*:-1 4}
DIR=$(sh tests/linux/fetch.sh) || { echo "FAIL linux: cannot fetch the kernel and busybox"; exit 1; }
BB=$DIR/busybox
work=$(mktemp -d) || exit 1
trap 'kill $vm_pid 2>/dev/null; rm -rf "$work"' EXIT
vm_pid=
fail=0

say() { echo "linux: $*"; }
bad() { echo "FAIL linux: $*"; fail=1; }

# The initramfs: busybox, /init, and the console device node.
make_initramfs() {
    cat >"$work/list" <<LIST
dir /bin 755
dir /dev 755
dir /proc 755
dir /sys 755
dir /tmp 1777
dir /root 700
nod /dev/console 600 c 5 1
file /bin/busybox 755 $BB
file /init 755 tests/linux/init
LIST
    tests/linux/mkcpio "$work/list" >"$work/initrd.cpio" || { bad "mkcpio failed"; exit 1; }
}

AWK_PROG='BEGIN { s = 0; x = 1; for (i = 1; i <= 200000; i++) { s += (i % 7 - 3.25) / (i * 0.5 + 1); x = x * 1.0000001 + 1e-9 } printf "%.17g %.17g\n", s, x }'

# What the same busybox answers natively.
native_answers() {
    "$BB" seq 1 400000 >"$work/d"
    want_sha=$("$BB" sha256sum <"$work/d" | "$BB" cut -d' ' -f1)
    want_gzip=$("$BB" gzip -9 -c "$work/d" | "$BB" sha256sum | "$BB" cut -d' ' -f1)
    want_awk=$("$BB" awk "$AWK_PROG")
    [ -n "$want_sha" ] && [ -n "$want_gzip" ] && [ -n "$want_awk" ] ||
        { bad "busybox does not run natively on this host"; exit 1; }
}

# Type a command; it prints a "RESULT <key> ..." line, and then a marker.
n=0
type_cmd() {
    n=$((n + 1))
    printf '%s; echo "DO""NE-%d"\n' "$1" "$n" >&3
    wait_for "^DONE-$n" "${2:-120}" || { bad "no answer to: $1"; return 1; }
}

result() { tr -d '\r' <"$out" | sed -n "s/^RESULT $1 //p" | tail -n 1; }

boot() {    # smp, extra vm options
    smp=$1
    shift
    start_vm -m 256 -smp "$smp" "$@" -kernel "$DIR/vmlinuz" -initrd "$work/initrd.cpio" \
        -append "console=ttyS0" || return 1
}

# Start vm with its arguments, its stdin on fd 3, and wait for /init.
start_vm() {
    out=$work/out-$smp
    : >"$out"                           # wait_for may read it before vm's shell opens it
    rm -f "$work/in" && mkfifo "$work/in"
    "$VM" "$@" <"$work/in" >"$out" 2>&1 &
    vm_pid=$!
    exec 3>"$work/in"
    if ! wait_for "vm-init: up" 120; then
        bad "-smp $smp: no /init"
        tail -n 30 "$out"
        return 1
    fi
    sleep 0.5                           # the shell's prompt
}

# End the session with $1 (poweroff -f or reboot -f); vm must end with 0.
finish() {
    printf '%s\n' "$1" >&3
    i=0
    while kill -0 "$vm_pid" 2>/dev/null && [ $i -lt 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$vm_pid" 2>/dev/null; then
        bad "-smp $smp: vm still runs after $1"
        kill "$vm_pid"
    fi
    wait "$vm_pid"
    status=$?
    exec 3>&-
    [ "$status" -eq 0 ] || bad "-smp $smp: vm ended with status $status after $1 (want 0)"
}

check_boot_log() {
    log=$(tr -d '\r' <"$out" | sed '/vm-init: up/q')
    words=$(echo "$log" | grep -E 'WARNING|BUG|Oops|panic|timed out|spurious')
    [ -z "$words" ] || bad "-smp $smp: the boot log says: $words"
    say "-smp $smp: $(echo "$log" | tail -n 1)"
}

# Linux measures the TSC against the PIT in tight loops and rejects a
# measurement in which one step took too long (an SMI, on hardware): the
# fast calibration, then the slower one ("Using PIT calibration value").
calibrated() {
    tr -d '\r' <"$out" | grep -q -E 'tsc: Fast TSC calibration using PIT|tsc: Using PIT calibration value'
}

session() {
    smp=$1
    boot "$smp" || return
    # On a busy host the vCPU thread can be preempted for milliseconds in
    # the middle of those loops, and both attempts fail: up to two more
    # boots, and then it must have succeeded.
    tries=1
    while ! calibrated && [ "$tries" -lt 3 ]; do
        say "-smp $smp: TSC calibration failed (a busy host?): $(tr -d '\r' <"$out" | grep -m 3 'tsc:' | tr '\n' ' ')"
        finish "poweroff -f"
        boot "$smp" || return
        tries=$((tries + 1))
    done
    calibrated || bad "-smp $smp: the TSC was not calibrated against the PIT in $tries boots"
    check_boot_log
    type_cmd 'echo "RES""ULT uname $(uname -a)"'
    case $(result uname) in
        Linux*i686*) ;;
        *) bad "-smp $smp: uname -a: $(result uname)" ;;
    esac
    type_cmd 'echo "RES""ULT cpus $(grep -c ^processor /proc/cpuinfo)"'
    [ "$(result cpus)" = "$smp" ] || bad "-smp $smp: /proc/cpuinfo lists $(result cpus) CPUs"
    type_cmd 'seq 1 400000 >/tmp/d; echo "RES""ULT sha $(sha256sum </tmp/d | cut -d" " -f1)"'
    [ "$(result sha)" = "$want_sha" ] || bad "-smp $smp: sha256sum: $(result sha), native $want_sha"
    type_cmd 'echo "RES""ULT gzip $(gzip -9 -c /tmp/d | sha256sum | cut -d" " -f1)"'
    [ "$(result gzip)" = "$want_gzip" ] || bad "-smp $smp: gzip -9: $(result gzip), native $want_gzip"
    type_cmd "echo \"RES\"\"ULT awk \$(awk '$AWK_PROG')\""
    [ "$(result awk)" = "$want_awk" ] || bad "-smp $smp: awk: $(result awk), native $want_awk"
    type_cmd 'for i in 1 2 3 4; do (gzip -9 -c /tmp/d | sha256sum >/tmp/p$i) & done; wait; echo "RES""ULT par $(cat /tmp/p? | sort -u | wc -l) $(cut -d" " -f1 /tmp/p1)"'
    [ "$(result par)" = "1 $want_gzip" ] || bad "-smp $smp: four gzip at once: $(result par)"
    type_cmd 'echo "RES""ULT busy $(awk "/^cpu[0-9]/ { if (\$2 + \$4 > 0) n++ } END { print n }" /proc/stat)"'
    [ "$(result busy)" = "$smp" ] || bad "-smp $smp: $(result busy) of $smp vCPUs did work"
    type_cmd 'echo "RES""ULT dmesg $(dmesg | grep -c -E "WARN""ING|BUG|Oops|panic|timed out|spurious")"'
    [ "$(result dmesg)" = 0 ] || bad "-smp $smp: dmesg has $(result dmesg) bad lines"
    type_cmd 'echo "RES""ULT uptime $(cut -d" " -f1 /proc/uptime)"'
    say "-smp $smp: session done at $(result uptime) s of guest uptime"
    finish "poweroff -f"
}

# Through the BIOS: SYSLINUX on a FAT disk loads the same kernel and
# initramfs (running the kernel's real-mode setup code, which asks the
# BIOS for the memory map and more).
bios_session() {
    smp=2
    root=$(sh tests/bootloader/fetch.sh) || { bad "cannot fetch SYSLINUX"; return; }
    img=$work/linux.img
    printf 'SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nTIMEOUT 1\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd.cpio\n  APPEND console=ttyS0\n' >"$work/syslinux.cfg"
    dd if=/dev/zero of="$img" bs=1M count=64 2>/dev/null &&
    PATH="$root/usr/bin:$PATH" MTOOLS_SKIP_CHECK=1 mformat -i "$img" -T 131072 -h 16 -s 63 -H 0 :: &&
    PATH="$root/usr/bin:$PATH" MTOOLS_SKIP_CHECK=1 mcopy -i "$img" "$work/syslinux.cfg" \
        "$DIR/vmlinuz" "$work/initrd.cpio" :: &&
    PATH="$root/usr/bin:$PATH" MTOOLS_SKIP_CHECK=1 syslinux --install "$img" ||
        { bad "cannot make the SYSLINUX disk"; return; }
    start_vm -m 256 -smp "$smp" bios/bios.bin "$img" || return
    check_boot_log
    type_cmd 'echo "RES""ULT cpus $(grep -c ^processor /proc/cpuinfo)"'
    [ "$(result cpus)" = "$smp" ] || bad "BIOS boot: /proc/cpuinfo lists $(result cpus) CPUs"
    type_cmd 'echo "RES""ULT e820 $(dmesg | grep -c "BIOS-e820: .* usable")"'
    [ "$(result e820)" -ge 2 ] 2>/dev/null || bad "BIOS boot: the kernel saw no E820 map from the BIOS"
    say "BIOS boot: $(tr -d '\r' <"$out" | grep -m1 'Linux version' | cut -c1-60)..."
    finish "poweroff -f"
}

make_initramfs
native_answers
for smp in $SMPS; do
    session "$smp"
done
boot 1 -no-reboot && finish "reboot -f"
bios_session
if [ "$fail" -ne 0 ]; then
    echo "--- last output:"
    tail -n 40 "$out" | tr -d '\r'
    exit 1
fi
echo "PASS linux: Debian's kernel and busybox on $(echo $SMPS | tr ' ' ',') vCPUs, and through the BIOS"
