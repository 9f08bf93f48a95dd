// Hand-built DNS messages and loopback helpers for the transport tests. Messages are built byte by
// byte here (not with src/wire) so that the transport is tested against independent bytes.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { FrameDecoder } from '../../src/transport/tcp-framing.js';

/** Uncompressed wire form of a dotted name ('www.Example.com' → 3www7Example3com0). */
export function encodeName(name: string): Uint8Array {
  const out: number[] = [];
  for (const label of name.split('.').filter((l) => l !== '')) {
    out.push(label.length, ...Buffer.from(label, 'latin1'));
  }
  out.push(0);
  return Uint8Array.from(out);
}

/** A standard query (RD set) for `name`/`type`/IN with the given ID. */
export function buildQuery(id: number, name: string, type = 1): Uint8Array {
  const qname = encodeName(name);
  const out = new Uint8Array(12 + qname.length + 4);
  out[0] = id >> 8;
  out[1] = id & 0xff;
  out[2] = 0x01; // RD
  out[5] = 1; // QDCOUNT
  out.set(qname, 12);
  out[12 + qname.length + 1] = type;
  out[12 + qname.length + 3] = 1; // IN
  return out;
}

export interface ReplyOptions {
  id?: number;
  /** Replace the question name (same length or not). */
  name?: string;
  tc?: boolean;
  qr?: boolean;
  /** A byte appended after the question so tests can tell replies apart. */
  marker?: number;
}

/** A reply echoing `query`'s question with QR set, optionally altered, ending in a marker byte. */
export function buildReply(query: Uint8Array, opts: ReplyOptions = {}): Uint8Array {
  let body = Uint8Array.from(query);
  if (opts.name !== undefined) {
    const qname = encodeName(opts.name);
    const oldLen = encodeName(readQname(query)).length;
    const rebuilt = new Uint8Array(12 + qname.length + 4);
    rebuilt.set(query.subarray(0, 12));
    rebuilt.set(qname, 12);
    rebuilt.set(query.subarray(12 + oldLen, 12 + oldLen + 4), 12 + qname.length);
    body = rebuilt;
  }
  const out = new Uint8Array(body.length + 1);
  out.set(body);
  out[body.length] = opts.marker ?? 0;
  if (opts.id !== undefined) {
    out[0] = opts.id >> 8;
    out[1] = opts.id & 0xff;
  }
  out[2] = (out[2]! & 0x7d) | (opts.qr === false ? 0 : 0x80) | (opts.tc === true ? 0x02 : 0);
  return out;
}

/** The question name of a message, as dotted text (no escapes: test names are plain). */
export function readQname(msg: Uint8Array): string {
  const labels: string[] = [];
  let pos = 12;
  while (msg[pos] !== 0) {
    const len = msg[pos]!;
    labels.push(Buffer.from(msg.subarray(pos + 1, pos + 1 + len)).toString('latin1'));
    pos += len + 1;
  }
  return labels.join('.');
}

export function idOf(msg: Uint8Array): number {
  return (msg[0]! << 8) | msg[1]!;
}

export function lastByte(msg: Uint8Array): number {
  return msg[msg.length - 1]!;
}

/** A UDP socket bound on a loopback address, with its port. */
export async function bindUdp(address: string, port = 0): Promise<UdpSocket> {
  const s = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, address, () => {
      s.removeListener('error', reject);
      resolve();
    });
  });
  return s;
}

/** Resolves with the next datagram on `s`. */
export function nextDatagram(s: UdpSocket): Promise<{ msg: Buffer; rinfo: RemoteInfo }> {
  return new Promise((resolve) => {
    s.once('message', (msg: Buffer, rinfo: RemoteInfo) => {
      resolve({ msg, rinfo });
    });
  });
}

export function sendUdp(s: UdpSocket, bytes: Uint8Array, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    s.send(bytes, port, address, (e) => {
      if (e) reject(e);
      else resolve();
    });
  });
}

export function closeUdp(s: UdpSocket): Promise<void> {
  return new Promise((resolve) => s.close(() => { resolve(); }));
}

/** A TCP client for the tests: framed messages in, a queue of framed messages out. */
export class TcpTestClient {
  readonly socket: Socket;
  readonly messages: Uint8Array[] = [];
  private waiters: ((m: Uint8Array) => void)[] = [];
  readonly closed: Promise<void>;
  readonly connected: Promise<void>;

  constructor(address: string, port: number) {
    const decoder = new FrameDecoder((m) => {
      const w = this.waiters.shift();
      if (w) w(Uint8Array.from(m));
      else this.messages.push(Uint8Array.from(m));
    });
    this.socket = connect({ host: address, port, localAddress: address.includes(':') ? '::1' : '127.0.0.1' });
    this.socket.on('data', (c: Buffer) => decoder.push(c));
    this.socket.on('error', () => undefined);
    this.connected = new Promise((resolve) => this.socket.once('connect', () => { resolve(); }));
    this.closed = new Promise((resolve) => this.socket.once('close', () => { resolve(); }));
  }

  /** Writes raw bytes (framing included). */
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => this.socket.write(bytes, () => { resolve(); }));
  }

  /** Resolves with the next framed message received. */
  next(): Promise<Uint8Array> {
    const m = this.messages.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Frames one message with its two-octet length. */
export function frame(msg: Uint8Array): Uint8Array {
  const out = new Uint8Array(msg.length + 2);
  out[0] = msg.length >> 8;
  out[1] = msg.length & 0xff;
  out.set(msg, 2);
  return out;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolve function outside, for handlers the test releases by hand. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
