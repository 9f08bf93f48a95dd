import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, ConfigError } from '../../src/config/load.js';
import { bool, duration, int, list, obj, oneOf, optional, size, str, withDefault } from '../../src/config/schema.js';

const schema = obj({
  name: str(),
  port: withDefault(int(1, 65535), 53),
  verbose: withDefault(bool(), false),
  timeout: withDefault(duration(1, 60_000), 5000),
  cache: withDefault(size(1024, 2 ** 40), 1 << 20),
  mode: withDefault(oneOf(['a', 'b'] as const), 'a'),
  listen: withDefault(list(str()), []),
  nested: withDefault(obj({ depth: withDefault(int(0, 9), 1) }), { depth: 1 }),
  note: optional(str()),
});

function issuesOf(text: string): string[] {
  try {
    parseConfigText(text, 'x.yaml', schema);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.issues.map((i) => `${i.line}:${i.column}: ${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

test('defaults fill absent keys and units normalise', () => {
  const v = parseConfigText('name: x\ntimeout: 20s\ncache: 64m\nlisten: 127.0.0.1:53\n', 'x.yaml', schema);
  assert.deepEqual(v, {
    name: 'x', port: 53, verbose: false, timeout: 20_000, cache: 64 * 1024 * 1024, mode: 'a',
    listen: ['127.0.0.1:53'], nested: { depth: 1 }, note: undefined,
  });
});

test('unknown keys, bad values and missing keys are reported with line:column, all at once', () => {
  const issues = issuesOf('port: 70000\nverbos: yes\nnested:\n  depth: 12\n');
  assert.deepEqual(issues, [
    '2:1: unknown key "verbos" (known: name, port, verbose, timeout, cache, mode, listen, nested, note)',
    '1:1: missing required key "name"',
    '1:7: port: expected an integer from 1 to 65535',
    '4:10: nested.depth: expected an integer from 0 to 9',
  ]);
});

test('YAML syntax errors and duplicate keys carry positions', () => {
  assert.match(issuesOf('name: x\nname: y\n')[0]!, /^2:1: .*[Uu]nique|^2:1: .*duplicate/);
  assert.match(issuesOf('name: [x\n')[0]!, /^\d+:\d+: /);
});

test('aliases are never expanded (no alias bombs)', () => {
  const bomb = ['a: &a [x,x,x,x,x,x,x,x,x,x]'];
  for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill('*' + String.fromCharCode(96 + i)).join(',')}]`);
  bomb.push('name: x');
  assert.throws(() => parseConfigText(bomb.join('\n'), 'bomb.yaml', schema), ConfigError);
});
