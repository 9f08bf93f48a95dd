import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHostPort, ipFamily, parseHostPort, parseIp, parseIpv4, sameAddress } from '../../src/transport/address.js';

function hex(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b).toString('hex');
}

test('IPv4 parses into the IPv4-mapped form', () => {
  assert.equal(hex(parseIp('127.0.0.1')), '00000000000000000000ffff7f000001');
  assert.equal(hex(parseIp('255.255.255.255')), '00000000000000000000ffffffffffff');
  assert.equal(parseIpv4('10.1.2.3'), 0x0a010203);
  assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
});

test('IPv4 rejects what inet_pton rejects', () => {
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', '1.2.3.4.', ' 1.2.3.4', '1.2.3.a', 'localhost', '1.2.3.4/8']) {
    assert.equal(parseIp(bad), undefined, bad);
  }
  assert.equal(parseIpv4('1.2.3'), -1);
});

test('IPv6 text forms (RFC 4291 §2.2)', () => {
  assert.equal(hex(parseIp('::')), '0'.repeat(32));
  assert.equal(hex(parseIp('::1')), '0'.repeat(31) + '1');
  assert.equal(hex(parseIp('0:0:0:0:0:0:0:1')), '0'.repeat(31) + '1');
  assert.equal(hex(parseIp('2001:DB8::8:800:200C:417A')), '20010db8000000000008080020 0c417a'.replace(' ', ''));
  assert.equal(hex(parseIp('fe80::')), 'fe80' + '0'.repeat(28));
  assert.equal(hex(parseIp('1:2:3:4:5:6:7::')), '00010002000300040005000600070000');
  assert.equal(hex(parseIp('::2:3:4:5:6:7:8')), '00000002000300040005000600070008');
  assert.equal(hex(parseIp('::ffff:10.0.0.1')), '00000000000000000000ffff0a000001');
  assert.equal(hex(parseIp('::FFFF:10.0.0.1')), hex(parseIp('10.0.0.1')));
  assert.equal(hex(parseIp('1:2:3:4:5:6:1.2.3.4')), '00010002000300040005000601020304');
  assert.equal(hex(parseIp('fe80::1%eth0')), 'fe80' + '0'.repeat(27) + '1');
});

test('IPv6 rejects malformed text', () => {
  for (const bad of [':', ':::', '1:::2', '1::2::3', ':1::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1',
    '1:2:3:4:5:6:7:8::', '::1.2.3', '1.2.3.4::', '::1:', '1::2:', '%eth0', '::ffff:1.2.3.04']) {
    assert.equal(parseIp(bad), undefined, bad);
  }
});

test('sameAddress compares addresses, not spellings', () => {
  assert.ok(sameAddress('::1', '0:0:0:0:0:0:0:1'));
  assert.ok(sameAddress('127.0.0.1', '::ffff:127.0.0.1'));
  assert.ok(sameAddress('FE80::1', 'fe80::1'));
  assert.ok(!sameAddress('127.0.0.1', '127.0.0.2'));
  assert.ok(!sameAddress('::1', '::2'));
  assert.ok(!sameAddress('localhost', '127.0.0.1'));
});

test('ipFamily', () => {
  assert.equal(ipFamily('127.0.0.1'), 4);
  assert.equal(ipFamily('::1'), 6);
  assert.equal(ipFamily('example.com'), 0);
});

test('listen addresses: host:port, [v6]:port, bare addresses', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:5300'), { address: '127.0.0.1', port: 5300 });
  assert.deepEqual(parseHostPort('[::1]:5300'), { address: '::1', port: 5300 });
  assert.deepEqual(parseHostPort('[::1]'), { address: '::1', port: 53 });
  assert.deepEqual(parseHostPort('::1'), { address: '::1', port: 53 });
  assert.deepEqual(parseHostPort('127.77.0.1'), { address: '127.77.0.1', port: 53 });
  assert.deepEqual(parseHostPort('127.0.0.1:0'), { address: '127.0.0.1', port: 0 });
  assert.deepEqual(parseHostPort('127.0.0.1', 5353), { address: '127.0.0.1', port: 5353 });
  for (const bad of ['localhost:53', '127.0.0.1:65536', '127.0.0.1:', '127.0.0.1:x', '[127.0.0.1]:53', '[::1', '[::1]x',
    '[::1]:', '::1:53:', '[fe80::1%lo]:53', '127.0.0.1:-1']) {
    assert.equal(parseHostPort(bad), undefined, bad);
  }
});

test('formatHostPort brackets IPv6', () => {
  assert.equal(formatHostPort({ address: '::1', port: 53 }), '[::1]:53');
  assert.equal(formatHostPort({ address: '127.0.0.1', port: 53 }), '127.0.0.1:53');
});
