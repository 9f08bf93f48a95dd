// A small DNS hierarchy signed by BIND's dnssec-signzone and laid out for four NSD instances
// (one per tier, so that every parent refers instead of answering from its child), on 127.61.x.x:
//
//   .                     RSASHA256 KSK+ZSK, NSEC             root tier  127.61.0.1, .0.2
//   test.                 ECDSAP256SHA256 KSK+ZSK, NSEC       TLD tier   127.61.1.1, .1.2
//   example.              RSASHA256 KSK+ZSK, NSEC3 opt-out    TLD tier
//   second-level zones    see ZONES below                     SLD tier   127.61.2.1 - .2.4
//   third-level zones     see ZONES below                     deep tier  127.61.3.1, .3.2
//
// Every SLD carries the same body (apex A/AAAA/MX/TXT, a two-record www A RRset, a wildcard,
// empty non-terminals, in-zone, cross-zone and dangling CNAMEs, a DNAME to another zone, SRV), so
// each query kind is asked in every algorithm x denial combination. The broken zones are made the
// way they break in the wild: data edited after signing, signatures expired or not yet valid
// (-s/-e with -P), a DS whose digest matches no key, a DS for a zone served unsigned.
//
// Data addresses are documentation prefixes (192.0.2.0/24, 2001:db8::/32): nothing connects to them.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findTool, runAsync } from './peer-process.js';

export type Algorithm = 'RSASHA256' | 'ECDSAP256SHA256' | 'ED25519';
export type Denial = 'nsec' | 'nsec3' | 'nsec3-optout';
export type Status = 'secure' | 'insecure' | 'bogus-sig' | 'bogus-expired' | 'bogus-notyet' | 'bogus-ds' | 'bogus-nosig';

export interface SldSpec {
  /** Absolute, with the trailing dot. */
  readonly name: string;
  /** The parent zone: a TLD for the SLD tier, an SLD for the deep tier. */
  readonly parent: string;
  readonly tier: 'sld' | 'deep';
  readonly status: Status;
  readonly algorithm?: Algorithm;
  readonly denial?: Denial;
  readonly nsec3?: { readonly salt: string; readonly iterations: number };
  /** Separate KSK and ZSK (true) or one combined signing key (false). */
  readonly split?: boolean;
  /** Target zone of `dn.<zone> DNAME`. */
  readonly dnameTo: string;
  /** Target of the cross-zone CNAME `xalias.<zone>`. */
  readonly crossTo: string;
  readonly servers: readonly [string, string];
}

export const PREFIX = '127.61';
export const ROOT_SERVERS = [`${PREFIX}.0.1`, `${PREFIX}.0.2`] as const;
export const TLD_SERVERS = [`${PREFIX}.1.1`, `${PREFIX}.1.2`] as const;
export const SLD_SERVERS = [`${PREFIX}.2.1`, `${PREFIX}.2.2`, `${PREFIX}.2.3`, `${PREFIX}.2.4`] as const;
export const DEEP_SERVERS = [`${PREFIX}.3.1`, `${PREFIX}.3.2`] as const;

const S = SLD_SERVERS;
const D = DEEP_SERVERS;

export const ZONES: readonly SldSpec[] = [
  { name: 'ecdsa-nsec.test.', parent: 'test.', tier: 'sld', status: 'secure', algorithm: 'ECDSAP256SHA256', denial: 'nsec', split: true, dnameTo: 'ed-nsec.test.', crossTo: 'www.rsa-nsec3.example.', servers: [S[0], S[1]] },
  { name: 'ecdsa-nsec3.test.', parent: 'test.', tier: 'sld', status: 'secure', algorithm: 'ECDSAP256SHA256', denial: 'nsec3', split: false, dnameTo: 'rsa-nsec.test.', crossTo: 'www.ecdsa-nsec.test.', servers: [S[1], S[2]] },
  { name: 'rsa-nsec.test.', parent: 'test.', tier: 'sld', status: 'secure', algorithm: 'RSASHA256', denial: 'nsec', split: false, dnameTo: 'ecdsa-nsec3.test.', crossTo: 'www.ed-nsec3.test.', servers: [S[2], S[3]] },
  { name: 'ed-nsec.test.', parent: 'test.', tier: 'sld', status: 'secure', algorithm: 'ED25519', denial: 'nsec', split: true, dnameTo: 'rsa-nsec3.example.', crossTo: 'www.ecdsa-nsec.example.', servers: [S[3], S[0]] },
  { name: 'ed-nsec3.test.', parent: 'test.', tier: 'sld', status: 'secure', algorithm: 'ED25519', denial: 'nsec3', nsec3: { salt: 'c0ffee', iterations: 5 }, split: false, dnameTo: 'ecdsa-nsec.test.', crossTo: 'www.rsa-nsec.test.', servers: [S[0], S[2]] },
  // RFC 9276 §3.2 policy zone: 100 iterations is over anchord's cap (50) and under Unbound's (150).
  { name: 'iter100.test.', parent: 'test.', tier: 'sld', status: 'secure', algorithm: 'ECDSAP256SHA256', denial: 'nsec3', nsec3: { salt: 'ab', iterations: 100 }, split: false, dnameTo: 'ecdsa-nsec.test.', crossTo: 'www.ecdsa-nsec.test.', servers: [S[1], S[3]] },
  { name: 'unsigned.test.', parent: 'test.', tier: 'sld', status: 'insecure', dnameTo: 'ecdsa-nsec.test.', crossTo: 'www.ecdsa-nsec.test.', servers: [S[2], S[0]] },
  { name: 'bogus-sig.test.', parent: 'test.', tier: 'sld', status: 'bogus-sig', algorithm: 'ECDSAP256SHA256', denial: 'nsec', split: false, dnameTo: 'ecdsa-nsec.test.', crossTo: 'www.ecdsa-nsec.test.', servers: [S[0], S[1]] },
  { name: 'bogus-expired.test.', parent: 'test.', tier: 'sld', status: 'bogus-expired', algorithm: 'ECDSAP256SHA256', denial: 'nsec', split: false, dnameTo: 'ecdsa-nsec.test.', crossTo: 'www.ecdsa-nsec.test.', servers: [S[1], S[2]] },
  { name: 'bogus-notyet.test.', parent: 'test.', tier: 'sld', status: 'bogus-notyet', algorithm: 'ED25519', denial: 'nsec3', split: false, dnameTo: 'ecdsa-nsec.test.', crossTo: 'www.ecdsa-nsec.test.', servers: [S[2], S[3]] },
  { name: 'bogus-ds.test.', parent: 'test.', tier: 'sld', status: 'bogus-ds', algorithm: 'ECDSAP256SHA256', denial: 'nsec', split: true, dnameTo: 'ecdsa-nsec.test.', crossTo: 'www.ecdsa-nsec.test.', servers: [S[3], S[0]] },
  { name: 'bogus-nosig.test.', parent: 'test.', tier: 'sld', status: 'bogus-nosig', algorithm: 'ECDSAP256SHA256', denial: 'nsec', split: false, dnameTo: 'ecdsa-nsec.test.', crossTo: 'www.ecdsa-nsec.test.', servers: [S[0], S[3]] },
  { name: 'rsa-nsec3.example.', parent: 'example.', tier: 'sld', status: 'secure', algorithm: 'RSASHA256', denial: 'nsec3', split: true, dnameTo: 'ecdsa-nsec.example.', crossTo: 'www.ecdsa-nsec.test.', servers: [S[1], S[3]] },
  { name: 'ecdsa-nsec.example.', parent: 'example.', tier: 'sld', status: 'secure', algorithm: 'ECDSAP256SHA256', denial: 'nsec', split: false, dnameTo: 'rsa-nsec3.example.', crossTo: 'www.insecure.example.', servers: [S[2], S[1]] },
  // An unsigned delegation inside example.'s opt-out span: no NSEC3 names it.
  { name: 'insecure.example.', parent: 'example.', tier: 'sld', status: 'insecure', dnameTo: 'rsa-nsec3.example.', crossTo: 'www.rsa-nsec3.example.', servers: [S[3], S[2]] },
  { name: 'bogus-sig.example.', parent: 'example.', tier: 'sld', status: 'bogus-sig', algorithm: 'RSASHA256', denial: 'nsec3', split: false, dnameTo: 'rsa-nsec3.example.', crossTo: 'www.rsa-nsec3.example.', servers: [S[0], S[2]] },
  // Third level, served by a fourth NSD so that each parent refers.
  { name: 'sub.ecdsa-nsec.test.', parent: 'ecdsa-nsec.test.', tier: 'deep', status: 'secure', algorithm: 'ED25519', denial: 'nsec3', split: false, dnameTo: 'ecdsa-nsec.test.', crossTo: 'www.ed-nsec.test.', servers: [D[0], D[1]] },
  // Unsigned child of an NSEC3 zone without opt-out: the NSEC3 matching the delegation proves no DS.
  { name: 'sub.rsa-nsec3.example.', parent: 'rsa-nsec3.example.', tier: 'deep', status: 'insecure', dnameTo: 'rsa-nsec3.example.', crossTo: 'www.rsa-nsec3.example.', servers: [D[1], D[0]] },
  { name: 'sub.ed-nsec.test.', parent: 'ed-nsec.test.', tier: 'deep', status: 'insecure', dnameTo: 'ed-nsec.test.', crossTo: 'www.ecdsa-nsec.test.', servers: [D[0], D[1]] },
  // Signed, but below an insecure delegation: no chain of trust reaches it, so it is insecure.
  { name: 'sub.unsigned.test.', parent: 'unsigned.test.', tier: 'deep', status: 'secure', algorithm: 'ECDSAP256SHA256', denial: 'nsec', split: false, dnameTo: 'ecdsa-nsec.test.', crossTo: 'www.ecdsa-nsec.test.', servers: [D[1], D[0]] },
];

export const SLDS: readonly SldSpec[] = ZONES.filter((z) => z.tier === 'sld');
export const DEEP: readonly SldSpec[] = ZONES.filter((z) => z.tier === 'deep');

export const TLDS = [
  { name: 'test.', algorithm: 'ECDSAP256SHA256' as Algorithm, denial: 'nsec' as Denial },
  { name: 'example.', algorithm: 'RSASHA256' as Algorithm, denial: 'nsec3-optout' as Denial },
] as const;

export type Tier = 'root' | 'tld' | 'sld' | 'deep';
export const TIERS: readonly Tier[] = ['root', 'tld', 'sld', 'deep'];

export interface Hierarchy {
  readonly dir: string;
  readonly rootHintsFile: string;
  readonly trustAnchorFile: string;
  /** NSD configuration file per tier. */
  readonly nsdConfs: Readonly<Record<Tier, string>>;
  readonly tiers: Readonly<Record<Tier, readonly string[]>>;
}

/** The body every SLD shares; `$ORIGIN` is the zone. */
function sldBody(z: SldSpec, children: readonly string[]): string {
  const lines = [
    `$ORIGIN ${z.name}`,
    '$TTL 3600',
    '@ SOA ns1 hostmaster 2026010101 7200 3600 1209600 300',
    '@ NS ns1',
    '@ NS ns2',
    `ns1 A ${z.servers[0]}`,
    `ns2 A ${z.servers[1]}`,
    '@ A 192.0.2.1',
    '@ AAAA 2001:db8::1',
    '@ MX 10 mail',
    '@ MX 20 mail.ecdsa-nsec.test.',
    `@ TXT "zone ${z.name}" "second string"`,
    'www A 192.0.2.2',
    'www A 192.0.2.3',
    'www AAAA 2001:db8::2',
    'mail A 192.0.2.4',
    '*.wild A 192.0.2.5',
    '*.wild TXT "wildcard"',
    'alias CNAME www',
    'c1 CNAME c2',
    'c2 CNAME www',
    'towild CNAME foo.wild',
    `xalias CNAME ${z.crossTo}`,
    'dangling CNAME nothere',
    `xdangling CNAME nothere.${z.dnameTo}`,
    `dn DNAME ${z.dnameTo}`,
    'a.b.ent A 192.0.2.6',
    '_sip._tcp SRV 0 5 5060 www',
  ];
  for (let i = 0; i < 5; i++) lines.push(`h${i} A 192.0.2.${20 + i}`);
  // An RRset too large for a 1232-octet UDP answer: truncation and TCP, upstream and to the client.
  for (let i = 0; i < 8; i++) lines.push(`big TXT "${String(i).repeat(200)}"`);
  if (z.name === 'ecdsa-nsec.test.') {
    // Secure names whose chains end in insecure or bogus data.
    lines.push('toinsecure CNAME www.unsigned.test.', 'tobogus CNAME www.bogus-sig.test.', 'tooptout CNAME www.insecure.example.');
  }
  lines.push(...children);
  return `${lines.join('\n')}\n`;
}

function utc(offsetSeconds: number): string {
  return new Date(Date.now() + offsetSeconds * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

interface Tools {
  readonly keygen: string;
  readonly signzone: string;
  readonly dsfromkey: string;
}

async function makeKeys(tools: Tools, keyDir: string, zone: string, alg: Algorithm, split: boolean): Promise<void> {
  mkdirSync(keyDir, { recursive: true });
  const bits = alg === 'RSASHA256' ? ['-b', '2048'] : [];
  await runAsync(tools.keygen, ['-q', '-K', keyDir, '-a', alg, ...bits, '-f', 'KSK', zone]);
  if (split) await runAsync(tools.keygen, ['-q', '-K', keyDir, '-a', alg, ...bits, zone]);
}

interface SignOptions {
  readonly zone: string;
  readonly input: string;
  readonly output: string;
  readonly keyDir: string;
  readonly dsDir: string;
  readonly split: boolean;
  readonly denial: Denial;
  readonly nsec3?: { readonly salt: string; readonly iterations: number } | undefined;
  readonly validity?: readonly [number, number];
}

async function sign(tools: Tools, o: SignOptions): Promise<void> {
  const [from, to] = o.validity ?? [-86_400, 30 * 86_400];
  const args = ['-q', '-S', o.split ? '-x' : '-z', '-K', o.keyDir, '-o', o.zone, '-O', 'full', '-d', o.dsDir, '-f', o.output];
  args.push('-s', utc(from), '-e', utc(to));
  if (o.denial !== 'nsec') {
    args.push('-3', o.nsec3?.salt ?? '-', '-H', String(o.nsec3?.iterations ?? 0));
    if (o.denial === 'nsec3-optout') args.push('-A');
  }
  // -P: no post-signing verification, which refuses signatures outside their validity period.
  if (o.validity !== undefined) args.push('-P');
  args.push(o.input);
  await runAsync(tools.signzone, args);
}

/** The DS lines dnssec-signzone wrote for a child zone, one record per line. */
function dsLines(dsDir: string, zone: string): string[] {
  const text = readFileSync(join(dsDir, `dsset-${zone}`), 'utf8');
  return text
    .split('\n')
    .filter((l) => /\sDS\s/.test(l) && !l.startsWith(';'))
    .map((l) => {
      // "owner IN DS tag alg digesttype HEX HEX": dsset files split long digests in two tokens.
      const t = l.trim().split(/\s+/);
      const i = t.indexOf('DS');
      return `${t[0]!} IN DS ${t[i + 1]!} ${t[i + 2]!} ${t[i + 3]!} ${t.slice(i + 4).join('')}`;
    });
}

/** Flips the first digest digit so the DS matches no DNSKEY. */
function corruptDs(line: string): string {
  const t = line.split(' ');
  const digest = t[t.length - 1]!;
  const first = digest[0] === '0' ? '1' : '0';
  t[t.length - 1] = first + digest.slice(1);
  return t.join(' ');
}

function delegation(child: string, servers: readonly string[], nsNames: readonly string[]): string[] {
  const out: string[] = [];
  nsNames.forEach((ns, i) => {
    out.push(`${child} NS ${ns}`);
    if (ns.endsWith(`.${child}`)) out.push(`${ns} A ${servers[i % servers.length]!}`);
  });
  return out;
}

function nsdConf(dir: string, tier: string, addresses: readonly string[], zones: readonly { name: string; file: string }[]): string {
  const d = join(dir, 'run', `nsd-${tier}`);
  mkdirSync(d, { recursive: true });
  const lines = [
    'server:',
    '  server-count: 1',
    '  port: 53',
    '  do-ip6: no',
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: "${join(dir, 'signed')}"`,
    '  database: ""',
    `  zonelistfile: "${d}/zone.list"`,
    `  xfrdfile: "${d}/xfrd.state"`,
    `  xfrdir: "${d}"`,
    `  pidfile: "${d}/nsd.pid"`,
    `  logfile: "${d}/nsd.log"`,
    '  verbosity: 1',
    '  rrl-ratelimit: 0',
    '  rrl-whitelist-ratelimit: 0',
    ...addresses.map((a) => `  ip-address: ${a}`),
    'remote-control:',
    '  control-enable: no',
    ...zones.flatMap((z) => ['zone:', `  name: "${z.name}"`, `  zonefile: "${z.file}"`]),
  ];
  const path = join(dir, `nsd-${tier}.conf`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Builds, signs and lays out the whole hierarchy under `dir` (keys, zones, signed, ds, confs). */
export async function buildHierarchy(dir: string): Promise<Hierarchy> {
  const tools: Tools = {
    keygen: findTool('dnssec-keygen', 'bind9-utils'),
    signzone: findTool('dnssec-signzone', 'bind9-utils'),
    dsfromkey: findTool('dnssec-dsfromkey', 'bind9-utils'),
  };
  for (const sub of ['keys', 'zones', 'signed', 'ds']) mkdirSync(join(dir, sub), { recursive: true });
  const keyDir = (zone: string): string => join(dir, 'keys', zone === '.' ? 'root' : zone.slice(0, -1));
  const zoneFile = (zone: string): string => join(dir, 'zones', `${zone === '.' ? 'root' : zone.slice(0, -1)}.zone`);
  const signedFile = (zone: string): string => join(dir, 'signed', `${zone === '.' ? 'root' : zone.slice(0, -1)}.zone`);
  const dsDir = join(dir, 'ds');

  // Keys first, two at a time (RSA generation is the slow part).
  const keyJobs: (() => Promise<void>)[] = [
    () => makeKeys(tools, keyDir('.'), '.', 'RSASHA256', true),
    ...TLDS.map((t) => () => makeKeys(tools, keyDir(t.name), t.name, t.algorithm, true)),
    ...ZONES.filter((z) => z.algorithm !== undefined).map((z) => () => makeKeys(tools, keyDir(z.name), z.name, z.algorithm!, z.split ?? false)),
  ];
  const workers = [0, 1].map(async () => {
    for (let job = keyJobs.shift(); job !== undefined; job = keyJobs.shift()) await job();
  });
  await Promise.all(workers);

  // Delegations (with glue) and DS records a zone holds for its children.
  const childLines = (parent: string): string[] => {
    const out: string[] = [];
    for (const z of ZONES.filter((c) => c.parent === parent)) {
      out.push(...delegation(z.name, z.servers, [`ns1.${z.name}`, `ns2.${z.name}`]));
      if (z.status === 'insecure') continue;
      const ds = dsLines(dsDir, z.name);
      out.push(...(z.status === 'bogus-ds' ? ds.map(corruptDs) : ds));
    }
    return out;
  };

  // Third-level zones first (their parents need the DS), then the second level.
  const signTier = async (zones: readonly SldSpec[]): Promise<void> => {
    await Promise.all(
      zones.map(async (z) => {
        const body = sldBody(z, childLines(z.name));
        writeFileSync(zoneFile(z.name), body);
        if (z.status === 'insecure') {
          writeFileSync(signedFile(z.name), body);
          return;
        }
        const validity: readonly [number, number] | undefined =
          z.status === 'bogus-expired' ? [-30 * 86_400, -10 * 86_400] : z.status === 'bogus-notyet' ? [10 * 86_400, 40 * 86_400] : undefined;
        await sign(tools, {
          zone: z.name,
          input: zoneFile(z.name),
          output: signedFile(z.name),
          keyDir: keyDir(z.name),
          dsDir,
          split: z.split ?? false,
          denial: z.denial ?? 'nsec',
          nsec3: z.nsec3,
          ...(validity === undefined ? {} : { validity }),
        });
        if (z.status === 'bogus-nosig') writeFileSync(signedFile(z.name), body);
        if (z.status === 'bogus-sig') {
          // Edit one record of www's A RRset after signing: its RRSIG no longer verifies.
          const text = readFileSync(signedFile(z.name), 'utf8');
          const re = new RegExp(`^(www\\.${z.name.replaceAll('.', '\\.')}\\s+\\d+\\s+IN\\s+A\\s+)192\\.0\\.2\\.2$`, 'm');
          if (!re.test(text)) throw new Error(`${z.name}: could not find www A 192.0.2.2 in the signed zone to corrupt`);
          writeFileSync(signedFile(z.name), text.replace(re, '$1192.0.2.66'));
        }
      }),
    );
  };
  await signTier(DEEP);
  await signTier(SLDS);

  // TLDs: delegations with glue and DS; test. also holds the root servers' names.
  for (const tld of TLDS) {
    const lines = [
      `$ORIGIN ${tld.name}`,
      '$TTL 3600',
      `@ SOA ns1.nic hostmaster.nic 2026010101 7200 3600 1209600 300`,
      '@ NS ns1.nic',
      '@ NS ns2.nic',
      `ns1.nic A ${TLD_SERVERS[0]}`,
      `ns2.nic A ${TLD_SERVERS[1]}`,
      `@ TXT "tld ${tld.name}"`,
      // A wildcard in the TLD: in example. its expansions rest on opt-out NSEC3 spans.
      '*.wild A 192.0.2.7',
    ];
    if (tld.name === 'test.') lines.push(`a.root-servers A ${ROOT_SERVERS[0]}`, `b.root-servers A ${ROOT_SERVERS[1]}`);
    lines.push(...childLines(tld.name));
    writeFileSync(zoneFile(tld.name), `${lines.join('\n')}\n`);
    await sign(tools, {
      zone: tld.name,
      input: zoneFile(tld.name),
      output: signedFile(tld.name),
      keyDir: keyDir(tld.name),
      dsDir,
      split: true,
      denial: tld.denial,
    });
  }

  // The root.
  const root = [
    '$ORIGIN .',
    '$TTL 86400',
    '. SOA a.root-servers.test. hostmaster.nic.test. 2026010101 1800 900 604800 86400',
    '. NS a.root-servers.test.',
    '. NS b.root-servers.test.',
    `a.root-servers.test. A ${ROOT_SERVERS[0]}`,
    `b.root-servers.test. A ${ROOT_SERVERS[1]}`,
  ];
  for (const tld of TLDS) {
    root.push(...delegation(tld.name, TLD_SERVERS, [`ns1.nic.${tld.name}`, `ns2.nic.${tld.name}`]));
    root.push(...dsLines(dsDir, tld.name));
  }
  writeFileSync(zoneFile('.'), `${root.join('\n')}\n`);
  await sign(tools, { zone: '.', input: zoneFile('.'), output: signedFile('.'), keyDir: keyDir('.'), dsDir, split: true, denial: 'nsec' });

  // Hints and the trust anchor (the root KSK's SHA-256 DS).
  const rootHintsFile = join(dir, 'root.hints');
  writeFileSync(
    rootHintsFile,
    [
      '.\t3600000\tIN\tNS\ta.root-servers.test.',
      '.\t3600000\tIN\tNS\tb.root-servers.test.',
      `a.root-servers.test.\t3600000\tIN\tA\t${ROOT_SERVERS[0]}`,
      `b.root-servers.test.\t3600000\tIN\tA\t${ROOT_SERVERS[1]}`,
      '',
    ].join('\n'),
  );
  const ksk = readdirSync(keyDir('.'))
    .filter((f) => f.endsWith('.key'))
    .map((f) => join(keyDir('.'), f))
    .find((f) => readFileSync(f, 'utf8').includes('key-signing'));
  if (ksk === undefined) throw new Error('no root KSK among the generated keys');
  const trustAnchorFile = join(dir, 'root.ds');
  writeFileSync(trustAnchorFile, await runAsync(tools.dsfromkey, ['-2', ksk]));

  const nsdConfs = {
    root: nsdConf(dir, 'root', ROOT_SERVERS, [{ name: '.', file: 'root.zone' }]),
    tld: nsdConf(dir, 'tld', TLD_SERVERS, TLDS.map((t) => ({ name: t.name, file: `${t.name.slice(0, -1)}.zone` }))),
    sld: nsdConf(dir, 'sld', SLD_SERVERS, SLDS.map((z) => ({ name: z.name, file: `${z.name.slice(0, -1)}.zone` }))),
    deep: nsdConf(dir, 'deep', DEEP_SERVERS, DEEP.map((z) => ({ name: z.name, file: `${z.name.slice(0, -1)}.zone` }))),
  };
  return {
    dir,
    rootHintsFile,
    trustAnchorFile,
    nsdConfs,
    tiers: { root: ROOT_SERVERS, tld: TLD_SERVERS, sld: SLD_SERVERS, deep: DEEP_SERVERS },
  };
}
