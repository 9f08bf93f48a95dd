// What the interop test compares between two resolvers' answers to the same query: the RCODE, the
// AD bit, and the answer section as a set of RRsets (owner, type, set of RDATA in presentation
// form), TTLs ignored. RRSIGs are compared by presence (owner and type covered), not by content or
// count. SERVFAIL answers' EDE options are collected for the report, not compared (resolvers pick
// different codes for the same failure).
//
// known-differences.md rows are parsed here too: `| query | field | anchord | Unbound | why |`,
// where query is `name TYPE` (or `*.zone. any`: every query at or below that zone, any type).

import { readFileSync } from 'node:fs';
import { Rcode, RRType, typeToString } from '../../../src/wire/constants.js';
import { extendedErrors } from '../../../src/wire/edns.js';
import type { Message } from '../../../src/wire/message.js';
import { printRdata } from '../../../src/wire/rdata-text.js';
import { groupRRsets } from '../../../src/wire/record.js';

export interface Summary {
  readonly rcode: string;
  readonly ad: boolean;
  /** Sorted `owner TYPE rdata; rdata` lines, one per RRset, RRSIGs left out. */
  readonly rrsets: readonly string[];
  /** Sorted `owner RRSIG(TYPE)` lines: which RRsets came with signatures. */
  readonly sigs: readonly string[];
  readonly ede: readonly string[];
  readonly tcp: boolean;
}

export function rcodeName(rcode: number): string {
  for (const [k, v] of Object.entries(Rcode)) if (v === rcode) return k;
  return `RCODE${rcode}`;
}

export function summarise(m: Message, tcp: boolean): Summary {
  const rrsets: string[] = [];
  const sigs = new Set<string>();
  for (const set of groupRRsets(m.answer)) {
    const owner = set.name.toString().toLowerCase();
    if (set.type === RRType.RRSIG) {
      for (const r of set.rdatas) sigs.add(`${owner} RRSIG(${typeToString(((r[0] ?? 0) << 8) | (r[1] ?? 0))})`);
      continue;
    }
    const rdatas = set.rdatas.map((r) => printRdata(set.type, r)).sort();
    rrsets.push(`${owner} ${typeToString(set.type)} ${rdatas.join('; ')}`);
  }
  const ede = extendedErrors(m.edns?.options ?? []).map((e) => `${e.infoCode}${e.extraText === '' ? '' : ` "${e.extraText}"`}`);
  return { rcode: rcodeName(m.rcode), ad: m.flags.ad, rrsets: rrsets.sort(), sigs: [...sigs].sort(), ede, tcp };
}

export type Field = 'rcode' | 'ad' | 'answer';

/** The fields in which two summaries differ. */
export function differences(a: Summary, b: Summary): Field[] {
  const out: Field[] = [];
  if (a.rcode !== b.rcode) out.push('rcode');
  if (a.ad !== b.ad) out.push('ad');
  if (a.rrsets.join('\n') !== b.rrsets.join('\n') || a.sigs.join('\n') !== b.sigs.join('\n')) out.push('answer');
  return out;
}

export function describe(s: Summary): string {
  const parts = [`${s.rcode} ad=${s.ad ? 1 : 0}`];
  if (s.rrsets.length > 0) parts.push(`answer=[${s.rrsets.join(' | ')}]`);
  if (s.sigs.length > 0) parts.push(`sigs=[${s.sigs.join(' ')}]`);
  if (s.ede.length > 0) parts.push(`ede=[${s.ede.join(', ')}]`);
  return parts.join(' ');
}

/** Value of a field as known-differences.md writes it. */
export function fieldValue(s: Summary, field: Field): string {
  if (field === 'rcode') return s.rcode;
  if (field === 'ad') return s.ad ? '1' : '0';
  return 'differs';
}

export interface KnownDifference {
  readonly line: number;
  readonly name: string;
  readonly type: string;
  readonly field: Field;
  readonly anchord: string;
  readonly unbound: string;
  readonly why: string;
}

const strip = (cell: string): string => cell.trim().replace(/^`|`$/g, '').trim();

/** Parses the table rows of known-differences.md; malformed rows are an error. */
export function readKnownDifferences(path: string): KnownDifference[] {
  const out: KnownDifference[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.startsWith('|')) return;
      const cells = text.split('|').slice(1, -1);
      const first = strip(cells[0] ?? '');
      if (first === 'query' || /^-+$/.test(first.replace(/[: ]/g, ''))) return;
      const q = /^(\S+)\s+(\S+)$/.exec(first);
      const field = strip(cells[1] ?? '');
      if (q === null || cells.length !== 5 || (field !== 'rcode' && field !== 'ad' && field !== 'answer')) {
        throw new Error(`${path}:${i + 1}: expected | \`name TYPE\` | rcode/ad/answer | anchord | Unbound | why |`);
      }
      const why = strip(cells[4] ?? '');
      if (why.length < 20) throw new Error(`${path}:${i + 1}: every known difference needs an argued reason`);
      out.push({ line: i + 1, name: q[1]!.toLowerCase(), type: q[2]!.toUpperCase(), field, anchord: strip(cells[2] ?? ''), unbound: strip(cells[3] ?? ''), why });
    });
  return out;
}

export function knownMatches(k: KnownDifference, name: string, type: string, field: Field, anchord: Summary, unbound: Summary): boolean {
  if (k.field !== field) return false;
  const n = name.toLowerCase();
  const nameOk = k.name.startsWith('*.') ? n === k.name.slice(2) || n.endsWith(k.name.slice(1)) : n === k.name;
  if (!nameOk || (k.type !== 'ANY' && k.type !== type.toUpperCase())) return false;
  return fieldValue(anchord, field) === k.anchord && fieldValue(unbound, field) === k.unbound;
}
