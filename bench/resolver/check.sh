#!/usr/bin/env bash
# bench/resolver/check.sh [NAME...] - are the resolvers right on the bench world before we time them?
# (default: anchord unbound bind bns). For each: start fresh, then
#   1. validation checks with dig: one secure zone per (algorithm, NSEC/NSEC3, KSK+ZSK/CSK) -> NOERROR + AD,
#      NXDOMAIN and wildcard proofs -> AD, insecure delegations -> no AD, every bogus zone -> SERVFAIL (EDE shown);
#   2. answers to $SAMPLE names from hot-uniq.txt and cold.txt (dig -f, sequential, DO=1 so AD is meaningful),
#      reduced to "rcode ad sorted-answer-rdata", compared with Unbound's (run Unbound too for this part).
# Prints PASS/FAIL lines and the differing names; exit status 1 if any validation check failed.
set -uo pipefail
SAMPLE=${SAMPLE:-400}
RES=("$@"); [ $# -gt 0 ] || RES=(anchord unbound bind bns)
# shellcheck source=bench/resolver/lib.sh
source "$(dirname "$0")/lib.sh"
OUTC=${OUT:-/tmp/anchord-bench/check}; mkdir -p "$OUTC"
M=$WORLD/manifest.txt fails=0
secure=$(awk '$5 == "signed" && !seen[$3 $4 $8]++ {print $1}' "$M")
insecure=$(awk '$5 == "unsigned" && !seen[$2]++ {print $1}' "$M")
bogus=$(awk '$5 ~ /^bogus/ {print $1}' "$M")
n3=$(awk '$5 == "signed" && $4 == "nsec3" {print $1; exit}' "$M"); n1=$(awk '$5 == "signed" && $4 == "nsec" {print $1; exit}' "$M")
{ awk -v n="$SAMPLE" 'NR <= n / 2' "$Q/hot-uniq.txt"; awk -v n="$SAMPLE" 'NR <= n / 2' "$Q/cold.txt"; } > "$OUTC/sample.txt"

check() {  # name type want_rcode want_ad(1|0|-)
  local out rc ad ede ok=PASS
  out=$(dig +time=5 +tries=1 +dnssec -p "${PORT[$r]}" @"$ADDR" "$1" "$2" 2>&1)
  rc=$(grep -o 'status: [A-Z]*' <<< "$out" | cut -d' ' -f2)
  ad=0; grep -q 'flags:[a-z ]* ad[ ;]' <<< "$out" && ad=1
  ede=$(grep -m1 '^; EDE' <<< "$out" | cut -c3-90)
  [ "$rc" = "$3" ] || ok=FAIL; [ "$4" = - ] || [ "$ad" = "$4" ] || ok=FAIL
  [ $ok = PASS ] || fails=$((fails + 1))
  printf '%-8s %-4s %-36s %-5s %-9s ad=%s %s\n' "$r" $ok "$1" "$2" "${rc:-TIMEOUT}" "$ad" "$ede"
}
answers() {  # batch-query the sample; one line per query: name type rcode ad rdata...
  dig +time=5 +tries=1 +dnssec +noall +comments +question +answer -p "${PORT[$r]}" @"$ADDR" -f "$OUTC/sample.txt" 2>&1 | awk '
    /^;; ->>HEADER<<-/ { if (q != "") emit(); rc = $6; sub(/,$/, "", rc); ans = ""; q = ""; ad = 0 }
    /^;; flags:/ { ad = ($0 ~ / ad[ ;]/) }
    /^;[^;]/ && NF >= 3 && $NF ~ /^[A-Z]+$/ { q = substr($1, 2) " " $NF }
    /^[^;]/ && NF >= 5 && $4 != "RRSIG" && $4 != "NSEC" && $4 != "NSEC3" && $4 != "SOA" { r = ""; for (i = 4; i <= NF; i++) r = r " " $i; ans = ans "|" r }
    /timed out/ { if (q != "") emit(); q = "" }
    function emit(   n, a, i, j, x, s) { n = split(ans, a, "|"); for (i = 3; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 2 && a[j] > x; j--) a[j+1] = a[j]; a[j+1] = x }
      s = ""; for (i = 2; i <= n; i++) s = s a[i]; print q, rc, "ad=" ad, s; q = "" }
    END { if (q != "") emit() }' | sort
}

for r in "${RES[@]}"; do
  start "$r"
  echo "# $(version "$r") on $ADDR:${PORT[$r]}"
  for z in $secure; do check "www.$z" A NOERROR 1; done
  check "doesnotexist.$n1" A NXDOMAIN 1; check "doesnotexist.$n3" A NXDOMAIN 1
  check "anything.wild.$n1" A NOERROR 1; check "anything.wild.$n3" A NOERROR 1
  check "$n3" MX NOERROR 1; check "www.$n1" TXT NOERROR 1; check "www.$n3" TXT NOERROR 1
  for z in $insecure; do check "www.$z" A NOERROR 0; done
  for z in $bogus; do check "www.$z" A SERVFAIL 0; done
  answers > "$OUTC/answers.$r.txt"
  stop
done
if [ -f "$OUTC/answers.unbound.txt" ]; then
  for r in "${RES[@]}"; do
    [ "$r" = unbound ] && continue
    d=$(diff "$OUTC/answers.unbound.txt" "$OUTC/answers.$r.txt" | grep -c '^>' || true)
    echo "answers: $r differs from Unbound on $d of $(wc -l < "$OUTC/answers.unbound.txt") sampled queries (rcode, AD, answer rdata)"
    diff "$OUTC/answers.unbound.txt" "$OUTC/answers.$r.txt" | grep '^[<>]' | head -10
  done
fi
echo "check: $fails validation failure(s); answer lists in $OUTC"
[ $fails = 0 ]
