// Authenticating a zone's DNSKEY RRset (RFC 4035 §5.2) against the validated DS RRset from its
// parent, or against a configured trust anchor in DS or DNSKEY form (RFC 4033 §5, RFC 7958).
//
// 1. The DS records (or anchors) we can use: algorithm validated by the policy and the crypto
//    backend, digest type 1, 2 or 4 enabled by the policy. When a SHA-256 or SHA-384 DS is usable,
//    SHA-1 DS records are ignored (RFC 4509 §3, applied to the whole DS RRset as the RFC words it).
//    If nothing is usable the zone is insecure, not bogus (RFC 4035 §5.2, RFC 6840 §5.2): EDE 1
//    when no algorithm is supported, EDE 2 when algorithms are but no digest is.
//    The validator option `hardenAlgoDowngrade` changes this step and step 3 (Unbound's
//    harden-algo-downgrade): true keeps only the DS records of the strongest digest type (highest
//    number) and requires every algorithm they name, and every algorithm of the anchor DNSKEYs, to
//    have a designated key that signs the RRset (downgrade protection; RFC 6840 §5.11 says a
//    validator SHOULD NOT insist on this, hence off by default); false keeps every usable DS,
//    SHA-1 beside SHA-256 included (Unbound's lenient default).
// 2. The designated keys: DNSKEYs of the RRset whose tag, algorithm and digest match a usable DS
//    (ds.ts), or the anchor DNSKEYs themselves. A designated key must have the Zone Key flag
//    (else EDE 11), protocol 3, and no REVOKE flag (RFC 5011 §3).
// 3. The DNSKEY RRset must be signed by a designated key (self-signed: RFC 4035 §5.2 "the DNSKEY
//    RRset is signed by the key the DS points at"), checked with rrset-validator.ts rules. Signed by
//    another key of the RRset is not enough: that key is what needs authenticating.
// 4. Then every usable key of the RRset may validate the zone's data (ZoneKeySet).
//
// Work: designated keys that fail to validate the RRset count against `maxDsMatchFailures`
// (Unbound's MAX_DS_MATCH_FAILURES 4), and each signature check against the call's budget.
//
// Pure module: hashing through ds.ts, signature checks through the step protocol; no I/O, no clock.

import { RRType } from '../wire/constants.js';
import type { Name } from '../wire/name.js';
import { EdeTag } from './ede-tags.js';
import { dsDigestSupported, dsMatchesKey } from './ds.js';
import {
  ZoneKeySet,
  asBatch,
  isUsableZoneKey,
  parseDnskey,
  rrsetSteps,
  runSteps,
  runStepsAsync,
  type BatchSignatureVerifier,
  type SignatureVerifier,
  type SignedRRset,
  type Steps,
  type ValidationEnv,
  type ZoneKey,
  type ZoneStatus,
} from './rrset-validator.js';
import { reason, type VerdictReason } from './verdict.js';

/**
 * What a DNSKEY RRset is checked against: the validated DS RDATAs from the parent, or a trust
 * anchor's DS and/or DNSKEY RDATAs.
 */
export interface TrustPoint {
  readonly zone: Name;
  readonly ds: readonly Uint8Array[];
  /** Trust-anchor DNSKEY RDATAs (DNSKEY-form anchors); absent for a parent's DS. */
  readonly dnskeys?: readonly Uint8Array[];
}

export type KeyVerdict =
  | {
      readonly status: 'secure';
      readonly keys: ZoneKeySet;
      /** Capped TTL of the DNSKEY RRset (RFC 4035 §5.3.3). */
      readonly ttl: number;
      /** The designated key that signed the RRset. */
      readonly keyTag: number;
      readonly algorithm: number;
    }
  | { readonly status: 'insecure'; readonly reason?: VerdictReason }
  | { readonly status: 'bogus'; readonly reason: VerdictReason };

interface UsableDs {
  readonly rdata: Uint8Array;
  readonly tag: number;
  readonly algorithm: number;
  readonly digestType: number;
}

/** Validates a DNSKEY RRset (with its RRSIGs) against a trust point; `dnskeys` undefined when none came. */
export function* dnskeySteps(env: ValidationEnv, dnskeys: SignedRRset | undefined, trust: TrustPoint): Steps<KeyVerdict> {
  const zone = trust.zone;
  const facts = { owner: zone, type: RRType.DNSKEY };
  const policy = env.options.policy;

  // 1. Usable trust material.
  let usableDs: UsableDs[] = [];
  let algUnsupported = 0;
  let digestUnsupported = 0;
  for (const rdata of trust.ds) {
    if (rdata.length < 5) continue;
    const d = { rdata, tag: (rdata[0]! << 8) | rdata[1]!, algorithm: rdata[2]!, digestType: rdata[3]! };
    if (!env.canVerify(d.algorithm)) algUnsupported++;
    else if (!policy.validateDigests.has(d.digestType) || !dsDigestSupported(d.digestType)) digestUnsupported++;
    else usableDs.push(d);
  }
  const harden = env.options.hardenAlgoDowngrade;
  if (harden === true) {
    const strongest = Math.max(0, ...usableDs.map((d) => d.digestType));
    usableDs = usableDs.filter((d) => d.digestType === strongest);
  } else if (harden === undefined && usableDs.some((d) => d.digestType !== 1)) {
    usableDs = usableDs.filter((d) => d.digestType !== 1);
  }
  const anchors: ZoneKey[] = [];
  let anchorUnsupported = 0;
  for (const rdata of trust.dnskeys ?? []) {
    const k = parseDnskey(rdata);
    if (k === undefined) continue;
    if (env.canVerify(k.algorithm)) anchors.push(k);
    else anchorUnsupported++;
  }
  if (usableDs.length === 0 && anchors.length === 0) {
    if (digestUnsupported > 0) {
      return { status: 'insecure', reason: reason(EdeTag.DS_DIGEST_UNSUPPORTED, 'no DS with a supported digest type', facts) };
    }
    if (algUnsupported > 0) {
      return { status: 'insecure', reason: reason(EdeTag.DS_ALGORITHM_UNSUPPORTED, 'no DS with a validated algorithm', facts) };
    }
    if (anchorUnsupported > 0) {
      return { status: 'insecure', reason: reason(EdeTag.ANCHOR_ALGORITHM_UNSUPPORTED, 'no anchor with a validated algorithm', facts) };
    }
    // No DS and no anchor at all: the parent proved the delegation unsigned.
    return { status: 'insecure' };
  }

  // 2. The DNSKEY RRset and its designated keys.
  if (dnskeys === undefined || dnskeys.rrset.rdatas.length === 0) {
    return { status: 'bogus', reason: reason(EdeTag.DNSKEY_NONE, 'no DNSKEY RRset', facts) };
  }
  if (!dnskeys.rrset.name.equals(zone) || dnskeys.rrset.type !== RRType.DNSKEY) {
    return {
      status: 'bogus',
      reason: reason(EdeTag.DNSKEY_WRONG_OWNER, `DNSKEY RRset owned by ${dnskeys.rrset.name.toString()}`, facts),
    };
  }
  const keyset = ZoneKeySet.fromRdatas(zone, dnskeys.rrset.rdatas);
  const designated: ZoneKey[] = [];
  let lacksZoneBit: ZoneKey | undefined;
  const designate = (k: ZoneKey): void => {
    if (!isUsableZoneKey(k)) lacksZoneBit ??= k;
    else if (!designated.includes(k)) designated.push(k);
  };
  for (const d of usableDs) {
    for (const k of keyset.keys) {
      if (k.tag === d.tag && k.algorithm === d.algorithm && dsMatchesKey(d.rdata, zone, k.rdata)) designate(k);
    }
  }
  for (const a of anchors) designate(a);
  if (designated.length === 0) {
    if (lacksZoneBit !== undefined) {
      return {
        status: 'bogus',
        reason: reason(EdeTag.DNSKEY_NO_ZONE_BIT, 'the designated DNSKEY lacks the Zone Key flag, is revoked or not protocol 3', {
          ...facts,
          keyTag: lacksZoneBit.tag,
          algorithm: lacksZoneBit.algorithm,
        }),
      };
    }
    if (usableDs.length > 0) {
      return { status: 'bogus', reason: reason(EdeTag.DNSKEY_NO_DS_MATCH, 'no DNSKEY matches a usable DS', facts) };
    }
    return { status: 'bogus', reason: reason(EdeTag.DNSKEY_NO_ANCHOR_MATCH, 'no DNSKEY matches the trust anchor', facts) };
  }

  // 3. Self-signature by a designated key (with hardenAlgoDowngrade: one per needed algorithm).
  const needed = new Set<number>(harden === true ? [...usableDs.map((d) => d.algorithm), ...anchors.map((a) => a.algorithm)] : []);
  const signedBy = new Set<number>();
  let secure: { ttl: number; key: ZoneKey } | undefined;
  let failures = 0;
  let first: VerdictReason | undefined;
  for (const k of designated) {
    if (needed.size > 0 && signedBy.has(k.algorithm)) continue;
    if (failures >= env.options.budget.maxDsMatchFailures) {
      env.meter.trip('maxDsMatchFailures', zone);
      return {
        status: 'bogus',
        reason: reason(EdeTag.BUDGET_DS_MATCH, `${failures} designated keys failed`, { ...facts, bound: 'maxDsMatchFailures' }),
      };
    }
    const v = yield* rrsetSteps(env, dnskeys, new ZoneKeySet(zone, [k]));
    if (v.status === 'secure') {
      secure ??= { ttl: v.ttl, key: k };
      signedBy.add(k.algorithm);
      if ([...needed].every((a) => signedBy.has(a))) {
        return { status: 'secure', keys: keyset, ttl: secure.ttl, keyTag: secure.key.tag, algorithm: secure.key.algorithm };
      }
      continue;
    }
    if (v.reason.bound === 'maxValidationsPerResponse' || v.reason.bound === 'maxValidationFailuresPerResponse') return v;
    first ??= v.reason;
    failures++;
  }
  if (secure !== undefined) {
    const missing = [...needed].filter((a) => !signedBy.has(a)).sort((a, b) => a - b);
    return {
      status: 'bogus',
      reason: reason(EdeTag.DNSKEY_ALGORITHM_MISSING, `no designated key of algorithm ${missing.join(', ')} signs the DNSKEY RRset`, facts),
    };
  }
  // `designated` is not empty, so some key failed and left its reason.
  return { status: 'bogus', reason: first! };
}

/** Validates a DNSKEY RRset synchronously. */
export function validateDnskeys(
  env: ValidationEnv,
  dnskeys: SignedRRset | undefined,
  trust: TrustPoint,
  verifier: SignatureVerifier,
): KeyVerdict {
  return runSteps(asBatch(dnskeySteps(env, dnskeys, trust)), verifier);
}

/** Validates a DNSKEY RRset with a batching backend. */
export function validateDnskeysAsync(
  env: ValidationEnv,
  dnskeys: SignedRRset | undefined,
  trust: TrustPoint,
  verifier: BatchSignatureVerifier,
): Promise<KeyVerdict> {
  return runStepsAsync(asBatch(dnskeySteps(env, dnskeys, trust)), verifier);
}

/** The zone status a key verdict gives, as the response validator's `keysFor` answers it. */
export function zoneStatusOf(v: KeyVerdict): ZoneStatus {
  switch (v.status) {
    case 'secure':
      return { status: 'secure', keys: v.keys };
    case 'insecure':
      return v.reason === undefined ? { status: 'insecure' } : { status: 'insecure', reason: v.reason };
    case 'bogus':
      return { status: 'bogus', reason: v.reason };
  }
}
