// End to end over the scripted hierarchy of helpers/world.ts: iteration, validation, caching.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { decodeTyped } from '../../src/wire/rdata.js';
import type { ResolverAnswer } from '../../src/resolver/answer.js';
import { makeResolver, n } from './helpers/world.js';

function addresses(a: ResolverAnswer): string[] {
  return a.answer.filter((r) => r.type === RRType.A).map((r) => decodeTyped(RRType.A, r.rdata).address);
}

describe('secure answers', () => {
  it('answers a name in a signed zone with AD and its RRSIGs under DO', async () => {
    const { resolver } = makeResolver();
    const a = await resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
    assert.equal(a.rcode, Rcode.NOERROR, JSON.stringify(a.ede));
    assert.deepEqual(addresses(a), ['192.0.2.1']);
    assert.equal(a.security, 'secure');
    assert.equal(a.ad, true);
    assert.ok(a.answer.some((r) => r.type === RRType.RRSIG));
  });

  it('sets AD only for clients that set DO or AD (RFC 6840 §5.7), and leaves out RRSIGs without DO', async () => {
    const { resolver } = makeResolver();
    const plain = await resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, {});
    assert.equal(plain.security, 'secure');
    assert.equal(plain.ad, false);
    assert.ok(!plain.answer.some((r) => r.type === RRType.RRSIG));
    const ad = await resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { ad: true });
    assert.equal(ad.ad, true);
  });
});
