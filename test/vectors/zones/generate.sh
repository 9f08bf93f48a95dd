#!/bin/sh
# Regenerates the BIND-signed vector zones from example.zone with the keys under keys/<algorithm>/
# (creating the keys first if they are missing). Needs BIND 9 tools: `npm run test:setup`.
# Signatures: inception 2024-01-01, expiration 2037-01-01 (far future for known-answer tests).
set -eu
cd "$(dirname "$0")"

keys() {
  alg=$1
  dir=keys/$alg
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    extra=''
    [ "$alg" = RSASHA256 ] && extra='-b 2048'
    # shellcheck disable=SC2086
    dnssec-keygen -q -K "$dir" -a "$alg" $extra -f KSK example. >/dev/null
    # shellcheck disable=SC2086
    dnssec-keygen -q -K "$dir" -a "$alg" $extra example. >/dev/null
  fi
}

sign() {
  alg=$1
  out=$2
  shift 2
  keys "$alg"
  dnssec-signzone -q -K "keys/$alg" -d "keys/$alg" -S -o example. -s 20240101000000 -e 20370101000000 -f "$out" "$@" example.zone >/dev/null
  named-checkzone -q example. "$out"
}

sign ECDSAP256SHA256 example.ecdsap256sha256-nsec.signed
sign RSASHA256 example.rsasha256-nsec3.signed -3 - -H 0
sign ED25519 example.ed25519-nsec3-salt-optout.signed -3 AABBCCDD -H 1 -A
