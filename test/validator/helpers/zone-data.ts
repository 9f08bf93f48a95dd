// Test helpers for the validator: signed zones as SignedRRsets, the records an authoritative
// server would put in a proof, mutations that break one thing at a time, and keysFor tables.
import { readFileSync } from 'node:fs';
import { RRType } from '../../../src/wire/constants.js';
import { Name, compareNames } from '../../../src/wire/name.js';
import { decodeTyped } from '../../../src/wire/rdata.js';
import type { ResourceRecord, RRset } from '../../../src/wire/record.js';
import { parseZoneText } from '../../../src/zone/parser.js';
import { nsec3Hash } from '../../../src/dnssec/nsec3-hash.js';
import { base32hexEncode } from '../../../src/wire/base32hex.js';
import type { SignedRRset, ZoneKeySet } from '../../../src/dnssec/rrset-validator.js';
import { groupSigned, type KeysFor, type ResponseToValidate, type ZoneStatus } from '../../../src/dnssec/response-validator.js';
import type { TrustPoint } from '../../../src/dnssec/key-validator.js';

export const VECTORS = new URL('../../vectors/zones/', import.meta.url).pathname;

/** 2025-06-01T00:00:00Z: inside the vectors' validity (2024-01-01 .. 2037-01-01). */
export const NOW = Date.UTC(2025, 5, 1) / 1000;

/** A signed zone loaded from text, with lookups by presentation name. */
export class SignedZone {
  readonly origin: Name;
  readonly records: readonly ResourceRecord[];
  readonly sets: readonly SignedRRset[];
  readonly ds: readonly Uint8Array[];

  constructor(origin: Name, records: readonly ResourceRecord[], ds: readonly Uint8Array[]) {
    this.origin = origin;
    this.records = records;
    this.sets = groupSigned(records);
    this.ds = ds;
  }

  static fromText(text: string, origin: string, dssetText?: string): SignedZone {
    const o = Name.parse(origin);
    const z = parseZoneText(text, { origin: o });
    const ds: Uint8Array[] = [];
    if (dssetText !== undefined) {
      for (const r of parseZoneText(dssetText, { origin: o, defaultTtl: 3600 }).records) if (r.type === RRType.DS) ds.push(r.rdata);
    }
    return new SignedZone(o, z.records, ds);
  }

  static fromFiles(zoneFile: string, origin: string, dssetFile?: string): SignedZone {
    return SignedZone.fromText(
      readFileSync(zoneFile, 'utf8'),
      origin,
      dssetFile === undefined ? undefined : readFileSync(dssetFile, 'utf8'),
    );
  }

  name(text: string): Name {
    return Name.parse(text, this.origin);
  }

  maybe(name: string | Name, type: number): SignedRRset | undefined {
    const n = typeof name === 'string' ? this.name(name) : name;
    return this.sets.find((s) => s.rrset.name.equals(n) && s.rrset.type === type);
  }

  get(name: string | Name, type: number): SignedRRset {
    const s = this.maybe(name, type);
    if (s === undefined) throw new Error(`no ${type} RRset at ${String(name)} in ${this.origin.toString()}`);
    return s;
  }

  dnskeys(): SignedRRset {
    return this.get('@', RRType.DNSKEY);
  }

  trust(): TrustPoint {
    return { zone: this.origin, ds: this.ds };
  }

  /** The NSEC RRset whose span contains `name` (owner < name < next, or owner == name). */
  nsecFor(name: string | Name): SignedRRset {
    const n = typeof name === 'string' ? this.name(name) : name;
    const nsecs = this.sets.filter((s) => s.rrset.type === RRType.NSEC).sort((a, b) => compareNames(a.rrset.name, b.rrset.name));
    let best = nsecs[nsecs.length - 1]!;
    for (const s of nsecs) if (compareNames(s.rrset.name, n) <= 0) best = s;
    return best;
  }

  private nsec3Params(): { salt: Uint8Array; iterations: number } {
    const p = decodeTyped(RRType.NSEC3PARAM, this.get('@', RRType.NSEC3PARAM).rrset.rdatas[0]!);
    return { salt: p.salt, iterations: p.iterations };
  }

  /** Hash label (lower-case base32hex) of a name under the zone's NSEC3 parameters. */
  hashLabel(name: string | Name): string {
    const n = typeof name === 'string' ? this.name(name) : name;
    const { salt, iterations } = this.nsec3Params();
    return base32hexEncode(nsec3Hash(n, salt, iterations), true);
  }

  /** The NSEC3 RRset matching `name`, or the one whose span covers its hash. */
  nsec3For(name: string | Name): SignedRRset {
    const h = this.hashLabel(name);
    const nsec3s = this.sets
      .filter((s) => s.rrset.type === RRType.NSEC3)
      .map((s) => ({ s, label: new TextDecoder().decode(s.rrset.name.label(0)).toLowerCase() }))
      .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    let best = nsec3s[nsec3s.length - 1]!;
    for (const x of nsec3s) if (x.label <= h) best = x;
    return best.s;
  }

  /** True when an NSEC3 owner equals the hash of `name`. */
  hasNsec3Match(name: string | Name): boolean {
    const h = this.hashLabel(name);
    return this.sets.some((s) => s.rrset.type === RRType.NSEC3 && new TextDecoder().decode(s.rrset.name.label(0)).toLowerCase() === h);
  }
}

export function loadVector(file: string, dsset?: string): SignedZone {
  return SignedZone.fromFiles(VECTORS + file, 'example.', dsset === undefined ? undefined : VECTORS + dsset);
}

/** A response to validate. */
export function response(
  qname: Name,
  qtype: number,
  rcode: number,
  answer: readonly SignedRRset[],
  authority: readonly SignedRRset[] = [],
): ResponseToValidate {
  return { qname, qtype, rcode, answer, authority };
}

/** keysFor over a table of zone apexes: the deepest apex at or above the name answers. */
export function keysTable(entries: readonly (readonly [Name, ZoneStatus])[]): KeysFor {
  return (name) => {
    let best: readonly [Name, ZoneStatus] | undefined;
    for (const e of entries) {
      if (name.isSubdomainOf(e[0]) && (best === undefined || e[0].labelCount > best[0].labelCount)) best = e;
    }
    return best?.[1];
  };
}

export function secureZone(keys: ZoneKeySet): ZoneStatus {
  return { status: 'secure', keys };
}

// ---- Mutations -------------------------------------------------------------------------------

export interface RrsigEdit {
  readonly labels?: number;
  readonly originalTtl?: number;
  readonly expiration?: number;
  readonly inception?: number;
  readonly keyTag?: number;
  readonly algorithm?: number;
  readonly flipSignature?: boolean;
}

function u32(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

/** A copy of RRSIG RDATA with some fields changed (RFC 4034 §3.1 layout). */
export function editRrsig(rdata: Uint8Array, edit: RrsigEdit): Uint8Array {
  const b = rdata.slice();
  if (edit.algorithm !== undefined) b[2] = edit.algorithm;
  if (edit.labels !== undefined) b[3] = edit.labels;
  if (edit.originalTtl !== undefined) u32(b, 4, edit.originalTtl);
  if (edit.expiration !== undefined) u32(b, 8, edit.expiration);
  if (edit.inception !== undefined) u32(b, 12, edit.inception);
  if (edit.keyTag !== undefined) {
    b[16] = edit.keyTag >>> 8;
    b[17] = edit.keyTag & 0xff;
  }
  if (edit.flipSignature === true) b[b.length - 1]! ^= 0x01;
  return b;
}

export function withSigs(set: SignedRRset, rrsigs: readonly Uint8Array[]): SignedRRset {
  return { rrset: set.rrset, rrsigs };
}

export function stripSigs(set: SignedRRset): SignedRRset {
  return { rrset: set.rrset, rrsigs: [] };
}

export function editSigs(set: SignedRRset, edit: RrsigEdit): SignedRRset {
  return { rrset: set.rrset, rrsigs: set.rrsigs.map((r) => editRrsig(r, edit)) };
}

/** The same RRset and signatures under another owner name (as a wildcard expansion would be). */
export function renamed(set: SignedRRset, owner: Name): SignedRRset {
  const rrset: RRset = { ...set.rrset, name: owner };
  return { rrset, rrsigs: set.rrsigs };
}

/** Seconds since the epoch of a UTC date. */
export function utc(y: number, m: number, d: number): number {
  return Date.UTC(y, m - 1, d) / 1000;
}
