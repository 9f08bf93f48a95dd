// Builders for cache tests: names, RRsets, signed RRsets, SOA/NSEC/NSEC3/RRSIG RDATA, and raw
// query/response messages written with the wire writer.
import { RRClass, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { encodeRdata, encodeTypeBitmap } from '../../src/wire/rdata.js';
import type { RRset } from '../../src/wire/record.js';
import { WireWriter } from '../../src/wire/writer.js';
import type { SignedRRset } from '../../src/cache/types.js';

/** A fixed "now": 2024-01-01T00:00:00Z. */
export const T0 = Date.UTC(2024, 0, 1);
export const T0_SEC = Math.floor(T0 / 1000);

export const n = (text: string): Name => Name.parse(text);

export function rrset(name: string, type: number, ttl: number, rdatas: readonly Uint8Array[]): RRset {
  return { name: n(name), type, class: RRClass.IN, ttl, rdatas };
}

export function a(...addresses: string[]): Uint8Array[] {
  return addresses.map((address) => encodeRdata(RRType.A, { address }));
}

export function rrsig(covered: number, signer: string, expiration: number, inception = T0_SEC - 86400, originalTtl = 3600): Uint8Array {
  return encodeRdata(RRType.RRSIG, {
    typeCovered: covered,
    algorithm: 13,
    labels: n(signer).labelCount,
    originalTtl,
    expiration,
    inception,
    keyTag: 12345,
    signerName: n(signer),
    signature: new Uint8Array(64).fill(7),
  });
}

/** A signed RRset whose RRSIG expires a week after T0 unless told otherwise; Original TTL = its TTL. */
export function signed(set: RRset, signer: string, expiration = T0_SEC + 7 * 86400): SignedRRset {
  return { rrset: set, rrsigs: [rrsig(set.type, signer, expiration, T0_SEC - 86400, set.ttl)] };
}

/** The same signed RRset with its RRSIG expiration set to `expiration` (seconds). */
export function withSigExpiry(s: SignedRRset, expiration: number): SignedRRset {
  const rd = s.rrsigs[0]!.slice();
  rd[8] = expiration >>> 24;
  rd[9] = (expiration >>> 16) & 0xff;
  rd[10] = (expiration >>> 8) & 0xff;
  rd[11] = expiration & 0xff;
  return { ...s, rrsigs: [rd] };
}

export function unsigned(set: RRset): SignedRRset {
  return { rrset: set, rrsigs: [] };
}

export function soa(zone: string, ttl: number, minimum: number, serial = 1): SignedRRset {
  const rd = encodeRdata(RRType.SOA, {
    mname: n(`ns.${zone}`),
    rname: n(`hostmaster.${zone}`),
    serial,
    refresh: 3600,
    retry: 600,
    expire: 86400,
    minimum,
  });
  return signed(rrset(zone, RRType.SOA, ttl, [rd]), zone);
}

export function nsec(owner: string, next: string, types: number[], zone: string, ttl = 3600): SignedRRset {
  const rd = encodeRdata(RRType.NSEC, { next: n(next), types });
  return signed(rrset(owner, RRType.NSEC, ttl, [rd]), zone);
}

export function nsec3(ownerName: Name, nextHashed: Uint8Array, types: number[], zone: string, opts: { optOut?: boolean; flags?: number; iterations?: number; salt?: Uint8Array; ttl?: number } = {}): SignedRRset {
  const rd = encodeRdata(RRType.NSEC3, {
    hashAlgorithm: 1,
    flags: opts.flags ?? (opts.optOut === true ? 1 : 0),
    iterations: opts.iterations ?? 0,
    salt: opts.salt ?? new Uint8Array(0),
    nextHashed,
    types,
  });
  return signed({ name: ownerName, type: RRType.NSEC3, class: RRClass.IN, ttl: opts.ttl ?? 3600, rdatas: [rd] }, zone);
}

export { encodeTypeBitmap };

export interface QueryInit {
  id?: number;
  rd?: boolean;
  cd?: boolean;
  ad?: boolean;
  edns?: boolean;
  do?: boolean;
  udpSize?: number;
  options?: Uint8Array;
  class?: number;
}

/** A client query in wire form. */
export function query(qname: string, qtype: number, init: QueryInit = {}): Uint8Array {
  const w = new WireWriter();
  w.u16(init.id ?? 0x1234);
  w.u8(init.rd === false ? 0 : 0x01);
  w.u8((init.ad === true ? 0x20 : 0) | (init.cd === true ? 0x10 : 0));
  w.u16(1);
  w.u16(0);
  w.u16(0);
  w.u16(init.edns === true ? 1 : 0);
  w.name(n(qname), false);
  w.u16(qtype);
  w.u16(init.class ?? RRClass.IN);
  if (init.edns === true) {
    w.u8(0);
    w.u16(RRType.OPT);
    w.u16(init.udpSize ?? 1232);
    w.u8(0);
    w.u8(0);
    w.u16(init.do === true ? 0x8000 : 0);
    const opts = init.options ?? new Uint8Array(0);
    w.u16(opts.length);
    w.bytes(opts);
  }
  return w.finish();
}

export interface ResponseRecord {
  name: string;
  type: number;
  ttl: number;
  rdata: Uint8Array;
}

/** A response in wire form: header, question, answer and authority records (compressed), OPT. */
export function response(
  qname: string,
  qtype: number,
  init: { id?: number; rcode?: number; answer?: ResponseRecord[]; authority?: ResponseRecord[]; edns?: boolean; ad?: boolean; tc?: boolean } = {},
): Uint8Array {
  const w = new WireWriter();
  const answer = init.answer ?? [];
  const authority = init.authority ?? [];
  w.u16(init.id ?? 0);
  w.u8(0x80 | 0x01 | (init.tc === true ? 0x02 : 0));
  w.u8(0x80 | (init.ad === true ? 0x20 : 0) | (init.rcode ?? 0));
  w.u16(1);
  w.u16(answer.length);
  w.u16(authority.length);
  w.u16(init.edns === true ? 1 : 0);
  w.name(n(qname), false);
  w.u16(qtype);
  w.u16(RRClass.IN);
  for (const r of [...answer, ...authority]) {
    w.name(n(r.name), true);
    w.u16(r.type);
    w.u16(RRClass.IN);
    w.u32(r.ttl);
    w.u16(r.rdata.length);
    w.bytes(r.rdata);
  }
  if (init.edns === true) {
    w.u8(0);
    w.u16(RRType.OPT);
    w.u16(1232);
    // Extended RCODE 0, version 0, DO set: a TTL field that must never be counted down.
    w.u32(0x00008000);
    w.u16(0);
  }
  return w.finish();
}

/** Reads the TTL of the i-th record after the question (no compression in the question). */
export function ttlsOf(msg: Uint8Array): number[] {
  const counts = ((msg[6]! << 8) | msg[7]!) + ((msg[8]! << 8) | msg[9]!) + ((msg[10]! << 8) | msg[11]!);
  let p = 12;
  while (msg[p] !== 0) p += msg[p]! + 1;
  p += 5;
  const out: number[] = [];
  for (let i = 0; i < counts; i++) {
    while (true) {
      const len = msg[p]!;
      if (len === 0) {
        p += 1;
        break;
      }
      if ((len & 0xc0) === 0xc0) {
        p += 2;
        break;
      }
      p += len + 1;
    }
    const type = (msg[p]! << 8) | msg[p + 1]!;
    const ttl = ((msg[p + 4]! << 24) | (msg[p + 5]! << 16) | (msg[p + 6]! << 8) | msg[p + 7]!) >>> 0;
    out.push(type === RRType.OPT ? -ttl : ttl);
    p += 10 + ((msg[p + 8]! << 8) | msg[p + 9]!);
  }
  return out;
}
