// MATCH: comparing a message with an entry (FORMAT.md §6), in both directions — a resolver's
// outgoing query against range entries (and CHECK_OUT_QUERY, D REPLY steps), and the resolver's
// answer against a CHECK_ANSWER entry — in the entry's dialect, strictly or relaxed.
//
// Strict is the keyword table of §6.1 as written: D compares sections as sets of RRs (owner and
// rdata names case-insensitive, TTL ignored) and names case-insensitively; U compares the printed
// packet, so names in the question are case-sensitive, sections are compared in order, and `all`
// includes the header ID, the counts and the EDNS line (version, DO/CO, UDP size, options).
//
// Relaxed is the verdict §6 recommends for a resolver that is neither Unbound nor Knot Resolver:
// same opcode, rcode, header flags but TC (a size artefact), question (case-insensitive) and ANSWER as a multiset of RRs;
// AUTHORITY and ADDITIONAL compared (as multisets) only when the expected ANSWER is empty
// (NXDOMAIN, NODATA, referrals, errors: where the proof records matter); for EDNS only the
// presence of OPT and the DO bit; `ede=`, cookies and the header ID are not judged.
// TTLs are compared only with the `ttl` keyword, in both verdicts.
//
// A check answers undefined when it holds, else a short reason.

import { canonicalRdata } from '../../dnssec/canonical.js';
import { classToString, Rcode, rcodeToString, RRType, typeToString } from '../../wire/constants.js';
import { EDNS_DO, extendedErrors } from '../../wire/edns.js';
import type { Message, MessageInit, Question } from '../../wire/message.js';
import type { Name } from '../../wire/name.js';
import { printGenericRdata, printRdata } from '../../wire/rdata-text.js';
import type { ResourceRecord } from '../../wire/record.js';
import { EDNS_CO, entryMessage } from './entry-message.js';
import { Dialect, type Entry } from './scenario.js';

export type Strictness = 'strict' | 'relaxed';

export interface Received {
  readonly msg: Message;
  /** Came over TCP. */
  readonly tcp: boolean;
}

const EDE_CODE = 15;
const COOKIE_CODE = 10;
const NSID_CODE = 3;

// ---- Printing (for reasons) --------------------------------------------------------------------

function rdataText(type: number, rdata: Uint8Array): string {
  try {
    return printRdata(type, rdata);
  } catch {
    return printGenericRdata(rdata);
  }
}

/** One RR as zone-file text, for messages. */
export function rrText(r: ResourceRecord): string {
  return `${r.name.toString()} ${r.ttl} ${classToString(r.class)} ${typeToString(r.type)} ${rdataText(r.type, r.rdata)}`;
}

function questionText(q: Question | undefined): string {
  return q === undefined ? '(none)' : `${q.name.toString()} ${classToString(q.class)} ${typeToString(q.type)}`;
}

function flagsText(f: MessageInit['flags']): string {
  const out: string[] = [];
  if (f.qr) out.push('QR');
  if (f.aa) out.push('AA');
  if (f.tc) out.push('TC');
  if (f.rd) out.push('RD');
  if (f.ra) out.push('RA');
  if (f.ad) out.push('AD');
  if (f.cd) out.push('CD');
  return out.length === 0 ? '(none)' : out.join(' ');
}

// ---- RR keys -----------------------------------------------------------------------------------

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** NSEC's next-domain name lower-cased too (printed packets are lower-cased whole, §6 U rule). */
function comparableRdata(type: number, rdata: Uint8Array): Uint8Array {
  let out: Uint8Array;
  try {
    out = canonicalRdata(type, rdata);
  } catch {
    return rdata;
  }
  if (type === RRType.NSEC) {
    const copy = out === rdata ? rdata.slice() : out;
    let p = 0;
    while (p < copy.length) {
      const len = copy[p]!;
      if (len === 0 || len > 63) break;
      for (let i = p + 1; i <= p + len && i < copy.length; i++) {
        const c = copy[i]!;
        if (c >= 0x41 && c <= 0x5a) copy[i] = c | 0x20;
      }
      p += len + 1;
    }
    return copy;
  }
  return out;
}

function rrKey(r: ResourceRecord, withTtl: boolean): string {
  return `${r.name.key}|${r.class}|${r.type}|${withTtl ? r.ttl : '-'}|${hex(comparableRdata(r.type, r.rdata))}`;
}

function nameEq(a: Name, b: Name, caseSensitive: boolean): boolean {
  if (!caseSensitive) return a.equals(b);
  const x = a.wire;
  const y = b.wire;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** `a` equal to or below `b`, label by label from the right. */
function nameBelow(a: Name, b: Name, caseSensitive: boolean): boolean {
  if (!caseSensitive) return a.isSubdomainOf(b);
  if (a.labelCount < b.labelCount) return false;
  return nameEq(a.suffix(b.labelCount), b, true);
}

/** Sections compared as multisets of RRs: the RRs missing and the RRs extra, as text. */
function setDiff(
  expected: readonly ResourceRecord[],
  actual: readonly ResourceRecord[],
  withTtl: boolean,
): { missing: ResourceRecord[]; extra: ResourceRecord[] } {
  const counts = new Map<string, number>();
  for (const r of actual) {
    const k = rrKey(r, withTtl);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const missing: ResourceRecord[] = [];
  for (const r of expected) {
    const k = rrKey(r, withTtl);
    const c = counts.get(k) ?? 0;
    if (c === 0) missing.push(r);
    else counts.set(k, c - 1);
  }
  const extra: ResourceRecord[] = [];
  for (const r of actual) {
    const k = rrKey(r, withTtl);
    const c = counts.get(k) ?? 0;
    if (c > 0) {
      extra.push(r);
      counts.set(k, c - 1);
    }
  }
  return { missing, extra };
}

function describeDiff(section: string, d: { missing: ResourceRecord[]; extra: ResourceRecord[] }): string {
  const parts: string[] = [];
  const list = (rs: ResourceRecord[]): string => rs.slice(0, 3).map(rrText).join(' | ') + (rs.length > 3 ? ` | … (${rs.length})` : '');
  if (d.missing.length > 0) parts.push(`missing ${list(d.missing)}`);
  if (d.extra.length > 0) parts.push(`unexpected ${list(d.extra)}`);
  return `${section}: ${parts.join('; ')}`;
}

function compareSection(
  name: string,
  expected: readonly ResourceRecord[],
  actual: readonly ResourceRecord[],
  ordered: boolean,
  withTtl: boolean,
): string | undefined {
  const d = setDiff(expected, actual, withTtl);
  if (d.missing.length > 0 || d.extra.length > 0) return describeDiff(name, d);
  if (ordered) {
    for (let i = 0; i < expected.length; i++) {
      if (rrKey(expected[i]!, withTtl) !== rrKey(actual[i]!, withTtl)) {
        return `${name}: same records in another order (expected ${rrText(expected[i]!)} at position ${i + 1}, got ${rrText(actual[i]!)})`;
      }
    }
  }
  return undefined;
}

// ---- EDNS --------------------------------------------------------------------------------------

function optionsKey(options: readonly { code: number; data: Uint8Array }[]): string {
  return options.map((o) => `${o.code}:${hex(o.data)}`).join(',');
}

// ---- The comparison ----------------------------------------------------------------------------

interface Ctx {
  readonly dialect: Dialect;
  readonly mode: Strictness;
  readonly exp: MessageInit;
  readonly act: Message;
  readonly entry: Entry;
  readonly tcp: boolean;
  readonly ttl: boolean;
}

function checkQtype(c: Ctx): string | undefined {
  const e = c.exp.question[0];
  const a = c.act.question[0];
  if (c.dialect === Dialect.deckard && e === undefined) return a === undefined ? undefined : 'qtype: expected no question';
  const et = e?.type ?? 0;
  const at = a?.type ?? 0;
  return et === at ? undefined : `qtype: expected ${typeToString(et)}, got ${typeToString(at)}`;
}

function checkQname(c: Ctx, caseSensitive: boolean): string | undefined {
  const e = c.exp.question[0];
  const a = c.act.question[0];
  if (e === undefined || a === undefined) {
    return e === undefined && a === undefined ? undefined : `qname: expected ${questionText(e)}, got ${questionText(a)}`;
  }
  return nameEq(e.name, a.name, caseSensitive) ? undefined : `qname: expected ${e.name.toString()}, got ${a.name.toString()}`;
}

function checkSubdomain(c: Ctx): string | undefined {
  const e = c.exp.question[0];
  const a = c.act.question[0];
  if (e === undefined) return c.dialect === Dialect.deckard ? undefined : 'subdomain: the entry has no question';
  if (a === undefined) return 'subdomain: the message has no question';
  const cs = c.dialect === Dialect.unbound && c.mode === 'strict';
  return nameBelow(a.name, e.name, cs) ? undefined : `subdomain: ${a.name.toString()} is not at or below ${e.name.toString()}`;
}

function checkFlags(c: Ctx): string | undefined {
  const e = c.exp.flags;
  const a = c.act.flags;
  // Relaxed: TC is left out; whether an answer fits depends on how the implementation sizes it.
  const tcSame = c.mode === 'relaxed' || e.tc === a.tc;
  const same = e.qr === a.qr && e.aa === a.aa && tcSame && e.rd === a.rd && e.ra === a.ra && e.ad === a.ad && e.cd === a.cd;
  return same ? undefined : `flags: expected ${flagsText(e)}, got ${flagsText(a)}`;
}

function checkRcode(c: Ctx): string | undefined {
  const full = c.dialect === Dialect.deckard;
  const e = full ? c.exp.rcode : c.exp.rcode & 15;
  const a = full ? c.act.rcode : c.act.rcode & 15;
  return e === a ? undefined : `rcode: expected ${rcodeToString(e)}, got ${rcodeToString(a)}`;
}

function checkOpcode(c: Ctx): string | undefined {
  return c.exp.flags.opcode === c.act.flags.opcode ? undefined : `opcode: expected ${c.exp.flags.opcode}, got ${c.act.flags.opcode}`;
}

function checkQuestionSection(c: Ctx): string | undefined {
  const e = c.exp.question;
  const a = c.act.question;
  const bad = (): string => `question: expected ${e.map(questionText).join(', ') || '(none)'}, got ${a.map(questionText).join(', ') || '(none)'}`;
  if (e.length !== a.length) return bad();
  for (let i = 0; i < e.length; i++) {
    if (!e[i]!.name.equals(a[i]!.name) || e[i]!.type !== a[i]!.type || e[i]!.class !== a[i]!.class) return bad();
  }
  return undefined;
}

/** The sections of the answer with the options `ede=` and cookies take out (U rule). */
function actualOptions(c: Ctx): { code: number; data: Uint8Array }[] {
  const m = c.entry.match;
  return (c.act.edns?.options ?? []).filter(
    (o) => !(o.code === EDE_CODE && m.has('ede')) && !(o.code === COOKIE_CODE && (m.has('client_cookie') || m.has('server_cookie'))),
  );
}

function checkEdnsLine(c: Ctx): string | undefined {
  const e = c.exp.edns;
  const a = c.act.edns;
  if ((e === undefined) !== (a === undefined)) return `EDNS: expected ${e === undefined ? 'no OPT' : 'an OPT record'}, got ${a === undefined ? 'none' : 'one'}`;
  if (e === undefined || a === undefined) return undefined;
  if (e.dnssecOk !== a.dnssecOk) return `EDNS: expected DO=${e.dnssecOk ? 1 : 0}, got DO=${a.dnssecOk ? 1 : 0}`;
  if (c.mode === 'relaxed') return undefined;
  if (e.version !== a.version) return `EDNS: expected version ${e.version}, got ${a.version}`;
  if ((e.flags & EDNS_CO) !== (a.flags & EDNS_CO)) return 'EDNS: CO bit differs';
  if (e.udpSize !== a.udpSize) return `EDNS: expected UDP size ${e.udpSize}, got ${a.udpSize}`;
  const eo = optionsKey(e.options);
  const ao = optionsKey(actualOptions(c));
  if (eo !== ao) return `EDNS: expected options [${eo}], got [${ao}]`;
  return undefined;
}

function checkAllU(c: Ctx, withEdns: boolean): string | undefined {
  // Header line: opcode, rcode, ID; flags; counts (OPT counted in ADDITIONAL).
  const r = checkOpcode(c) ?? checkRcode(c) ?? checkFlags(c);
  if (r !== undefined) return r;
  if (c.mode === 'strict') {
    if (c.exp.id !== c.act.id) return `ID: expected ${c.exp.id}, got ${c.act.id}`;
    const ec = [c.exp.answer.length, c.exp.authority.length, c.exp.additional.length + (withEdns && c.exp.edns !== undefined ? 1 : 0)];
    const ac = [c.act.answer.length, c.act.authority.length, c.act.additional.length + (withEdns && c.act.edns !== undefined ? 1 : 0)];
    if (ec.join() !== ac.join()) return `counts (answer, authority, additional): expected ${ec.join(', ')}, got ${ac.join(', ')}`;
  }
  const q = c.mode === 'strict' ? checkQuestionSection(c) : (checkQtype(c) ?? checkQname(c, false));
  if (q !== undefined) return q;
  const s = sections(c);
  if (s !== undefined) return s;
  return withEdns ? checkEdnsLine(c) : undefined;
}

function sections(c: Ctx, which: readonly ('answer' | 'authority' | 'additional')[] = ['answer', 'authority', 'additional']): string | undefined {
  const ordered = c.dialect === Dialect.unbound && c.mode === 'strict';
  for (const s of which) {
    if (c.mode === 'relaxed' && s !== 'answer' && c.exp.answer.length > 0) continue;
    const r = compareSection(s, c.exp[s], c.act[s], ordered, c.ttl);
    if (r !== undefined) return r;
  }
  return undefined;
}

function checkEde(c: Ctx): string | undefined {
  const want = c.entry.ede;
  if (want === undefined || c.mode === 'relaxed') return undefined;
  const got = extendedErrors(c.act.edns?.options ?? []).map((e) => e.infoCode);
  if (want === 'any') return got.length > 0 ? undefined : 'ede: expected an EDE option, got none';
  return got.includes(want) ? undefined : `ede: expected EDE ${want}, got ${got.length === 0 ? 'none' : got.join(', ')}`;
}

function checkCookie(c: Ctx, server: boolean): string | undefined {
  if (c.mode === 'relaxed') return undefined;
  const o = c.act.edns?.options.find((x) => x.code === COOKIE_CODE);
  if (o === undefined) return 'cookie: none';
  const ok = server ? o.data.length >= 16 : o.data.length === 8 || o.data.length >= 16;
  return ok ? undefined : `cookie: ${o.data.length} octets`;
}

function checkSerial(c: Ctx, kw: string): string | undefined {
  const want = Number(kw.slice('serial='.length));
  const q = c.act.question[0];
  if (q?.type !== RRType.IXFR) return `${kw}: not an IXFR query`;
  const soa = c.act.authority.find((r) => r.type === RRType.SOA);
  if (soa === undefined || soa.rdata.length < 20) return `${kw}: no SOA in the query`;
  const at = soa.rdata.length - 20;
  const serial = ((soa.rdata[at]! << 24) | (soa.rdata[at + 1]! << 16) | (soa.rdata[at + 2]! << 8) | soa.rdata[at + 3]!) >>> 0;
  return serial === want ? undefined : `${kw}: serial ${serial}`;
}

/**
 * Checks `received` against `entry` with the entry's MATCH keywords (§6.1), in `mode`.
 * Undefined when it matches, else the first reason it does not.
 */
export function compareMessage(entry: Entry, dialect: Dialect, received: Received, mode: Strictness): string | undefined {
  if (!entry.hasMatch) return undefined;
  const exp = entryMessage(entry, dialect, 0);
  const c: Ctx = { dialect, mode, exp, act: received.msg, entry, tcp: received.tcp, ttl: entry.match.has('ttl') };
  const isU = dialect === Dialect.unbound;
  for (const kw of entry.match) {
    let r: string | undefined;
    switch (kw) {
      case 'opcode':
        r = checkOpcode(c);
        break;
      case 'qtype':
        r = checkQtype(c);
        break;
      case 'qname':
        r = checkQname(c, isU && mode === 'strict');
        break;
      case 'qcase':
        r = checkQname(c, mode === 'strict');
        break;
      case 'subdomain':
        r = checkSubdomain(c);
        break;
      case 'question':
        r = isU && mode === 'strict' ? checkQuestionSection(c) : (checkQtype(c) ?? checkQname(c, false));
        break;
      case 'flags':
        r = checkFlags(c);
        break;
      case 'rcode':
        r = checkRcode(c);
        break;
      case 'answer':
      case 'authority':
      case 'additional':
        r = sections(c, [kw]);
        break;
      case 'all':
      case 'all_noedns':
        if (isU) {
          r = checkAllU(c, kw === 'all');
        } else {
          r = checkOpcode(c) ?? checkQtype(c) ?? checkQname(c, false) ?? checkFlags(c) ?? checkRcode(c) ?? sections(c);
        }
        break;
      case 'ttl':
        break;
      case 'edns': {
        const e = exp.edns;
        const a = received.msg.edns;
        if (mode === 'strict' && (e?.version !== a?.version || e?.udpSize !== a?.udpSize)) {
          r = `edns: expected version ${e?.version ?? '-'} size ${e?.udpSize ?? '-'}, got version ${a?.version ?? '-'} size ${a?.udpSize ?? '-'}`;
        }
        break;
      }
      case 'nsid': {
        const e = exp.edns?.options.find((o) => o.code === NSID_CODE);
        const a = received.msg.edns?.options.find((o) => o.code === NSID_CODE);
        if (mode === 'strict' && (e === undefined ? '' : hex(e.data)) !== (a === undefined ? '' : hex(a.data))) r = 'nsid differs';
        break;
      }
      case 'DO':
        if (received.msg.edns?.dnssecOk !== true) r = 'DO: the DO bit is not set';
        break;
      case 'CO':
        if (((received.msg.edns?.flags ?? 0) & EDNS_CO) === 0) r = 'CO: the CO bit is not set';
        break;
      case 'noedns':
        if (received.msg.edns !== undefined) r = 'noedns: the message has an OPT record';
        break;
      case 'ednsdata': {
        const e = optionsKey(exp.edns?.options ?? []);
        const a = optionsKey((received.msg.edns?.options ?? []).filter((o) => o.code !== EDE_CODE || !entry.match.has('ede')));
        if (e !== a) r = `ednsdata: expected [${e}], got [${a}]`;
        break;
      }
      case 'UDP':
        if (received.tcp) r = 'UDP: came over TCP';
        break;
      case 'TCP':
        if (!received.tcp) r = 'TCP: came over UDP';
        break;
      case 'ede':
        r = checkEde(c);
        break;
      case 'client_cookie':
        r = checkCookie(c, false);
        break;
      case 'server_cookie':
        r = checkCookie(c, true);
        break;
      default:
        if (kw.startsWith('serial=')) r = checkSerial(c, kw);
    }
    if (r !== undefined) return r;
  }
  return undefined;
}

/** True when the DO bit of EDNS flags is set (for callers that hold raw flags). */
export function hasDo(flags: number): boolean {
  return (flags & EDNS_DO) !== 0;
}

/** A one-line summary of a message: rcode, flags and section sizes, for failure reasons. */
export function messageSummary(m: MessageInit): string {
  const rc = m.rcode === Rcode.NOERROR ? 'NOERROR' : rcodeToString(m.rcode);
  return `${rc} ${flagsText(m.flags)} an=${m.answer.length} ns=${m.authority.length} ar=${m.additional.length}${m.edns === undefined ? '' : m.edns.dnssecOk ? ' +DO' : ' +EDNS'}`;
}
