// What a response tells the chain of trust about its zones (trust.ts ZoneHint): the signers of its
// NSEC/NSEC3 proofs, and the owners of signed answer data with their signer zones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RRType } from '../../src/wire/constants.js';
import { makeQuery, makeResponse, type Message } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import { parseZoneText } from '../../src/zone/parser.js';
import { proofSignerNames, signedOwners } from '../../src/resolver/trust.js';

const n = (t: string): Name => Name.parse(t);
const sig = (owner: string, covered: string): string =>
  `${owner} 300 RRSIG ${covered} 8 3 300 20300101000000 20200101000000 1 example.com. AAAA`;

function msg(answer: string, authority: string): Message {
  const records = (t: string) => (t === '' ? [] : parseZoneText(t).records);
  const m = makeResponse(makeQuery(n('x.example.com.'), RRType.A, { id: 1 }), { answer: records(answer), authority: records(authority) });
  return { ...m, malformed: [], trailing: 0 };
}

test('proof signers: the signer of each NSEC/NSEC3 RRSIG in authority, once', () => {
  const m = msg('', [sig('a.example.com.', 'NSEC'), sig('b.example.com.', 'NSEC'), sig('example.com.', 'SOA')].join('\n'));
  assert.deepEqual(proofSignerNames(m).map((x) => x.toString()), ['example.com.'], 'one signer for both NSEC signatures; the SOA one is not a proof');
});

test('signed owners: CNAME and DNAME owners with their signer; DS is the parent side and left out', () => {
  const m = msg([sig('www.example.com.', 'CNAME'), sig('d.example.com.', 'DNAME'), sig('c.example.com.', 'DS')].join('\n'), '');
  const got = signedOwners(m).map((o) => `${o.owner.toString()} ${o.signer.toString()} ${o.dname}`);
  assert.deepEqual(got, ['www.example.com. example.com. false', 'd.example.com. example.com. true'], 'the CNAME and the DNAME, not the DS');
});
