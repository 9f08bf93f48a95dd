// The demo world end to end (issue 5, "The demo world"): start it in-process on a random 127/8
// base with free ports, take the dig lines it prints, send each as a DO query over UDP, and check
// the outcome against this file's own table (not the demo's): secure names NOERROR + AD, the
// NSEC/NSEC3 denials with AD, the insecure name without AD, every bogus name SERVFAIL with its
// EDE. One printed line is also run through `dig` itself, verbatim. Then the key folder is
// reused by a second start (same trust anchor, no key made) and `anchord demo` runs as a command.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoWorld, type DemoWorld } from '../../src/server/demo-world.js';
import { runDemo } from '../../src/cli/commands/demo.js';
import { EdeCode, Rcode, RRType, typeFromString } from '../../src/wire/constants.js';
import { extendedErrors } from '../../src/wire/edns.js';
import { decodeMessage, encodeMessage, makeQuery, type Message } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';

interface Expect {
  readonly rcode: number;
  readonly ad: boolean;
  /** The answer ends in records of the asked type. */
  readonly data: boolean;
  readonly ede?: number;
  readonly aa?: boolean;
}

const SECURE: Expect = { rcode: Rcode.NOERROR, ad: true, data: true };
const BOGUS = (ede: number): Expect => ({ rcode: Rcode.SERVFAIL, ad: false, data: false, ede });

/** What each printed query must give: `name type flags`. */
const EXPECTED: ReadonlyMap<string, Expect> = new Map([
  ['www.secure.test A', SECURE],
  ['anything.wild.secure.test A', SECURE],
  ['alias.secure.test A', SECURE],
  ['www.nsec3.test A', SECURE],
  ['www.rsa.demo TXT', SECURE],
  ['nothere.nsec3.test A', { rcode: Rcode.NXDOMAIN, ad: true, data: false }],
  ['nothere.secure.test A', { rcode: Rcode.NXDOMAIN, ad: true, data: false }],
  ['www.secure.test TXT', { rcode: Rcode.NOERROR, ad: true, data: false }],
  ['www.insecure.test A', { rcode: Rcode.NOERROR, ad: false, data: true }],
  ['to-insecure.secure.test A', { rcode: Rcode.NOERROR, ad: false, data: true }],
  ['to-bogus.secure.test A', BOGUS(EdeCode.DNSSEC_BOGUS)],
  ['www.expired.test A', BOGUS(EdeCode.SIGNATURE_EXPIRED)],
  ['www.badds.test A', BOGUS(EdeCode.DNSKEY_MISSING)],
  ['www.badsig.test A', BOGUS(EdeCode.DNSSEC_BOGUS)],
  ['www.nosig.test A', BOGUS(EdeCode.DNSKEY_MISSING)],
  ['www.badsig.test A +cd', { rcode: Rcode.NOERROR, ad: false, data: true }],
  ['. DNSKEY +norec', { rcode: Rcode.NOERROR, ad: false, data: true, aa: true }],
]);

interface DigLine {
  readonly line: string;
  readonly server: string;
  readonly port: number;
  readonly name: string;
  readonly type: string;
  readonly flags: readonly string[];
  readonly key: string;
}

/** `dig @ADDR [-p PORT] NAME TYPE +dnssec [+flag...]`, as a user would type it. */
function parseDig(line: string): DigLine {
  const words = line.trim().split(/\s+/);
  assert.equal(words[0], 'dig', `a dig line starts with dig: ${line}`);
  let server = '';
  let port = 53;
  const rest: string[] = [];
  const flags: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('@')) server = w.slice(1);
    else if (w === '-p') port = Number(words[++i]);
    else if (w.startsWith('+')) flags.push(w);
    else rest.push(w);
  }
  assert.ok(server !== '' && Number.isInteger(port) && rest.length === 2, `dig line has @server, -p and NAME TYPE: ${line}`);
  assert.ok(flags.includes('+dnssec'), `dig line asks for DNSSEC records: ${line}`);
  const [name, type] = rest as [string, string];
  const extra = flags.filter((f) => f !== '+dnssec');
  return { line, server, port, name, type, flags: extra, key: [name, type, ...extra].join(' ') };
}

let idCounter = 1;

/** One query over UDP with DO (and CD / no RD as the dig flags say); a reply or a failure. */
function ask(d: DigLine): Promise<Message> {
  const type = typeFromString(d.type);
  assert.ok(type !== undefined, `known type ${d.type}`);
  const id = idCounter++ & 0xffff;
  const query = encodeMessage(makeQuery(Name.parse(d.name, Name.ROOT), type, { id, rd: !d.flags.includes('+norec'), do: true, cd: d.flags.includes('+cd') })).bytes;
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    // A bound on a lost datagram only; no assertion is about time.
    const guard = setTimeout(() => {
      socket.close();
      reject(new Error(`no answer to ${d.line}`));
    }, 15_000);
    socket.on('message', (msg) => {
      const m = decodeMessage(msg);
      if (m.id !== id) return;
      clearTimeout(guard);
      socket.close();
      resolve(m);
    });
    socket.send(query, d.port, d.server);
  });
}

function checkAnswer(d: DigLine, m: Message, e: Expect): void {
  const ede = extendedErrors(m.edns?.options ?? []);
  const what = `${d.key}: rcode ${m.rcode} ad ${String(m.flags.ad)} answer ${m.answer.length} EDE ${ede.map((x) => `${x.infoCode} ${x.extraText}`).join('; ')}`;
  assert.equal(m.rcode, e.rcode, `rcode of ${what}`);
  assert.equal(m.flags.ad, e.ad, `AD flag of ${what}`);
  const type = typeFromString(d.type)!;
  const hasData = m.answer.some((r) => r.type === type && r.name.equals(m.answer.at(-1)!.name));
  assert.equal(hasData, e.data, `answer data of ${what}`);
  if (e.data && type !== RRType.CNAME) assert.ok(m.answer.at(-1)!.type === type || m.answer.at(-1)!.type === RRType.RRSIG, `the answer ends in ${d.type} or its RRSIG: ${what}`);
  if (e.ede !== undefined) assert.ok(ede.some((x) => x.infoCode === e.ede), `EDE ${e.ede} expected: ${what}`);
  else assert.equal(ede.length, 0, `no EDE expected: ${what}`);
  if (e.aa !== undefined) assert.equal(m.flags.aa, e.aa, `AA flag of ${what}`);
}

/** A base in 127/8 nobody else in this test run uses. */
function randomBase(): string {
  return `127.${100 + Math.floor(Math.random() * 150)}.${1 + Math.floor(Math.random() * 250)}`;
}

/** Runs a printed dig line as it is, word for word (no shell: the line has no quoting). */
function runDig(line: string): Promise<string> {
  const words = line.split(' ');
  return new Promise((resolve, reject) => {
    execFile(words[0]!, words.slice(1), { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${line}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function hasDig(): boolean {
  return spawnSync('sh', ['-c', 'command -v dig'], { encoding: 'utf8' }).status === 0;
}

describe('anchord demo world', () => {
  let keyDir = '';
  let world: DemoWorld | undefined;
  let printed: string[] = [];

  before(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'anchord-demo-test-'));
    world = await startDemoWorld({ listen: '127.0.0.1:0', authBase: randomBase(), authPort: 0, keyDir });
    printed = world.instructions();
  });

  after(async () => {
    await world?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  test('the printed text names every expected query once, each on a line of its own starting with dig', () => {
    const digs = printed.filter((l) => l.startsWith('dig'));
    const keys = digs.map((l) => parseDig(l).key);
    assert.deepEqual([...keys].sort(), [...EXPECTED.keys()].sort(), `printed queries:\n${digs.join('\n')}`);
    assert.ok(printed.every((l) => !/^\s+dig\b/.test(l)), 'no dig line is indented');
    assert.ok(printed.some((l) => l.includes('trust anchor') && l.includes(' DS ')), 'the trust anchor DS is printed');
  });

  test('the expected EDE of each bogus name is printed beside it', () => {
    for (let i = 1; i < printed.length; i++) {
      const line = printed[i]!;
      if (!line.startsWith('dig')) continue;
      const e = EXPECTED.get(parseDig(line).key);
      if (e?.ede === undefined) continue;
      assert.ok(printed[i - 1]!.includes(`EDE ${e.ede} `), `the line above "${line}" names EDE ${e.ede}: ${printed[i - 1]!}`);
    }
  });

  test('every printed query gives the expected rcode, AD flag, data and EDE', async () => {
    const digs = printed.filter((l) => l.startsWith('dig')).map(parseDig);
    assert.ok(digs.length === EXPECTED.size, `${digs.length} dig lines`);
    for (const d of digs) {
      const e = EXPECTED.get(d.key);
      assert.ok(e !== undefined, `an expectation for ${d.key}`);
      checkAnswer(d, await ask(d), e);
    }
  });

  test('asked again (answer cache), the outcomes stay the same', async () => {
    for (const d of printed.filter((l) => l.startsWith('dig')).map(parseDig)) {
      checkAnswer(d, await ask(d), EXPECTED.get(d.key)!);
    }
  });

  test('a printed dig command works verbatim', { skip: hasDig() ? false : 'dig is not installed (npm run test:setup)' }, async () => {
    const line = printed.find((l) => l.startsWith('dig') && l.includes(' www.secure.test A'));
    assert.ok(line !== undefined, 'the www.secure.test A line is printed');
    const out = await runDig(line);
    assert.ok(/status: NOERROR/.test(out), `dig shows NOERROR:\n${out}`);
    assert.ok(/;; flags:[^;]*\bad\b/.test(out), `dig shows the ad flag:\n${out}`);
    assert.ok(/www\.secure\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.1/.test(out), `dig shows the address:\n${out}`);
  });

  test('bogus answers show their EDE in dig', { skip: hasDig() ? false : 'dig is not installed (npm run test:setup)' }, async () => {
    const line = printed.find((l) => l.startsWith('dig') && l.includes(' www.expired.test A'));
    assert.ok(line !== undefined, 'the www.expired.test A line is printed');
    const out = await runDig(line);
    assert.ok(/status: SERVFAIL/.test(out), `dig shows SERVFAIL:\n${out}`);
    assert.ok(/EDE: 7 \(Signature Expired\)/.test(out), `dig shows EDE 7:\n${out}`);
  });

  test('a second start reuses the keys: no key made, the same trust anchor, same outcomes', async () => {
    assert.ok(world !== undefined, 'the first world runs');
    const files = readdirSync(keyDir).filter((f) => f.endsWith('.key')).length;
    assert.ok(files >= 18, `key files written (${files})`);
    const again = await startDemoWorld({ listen: '127.0.0.1:0', authBase: randomBase(), authPort: 0, keyDir });
    try {
      assert.equal(again.keysGenerated, 0, 'no key generated on the second start');
      assert.equal(again.trustAnchor, world.trustAnchor, 'the trust anchor is the same');
      for (const l of again.instructions().filter((x) => x.startsWith('dig') && (x.includes(' www.nsec3.test A') || x.includes(' www.badds.test A')))) {
        const d = parseDig(l);
        checkAnswer(d, await ask(d), EXPECTED.get(d.key)!);
      }
    } finally {
      await again.close();
    }
  });

  test('anchord demo prints the dig lines, stops when told and exits 0', async () => {
    const out: string[] = [];
    const err: string[] = [];
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const running = runDemo(
      { listen: '127.0.0.1:0', 'auth-base': randomBase(), 'auth-port': 0, dir: keyDir },
      {
        out: (l) => {
          out.push(l);
          if (l.startsWith('Ctrl-C')) stop();
        },
        err: (l) => err.push(l),
      },
      { stopped: () => stopped },
    );
    const code = await running;
    assert.equal(code, 0, `exit code 0; stderr:\n${err.join('\n')}`);
    assert.ok(out.filter((l) => l.startsWith('dig')).length === EXPECTED.size, `every dig line printed:\n${out.join('\n')}`);
    assert.ok(out.at(-1) === 'anchord demo: stopping', 'says it stops');
  });

  test('an authoritative address already in use is reported with a way out', async () => {
    assert.ok(world !== undefined, 'the first world runs');
    const root = world.servers[0]!;
    const base = root.address.split('.').slice(0, 3).join('.');
    await assert.rejects(
      startDemoWorld({ listen: '127.0.0.1:0', authBase: base, authPort: root.port, keyDir }),
      (e: Error) => /--auth-base/.test(e.message),
      'a clash names --auth-base',
    );
  });
});
