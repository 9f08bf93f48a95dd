// Every resolver EDE tag is used at exactly one site in src/resolver (DESIGN.md convention 6), and
// no tag collides with a validator tag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EDE_TAGS } from '../../src/dnssec/ede-tags.js';
import { RESOLVER_TAGS, ResolverTag } from '../../src/resolver/ede-tags.js';

const DIR = new URL('../../src/resolver/', import.meta.url).pathname;

test('each resolver tag has exactly one use site', () => {
  const uses = new Map<string, number>();
  for (const f of readdirSync(DIR)) {
    if (!f.endsWith('.ts') || f === 'ede-tags.ts') continue;
    for (const m of readFileSync(join(DIR, f), 'utf8').matchAll(/ResolverTag\.([A-Z_]+)/g)) {
      uses.set(m[1]!, (uses.get(m[1]!) ?? 0) + 1);
    }
  }
  for (const name of Object.keys(ResolverTag)) assert.equal(uses.get(name), 1, `ResolverTag.${name} used ${uses.get(name) ?? 0} times`);
});

test('resolver tags are distinct and do not collide with the validator tags', () => {
  const values = Object.values(ResolverTag);
  assert.equal(new Set(values).size, values.length);
  for (const v of values) {
    assert.ok(v.startsWith('R-'));
    assert.ok(!(v in EDE_TAGS));
    assert.ok(v in RESOLVER_TAGS);
  }
});
