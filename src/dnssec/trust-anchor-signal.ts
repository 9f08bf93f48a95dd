// Telling the world which trust anchors this resolver holds:
//
// - RFC 8145 §5 key tag query: when refreshing a trust anchor's DNSKEY RRset the resolver also
//   asks `_ta-<tag>[-<tag>...].<anchor zone>` type NULL, each tag four lower-case hex digits,
//   zero-filled, in ascending numeric order (Unbound's trust-anchor-signaling, BIND's
//   trust-anchor-telemetry); the zone's operators count who trusts which key. The answer is
//   ignored (normally NXDOMAIN).
// - RFC 8145 §4 edns-key-tag option: the same tags in an EDNS option (wire/edns.ts encodeKeyTags)
//   on each DNSKEY query for the trust anchor's own name (§4.2: not on other queries); the
//   resolver adds it (resolver/options.ts ednsKeyTag). The tags are those of the anchors trusted
//   now: a DS anchor's key tag field, a DNSKEY anchor's computed tag.
// - RFC 8509 root key sentinel: a client asks for `root-key-sentinel-is-ta-<tag>.<domain>` or
//   `root-key-sentinel-not-ta-<tag>.<domain>` (tag as five decimal digits) to learn whether this
//   resolver trusts root key <tag>. For a validating resolver, an A or AAAA query with CD clear
//   whose answer validated as secure (§3.2; other types get the normal answer): is-ta with a tag that is NOT a trusted root key → SERVFAIL;
//   not-ta with a tag that IS one → SERVFAIL; otherwise the normal answer. Labels are compared
//   without regard to case; a label that does not fit the pattern exactly is an ordinary label.
//
// Pure module: no I/O, no clock.

import { RRType } from '../wire/constants.js';
import type { TrustPoint } from './key-validator.js';
import { keyTag } from './key-tag.js';
import { encodeKeyTags, type EdnsOptionData } from '../wire/edns.js';
import type { Name } from '../wire/name.js';

/** RR type NULL (RFC 1035 §3.3.10), the QTYPE of RFC 8145 key tag queries. */
export const KEY_TAG_QUERY_TYPE = 10;
/** At most this many tags in one query name (a label is at most 63 octets: `_ta` + 12 × `-xxxx`). */
export const MAX_SIGNAL_TAGS = 12;

function tagList(tags: readonly number[]): number[] {
  const set = [...new Set(tags.filter((t) => Number.isInteger(t) && t >= 0 && t <= 0xffff))].sort((a, b) => a - b);
  return set.slice(0, MAX_SIGNAL_TAGS);
}

/** The RFC 8145 §5.1 query name for `tags` under the trust anchor `zone`; undefined without tags. */
export function keyTagQueryName(zone: Name, tags: readonly number[]): Name | undefined {
  const list = tagList(tags);
  if (list.length === 0) return undefined;
  const label = '_ta-' + list.map((t) => t.toString(16).padStart(4, '0')).join('-');
  return zone.prepend(new TextEncoder().encode(label));
}

/** Key tags of a trust point's anchors (module header), ascending, each once. */
export function anchorKeyTags(tp: TrustPoint): number[] {
  const tags = new Set<number>();
  for (const d of tp.ds) if (d.length >= 2) tags.add((d[0]! << 8) | d[1]!);
  for (const k of tp.dnskeys ?? []) if (k.length >= 4) tags.add(keyTag(k));
  return [...tags].sort((a, b) => a - b);
}

/** The RFC 8145 §4 edns-key-tag option for `tags` (sorted, deduplicated); undefined without tags. */
export function keyTagOption(tags: readonly number[]): EdnsOptionData | undefined {
  const list = tagList(tags);
  return list.length === 0 ? undefined : encodeKeyTags(list);
}

export type Sentinel = { readonly kind: 'is-ta' | 'not-ta'; readonly tag: number };

const SENTINEL_RE = /^root-key-sentinel-(is|not)-ta-([0-9]{5})$/i;

/** The RFC 8509 sentinel a label carries, if it is one (module header). */
export function parseSentinelLabel(label: Uint8Array): Sentinel | undefined {
  if (label.length < 29 || label.length > 30) return undefined;
  let text = '';
  for (const b of label) {
    if (b > 0x7e || b < 0x21) return undefined;
    text += String.fromCharCode(b);
  }
  const m = SENTINEL_RE.exec(text);
  if (m === null) return undefined;
  const tag = Number(m[2]);
  if (tag > 0xffff) return undefined;
  return { kind: m[1]!.toLowerCase() === 'is' ? 'is-ta' : 'not-ta', tag };
}

export interface SentinelContext {
  /** The client set CD: no sentinel processing (RFC 8509 §3.2). Default false. */
  readonly cd?: boolean;
  /** The answer validated as secure; only then does the sentinel apply. Default true. */
  readonly secure?: boolean;
  /** The resolver validates (has a root trust anchor). Default true. */
  readonly validating?: boolean;
  /** The query type; only A and AAAA queries get sentinel processing (§3.2). Default: A. */
  readonly qtype?: number;
}

/**
 * RFC 8509 §3.2: SERVFAIL or the normal answer for `qname`, given the key tags of the root trust
 * anchors this resolver trusts now.
 */
export function sentinelDecision(qname: Name, trustedKeyTags: readonly number[], ctx: SentinelContext = {}): 'servfail' | 'normal' {
  if (qname.labelCount === 0 || ctx.cd === true || ctx.secure === false || ctx.validating === false) return 'normal';
  if (ctx.qtype !== undefined && ctx.qtype !== RRType.A && ctx.qtype !== RRType.AAAA) return 'normal';
  const s = parseSentinelLabel(qname.label(0));
  if (s === undefined) return 'normal';
  const trusted = trustedKeyTags.includes(s.tag);
  if (s.kind === 'is-ta') return trusted ? 'normal' : 'servfail';
  return trusted ? 'servfail' : 'normal';
}
