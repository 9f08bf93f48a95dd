#!/usr/bin/env bash
# bench/resolver/summarize.sh results.tsv [more.tsv ...] - Markdown tables from run.sh rows: medians over
# the repetitions per resolver (min-max in brackets), ratios to Unbound's median, hot QPS as a fraction
# of the node:dgram echo server's. Several files are pooled (e.g. three runs of REPS=3).
set -euo pipefail
awk -F'\t' '
function med(s,   a, n, i, j, x) { n = split(s, a, " "); if (n == 0) return "-"
  for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j+1] = a[j]; a[j+1] = x }
  return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
function rng(s,   a, n, i, lo, hi) { n = split(s, a, " "); if (n < 2) return ""; lo = hi = a[1]
  for (i = 2; i <= n; i++) { if (a[i] + 0 < lo + 0) lo = a[i]; if (a[i] + 0 > hi + 0) hi = a[i] }
  return sprintf(" (%s-%s)", fmt(lo), fmt(hi)) }
function fmt(x,   s, r) { if (x == "-") return "-"; s = sprintf("%.0f", x); r = ""
  while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
  return s r }
function ratio(k, col, ref,   a, b) { if (!((ref, col) in vals) || !((k, col) in vals)) return "-"
  a = med(vals[k, col]); b = med(vals[ref, col]); return (b + 0 > 0 && a != "-") ? sprintf("%.2f", a / b) : "-" }
function sum(k, col,   a, n, i, t) { if (!((k, col) in vals)) return "-"; n = split(vals[k, col], a, " "); t = 0
  for (i = 1; i <= n; i++) t += a[i]; return t }
function m(k, col) { return ((k, col) in vals) ? med(vals[k, col]) : "-" }
function cell(k, col) { return ((k, col) in vals) ? fmt(med(vals[k, col])) rng(vals[k, col]) : "-" }
FNR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
{ k = $idx["resolver"]; if (!(k in ver)) { order[++nk] = k; ver[k] = $idx["version"] }; reps[k]++
  for (c in idx) { x = $idx[c]; if (c != "resolver" && c != "version" && c != "rep" && x != "-" && x != "")
    vals[k, c] = ((k, c) in vals) ? vals[k, c] " " x : x } }
END {
  U = "unbound"; E = "echo"
  print "| resolver | version | reps | cache-hot QPS | vs Unbound | vs echo | hot queries per CPU-s | vs Unbound | cold QPS | vs Unbound | cold queries per CPU-s | vs Unbound | cold answered (median) / SERVFAIL (all reps) | p50 / p99 ms at fixed rate |"
  print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for (i = 1; i <= nk; i++) { k = order[i]
    printf "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", k, ver[k], reps[k],
      cell(k, "hot_qps"), ratio(k, "hot_qps", U), ratio(k, "hot_qps", E), cell(k, "hot_q_per_cpu"), ratio(k, "hot_q_per_cpu", U),
      cell(k, "cold_qps"), ratio(k, "cold_qps", U), cell(k, "cold_q_per_cpu"), ratio(k, "cold_q_per_cpu", U),
      (m(k, "cold_done") == "-" ? "-" : fmt(m(k, "cold_done")) " / " fmt(sum(k, "cold_servfail"))),
      (m(k, "lat_p50_ms") == "-" ? "-" : sprintf("%.3f / %.3f", m(k, "lat_p50_ms"), m(k, "lat_p99_ms"))) }
  print ""
  print "| resolver | RSS after start, MB | RSS after caching, MB | names cached | bytes per cached name | vs Unbound | peak RSS, MB | unique-name QPS (mem set) | vs Unbound | queries per CPU-s (mem set) | SERVFAIL (mem set, all reps) |"
  print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for (i = 1; i <= nk; i++) { k = order[i]; if (m(k, "rss_per_name_b") == "-") continue
    pc = (m(k, "mem_cpu_s") + 0 > 0) ? fmt(m(k, "mem_names") / m(k, "mem_cpu_s")) : "-"
    printf "| %s | %.1f | %.1f | %s | %s | %s | %.1f | %s | %s | %s | %s |\n", k, m(k, "rss0_kb") / 1024, m(k, "rss1_kb") / 1024,
      fmt(m(k, "mem_names")), cell(k, "rss_per_name_b"), ratio(k, "rss_per_name_b", U), m(k, "hwm_kb") / 1024,
      cell(k, "mem_qps"), ratio(k, "mem_qps", U), pc, fmt(sum(k, "mem_servfail")) }
}' "$@"
