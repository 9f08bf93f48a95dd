// Not minimal (minimal-responses: no): an answer served from the caches carries the authority and
// additional RRsets its response brought, with their current data (resolver.ts noteSkeleton, as
// Unbound's message cache refers to its RRset cache), and the RRset cache reports a live RRset
// replaced by other data (RRsetCache.onChange), for caches of whole answers to drop what they
// built from it. Scripted servers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rrsetKey } from '../../src/cache/rrset-cache.js';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { resolverOptions } from '../../src/resolver/options.js';
import { Resolver, createResolverCaches } from '../../src/resolver/resolver.js';
import type { Transport } from '../../src/resolver/transport.js';
import { RRClass, RRType } from '../../src/wire/constants.js';
import { decodeMessage, encodeMessage, makeResponse, type ResponseOptions } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { parseZoneText } from '../../src/zone/parser.js';

const n = (t: string): Name => Name.parse(t);
const recs = (text: string): ResourceRecord[] => parseZoneText(text).records;

function world(minimalResponses: boolean) {
  const servers: Record<string, (qname: Name) => ResponseOptions> = {
    '127.0.0.1': (qname) =>
      qname.isRoot()
        ? { aa: true, answer: recs('. 3600 NS a.root.\n'), additional: recs('a.root. 3600 A 127.0.0.1\n') }
        : { authority: recs('example. 3600 NS ns.example.\n'), additional: recs('ns.example. 3600 A 127.0.0.3\n') },
    '127.0.0.3': (qname) =>
      qname.equals(n('www.example.'))
        ? { aa: true, answer: recs('www.example. 3600 A 192.0.2.1\n'), authority: recs('example. 3600 NS ns.example.\n'), additional: recs('ns.example. 3600 A 127.0.0.3\n') }
        : {
            aa: true,
            answer: [{ name: qname, type: RRType.A, class: RRClass.IN, ttl: 3600, rdata: Uint8Array.of(192, 0, 2, 2) }],
            authority: recs('example. 3600 NS ns.example.\nexample. 3600 NS ns2.example.\n'),
            additional: recs('ns.example. 3600 A 127.0.0.3\nns2.example. 3600 A 127.0.0.4\n'),
          },
  };
  const transport: Transport = {
    query: (server, bytes) => {
      const q = decodeMessage(bytes);
      const s = servers[server.address];
      if (s === undefined) return Promise.resolve({ kind: 'timeout' });
      return Promise.resolve({ kind: 'reply', bytes: encodeMessage(makeResponse(q, s(q.question[0]!.name))).bytes, rttMs: 10, tcp: false });
    },
  };
  const clock = new ManualClock(1_700_000_000_000);
  const random = new SeededRandom(5);
  const options = { rootHints: recs('. 3600 NS a.root.\na.root. 3600 A 127.0.0.1\n'), qnameMinimisation: false, ipv6: false, minimalResponses };
  const caches = createResolverCaches(clock, random, resolverOptions(options));
  return { resolver: new Resolver({ transport, clock, random, crypto: createNodeBackend(), caches, options }), caches };
}

test('not minimal: a cached answer carries its authority/additional RRsets with their current data, and the change is reported', async () => {
  const { resolver } = world(false);
  const changed: string[] = [];
  resolver.onRRsetChange((key) => changed.push(key));
  const first = await resolver.resolve({ name: n('www.example.'), type: RRType.A });
  assert.equal(first.authority.length, 1, 'the NS RRset of the response');
  assert.deepEqual(first.rrsetTags, [rrsetKey(n('example.'), RRType.NS, RRClass.IN), rrsetKey(n('ns.example.'), RRType.A, RRClass.IN)]);
  const cached = await resolver.resolve({ name: n('www.example.'), type: RRType.A });
  assert.equal(cached.fromCache, true);
  assert.deepEqual([cached.authority.length, cached.additional.length], [1, 1], 'from the caches: the same sections');
  // Another answer brings a changed NS RRset of the zone (a second server).
  await resolver.resolve({ name: n('bla.example.'), type: RRType.A });
  assert.ok(changed.includes(rrsetKey(n('example.'), RRType.NS, RRClass.IN)), `the NS change is reported: ${changed.length}`);
  const again = await resolver.resolve({ name: n('www.example.'), type: RRType.A });
  assert.equal(again.fromCache, true);
  assert.deepEqual([again.authority.length, again.additional.length], [2, 1], "the NS RRset's current data, the answer's own additional RRset");
});

test('minimal (default): cached answers carry no extra sections', async () => {
  const { resolver } = world(true);
  await resolver.resolve({ name: n('www.example.'), type: RRType.A });
  const cached = await resolver.resolve({ name: n('www.example.'), type: RRType.A });
  assert.deepEqual([cached.authority.length, cached.additional.length], [0, 0]);
  assert.deepEqual(cached.rrsetTags, []);
});
