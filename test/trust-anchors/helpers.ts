// Test helpers for the trust-anchor tests: KSKs that can be published plain or revoked (RFC 5011
// §3: the same key with flag bit 8 set, so a different tag), and DNSKEY RRsets signed at a given
// time by a chosen subset of them. Ed25519 through node:crypto, independent of the code under test
// except for signedData (the one canonical form) and keyTag.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { signedData } from '../../src/dnssec/canonical.js';
import { makeDsRdata } from '../../src/dnssec/ds.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import type { SignedRRset } from '../../src/dnssec/rrset-validator.js';
import { RRType } from '../../src/wire/constants.js';
import type { Name } from '../../src/wire/name.js';
import { encodeRdata } from '../../src/wire/rdata.js';
import type { RRset } from '../../src/wire/record.js';

export const DAY = 86_400;

export class SimKey {
  readonly flags: number;
  readonly privateKey: KeyObject;
  readonly publicKey: Uint8Array;

  constructor(flags = 257) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.flags = flags;
    this.privateKey = privateKey;
    this.publicKey = new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'));
  }

  rdata(revoked = false): Uint8Array {
    const flags = revoked ? this.flags | 0x80 : this.flags;
    return Uint8Array.from([flags >>> 8, flags & 0xff, 3, 15, ...this.publicKey]);
  }

  tag(revoked = false): number {
    return keyTag(this.rdata(revoked));
  }

  ds(zone: Name): Uint8Array {
    return makeDsRdata(zone, this.rdata(), 2);
  }
}

/** A key as published: plain or with the REVOKE bit. */
export interface Published {
  readonly key: SimKey;
  readonly revoked?: boolean;
}

export const plain = (key: SimKey): Published => ({ key });
export const revoked = (key: SimKey): Published => ({ key, revoked: true });

export interface SetOptions {
  readonly ttl?: number;
  /** Signature validity from `now - 1 day`, seconds (default 21 days). */
  readonly validity?: number;
  /** Sign garbage instead (a broken signature). */
  readonly corrupt?: boolean;
}

export function rrsig(set: RRset, signer: Published, zone: Name, now: number, o: SetOptions = {}): Uint8Array {
  const tag = signer.key.tag(signer.revoked === true);
  const fields = {
    typeCovered: set.type,
    algorithm: 15,
    labels: set.name.labelCount,
    originalTtl: set.ttl,
    expiration: (now + (o.validity ?? 21 * DAY) - DAY) >>> 0,
    inception: (now - DAY) >>> 0,
    keyTag: tag,
    signerName: zone,
  };
  const unsigned = encodeRdata(RRType.RRSIG, { ...fields, signature: new Uint8Array(0) });
  let sig = new Uint8Array(sign(null, signedData(unsigned, set), signer.key.privateKey));
  if (o.corrupt === true) sig = sig.map((b) => b ^ 0x5a);
  return encodeRdata(RRType.RRSIG, { ...fields, signature: sig });
}

/** The DNSKEY RRset of `zone` holding `keys`, signed by `signers`, as a refresh would fetch it. */
export function dnskeySet(zone: Name, keys: readonly Published[], signers: readonly Published[], now: number, o: SetOptions = {}): SignedRRset {
  const rrset: RRset = {
    name: zone,
    type: RRType.DNSKEY,
    class: 1,
    ttl: o.ttl ?? 2 * DAY,
    rdatas: keys.map((p) => p.key.rdata(p.revoked === true)),
  };
  return { rrset, rrsigs: signers.map((s) => rrsig(rrset, s, zone, now, o)) };
}
