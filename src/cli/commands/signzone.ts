// `anchord signzone`: signs a zone file as BIND's dnssec-signzone does (BIND 9 ARM §5.1.4,
// §5.4.2): the signer is auth/signer.ts; this command loads the zone and the keys, writes the
// signed zone atomically (no partial output on any error), the dsset-<zone> file, and verifies the
// result as dnssec-signzone does (dnssec/zone-verify.ts) unless -P.
//
// Flags as dnssec-signzone: -o ORIGIN (default: the SOA owner), -f OUTPUT (default
// ZONEFILE.signed, `-` for standard output), -K DIR, -d DIR (dsset files), -S (smart signing:
// every key of the zone in -K, used as its timing says), -k KEY (a KSK), -s/-e/-X times
// (YYYYMMDDHHMMSS, seconds, +offset, now+offset; -e/-X offsets count from the start), -i refresh
// interval, -j jitter, -x (DNSKEY signed by KSKs only), -z (ignore the KSK flag), -3 SALT (NSEC3;
// `-` for no salt), -H ITERATIONS, -A (opt-out), -N keep|increment|unixtime|date, -O full|text,
// -D (DNSSEC records only), -T TTL (DNSKEY), -Q, -R, -P (no verification), -a (verify each new
// signature), -t (statistics), -q, -n CPUS (signing threads: libuv's threadpool, which the
// `anchord` launcher sizes from -n; default the number of CPUs), then the zone file and key files.
// Without -S and without key files, the zone's own DNSKEYs are used with their private keys from
// -K, as dnssec-signzone does. Extra options: --deterministic (RFC 6979 ECDSA, reproducible
// output), --now (sign as of that time), --cds/--cdnskey (publish CDS/CDNSKEY for the KSKs).

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { AnchordError, ErrorCode } from '../../core/errors.js';
import { DnskeyFlag, dnskeyFlags, keyBasename } from '../../auth/key-file-text.js';
import { parseOffset } from '../../auth/key-timing.js';
import { CompactZone } from '../../auth/compact-zone.js';
import { SerialFormat, startSigning, type BatchSigner, type DenialOptions, type SignerInput, type SignJob, type SigningKey, type SigningRun, type SignZoneOptions, type SyncOptions } from '../../auth/signer.js';
import { createPreferredBackend } from '../../crypto/native-backend.js';
import type { PrivateKey } from '../../crypto/private-key.js';
import { CallbackSigner, threadpoolSize } from '../../crypto/callback-signer.js';
import { SignPool } from '../../crypto/sign-pool.js';
import { algorithmMnemonic } from '../../dnssec/algorithms.js';
import { makeDsRdata } from '../../dnssec/ds.js';
import { keyTag } from '../../dnssec/key-tag.js';
import { verifyZone } from '../../dnssec/zone-verify.js';
import { RRType, typeToString } from '../../wire/constants.js';
import type { Name } from '../../wire/name.js';
import { bytesToHex, hexToBytes, parseTime, parseTtl } from '../../wire/rdata-text.js';
import type { ResourceRecord } from '../../wire/record.js';
import { parseZone, resolveIncludePath } from '../../zone/parser.js';
import { ProblemCode, Zone, type ZoneProblem } from '../../zone/zone.js';
import { flag, optNumber, optString, optStrings, zoneName, type Args } from '../args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { readKeyPair, readZoneKeys, signingKeyFromPair, writeAtomicStream, writeFileAtomic, type KeyFilePair, type SignerFactory } from '../key-files.js';
import { ZoneByteWriter } from '../zone-writer.js';
import { parseNow, summaryLine } from './verify-zone.js';

/** Types -D keeps: the DNSSEC records dnssec-signzone -D writes. */
const DNSSEC_TYPES = new Set<number>([RRType.DNSKEY, RRType.RRSIG, RRType.NSEC, RRType.NSEC3, RRType.NSEC3PARAM, RRType.CDS, RRType.CDNSKEY]);

export interface SignzoneDeps {
  readonly now: () => number;
  /** Wall clock in milliseconds for the statistics. */
  readonly clock: () => number;
  readonly random: (n: number) => number;
}

const defaultDeps: SignzoneDeps = {
  now: () => Math.floor(Date.now() / 1000),
  clock: () => performance.now(),
  random: (n) => Math.floor(Math.random() * n),
};

/**
 * A signature time as dnssec-signzone reads it: YYYYMMDDHHMMSS, seconds since the epoch,
 * `now`, `+offset` (from `base`), `now+offset` (from now).
 */
export function parseSigTime(text: string, now: number, base: number): number {
  const t = text.trim();
  if (t === 'now') return now;
  const m = /^(now)?\+(.+)$/.exec(t);
  if (m !== null) return (m[1] === undefined ? base : now) + parseOffset(m[2]!);
  try {
    return parseTime(t);
  } catch {
    throw new AnchordError(ErrorCode.Usage, `bad time "${text}" (YYYYMMDDHHMMSS, seconds, +offset or now+offset)`);
  }
}

/**
 * A full garbage collection, between loading and signing: what loading left behind (the zone
 * file's text, the sort keys, the parser's records; ~12 MiB at 100k records, much of it in V8's
 * large-object space, which only a full collection frees) would otherwise stay until the signing
 * run's first full collection, on top of the signing run's own memory (peak RSS). ~30 ms at 100k.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc === 'function') (gc as () => void)();
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new AnchordError(ErrorCode.ZoneFile, `cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Loads the zone file into the zone model; problems that are errors stop here. */
export function loadZone(file: string, origin: Name | undefined, io: CommandIO): Zone {
  return loadZoneFile(file, origin, io).zone;
}

/** loadZone, also returning the records as read (each RRSIG with its own TTL). */
export function loadZoneFile(file: string, origin: Name | undefined, io: CommandIO): { zone: Zone; records: ResourceRecord[] } {
  const text = readText(file);
  const records: ResourceRecord[] = [];
  let soaOwner: Name | undefined;
  for (const rr of parseZone(text, {
    file,
    ...(origin === undefined ? {} : { origin }),
    readFile: (p, from) => readFileSync(resolveIncludePath(p, from), 'utf8'),
  })) {
    if (soaOwner === undefined && rr.type === RRType.SOA) soaOwner = rr.name;
    records.push(rr);
  }
  const apex = origin ?? soaOwner;
  if (apex === undefined) throw new AnchordError(ErrorCode.ZoneFile, `${file}: no SOA record and no -o origin`);
  const zone = Zone.fromRecords(apex, records);
  reportProblems(file, apex, zone.problems, io);
  return { zone, records };
}

/**
 * Loads a zone file for signing into the compact zone (auth/compact-zone.ts), streaming the
 * parser into it; without `origin` the owner of the first SOA record is the origin (records
 * before it are held until it is seen).
 */
export function loadCompactZone(file: string, origin: Name | undefined, io: CommandIO): CompactZone {
  const text = readText(file);
  const parsed = parseZone(text, {
    file,
    ...(origin === undefined ? {} : { origin }),
    readFile: (p, from) => readFileSync(resolveIncludePath(p, from), 'utf8'),
  });
  let apex = origin;
  const head: ResourceRecord[] = [];
  if (apex === undefined) {
    for (;;) {
      const r = parsed.next();
      if (r.done === true) break;
      head.push(r.value);
      if (r.value.type === RRType.SOA) {
        apex = r.value.name;
        break;
      }
    }
  }
  if (apex === undefined) throw new AnchordError(ErrorCode.ZoneFile, `${file}: no SOA record and no -o origin`);
  function* all(): Generator<ResourceRecord, void, undefined> {
    yield* head;
    head.length = 0;
    for (let r = parsed.next(); r.done !== true; r = parsed.next()) yield r.value;
  }
  // One record a line at most, apart from $GENERATE and $INCLUDE: the size guess for the arenas.
  let lines = 1;
  for (let p = text.indexOf('\n'); p >= 0; p = text.indexOf('\n', p + 1)) lines++;
  const zone = CompactZone.fromRecords(apex, all(), { expectedRecords: lines });
  reportProblems(file, zone.origin, zone.problems, io);
  return zone;
}

function reportProblems(file: string, apex: Name, problems: readonly ZoneProblem[], io: CommandIO): void {
  for (const p of problems) {
    // RRSIGs covering different types differ in TTL: that is not an RRset's TTL mismatch.
    if (p.severity === 'warning' && !(p.code === ProblemCode.TtlMismatch && p.type === RRType.RRSIG)) io.err(`anchord signzone: warning: ${file}: ${p.message}`);
  }
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new AnchordError(ErrorCode.ZoneFile, `${file}: ${errors.length} error(s) in zone ${apex.toString()}:\n  ${errors.map((e) => e.message).join('\n  ')}`);
  }
}

/** The dsset-<zone> file dnssec-signzone writes: SHA-256 DS records of the KSKs. */
export function dssetText(origin: Name, dnskeys: readonly Uint8Array[]): string {
  const owner = origin.toString();
  const pad = '\t'.repeat(Math.max(1, Math.ceil((24 - owner.length) / 8)));
  let out = '';
  for (const k of dnskeys) {
    const flags = dnskeyFlags(k);
    if ((flags & DnskeyFlag.SEP) === 0 || (flags & DnskeyFlag.REVOKE) !== 0) continue;
    const ds = makeDsRdata(origin, k, 2);
    const hex = bytesToHex(ds.subarray(4)).toUpperCase();
    out += `${owner}${pad}IN DS ${keyTag(k)} ${k[3]!} 2 ${hex.slice(0, 56)}${hex.length > 56 ? ` ${hex.slice(56)}` : ''}\n`;
  }
  return out;
}

function pad(label: string, value: string): string {
  return `${label}${' '.repeat(Math.max(1, 40 - label.length - value.length))}${value}`;
}

/** Runs signzone; resolves to the exit code. */
export async function runSignzone(args: Args, io: CommandIO, deps: SignzoneDeps = defaultDeps): Promise<number> {
  const started = deps.clock();
  // Loading the zone keeps most of what it allocates, so V8 learns to allocate objects from those
  // allocation sites (names, RRsets, records) straight in the old generation ("pretenuring");
  // signing then allocates the same kinds of objects by the million and drops them at once, and
  // every one of them became old-generation garbage: tens of MiB of peak RSS at 100k records, and
  // the mark-compact work to clear it. Off for this process, they die young, in scavenges.
  setFlagsFromString('--no-allocation-site-pretenuring');
  const zonefile = optString(args, 'zonefile');
  if (zonefile === undefined) throw new AnchordError(ErrorCode.Usage, 'name the zone file to sign');
  const originText = optString(args, 'o');
  const origin = originText === undefined ? undefined : zoneName(originText);
  const keyDir = optString(args, 'K') ?? '.';
  const dsDir = optString(args, 'd') ?? '.';
  const output = optString(args, 'f') ?? `${zonefile}.signed`;
  const nowText = optString(args, 'now');
  const now = nowText === undefined ? deps.now() : parseNow(nowText);
  const quiet = flag(args, 'q');

  const start = optString(args, 's');
  const inception = start === undefined ? now - 3600 : parseSigTime(start, now, now);
  const end = optString(args, 'e');
  const expiration = end === undefined ? inception + 30 * 86400 : parseSigTime(end, now, inception);
  const keyEnd = optString(args, 'X');
  const keyExpiration = keyEnd === undefined ? expiration : parseSigTime(keyEnd, now, inception);
  const interval = optString(args, 'i');
  const jitter = optNumber(args, 'j') ?? 0;

  const format = optString(args, 'O') ?? 'full';
  if (format !== 'full' && format !== 'text') throw new AnchordError(ErrorCode.Usage, `-O ${format}: only full and text are supported`);
  const serialText = optString(args, 'N') ?? 'keep';
  const serial = Object.values(SerialFormat).find((f) => f === serialText.toLowerCase());
  if (serial === undefined) throw new AnchordError(ErrorCode.Usage, `-N ${serialText}: expected keep, increment, unixtime or date`);

  let denial: DenialOptions = { type: 'nsec' };
  const saltText = optString(args, 'nsec3-salt');
  if (saltText !== undefined) {
    const salt = saltText === '-' ? new Uint8Array(0) : hexToBytesChecked(saltText);
    const iterations = optNumber(args, 'H') ?? 0;
    if (!Number.isInteger(iterations) || iterations < 0 || iterations > 2500) throw new AnchordError(ErrorCode.Usage, `-H ${iterations}: iterations must be 0..2500`);
    denial = { type: 'nsec3', salt, iterations, optOut: flag(args, 'A') };
  } else if (flag(args, 'A') || optNumber(args, 'H') !== undefined) {
    throw new AnchordError(ErrorCode.Usage, '-A and -H need NSEC3 (-3 SALT)');
  }

  // ---- Zone -------------------------------------------------------------------------------------
  const zone = loadCompactZone(zonefile, origin, io);
  collectGarbage();
  const apex = zone.origin;
  denial = denialForInput(zone, saltText === undefined ? undefined : denial, flag(args, 'u'));

  // ---- Keys -------------------------------------------------------------------------------------
  const pairs = new Map<string, { pair: KeyFilePair; ksk?: boolean }>();
  const add = (pair: KeyFilePair, ksk?: boolean): void => {
    if (!pair.publicKey.owner.equals(apex)) {
      throw new AnchordError(ErrorCode.KeyFile, `key ${pair.basename} is for ${pair.publicKey.owner.toString()}, not for the zone ${apex.toString()}`);
    }
    const prev = pairs.get(pair.basename);
    pairs.set(pair.basename, { pair, ...((ksk ?? prev?.ksk) === undefined ? {} : { ksk: ksk ?? prev!.ksk! }) });
  };
  for (const k of optStrings(args, 'keys')) add(readKeyPair(k, keyDir, { requirePrivate: true }));
  for (const k of optStrings(args, 'k')) add(readKeyPair(k, keyDir, { requirePrivate: true }), true);
  if (flag(args, 'S')) {
    for (const pair of readZoneKeys(keyDir, apex, (b, e) => {
      io.err(`anchord signzone: warning: ignoring key ${b}: ${e.message}`);
    })) {
      if (!pairs.has(pair.basename)) add(pair);
    }
  }
  if (pairs.size === 0) {
    // dnssec-signzone without keys: the zone's DNSKEYs whose private keys are in -K.
    for (const r of zone.rrset(apex, RRType.DNSKEY)?.rdatas ?? []) {
      const base = keyBasename(apex, r[3]!, keyTag(r));
      try {
        const pair = readKeyPair(base, keyDir);
        if (pair.privateKey !== undefined) add(pair);
      } catch {
        // No key files for this DNSKEY: it stays published, unsigned by it.
      }
    }
  }
  if (pairs.size === 0) throw new AnchordError(ErrorCode.KeyFile, `no keys to sign ${apex.toString()} with (give key files, or -S with -K DIR)`);
  const deterministic = flag(args, 'deterministic');
  const entries = [...pairs.values()];
  // noble (RFC 6979 ECDSA) is loaded only for --deterministic: about 10 MiB of RSS otherwise spent.
  const signer: SignerFactory | undefined = deterministic ? await loadDeterministicSigner() : undefined;
  const keys: SigningKey[] = entries.map(({ pair, ksk }) => signingKeyFromPair(pair, { ...(signer === undefined ? {} : { signer }), ...(ksk === undefined ? {} : { ksk }) }));
  const threads = optNumber(args, 'n') ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new AnchordError(ErrorCode.Usage, `-n ${threads}: 1..256 threads`);
  // With more than one thread, signatures are made on libuv's threadpool (startPool), whose size
  // the `anchord` launcher (bin/anchord.js) sets from -n before the pool starts.
  const poolThreads = threadpoolSize();
  if (threads > 1 && !deterministic && poolThreads !== threads) {
    io.err(`anchord signzone: warning: -n ${threads}, but libuv's threadpool has ${poolThreads} threads (UV_THREADPOOL_SIZE when it started), which sign; the anchord command sets it from -n`);
  }

  let sync: SyncOptions | undefined;
  if (flag(args, 'cds') || flag(args, 'cdnskey')) sync = { allKsks: true, cdsDigests: flag(args, 'cds') ? [2] : [], cdnskey: flag(args, 'cdnskey') };

  const dnskeyTtl = optString(args, 'T');
  const options: SignZoneOptions = {
    now,
    inception,
    expiration,
    keyExpiration,
    denial,
    serial,
    keysetKskOnly: flag(args, 'x'),
    ignoreKskFlag: flag(args, 'z'),
    removeInactiveSignatures: flag(args, 'Q'),
    removeUnknownSignatures: flag(args, 'R'),
    verifier: createPreferredBackend(),
    ...(interval === undefined ? {} : { refresh: parseOffset(interval) }),
    ...(jitter > 0 ? { jitter, random: deps.random } : {}),
    ...(dnskeyTtl === undefined ? {} : { dnskeyTtl: parseTtl(dnskeyTtl) }),
    ...(sync === undefined ? {} : { sync }),
  };

  // Post-sign verification (on unless -P): every new signature is checked right after it is made
  // (in the workers with a pool), reused ones are checked before reuse; --full-verify also runs
  // the whole-zone check of verify-zone (dnssec-verify's rules) on the result, in memory.
  const checkSigs = !flag(args, 'P');
  const signStart = deps.clock();
  const pool = threads > 1 ? await startPool(entries.map((e) => e.pair), threads, deterministic, checkSigs) : undefined;
  const onlyDnssec = flag(args, 'D');
  const fullVerify = flag(args, 'full-verify');
  let signed: SigningRun;
  const kept: ResourceRecord[] = [];
  try {
    // Few signatures in flight (2 batches of 8): enough that the signing threads never wait for
    // the main thread, few enough that the RRsets waiting for their signatures die young (in
    // V8's young generation) instead of filling the old generation with garbage. What survives a
    // young-generation collection also makes V8 grow that generation (up to 32 MiB; it grows once
    // the bytes surviving since its last growth exceed its size). At 100k records (NSEC, -n 2,
    // one run each): 4 x 128 in flight reached 32 MiB within a second, peak RSS 117 MiB; 4 x 16
    // about halfway, 107 MiB; 2 x 8 never (16 MiB to the end), 94-96 MiB (NSEC3 111 -> 100 MiB), same
    // CPU time and no slower (wall 7.2-7.7 s both, on a quiet box).
    const tune = { batchSize: 8, concurrency: 2 };
    signed = startSigning(zone, keys, { ...options, ...tune, verifyGenerated: checkSigs, ...(pool === undefined ? {} : { batchSigner: pool.signer }) });
    const run = signed;
    const produce = async (write: (bytes: Uint8Array) => void): Promise<void> => {
      const writer = new ZoneByteWriter(write);
      for await (const chunk of run.chunks()) {
        for (const rr of chunk) {
          if (fullVerify) kept.push(rr);
          if (onlyDnssec && !DNSSEC_TYPES.has(rr.type)) continue;
          writer.record(rr);
        }
      }
      writer.flush();
      // Checks before the output file is put in place.
      if (fullVerify) {
        const result = verifyZone(kept, apex, createPreferredBackend(), now, { ignoreKskFlag: flag(args, 'z'), keysetKskOnly: flag(args, 'x') });
        if (!result.summary.ok) {
          for (const f of result.faults) if (f.severity === 'error') io.err(`${f.owner.toString()} ${typeToString(f.type)}: ${f.reason}`);
          throw new AnchordError(ErrorCode.ZoneFile, `zone verification failed: ${summaryLine(result)}`);
        }
        if (!quiet) io.err(summaryLine(result));
      }
    };
    if (output === '-') {
      const buffered: Buffer[] = [];
      await produce((b) => buffered.push(Buffer.from(b)));
      for (const l of Buffer.concat(buffered).toString('utf8').split('\n').slice(0, -1)) io.out(l);
    } else {
      await writeAtomicStream(output, produce);
    }
  } finally {
    await pool?.close();
  }
  const signSeconds = (deps.clock() - signStart) / 1000;

  const dsset = dssetText(apex, signed.dnskeys.rdatas);
  if (dsset !== '' && output !== '-') writeFileAtomic(join(dsDir, `dsset-${apex.toString()}`), dsset);

  if (!quiet) {
    for (const k of signed.keys) {
      const state = k.revoked ? 'revoked' : k.active ? 'active' : k.published ? 'published' : 'not published';
      io.err(`${keyBasename(apex, k.algorithm, k.tag)}: ${k.ksk ? 'KSK' : 'ZSK'} ${algorithmMnemonic(k.algorithm)}, ${state}`);
    }
    const st = signed.stats;
    if (checkSigs) io.err(`${apex.toString()}: ${st.generated} signatures made and verified, ${st.retained} kept, ${st.dropped} dropped, ${st.chainRecords} ${denial.type === 'nsec' ? 'NSEC' : 'NSEC3'} records`);
  }
  if (flag(args, 't')) {
    const s = signed.stats;
    const total = (deps.clock() - started) / 1000;
    io.err(pad('Signatures generated:', String(s.generated)));
    io.err(pad('Signatures retained:', String(s.retained)));
    io.err(pad('Signatures dropped:', String(s.dropped)));
    io.err(pad('Signatures successfully verified:', String(s.generatedVerified + s.verified - s.verifyFailed)));
    io.err(pad('Signatures unsuccessfully verified:', String(s.verifyFailed)));
    io.err(pad('Signing time in seconds:', signSeconds.toFixed(3)));
    io.err(pad('Signatures per second:', (signSeconds > 0 ? s.generated / signSeconds : 0).toFixed(3)));
    io.err(pad('Runtime in seconds:', total.toFixed(3)));
  }
  if (output !== '-') io.out(output);
  return 0;
}

/** crypto/signer.ts createSigner with RFC 6979 ECDSA, loaded on demand (it imports noble). */
async function loadDeterministicSigner(): Promise<SignerFactory> {
  const { createSigner } = await import('../../crypto/signer.js');
  return (key) => createSigner(key, { deterministic: true });
}

/**
 * The signer for -n > 1, as a BatchSigner indexed like `pairs`: node:crypto's callback form on
 * libuv's threadpool (crypto/callback-signer.ts, no extra V8 isolates), or for --deterministic
 * (RFC 6979 ECDSA in JavaScript, noble) a pool of `workers` worker threads.
 */
async function startPool(pairs: readonly KeyFilePair[], workers: number, deterministic: boolean, verify: boolean): Promise<{ signer: BatchSigner; close: () => Promise<void> }> {
  const material: PrivateKey[] = [];
  const publicKeys: Uint8Array[] = [];
  const map: number[] = [];
  for (const p of pairs) {
    map.push(p.privateKey === undefined ? -1 : material.length);
    if (p.privateKey !== undefined) {
      material.push(p.privateKey.key);
      publicKeys.push(p.publicKey.rdata.subarray(4));
    }
  }
  const remap = (jobs: readonly SignJob[]): SignJob[] =>
    jobs.map((j) => {
      const k = map[j.key]!;
      if (k < 0) throw new AnchordError(ErrorCode.KeyFile, `key ${pairs[j.key]!.basename} has no private key`);
      return { key: k, data: j.data };
    });
  if (!deterministic) {
    const signer = CallbackSigner.create(
      material.map((privateKey, i) => ({ privateKey, publicKey: publicKeys[i]! })),
      { verify },
    );
    return { signer: { verifies: verify, signBatch: (jobs) => signer.signBatch(remap(jobs)) }, close: () => Promise.resolve() };
  }
  const pool = await SignPool.create(material, { workers, deterministic, verify });
  return { signer: { verifies: verify, signBatch: (jobs) => pool.signBatch(remap(jobs)) }, close: () => pool.close() };
}

/**
 * The denial chain to build, given what the input already has (as dnssec-signzone): a signed
 * NSEC3 zone stays NSEC3 with its parameters unless -3 says otherwise; switching an existing
 * chain to another kind or other parameters needs -u.
 */
export function denialForInput(zone: SignerInput, asked: DenialOptions | undefined, update: boolean): DenialOptions {
  const param = zone.rrset(zone.origin, RRType.NSEC3PARAM)?.rdatas.find((r) => r[0] === 1);
  let existing: DenialOptions | undefined;
  if (param !== undefined) {
    const saltLen = param[4]!;
    const salt = param.slice(5, 5 + saltLen);
    let optOut = false;
    for (const node of zone.nodes()) {
      const n3 = [...node.rrsets.values()].find((set) => set.type === RRType.NSEC3);
      if (n3 !== undefined && n3.rdatas.some((r) => (r[1]! & 1) !== 0)) {
        optOut = true;
        break;
      }
    }
    existing = { type: 'nsec3', iterations: (param[2]! << 8) | param[3]!, salt, optOut };
  } else if (zone.rrset(zone.origin, RRType.NSEC) !== undefined) {
    existing = { type: 'nsec' };
  }
  if (asked === undefined) return existing ?? { type: 'nsec' };
  if (existing === undefined || update) return asked;
  if (existing.type === 'nsec' && asked.type === 'nsec3') throw new AnchordError(ErrorCode.Usage, 'Zone contains NSEC records.  Use -u to update to NSEC3.');
  if (existing.type === 'nsec3' && asked.type === 'nsec3') {
    const same = existing.iterations === asked.iterations && existing.optOut === asked.optOut && bytesToHex(existing.salt) === bytesToHex(asked.salt);
    if (!same) throw new AnchordError(ErrorCode.Usage, 'Zone contains an NSEC3 chain with other parameters.  Use -u to replace it.');
  }
  return asked;
}

function hexToBytesChecked(text: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2}){1,255}$/.test(text)) throw new AnchordError(ErrorCode.Usage, `-3 ${text}: the salt is hex digits (up to 255 octets) or -`);
  return hexToBytes(text);
}

export const signzoneCommand: CommandModule = {
  command: 'signzone <zonefile> [keys..]',
  describe: 'sign a zone file with DNSSEC (NSEC or NSEC3), like dnssec-signzone',
  builder: (y: Argv) =>
    y
      .positional('zonefile', { type: 'string', describe: 'zone in master-file format' })
      .positional('keys', { type: 'string', array: true, describe: 'key files to sign with (K<zone>+<alg>+<tag>)' })
      .option('o', { type: 'string', describe: 'zone origin (default: the SOA owner)' })
      .option('f', { type: 'string', describe: 'output file (default ZONEFILE.signed; - for standard output)' })
      .option('K', { type: 'string', describe: 'key directory (default .)' })
      .option('d', { type: 'string', describe: 'directory for the dsset-ZONE file (default .)' })
      .option('S', { type: 'boolean', default: false, describe: 'smart signing: use every key of the zone in -K by its timing' })
      .option('k', { type: 'string', describe: 'key file to use as a KSK (may repeat)' })
      .option('s', { type: 'string', describe: 'signature inception: YYYYMMDDHHMMSS, +offset, now+offset (default now - 1 hour)' })
      .option('e', { type: 'string', describe: 'signature expiration: absolute, +offset from start, now+offset (default start + 30 days)' })
      .option('X', { type: 'string', describe: 'expiration of DNSKEY/CDS/CDNSKEY signatures (default as -e)' })
      .option('i', { type: 'string', describe: 're-sign when a signature expires within this interval (default a quarter of the validity)' })
      .option('j', { type: 'number', describe: 'jitter: subtract up to this many seconds from each expiration' })
      .option('x', { type: 'boolean', default: false, describe: 'sign the DNSKEY RRset with KSKs only' })
      .option('z', { type: 'boolean', default: false, describe: 'ignore the KSK flag: every key signs everything' })
      .option('nsec3-salt', { type: 'string', describe: 'NSEC3 with this hex salt, - for none (BIND: -3)' })
      .option('H', { type: 'number', describe: 'NSEC3 additional iterations (default 0)' })
      .option('A', { type: 'boolean', default: false, describe: 'NSEC3 opt-out' })
      .option('N', { type: 'string', describe: 'SOA serial: keep, increment, unixtime or date (default keep)' })
      .option('O', { type: 'string', describe: 'output format: full or text (default full)' })
      .option('D', { type: 'boolean', default: false, describe: 'write only the DNSSEC records' })
      .option('T', { type: 'string', describe: 'TTL of the DNSKEY RRset' })
      .option('Q', { type: 'boolean', default: false, describe: 'drop signatures of keys no longer active' })
      .option('R', { type: 'boolean', default: false, describe: 'drop signatures of keys that no longer exist' })
      .option('P', { type: 'boolean', default: false, describe: 'do not verify the new signatures' })
      .option('a', { type: 'boolean', default: false, describe: 'verify every new signature (done anyway unless -P)' })
      .option('full-verify', { type: 'boolean', default: false, describe: 'also check the whole signed zone as verify-zone does (in memory)' })
      .option('t', { type: 'boolean', default: false, describe: 'print statistics' })
      .option('u', { type: 'boolean', default: false, describe: 'replace an existing NSEC/NSEC3 chain by the one asked for' })
      .option('n', { type: 'number', describe: 'signing threads (default: the number of CPUs)' })
      .option('q', { type: 'boolean', default: false, describe: 'quiet: print only the output file name' })
      .option('deterministic', { type: 'boolean', default: false, describe: 'reproducible signatures (RFC 6979 ECDSA)' })
      .option('now', { type: 'string', describe: 'sign as of this time (seconds or YYYYMMDDHHMMSS, UTC)' })
      .option('cds', { type: 'boolean', default: false, describe: 'publish CDS (SHA-256) for the active KSKs' })
      .option('cdnskey', { type: 'boolean', default: false, describe: 'publish CDNSKEY for the active KSKs' }),
  argvAliases: { '-3': '--nsec3-salt=' },
  plainArgs: true,
  run: (args, io) => runSignzone(args, io),
};
