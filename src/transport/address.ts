// IP address literals and listen addresses, for the client ACL and the sockets.
//
// Addresses are parsed into one 16-octet form: IPv6 as is (RFC 4291 §2.2 text forms, including
// `::` and a dotted IPv4 tail), IPv4 as the IPv4-mapped IPv6 address ::ffff:a.b.c.d (RFC 4291
// §2.5.5.2). An IPv4 client seen on a dual-stack socket as ::ffff:a.b.c.d is therefore the same
// address as a.b.c.d everywhere in the transport. Host names are never accepted: the transport
// never asks the system resolver for anything.
//
// IPv4 text is the strict dotted quad of inet_pton(3): four decimal parts, no leading zeros
// (which some parsers read as octal), nothing else.

/** Octets of the IPv4-mapped prefix ::ffff:0:0/96 (RFC 4291 §2.5.5.2). */
const MAPPED_PREFIX_LENGTH = 12;

/** True when the 16-octet address lies in ::ffff:0:0/96, i.e. carries an IPv4 address. */
export function isV4Mapped(addr: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (addr[i] !== 0) return false;
  return addr[10] === 0xff && addr[11] === 0xff;
}

/** Parses a strict dotted-quad IPv4 address into `out` at `offset`; false when malformed. */
function parseV4Into(text: string, out: Uint8Array, offset: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e; // a final '.' closes the last part
    if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && value === 0) return false; // leading zero
      value = value * 10 + (c - 0x30);
      digits++;
      if (value > 255) return false;
    } else if (c === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[offset + part] = value;
      part++;
      value = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  return part === 4;
}

/** Parses an IPv4 address into its 32-bit value (unsigned), or -1 when malformed. */
export function parseIpv4(text: string): number {
  const b = new Uint8Array(4);
  if (!parseV4Into(text, b, 0)) return -1;
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Parses RFC 4291 §2.2 IPv6 text (no zone index) into 16 octets; undefined when malformed. */
function parseIpv6(text: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  const head: number[] = [];
  const tail: number[] = [];
  let gap = false;
  let groups = head;
  let i = 0;
  const n = text.length;
  if (n < 2) return undefined;
  if (text.startsWith('::')) {
    gap = true;
    groups = tail;
    i = 2;
    if (i === n) return out; // "::"
  } else if (text.charCodeAt(0) === 0x3a) {
    return undefined; // a single leading ':'
  }
  while (i < n) {
    // One group: up to 4 hex digits, or a dotted IPv4 tail in the last 32 bits.
    let j = i;
    let value = 0;
    while (j < n && j - i < 5) {
      const h = hexValue(text.charCodeAt(j));
      if (h < 0) break;
      value = (value << 4) | h;
      j++;
    }
    if (j < n && text.charCodeAt(j) === 0x2e) {
      const v4 = new Uint8Array(4);
      if (!parseV4Into(text.slice(i), v4, 0)) return undefined;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      break;
    }
    if (j === i || j - i > 4) return undefined;
    groups.push(value);
    i = j;
    if (i === n) break;
    if (text.charCodeAt(i) !== 0x3a) return undefined;
    i++;
    if (i < n && text.charCodeAt(i) === 0x3a) {
      if (gap) return undefined; // a second "::"
      gap = true;
      groups = tail;
      i++;
      if (i === n) break;
    } else if (i === n) {
      return undefined; // a trailing single ':'
    }
  }
  const total = head.length + tail.length;
  if (gap ? total > 7 : total !== 8) return undefined;
  let k = 0;
  for (const g of head) {
    out[k++] = g >> 8;
    out[k++] = g & 0xff;
  }
  k = 16 - tail.length * 2;
  for (const g of tail) {
    out[k++] = g >> 8;
    out[k++] = g & 0xff;
  }
  return out;
}

/**
 * Parses an IPv4 or IPv6 address literal into 16 octets (IPv4 as ::ffff:a.b.c.d). A zone index
 * (`fe80::1%eth0`, RFC 4007 §11) is ignored. Returns undefined for anything else, names included.
 */
export function parseIp(text: string): Uint8Array | undefined {
  const pct = text.indexOf('%');
  const bare = pct >= 0 ? text.slice(0, pct) : text;
  if (bare.includes(':')) return parseIpv6(bare);
  if (pct >= 0) return undefined;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  return parseV4Into(bare, out, MAPPED_PREFIX_LENGTH) ? out : undefined;
}

/** True when both texts denote the same IP address (e.g. `::1` and `0:0:0:0:0:0:0:1`). */
export function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseIp(a);
  const y = parseIp(b);
  if (x === undefined || y === undefined) return false;
  for (let i = 0; i < 16; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** 4 for IPv4 text, 6 for IPv6 text, 0 for anything else (names included). */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (parseIp(text) === undefined) return 0;
  return text.includes(':') ? 6 : 4;
}

/** A socket address: an IP literal and a port. */
export interface HostPort {
  readonly address: string;
  readonly port: number;
}

/**
 * Parses a listen address: `127.0.0.1:53`, `[::1]:53`, or a bare address (`127.0.0.1`, `::1`,
 * `[::1]`) which gets `defaultPort`. Port 0 asks the system for a free port (tests). Returns
 * undefined when the text is not an IP literal with a port in 0..65535.
 */
export function parseHostPort(text: string, defaultPort = 53): HostPort | undefined {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      portText = rest.slice(1);
    }
    if (!host.includes(':')) return undefined; // brackets are for IPv6 only
  } else {
    const colons = text.split(':').length - 1;
    if (colons === 1) {
      const c = text.indexOf(':');
      host = text.slice(0, c);
      portText = text.slice(c + 1);
    } else {
      host = text; // bare IPv4, or bare IPv6 (several colons: no port possible)
    }
  }
  if (parseIp(host) === undefined || host.includes('%')) return undefined;
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText)) return undefined;
    port = Number(portText);
    if (port > 65535) return undefined;
  }
  return { address: host, port };
}

/** Formats an address and port as `a.b.c.d:port` or `[v6]:port`. */
export function formatHostPort(hp: HostPort): string {
  return hp.address.includes(':') ? `[${hp.address}]:${hp.port}` : `${hp.address}:${hp.port}`;
}
