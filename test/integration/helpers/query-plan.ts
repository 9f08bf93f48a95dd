// The queries the interop test asks both resolvers, each tagged with what it exercises. Every SLD
// gets the same set (its body is the same, signed-hierarchy.ts), so every kind of answer is asked
// under each algorithm x denial combination, insecure and broken; the TLDs and the root get their own.

import { ZONES, type SldSpec } from './signed-hierarchy.js';

export interface PlannedQuery {
  readonly name: string;
  readonly type: string;
  readonly kind: string;
  /** Checking Disabled (RFC 4035 §3.2.2). */
  readonly cd?: boolean;
}

function forZone(z: SldSpec): PlannedQuery[] {
  const q = (rel: string, type: string, kind: string): PlannedQuery => ({ name: rel === '@' ? z.name : `${rel}.${z.name}`, type, kind });
  const broken = z.status.startsWith('bogus');
  const out: PlannedQuery[] = [
    q('@', 'SOA', 'apex'),
    q('@', 'NS', 'apex'),
    q('@', 'A', 'apex'),
    q('@', 'AAAA', 'apex'),
    q('@', 'MX', 'apex'),
    q('@', 'TXT', 'apex'),
    q('@', 'DNSKEY', 'apex'),
    q('@', 'DS', 'ds'),
    q('www', 'A', 'exists'),
    q('www', 'AAAA', 'exists'),
    q('mail', 'A', 'exists'),
    q('www', 'MX', 'nodata'),
    q('nx1', 'A', 'nxdomain'),
    q('foo.wild', 'A', 'wildcard'),
    q('alias', 'A', 'cname'),
    q('www.dn', 'A', 'dname'),
  ];
  if (broken) {
    // CD=1: the data comes back unvalidated instead of SERVFAIL.
    out.push({ ...q('www', 'A', 'cd'), cd: true }, { ...q('nx1', 'A', 'cd'), cd: true });
    return out;
  }
  out.push(
    q('mail', 'AAAA', 'nodata'),
    q('www', 'DS', 'ds-nodata'),
    q('mail', 'TXT', 'nodata'),
    q('deep.nx2', 'AAAA', 'nxdomain'),
    q('nx3', 'MX', 'nxdomain'),
    q('zzzz', 'A', 'nxdomain'),
    q('0', 'A', 'nxdomain'),
    q('a.b.wild', 'A', 'wildcard'),
    q('bar.wild', 'TXT', 'wildcard'),
    q('baz.wild', 'AAAA', 'wildcard-nodata'),
    q('wild', 'A', 'ent'),
    q('*.wild', 'A', 'wildcard-owner'),
    q('ent', 'A', 'ent'),
    q('b.ent', 'A', 'ent'),
    q('a.b.ent', 'A', 'exists'),
    q('a.b.ent', 'TXT', 'nodata'),
    q('x.b.ent', 'A', 'nxdomain'),
    q('alias', 'AAAA', 'cname'),
    q('alias', 'MX', 'cname-nodata'),
    q('alias', 'CNAME', 'cname'),
    q('c1', 'A', 'cname-chain'),
    q('c1', 'CNAME', 'cname'),
    q('towild', 'A', 'cname-wildcard'),
    q('xalias', 'A', 'cname-cross'),
    q('xalias', 'AAAA', 'cname-cross'),
    q('dangling', 'A', 'cname-nxdomain'),
    q('xdangling', 'A', 'cname-cross-nxdomain'),
    q('mail.dn', 'A', 'dname'),
    q('nx.dn', 'A', 'dname-nxdomain'),
    q('foo.wild.dn', 'A', 'dname-wildcard'),
    q('dn', 'DNAME', 'dname'),
    q('dn', 'A', 'nodata'),
    q('_sip._tcp', 'SRV', 'exists'),
    q('_tcp', 'SRV', 'ent'),
    q('big', 'TXT', 'truncated'),
    { name: `WwW.${z.name.toUpperCase()}`, type: 'A', kind: 'mixed-case' },
  );
  for (let i = 0; i < 5; i++) out.push(q(`h${i}`, 'A', 'exists'));
  if (z.name === 'ecdsa-nsec.test.') {
    out.push(q('toinsecure', 'A', 'cname-to-insecure'), q('tobogus', 'A', 'cname-to-bogus'), q('tooptout', 'A', 'cname-to-insecure'));
  }
  return out;
}

const TOP: readonly PlannedQuery[] = [
  { name: '.', type: 'SOA', kind: 'root' },
  { name: '.', type: 'NS', kind: 'root' },
  { name: '.', type: 'DNSKEY', kind: 'root' },
  { name: '.', type: 'A', kind: 'nodata' },
  { name: 'nonexistent-tld.', type: 'A', kind: 'nxdomain' },
  { name: 'zz.', type: 'AAAA', kind: 'nxdomain' },
  { name: 'a.root-servers.test.', type: 'A', kind: 'exists' },
  { name: 'test.', type: 'SOA', kind: 'tld' },
  { name: 'test.', type: 'DNSKEY', kind: 'tld' },
  { name: 'test.', type: 'DS', kind: 'ds' },
  { name: 'test.', type: 'TXT', kind: 'tld' },
  { name: 'test.', type: 'A', kind: 'nodata' },
  { name: 'nic.test.', type: 'A', kind: 'ent' },
  { name: 'ns1.nic.test.', type: 'A', kind: 'exists' },
  { name: 'nope.test.', type: 'A', kind: 'nxdomain' },
  { name: 'www.nope.test.', type: 'AAAA', kind: 'nxdomain' },
  { name: 'example.', type: 'SOA', kind: 'tld' },
  { name: 'example.', type: 'DNSKEY', kind: 'tld' },
  { name: 'example.', type: 'DS', kind: 'ds' },
  { name: 'example.', type: 'TXT', kind: 'tld' },
  { name: 'example.', type: 'A', kind: 'nodata' },
  { name: 'nic.example.', type: 'A', kind: 'ent' },
  { name: 'ns1.nic.example.', type: 'A', kind: 'exists' },
  { name: 'nope.example.', type: 'A', kind: 'nxdomain-optout' },
  { name: 'www.nope.example.', type: 'AAAA', kind: 'nxdomain-optout' },
  { name: 'ns1.nic.example.', type: 'AAAA', kind: 'nodata' },
  { name: 'foo.wild.test.', type: 'A', kind: 'wildcard' },
  { name: 'foo.wild.test.', type: 'TXT', kind: 'wildcard-nodata' },
  { name: 'wild.test.', type: 'A', kind: 'ent' },
  { name: 'foo.wild.example.', type: 'A', kind: 'wildcard-optout' },
  { name: 'a.b.wild.example.', type: 'A', kind: 'wildcard-optout' },
  { name: 'foo.wild.example.', type: 'TXT', kind: 'wildcard-nodata-optout' },
  { name: 'wild.example.', type: 'A', kind: 'ent' },
];

/** The whole plan: the root and TLD queries, then every SLD's. */
export function queryPlan(): PlannedQuery[] {
  return [...TOP, ...ZONES.flatMap(forZone)];
}
