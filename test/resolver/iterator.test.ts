// The iterator as a state machine: events in, actions out, no I/O (what a replay runner drives).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InfraCache } from '../../src/cache/infra-cache.js';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { makeQuery, makeResponse, type Message } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import { encodeRdata } from '../../src/wire/rdata.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { classify, scrub } from '../../src/resolver/classify.js';
import { Iteration, type Delegation, type IterAction } from '../../src/resolver/iterator.js';
import { resolverOptions } from '../../src/resolver/options.js';
import { QueryContext, newStats } from '../../src/resolver/query-context.js';
import { parseZoneText } from '../../src/zone/parser.js';

const n = (t: string): Name => Name.parse(t);
const hints = parseZoneText('. 3600 NS a.root.\na.root. 3600 A 127.0.0.1\n').records;

function setup(init: { qnameMinimisation?: boolean; qnameMinimisationHideQtype?: boolean; qnameMinimisationQtype?: 'A' | 'NS' } = {}, knownNoError?: (name: Name, type: number) => boolean) {
  const clock = new ManualClock(1_700_000_000_000);
  const random = new SeededRandom(3);
  const options = resolverOptions({ rootHints: hints, ...init });
  const infra = new InfraCache({ clock, random });
  const ctx = new QueryContext(clock, options.limits, newStats(), { cd: false, rd: true });
  const view = { options, infra, cachedAddresses: (): string[] => [], ...(knownNoError === undefined ? {} : { knownNoError }) };
  const root: Delegation = { zone: Name.ROOT, nsNames: [n('a.root.')], addresses: new Map([[n('a.root.').key, ['127.0.0.1']]]) };
  return { view, ctx, root, infra };
}

function rr(name: string, type: number, rdata: Uint8Array): ResourceRecord {
  return { name: n(name), type, class: 1, ttl: 300, rdata };
}

function reply(action: Extract<IterAction, { kind: 'send' }>, init: Parameters<typeof makeResponse>[1]): Message {
  const q = makeQuery(action.qname, action.qtype, { id: 1 });
  const m = makeResponse(q, init);
  return { ...m, malformed: [], trailing: 0 };
}

function classified(action: IterAction, init: Parameters<typeof makeResponse>[1]) {
  if (action.kind !== 'send') throw new Error('not a send');
  const msg = scrub(reply(action, init), action.qname, action.qtype, action.zone);
  return classify(msg, action.qname, action.qtype, action.zone);
}

test('minimised descent: referral, then the next label, then the real question (qname-minimisation-hide-qtype off, as Knot)', () => {
  const { view, ctx, root } = setup({ qnameMinimisationHideQtype: false });
  const it = new Iteration(view, ctx, n('www.example.test.'), RRType.AAAA, root);
  let a = it.step({ kind: 'start' });
  assert.deepEqual(a.kind === 'send' && [a.address, a.qname.toString(), a.qtype], ['127.0.0.1', 'test.', RRType.A]);
  a = it.step({
    kind: 'reply',
    address: '127.0.0.1',
    classified: classified(a, {
      authority: [rr('test.', RRType.NS, n('ns.test.').wire)],
      additional: [rr('ns.test.', RRType.A, encodeRdata(RRType.A, { address: '127.0.1.1' }))],
    }),
  });
  assert.deepEqual(a.kind === 'send' && [a.address, a.qname.toString(), a.qtype], ['127.0.1.1', 'example.test.', RRType.A]);
  // No cut at example.test.: the server answers it (NODATA), so one more label.
  a = it.step({
    kind: 'reply',
    address: '127.0.1.1',
    classified: classified(a, { aa: true, authority: [rr('test.', RRType.SOA, encodeRdata(RRType.SOA, { mname: n('ns.test.'), rname: n('h.test.'), serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 }))] }),
  });
  assert.deepEqual(a.kind === 'send' && [a.address, a.qname.toString(), a.qtype], ['127.0.1.1', 'www.example.test.', RRType.AAAA]);
  const final = classified(a, { aa: true, answer: [rr('www.example.test.', RRType.AAAA, encodeRdata(RRType.AAAA, { address: '2001:db8::1' }))] });
  a = it.step({ kind: 'reply', address: '127.0.1.1', classified: final });
  assert.ok(a.kind === 'done' && a.result.kind === 'response' && a.result.zone.equals(n('test.')));
  assert.equal(ctx.referrals, 1);
});

test('a single server answers every step of a long minimised descent: answered steps use up no attempts', () => {
  const { view, ctx } = setup();
  const dp: Delegation = { zone: n('example.'), nsNames: [n('ns.example.')], addresses: new Map([[n('ns.example.').key, ['127.0.2.1']]]) };
  const it = new Iteration(view, ctx, n('a.b.c.d.example.'), RRType.A, dp);
  const soa = rr('example.', RRType.SOA, encodeRdata(RRType.SOA, { mname: n('ns.example.'), rname: n('h.example.'), serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 }));
  let a = it.step({ kind: 'start' });
  const asked: string[] = [];
  for (let i = 0; i < 4 && a.kind === 'send'; i++) {
    asked.push(a.qname.toString());
    // Each minimised name is an empty non-terminal of example.: NODATA, no cut.
    a = it.step({ kind: 'reply', address: '127.0.2.1', classified: classified(a, { aa: true, authority: [soa] }) });
  }
  assert.deepEqual(asked, ['d.example.', 'c.d.example.', 'b.c.d.example.', 'a.b.c.d.example.']);
  assert.ok(a.kind === 'done' && a.result.kind === 'response', `the full question was answered (attemptsPerServer 2): ${JSON.stringify(a)}`);
});

test('NXDOMAIN to a minimised name: the full name is asked (RFC 9156 §2.3, not strict)', () => {
  const { view, ctx, root } = setup();
  const it = new Iteration(view, ctx, n('a.b.example.'), RRType.A, root);
  let a = it.step({ kind: 'start' });
  assert.ok(a.kind === 'send' && a.qname.equals(n('example.')));
  a = it.step({ kind: 'reply', address: '127.0.0.1', classified: classified(a, { aa: true, rcode: Rcode.NXDOMAIN }) });
  assert.ok(a.kind === 'send' && a.qname.equals(n('a.b.example.')) && a.qtype === RRType.A);
});

test('timeouts use up a server; then the iteration fails with No Reachable Authority', () => {
  const { view, ctx, root } = setup({ qnameMinimisation: false });
  const it = new Iteration(view, ctx, n('www.example.'), RRType.A, root);
  assert.equal(it.step({ kind: 'start' }).kind, 'send');
  let a = it.step({ kind: 'no-reply', address: '127.0.0.1', reason: 'timeout', timeout: true });
  assert.equal(a.kind, 'send', 'a second attempt (attemptsPerServer 2)');
  a = it.step({ kind: 'no-reply', address: '127.0.0.1', reason: 'timeout', timeout: true });
  assert.ok(a.kind === 'done' && a.result.kind === 'fail' && a.result.tag === 'R-NOREACH');
});

test('a referral without glue asks for a name server address, outside names first', () => {
  const { view, ctx, root } = setup({ qnameMinimisation: false });
  const it = new Iteration(view, ctx, n('www.example.'), RRType.A, root);
  let a = it.step({ kind: 'start' });
  a = it.step({
    kind: 'reply',
    address: '127.0.0.1',
    classified: classified(a, { authority: [rr('example.', RRType.NS, n('ns.example.').wire), rr('example.', RRType.NS, n('ns.other.').wire)] }),
  });
  assert.ok(a.kind === 'lookup' && a.nsName.equals(n('ns.other.')));
  a = it.step({ kind: 'addresses', nsName: n('ns.other.'), addresses: ['127.0.3.1'] });
  assert.ok(a.kind === 'send' && a.address === '127.0.3.1');
});

test('an upward referral is lame: the server is marked lame for the zone', () => {
  const { view, ctx, infra } = setup({ qnameMinimisation: false });
  const dp: Delegation = { zone: n('example.'), nsNames: [n('ns.example.')], addresses: new Map([[n('ns.example.').key, ['127.0.2.1']]]) };
  const it = new Iteration(view, ctx, n('www.example.'), RRType.A, dp);
  let a = it.step({ kind: 'start' });
  a = it.step({ kind: 'reply', address: '127.0.2.1', classified: classified(a, { authority: [rr('.', RRType.NS, n('a.root.').wire)] }) });
  assert.ok(infra.isLame('127.0.2.1', n('example.')), 'marked lame');
  // A delegation that did not come from a referral is asked of its parent again (last resort).
  assert.ok(a.kind === 'parent' && a.zone.equals(n('example.')), `the parent is asked for: ${a.kind}`);
  a = it.step({ kind: 'parent', dp: undefined });
  assert.ok(a.kind === 'done' && a.result.kind === 'fail', 'no parent delegation: the iteration fails');
});

test('REFUSED to a minimised name: the full question goes to the same server, which is not lame (RFC 9156 §2.3)', () => {
  const { view, ctx, infra } = setup();
  const dp: Delegation = { zone: n('example.'), nsNames: [n('ns.example.')], addresses: new Map([[n('ns.example.').key, ['127.0.2.1']]]) };
  const it = new Iteration(view, ctx, n('a.b.example.'), RRType.AAAA, dp);
  let a = it.step({ kind: 'start' });
  assert.ok(a.kind === 'send' && a.qname.equals(n('b.example.')), 'first a minimised question');
  a = it.step({ kind: 'reply', address: '127.0.2.1', classified: classified(a, { rcode: Rcode.REFUSED }) });
  assert.ok(a.kind === 'send' && a.qname.equals(n('a.b.example.')) && a.qtype === RRType.AAAA, 'then the full question');
  assert.ok(!infra.isLame('127.0.2.1', n('example.')), 'a refused minimised question does not make the server lame');
});

test('timeouts to a minimised name on every server: QTYPE NS, then the full question, before giving up', () => {
  const { view, ctx } = setup();
  const dp: Delegation = { zone: n('example.'), nsNames: [n('ns.example.')], addresses: new Map([[n('ns.example.').key, ['127.0.2.1']]]) };
  const it = new Iteration(view, ctx, n('a.b.example.'), RRType.AAAA, dp);
  const asked: string[] = [];
  let a = it.step({ kind: 'start' });
  while (a.kind === 'send') {
    asked.push(`${a.qname.toString()} ${a.qtype}`);
    a = it.step({ kind: 'no-reply', address: '127.0.2.1', reason: 'timeout', timeout: true });
  }
  assert.deepEqual(asked, [
    `b.example. ${RRType.A}`,
    `b.example. ${RRType.A}`,
    `b.example. ${RRType.NS}`,
    `b.example. ${RRType.NS}`,
    `a.b.example. ${RRType.AAAA}`,
    `a.b.example. ${RRType.AAAA}`,
  ], 'A twice, NS twice (RFC 9156 §2.1), then the full question (§2.3)');
  // The delegation did not come from a referral: its parent is asked for it again (last resort).
  assert.ok(a.kind === 'parent', `then the parent's referral is asked for: ${a.kind}`);
  a = it.step({ kind: 'parent', dp: undefined });
  assert.ok(a.kind === 'done' && a.result.kind === 'fail' && a.result.tag === 'R-NOREACH', `then No Reachable Authority: ${JSON.stringify(a)}`);
});

test('a minimised QTYPE A that times out is asked with QTYPE NS; the zone is then descended with NS', () => {
  const { view, ctx, root } = setup();
  const it = new Iteration(view, ctx, n('www.sub.example.test.'), RRType.AAAA, root);
  let a = it.step({ kind: 'start' });
  assert.ok(a.kind === 'send' && a.qname.equals(n('test.')) && a.qtype === RRType.A, 'test. A first');
  a = it.step({ kind: 'no-reply', address: '127.0.0.1', reason: 'timeout', timeout: true });
  assert.ok(a.kind === 'send' && a.qtype === RRType.A, 'a second attempt with A');
  a = it.step({ kind: 'no-reply', address: '127.0.0.1', reason: 'timeout', timeout: true });
  assert.ok(a.kind === 'send' && a.qname.equals(n('test.')) && a.qtype === RRType.NS, `then test. NS: ${JSON.stringify(a)}`);
  a = it.step({
    kind: 'reply',
    address: '127.0.0.1',
    classified: classified(a, {
      authority: [rr('test.', RRType.NS, n('ns.test.').wire)],
      additional: [rr('ns.test.', RRType.A, encodeRdata(RRType.A, { address: '127.0.1.1' }))],
    }),
  });
  assert.ok(a.kind === 'send' && a.address === '127.0.1.1' && a.qname.equals(n('example.test.')) && a.qtype === RRType.A, 'a new zone starts with QTYPE A again');
  a = it.step({ kind: 'no-reply', address: '127.0.1.1', reason: 'timeout', timeout: true });
  assert.ok(a.kind === 'send' && a.qtype === RRType.A, 'a second attempt with A');
  a = it.step({ kind: 'no-reply', address: '127.0.1.1', reason: 'timeout', timeout: true });
  assert.ok(a.kind === 'send' && a.qname.equals(n('example.test.')) && a.qtype === RRType.NS, 'example.test. NS');
  const soa = rr('test.', RRType.SOA, encodeRdata(RRType.SOA, { mname: n('ns.test.'), rname: n('h.test.'), serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 }));
  a = it.step({ kind: 'reply', address: '127.0.1.1', classified: classified(a, { aa: true, authority: [soa] }) });
  assert.ok(a.kind === 'send' && a.qname.equals(n('sub.example.test.')) && a.qtype === RRType.NS, 'the next label with NS in the same zone');
  a = it.step({ kind: 'reply', address: '127.0.1.1', classified: classified(a, { aa: true, authority: [soa] }) });
  assert.ok(a.kind === 'send' && a.qname.equals(n('www.sub.example.test.')) && a.qtype === RRType.NS, 'the whole name with NS (RFC 9156 §3 steps 4-6)');
  a = it.step({ kind: 'reply', address: '127.0.1.1', classified: classified(a, { aa: true, authority: [soa] }) });
  assert.ok(a.kind === 'send' && a.qname.equals(n('www.sub.example.test.')) && a.qtype === RRType.AAAA, 'the real question last');
  a = it.step({ kind: 'reply', address: '127.0.1.1', classified: classified(a, { aa: true, authority: [soa] }) });
  assert.ok(a.kind === 'done' && a.result.kind === 'response', 'its answer ends the iteration');
});

test('servers whose data was bogus in this client query are not asked again by it', () => {
  const { view, ctx } = setup({ qnameMinimisation: false });
  const dp: Delegation = {
    zone: n('example.'),
    nsNames: [n('ns1.example.'), n('ns2.example.')],
    addresses: new Map([
      [n('ns1.example.').key, ['127.0.2.1']],
      [n('ns2.example.').key, ['127.0.2.2']],
    ]),
  };
  ctx.avoid.add('127.0.2.1');
  const a = new Iteration(view, ctx, n('www.example.'), RRType.A, dp).step({ kind: 'start' });
  assert.ok(a.kind === 'send' && a.address === '127.0.2.2', 'the other server is asked');
});

// What QNAME minimisation sends at the whole name (options.ts qnameMinimisationHideQtype).
const soaTest = rr('test.', RRType.SOA, encodeRdata(RRType.SOA, { mname: n('ns.test.'), rname: n('h.test.'), serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 }));
const testDelegation = (): Delegation => ({ zone: n('test.'), nsNames: [n('ns.test.')], addresses: new Map([[n('ns.test.').key, ['127.0.1.1']]]) });

/** Drives an iteration whose every question is answered NODATA by the zone test., listing them. */
function askedWithNodata(it: Iteration): { asked: string[]; last: IterAction } {
  const asked: string[] = [];
  let a = it.step({ kind: 'start' });
  while (a.kind === 'send' && asked.length < 10) {
    asked.push(`${a.qname.toString()} ${a.qtype}`);
    a = it.step({ kind: 'reply', address: a.address, classified: classified(a, { aa: true, authority: [soaTest] }) });
  }
  return { asked, last: a };
}

test('hide-qtype on (default, RFC 9156 §3 as Unbound): the whole name is asked with QTYPE A before the real QTYPE', () => {
  const { view, ctx, root } = setup();
  assert.equal(view.options.qnameMinimisationHideQtype, true, 'on by default');
  const it = new Iteration(view, ctx, n('www.example.test.'), RRType.AAAA, root);
  let a = it.step({ kind: 'start' });
  assert.ok(a.kind === 'send' && a.qname.equals(n('test.')) && a.qtype === RRType.A, 'test. A');
  a = it.step({
    kind: 'reply',
    address: '127.0.0.1',
    classified: classified(a, {
      authority: [rr('test.', RRType.NS, n('ns.test.').wire)],
      additional: [rr('ns.test.', RRType.A, encodeRdata(RRType.A, { address: '127.0.1.1' }))],
    }),
  });
  assert.ok(a.kind === 'send' && a.qname.equals(n('example.test.')) && a.qtype === RRType.A, 'example.test. A');
  a = it.step({ kind: 'reply', address: '127.0.1.1', classified: classified(a, { aa: true, authority: [soaTest] }) });
  assert.ok(a.kind === 'send' && a.address === '127.0.1.1' && a.qname.equals(n('www.example.test.')) && a.qtype === RRType.A, `the whole name with A: ${JSON.stringify(a)}`);
  a = it.step({ kind: 'reply', address: '127.0.1.1', classified: classified(a, { aa: true, answer: [rr('www.example.test.', RRType.A, encodeRdata(RRType.A, { address: '192.0.2.1' }))] }) });
  assert.ok(a.kind === 'send' && a.qname.equals(n('www.example.test.')) && a.qtype === RRType.AAAA, 'then the real QTYPE');
  const final = classified(a, { aa: true, answer: [rr('www.example.test.', RRType.AAAA, encodeRdata(RRType.AAAA, { address: '2001:db8::1' }))] });
  a = it.step({ kind: 'reply', address: '127.0.1.1', classified: final });
  assert.ok(a.kind === 'done' && a.result.kind === 'response' && a.result.msg.question[0]?.type === RRType.AAAA, 'the answer to the real question ends it');
});

test('hide-qtype on: a referral to the name itself sends the real QTYPE only to the name\'s own servers', () => {
  const { view, ctx } = setup();
  const it = new Iteration(view, ctx, n('sub.test.'), RRType.MX, testDelegation());
  let a = it.step({ kind: 'start' });
  assert.ok(a.kind === 'send' && a.address === '127.0.1.1' && a.qname.equals(n('sub.test.')) && a.qtype === RRType.A, 'the parent is asked sub.test. A');
  a = it.step({
    kind: 'reply',
    address: '127.0.1.1',
    classified: classified(a, {
      authority: [rr('sub.test.', RRType.NS, n('ns.sub.test.').wire)],
      additional: [rr('ns.sub.test.', RRType.A, encodeRdata(RRType.A, { address: '127.0.4.1' }))],
    }),
  });
  assert.ok(a.kind === 'send' && a.address === '127.0.4.1' && a.qname.equals(n('sub.test.')) && a.qtype === RRType.MX, `MX goes to the child: ${JSON.stringify(a)}`);
});

test('hide-qtype on: no probe when the real QTYPE is A, for DS, or when the cache holds a NOERROR answer for the probe (§3 steps 3, 5)', () => {
  const { view, ctx } = setup();
  assert.deepEqual(askedWithNodata(new Iteration(view, ctx, n('www.test.'), RRType.A, testDelegation())).asked, [`www.test. ${RRType.A}`], 'A: the probe is the question');
  assert.deepEqual(askedWithNodata(new Iteration(view, ctx, n('www.test.'), RRType.DS, testDelegation())).asked, [`www.test. ${RRType.DS}`], 'DS: asked of the parent at once');
  assert.deepEqual(
    askedWithNodata(new Iteration(view, ctx, n('www.test.'), RRType.TXT, testDelegation())).asked,
    [`www.test. ${RRType.A}`, `www.test. ${RRType.TXT}`],
    'TXT: probe, then the question',
  );
  const cached = setup({}, (name, type) => name.equals(n('www.test.')) && type === RRType.A);
  assert.deepEqual(
    askedWithNodata(new Iteration(cached.view, cached.ctx, n('www.test.'), RRType.TXT, testDelegation())).asked,
    [`www.test. ${RRType.TXT}`],
    'a cached NOERROR for www.test. A makes the probe needless',
  );
  const deeper = askedWithNodata(new Iteration(cached.view, cached.ctx, n('a.www.test.'), RRType.TXT, testDelegation()));
  assert.deepEqual(deeper.asked, [`www.test. ${RRType.A}`, `a.www.test. ${RRType.A}`, `a.www.test. ${RRType.TXT}`], 'only the whole name\'s probe is skipped');
});

test('hide-qtype off (Knot Resolver): the last label is asked with the real QTYPE at once', () => {
  const { view, ctx } = setup({ qnameMinimisationHideQtype: false });
  const r = askedWithNodata(new Iteration(view, ctx, n('a.www.test.'), RRType.TXT, testDelegation()));
  assert.deepEqual(r.asked, [`www.test. ${RRType.A}`, `a.www.test. ${RRType.TXT}`]);
  assert.ok(r.last.kind === 'done' && r.last.result.kind === 'response', 'the NODATA to the real question ends it');
});

test('hide-qtype has no effect without minimisation', () => {
  const { view, ctx } = setup({ qnameMinimisation: false });
  assert.deepEqual(askedWithNodata(new Iteration(view, ctx, n('a.www.test.'), RRType.TXT, testDelegation())).asked, [`a.www.test. ${RRType.TXT}`]);
});

test('qname-minimisation-qtype NS (Knot Resolver): minimised questions use NS; no answer to them means the full question', () => {
  const { view, ctx } = setup({ qnameMinimisationQtype: 'NS', qnameMinimisationHideQtype: false });
  assert.deepEqual(askedWithNodata(new Iteration(view, ctx, n('a.www.test.'), RRType.TXT, testDelegation())).asked, [`www.test. ${RRType.NS}`, `a.www.test. ${RRType.TXT}`]);
  const it = new Iteration(view, ctx, n('a.www.test.'), RRType.TXT, testDelegation());
  const asked: string[] = [];
  let a = it.step({ kind: 'start' });
  while (a.kind === 'send' && asked.length < 6) {
    asked.push(`${a.qname.toString()} ${a.qtype}`);
    a = it.step({ kind: 'no-reply', address: a.address, reason: 'timeout', timeout: true });
  }
  assert.deepEqual(asked.slice(0, 3), [`www.test. ${RRType.NS}`, `www.test. ${RRType.NS}`, `a.www.test. ${RRType.TXT}`], 'NS twice, then the full question (no A fallback)');
  const hidden = setup({ qnameMinimisationQtype: 'NS' });
  assert.deepEqual(
    askedWithNodata(new Iteration(hidden.view, hidden.ctx, n('www.test.'), RRType.NS, testDelegation())).asked,
    [`www.test. ${RRType.NS}`],
    'an NS question needs no probe when NS is the minimising QTYPE',
  );
});

test('addresses found for a delegation handed in go into a copy: the caller’s map is never changed', () => {
  const { view, ctx } = setup({ qnameMinimisation: false });
  const given = new Map([[n('ns.example.').key, []]]);
  const dp: Delegation = { zone: n('example.'), nsNames: [n('ns.example.'), n('ns.other.')], addresses: given };
  const it = new Iteration(view, ctx, n('www.example.'), RRType.A, dp);
  let a = it.step({ kind: 'start' });
  assert.ok(a.kind === 'lookup' && a.nsName.equals(n('ns.other.')), `a lookup first: ${a.kind}`);
  a = it.step({ kind: 'addresses', nsName: n('ns.other.'), addresses: ['127.0.3.1'] });
  assert.ok(a.kind === 'send' && a.address === '127.0.3.1', 'the address found is asked');
  assert.deepEqual([...given.keys()], [n('ns.example.').key], 'the map handed in is as it was');
  assert.deepEqual(it.delegation.addresses.get(n('ns.other.').key), ['127.0.3.1'], 'the iteration’s delegation has the address');
  assert.deepEqual(it.delegation.addresses.get(n('ns.example.').key), [], 'and what it was given');
});
