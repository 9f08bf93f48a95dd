#!/usr/bin/env bash
# bench/resolver/profile-cold.sh - where anchord's cold resolution time goes: one fresh anchord (the
# build run.sh measures, 1 thread) under `node --cpu-prof`, cold.txt once through dnsperf, then a
# graceful stop (SIGTERM) so V8 writes the profile; prints the top self-time functions and files.
# Knobs: TOP (15), COLD_SECS (90), COLD_Q (100), PROF_DIR ($RUN/prof); ANCHORD_BUILD as for run.sh.
set -euo pipefail
TOP=${TOP:-15} COLD_SECS=${COLD_SECS:-90} COLD_Q=${COLD_Q:-100}
RES=(anchord)
# shellcheck source=bench/resolver/lib.sh
source "$(dirname "$0")/lib.sh"
PROF_DIR=${PROF_DIR:-$RUN/prof/$(date +%Y%m%d-%H%M%S)}; mkdir -p "$PROF_DIR"
ANCHORD_NODE_OPTS="--cpu-prof --cpu-prof-dir=$PROF_DIR"
r=anchord; start anchord
c0=$(awk '{print $14 + $15}' "/proc/$PID/stat")
dnsperf -s "$ADDR" -p "${PORT[anchord]}" -c 10 -q "$COLD_Q" -t 5 -n 1 -l "$COLD_SECS" -d "$Q/cold.txt" > "$PROF_DIR/cold.log" 2>&1
c1=$(awk '{print $14 + $15}' "/proc/$PID/stat")
stop
grep -E 'Queries (completed|per second)|Response codes' "$PROF_DIR/cold.log"
echo "anchord CPU during the cold pass: $(( (c1 - c0) / 100 )).$(( (c1 - c0) % 100 )) s"
prof=$(ls -t "$PROF_DIR"/*.cpuprofile | head -1)
"$REPO/node_modules/.bin/tsx" "$HERE/tools/cpuprofile-top.ts" "$prof" --top "$TOP" --strip "$SNAP/"
