#!/usr/bin/env bash
# bench/resolver/classes.sh [NAME...] - where the cold-resolution gap is: anchord beside Unbound (default;
# any of run.sh's resolvers but echo) on each class of cold.txt's names alone. cold.txt mixes existing
# names (h10-h99), random NXDOMAIN names (nx*) and wildcard hits (w*); this splits it by that prefix.
# Each measurement is a fresh process, 1 thread: first WARM_N existing names of cold.txt (not measured:
# it fills the key and delegation caches as a running resolver has them, and warms anchord's JIT on the
# common path), then one class once through dnsperf (-c 10 -q 100, as run.sh's cold phase), measured:
# QPS, CPU per query over all the resolver's threads and over its main thread (/proc/PID/task/PID/stat).
# The existing-name class is the rest of cold.txt's existing names (those not in the warm-up).
# Knobs: REPS (2), WARM_N (9000), OUT (/tmp/anchord-bench/results/classes-DATE); ANCHORD_BUILD etc. as run.sh.
# Rows: $OUT/classes.tsv; medians per class and resolver printed at the end.
set -euo pipefail
REPS=${REPS:-2} WARM_N=${WARM_N:-9000}
OUT=${OUT:-/tmp/anchord-bench/results/classes-$(date +%Y%m%d-%H%M%S)}
RES=("$@"); [ $# -gt 0 ] || RES=(anchord unbound)
for r in "${RES[@]}"; do [ "$r" != echo ] || { echo "echo answers no names: not a resolver for classes.sh" >&2; exit 2; }; done
# shellcheck source=bench/resolver/lib.sh
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"
grep -E '^h[0-9]' "$Q/cold.txt" > "$OUT/existing-all.txt"
head -n "$WARM_N" "$OUT/existing-all.txt" > "$OUT/warm.txt"
tail -n +"$((WARM_N + 1))" "$OUT/existing-all.txt" > "$OUT/existing.txt"
grep -E '^nx' "$Q/cold.txt" > "$OUT/nxdomain.txt"
grep -E '^w[0-9]' "$Q/cold.txt" > "$OUT/wildcard.txt"
for c in existing nxdomain wildcard; do
  [ -s "$OUT/$c.txt" ] || { echo "ERROR: no $c names in $Q/cold.txt (bench/world/make-world.sh makes them)" >&2; exit 1; }
done
ticks() { awk '{print $14 + $15}' "$1"; }   # utime + stime, clock ticks (1/100 s)
rows=$OUT/classes.tsv
printf 'rep\tclass\tresolver\tversion\tqueries\tqps\tcpu_us_per_q\tmain_us_per_q\tload\n' > "$rows"
for rep in $(seq "$REPS"); do
  for c in existing nxdomain wildcard; do
    for r in "${RES[@]}"; do
      start "$r"
      dnsperf -s "$ADDR" -p "${PORT[$r]}" -c 10 -q 100 -t 5 -n 1 -l 120 -d "$OUT/warm.txt" > "$OUT/$r-$c-$rep.warm.log" 2>&1
      c0=$(ticks "/proc/$PID/stat"); m0=$(ticks "/proc/$PID/task/$PID/stat")
      dnsperf -s "$ADDR" -p "${PORT[$r]}" -c 10 -q 100 -t 5 -n 1 -l 120 -d "$OUT/$c.txt" > "$OUT/$r-$c-$rep.log" 2>&1
      c1=$(ticks "/proc/$PID/stat"); m1=$(ticks "/proc/$PID/task/$PID/stat")
      stop
      awk -v rep="$rep" -v c="$c" -v r="$r" -v v="$(version "$r")" -v cpu=$((c1 - c0)) -v main=$((m1 - m0)) \
          -v load="$(cut -d' ' -f1 /proc/loadavg)" '
        /Queries completed/ { q = $3 } /Queries per second/ { qps = $4 }
        END { if (q == 0) { print "ERROR: no answers for " c " from " r > "/dev/stderr"; exit 1 }
              printf "%s\t%s\t%s\t%s\t%d\t%.0f\t%.1f\t%.1f\t%s\n", rep, c, r, v, q, qps, cpu * 10000 / q, main * 10000 / q, load }' \
        "$OUT/$r-$c-$rep.log" | tee -a "$rows"
    done
  done
done
echo
printf 'class\tresolver\tQPS\tCPU us/query\tmain-thread us/query   (medians of %s)\n' "$REPS"
for c in existing nxdomain wildcard; do
  for r in "${RES[@]}"; do
    printf '%s\t%s' "$c" "$r"
    for col in 6 7 8; do
      awk -F'\t' -v c="$c" -v r="$r" -v k=$col 'NR > 1 && $2 == c && $3 == r {print $k}' "$rows" | sort -n |
        awk '{a[NR] = $1} END {printf "\t%s", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'
    done
    echo
  done
done
