// Checks every RRSIG written in a scenario against the DNSKEYs written anywhere in it (and its
// DNSKEY trust anchors), dates ignored, as FORMAT.md §10 describes: so the report can say when a
// scenario's expectation depends on a signature that does not verify (Unbound ran many files with
// `fake-sha1`, which skips those checks). Reporting only: the runner never uses it to decide.
//
// The covered RRset is the records of the RRSIG's owner and covered type in the same section of
// the same entry, else in another section of that entry (scenario files sometimes put an RRSIG in
// a different section than its RRset, and Unbound's parser pairs them across sections). The data
// signed is built by the validator's own canonical-form function (dnssec/canonical.ts), and the
// signature checked by the crypto backend with every key of the signer, key tag and algorithm.

import type { CryptoBackend } from '../../crypto/backend.js';
import { signedData } from '../../dnssec/canonical.js';
import { keyTag } from '../../dnssec/key-tag.js';
import { RRType } from '../../wire/constants.js';
import { decodeTyped } from '../../wire/rdata.js';
import type { ResourceRecord } from '../../wire/record.js';
import type { Entry, Scenario } from './scenario.js';

export const SigVerdict = { ok: 'ok', bad: 'bad', noKey: 'no-key' } as const;
export type SigVerdict = (typeof SigVerdict)[keyof typeof SigVerdict];

export interface SignatureAudit {
  readonly ok: number;
  readonly bad: number;
  readonly noKey: number;
  /** Entry lines (ENTRY_BEGIN) that hold at least one RRSIG that does not verify. */
  readonly entriesWithBad: ReadonlySet<number>;
  /** RRSIGs whose RRset is in another section of the entry (Unbound's parser pairs them anyway). */
  readonly crossSection: number;
}

interface Key {
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
}

function sections(e: Entry): (readonly ResourceRecord[])[] {
  return [e.answer, e.authority, e.additional];
}

function entries(s: Scenario): Entry[] {
  const out: Entry[] = [];
  for (const r of s.ranges) out.push(...r.entries);
  for (const st of s.steps) if ('entry' in st) out.push(st.entry);
  return out;
}

/** Audits every RRSIG of the scenario; `anchors` adds DNSKEY trust anchors. */
export function auditSignatures(s: Scenario, crypto: CryptoBackend, anchors: readonly ResourceRecord[] = []): SignatureAudit {
  const keys = new Map<string, Key[]>();
  const seen = new Set<string>();
  const addKey = (r: ResourceRecord): void => {
    if (r.type !== RRType.DNSKEY) return;
    try {
      const k = decodeTyped(RRType.DNSKEY, r.rdata);
      const id = `${r.name.key}/${keyTag(r.rdata)}/${k.algorithm}`;
      const dedupe = `${id}/${Buffer.from(k.publicKey).toString('base64')}`;
      if (seen.has(dedupe)) return;
      seen.add(dedupe);
      const list = keys.get(id) ?? [];
      list.push({ algorithm: k.algorithm, publicKey: k.publicKey });
      keys.set(id, list);
    } catch {
      // A DNSKEY malformed on purpose signs nothing.
    }
  };
  const all = entries(s);
  for (const e of all) for (const sec of sections(e)) for (const r of sec) addKey(r);
  for (const r of anchors) addKey(r);

  let ok = 0;
  let bad = 0;
  let noKey = 0;
  let crossSection = 0;
  const entriesWithBad = new Set<number>();
  const verdictCache = new Map<string, SigVerdict>();
  for (const e of all) {
    const secs = sections(e);
    for (const sec of secs) {
      for (const r of sec) {
        if (r.type !== RRType.RRSIG) continue;
        if (r.rdata.length >= 2) {
          const covered = (r.rdata[0]! << 8) | r.rdata[1]!;
          const here = sec.some((x) => x.type === covered && x.name.equals(r.name));
          if (!here && secs.some((o) => o !== sec && o.some((x) => x.type === covered && x.name.equals(r.name)))) crossSection++;
        }
        const v = verdictOf(r, sec, secs, keys, crypto, verdictCache);
        if (v === SigVerdict.ok) ok++;
        else if (v === SigVerdict.bad) {
          bad++;
          entriesWithBad.add(e.line);
        } else noKey++;
      }
    }
  }
  return { ok, bad, noKey, entriesWithBad, crossSection };
}

function verdictOf(
  sig: ResourceRecord,
  own: readonly ResourceRecord[],
  all: (readonly ResourceRecord[])[],
  keys: ReadonlyMap<string, Key[]>,
  crypto: CryptoBackend,
  cache: Map<string, SigVerdict>,
): SigVerdict {
  let d;
  try {
    d = decodeTyped(RRType.RRSIG, sig.rdata);
  } catch {
    return SigVerdict.bad;
  }
  const candidates = keys.get(`${d.signerName.key}/${d.keyTag}/${d.algorithm}`) ?? [];
  if (candidates.length === 0 || !crypto.supportsVerify(d.algorithm)) return SigVerdict.noKey;
  const covered = (list: readonly ResourceRecord[]): ResourceRecord[] =>
    list.filter((x) => x.type === d.typeCovered && x.name.equals(sig.name) && x.class === sig.class);
  let records = covered(own);
  if (records.length === 0) for (const sec of all) if ((records = covered(sec)).length > 0) break;
  if (records.length === 0) return SigVerdict.noKey;
  const rdatas = records.map((x) => x.rdata);
  const cacheKey = `${Buffer.from(sig.rdata).toString('base64')}|${rdatas.map((x) => Buffer.from(x).toString('base64')).sort().join(',')}`;
  const hit = cache.get(cacheKey);
  if (hit !== undefined) return hit;
  let data: Uint8Array;
  try {
    data = signedData(sig.rdata, { name: sig.name, type: d.typeCovered, class: sig.class, ttl: d.originalTtl, rdatas });
  } catch {
    cache.set(cacheKey, SigVerdict.bad);
    return SigVerdict.bad;
  }
  const good = candidates.some((k) => {
    try {
      return crypto.verify(k.algorithm, k.publicKey, data, d.signature);
    } catch {
      return false;
    }
  });
  const v = good ? SigVerdict.ok : SigVerdict.bad;
  cache.set(cacheKey, v);
  return v;
}
