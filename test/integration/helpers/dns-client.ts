// A stub client for the interop test: one query over UDP from 127.0.0.1, retried on silence, and
// repeated over TCP when the answer comes back truncated (RFC 7766 §5). Built from src/wire's
// makeQuery/encodeMessage/decodeMessage; the reply must match the ID and the question.

import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { decodeMessage, encodeMessage, makeQuery, type Message } from '../../../src/wire/message.js';
import type { Name } from '../../../src/wire/name.js';

export interface Server {
  readonly address: string;
  readonly port: number;
}

export interface ClientOptions {
  readonly rd?: boolean;
  readonly do?: boolean;
  readonly cd?: boolean;
  /** Per-try timeout (ms). */
  readonly timeoutMs?: number;
  /** UDP sends before giving up. */
  readonly tries?: number;
  readonly udpSize?: number;
}

export interface ClientAnswer {
  readonly message: Message;
  readonly tcp: boolean;
}

function matches(reply: Message, id: number, name: Name, type: number): boolean {
  const q = reply.question[0];
  return reply.flags.qr && reply.id === id && q !== undefined && q.type === type && q.name.equals(name);
}

function udpExchange(server: Server, bytes: Uint8Array, id: number, name: Name, type: number, timeoutMs: number, tries: number): Promise<Message> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: Error | undefined, m?: Message): void => {
      if (timer !== undefined) clearTimeout(timer);
      s.close();
      if (err !== undefined) reject(err);
      else resolve(m!);
    };
    const send = (): void => {
      if (sent >= tries) {
        finish(new Error(`no answer from ${server.address}:${server.port} after ${tries} tries of ${timeoutMs} ms`));
        return;
      }
      sent++;
      s.send(bytes, server.port, server.address);
      timer = setTimeout(send, timeoutMs);
    };
    s.on('error', (e) => finish(e));
    s.on('message', (msg, rinfo) => {
      if (rinfo.address !== server.address || rinfo.port !== server.port) return;
      let m: Message;
      try {
        m = decodeMessage(msg);
      } catch {
        return;
      }
      if (matches(m, id, name, type)) finish(undefined, m);
    });
    s.bind(0, '127.0.0.1', send);
  });
}

function tcpExchange(server: Server, bytes: Uint8Array, id: number, name: Name, type: number, timeoutMs: number): Promise<Message> {
  return new Promise((resolve, reject) => {
    const c = connect({ host: server.address, port: server.port, localAddress: '127.0.0.1' });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      c.destroy();
      reject(new Error(`TCP: no answer from ${server.address}:${server.port} in ${timeoutMs} ms`));
    }, timeoutMs);
    c.on('connect', () => {
      const head = Buffer.alloc(2);
      head.writeUInt16BE(bytes.length);
      c.write(Buffer.concat([head, bytes]));
    });
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      clearTimeout(timer);
      c.destroy();
      try {
        const m = decodeMessage(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        if (matches(m, id, name, type)) resolve(m);
        else reject(new Error('TCP: reply does not match the query'));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    c.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Sends one query; over TCP again when the UDP answer has TC set. */
export async function queryServer(server: Server, name: Name, type: number, opts: ClientOptions = {}): Promise<ClientAnswer> {
  const id = randomInt(0, 0x10000);
  const q = makeQuery(name, type, {
    id,
    rd: opts.rd ?? true,
    do: opts.do ?? true,
    cd: opts.cd ?? false,
    udpSize: opts.udpSize ?? 1232,
  });
  const bytes = encodeMessage(q).bytes;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const m = await udpExchange(server, bytes, id, name, type, timeoutMs, opts.tries ?? 3);
  if (!m.flags.tc) return { message: m, tcp: false };
  return { message: await tcpExchange(server, bytes, id, name, type, timeoutMs * 3), tcp: true };
}
