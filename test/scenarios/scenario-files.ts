// Where the public scenario suite lives for the tests: `../shared/scenarios` beside the repository
// (CI checks shared/ out next to the clone). Missing is an error, never a skip.

import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCENARIO_ROOT = join(REPO_ROOT, '..', 'shared', 'scenarios');

/** Relative paths (`deckard/x.rpl`, `unbound/y.crpl`) of every scenario file, sorted. */
export function scenarioFiles(): string[] {
  if (!existsSync(SCENARIO_ROOT)) {
    throw new Error(`the scenario suite is missing: ${SCENARIO_ROOT} does not exist (check out shared/ beside the repository)`);
  }
  const out: string[] = [];
  for (const dir of ['deckard', 'unbound']) {
    const full = join(SCENARIO_ROOT, dir);
    if (!existsSync(full)) throw new Error(`the scenario suite is incomplete: ${full} does not exist`);
    for (const f of readdirSync(full).sort()) if (/\.c?rpl$/.test(f)) out.push(`${dir}/${f}`);
  }
  return out;
}
