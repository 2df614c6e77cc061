#!/bin/sh
# COM1 and the host's stdin/stdout: input piped into vm reaches the guest
# in full and in order (vm reads stdin only as the guest's FIFO drains),
# and output through a slow pipe loses nothing (vm writes stdout in full,
# waiting for the reader).  sh_uart_echo echoes its input until EOT, then
# prints 4000 lines.  With its FIFOs on (-append fifo) it must be given a
# moment to turn them on before input comes: enabling the FIFOs empties
# the receiver, as on the chip.
VM=${1:-./vm}
TIMEOUT=${TEST_TIMEOUT:-60}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

seq 1 5000 >"$tmp/in"                   # 23893 bytes: many FIFOs full
{ cat "$tmp/in"; i=0; while [ $i -lt 4000 ]; do
      echo "line $i of the output that must not be lost"; i=$((i + 1)); done
  echo "sh_uart_echo: PASS"; } >"$tmp/want"

{ sleep 1; cat "$tmp/in"; printf '\004'; } |
    timeout "$TIMEOUT" "$VM" -kernel tests/kern/sh_uart_echo.elf -append fifo >"$tmp/out" 2>"$tmp/err"
st=$?
[ "$st" -eq 1 ] || { echo "vm exit status $st"; cat "$tmp/err"; exit 1; }
cmp "$tmp/want" "$tmp/out" || { echo "piped input: output differs"; exit 1; }
echo "ok: $(wc -c <"$tmp/in") bytes in, $(wc -c <"$tmp/out") bytes out"

# The same through a reader that starts late and reads slowly.
{ sleep 1; cat "$tmp/in"; printf '\004'; } |
    timeout "$TIMEOUT" "$VM" -kernel tests/kern/sh_uart_echo.elf -append fifo 2>"$tmp/err" | { sleep 1; while IFS= read -r l; do echo "$l"; done; } >"$tmp/slow"
cmp "$tmp/want" "$tmp/slow" || { echo "slow pipe: output differs"; exit 1; }
echo "ok: slow pipe"

# Input from a file (epoll cannot watch it) works too, here into the
# 16450-style one-byte receiver.
{ cat "$tmp/in"; printf '\004'; } >"$tmp/infile"
timeout "$TIMEOUT" "$VM" -kernel tests/kern/sh_uart_echo.elf <"$tmp/infile" >"$tmp/out2" 2>"$tmp/err"
cmp "$tmp/want" "$tmp/out2" || { echo "file input: output differs"; exit 1; }
echo "ok: file input"
