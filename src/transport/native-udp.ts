// The batched UDP endpoint of native/anchord_udp.c (part of the anchord_verify addon that
// scripts/build-native.mjs builds at `npm ci`): one recvmmsg per batch of datagrams into memory JS
// sees, one JS call per batch, one sendmmsg for the answers written during that call, sendto for
// answers that come later. udp-listener.ts uses it when it loads, node:dgram otherwise.
//
// Everything a datagram brings stays bytes: the sender is a NativeSender whose address text is
// made only when something asks for it (a log line, the slow path of the resolver front end); the
// ACL decides from `ip4`/`ip6` (acl.ts aclDecideSender).

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ipv6ToText } from '../wire/rdata.js';
import type { DatagramSender } from './handler.js';

/** The endpoint object udpOpen returns (see the comment at the top of native/anchord_udp.c). */
export interface NativeUdpEndpoint {
  readonly port: number;
  /** batch * slot octets: datagram j at j * slot. */
  readonly payload: ArrayBuffer;
  /** batch * 4: length, port, family (4 or 6), IPv4 address as int32 (family 4). */
  readonly meta: Int32Array;
  /** batch * 16: the IPv6 source address of datagram j at j * 16 (family 6). */
  readonly addr: Uint8Array;
  /** batch * sendSlot octets: the synchronous answer to datagram j at j * sendSlot. */
  readonly out: ArrayBuffer;
  /** batch: the length of the answer written at j (0: none); sent when the batch call returns. */
  readonly outLen: Int32Array;
  /** NATIVE_COUNTER slots. */
  readonly counters: Float64Array;
  /** One answer now (sendto); false when the socket is closed or the send failed (counted). */
  sendTo(bytes: Uint8Array, port: number, family: 4 | 6, ip4: number, ip6: Uint8Array | null): boolean;
  /** Stops polling and closes the socket; the batch memory is released with the object. */
  close(): void;
}

/** Slots of NativeUdpEndpoint.counters (anchord_udp.c COUNTER_*). */
export const NATIVE_COUNTER = {
  received: 0,
  batches: 1,
  oversize: 2,
  sent: 3,
  sendFull: 4,
  sendError: 5,
  recvError: 6,
} as const;

export interface NativeUdpOpenOptions {
  readonly address: string;
  readonly port: number;
  readonly reusePort: boolean;
  /** SO_RCVBUF / SO_SNDBUF; 0: the system default. */
  readonly receiveBufferSize: number;
  readonly sendBufferSize: number;
  /** Datagrams per recvmmsg. */
  readonly batch: number;
  /** Largest datagram taken (longer ones are counted as oversize and dropped). */
  readonly slot: number;
  /** Largest answer sent from the batch memory; longer answers go through sendTo. */
  readonly sendSlot: number;
  /** Called once per batch, with the endpoint as `this`. */
  readonly onBatch: (count: number) => void;
}

interface RawAddon {
  udpOpen(
    address: string,
    port: number,
    reusePort: boolean,
    rcvbuf: number,
    sndbuf: number,
    batch: number,
    slot: number,
    sendSlot: number,
    onBatch: (count: number) => void,
  ): NativeUdpEndpoint;
}

export type NativeUdpLoad =
  | { readonly ok: true; readonly open: (options: NativeUdpOpenOptions) => NativeUdpEndpoint }
  | { readonly ok: false; readonly reason: string };

let loaded: NativeUdpLoad | undefined;

/**
 * The native endpoint, loaded on first use, or why it could not be. Never throws.
 * ANCHORD_NATIVE_UDP=0 in the environment turns it off (comparisons, escape hatch).
 */
export function loadNativeUdp(): NativeUdpLoad {
  if (loaded !== undefined) return loaded;
  const path = fileURLToPath(new URL('../../native/build/Release/anchord_verify.node', import.meta.url));
  if (process.env.ANCHORD_NATIVE_UDP === '0') {
    loaded = { ok: false, reason: 'turned off by ANCHORD_NATIVE_UDP=0' };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as Partial<RawAddon> | undefined;
    const udpOpen = addon?.udpOpen;
    if (typeof udpOpen !== 'function') {
      loaded = { ok: false, reason: `${path} has no udpOpen (stale build? run npm run build:native)` };
    } else {
      loaded = {
        ok: true,
        open: (o) => udpOpen(o.address, o.port, o.reusePort, o.receiveBufferSize, o.sendBufferSize, o.batch, o.slot, o.sendSlot, o.onBatch),
      };
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    loaded = {
      ok: false,
      reason: code === 'MODULE_NOT_FOUND' ? `${path} was not built (npm run build:native)` : `${path} did not load: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  return loaded;
}

/** IPv4 text of a 32-bit address. */
export function formatIpv4(ip: number): string {
  return `${(ip >>> 24) & 0xff}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
}

/**
 * The sender of a datagram taken by the native endpoint: the address as a number (IPv4) or 16
 * octets (IPv6), its text made on first use and kept.
 */
export class NativeSender implements DatagramSender {
  readonly ip4: number;
  readonly ip6: Uint8Array | undefined;
  readonly port: number;
  private text: string | undefined;

  /** `ip4` an unsigned 32-bit IPv4 address, or -1 with `ip6` its 16 octets. */
  constructor(ip4: number, ip6: Uint8Array | undefined, port: number) {
    this.ip4 = ip4;
    this.ip6 = ip6;
    this.port = port;
  }

  get address(): string {
    if (this.text === undefined) this.text = this.ip6 === undefined ? formatIpv4(this.ip4) : ipv6ToText(this.ip6);
    return this.text;
  }
}
