// A scenario's config block (FORMAT.md §2) mapped onto anchord's resolver configuration, starting
// from each tool's defaults (§2.2 table for U; Deckard's Knot Resolver template for D: no priming
// assumptions, no RFC 8145 signalling, no RFC 5011 updates, minimal responses; §9 rule 5).
//
// What maps: the root hint (D stub-addr/stub-name, U `stub-zone` for "." with stub-addr/stub-host),
// trust anchors (trust-anchor lines; U AUTOTRUST_FILE keys in a trusted state as static anchors),
// the clock start (val-override-date/-timestamp, §7: else 0), QNAME minimisation (D: absent means
// both ways), do-ip4/do-ip6, validation off (U `module-config: "iterator"`), aggressive NSEC, EDE in
// answers (U `ede: yes`), cache TTL clamps (U cache-min/max-(negative-)ttl, D `features: min_ttl /
// max_ttl`), val-bogus-ttl, harden-below-nxdomain, the NSEC3 iteration cap (U val-nsec3-keysize-iterations,
// Unbound's default 150; anchord has one cap for all key sizes), stub zones below the root (by
// stub-addr), forward zones (U `forward-zone` with forward-addr and forward-first, any name
// including "."; D `forward-addr`: the root forwarded to that address), negative trust anchors
// (domain-insecure), harden-glue, harden-unverified-glue, iter-scrub-ns, harden-algo-downgrade (U:
// Unbound's default `no` unless the scenario says yes; D: anchord's default, RFC 4509 §3), what
// QNAME minimisation asks at the whole name (resolver option qnameMinimisationHideQtype: U: on, as
// Unbound always probes the full name with QTYPE A first; D: off, as Knot Resolver asks the real
// QTYPE at the last label; neither tool has an option for it) and with which QTYPE (U A, D NS, the
// same way), minimal-responses (U: Unbound's
// default yes unless the scenario says no; D: yes, Knot Resolver answers minimally), the NS RRset
// in negative answers (resolver option negativeAuthorityNs: D on, as Knot Resolver passes on what
// the authoritative server put beside the SOA; U off, Unbound then follows minimal-responses), and U
// `access-control` rules with the actions anchord has (allow, allow_snoop, refuse, deny), added to
// the product's default ACL (transport/acl.ts; loopback allowed, as in Unbound).
// What anchord has no setting for is listed in `unsupported` with the option, so a failure can be
// reported as a missing feature rather than a wrong answer: stub-host, forward-host, forwarding over
// TLS, forward-no-cache, harden-referral-path, harden-unknown-additional, do-not-query-localhost off,
// stub-prime.
// `fake-sha1`/`fake-dsa` change nothing: signatures are always checked for real (§10, issue 6);
// they are recorded so that a failure caused by a signature that does not verify can say so.
// Logging, statistics and Unbound-internal tuning options (target-fetch-policy, rrset-roundrobin,
// iter-scrub-promiscuous, trust-anchor-signaling, local-zone nodefault, …) are
// accepted and ignored. An unknown D key is an error (Deckard rejects them); an unknown U option
// is noted.

import { ErrorCode, FileError } from '../../core/errors.js';
import { parseNetblock, type AclRule } from '../../transport/acl.js';
import { RRClass, RRType } from '../../wire/constants.js';
import { Name } from '../../wire/name.js';
import { ipv4FromText, ipv6FromText, ipv6ToText } from '../../wire/rdata.js';
import type { ResourceRecord } from '../../wire/record.js';
import { parseZone } from '../../zone/parser.js';
import { lenientRecord, normaliseRRText } from './rr-text.js';
import { Dialect, type ConfigOption, type Scenario } from './scenario.js';

export interface CacheLimits {
  readonly minTtl?: number;
  readonly maxTtl?: number;
  readonly minNegativeTtl?: number;
  readonly maxNegativeTtl?: number;
  readonly bogusTtl?: number;
  readonly belowNxdomain?: boolean;
}

export interface ReplaySetup {
  readonly rootHints: readonly ResourceRecord[];
  readonly trustAnchors: readonly ResourceRecord[];
  /** Clock start, ms since the epoch (§7 harness rule). */
  readonly startMs: number;
  /** U `val-override-date: "-1"`: signature dates are not to be checked. */
  readonly ignoreSignatureDates: boolean;
  /** One run per value (D without query-minimization: both). */
  readonly qnameMinimisation: readonly boolean[];
  readonly ipv4: boolean;
  readonly ipv6: boolean;
  readonly validation: boolean;
  readonly aggressiveNsec: boolean;
  /** Attach RFC 8914 EDE options to answers. */
  readonly ede: boolean;
  readonly cache: CacheLimits;
  /** NSEC3 iteration cap (U: val-nsec3-keysize-iterations, default 150); undefined: anchord's. */
  readonly nsec3MaxIterations?: number | undefined;
  /** Stub zones below the root (U `stub-zone` clauses with stub-addr). */
  readonly stubZones: readonly { readonly zone: Name; readonly addresses: readonly string[] }[];
  /** Forward zones (U `forward-zone` clauses with forward-addr; D `forward-addr` for the root). */
  readonly forwardZones: readonly { readonly zone: Name; readonly addresses: readonly string[]; readonly first: boolean }[];
  /** Negative trust anchors (`domain-insecure`). */
  readonly negativeTrustAnchors: readonly Name[];
  /** `harden-glue` (default yes). */
  readonly hardenGlue: boolean;
  /** `harden-unverified-glue` (default no). */
  readonly hardenUnverifiedGlue: boolean;
  /** U `iter-scrub-ns` (default 20). */
  readonly maxNsRecords?: number | undefined;
  /** Validator option hardenAlgoDowngrade (rrset-validator.ts); undefined: anchord's default. */
  readonly hardenAlgoDowngrade: boolean | undefined;
  /** Resolver option qnameMinimisationHideQtype (options.ts): the dialect's resolver's behaviour. */
  readonly qnameMinimisationHideQtype: boolean;
  /** Resolver option qnameMinimisationQtype: U A (Unbound), D NS (Knot Resolver). */
  readonly qnameMinimisationQtype: 'A' | 'NS';
  /** U `minimal-responses` (default yes); D: yes (Knot Resolver answers minimally). */
  readonly minimalResponses: boolean;
  /** Negative answers carry the upstream NS RRset (resolver option negativeAuthorityNs): D yes (Knot Resolver), U no. */
  readonly negativeAuthorityNs: boolean;
  /** Options the scenario sets that anchord cannot honour (missing features). */
  readonly unsupported: readonly string[];
  /** `fake-sha1`/`fake-dsa` were set (Unbound skipped those signature checks). */
  readonly fakeCrypto: boolean;
  /** RFC 8145 key-tag queries after RFC 5011 refreshes (U trust-anchor-signaling, default yes). */
  readonly trustAnchorSignaling: boolean;
  /** U AUTOTRUST_FILE present: the scenario is about RFC 5011 state. */
  readonly autotrust: boolean;
  /** Options noted but without effect (unknown U options). */
  readonly notes: readonly string[];
  /** U `access-control` rules, added to the product's default ACL. */
  readonly acl: readonly AclRule[];
}

/** Address text normalised (IPv6 compressed, lower case; `@port` dropped), or undefined. */
export function normaliseAddress(text: string): string | undefined {
  const t = text.trim().replace(/@[0-9]+$/, '');
  try {
    if (t.includes(':')) return ipv6ToText(ipv6FromText(t));
    ipv4FromText(t);
    return t;
  } catch {
    return undefined;
  }
}

function yes(v: string): boolean | undefined {
  const t = v.trim().toLowerCase();
  if (t === 'yes' || t === 'on' || t === 'true' || t === '1') return true;
  if (t === 'no' || t === 'off' || t === 'false' || t === '0') return false;
  return undefined;
}

/** YYYYMMDDHHMMSS (UTC) or POSIX seconds → seconds. */
function overrideDate(v: string): number | undefined {
  const t = v.trim();
  if (/^[0-9]{14}$/.test(t)) {
    const f = (a: number, b: number): number => Number(t.slice(a, b));
    const ms = Date.UTC(f(0, 4), f(4, 6) - 1, f(6, 8), f(8, 10), f(10, 12), f(12, 14));
    return Number.isFinite(ms) ? ms / 1000 : undefined;
  }
  if (/^[0-9]{1,12}$/.test(t)) return Number(t);
  return undefined;
}

const D_KEYS = new Set([
  'stub-addr',
  'stub-name',
  'trust-anchor',
  'val-override-date',
  'val-override-timestamp',
  'query-minimization',
  'do-ip6',
  'do-ip4',
  'harden-glue',
  'do-not-query-localhost',
  'domain-insecure',
  'forward-addr',
  'force-ipv6',
  'features',
  'feature-list',
]);

/** Unbound options accepted without effect on anchord (tuning, logging, Unbound internals). */
const U_IGNORED = new Set([
  'target-fetch-policy',
  'fake-sha1',
  'fake-dsa',
  'iter-scrub-promiscuous',
  'rrset-roundrobin',
  'local-zone',
  'verbosity',
  'log-time-ascii',
  'log-servfail',
  'log-queries',
  'log-replies',
  'val-log-level',
  'root-key-sentinel',
  'use-caps-for-id',
  'edns-buffer-size',
  'harden-dnssec-stripped',
  'interface',
  'port',
  'num-threads',
  'outgoing-range',
  'directory',
  'chroot',
  'username',
  'pidfile',
  'use-syslog',
]);

class Mapper {
  readonly scenario: Scenario;
  readonly unsupported: string[] = [];
  readonly notes: string[] = [];
  readonly anchors: ResourceRecord[] = [];
  readonly hintAddrs: string[] = [];
  readonly stubs: { zone: Name; addresses: string[] }[] = [];
  readonly forwards: { zone: Name; addresses: string[]; first: boolean }[] = [];
  readonly ntas: Name[] = [];
  readonly acl: AclRule[] = [];
  hardenGlue = true;
  hardenUnverifiedGlue = false;
  maxNsRecords: number | undefined;
  hardenAlgoDowngrade: boolean | undefined;
  hideQtype: boolean;
  minQtype: 'A' | 'NS';
  minimal = true;
  hintName: Name = Name.parse('k.root-servers.net.');
  start: number | undefined;
  ignoreDates = false;
  qmin: boolean | undefined;
  ipv4 = true;
  ipv6 = true;
  validation = true;
  aggressive = true;
  ede: boolean;
  fake = false;
  signaling: boolean;
  nsec3Max: number | undefined;
  cache: { -readonly [K in keyof CacheLimits]: CacheLimits[K] } = {};

  constructor(scenario: Scenario) {
    this.scenario = scenario;
    this.ede = scenario.dialect === Dialect.deckard;
    // Unbound signals by default; Deckard's Knot Resolver template turns it off (§2.1, §9 rule 5).
    this.signaling = scenario.dialect === Dialect.unbound;
    // Unbound's harden-algo-downgrade default is no (any DS digest, any algorithm); Knot Resolver
    // has no such setting: D scenarios get anchord's default.
    this.hardenAlgoDowngrade = scenario.dialect === Dialect.unbound ? false : undefined;
    // At the whole name Unbound asks QTYPE A before the real QTYPE (iterator.c: minimising stops
    // only at labdiff < 1, or < 2 for A and DS); Knot Resolver asks the real QTYPE at once
    // (iterate.c minimized_qname hides the QTYPE only for a shortened name).
    this.hideQtype = scenario.dialect === Dialect.unbound;
    // Minimised questions: Unbound asks QTYPE A, Knot Resolver NS (minimized_qname).
    this.minQtype = scenario.dialect === Dialect.unbound ? 'A' : 'NS';
    // Unbound's default "1024 150 2048 150 4096 150": 150 for every key size it allows; Knot
    // Resolver 5's KR_NSEC3_MAX_ITERATIONS is 150 as well.
    this.nsec3Max = 150;
  }

  fail(o: ConfigOption, msg: string): never {
    throw new FileError(ErrorCode.Scenario, this.scenario.file, o.line, 0, `${o.key}: ${msg}`);
  }

  flag(o: ConfigOption): boolean {
    const v = yes(o.value);
    if (v === undefined) this.fail(o, `"${o.value}" is not yes/no`);
    return v;
  }

  int(o: ConfigOption): number {
    const t = o.value.trim();
    if (!/^[0-9]+$/.test(t)) this.fail(o, `"${o.value}" is not a number`);
    return Number(t);
  }

  addr(o: ConfigOption, into: string[]): void {
    const a = normaliseAddress(o.value);
    if (a === undefined) this.fail(o, `"${o.value}" is not an IP address`);
    into.push(a);
  }

  zoneName(text: string): Name {
    const t = text.trim().replace(/^"|"$/g, '');
    return Name.parse(t.endsWith('.') ? t : `${t}.`);
  }

  nta(o: ConfigOption): void {
    try {
      this.ntas.push(this.zoneName(o.value));
    } catch (err) {
      this.fail(o, (err as Error).message);
    }
  }

  anchor(o: ConfigOption, text: string): void {
    const line = normaliseRRText(text.trim());
    const records: ResourceRecord[] = [];
    try {
      for (const r of parseZone(line, { file: this.scenario.file, origin: Name.ROOT, defaultTtl: 3600, class: RRClass.IN })) records.push(r);
    } catch (err) {
      const raw = lenientRecord(line, Name.ROOT, 3600, () => undefined);
      if (raw === undefined) this.fail(o, err instanceof FileError ? err.detail : (err as Error).message);
      records.push(raw);
    }
    for (const r of records) {
      if (r.type !== RRType.DS && r.type !== RRType.DNSKEY) this.fail(o, 'a trust anchor must be a DS or DNSKEY record');
      this.anchors.push(r);
    }
  }

  date(o: ConfigOption): void {
    if (o.value.trim() === '-1') {
      this.ignoreDates = true;
      return;
    }
    const s = overrideDate(o.value);
    if (s === undefined) this.fail(o, `"${o.value}" is not YYYYMMDDHHMMSS or seconds`);
    this.start = s;
  }

  deckard(o: ConfigOption): void {
    if (!D_KEYS.has(o.key)) this.fail(o, 'unknown Deckard config key');
    switch (o.key) {
      case 'stub-addr':
        this.addr(o, this.hintAddrs);
        break;
      case 'stub-name':
        try {
          this.hintName = Name.parse(o.value.endsWith('.') ? o.value : `${o.value}.`);
        } catch (err) {
          this.fail(o, (err as Error).message);
        }
        break;
      case 'trust-anchor':
        this.anchor(o, o.value);
        break;
      case 'val-override-date':
      case 'val-override-timestamp':
        this.date(o);
        break;
      case 'query-minimization':
        this.qmin = this.flag(o);
        break;
      case 'do-ip6':
        this.ipv6 = this.flag(o);
        break;
      case 'do-ip4':
        this.ipv4 = this.flag(o);
        break;
      case 'harden-glue':
        this.hardenGlue = this.flag(o);
        break;
      case 'do-not-query-localhost':
        if (!this.flag(o)) this.unsupported.push('do-not-query-localhost: off');
        break;
      case 'domain-insecure':
        this.nta(o);
        break;
      case 'forward-addr': {
        let root = this.forwards.find((f) => f.zone.isRoot());
        if (root === undefined) this.forwards.push((root = { zone: Name.ROOT, addresses: [], first: false }));
        this.addr(o, root.addresses);
        break;
      }
      case 'force-ipv6':
        if (this.flag(o)) this.unsupported.push('force-ipv6: the test network over IPv6');
        break;
      case 'features':
      case 'feature-list':
        this.features(o);
        break;
    }
  }

  /** Deckard `features`: Knot Resolver settings; only min_ttl/max_ttl occur (§2.1). */
  features(o: ConfigOption): void {
    for (const part of o.value.split(/[,;]/)) {
      const m = /^\s*([a-z_]+)\s*=\s*([0-9]+)\s*$/.exec(part);
      if (m === null) {
        if (part.trim() !== '') this.unsupported.push(`features: ${part.trim()}`);
        continue;
      }
      if (m[1] === 'min_ttl') this.cache.minTtl = Number(m[2]);
      else if (m[1] === 'max_ttl') this.cache.maxTtl = Number(m[2]);
      else this.unsupported.push(`features: ${part.trim()}`);
    }
  }

  unbound(): void {
    for (const clause of this.scenario.config.clauses) {
      if (clause.name === 'server') {
        for (const o of clause.options) this.unboundServer(o);
      } else if (clause.name === 'stub-zone' || clause.name === 'forward-zone') {
        const name = clause.options.find((o) => o.key === 'name')?.value.trim() ?? '';
        const isRoot = name === '.' || name === '';
        if (clause.name === 'stub-zone' && isRoot) {
          for (const o of clause.options) {
            if (o.key === 'stub-addr') this.addr(o, this.hintAddrs);
            else if (o.key === 'stub-host') this.hintName = Name.parse(o.value.endsWith('.') ? o.value : `${o.value}.`);
            else if (o.key === 'stub-prime' && this.flag(o)) this.unsupported.push('stub-prime: yes');
          }
        } else if (clause.name === 'stub-zone') {
          const stub = { zone: this.zoneName(name), addresses: [] as string[] };
          for (const o of clause.options) {
            if (o.key === 'stub-addr') this.addr(o, stub.addresses);
            else if (o.key === 'stub-host') this.unsupported.push(`stub-host for ${name}`);
            else if (o.key === 'stub-prime' && this.flag(o)) this.unsupported.push(`stub-prime: yes for ${name}`);
          }
          this.stubs.push(stub);
        } else {
          const fwd = { zone: this.zoneName(isRoot ? '.' : name), addresses: [] as string[], first: false };
          for (const o of clause.options) {
            if (o.key === 'forward-addr') this.addr(o, fwd.addresses);
            else if (o.key === 'forward-first') fwd.first = this.flag(o);
            else if (o.key === 'forward-host') this.unsupported.push(`forward-host for ${name}`);
            else if ((o.key === 'forward-tls-upstream' || o.key === 'forward-ssl-upstream') && this.flag(o)) this.unsupported.push(`${o.key}: yes for ${name}`);
            else if (o.key === 'forward-no-cache' && this.flag(o)) this.unsupported.push(`forward-no-cache: yes for ${name}`);
          }
          if (fwd.addresses.length > 0) this.forwards.push(fwd);
        }
      } else {
        this.unsupported.push(`${clause.name}: clause`);
      }
    }

  }

  unboundServer(o: ConfigOption): void {
    switch (o.key) {
      case 'trust-anchor':
        this.anchor(o, o.value);
        return;
      case 'val-override-date':
        this.date(o);
        return;
      case 'qname-minimisation':
        this.qmin = this.flag(o);
        return;
      case 'do-ip6':
        this.ipv6 = this.flag(o);
        return;
      case 'do-ip4':
        this.ipv4 = this.flag(o);
        return;
      case 'module-config':
        this.validation = o.value.split(/\s+/).includes('validator');
        return;
      case 'aggressive-nsec':
        this.aggressive = this.flag(o);
        return;
      case 'ede':
        this.ede = this.flag(o);
        return;
      case 'cache-min-ttl':
        this.cache.minTtl = this.int(o);
        return;
      case 'cache-max-ttl':
        this.cache.maxTtl = this.int(o);
        return;
      case 'cache-min-negative-ttl':
        this.cache.minNegativeTtl = this.int(o);
        return;
      case 'cache-max-negative-ttl':
        this.cache.maxNegativeTtl = this.int(o);
        return;
      case 'val-bogus-ttl':
        this.cache.bogusTtl = this.int(o);
        return;
      case 'val-nsec3-keysize-iterations': {
        // Pairs of key size and iterations; anchord has one cap, so the largest value stands.
        const nums = o.value.trim().split(/\s+/).map(Number);
        if (nums.length === 0 || nums.length % 2 !== 0 || nums.some((n) => !Number.isInteger(n) || n < 0)) this.fail(o, 'expects pairs of numbers');
        this.nsec3Max = Math.max(...nums.filter((_, i) => i % 2 === 1));
        if (new Set(nums.filter((_, i) => i % 2 === 1)).size > 1) this.unsupported.push('val-nsec3-keysize-iterations per key size');
        return;
      }
      case 'harden-below-nxdomain':
        this.cache.belowNxdomain = this.flag(o);
        return;
      case 'trust-anchor-signaling':
        this.signaling = this.flag(o);
        return;
      case 'fake-sha1':
      case 'fake-dsa':
        if (this.flag(o)) this.fake = true;
        return;
      case 'domain-insecure':
        this.nta(o);
        return;
      case 'harden-glue':
        this.hardenGlue = this.flag(o);
        return;
      case 'do-not-query-localhost':
        if (!this.flag(o)) this.unsupported.push('do-not-query-localhost: no');
        return;
      case 'harden-unverified-glue':
        this.hardenUnverifiedGlue = this.flag(o);
        return;
      case 'minimal-responses':
        this.minimal = this.flag(o);
        return;
      case 'iter-scrub-ns':
        this.maxNsRecords = this.int(o);
        return;
      case 'harden-algo-downgrade':
        this.hardenAlgoDowngrade = this.flag(o);
        return;
      case 'access-control': {
        const [netblock, action, ...rest] = o.value.trim().split(/\s+/);
        if (netblock === undefined || action === undefined || rest.length > 0 || parseNetblock(netblock) === undefined) {
          this.fail(o, 'expects a netblock and an action');
        }
        if (action === 'allow' || action === 'allow_snoop' || action === 'refuse' || action === 'deny') this.acl.push({ netblock, action });
        else this.unsupported.push(`access-control: ${action}`);
        return;
      }
      case 'harden-referral-path':
      case 'harden-unknown-additional':
        if (this.flag(o)) this.unsupported.push(`${o.key}: yes`);
        return;
      case 'auto-trust-anchor-file':
      case 'trust-anchor-file':
        this.unsupported.push(`${o.key} (a file outside the scenario)`);
        return;
      default:
        if (!U_IGNORED.has(o.key)) this.notes.push(`ignored ${o.key}: ${o.value}`);
    }
  }

  /** AUTOTRUST_FILE keys in the VALID or MISSING state (RFC 5011 §4) as static anchors. */
  autotrustAnchors(): void {
    for (const f of this.scenario.config.autotrust) {
      for (let i = 0; i < f.lines.length; i++) {
        const line = f.lines[i]!;
        if (line.trim().startsWith(';') || line.trim() === '') continue;
        const state = /;;state=([0-9]+)/.exec(line)?.[1];
        if (state !== undefined && state !== '2' && state !== '3') continue;
        const rrText = line.split(';')[0]!;
        const type = rrText
          .trim()
          .split(/\s+/)
          .slice(1)
          .find((t) => !/^[0-9]/.test(t) && t.toUpperCase() !== 'IN');
        if (type?.toUpperCase() !== 'DNSKEY' && type?.toUpperCase() !== 'DS') continue;
        this.anchor({ key: 'AUTOTRUST_FILE', value: rrText, line: f.line + 1 + i }, rrText);
      }
    }
  }

  /** Earliest inception and latest expiration windows: a time inside every RRSIG's window. */
  signatureTime(): number | undefined {
    let lo = -Infinity;
    let hi = Infinity;
    const visit = (rs: readonly ResourceRecord[]): void => {
      for (const r of rs) {
        if (r.type !== RRType.RRSIG || r.rdata.length < 16) continue;
        const u32 = (p: number): number => ((r.rdata[p]! << 24) | (r.rdata[p + 1]! << 16) | (r.rdata[p + 2]! << 8) | r.rdata[p + 3]!) >>> 0;
        const exp = u32(8);
        const inc = u32(12);
        if (inc <= exp) {
          lo = Math.max(lo, inc);
          hi = Math.min(hi, exp);
        }
      }
    };
    for (const range of this.scenario.ranges) for (const e of range.entries) [e.answer, e.authority, e.additional].forEach(visit);
    for (const s of this.scenario.steps) if ('entry' in s) [s.entry.answer, s.entry.authority, s.entry.additional].forEach(visit);
    if (lo === -Infinity || lo > hi) return undefined;
    return Math.floor((lo + hi) / 2);
  }
}

/** Maps a parsed scenario's config (see the module comment). Throws FileError for bad values. */
export function mapConfig(scenario: Scenario): ReplaySetup {
  const m = new Mapper(scenario);
  if (scenario.dialect === Dialect.deckard) for (const o of scenario.config.options) m.deckard(o);
  else m.unbound();
  if (scenario.config.tempfiles.length > 0) m.unsupported.push('TEMPFILE_CONTENTS (testbound temp files)');
  // A forwarded root needs no root hint: nothing is iterated from the root.
  const rootForwarded = m.forwards.some((f) => f.zone.isRoot() && !f.first);
  if (m.hintAddrs.length === 0 && !rootForwarded) m.unsupported.push('no root server in the config (built-in root hints used)');
  const hints: ResourceRecord[] = [];
  if (m.hintAddrs.length > 0) {
    hints.push({ name: Name.ROOT, type: RRType.NS, class: RRClass.IN, ttl: 3600000, rdata: m.hintName.wire.slice() });
    for (const a of m.hintAddrs) {
      const v6 = a.includes(':');
      hints.push({
        name: m.hintName,
        type: v6 ? RRType.AAAA : RRType.A,
        class: RRClass.IN,
        ttl: 3600000,
        rdata: v6 ? ipv6FromText(a) : ipv4FromText(a),
      });
    }
  }
  let start = m.start ?? 0;
  if (m.ignoreDates) {
    // "-1": no date checks. anchord always checks them, so its clock starts inside every
    // signature's validity window when there is such a time (TTLs only count differences).
    const t = m.signatureTime();
    if (t !== undefined) start = t;
    else m.unsupported.push('val-override-date: -1 (ignore signature dates) with signatures whose windows do not overlap');
  }
  const ipv6 = m.ipv6 || (m.hintAddrs.length > 0 && m.hintAddrs.every((a) => a.includes(':')));
  return {
    rootHints: hints,
    trustAnchors: m.validation ? m.anchors : [],
    startMs: start * 1000,
    ignoreSignatureDates: m.ignoreDates,
    qnameMinimisation: m.qmin === undefined ? (scenario.dialect === Dialect.deckard ? [true, false] : [true]) : [m.qmin],
    ipv4: m.ipv4,
    ipv6,
    validation: m.validation,
    aggressiveNsec: m.aggressive,
    ede: m.ede,
    cache: m.cache,
    nsec3MaxIterations: m.nsec3Max,
    stubZones: m.stubs,
    forwardZones: m.forwards,
    negativeTrustAnchors: m.ntas,
    hardenGlue: m.hardenGlue,
    hardenUnverifiedGlue: m.hardenUnverifiedGlue,
    maxNsRecords: m.maxNsRecords,
    hardenAlgoDowngrade: m.hardenAlgoDowngrade,
    qnameMinimisationHideQtype: m.hideQtype,
    minimalResponses: m.minimal,
    qnameMinimisationQtype: m.minQtype,
    negativeAuthorityNs: scenario.dialect === Dialect.deckard,
    unsupported: m.unsupported,
    fakeCrypto: m.fake,
    trustAnchorSignaling: m.signaling,
    autotrust: scenario.config.autotrust.length > 0,
    notes: m.notes,
    acl: m.acl,
  };
}
