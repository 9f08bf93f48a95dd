#!/usr/bin/env bash
# bench/resolver/run.sh [NAME...] - anchord beside Unbound, BIND, bns and a node:dgram echo server, in one
# run, on the loopback world of bench/world (issue 5, "Benchmark"). NAMEs: anchord unbound bind bns echo
# (default: all). Each repetition runs them one after another in a rotated order; each measurement starts
# a fresh process with an empty cache, 1 thread each:
#   process 1: cold  cold.txt once (36k unique names: existing, NXDOMAIN, wildcard), closed loop
#              warm  hot-uniq.txt once + 3 s of hot.txt (not measured)
#              hot   hot.txt (Zipf) for $HOT_SECS s, closed loop, no rate limit -> max QPS
#              lat   hot.txt for $LAT_SECS s at a fixed $LAT_QPS with per-query latencies -> p50/p99
#   process 2: mem   VmRSS after startup (+ one priming query), then mem.txt once ($MEM_NAMES unique existing
#              names), then VmRSS again -> bytes per cached name; mem.txt's rate is a second cold figure
# Resolver CPU seconds (utime+stime from /proc/PID/stat) are taken around every phase.
# PHASES (default "cold hot lat mem") picks the phases to run; e.g. PHASES=hot runs the warm-up and the
# cache-hot pass only (a short development check of the hot path; skipped phases give "-").
# The echo server answers every datagram with itself (QR set): hot and lat only.
# Results: $OUT/results.tsv (one row per resolver and repetition), dnsperf logs beside it, and the table
# from summarize.sh in $OUT/summary.md. Starts the world's NSD servers if they are not running.
set -euo pipefail
REPS=${REPS:-3} HOT_SECS=${HOT_SECS:-15} HOT_Q=${HOT_Q:-100} COLD_Q=${COLD_Q:-100} COLD_SECS=${COLD_SECS:-90}
LAT_QPS=${LAT_QPS:-5000} LAT_SECS=${LAT_SECS:-8} MEM_SECS=${MEM_SECS:-150} DNSPERF_OPTS=${DNSPERF_OPTS:-}
PHASES=" ${PHASES:-cold hot lat mem} "
phase() { [[ "$PHASES" == *" $1 "* ]]; }
OUT=${OUT:-/tmp/anchord-bench/results/$(date +%Y%m%d-%H%M%S)}
RES=("$@"); [ $# -gt 0 ] || RES=(anchord unbound bind bns echo)
# shellcheck source=bench/resolver/lib.sh
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"

cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }        # clock ticks (1/100 s)
rss() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$PID/status"; }   # kB
perf() { dnsperf -s "$ADDR" -p "${PORT[$r]}" -c 10 $DNSPERF_OPTS "$@"; }
field() { awk -v p="$1" -v n="$3" 'index($0, p) {gsub(/[(%)]/, "", $n); print $n; exit}' "$2"; }
# errors LOG: the names answered with anything but NOERROR/NXDOMAIN, or not at all, go to LOG.errors;
# the per-query lines are then dropped (the summary stays) to keep $OUT small
errors() { { grep -E '^> ' "$1" | grep -vE '^> (NOERROR|NXDOMAIN) ' || true; grep -E '^\[Timeout\]' "$1" || true; } > "$1.errors"
  grep -vE '^> |^\[Timeout\]' "$1" > "$1.tmp" && mv "$1.tmp" "$1"; }
rcode() { awk -v c="$1" '/Response codes:/ {for (i = 1; i < NF; i++) if ($i == c) {print $(i + 1); exit}; print 0; exit}' "$2"; }

COLS=(rep resolver version cold_qps cold_done cold_lost cold_servfail cold_cpu_s cold_q_per_cpu
      hot_qps hot_lost hot_servfail hot_cpu_s hot_q_per_cpu lat_qps lat_p50_ms lat_p99_ms lat_lost
      mem_names mem_qps mem_servfail mem_cpu_s rss0_kb rss1_kb hwm_kb rss_per_name_b load1 cpu_psi10)
(IFS=$'\t'; echo "${COLS[*]}") > "$OUT/results.tsv"
{ echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"; echo "command: $0 $*"
  echo "env: REPS=$REPS HOT_SECS=$HOT_SECS HOT_Q=$HOT_Q COLD_Q=$COLD_Q COLD_SECS=$COLD_SECS LAT_QPS=$LAT_QPS LAT_SECS=$LAT_SECS MEM_SECS=$MEM_SECS ANCHORD_BUILD=$ANCHORD_BUILD ANCHORD_REV=${ANCHORD_REV:-HEAD} ANCHORD_CRYPTO_WORKERS=${ANCHORD_CRYPTO_WORKERS:-default} DNSPERF_OPTS=$DNSPERF_OPTS PHASES=${PHASES# }"
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
  echo "dnsperf: $(dnsperf -h 2>&1 | awk '/^Version/ {print $2}'), nsd: $(nsd -v 2>&1 | head -1)"
  for r in "${RES[@]}"; do echo "version: $r = $(version "$r")"; done
} > "$OUT/meta.txt"
cat "$OUT/meta.txt"

for rep in $(seq "$REPS"); do
  n=${#RES[@]}; order=(); for i in $(seq 0 $((n - 1))); do order+=("${RES[$(( (i + rep - 1) % n ))]}"); done
  for r in "${order[@]}"; do
    tag=$r-rep$rep; echo "== $tag $(date +%T)"
    declare -A v=([rep]=$rep [resolver]=$r [version]="$(version "$r")")
    for c in "${COLS[@]:3}"; do v[$c]=-; done
    v[load1]=$(cut -d' ' -f1 /proc/loadavg)
    # ---- process 1: cold, warm-up, hot, latency ----
    start "$r"
    if [ "$r" != echo ] && phase cold; then
      c0=$(cpu); perf -d "$Q/cold.txt" -n 1 -l "$COLD_SECS" -q "$COLD_Q" -t 5 -v > "$OUT/$tag.cold.log" 2>&1; c1=$(cpu)
      errors "$OUT/$tag.cold.log"
      v[cold_qps]=$(field 'Queries per second' "$OUT/$tag.cold.log" 4); v[cold_done]=$(field 'Queries completed' "$OUT/$tag.cold.log" 3)
      v[cold_lost]=$(field 'Queries lost' "$OUT/$tag.cold.log" 3); v[cold_servfail]=$(rcode SERVFAIL "$OUT/$tag.cold.log")
      v[cold_cpu_s]=$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.2f", (b - a) / 100}')
      v[cold_q_per_cpu]=$(awk -v n="${v[cold_done]}" -v s="${v[cold_cpu_s]}" 'BEGIN {printf "%.0f", (s > 0 ? n / s : 0)}')
    fi
    if phase hot || phase lat; then
    perf -d "$Q/hot-uniq.txt" -n 1 -q "$HOT_Q" -t 5 > "$OUT/$tag.warm.log" 2>&1
    perf -d "$Q/hot.txt" -l 3 -q "$HOT_Q" -t 2 >> "$OUT/$tag.warm.log" 2>&1
    fi
    if phase hot; then
    h0=$(cpu); perf -d "$Q/hot.txt" -l "$HOT_SECS" -q "$HOT_Q" -t 2 > "$OUT/$tag.hot.log" 2>&1; h1=$(cpu)
    v[cpu_psi10]=$(awk -F'[ =]' '/^some/ {print $3}' /proc/pressure/cpu 2>/dev/null || echo -)
    v[hot_qps]=$(field 'Queries per second' "$OUT/$tag.hot.log" 4); v[hot_lost]=$(field 'Queries lost' "$OUT/$tag.hot.log" 3)
    v[hot_servfail]=$(rcode SERVFAIL "$OUT/$tag.hot.log")
    v[hot_cpu_s]=$(awk -v a="$h0" -v b="$h1" 'BEGIN {printf "%.2f", (b - a) / 100}')
    v[hot_q_per_cpu]=$(awk -v n="$(field 'Queries completed' "$OUT/$tag.hot.log" 3)" -v s="${v[hot_cpu_s]}" 'BEGIN {printf "%.0f", (s > 0 ? n / s : 0)}')
    fi
    if phase lat; then
    perf -d "$Q/hot.txt" -l "$LAT_SECS" -Q "$LAT_QPS" -q 1000 -t 2 -v > "$OUT/$tag.lat.log" 2>&1
    v[lat_qps]=$(field 'Queries per second' "$OUT/$tag.lat.log" 4); v[lat_lost]=$(field 'Queries lost' "$OUT/$tag.lat.log" 3)
    read -r v[lat_p50_ms] v[lat_p99_ms] < <(awk '/^> / {print $NF}' "$OUT/$tag.lat.log" | sort -g |
      awk '{x[NR] = $1} END {if (NR == 0) print "- -"; else printf "%.3f %.3f\n", x[int(NR * 0.50) + 1] * 1000, x[int(NR * 0.99) + 1] * 1000}')
    gzip -f "$OUT/$tag.lat.log"
    fi
    stop; cp "$RUN/$r/out.log" "$OUT/$tag.server1.log"
    # ---- process 2: RSS per cached name ----
    if [ "$r" != echo ] && phase mem; then
      start "$r"; sleep 1; v[rss0_kb]=$(rss VmRSS)
      m0=$(cpu); perf -d "$Q/mem.txt" -n 1 -l "$MEM_SECS" -q "$COLD_Q" -t 5 -v > "$OUT/$tag.mem.log" 2>&1; m1=$(cpu)
      errors "$OUT/$tag.mem.log"
      sleep 2; v[rss1_kb]=$(rss VmRSS); v[hwm_kb]=$(rss VmHWM)
      v[mem_names]=$(field 'Queries completed' "$OUT/$tag.mem.log" 3); v[mem_qps]=$(field 'Queries per second' "$OUT/$tag.mem.log" 4)
      v[mem_servfail]=$(rcode SERVFAIL "$OUT/$tag.mem.log")
      v[mem_cpu_s]=$(awk -v a="$m0" -v b="$m1" 'BEGIN {printf "%.2f", (b - a) / 100}')
      v[rss_per_name_b]=$(awk -v a="${v[rss0_kb]}" -v b="${v[rss1_kb]}" -v n="${v[mem_names]}" 'BEGIN {printf "%.0f", (n > 0 ? (b - a) * 1024 / n : 0)}')
      stop; cp "$RUN/$r/out.log" "$OUT/$tag.server2.log"
    fi
    row=(); for c in "${COLS[@]}"; do row+=("${v[$c]:--}"); done
    (IFS=$'\t'; echo "${row[*]}") | tee -a "$OUT/results.tsv"
    unset v
  done
done
"$HERE/summarize.sh" "$OUT/results.tsv" | tee "$OUT/summary.md"
echo "results in $OUT"
