#!/bin/sh
# The Linux loader (boot.c): tests/kern/lx_boot.bzimage, a minimal bzImage,
# checks what it finds (boot_params, command line, E820, initrd, MP table)
# for two memory sizes and vCPU counts.  Bad input: a bzImage whose initrd
# does not fit, a truncated bzImage, a too-old protocol.
VM=${1:-./vm}
K=tests/kern/lx_boot.bzimage
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

run() {     # ram cpus initrd-bytes
    head -c "$3" /dev/zero | tr '\0' 'U' >"$tmp/rd"
    timeout 30 "$VM" -m "$1" -smp "$2" -kernel "$K" -initrd "$tmp/rd" \
        -append "lxtest ram=$1 cpus=$2 initrd=$3" >"$tmp/out" 2>&1 </dev/null
    status=$?
    if [ "$status" -ne 1 ]; then
        echo "FAIL: -m $1 -smp $2 initrd $3 bytes: status $status"
        cat "$tmp/out"
        fail=1
    fi
}

# A bad kernel must give one line on stderr and status 2.
bad() {     # what, then vm's arguments
    what=$1
    shift
    timeout 10 "$VM" "$@" >"$tmp/out" 2>&1 </dev/null
    status=$?
    if [ "$status" -ne 2 ] || [ "$(wc -l <"$tmp/out")" -ne 1 ]; then
        echo "FAIL: $what: status $status, output:"
        cat "$tmp/out"
        fail=1
    fi
}

run 64 1 100000
run 300 4 3000001

head -c 100 /dev/zero >"$tmp/rd"
head -c 70000000 /dev/zero >"$tmp/big"
bad "an initrd larger than RAM" -m 32 -kernel "$K" -initrd "$tmp/big"
head -c 700 "$K" >"$tmp/short"
bad "a truncated bzImage" -kernel "$tmp/short"
cp "$K" "$tmp/old"
printf '\001\002' | dd of="$tmp/old" bs=1 seek=518 conv=notrunc 2>/dev/null   # protocol 2.01
bad "boot protocol 2.01" -kernel "$tmp/old"
exit $fail
