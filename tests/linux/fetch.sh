#!/bin/sh
# Fetch Debian's i386 kernel (linux-image-686) and busybox-static into the
# cache directory $1 (default ~/.cache/vm/linux), without touching the
# host's apt configuration: apt-get runs with a private state directory
# whose only architecture is i386.  Prints the directory's path when done;
# reuses what an earlier run fetched.
set -e
DIR=${1:-${VM_CACHE:-$HOME/.cache/vm}/linux}
mkdir -p "$DIR/apt/lists/partial" "$DIR/apt/cache/archives/partial" "$DIR/debs"
if [ -f "$DIR/vmlinuz" ] && [ -x "$DIR/busybox" ]; then
    echo "$DIR"
    exit 0
fi
APT="-o APT::Architecture=i386 -o APT::Architectures::=i386
     -o Dir::State::Lists=$DIR/apt/lists -o Dir::Cache=$DIR/apt/cache
     -o Dir::State::Status=/dev/null -o Debug::NoLocking=1"
# shellcheck disable=SC2086
apt-get $APT update >"$DIR/apt/update.log" 2>&1 || true     # a missing mirror index is fine
# shellcheck disable=SC2086
kpkg=$(apt-cache $APT depends linux-image-686 | awk '/Depends: linux-image-/ { print $2; exit }')
[ -n "$kpkg" ] || { echo "fetch.sh: cannot find the package linux-image-686 depends on" >&2; exit 1; }
# shellcheck disable=SC2086
(cd "$DIR/debs" && apt-get $APT download "$kpkg" busybox-static >/dev/null 2>&1) ||
    { echo "fetch.sh: apt-get download $kpkg busybox-static failed" >&2; exit 1; }
rm -rf "$DIR/x" && mkdir "$DIR/x"
for deb in "$DIR"/debs/*.deb; do
    dpkg-deb -x "$deb" "$DIR/x"
done
cp "$DIR"/x/boot/vmlinuz-* "$DIR/vmlinuz"
cp "$DIR/x/bin/busybox" "$DIR/busybox"
echo "$kpkg" >"$DIR/kernel-package"
rm -rf "$DIR/x"
echo "$DIR"
