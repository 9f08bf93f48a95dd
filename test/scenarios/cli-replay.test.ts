// `anchord replay`: one line per scenario, the totals, the exit code (1 on a failure, 0 with
// --report-only) and a usage error for a path that does not exist.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AnchordError } from '../../src/core/errors.js';
import { runReplay } from '../../src/cli/commands/replay.js';
import type { CommandIO } from '../../src/cli/command.js';
import { SCENARIO_ROOT, scenarioFiles } from './scenario-files.js';

function capture(): { io: CommandIO; lines: string[] } {
  const lines: string[] = [];
  return { io: { out: (l) => lines.push(l), err: (l) => lines.push(l) }, lines };
}

describe('anchord replay', () => {
  it('prints PASS/FAIL lines and the totals; exits 1 on a failure unless --report-only', async () => {
    const files = scenarioFiles().filter((f) => f.startsWith('unbound/val_')).slice(0, 6).map((f) => join(SCENARIO_ROOT, f));
    const a = capture();
    const code = await runReplay({ scenarios: files }, a.io);
    assert.equal(a.lines.length, files.length + 1, a.lines.join('\n'));
    for (const l of a.lines.slice(0, -1)) assert.match(l, /^(PASS|FAIL) \S+/);
    assert.match(a.lines.at(-1) ?? '', /^6 scenarios: strict \d+ pass \(.*\), relaxed \d+ pass/);
    const anyFail = a.lines.some((l) => l.startsWith('FAIL'));
    assert.equal(code, anyFail ? 1 : 0);
    const b = capture();
    assert.equal(await runReplay({ scenarios: files, 'report-only': true }, b.io), 0);
  });
  it('rejects a missing path and an unknown dialect as usage errors', async () => {
    await assert.rejects(runReplay({ scenarios: ['/nonexistent/x.rpl'] }, capture().io), AnchordError);
    await assert.rejects(runReplay({ scenarios: [SCENARIO_ROOT], dialect: 'bind' }, capture().io), AnchordError);
  });
});
