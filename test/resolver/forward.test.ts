// Forward zones (options.ts ForwardZone) through the injected transport: the forwarder is a second
// anchord resolver (non-validating, so bogus data reaches the forwarding resolver) behind the
// product's front end, answering the bytes the forwarding resolver sends; every other address is
// the test world's authoritative servers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResolverFrontend } from '../../src/server/resolver-frontend.js';
import { defaultAcl } from '../../src/transport/acl.js';
import { EdeCode, RRType, Rcode } from '../../src/wire/constants.js';
import { decodeMessage } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import type { Transport, TransportReply } from '../../src/resolver/transport.js';
import type { ForwardZone } from '../../src/resolver/options.js';
import { buildWorld, makeResolver, n, type World } from './helpers/world.js';

const FWD = '127.0.8.1';
const FWD2 = '127.0.8.2';

interface Sent {
  readonly address: string;
  readonly qname: string;
  readonly qtype: number;
  readonly rd: boolean;
  readonly cd: boolean;
  readonly tcp: boolean;
}

type ForwarderMode = 'ok' | 'timeout' | 'servfail';

/** A world plus forwarders at FWD and FWD2 (each an anchord resolver over the same servers). */
function setup(forwardZones: ForwardZone[], modes: Partial<Record<string, ForwarderMode>> = {}) {
  const world: World = buildWorld();
  const inner = makeResolver({ trustAnchors: [] }, world);
  const frontend = new ResolverFrontend(inner.resolver, undefined, inner.clock, {
    acl: defaultAcl(),
    maxConcurrent: 1000,
    udpSize: 1232,
    servfailTtl: 0,
  });
  const sent: Sent[] = [];
  const outer = makeResolver({ forwardZones }, world, (net) => {
    const t: Transport = {
      async query(server, bytes, options): Promise<TransportReply> {
        const q = decodeMessage(bytes);
        const question = q.question[0]!;
        const tcp = options.tcp === true;
        sent.push({ address: server.address, qname: question.name.toString(), qtype: question.type, rd: q.flags.rd, cd: q.flags.cd, tcp });
        if (server.address !== FWD && server.address !== FWD2) return net.query(server, bytes, options);
        const mode = modes[server.address] ?? 'ok';
        if (mode === 'timeout') return { kind: 'timeout' };
        const reply = await frontend.handle(bytes, { address: '127.0.0.1', port: 5353, transport: tcp ? 'tcp' : 'udp' });
        if (reply === undefined) return { kind: 'timeout' };
        if (mode === 'servfail') {
          const m = decodeMessage(reply);
          // Same message with rcode SERVFAIL (header octet 3, low nibble).
          const out = reply.slice();
          out[3] = (out[3]! & 0xf0) | Rcode.SERVFAIL;
          assert.equal(m.id, decodeMessage(out).id, 'the SERVFAIL copy keeps the ID');
          return { kind: 'reply', bytes: out, rttMs: 5, tcp };
        }
        return { kind: 'reply', bytes: reply, rttMs: server.address === FWD ? 5 : 900, tcp };
      },
    };
    return t;
  });
  return { world, outer, sent };
}

const root = (servers: string[], first = false): ForwardZone => ({ zone: Name.ROOT, servers: servers.map((address) => ({ address })), first });

test('forwarding "." only: every query goes with RD set to the forwarder, and the answer is still validated (AD)', async () => {
  const { outer, sent } = setup([root([FWD])]);
  const a = await outer.resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
  assert.equal(a.rcode, Rcode.NOERROR, JSON.stringify(a.ede));
  assert.equal(a.ad, true, 'validated from the root trust anchor through the forwarder');
  assert.ok(sent.length > 0, 'something was sent');
  assert.deepEqual(
    sent.filter((s) => s.address !== FWD),
    [],
    'no authoritative server was asked directly',
  );
  assert.ok(
    sent.every((s) => s.rd),
    'RD set on every forwarded query',
  );
  const types = new Set(sent.map((s) => `${s.qname}/${s.qtype}`));
  assert.ok(types.has('./48'), 'the root DNSKEY RRset came through the forwarder');
  assert.ok(types.has('example.test./43') || types.has('test./43'), 'DS RRsets came through the forwarder');
  assert.ok(
    sent.every((s) => !s.qname.startsWith('_') && (s.qname === 'www.example.test.' ? s.qtype === RRType.A : true)),
    'the full name is asked, never a minimised one',
  );
});

test('bogus data from a non-validating forwarder is SERVFAIL with the validator\'s EDE', async () => {
  const { outer } = setup([root([FWD])]);
  const a = await outer.resolver.resolve({ name: n('www.expired.test.'), type: RRType.A }, { do: true });
  assert.equal(a.rcode, Rcode.SERVFAIL);
  assert.equal(a.ede[0]?.infoCode, EdeCode.SIGNATURE_EXPIRED, JSON.stringify(a.ede));
  const insecure = await outer.resolver.resolve({ name: n('www.insecure.test.'), type: RRType.A }, { do: true });
  assert.equal(insecure.rcode, Rcode.NOERROR);
  assert.equal(insecure.ad, false, 'an insecure delegation proven through the forwarder');
});

test('a forward zone below the root: its names go to the forwarder, the DS at its apex to the parent\'s servers', async () => {
  const zone: ForwardZone = { zone: n('example.test.'), servers: [{ address: FWD }], first: false };
  const { outer, sent } = setup([zone]);
  const a = await outer.resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
  assert.equal(a.rcode, Rcode.NOERROR, JSON.stringify(a.ede));
  assert.equal(a.ad, true);
  const www = sent.filter((s) => s.qname === 'www.example.test.');
  assert.deepEqual(
    www.map((s) => [s.address, s.rd]),
    [[FWD, true]],
    'the name itself only from the forwarder',
  );
  const ds = sent.filter((s) => s.qname === 'example.test.' && s.qtype === RRType.DS);
  assert.ok(ds.length === 0 || ds.every((s) => s.address === '127.0.1.1' && !s.rd), `DS example.test. from test.'s server: ${JSON.stringify(ds)}`);
  const other = await outer.resolver.resolve({ name: n('www.other.'), type: RRType.A }, { do: true });
  assert.equal(other.ad, true);
  assert.ok(
    sent.filter((s) => s.qname.endsWith('other.')).every((s) => s.address !== FWD && !s.rd),
    'names outside the zone are iterated',
  );
});

test('forward only: no forwarder answers -> SERVFAIL, EDE 22 (R-NOFWD); forward first: iterated instead', async () => {
  const only = setup([root([FWD])], { [FWD]: 'timeout' });
  const a = await only.outer.resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, {});
  assert.equal(a.rcode, Rcode.SERVFAIL);
  const ede = a.ede[0];
  assert.equal(ede?.infoCode, EdeCode.NO_REACHABLE_AUTHORITY, JSON.stringify(a.ede));
  assert.match(ede.extraText, /^R-NOFWD/);
  assert.ok(
    only.sent.every((s) => s.address === FWD),
    'forward only never iterates',
  );
  const first = setup([root([FWD], true)], { [FWD]: 'timeout' });
  const b = await first.outer.resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
  assert.equal(b.rcode, Rcode.NOERROR, JSON.stringify(b.ede));
  assert.equal(b.ad, true);
  assert.ok(
    first.sent.some((s) => s.address === '127.0.0.1' && !s.rd),
    'the root servers were asked after the forwarder failed',
  );
});

test('several forwarders: a SERVFAIL or a timeout moves on to the next; the faster one is preferred', async () => {
  const sf = setup([root([FWD, FWD2])], { [FWD]: 'servfail' });
  const a = await sf.outer.resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
  assert.equal(a.rcode, Rcode.NOERROR, JSON.stringify(a.ede));
  assert.ok(
    sf.sent.some((s) => s.address === FWD2),
    'the second forwarder answered',
  );
  const to = setup([root([FWD, FWD2])], { [FWD2]: 'timeout' });
  const b = await to.outer.resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
  assert.equal(b.rcode, Rcode.NOERROR, JSON.stringify(b.ede));
  const ok = setup([root([FWD, FWD2])]);
  await ok.outer.resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, {});
  const mark = ok.sent.length;
  for (const name of ['www.n3.test.', 'www.other.', 'www.oo.test.', 'x.wild.example.test.']) {
    await ok.outer.resolver.resolve({ name: n(name), type: RRType.A }, {});
  }
  const later = ok.sent.slice(mark);
  const fast = later.filter((s) => s.address === FWD).length;
  assert.ok(fast > later.length / 2, `the 5 ms forwarder took most queries (the other: 900 ms, past Unbound's 400 ms band) (${fast} of ${later.length})`);
});

test('a truncated answer from a forwarder is asked again over TCP', async () => {
  const { outer, sent } = setup([root([FWD])]);
  const a = await outer.resolver.resolve({ name: n('big.example.test.'), type: RRType.TXT }, { do: true });
  assert.equal(a.rcode, Rcode.NOERROR, JSON.stringify(a.ede));
  assert.equal(a.ad, true);
  const big = sent.filter((s) => s.qname === 'big.example.test.');
  assert.deepEqual(
    big.map((s) => s.tcp),
    [false, true],
  );
});

test('a forwarder that takes 1.2 s to resolve a cold name is waited for, though its cache hits were fast', async () => {
  const world: World = buildWorld();
  const inner = makeResolver({ trustAnchors: [] }, world);
  const frontend = new ResolverFrontend(inner.resolver, undefined, inner.clock, { acl: defaultAcl(), maxConcurrent: 1000, udpSize: 1232, servfailTtl: 0 });
  const timeouts: number[] = [];
  const outer = makeResolver({ forwardZones: [root([FWD])], trustAnchors: [] }, world, () => ({
    async query(_server, bytes, options): Promise<TransportReply> {
      const q = decodeMessage(bytes);
      const slow = q.question[0]!.name.toString() === 'www.n3.test.';
      if (slow) timeouts.push(options.timeoutMs);
      // The cold name's resolution takes the forwarder 1.2 s; everything else is a 1 ms cache hit.
      if (slow && options.timeoutMs < 1200) return { kind: 'timeout' };
      const reply = await frontend.handle(bytes, { address: '127.0.0.1', port: 5353, transport: options.tcp === true ? 'tcp' : 'udp' });
      return reply === undefined ? { kind: 'timeout' } : { kind: 'reply', bytes: reply, rttMs: 1, tcp: options.tcp === true };
    },
  }));
  for (const name of ['www.example.test.', 'www.other.', 'www.insecure.test.']) await outer.resolver.resolve({ name: n(name), type: RRType.A }, {});
  const a = await outer.resolver.resolve({ name: n('www.n3.test.'), type: RRType.A }, {});
  assert.equal(a.rcode, Rcode.NOERROR, `answered (timeouts given: ${timeouts.join(', ')}; EDE ${JSON.stringify(a.ede)})`);
  assert.deepEqual(timeouts, [400, 800, 1600], 'at least 400 ms, doubled at each attempt');
});
