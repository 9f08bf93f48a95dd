// Keys of the demo world: BIND-format key pairs (`K<zone>+<alg>+<tag>.key/.private`, the files
// `anchord keygen` writes) in one folder, reused when present so that the demo trust anchor stays
// the same across restarts, generated when missing. A key is taken for a DemoKeySpec when its
// algorithm and SEP flag match and its private half is there; key files of other shapes in the
// folder are left alone and not used.

import { mkdirSync } from 'node:fs';
import { DnskeyFlag, makeDnskeyRdata } from '../auth/key-file-text.js';
import type { SigningKey } from '../auth/signer.js';
import { readZoneKeys, signingKeyFromPair, writeKeyPair, type KeyFilePair } from '../cli/key-files.js';
import { DnssecAlgorithm } from '../dnssec/algorithms.js';
import { generatePrivateKey, publicKeyFromPrivateKey } from '../crypto/signer.js';
import { RRClass } from '../wire/constants.js';
import type { Name } from '../wire/name.js';
import type { DemoKeySpec } from './demo-zones.js';

export interface DemoKey {
  readonly spec: DemoKeySpec;
  /** DNSKEY RDATA. */
  readonly dnskey: Uint8Array;
  readonly signing: SigningKey;
  readonly basename: string;
  /** True when made in this run. */
  readonly generated: boolean;
}

function matches(pair: KeyFilePair, spec: DemoKeySpec): boolean {
  const r = pair.publicKey.rdata;
  const sep = (((r[0]! << 8) | r[1]!) & DnskeyFlag.SEP) !== 0;
  return pair.privateKey !== undefined && r[3] === spec.algorithm && sep === spec.ksk;
}

/**
 * The keys for `specs` of zone `owner` in `dir` (created if missing): existing pairs reused in
 * file-name order, missing ones generated (RSA 2048 bits) and written atomically.
 */
export function loadOrCreateDemoKeys(dir: string, owner: Name, specs: readonly DemoKeySpec[]): DemoKey[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const existing = specs.length === 0 ? [] : readZoneKeys(dir, owner, () => undefined);
  const used = new Set<string>();
  const out: DemoKey[] = [];
  for (const spec of specs) {
    const found = existing.find((p) => !used.has(p.basename) && matches(p, spec));
    if (found !== undefined) {
      used.add(found.basename);
      out.push({ spec, dnskey: found.publicKey.rdata, signing: signingKeyFromPair(found, { ksk: spec.ksk }), basename: found.basename, generated: false });
      continue;
    }
    const key = generatePrivateKey(spec.algorithm, spec.algorithm === DnssecAlgorithm.RSASHA256 ? { bits: 2048 } : {});
    const flags = DnskeyFlag.ZONE | (spec.ksk ? DnskeyFlag.SEP : 0);
    const rdata = makeDnskeyRdata(flags, spec.algorithm, publicKeyFromPrivateKey(key));
    const basename = writeKeyPair(dir, { owner, ttl: undefined, class: RRClass.IN, rdata }, key, {}, { force: true });
    used.add(basename);
    const pair: KeyFilePair = {
      basename,
      dir,
      publicKey: { owner, ttl: undefined, class: RRClass.IN, rdata },
      privateKey: { format: 'v1.3', algorithm: spec.algorithm, key, metadata: [] },
      timing: {},
    };
    out.push({ spec, dnskey: rdata, signing: signingKeyFromPair(pair, { ksk: spec.ksk }), basename, generated: true });
  }
  return out;
}
