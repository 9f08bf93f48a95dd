// Reading root hints and trust anchors from files at the edge: zone-file syntax (named.root for
// hints; DS or DNSKEY records for anchors, as Unbound's `trust-anchor-file` and Debian's
// dns-root-data root.ds / root.key). Errors are file:line, from the zone parser.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AnchordError, ErrorCode } from '../core/errors.js';
import type { TrustPoint } from '../dnssec/key-validator.js';
import { parseZoneText } from '../zone/parser.js';
import { RRType } from '../wire/constants.js';
import { Name } from '../wire/name.js';
import type { ResourceRecord } from '../wire/record.js';

/** Reads a zone-syntax file with $INCLUDE resolved next to it. */
export function readRecordsFile(path: string, origin: Name = Name.ROOT): ResourceRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AnchordError(ErrorCode.Config, `cannot read ${path}: ${(e as Error).message}`);
  }
  const parsed = parseZoneText(text, {
    file: path,
    origin,
    defaultTtl: 3600,
    readFile: (p, from) => readFileSync(resolve(dirname(from), p), 'utf8'),
  });
  return parsed.records;
}

/** Root hints: NS records for the root and the A/AAAA records of their names (RFC 8109 §3). */
export function readRootHints(path: string): ResourceRecord[] {
  const records = readRecordsFile(path);
  if (!records.some((r) => r.type === RRType.NS && r.name.isRoot())) {
    throw new AnchordError(ErrorCode.Config, `${path}: no NS record for the root zone`);
  }
  return records;
}

/** Groups DS and DNSKEY records by owner into trust points; other types are an error. */
export function trustPointsFromRecords(records: readonly ResourceRecord[], source: string): TrustPoint[] {
  const byZone = new Map<string, { zone: Name; ds: Uint8Array[]; dnskeys: Uint8Array[] }>();
  for (const r of records) {
    if (r.type !== RRType.DS && r.type !== RRType.DNSKEY) {
      throw new AnchordError(ErrorCode.Config, `${source}: trust anchors must be DS or DNSKEY records (${r.name.toString()})`);
    }
    let p = byZone.get(r.name.key);
    if (p === undefined) {
      p = { zone: r.name, ds: [], dnskeys: [] };
      byZone.set(r.name.key, p);
    }
    (r.type === RRType.DS ? p.ds : p.dnskeys).push(r.rdata);
  }
  return [...byZone.values()].map((p) => (p.dnskeys.length > 0 ? { zone: p.zone, ds: p.ds, dnskeys: p.dnskeys } : { zone: p.zone, ds: p.ds }));
}

export function readTrustAnchorFile(path: string): TrustPoint[] {
  const points = trustPointsFromRecords(readRecordsFile(path), path);
  if (points.length === 0) throw new AnchordError(ErrorCode.Config, `${path}: no trust anchor in the file`);
  return points;
}
