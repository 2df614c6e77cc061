#!/bin/sh
# ata.sh VM: the ATA disk (ata.c) end to end (run by tests/run.sh; exit 0 =
# pass).  It makes disk images with known contents, runs the guest kernel
# tests/kern/ata_disk.elf on them (`-hda IMAGE -append "SCENARIO sectors=N"`,
# see its header for what each scenario checks inside the guest), and then
# checks the image files from the host:
#   - proto, identify (a 10 MB and a sparse 200 GiB image), big (a sparse
#     2 TiB image), tail (1000 bytes): the guest's own checks pass;
#   - write: every sector the guest wrote is in the file after vm exits,
#     byte for byte, and nothing else changed (cmp with the image we expect);
#   - write -snapshot, fill -snapshot (every sector written and read
#     back): the guest reads back its writes, the file is byte-identical;
#   - exitwrite: the guest writes a sector and exits before it completes:
#     vm waits for the write, which is in the file;
#   - readonly: a file vm can only read (0444, vm run as nobody when we are
#     root): reads work, writes fail in the guest, the file is unchanged;
#     with -snapshot, writes work in memory and the file stays unchanged.
# Images hold in each sector its LBA as 8 little-endian bytes, then the
# bytes j & 0xff (j = 8..511); the guest writes its LBA, then j ^ 0x5a.
# Needs sh, coreutils (dd, truncate, cmp, od) and, as root, setpriv.
VM=${1:-./vm}
KERNEL=tests/kern/ata_disk.elf
TIMEOUT=${ATA_TIMEOUT:-60}
failed=0

case $VM in
*/*) ;;
*) VM=./$VM ;;
esac
[ -x "$VM" ] || { echo "FAIL: no executable $VM"; exit 1; }
[ -f "$KERNEL" ] || { echo "FAIL: no $KERNEL (make kernels)"; exit 1; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

fail() {
    failed=$((failed + 1))
    echo "FAIL $1"
}

# ---- Sector contents ------------------------------------------------------

# tail_format XOR: the printf format (octal escapes) of bytes 8..511 of a
# sector, j ^ XOR, in $fmt.
tail_format() {
    fmt=
    j=8
    while [ $j -lt 512 ]; do
        v=$(( (j ^ $1) & 255 ))
        fmt="$fmt\\$(( (v >> 6) * 100 + ((v >> 3) & 7) * 10 + (v & 7) ))"
        j=$((j + 1))
    done
}
tail_format 0
MARK=$fmt
tail_format 90          # 0x5a
WROTE=$fmt

# sector LBA TAIL: one sector on stdout: LBA as 8 bytes, then TAIL.
sector() {
    hdr=
    k=0
    while [ $k -lt 8 ]; do
        v=$(( ($1 >> (8 * k)) & 255 ))
        hdr="$hdr\\$(( (v >> 6) * 100 + ((v >> 3) & 7) * 10 + (v & 7) ))"
        k=$((k + 1))
    done
    printf "$hdr$2"
}

# sectors FIRST COUNT TAIL: COUNT consecutive sectors.
sectors() {
    i=$1
    while [ $i -lt $(($1 + $2)) ]; do
        sector $i "$3"
        i=$((i + 1))
    done
}

# put IMAGE LBA COUNT TAIL: overwrite sectors of IMAGE in place.
put() {
    sectors "$2" "$3" "$4" | dd of="$1" bs=512 seek="$2" conv=notrunc iflag=fullblock 2>/dev/null
}

# ---- Running the guest ----------------------------------------------------

# guest NAME ARGS...: vm ARGS must pass (the kernel exits with 0: status 1).
guest() {
    name=$1
    shift
    timeout "$TIMEOUT" "$@" >"$tmp/out" 2>&1 </dev/null
    st=$?
    if [ "$st" -ne 1 ]; then
        fail "$name: exit status $st, want 1"
        sed 's/^/    | /' "$tmp/out" | head -n 40
        return 1
    fi
    echo "ok   $name"
}

# expect_image NAME IMAGE: after a write run, IMAGE must equal the original
# ($tmp/orig) with each range the guest reported ("wrote LBA COUNT") holding
# the guest's pattern.
expect_image() {
    cp "$tmp/orig" "$tmp/want"
    sed -n 's/^wrote \([0-9]*\) \([0-9]*\)$/\1 \2/p' "$tmp/out" >"$tmp/ranges"
    [ -s "$tmp/ranges" ] || { fail "$1: the guest reported no writes"; return; }
    while read -r lba count; do
        put "$tmp/want" "$lba" "$count" "$WROTE"
    done <"$tmp/ranges"
    if cmp "$tmp/want" "$2" >"$tmp/cmp" 2>&1; then
        echo "ok   $1: $(wc -l <"$tmp/ranges") written ranges are in the file, nothing else changed"
    else
        fail "$1: the image is not what the guest wrote: $(cat "$tmp/cmp")"
    fi
}

# ---- proto, write, write -snapshot: a 1 MiB image of markers -----------------

N=2048
sectors 0 $N "$MARK" >"$tmp/orig"
[ "$(wc -c <"$tmp/orig")" -eq $((N * 512)) ] || { echo "FAIL: cannot make the image"; exit 1; }

cp "$tmp/orig" "$tmp/disk.img"
guest "proto" "$VM" -hda "$tmp/disk.img" -kernel "$KERNEL" -append "proto sectors=$N"
cmp -s "$tmp/orig" "$tmp/disk.img" || fail "proto: the image changed, but the guest only read"

if guest "write" "$VM" -hda "$tmp/disk.img" -kernel "$KERNEL" -append "write sectors=$N"; then
    expect_image "write" "$tmp/disk.img"
fi

cp "$tmp/orig" "$tmp/snap.img"
guest "write -snapshot" "$VM" -snapshot -hda "$tmp/snap.img" -kernel "$KERNEL" \
    -append "write sectors=$N"
guest "fill -snapshot (every sector)" "$VM" -snapshot -hda "$tmp/snap.img" -kernel "$KERNEL" \
    -append "fill sectors=$N"
if cmp -s "$tmp/orig" "$tmp/snap.img"; then
    echo "ok   write, fill -snapshot: the image is byte-identical"
else
    fail "write, fill -snapshot: the image changed"
fi

cp "$tmp/orig" "$tmp/disk.img"
if guest "exitwrite" "$VM" -hda "$tmp/disk.img" -kernel "$KERNEL" -append "exitwrite sectors=$N"; then
    expect_image "exitwrite: vm waits for the write in flight" "$tmp/disk.img"
fi

# ---- identify: 10 MB, and a sparse 200 GiB (beyond 28-bit LBA) --------------

truncate -s $((20000 * 512)) "$tmp/id.img"
guest "identify 20000 sectors" "$VM" -hda "$tmp/id.img" -kernel "$KERNEL" \
    -append "identify sectors=20000"
rm -f "$tmp/id.img"
truncate -s 200G "$tmp/id.img"
guest "identify 200 GiB" "$VM" -hda "$tmp/id.img" -kernel "$KERNEL" \
    -append "identify sectors=$((200 * 2048 * 1024))"
rm -f "$tmp/id.img"

# ---- big: a sparse 2 TiB image with markers around the 28-bit limit and
# at the end ---------------------------------------------------------------

truncate -s 2T "$tmp/big.img"
for lba in 300000000 268435454 268435455 4294967294 4294967295; do
    put "$tmp/big.img" $lba 1 "$MARK"
done
if guest "big (2 TiB)" "$VM" -hda "$tmp/big.img" -kernel "$KERNEL" \
    -append "big sectors=4294967296"; then
    dd if="$tmp/big.img" bs=512 skip=4294967294 count=1 of="$tmp/got" 2>/dev/null
    sector 4294967294 "$WROTE" >"$tmp/want"
    if cmp -s "$tmp/want" "$tmp/got"; then
        echo "ok   big: the write at sector 2^32 - 2 is in the file"
    else
        fail "big: sector 2^32 - 2 of the file is not what the guest wrote"
    fi
fi
rm -f "$tmp/big.img"

# ---- tail: 1000 bytes, read as two sectors, the last padded with zeros ------
# (an abandoned write first fills the device's buffer, which must not leak)

sectors 0 2 "$MARK" | head -c 1000 >"$tmp/tail.img"
if guest "tail (1000 bytes)" "$VM" -hda "$tmp/tail.img" -kernel "$KERNEL" \
    -append "tail sectors=2"; then
    { sector 0 "$MARK"; sector 1 "$WROTE"; } >"$tmp/want"
    if cmp -s "$tmp/want" "$tmp/tail.img"; then
        echo "ok   tail: the write filled the partial sector (the file is 1024 bytes)"
    else
        fail "tail: the file is not sector 0 and the guest's sector 1"
    fi
fi

# ---- readonly: a file vm may only read ---------------------------------------

ro=$tmp/ro
mkdir "$ro"
cp "$tmp/orig" "$ro/ro.img"
chmod 444 "$ro/ro.img"
if [ "$(id -u)" -eq 0 ]; then
    # root may write anything: run vm as nobody, on copies nobody can run,
    # in directories nobody can enter but not change
    cp "$VM" "$ro/vm"
    cp "$KERNEL" "$ro/k.elf"
    chmod 755 "$tmp" "$ro" "$ro/vm"
    chmod 644 "$ro/k.elf"
    as_reader="setpriv --reuid=65534 --regid=65534 --clear-groups"
    rovm=$ro/vm
    rok=$ro/k.elf
else
    as_reader=
    rovm=$VM
    rok=$KERNEL
fi
# shellcheck disable=SC2086
guest "readonly" $as_reader "$rovm" -hda "$ro/ro.img" -kernel "$rok" -append "readonly sectors=$N"
# shellcheck disable=SC2086
guest "readonly -snapshot" $as_reader "$rovm" -snapshot -hda "$ro/ro.img" -kernel "$rok" \
    -append "write sectors=$N"
if cmp -s "$tmp/orig" "$ro/ro.img"; then
    echo "ok   readonly: the image is unchanged"
else
    fail "readonly: the image changed"
fi

[ "$failed" -eq 0 ] && echo "ata: all passed"
[ "$failed" -eq 0 ]
