// The demo world's zones (`anchord demo`, issue 5 "The demo world"): a small signed hierarchy
// under special-use and private top-level names, with one zone per way validation can end.
//
//   .                 tier 1  ECDSAP256SHA256 KSK+ZSK, NSEC      (the demo trust anchor)
//   test.  demo.      tier 2  ECDSAP256SHA256 KSK+ZSK / Ed25519 CSK with NSEC3
//   *.test. *.demo.   tier 3  the second-level zones below
//
// Second-level zones: secure.test (NSEC, a wildcard, CNAMEs into a secure, an insecure and a
// bogus zone), nsec3.test (Ed25519, NSEC3 with no salt and no extra iterations, RFC 9276 §3.1),
// rsa.demo (RSASHA256), insecure.test (unsigned, no DS: an insecure delegation, RFC 4035 §5.2),
// and the broken ones: expired.test (every RRSIG expired, RFC 4035 §5.3.1), badds.test (the
// parent's DS matches no DNSKEY, RFC 4035 §5.2), badsig.test (one signature byte flipped after
// signing) and nosig.test (a DS in the parent but an unsigned zone, RFC 4035 §5.2: the chain
// promises keys that are not there).
//
// `test.` is special-use (RFC 6761 §6.2) and `demo.` is not delegated in the real root, so
// nothing here can leak to the internet. Addresses in the data are documentation addresses
// (RFC 5737, RFC 3849). Each tier is one authoritative server on its own loopback address, so the
// resolver follows real referrals from the root down.
//
// Data only; demo-world.ts generates the keys, signs, breaks and serves.

import { DnssecAlgorithm } from '../dnssec/algorithms.js';

/** What is wrong with a zone on purpose. */
export type DemoBreakage = 'expired' | 'bad-ds' | 'bad-sig' | 'ds-unsigned';

/** One key of a zone: a KSK carries the SEP flag (RFC 4034 §2.1.1); a lone KSK is a CSK. */
export interface DemoKeySpec {
  readonly algorithm: number;
  readonly ksk: boolean;
}

export interface DemoZone {
  /** Absolute, with the trailing dot. */
  readonly origin: string;
  /** 1 root, 2 top-level, 3 second-level: which server (loopback address) serves it. */
  readonly tier: 1 | 2 | 3;
  /** Empty: unsigned. With breakage `ds-unsigned` the keys only make the parent's DS. */
  readonly keys: readonly DemoKeySpec[];
  readonly denial: 'nsec' | 'nsec3';
  readonly breakage?: DemoBreakage;
  /** One line for the banner. */
  readonly about: string;
  /** Zone-file lines relative to the origin, beside the SOA, NS and delegations added for it. */
  readonly records: readonly string[];
}

const ECDSA = DnssecAlgorithm.ECDSAP256SHA256;
const ED25519 = DnssecAlgorithm.ED25519;
const RSA = DnssecAlgorithm.RSASHA256;
const KSK_ZSK = (algorithm: number): DemoKeySpec[] => [
  { algorithm, ksk: true },
  { algorithm, ksk: false },
];

/** The root's name server, under `demo.` so that no real name is involved. */
export const ROOT_SERVER_NAME = 'a.root-servers.demo.';

/** The demo RRSIG validity for the expired zone: ended this long ago. */
export const EXPIRED_AGO = 86400;

export const DEMO_ZONES: readonly DemoZone[] = [
  { origin: '.', tier: 1, keys: KSK_ZSK(ECDSA), denial: 'nsec', about: 'the demo root (ECDSAP256SHA256, NSEC); its KSK is the trust anchor', records: [] },
  { origin: 'test.', tier: 2, keys: KSK_ZSK(ECDSA), denial: 'nsec', about: 'special-use TLD (RFC 6761), ECDSAP256SHA256, NSEC', records: [] },
  {
    origin: 'demo.',
    tier: 2,
    keys: [{ algorithm: ED25519, ksk: true }],
    denial: 'nsec3',
    about: 'TLD with one Ed25519 key (a CSK), NSEC3',
    records: [`${ROOT_SERVER_NAME} A {tier1}`],
  },
  {
    origin: 'secure.test.',
    tier: 3,
    keys: KSK_ZSK(ECDSA),
    denial: 'nsec',
    about: 'secure: ECDSAP256SHA256, NSEC, a wildcard, CNAMEs into rsa.demo, insecure.test and badsig.test',
    records: [
      '@ TXT "anchord demo: a secure zone"',
      '@ MX 10 mail',
      'www A 192.0.2.1',
      'www AAAA 2001:db8::1',
      'mail A 192.0.2.25',
      '*.wild A 192.0.2.2',
      '*.wild TXT "synthesised from *.wild.secure.test"',
      'alias CNAME www.rsa.demo.',
      'to-insecure CNAME www.insecure.test.',
      'to-bogus CNAME www.badsig.test.',
    ],
  },
  {
    origin: 'nsec3.test.',
    tier: 3,
    keys: KSK_ZSK(ED25519),
    denial: 'nsec3',
    about: 'secure: Ed25519, NSEC3 (no salt, 0 extra iterations)',
    records: ['@ TXT "anchord demo: NSEC3"', 'www A 192.0.2.3'],
  },
  {
    origin: 'rsa.demo.',
    tier: 3,
    keys: KSK_ZSK(RSA),
    denial: 'nsec',
    about: 'secure: RSASHA256, NSEC',
    records: ['www A 192.0.2.4', 'www TXT "anchord demo: RSASHA256"'],
  },
  {
    origin: 'insecure.test.',
    tier: 3,
    keys: [],
    denial: 'nsec',
    about: 'insecure: unsigned, and test. proves with NSEC that it has no DS',
    records: ['www A 192.0.2.5'],
  },
  {
    origin: 'expired.test.',
    tier: 3,
    keys: KSK_ZSK(ECDSA),
    denial: 'nsec',
    breakage: 'expired',
    about: 'bogus: every RRSIG expired a day ago',
    records: ['www A 192.0.2.6'],
  },
  {
    origin: 'badds.test.',
    tier: 3,
    keys: KSK_ZSK(ECDSA),
    denial: 'nsec',
    breakage: 'bad-ds',
    about: "bogus: the DS in test. matches none of the zone's DNSKEYs",
    records: ['www A 192.0.2.7'],
  },
  {
    origin: 'badsig.test.',
    tier: 3,
    keys: KSK_ZSK(ECDSA),
    denial: 'nsec',
    breakage: 'bad-sig',
    about: 'bogus: one byte of the RRSIG over www.badsig.test A flipped',
    records: ['www A 192.0.2.8', 'ok TXT "this name validates"'],
  },
  {
    origin: 'nosig.test.',
    tier: 3,
    keys: [{ algorithm: ECDSA, ksk: true }],
    denial: 'nsec',
    breakage: 'ds-unsigned',
    about: 'bogus: test. publishes a DS, but the zone is served unsigned',
    records: ['www A 192.0.2.9'],
  },
];

/** The name server name of a zone (its own `ns` label; the root's is ROOT_SERVER_NAME). */
export function nameServerOf(origin: string): string {
  return origin === '.' ? ROOT_SERVER_NAME : `ns.${origin}`;
}

/** The zone directly above `origin` among DEMO_ZONES (undefined for the root). */
export function parentOf(origin: string, zones: readonly DemoZone[] = DEMO_ZONES): DemoZone | undefined {
  if (origin === '.') return undefined;
  const rest = origin.slice(origin.indexOf('.') + 1);
  const up = rest === '' ? '.' : rest;
  return zones.find((z) => z.origin === up) ?? parentOf(up, zones);
}

/** The zones delegated directly from `origin`. */
export function childrenOf(origin: string, zones: readonly DemoZone[] = DEMO_ZONES): DemoZone[] {
  return zones.filter((z) => z.origin !== origin && parentOf(z.origin, zones)?.origin === origin);
}

/**
 * The zone-file text of a zone without its DS records (they come from the keys): SOA, NS, the
 * server's address when it is in the zone, the zone's own records, and a delegation (NS and glue)
 * for each child. `{tierN}` in records stands for the tier-N server address.
 */
export function demoZoneText(zone: DemoZone, tierAddress: (tier: 1 | 2 | 3) => string, zones: readonly DemoZone[] = DEMO_ZONES): string {
  const ns = nameServerOf(zone.origin);
  const contact = zone.origin === '.' ? 'hostmaster.root-servers.demo.' : `hostmaster.${zone.origin}`;
  const lines = [
    `$ORIGIN ${zone.origin}`,
    '$TTL 300',
    `@ 300 IN SOA ${ns} ${contact} 1 3600 600 86400 300`,
    `@ NS ${ns}`,
  ];
  const own = zone.origin === '.' || ns.endsWith(`.${zone.origin}`);
  if (own) lines.push(`${ns} A ${tierAddress(zone.tier)}`);
  for (const r of zone.records) lines.push(r.replace(/\{tier([123])\}/g, (_m, t: string) => tierAddress(Number(t) as 1 | 2 | 3)));
  for (const child of childrenOf(zone.origin, zones)) {
    const childNs = nameServerOf(child.origin);
    lines.push(`${child.origin} NS ${childNs}`, `${childNs} A ${tierAddress(child.tier)}`);
  }
  return lines.join('\n') + '\n';
}
