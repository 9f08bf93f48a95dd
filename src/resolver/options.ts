// Resolver configuration: the named work limits (DESIGN.md convention 7), upstream behaviour and
// the root of everything, the hints and trust anchors, as plain values. Config normalisation
// (src/config) builds a ResolverOptionsInit; `resolverOptions` fills the defaults and checks ranges.
//
// Work limits per client query, after Unbound and BIND (each trip is SERVFAIL + EDE, ede-tags.ts):
//
// | limit                    | anchord | Unbound                          | BIND 9.18                    |
// |--------------------------|---------|----------------------------------|------------------------------|
// | referrals followed       | 30      | MAX_REFERRAL_COUNT 130           | (in max-recursion-queries)   |
// | sub-queries              | 40      | MAX_TARGET_COUNT 64 targets      | max-recursion-depth 7 deep   |
// | NS names per delegation  | 5       | MAX_TARGET_NX 5 (nxns)           | 20 (max-delegation-servers)  |
// | CNAME/DNAME links        | 12      | MAX_RESTART_COUNT 11             | 16 (max-query-restarts 11)   |
// | upstream queries         | 100     | (MAX_SENT_COUNT 32 per target)   | max-recursion-queries 100    |
// | sub-query nesting        | 6       | (MAX_DEPENDENCY / depth)         | max-recursion-depth 7        |
// | minimised queries        | 10      | MAX_MINIMISE_COUNT 10            | (qname-minimization relaxed) |
// | wall time                | 10 s    | (client timeout)                 | resolver-query-timeout 10 s  |
//
// Hints (RFC 8109 §3): NS records for the root and A/AAAA records for their names, as in
// `named.root`. Trust anchors (RFC 4033 §5, RFC 7958): DS or DNSKEY records of any zone (the root's by
// default); with none, nothing is validated and no answer is secure.
//
// Pure module.

import { validatorOptions, type ValidatorOptions, type ValidatorOptionsInit } from '../dnssec/rrset-validator.js';
import type { TrustPoint } from '../dnssec/key-validator.js';
import { RRType } from '../wire/constants.js';
import { DEFAULT_UDP_SIZE } from '../wire/message.js';
import type { Name } from '../wire/name.js';
import { decodeTyped } from '../wire/rdata.js';
import type { ResourceRecord } from '../wire/record.js';

export interface ResolverLimits {
  /** Referrals followed for one client query, over all its iterations. */
  readonly maxReferrals: number;
  /** Sub-queries started for one client query: NS address lookups, DS and DNSKEY fetches. */
  readonly maxSubQueries: number;
  /** NS names whose addresses may be looked up for one delegation (NXNS). */
  readonly maxNsNamesPerDelegation: number;
  /** CNAME and DNAME links followed from the query name. */
  readonly maxCnameChain: number;
  /** Upstream queries sent for one client query. */
  readonly maxUpstreamQueries: number;
  /** Nesting of sub-queries (an NS lookup needing an NS lookup...). */
  readonly maxDepth: number;
  /** Minimised queries for one name (RFC 9156 §2.3 MAX_MINIMISE_COUNT). */
  readonly maxMinimisedQueries: number;
  /** Wall time for one client query, ms (by the injected clock). */
  readonly wallTimeMs: number;
}

export const DEFAULT_RESOLVER_LIMITS: ResolverLimits = Object.freeze({
  maxReferrals: 30,
  maxSubQueries: 40,
  maxNsNamesPerDelegation: 5,
  maxCnameChain: 12,
  maxUpstreamQueries: 100,
  maxDepth: 6,
  maxMinimisedQueries: 10,
  wallTimeMs: 10_000,
});

export type LimitName = keyof ResolverLimits;

/** A configured trust anchor: a zone with its DS and/or DNSKEY RDATAs. */
export type TrustAnchor = TrustPoint;

/** A server address, with its port when it is not the resolver's `port`. */
export interface ServerAddress {
  readonly address: string;
  readonly port?: number | undefined;
}

/** The address text a delegation holds for a server: `address`, or `address@port`. */
export function serverKey(a: ServerAddress): string {
  return a.port === undefined ? a.address : `${a.address}@${a.port}`;
}

/** A delegation's address text back to address and port (`defaultPort` when it names none). */
export function parseServerKey(text: string, defaultPort: number): { address: string; port: number } {
  const at = text.lastIndexOf('@');
  if (at < 0) return { address: text, port: defaultPort };
  const port = Number(text.slice(at + 1));
  return Number.isInteger(port) && port > 0 && port < 65536 ? { address: text.slice(0, at), port } : { address: text, port: defaultPort };
}

/**
 * A stub zone (Unbound `stub-zone`): the servers to ask for names at and below `zone`, instead of
 * what delegations lead there. A deeper delegation learnt from these servers is still followed.
 */
export interface StubZone {
  readonly zone: Name;
  readonly servers: readonly ServerAddress[];
}

/**
 * A forward zone (Unbound `forward-zone`, BIND `zone "x" { type forward; }`): names at and below
 * `zone` are asked of these servers with RD set (RFC 1035 §4.1.1: they recurse for us) instead of
 * being iterated. Answers are still validated from the trust anchors down; DS and DNSKEY RRsets
 * come through the same forwarders when they are at or below the zone (a DS at the zone's own apex
 * belongs to the parent, RFC 4035 §4.2, so it follows the parent's route). A deeper stub or forward
 * zone wins; cached delegations below the zone are not used while forwarding. `first` (Unbound
 * `forward-first: yes`, BIND `forward first`): when no forwarder gives a usable answer, the name is
 * iterated as if the zone were not forwarded; otherwise (`forward only`) the query fails.
 */
export interface ForwardZone {
  readonly zone: Name;
  readonly servers: readonly ServerAddress[];
  readonly first: boolean;
}

export interface ResolverOptions {
  /** Root hints: NS records of the root and addresses of their names. */
  readonly rootHints: readonly ResourceRecord[];
  /** Trust anchors by zone; empty: no validation. */
  readonly trustAnchors: readonly TrustAnchor[];
  readonly limits: ResolverLimits;
  /** QNAME minimisation (RFC 9156). Default on. */
  readonly qnameMinimisation: boolean;
  /**
   * What QNAME minimisation sends once the whole name is reached (YAML
   * `qname-minimisation-hide-qtype`). true (default; RFC 9156 §3 steps 3-6, as Unbound): the full
   * name is first asked with the minimising QTYPE, so the real QTYPE goes only to the servers of
   * the zone holding the name (not to its parent's when the name is itself delegated); no extra
   * query when the real QTYPE is the minimising one, for DS (asked of the parent, §3 step 3) or
   * when the cache already holds a NOERROR answer for the probe (§3 step 5). false (Knot
   * Resolver): the last label is asked with the real QTYPE at once, one query fewer per name.
   */
  readonly qnameMinimisationHideQtype: boolean;
  /**
   * QTYPE of minimised questions (YAML `qname-minimisation-qtype`; RFC 9156 §2.1 allows A or NS).
   * A (default, as Unbound; a zone whose servers do not answer it is then asked NS before the
   * full question) or NS (as Knot Resolver; on no answer, the full question).
   */
  readonly qnameMinimisationQtype: 'A' | 'NS';
  /** Random letter case in queries, echoed exactly (draft-vixie-dnsext-dns0x20). Default off. */
  readonly use0x20: boolean;
  /** Query name servers over IPv4 (A records). Default on. */
  readonly ipv4: boolean;
  /** Query name servers over IPv6 (AAAA records). Default off. */
  readonly ipv6: boolean;
  /** EDNS UDP payload size advertised upstream (DNS Flag Day 2020: 1232). */
  readonly ednsBufferSize: number;
  /** Port of authoritative servers. Default 53. */
  readonly port: number;
  /** Bounds of the per-attempt timeout taken from the infra cache's RTO, ms. */
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
  /**
   * Time allowed for one exchange over TCP, ms: connection set-up, the query and the whole reply
   * (RFC 7766 §6.2.2). Not taken from the UDP RTO, which only covers one datagram's round trip.
   * Default 5000 (Unbound's tcp-auth-query-timeout is 3000, BIND's TCP timeout 10 s).
   */
  readonly tcpTimeoutMs: number;
  /** Attempts per server address within one iteration step (1 = no retry). Default 2. */
  readonly attemptsPerServer: number;
  /** Validator options (algorithm policy, budgets, NSEC3 caps, clock skew). */
  readonly validator: ValidatorOptions;
  /** Stub zones (none by default). */
  readonly stubZones: readonly StubZone[];
  /** Forward zones (none by default). */
  readonly forwardZones: readonly ForwardZone[];
  /**
   * Negative trust anchors (RFC 7646, Unbound `domain-insecure`): names at and below them are
   * insecure and not validated, unless a deeper trust anchor covers them.
   */
  readonly negativeTrustAnchors: readonly Name[];
  /**
   * Accept only in-bailiwick glue (Unbound `harden-glue`, default on). Off: addresses in the
   * additional section for the NS names of a referral are used wherever they are owned.
   */
  readonly hardenGlue: boolean;
  /**
   * RFC 8145 §4 edns-key-tag option (code 14) with the trusted anchors' key tags on each DNSKEY
   * query for a trust anchor's name (§4.2: a validating resolver SHOULD). Default on.
   */
  readonly ednsKeyTag: boolean;
  /**
   * Accept glue only for NS names inside the delegated zone (Unbound `harden-unverified-glue`,
   * default off): sibling and out-of-zone glue is dropped and the address looked up instead.
   */
  readonly hardenUnverifiedGlue: boolean;
  /** Records kept per NS RRset of a reply (Unbound `iter-scrub-ns`, default 20). */
  readonly maxNsRecords: number;
  /**
   * Minimal responses (Unbound `minimal-responses`, default yes; Knot Resolver always): a positive
   * answer carries no authority or additional records. false: it carries the NS RRsets and their
   * addresses of the response that answered it, when it came from upstream in that query.
   */
  readonly minimalResponses: boolean;
  /**
   * NXDOMAIN and NODATA answers carry the NS RRset the authoritative server put beside its SOA
   * (RFC 2308 §3: optional in a negative answer), as Knot Resolver passes it on; with
   * `minimalResponses` false NODATA answers do anyway, with the servers' addresses, as Unbound's
   * minimal-responses: no (whose scrubber drops NS RRsets from NXDOMAIN answers). Default false.
   */
  readonly negativeAuthorityNs: boolean;
}

export interface ResolverOptionsInit {
  readonly rootHints: readonly ResourceRecord[];
  readonly trustAnchors?: readonly TrustAnchor[] | undefined;
  readonly limits?: Partial<ResolverLimits> | undefined;
  readonly qnameMinimisation?: boolean | undefined;
  readonly qnameMinimisationHideQtype?: boolean | undefined;
  readonly qnameMinimisationQtype?: 'A' | 'NS' | undefined;
  readonly use0x20?: boolean | undefined;
  readonly ipv4?: boolean | undefined;
  readonly ipv6?: boolean | undefined;
  readonly ednsBufferSize?: number | undefined;
  readonly port?: number | undefined;
  readonly minTimeoutMs?: number | undefined;
  readonly maxTimeoutMs?: number | undefined;
  readonly tcpTimeoutMs?: number | undefined;
  readonly attemptsPerServer?: number | undefined;
  readonly validator?: ValidatorOptionsInit | undefined;
  readonly stubZones?: readonly StubZone[] | undefined;
  readonly forwardZones?: readonly ForwardZone[] | undefined;
  readonly negativeTrustAnchors?: readonly Name[] | undefined;
  readonly hardenGlue?: boolean | undefined;
  readonly ednsKeyTag?: boolean | undefined;
  readonly hardenUnverifiedGlue?: boolean | undefined;
  readonly maxNsRecords?: number | undefined;
  readonly minimalResponses?: boolean | undefined;
  readonly negativeAuthorityNs?: boolean | undefined;
}

function intIn(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer ${min}..${max}, got ${v}`);
  return v;
}

/** Complete, checked options. Throws RangeError for out-of-range numbers or unusable hints. */
export function resolverOptions(init: ResolverOptionsInit): ResolverOptions {
  const limits: ResolverLimits = Object.freeze({ ...DEFAULT_RESOLVER_LIMITS, ...init.limits });
  for (const [k, v] of Object.entries(limits) as [string, number][]) intIn(`limits.${k}`, v, 1, 10_000_000);
  const hints = init.rootHints;
  if (!hints.some((r) => r.type === RRType.NS && r.name.isRoot())) throw new RangeError('root hints hold no NS record for the root');
  const minTimeoutMs = intIn('minTimeoutMs', init.minTimeoutMs ?? 50, 1, 600_000);
  const maxTimeoutMs = intIn('maxTimeoutMs', init.maxTimeoutMs ?? 3000, minTimeoutMs, 600_000);
  return Object.freeze({
    rootHints: hints,
    trustAnchors: init.trustAnchors ?? [],
    limits,
    qnameMinimisation: init.qnameMinimisation ?? true,
    qnameMinimisationHideQtype: init.qnameMinimisationHideQtype ?? true,
    qnameMinimisationQtype: init.qnameMinimisationQtype ?? 'A',
    use0x20: init.use0x20 ?? false,
    ipv4: init.ipv4 ?? true,
    ipv6: init.ipv6 ?? false,
    ednsBufferSize: intIn('ednsBufferSize', init.ednsBufferSize ?? DEFAULT_UDP_SIZE, 512, 65535),
    port: intIn('port', init.port ?? 53, 1, 65535),
    minTimeoutMs,
    maxTimeoutMs,
    tcpTimeoutMs: intIn('tcpTimeoutMs', init.tcpTimeoutMs ?? 5000, 1, 600_000),
    attemptsPerServer: intIn('attemptsPerServer', init.attemptsPerServer ?? 2, 1, 10),
    validator: validatorOptions(init.validator ?? {}),
    stubZones: (init.stubZones ?? []).map((z) => {
      for (const a of z.servers) if (a.port !== undefined) intIn(`port of stub server ${a.address}`, a.port, 1, 65535);
      return z;
    }),
    forwardZones: (init.forwardZones ?? []).map((z) => {
      if (z.servers.length === 0) throw new RangeError(`forward zone ${z.zone.toString()} names no server`);
      for (const a of z.servers) if (a.port !== undefined) intIn(`port of forwarder ${a.address}`, a.port, 1, 65535);
      return z;
    }),
    negativeTrustAnchors: init.negativeTrustAnchors ?? [],
    hardenGlue: init.hardenGlue ?? true,
    ednsKeyTag: init.ednsKeyTag ?? true,
    hardenUnverifiedGlue: init.hardenUnverifiedGlue ?? false,
    maxNsRecords: intIn('maxNsRecords', init.maxNsRecords ?? 20, 1, 10_000),
    minimalResponses: init.minimalResponses ?? true,
    negativeAuthorityNs: init.negativeAuthorityNs ?? false,
  });
}

/**
 * Trust anchors from DS and DNSKEY records (a trust-anchor file in zone-file form), grouped by
 * owner. DNSKEY records without the SEP or zone flag are kept: the key validator decides.
 */
export function trustAnchorsFromRecords(records: readonly ResourceRecord[]): TrustAnchor[] {
  const byZone = new Map<string, { zone: Name; ds: Uint8Array[]; dnskeys: Uint8Array[] }>();
  for (const r of records) {
    if (r.type !== RRType.DS && r.type !== RRType.DNSKEY) continue;
    let e = byZone.get(r.name.key);
    if (e === undefined) byZone.set(r.name.key, (e = { zone: r.name, ds: [], dnskeys: [] }));
    (r.type === RRType.DS ? e.ds : e.dnskeys).push(r.rdata);
  }
  return [...byZone.values()].map((e) => (e.dnskeys.length > 0 ? e : { zone: e.zone, ds: e.ds }));
}

/** The NS names of the root in the hints, with their addresses. */
export function hintServers(hints: readonly ResourceRecord[]): { names: Name[]; addresses: Map<string, { v4: string[]; v6: string[] }> } {
  const names: Name[] = [];
  for (const r of hints) {
    if (r.type !== RRType.NS || !r.name.isRoot()) continue;
    const target = decodeTyped(RRType.NS, r.rdata).host;
    if (!names.some((n) => n.equals(target))) names.push(target);
  }
  const addresses = new Map<string, { v4: string[]; v6: string[] }>();
  for (const r of hints) {
    if (r.type !== RRType.A && r.type !== RRType.AAAA) continue;
    if (!names.some((n) => n.equals(r.name))) continue;
    let e = addresses.get(r.name.key);
    if (e === undefined) addresses.set(r.name.key, (e = { v4: [], v6: [] }));
    if (r.type === RRType.A) e.v4.push(decodeTyped(RRType.A, r.rdata).address);
    else e.v6.push(decodeTyped(RRType.AAAA, r.rdata).address);
  }
  return { names, addresses };
}

