# The workloads of make bench-linux, sourced by the guest's /init and by
# tests/linux/bench.sh natively (with busybox's applets first in PATH).
make_data() { seq 1 2500000 | head -c 16777216 >"$1"; }           # 16 MiB
run_sha() { sha256sum "$1" >/dev/null; sha256sum "$1" >/dev/null; }
run_gzip() { gzip -9 -c "$1" >/dev/null; }
run_awk() {
    awk 'BEGIN { s = 0; x = 1; for (i = 1; i <= 1000000; i++) { s += (i % 7 - 3.25) / (i * 0.5 + 1); x = x * 1.0000001 + 1e-9 } printf "%.17g %.17g\n", s, x }' >/dev/null
}
run_par() {     # two of each at once (on 2 vCPUs)
    (run_sha "$1"; run_gzip "$1"; run_awk) &
    (run_sha "$1"; run_gzip "$1"; run_awk) &
    wait
}
