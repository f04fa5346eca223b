#!/bin/sh
# ops/bench/ocr-engine.sh IMAGE [N] [BENCH_BIN]
# Engine throughput against its baseline, measured in the same run on the same machine:
#   - bench_ocr_engine: warm C API (eng_ocr_page), N pages on 1 thread and N pages on 2 threads;
#   - the tesseract command line on the same image: N runs in 1 process stream, and N runs as 2 parallel
#     streams of processes (each run pays process start + Init, as a naive integration would).
# Both with OMP_THREAD_LIMIT=1. Prints ms/page, pages/s and the ratios.
set -eu
IMAGE=${1:?usage: ocr-engine.sh IMAGE [N] [BENCH_BIN]}
N=${2:-20}
BIN=${3:-${BENCH_BIN:-build/engine/bench_ocr_engine}}
export OMP_THREAD_LIMIT=1
command -v tesseract >/dev/null || { echo "tesseract command line not installed" >&2; exit 1; }
[ -x "$BIN" ] || { echo "bench binary $BIN not found (build target bench_ocr_engine)" >&2; exit 1; }

now_ms() { date +%s%3N; }

OUT=$("$BIN" "$IMAGE" "$N")
echo "$OUT" | grep -Ev '^[a-z0-9_]+='
CAPI1_MS=$(echo "$OUT" | sed -n 's/^capi1_ms_per_page=//p')
CAPI1_PPS=$(echo "$OUT" | sed -n 's/^capi1_pages_per_s=//p')
CAPI2_PPS=$(echo "$OUT" | sed -n 's/^capi2_pages_per_s=//p')

cli_stream() { # $1 = runs
    i=0
    while [ "$i" -lt "$1" ]; do
        tesseract "$IMAGE" - --psm 3 -l eng >/dev/null 2>&1
        i=$((i + 1))
    done
}

t0=$(now_ms); cli_stream "$N"; t1=$(now_ms)
CLI1_MS=$(( t1 - t0 ))
H1=$(( N / 2 )); H2=$(( N - N / 2 ))
t0=$(now_ms); cli_stream "$H1" & P1=$!; cli_stream "$H2" & P2=$!; wait $P1 $P2; t1=$(now_ms)
CLI2_MS=$(( t1 - t0 ))

awk -v n="$N" -v c1="$CLI1_MS" -v c2="$CLI2_MS" -v a1ms="$CAPI1_MS" -v a1="$CAPI1_PPS" -v a2="$CAPI2_PPS" 'BEGIN {
    cli1_ms = c1 / n; cli1_pps = n / (c1 / 1000); cli2_pps = n / (c2 / 1000);
    printf "tesseract CLI, 1 proc : %3d pages in %7.2f s = %7.1f ms/page, %5.2f pages/s\n", n, c1 / 1000, cli1_ms, cli1_pps;
    printf "tesseract CLI, 2 procs: %3d pages in %7.2f s = %7.1f ms/page, %5.2f pages/s\n", n, c2 / 1000, c2 / n, cli2_pps;
    printf "\n%-22s %12s %12s %8s\n", "", "C API", "CLI", "ratio";
    printf "%-22s %12.1f %12.1f %7.2fx\n", "ms/page, 1 stream", a1ms, cli1_ms, cli1_ms / a1ms;
    printf "%-22s %12.2f %12.2f %7.2fx\n", "pages/s, 1 stream", a1, cli1_pps, a1 / cli1_pps;
    printf "%-22s %12.2f %12.2f %7.2fx\n", "pages/s, 2 streams", a2, cli2_pps, a2 / cli2_pps;
}'
