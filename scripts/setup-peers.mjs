#!/usr/bin/env node
// Installs the Debian packages whose programs the interop tests run as real peers
// (BIND's dnssec-* tools and delv, ldns, Unbound, NSD) and the build tools of the native verifier. A test never skips because a peer is
// missing: this step installs it, or fails saying what is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needed = [
  // [command, Debian package]
  ['dnssec-signzone', 'bind9-utils'],
  ['dnssec-verify', 'bind9-utils'],
  ['dnssec-keygen', 'bind9-utils'],
  ['dnssec-dsfromkey', 'bind9-utils'],
  ['named-checkzone', 'bind9-utils'],
  ['dig', 'bind9-dnsutils'],
  ['delv', 'bind9-dnsutils'],
  ['ldns-verify-zone', 'ldnsutils'],
  ['ldns-read-zone', 'ldnsutils'],
  ['unbound', 'unbound'],
  ['unbound-anchor', 'unbound-anchor'],
  ['nsd', 'nsd'],
  ['openssl', 'openssl'],
  // The native verifier's build tools (native/, node-gyp with node's own headers); run-tests builds
  // the addon when npm ci could not, and test/crypto/native-addon.test.ts fails if it is missing.
  ['g++', 'g++'],
  ['make', 'make'],
  ['python3', 'python3'],
  // A file, not a command: the root trust anchors the trust-anchor tests compare ours with.
  ['/usr/share/dns/root.ds', 'dns-root-data'],
];

function have(cmd) {
  if (cmd.startsWith('/')) return existsSync(cmd);
  return spawnSync('sh', ['-c', `command -v ${cmd} || test -x /usr/sbin/${cmd}`], { stdio: 'ignore' }).status === 0;
}

const missing = needed.filter(([cmd]) => !have(cmd));
if (missing.length === 0) {
  console.log('setup-peers: all peer programs present');
  process.exit(0);
}
const pkgs = [...new Set(missing.map(([, pkg]) => pkg))];
console.log(`setup-peers: installing ${pkgs.join(' ')} (missing: ${missing.map(([c]) => c).join(' ')})`);
try {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
} catch (err) {
  console.error(`setup-peers: could not install ${pkgs.join(' ')}: ${err.message}`);
  console.error('setup-peers: the interop tests need these programs; install them (as root: apt-get install) and rerun');
  process.exit(1);
}
const still = needed.filter(([cmd]) => !have(cmd));
if (still.length > 0) {
  console.error(`setup-peers: still missing after install: ${still.map(([c]) => c).join(' ')}`);
  process.exit(1);
}
console.log('setup-peers: done');
