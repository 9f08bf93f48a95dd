// The demo world (`anchord demo`, issue 5): in one process, anchord signs the hierarchy of
// demo-zones.ts with its own signer, breaks some zones on purpose, serves every tier with its
// own authoritative server on a loopback address, and starts the validating resolver with the
// demo root's KSK DS as its only trust anchor and root hints that lead to the demo root server —
// authoritative zones and the resolver side by side, as the product is meant to run.
//
// - Keys: BIND-format files in a folder, reused across runs (demo-keys.ts).
// - Signatures from the real clock: inception an hour ago, valid for 30 days (the signer's
//   defaults), except expired.test (all RRSIGs expired EXPIRED_AGO seconds ago).
// - Breakage after signing or in the parent: badsig.test has one signature byte flipped;
//   badds.test's DS in test. has its last digest byte flipped; nosig.test has a DS in test. but is
//   served unsigned. The DS records of every other signed child (SHA-256, RFC 4509) go into the
//   parent before the parent is signed, so children are signed first.
// - Servers: tier N on `<base>.N`, all on one port (the resolver reaches every authoritative
//   server on one port); port 0 takes a free port for the first and reuses it for the others.
//   The authoritative servers bind 127/8 addresses only (--auth-base is checked); the resolver
//   binds where `listen` says, 127.0.0.1 by default.

import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { AuthZone } from '../auth/auth-zone.js';
import { createAuthServer, type AuthServer } from '../auth/auth-server.js';
import { signZone } from '../auth/signer.js';
import { AnchordError, ErrorCode } from '../core/errors.js';
import { publishLog } from '../core/diagnostics.js';
import { makeDsRdata } from '../dnssec/ds.js';
import { DsDigestType } from '../dnssec/algorithms.js';
import { keyTag } from '../dnssec/key-tag.js';
import { formatHostPort, parseHostPort } from '../transport/address.js';
import { TcpListener } from '../transport/tcp-listener.js';
import { UdpListener } from '../transport/udp-listener.js';
import { RRClass, RRType } from '../wire/constants.js';
import { Name } from '../wire/name.js';
import { printRdata } from '../wire/rdata-text.js';
import type { ResourceRecord } from '../wire/record.js';
import { parseZoneText } from '../zone/parser.js';
import { Zone } from '../zone/zone.js';
import { loadOrCreateDemoKeys, type DemoKey } from './demo-keys.js';
import { DEMO_QUERIES, digInstructions, type DemoQuery, type DigTarget } from './demo-queries.js';
import { DEMO_ZONES, EXPIRED_AGO, ROOT_SERVER_NAME, demoZoneText, parentOf, type DemoZone } from './demo-zones.js';
import { startResolverService, type ResolverService } from './resolver-service.js';

export const DEFAULT_DEMO_LISTEN = '127.0.0.1:5300';
export const DEFAULT_DEMO_AUTH_BASE = '127.53.53';
export const DEFAULT_DEMO_AUTH_PORT = 5301;
const DS_TTL = 300;
const DAY = 86400;

export interface DemoWorldOptions {
  /** Resolver address, UDP and TCP (default 127.0.0.1:5300; port 0: a free one each). */
  readonly listen?: string;
  /** First three octets of the authoritative servers' addresses, in 127/8 (default 127.53.53). */
  readonly authBase?: string;
  /** Port of every authoritative server (default 5301; 0: a free one). */
  readonly authPort?: number;
  /** Key folder (default `<tmpdir>/anchord-demo-<user>`); keys there are reused. */
  readonly keyDir?: string;
  /** Seconds since the epoch for signing (default the real clock). */
  readonly now?: number;
}

/** One authoritative server of the world. */
export interface DemoServer {
  readonly tier: 1 | 2 | 3;
  readonly address: string;
  readonly port: number;
  readonly zones: readonly string[];
}

export interface DemoWorld {
  /** The resolver's UDP address, what the dig lines name. */
  readonly resolver: DigTarget;
  readonly servers: readonly DemoServer[];
  readonly keyDir: string;
  /** Keys made in this run (0 when every key was reused). */
  readonly keysGenerated: number;
  /** The trust anchor in zone-file form (`. 300 IN DS ...`). */
  readonly trustAnchor: string;
  readonly zones: readonly DemoZone[];
  readonly queries: readonly DemoQuery[];
  readonly service: ResolverService;
  /** The text `anchord demo` prints: what runs where, then the dig lines by group. */
  instructions(): string[];
  close(): Promise<void>;
}

/** `<tmpdir>/anchord-demo-<user>`: per user, so two users of one machine do not collide. */
export function defaultDemoKeyDir(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = String(process.getuid?.() ?? 'user');
  }
  return join(tmpdir(), `anchord-demo-${user.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
}

/** Checks `127.x.y` and returns it. */
export function parseAuthBase(text: string): string {
  const parts = text.split('.');
  const octet = (s: string): boolean => /^\d{1,3}$/.test(s) && Number(s) <= 255;
  if (parts.length !== 3 || parts[0] !== '127' || !parts.every(octet)) {
    throw new AnchordError(ErrorCode.Usage, `--auth-base ${text}: expected three octets in 127/8, e.g. 127.53.53`);
  }
  return parts.map((p) => String(Number(p))).join('.');
}

interface SignedDemoZone {
  readonly zone: DemoZone;
  readonly auth: AuthZone;
}

function dsRecord(owner: Name, rdata: Uint8Array): ResourceRecord {
  return { name: owner, type: RRType.DS, class: RRClass.IN, ttl: DS_TTL, rdata };
}

/** The DS records the parent publishes for `zone` (none for an insecure delegation). */
function dsForChild(zone: DemoZone, keys: readonly DemoKey[]): ResourceRecord[] {
  const owner = Name.parse(zone.origin);
  const out: ResourceRecord[] = [];
  for (const k of keys) {
    if (!k.spec.ksk) continue;
    const ds = makeDsRdata(owner, k.dnskey, DsDigestType.SHA256);
    // A digest byte changed: same key tag and algorithm, so the DS names the key but matches nothing.
    if (zone.breakage === 'bad-ds') ds[ds.length - 1] = ds[ds.length - 1]! ^ 0xff;
    out.push(dsRecord(owner, ds));
  }
  return out;
}

/** Flips the last signature byte of the RRSIGs covering A at `www.<origin>`. */
function corruptSignatures(records: ResourceRecord[], origin: Name): ResourceRecord[] {
  const target = Name.parse('www', origin);
  return records.map((r) => {
    if (r.type !== RRType.RRSIG || !r.name.equals(target) || ((r.rdata[0]! << 8) | r.rdata[1]!) !== RRType.A) return r;
    const rdata = r.rdata.slice();
    rdata[rdata.length - 1] = rdata[rdata.length - 1]! ^ 0x01;
    return { ...r, rdata };
  });
}

async function buildZone(zone: DemoZone, keys: readonly DemoKey[], extra: readonly ResourceRecord[], tierAddress: (t: 1 | 2 | 3) => string, now: number): Promise<AuthZone> {
  const origin = Name.parse(zone.origin);
  const parsed = parseZoneText(demoZoneText(zone, tierAddress), { file: `demo:${zone.origin}`, origin, defaultTtl: 300 });
  const records: ResourceRecord[] = [...parsed.records, ...extra];
  const unsigned = keys.length === 0 || zone.breakage === 'ds-unsigned';
  if (unsigned) return AuthZone.fromRecords(origin, records);
  const model = Zone.fromRecords(origin, records);
  const allKsk = keys.every((k) => k.spec.ksk);
  const timing = zone.breakage === 'expired' ? { inception: now - 31 * DAY, expiration: now - EXPIRED_AGO } : {};
  const signed = await signZone(model, keys.map((k) => k.signing), {
    now,
    ...timing,
    denial: zone.denial === 'nsec3' ? { type: 'nsec3', iterations: 0, salt: new Uint8Array(0), optOut: false } : { type: 'nsec' },
    ignoreKskFlag: allKsk,
  });
  let out = [...signed.records()];
  if (zone.breakage === 'bad-sig') out = corruptSignatures(out, origin);
  return AuthZone.fromRecords(origin, out);
}

/** Signs (and breaks) every zone, children before parents. */
async function buildZones(zones: readonly DemoZone[], keyDir: string, tierAddress: (t: 1 | 2 | 3) => string, now: number): Promise<{ built: SignedDemoZone[]; rootKeys: DemoKey[]; generated: number }> {
  const keys = new Map<string, DemoKey[]>();
  let generated = 0;
  for (const z of zones) {
    const k = loadOrCreateDemoKeys(keyDir, Name.parse(z.origin), z.keys);
    generated += k.filter((x) => x.generated).length;
    keys.set(z.origin, k);
  }
  const extra = new Map<string, ResourceRecord[]>();
  for (const z of zones) {
    const parent = parentOf(z.origin, zones);
    if (parent === undefined) continue;
    const list = extra.get(parent.origin) ?? [];
    list.push(...dsForChild(z, keys.get(z.origin)!));
    extra.set(parent.origin, list);
  }
  // Deepest first, so a parent is signed with its children's DS records in place.
  const order = [...zones].sort((a, b) => Name.parse(b.origin).labelCount - Name.parse(a.origin).labelCount);
  const built: SignedDemoZone[] = [];
  for (const z of order) {
    const auth = await buildZone(z, keys.get(z.origin)!, extra.get(z.origin) ?? [], tierAddress, now);
    built.push({ zone: z, auth });
  }
  return { built, rootKeys: keys.get('.') ?? [], generated };
}

interface RunningServer {
  readonly info: DemoServer;
  close(): Promise<void>;
}

function bindHint(e: unknown, what: string): AnchordError {
  const msg = e instanceof Error ? e.message : String(e);
  return new AnchordError(ErrorCode.Config, `${what}: ${msg} (is another demo running? move it with --auth-base 127.X.Y, --auth-port N or --listen ADDRESS:PORT)`, { cause: e });
}

/** UDP and TCP on address:port for one tier. */
async function startTierServer(server: AuthServer, tier: 1 | 2 | 3, address: string, port: number, zones: readonly string[]): Promise<RunningServer> {
  const onError = (error: unknown, context: string): void => {
    publishLog({ level: 'warn', msg: `demo authoritative server: ${context}`, error: error instanceof Error ? error.message : String(error) });
  };
  const handler = (req: Uint8Array, client: { transport: 'udp' | 'tcp'; address?: string; port?: number }): Uint8Array | undefined => server.handle(req, client);
  const udp = new UdpListener({ addresses: [formatHostPort({ address, port })], handler, onError });
  try {
    await udp.start();
  } catch (e) {
    throw bindHint(e, `demo tier-${tier} server`);
  }
  const bound = udp.addresses[0]!;
  const tcp = new TcpListener({ addresses: [formatHostPort({ address, port: bound.port })], handler, onError });
  try {
    await tcp.start();
  } catch (e) {
    await udp.close({ graceMs: 0 });
    throw bindHint(e, `demo tier-${tier} server`);
  }
  return {
    info: { tier, address, port: bound.port, zones },
    close: async () => {
      await Promise.all([udp.close({ graceMs: 0 }), tcp.close({ graceMs: 0 })]);
    },
  };
}

/** Builds, serves and starts everything; the caller owns close(). */
export async function startDemoWorld(options: DemoWorldOptions = {}): Promise<DemoWorld> {
  const listen = options.listen ?? DEFAULT_DEMO_LISTEN;
  const listenHp = parseHostPort(listen);
  if (listenHp === undefined) throw new AnchordError(ErrorCode.Usage, `--listen ${listen}: expected ADDRESS:PORT`);
  const base = parseAuthBase(options.authBase ?? DEFAULT_DEMO_AUTH_BASE);
  const authPort = options.authPort ?? DEFAULT_DEMO_AUTH_PORT;
  if (!Number.isInteger(authPort) || authPort < 0 || authPort > 65535) throw new AnchordError(ErrorCode.Usage, `--auth-port ${authPort}: expected 0..65535`);
  const keyDir = options.keyDir ?? defaultDemoKeyDir();
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tierAddress = (t: 1 | 2 | 3): string => `${base}.${t}`;

  const { built, rootKeys, generated } = await buildZones(DEMO_ZONES, keyDir, tierAddress, now);

  const running: RunningServer[] = [];
  let service: ResolverService | undefined;
  // The resolver first, with time for queries in flight (they may still need the servers).
  const closeAll = async (): Promise<void> => {
    await service?.close(2000);
    await Promise.all(running.map((s) => s.close()));
  };
  try {
    let port = authPort;
    for (const tier of [1, 2, 3] as const) {
      const zones = built.filter((b) => b.zone.tier === tier);
      const server = createAuthServer(zones.map((b) => b.auth));
      const r = await startTierServer(server, tier, tierAddress(tier), port, zones.map((b) => b.zone.origin));
      running.push(r);
      port = r.info.port;
    }
    const hints = parseZoneText(`. 3600000 NS ${ROOT_SERVER_NAME}\n${ROOT_SERVER_NAME} 3600000 A ${tierAddress(1)}\n`, { file: 'demo:hints', origin: Name.ROOT }).records;
    const ds = rootKeys.filter((k) => k.spec.ksk).map((k) => makeDsRdata(Name.ROOT, k.dnskey, DsDigestType.SHA256));
    try {
      service = await startResolverService({
        listen: [listen],
        rootHints: hints,
        trustAnchors: [{ zone: Name.ROOT, ds }],
        resolver: { port },
      });
    } catch (e) {
      throw bindHint(e, 'demo resolver');
    }
    const svc = service;
    const udp = svc.addresses.find((a) => a.transport === 'udp')!;
    const resolver: DigTarget = { address: udp.address, port: udp.port };
    const servers = running.map((r) => r.info);
    const trustAnchor = ds.map((d) => `. ${DS_TTL} IN DS ${printRdata(RRType.DS, d)}`).join('\n');
    const rootTags = rootKeys.filter((k) => k.spec.ksk).map((k) => keyTag(k.dnskey));
    publishLog({ level: 'info', msg: 'demo world up', resolver: formatHostPort(resolver), servers: servers.map((s) => `${s.address}:${s.port}`).join(' '), keys: keyDir });
    return {
      resolver,
      servers,
      keyDir,
      keysGenerated: generated,
      trustAnchor,
      zones: DEMO_ZONES,
      queries: DEMO_QUERIES,
      service: svc,
      instructions(): string[] {
        const where = svc.addresses.map((a) => `${a.transport} ${formatHostPort(a)}`).join(', ');
        const lines = [`anchord demo: a signed hierarchy served by anchord itself, validated by anchord's resolver (${where})`, ''];
        for (const s of servers) lines.push(`  authoritative ${s.address} port ${s.port}: ${s.zones.join(' ')}`);
        lines.push('');
        for (const z of DEMO_ZONES) lines.push(`  ${z.origin.padEnd(15)} ${z.about}`);
        lines.push('', `  trust anchor (root KSK, key tag ${rootTags.join(', ')}): ${trustAnchor}`);
        lines.push(`  keys: ${keyDir} (${generated === 0 ? 'reused' : `${generated} generated`}); signatures made now, valid 30 days`, '');
        lines.push(...digInstructions(DEMO_QUERIES, resolver, { address: servers[0]!.address, port: servers[0]!.port }));
        lines.push('', 'Ctrl-C stops the demo.');
        return lines;
      },
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
