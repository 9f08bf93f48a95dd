import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InfraCache } from '../../src/cache/infra-cache.js';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { RRType, Rcode } from '../../src/wire/constants.js';
import { decodeMessage, encodeMessage, makeResponse, type Message, type MessageInit } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import { encodeRdata } from '../../src/wire/rdata.js';
import { ExchangeSend, Exchanger, randomCase } from '../../src/resolver/exchange.js';
import { resolverOptions } from '../../src/resolver/options.js';
import { QueryContext, newStats } from '../../src/resolver/query-context.js';
import type { Transport, TransportQueryOptions } from '../../src/resolver/transport.js';
import { parseZoneText } from '../../src/zone/parser.js';

const hints = parseZoneText('. 3600 NS a.root.\na.root. 3600 A 127.0.0.1\n').records;
const qname = Name.parse('www.example.');

interface Seen {
  msg: Message;
  tcp: boolean;
}

function setup(answer: (q: Message, o: TransportQueryOptions) => MessageInit | 'timeout', init: { use0x20?: boolean } = {}) {
  const clock = new ManualClock(1_700_000_000_000);
  const random = new SeededRandom(7);
  const infra = new InfraCache({ clock, random });
  const options = resolverOptions({ rootHints: hints, ...init });
  const stats = newStats();
  const seen: Seen[] = [];
  const transport: Transport = {
    query(_server, bytes, o) {
      const q = decodeMessage(bytes);
      seen.push({ msg: q, tcp: o.tcp === true });
      const r = answer(q, o);
      if (r === 'timeout') return Promise.resolve({ kind: 'timeout' });
      return Promise.resolve({ kind: 'reply', bytes: encodeMessage(r).bytes, rttMs: 20, tcp: o.tcp === true });
    },
  };
  const ex = new Exchanger({ transport, random, infra, options, stats });
  const ctx = new QueryContext(clock, options.limits, stats, { cd: false, rd: true });
  return { ex, ctx, infra, seen, stats };
}

const A = encodeRdata(RRType.A, { address: '192.0.2.1' });

test('queries carry EDNS 1232 with DO, RD clear, and a random ID', async () => {
  const { ex, ctx, seen } = setup((q) => makeResponse(q, { aa: true, answer: [{ name: qname, type: 1, class: 1, ttl: 60, rdata: A }] }));
  const r = await ex.exchange(ctx, '127.0.0.1', qname, RRType.A, 376);
  assert.equal(r.kind, 'reply');
  const q = seen[0]!.msg;
  assert.equal(q.edns?.udpSize, 1232);
  assert.equal(q.edns.dnssecOk, true);
  assert.equal(q.flags.rd, false);
  const r2 = await ex.exchange(ctx, '127.0.0.1', qname, RRType.A, 376);
  assert.equal(r2.kind, 'reply');
  assert.notEqual(seen[1]!.msg.id, q.id);
  assert.equal(ctx.upstreamQueries, 2);
});

test('TC over UDP is asked again over TCP', async () => {
  const { ex, ctx, seen } = setup((q, o) =>
    o.tcp === true ? makeResponse(q, { aa: true, answer: [{ name: qname, type: 1, class: 1, ttl: 60, rdata: A }] }) : makeResponse(q, { tc: true }),
  );
  const r = await ex.exchange(ctx, '127.0.0.1', qname, RRType.A, 376);
  assert.equal(r.kind, 'reply');
  assert.deepEqual(
    seen.map((s) => s.tcp),
    [false, true],
  );
  assert.ok(r.tcp);
});

test('FORMERR to EDNS: asked again without OPT, and the server remembered as no-EDNS', async () => {
  const { ex, ctx, seen, infra } = setup((q) => {
    if (q.edns !== undefined) {
      const { edns: _edns, ...plain } = q;
      return makeResponse(plain, { rcode: Rcode.FORMERR });
    }
    return makeResponse(q, { aa: true, answer: [{ name: qname, type: 1, class: 1, ttl: 60, rdata: A }] });
  });
  const r = await ex.exchange(ctx, '127.0.0.1', qname, RRType.A, 376);
  assert.equal(r.kind === 'reply' && r.msg.rcode, Rcode.NOERROR);
  assert.deepEqual(
    seen.map((s) => s.msg.edns !== undefined),
    [true, false],
  );
  assert.equal(infra.ednsStatus('127.0.0.1'), 'no-edns');
  await ex.exchange(ctx, '127.0.0.1', qname, RRType.A, 376);
  assert.equal(seen[2]!.msg.edns, undefined, 'the next query goes without EDNS straight away');
});

test('a timeout backs the server off in the infra cache', async () => {
  const { ex, ctx, infra } = setup(() => 'timeout');
  const r = await ex.exchange(ctx, '127.0.0.1', qname, RRType.A, 376);
  assert.equal(r.kind, 'timeout');
  assert.equal(infra.info('127.0.0.1')?.timeouts, 1);
  assert.ok(infra.rto('127.0.0.1') > 376);
});

test('a reply with another ID or question is refused', async () => {
  const { ex, ctx } = setup((q) => ({ ...makeResponse(q), id: (q.id + 1) & 0xffff }));
  const r = await ex.exchange(ctx, '127.0.0.1', qname, RRType.A, 376);
  assert.equal(r.kind, 'error');
});

test('0x20: the query name goes out in random case and the reply must echo it', async () => {
  const { ex, ctx, seen } = setup(
    (q) => makeResponse(q, { aa: true, answer: [{ name: q.question[0]!.name, type: 1, class: 1, ttl: 60, rdata: A }] }),
    { use0x20: true },
  );
  const long = Name.parse('abcdefghijklmnopqrstuvwxyz.example.');
  const r = await ex.exchange(ctx, '127.0.0.1', long, RRType.A, 376);
  assert.equal(r.kind, 'reply');
  const sent = seen[0]!.msg.question[0]!.name;
  assert.ok(sent.equals(long));
  assert.notEqual(sent.toString(), long.toString());
  const { ex: ex2, ctx: ctx2 } = setup((q) => makeResponse({ ...q, question: [{ ...q.question[0]!, name: long }] }), { use0x20: true });
  const r2 = await ex2.exchange(ctx2, '127.0.0.1', long, RRType.A, 376);
  assert.equal(r2.kind, 'error', 'a reply that lowers the case is refused');
});

test('randomCase keeps the name and only changes letters', () => {
  const random = new SeededRandom(1);
  const name = Name.parse('a-1.b_c.example.');
  const out = randomCase(name, random);
  assert.ok(out.equals(name));
  assert.equal(out.toString().toLowerCase(), name.toString());
});

test('the upstream budget stops sending', async () => {
  const { ex, ctx } = setup((q) => makeResponse(q));
  ctx.upstreamQueries = ctx.limits.maxUpstreamQueries;
  const r = await ex.exchange(ctx, '127.0.0.1', qname, RRType.A, 376);
  assert.equal(r.kind, 'error');
  assert.equal(ctx.failed?.tag, 'R-LIMIT-UPSTREAM');
});

/** The RTO of a server after `samples` UDP round trips of 20 ms and nothing else. */
function udpOnlyRto(samples: number): number {
  const control = new InfraCache({ clock: new ManualClock(1_700_000_000_000), random: new SeededRandom(7) });
  for (let i = 0; i < samples; i++) control.recordRtt('127.0.0.1', 20);
  return control.rto('127.0.0.1');
}

test('the TCP retry after TC gets its own timeout, not the UDP one taken from the RTT', async () => {
  // A server whose UDP replies are fast but truncated (a large NSEC3 NXDOMAIN) and whose TCP
  // exchange (handshake, query, reply) takes 400 ms: with the UDP timeout (60 ms from the RTO) the
  // TCP leg would time out every time.
  const timeouts: { tcp: boolean; timeoutMs: number }[] = [];
  const { ex, ctx, infra } = setup((q, o) => {
    timeouts.push({ tcp: o.tcp === true, timeoutMs: o.timeoutMs });
    if (o.tcp !== true) return makeResponse(q, { tc: true, aa: true, rcode: Rcode.NXDOMAIN });
    if (o.timeoutMs < 400) return 'timeout';
    return makeResponse(q, { aa: true, rcode: Rcode.NXDOMAIN });
  });
  infra.recordRtt('127.0.0.1', 20);
  const r = await ex.exchange(ctx, '127.0.0.1', qname, RRType.A, 60);
  assert.equal(r.kind, 'reply', `the TCP retry answered (timeouts asked: ${JSON.stringify(timeouts)})`);
  assert.equal(r.tcp, true, 'the reply came over TCP');
  assert.equal(timeouts[0]!.timeoutMs, 60, 'UDP keeps the RTO-based timeout');
  assert.equal(timeouts[1]!.tcp, true, 'the second exchange is TCP');
  assert.equal(timeouts[1]!.timeoutMs, 5000, 'TCP gets tcpTimeoutMs');
  assert.equal(infra.rto('127.0.0.1'), udpOnlyRto(2), 'the TCP round trip is no RTT sample: only the two UDP ones (20 ms) count');
});

test('a TCP timeout does not double a healthy server\'s UDP RTO', async () => {
  const { ex, ctx, infra } = setup((q, o) => (o.tcp === true ? 'timeout' : makeResponse(q, { tc: true, aa: true })));
  infra.recordRtt('127.0.0.1', 20);
  const r = await ex.exchange(ctx, '127.0.0.1', qname, RRType.A, infra.rto('127.0.0.1'));
  assert.equal(r.kind, 'timeout');
  assert.equal(infra.info('127.0.0.1')?.timeouts, 1, 'the timeout is counted');
  assert.equal(infra.rto('127.0.0.1'), udpOnlyRto(2), 'the RTO is not doubled by a 5 s TCP timeout');
});

test('identical exchanges in flight share one send, started with start/next or exchange alike', async () => {
  const { ex, ctx, seen, stats } = setup((q) => makeResponse(q, { aa: true, answer: [{ name: qname, type: 1, class: 1, ttl: 60, rdata: A }] }));
  const lead = ex.start(ctx, '127.0.0.1', qname, RRType.A, 376);
  assert.ok(lead instanceof ExchangeSend, 'the first exchange sends');
  const joined = ex.exchange(ctx, '127.0.0.1', qname, RRType.A, 376);
  const other = ex.start(ctx, '127.0.0.1', qname, RRType.AAAA, 376);
  assert.ok(other instanceof ExchangeSend, 'another type is another exchange');
  assert.equal(stats.coalescedExchanges, 1, 'the identical one joined');
  const out = ex.next(lead, await lead.pending);
  assert.ok(!(out instanceof ExchangeSend) && out.kind === 'reply', 'the lead ends with the reply');
  const j = await joined;
  assert.equal(j, out, 'the joined exchange gets the same outcome');
  assert.equal(seen.length, 2, 'one send per distinct exchange');
  // Ended: the next identical exchange sends again.
  const again = ex.start(ctx, '127.0.0.1', qname, RRType.A, 376);
  assert.ok(again instanceof ExchangeSend, 'a later exchange is not joined to an ended one');
  assert.equal(stats.coalescedExchanges, 1, 'nothing joined after the end');
});

test('a transport that rejects: the exchanges that joined get the throw, and none is left in flight', async () => {
  let broken = true;
  const clock = new ManualClock(1_700_000_000_000);
  const random = new SeededRandom(7);
  const options = resolverOptions({ rootHints: hints });
  const stats = newStats();
  const transport: Transport = {
    query(_server, bytes, o) {
      if (broken) return Promise.reject(new Error('transport broke'));
      const q = decodeMessage(bytes);
      return Promise.resolve({ kind: 'reply', bytes: encodeMessage(makeResponse(q, { aa: true })).bytes, rttMs: 5, tcp: o.tcp === true });
    },
  };
  const ex = new Exchanger({ transport, random, infra: new InfraCache({ clock, random }), options, stats });
  const ctx = new QueryContext(clock, options.limits, stats, { cd: false, rd: true });
  const outcomes = await Promise.allSettled([ex.exchange(ctx, '127.0.0.1', qname, RRType.A, 376), ex.exchange(ctx, '127.0.0.1', qname, RRType.A, 376)]);
  assert.equal(stats.coalescedExchanges, 1, 'the second exchange joined the first');
  for (const [i, o] of outcomes.entries()) {
    assert.ok(o.status === 'rejected' && o.reason instanceof Error && o.reason.message === 'transport broke', `exchange ${i} ends with the throw`);
  }
  broken = false;
  const r = await ex.exchange(ctx, '127.0.0.1', qname, RRType.A, 376);
  assert.equal(r.kind, 'reply', 'a later exchange sends afresh');
  assert.equal(stats.coalescedExchanges, 1, 'and joins nothing');
});
