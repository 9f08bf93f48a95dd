// The contract between the listeners (udp-listener.ts, tcp-listener.ts) and the server that
// answers: one request in, one response (or nothing) out. Bytes only; decoding, the ACL decision
// and building FORMERR/REFUSED/SERVFAIL answers belong to the caller (src/server).

/** Where a request came from. */
export interface ClientInfo {
  readonly address: string;
  readonly port: number;
  readonly transport: 'udp' | 'tcp';
}

/**
 * Answers one request. Returns the response bytes, or undefined to send nothing (drop). May
 * answer synchronously (a cache hit need not pay for a promise) or asynchronously. A throw or a
 * rejection is logged through the listener's `onError` and treated as a drop: the listener never
 * throws because of a handler.
 */
export type RequestHandler = (
  request: Uint8Array,
  client: ClientInfo,
) => Promise<Uint8Array | undefined> | Uint8Array | undefined;

/**
 * The sender of a datagram: node:dgram's RemoteInfo fits as it is. The native endpoint's sender
 * (native-udp.ts NativeSender) also has the address as bytes, so that the ACL decides without the
 * text, which it then makes only when asked for `address`.
 */
export interface DatagramSender {
  readonly address: string;
  readonly port: number;
  /** The IPv4 address as an unsigned 32-bit number, or -1 for an IPv6 sender (then `ip6`). */
  readonly ip4?: number;
  /** The IPv6 address, 16 octets (when `ip4` is -1). */
  readonly ip6?: Uint8Array | undefined;
}

/**
 * A DatagramHandler's answer "later, through `reply`": the handler has taken the request and calls
 * exactly one of `reply.answer` / `reply.fail` with the `via` and `from` it was given, so that the
 * listener attaches no callbacks (two closures and a promise) to a promise per request.
 */
export const REPLY_LATER: unique symbol = Symbol('anchord.replyLater');

/**
 * Where a DatagramHandler that returned REPLY_LATER finishes the request: one object per listener,
 * the request's own state (`via`: the socket or endpoint it came through; `from`: its sender) handed
 * back as given. `answer` with undefined is a drop; `fail` is what a rejection is for a promise
 * (logged through onError, the request dropped).
 */
export interface DatagramReply {
  answer(via: unknown, from: DatagramSender, answer: Uint8Array | undefined): void;
  fail(via: unknown, from: DatagramSender, error: unknown): void;
}

/**
 * Answers one UDP request given its sender as node:dgram reports it (RemoteInfo), so that the
 * listener makes no ClientInfo per datagram; otherwise as RequestHandler, transport UDP. When the
 * listener gives `reply` and `via`, the handler may return REPLY_LATER and finish through `reply`.
 */
export type DatagramHandler = (
  request: Uint8Array,
  from: DatagramSender,
  reply?: DatagramReply,
  via?: unknown,
) => ReturnType<RequestHandler> | typeof REPLY_LATER;

/** Receives failures the listener cannot report otherwise (handler errors, socket errors). */
export type ErrorLogger = (error: unknown, context: string) => void;

/** How long close() lets in-flight answers finish, unless told otherwise. */
export const DEFAULT_CLOSE_GRACE_MS = 5000;
