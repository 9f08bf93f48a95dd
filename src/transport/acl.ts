// Client access control: which source addresses may query the resolver.
//
// Semantics follow Unbound's `access-control` (unbound.conf(5)): the MOST SPECIFIC matching
// netblock decides, whatever the order the rules were written in; a client that no rule covers
// is refused. If the same netblock appears twice, the later rule wins (a user rule overrides a
// default one). Actions:
//   allow  — the query is served if it asks for recursion (RD set); a query with RD clear is
//            answered REFUSED (resolver-frontend.ts), as Unbound's `allow`: RD clear asks what
//            the cache holds, and answering it shows what the resolver's other clients looked
//            up (cache snooping);
//   allow_snoop — served with RD set or clear: RD clear is answered from the caches alone (for
//            monitoring tools and operators), as Unbound's `allow_snoop`;
//   refuse — the server answers REFUSED (RFC 1035 §4.1.1 RCODE 5); the client learns it is not
//            welcome and stops retrying;
//   deny   — the query is dropped without an answer (decision 'drop'): nothing to reflect.
//
// IPv4 rules match IPv4 clients and IPv4-mapped IPv6 clients (::ffff:a.b.c.d, RFC 4291
// §2.5.5.2) alike; an IPv6 rule inside ::ffff:0:0/96 (prefix length >= 96) is an IPv4 rule. A
// shorter IPv6 rule (for example ::/0) does not match IPv4 clients, as in Unbound, where each
// rule belongs to one address family.
//
// The default list (DEFAULT_ACL_RULES) allows what is in the same building and nothing else:
// - loopback 127.0.0.0/8 and ::1 (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3);
// - private IPv4 10/8, 172.16/12, 192.168/16 (RFC 1918) and IPv6 unique local fc00::/7 (RFC 4193):
//   they are not routed on the Internet, so a packet from them comes from the operator's network;
// - link-local 169.254/16 (RFC 3927) and fe80::/10 (RFC 4291 §2.5.6): valid only on one link, so
//   the sender is on the resolver's own segment;
// - NOT the shared address space 100.64/10 (RFC 6598, carrier-grade NAT): on a host behind CGNAT
//   that range holds the carrier's other subscribers, so allowing it would open the resolver to
//   strangers. An ISP that runs anchord for its CGNAT customers adds `100.64.0.0/10 allow`;
// - everything else (0.0.0.0/0, ::/0) refused.
//
// aclDecide is pure and allocation-free on the IPv4 path: it runs once per UDP query.

import { AnchordError, ErrorCode } from '../core/errors.js';
import { isV4Mapped, parseIp } from './address.js';

export const AclAction = {
  Allow: 'allow',
  AllowSnoop: 'allow_snoop',
  Refuse: 'refuse',
  Deny: 'deny',
} as const;
export type AclAction = (typeof AclAction)[keyof typeof AclAction];

/**
 * What to do with a client's query: serve it (RD clear refused), serve it whatever RD says, answer
 * REFUSED, or drop it silently.
 */
export type AclDecision = 'allow' | 'allow_snoop' | 'refuse' | 'drop';

/** One rule as written in configuration: a netblock (`10.0.0.0/8`, `::1`, `fe80::/10`) and an action. */
export interface AclRule {
  readonly netblock: string;
  readonly action: AclAction;
}

interface V4Entry {
  readonly net: number;
  readonly mask: number;
  readonly length: number;
  readonly decision: AclDecision;
}

interface V6Entry {
  readonly net: Uint8Array;
  readonly length: number;
  readonly decision: AclDecision;
}

/** A compiled ACL: entries sorted most specific first, so the first match is the most specific. */
export interface Acl {
  readonly v4: readonly V4Entry[];
  readonly v6: readonly V6Entry[];
}

/** The netblocks anchord serves when the configuration says nothing (see the module comment). */
export const DEFAULT_ACL_RULES: readonly AclRule[] = [
  { netblock: '0.0.0.0/0', action: 'refuse' },
  { netblock: '::/0', action: 'refuse' },
  { netblock: '127.0.0.0/8', action: 'allow' },
  { netblock: '::1/128', action: 'allow' },
  { netblock: '10.0.0.0/8', action: 'allow' },
  { netblock: '172.16.0.0/12', action: 'allow' },
  { netblock: '192.168.0.0/16', action: 'allow' },
  { netblock: '169.254.0.0/16', action: 'allow' },
  { netblock: 'fc00::/7', action: 'allow' },
  { netblock: 'fe80::/10', action: 'allow' },
];

function decisionOf(action: AclAction): AclDecision {
  return action === 'deny' ? 'drop' : action;
}

/** A parsed netblock: 16 octets (IPv4 mapped) and a prefix length over those 128 bits. */
export interface Netblock {
  readonly address: Uint8Array;
  /** Prefix length in bits over the 128-bit form (an IPv4 /8 is 104). */
  readonly length: number;
}

/**
 * Parses `address/length` or a bare address (a host route). IPv4 lengths count IPv4 bits
 * (0..32); host bits beyond the prefix are cleared, as Unbound does. Undefined when malformed.
 */
export function parseNetblock(text: string): Netblock | undefined {
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  if (addrText.includes('%')) return undefined;
  const address = parseIp(addrText);
  if (address === undefined) return undefined;
  const v4 = !addrText.includes(':');
  const max = v4 ? 32 : 128;
  let length = max;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(lenText)) return undefined;
    length = Number(lenText);
    if (length > max) return undefined;
  }
  if (v4) length += 96;
  for (let bit = length; bit < 128; bit++) {
    address[bit >> 3]! &= ~(0x80 >> (bit & 7));
  }
  return { address, length };
}

/**
 * Compiles rules into an Acl. Throws AnchordError (ERR_CONFIG) naming the first malformed
 * netblock; config validation reports it with file:line.
 */
export function compileAcl(rules: readonly AclRule[]): Acl {
  // Keyed by netblock so that a later rule for the same block replaces the earlier one.
  const byBlock = new Map<string, { block: Netblock; decision: AclDecision }>();
  for (const rule of rules) {
    const block = parseNetblock(rule.netblock);
    if (block === undefined) {
      throw new AnchordError(ErrorCode.Config, `access control: "${rule.netblock}" is not an address or netblock`);
    }
    const action: string = rule.action; // callers in plain JS, or config not yet validated
    if (action !== 'allow' && action !== 'allow_snoop' && action !== 'refuse' && action !== 'deny') {
      throw new AnchordError(ErrorCode.Config, `access control: unknown action "${action}"`);
    }
    byBlock.set(`${Array.from(block.address).join('.')}/${block.length}`, { block, decision: decisionOf(rule.action) });
  }
  const v4: V4Entry[] = [];
  const v6: V6Entry[] = [];
  for (const { block, decision } of byBlock.values()) {
    if (block.length >= 96 && isV4Mapped(block.address)) {
      const a = block.address;
      const length = block.length - 96;
      const net = ((a[12]! << 24) | (a[13]! << 16) | (a[14]! << 8) | a[15]!) >>> 0;
      const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
      v4.push({ net, mask, length, decision });
    } else {
      v6.push({ net: block.address, length: block.length, decision });
    }
  }
  v4.sort((x, y) => y.length - x.length);
  v6.sort((x, y) => y.length - x.length);
  return { v4, v6 };
}

/** The compiled default ACL (DEFAULT_ACL_RULES). */
export function defaultAcl(): Acl {
  return compileAcl(DEFAULT_ACL_RULES);
}

/** The decision for an IPv4 client given as an unsigned 32-bit number (a native endpoint's sender). */
export function aclDecideV4(acl: Acl, ip: number): AclDecision {
  return decideV4(acl, ip);
}

/**
 * The decision for an IPv6 client given as 16 octets (a native endpoint's sender): an
 * IPv4-mapped address (RFC 4291 §2.5.5.2) is decided by the IPv4 rules, as aclDecide does.
 */
export function aclDecideV6(acl: Acl, addr: Uint8Array): AclDecision {
  if (addr.length !== 16) return 'drop';
  if (isV4Mapped(addr)) {
    return decideV4(acl, ((addr[12]! << 24) | (addr[13]! << 16) | (addr[14]! << 8) | addr[15]!) >>> 0);
  }
  for (const e of acl.v6) if (prefixMatches(addr, e.net, e.length)) return e.decision;
  return 'refuse';
}

function decideV4(acl: Acl, ip: number): AclDecision {
  for (const e of acl.v4) if (((ip & e.mask) >>> 0) === e.net) return e.decision;
  return 'refuse';
}

function prefixMatches(addr: Uint8Array, net: Uint8Array, length: number): boolean {
  const whole = length >> 3;
  for (let i = 0; i < whole; i++) if (addr[i] !== net[i]) return false;
  const rest = length & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (addr[whole]! & mask) === net[whole];
}

/** Fast strict dotted-quad parse to a 32-bit value; -1 when the text is not plain IPv4. */
function quickV4(text: string): number {
  let value = 0;
  let part = 0;
  let octet = 0;
  let digits = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || part === 3) return -1;
      value = value * 256 + octet;
      part++;
      octet = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && octet === 0) return -1;
      octet = octet * 10 + (c - 0x30);
      if (octet > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (part !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/**
 * Decides what to do with a query from `address` (IPv4 or IPv6 text as sockets report it,
 * IPv4-mapped and zone-indexed forms included). An unparsable address is dropped: a socket never
 * reports one, so it can only be a bug, and failing closed is the safe side.
 */
export function aclDecide(acl: Acl, address: string): AclDecision {
  const ip = quickV4(address);
  if (ip >= 0) return decideV4(acl, ip);
  const addr = parseIp(address);
  if (addr === undefined) return 'drop';
  return aclDecideV6(acl, addr);
}
