// Ghost-domain protection (resolver.ts delegationExpiry; CVE-2012-1192, CVE-2022-30698/30699): a
// zone's own NS RRset, the addresses of its name servers and the delegations below it, as its
// servers tell them, are cached no longer than the parent's delegation the resolver followed; other
// data keeps its TTL. Once the parent removes the zone, the old servers' data dies with the
// delegation and the parent's NXDOMAIN is what clients get. Scripted servers, injected clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { resolverOptions } from '../../src/resolver/options.js';
import { Resolver, createResolverCaches } from '../../src/resolver/resolver.js';
import type { Transport } from '../../src/resolver/transport.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { decodeMessage, encodeMessage, makeResponse, type ResponseOptions } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { parseZoneText } from '../../src/zone/parser.js';

const n = (t: string): Name => Name.parse(t);
const recs = (text: string): ResourceRecord[] => parseZoneText(text).records;
const hints = recs('. 3600 NS a.root.\na.root. 3600 A 127.0.0.1\n');

type Server = (qname: Name, qtype: number) => ResponseOptions;

function world() {
  let removed = false;
  const tldSoa = recs('tld. 3600 SOA ns.tld. host.tld. 1 3600 1800 604800 3600\n');
  const servers: Record<string, Server> = {
    // The root refers tld.
    '127.0.0.1': (qname) =>
      qname.isRoot()
        ? { aa: true, answer: recs('. 3600 NS a.root.\n'), additional: recs('a.root. 3600 A 127.0.0.1\n') }
        : { authority: recs('tld. 3600 NS ns.tld.\n'), additional: recs('ns.tld. 3600 A 127.0.0.2\n') },
    // tld. delegates example.tld for 5 s; once the domain is removed it answers NXDOMAIN.
    '127.0.0.2': (qname) => {
      if (qname.equals(n('tld.')) || qname.equals(n('ns.tld.'))) return { aa: true, authority: tldSoa };
      if (removed) return { aa: true, rcode: Rcode.NXDOMAIN, authority: tldSoa };
      return { authority: recs('example.tld. 5 NS ns.example.tld.\n'), additional: recs('ns.example.tld. 5 A 127.0.0.3\n') };
    },
    // The old servers of example.tld keep answering, with long TTLs, and delegate sub.example.tld.
    '127.0.0.3': (qname, qtype) => {
      if (qname.isSubdomainOf(n('sub.example.tld.'))) {
        return { authority: recs('sub.example.tld. 3600 NS ns.sub.example.tld.\n'), additional: recs('ns.sub.example.tld. 3600 A 127.0.0.4\n') };
      }
      if (qname.equals(n('example.tld.')) && qtype === RRType.NS) return { aa: true, answer: recs('example.tld. 86400 NS ns.example.tld.\n') };
      if (qname.equals(n('ns.example.tld.')) && qtype === RRType.A) return { aa: true, answer: recs('ns.example.tld. 86400 A 127.0.0.3\n') };
      if (qname.equals(n('www.example.tld.')) && qtype === RRType.A) return { aa: true, answer: recs('www.example.tld. 86400 A 192.0.2.1\n') };
      return { aa: true, authority: recs('example.tld. 86400 SOA ns.example.tld. host.example.tld. 1 3600 1800 604800 3600\n') };
    },
    '127.0.0.4': (qname, qtype) =>
      qtype === RRType.A ? { aa: true, answer: [{ name: qname, type: RRType.A, class: 1, ttl: 3600, rdata: Uint8Array.of(192, 0, 2, 9) }] } : { aa: true },
  };
  const transport: Transport = {
    query: (server, bytes) => {
      const q = decodeMessage(bytes);
      const question = q.question[0]!;
      const s = servers[server.address];
      if (s === undefined) return Promise.resolve({ kind: 'timeout' });
      return Promise.resolve({ kind: 'reply', bytes: encodeMessage(makeResponse(q, s(question.name, question.type))).bytes, rttMs: 10, tcp: false });
    },
  };
  const clock = new ManualClock(1_700_000_000_000);
  const random = new SeededRandom(11);
  const options = { rootHints: hints, qnameMinimisation: false, ipv6: false };
  const caches = createResolverCaches(clock, random, resolverOptions(options));
  const resolver = new Resolver({ transport, clock, random, crypto: createNodeBackend(), caches, options });
  return { resolver, caches, clock, remove: () => (removed = true) };
}

test("the child's apex NS, its servers' addresses and its sub-delegations do not outlive the parent's delegation", async () => {
  const { resolver, caches, clock, remove } = world();
  const www = await resolver.resolve({ name: n('www.example.tld.'), type: RRType.A });
  assert.equal(www.rcode, Rcode.NOERROR, JSON.stringify(www.ede));
  const ns = await resolver.resolve({ name: n('example.tld.'), type: RRType.NS });
  assert.equal(ns.answer[0]?.ttl, 86400, 'the answer goes out with the TTL received');
  assert.ok((caches.rrsets.lookup(n('example.tld.'), RRType.NS)?.ttl ?? Infinity) <= 5, 'the cached apex NS ends with the delegation');
  const addr = await resolver.resolve({ name: n('ns.example.tld.'), type: RRType.A });
  assert.equal(addr.answer[0]?.ttl, 86400);
  assert.ok((caches.rrsets.lookup(n('ns.example.tld.'), RRType.A)?.ttl ?? Infinity) <= 5, "the name server's address too");
  assert.equal(addr.ttlCap, 5, 'an answer cache is told to serve it no longer');
  const a = await resolver.resolve({ name: n('a.sub.example.tld.'), type: RRType.A });
  assert.equal(a.rcode, Rcode.NOERROR);
  assert.ok((caches.rrsets.lookup(n('sub.example.tld.'), RRType.NS)?.ttl ?? Infinity) <= 5, 'a delegation below the zone too');
  assert.equal(caches.rrsets.lookup(n('www.example.tld.'), RRType.A)?.ttl, 86400, 'other data keeps its TTL');
  assert.equal(www.ttlCap, undefined, 'and answers of other data are not capped');
  // The parent removes the domain; the old servers still answer, but are no longer asked.
  remove();
  clock.advance(10_000);
  const gone = await resolver.resolve({ name: n('new.example.tld.'), type: RRType.A });
  assert.equal(gone.rcode, Rcode.NXDOMAIN, "the parent's answer");
  const below = await resolver.resolve({ name: n('b.sub.example.tld.'), type: RRType.A });
  assert.equal(below.rcode, Rcode.NXDOMAIN, 'the sub-delegation died with its parent');
});
