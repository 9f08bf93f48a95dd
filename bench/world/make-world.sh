#!/usr/bin/env bash
# bench/world/make-world.sh - build the signed loopback hierarchy the resolver benchmark runs against.
#
#   root "."     RSASHA256 (8) KSK+ZSK, NSEC          NSD $P.0.1 $P.0.2   (a/b.root-servers.test)
#   test.        ECDSAP256SHA256 (13) KSK+ZSK, NSEC   NSD $P.1.1 $P.1.2   (ns1/ns2.nic.<tld>)
#   example.     RSASHA256 (8) KSK+ZSK, NSEC3         (same TLD server)
#   lab.         ED25519 (15) KSK+ZSK, NSEC           (same TLD server)
#   $N SLDs      zI-<ecdsa|rsa|ed25519>-<nsec|nsec3>.<tld>: algorithms 13/8/15/13 in turn, NSEC/NSEC3 in
#                blocks of 4, KSK+ZSK or one CSK in blocks of 8, every 7th "zI-unsigned" (no DS: insecure),
#                plus bogus-{sig,expired,notyet,ds,nosig}.test and bogus-sig.example.
#                All SLDs on one NSD listening on $P.2.1 .. $P.2.8 (2 NS each, glue in the TLD).
# One NSD per tier: a server holding both parent and child answers for the child and never refers.
#
# Keys and signatures come from anchord's own tools (`anchord keygen`, `anchord signzone`, `anchord
# dsfromkey`, which take dnssec-keygen/dnssec-signzone's flags); SIGNER=bind uses BIND's tools instead.
# Idempotent: keys in $WORLD/keys are kept (so the trust anchor is stable), and a zone is re-signed only
# when its input, keys or signer changed or its signatures are older than 7 days.
#
# Output in $WORLD: signed/ zones/ ds/ keys/, manifest.txt (name tld alg nsec status ns1 ns2 split),
# root.hints, root.ds, root.dnskey, bind-trust-anchors.conf, nsd-{root,tld,sld}.conf and queries/:
#   hot-uniq.txt  existing (name,type) pairs in the good zones: apex A/AAAA/MX/TXT, www A/AAAA, mail A, h0-h9 A
#   hot.txt       $HOTLINES lines drawn from hot-uniq.txt with Zipf(s=1) weights
#   cold.txt      unique names never in the hot set: h10-h99 A, random NXDOMAIN, random wildcard hits
#   mem.txt       $MEM_NAMES unique existing names (h100 and up, A), for the RSS-per-cached-name test
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../.." && pwd)
N=${N:-300}; HOTLINES=${HOTLINES:-200000}; MEM_NAMES=${MEM_NAMES:-100000}
WORLD=${WORLD:-/tmp/anchord-bench/world}; RUN=${RUN:-/tmp/anchord-bench/run}
P=${PREFIX:-127.55}; SIGNER=${SIGNER:-anchord}; ANCHORD=${ANCHORD:-$REPO/bin/anchord.js}
JOBS=${JOBS:-$(nproc)}
MEM_HOSTS=$(( (MEM_NAMES + N - 1) / N + 40 ))   # h100 .. h(99+MEM_HOSTS) per SLD: enough for MEM_NAMES over the good zones
HOSTS=$(( 100 + MEM_HOSTS ))
TLDS=(test example lab)
declare -A TLD_ALG=([test]=13 [example]=8 [lab]=15) TLD_NSEC=([test]=nsec [example]=nsec3 [lab]=nsec)
ALGS=(13 8 15 13)
declare -A ALGNAME=([13]=ecdsa [8]=rsa [15]=ed25519) ALGFULL=([13]=ECDSAP256SHA256 [8]=RSASHA256 [15]=ED25519)
BOGUS=(bogus-sig.test bogus-expired.test bogus-notyet.test bogus-ds.test bogus-nosig.test bogus-sig.example)

case $SIGNER in
  anchord) [ -f "$ANCHORD" ] && [ -f "$REPO/dist/cli/main.js" ] || { echo "run npm run build first" >&2; exit 1; }
           KEYGEN=(node "$ANCHORD" keygen); SIGNZONE=(node "$ANCHORD" signzone); DSFROMKEY=(node "$ANCHORD" dsfromkey) ;;
  bind)    KEYGEN=(dnssec-keygen); SIGNZONE=(dnssec-signzone); DSFROMKEY=(dnssec-dsfromkey) ;;
  *) echo "SIGNER must be anchord or bind" >&2; exit 2 ;;
esac
for c in nsd nsd-checkconf; do command -v $c >/dev/null || { echo "missing $c (apt-get install nsd)" >&2; exit 1; }; done

mkdir -p "$WORLD"/{keys,zones,signed,ds,queries}
rm -f "$WORLD"/zones/*.zone
utc() { date -u -d "@$(( $(date +%s) + $1 ))" +%Y%m%d%H%M%S; }
START=$(utc -3600); END=$(utc $((365*86400)))
export WORLD SIGNER START END
export KEYGEN_CMD="${KEYGEN[*]}" SIGNZONE_CMD="${SIGNZONE[*]}"

kdir() { if [ "$1" = . ]; then echo "$WORLD/keys/root"; else echo "$WORLD/keys/${1%.}"; fi; }
# keys <zone.> <alg> <split: 1 = KSK+ZSK, 0 = one CSK>; existing keys are kept
keys() {
  local kd bits=(); kd=$(kdir "$1"); mkdir -p "$kd"
  ls "$kd"/K*.key >/dev/null 2>&1 && return 0
  [ "$2" = 8 ] && bits=(-b 2048)
  $KEYGEN_CMD -q -K "$kd" -a "${ALGFULL[$2]}" "${bits[@]}" -f KSK "$1" >/dev/null
  [ "$3" = 1 ] && $KEYGEN_CMD -q -K "$kd" -a "${ALGFULL[$2]}" "${bits[@]}" "$1" >/dev/null
  return 0
}
# sign <zone.> <nsec|nsec3> [start end]: signed/<zone>.zone and ds/dsset-<zone>., skipped when up to date
sign() {
  local z=$1 base=${1%.} kd n3=() kf=-x s=${3:-$START} e=${4:-$END} stamp
  [ "$z" = . ] && base=root
  kd=$(kdir "$z"); [ "$2" = nsec3 ] && n3=(-3 - -H 0)
  [ "$(ls "$kd"/K*.key | wc -l)" = 1 ] && kf=-z          # one CSK signs everything
  stamp=$(cat "$WORLD/zones/$base.zone" "$kd"/K*.key | sha256sum | cut -c1-32)-$SIGNER-$2-${3:+window}
  if [ -s "$WORLD/signed/$base.zone" ] && [ "$(cat "$WORLD/signed/$base.stamp" 2>/dev/null)" = "$stamp" ] &&
     [ -n "$(find "$WORLD/signed/$base.zone" -mtime -7)" ] && [ -s "$WORLD/ds/dsset-${z%.}." ]; then
    return 0   # same input, keys and signer, signatures younger than 7 days
  fi
  $SIGNZONE_CMD -q -S $kf -K "$kd" -o "$z" -s "$s" -e "$e" -d "$WORLD/ds" -f "$WORLD/signed/$base.zone.tmp" \
    "${n3[@]}" ${3:+-P} "$WORLD/zones/$base.zone" >/dev/null
  mv "$WORLD/signed/$base.zone.tmp" "$WORLD/signed/$base.zone"
  echo "$stamp" > "$WORLD/signed/$base.stamp"
}
# sld <manifest line>: write, key and sign one second-level zone (run in parallel)
sld() {
  local name tld alg nsec status ip1 ip2 split; read -r name tld alg nsec status ip1 ip2 split <<< "$1"
  { printf '$ORIGIN %s.\n$TTL 3600\n@ SOA ns1 hostmaster 1 7200 3600 1209600 3600\n' "$name"
    printf '@ NS ns1\n@ NS ns2\nns1 A %s\nns2 A %s\n' "$ip1" "$ip2"
    printf '@ A 127.100.0.1\n@ AAAA ::1\n@ MX 10 mail\n@ TXT "anchord bench %s"\n' "$name"
    printf 'www A 127.100.0.2\nwww AAAA ::1\nmail A 127.100.0.3\n*.wild A 127.100.0.4\n'
    awk -v n="$HOSTS" 'BEGIN {for (h = 0; h < n; h++) printf "h%d A 127.101.%d.%d\n", h, int(h/256)%256, h%256}'
  } > "$WORLD/zones/$name.zone"
  case $status in
    unsigned) cp "$WORLD/zones/$name.zone" "$WORLD/signed/$name.zone"; return 0 ;;
    bogus-expired) keys "$name." "$alg" 0; sign "$name." "$nsec" "$(utc $((-30*86400)))" "$(utc $((-10*86400)))" ;;
    bogus-notyet)  keys "$name." "$alg" 0; sign "$name." "$nsec" "$(utc $((10*86400)))" "$(utc $((40*86400)))" ;;
    bogus-nosig)   keys "$name." "$alg" 0; sign "$name." "$nsec"; cp "$WORLD/zones/$name.zone" "$WORLD/signed/$name.zone"
                   rm -f "$WORLD/signed/$name.stamp" ;;
    *) keys "$name." "$alg" "$split"; sign "$name." "$nsec" ;;
  esac
  if [ "$status" = bogus-sig ]; then   # data changed after signing: the RRSIG no longer matches
    sed -i -E "s/^(www\.$name\.\s+[0-9]+\s+IN\s+A\s+)127\.100\.0\.2/\1127.100.0.66/" "$WORLD/signed/$name.zone"
    grep -q 127.100.0.66 "$WORLD/signed/$name.zone" || { echo "bogus-sig edit failed" >&2; return 1; }
    rm -f "$WORLD/signed/$name.stamp"
  fi
}
export -f kdir keys sign sld utc; export HOSTS
# (associative arrays do not cross `export -f`: pass the algorithm names through a declare in each job)
ALGDECL=$(declare -p ALGFULL)

# ---------------- manifest: name tld alg nsec status ns1-ip ns2-ip split ----------------
for ((i = 0; i < N; i++)); do
  tld=${TLDS[i % 3]}; a=$((i / 3)); ip1=$P.2.$((1 + i % 8)); ip2=$P.2.$((1 + (i + 3) % 8))
  if ((a % 7 == 6)); then echo "z$i-unsigned.$tld $tld - - unsigned $ip1 $ip2 0"; continue; fi
  alg=${ALGS[a % 4]}; nsec=nsec; ((a / 4 % 2)) && nsec=nsec3
  echo "z$i-${ALGNAME[$alg]}-$nsec.$tld $tld $alg $nsec signed $ip1 $ip2 $(( a / 8 % 2 == 0 ))"
done > "$WORLD/manifest.txt"
for b in "${BOGUS[@]}"; do
  alg=13; [ "${b#*.}" = example ] && alg=8
  echo "$b ${b#*.} $alg nsec ${b%%.*} $P.2.1 $P.2.2 0"
done >> "$WORLD/manifest.txt"

t0=$(date +%s)
# shellcheck disable=SC2016
tr '\n' '\0' < "$WORLD/manifest.txt" | xargs -0 -P "$JOBS" -I{} bash -c "set -euo pipefail; $ALGDECL"'; sld "$1"' _ {}
if grep -q '^bogus-ds' "$WORLD/manifest.txt"; then   # publish a wrong DS digest for bogus-ds.test
  awk '/ DS / {for (i = 1; i <= NF; i++) if ($i == "DS") d = i; x = ""; for (i = d + 4; i <= NF; i++) x = x $i
       print $1, "IN DS", $(d+1), $(d+2), $(d+3), "DEADBEEF" substr(x, 9)}' "$WORLD/ds/dsset-bogus-ds.test." > "$WORLD/ds/bogus-ds.mangled"
fi
dsset() { if [ "$1" = bogus-ds.test ]; then cat "$WORLD/ds/bogus-ds.mangled"; else grep -v '^;' "$WORLD/ds/dsset-$1."; fi; }

# ---------------- TLD zones ----------------
soa() { printf '$TTL 3600\n@ SOA ns1.nic.%s hostmaster.nic.%s 1 7200 3600 1209600 3600\n' "$1" "$1"; }
for tld in "${TLDS[@]}"; do
  { printf '$ORIGIN %s.\n' "$tld"; soa "$tld"
    printf '@ NS ns1.nic\n@ NS ns2.nic\nns1.nic A %s.1.1\nns2.nic A %s.1.2\n' "$P" "$P"
    [ "$tld" = test ] && printf 'a.root-servers A %s.0.1\nb.root-servers A %s.0.2\n' "$P" "$P"
    awk -v t="$tld" '$2 == t {printf "%s. NS ns1.%s.\n%s. NS ns2.%s.\nns1.%s. A %s\nns2.%s. A %s\n",$1,$1,$1,$1,$1,$6,$1,$7}' "$WORLD/manifest.txt"
    awk -v t="$tld" '$2 == t && $5 != "unsigned" {print $1}' "$WORLD/manifest.txt" | while read -r z; do dsset "$z"; done
  } > "$WORLD/zones/$tld.zone"
  keys "$tld." "${TLD_ALG[$tld]}" 1
done
printf '%s\n' "${TLDS[@]}" | xargs -P "$JOBS" -I{} bash -c "set -euo pipefail; $(declare -p TLD_NSEC)"'; sign "$1." "${TLD_NSEC[$1]}"' _ {}

# ---------------- root zone ----------------
{ printf '$ORIGIN .\n$TTL 86400\n@ SOA a.root-servers.test. hostmaster.nic.test. 1 1800 900 604800 86400\n'
  printf '@ NS a.root-servers.test.\n@ NS b.root-servers.test.\n'
  printf 'a.root-servers.test. A %s.0.1\nb.root-servers.test. A %s.0.2\n' "$P" "$P"
  for tld in "${TLDS[@]}"; do
    printf '%s. NS ns1.nic.%s.\n%s. NS ns2.nic.%s.\nns1.nic.%s. A %s.1.1\nns2.nic.%s. A %s.1.2\n' \
      "$tld" "$tld" "$tld" "$tld" "$tld" "$P" "$tld" "$P"
    dsset "$tld"
  done
} > "$WORLD/zones/root.zone"
keys . 8 1
sign . nsec
echo "signed $(wc -l < "$WORLD/manifest.txt") SLDs + ${#TLDS[@]} TLDs + root with $SIGNER in $(( $(date +%s) - t0 )) s"

# ---------------- root hints and trust anchors ----------------
printf '.\t3600000\tIN\tNS\ta.root-servers.test.\n.\t3600000\tIN\tNS\tb.root-servers.test.\n' > "$WORLD/root.hints"
printf 'a.root-servers.test.\t3600000\tIN\tA\t%s.0.1\nb.root-servers.test.\t3600000\tIN\tA\t%s.0.2\n' "$P" "$P" >> "$WORLD/root.hints"
ksk=$(grep -l 'key-signing' "$WORLD"/keys/root/K*.key)
"${DSFROMKEY[@]}" -2 "$ksk" | awk '{$1 = "."; print}' > "$WORLD/root.ds"          # ". IN DS tag 8 2 HEX"
grep -v '^;' "$ksk" | awk '{$1 = "."; print}' > "$WORLD/root.dnskey"
awk '{printf "trust-anchors {\n  \".\" static-ds %s %s %s \"%s\";\n};\n", $4, $5, $6, $7}' "$WORLD/root.ds" > "$WORLD/bind-trust-anchors.conf"

# ---------------- NSD: one instance per tier ----------------
nsdconf() {  # tier ips... ; zones on stdin as "name file"
  local tier=$1; shift; local d="$RUN/nsd-$tier"
  { printf 'server:\n  server-count: 1\n  port: 53\n  do-ip6: no\n  username: ""\n  chroot: ""\n'
    printf '  zonesdir: "%s/signed"\n  database: ""\n  zonelistfile: "%s/zone.list"\n  xfrdfile: "%s/xfrd.state"\n' "$WORLD" "$d" "$d"
    printf '  xfrdir: "%s"\n  pidfile: "%s/nsd.pid"\n  logfile: "%s/nsd.log"\n  verbosity: 1\n' "$d" "$d" "$d"
    printf '  rrl-ratelimit: 0\n  rrl-whitelist-ratelimit: 0\n  refuse-any: yes\n'
    for ip in "$@"; do printf '  ip-address: %s\n' "$ip"; done
    printf 'remote-control:\n  control-enable: no\n'
    while read -r z f; do printf 'zone:\n  name: "%s"\n  zonefile: "%s"\n' "$z" "$f"; done
  } > "$WORLD/nsd-$tier.conf"
}
echo ". root.zone" | nsdconf root "$P.0.1" "$P.0.2"
for t in "${TLDS[@]}"; do echo "$t. $t.zone"; done | nsdconf tld "$P.1.1" "$P.1.2"
mapfile -t sldips < <(seq -f "$P.2.%g" 1 8)
awk '{print $1 ". " $1 ".zone"}' "$WORLD/manifest.txt" | nsdconf sld "${sldips[@]}"
for t in root tld sld; do nsd-checkconf "$WORLD/nsd-$t.conf"; done

# ---------------- query sets (dnsperf format "name type"), fixed seeds ----------------
Q=$WORLD/queries
shuf_seeded() { awk -v s="$1" 'BEGIN {srand(s)} {print rand() "\t" $0}' | sort -k1,1 | cut -f2-; }
awk '$5 == "signed" || $5 == "unsigned" {z = $1
  print z " A"; print z " AAAA"; print z " MX"; print z " TXT"; print "www." z " A"; print "www." z " AAAA"; print "mail." z " A"
  for (h = 0; h < 10; h++) print "h" h "." z " A"}' "$WORLD/manifest.txt" | shuf_seeded 1 > "$Q/hot-uniq.txt"
awk -v n="$HOTLINES" 'BEGIN {srand(2)} {q[NR] = $0; c[NR] = (NR > 1 ? c[NR-1] : 0) + 1/NR}
  END {for (i = 0; i < n; i++) {r = rand() * c[NR]; lo = 1; hi = NR
         while (lo < hi) {m = int((lo + hi) / 2); if (c[m] < r) lo = m + 1; else hi = m}
         print q[lo]}}' "$Q/hot-uniq.txt" > "$Q/hot.txt"
awk 'BEGIN {srand(3)} $5 == "signed" || $5 == "unsigned" {z = $1
  for (h = 10; h < 100; h++) print "h" h "." z " A"
  for (k = 0; k < 20; k++) printf "nx%d-%06d.%s A\n", k, int(rand() * 1e6), z
  for (k = 0; k < 10; k++) printf "w%d-%06d.wild.%s A\n", k, int(rand() * 1e6), z}' "$WORLD/manifest.txt" | shuf_seeded 4 > "$Q/cold.txt"
awk -v H="$HOSTS" '$5 == "signed" || $5 == "unsigned" {for (h = 100; h < H; h++) print "h" h "." $1 " A"}' "$WORLD/manifest.txt" |
  shuf_seeded 5 | awk -v n="$MEM_NAMES" 'NR <= n' > "$Q/mem.txt"
[ "$(wc -l < "$Q/mem.txt")" = "$MEM_NAMES" ] || { echo "mem.txt short: raise HOSTS" >&2; exit 1; }

echo "world: $WORLD  prefix $P  signer $SIGNER"
for f in hot-uniq hot cold mem; do printf '  queries/%s.txt %s lines\n' "$f" "$(wc -l < "$Q/$f.txt")"; done
echo "trust anchor: $(cat "$WORLD/root.ds")"
