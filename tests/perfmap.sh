#!/bin/sh
# -perfmap: vm writes /tmp/perf-PID.map, one "START SIZE guest CS:EIP" line
# per translated block, the format perf(1) reads for JIT code, and a
# "START SIZE vm: NAME" line for each piece of code the blocks share; the
# test kernel's entry point (_start, CS 0008) must be among the blocks,
# and the slow paths' shared code among the rest.
VM=${1:-./vm}
K=tests/kern/t_hello.elf
"$VM" -perfmap -kernel "$K" >/dev/null 2>&1 </dev/null &
pid=$!
wait $pid
map=/tmp/perf-$pid.map
trap 'rm -f "$map"' EXIT
[ -s "$map" ] || { echo "FAIL: no $map"; exit 1; }
bad=$(grep -v -E '^[0-9a-f]+ [0-9a-f]+ (guest [0-9a-f]{4}:[0-9a-f]{8}|vm: [a-z_]+)$' "$map" | head -n 3)
[ -z "$bad" ] || { echo "FAIL: lines perf would not read: $bad"; exit 1; }
entry=$(nm "$K" | awk '$3 == "_start" { print $1 }')
grep -q " guest 0008:$entry\$" "$map" || { echo "FAIL: no block at _start (0008:$entry) in $map"; exit 1; }
grep -q " vm: tb_slow_begin\$" "$map" || { echo "FAIL: no line for tb_slow_begin in $map"; exit 1; }
echo "ok: $(wc -l <"$map") lines in $map"
