// DNS messages: decode and encode (RFC 1035 §4.1), EDNS OPT handling (RFC 6891 §6), truncation
// (RFC 1035 §4.2.1, RFC 2181 §9) and two small builders for queries and responses.
//
// Decoding separates framing from content. A message whose structure cannot be followed (header
// or a section count overrunning the data, a bad owner name, RDLENGTH past the end) throws
// WireError. A record that frames correctly but whose RDATA is wrong for its type is left out of
// its section and listed in `malformed`: one bad record makes that record unusable, not the
// message (DESIGN.md convention 2). OPT misuse that RFC 6891 §6.1.1/§7 answers with FORMERR is
// reported in `formErr` instead of thrown, so a server can still build that answer.

import { WireError } from '../core/errors.js';
import { RRClass, RRType } from './constants.js';
import { EDNS_DO, mergeRcode, paddingLength } from './edns.js';
import type { Edns, EdnsOptionData } from './edns.js';
import { Name } from './name.js';
import { readRdata, writeRdata } from './rdata.js';
import { HEADER_SIZE, WireReader } from './reader.js';
import type { ResourceRecord } from './record.js';
import { WireWriter } from './writer.js';

export interface MessageFlags {
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  /** The reserved Z bit (must be zero on send, RFC 1035 §4.1.1; ignored on receipt). */
  readonly z: boolean;
  readonly ad: boolean;
  readonly cd: boolean;
}

export interface Question {
  readonly name: Name;
  readonly type: number;
  readonly class: number;
}

export type SectionName = 'answer' | 'authority' | 'additional';

/** A record left out of its section because its RDATA is inconsistent with its type. */
export interface MalformedRecord {
  readonly section: SectionName;
  /** Offset of the record's owner name in the message. */
  readonly offset: number;
  readonly type: number;
  readonly reason: string;
}

/** What encodeMessage needs. */
export interface MessageInit {
  readonly id: number;
  readonly flags: MessageFlags;
  /** Full 12-bit RCODE; values above 15 need `edns` (RFC 6891 §6.1.3). */
  readonly rcode: number;
  readonly question: readonly Question[];
  readonly answer: readonly ResourceRecord[];
  readonly authority: readonly ResourceRecord[];
  /** Additional records without the OPT pseudo-record, which is `edns`. */
  readonly additional: readonly ResourceRecord[];
  readonly edns?: Edns;
}

/** A decoded message. */
export interface Message extends MessageInit {
  readonly malformed: readonly MalformedRecord[];
  /** Set when the message deserves a FORMERR answer (OPT misuse); the first reason found. */
  readonly formErr?: string;
  /** Octets after the last record (ignored). */
  readonly trailing: number;
}

const SECTIONS: readonly SectionName[] = ['answer', 'authority', 'additional'];

/**
 * The section of a decoded message that has no records, shared by all of them (a Message's
 * sections are read-only: nothing writes to them).
 */
const EMPTY_SECTION: ResourceRecord[] = [];
/**
 * decodeMessage's scratch list (synchronous, never re-entered), written from slot 0 for each
 * section. Setting an array's length to 0 would drop its room: its slots are cleared instead.
 */
const RECORD_SCRATCH: (ResourceRecord | undefined)[] = [];

// ---- Decoding --------------------------------------------------------------------------------

export interface DecodeOptions {
  /**
   * RDATA of types without compressed names as views of `bytes` instead of copies: for a caller
   * that owns `bytes` (a datagram just received) and never changes it. Default false.
   */
  readonly rdataViews?: boolean;
}

/** Decodes a message. Throws WireError for framing errors (see the module comment). */
export function decodeMessage(bytes: Uint8Array, opts?: DecodeOptions): Message {
  if (bytes.length < HEADER_SIZE) throw new WireError(`message of ${bytes.length} octets is shorter than the header`, 0);
  // A Node Buffer's subarray and slice go through its species constructor: each RDATA view would
  // be a Buffer, a bigger object and slower to make than a plain Uint8Array view (and Buffer's
  // slice is a view, not the copy asked for without `rdataViews`). The reader works on a plain
  // Uint8Array over the same octets: one object per message, none per record.
  const plain = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const r = new WireReader(plain);
  try {
    return decodeWith(r, plain, opts?.rdataViews === true);
  } finally {
    // The reader's name memo is module scratch (reader.ts): let go of this message's names.
    r.release();
  }
}

/** No malformed records (shared: decodeMessage hands out a list of its own only when there are some). */
const NO_MALFORMED: readonly MalformedRecord[] = Object.freeze([]);

/**
 * Decoded header flags by their 12 bits (the third octet and the high half of the fourth): made
 * once for each combination met and shared by every message that has it (MessageFlags is
 * read-only; nothing writes to a message's flags).
 */
const FLAGS_BY_BITS: (MessageFlags | undefined)[] = new Array<MessageFlags | undefined>(1 << 12).fill(undefined);

/** The flags of a header whose third and fourth octets are `b2` and `b3` (RFC 1035 §4.1.1, RFC 4035 §3.2). */
function flagsOf(b2: number, b3: number): MessageFlags {
  const bits = (b2 << 4) | (b3 >>> 4);
  let flags = FLAGS_BY_BITS[bits];
  if (flags === undefined) {
    flags = {
      qr: (b2 & 0x80) !== 0,
      opcode: (b2 >>> 3) & 0x0f,
      aa: (b2 & 0x04) !== 0,
      tc: (b2 & 0x02) !== 0,
      rd: (b2 & 0x01) !== 0,
      ra: (b3 & 0x80) !== 0,
      z: (b3 & 0x40) !== 0,
      ad: (b3 & 0x20) !== 0,
      cd: (b3 & 0x10) !== 0,
    };
    FLAGS_BY_BITS[bits] = flags;
  }
  return flags;
}

function decodeWith(r: WireReader, bytes: Uint8Array, views: boolean): Message {
  const id = r.u16();
  const b2 = r.u8();
  const b3 = r.u8();
  const qdcount = r.u16();
  const ancount = r.u16();
  const nscount = r.u16();
  const arcount = r.u16();
  const flags = flagsOf(b2, b3);
  // One question is the rule (RFC 9619): a list of exactly one, not one grown by push (room for
  // 17). QDCOUNT is not trusted to size a list: others grow as they are read.
  const question: Question[] = qdcount === 1 ? [readQuestion(r)] : [];
  if (qdcount !== 1) for (let i = 0; i < qdcount; i++) question.push(readQuestion(r));
  // The three sections as they are read (no list of them per message).
  let answer = EMPTY_SECTION;
  let authority = EMPTY_SECTION;
  let additional = EMPTY_SECTION;
  let malformed: MalformedRecord[] | undefined;
  let formErr: string | undefined;
  let edns: Edns | undefined;
  let extRcode = 0;
  for (let s = 0; s < 3; s++) {
    const section = SECTIONS[s]!;
    // Records gather in scratch space and leave as an array of their exact number: an array grown
    // by push from empty takes room for 16 records (most sections hold a few).
    const out = RECORD_SCRATCH;
    let kept = 0;
    const count = s === 0 ? ancount : s === 1 ? nscount : arcount;
    for (let i = 0; i < count; i++) {
      const start = r.pos;
      const name = r.name(true);
      const type = r.u16();
      const cls = r.u16();
      const ttlRaw = r.u32();
      const rdlength = r.u16();
      const rdStart = r.pos;
      if (rdStart + rdlength > r.end) throw new WireError('RDATA overruns the message', rdStart);
      if (type === RRType.OPT) {
        // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root.
        const problem =
          section !== 'additional'
            ? `OPT record in the ${section} section`
            : edns !== undefined
              ? 'more than one OPT record'
              : !name.isRoot()
                ? 'OPT record with a non-root owner'
                : undefined;
        formErr ??= problem;
        if (section === 'additional' && edns === undefined) {
          const parsed = parseOpt(bytes, rdStart, rdlength, cls, ttlRaw);
          edns = parsed.edns;
          extRcode = ttlRaw >>> 24;
          formErr ??= parsed.problem;
        }
        r.pos = rdStart + rdlength;
        continue;
      }
      // RFC 2136 §2.4/§2.5: class ANY with empty RDATA (prerequisites, RRset deletion).
      let rdata: Uint8Array;
      if (rdlength === 0 && cls === RRClass.ANY) {
        rdata = new Uint8Array(0);
      } else {
        try {
          rdata = readRdata(r, type, rdlength, views);
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
          (malformed ??= []).push({ section, offset: start, type, reason: e.message });
          r.pos = rdStart + rdlength;
          continue;
        }
      }
      // RFC 2181 §8: a TTL with the most significant bit set is treated as zero.
      out[kept++] = { name, type, class: cls, ttl: ttlRaw >= 0x80000000 ? 0 : ttlRaw, rdata };
    }
    // Every slot below `kept` was just written.
    if (kept > 0) {
      const list = out.slice(0, kept) as ResourceRecord[];
      if (s === 0) answer = list;
      else if (s === 1) authority = list;
      else additional = list;
      // The slots let go of the records (the array keeps its room for the next section).
      out.fill(undefined, 0, kept);
    }
  }
  const msg: {
    id: number;
    flags: MessageFlags;
    rcode: number;
    question: Question[];
    answer: ResourceRecord[];
    authority: ResourceRecord[];
    additional: ResourceRecord[];
    malformed: readonly MalformedRecord[];
    trailing: number;
    edns?: Edns;
    formErr?: string;
  } = {
    id,
    flags,
    rcode: mergeRcode(b3 & 0x0f, extRcode),
    question,
    answer,
    authority,
    additional,
    malformed: malformed ?? NO_MALFORMED,
    trailing: bytes.length - r.pos,
  };
  if (edns !== undefined) msg.edns = edns;
  if (formErr !== undefined) msg.formErr = formErr;
  return msg;
}

/**
 * `msg` with another RCODE and sections: `msg` itself when they are the ones it has, else a copy
 * made with decodeMessage's property order, so that decoded and derived messages share one
 * object shape (property loads on them stay monomorphic).
 */
export function messageWith(
  msg: Message,
  rcode: number,
  answer: readonly ResourceRecord[],
  authority: readonly ResourceRecord[],
  additional: readonly ResourceRecord[],
): Message {
  if (rcode === msg.rcode && answer === msg.answer && authority === msg.authority && additional === msg.additional) return msg;
  const out: {
    id: number;
    flags: MessageFlags;
    rcode: number;
    question: readonly Question[];
    answer: readonly ResourceRecord[];
    authority: readonly ResourceRecord[];
    additional: readonly ResourceRecord[];
    malformed: readonly MalformedRecord[];
    trailing: number;
    edns?: Edns;
    formErr?: string;
  } = { id: msg.id, flags: msg.flags, rcode, question: msg.question, answer, authority, additional, malformed: msg.malformed, trailing: msg.trailing };
  if (msg.edns !== undefined) out.edns = msg.edns;
  if (msg.formErr !== undefined) out.formErr = msg.formErr;
  return out;
}

function readQuestion(r: WireReader): Question {
  const name = r.name(true);
  const type = r.u16();
  return { name, type, class: r.u16() };
}

function parseOpt(
  bytes: Uint8Array,
  start: number,
  length: number,
  udpSize: number,
  ttl: number,
): { edns: Edns; problem: string | undefined } {
  const options: EdnsOptionData[] = [];
  const end = start + length;
  let p = start;
  let problem: string | undefined;
  while (p < end) {
    if (p + 4 > end) {
      problem = 'truncated EDNS option header';
      break;
    }
    const code = (bytes[p]! << 8) | bytes[p + 1]!;
    const len = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    if (p + 4 + len > end) {
      problem = 'EDNS option overruns the OPT RDATA';
      break;
    }
    options.push({ code, data: bytes.slice(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  const flags = ttl & 0xffff;
  return {
    edns: { udpSize, version: (ttl >>> 16) & 0xff, dnssecOk: (flags & EDNS_DO) !== 0, flags, options },
    problem,
  };
}

// ---- Encoding --------------------------------------------------------------------------------

export interface EncodeOptions {
  /** Size limit; records that do not fit are dropped as whole RRsets (default 65535). */
  readonly maxSize?: number;
  /** Compress names (default true). */
  readonly compress?: boolean;
  /** Pad with an RFC 7830 PADDING option to a multiple of this block size (needs `edns`). */
  readonly padBlock?: number;
}

export interface EncodedMessage {
  readonly bytes: Uint8Array;
  /** TC was set because answer or authority data did not fit. */
  readonly truncated: boolean;
  /** Number of records left out for size (answer, authority or additional). */
  readonly dropped: number;
}

/** WireWriter options for a message encoded with no size limit of its own. */
const NO_WRITER_OPTIONS = Object.freeze({});

function optSize(edns: Edns): number {
  let n = 11;
  for (const o of edns.options) n += 4 + o.data.length;
  return n;
}

function sameRRset(a: ResourceRecord, b: ResourceRecord): boolean {
  return a.type === b.type && a.class === b.class && a.name.equals(b.name);
}

/**
 * Encodes a message. When it does not fit in `maxSize`, whole RRsets (runs of consecutive records
 * with the same owner, type and class) are dropped from the end: losing answer or authority data
 * sets TC (RFC 2181 §9), losing only additional data does not. Room for the OPT record is kept
 * first, so EDNS survives truncation (RFC 6891 §7).
 */
export function encodeMessage(msg: MessageInit, opts: EncodeOptions = {}): EncodedMessage {
  const compress = opts.compress ?? true;
  const w = new WireWriter(opts.maxSize === undefined ? NO_WRITER_OPTIONS : { maxSize: opts.maxSize });
  const rcodeLow = msg.rcode & 0x0f;
  const rcodeExt = (msg.rcode >>> 4) & 0xff;
  if (msg.rcode < 0 || msg.rcode > 0xfff) throw new RangeError(`RCODE ${msg.rcode} out of range`);
  if (rcodeExt !== 0 && msg.edns === undefined) throw new RangeError(`RCODE ${msg.rcode} needs EDNS`);
  const f = msg.flags;
  w.u16(msg.id);
  w.u8((f.qr ? 0x80 : 0) | ((f.opcode & 0x0f) << 3) | (f.aa ? 0x04 : 0) | (f.tc ? 0x02 : 0) | (f.rd ? 0x01 : 0));
  w.u8((f.ra ? 0x80 : 0) | (f.z ? 0x40 : 0) | (f.ad ? 0x20 : 0) | (f.cd ? 0x10 : 0) | rcodeLow);
  w.u16(msg.question.length);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  const budget = w.maxSize - (msg.edns === undefined ? 0 : optSize(msg.edns));
  let truncated = false;
  for (const q of msg.question) {
    w.name(q.name, compress);
    w.u16(q.type);
    w.u16(q.class);
  }
  if (w.length > budget) truncated = true;
  // The three sections in turn, with no list of lists or of counts per message.
  let written = 0;
  let dropped = 0;
  for (let s = 0; s < 3; s++) {
    const list = s === 0 ? msg.answer : s === 1 ? msg.authority : msg.additional;
    let count = 0;
    if (truncated) {
      dropped += list.length;
    } else {
      let i = 0;
      while (i < list.length) {
        const mark = w.mark();
        let j = i;
        do {
          const rr = list[j]!;
          w.name(rr.name, compress);
          w.u16(rr.type);
          w.u16(rr.class);
          w.u32(rr.ttl);
          writeRdata(w, rr.type, rr.rdata, compress);
          j++;
        } while (j < list.length && sameRRset(list[j]!, list[i]!) && w.length <= budget);
        if (w.length > budget) {
          w.rollback(mark);
          dropped += list.length - i;
          if (s < 2) truncated = true;
          break;
        }
        count += j - i;
        i = j;
      }
    }
    if (s < 2) w.setU16(6 + 2 * s, count);
    else written = count;
  }
  let arcount = written;
  if (msg.edns !== undefined) {
    const e = msg.edns;
    w.u8(0);
    w.u16(RRType.OPT);
    w.u16(e.udpSize);
    const flags = (e.flags & ~EDNS_DO & 0xffff) | (e.dnssecOk ? EDNS_DO : 0);
    w.u32(((rcodeExt << 24) | ((e.version & 0xff) << 16) | flags) >>> 0);
    const lenAt = w.length;
    w.u16(0);
    for (const o of e.options) {
      w.u16(o.code);
      w.u16(o.data.length);
      w.bytes(o.data);
    }
    if (opts.padBlock !== undefined) {
      let pad = paddingLength(w.length, opts.padBlock);
      if (w.length + 4 + pad > w.maxSize) pad = w.maxSize - w.length - 4;
      if (pad >= 0) {
        w.u16(12);
        w.u16(pad);
        w.bytes(new Uint8Array(pad));
      }
    }
    w.setU16(lenAt, w.length - lenAt - 2);
    arcount++;
  }
  w.setU16(10, arcount);
  if (truncated) w.setU16(2, w.getU16(2) | 0x0200);
  return { bytes: w.finish(), truncated, dropped };
}

// ---- Builders --------------------------------------------------------------------------------

/** EDNS UDP payload size recommended by DNS Flag Day 2020 (fits common MTUs without fragments). */
export const DEFAULT_UDP_SIZE = 1232;

export interface QueryOptions {
  readonly id: number;
  /** Recursion desired (default false: the resolver talks to authoritative servers). */
  readonly rd?: boolean;
  /** DNSSEC OK (RFC 3225); default false. */
  readonly do?: boolean;
  /** Checking disabled (RFC 4035 §3.2.2); default false. */
  readonly cd?: boolean;
  /** Advertised UDP size (default 1232); `edns: false` sends no OPT at all. */
  readonly udpSize?: number;
  readonly edns?: boolean;
  /** COOKIE option data: client cookie, optionally followed by the server cookie (RFC 7873). */
  readonly cookie?: Uint8Array;
  readonly class?: number;
  /** Extra EDNS options. */
  readonly options?: readonly EdnsOptionData[];
}

const NO_FLAGS: MessageFlags = { qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false };

export function makeQuery(name: Name, type: number, opts: QueryOptions): MessageInit {
  const flags: MessageFlags = { ...NO_FLAGS, rd: opts.rd ?? false, cd: opts.cd ?? false };
  const base = {
    id: opts.id & 0xffff,
    flags,
    rcode: 0,
    question: [{ name, type, class: opts.class ?? RRClass.IN }],
    answer: [],
    authority: [],
    additional: [],
  };
  if (opts.edns === false) return base;
  const options: EdnsOptionData[] = [];
  if (opts.cookie !== undefined) options.push({ code: 10, data: opts.cookie });
  if (opts.options !== undefined) options.push(...opts.options);
  const dnssecOk = opts.do ?? false;
  return {
    ...base,
    edns: { udpSize: opts.udpSize ?? DEFAULT_UDP_SIZE, version: 0, dnssecOk, flags: dnssecOk ? EDNS_DO : 0, options },
  };
}

/**
 * The wire form of `makeQuery(name, type, opts)`, octet for octet what encodeMessage gives it,
 * written straight into one buffer: the resolver sends one per upstream query.
 */
export function encodeQuery(name: Name, type: number, opts: QueryOptions): Uint8Array {
  const edns = opts.edns !== false;
  let optLen = 0;
  if (edns) {
    optLen = 11;
    if (opts.cookie !== undefined) optLen += 4 + opts.cookie.length;
    for (const o of opts.options ?? []) optLen += 4 + o.data.length;
  }
  const wire = name.wire;
  const out = new Uint8Array(HEADER_SIZE + wire.length + 4 + optLen);
  const id = opts.id & 0xffff;
  out[0] = id >>> 8;
  out[1] = id & 0xff;
  out[2] = opts.rd === true ? 0x01 : 0;
  out[3] = opts.cd === true ? 0x10 : 0;
  out[5] = 1;
  out[11] = edns ? 1 : 0;
  out.set(wire, HEADER_SIZE);
  let p = HEADER_SIZE + wire.length;
  const cls = opts.class ?? RRClass.IN;
  out[p] = type >>> 8;
  out[p + 1] = type & 0xff;
  out[p + 2] = cls >>> 8;
  out[p + 3] = cls & 0xff;
  p += 4;
  if (!edns) return out;
  // OPT (RFC 6891 §6.1.2): root owner, TYPE 41, CLASS the UDP size, TTL ext-rcode 0, version 0, flags.
  const udpSize = opts.udpSize ?? DEFAULT_UDP_SIZE;
  out[p + 1] = 0;
  out[p + 2] = RRType.OPT;
  out[p + 3] = udpSize >>> 8;
  out[p + 4] = udpSize & 0xff;
  out[p + 7] = opts.do === true ? EDNS_DO >>> 8 : 0;
  out[p + 9] = (optLen - 11) >>> 8;
  out[p + 10] = (optLen - 11) & 0xff;
  p += 11;
  const put = (code: number, data: Uint8Array): void => {
    out[p] = code >>> 8;
    out[p + 1] = code & 0xff;
    out[p + 2] = data.length >>> 8;
    out[p + 3] = data.length & 0xff;
    out.set(data, p + 4);
    p += 4 + data.length;
  };
  if (opts.cookie !== undefined) put(10, opts.cookie);
  for (const o of opts.options ?? []) put(o.code, o.data);
  return out;
}

export interface ResponseOptions {
  readonly rcode?: number;
  readonly aa?: boolean;
  readonly ra?: boolean;
  readonly ad?: boolean;
  readonly tc?: boolean;
  readonly answer?: readonly ResourceRecord[];
  readonly authority?: readonly ResourceRecord[];
  readonly additional?: readonly ResourceRecord[];
  /** Our UDP size when the query had EDNS (default 1232). */
  readonly udpSize?: number;
  readonly options?: readonly EdnsOptionData[];
}

/** Empty sections and option lists shared by the responses that have none (never written to). */
const NO_RECORDS: readonly ResourceRecord[] = Object.freeze([]);
const NO_OPTIONS: readonly EdnsOptionData[] = Object.freeze([]);

/**
 * A response to `query`: same ID, opcode, question, RD and CD (RFC 1035 §4.1.1, RFC 4035 §3.2.2);
 * OPT only when the query had one (RFC 6891 §7), echoing DO (RFC 3225 §3).
 */
export function makeResponse(query: MessageInit, opts: ResponseOptions = {}): MessageInit {
  const qf = query.flags;
  const flags: MessageFlags = {
    qr: true,
    opcode: qf.opcode,
    aa: opts.aa ?? false,
    tc: opts.tc ?? false,
    rd: qf.rd,
    ra: opts.ra ?? false,
    z: false,
    ad: opts.ad ?? false,
    cd: qf.cd,
  };
  // One object per response, in one of two shapes (with or without EDNS), not a base object
  // spread into a second one for EDNS.
  const edns = query.edns;
  if (edns === undefined) {
    return {
      id: query.id,
      flags,
      rcode: opts.rcode ?? 0,
      question: query.question,
      answer: opts.answer ?? NO_RECORDS,
      authority: opts.authority ?? NO_RECORDS,
      additional: opts.additional ?? NO_RECORDS,
    };
  }
  const dnssecOk = edns.dnssecOk;
  return {
    id: query.id,
    flags,
    rcode: opts.rcode ?? 0,
    question: query.question,
    answer: opts.answer ?? NO_RECORDS,
    authority: opts.authority ?? NO_RECORDS,
    additional: opts.additional ?? NO_RECORDS,
    edns: {
      udpSize: opts.udpSize ?? DEFAULT_UDP_SIZE,
      version: 0,
      dnssecOk,
      flags: dnssecOk ? EDNS_DO : 0,
      options: opts.options ?? NO_OPTIONS,
    },
  };
}

