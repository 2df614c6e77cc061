#!/bin/sh
# make test-bootloader: a real bootloader from Debian's packages boots
# through vm's BIOS to its prompt and takes a command typed on the serial
# console.
#
# SYSLINUX 6.04 (Debian's syslinux, syslinux-common) is installed on a
# 32 MiB FAT16 disk image with mtools (Debian's mtools); all three are
# fetched with `apt-get download` and unpacked with dpkg-deb into a cache
# outside the source tree ($VM_CACHE, default ~/.cache/vm), so nothing is
# installed on the host.  vm boots the image with bios/bios.bin; the test
# waits for SYSLINUX's banner and its "boot:" prompt, types "reboot" (a
# label that runs reboot.c32, which resets the machine through the BIOS
# and the keyboard controller), and expects vm, run with -no-reboot, to
# end with status 0.
#
# usage: tests/bootloader/run.sh [vm]
set -u
VM=${1:-./vm}
. "$(dirname "$0")/../lib.sh"             # wait_for

fail() { echo "FAIL bootloader: $*"; exit 1; }

# A FAT16 "superfloppy" (no partition table: sector 0 is SYSLINUX's boot
# sector) with ldlinux.sys, a serial-console configuration and reboot.c32.
make_disk() {
    img=$1
    mods=$ROOT/usr/lib/syslinux/modules/bios
    export PATH="$ROOT/usr/bin:$PATH" MTOOLS_SKIP_CHECK=1
    dd if=/dev/zero of="$img" bs=1M count=32 2>/dev/null || fail "cannot write $img"
    mformat -i "$img" -T 65536 -h 16 -s 63 -H 0 :: || fail "mformat failed"
    cfg=$work/syslinux.cfg
    printf 'SERIAL 0 115200\nPROMPT 1\nTIMEOUT 0\nLABEL reboot\n  COM32 reboot.c32\n' >"$cfg"
    mcopy -i "$img" "$cfg" "$mods/reboot.c32" "$mods/libcom32.c32" :: || fail "mcopy failed"
    syslinux --install "$img" || fail "syslinux --install failed"
}

ROOT=$(sh tests/bootloader/fetch.sh) || fail "cannot fetch SYSLINUX and mtools"
work=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$work"' EXIT
make_disk "$work/disk.img"
out=$work/out
: >"$out"                               # wait_for may read it before vm's shell opens it
mkfifo "$work/in" || fail "mkfifo"
timeout 60 "$VM" -no-reboot bios/bios.bin "$work/disk.img" <"$work/in" >"$out" 2>&1 &
vm_pid=$!
exec 3>"$work/in"                       # hold the console open
wait_for "SYSLINUX 6" 20 || { cat "$out"; fail "no SYSLINUX banner"; }
wait_for "boot:" 20 || { cat "$out"; fail "no boot: prompt"; }
printf 'reboot\r' >&3
wait "$vm_pid"
status=$?
exec 3>&-
cat "$out"
[ "$status" -eq 0 ] || fail "vm ended with status $status (want 0: reboot with -no-reboot)"
echo "PASS bootloader: SYSLINUX booted to its prompt and ran reboot.c32"
