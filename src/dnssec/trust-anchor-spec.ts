// Configured trust anchors in wire form (RFC 4033 §5; BIND's trust-anchors semantics): entries
// of `static-key`, `static-ds`, `initial-key`, `initial-ds` with the name and RDATA as text
// (config/trust-anchors.ts reads them from YAML or BIND syntax) become DNSKEY or DS RDATA, and are
// grouped per name into
// - static trust points: used as they are, forever (TrustPoint for the validator);
// - managed trust points: RFC 5011 (rfc5011.ts) starts from them when it has no saved state.
// A name's entries must all be static or all initial (BIND rejects the mix: a static anchor would
// silently override what RFC 5011 learns). Checks: DNSKEY protocol 3 (RFC 4034 §2.1.2), Zone Key
// flag set and REVOKE clear for an anchor, DS digest length right for SHA-1/256/384 (RFC 4034
// §5.1.4, RFC 4509, RFC 6605), base64/hex well-formed, name well-formed.
//
// Pure module: no I/O, no clock.

import { AnchordError, ErrorCode } from '../core/errors.js';
import { Name } from '../wire/name.js';
import { base64ToBytes, hexToBytes } from '../wire/rdata-text.js';
import { bytesEqual } from '../wire/record.js';
import { dsDigestLength } from './ds.js';
import type { TrustPoint } from './key-validator.js';
import type { InitialAnchor } from './rfc5011.js';
import { DnskeyFlag } from './rrset-validator.js';

export type AnchorType = 'static-key' | 'static-ds' | 'initial-key' | 'initial-ds';

/** An anchor as configuration gives it (config/trust-anchors.ts RawTrustAnchor has this shape). */
export interface AnchorText {
  readonly name: string;
  readonly type: AnchorType;
  readonly rdata: string;
  /** Where it came from, for messages (`file:line`). */
  readonly where?: string;
}

export interface ConfiguredAnchor {
  readonly zone: Name;
  readonly type: AnchorType;
  /** DNSKEY RDATA (`*-key`) or DS RDATA (`*-ds`). */
  readonly rdata: Uint8Array;
}

export interface ManagedTrustPoint {
  readonly zone: Name;
  readonly anchors: readonly InitialAnchor[];
}

export interface AnchorSet {
  readonly statics: readonly TrustPoint[];
  readonly managed: readonly ManagedTrustPoint[];
}

function fail(a: AnchorText, message: string): never {
  throw new AnchordError(ErrorCode.Config, `${a.where === undefined ? '' : `${a.where}: `}trust anchor ${a.name} ${a.type}: ${message}`);
}

function int(a: AnchorText, text: string | undefined, what: string, max: number): number {
  if (text === undefined || !/^[0-9]{1,5}$/.test(text) || Number(text) > max) fail(a, `${what} must be an integer 0..${max}, got "${text ?? ''}"`);
  return Number(text);
}

/** Turns one textual anchor into wire form. Throws AnchordError (ERR_CONFIG). */
export function parseAnchor(a: AnchorText): ConfiguredAnchor {
  let zone: Name;
  try {
    zone = Name.parse(a.name.endsWith('.') ? a.name : `${a.name}.`);
  } catch (e) {
    fail(a, `bad name: ${(e as Error).message}`);
  }
  const f = a.rdata.trim().split(/\s+/);
  if (a.type === 'static-key' || a.type === 'initial-key') {
    const flags = int(a, f[0], 'flags', 65535);
    const protocol = int(a, f[1], 'protocol', 255);
    const algorithm = int(a, f[2], 'algorithm', 255);
    if (protocol !== 3) fail(a, `protocol must be 3 (RFC 4034 §2.1.2), got ${protocol}`);
    if ((flags & DnskeyFlag.ZONE) === 0) fail(a, 'the key lacks the Zone Key flag (256)');
    if ((flags & DnskeyFlag.REVOKE) !== 0) fail(a, 'the key has the REVOKE flag (RFC 5011 §3): it cannot be an anchor');
    let key: Uint8Array;
    try {
      key = base64ToBytes(f.slice(3).join(''));
    } catch (e) {
      fail(a, `public key: ${(e as Error).message}`);
    }
    if (key.length === 0) fail(a, 'no public key');
    const rdata = new Uint8Array(4 + key.length);
    rdata[0] = flags >>> 8;
    rdata[1] = flags & 0xff;
    rdata[2] = protocol;
    rdata[3] = algorithm;
    rdata.set(key, 4);
    return { zone, type: a.type, rdata };
  }
  const tag = int(a, f[0], 'key tag', 65535);
  const algorithm = int(a, f[1], 'algorithm', 255);
  const digestType = int(a, f[2], 'digest type', 255);
  const hex = f.slice(3).join('');
  if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length % 2 !== 0) fail(a, 'the digest is not hexadecimal');
  const digest = hexToBytes(hex);
  const want = dsDigestLength(digestType);
  if (want !== undefined && digest.length !== want) fail(a, `digest of ${digest.length} octets for digest type ${digestType} (want ${want})`);
  const rdata = new Uint8Array(4 + digest.length);
  rdata[0] = tag >>> 8;
  rdata[1] = tag & 0xff;
  rdata[2] = algorithm;
  rdata[3] = digestType;
  rdata.set(digest, 4);
  return { zone, type: a.type, rdata };
}

/** Groups parsed anchors per name into static and managed trust points (module header). */
export function groupAnchors(list: readonly ConfiguredAnchor[]): AnchorSet {
  const byZone = new Map<string, { zone: Name; items: ConfiguredAnchor[] }>();
  for (const a of list) {
    let e = byZone.get(a.zone.key);
    if (e === undefined) byZone.set(a.zone.key, (e = { zone: a.zone, items: [] }));
    if (!e.items.some((x) => x.type === a.type && bytesEqual(x.rdata, a.rdata))) e.items.push(a);
  }
  const statics: TrustPoint[] = [];
  const managed: ManagedTrustPoint[] = [];
  for (const { zone, items } of byZone.values()) {
    const initial = items.filter((a) => a.type === 'initial-key' || a.type === 'initial-ds');
    if (initial.length > 0 && initial.length < items.length) {
      throw new AnchordError(
        ErrorCode.Config,
        `trust anchors for ${zone.toString()} mix static and initial entries; use one kind per name`,
      );
    }
    if (initial.length > 0) {
      managed.push({ zone, anchors: initial.map((a) => ({ type: a.type as InitialAnchor['type'], rdata: a.rdata })) });
      continue;
    }
    const ds = items.filter((a) => a.type === 'static-ds').map((a) => a.rdata);
    const dnskeys = items.filter((a) => a.type === 'static-key').map((a) => a.rdata);
    statics.push(dnskeys.length > 0 ? { zone, ds, dnskeys } : { zone, ds });
  }
  return { statics, managed };
}

/** Parses and groups textual anchors. Throws AnchordError (ERR_CONFIG) naming the bad entry. */
export function anchorSetFromText(list: readonly AnchorText[]): AnchorSet {
  return groupAnchors(list.map(parseAnchor));
}
