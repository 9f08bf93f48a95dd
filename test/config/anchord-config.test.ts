import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/load.js';
import { parseAnchordConfig } from '../../src/config/anchord-config.js';

function issuesOf(text: string): string[] {
  try {
    parseAnchordConfig(text, 'anchord.yaml');
  } catch (e) {
    assert.ok(e instanceof ConfigError, 'a ConfigError');
    return e.issues.map((i) => `${i.line}:${i.column}: ${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

test('resolver.forward-zones: Unbound-style name / forward-addr (with @port) / forward-first', () => {
  const c = parseAnchordConfig(
    [
      'resolver:',
      '  forward-zones:',
      '    - name: "."',
      '      forward-addr: [192.0.2.53, "2001:db8::53@5353"]',
      '    - { name: corp.example, forward-addr: 10.0.0.53, forward-first: yes }',
    ].join('\n'),
    'anchord.yaml',
  );
  assert.deepEqual(c.resolver['forward-zones'], [
    { name: '.', 'forward-addr': ['192.0.2.53', '2001:db8::53@5353'], 'forward-first': false },
    { name: 'corp.example', 'forward-addr': ['10.0.0.53'], 'forward-first': true },
  ]);
  assert.deepEqual(parseAnchordConfig('{}', 'x').resolver['forward-zones'], [], 'none by default');
});

test('resolver.forward-zones: bad addresses, ports and names are reported at their line', () => {
  const issues = issuesOf(
    [
      'resolver:',
      '  forward-zones:',
      '    - { name: ".", forward-addr: [ns.example] }',
      '    - { name: ".", forward-addr: ["192.0.2.1@70000"] }',
      '    - { name: "a..b", forward-addr: [192.0.2.1] }',
      '    - { name: "." }',
    ].join('\n'),
  );
  assert.equal(issues.length, 4, issues.join('\n'));
  assert.match(issues[0]!, /^3:.*"ns\.example" is not an IP address/);
  assert.match(issues[1]!, /^4:.*no port 1\.\.65535/);
  assert.match(issues[2]!, /^5:.*"a\.\.b" is not a domain name/);
  assert.match(issues[3]!, /^6:.*missing required key "forward-addr"/);
});

test('glue hardening: harden-glue defaults to yes, harden-unverified-glue to no; both can be set', () => {
  const d = parseAnchordConfig('server:\n  listen: [127.0.0.1:5300]\n', 'a.yaml');
  assert.equal(d.resolver['harden-glue'], true, 'in-bailiwick glue only by default');
  assert.equal(d.resolver['harden-unverified-glue'], false, 'sibling glue accepted by default');
  const s = parseAnchordConfig('resolver:\n  harden-glue: no\n  harden-unverified-glue: yes\n', 'b.yaml');
  assert.equal(s.resolver['harden-glue'], false, 'harden-glue: no');
  assert.equal(s.resolver['harden-unverified-glue'], true, 'harden-unverified-glue: yes');
  assert.equal(issuesOf('resolver:\n  harden-unverified-glue: maybe\n').length, 1, 'a non-boolean is an error');
  assert.equal(d.resolver['iter-scrub-ns'], 20, 'iter-scrub-ns defaults to 20, as Unbound');
  assert.equal(parseAnchordConfig('resolver:\n  iter-scrub-ns: 3\n', 'd.yaml').resolver['iter-scrub-ns'], 3, 'iter-scrub-ns can be set');
});

test('server.access-control: allow_snoop is an action (RD clear served from the caches); unknown actions are reported at their line', () => {
  const c = parseAnchordConfig(
    ['server:', '  access-control:', '    - { netblock: 127.0.0.1, action: allow_snoop }', '    - { netblock: 10.0.0.0/8, action: allow }'].join('\n'),
    'anchord.yaml',
  );
  assert.deepEqual(c.server['access-control'], [
    { netblock: '127.0.0.1', action: 'allow_snoop' },
    { netblock: '10.0.0.0/8', action: 'allow' },
  ]);
  const issues = issuesOf(['server:', '  access-control:', '    - { netblock: 127.0.0.1, action: allow_setrd }'].join('\n'));
  assert.equal(issues.length, 1, issues.join('; '));
  assert.match(issues[0]!, /^3:/, issues[0]);
});

test('server: udp-io picks the UDP path: native by default, dgram when asked, nothing else', () => {
  assert.equal(parseAnchordConfig('{}', 'x').server['udp-io'], 'native', 'native by default');
  assert.equal(parseAnchordConfig('server:\n  udp-io: dgram\n', 'x').server['udp-io'], 'dgram', 'dgram when asked');
  const issues = issuesOf('server:\n  udp-io: epoll\n');
  assert.ok(issues.some((i) => i.includes('udp-io')), `an unknown value is an error naming the key: ${issues.join('; ')}`);
});
