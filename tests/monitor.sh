#!/bin/sh
# monitor.sh VM: the (vm) monitor (monitor.c), driven as a script drives
# it: -monitor stdio with commands written into a FIFO (run by
# tests/run.sh; exit 0 = pass).
#
# tests/kern/mon_target.elf sets up known state (its comment lists it:
# registers, a page map, "MONITOR!" in memory, the 8259s, the PIT, the
# local APIC), prints "mon_target: ready N" and spins at mon_spin counting
# in mon_count.  vm is started stopped (-S) on 2 vCPUs; the monitor's cont
# starts it.  Then every info command, x and xp must show those values;
# stop must freeze mon_count and cont let it run on; system_reset must
# boot the kernel again (ready 2); bad commands and addresses get
# one-line errors; quit ends vm with status 0.  A bad -monitor argument
# gets one line on stderr and status 2.  Then the monitor next to gdb
# (when gdb is installed), and through Ctrl-A c on a terminal (a
# pseudo-terminal from script(1)).
VM=${1:-./vm}
. "$(dirname "$0")/lib.sh"
KERN=tests/kern/mon_target.elf
TIMEOUT=30
test_start

"$VM" -monitor tcp::4444 -kernel "$KERN" >"$tmp/out" 2>"$tmp/err" </dev/null
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]; then
    ok "bad -monitor argument: $(cat "$tmp/err")"
else
    fail "bad -monitor argument: status $rc, want one line on stderr and status 2"
fi

sym() { printf '%x' "0x$(nm "$KERN" | awk -v s="$1" '$3 == s { print $1 }')"; }
spin=$(sym mon_spin)
spin_end=$(sym mon_spin_end)
count=$(sym mon_count)
pd=$(sym page_dir)
port=$((20000 + ($$ + 7) % 20000))

# The monitor reads commands from a FIFO that stays open (fd 3) until quit.
mkfifo "$tmp/in"
timeout $TIMEOUT "$VM" -smp 2 -S -gdb tcp::$port -monitor stdio -kernel "$KERN" \
    <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
vmpid=$!
exec 3>"$tmp/in"

# Output lines of commands start with the prompt, or several when commands
# that print nothing came first.
P='^\((vm) \)*'
# send LINE...: commands to the monitor.
send() { for l in "$@"; do printf '%s\n' "$l" >&3; done; }
# wait_for PATTERN: until the output has it (at most 10 s).
wait_for() {
    for i in $(seq 1 100); do
        grep -q "$1" "$tmp/out" && return 0
        sleep 0.1
    done
    return 1
}
# has PATTERN DESC: the output has a line matching PATTERN.
has() {
    if grep -q "$1" "$tmp/out"; then ok "$2"; else fail "$2 (no '$1' in the output)"; fi
}

send "info cpus"
wait_for "CPU #0: pc=" || fail "no answer to info cpus"
has "${P}\* CPU #0: pc=0x0010000c " "-S: CPU 0 waits at the kernel's entry"
has "^  CPU #1: pc=0xfffffff0 .*waiting for SIPI" "-S: CPU 1 waits for its start-up IPI"
grep -q "mon_target: ready" "$tmp/out" && fail "-S: the guest ran before cont"
send "cont"
wait_for "mon_target: ready 1" && ok "cont started the guest" || fail "cont: the guest did not start"
sleep 0.3                               # let the PIT tick and mon_count grow

send "jit_count on"
sleep 0.2                               # the guest runs translated code with counters
send "info registers" "info mem" "info tlb" "info jit" "info irq" "info pic" "info lapic" \
     "x /8xb 0x40001000" "xp/2xw 0x301000" "x/8c 0x40001000" "x /2i 0x$spin" \
     "cpu 1" "info cpus" "cpu 0"
send "foo" "info bar" "cpu 2" "x /4q 0" "x" "x /4xw 0x40002000" "xp /1xw 0xfeb00000" "x /1xw \$nope" "info registers now"
nerr=9
send "xp /1wu 0x$count" "stop" "xp /1wu 0x$count"
sleep 0.3
send "xp /1wu 0x$count" "cont"
sleep 0.3
send "xp /1wu 0x$count" "help"
wait_for "^x and xp: FMT" || fail "no answer to help"

# info registers: the values the guest set, both CPUs.
has "^EAX=11111111 EBX=22222222 ECX=33333333 EDX=44444444$" "info registers: EAX EBX ECX EDX"
has "^ESI=55555555 EDI=66666666 " "info registers: ESI EDI"
eip=$(sed -n 's/^EIP=\([0-9a-f]*\) .*/\1/p' "$tmp/out" | head -1)
if [ -n "$eip" ] && [ $((0x$eip)) -ge $((0x$spin)) ] && [ $((0x$eip)) -lt $((0x$spin_end)) ]; then
    ok "info registers: EIP $eip is in the spin loop ($spin..$spin_end)"
else
    fail "info registers: EIP '$eip' is not in the spin loop ($spin..$spin_end)"
fi
cr0=$(sed -n 's/^CR0=\([0-9a-f]*\) .*/\1/p' "$tmp/out" | head -1)
[ -n "$cr0" ] && [ $((0x$cr0 & 0x80000011)) -eq $((0x80000011)) ] &&
    ok "info registers: CR0 $cr0 has PG, ET and PE" || fail "info registers: CR0 '$cr0' lacks PG|ET|PE"
has "^CR0=$cr0 CR2=00000000 CR3=$(printf '%08x' 0x$pd) CR4=00000010$" "info registers: CR3 is the page directory, CR4 PSE"
has "^CS =0008 00000000 ffffffff 00c09b00$" "info registers: the flat 32-bit code segment"
has "^CPU#1, real mode$\|^CPU#1 waiting for SIPI, real mode$" "info registers: CPU 1 too"

# info mem: the guest's map, run by run.
has "${P}00000000-00400000 00400000 -rw phys 00000000$" "info mem: the kernel's 4 MiB page"
has "^40000000-40001000 00001000 -r- phys 00300000$" "info mem: the read-only page"
has "^40001000-40002000 00001000 urw phys 00301000$" "info mem: the user page"
has "^fec00000-ff000000 00400000 -rw phys fec00000$" "info mem: the APICs' 4 MiB page"

# info tlb: the spin loop's code page and the page the guest wrote through.
has "^  00100000 -> 00100000 r.x" "info tlb: the code page"
has "^  40001000 -> 00301000 rw" "info tlb: 0x40001000 maps to 0x301000"
n=$(sed -n 's/^\([0-9]*\) valid entries$/\1/p' "$tmp/out" | head -1)
[ -n "$n" ] && [ "$n" -gt 2 ] && ok "info tlb: $n valid entries" || fail "info tlb: '$n' valid entries"

# info jit: plausible numbers.
tbs=$(sed -n 's/.*, \([0-9]*\) translated since start$/\1/p' "$tmp/out" | head -1)
[ -n "$tbs" ] && [ "$tbs" -gt 0 ] && ok "info jit: $tbs blocks translated" || fail "info jit: '$tbs' blocks"
used=$(sed -n 's/^code buffer: \([0-9]*\) of \([0-9]*\) bytes.*/\1/p' "$tmp/out" | head -1)
[ -n "$used" ] && [ "$used" -gt 0 ] && ok "info jit: $used bytes of code" || fail "info jit: '$used' bytes"
jc=$(sed -n 's/^CPU#0 lookups: [0-9]*, jump cache hits \([0-9]*\) .*/\1/p' "$tmp/out" | head -1)
[ -n "$jc" ] && [ "$jc" -gt 0 ] && ok "info jit: $jc jump cache hits" || fail "info jit: '$jc' jump cache hits"
ops=$(sed -n 's/^CPU#0 since jit_count on: \([0-9]*\) memory operands, \([0-9]*\) took the slow path: TLB hit rate \([0-9]*\)%$/\1 \2 \3/p' "$tmp/out" | head -1)
set -- $ops
[ $# = 3 ] && [ "$1" -gt 1000 ] && [ "$2" -le "$1" ] && [ "$3" -ge 90 ] &&
    ok "jit_count: $1 memory operands, $2 slow, hit rate $3%" || fail "jit_count: '$ops'"

# info irq, pic, lapic: what the guest programmed.
irq0=$(sed -n 's/^ *0  \([0-9]*\)$/\1/p' "$tmp/out" | head -1)
[ -n "$irq0" ] && [ "$irq0" -gt 0 ] && ok "info irq: IRQ0 rose $irq0 times" || fail "info irq: IRQ0 '$irq0'"
has "${P}pic master irr=.1 isr=00 imr=ba base=30 " "info pic: master IMR ba, base 30, IRQ0 requested"
has "^pic slave  irr=00 isr=00 imr=5f base=38 " "info pic: slave IMR 5f, base 38"
has "${P}cpu 0: local APIC id 0, base fee00000 (enabled), tpr 20, svr 1ff" "info lapic: TPR 20, SVR 1ff"
has "^  LVT timer   000300ee vector ee masked$" "info lapic: LVT timer"
has "^  timer: periodic, initial count 19088743, current count [0-9]*, divide by 16$" "info lapic: the timer"
has "^cpu 1: local APIC id 1, " "info lapic: CPU 1's APIC too"

# x and xp: the bytes the guest wrote, through its paging and physically.
has "${P}40001000: 0x4d 0x4f 0x4e 0x49 0x54 0x4f 0x52 0x21$" "x/8xb through the guest's page tables"
has "${P}00301000: 0x494e4f4d 0x21524f54$" "xp/2xw at the physical address"
has "${P}40001000: 'M' 'O' 'N' 'I' 'T' 'O' 'R' '!'$" "x/8c"
has "${P}0x$(printf '%08x' 0x$spin):  incl   0x$count$" "x/2i: the spin loop's increment"
has "^0x$(printf '%08x' $((0x$spin + 6))):  jmp    0x$spin$" "x/2i: its jump back"
has "${P}\* CPU #1: " "cpu 1 makes CPU 1 current"

# Errors: one line each.
has "${P}error: unknown command 'foo'" "an unknown command"
has "${P}error: unknown info command 'bar'" "an unknown info command"
has "${P}error: no CPU 2" "cpu 2 on a 2-CPU machine"
has "${P}error: bad format letter 'q'" "a bad format"
has "${P}error: x needs an address" "x without an address"
has "${P}error: virtual address 0x40002000 is not mapped$" "x at an unmapped address"
has "${P}error: physical address 0xfeb00000 is not RAM or ROM$" "xp where nothing is"
has "${P}error: unknown register '\$nope'" "an unknown register"
has "${P}error: info registers takes no arguments$" "an argument where none belongs"
n=$(grep -c "error: " "$tmp/out")
[ "$n" -eq $nerr ] && ok "$nerr bad commands, $nerr one-line errors" || fail "$n error lines, want $nerr"

# stop and cont: mon_count stands still while stopped, then grows.
set -- $(sed -n "s/${P}$(printf '%08x' 0x$count): \([0-9]*\)$/\2/p" "$tmp/out")
if [ $# -eq 4 ] && [ "$2" -eq "$3" ] && [ "$4" -gt "$3" ] && [ "$2" -ge "$1" ]; then
    ok "stop froze mon_count at $2, cont let it run on ($4)"
else
    fail "stop/cont: mon_count readings '$*', want a b b c with a <= b < c"
fi

# system_reset: the kernel boots again (RAM keeps its boot count).
send "system_reset"
wait_for "mon_target: ready 2" && ok "system_reset booted the kernel again" ||
    fail "system_reset: no second boot"
send "quit"
exec 3>&-
wait $vmpid
rc=$?
vmpid=
[ $rc -eq 0 ] && ok "quit: vm exits with status 0" || fail "quit: vm status $rc, want 0"
[ -s "$tmp/err" ] && fail "stderr: $(cat "$tmp/err")"

# The monitor and gdb together: while gdb holds the machine at a
# breakpoint, info registers shows where gdb stopped it and cont refuses
# (gdb decides when the guest runs); after gdb detaches, stop and cont
# work again.
if command -v gdb >/dev/null 2>&1; then
    : >"$tmp/out"
    timeout $TIMEOUT "$VM" -S -gdb tcp::$port -monitor stdio -kernel "$KERN" \
        <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
    vmpid=$!
    exec 3>"$tmp/in"
    for i in $(seq 1 20); do
        grep -q ":$(printf '%04X' $port) " /proc/net/tcp 2>/dev/null && break
        sleep 0.1
    done
    cat >"$tmp/g.gdb" <<GDB
break mon_spin
continue
shell touch $tmp/at_spin
shell while [ ! -f $tmp/mon_done ]; do sleep 0.1; done
detach
GDB
    timeout $TIMEOUT gdb -batch -nx -ex "target remote :$port" -x "$tmp/g.gdb" "$KERN" \
        >"$tmp/gdb.log" 2>&1 </dev/null &
    gdbpid=$!
    for i in $(seq 1 100); do [ -f "$tmp/at_spin" ] && break; sleep 0.1; done
    send "info cpus" "cont" "info cpus"
    wait_for "gdb has stopped the machine" && sleep 0.2
    touch "$tmp/mon_done"
    wait $gdbpid
    gdbpid=
    send "stop" "xp /1wu 0x$count"
    sleep 0.2
    send "xp /1wu 0x$count" "cont"
    sleep 0.2
    send "xp /1wu 0x$count" "quit"
    exec 3>&-
    wait $vmpid
    rc=$?
    vmpid=
    n=$(grep -c "${P}\* CPU #0: pc=0x$(printf '%08x' 0x$spin) " "$tmp/out")
    [ "$n" -eq 2 ] && ok "with gdb: info cpus shows the vCPU at gdb's breakpoint" ||
        fail "with gdb: $n info cpus lines at mon_spin, want 2"
    has "${P}error: gdb has stopped the machine: continue it from gdb$" "with gdb: cont refuses"
    set -- $(sed -n "s/${P}$(printf '%08x' 0x$count): \([0-9]*\)$/\2/p" "$tmp/out")
    if [ $# -eq 3 ] && [ "$1" -eq "$2" ] && [ "$3" -gt "$2" ]; then
        ok "after gdb detached: stop and cont work ($1 $2 $3)"
    else
        fail "after gdb detached: mon_count readings '$*', want a a b with a < b"
    fi
    [ $rc -eq 0 ] && ok "with gdb: quit, status 0" || fail "with gdb: vm status $rc"
else
    echo "gdb is not installed: the monitor with gdb is not tested"
fi

# Ctrl-A c on a terminal (script(1) gives vm a pseudo-terminal): the
# console switches to the monitor, which echoes and runs what is typed;
# Ctrl-A c goes back to the guest and again to the monitor.
if command -v script >/dev/null 2>&1; then
    mkfifo "$tmp/tty_in"
    timeout $TIMEOUT script -qfec "$VM -kernel $KERN" /dev/null <"$tmp/tty_in" >"$tmp/tty_raw" 2>&1 &
    vmpid=$!
    exec 4>"$tmp/tty_in"
    for i in $(seq 1 100); do
        grep -q "mon_target: ready" "$tmp/tty_raw" && break
        sleep 0.1
    done
    printf '\001c' >&4
    printf 'info pic\rx/8c 0x40001000\r' >&4
    printf '\001c' >&4
    printf '\001c' >&4
    printf 'quit\r' >&4
    wait $vmpid
    rc=$?
    vmpid=
    exec 4>&-
    tr -d '\r' <"$tmp/tty_raw" >"$tmp/out"
    has "^vm monitor (Ctrl-A c goes back" "Ctrl-A c: the monitor's prompt"
    has "^(vm) info pic$" "Ctrl-A c: the monitor echoes what is typed"
    has "^pic master irr=.1 isr=00 imr=ba base=30 " "Ctrl-A c: info pic answers"
    has "^(vm) x/8c 0x40001000$" "Ctrl-A c: a second command"
    has "^40001000: 'M' 'O' 'N' 'I' 'T' 'O' 'R' '!'$" "Ctrl-A c: x/8c answers"
    n=$(grep -c "^vm monitor (Ctrl-A c" "$tmp/out")
    [ "$n" -eq 2 ] && ok "Ctrl-A c twice: back to the guest and to the monitor again" ||
        fail "Ctrl-A c: entered the monitor $n times, want 2"
    [ $rc -eq 0 ] && ok "Ctrl-A c: quit ends vm with status 0" || fail "Ctrl-A c: quit, status $rc"
else
    echo "script(1) is not installed: Ctrl-A c on a terminal is not tested"
fi

if [ $failed -ne 0 ]; then
    echo "--- monitor output"
    cat "$tmp/out"
fi
exit $failed
