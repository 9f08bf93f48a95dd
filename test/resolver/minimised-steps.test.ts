// Minimised questions answered without a referral, remembered for their TTL (minimised-steps.ts),
// and the iterator taking such a step without a query (RFC 9156 §3; Unbound's cached-NOERROR skip).
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
import { MAX_TTL_S, MinimisedSteps } from '../../src/resolver/minimised-steps.js';
import { resolverOptions } from '../../src/resolver/options.js';
import { QueryContext, newStats } from '../../src/resolver/query-context.js';
import { parseZoneText } from '../../src/zone/parser.js';

const n = (t: string): Name => Name.parse(t);
const hints = parseZoneText('. 3600 NS a.root.\na.root. 3600 A 127.0.0.1\n').records;
const T0 = 1_700_000_000_000;

function rr(name: string, type: number, rdata: Uint8Array, ttl = 300): ResourceRecord {
  return { name: n(name), type, class: 1, ttl, rdata };
}
const soa = (ttl: number, minimum: number): ResourceRecord =>
  rr('example.', RRType.SOA, encodeRdata(RRType.SOA, { mname: n('ns.example.'), rname: n('h.example.'), serial: 1, refresh: 1, retry: 1, expire: 1, minimum }), ttl);

function msgFor(qname: string, qtype: number, init: Parameters<typeof makeResponse>[1]): Message {
  return { ...makeResponse(makeQuery(n(qname), qtype, { id: 1 }), init), malformed: [], trailing: 0 };
}

test('a NODATA step lives min(SOA TTL, SOA MINIMUM) (RFC 2308 §5), capped, keyed by zone, name and type', () => {
  const clock = new ManualClock(T0);
  const steps = new MinimisedSteps(clock);
  const zone = n('example.');
  steps.note(zone, n('wild.example.'), RRType.A, msgFor('wild.example.', RRType.A, { aa: true, authority: [soa(600, 120)] }));
  assert.equal(steps.answered(zone, n('wild.example.'), RRType.A), true, 'remembered');
  assert.equal(steps.answered(zone, n('wild.example.'), RRType.NS), false, 'another QTYPE is not');
  assert.equal(steps.answered(n('other.'), n('wild.example.'), RRType.A), false, 'another zone\'s servers are not');
  assert.equal(steps.answered(zone, n('x.wild.example.'), RRType.A), false, 'a name below is not');
  clock.advance(119_999);
  assert.equal(steps.answered(zone, n('wild.example.'), RRType.A), true, 'still within the SOA MINIMUM (120 s)');
  clock.advance(1);
  assert.equal(steps.answered(zone, n('wild.example.'), RRType.A), false, 'expired at the SOA MINIMUM');
  assert.equal(steps.size, 0, 'an expired entry met is dropped');

  steps.note(zone, n('a.example.'), RRType.A, msgFor('a.example.', RRType.A, { aa: true, authority: [soa(86_400, 86_400)] }));
  clock.advance(MAX_TTL_S * 1000 - 1);
  assert.equal(steps.answered(zone, n('a.example.'), RRType.A), true, 'held up to the cap');
  clock.advance(1);
  assert.equal(steps.answered(zone, n('a.example.'), RRType.A), false, `capped at ${MAX_TTL_S} s`);
});

test('a step with data lives its least TTL; NXDOMAIN, no SOA, or TTL 0 is not remembered', () => {
  const clock = new ManualClock(T0);
  const steps = new MinimisedSteps(clock);
  const zone = n('example.');
  const a = rr('b.example.', RRType.A, encodeRdata(RRType.A, { address: '192.0.2.1' }), 30);
  steps.note(zone, n('b.example.'), RRType.A, msgFor('b.example.', RRType.A, { aa: true, answer: [a] }));
  clock.advance(29_999);
  assert.equal(steps.answered(zone, n('b.example.'), RRType.A), true, 'within the answer TTL (30 s)');
  clock.advance(1);
  assert.equal(steps.answered(zone, n('b.example.'), RRType.A), false, 'gone at the answer TTL');
  steps.note(zone, n('c.example.'), RRType.A, msgFor('c.example.', RRType.A, { aa: true, rcode: Rcode.NXDOMAIN, authority: [soa(600, 600)] }));
  assert.equal(steps.answered(zone, n('c.example.'), RRType.A), false, 'NXDOMAIN is not a NOERROR step');
  steps.note(zone, n('d.example.'), RRType.A, msgFor('d.example.', RRType.A, { aa: true }));
  assert.equal(steps.answered(zone, n('d.example.'), RRType.A), false, 'a NODATA without SOA has no negative TTL');
  steps.note(zone, n('e.example.'), RRType.A, msgFor('e.example.', RRType.A, { aa: true, authority: [soa(0, 600)] }));
  assert.equal(steps.answered(zone, n('e.example.'), RRType.A), false, 'TTL 0 is not kept');
});

test('the size bound holds (CLOCK eviction)', () => {
  const clock = new ManualClock(T0);
  const steps = new MinimisedSteps(clock, 4096);
  for (let i = 0; i < 500; i++) steps.note(n('example.'), n(`n${i}.example.`), RRType.A, msgFor(`n${i}.example.`, RRType.A, { aa: true, authority: [soa(600, 600)] }));
  assert.ok(steps.size > 0 && steps.size < 500, `bounded: ${steps.size} entries kept of 500`);
  assert.equal(steps.answered(n('example.'), n('n499.example.'), RRType.A), true, 'the newest is kept');
});

function setup(steps: MinimisedSteps | undefined, clock: ManualClock) {
  const options = resolverOptions({ rootHints: hints });
  const infra = new InfraCache({ clock, random: new SeededRandom(3) });
  const ctx = new QueryContext(clock, options.limits, newStats(), { cd: false, rd: true });
  const view = {
    options,
    infra,
    cachedAddresses: (): string[] => [],
    ...(steps === undefined
      ? {}
      : { stepAnswered: (z: Name, name: Name, type: number) => steps.answered(z, name, type), noteStep: (z: Name, name: Name, type: number, m: Message) => { steps.note(z, name, type, m); } }),
  };
  return { view, ctx };
}

const dp = (): Delegation => ({ zone: n('example.'), nsNames: [n('ns.example.')], addresses: new Map([[n('ns.example.').key, ['127.0.2.1']]]) });

/** Runs one iteration where every question is answered NODATA by example.'s server; the questions asked. */
function walk(steps: MinimisedSteps | undefined, clock: ManualClock, qname: string, qtype: number): { asked: string[]; last: IterAction } {
  const { view, ctx } = setup(steps, clock);
  const it = new Iteration(view, ctx, n(qname), qtype, dp());
  const asked: string[] = [];
  let a = it.step({ kind: 'start' });
  while (a.kind === 'send' && asked.length < 10) {
    asked.push(`${a.qname.toString()} ${a.qtype}`);
    const msg = scrub(msgFor(a.qname.toString(), a.qtype, { aa: true, authority: [soa(600, 600)] }), a.qname, a.qtype, a.zone);
    a = it.step({ kind: 'reply', address: a.address, classified: classify(msg, a.qname, a.qtype, a.zone) });
  }
  return { asked, last: a };
}

test('iterator: a minimised step answered before is taken without a query; the walk is otherwise the same', () => {
  const clock = new ManualClock(T0);
  const steps = new MinimisedSteps(clock);
  const first = walk(steps, clock, 'x.y.wild.example.', RRType.A);
  assert.deepEqual(first.asked, [`wild.example. ${RRType.A}`, `y.wild.example. ${RRType.A}`, `x.y.wild.example. ${RRType.A}`], 'first descent: every step asked');
  assert.ok(first.last.kind === 'done' && first.last.result.kind === 'response', 'the answer to the real question ends it');
  const second = walk(steps, clock, 'z.y.wild.example.', RRType.A);
  assert.deepEqual(second.asked, [`z.y.wild.example. ${RRType.A}`], 'the answered steps wild. and y.wild. are not asked again');
  assert.ok(second.last.kind === 'done' && second.last.result.kind === 'response', 'the real question still ends it');
  const other = walk(steps, clock, 'q.other.example.', RRType.A);
  assert.deepEqual(other.asked, [`other.example. ${RRType.A}`, `q.other.example. ${RRType.A}`], 'a step never answered is asked');
  clock.advance(600_000);
  assert.deepEqual(walk(steps, clock, 'w.y.wild.example.', RRType.A).asked.length, 3, 'after the TTL every step is asked again');
  assert.deepEqual(walk(undefined, clock, 'w.y.wild.example.', RRType.A).asked.length, 3, 'without the hooks nothing is skipped');
});

test('iterator: the whole name\'s probe is not taken from answered steps (only names above it)', () => {
  const clock = new ManualClock(T0);
  const steps = new MinimisedSteps(clock);
  const first = walk(steps, clock, 'x.wild.example.', RRType.TXT);
  assert.deepEqual(first.asked, [`wild.example. ${RRType.A}`, `x.wild.example. ${RRType.A}`, `x.wild.example. ${RRType.TXT}`], 'steps, probe, question');
  const second = walk(steps, clock, 'x.wild.example.', RRType.TXT);
  assert.deepEqual(second.asked, [`x.wild.example. ${RRType.A}`, `x.wild.example. ${RRType.TXT}`], 'the step is skipped, the probe of the whole name is asked');
});

test('iterator: a referral at a step is never remembered as answered', () => {
  const clock = new ManualClock(T0);
  const steps = new MinimisedSteps(clock);
  const { view, ctx } = setup(steps, clock);
  const it = new Iteration(view, ctx, n('x.sub.example.'), RRType.A, dp());
  const a = it.step({ kind: 'start' });
  assert.ok(a.kind === 'send' && a.qname.equals(n('sub.example.')), 'sub.example. asked');
  const msg = scrub(
    msgFor('sub.example.', RRType.A, { authority: [rr('sub.example.', RRType.NS, n('ns.sub.example.').wire)], additional: [rr('ns.sub.example.', RRType.A, encodeRdata(RRType.A, { address: '127.0.4.1' }))] }),
    a.qname,
    a.qtype,
    a.zone,
  );
  const b = it.step({ kind: 'reply', address: a.address, classified: classify(msg, a.qname, a.qtype, a.zone) });
  assert.ok(b.kind === 'send' && b.address === '127.0.4.1', `the referral is followed: ${JSON.stringify(b)}`);
  assert.equal(steps.answered(n('example.'), n('sub.example.'), RRType.A), false, 'a cut is not an answered step');
  assert.equal(steps.size, 0, 'nothing remembered');
});
