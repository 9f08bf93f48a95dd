// RFC 8145 §4: the edns-key-tag option (code 14) on DNSKEY queries for a trust anchor's own name,
// with the key tags of the anchors trusted now; on no other query; off with `ednsKeyTag: false`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeDsRdata } from '../../src/dnssec/ds.js';
import { anchorKeyTags } from '../../src/dnssec/trust-anchor-signal.js';
import type { Transport } from '../../src/resolver/transport.js';
import { EdnsOption, RRType } from '../../src/wire/constants.js';
import { parseKeyTags } from '../../src/wire/edns.js';
import { decodeMessage } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import { makeResolver, n } from './helpers/world.js';

interface Sent {
  readonly qname: string;
  readonly qtype: number;
  readonly tags: number[] | undefined;
}

/** Records every query's question and its edns-key-tag option, then hands it to the network. */
function recording(sent: Sent[]): (net: Transport) => Transport {
  return (net) => ({
    query(server, bytes, options) {
      const q = decodeMessage(bytes);
      const opt = q.edns?.options.find((o) => o.code === EdnsOption.KEY_TAG);
      sent.push({ qname: q.question[0]!.name.toString().toLowerCase(), qtype: q.question[0]!.type, tags: opt === undefined ? undefined : parseKeyTags(opt.data) });
      return net.query(server, bytes, options);
    },
  });
}

test('the anchor zone DNSKEY query carries the anchors key tags; no other query does', async () => {
  const sent: Sent[] = [];
  const { resolver, world } = makeResolver({}, undefined, recording(sent));
  const a = await resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
  assert.equal(a.security, 'secure', 'validated');
  const rootTag = (world.anchor[0]!.rdata[0]! << 8) | world.anchor[0]!.rdata[1]!;
  const rootKeys = sent.filter((s) => s.qname === '.' && s.qtype === RRType.DNSKEY);
  assert.ok(rootKeys.length > 0, 'the root DNSKEY RRset was fetched');
  for (const s of rootKeys) assert.deepEqual(s.tags, [rootTag], 'the root anchor DS key tag');
  const others = sent.filter((s) => !(s.qname === '.' && s.qtype === RRType.DNSKEY));
  assert.ok(others.some((s) => s.qtype === RRType.DNSKEY), 'DNSKEY queries below the anchor were sent');
  for (const s of others) assert.equal(s.tags, undefined, `no option on ${s.qname} type ${s.qtype}`);
});

test('a DNSKEY anchor gives its computed tag; the tags follow the anchors in force', async () => {
  const sent: Sent[] = [];
  const { resolver, world } = makeResolver({}, undefined, recording(sent));
  const extraKey = Uint8Array.of(1, 1, 3, 13, ...new Uint8Array(64).fill(9));
  const anchor = { zone: Name.ROOT, ds: world.anchor.map((r) => r.rdata), dnskeys: [extraKey] };
  resolver.setTrustAnchors([anchor]);
  await resolver.resolve({ name: Name.ROOT, type: RRType.DNSKEY }, { do: true });
  const expected = anchorKeyTags(anchor);
  assert.equal(expected.length, 2, 'the DS tag and the key tag');
  const q = sent.find((s) => s.qname === '.' && s.qtype === RRType.DNSKEY);
  assert.deepEqual(q?.tags, expected, 'both tags, ascending');
});

test('ednsKeyTag: false sends no option', async () => {
  const sent: Sent[] = [];
  const { resolver } = makeResolver({ ednsKeyTag: false }, undefined, recording(sent));
  await resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
  assert.ok(sent.some((s) => s.qname === '.' && s.qtype === RRType.DNSKEY), 'the root DNSKEY RRset was fetched');
  assert.ok(sent.every((s) => s.tags === undefined), 'no edns-key-tag option anywhere');
});

test('anchorKeyTags: DS tags and computed DNSKEY tags, each once, ascending', () => {
  const key = Uint8Array.of(1, 1, 3, 13, ...new Uint8Array(64).fill(3));
  const ds = makeDsRdata(Name.ROOT, key, 2);
  const tags = anchorKeyTags({ zone: Name.ROOT, ds: [ds, Uint8Array.of(0, 5, 8, 2)], dnskeys: [key] });
  assert.deepEqual(tags, [5, (ds[0]! << 8) | ds[1]!].sort((a, b) => a - b), 'the DS of the key and the key give one tag');
});
