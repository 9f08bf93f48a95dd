// The resolver front end: ACL, FORMERR/NOTIMP/BADVERS, answer cache, AD, EDE and truncation, over
// the scripted hierarchy of the resolver tests (no sockets).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerCache } from '../../src/cache/answer-cache.js';
import { ResolverFrontend } from '../../src/server/resolver-frontend.js';
import { defaultAcl } from '../../src/transport/acl.js';
import type { ClientInfo } from '../../src/transport/handler.js';
import { EdeCode, EdnsOption, Rcode, RRType } from '../../src/wire/constants.js';
import { parseEde } from '../../src/wire/edns.js';
import { decodeMessage, encodeMessage, makeQuery, type Message } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import { makeResolver } from '../resolver/helpers/world.js';

const LOCAL: ClientInfo = { address: '127.0.0.1', port: 40000, transport: 'udp' };

function frontend(withCache = true): { fe: ResolverFrontend; upstream: () => number } {
  const t = makeResolver();
  const fe = new ResolverFrontend(t.resolver, withCache ? new AnswerCache() : undefined, t.clock, {
    acl: defaultAcl(),
    maxConcurrent: 100,
    udpSize: 1232,
    servfailTtl: 5,
  });
  return { fe, upstream: () => t.net.log.length };
}

async function ask(fe: ResolverFrontend, bytes: Uint8Array, client: ClientInfo = LOCAL): Promise<Message | undefined> {
  const out = await fe.handle(bytes, client);
  return out === undefined ? undefined : decodeMessage(out);
}

function query(name: string, type: number, opts: Parameters<typeof makeQuery>[2] = { id: 4242 }): Uint8Array {
  return encodeMessage(makeQuery(Name.parse(name), type, { rd: true, ...opts })).bytes;
}

describe('resolver front end', () => {
  it('answers a secure name with AD for a DO client, then from the answer cache with a new ID', async () => {
    const { fe, upstream } = frontend();
    const r1 = await ask(fe, query('www.example.test.', RRType.A, { id: 1, do: true }));
    assert.ok(r1 !== undefined, 'an answer');
    assert.equal(r1.rcode, Rcode.NOERROR);
    assert.equal(r1.flags.ad, true);
    assert.equal(r1.flags.ra, true);
    assert.equal(r1.id, 1);
    const sent = upstream();
    const r2 = await ask(fe, query('WWW.example.test.', RRType.A, { id: 2, do: true }));
    assert.ok(r2 !== undefined, 'an answer');
    assert.equal(r2.id, 2);
    assert.equal(r2.question[0]?.name.toString(), 'WWW.example.test.');
    assert.equal(fe.stats.cacheHits, 1);
    assert.equal(upstream(), sent, 'no upstream traffic for a cache hit');
  });

  it('refuses clients outside the ACL and drops responses and runts', async () => {
    const { fe } = frontend();
    const r = await ask(fe, query('www.example.test.', RRType.A), { address: '192.0.2.77', port: 1, transport: 'udp' });
    assert.equal(r?.rcode, Rcode.REFUSED);
    const response = query('www.example.test.', RRType.A);
    response[2]! |= 0x80;
    assert.equal(await ask(fe, response), undefined);
    assert.equal(await ask(fe, Uint8Array.of(1, 2, 3)), undefined);
  });

  it('FORMERR for a broken body, NOTIMP for other opcodes, BADVERS for EDNS version 1', async () => {
    const { fe } = frontend(false);
    const good = query('www.example.test.', RRType.A);
    const broken = good.slice(0, good.length - 3);
    const r1 = await ask(fe, broken);
    assert.equal(r1?.rcode, Rcode.FORMERR);
    const status = query('www.example.test.', RRType.A);
    status[2] = (status[2]! & 0x87) | (2 << 3);
    assert.equal((await ask(fe, status))?.rcode, Rcode.NOTIMP);
    const v1 = encodeMessage({ ...makeQuery(Name.parse('www.example.test.'), RRType.A, { id: 5 }), edns: { udpSize: 1232, version: 1, dnssecOk: false, flags: 0, options: [] } }).bytes;
    assert.equal((await ask(fe, v1))?.rcode, Rcode.BADVERS);
    const axfr = query('example.test.', RRType.AXFR);
    assert.equal((await ask(fe, axfr))?.rcode, Rcode.REFUSED);
  });

  it('SERVFAIL with the validator EDE for a bogus name', async () => {
    const { fe } = frontend();
    const r = await ask(fe, query('www.expired.test.', RRType.A, { id: 9, do: true }));
    assert.ok(r !== undefined, 'an answer');
    assert.equal(r.rcode, Rcode.SERVFAIL);
    const edes = (r.edns?.options ?? []).filter((o) => o.code === EdnsOption.EDE).map((o) => parseEde(o.data));
    assert.ok(edes.some((e) => e.infoCode === EdeCode.SIGNATURE_EXPIRED), JSON.stringify(edes));
  });
});

describe('resolver front end, edge failures', () => {
  it('answers SERVFAIL (EDE 5, not cached) when resolution throws, and recovers', async () => {
    const t = makeResolver();
    let fail = true;
    const real = t.resolver.resolve.bind(t.resolver);
    t.resolver.resolve = (q, f) => (fail ? Promise.reject(new Error('crypto worker died')) : real(q, f));
    const fe = new ResolverFrontend(t.resolver, new AnswerCache(), t.clock, { acl: defaultAcl(), maxConcurrent: 10, udpSize: 1232, servfailTtl: 5 });
    const r1 = await ask(fe, query('www.example.test.', RRType.A, { id: 1, do: true }));
    assert.ok(r1 !== undefined, 'an answer');
    assert.equal(r1.rcode, Rcode.SERVFAIL);
    const edes = (r1.edns?.options ?? []).filter((o) => o.code === EdnsOption.EDE).map((o) => parseEde(o.data));
    assert.ok(edes.some((e) => e.infoCode === EdeCode.DNSSEC_INDETERMINATE), JSON.stringify(edes));
    fail = false;
    const r2 = await ask(fe, query('www.example.test.', RRType.A, { id: 2, do: true }));
    assert.equal(r2?.rcode, Rcode.NOERROR, 'the failure was not cached');
  });
});
