// When servers fail, others are found (iterator.ts module header): replies set aside, a zone's own
// NS RRset without AA, the parent side's glue, the parent's referral fetched again. End to end
// through the injected transport with small scripted servers, plus the iterator's state machine
// for DNSSEC-lame replies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InfraCache } from '../../src/cache/infra-cache.js';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { classify } from '../../src/resolver/classify.js';
import { Iteration, type Delegation, type IterAction } from '../../src/resolver/iterator.js';
import { resolverOptions } from '../../src/resolver/options.js';
import { QueryContext, newStats } from '../../src/resolver/query-context.js';
import { Resolver, createResolverCaches } from '../../src/resolver/resolver.js';
import type { Transport } from '../../src/resolver/transport.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { decodeMessage, encodeMessage, makeQuery, makeResponse, type Message, type ResponseOptions } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import { decodeTyped } from '../../src/wire/rdata.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { parseZoneText } from '../../src/zone/parser.js';

const n = (t: string): Name => Name.parse(t);
const recs = (text: string): ResourceRecord[] => parseZoneText(text).records;
const hints = recs('. 3600 NS a.root.\na.root. 3600 A 127.0.0.1\n');
const SOA = (zone: string): ResourceRecord[] => recs(`${zone} 3600 SOA a.root. hostmaster.root. 1 7200 3600 1209600 300\n`);

/** A server: (qname, qtype) → reply, or 'timeout'. */
type Server = (qname: Name, qtype: number) => ResponseOptions | 'timeout';

interface Asked {
  readonly address: string;
  readonly qname: string;
  readonly qtype: number;
}

function scripted(servers: Record<string, Server>): { transport: Transport; log: Asked[] } {
  const log: Asked[] = [];
  const transport: Transport = {
    query: (server, bytes) => {
      const q = decodeMessage(bytes);
      const question = q.question[0]!;
      log.push({ address: server.address, qname: question.name.toString().toLowerCase(), qtype: question.type });
      const s = servers[server.address];
      const r = s === undefined ? 'timeout' : s(question.name, question.type);
      if (r === 'timeout') return Promise.resolve({ kind: 'timeout' });
      return Promise.resolve({ kind: 'reply', bytes: encodeMessage(makeResponse(q, r)).bytes, rttMs: 10, tcp: false });
    },
  };
  return { transport, log };
}

function resolverOver(servers: Record<string, Server>) {
  const clock = new ManualClock(1_700_000_000_000);
  const random = new SeededRandom(7);
  const { transport, log } = scripted(servers);
  const options = { rootHints: hints, qnameMinimisation: false, ipv6: false };
  const caches = createResolverCaches(clock, random, resolverOptions(options));
  const resolver = new Resolver({ transport, clock, random, crypto: createNodeBackend(), caches, options });
  return { resolver, log, caches, clock };
}

function addressesOf(a: { answer: readonly ResourceRecord[] }): string[] {
  return a.answer.filter((r) => r.type === RRType.A).map((r) => decodeTyped(RRType.A, r.rdata).address);
}

/** The root: refers `example.` and `other.` with the given glue, NXDOMAIN for everything else. */
function root(example: string, other = 'other. 3600 NS ns.other.\n'): Server {
  return (qname) => {
    if (qname.isSubdomainOf(n('example.'))) return { authority: recs(example).filter((r) => r.type === RRType.NS), additional: recs(example).filter((r) => r.type !== RRType.NS) };
    if (qname.isSubdomainOf(n('other.'))) return { authority: recs(other).filter((r) => r.type === RRType.NS), additional: recs(other).filter((r) => r.type !== RRType.NS) };
    return { aa: true, rcode: Rcode.NXDOMAIN, authority: SOA('.') };
  };
}

test("classify: the zone's own NS RRset without AA is a retry elsewhere, not lame", () => {
  const q = makeQuery(n('ns.example.'), RRType.AAAA, { id: 1 });
  const msg: Message = { ...makeResponse(q, { authority: recs('example. 3600 NS ns.example.\n') }), malformed: [], trailing: 0 };
  assert.equal(classify(msg, n('ns.example.'), RRType.AAAA, n('example.')).kind, 'retry');
});

test("a server that answers one question with the zone's own NS RRset is not lame for the next", async () => {
  const { resolver, caches } = resolverOver({
    '127.0.0.1': root('example. 3600 NS ns.example.\nns.example. 3600 A 127.0.2.1\n'),
    '127.0.2.1': (qname) =>
      qname.equals(n('www.example.'))
        ? { aa: true, answer: recs('www.example. 300 A 192.0.2.1\n') }
        : { authority: recs('example. 3600 NS ns.example.\n') },
  });
  const first = await resolver.resolve({ name: n('odd.example.'), type: RRType.TXT });
  assert.equal(first.rcode, Rcode.SERVFAIL, 'nothing usable for the first question');
  assert.ok(!caches.infra.isLame('127.0.2.1', n('example.')), 'the server is not marked lame');
  const second = await resolver.resolve({ name: n('www.example.'), type: RRType.A });
  assert.deepEqual(addressesOf(second), ['192.0.2.1'], `answered: ${JSON.stringify(second.ede)}`);
});

test('an entirely empty reply is set aside while another server can answer, and used when none can', async () => {
  const { resolver, log } = resolverOver({
    '127.0.0.1': root('example. 3600 NS ns1.example.\nexample. 3600 NS ns2.other.\nns1.example. 3600 A 127.0.2.1\n', 'other. 3600 NS ns.other.\nns.other. 3600 A 127.0.3.1\n'),
    '127.0.2.1': () => ({ aa: true }),
    '127.0.2.2': (qname) => (qname.equals(n('www.example.')) ? { aa: true, answer: recs('www.example. 300 A 192.0.2.2\n') } : { aa: true, authority: SOA('example.') }),
    '127.0.3.1': (qname, qtype) =>
      qname.equals(n('ns2.other.')) && qtype === RRType.A ? { aa: true, answer: recs('ns2.other. 300 A 127.0.2.2\n') } : { aa: true, authority: SOA('other.') },
  });
  const a = await resolver.resolve({ name: n('www.example.'), type: RRType.A });
  assert.deepEqual(addressesOf(a), ['192.0.2.2'], 'the other server, found by looking up its name, answers');
  assert.ok(log.some((q) => q.address === '127.0.2.1' && q.qname === 'www.example.'), 'the empty server was asked first');

  const only = resolverOver({
    '127.0.0.1': root('example. 3600 NS ns1.example.\nns1.example. 3600 A 127.0.2.1\n'),
    '127.0.2.1': () => ({ aa: true }),
  });
  const b = await only.resolver.resolve({ name: n('www.example.'), type: RRType.A });
  assert.equal(b.rcode, Rcode.NOERROR, 'with no other server the empty reply is the answer (NODATA)');
  assert.equal(b.answer.length, 0);
});

test("the parent side's glue is used when the child's own address for its server fails", async () => {
  // other. gives ns.other. the glue 127.0.3.1; the zone itself says 127.0.9.9, which is dead.
  const { resolver, log } = resolverOver({
    '127.0.0.1': root('example. 3600 NS ns.other.\n', 'other. 3600 NS ns.other.\nns.other. 3600 A 127.0.3.1\n'),
    '127.0.3.1': (qname, qtype) => {
      if (qname.equals(n('ns.other.'))) return qtype === RRType.A ? { aa: true, answer: recs('ns.other. 300 A 127.0.9.9\n') } : { aa: true, authority: SOA('other.') };
      if (qname.equals(n('www.example.'))) return { aa: true, answer: recs('www.example. 300 A 192.0.2.3\n') };
      return { aa: true, authority: SOA('other.') };
    },
  });
  const a = await resolver.resolve({ name: n('www.example.'), type: RRType.A });
  assert.deepEqual(addressesOf(a), ['192.0.2.3'], `answered: ${JSON.stringify(a.ede)}`);
  assert.ok(log.some((q) => q.address === '127.0.9.9'), "the child's address was tried first");
});

test('a cached NS set that turns useless: the parent is asked for the referral again, once, and remembered', async () => {
  const { resolver, log } = resolverOver({
    '127.0.0.1': root('example. 3600 NS ns1.example.\nns1.example. 3600 A 127.0.2.1\n'),
    '127.0.2.1': (qname, qtype) => {
      if (qname.equals(n('example.')) && qtype === RRType.NS) return { aa: true, answer: recs('example. 3600 NS ns.gone.\n') };
      if (qname.isSubdomainOf(n('example.')) && qtype === RRType.A && !qname.equals(n('example.'))) {
        return { aa: true, answer: recs(`${qname.toString()} 300 A 192.0.2.4\n`) };
      }
      return { aa: true, authority: SOA('example.') };
    },
  });
  const ns = await resolver.resolve({ name: n('example.'), type: RRType.NS });
  assert.equal(ns.rcode, Rcode.NOERROR);
  // The child's NS set (ns.gone., which does not exist) is now the cached delegation.
  let mark = log.length;
  const www = await resolver.resolve({ name: n('www.example.'), type: RRType.A });
  assert.deepEqual(addressesOf(www), ['192.0.2.4'], `answered: ${JSON.stringify(www.ede)}`);
  assert.ok(
    log.slice(mark).some((q) => q.address === '127.0.0.1' && q.qname === 'www.example.'),
    'the parent was asked for the referral again',
  );
  mark = log.length;
  const mail = await resolver.resolve({ name: n('mail.example.'), type: RRType.A });
  assert.deepEqual(addressesOf(mail), ['192.0.2.4']);
  assert.ok(
    !log.slice(mark).some((q) => q.address === '127.0.0.1' && q.qname === 'mail.example.'),
    "the parent side's NS set is remembered: no second refetch while it lives",
  );
});

test('no refetch from the parent when the servers gave bogus data (the avoid list)', () => {
  const clock = new ManualClock(1_700_000_000_000);
  const options = resolverOptions({ rootHints: hints, qnameMinimisation: false });
  const infra = new InfraCache({ clock, random: new SeededRandom(3) });
  const ctx = new QueryContext(clock, options.limits, newStats(), { cd: false, rd: true });
  ctx.avoid.add('127.0.2.1');
  const dp: Delegation = { zone: n('example.'), nsNames: [n('ns.example.')], addresses: new Map([[n('ns.example.').key, ['127.0.2.1']]]) };
  const a = new Iteration({ options, infra, cachedAddresses: () => [] }, ctx, n('www.example.'), RRType.A, dp).step({ kind: 'start' });
  assert.ok(a.kind === 'done' && a.result.kind === 'fail', `fails without asking the parent: ${a.kind}`);
});

test("the child's NS set from the authority section of an answer names a server the parent does not", async () => {
  // The parent knows ns1.example. only; the child also lists ns2.other. Once ns1 fails, ns2 serves.
  let ns1Up = true;
  const { resolver } = resolverOver({
    '127.0.0.1': root('example. 3600 NS ns1.example.\nns1.example. 3600 A 127.0.2.1\n', 'other. 3600 NS ns.other.\nns.other. 3600 A 127.0.3.1\n'),
    '127.0.2.1': (qname) =>
      !ns1Up
        ? { rcode: Rcode.SERVFAIL }
        : { aa: true, answer: recs(`${qname.toString()} 300 A 192.0.2.6\n`), authority: recs('example. 3600 NS ns1.example.\nexample. 3600 NS ns2.other.\n') },
    '127.0.3.1': (qname, qtype) =>
      qname.equals(n('ns2.other.')) && qtype === RRType.A ? { aa: true, answer: recs('ns2.other. 300 A 127.0.2.2\n') } : { aa: true, authority: SOA('other.') },
    '127.0.2.2': (qname) => ({ aa: true, answer: recs(`${qname.toString()} 300 A 192.0.2.7\n`) }),
  });
  const first = await resolver.resolve({ name: n('www.example.'), type: RRType.A });
  assert.deepEqual(addressesOf(first), ['192.0.2.6']);
  ns1Up = false;
  const second = await resolver.resolve({ name: n('mail.example.'), type: RRType.A });
  assert.deepEqual(addressesOf(second), ['192.0.2.7'], `the child's second server answers: ${JSON.stringify(second.ede)}`);
});

test("an authoritative NODATA with only the zone's NS RRset in authority (no SOA) is NODATA, not SERVFAIL", async () => {
  const { resolver } = resolverOver({
    '127.0.0.1': root('example. 3600 NS ns1.example.\nns1.example. 3600 A 127.0.2.1\n'),
    '127.0.2.1': () => ({ aa: true, authority: recs('example. 3600 NS ns1.example.\n') }),
  });
  const a = await resolver.resolve({ name: n('www.example.'), type: RRType.AAAA });
  assert.equal(a.rcode, Rcode.NOERROR, `NODATA: ${JSON.stringify(a.ede)}`);
  assert.equal(a.answer.length, 0);
});

// ---- DNSSEC-lame servers, on the state machine --------------------------------------------------

function lameSetup() {
  const clock = new ManualClock(1_700_000_000_000);
  const options = resolverOptions({ rootHints: hints, qnameMinimisation: false });
  const infra = new InfraCache({ clock, random: new SeededRandom(3) });
  const ctx = new QueryContext(clock, options.limits, newStats(), { cd: false, rd: true });
  const view = { options, infra, cachedAddresses: (): string[] => [], dnssecExpected: (z: Name) => z.equals(n('example.')) };
  // One known address; the second server's name must be looked up, so the order is fixed.
  const dp: Delegation = { zone: n('example.'), nsNames: [n('ns1.example.'), n('ns2.other.')], addresses: new Map([[n('ns1.example.').key, ['127.0.2.1']]]) };
  return { view, ctx, dp };
}

function reply(action: IterAction, answer: ResourceRecord[]) {
  if (action.kind !== 'send') throw new Error(`not a send: ${action.kind}`);
  const q = makeQuery(action.qname, action.qtype, { id: 1 });
  const msg: Message = { ...makeResponse(q, { aa: true, answer }), malformed: [], trailing: 0 };
  return { kind: 'reply' as const, address: action.address, classified: classify(msg, action.qname, action.qtype, action.zone) };
}

const unsigned = recs('www.example. 300 A 192.0.2.5\n');
const signed = [
  ...unsigned,
  ...recs('www.example. 300 RRSIG A 8 2 300 20300101000000 20200101000000 1 example. AAAA\n'),
];

test('an unsigned answer from a zone expected to be signed: another server is asked (DNSSEC-lame)', () => {
  const { view, ctx, dp } = lameSetup();
  const it = new Iteration(view, ctx, n('www.example.'), RRType.A, dp);
  let a = it.step({ kind: 'start' });
  a = it.step(reply(a, unsigned));
  assert.ok(a.kind === 'lookup' && a.nsName.equals(n('ns2.other.')), `the other server's address is looked up: ${a.kind}`);
  a = it.step({ kind: 'addresses', nsName: n('ns2.other.'), addresses: ['127.0.3.1'] });
  assert.ok(a.kind === 'send' && a.address === '127.0.3.1');
  a = it.step(reply(a, signed));
  assert.ok(a.kind === 'done' && a.result.kind === 'response' && a.result.address === '127.0.3.1', 'the signed answer is taken');
});

test('when every server is DNSSEC-lame, the unsigned answer set aside is used (the validator judges it)', () => {
  const { view, ctx, dp } = lameSetup();
  const it = new Iteration(view, ctx, n('www.example.'), RRType.A, dp);
  it.step(reply(it.step({ kind: 'start' }), unsigned));
  const second = it.step({ kind: 'addresses', nsName: n('ns2.other.'), addresses: ['127.0.3.1'] });
  const last = it.step(reply(second, unsigned));
  assert.ok(last.kind === 'done' && last.result.kind === 'response' && last.result.address === '127.0.2.1', 'the first reply set aside');
});

test('no DNSSEC expected: an unsigned answer is taken at once', () => {
  const { view, ctx, dp } = lameSetup();
  const it = new Iteration({ ...view, dnssecExpected: () => false }, ctx, n('www.example.'), RRType.A, dp);
  const a = it.step(reply(it.step({ kind: 'start' }), unsigned));
  assert.ok(a.kind === 'done' && a.result.kind === 'response');
});
