// What the resolver needs from the network: one exchange with one upstream server (RFC 1035
// §4.2: UDP, or TCP when asked). The resolver is pure (DESIGN.md convention 1), so it never opens a
// socket: the server passes an object of this shape, and src/transport/upstream-client.ts's
// UpstreamClient has it (its `query` takes the same server, bytes and options, and answers with
// the same three outcomes). Tests and the scenario replay runner pass scripted transports.
//
// The transport matches a reply to its query (address, port, ID, question; RFC 5452 §9.1) and
// never rejects: every outcome is a value. The resolver asks for TCP itself after a TC reply
// (RFC 7766 §5), so it passes `tcpOnTruncation: false`.

export interface UpstreamServer {
  readonly address: string;
  readonly port: number;
}

export interface TransportQueryOptions {
  /** Ask over TCP from the start. */
  readonly tcp?: boolean | undefined;
  /** Time allowed for the exchange, ms. */
  readonly timeoutMs: number;
  /** Require the reply's QNAME to match octet for octet (0x20). */
  readonly exactCase?: boolean | undefined;
  /** Let the transport retry over TCP by itself when the UDP reply has TC set. */
  readonly tcpOnTruncation?: boolean | undefined;
}

export type TransportReply =
  | { readonly kind: 'reply'; readonly bytes: Uint8Array; readonly rttMs: number; readonly tcp: boolean }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly reason: string };

/** One query to one server; never rejects. */
export interface Transport {
  query(server: UpstreamServer, query: Uint8Array, options: TransportQueryOptions): Promise<TransportReply>;
}
