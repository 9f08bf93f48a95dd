// The whole public scenario suite (../shared/scenarios, 326 Deckard and Unbound files) against
// anchord's resolver, in-process, compared with the committed baseline of passing scenarios
// (issue 6): a scenario listed in baseline.txt that fails now fails this test; new passes are
// reported. With ANCHORD_UPDATE_SCENARIOS=1 the test rewrites baseline.txt and REPORT.md instead of
// comparing (commit them with the change that moved them). A missing suite is a failure.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { failureCause } from '../../src/server/replay/causes.js';
import { replayFile, totals, totalsLine, type FileResult } from '../../src/server/replay/replay-files.js';
import { auditSignatures, type SignatureAudit } from '../../src/server/replay/signature-audit.js';
import { baselineText, parseBaseline, readIndex, readPrevious, reportText } from './report.js';
import { REPO_ROOT, SCENARIO_ROOT, scenarioFiles } from './scenario-files.js';

const HERE = join(REPO_ROOT, 'test', 'scenarios');
const BASELINE = join(HERE, 'baseline.txt');
const REPORT = join(HERE, 'REPORT.md');
/** The whole suite must stay well within a few minutes. */
const SUITE_BUDGET_MS = 180_000;

describe('scenario suite', () => {
  it('runs all 326 scenarios and keeps every baseline pass', async () => {
    const files = scenarioFiles();
    assert.equal(files.length, 326, `expected 326 scenario files in ${SCENARIO_ROOT}, found ${files.length}`);
    const crypto = createNodeBackend();
    const results: FileResult[] = [];
    const audits = new Map<string, SignatureAudit>();
    const t0 = performance.now();
    for (const f of files) {
      const r = await replayFile(join(SCENARIO_ROOT, f), { crypto }, f);
      results.push(r);
      if (r.outcome !== undefined) audits.set(f, auditSignatures(r.outcome.scenario, crypto, r.outcome.setup.trustAnchors));
    }
    const runMs = performance.now() - t0;
    const t = totals(results);
    console.log(`scenario suite: ${totalsLine(t)} in ${(runMs / 1000).toFixed(1)} s`);
    assert.ok(runMs < SUITE_BUDGET_MS, `the suite took ${(runMs / 1000).toFixed(1)} s (budget ${SUITE_BUDGET_MS / 1000} s)`);

    if (process.env['ANCHORD_UPDATE_SCENARIOS'] === '1') {
      writeFileSync(BASELINE, baselineText(results));
      writeFileSync(REPORT, reportText({ results, audits, index: readIndex(SCENARIO_ROOT), runMs, previous: readPrevious(REPORT) }));
      console.log(`scenario suite: wrote ${BASELINE} and ${REPORT}`);
      return;
    }

    const baseline = parseBaseline(readFileSync(BASELINE, 'utf8'));
    const now = parseBaseline(baselineText(results));
    const byFile = new Map(results.map((r) => [r.file, r]));
    const regressions = [...baseline].filter((b) => !now.has(b)).map((b) => {
      const file = b.split(' ')[1] ?? '';
      const r = byFile.get(file);
      const f = b.startsWith('strict') ? r?.outcome?.strict.failure : r?.outcome?.relaxed.failure;
      const why = r?.error ?? (f === undefined ? 'missing' : `step ${f.step}: ${f.reason}`);
      return `${b}: ${why}`;
    });
    const gains = [...now].filter((x) => !baseline.has(x));
    if (gains.length > 0) {
      console.log(`scenario suite: ${gains.length} new passes not in baseline.txt (regenerate with ANCHORD_UPDATE_SCENARIOS=1):\n  ${gains.join('\n  ')}`);
    }
    const causes = new Map<string, number>();
    for (const r of results) {
      const c = failureCause(r, audits.get(r.file));
      if (c !== undefined) causes.set(c.id, (causes.get(c.id) ?? 0) + 1);
    }
    const top = [...causes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(`scenario suite: top failure causes: ${top.map(([id, n]) => `${id} ${n}`).join(', ')}`);
    assert.deepEqual(regressions, [], `${regressions.length} baseline scenarios fail now`);
  });
});
