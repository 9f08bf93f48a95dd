// Entries as DNS messages (FORMAT.md §3.1) and canned answers adjusted to a query (§5, §9 rule 3).
//
// - D entries always carry EDNS version 0, UDP size 4096, DO from REPLY; U entries carry an OPT
//   (version 0, UDP size 1232, DO/CO, HEX_EDNSDATA options) only when REPLY has DO or CO or the
//   entry has HEX_EDNSDATA.
// - D `RAW` / U `HEX_ANSWER` bytes replace the built message.
// - ADJUST `copy_id`: D: ID := query ID, question name := the query's name (its case), EDNS rebuilt
//   from the query (presence, version, flags; the entry's options kept); U: ID only.
//   `copy_query`: the query's question section (U: inserted when the entry has none; D also
//   rebuilds EDNS). `raw_id`: first two octets := query ID. `do_not_answer`: no answer.
// - Harness deviations of §9 rule 3: every answer gets the query's ID (delivery is per query), and
//   with `copy_id` the question name always takes the query's name and case (the D rule, also for
//   U), so a resolver that checks the echoed question accepts it.

import type { Edns, EdnsOptionData } from '../../wire/edns.js';
import { EDNS_DO } from '../../wire/edns.js';
import { encodeMessage, type Message, type MessageInit, type Question } from '../../wire/message.js';
import { Dialect, type Entry } from './scenario.js';

/** EDNS UDP sizes the two tools put in entries. */
export const D_UDP_SIZE = 4096;
export const U_UDP_SIZE = 1232;
/** U `CO` (compact answers OK) flag bit in the OPT TTL flags. */
export const EDNS_CO = 0x4000;

/** OPT option list from raw HEX_EDNSDATA octets (code, length, data …); junk at the end is kept as-is. */
export function parseEdnsOptions(bytes: Uint8Array): EdnsOptionData[] {
  const out: EdnsOptionData[] = [];
  let i = 0;
  while (i + 4 <= bytes.length) {
    const code = (bytes[i]! << 8) | bytes[i + 1]!;
    const len = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (i + 4 + len > bytes.length) break;
    out.push({ code, data: bytes.slice(i + 4, i + 4 + len) });
    i += 4 + len;
  }
  return out;
}

/** The OPT an entry carries in its dialect, or undefined. */
export function entryEdns(entry: Entry, dialect: Dialect): Edns | undefined {
  const options = entry.ednsData === undefined ? [] : parseEdnsOptions(entry.ednsData);
  if (dialect === Dialect.deckard) {
    return { udpSize: D_UDP_SIZE, version: 0, dnssecOk: entry.do, flags: entry.do ? EDNS_DO : 0, options };
  }
  if (!entry.do && !entry.co && entry.ednsData === undefined) return undefined;
  const flags = (entry.do ? EDNS_DO : 0) | (entry.co ? EDNS_CO : 0);
  return { udpSize: U_UDP_SIZE, version: 0, dnssecOk: entry.do, flags, options };
}

/** The message an entry describes (sections, header, EDNS per dialect), with the given ID. */
export function entryMessage(entry: Entry, dialect: Dialect, id: number): MessageInit {
  const f = entry.flags;
  const edns = entryEdns(entry, dialect);
  const base: MessageInit = {
    id,
    flags: { qr: f.qr, opcode: entry.opcode, aa: f.aa, tc: f.tc, rd: f.rd, ra: f.ra, z: false, ad: f.ad, cd: f.cd },
    rcode: entry.rcode,
    question: entry.question,
    answer: entry.answer,
    authority: entry.authority,
    additional: entry.additional,
  };
  return edns === undefined ? base : { ...base, edns };
}

/** Encodes a message; falls back to no compression when RDATA is malformed on purpose. */
export function encodeLenient(msg: MessageInit): Uint8Array {
  try {
    return encodeMessage(msg).bytes;
  } catch {
    return encodeMessage(msg, { compress: false }).bytes;
  }
}

/** The wire form of an entry sent as a query (RAW/HEX_ANSWER bytes as written). */
export function entryQueryBytes(entry: Entry, dialect: Dialect, id: number): Uint8Array {
  if (entry.raw !== undefined) return entry.raw.slice();
  return encodeLenient(entryMessage(entry, dialect, id));
}

/** A canned answer: the entry adjusted to `query` (module comment). Undefined: do not answer. */
export function adjustedReply(entry: Entry, dialect: Dialect, query: Message): Uint8Array | undefined {
  const adjust = entry.adjust;
  if (adjust.has('do_not_answer')) return undefined;
  if (entry.raw !== undefined) {
    const bytes = entry.raw.slice();
    if (bytes.length >= 2) {
      bytes[0] = query.id >>> 8;
      bytes[1] = query.id & 0xff;
    }
    return bytes;
  }
  const copyId = adjust.has('copy_id');
  const copyQuery = adjust.has('copy_query');
  let question: readonly Question[] = entry.question;
  const q0 = query.question[0];
  if (copyQuery) {
    question = query.question;
  } else if (copyId && q0 !== undefined && entry.question.length > 0) {
    question = entry.question.map((q, i) => (i === 0 ? { ...q, name: q0.name } : q));
  }
  let msg: MessageInit = { ...entryMessage(entry, dialect, query.id), question };
  if (dialect === Dialect.deckard && (copyId || copyQuery)) {
    // Deckard rebuilds EDNS from the query: same presence, version and flags, entry's options.
    const own = entryEdns(entry, dialect);
    const { edns: _drop, ...rest } = msg;
    msg =
      query.edns === undefined
        ? rest
        : {
            ...rest,
            edns: {
              udpSize: own?.udpSize ?? D_UDP_SIZE,
              version: query.edns.version,
              dnssecOk: query.edns.dnssecOk,
              flags: query.edns.flags,
              options: own?.options ?? [],
            },
          };
  }
  if (msg.rcode > 15 && msg.edns === undefined) msg = { ...msg, rcode: msg.rcode & 15 };
  return encodeLenient(msg);
}
