import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnchordError } from '../../src/core/errors.js';
import { DEFAULT_ACL_RULES, aclDecide, compileAcl, defaultAcl, parseNetblock, type AclRule } from '../../src/transport/acl.js';

test('default ACL: loopback, private and link-local allowed', () => {
  const acl = defaultAcl();
  for (const a of ['127.0.0.1', '127.255.255.254', '::1', '10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.255',
    '192.168.1.1', '169.254.1.1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fe80::1%eth0', 'febf::1',
    '::ffff:127.0.0.1', '::ffff:192.168.0.10']) {
    assert.equal(aclDecide(acl, a), 'allow', a);
  }
});

test('default ACL: public, CGNAT and odd ranges refused', () => {
  const acl = defaultAcl();
  for (const a of ['8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.0', '192.169.0.1', '11.0.0.1', '100.64.0.1',
    '100.127.255.255', '0.0.0.0', '128.0.0.1', '2001:db8::1', '2606:4700::1111', '::', '::2', 'fec0::1', 'fe00::1',
    '64:ff9b::a00:1', '::ffff:8.8.8.8', '255.255.255.255']) {
    assert.equal(aclDecide(acl, a), 'refuse', a);
  }
});

test('unparsable addresses are dropped (fail closed)', () => {
  const acl = defaultAcl();
  for (const a of ['', 'localhost', '1.2.3', '1:2', '::g']) assert.equal(aclDecide(acl, a), 'drop', a);
});

test('the most specific netblock decides, whatever the order', () => {
  const rules: AclRule[] = [
    { netblock: '10.1.2.0/24', action: 'deny' },
    { netblock: '10.0.0.0/8', action: 'allow' },
    { netblock: '10.1.2.3', action: 'refuse' },
    { netblock: '0.0.0.0/0', action: 'deny' },
  ];
  for (const order of [rules, [...rules].reverse()]) {
    const acl = compileAcl(order);
    assert.equal(aclDecide(acl, '10.1.2.3'), 'refuse');
    assert.equal(aclDecide(acl, '10.1.2.4'), 'drop');
    assert.equal(aclDecide(acl, '10.1.3.4'), 'allow');
    assert.equal(aclDecide(acl, '11.0.0.1'), 'drop');
  }
});

test('a later rule for the same netblock overrides an earlier one', () => {
  const acl = compileAcl([...DEFAULT_ACL_RULES, { netblock: '10.0.0.0/8', action: 'deny' }, { netblock: '100.64.0.0/10', action: 'allow' }]);
  assert.equal(aclDecide(acl, '10.9.9.9'), 'drop');
  assert.equal(aclDecide(acl, '100.64.0.1'), 'allow');
  assert.equal(aclDecide(acl, '127.0.0.1'), 'allow');
  // Host bits are cleared, so 10.5.5.5/8 is the same netblock as 10.0.0.0/8.
  const acl2 = compileAcl([{ netblock: '10.0.0.0/8', action: 'allow' }, { netblock: '10.5.5.5/8', action: 'refuse' }]);
  assert.equal(aclDecide(acl2, '10.1.1.1'), 'refuse');
});

test('allow_snoop is a decision of its own (RD clear served from the caches), most specific rule still wins', () => {
  const acl = compileAcl([...DEFAULT_ACL_RULES, { netblock: '127.0.0.1', action: 'allow_snoop' }, { netblock: '::1', action: 'allow_snoop' }]);
  assert.equal(aclDecide(acl, '127.0.0.1'), 'allow_snoop');
  assert.equal(aclDecide(acl, '::1'), 'allow_snoop');
  assert.equal(aclDecide(acl, '::ffff:127.0.0.1'), 'allow_snoop');
  assert.equal(aclDecide(acl, '127.0.0.2'), 'allow', 'the rest of loopback may not snoop');
  assert.throws(() => compileAcl([{ netblock: '127.0.0.1', action: 'allow_setrd' as 'allow' }]), /unknown action "allow_setrd"/);
});

test('no matching rule means refuse', () => {
  const acl = compileAcl([{ netblock: '192.0.2.0/24', action: 'allow' }]);
  assert.equal(aclDecide(acl, '192.0.2.7'), 'allow');
  assert.equal(aclDecide(acl, '198.51.100.1'), 'refuse');
  assert.equal(aclDecide(acl, '2001:db8::1'), 'refuse');
  assert.equal(aclDecide(compileAcl([]), '127.0.0.1'), 'refuse');
});

test('IPv4 rules apply to IPv4-mapped clients; short IPv6 rules do not', () => {
  const acl = compileAcl([
    { netblock: '::/0', action: 'allow' },
    { netblock: '192.0.2.0/24', action: 'deny' },
  ]);
  assert.equal(aclDecide(acl, '::ffff:192.0.2.1'), 'drop');
  assert.equal(aclDecide(acl, '::FFFF:c000:0201'), 'drop');
  assert.equal(aclDecide(acl, '::ffff:198.51.100.1'), 'refuse'); // IPv4, and no IPv4 rule matches
  assert.equal(aclDecide(acl, '2001:db8::1'), 'allow');
});

test('an IPv6 rule inside ::ffff:0:0/96 is an IPv4 rule', () => {
  const acl = compileAcl([{ netblock: '::ffff:10.0.0.0/104', action: 'allow' }]);
  assert.equal(aclDecide(acl, '10.20.30.40'), 'allow');
  assert.equal(aclDecide(acl, '11.0.0.1'), 'refuse');
  const all = compileAcl([{ netblock: '::ffff:0:0/96', action: 'deny' }]);
  assert.equal(aclDecide(all, '8.8.8.8'), 'drop');
  assert.equal(aclDecide(all, '2001:db8::1'), 'refuse');
});

test('IPv6 prefixes of every boundary kind', () => {
  const acl = compileAcl([
    { netblock: '2001:db8::/32', action: 'allow' },
    { netblock: '2001:db8:8000::/33', action: 'deny' },
    { netblock: '2001:db8:ffff:ffff::/63', action: 'refuse' },
    { netblock: '2001:db8::42/128', action: 'refuse' },
  ]);
  assert.equal(aclDecide(acl, '2001:db8::1'), 'allow');
  assert.equal(aclDecide(acl, '2001:db8::42'), 'refuse');
  assert.equal(aclDecide(acl, '2001:db8:7fff::1'), 'allow');
  assert.equal(aclDecide(acl, '2001:db8:8000::1'), 'drop');
  assert.equal(aclDecide(acl, '2001:db8:ffff:fffe::1'), 'refuse');
  assert.equal(aclDecide(acl, '2001:db8:ffff:ffff:1::1'), 'refuse');
  assert.equal(aclDecide(acl, '2001:db8:ffff:fffd::1'), 'drop');
  assert.equal(aclDecide(acl, '2001:db9::1'), 'refuse');
});

test('IPv4 prefix lengths 0, odd and 32', () => {
  const acl = compileAcl([
    { netblock: '0.0.0.0/0', action: 'deny' },
    { netblock: '203.0.113.128/25', action: 'allow' },
    { netblock: '203.0.113.255/32', action: 'refuse' },
    { netblock: '198.51.100.0/31', action: 'allow' },
  ]);
  assert.equal(aclDecide(acl, '203.0.113.127'), 'drop');
  assert.equal(aclDecide(acl, '203.0.113.128'), 'allow');
  assert.equal(aclDecide(acl, '203.0.113.254'), 'allow');
  assert.equal(aclDecide(acl, '203.0.113.255'), 'refuse');
  assert.equal(aclDecide(acl, '198.51.100.1'), 'allow');
  assert.equal(aclDecide(acl, '198.51.100.2'), 'drop');
  assert.equal(aclDecide(acl, '255.255.255.255'), 'drop');
});

test('netblock parsing', () => {
  const b = parseNetblock('10.1.2.3/8');
  assert.ok(b);
  assert.equal(b.length, 104);
  assert.equal(Buffer.from(b.address).toString('hex'), '00000000000000000000ffff0a000000');
  assert.equal(parseNetblock('::1')?.length, 128);
  assert.equal(parseNetblock('10.0.0.1')?.length, 128);
  assert.equal(parseNetblock('fe80::/10')?.address[1], 0x80);
  assert.equal(parseNetblock('fe80::1/9')?.address[1], 0x80);
  assert.equal(parseNetblock('fe80::1/8')?.address[1], 0);
  for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/x', 'example.com/8', '/8', 'fe80::1%eth0/64', '10.0.0.0/8/8']) {
    assert.equal(parseNetblock(bad), undefined, bad);
  }
});

test('compileAcl reports a bad rule as a config error', () => {
  assert.throws(() => compileAcl([{ netblock: '10.0.0.0/40', action: 'allow' }]), (e: unknown) => e instanceof AnchordError && e.code === 'ERR_CONFIG' && e.message.includes('10.0.0.0/40'));
  assert.throws(() => compileAcl([{ netblock: '10.0.0.0/8', action: 'permit' as 'allow' }]), AnchordError);
});
