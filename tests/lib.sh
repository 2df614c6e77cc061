# tests/lib.sh: what the shell tests share, sourced after they set VM.
#
# test_start: VM as a path, fail/ok, $failed, a temporary directory $tmp,
# and an exit trap that kills the vm and gdb started in the background
# ($vmpid, $gdbpid) and removes $tmp (tests/gdb.sh, tests/monitor.sh).
#
# wait_for PATTERN SECONDS: wait until a line of $out (carriage returns
# dropped) matches PATTERN; returns 1 after SECONDS or as soon as the vm
# whose pid is $vm_pid has ended (tests/linux, tests/bootloader).
case $VM in
*/*) ;;
*) VM=./$VM ;;
esac

test_start() {
    failed=0
    tmp=$(mktemp -d) || exit 1
    vmpid=
    gdbpid=
    trap '[ -n "$vmpid" ] && kill $vmpid 2>/dev/null; [ -n "$gdbpid" ] && kill $gdbpid 2>/dev/null
          rm -rf "$tmp"' EXIT
    trap 'exit 130' INT TERM
}

fail() { echo "FAIL: $1"; failed=1; }
ok() { echo "ok   $1"; }

wait_for() {
    i=0
    while ! tr -d '\r' <"$out" 2>/dev/null | grep -q -- "$1"; do
        i=$((i + 1))
        if [ "$i" -gt $(($2 * 10)) ] || { [ -n "$vm_pid" ] && ! kill -0 "$vm_pid" 2>/dev/null; }; then
            return 1
        fi
        sleep 0.1
    done
}
