#!/bin/sh
# Test runner: runs every guest test ROM (tests/*.bin, plus generated ones in
# tests/gen/) and every guest test kernel (tests/kern/t_*.elf and generated
# tests/gen/pm_*.elf, with -kernel) under the VM given as $1, then the shell
# tests (tests/*.sh other than this one and lib.sh).  A guest test passes when the VM exits with status 1, i.e.
# the guest wrote 0 to the debug-exit port 0xF4.  Ends with the line
# "N passed, M failed" and a non-zero status if anything failed.
VM=${1:-./vm}
TIMEOUT=${TEST_TIMEOUT:-60}
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Run one guest ($1 = name, the rest = vm's arguments): it passes when vm
# exits with status 1.
run_guest() {
    name=$1
    shift
    timeout "$TIMEOUT" "$VM" "$@" >"$log" 2>&1 </dev/null
    status=$?
    if [ "$status" -eq 1 ]; then
        pass=$((pass + 1))
        echo "PASS $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name (exit status $status)"
        tail -n 20 "$log" | sed 's/^/    /'
    fi
}

for rom in tests/*.bin tests/gen/*.bin; do
    [ -f "$rom" ] || continue
    run_guest "${rom%.bin}" "$rom"
done

# Guest test kernels (multiboot ELF), run with -kernel, plus the options a
# "vm-args: ..." line in the kernel's source asks for.
for kernel in tests/kern/t_*.elf tests/gen/pm_*.elf; do
    [ -f "$kernel" ] || continue
    args=$(sed -n 's/.*vm-args: *\(.*[^ ]\) *$/\1/p' "${kernel%.elf}.c" 2>/dev/null | head -n 1)
    # shellcheck disable=SC2086
    run_guest "${kernel%.elf}" $args -kernel "$kernel"
done

# Host unit tests (tests/host/test_NAME.c, built as test_NAME, or with
# HOST_SUFFIX=-asan / -tsan as the sanitizer builds): exit status 0 passes.
for src in tests/host/test_*.c; do
    [ -f "$src" ] || continue
    t=${src%.c}${HOST_SUFFIX:-}
    [ -x "$t" ] || { fail=$((fail + 1)); echo "FAIL $t (not built)"; continue; }
    if timeout "$TIMEOUT" "$t" >"$log" 2>&1 </dev/null; then
        pass=$((pass + 1))
        echo "PASS $t"
    else
        fail=$((fail + 1))
        echo "FAIL $t"
        tail -n 20 "$log" | sed 's/^/    /'
    fi
done

for script in tests/*.sh; do
    case $script in tests/run.sh|tests/lib.sh) continue ;; esac      # not tests
    if sh "$script" "$VM" >"$log" 2>&1 </dev/null; then
        pass=$((pass + 1))
        echo "PASS ${script%.sh}"
    else
        fail=$((fail + 1))
        echo "FAIL ${script%.sh}"
        tail -n 20 "$log" | sed 's/^/    /'
    fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
