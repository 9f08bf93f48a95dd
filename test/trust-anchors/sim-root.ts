// A simulated root zone for the RFC 5011 end-to-end tests: anchord's own signer (auth/signer.ts,
// with BIND-style key timing for publish/activate/inactive/revoke/delete) and authoritative server
// (auth/auth-server.ts) behind a real UDP listener on 127.0.53.1, re-signed for whatever moment the
// test's fake clock says. A validating Resolver with UpstreamClient asks it over loopback.
import { ManualClock } from '../../src/core/clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { createSigner, generatePrivateKey, publicKeyFromPrivateKey } from '../../src/crypto/signer.js';
import { AuthZoneSet, createAuthServer } from '../../src/auth/auth-server.js';
import { AuthZone } from '../../src/auth/auth-zone.js';
import type { KeyTiming } from '../../src/auth/key-timing.js';
import { signZone, type SigningKey } from '../../src/auth/signer.js';
import { groupSigned } from '../../src/dnssec/response-validator.js';
import type { SignedRRset } from '../../src/dnssec/rrset-validator.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import { makeDsRdata } from '../../src/dnssec/ds.js';
import { Resolver, createResolverCaches } from '../../src/resolver/resolver.js';
import type { TrustPoint } from '../../src/dnssec/key-validator.js';
import { UdpListener } from '../../src/transport/udp-listener.js';
import { UpstreamClient } from '../../src/transport/upstream-client.js';
import { RRType } from '../../src/wire/constants.js';
import { decodeMessage } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { Zone } from '../../src/zone/zone.js';
import { parseZoneText } from '../../src/zone/parser.js';

export const ROOT_ADDRESS = '127.0.53.1';

const ROOT_TEXT = `
. 86400 IN SOA a.root-servers.sim. nstld.sim. 2026010100 1800 900 604800 86400
. 86400 IN NS a.root-servers.sim.
a.root-servers.sim. 86400 IN A ${ROOT_ADDRESS}
. 86400 IN TXT "simulated root"
`;

export interface SimKey {
  readonly label: string;
  readonly dnskey: Uint8Array;
  readonly tag: number;
  readonly revokedTag: number;
  readonly sign: (data: Uint8Array) => Uint8Array;
  timing: KeyTiming;
}

/** A P-256 key (fast to sign) with the given flags and timing. */
export function simKey(label: string, flags: number, timing: KeyTiming): SimKey {
  const pk = generatePrivateKey(13);
  const signer = createSigner(pk);
  const pub = publicKeyFromPrivateKey(pk);
  const dnskey = Uint8Array.from([flags >>> 8, flags & 0xff, 3, 13, ...pub]);
  const revoked = Uint8Array.from(dnskey);
  revoked[1] = revoked[1]! | 0x80;
  return { label, dnskey, tag: keyTag(dnskey), revokedTag: keyTag(revoked), sign: (d) => signer.sign(d), timing };
}

export function dsOf(k: SimKey): Uint8Array {
  return makeDsRdata(Name.ROOT, k.dnskey, 2);
}

export class SimRoot {
  readonly keys: SimKey[];
  readonly zones = new AuthZoneSet();
  /** `qname qtype` of every query received. */
  readonly queries: string[] = [];
  private readonly listener: UdpListener;
  private served: SignedRRset | undefined;
  readonly dnskeyTtl: number;

  private constructor(keys: SimKey[], dnskeyTtl: number) {
    this.keys = keys;
    this.dnskeyTtl = dnskeyTtl;
    const server = createAuthServer(this.zones);
    this.listener = new UdpListener({
      addresses: [`${ROOT_ADDRESS}:0`],
      handler: (req, client) => {
        try {
          const q = decodeMessage(req).question[0];
          if (q !== undefined) this.queries.push(`${q.name.toString().toLowerCase()} ${q.type}`);
        } catch {
          // Not ours to judge.
        }
        return server.handle(req, client);
      },
    });
  }

  static async start(keys: SimKey[], dnskeyTtl = 86400): Promise<SimRoot> {
    const r = new SimRoot(keys, dnskeyTtl);
    await r.listener.start();
    return r;
  }

  get port(): number {
    return this.listener.addresses[0]!.port;
  }

  /** Re-signs the zone as it is at `now` (seconds) and serves it. */
  async publish(now: number): Promise<void> {
    const zone = Zone.fromRecords(Name.ROOT, parseZoneText(ROOT_TEXT, { origin: Name.ROOT }).records);
    const keys: SigningKey[] = this.keys.map((k) => ({ dnskey: k.dnskey, timing: k.timing, sign: k.sign, label: k.label }));
    const signed = await signZone(zone, keys, { now, inception: now - 3600, expiration: now + 14 * 86400, dnskeyTtl: this.dnskeyTtl });
    const records = [...signed.records()];
    this.zones.set(AuthZone.fromRecords(Name.ROOT, records));
    this.served = groupSigned(records).find((s) => s.rrset.type === RRType.DNSKEY && s.rrset.name.isRoot());
  }

  /** The DNSKEY RRset served now, with its RRSIGs. */
  get dnskeys(): SignedRRset {
    if (this.served === undefined) throw new Error('publish() first');
    return this.served;
  }

  /** Tags of the keys published now (revoked ones under their revoked tag). */
  publishedTags(): number[] {
    return this.dnskeys.rrset.rdatas.map((r) => keyTag(r)).sort((a, b) => a - b);
  }

  async close(): Promise<void> {
    await this.listener.close({ graceMs: 0 });
  }
}

export function rootHints(): ResourceRecord[] {
  return parseZoneText(`. 3600000 NS a.root-servers.sim.\na.root-servers.sim. 3600000 A ${ROOT_ADDRESS}\n`, { origin: Name.ROOT }).records;
}

/** A validating resolver asking the simulated root over loopback, reading `anchors` live. */
export function simResolver(port: number, clock: ManualClock, anchors: TrustPoint[]): Resolver {
  const random = new SeededRandom(7);
  return new Resolver({
    transport: new UpstreamClient(),
    clock,
    random,
    crypto: createNodeBackend(),
    caches: createResolverCaches(clock, random),
    options: { rootHints: rootHints(), trustAnchors: anchors, port, maxTimeoutMs: 2000 },
  });
}
