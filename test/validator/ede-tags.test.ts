// DESIGN.md convention 6: every EDE site has a short unique tag. The registry has unique values,
// each tag constant makes exactly one site in src/ (a `reason(EdeTag.X, ...)` call), and no file
// spells a tag literally: code that reads tags back out of EDE texts (the replay's failure causes)
// refers to them as `EdeTag.X` too, which is not a site.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EDE_TAGS, EdeTag, edeCodeOf } from '../../src/dnssec/ede-tags.js';
import { edeExtraText, reason } from '../../src/dnssec/verdict.js';
import { EdeCode } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';

const SRC = new URL('../../src/', import.meta.url).pathname;
const REGISTRY = join(SRC, 'dnssec/ede-tags.ts');

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('tag values are unique, short, and each has a registry entry with a valid EDE code', () => {
  const values = Object.values(EdeTag);
  assert.equal(new Set(values).size, values.length, 'duplicate tag values');
  assert.deepEqual(Object.keys(EDE_TAGS).sort(), [...values].sort());
  const codes = new Set<number>(Object.values(EdeCode));
  for (const v of values) {
    assert.match(v, /^[A-Z]+(-[A-Z0-9]+)+$/);
    assert.ok(v.length <= 24, `${v} is long`);
    assert.ok(codes.has(edeCodeOf(v)), `${v}: code ${edeCodeOf(v)}`);
  }
});

test('every tag constant is used at exactly one site in src/, and tags are never spelled literally', () => {
  const uses = new Map<string, string[]>();
  const literal = new RegExp(`['"\`](${Object.values(EdeTag).join('|')})['"\`]`);
  for (const file of sources(SRC)) {
    if (file === REGISTRY) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\breason\(\s*EdeTag\.([A-Z0-9_]+)\b/g)) {
      const list = uses.get(m[1]!) ?? [];
      list.push(relative(SRC, file));
      uses.set(m[1]!, list);
    }
    const lit = literal.exec(text);
    assert.equal(lit, null, `${relative(SRC, file)} spells ${lit?.[1] ?? ''} literally: use EdeTag`);
  }
  for (const key of Object.keys(EdeTag)) {
    const where = uses.get(key) ?? [];
    assert.equal(where.length, 1, `EdeTag.${key} used ${where.length} times: ${where.join(', ')}`);
  }
  for (const key of uses.keys()) assert.ok(key in EdeTag, `EdeTag.${key} is not in the registry`);
  // Every other mention is a reference to a registered tag.
  for (const file of sources(SRC)) {
    if (file === REGISTRY) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/\bEdeTag\.([A-Z0-9_]+)\b/g)) {
      assert.ok(m[1]! in EdeTag, `${relative(SRC, file)}: EdeTag.${m[1]!} is not in the registry`);
    }
  }
});

test('the EDE extra text starts with the tag', () => {
  const r = reason(EdeTag.RRSIG_EXPIRED, 'signature expired', {
    owner: Name.parse('www.example.'),
    type: 1,
    keyTag: 12345,
    algorithm: 13,
    bound: 'expiration',
  });
  assert.equal(r.ede, 7);
  assert.equal(edeExtraText(r), 'V-RRSIG-EXP www.example./A key 12345 alg 13 bound expiration: signature expired');
});
