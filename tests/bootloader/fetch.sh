#!/bin/sh
# Fetch Debian's syslinux, syslinux-common and mtools with `apt-get
# download` and unpack them with dpkg-deb into $VM_CACHE/bootloader-root
# (default ~/.cache/vm): nothing is installed on the host.  Prints the
# root's path; reuses what an earlier run unpacked.
set -e
CACHE=${VM_CACHE:-$HOME/.cache/vm}
ROOT=$CACHE/bootloader-root
PKGS="syslinux syslinux-common mtools"
if [ -x "$ROOT/usr/bin/syslinux" ] && [ -x "$ROOT/usr/bin/mformat" ]; then
    echo "$ROOT"
    exit 0
fi
mkdir -p "$CACHE/debs"
(cd "$CACHE/debs" && apt-get download $PKGS >/dev/null 2>&1) ||
    { echo "fetch.sh: apt-get download $PKGS failed" >&2; exit 1; }
rm -rf "$ROOT" && mkdir -p "$ROOT"
for p in $PKGS; do
    deb=$(ls "$CACHE"/debs/"${p}"_*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || { echo "fetch.sh: no package file for $p" >&2; exit 1; }
    dpkg-deb -x "$deb" "$ROOT"
done
echo "$ROOT"
