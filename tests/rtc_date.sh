#!/bin/sh
# The RTC tells the host's time: t_rtc prints the date and time it reads
# from the CMOS clock first thing ("RTC: YYYY-MM-DD HH:MM:SS UTC"); it must
# match the host's UTC clock when vm started, within a few seconds.
VM=${1:-./vm}
start=$(date -u +%s)
out=$("$VM" -kernel tests/kern/t_rtc.elf 2>&1 </dev/null)
status=$?
[ "$status" -eq 1 ] || { echo "t_rtc failed (status $status): $out"; exit 1; }
stamp=$(echo "$out" | sed -n 's/^RTC: \([0-9-]* [0-9:]*\) UTC$/\1/p' | head -n 1)
[ -n "$stamp" ] || { echo "no 'RTC: ... UTC' line in: $out"; exit 1; }
guest=$(date -u -d "$stamp" +%s) || { echo "bad date '$stamp'"; exit 1; }
echo "host $start, guest $guest ($stamp)"
[ "$guest" -ge $((start - 1)) ] && [ "$guest" -le $((start + 5)) ]
