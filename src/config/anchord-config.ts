// The anchord configuration file (YAML), validated and normalised. Names follow Unbound's and
// BIND's where an operator would look for them (`access-control`, `qname-minimisation`,
// `edns-buffer-size`, `trust-anchor-file`). Paths are kept as written; the server resolves them
// against the config file's folder.
//
// Example:
//   server:
//     listen: [127.0.0.1:5300, "[::1]:5300"]
//     udp-io: native                  # native (batched recvmmsg/sendmmsg, the default) | dgram
//     access-control: [{ netblock: 192.0.2.0/24, action: allow }]   # allow | allow_snoop | refuse | deny
//       (transport/acl.ts: allow refuses queries with RD clear, allow_snoop answers them from the cache)
//   resolver:
//     root-hints: /usr/share/dns/root.hints
//     trust-anchor-file: /usr/share/dns/root.ds
//     qname-minimisation: yes
//     forward-zones:                  # Unbound forward-zone / BIND zone "x" { type forward; }
//       - { name: ".", forward-addr: [192.0.2.53, 2001:db8::53@5353], forward-first: no }
//   crypto: { workers: 2 }
//   metrics: { listen: 127.0.0.1:9153 }   # Prometheus /metrics; off by default
//   logging: { level: info, format: json }

import { isIP } from 'node:net';
import { parseConfigText } from './load.js';
import { bool, duration, int, list, obj, oneOf, optional, size, str, withDefault, type Schema } from './schema.js';
import { trustAnchorConfigDefaults, trustAnchorConfigFields } from './trust-anchors.js';

const hostPort = str((v) => (/^(\[[0-9a-fA-F:.]+\]|[0-9.]+|[0-9a-fA-F:]+):[0-9]{1,5}$/.test(v) ? undefined : `"${v}" is not host:port`));

/** A server address as Unbound writes it: an IPv4 or IPv6 address, optionally `@port`. */
export const serverAddress = str((v) => {
  const at = v.lastIndexOf('@');
  const address = at < 0 ? v : v.slice(0, at);
  const port = at < 0 ? 53 : /^[0-9]{1,5}$/.test(v.slice(at + 1)) ? Number(v.slice(at + 1)) : NaN;
  if (isIP(address) === 0) return `"${v}" is not an IP address (optionally with @port)`;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `"${v}" has no port 1..65535 after @`;
  return undefined;
});

/**
 * A forward zone: `name` (a domain, "." for everything), `forward-addr` (one or more addresses,
 * `@port` allowed) and `forward-first` (yes: iterate when the forwarders fail, BIND's `forward
 * first`; no, the default as in Unbound: BIND's `forward only`).
 */
const forwardZone = obj({
  name: str((v) => {
    const labels = v === '.' ? [] : v.replace(/\.$/, '').split('.');
    const ok = v.length <= 254 && labels.every((l) => l.length >= 1 && l.length <= 63 && !/\s/.test(l));
    return ok ? undefined : `"${v}" is not a domain name`;
  }),
  'forward-addr': list(serverAddress, 64),
  'forward-first': withDefault(bool(), false),
});

const aclRule = obj({
  netblock: str(),
  action: oneOf(['allow', 'allow_snoop', 'refuse', 'deny'] as const),
});

const limits = obj({
  'max-referrals': optional(int(1, 1000)),
  'max-sub-queries': optional(int(1, 1000)),
  'max-ns-names-per-delegation': optional(int(1, 100)),
  'max-cname-chain': optional(int(1, 100)),
  'max-upstream-queries': optional(int(1, 10_000)),
  'max-depth': optional(int(1, 50)),
  'query-timeout': optional(duration(100, 120_000)),
});

export const anchordConfigSchema = obj({
  server: withDefault(
    obj({
      listen: withDefault(list(hostPort, 64), ['127.0.0.1:53', '[::1]:53']),
      threads: withDefault(int(1, 256), 1),
      'access-control': optional(list(aclRule)),
      'max-concurrent-queries': withDefault(int(1, 1_000_000), 10_000),
      'tcp-idle-timeout': withDefault(duration(100, 600_000), 10_000),
      'max-tcp-connections': withDefault(int(1, 1_000_000), 256),
      'outgoing-interface-v4': optional(str()),
      'outgoing-interface-v6': optional(str()),
      // How the UDP listener takes datagrams (transport/udp-listener.ts): native (the default) is
      // the addon's batched recvmmsg/sendmmsg endpoint, node:dgram when the addon is missing; dgram
      // is node:dgram always.
      'udp-io': withDefault(oneOf(['native', 'dgram'] as const), 'native'),
    }),
    () => ({
      listen: ['127.0.0.1:53', '[::1]:53'],
      threads: 1,
      'access-control': undefined,
      'max-concurrent-queries': 10_000,
      'tcp-idle-timeout': 10_000,
      'max-tcp-connections': 256,
      'outgoing-interface-v4': undefined,
      'outgoing-interface-v6': undefined,
      'udp-io': 'native' as const,
    }),
  ),
  resolver: withDefault(
    obj({
      'root-hints': optional(str()),
      'trust-anchor-file': optional(list(str(), 64)),
      'trust-anchor': optional(list(str(), 1000)),
      'qname-minimisation': withDefault(bool(), true),
      // yes (RFC 9156 §3, as Unbound): the whole name is asked with QTYPE A before the real QTYPE;
      // no (as Knot Resolver): the real QTYPE at the last label (resolver/options.ts).
      'qname-minimisation-hide-qtype': withDefault(bool(), true),
      // QTYPE of minimised questions (RFC 9156 §2.1): A (as Unbound) or NS (as Knot Resolver).
      'qname-minimisation-qtype': withDefault(oneOf(['A', 'NS'] as const), 'A'),
      'use-caps-for-id': withDefault(bool(), false),
      // yes (default, as Unbound and Knot Resolver): positive answers without authority and
      // additional records; no: with the answering zone's NS RRset and glue (resolver/options.ts).
      'minimal-responses': withDefault(bool(), true),
      // yes (as Knot Resolver): NXDOMAIN/NODATA answers carry the NS RRset the authoritative server
      // gave beside the SOA; no (default, as Unbound with minimal-responses: yes) (resolver/options.ts).
      'negative-authority-ns': withDefault(bool(), false),
      'do-ip6': withDefault(bool(), false),
      'edns-buffer-size': withDefault(int(512, 4096), 1232),
      // Glue policy (Unbound's names and defaults): only in-bailiwick glue; sibling glue allowed.
      'harden-glue': withDefault(bool(), true),
      'harden-unverified-glue': withDefault(bool(), false),
      'iter-scrub-ns': withDefault(int(1, 10_000), 20),
      'nsec3-max-iterations': optional(int(0, 2500)),
      // Absent: RFC 4509 §3 (SHA-1 DS ignored beside SHA-256) and any one algorithm (RFC 6840
      // §5.11); yes/no: Unbound's meaning (dnssec/rrset-validator.ts ValidatorOptions).
      'harden-algo-downgrade': optional(bool()),
      limits: optional(limits),
      'forward-zones': withDefault(list(forwardZone, 10_000), []),
      ...trustAnchorConfigFields,
    }),
    () => ({
      ...trustAnchorConfigDefaults(),
      'root-hints': undefined,
      'trust-anchor-file': undefined,
      'trust-anchor': undefined,
      'qname-minimisation': true,
      'qname-minimisation-hide-qtype': true,
      'qname-minimisation-qtype': 'A' as const,
      'use-caps-for-id': false,
      'minimal-responses': true,
      'negative-authority-ns': false,
      'do-ip6': false,
      'edns-buffer-size': 1232,
      'harden-glue': true,
      'harden-unverified-glue': false,
      'iter-scrub-ns': 20,
      'nsec3-max-iterations': undefined,
      'harden-algo-downgrade': undefined,
      limits: undefined,
      'forward-zones': [],
    }),
  ),
  cache: withDefault(
    obj({
      'answer-cache-size': withDefault(size(0, 2 ** 40), 64 * 1024 * 1024),
      'servfail-ttl': withDefault(int(0, 300), 5),
    }),
    () => ({ 'answer-cache-size': 64 * 1024 * 1024, 'servfail-ttl': 5 }),
  ),
  // Signature verification off the main thread (crypto/verify-pool.ts): 0 = inline, N = N
  // worker_threads; absent = the measured default (crypto/verify-pool.ts DEFAULT_VERIFY_OFFLOAD: the addon's
  // asynchronous batches on a libuv thread when the addon is built, else inline).
  crypto: withDefault(
    obj({
      workers: optional(int(0, 64)),
    }),
    () => ({ workers: undefined }),
  ),
  // Prometheus `/metrics` over HTTP: off unless `listen` is given; a bare port is loopback only.
  metrics: withDefault(
    obj({
      listen: optional(str((v) => (/^[0-9]{1,5}$/.test(v) || /^(\[[0-9a-fA-F:.]+\]|[0-9.]+):[0-9]{1,5}$/.test(v) ? undefined : `"${v}" is not host:port or a port`))),
    }),
    () => ({ listen: undefined }),
  ),
  logging: withDefault(
    obj({
      level: withDefault(oneOf(['debug', 'info', 'warn', 'error'] as const), 'info'),
      format: withDefault(oneOf(['json', 'text'] as const), 'text'),
    }),
    () => ({ level: 'info' as const, format: 'text' as const }),
  ),
});

export type AnchordConfig = typeof anchordConfigSchema extends Schema<infer T> ? T : never;

export function parseAnchordConfig(text: string, file: string): AnchordConfig {
  return parseConfigText(text, file, anchordConfigSchema);
}
