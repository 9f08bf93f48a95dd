#!/usr/bin/env bash
# bench/resolver/mem-breakdown.sh LABEL=BUILD... - what anchord's RSS per cached name is made of, for
# builds side by side on a private port (no lock needed): run.sh's mem phase (fresh process, VmRSS
# after startup, mem.txt once through dnsperf -c 10 -q 100, 2 s pause, VmRSS again), with the probe
# below preloaded (node --expose-gc --require): at both reads it also records V8's heap spaces
# (committed vs used, per space), then forces a full GC and records the live heap. Prints per build:
# RSS per name as run.sh reads it, live heap (heapUsed after a forced GC) per name, array-buffer
# bytes per name, and the growth of each V8 space's committed and used bytes between the two reads.
#   BUILD   a directory with bin/anchord.js and a built dist/ (see cold-cpu.sh)
# Knobs: NAMES (100000: the first NAMES lines of $QUERIES), QUERIES (mem.txt; cold.txt to see what the
# cold phase's names leave behind: NXDOMAIN and wildcard answers too), PORT (5510: variant i on PORT+i), REPS (1),
# WORLD, OUT (/tmp/anchord-bench/mem-breakdown), SNAPSHOT=1 (a heap snapshot after the final GC).
# --expose-gc only adds the gc() function; the GCs it forces run after both RSS reads.
set -euo pipefail
NAMES=${NAMES:-100000} BASE=${PORT:-5510} REPS=${REPS:-1}
WORLD=${WORLD:-/tmp/anchord-bench/world}; OUT=${OUT:-/tmp/anchord-bench/mem-breakdown}
[ $# -gt 0 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
QUERIES=${QUERIES:-mem.txt}
mkdir -p "$OUT"; head -n "$NAMES" "$WORLD/queries/$QUERIES" > "$OUT/names.txt"
PROBE=$OUT/mem-probe.cjs
cat > "$PROBE" <<'PROBE_EOF'
// Preloaded into the anchord process (node --expose-gc --require):
// on SIGUSR2 it appends one JSON line to $MEM_PROBE_OUT with what the process holds *as it stands*
// (VmRSS, process.memoryUsage(), v8.getHeapSpaceStatistics(): each space's committed and used
// bytes), then forces a full GC (global.gc, from --expose-gc) and records the same again, so the
// live bytes can be told from the young generation's and old space's committed-but-free pages.
// With MEM_PROBE_SNAPSHOT=1 it also writes a heap snapshot after the GC (heapsnapshot-top.ts).
'use strict';
const fs = require('node:fs');
const v8 = require('node:v8');

function vmRssKb() {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : -1;
}
function state() {
  const spaces = {};
  for (const s of v8.getHeapSpaceStatistics()) {
    spaces[s.space_name] = { committed: s.physical_space_size, size: s.space_size, used: s.space_used_size };
  }
  return { rssKb: vmRssKb(), mem: process.memoryUsage(), spaces };
}
const out = process.env.MEM_PROBE_OUT;
if (out !== undefined && typeof global.gc === 'function') {
  process.on('SIGUSR2', () => {
    const before = state();
    global.gc();
    const after = state();
    let snapshot;
    if (process.env.MEM_PROBE_SNAPSHOT === '1') snapshot = v8.writeHeapSnapshot(`${out}.${Date.now()}.heapsnapshot`);
    fs.appendFileSync(out, JSON.stringify({ at: Date.now(), before, after, snapshot }) + '\n');
  });
}
PROBE_EOF

pass() {  # pass LABEL BUILD PORT REP
  local label=$1 dir=$2 port=$3 d=$OUT/$1-rep$4 pid
  rm -rf "$d"; mkdir -p "$d"
  if ss -Hlnu "src 127.0.0.1:$port" | grep -q .; then echo "ERROR: 127.0.0.1:$port busy" >&2; exit 1; fi
  MEM_PROBE_OUT=$d/probe.jsonl MEM_PROBE_SNAPSHOT=${SNAPSHOT:-0} node --expose-gc --require "$PROBE" \
    "$dir/bin/anchord.js" serve --listen "127.0.0.1:$port" --root-hints "$WORLD/root.hints" \
    --trust-anchor-file "$WORLD/root.ds" --threads 1 > "$d/out.log" 2>&1 & pid=$!
  for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || { echo "ERROR: $label did not start" >&2; cat "$d/out.log" >&2; exit 1; }
    dig +time=1 +tries=1 -p "$port" @127.0.0.1 . SOA 2>/dev/null | grep -q 'status: NOERROR' && break; sleep 0.2
  done
  sleep 1; kill -USR2 "$pid"; sleep 1
  dnsperf -s 127.0.0.1 -p "$port" -c 10 -q 100 -t 5 -n 1 -l 300 -d "$OUT/names.txt" > "$d/dnsperf.log" 2>&1
  sleep 2; kill -USR2 "$pid"; sleep 3
  [ "${SNAPSHOT:-0}" = 1 ] && sleep 20
  kill "$pid"; wait "$pid" 2>/dev/null || true
  node -e '
    const fs = require("fs"); const [file, label, log] = process.argv.slice(1);
    const [a, b] = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const n = Number(/Queries completed:\s+(\d+)/.exec(fs.readFileSync(log, "utf8"))[1]);
    const per = (x) => Math.round(x / n);
    const row = { label, names: n,
      rss_per_name: per((b.before.rssKb - a.before.rssKb) * 1024),
      live_heap_per_name: per(b.after.mem.heapUsed - a.after.mem.heapUsed),
      array_buffers_per_name: per(b.after.mem.arrayBuffers - a.after.mem.arrayBuffers),
      rss_after_gc_per_name: per((b.after.rssKb - a.after.rssKb) * 1024) };
    for (const s of Object.keys(b.before.spaces)) {
      const x = b.before.spaces[s], y = a.before.spaces[s];
      row[s] = `committed +${((x.committed - y.committed) / 1048576).toFixed(1)} MiB used +${((x.used - y.used) / 1048576).toFixed(1)} MiB`;
    }
    row.rss_mib = `${(a.before.rssKb / 1024).toFixed(1)} -> ${(b.before.rssKb / 1024).toFixed(1)} (after gc ${(b.after.rssKb / 1024).toFixed(1)})`;
    console.log(JSON.stringify(row, null, 1));' "$d/probe.jsonl" "$label" "$d/dnsperf.log" | tee "$d/summary.json"
}

for rep in $(seq "$REPS"); do
  i=0
  for v in "$@"; do pass "${v%%=*}" "${v#*=}" $((BASE + i)) "$rep"; i=$((i + 1)); done
done
