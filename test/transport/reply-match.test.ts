import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTruncated, matchReply, questionEnd } from '../../src/transport/reply-match.js';
import { buildQuery, buildReply } from './fixtures.js';

test('questionEnd finds the end of the question section', () => {
  const q = buildQuery(0x1234, 'www.example.com', 1);
  assert.equal(questionEnd(q), q.length);
  const root = buildQuery(1, '.', 2);
  assert.equal(questionEnd(root), 12 + 1 + 4);
  const none = new Uint8Array(12);
  assert.equal(questionEnd(none), 12);
});

test('questionEnd rejects short, truncated, compressed and overlong questions', () => {
  assert.equal(questionEnd(new Uint8Array(11)), -1);
  const q = buildQuery(1, 'example.com');
  assert.equal(questionEnd(q.subarray(0, q.length - 1)), -1);
  assert.equal(questionEnd(q.subarray(0, 15)), -1);
  const compressed = Uint8Array.from(q);
  compressed[12] = 0xc0;
  assert.equal(questionEnd(compressed), -1);
  const two = Uint8Array.from(q);
  two[5] = 2; // QDCOUNT 2 but one question
  assert.equal(questionEnd(two), -1);
  const long = buildQuery(1, Array.from({ length: 5 }, () => 'a'.repeat(63)).join('.'));
  assert.equal(questionEnd(long), -1);
  const max = buildQuery(1, [...Array.from({ length: 3 }, () => 'a'.repeat(63)), 'a'.repeat(61)].join('.'));
  assert.equal(questionEnd(max), max.length);
});

test('a reply with the same ID, QR and question matches', () => {
  const q = buildQuery(0xbeef, 'www.example.com');
  const end = questionEnd(q);
  assert.equal(matchReply(q, end, buildReply(q), false), 'ok');
  assert.equal(matchReply(q, end, buildReply(q), true), 'ok');
});

test('wrong ID, missing QR, other question or short reply do not match', () => {
  const q = buildQuery(0xbeef, 'www.example.com');
  const end = questionEnd(q);
  assert.equal(matchReply(q, end, buildReply(q, { id: 0xbeee }), false), 'id');
  assert.equal(matchReply(q, end, buildReply(q, { qr: false }), false), 'not-response');
  assert.equal(matchReply(q, end, buildReply(q, { name: 'www.example.net' }), false), 'question');
  assert.equal(matchReply(q, end, buildReply(q, { name: 'ww.example.com' }), false), 'question');
  assert.equal(matchReply(q, end, buildReply(q, { name: 'www.example.com.evil' }), false), 'question');
  assert.equal(matchReply(q, end, q.subarray(0, 12), false), 'short');
  const otherType = buildReply(q);
  otherType[end - 3] = 28;
  assert.equal(matchReply(q, end, otherType, false), 'question');
  const otherClass = buildReply(q);
  otherClass[end - 1] = 3;
  assert.equal(matchReply(q, end, otherClass, false), 'question');
  const noQuestion = buildReply(q);
  noQuestion[5] = 0;
  assert.equal(matchReply(q, end, noQuestion, false), 'question');
});

test('case is folded unless exact case is asked for (0x20)', () => {
  const q = buildQuery(7, 'WwW.ExAmPlE.cOm');
  const end = questionEnd(q);
  const lower = buildReply(q, { name: 'www.example.com' });
  assert.equal(matchReply(q, end, lower, false), 'ok');
  assert.equal(matchReply(q, end, lower, true), 'question');
  assert.equal(matchReply(q, end, buildReply(q), true), 'ok');
  // Folding is ASCII only (RFC 4343): 0xC0 and 0xE0 are different octets.
  const q8 = buildQuery(7, '\u00c0.example');
  const r8 = buildReply(q8, { name: '\u00e0.example' });
  assert.equal(matchReply(q8, questionEnd(q8), r8, false), 'question');
  // '@' (0x40) and '`' (0x60) differ by the case bit but are not letters.
  const qa = buildQuery(7, '@.example');
  assert.equal(matchReply(qa, questionEnd(qa), buildReply(qa, { name: '`.example' }), false), 'question');
});

test('TC bit', () => {
  const q = buildQuery(7, 'example.com');
  assert.equal(isTruncated(buildReply(q)), false);
  assert.equal(isTruncated(buildReply(q, { tc: true })), true);
  assert.equal(isTruncated(new Uint8Array(2)), false);
});
