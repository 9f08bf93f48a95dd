// The queries `anchord demo` suggests, with what each should show, and the text it prints: one
// `dig` command per line (copied verbatim by users and parsed by the demo test), grouped by
// outcome: secure (AD set, RFC 4035 §3.2.3), authenticated denial (NXDOMAIN or NODATA with AD),
// insecure (data without AD), bogus (SERVFAIL with an Extended DNS Error, RFC 8914), and the
// same bogus data fetched with CD (RFC 4035 §3.2.2: checking disabled gets it unvalidated).
//
// Pure module: data and string formatting.

import { EdeCode } from '../wire/constants.js';

export type DemoGroup = 'secure' | 'denial' | 'insecure' | 'bogus' | 'unchecked' | 'authoritative';

export interface DemoExpectation {
  readonly rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';
  /** The AD flag. */
  readonly ad: boolean;
  /** The answer section holds data (records of the asked type, or a CNAME to them). */
  readonly answer: boolean;
  /** The EDE INFO-CODE a bogus answer carries. */
  readonly ede?: number;
  /** The AA flag (queries sent straight to an authoritative server). */
  readonly aa?: boolean;
}

export interface DemoQuery {
  readonly group: DemoGroup;
  readonly name: string;
  readonly type: string;
  /** Extra dig flags after `+dnssec` (`+cd`, `+norec`). */
  readonly flags: readonly string[];
  /** Ask the root server instead of the resolver. */
  readonly server: 'resolver' | 'root';
  readonly note: string;
  readonly expect: DemoExpectation;
}

const EDE_NAMES: Readonly<Record<number, string>> = {
  [EdeCode.DNSSEC_BOGUS]: 'DNSSEC Bogus',
  [EdeCode.SIGNATURE_EXPIRED]: 'Signature Expired',
  [EdeCode.DNSKEY_MISSING]: 'DNSKEY Missing',
  [EdeCode.RRSIGS_MISSING]: 'RRSIGs Missing',
};

/** `7 (Signature Expired)`. */
export function edeLabel(code: number): string {
  const name = EDE_NAMES[code];
  return name === undefined ? String(code) : `${code} (${name})`;
}

const ok = { rcode: 'NOERROR', ad: true, answer: true } as const;
const bogus = (ede: number): DemoExpectation => ({ rcode: 'SERVFAIL', ad: false, answer: false, ede });
const q = (group: DemoGroup, name: string, type: string, note: string, expect: DemoExpectation, flags: readonly string[] = [], server: 'resolver' | 'root' = 'resolver'): DemoQuery => ({
  group,
  name,
  type,
  flags,
  server,
  note,
  expect,
});

export const DEMO_QUERIES: readonly DemoQuery[] = [
  q('secure', 'www.secure.test', 'A', 'ECDSAP256SHA256 zone, chain . -> test. -> secure.test.', ok),
  q('secure', 'anything.wild.secure.test', 'A', 'wildcard expansion of *.wild.secure.test, with its NSEC proof', ok),
  q('secure', 'alias.secure.test', 'A', 'CNAME from secure.test into rsa.demo (RSASHA256), both validated', ok),
  q('secure', 'www.nsec3.test', 'A', 'Ed25519 zone with NSEC3', ok),
  q('secure', 'www.rsa.demo', 'TXT', 'RSASHA256 zone under the Ed25519/NSEC3 TLD demo.', ok),
  q('denial', 'nothere.nsec3.test', 'A', 'NXDOMAIN proven by NSEC3 (closest encloser, next closer, wildcard)', { rcode: 'NXDOMAIN', ad: true, answer: false }),
  q('denial', 'nothere.secure.test', 'A', 'NXDOMAIN proven by NSEC', { rcode: 'NXDOMAIN', ad: true, answer: false }),
  q('denial', 'www.secure.test', 'TXT', 'NODATA: the name exists, the type does not (NSEC bitmap)', { rcode: 'NOERROR', ad: true, answer: false }),
  q('insecure', 'www.insecure.test', 'A', 'unsigned zone; test. proves there is no DS, so no AD and no error', { rcode: 'NOERROR', ad: false, answer: true }),
  q('insecure', 'to-insecure.secure.test', 'A', 'a secure CNAME into the insecure zone: the answer is only as secure as its target', { rcode: 'NOERROR', ad: false, answer: true }),
  q('bogus', 'to-bogus.secure.test', 'A', 'a secure CNAME into www.badsig.test: the chain is as weak as its worst link', bogus(EdeCode.DNSSEC_BOGUS)),
  q('bogus', 'www.expired.test', 'A', 'every RRSIG in expired.test expired a day ago', bogus(EdeCode.SIGNATURE_EXPIRED)),
  q('bogus', 'www.badds.test', 'A', "the DS in test. matches none of badds.test's DNSKEYs", bogus(EdeCode.DNSKEY_MISSING)),
  q('bogus', 'www.badsig.test', 'A', 'one byte of the RRSIG over this RRset flipped', bogus(EdeCode.DNSSEC_BOGUS)),
  q('bogus', 'www.nosig.test', 'A', 'test. has a DS for nosig.test, but the zone is served unsigned', bogus(EdeCode.DNSKEY_MISSING)),
  q('unchecked', 'www.badsig.test', 'A', 'the same bogus data with checking disabled (+cd): NOERROR, no AD', { rcode: 'NOERROR', ad: false, answer: true }, ['+cd']),
  q('authoritative', '.', 'DNSKEY', "the demo root's keys, straight from its authoritative server", { rcode: 'NOERROR', ad: false, answer: true, aa: true }, ['+norec'], 'root'),
];

export interface DigTarget {
  readonly address: string;
  readonly port: number;
}

/** The dig command for a query, e.g. `dig @127.0.0.1 -p 5300 www.secure.test A +dnssec`. */
export function digCommand(query: DemoQuery, target: DigTarget): string {
  // dig takes an IPv6 address after @ without brackets.
  const port = target.port === 53 ? '' : ` -p ${target.port}`;
  return `dig @${target.address}${port} ${query.name} ${query.type} +dnssec${query.flags.map((f) => ` ${f}`).join('')}`;
}

const GROUP_TITLES: Readonly<Record<DemoGroup, string>> = {
  secure: 'Secure: status NOERROR, flags include "ad"',
  denial: 'Authenticated denial: NXDOMAIN or empty NOERROR, flags include "ad"',
  insecure: 'Insecure: status NOERROR with data, no "ad"',
  bogus: 'Bogus: status SERVFAIL, no data, an EDE in the OPT section',
  unchecked: 'Checking disabled: the bogus data itself',
  authoritative: 'Straight to the authoritative root server (no validation)',
};

/** What to expect, for the line under a dig command. */
export function expectationText(e: DemoExpectation): string {
  const parts: string[] = [e.rcode];
  if (e.ad) parts.push('ad');
  if (e.aa === true) parts.push('aa');
  if (e.ede !== undefined) parts.push(`EDE ${edeLabel(e.ede)}`);
  return parts.join(', ');
}

/** The printed list: group titles, and per query a `#` comment line and the dig line. */
export function digInstructions(queries: readonly DemoQuery[], resolver: DigTarget, root: DigTarget): string[] {
  const out: string[] = [];
  let group: DemoGroup | undefined;
  for (const query of queries) {
    if (query.group !== group) {
      group = query.group;
      if (out.length > 0) out.push('');
      out.push(`${GROUP_TITLES[group]}:`);
    }
    out.push(`#   ${query.note} -> ${expectationText(query.expect)}`);
    out.push(digCommand(query, query.server === 'root' ? root : resolver));
  }
  return out;
}
