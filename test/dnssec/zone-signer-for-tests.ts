// A small, independent zone signer used only by the zone-verify tests: it builds NSEC or NSEC3
// chains and RRSIGs with node:crypto (Ed25519 and ECDSA P-256), so the tests can make exact
// zones and break them one record at a time. It shares only signedData() and the NSEC3 hash with
// the code under test; the BIND interop tests cover those from the outside.

import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { RRType } from '../../src/wire/constants.js';
import { compareNames, type Name } from '../../src/wire/name.js';
import { encodeRdata } from '../../src/wire/rdata.js';
import { compareBytes, type ResourceRecord, type RRset } from '../../src/wire/record.js';
import { parseZoneText } from '../../src/zone/parser.js';
import { signedData } from '../../src/dnssec/canonical.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import { nsec3Hash, nsec3OwnerName } from '../../src/dnssec/nsec3-hash.js';

export interface TestKey {
  readonly flags: number;
  readonly algorithm: 13 | 15;
  readonly privateKey: KeyObject;
  readonly rdata: Uint8Array;
  readonly tag: number;
}

/** A fresh zone key: Ed25519 (15) or ECDSA P-256 (13). flags 257 = KSK, 256 = ZSK. */
export function makeKey(flags: number, algorithm: 13 | 15 = 15): TestKey {
  const { privateKey, publicKey } =
    algorithm === 15 ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const raw =
    algorithm === 15
      ? Buffer.from(jwk.x!, 'base64url')
      : Buffer.concat([Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  const rdata = Uint8Array.from([flags >>> 8, flags & 0xff, 3, algorithm, ...raw]);
  return { flags, algorithm, privateKey, rdata, tag: keyTag(rdata) };
}

export interface SigOptions {
  readonly inception: number;
  readonly expiration: number;
  readonly labels?: number;
  readonly originalTtl?: number;
  readonly signer?: Name;
}

/** The RRSIG RDATA over `set` by `key`. */
export function rrsigFor(set: RRset, key: TestKey, origin: Name, o: SigOptions): Uint8Array {
  const labels = o.labels ?? set.name.labelCount - (set.name.isWildcard() ? 1 : 0);
  const fields = {
    typeCovered: set.type,
    algorithm: key.algorithm,
    labels,
    originalTtl: o.originalTtl ?? set.ttl,
    expiration: o.expiration >>> 0,
    inception: o.inception >>> 0,
    keyTag: key.tag,
    signerName: o.signer ?? origin,
  };
  const unsigned = encodeRdata(RRType.RRSIG, { ...fields, signature: new Uint8Array(0) });
  const data = signedData(unsigned, set);
  const sig =
    key.algorithm === 15 ? sign(null, data, key.privateKey) : sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return encodeRdata(RRType.RRSIG, { ...fields, signature: new Uint8Array(sig) });
}

export interface BuildOptions {
  readonly origin: Name;
  /** Keys that sign the DNSKEY RRset. */
  readonly ksks: readonly TestKey[];
  /** Keys that sign everything else. */
  readonly zsks: readonly TestKey[];
  /** Extra DNSKEYs published but signing nothing. */
  readonly standby?: readonly TestKey[];
  readonly denial: 'nsec' | 'nsec3';
  readonly salt?: Uint8Array;
  readonly iterations?: number;
  readonly optOut?: boolean;
  readonly inception: number;
  readonly expiration: number;
}

interface Group {
  name: Name;
  sets: Map<number, RRset>;
}

/** Signs the unsigned zone `text` (master-file syntax relative to `origin`). */
export function buildSignedZone(text: string, o: BuildOptions): ResourceRecord[] {
  const parsed = parseZoneText(text, { origin: o.origin }).records;
  const keys = [...o.ksks, ...o.zsks, ...(o.standby ?? [])];
  const soa = parsed.find((r) => r.type === RRType.SOA)!;
  const minimum = new DataView(soa.rdata.buffer, soa.rdata.byteOffset + soa.rdata.length - 4, 4).getUint32(0);
  const records: ResourceRecord[] = [...parsed];
  for (const k of keys) records.push({ name: o.origin, type: RRType.DNSKEY, class: 1, ttl: 3600, rdata: k.rdata });

  const groups = new Map<string, Group>();
  for (const r of records) {
    let g = groups.get(r.name.key);
    if (g === undefined) groups.set(r.name.key, (g = { name: r.name, sets: new Map() }));
    const s = g.sets.get(r.type);
    if (s === undefined) g.sets.set(r.type, { name: r.name, type: r.type, class: 1, ttl: r.ttl, rdatas: [r.rdata] });
    else (s.rdatas as Uint8Array[]).push(r.rdata);
  }
  const sorted = [...groups.values()].sort((a, b) => compareNames(a.name, b.name));
  const kind = new Map<string, 'apex' | 'delegation' | 'normal'>();
  let cut: Name | undefined;
  for (const g of sorted) {
    if (g.name.equals(o.origin)) {
      kind.set(g.name.key, 'apex');
      continue;
    }
    if (cut !== undefined && g.name.isSubdomainOf(cut)) continue;
    cut = undefined;
    if (g.sets.has(RRType.NS)) {
      kind.set(g.name.key, 'delegation');
      cut = g.name;
    } else {
      if (g.sets.has(RRType.DNAME)) cut = g.name;
      kind.set(g.name.key, 'normal');
    }
  }
  const auth = sorted.filter((g) => kind.has(g.name.key));
  const atCut = (t: number): boolean => t === RRType.NS || t === RRType.DS;
  const out: ResourceRecord[] = [...records];
  const toSign: RRset[] = [];
  const sigOpts = { inception: o.inception, expiration: o.expiration };

  if (o.denial === 'nsec') {
    auth.forEach((g, i) => {
      const next = auth[(i + 1) % auth.length]!.name;
      const k = kind.get(g.name.key);
      const types = [RRType.RRSIG, RRType.NSEC, ...[...g.sets.keys()].filter((t) => k !== 'delegation' || atCut(t))];
      const rdata = encodeRdata(RRType.NSEC, { next, types });
      out.push({ name: g.name, type: RRType.NSEC, class: 1, ttl: minimum, rdata });
      toSign.push({ name: g.name, type: RRType.NSEC, class: 1, ttl: minimum, rdatas: [rdata] });
    });
  } else {
    const salt = o.salt ?? new Uint8Array(0);
    const iterations = o.iterations ?? 0;
    const param = encodeRdata(RRType.NSEC3PARAM, { hashAlgorithm: 1, flags: 0, iterations, salt });
    out.push({ name: o.origin, type: RRType.NSEC3PARAM, class: 1, ttl: 0, rdata: param });
    auth.find((g) => g.name.equals(o.origin))!.sets.set(RRType.NSEC3PARAM, { name: o.origin, type: RRType.NSEC3PARAM, class: 1, ttl: 0, rdatas: [param] });
    // Names to hash, with their bitmaps; opt-out drops insecure delegations and ENTs above only those.
    const entries = new Map<string, { name: Name; types: number[]; skip: boolean }>();
    for (const g of auth) {
      const k = kind.get(g.name.key);
      const insecure = k === 'delegation' && !g.sets.has(RRType.DS);
      const types = [...g.sets.keys()].filter((t) => k !== 'delegation' || atCut(t));
      if (!insecure) types.push(RRType.RRSIG);
      entries.set(g.name.key, { name: g.name, types, skip: insecure && o.optOut === true });
      if (g.name.equals(o.origin)) continue;
      for (let p = g.name.parent(); p !== undefined && !p.equals(o.origin); p = p.parent()) {
        if (groups.has(p.key)) break;
        const e = entries.get(p.key);
        if (e === undefined) entries.set(p.key, { name: p, types: [], skip: insecure && o.optOut === true });
        else if (!insecure) e.skip = false;
      }
    }
    const hashed = [...entries.values()]
      .filter((e) => !e.skip)
      .map((e) => ({ ...e, hash: nsec3Hash(e.name, salt, iterations) }))
      .sort((a, b) => compareBytes(a.hash, b.hash));
    hashed.forEach((e, i) => {
      const next = hashed[(i + 1) % hashed.length]!.hash;
      const owner = nsec3OwnerName(e.hash, o.origin);
      const rdata = encodeRdata(RRType.NSEC3, { hashAlgorithm: 1, flags: o.optOut === true ? 1 : 0, iterations, salt, nextHashed: next, types: e.types });
      out.push({ name: owner, type: RRType.NSEC3, class: 1, ttl: minimum, rdata });
      toSign.push({ name: owner, type: RRType.NSEC3, class: 1, ttl: minimum, rdatas: [rdata] });
    });
  }

  for (const g of auth) {
    const k = kind.get(g.name.key);
    for (const set of g.sets.values()) {
      if (k === 'delegation' && set.type !== RRType.DS) continue;
      toSign.push(set);
    }
  }
  for (const set of toSign) {
    const signers = set.type === RRType.DNSKEY ? o.ksks : o.zsks;
    for (const key of signers) {
      out.push({ name: set.name, type: RRType.RRSIG, class: 1, ttl: set.ttl, rdata: rrsigFor(set, key, o.origin, sigOpts) });
    }
  }
  return out;
}

/** The RRSIG records at `owner` covering `type`. */
export function isSigFor(r: ResourceRecord, owner: Name, type: number): boolean {
  return r.type === RRType.RRSIG && r.name.equals(owner) && ((r.rdata[0]! << 8) | r.rdata[1]!) === type;
}
