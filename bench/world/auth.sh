#!/usr/bin/env bash
# bench/world/auth.sh start|stop|status - the three NSD instances (root, TLD, SLD tiers) of the bench
# world built by make-world.sh, on $PREFIX.x.x loopback addresses. Stops only the PIDs it started.
set -euo pipefail
WORLD=${WORLD:-/tmp/anchord-bench/world}; RUN=${RUN:-/tmp/anchord-bench/run}; P=${PREFIX:-127.55}
TIERS=(root tld sld)
alive() { [ -s "$RUN/nsd-$1/nsd.pid" ] && kill -0 "$(cat "$RUN/nsd-$1/nsd.pid")" 2>/dev/null; }
answering() {
  dig +time=1 +tries=2 +short +norec @"$P.0.1" . SOA | grep -q . &&
  dig +time=1 +tries=2 +short +norec @"$P.1.1" test. SOA | grep -q . &&
  dig +time=1 +tries=2 +short +norec @"$P.2.1" "$(awk 'NR == 1 {print $1}' "$WORLD/manifest.txt")" SOA | grep -q .
}
case ${1:-} in
  start)
    [ -f "$WORLD/nsd-root.conf" ] || { echo "no world in $WORLD: run bench/world/make-world.sh" >&2; exit 1; }
    for t in "${TIERS[@]}"; do
      d=$RUN/nsd-$t; mkdir -p "$d"
      if alive "$t"; then   # running: reload only if the zones changed since it started
        if [ -n "$(find "$WORLD/signed" -newer "$d/nsd.pid" -name '*.zone' | head -1)" ]; then
          echo "nsd-$t: zones changed, restarting"; "$0" stop-one "$t"
        else
          echo "nsd-$t already running"; continue
        fi
      fi
      for ip in $(awk '/ip-address:/ {print $2}' "$WORLD/nsd-$t.conf"); do
        if ss -Hlnu "src $ip:53" | grep -q .; then echo "ERROR: $ip:53/udp already in use" >&2; exit 1; fi
      done
      nsd -c "$WORLD/nsd-$t.conf"
    done
    for _ in $(seq 50); do answering && break; sleep 0.2; done
    answering || { echo "ERROR: auth servers not answering; see $RUN/nsd-*/nsd.log" >&2; exit 1; }
    for t in "${TIERS[@]}"; do echo "nsd-$t pid $(cat "$RUN/nsd-$t/nsd.pid")"; done
    echo "auth servers answering on $P.0.x (root), $P.1.x (TLDs), $P.2.1-8 (SLDs)" ;;
  stop-one)
    t=$2; alive "$t" || exit 0
    pid=$(cat "$RUN/nsd-$t/nsd.pid"); kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$RUN/nsd-$t/nsd.pid" ;;
  stop) for t in "${TIERS[@]}"; do "$0" stop-one "$t"; done ;;
  status) for t in "${TIERS[@]}"; do if alive "$t"; then echo "nsd-$t running"; else echo "nsd-$t stopped"; fi; done
          answering && echo answering ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
