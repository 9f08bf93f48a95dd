// Unit tests of the replay runner's parts (FORMAT.md rules): macros, entry messages and ADJUST,
// MATCH in both dialects and both verdicts, config mapping, the RFC 5011 state-file adapter, and
// small end-to-end scenarios through the real resolver.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileError } from '../../src/core/errors.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { compareState, parseStateFile, stateFromFile } from '../../src/server/replay/autotrust.js';
import { mapConfig } from '../../src/server/replay/config-map.js';
import { adjustedReply, entryQueryBytes } from '../../src/server/replay/entry-message.js';
import { ctime, evalNumber, expandMacros, MacroError, type MacroContext } from '../../src/server/replay/macro.js';
import { compareMessage } from '../../src/server/replay/match.js';
import { parseScenario } from '../../src/server/replay/rpl-parser.js';
import { runScenario } from '../../src/server/replay/runner.js';
import { Dialect, type Entry, type Scenario } from '../../src/server/replay/scenario.js';
import { decodeMessage, type Message } from '../../src/wire/message.js';

const crypto = createNodeBackend();

function macros(vars: Record<string, number> = {}, time = 1000, timeout = 42): MacroContext {
  return { vars: new Map(Object.entries(vars)), time: () => time, timeout: () => timeout };
}

/** The first entry of a one-range scenario built around `body`. */
function entryOf(body: string, dialect: Dialect): Entry {
  const cfg = dialect === Dialect.deckard ? 'stub-addr: 1.2.3.4\n' : 'server:\n';
  const s = parseScenario(`${cfg}CONFIG_END\nSCENARIO_BEGIN t\nRANGE_BEGIN 0 100\nENTRY_BEGIN\n${body}\nENTRY_END\nRANGE_END\nSTEP 1 TRAFFIC\nSCENARIO_END\n`, {
    file: 't.rpl',
    dialect,
  });
  return s.ranges[0]!.entries[0]!;
}

function message(body: string, dialect: Dialect, id = 0): Message {
  return decodeMessage(entryQueryBytes(entryOf(body, dialect), dialect, id));
}

describe('macros', () => {
  it('evaluates left to right, nests, and knows time, timeout, ctime and range', () => {
    const m = macros({ a: 10, b: 3 });
    assert.equal(evalNumber('${2 + 3 * 4}', m), 20, 'no precedence: (2+3)*4');
    assert.equal(evalNumber('${$a - ${$b * 2}}', m), 4);
    assert.equal(expandMacros('t=${time} to=${timeout}', m), 't=1000 to=42');
    assert.equal(evalNumber('${range 40 ${timeout} 50}', m), 42);
    assert.throws(() => evalNumber('${range 50 ${timeout} 60}', m), MacroError);
    assert.throws(() => evalNumber('${$missing}', m), MacroError);
    assert.equal(ctime(1251100000), 'Mon Aug 24 07:46:40 2009');
    assert.equal(expandMacros('${ctime $a * 0 + 1251100000}', m), 'Mon Aug 24 07:46:40 2009');
  });
});

describe('entry messages and ADJUST', () => {
  const q = 'REPLY RD\nSECTION QUESTION\nWWW.Example.COM. IN A';
  it('D entries always carry EDNS 0/4096; U entries only with DO', () => {
    assert.equal(message(q, Dialect.deckard).edns?.udpSize, 4096);
    assert.equal(message(q, Dialect.unbound).edns, undefined);
    const u = message(`REPLY RD DO\nSECTION QUESTION\nwww.example.com. IN A`, Dialect.unbound);
    assert.equal(u.edns?.udpSize, 1232);
    assert.ok(u.edns.dnssecOk, 'U DO sets the DO bit');
  });
  it('copy_id takes the query ID and (D) the query name with its case; copy_query the question', () => {
    const query = message(q, Dialect.deckard, 4321);
    const body = 'MATCH opcode subdomain\nADJUST copy_id\nREPLY QR NOERROR\nSECTION QUESTION\nexample.com. IN NS';
    const d = decodeMessage(adjustedReply(entryOf(body, Dialect.deckard), Dialect.deckard, query)!);
    assert.equal(d.id, 4321);
    assert.equal(d.question[0]!.name.toString(), 'WWW.Example.COM.');
    assert.equal(d.question[0]!.type, 2, 'D copy_id keeps the entry qtype');
    const cq = decodeMessage(adjustedReply(entryOf(body.replace('copy_id', 'copy_id copy_query'), Dialect.unbound), Dialect.unbound, query)!);
    assert.equal(cq.question[0]!.type, 1, 'copy_query copies the whole question');
    assert.equal(adjustedReply(entryOf(body.replace('copy_id', 'do_not_answer'), Dialect.deckard), Dialect.deckard, query), undefined);
  });
});

describe('MATCH', () => {
  const base = 'SECTION QUESTION\nwww.example.com. IN A\nSECTION ANSWER\nwww.example.com. IN A 1.1.1.1\nwww.example.com. IN A 2.2.2.2';
  const swapped = 'SECTION QUESTION\nwww.example.com. IN A\nSECTION ANSWER\nwww.example.com. IN A 2.2.2.2\nwww.example.com. IN A 1.1.1.1';
  it('qname is case-insensitive in D and case-sensitive in strict U', () => {
    const upper = message('SECTION QUESTION\nWWW.EXAMPLE.COM. IN A', Dialect.unbound);
    const e = (d: Dialect): Entry => entryOf('MATCH qname\nSECTION QUESTION\nwww.example.com. IN A', d);
    assert.equal(compareMessage(e(Dialect.deckard), Dialect.deckard, { msg: upper, tcp: false }, 'strict'), undefined);
    assert.match(compareMessage(e(Dialect.unbound), Dialect.unbound, { msg: upper, tcp: false }, 'strict') ?? '', /qname/);
    assert.equal(compareMessage(e(Dialect.unbound), Dialect.unbound, { msg: upper, tcp: false }, 'relaxed'), undefined);
  });
  it('U all is order-sensitive strictly, a multiset relaxed; D answer is a set', () => {
    const got = message(`REPLY QR\n${swapped}`, Dialect.unbound);
    const u = entryOf(`MATCH all\nREPLY QR\n${base}`, Dialect.unbound);
    assert.match(compareMessage(u, Dialect.unbound, { msg: got, tcp: false }, 'strict') ?? '', /another order/);
    assert.equal(compareMessage(u, Dialect.unbound, { msg: got, tcp: false }, 'relaxed'), undefined);
    const d = entryOf(`MATCH answer\n${base}`, Dialect.deckard);
    assert.equal(compareMessage(d, Dialect.deckard, { msg: message(swapped, Dialect.deckard), tcp: false }, 'strict'), undefined);
  });
  it('relaxed leaves out AUTHORITY when the expected ANSWER has records, and TC', () => {
    const exp = entryOf(`MATCH all\nREPLY QR TC\n${base}\nSECTION AUTHORITY\nexample.com. IN NS ns.example.com.`, Dialect.unbound);
    const got = message(`REPLY QR\n${base}`, Dialect.unbound);
    assert.ok(compareMessage(exp, Dialect.unbound, { msg: got, tcp: false }, 'strict') !== undefined, 'strict sees the missing NS and TC');
    assert.equal(compareMessage(exp, Dialect.unbound, { msg: got, tcp: false }, 'relaxed'), undefined);
  });
  it('TCP, DO and noedns look at the transport and the OPT record', () => {
    const e = entryOf('MATCH TCP DO\nSECTION QUESTION\nwww.example.com. IN A', Dialect.unbound);
    const withDo = message('REPLY DO\nSECTION QUESTION\nwww.example.com. IN A', Dialect.unbound);
    assert.equal(compareMessage(e, Dialect.unbound, { msg: withDo, tcp: true }, 'strict'), undefined);
    assert.match(compareMessage(e, Dialect.unbound, { msg: withDo, tcp: false }, 'strict') ?? '', /TCP/);
  });
});

describe('config mapping', () => {
  const parse = (cfg: string, dialect: Dialect): Scenario =>
    parseScenario(`${cfg}CONFIG_END\nSCENARIO_BEGIN t\nSTEP 1 TRAFFIC\nSCENARIO_END\n`, { file: 't.rpl', dialect });
  it('D: stub-addr, trust anchor, date; absent query-minimization runs both ways', () => {
    const s = mapConfig(parse('stub-addr: 193.0.14.129 # K\ntrust-anchor: ". IN DS 19036 8 2 49aac11d7b6f6446702e54a1607371607a1a41855200fd2ce1cdde32f24e8fb5"\nval-override-date: "20170228130000"\ndo-ip6: no\n', Dialect.deckard));
    assert.deepEqual(s.qnameMinimisation, [true, false]);
    assert.equal(s.rootHints.length, 2);
    assert.equal(s.trustAnchors.length, 1);
    assert.equal(s.startMs, Date.UTC(2017, 1, 28, 13, 0, 0));
    assert.equal(s.ipv6, false);
    assert.equal(s.qnameMinimisationHideQtype, false, 'Knot Resolver asks the real QTYPE at the last label');
    assert.equal(s.qnameMinimisationQtype, 'NS', 'Knot Resolver minimises with QTYPE NS');
  });
  it('U: stub-zone for the root and below, Unbound defaults, domain-insecure, harden-glue', () => {
    const s = mapConfig(parse('server:\n\tqname-minimisation: "no"\n\tede: yes\n\tdomain-insecure: "x."\nstub-zone:\n\tname: "."\n\tstub-addr: 193.0.14.129\nstub-zone:\n\tname: "example.com"\n\tstub-addr: 1.2.3.4\n', Dialect.unbound));
    assert.deepEqual(s.qnameMinimisation, [false]);
    assert.ok(s.ede, 'ede: yes');
    assert.equal(s.startMs, 0, 'U clock starts at 0 without an override date');
    assert.equal(s.nsec3MaxIterations, 150);
    assert.deepEqual(s.negativeTrustAnchors.map((x) => x.toString()), ['x.'], 'domain-insecure is a negative trust anchor');
    assert.deepEqual(
      s.stubZones.map((z) => `${z.zone.toString()} ${z.addresses.join(',')}`),
      ['example.com. 1.2.3.4'],
      'the stub zone below the root with its address',
    );
    assert.ok(s.hardenGlue, 'harden-glue defaults to yes');
    assert.equal(s.qnameMinimisationHideQtype, true, 'Unbound asks the whole name with QTYPE A first');
    assert.equal(s.qnameMinimisationQtype, 'A', 'Unbound minimises with QTYPE A');
    assert.equal(s.minimalResponses, true, 'Unbound\'s minimal-responses default is yes');
    assert.equal(mapConfig(parse('server:\n\tminimal-responses: no\n', Dialect.unbound)).minimalResponses, false, 'minimal-responses: no maps');
    assert.ok(!s.unsupported.some((u) => u.startsWith('domain-insecure') || u.startsWith('stub-zone')), s.unsupported.join('; '));
  });
  it('an unknown Deckard key is a FileError at its line', () => {
    assert.throws(() => mapConfig(parse('stub-addr: 1.2.3.4\nbogus-key: 1\n', Dialect.deckard)), (e: unknown) => e instanceof FileError && e.line === 2);
  });
});

describe('RFC 5011 state files', () => {
  const key = 'example.com.\t10800\tIN\tDNSKEY\t257 3 5 AwEAAc3Z5DQDJpH4oPdNtC4BUQHk50XMD+dHr4r8psHmivIa83hxR5CRgCtd9sENCW9Ae8OIO19xw9t/RPaEAqQa+OE= ;{id = 55582 (ksk), size = 512b}';
  const file = [
    '; autotrust trust anchor file',
    ';;id: example.com. 1',
    ';;last_queried: 1251100000 ;;Mon Aug 24 07:46:40 2009',
    ';;last_success: 1251100000 ;;Mon Aug 24 07:46:40 2009',
    ';;next_probe_time: 1251105400 ;;x',
    ';;query_failed: 0',
    ';;query_interval: 5400',
    ';;retry_time: 3600',
    `${key} ;;state=1 [ ADDPEND ] ;;count=1 ;;lastchange=1251100000 ;;x`,
  ];
  it('reads Unbound state and compares it as state', () => {
    const p = parseStateFile(file);
    assert.ok(p.stateful, 'stateful');
    assert.equal(p.header.get('next_probe_time'), 1251105400);
    const st = stateFromFile('example.com', file, 't.rpl', 1);
    assert.equal(st.keys[0]!.state, 'addpend');
    assert.equal(st.keys[0]!.holdDownEnd, 1251100000 + 30 * 86400);
    assert.equal(compareState(st, file, 'strict'), undefined);
    const valid = file.map((l) => l.replace(';;state=1 [ ADDPEND ]', ';;state=2 [  VALID  ]'));
    assert.match(compareState(st, valid, 'relaxed') ?? '', /expected state valid/);
    const later = file.map((l) => l.replace('next_probe_time: 1251105400', 'next_probe_time: 1'));
    assert.equal(compareState(st, later, 'relaxed'), undefined);
    assert.match(compareState(st, later, 'strict') ?? '', /next_probe_time/);
  });
  it('plain DNSKEY lines are initial keys, Valid before the first probe', () => {
    const st = stateFromFile('example.com', [key], 't.rpl', 1);
    assert.equal(st.keys[0]!.state, 'valid');
    assert.equal(st.nextRefresh, 0);
  });
});

describe('runner', () => {
  const U = `server:
	qname-minimisation: no
stub-zone:
	name: "."
	stub-addr: 193.0.14.129
CONFIG_END
SCENARIO_BEGIN end to end
RANGE_BEGIN 0 100
	ADDRESS 193.0.14.129
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
. IN NS
SECTION ANSWER
. IN NS K.ROOT-SERVERS.NET.
SECTION ADDITIONAL
K.ROOT-SERVERS.NET. IN A 193.0.14.129
ENTRY_END
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
www.example.com. IN A
SECTION ANSWER
www.example.com. IN A 10.0.0.1
ENTRY_END
RANGE_END
STEP 1 QUERY
ENTRY_BEGIN
REPLY RD
SECTION QUESTION
www.example.com. IN A
ENTRY_END
STEP 10 CHECK_ANSWER
ENTRY_BEGIN
MATCH all
REPLY QR RD RA NOERROR
SECTION QUESTION
www.example.com. IN A
SECTION ANSWER
www.example.com. IN A 10.0.0.1
ENTRY_END
SCENARIO_END
`;
  it('passes a scripted resolution both ways', async () => {
    const o = await runScenario(parseScenario(U, { file: 'unbound/t.rpl', dialect: Dialect.unbound }), { crypto });
    assert.ok(o.relaxed.pass && o.strict.pass, JSON.stringify([o.relaxed, o.strict]));
  });
  it('fails a wrong expectation at its step, in both verdicts', async () => {
    const o = await runScenario(parseScenario(U.replace('IN A 10.0.0.1\nENTRY_END\nSCENARIO_END', 'IN A 10.0.0.2\nENTRY_END\nSCENARIO_END'), { file: 'unbound/t.rpl', dialect: Dialect.unbound }), { crypto });
    const f = o.relaxed.failure;
    assert.ok(f !== undefined, 'the relaxed verdict fails');
    assert.equal(f.step, 10);
    assert.match(f.reason, /answer/);
    assert.ok(!o.strict.pass, 'strict fails too');
  });
  it('an unscripted query times out at once: relaxed judges the checks, strict fails', async () => {
    const text = U.replace('SECTION QUESTION\nwww.example.com. IN A\nSECTION ANSWER\nwww.example.com. IN A 10.0.0.1\nENTRY_END\nRANGE_END', 'SECTION QUESTION\nwww.example.com. IN A\nSECTION ANSWER\nwww.example.com. IN A 10.0.0.1\nENTRY_END\nRANGE_END')
      .replace('STEP 10 CHECK_ANSWER\nENTRY_BEGIN\nMATCH all\nREPLY QR RD RA NOERROR', 'STEP 10 CHECK_ANSWER\nENTRY_BEGIN\nMATCH all\nREPLY QR RD RA SERVFAIL')
      .replace('www.example.com. IN A\nENTRY_END\nSTEP 10', 'nowhere.example.com. IN A\nENTRY_END\nSTEP 10')
      .replace('SECTION QUESTION\nwww.example.com. IN A\nSECTION ANSWER\nwww.example.com. IN A 10.0.0.1\nENTRY_END\nSCENARIO_END', 'SECTION QUESTION\nnowhere.example.com. IN A\nENTRY_END\nSCENARIO_END');
    const o = await runScenario(parseScenario(text, { file: 'unbound/t.rpl', dialect: Dialect.unbound }), { crypto });
    assert.ok(o.relaxed.pass, JSON.stringify(o.relaxed));
    assert.ok(!o.strict.pass && /unscripted/.test(o.strict.failure?.reason ?? ''), JSON.stringify(o.strict));
    assert.ok(o.variants.reduce((n, v) => n + v.unscriptedCount, 0) > 0, 'unscripted queries counted');
  });
});
