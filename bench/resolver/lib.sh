# bench/resolver/lib.sh - sourced by run.sh and check.sh: prerequisites, the anchord build under test,
# and start/stop/version for each resolver (anchord unbound bind bns echo), 1 thread each, every start
# a fresh process with an empty cache. Expects RES=(names...) set by the caller; sets PID on start.
# ANCHORD_BUILD=head (default) builds the committed HEAD into $RUN/anchord-snap, so uncommitted work of
# others in the tree does not leak into a measurement; ANCHORD_BUILD=dist runs the tree's dist/ as is.
# ANCHORD_REV builds that commit instead of HEAD. ANCHORD_NODE_OPTS adds node flags (e.g. --cpu-prof) to
# the anchord process. ANCHORD_CRYPTO_WORKERS=N runs anchord with the YAML config `crypto: {workers: N}`
# (0: signatures verified inline on the one resolver thread; unset: anchord's default, inline).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd); REPO=$(cd "$HERE/../.." && pwd)
WORLD=${WORLD:-/tmp/anchord-bench/world}; RUN=${RUN:-/tmp/anchord-bench/run}
ANCHORD_BUILD=${ANCHORD_BUILD:-head}   # head: build the committed HEAD in $RUN; dist: the working tree's dist/
Q=$WORLD/queries
ADDR=127.0.0.1   # BIND binds only addresses configured on an interface; lo carries 127.0.0.1 only
declare -A PORT=([anchord]=5341 [unbound]=5342 [bind]=5343 [bns]=5344 [echo]=5345)
for r in "${RES[@]}"; do [ -n "${PORT[$r]:-}" ] || { echo "unknown resolver $r (anchord unbound bind bns echo)" >&2; exit 2; }; done

# ---------------- prerequisites ----------------
need=(); for c in dnsperf:dnsperf dig:bind9-dnsutils unbound:unbound named:bind9 nsd:nsd; do
  command -v "${c%%:*}" >/dev/null || [ -x "/usr/sbin/${c%%:*}" ] || need+=("${c#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [[ " ${RES[*]} " == *" bns "* ]] && [ ! -f "$HERE/peers/node_modules/bns/package.json" ]; then
  (cd "$HERE/peers" && npm ci --no-audit --no-fund --silent && npm rebuild bcrypto --silent)   # bcrypto: native crypto
fi
[ -f "$Q/mem.txt" ] || "$REPO/bench/world/make-world.sh"
"$REPO/bench/world/auth.sh" start >/dev/null
mkdir -p "$RUN/js"

# anchord under test: a clean build of the committed HEAD (other work in the tree does not leak in), or dist/
SNAP=$RUN/anchord-snap
if [ "$ANCHORD_BUILD" = head ]; then
  rev=$(git -C "$REPO" rev-parse "${ANCHORD_REV:-HEAD}")
  if [ "$(cat "$SNAP/REV" 2>/dev/null)" != "$rev" ]; then
    rm -rf "$SNAP"; mkdir -p "$SNAP"
    # native/ and its build script exist from 28fbba4 on (the N-API verifier): built here as npm ci
    # builds it, so the snapshot verifies as an installed anchord does (it logs any fallback).
    extra=(); for f in native scripts/build-native.mjs; do git -C "$REPO" cat-file -e "$rev:$f" 2>/dev/null && extra+=("$f"); done
    git -C "$REPO" archive "$rev" src bin package.json tsconfig.json tsconfig.build.json "${extra[@]}" | tar -x -C "$SNAP"
    ln -s "$REPO/node_modules" "$SNAP/node_modules"
    (cd "$SNAP" && "$REPO/node_modules/.bin/tsc" -p tsconfig.build.json)
    if [ -f "$SNAP/scripts/build-native.mjs" ]; then (cd "$SNAP" && node scripts/build-native.mjs) || true; fi
    echo "$rev" > "$SNAP/REV"
  fi
  ANCHORD_VERSION="anchord $(git -C "$REPO" rev-parse --short "$rev")"
else
  SNAP=$REPO; ANCHORD_VERSION="anchord $(git -C "$REPO" rev-parse --short HEAD)+worktree-dist"
fi
# the echo and bns servers are TypeScript: strip types once with tsc (no loader in the measured process)
"$REPO/node_modules/.bin/tsc" --ignoreConfig --outDir "$RUN/js" --rootDir "$HERE/servers" --target es2022 --module nodenext \
  --moduleResolution nodenext --types node --skipLibCheck "$HERE"/servers/*.ts
echo '{"type":"module"}' > "$RUN/js/package.json"
ANCHORD_ARGS=()
if [ -n "${ANCHORD_CRYPTO_WORKERS:-}" ]; then
  printf 'crypto:\n  workers: %d\n' "$ANCHORD_CRYPTO_WORKERS" > "$RUN/anchord-config.yaml"
  ANCHORD_ARGS=(--config "$RUN/anchord-config.yaml"); ANCHORD_VERSION="$ANCHORD_VERSION (crypto.workers $ANCHORD_CRYPTO_WORKERS)"
fi

# ---------------- resolvers ----------------
PID=
start() {  # start NAME: fresh process, empty cache; sets PID; waits until it answers
  local r=$1 d=$RUN/$1 port=${PORT[$1]}; rm -rf "$d"; mkdir -p "$d"
  if ss -Hlnu "src $ADDR:$port" | grep -q .; then echo "ERROR: $ADDR:$port busy" >&2; exit 1; fi
  case $r in
    anchord) node ${ANCHORD_NODE_OPTS:-} "$SNAP/bin/anchord.js" serve --listen "$ADDR:$port" --root-hints "$WORLD/root.hints" \
               --trust-anchor-file "$WORLD/root.ds" --threads 1 "${ANCHORD_ARGS[@]}" > "$d/out.log" 2>&1 & PID=$! ;;
    unbound) cat > "$d/unbound.conf" <<EOF
server:
  interface: $ADDR
  port: $port
  access-control: 127.0.0.0/8 allow
  num-threads: 1
  username: ""
  chroot: ""
  directory: "$d"
  pidfile: ""
  logfile: "$d/unbound.log"
  use-syslog: no
  verbosity: 1
  val-log-level: 2
  ede: yes
  do-ip6: no
  do-not-query-localhost: no
  local-zone: "test." nodefault
  root-hints: "$WORLD/root.hints"
  trust-anchor-file: "$WORLD/root.ds"
  msg-cache-size: 128m
  rrset-cache-size: 256m
remote-control:
  control-enable: no
EOF
             unbound -d -c "$d/unbound.conf" > "$d/out.log" 2>&1 & PID=$! ;;
    bind)    cat > "$d/named.conf" <<EOF
options {
  directory "$d";
  pid-file none;
  session-keyfile none;
  listen-on port $port { $ADDR; };
  listen-on-v6 { none; };
  recursion yes;
  allow-query { 127.0.0.0/8; };
  allow-recursion { 127.0.0.0/8; };
  dnssec-validation yes;
  max-cache-size 256m;
  recursive-clients 10000;
  notify no;
};
controls { };
logging { channel f { file "$d/named.log"; print-time yes; severity info; }; category default { f; }; category lame-servers { null; }; };
include "$WORLD/bind-trust-anchors.conf";
zone "." { type hint; file "$WORLD/root.hints"; };
EOF
             named -f -4 -n 1 -c "$d/named.conf" > "$d/out.log" 2>&1 & PID=$! ;;
    bns)     node "$RUN/js/bns-server.js" "$ADDR" "$port" "$WORLD/root.hints" "$WORLD/root.ds" "$HERE/peers" > "$d/out.log" 2>&1 & PID=$! ;;
    echo)    node "$RUN/js/echo-server.js" "$ADDR" "$port" > "$d/out.log" 2>&1 & PID=$! ;;
  esac
  for _ in $(seq 150); do   # ready = answers the root SOA (priming, not a full validation walk)
    dig +time=1 +tries=1 -p "$port" @"$ADDR" . SOA 2>/dev/null | grep -q 'status: NOERROR' && return 0
    kill -0 "$PID" 2>/dev/null || break; sleep 0.2
  done
  echo "ERROR: $r did not come up; log: $d/out.log" >&2; tail -5 "$d/out.log" >&2; exit 1
}
stop() {
  [ -n "$PID" ] || return 0; kill "$PID" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$PID" 2>/dev/null && kill -9 "$PID"; wait "$PID" 2>/dev/null || true; PID=
}
trap stop EXIT
version() {
  case $1 in
    anchord) echo "$ANCHORD_VERSION" ;;
    unbound) unbound -V | awk '/^Version/ {print "Unbound " $2}' ;;
    bind)    named -v | awk '{print "BIND " $2}' ;;
    bns)     echo "bns $(node -p "require('$HERE/peers/node_modules/bns/package.json').version")" ;;
    echo)    echo "node:dgram echo ($(node -v))" ;;
  esac
}

