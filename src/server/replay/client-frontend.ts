// The client side of the resolver for the replay runner: a query message in, the response bytes
// out, as a recursive server answers (RFC 1035 §4.1.1 header rules, RFC 6891 EDNS, RFC 4035 §3.2
// DO/CD/AD, RFC 8914 EDE). Used in-process, so no sockets (FORMAT.md §9 rule 1).
//
// - Undecodable or QR=1 input gets no answer; a message whose header can be read but the rest
//   cannot gets FORMERR, as does a query with other than one question or with OPT misuse.
// - Opcode other than QUERY: NOTIMP. EDNS version above 0: BADVERS (RFC 6891 §6.1.3).
// - Otherwise the resolver answers: RA set, RD and CD echoed, AD when the resolver says so
//   (RFC 6840 §5.7), OPT only when the query had one (DO echoed; UDP size 1232), EDE options when
//   `ede` is on; the response is truncated to the client's UDP size (512 without EDNS) unless it
//   came over TCP (RFC 1035 §4.2.1, RFC 6891 §6.2.5).

import { Opcode, Rcode } from '../../wire/constants.js';
import { encodeEde } from '../../wire/edns.js';
import { decodeMessage, encodeMessage, makeResponse, type Message, type MessageFlags } from '../../wire/message.js';
import type { Resolver } from '../../resolver/resolver.js';

export interface FrontendOptions {
  readonly ede: boolean;
}

const NO_FLAGS: MessageFlags = { qr: true, opcode: 0, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false };

/** FORMERR (or another rcode) echoing the ID and opcode from a raw header. */
function headerOnly(bytes: Uint8Array, rcode: number): Uint8Array {
  const id = (bytes[0]! << 8) | bytes[1]!;
  const opcode = (bytes[2]! >> 3) & 0x0f;
  const rd = (bytes[2]! & 1) === 1;
  return encodeMessage({ id, flags: { ...NO_FLAGS, opcode, rd }, rcode, question: [], answer: [], authority: [], additional: [] }).bytes;
}

/** Answers one client query; undefined when no answer is sent. */
export async function answerClientQuery(resolver: Resolver, bytes: Uint8Array, tcp: boolean, options: FrontendOptions): Promise<Uint8Array | undefined> {
  if (bytes.length < 12 || (bytes[2]! & 0x80) !== 0) return undefined;
  let query: Message;
  try {
    query = decodeMessage(bytes);
  } catch {
    return headerOnly(bytes, Rcode.FORMERR);
  }
  if (query.flags.opcode !== Opcode.QUERY) return encodeMessage(makeResponse(query, { rcode: Rcode.NOTIMP })).bytes;
  if (query.question.length !== 1 || query.formErr !== undefined) return encodeMessage(makeResponse(query, { rcode: Rcode.FORMERR })).bytes;
  if (query.edns !== undefined && query.edns.version > 0) return encodeMessage(makeResponse(query, { rcode: Rcode.BADVERS })).bytes;
  const q = query.question[0]!;
  const dnssecOk = query.edns?.dnssecOk === true;
  const a = await resolver.resolve(
    { name: q.name, type: q.type, class: q.class },
    { rd: query.flags.rd, cd: query.flags.cd, do: dnssecOk, ad: query.flags.ad },
  );
  const response = makeResponse(query, {
    rcode: a.rcode,
    ra: true,
    ad: a.ad,
    answer: a.answer,
    authority: a.authority,
    additional: a.additional,
    options: options.ede ? a.ede.map((e) => encodeEde(e.infoCode, e.extraText)) : [],
  });
  const maxSize = tcp ? 65535 : query.edns === undefined ? 512 : Math.max(512, query.edns.udpSize);
  return encodeMessage(response, { maxSize }).bytes;
}
