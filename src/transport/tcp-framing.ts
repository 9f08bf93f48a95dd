// DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766 §8): every message is preceded by a two-octet
// length field in network byte order. A stream carries any number of messages back to back, and a
// read may end anywhere: inside the length field, inside a message, or after several messages.
//
// FrameDecoder reassembles messages from such reads. A message that lies wholly inside one read is
// handed out as a view of that read (no copy); one that spans reads is assembled into a buffer of
// exactly its announced size, so a peer trickling one octet at a time costs one copy per octet, not
// a growing concatenation. Used by the TCP listener and the upstream client alike, so that
// connection reuse and pipelining on the client side (RFC 7766 §6.2.1) can build on it later.

/** Largest message a two-octet length can announce (RFC 1035 §4.2.2). */
export const MAX_TCP_MESSAGE = 65535;

/** Why a stream cannot be decoded further; the connection should be closed. */
export type FrameError = 'empty-message' | 'too-large';

export class FrameDecoder {
  private readonly maxMessageSize: number;
  private readonly onMessage: (message: Uint8Array) => void;
  /** First length octet when a read ended between the two. */
  private lengthHigh = -1;
  /** Message being assembled across reads, and how much of it has arrived. */
  private partial: Uint8Array | undefined;
  private filled = 0;

  /**
   * `onMessage` receives each complete message in stream order. A message that lay wholly in one
   * read is a view of that read's bytes: it may be kept when the reader hands each read a buffer
   * of its own (node:net 'data'), and must be copied when reads reuse one buffer (`onread`).
   */
  constructor(onMessage: (message: Uint8Array) => void, maxMessageSize = MAX_TCP_MESSAGE) {
    this.onMessage = onMessage;
    this.maxMessageSize = Math.min(maxMessageSize, MAX_TCP_MESSAGE);
  }

  /** True when bytes of an unfinished message (or length field) are held. */
  get hasPartial(): boolean {
    return this.partial !== undefined || this.lengthHigh >= 0;
  }

  /**
   * Consumes one read. Returns undefined, or the error that makes the rest of the stream
   * meaningless (after which the decoder must not be fed again). Messages completed before the
   * error have already been delivered.
   */
  push(chunk: Uint8Array): FrameError | undefined {
    let pos = 0;
    const n = chunk.length;
    while (pos < n) {
      const partial = this.partial;
      if (partial !== undefined) {
        const take = Math.min(partial.length - this.filled, n - pos);
        partial.set(chunk.subarray(pos, pos + take), this.filled);
        this.filled += take;
        pos += take;
        if (this.filled === partial.length) {
          this.partial = undefined;
          this.filled = 0;
          this.onMessage(partial);
        }
        continue;
      }
      let length: number;
      if (this.lengthHigh >= 0) {
        length = (this.lengthHigh << 8) | chunk[pos]!;
        this.lengthHigh = -1;
        pos += 1;
      } else if (pos + 1 < n) {
        length = (chunk[pos]! << 8) | chunk[pos + 1]!;
        pos += 2;
      } else {
        this.lengthHigh = chunk[pos]!;
        return undefined;
      }
      // A zero-length message cannot hold a DNS header; RFC 7766 gives no meaning to it.
      if (length === 0) return 'empty-message';
      if (length > this.maxMessageSize) return 'too-large';
      if (pos + length <= n) {
        const message = chunk.subarray(pos, pos + length);
        pos += length;
        this.onMessage(message);
      } else {
        const buf = new Uint8Array(length);
        buf.set(chunk.subarray(pos), 0);
        this.filled = n - pos;
        this.partial = buf;
        pos = n;
      }
    }
    return undefined;
  }
}

/** Prepends the two-octet length (RFC 1035 §4.2.2): one buffer, so one write and one segment. */
export function frameMessage(message: Uint8Array): Uint8Array {
  if (message.length > MAX_TCP_MESSAGE) throw new RangeError(`message of ${message.length} octets does not fit a TCP frame`);
  const out = new Uint8Array(message.length + 2);
  out[0] = message.length >> 8;
  out[1] = message.length & 0xff;
  out.set(message, 2);
  return out;
}
