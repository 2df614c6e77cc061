#!/bin/sh
# cli.sh VM: test vm's command line (run by tests/run.sh; exit 0 = pass).
#
#   vm [options] bios.bin [disk.img]
#   -m MB  -smp N  -no-reboot  -d in_asm,out_asm,exec,int,cpu  -D FILE  -h/-help
#   -hda FILE  -snapshot
#
# Every error (no arguments, no BIOS argument, a missing or unreadable file,
# a BIOS image that is empty, not a multiple of 64 KiB or over 256 KiB, a
# disk image that is missing, a directory, empty or over 2 TiB, two disk
# images, a bad option, a bad or missing number, an unknown -d item) must
# print exactly one non-empty line on stderr, nothing on stdout, and exit
# with status 2.  With no arguments at all, that line is a usage that says
# what to run.  -h and -help
# print the usage on stdout and exit 0.  A good ROM runs (the tiny guest
# below prints "ok" and writes 0 to the debug-exit port: status 1), and with
# -d in_asm,exec -D FILE the log names the reset vector.
# Needs POSIX sh, coreutils, awk, and gcc/ld/objcopy for the tiny guest ROM.
VM=${1:-./vm}
TIMEOUT=${CLI_TIMEOUT:-30}
here=$(cd "$(dirname "$0")" && pwd)
failed=0
passed=0

case $VM in
*/*) ;;
*) VM=./$VM ;;
esac
if [ ! -x "$VM" ]; then
    echo "FAIL: no executable $VM"
    exit 1
fi

tmp=$(mktemp -d) || exit 1
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

pass() { passed=$((passed + 1)); echo "ok   $1"; }

# fail DESC WHY: report a failed check with the command's output.
fail() {
    failed=$((failed + 1))
    echo "FAIL $1: $2"
    echo "     command: $VM $args"
    echo "     exit status $st; stdout:"
    head -c 600 "$tmp/out" | sed 's/^/       | /'
    echo "     stderr:"
    head -c 600 "$tmp/err" | sed 's/^/       | /'
}

# vmrun ARGS...: run vm, output in $tmp/out and $tmp/err, status in $st.
vmrun() {
    args=$*
    timeout "$TIMEOUT" "$VM" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    st=$?
}

# expect_error DESC MENTION ARGS...: vm ARGS must fail cleanly: status 2,
# empty stdout, exactly one non-empty line on stderr.  If MENTION is not
# empty, that line must contain one of its (space-separated) words.
expect_error() {
    desc=$1
    mention=$2
    shift 2
    vmrun "$@"
    nl=$(wc -l <"$tmp/err")
    nrec=$(awk 'END { print NR }' "$tmp/err")
    first=$(head -n 1 "$tmp/err")
    if [ "$st" -eq 124 ]; then
        fail "$desc" "timed out after $TIMEOUT s"
    elif [ "$st" -ne 2 ]; then
        fail "$desc" "exit status $st, want 2"
    elif [ -s "$tmp/out" ]; then
        fail "$desc" "stdout is not empty"
    elif [ "$nl" -ne 1 ] || [ "$nrec" -ne 1 ]; then
        fail "$desc" "stderr has $nrec lines ($nl newlines), want exactly 1"
    elif [ -z "$(printf '%s' "$first" | tr -d '[:space:]')" ]; then
        fail "$desc" "the stderr line is blank"
    else
        if [ -n "$mention" ]; then
            found=no
            for word in $mention; do
                if grep -qF -e "$word" "$tmp/err"; then
                    found=yes
                fi
            done
            if [ "$found" = no ]; then
                fail "$desc" "the error does not name the problem (want one of: $mention)"
                return
            fi
        fi
        pass "$desc"
    fi
}

# expect_run DESC ARGS...: vm ARGS must run the tiny guest: status 1, "ok".
expect_run() {
    desc=$1
    shift
    vmrun "$@"
    if [ "$st" -ne 1 ]; then
        fail "$desc" "exit status $st, want 1 (the guest wrote 0 to port 0xf4)"
    elif ! grep -q ok "$tmp/out"; then
        fail "$desc" "the guest's \"ok\" is not on stdout"
    else
        pass "$desc"
    fi
}

# --- The tiny guest ROM: prints "ok" on COM1 and exits. -------------------
cat >"$tmp/tiny.S" <<'EOF'
#include "lib.inc"
    RESET_VECTOR start
start:
    cli
    mov  $COM1, %dx
    mov  $'o', %al
    out  %al, %dx
    mov  $'k', %al
    out  %al, %dx
    mov  $'\n', %al
    out  %al, %dx
    EXIT 0
EOF
rom=$tmp/tiny.bin
if ! { gcc -m32 -c -I "$here" -o "$tmp/tiny.o" "$tmp/tiny.S" &&
       ld -m elf_i386 -T "$here/rom.ld" -o "$tmp/tiny.elf" "$tmp/tiny.o" &&
       objcopy -O binary "$tmp/tiny.elf" "$rom"; } >"$tmp/build.log" 2>&1; then
    cat "$tmp/build.log"
    echo "FAIL: cannot assemble the tiny guest ROM"
    exit 1
fi
size=$(wc -c <"$rom")
if [ "$size" -ne 65536 ]; then
    echo "FAIL: the tiny guest ROM is $size bytes, want 65536"
    exit 1
fi

# --- Images for the error cases. -----------------------------------------
: >"$tmp/empty.bin"
head -c 1000 "$rom" >"$tmp/short.bin"
{ cat "$rom"; printf 'x'; } >"$tmp/odd.bin"                       # 64 KiB + 1
cat "$rom" "$rom" >"$tmp/rom128.bin"                              # valid
cat "$rom" "$rom" "$rom" "$rom" >"$tmp/rom256.bin"                # valid
cat "$rom" "$rom" "$rom" "$rom" "$rom" >"$tmp/rom320.bin"         # too big
mkdir "$tmp/adir.bin"
cp "$rom" "$tmp/noread.bin"
chmod 000 "$tmp/noread.bin"
head -c 1048576 /dev/zero >"$tmp/disk.img"
: >"$tmp/empty.img"
truncate -s $(( (2 << 40) + 512 )) "$tmp/huge.img"       # 2 TiB + 512, sparse
truncate -s $(( 2 << 40 )) "$tmp/2tib.img"               # exactly 2 TiB: fine
cp "$tmp/disk.img" "$tmp/noread.img"
chmod 000 "$tmp/noread.img"

# --- Help. ----------------------------------------------------------------
for h in -h -help; do
    vmrun $h
    if [ "$st" -ne 0 ]; then
        fail "$h" "exit status $st, want 0"
    elif [ ! -s "$tmp/out" ]; then
        fail "$h" "no usage on stdout"
    else
        pass "$h prints the usage and exits 0"
    fi
done

# --- Files. ---------------------------------------------------------------
expect_error "no arguments at all: a usage line" "usage"
vmrun
if grep -q "bios.bin" "$tmp/err" && grep -q "try" "$tmp/err"; then
    pass "no arguments: the usage line says what to run"
else
    fail "no arguments" "the line does not say what to run (bios.bin ... try: ...)"
fi
expect_error "no BIOS argument after options" "" -m 64
expect_error "missing BIOS file" "nosuch.bin" "$tmp/nosuch.bin"
expect_error "BIOS is a directory" "adir.bin" "$tmp/adir.bin"
expect_error "empty BIOS image" "" "$tmp/empty.bin"
expect_error "BIOS image of 1000 bytes" "" "$tmp/short.bin"
expect_error "BIOS image of 64 KiB + 1" "" "$tmp/odd.bin"
expect_error "BIOS image of 320 KiB" "" "$tmp/rom320.bin"
expect_error "missing disk image" "nosuch.img" "$rom" "$tmp/nosuch.img"
expect_error "disk image is a directory" "adir.bin" "$rom" "$tmp/adir.bin"
expect_error "extra argument" "extra" "$rom" "$tmp/disk.img" extra
expect_error "empty disk image" "empty.img" "$rom" "$tmp/empty.img"
expect_error "disk image over 2 TiB" "2 TiB" "$rom" "$tmp/huge.img"

# Unreadable files: root reads anything, so as root vm runs as nobody (a
# copy of it, in a directory nobody may enter).
VM_AS_USER=$VM
if [ "$(id -u)" -eq 0 ]; then
    cp "$VM" "$tmp/vm"
    chmod 755 "$tmp" "$tmp/vm"
    printf '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups %s "$@"\n' \
        "$tmp/vm" >"$tmp/vm-nobody"
    chmod 755 "$tmp/vm-nobody"
    VM=$tmp/vm-nobody
fi
expect_error "unreadable BIOS file" "noread.bin" "$tmp/noread.bin"
expect_error "unreadable disk image" "noread.img" "$rom" "$tmp/noread.img"
VM=$VM_AS_USER
expect_error "-hda without argument" "-hda" "$rom" -hda
expect_error "-hda with an empty name" "-hda" "$rom" -hda ""
expect_error "-hda missing file" "nosuch.img" -hda "$tmp/nosuch.img" "$rom"
expect_error "-hda directory" "adir.bin" -hda "$tmp/adir.bin" "$rom"
expect_error "-hda and a disk argument" "two" -hda "$tmp/disk.img" "$rom" "$tmp/disk.img"
expect_error "-hda twice" "two" -hda "$tmp/disk.img" -hda "$tmp/disk.img" "$rom"

# --- Options. -------------------------------------------------------------
expect_error "unknown option" "-bogus" -bogus "$rom"
expect_error "unknown option after the BIOS" "-bogus" "$rom" -bogus
expect_error "-m 0" "-m" -m 0 "$rom"
expect_error "-m abc" "-m abc" -m abc "$rom"
expect_error "-m 12x" "-m 12x" -m 12x "$rom"
expect_error "-m -5" "-m -5" -m -5 "$rom"
expect_error "-m empty" "-m" -m "" "$rom"
expect_error "-m huge" "-m 99999999999999999999" -m 99999999999999999999 "$rom"
expect_error "-m without argument" "-m" "$rom" -m
expect_error "-smp 0" "-smp" -smp 0 "$rom"
expect_error "-smp 256" "-smp 256" -smp 256 "$rom"
expect_error "-smp two" "-smp two" -smp two "$rom"
expect_error "-smp 2x" "-smp 2x" -smp 2x "$rom"
expect_error "-smp without argument" "-smp" "$rom" -smp
expect_error "-d unknown item" "bogus" -d bogus "$rom"
expect_error "-d unknown item in a list" "bogus" -d in_asm,bogus -D "$tmp/log0" "$rom"
expect_error "-d without argument" "-d" "$rom" -d
expect_error "-D without argument" "-D" "$rom" -D
expect_error "-D in a missing directory" "nodir" -d exec -D "$tmp/nodir/log" "$rom"
expect_error "-accel bogus" "-accel" -accel bogus "$rom"
expect_error "-accel tcg, unknown option" "bogus" -accel tcg,bogus "$rom"
expect_error "-accel tcg,groups=maybe" "groups=maybe" -accel tcg,groups=maybe "$rom"

# --- Good runs. -----------------------------------------------------------
expect_run "a 64 KiB ROM" "$rom"
expect_run "a 128 KiB ROM" "$tmp/rom128.bin"
expect_run "a 256 KiB ROM" "$tmp/rom256.bin"
expect_run "-m 64 -smp 2 -no-reboot" -m 64 -smp 2 -no-reboot "$rom"
expect_run "-m 1" -m 1 "$rom"
expect_run "-m 1024 -smp 8" -m 1024 -smp 8 "$rom"
expect_run "-smp 16" -smp 16 "$rom"
expect_run "-accel tcg,thread=single" -accel tcg,thread=single "$rom"
expect_run "-accel tcg,thread=single -smp 4" -accel tcg,thread=single -smp 4 "$rom"
expect_run "-accel tcg,groups=off,thread=single" -accel tcg,groups=off,thread=single "$rom"
expect_run "a disk image" "$rom" "$tmp/disk.img"
expect_run "-hda" -hda "$tmp/disk.img" "$rom"
expect_run "-snapshot" -snapshot "$rom" "$tmp/disk.img"
expect_run "-snapshot without a disk" -snapshot "$rom"
expect_run "a 2 TiB disk image" "$rom" "$tmp/2tib.img"
expect_run "-d with all five items" -d in_asm,out_asm,exec,int,cpu -D "$tmp/all.log" "$rom"

vmrun -d in_asm,exec -D "$tmp/log" "$rom"
if [ "$st" -ne 1 ]; then
    fail "-d in_asm,exec -D FILE" "exit status $st, want 1"
elif [ ! -s "$tmp/log" ]; then
    fail "-d in_asm,exec -D FILE" "the log file is missing or empty"
elif ! grep -qiE 'f000:fff0|ffff0' "$tmp/log"; then
    fail "-d in_asm,exec -D FILE" "the log does not mention the reset vector (f000:fff0, fffffff0 or ffff0)"
    head -n 10 "$tmp/log" | sed 's/^/       log| /'
else
    pass "-d in_asm,exec -D FILE logs the reset vector"
fi

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
