#!/bin/sh
# gdb.sh VM: the gdb stub (gdbstub.c) against the real gdb (run by
# tests/run.sh; exit 0 = pass).  Without gdb installed it says so and
# passes: there is nothing to test the stub with.
#
# Session 1 (-smp 2 -S, vCPU threads and then thread=single): break at gdb_probe in tests/kern/gdb_target.elf,
# continue to it, read EAX and gdb_sum (5050, computed by the guest), stepi
# (EIP moves past the 4-byte LEA, EAX becomes 3*5050+1), `info threads`
# lists both vCPUs, set EAX to 777 and continue: the guest prints what
# gdb_probe returned and exits with 0 only for 777 (vm status 1).
# Session 2: write gdb_spin in guest memory so the guest spins, continue in
# the background, interrupt it (Ctrl-C), clear gdb_spin and continue: the
# guest, which now gets 15151 from gdb_probe, exits with status 3 (vm 7).
# Session 3: malformed packets get error replies; gdb's software
# watchpoint on gdb_sum.  Session 4: real mode
# through vm's BIOS, where every address is linear (docs/gdb.md).
# Session 5: the stub's own watchpoints (Z2 Z3 Z4, through the TLB) on
# gdb_spin and gdb_sum stop right after the guest's accesses with the
# values it computed; a hardware breakpoint (Z1); cr0 from the target
# description.  Session 6: mon_target's paging, seen through cr0, cr3,
# cr4 and memory read through the guest's page tables.
# Bad -gdb arguments and a port in use get one line on stderr and status 2.
VM=${1:-./vm}
. "$(dirname "$0")/lib.sh"
KERN=tests/kern/gdb_target.elf
TIMEOUT=30
test_start

# bad_arg DESC ARGS...: vm must print exactly one line on stderr, exit 2.
bad_arg() {
    desc=$1
    shift
    "$VM" "$@" -kernel "$KERN" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ $rc -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || [ -s "$tmp/out" ]; then
        fail "$desc: want one line on stderr and status 2, got status $rc:"
        cat "$tmp/err"
    else
        ok "$desc: $(cat "$tmp/err")"
    fi
}

bad_arg "-gdb without tcp:" -gdb 1234
bad_arg "-gdb with no port" -gdb tcp:
bad_arg "-gdb port 0" -gdb tcp::0
bad_arg "-gdb port too big" -gdb tcp::70000
bad_arg "-gdb port not a number" -gdb tcp::12x4
bad_arg "-gdb bad host" -gdb tcp:nohost:1234
bad_arg "-S without -gdb" -S
bad_arg "-gdb without its argument" -gdb

# A port from our PID, away from the usual ones; another vm may hold it.
port=$((20000 + $$ % 20000))

# start_vm ARGS...: vm stopped (-S) on $port, output in $tmp/vm.out.
start_vm() {
    timeout $TIMEOUT "$VM" -S -gdb tcp::$port "$@" -kernel "$KERN" >"$tmp/vm.out" 2>&1 </dev/null &
    vmpid=$!
    wait_listen
}

# wait_listen: until something listens on $port (at most 2 s).
wait_listen() {
    for i in $(seq 1 20); do
        grep -q ":$(printf '%04X' $port) " /proc/net/tcp 2>/dev/null && return
        sleep 0.1
    done
}

# wait_vm: vm's exit status.
wait_vm() {
    wait $vmpid
    rc=$?
    vmpid=
    return $rc
}

start_vm -smp 1
bad_arg "-gdb port in use" -S -gdb tcp::$port
kill $vmpid 2>/dev/null
wait_vm 2>/dev/null     # (the shell's "Terminated" note)

if ! command -v gdb >/dev/null 2>&1; then
    echo "gdb is not installed: the stub's gdb sessions are not tested"
    exit $failed
fi

# run_gdb NAME: gdb on $tmp/NAME.gdb against the vm on $port.
run_gdb() {
    timeout $TIMEOUT gdb -batch -nx -ex 'set architecture i386' -ex 'set pagination off' \
        -ex "target remote :$port" -x "$tmp/$1.gdb" "$KERN" >"$tmp/$1.log" 2>&1 </dev/null
}

# expect NAME PATTERN DESC: the session's log has a line matching PATTERN.
expect() {
    if grep -q "$2" "$tmp/$1.log"; then
        ok "$3"
    else
        fail "$3 (no '$2' in the gdb log)"
    fi
}

cat >"$tmp/one.gdb" <<'GDB'
break gdb_probe
continue
printf "EAX=%u\n", $eax
printf "SUM=%u\n", *(unsigned int *)&gdb_sum
printf "PC0=%x\n", $pc
stepi
printf "PC1=%x\n", $pc
printf "EAX1=%u\n", $eax
info threads
set $eax = 777
continue
GDB
# session_one ACCEL-ARGS NAME: session 1 on vCPU threads of either kind.
session_one() {
    start_vm -smp 2 $1
    run_gdb one
    wait_vm
    rc=$?
    probe=$(printf '%x' "0x$(nm "$KERN" | awk '$3 == "gdb_probe" { print $1 }')")
    expect one "hit Breakpoint 1, .* in gdb_probe" "$2: breakpoint at gdb_probe reached"
    expect one "^EAX=5050$" "EAX holds the guest's sum at the breakpoint"
    expect one "^SUM=5050$" "gdb_sum in guest memory"
    expect one "^PC0=$probe$" "EIP at the breakpoint is gdb_probe ($probe)"
    expect one "^PC1=$(printf '%x' $((0x$probe + 4)))$" "stepi ran the 4-byte LEA"
    expect one "^EAX1=15151$" "the stepped LEA computed 3*5050+1"
    expect one "^\* 1 *Thread 1 .*gdb_probe" "info threads: thread 1 in gdb_probe"
    expect one "^  2 *Thread 2 " "info threads: thread 2 (the AP)"
    expect one "exited with code 01" "gdb sees the guest's exit status"
    if [ $rc -eq 1 ] && grep -q "gdb_probe returned 777" "$tmp/vm.out"; then
        ok "set \$eax = 777 changed what the guest did"
    else
        fail "the guest did not get EAX=777 from gdb (vm status $rc):"
        cat "$tmp/vm.out"
    fi
}
session_one "" "threads"
session_one "-accel tcg,thread=single" "thread=single"

cat >"$tmp/two.gdb" <<'GDB'
set *(unsigned int *)&gdb_spin = 1
printf "SPIN=%u\n", *(unsigned int *)&gdb_spin
continue
printf "STOPPED_PC=%x\n", $pc
set *(unsigned int *)&gdb_spin = 0
continue
GDB
# gdb sends Ctrl-C (0x03) to the stub when it gets SIGINT in `continue`:
# once the guest says it spins, interrupt gdb as a person would.
start_vm -smp 1
# (No `timeout` around this gdb: it would signal gdb twice, and two
# Ctrl-Cs make gdb give up; vm's own timeout ends gdb's connection.)
gdb -batch -nx -ex 'set architecture i386' -ex 'set pagination off' \
    -ex "target remote :$port" -x "$tmp/two.gdb" "$KERN" >"$tmp/two.log" 2>&1 </dev/null &
gdbpid=$!
for i in $(seq 1 100); do
    grep -q "spinning" "$tmp/vm.out" && break
    sleep 0.1
done
sleep 0.2
kill -INT $gdbpid
wait $gdbpid
gdbpid=
wait_vm
rc=$?
expect two "^SPIN=1$" "memory write through gdb"
expect two "received signal SIGINT" "Ctrl-C stops the running guest"
expect two "^STOPPED_PC=10" "stopped in the kernel's code"
expect two "exited with code 07" "the guest ran on after the interrupt"
if [ $rc -ne 7 ]; then
    fail "session 2: vm status $rc, want 7:"
    cat "$tmp/vm.out"
fi
# Session 3: a software watchpoint (gdb's own, by single-stepping) sees
# the guest's first two additions to gdb_sum, 0 -> 1 -> 3.  Malformed
# packets (gdb's `maint packet` sends them as they are) get error replies,
# and the session goes on; a Z2 sent by hand is taken and removed.
cat >"$tmp/three.gdb" <<'GDB'
maint packet mzz,4
maint packet M100000,2:zz
maint packet P99=00000000
maint packet Z0,xyz
maint packet Hg63
maint packet Z2,100000,4
maint packet z2,100000,4
maint packet Z2,ffffffff,8
set can-use-hw-watchpoints 0
watch *(unsigned int *)&gdb_sum
continue
continue
printf "SUM=%u\n", *(unsigned int *)&gdb_sum
delete
continue
GDB
start_vm -smp 1
run_gdb three
wait_vm
n=$(grep -c 'received: "E01"' "$tmp/three.log")
[ "$n" -eq 5 ] && ok "5 malformed packets, 5 error replies" ||
    fail "malformed packets: $n E01 replies, want 5"
n=$(grep -c 'received: "OK"' "$tmp/three.log")
[ "$n" -eq 2 ] && ok "Z2 and z2 by hand: OK twice" || fail "Z2/z2 by hand: $n OK replies, want 2"
expect three 'received: "E16"' "a watchpoint past 4 GiB: EINVAL"
expect three "^Old value = 1$" "watchpoint: old value 1"
expect three "^New value = 3$" "watchpoint: new value 3"
expect three "^SUM=3$" "watchpoint: stopped right after the write"

# Session 4: real mode, through vm's BIOS.  Addresses are linear: the
# reset vector is at 0xfffffff0, the far jump lands at F000:xxxx = linear
# 0xfxxxx, and a breakpoint at 0x7c00 stops in the boot sector.
cat >"$tmp/four.gdb" <<'GDB'
printf "PC=%x\n", $pc
x/1xb 0xfffffff0
stepi
printf "PC=%x CS=%x\n", $pc, $cs
break *0x7c00
continue
printf "PC=%x CS=%x\n", $pc, $cs
x/2xb 0x7dfe
kill
GDB
timeout $TIMEOUT "$VM" -S -gdb tcp::$port bios/bios.bin tests/demo.img >"$tmp/vm.out" 2>&1 </dev/null &
vmpid=$!
wait_listen
timeout $TIMEOUT gdb -batch -nx -ex 'set architecture i8086' -ex "target remote :$port" \
    -x "$tmp/four.gdb" >"$tmp/four.log" 2>&1 </dev/null
wait_vm
rc=$?
expect four "^PC=fffffff0$" "real mode: the reset vector is linear 0xfffffff0"
expect four "^0xfffffff0:.*0xea$" "real mode: a far JMP at the reset vector"
expect four "^PC=f[0-9a-f]\{4\} CS=f000$" "real mode: after stepi, linear F000:IP"
expect four "^Breakpoint 1, 0x0*7c00 " "real mode: breakpoint at linear 0x7c00"
expect four "^PC=7c00 CS=0$" "real mode: stopped at 0000:7C00"
expect four "^0x7dfe:.*0x55.*0xaa$" "real mode: the boot signature at linear 0x7dfe"
[ $rc -eq 0 ] || fail "real mode: kill should end vm with status 0, got $rc"

# Session 5: hardware watchpoints and breakpoints.  The guest reads
# gdb_spin once, then adds 1, 2, 3... to gdb_sum (a load, an add, a store).
cat >"$tmp/five.gdb" <<'GDB'
info registers cr0
rwatch *(unsigned int *)&gdb_spin
continue
delete
watch *(unsigned int *)&gdb_sum
continue
continue
printf "SUM=%u\n", *(unsigned int *)&gdb_sum
delete
awatch *(unsigned int *)&gdb_sum
continue
continue
delete
hbreak gdb_probe
continue
printf "EAX=%u\n", $eax
stepi
set $eax = 777
continue
GDB
start_vm -smp 2
run_gdb five
wait_vm
rc=$?
expect five "^cr0 .*\[ PE .*\]" "target description: cr0 shows PE in a protected-mode kernel"
expect five "^Hardware read watchpoint 1: " "rwatch: a hardware read watchpoint (Z3)"
expect five "^Value = 0$" "rwatch: stopped at the guest's read of gdb_spin (0)"
expect five "^Hardware watchpoint 2: " "watch: a hardware watchpoint (Z2)"
if grep -A3 "hit Hardware watchpoint 2: " "$tmp/five.log" | grep -q "^Old value = 0$" &&
   grep -A3 "hit Hardware watchpoint 2: " "$tmp/five.log" | grep -q "^New value = 1$"; then
    ok "watch: the first write, 0 -> 1"
else
    fail "watch: no 'Old value = 0 / New value = 1' after the first write"
fi
expect five "^Old value = 1$" "watch: the second write, old value 1"
expect five "^New value = 3$" "watch: the second write, new value 3"
expect five "^SUM=3$" "watch: stopped right after the write, before the next"
expect five "^Hardware access (read/write) watchpoint 3: " "awatch: an access watchpoint (Z4)"
expect five "^Value = 3$" "awatch: the guest's read of gdb_sum (3)"
expect five "^New value = 6$" "awatch: then its write (3 -> 6)"
expect five "^Hardware assisted breakpoint 4 at " "hbreak: a hardware breakpoint (Z1)"
expect five "hit Breakpoint 4, .* in gdb_probe" "hbreak: stopped at gdb_probe"
expect five "^EAX=5050$" "hbreak: EAX holds the sum there"
if [ $rc -eq 1 ] && grep -q "gdb_probe returned 777" "$tmp/vm.out"; then
    ok "session 5: the guest ran to its end with EAX=777 after the watchpoints"
else
    fail "session 5: vm status $rc, want 1:"
    cat "$tmp/vm.out"
fi

# Session 6: mon_target turns on paging (docs in tests/kern/mon_target.c):
# at mon_spin, cr0 has PG and PE, cr3 is its page directory, cr4 PSE,
# and 0x40001000 reads, through its page tables, what it wrote there.
MKERN=tests/kern/mon_target.elf
cat >"$tmp/six.gdb" <<'GDB'
break mon_spin
continue
p $cr0
printf "CR3=%x CR4=%x\n", $cr3, $cr4
x/8c 0x40001000
kill
GDB
timeout $TIMEOUT "$VM" -S -gdb tcp::$port -kernel "$MKERN" >"$tmp/vm.out" 2>&1 </dev/null &
vmpid=$!
wait_listen
timeout $TIMEOUT gdb -batch -nx -ex 'set architecture i386' -ex 'set pagination off' \
    -ex "target remote :$port" -x "$tmp/six.gdb" "$MKERN" >"$tmp/six.log" 2>&1 </dev/null
wait_vm
pd=$(printf '%x' "0x$(nm "$MKERN" | awk '$3 == "page_dir" { print $1 }')")
spin=$(printf '%x' "0x$(nm "$MKERN" | awk '$3 == "mon_spin" { print $1 }')")
expect six "^Breakpoint 1, 0x0*$spin in " "paging: stopped at mon_spin ($spin)"
expect six "^\$1 = \[ PE .*PG \]$" "paging: p \$cr0 shows PE and PG"
expect six "^CR3=$pd CR4=10$" "paging: cr3 is the page directory ($pd), cr4 has PSE"
expect six "^0x40001000:.*'M'.*'O'.*'N'.*'I'.*'T'.*'O'.*'R'.*'!'" \
    "paging: memory read through the guest's page tables"

[ $failed -ne 0 ] && { echo "--- gdb log one"; cat "$tmp/one.log"; echo "--- gdb log two"; cat "$tmp/two.log"
                    for n in three four five six; do echo "--- gdb log $n"; cat "$tmp/$n.log"; done; }
exit $failed
