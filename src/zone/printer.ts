// Master-file printer: records → zone text in canonical order, one record per line, absolute names,
// no directives (RFC 1035 §5.1 syntax), so that parse → print → parse gives the same records.
//
// Order: owner names in RFC 4034 §6.1 canonical order (compareNames, through name-order.ts keys); within a name the SOA first,
// then by type number, then class; within an RRset the RDATA as octet strings (RFC 4034 §6.3 order
// of the wire form as stored; the signer sorts by canonical form itself, through dnssec/).
// RDATA text comes from rdata-text.ts (BIND-like, RFC 3597 form where nothing else round-trips).

import { classToString, RRType, typeToString } from '../wire/constants.js';
import { compareNames } from '../wire/name.js';
import { printRdata } from '../wire/rdata-text.js';
import { compareBytes } from '../wire/record.js';
import type { ResourceRecord } from '../wire/record.js';
import { canonicalSortKey, compareSortKeys } from './name-order.js';

/** One record as a master-file line (no newline): `owner TTL CLASS TYPE RDATA`, tab-separated. */
export function printRecord(rr: ResourceRecord): string {
  return `${rr.name.toString()}\t${rr.ttl}\t${classToString(rr.class)}\t${typeToString(rr.type)}\t${printRdata(rr.type, rr.rdata)}`;
}

/** Type order within one owner name: SOA first, then by number. */
function typeRank(type: number): number {
  return type === RRType.SOA ? -1 : type;
}

/** Compares two records in the printer's canonical order. */
export function compareRecords(a: ResourceRecord, b: ResourceRecord): number {
  return (
    compareNames(a.name, b.name) ||
    typeRank(a.type) - typeRank(b.type) ||
    a.class - b.class ||
    compareBytes(a.rdata, b.rdata)
  );
}

/**
 * The records in canonical order (a new array). Each distinct owner name gets one sort key
 * (name-order.ts, equivalent to compareNames), so sorting stays cheap for large zones.
 */
export function sortRecords<T extends ResourceRecord>(records: Iterable<T>): T[] {
  const byName = new Map<string, T[]>();
  for (const rr of records) {
    const list = byName.get(rr.name.key);
    if (list === undefined) byName.set(rr.name.key, [rr]);
    else list.push(rr);
  }
  const groups = [...byName.values()].map((g) => ({ key: canonicalSortKey(g[0]!.name), g }));
  groups.sort((x, y) => compareSortKeys(x.key, y.key));
  const out: T[] = [];
  for (const { g } of groups) {
    if (g.length > 1) g.sort((a, b) => typeRank(a.type) - typeRank(b.type) || a.class - b.class || compareBytes(a.rdata, b.rdata));
    for (const rr of g) out.push(rr);
  }
  return out;
}

/** Master-file lines for the records, in canonical order. */
export function* printZoneLines(records: Iterable<ResourceRecord>): Generator<string, void, undefined> {
  for (const rr of sortRecords(records)) yield printRecord(rr);
}

/** The whole zone as text, one record per line, with a final newline. */
export function printZone(records: Iterable<ResourceRecord>): string {
  const lines: string[] = [];
  for (const rr of sortRecords(records)) lines.push(printRecord(rr));
  lines.push('');
  return lines.join('\n');
}
