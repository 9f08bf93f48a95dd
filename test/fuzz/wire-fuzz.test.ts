// Mutation fuzzing of the wire decoder (DESIGN.md convention 2): hundreds of thousands of mutated
// messages (bit flips, byte sets, truncations, insertions, compression-pointer games, inflated
// counts and RDLENGTHs) go through decodeMessage. The only exception allowed is WireError. What
// decodes must re-encode, and decode again to the same records (uncompressed encoding exactly;
// compressed encoding up to case, since compression is case-folded).
//
// Reproducible: a seeded PRNG. FUZZ_ITERATIONS and FUZZ_SEED override the defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireError } from '../../src/core/errors.js';
import { SeededRandom } from '../../src/core/random.js';
import { RRClass, RRType } from '../../src/wire/constants.js';
import { encodeEde, encodeCookie } from '../../src/wire/edns.js';
import { decodeMessage, encodeMessage, makeQuery, makeResponse } from '../../src/wire/message.js';
import type { Message, MessageInit } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import { encodeRdata } from '../../src/wire/rdata.js';
import type { RdataFields } from '../../src/wire/rdata-schema.js';
import type { ResourceRecord } from '../../src/wire/record.js';

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 300_000);
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);

/** A faster PRNG for the mutation loop, seeded from SeededRandom (xorshift32). */
class Xs32 {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  below(n: number): number {
    return this.next() % n;
  }
}

function corpus(): Uint8Array[] {
  const N = (s: string): Name => Name.parse(s);
  const rr = (name: string, type: number, fields: RdataFields, ttl = 300): ResourceRecord => ({
    name: N(name),
    type,
    class: RRClass.IN,
    ttl,
    rdata: encodeRdata(type, fields),
  });
  const zone = 'example.com.';
  const answer: ResourceRecord[] = [
    rr('www.example.com.', RRType.CNAME, { target: N('web.example.com.') }),
    rr('web.example.com.', RRType.A, { address: '192.0.2.1' }),
    rr('web.example.com.', RRType.AAAA, { address: '2001:db8::1' }),
    rr('web.example.com.', RRType.RRSIG, {
      typeCovered: RRType.A,
      algorithm: 13,
      labels: 3,
      originalTtl: 300,
      expiration: 2000000000,
      inception: 1700000000,
      keyTag: 12345,
      signerName: N(zone),
      signature: new Uint8Array(64).fill(7),
    }),
  ];
  const authority: ResourceRecord[] = [
    rr(zone, RRType.SOA, { mname: N('ns1.example.com.'), rname: N('hostmaster.example.com.'), serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 }),
    rr('a.example.com.', RRType.NSEC, { next: N('c.example.com.'), types: [1, 46, 47] }),
    rr('x.example.com.', RRType.NSEC3, {
      hashAlgorithm: 1,
      flags: 0,
      iterations: 0,
      salt: Uint8Array.of(0xab),
      nextHashed: new Uint8Array(20).fill(3),
      types: [1, 2, 6, 46],
    }),
    rr(zone, RRType.NS, { host: N('ns1.example.com.') }),
  ];
  const additional: ResourceRecord[] = [
    rr('ns1.example.com.', RRType.A, { address: '192.0.2.53' }),
    rr(zone, RRType.MX, { preference: 10, exchange: N('mail.example.com.') }),
    rr(zone, RRType.TXT, { strings: [new TextEncoder().encode('v=spf1 -all'), new Uint8Array(0)] }),
    rr('_443._tcp.example.com.', RRType.SRV, { priority: 1, weight: 2, port: 443, target: N('web.example.com.') }),
    rr(zone, RRType.DNSKEY, { flags: 257, protocol: 3, algorithm: 13, publicKey: new Uint8Array(64).fill(9) }),
    rr(zone, RRType.DS, { keyTag: 1, algorithm: 13, digestType: 2, digest: new Uint8Array(32).fill(1) }),
    rr(zone, RRType.CAA, { flags: 0, tag: new TextEncoder().encode('issue'), value: new TextEncoder().encode('ca.example') }),
    rr(zone, RRType.HTTPS, {
      priority: 1,
      target: Name.ROOT,
      params: [
        { key: 1, value: Uint8Array.of(2, 0x68, 0x32) },
        { key: 4, value: Uint8Array.of(192, 0, 2, 1) },
      ],
    }),
    { name: N('u.example.com.'), type: 65280, class: RRClass.IN, ttl: 1, rdata: Uint8Array.of(1, 2, 3) },
  ];
  const q = makeQuery(N('www.example.com.'), RRType.A, { id: 0x1234, rd: true, do: true, cookie: encodeCookie(new Uint8Array(8).fill(1)).data });
  const out: MessageInit[] = [
    q,
    makeQuery(N('.'), RRType.NS, { id: 1, edns: false }),
    makeResponse(q, { answer, authority, additional, options: [encodeEde(6, 'x1: test')] }),
    makeResponse(q, { answer: answer.slice(0, 2) }),
    makeResponse(q, { rcode: 3, authority: authority.slice(0, 3) }),
    makeResponse(makeQuery(N('example.com.'), RRType.ANY, { id: 9, edns: false }), { answer: additional }),
  ];
  return out.map((m) => encodeMessage(m).bytes.slice());
}

const INTERESTING = [0, 1, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xff, 12, 13];

function mutate(src: Uint8Array, r: Xs32): Uint8Array {
  let b = src.slice();
  const rounds = 1 + r.below(3);
  for (let k = 0; k < rounds; k++) {
    const n = b.length;
    if (n === 0) break;
    switch (r.below(10)) {
      case 0: {
        // Bit flips.
        const flips = 1 + r.below(4);
        for (let i = 0; i < flips; i++) b[r.below(n)]! ^= 1 << r.below(8);
        break;
      }
      case 1:
        b[r.below(n)] = INTERESTING[r.below(INTERESTING.length)]!;
        break;
      case 2:
        b[r.below(n)] = r.below(256);
        break;
      case 3:
        // Truncation.
        b = b.slice(0, r.below(n));
        break;
      case 4: {
        // Pointer games: to itself, forward, into the header, or anywhere.
        const at = 12 + r.below(Math.max(1, n - 13));
        if (at + 1 >= n) break;
        const kind = r.below(4);
        const target = kind === 0 ? at : kind === 1 ? at + 1 + r.below(n - at) : kind === 2 ? r.below(12) : r.below(n);
        b[at] = 0xc0 | ((target >>> 8) & 0x3f);
        b[at + 1] = target & 0xff;
        break;
      }
      case 5: {
        // Inflate or shuffle a section count.
        const at = 4 + 2 * r.below(4);
        const v = r.below(3) === 0 ? 0xffff : r.below(20);
        b[at] = v >>> 8;
        b[at + 1] = v & 0xff;
        break;
      }
      case 6: {
        // Insert random octets.
        const at = r.below(n + 1);
        const ins = new Uint8Array(1 + r.below(4));
        for (let i = 0; i < ins.length; i++) ins[i] = r.below(256);
        const c = new Uint8Array(n + ins.length);
        c.set(b.subarray(0, at));
        c.set(ins, at);
        c.set(b.subarray(at), at + ins.length);
        b = c;
        break;
      }
      case 7: {
        // Delete octets.
        const at = r.below(n);
        const del = Math.min(n - at, 1 + r.below(4));
        const c = new Uint8Array(n - del);
        c.set(b.subarray(0, at));
        c.set(b.subarray(at + del), at);
        b = c;
        break;
      }
      case 8: {
        // Overwrite a run with a long label or a chain of labels.
        const at = 12 + r.below(Math.max(1, n - 12));
        if (at >= n) break;
        b[at] = r.below(2) === 0 ? 63 : 0x40 + r.below(0x80);
        break;
      }
      case 9: {
        // Copy a slice of the message over another place (moves pointers and RDLENGTHs around).
        const from = r.below(n);
        const to = r.below(n);
        const len = Math.min(1 + r.below(16), n - from, n - to);
        b.copyWithin(to, from, from + len);
        break;
      }
    }
  }
  return b;
}

function recordsKey(m: Message, fold: boolean): string {
  const rk = (rr: ResourceRecord): string =>
    `${fold ? rr.name.key : Buffer.from(rr.name.wire).toString('latin1')}/${rr.type}/${rr.class}/${rr.ttl}/${
      fold ? Buffer.from(rr.rdata).toString('latin1').toLowerCase() : Buffer.from(rr.rdata).toString('hex')
    }`;
  return [m.question.map((q) => `${q.name.key}/${q.type}/${q.class}`).join(','), m.answer.map(rk).join(','), m.authority.map(rk).join(','), m.additional.map(rk).join(',')].join('|');
}

test(`fuzz: ${ITERATIONS} mutated messages, seed ${SEED}`, () => {
  const seeds = corpus();
  const r = new Xs32(new SeededRandom(SEED).below(0x100000000));
  const stats = { decoded: 0, wireErrors: 0, malformed: 0, formErr: 0, trailing: 0, maxMs: 0 };
  let worst: Uint8Array = new Uint8Array(0);
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i++) {
    const src = seeds[r.below(seeds.length)]!;
    const bytes = mutate(src, r);
    const t0 = performance.now();
    let m: Message;
    try {
      m = decodeMessage(bytes);
    } catch (e) {
      if (!(e instanceof WireError)) {
        assert.fail(`iteration ${i}: ${String(e)} for ${Buffer.from(bytes).toString('hex')}`);
      }
      stats.wireErrors++;
      continue;
    }
    stats.decoded++;
    if (m.malformed.length > 0) stats.malformed++;
    if (m.formErr !== undefined) stats.formErr++;
    if (m.trailing > 0) stats.trailing++;
    try {
      const plain = encodeMessage(m, { compress: false }).bytes;
      const again = decodeMessage(plain);
      if (recordsKey(again, false) !== recordsKey(m, false) || again.malformed.length !== 0 || again.trailing !== 0) {
        assert.fail(`iteration ${i}: uncompressed re-encoding differs for ${Buffer.from(bytes).toString('hex')}`);
      }
      const packed = encodeMessage(m).bytes;
      assert.ok(packed.length <= plain.length, `iteration ${i}: compression grew the message`);
      const again2 = decodeMessage(packed);
      if (recordsKey(again2, true) !== recordsKey(m, true)) {
        assert.fail(`iteration ${i}: compressed re-encoding differs for ${Buffer.from(bytes).toString('hex')}`);
      }
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      assert.fail(`iteration ${i}: re-encode threw ${String(e)} for ${Buffer.from(bytes).toString('hex')}`);
    }
    const dt = performance.now() - t0;
    if (dt > stats.maxMs) {
      stats.maxMs = dt;
      worst = bytes;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  // The slowest input once more, on its own: a pathological case would be slow again (GC pauses are not).
  const t1 = performance.now();
  for (let k = 0; k < 100; k++) encodeMessage(decodeMessage(worst));
  const worstMs = (performance.now() - t1) / 100;
  console.log(`fuzz: ${ITERATIONS} iterations in ${seconds.toFixed(1)} s, slowest input re-run ${worstMs.toFixed(3)} ms`, stats);
  assert.ok(worstMs < 5, `slowest input takes ${worstMs} ms per decode+encode`);
  // Both paths must be exercised, or the mutations are not doing their job.
  assert.ok(stats.decoded > ITERATIONS / 20, 'enough mutated messages decode');
  assert.ok(stats.wireErrors > ITERATIONS / 20, 'enough mutated messages are refused');
  assert.ok(stats.malformed > 0 && stats.formErr > 0 && stats.trailing > 0, 'malformed, formErr and trailing paths exercised');
});

test('fuzz: random bytes behind a valid header', () => {
  const r = new Xs32(SEED ^ 0xabcdef);
  for (let i = 0; i < 20_000; i++) {
    const b = new Uint8Array(12 + r.below(200));
    for (let j = 0; j < b.length; j++) b[j] = r.below(256);
    b[4] = 0;
    b[5] = r.below(3);
    b[6] = 0;
    b[7] = r.below(4);
    try {
      decodeMessage(b);
    } catch (e) {
      if (!(e instanceof WireError)) assert.fail(`${String(e)} for ${Buffer.from(b).toString('hex')}`);
    }
  }
});
