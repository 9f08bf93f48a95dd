// The resolver's cold path, made cheaper without changing what it answers:
// - shared key fetches (trust.ts, module header): client queries that need the DNSKEY RRset of the
//   same zone at the same time wait for the one fetch in flight and read its outcome from the key
//   cache; a query never waits in a loop of waits (QueryContext.mayWaitFor);
// - the delegation built from the cache (resolver.ts delegationAt), kept while its NS RRset holds
//   the same data, follows a replaced NS RRset;
// - a client question the caches answer at once is not left shared, and the questions that join a
//   resolution get its outcome or its throw (resolver.ts resolve, Joinable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Credibility } from '../../src/cache/rrset-cache.js';
import { SecurityStatus } from '../../src/cache/types.js';
import { ManualClock } from '../../src/core/clock.js';
import { resolverOptions } from '../../src/resolver/options.js';
import { QueryContext, newStats, type SharedWork } from '../../src/resolver/query-context.js';
import type { Transport } from '../../src/resolver/transport.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { decodeMessage } from '../../src/wire/message.js';
import { buildWorld, makeResolver, n } from './helpers/world.js';

const dnskeyQueries = (log: readonly { qname: string; qtype: number }[], zone: string): number =>
  log.filter((q) => q.qname === zone && q.qtype === RRType.DNSKEY).length;

test('concurrent queries in one secure zone: its DNSKEY RRset is fetched once, the others wait for it', async () => {
  const { resolver, net } = makeResolver();
  const questions = [
    { name: n('www.example.test.'), type: RRType.A },
    { name: n('www.example.test.'), type: RRType.AAAA },
    { name: n('nothere.example.test.'), type: RRType.A },
  ];
  const answers = await Promise.all(questions.map((q) => resolver.resolve(q, { do: true })));
  for (const [i, a] of answers.entries()) {
    assert.equal(a.security, 'secure', `answer ${i} is secure`);
    assert.equal(a.rcode, i === 2 ? Rcode.NXDOMAIN : Rcode.NOERROR, `answer ${i} has its rcode`);
  }
  assert.equal(dnskeyQueries(net.log, 'example.test.'), 1, 'one DNSKEY query for example.test.');
  assert.equal(dnskeyQueries(net.log, 'test.'), 1, 'one DNSKEY query for test.');
  assert.ok(resolver.stats.coalescedKeyFetches >= 2, `the other queries waited (${resolver.stats.coalescedKeyFetches})`);
});

test('a shared key fetch that ends without a key result: the waiting query fetches for itself', async () => {
  // The first four DNSKEY queries for example.test. time out: all the leading query sends (two
  // attempts at the zone's one server, then, after the parent's referral was fetched again, two
  // more), so it fails; the waiting one then finds no key result in the cache and fetches the keys
  // itself, which the server now answers.
  const world = buildWorld();
  let dropped = 0;
  const wrap: Transport = {
    query: (server, query, options) => {
      const q = decodeMessage(query).question[0]!;
      if (q.type === RRType.DNSKEY && q.name.equals(n('example.test.')) && dropped < 4) {
        dropped++;
        return Promise.resolve({ kind: 'timeout' });
      }
      return world.net.query(server, query, options);
    },
  };
  const { resolver, net } = makeResolver({ attemptsPerServer: 2 }, world, () => wrap);
  const [a, b] = await Promise.all([
    resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true }),
    resolver.resolve({ name: n('www.example.test.'), type: RRType.AAAA }, { do: true }),
  ]);
  assert.equal(dropped, 4, 'the leading query sent four DNSKEY queries, all lost');
  assert.equal(a.rcode, Rcode.SERVFAIL, 'the leading query found no keys');
  assert.ok(resolver.stats.coalescedKeyFetches >= 1, 'the second query waited for the first');
  assert.equal(b.rcode, Rcode.NOERROR, 'the waiting query answered');
  assert.equal(b.security, 'secure', 'with the keys it fetched itself');
  assert.equal(dnskeyQueries(net.log, 'example.test.'), 1, 'the waiting query\'s own DNSKEY query reached the server');
});

test('mayWaitFor: never the query itself, nor a loop of waits', () => {
  const clock = new ManualClock(0);
  const opts = resolverOptions({ rootHints: buildWorld().hints });
  const ctx = (): QueryContext => new QueryContext(clock, opts.limits, newStats(), { cd: false, rd: true });
  const a = ctx();
  const b = ctx();
  const c = ctx();
  const done = Promise.resolve();
  const byA: SharedWork = { leader: a, done };
  const byB: SharedWork = { leader: b, done };
  assert.equal(a.mayWaitFor(byA), false, 'not for its own work');
  assert.equal(b.mayWaitFor(byA), true, 'for another query that waits for nothing');
  b.waitingFor = byA;
  assert.equal(a.mayWaitFor(byB), false, 'not when the leader waits for this query');
  assert.equal(c.mayWaitFor(byB), true, 'a third query may wait at the end of the chain');
  c.waitingFor = byB;
  const byC: SharedWork = { leader: c, done };
  assert.equal(a.mayWaitFor(byC), false, 'not through a longer chain back to itself');
  b.waitingFor = undefined;
  assert.equal(a.mayWaitFor(byC), true, 'the chain broken: no loop');
});

/**
 * A world with a spare server (127.0.2.9) that also serves example.test. but is not named by it,
 * and a resolver that has resolved www.example.test. A through the zone's own servers.
 */
async function resolvedWithSpareServer(): Promise<ReturnType<typeof makeResolver>> {
  const world = buildWorld();
  world.net.add('127.0.2.9', [world.zones.get('example.test.')!]);
  const made = makeResolver({}, world);
  const first = await made.resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
  assert.equal(first.rcode, Rcode.NOERROR, 'answered');
  return made;
}

/** The zone's NS RRset replaced in the cache by one naming the spare server (as an authoritative answer would). */
function pointNsAtSpare(caches: ReturnType<typeof makeResolver>['caches']): void {
  const rrset = (name: string, type: number, rdata: Uint8Array): { name: ReturnType<typeof n>; type: number; class: number; ttl: number; rdatas: Uint8Array[] } => ({
    name: n(name),
    type,
    class: 1,
    ttl: 3600,
    rdatas: [rdata],
  });
  caches.rrsets.insert({ rrset: rrset('ns9.example.test.', RRType.A, Uint8Array.of(127, 0, 2, 9)), rrsigs: [], credibility: Credibility.answerAuthoritative, status: SecurityStatus.unchecked });
  caches.rrsets.insert({ rrset: rrset('example.test.', RRType.NS, n('ns9.example.test.').wire.slice()), rrsigs: [], credibility: Credibility.answerAuthoritative, status: SecurityStatus.unchecked });
}

test('a delegation built from the cache follows a replaced NS RRset (resolver.ts delegationAt)', async () => {
  const { resolver, net, caches } = await resolvedWithSpareServer();
  assert.ok(
    net.log.every((q) => q.address !== '127.0.2.9'),
    'the second server is not named by the zone',
  );
  pointNsAtSpare(caches);
  const mark = net.log.length;
  const again = await resolver.resolve({ name: n('www.example.test.'), type: RRType.AAAA }, { do: true });
  assert.equal(again.rcode, Rcode.NOERROR, 'answered again');
  const asked = net.since(mark).map((q) => q.address);
  assert.ok(asked.length > 0 && asked.every((a) => a === '127.0.2.9'), `only the server of the new NS RRset is asked: ${asked.join(' ')}`);
});

test('questions the caches answer at once are not shared with later ones', async () => {
  const { resolver, caches } = makeResolver();
  const q = { name: n('www.example.test.'), type: RRType.A };
  const first = await resolver.resolve(q, { do: true });
  assert.equal(first.rcode, Rcode.NOERROR, 'answered from upstream');
  const fromCache = await resolver.resolve(q, { do: true });
  assert.equal(fromCache.upstreamQueries, 0, 'the second answer comes from the caches');
  // The cached RRset replaced: the next identical question must see the new data, not join the
  // resolution that answered from the caches before.
  caches.rrsets.delete(n('www.example.test.'), RRType.A);
  caches.rrsets.insert({
    rrset: { name: n('www.example.test.'), type: RRType.A, class: 1, ttl: 600, rdatas: [Uint8Array.of(192, 0, 2, 99)] },
    rrsigs: [],
    credibility: Credibility.answerAuthoritative,
    status: SecurityStatus.insecure,
  });
  const after = await resolver.resolve(q, {});
  assert.deepEqual(
    after.answer.map((r) => Array.from(r.rdata).join('.')),
    ['192.0.2.99'],
    'the replaced RRset answers',
  );
  assert.equal(resolver.stats.coalesced, 0, 'no question joined another');
});

test('a delegation kept across an NS RRset replaced by the same RDATAs still follows a later change (resolver.ts delegationMemo)', async () => {
  const { resolver, net, caches } = await resolvedWithSpareServer();
  const servers = new Set(net.log.filter((q) => q.qname.endsWith('example.test.') && q.qname !== 'example.test.').map((q) => q.address));
  const cached = caches.rrsets.lookup(n('example.test.'), RRType.NS);
  assert.ok(cached !== undefined, 'the zone\'s NS RRset is cached');
  // The same RDATAs stored again as a new entry (deleted first, so the cache cannot keep its entry):
  // the memo's handle moves to it, and the same servers are asked.
  caches.rrsets.delete(n('example.test.'), RRType.NS);
  caches.rrsets.insert({ rrset: cached.rrset, rrsigs: [], credibility: Credibility.answerAuthoritative, status: SecurityStatus.unchecked });
  let mark = net.log.length;
  const same = await resolver.resolve({ name: n('www.example.test.'), type: RRType.AAAA }, { do: true });
  assert.equal(same.rcode, Rcode.NOERROR, 'answered with the same NS RRset');
  const askedSame = net.since(mark).map((q) => q.address);
  assert.ok(askedSame.length > 0 && askedSame.every((a) => servers.has(a)), `the zone's own servers are asked: ${askedSame.join(' ')}`);
  // Then other RDATAs: the memo found by the moved handle must not be served for the new RRset.
  pointNsAtSpare(caches);
  mark = net.log.length;
  const moved = await resolver.resolve({ name: n('mail.example.test.'), type: RRType.A }, { do: true });
  assert.ok(moved.rcode === Rcode.NOERROR || moved.rcode === Rcode.NXDOMAIN, `answered: rcode ${moved.rcode}`);
  const askedNew = net.since(mark).map((q) => q.address);
  assert.ok(askedNew.length > 0 && askedNew.every((a) => a === '127.0.2.9'), `only the server of the new NS RRset is asked: ${askedNew.join(' ')}`);
});

test('questions that join a resolution that throws get its throw, and the next one starts afresh', async () => {
  // A transport that throws (no DNS outcome: an edge failure) for www.example.test. until told not to.
  let broken = true;
  const { resolver } = makeResolver({}, buildWorld(), (net) => ({
    query: (server, query, options) => {
      const q = decodeMessage(query).question[0]!;
      if (broken && q.name.equals(n('www.example.test.'))) return Promise.reject(new Error('transport broke'));
      return net.query(server, query, options);
    },
  }));
  const q = { name: n('www.example.test.'), type: RRType.A };
  const outcomes = await Promise.allSettled([resolver.resolve(q, { do: true }), resolver.resolve(q, {}), resolver.resolve(q, { do: true })]);
  assert.equal(resolver.stats.coalesced, 2, 'the second and third questions joined the first');
  for (const [i, o] of outcomes.entries()) {
    assert.ok(o.status === 'rejected' && o.reason instanceof Error && o.reason.message === 'transport broke', `question ${i} ends with the leader's throw`);
  }
  broken = false;
  const after = await resolver.resolve(q, { do: true });
  assert.equal(after.rcode, Rcode.NOERROR, 'a later question is not joined to the failed resolution');
  assert.equal(resolver.stats.coalesced, 2, 'no question joined after the failure');
  assert.ok(after.upstreamQueries > 0, 'the later question asked upstream itself');
});
