// The .rpl parser on the whole public suite (every file parses) and on malformed input (FileError
// with file:line, never another exception).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ErrorCode, FileError } from '../../src/core/errors.js';
import { dialectFromPath, parseScenario } from '../../src/server/replay/rpl-parser.js';
import { Dialect } from '../../src/server/replay/scenario.js';
import { SCENARIO_ROOT, scenarioFiles } from './scenario-files.js';

const U_MIN = `server:
	qname-minimisation: no
stub-zone:
	name: "."
	stub-addr: 193.0.14.129
CONFIG_END
SCENARIO_BEGIN test
RANGE_BEGIN 0 100
	ADDRESS 193.0.14.129
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
REPLY RD DO
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

function parseError(text: string, dialect: Dialect): FileError {
  try {
    parseScenario(text, { file: 't.rpl', dialect });
  } catch (err) {
    assert.ok(err instanceof FileError, `expected a FileError, got ${String(err)}`);
    assert.equal(err.code, ErrorCode.Scenario);
    return err;
  }
  assert.fail('expected a parse error');
}

describe('rpl parser', () => {
  it('parses every file of the public suite (326)', () => {
    const files = scenarioFiles();
    assert.equal(files.length, 326, `expected 326 scenario files, found ${files.length}`);
    const errors: string[] = [];
    for (const f of files) {
      const dialect = dialectFromPath(f);
      assert.ok(dialect !== undefined, `no dialect for ${f}`);
      try {
        const s = parseScenario(readFileSync(join(SCENARIO_ROOT, f), 'utf8'), { file: f, dialect });
        assert.ok(s.steps.length > 0, `${f}: no steps`);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    assert.deepEqual(errors, []);
  });

  it('reads a small U scenario', () => {
    const s = parseScenario(U_MIN, { file: 'unbound/t.rpl', dialect: Dialect.unbound });
    assert.equal(s.title, 'test');
    assert.equal(s.config.clauses.length, 2);
    assert.equal(s.config.clauses[1]!.options[1]!.value, '193.0.14.129');
    assert.equal(s.ranges.length, 1);
    assert.deepEqual(s.ranges[0]!.addresses, ['193.0.14.129']);
    const e = s.ranges[0]!.entries[0]!;
    assert.ok(e.match.has('qname') && e.adjust.has('copy_id'), 'MATCH and ADJUST keywords kept');
    assert.ok(e.flags.qr && e.flags.aa && !e.flags.rd, 'REPLY flags');
    assert.equal(e.answer.length, 1);
    assert.equal(e.answer[0]!.ttl, 3600);
    const q = s.steps[0]!;
    assert.ok(q.kind === 'QUERY' && q.entry.do && q.entry.flags.rd, 'QUERY entry with RD DO');
  });

  it('reports malformed files at file:line', () => {
    const cases: [string, Dialect, number, RegExp][] = [
      [U_MIN.replace('CONFIG_END\n', ''), Dialect.unbound, 6, /SCENARIO_BEGIN" is not "key:"/],
      [U_MIN.replace('SCENARIO_END\n', ''), Dialect.unbound, 0, /SCENARIO_END/],
      [U_MIN.replace('MATCH opcode qtype qname', 'MATCH opcode bogus'), Dialect.unbound, 11, /unknown MATCH keyword/],
      [U_MIN.replace('www.example.com. IN A 10.0.0.1', 'www.example.com. IN A 10.0.0.1.5'), Dialect.unbound, 17, /A/],
      [U_MIN.replace('STEP 10 CHECK_ANSWER', 'STEP 1 CHECK_ANSWER'), Dialect.unbound, 26, /backwards/],
      [U_MIN.replace('REPLY QR AA NOERROR', 'REPLY QR AA NOERROR WHATEVER'), Dialect.unbound, 13, /REPLY token/],
      [U_MIN.replace('STEP 10 CHECK_ANSWER\nENTRY_BEGIN', 'STEP 10 CHECK_ANSWER\nMATCH all'), Dialect.unbound, 27, /ENTRY_BEGIN/],
      ['stub-addr 1.2.3.4\nCONFIG_END\n', Dialect.deckard, 1, /key: value/],
      [U_MIN.replace('ENTRY_END\nRANGE_END', 'RANGE_END'), Dialect.unbound, 18, /"RANGE_END" inside an entry/],
    ];
    for (const [text, dialect, line, re] of cases) {
      const err = parseError(text, dialect);
      if (line > 0) assert.equal(err.line, line, `${err.message}: expected line ${line}`);
      assert.match(err.detail, re);
      assert.ok(err.message.startsWith('t.rpl:'), `message names the file: ${err.message}`);
    }
  });

  it('never throws anything but FileError on damaged suite files (truncations and line drops)', () => {
    const files = scenarioFiles().filter((_, i) => i % 25 === 0);
    for (const f of files) {
      const text = readFileSync(join(SCENARIO_ROOT, f), 'utf8');
      const dialect = dialectFromPath(f)!;
      const lines = text.split('\n');
      const variants = [text.slice(0, Math.floor(text.length / 3)), text.slice(0, Math.floor(text.length / 2)), lines.filter((_, i) => i % 7 !== 3).join('\n')];
      for (const v of variants) {
        try {
          parseScenario(v, { file: f, dialect });
        } catch (err) {
          assert.ok(err instanceof FileError, `${f}: ${String(err)}`);
        }
      }
    }
  });
});
