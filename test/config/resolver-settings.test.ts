// Resolver settings of the YAML config (config/anchord-config.ts) as `anchord serve` hands them to
// the resolver (cli/commands/serve.ts serviceSettings): absent keys keep anchord's defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnchordConfig } from '../../src/config/anchord-config.js';
import { serviceSettings } from '../../src/cli/commands/serve.js';

const settingsOf = (yaml: string) => serviceSettings({}, parseAnchordConfig(yaml, 'anchord.yaml'), process.cwd()).resolver;

test('defaults: RFC 4509 §3 digest rule (harden-algo-downgrade absent), RFC 8145 §4 option on', () => {
  const r = settingsOf('{}');
  assert.equal(r?.validator?.hardenAlgoDowngrade, undefined, 'anchord default');
  assert.equal(r?.ednsKeyTag, true, 'edns-key-tag on');
});

test('harden-algo-downgrade yes/no and edns-key-tag no reach the resolver', () => {
  assert.equal(settingsOf('resolver:\n  harden-algo-downgrade: yes\n')?.validator?.hardenAlgoDowngrade, true);
  assert.equal(settingsOf('resolver:\n  harden-algo-downgrade: no\n')?.validator?.hardenAlgoDowngrade, false);
  assert.equal(settingsOf('resolver:\n  edns-key-tag: no\n')?.ednsKeyTag, false);
  assert.throws(() => settingsOf('resolver:\n  harden-algo-downgrade: sometimes\n'), /anchord\.yaml:2/, 'a bad value has file:line');
});

test('qname-minimisation-hide-qtype: on by default (RFC 9156 §3, Unbound), off for Knot Resolver\'s behaviour', () => {
  assert.equal(settingsOf('{}')?.qnameMinimisationHideQtype, true, 'default on');
  assert.equal(settingsOf('resolver:\n  qname-minimisation-hide-qtype: no\n')?.qnameMinimisationHideQtype, false, 'no reaches the resolver');
  assert.throws(() => settingsOf('resolver:\n  qname-minimisation-hide-qtype: maybe\n'), /anchord\.yaml:2/, 'a bad value has file:line');
});

test('minimal-responses: yes by default, no reaches the resolver', () => {
  assert.equal(settingsOf('{}')?.minimalResponses, true, 'default yes');
  assert.equal(settingsOf('resolver:\n  minimal-responses: no\n')?.minimalResponses, false, 'no');
});

test('qname-minimisation-qtype: A by default, NS reaches the resolver, anything else is an error', () => {
  assert.equal(settingsOf('{}')?.qnameMinimisationQtype, 'A', 'A');
  assert.equal(settingsOf('resolver:\n  qname-minimisation-qtype: NS\n')?.qnameMinimisationQtype, 'NS', 'NS');
  assert.throws(() => settingsOf('resolver:\n  qname-minimisation-qtype: MX\n'), /anchord\.yaml:2/, 'a bad value has file:line');
});

test('negative-authority-ns: no by default, yes reaches the resolver', () => {
  assert.equal(settingsOf('{}')?.negativeAuthorityNs, false, 'default no');
  assert.equal(settingsOf('resolver:\n  negative-authority-ns: yes\n')?.negativeAuthorityNs, true, 'yes');
  assert.throws(() => settingsOf('resolver:\n  negative-authority-ns: often\n'), /anchord\.yaml:2/, 'a bad value has file:line');
});
