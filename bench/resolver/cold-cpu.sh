#!/usr/bin/env bash
# bench/resolver/cold-cpu.sh LABEL=BUILD:WORKERS... - CPU per cold query of anchord builds or settings
# side by side, for development on a shared box (where wall-clock QPS is noise): each variant in
# turn, REPS rounds, a fresh process per pass, cold.txt once through dnsperf (-c 10 -q 100, as run.sh).
# Prints per pass: QPS, process CPU per query (all threads, /proc/PID/stat), the main thread's CPU per
# query (/proc/PID/task/PID/stat) and the load average; then the medians per variant.
#   BUILD   a directory with bin/anchord.js and a built dist/ (the tree, or a snapshot made with
#           `git archive REV src bin package.json tsconfig.json tsconfig.build.json native scripts/build-native.mjs`,
#           node_modules linked, `tsc -p tsconfig.build.json` and `node scripts/build-native.mjs`)
#   WORKERS crypto.workers for that pass (0 inline, N a pool of N) or - for anchord's default
# Example: bench/resolver/cold-cpu.sh inline=.:0 pool=.:1
# Knobs: REPS (3), PORT (5471: variant i listens on PORT+i), WORLD, OUT (/tmp/anchord-bench/cold-cpu),
# QUERIES (the measured query file, default $WORLD/queries/cold.txt), WARM (a query file sent first and not
# measured: e.g. existing names, so that keys are cached and the JIT has seen the common path before a
# class of names such as NXDOMAIN ones is measured alone).
# Needs the bench world up (bench/world/make-world.sh && bench/world/auth.sh start).
set -euo pipefail
REPS=${REPS:-3} BASE=${PORT:-5471}
WORLD=${WORLD:-/tmp/anchord-bench/world}; OUT=${OUT:-/tmp/anchord-bench/cold-cpu}
QUERIES=${QUERIES:-$WORLD/queries/cold.txt} WARM=${WARM:-}
[ $# -gt 0 ] || { sed -n '2,17p' "$0" >&2; exit 2; }
mkdir -p "$OUT"; rows=$OUT/rows.tsv; : > "$rows"

pass() {  # pass LABEL BUILD WORKERS PORT
  local label=$1 dir=$2 workers=$3 port=$4 d=$OUT/$1 args=() pid
  rm -rf "$d"; mkdir -p "$d"
  if ss -Hlnu "src 127.0.0.1:$port" | grep -q .; then echo "ERROR: 127.0.0.1:$port busy" >&2; exit 1; fi
  if [ "$workers" != - ]; then printf 'crypto:\n  workers: %d\n' "$workers" > "$d/config.yaml"; args=(--config "$d/config.yaml"); fi
  node "$dir/bin/anchord.js" serve --listen "127.0.0.1:$port" --root-hints "$WORLD/root.hints" \
    --trust-anchor-file "$WORLD/root.ds" --threads 1 "${args[@]}" > "$d/out.log" 2>&1 & pid=$!
  for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || { echo "ERROR: $label did not start" >&2; cat "$d/out.log" >&2; exit 1; }
    dig +time=1 +tries=1 -p "$port" @127.0.0.1 . SOA 2>/dev/null | grep -q 'status: NOERROR' && break; sleep 0.2
  done
  local c0 m0 c1 m1
  if [ -n "$WARM" ]; then dnsperf -s 127.0.0.1 -p "$port" -c 10 -q 100 -t 5 -n 1 -l 120 -d "$WARM" > "$d/warm.log" 2>&1; fi
  c0=$(awk '{print $14 + $15}' "/proc/$pid/stat"); m0=$(awk '{print $14 + $15}' "/proc/$pid/task/$pid/stat")
  dnsperf -s 127.0.0.1 -p "$port" -c 10 -q 100 -t 5 -n 1 -l 120 -d "$QUERIES" > "$d/dnsperf.log" 2>&1
  c1=$(awk '{print $14 + $15}' "/proc/$pid/stat"); m1=$(awk '{print $14 + $15}' "/proc/$pid/task/$pid/stat")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  awk -v l="$label" -v c=$((c1 - c0)) -v m=$((m1 - m0)) -v load="$(cut -d' ' -f1 /proc/loadavg)" '
    /Queries completed/ { q = $3 } /Queries per second/ { qps = $4 }
    END { printf "%s\t%d\t%.0f\t%.1f\t%.1f\t%s\n", l, q, qps, c * 10000 / q, m * 10000 / q, load }' "$d/dnsperf.log" | tee -a "$rows"
}

printf 'variant\tqueries\tQPS\tCPU us/query\tmain-thread us/query\tload\n'
for rep in $(seq "$REPS"); do
  i=0
  for v in "$@"; do
    label=${v%%=*} spec=${v#*=}; pass "$label" "${spec%:*}" "${spec##*:}" $((BASE + i)); i=$((i + 1))
  done
done
echo; printf 'medians over %s passes\tQPS\tCPU us/query\tmain-thread us/query\n' "$REPS"
for v in "$@"; do
  label=${v%%=*}
  for col in 3 4 5; do awk -F'\t' -v l="$label" -v c=$col '$1 == l {print $c}' "$rows" | sort -n |
    awk '{a[NR] = $1} END {printf "%s\t", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; done |
    sed "s/^/$label\t/"; echo
done
