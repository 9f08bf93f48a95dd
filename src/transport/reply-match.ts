// Matching a reply to the query it answers (RFC 5452 §3, "Requirements for resolvers"): a reply
// is accepted only when its ID equals the query's, its QR bit is set (RFC 1035 §4.1.1) and its
// question section equals the query's. The source address and port are checked by the caller.
//
// The question is compared as bytes: QDCOUNT, then each QNAME label by label (length octets
// exactly, label octets case-insensitively by default, RFC 4343 §3 ASCII folding), then QTYPE and
// QCLASS. A reply that compresses its question name (a pointer at offset 12 can only point into
// the header) or runs past its end does not match. Exact case is for 0x20 (random-case QNAMEs,
// draft-vixie-dnsext-dns0x20): the resolver asks for it when it has randomised the case itself.
//
// These are the only bytes the transport reads from a reply; they are bounds-checked here and
// everything else is the wire reader's business.

import { lowerOctet } from '../wire/name.js';

const HEADER = 12;

/**
 * Offset just past the question section of a query (12 + the questions), or -1 when the message
 * is shorter than a header or its question section is malformed or compressed.
 */
export function questionEnd(msg: Uint8Array): number {
  if (msg.length < HEADER) return -1;
  const qdcount = (msg[4]! << 8) | msg[5]!;
  let pos = HEADER;
  for (let q = 0; q < qdcount; q++) {
    let nameLength = 0;
    while (true) {
      if (pos >= msg.length) return -1;
      const len = msg[pos]!;
      if (len === 0) {
        pos++;
        break;
      }
      if (len > 63) return -1; // a pointer or an extended label type: not in a question we match
      nameLength += len + 1;
      if (nameLength > 254) return -1; // RFC 1035 §2.3.4: 255 octets with the root label
      pos += len + 1;
    }
    pos += 4;
    if (pos > msg.length) return -1;
  }
  return pos;
}

/** Why a message is not the reply to a query; 'ok' when it is. */
export type ReplyMatch = 'ok' | 'short' | 'id' | 'not-response' | 'question';

/**
 * Checks that `reply` answers `query`, whose question section ends at `qEnd` (from questionEnd).
 * With `exactCase` the QNAME must match octet for octet (0x20); otherwise ASCII case is folded.
 */
export function matchReply(query: Uint8Array, qEnd: number, reply: Uint8Array, exactCase: boolean): ReplyMatch {
  if (reply.length < qEnd) return 'short';
  if (reply[0] !== query[0] || reply[1] !== query[1]) return 'id';
  if ((reply[2]! & 0x80) === 0) return 'not-response';
  if (reply[4] !== query[4] || reply[5] !== query[5]) return 'question';
  // The query's question is well formed up to qEnd, so walking its labels drives the comparison;
  // the reply only has to have the same octets, and it is at least qEnd long.
  let pos = HEADER;
  while (pos < qEnd) {
    const len = query[pos]!;
    if (reply[pos] !== len) return 'question';
    pos++;
    if (len === 0) {
      // QTYPE and QCLASS are numbers: exact.
      for (let i = 0; i < 4; i++, pos++) if (reply[pos] !== query[pos]) return 'question';
      continue;
    }
    const end = pos + len;
    if (exactCase) {
      for (; pos < end; pos++) if (reply[pos] !== query[pos]) return 'question';
    } else {
      for (; pos < end; pos++) {
        const a = reply[pos]!;
        const b = query[pos]!;
        if (a !== b && lowerOctet(a) !== lowerOctet(b)) return 'question';
      }
    }
  }
  return 'ok';
}

/** The TC bit (RFC 1035 §4.1.1): the answer did not fit and should be asked again over TCP. */
export function isTruncated(reply: Uint8Array): boolean {
  return reply.length > 2 && (reply[2]! & 0x02) !== 0;
}
