// Differential test against dns-packet (an independent decoder/encoder), and the dns-packet
// defects that made us write our own reader (src/wire/README.md): each is shown by running it,
// next to an assertion of what anchord does instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { SeededRandom } from '../../src/core/random.js';
import { typeFromString, RRType } from '../../src/wire/constants.js';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import type { Message } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import { decodeRdata, ipv6FromText } from '../../src/wire/rdata.js';
import type { ResourceRecord } from '../../src/wire/record.js';

type Loose = Record<string, unknown>;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v));
const num = (v: unknown): number => {
  assert.equal(typeof v, 'number');
  return v as number;
};
const buf = (v: unknown): Uint8Array => {
  assert.ok(v instanceof Uint8Array, 'expected a Buffer');
  return v;
};
const dpType = (v: unknown): number => {
  const t = typeFromString(str(v));
  assert.ok(t !== undefined, `type ${str(v)}`);
  return t;
};
/** dns-packet names have no trailing dot; the root is "." */
const ourName = (n: Name): string => (n.isRoot() ? '.' : n.toString().slice(0, -1));

// ---- Random valid messages, built with dns-packet ---------------------------------------------

class Gen {
  readonly rnd: SeededRandom;
  constructor(seed: number) {
    this.rnd = new SeededRandom(seed);
  }
  int(n: number): number {
    return this.rnd.below(n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Buffer {
    return Buffer.from(this.rnd.fill(new Uint8Array(n)));
  }
  label(): string {
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789-';
    let s = this.pick(['a', 'b', 'x', 'ns']);
    const n = this.int(8);
    for (let i = 0; i < n; i++) s += chars[this.int(chars.length)]!;
    return s + this.pick(['', 'z', '1']);
  }
  name(zone: string): string {
    const n = this.int(3);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(this.label());
    parts.push(zone);
    return parts.join('.');
  }
  types(): string[] {
    const all = ['A', 'NS', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'NSEC', 'DNSKEY', 'DS', 'CAA', 'SRV', 'NSEC3'];
    return all.filter(() => this.int(2) === 0).concat(['RRSIG']);
  }
  record(zone: string): Loose {
    const type = this.pick(['A', 'AAAA', 'NS', 'CNAME', 'MX', 'TXT', 'SOA', 'SRV', 'CAA', 'DS', 'DNSKEY', 'RRSIG', 'NSEC', 'NSEC3', 'PTR']);
    const name = this.name(zone);
    const ttl = this.pick([0, 1, 300, 86400, 0x7fffffff]);
    let data: unknown;
    switch (type) {
      case 'A':
        data = [0, 1, 2, 3].map(() => this.int(256)).join('.');
        break;
      case 'AAAA':
        data = this.pick(['2001:db8::1', '::1', 'fe80::1:2:3:4', `2001:db8:${this.int(65536).toString(16)}::${this.int(65536).toString(16)}`, '::']);
        break;
      case 'NS':
      case 'CNAME':
      case 'PTR':
        data = this.name(zone);
        break;
      case 'MX':
        data = { preference: this.int(65536), exchange: this.name(zone) };
        break;
      case 'TXT': {
        const n = 1 + this.int(3);
        const list: Buffer[] = [];
        for (let i = 0; i < n; i++) list.push(this.bytes(this.int(60)));
        data = list;
        break;
      }
      case 'SOA':
        data = {
          mname: this.name(zone),
          rname: this.name(zone),
          serial: this.rnd.below(0x100000000),
          refresh: this.int(100000),
          retry: this.int(100000),
          expire: this.int(10000000),
          minimum: this.int(86400),
        };
        break;
      case 'SRV':
        data = { priority: this.int(65536), weight: this.int(65536), port: this.int(65536), target: this.name(zone) };
        break;
      case 'CAA':
        data = { flags: this.pick([0, 128]), tag: this.pick(['issue', 'issuewild', 'iodef']), value: this.pick(['letsencrypt.org', 'mailto:x@example.com', '']) };
        break;
      case 'DS':
        data = { keyTag: this.int(65536), algorithm: this.pick([8, 13, 15]), digestType: this.pick([1, 2, 4]), digest: this.bytes(this.pick([20, 32, 48])) };
        break;
      case 'DNSKEY':
        data = { flags: this.pick([256, 257]), algorithm: this.pick([8, 13, 15]), key: this.bytes(this.pick([32, 64, 260])) };
        break;
      case 'RRSIG':
        data = {
          typeCovered: this.pick(['A', 'NS', 'SOA', 'DNSKEY', 'NSEC']),
          algorithm: this.pick([8, 13]),
          labels: this.int(5),
          originalTTL: this.int(86400),
          expiration: this.rnd.below(0x100000000),
          inception: this.rnd.below(0x100000000),
          keyTag: this.int(65536),
          signersName: zone,
          signature: this.bytes(this.pick([64, 256])),
        };
        break;
      case 'NSEC':
        data = { nextDomain: this.name(zone), rrtypes: this.types() };
        break;
      case 'NSEC3':
        data = {
          algorithm: 1,
          flags: this.int(2),
          iterations: this.int(20),
          salt: this.bytes(this.pick([0, 4, 8])),
          nextDomain: this.bytes(20),
          rrtypes: this.types(),
        };
        break;
    }
    return { type, name, ttl, class: 'IN', data };
  }
  packet(id: number): Loose {
    const zone = this.pick(['example.com', 'example', 'sub.example.org', 'test']);
    const section = (max: number): Loose[] => {
      const out: Loose[] = [];
      const n = this.int(max + 1);
      for (let i = 0; i < n; i++) out.push(this.record(zone));
      return out;
    };
    const additionals = section(4);
    if (this.int(2) === 0) {
      const options: Loose[] = [];
      if (this.int(2) === 0) options.push({ code: 10, data: this.bytes(this.pick([8, 16, 24])) });
      if (this.int(2) === 0) options.push({ code: 15, data: Buffer.concat([Buffer.from([0, 6]), Buffer.from('t1: bogus')]) });
      if (this.int(3) === 0) options.push({ code: 65001, data: this.bytes(this.int(10)) });
      additionals.push({ type: 'OPT', name: '.', udpPayloadSize: this.pick([512, 1232, 4096]), flags: this.pick([0, dnsPacket.DNSSEC_OK]), options });
    }
    return {
      type: 'response',
      id,
      flags: this.pick([0, dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, dnsPacket.AUTHORITATIVE_ANSWER, dnsPacket.AUTHENTIC_DATA | dnsPacket.CHECKING_DISABLED]),
      questions: [{ type: this.pick(['A', 'AAAA', 'MX', 'DNSKEY', 'NS']), name: this.name(zone), class: 'IN' }],
      answers: section(5),
      authorities: section(3),
      additionals,
    };
  }
}

// ---- Neutral forms of both decoders' records --------------------------------------------------

function neutralOurs(rr: ResourceRecord): string {
  const f = decodeRdata(rr.type, rr.rdata) as Record<string, unknown>;
  const n = (k: string): string => ourName(f[k] as Name);
  let d: string;
  switch (rr.type) {
    case RRType.A:
      d = str(f.address);
      break;
    case RRType.AAAA:
      d = hex(ipv6FromText(str(f.address)));
      break;
    case RRType.NS:
      d = n('host');
      break;
    case RRType.CNAME:
    case RRType.PTR:
      d = n('target');
      break;
    case RRType.MX:
      d = `${str(f.preference)} ${n('exchange')}`;
      break;
    case RRType.TXT:
      d = (f.strings as Uint8Array[]).map(hex).join(',');
      break;
    case RRType.SOA:
      d = [n('mname'), n('rname'), f.serial, f.refresh, f.retry, f.expire, f.minimum].map(str).join(' ');
      break;
    case RRType.SRV:
      d = [f.priority, f.weight, f.port, n('target')].map(str).join(' ');
      break;
    case RRType.CAA:
      d = [str(f.flags), Buffer.from(f.tag as Uint8Array).toString(), Buffer.from(f.value as Uint8Array).toString()].join(' ');
      break;
    case RRType.DS:
      d = [f.keyTag, f.algorithm, f.digestType, hex(f.digest as Uint8Array)].map(str).join(' ');
      break;
    case RRType.DNSKEY:
      d = [f.flags, f.algorithm, hex(f.publicKey as Uint8Array)].map(str).join(' ');
      break;
    case RRType.RRSIG:
      d = [f.typeCovered, f.algorithm, f.labels, f.originalTtl, f.expiration, f.inception, f.keyTag, n('signerName'), hex(f.signature as Uint8Array)]
        .map(str)
        .join(' ');
      break;
    case RRType.NSEC:
      d = `${n('next')} ${(f.types as number[]).join(',')}`;
      break;
    case RRType.NSEC3:
      d = [f.hashAlgorithm, f.flags, f.iterations, hex(f.salt as Uint8Array), hex(f.nextHashed as Uint8Array), (f.types as number[]).join(',')]
        .map(str)
        .join(' ');
      break;
    default:
      d = hex(rr.rdata);
  }
  return `${ourName(rr.name)} ${rr.type} ${rr.class} ${rr.ttl} ${d}`;
}

function neutralDp(a: Loose): string {
  const type = dpType(a.type);
  const f = a.data as Loose;
  const types = (v: unknown): string => (v as unknown[]).map(dpType).sort((x, y) => x - y).join(',');
  let d: string;
  switch (type) {
    case RRType.A:
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
      d = str(a.data);
      break;
    case RRType.AAAA:
      d = hex(ipv6FromText(str(a.data)));
      break;
    case RRType.MX:
      d = `${str(f.preference)} ${str(f.exchange)}`;
      break;
    case RRType.TXT:
      d = (a.data as Uint8Array[]).map(hex).join(',');
      break;
    case RRType.SOA:
      d = [f.mname, f.rname, f.serial, f.refresh, f.retry, f.expire, f.minimum].map(str).join(' ');
      break;
    case RRType.SRV:
      d = [f.priority, f.weight, f.port, f.target].map(str).join(' ');
      break;
    case RRType.CAA:
      d = [f.flags, f.tag, f.value].map(str).join(' ');
      break;
    case RRType.DS:
      d = [f.keyTag, f.algorithm, f.digestType, hex(buf(f.digest))].map(str).join(' ');
      break;
    case RRType.DNSKEY:
      d = [f.flags, f.algorithm, hex(buf(f.key))].map(str).join(' ');
      break;
    case RRType.RRSIG:
      d = [dpType(f.typeCovered), f.algorithm, f.labels, f.originalTTL, f.expiration, f.inception, f.keyTag, f.signersName, hex(buf(f.signature))]
        .map(str)
        .join(' ');
      break;
    case RRType.NSEC:
      d = `${str(f.nextDomain)} ${types(f.rrtypes)}`;
      break;
    case RRType.NSEC3:
      d = [f.algorithm, f.flags, f.iterations, hex(buf(f.salt)), hex(buf(f.nextDomain)), types(f.rrtypes)].map(str).join(' ');
      break;
    default:
      d = hex(buf(a.data));
  }
  return `${str(a.name)} ${type} 1 ${num(a.ttl)} ${d}`;
}

function compare(ours: Message, dp: Loose, label: string): void {
  assert.equal(ours.id, dp.id, label);
  const dq = (dp.questions as Loose[]).map((q) => `${str(q.name)} ${dpType(q.type)}`);
  assert.deepEqual(
    ours.question.map((q) => `${ourName(q.name)} ${q.type}`),
    dq,
    label,
  );
  for (const [mine, theirs] of [
    [ours.answer, dp.answers],
    [ours.authority, dp.authorities],
    [ours.additional, (dp.additionals as Loose[]).filter((a) => a.type !== 'OPT')],
  ] as const) {
    assert.deepEqual(mine.map(neutralOurs), (theirs as Loose[]).map(neutralDp), label);
  }
  const opt = (dp.additionals as Loose[]).find((a) => a.type === 'OPT');
  if (opt === undefined) {
    assert.equal(ours.edns, undefined, label);
  } else {
    assert.ok(ours.edns !== undefined, label);
    assert.equal(ours.edns.udpSize, opt.udpPayloadSize, label);
    assert.equal(ours.edns.flags, opt.flags, label);
    assert.deepEqual(
      ours.edns.options.map((o) => `${o.code}:${hex(o.data)}`),
      (opt.options as Loose[]).map((o) => `${str(o.code)}:${hex(buf(o.data))}`),
      label,
    );
  }
  assert.deepEqual(ours.malformed, [], label);
  assert.equal(ours.formErr, undefined, label);
}

test('differential: 400 dns-packet-built messages decode to the same records, both ways', () => {
  const g = new Gen(20240601);
  let records = 0;
  for (let i = 0; i < 400; i++) {
    const packet = g.packet(i);
    const bytes = dnsPacket.encode(packet);
    const theirs = dnsPacket.decode(bytes) as unknown as Loose;
    const ours = decodeMessage(bytes);
    compare(ours, theirs, `message ${i}`);
    records += ours.answer.length + ours.authority.length + ours.additional.length;
    // Our encoder (with compression) read back by dns-packet and by us.
    const again = encodeMessage(ours).bytes;
    assert.ok(again.length <= bytes.length, `message ${i}: compression never grows a message`);
    compare(ours, dnsPacket.decode(Buffer.from(again)) as unknown as Loose, `message ${i} re-encoded`);
    compare(decodeMessage(again), theirs, `message ${i} re-decoded`);
  }
  assert.ok(records > 2000, `${records} records compared`);
});

// ---- dns-packet defects, and what we do instead -----------------------------------------------

function aResponse(): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: 1,
    questions: [{ type: 'A', name: 'a.example' }],
    answers: [{ type: 'A', name: 'a.example', ttl: 60, data: '192.0.2.1' }],
  });
}

test('defect: a short A record decodes as "1.1.undefined.undefined" in dns-packet', () => {
  const full = aResponse();
  // RDLENGTH 2 and only two octets of address.
  const short = Buffer.concat([full.subarray(0, full.length - 6), Buffer.from([0, 2, 1, 1])]);
  const theirs = dnsPacket.decode(short).answers?.[0] as unknown as Loose;
  assert.equal(theirs.data, '1.1.undefined.undefined');
  // Ours: the record frames correctly, so the message stands, but the record is set aside.
  const ours = decodeMessage(short);
  assert.equal(ours.answer.length, 0);
  assert.equal(ours.malformed.length, 1);
  assert.equal(ours.malformed[0]!.type, RRType.A);
  assert.match(ours.malformed[0]!.reason, /overruns/);
  // The same record cut off by the end of the message (RDLENGTH 4): dns-packet still answers,
  // we refuse the message because its framing is broken.
  const cut = full.subarray(0, full.length - 2);
  assert.equal((dnsPacket.decode(cut).answers?.[0] as unknown as Loose).data, '192.0.undefined.undefined');
  assert.throws(() => decodeMessage(cut), /RDATA overruns the message/);
});

test('defect: one 2-octet DNSKEY makes dns-packet reject the whole message', () => {
  const base = dnsPacket.encode({
    type: 'response',
    id: 2,
    answers: [{ type: 'A', name: 'x.example', ttl: 60, data: '192.0.2.1' }],
  });
  const withKey = Buffer.concat([base, Buffer.from([1, 0x79, 0, 0, 48, 0, 1, 0, 0, 0, 60, 0, 2, 1, 0])]);
  withKey[7] = 2; // ANCOUNT
  assert.throws(() => dnsPacket.decode(withKey), RangeError);
  const ours = decodeMessage(withKey);
  assert.equal(ours.answer.length, 1);
  assert.equal(ours.answer[0]!.type, RRType.A);
  assert.deepEqual(
    ours.malformed.map((m) => m.type),
    [RRType.DNSKEY],
  );
});

test('defect: dns-packet corrupts escaped and non-UTF-8 labels', () => {
  // A label holding a dot: "a.b" under example. dns-packet decodes "a.b.example", and its
  // re-encoding has three labels: a different name.
  const dotted = Buffer.from('00030100000100000000000003612e62076578616d706c650000010001', 'hex');
  const theirs = dnsPacket.decode(dotted);
  assert.equal(theirs.questions?.[0]?.name, 'a.b.example');
  const back = dnsPacket.encode(theirs);
  assert.notDeepEqual(back, dotted);
  assert.equal(back.length, dotted.length);
  assert.equal(back[12], 1, 'first label became "a"');
  const ours = decodeMessage(dotted);
  assert.equal(ours.question[0]!.name.labelCount, 2);
  assert.equal(ours.question[0]!.name.toString(), 'a\\.b.example.');
  assert.deepEqual(encodeMessage(ours).bytes, new Uint8Array(dotted));
  // Escapes are not understood on encode either: "a\.b" becomes the labels "a\" and "b".
  const esc = dnsPacket.encode({ type: 'query', id: 3, questions: [{ type: 'A', name: 'a\\.b.example' }] });
  assert.deepEqual([...esc.subarray(12, 17)], [2, 0x61, 0x5c, 1, 0x62]);
  // A non-UTF-8 octet becomes U+FFFD, re-encoded as three octets.
  const raw = Buffer.from('0003010000010000000000000361ff62076578616d706c650000010001', 'hex');
  const t2 = dnsPacket.decode(raw);
  assert.equal(t2.questions?.[0]?.name, 'a\ufffdb.example');
  const back2 = dnsPacket.encode(t2);
  assert.equal(back2[12], 5, 'the 3-octet label became 5 octets');
  const o2 = decodeMessage(raw);
  assert.equal(o2.question[0]!.name.toString(), 'a\\255b.example.');
  assert.deepEqual(encodeMessage(o2).bytes, new Uint8Array(raw));
});

test('defect: dns-packet ignores RFC 2181 §8 and accepts pointers into the header', () => {
  const full = aResponse();
  full.writeUInt32BE(0x80000001, full.length - 10);
  assert.equal((dnsPacket.decode(full).answers?.[0] as unknown as Loose).ttl, 0x80000001);
  assert.equal(decodeMessage(full).answer[0]!.ttl, 0);
  const hdr = Buffer.from('000001000001000000000000c00000010001', 'hex');
  assert.equal(dnsPacket.decode(hdr).questions?.[0]?.name, '.');
  assert.throws(() => decodeMessage(hdr), /into the header/);
});

test('defect: dns-packet reads the class top bit as mDNS "flush" and never compresses', () => {
  const full = aResponse();
  full.writeUInt16BE(0x8001, full.length - 12);
  const theirs = dnsPacket.decode(full).answers?.[0] as unknown as Loose;
  assert.equal(theirs.class, 'IN');
  assert.equal(theirs.flush, true);
  assert.equal(decodeMessage(full).answer[0]!.class, 0x8001);
  // The owner repeats the question name, yet dns-packet writes it out in full.
  const owner = Buffer.from([1, 0x61, 7, ...Buffer.from('example'), 0]);
  assert.equal(full.indexOf(owner, 12 + owner.length), 12 + owner.length + 4, 'owner written in full after the question');
  assert.equal(encodeMessage(decodeMessage(aResponse())).bytes.length, aResponse().length - 9);
});
