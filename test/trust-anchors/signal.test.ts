// RFC 8145 key tag signalling names and the RFC 8509 root key sentinel decision.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { keyTagOption, keyTagQueryName, parseSentinelLabel, sentinelDecision } from '../../src/dnssec/trust-anchor-signal.js';
import { Name } from '../../src/wire/name.js';
import { EdnsOption, RRType } from '../../src/wire/constants.js';
import { parseKeyTags } from '../../src/wire/edns.js';

const n = (s: string): Name => Name.parse(s);
const ROOT_TAGS = [20326, 38696];

test('RFC 8145 §5.1 key tag query names: lower-case zero-filled hex, ascending, under the anchor', () => {
  assert.equal(keyTagQueryName(Name.ROOT, [38696, 20326])?.toString(), '_ta-4f66-9728.');
  assert.equal(keyTagQueryName(n('example.'), [44, 44, 65535])?.toString(), '_ta-002c-ffff.example.');
  assert.equal(keyTagQueryName(Name.ROOT, []), undefined);
  const many = keyTagQueryName(Name.ROOT, Array.from({ length: 40 }, (_, i) => i));
  assert.ok(many !== undefined && many.label(0).length <= 63, 'bounded to one label');
});

test('RFC 8145 §4 edns-key-tag option carries the same tags', () => {
  const opt = keyTagOption([38696, 20326, 20326]);
  assert.ok(opt !== undefined, 'an option');
  assert.equal(opt.code, EdnsOption.KEY_TAG);
  assert.deepEqual(parseKeyTags(opt.data), ROOT_TAGS);
  assert.equal(keyTagOption([]), undefined);
});

test('RFC 8509 sentinel labels', () => {
  const lab = (s: string): Uint8Array => new TextEncoder().encode(s);
  assert.deepEqual(parseSentinelLabel(lab('root-key-sentinel-is-ta-20326')), { kind: 'is-ta', tag: 20326 });
  assert.deepEqual(parseSentinelLabel(lab('ROOT-KEY-SENTINEL-NOT-TA-00044')), { kind: 'not-ta', tag: 44 });
  assert.equal(parseSentinelLabel(lab('root-key-sentinel-is-ta-2032')), undefined, 'four digits');
  assert.equal(parseSentinelLabel(lab('root-key-sentinel-is-ta-203266')), undefined, 'six digits');
  assert.equal(parseSentinelLabel(lab('root-key-sentinel-is-ta-99999')), undefined, 'over 65535');
  assert.equal(parseSentinelLabel(lab('xroot-key-sentinel-is-ta-2032')), undefined);
  assert.equal(parseSentinelLabel(Uint8Array.of(0xff, ...lab('oot-key-sentinel-is-ta-20326'))), undefined);
});

test('RFC 8509 §3.2 decisions', () => {
  const is = (tag: string): Name => n(`root-key-sentinel-is-ta-${tag}.example.`);
  const not = (tag: string): Name => n(`root-key-sentinel-not-ta-${tag}.example.`);
  assert.equal(sentinelDecision(is('20326'), ROOT_TAGS), 'normal', 'is-ta a trusted key');
  assert.equal(sentinelDecision(is('19036'), ROOT_TAGS), 'servfail', 'is-ta a key not trusted');
  assert.equal(sentinelDecision(not('20326'), ROOT_TAGS), 'servfail', 'not-ta a trusted key');
  assert.equal(sentinelDecision(not('19036'), ROOT_TAGS), 'normal', 'not-ta a key not trusted');
  assert.equal(sentinelDecision(is('19036'), ROOT_TAGS, { cd: true }), 'normal', 'CD set');
  assert.equal(sentinelDecision(is('19036'), ROOT_TAGS, { secure: false }), 'normal', 'insecure answer');
  assert.equal(sentinelDecision(is('19036'), ROOT_TAGS, { validating: false }), 'normal', 'not validating');
  assert.equal(sentinelDecision(n('www.root-key-sentinel-is-ta-19036.example.'), ROOT_TAGS), 'normal', 'only the leftmost label');
  assert.equal(sentinelDecision(Name.ROOT, ROOT_TAGS), 'normal');
  assert.equal(sentinelDecision(is('19036'), ROOT_TAGS, { qtype: RRType.AAAA }), 'servfail', 'AAAA gets the processing');
  assert.equal(sentinelDecision(is('19036'), ROOT_TAGS, { qtype: RRType.TXT }), 'normal', 'only A and AAAA queries');
});
