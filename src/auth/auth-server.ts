// The authoritative server as a library: a set of zones and a request handler, bytes in and bytes
// out, for the UDP/TCP listeners (src/transport) that the CLI or the server composition wires to
// it. Answering is auth/answer.ts; this module adds the wire edges:
//
// - a request that cannot be decoded but has a query header gets FORMERR (RFC 1035 §4.1.1), one
//   that is a response (QR set) or shorter than a header gets nothing;
// - the response size limit (RFC 1035 §4.2.1, RFC 6891 §6.2.3-§6.2.5): over UDP the client's
//   EDNS payload size (at least 512, at most ours), 512 without EDNS; over TCP 65535. What does not
//   fit is dropped by whole RRsets with TC set (wire/message.ts encodeMessage).
//
// Pure module: no sockets; the handler's shape matches transport/handler.ts RequestHandler.

import { encodeMessage, decodeMessage, makeResponse, type Message } from '../wire/message.js';
import { Rcode } from '../wire/constants.js';
import type { Name } from '../wire/name.js';
import { answerQuery, type AnswerKind, type AnswerOptions, type ZoneLookup } from './answer.js';
import type { AuthZone } from './auth-zone.js';

/** The zones served, found by longest match on the query name. */
export class AuthZoneSet implements ZoneLookup {
  private readonly byKey = new Map<string, AuthZone>();

  constructor(zones: Iterable<AuthZone> = []) {
    for (const z of zones) this.set(z);
  }

  /** Adds a zone or replaces the one with the same origin (a reload). */
  set(zone: AuthZone): void {
    this.byKey.set(zone.origin.key, zone);
  }

  delete(origin: Name): boolean {
    return this.byKey.delete(origin.key);
  }

  get(origin: Name): AuthZone | undefined {
    return this.byKey.get(origin.key);
  }

  get size(): number {
    return this.byKey.size;
  }

  *[Symbol.iterator](): Generator<AuthZone, void, undefined> {
    yield* this.byKey.values();
  }

  find(name: Name): AuthZone | undefined {
    for (let n: Name | undefined = name; n !== undefined; n = n.parent()) {
      const z = this.byKey.get(n.key);
      if (z !== undefined) return z;
    }
    return undefined;
  }
}

/** Where a request came from (the fields of transport/handler.ts ClientInfo this module reads). */
export interface AuthClient {
  readonly transport: 'udp' | 'tcp';
  readonly address?: string;
  readonly port?: number;
}

/** One answered query, for logs and metrics. */
export interface AuthQueryEvent {
  readonly client: AuthClient;
  readonly kind: AnswerKind | 'dropped';
  readonly rcode: number;
  readonly zone: Name | undefined;
  readonly truncated: boolean;
  readonly size: number;
}

export interface AuthServerOptions extends AnswerOptions {
  /** Called after each request (logging, metrics). */
  readonly onQuery?: (event: AuthQueryEvent) => void;
}

export interface AuthServer {
  readonly zones: AuthZoneSet;
  /** Answers one request (transport RequestHandler shape); undefined means send nothing. */
  handle(request: Uint8Array, client: AuthClient): Uint8Array | undefined;
}

const MIN_UDP = 512;

/** The largest response for this query and transport. */
export function responseLimit(query: Message | undefined, transport: 'udp' | 'tcp', ourUdpSize: number): number {
  if (transport === 'tcp') return 65535;
  const asked = query?.edns?.udpSize;
  if (asked === undefined) return MIN_UDP;
  return Math.max(MIN_UDP, Math.min(asked, ourUdpSize));
}

/** A FORMERR for a request whose header is readable but whose body is not. */
function formErrFromHeader(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length < 12 || (bytes[2]! & 0x80) !== 0) return undefined;
  const id = (bytes[0]! << 8) | bytes[1]!;
  const opcode = (bytes[2]! >>> 3) & 0x0f;
  const query = {
    id,
    flags: { qr: false, opcode, aa: false, tc: false, rd: (bytes[2]! & 1) !== 0, ra: false, z: false, ad: false, cd: (bytes[3]! & 0x10) !== 0 },
    rcode: 0,
    question: [],
    answer: [],
    authority: [],
    additional: [],
  };
  return encodeMessage(makeResponse(query, { rcode: Rcode.FORMERR })).bytes;
}

/** An authoritative server over `zones` (AuthZone or an AuthZoneSet to share and reload). */
export function createAuthServer(zones: Iterable<AuthZone> | AuthZoneSet, options: AuthServerOptions = {}): AuthServer {
  const set = zones instanceof AuthZoneSet ? zones : new AuthZoneSet(zones);
  const udpSize = options.udpSize ?? 1232;
  const onQuery = options.onQuery;
  return {
    zones: set,
    handle(request: Uint8Array, client: AuthClient): Uint8Array | undefined {
      let query: Message;
      try {
        query = decodeMessage(request);
      } catch {
        const bytes = formErrFromHeader(request);
        onQuery?.({ client, kind: bytes === undefined ? 'dropped' : 'formerr', rcode: Rcode.FORMERR, zone: undefined, truncated: false, size: bytes?.length ?? 0 });
        return bytes;
      }
      const answer = answerQuery(query, set, options);
      if (answer === undefined) {
        onQuery?.({ client, kind: 'dropped', rcode: 0, zone: undefined, truncated: false, size: 0 });
        return undefined;
      }
      const encoded = encodeMessage(answer.message, { maxSize: responseLimit(query, client.transport, udpSize) });
      onQuery?.({ client, kind: answer.kind, rcode: answer.message.rcode, zone: answer.zone?.origin, truncated: encoded.truncated, size: encoded.bytes.length });
      return encoded.bytes;
    },
  };
}
