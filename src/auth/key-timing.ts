// Key timing metadata and what it means at a given moment: the "smart signing" rules of
// dnssec-signzone -S (BIND 9 ARM §5.1.3 and §5.4.2; BIND's lib/dns/dnssec.c get_hints), which
// decide from a key's Publish/Activate/Revoke/Inactive/Delete times whether the key is in the
// DNSKEY RRset and whether it signs:
//
// - published: Publish <= now, or Activate set (past or future) with no Publish (publish now,
//   sign later), or no timing at all (a legacy key: published and active);
// - signing: Activate <= now and not Inactive <= now;
// - revoked (RFC 5011 §2.1): Revoke <= now on a published key: the REVOKE bit is set, and the key
//   signs the DNSKEY RRset (RFC 5011 §7: a revoked key self-signs) even if it was not active;
// - deleted: Delete <= now: neither published nor signing.
// - CDS/CDNSKEY (RFC 7344 §4): SyncPublish <= now and not SyncDelete <= now.
//
// Also the time syntax of dnssec-keygen/dnssec-settime (-P -A -R -I -D): YYYYMMDD[HHMMSS] (UTC),
// `now`, `none`, and offsets `+N`/`-N`/`now+N` with the units y (365 days), mo (30 days), w, d, h,
// mi, or seconds without a unit.
//
// Pure module: the current time is always a parameter.

import { PresentationError } from '../core/errors.js';

/** Key times in seconds since the epoch; absent means "not set". */
export interface KeyTiming {
  readonly created?: number;
  readonly publish?: number;
  readonly activate?: number;
  readonly revoke?: number;
  readonly inactive?: number;
  readonly delete?: number;
  readonly syncPublish?: number;
  readonly syncDelete?: number;
}

export type KeyTimingField = keyof KeyTiming;

/** The timing fields with the tag BIND writes, in the order BIND writes them (dst_parse.c). */
export const KEY_TIMING_TAGS: readonly (readonly [KeyTimingField, string])[] = [
  ['created', 'Created'],
  ['publish', 'Publish'],
  ['activate', 'Activate'],
  ['revoke', 'Revoke'],
  ['inactive', 'Inactive'],
  ['delete', 'Delete'],
  ['syncPublish', 'SyncPublish'],
  ['syncDelete', 'SyncDelete'],
];

/** What the timing says about a key at one moment. */
export interface KeyState {
  /** In the DNSKEY RRset. */
  readonly published: boolean;
  /** Signs zone data (as its role allows). */
  readonly signing: boolean;
  /** Published with the REVOKE bit; signs the DNSKEY RRset only. */
  readonly revoked: boolean;
  /** Past its Delete time. */
  readonly deleted: boolean;
  /** CDS/CDNSKEY for this key belong in the zone. */
  readonly sync: boolean;
}

function reached(t: number | undefined, now: number): boolean {
  return t !== undefined && t <= now;
}

/** True when no publish/activate/revoke/inactive/delete time is set (a legacy key). */
export function hasNoTiming(t: KeyTiming): boolean {
  return t.publish === undefined && t.activate === undefined && t.revoke === undefined && t.inactive === undefined && t.delete === undefined;
}

/** The state of a key with `timing` at `now` (BIND get_hints, see the module comment). */
export function keyStateAt(timing: KeyTiming, now: number): KeyState {
  if (hasNoTiming(timing)) return { published: true, signing: true, revoked: false, deleted: false, sync: reached(timing.syncPublish, now) && !reached(timing.syncDelete, now) };
  let published = reached(timing.publish, now);
  let signing = false;
  if (reached(timing.activate, now)) signing = true;
  // Activation set but publication not: publish now, sign when active.
  if (timing.activate !== undefined && timing.publish === undefined) published = true;
  if (published && reached(timing.inactive, now)) signing = false;
  let revoked = false;
  if (published && reached(timing.revoke, now)) {
    revoked = true;
    signing = true;
  }
  const deleted = reached(timing.delete, now);
  if (deleted) {
    published = false;
    signing = false;
    revoked = false;
  }
  const sync = published && reached(timing.syncPublish, now) && !reached(timing.syncDelete, now);
  return { published, signing, revoked, deleted, sync };
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { y: 365 * 86400, mo: 30 * 86400, w: 7 * 86400, d: 86400, h: 3600, mi: 60, s: 1 };

/** An offset like `30d`, `1y`, `3600`, `2mo` in seconds (BIND's units; no unit = seconds). */
export function parseOffset(text: string): number {
  const m = /^([0-9]{1,10})(y|mo|w|d|h|mi|s)?$/i.exec(text);
  if (m === null) throw new PresentationError(`bad time offset "${text}" (a number, optionally followed by y, mo, w, d, h or mi)`);
  return Number(m[1]) * UNIT_SECONDS[(m[2] ?? 's').toLowerCase()]!;
}

/** Seconds since the epoch of a UTC calendar time, or undefined when it is not a valid date. */
export function utcSeconds(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return ms / 1000;
}

/**
 * A dnssec-keygen time argument: `YYYYMMDD` or `YYYYMMDDHHMMSS` (UTC), `now`, `+offset`,
 * `-offset` (from now), `now+offset`/`now-offset`, or `none` (returns null: unset the time).
 * Plain seconds since the epoch (more than 8 digits, not 14) are accepted too.
 */
export function parseKeyTime(text: string, now: number): number | null {
  const t = text.trim();
  if (t.toLowerCase() === 'none') return null;
  if (t.toLowerCase() === 'now') return now;
  const rel = /^(?:now)?([+-])(.+)$/i.exec(t);
  if (rel !== null) {
    const off = parseOffset(rel[2]!);
    return rel[1] === '+' ? now + off : now - off;
  }
  if (/^[0-9]{8}$/.test(t)) {
    const v = utcSeconds(Number(t.slice(0, 4)), Number(t.slice(4, 6)), Number(t.slice(6, 8)));
    if (v !== undefined) return v;
  } else if (/^[0-9]{14}$/.test(t)) {
    const v = utcSeconds(
      Number(t.slice(0, 4)),
      Number(t.slice(4, 6)),
      Number(t.slice(6, 8)),
      Number(t.slice(8, 10)),
      Number(t.slice(10, 12)),
      Number(t.slice(12, 14)),
    );
    if (v !== undefined) return v;
  } else if (/^[0-9]{9,10}$/.test(t)) {
    return Number(t);
  }
  throw new PresentationError(`bad time "${text}" (YYYYMMDD[HHMMSS], now, none, +offset or now+offset)`);
}

/** `YYYYMMDDHHMMSS` (UTC) for seconds since the epoch, as key files and RRSIGs print times. */
export function formatKeyTime(seconds: number): string {
  const iso = new Date(Math.floor(seconds) * 1000).toISOString();
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** C `ctime()` text in UTC without the newline: `Sun Nov 22 05:23:02 2026` (day space-padded). */
export function ctimeUtc(seconds: number): string {
  const d = new Date(Math.floor(seconds) * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]!} ${MONTHS[d.getUTCMonth()]!} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}
