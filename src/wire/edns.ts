// EDNS(0) option codecs and the extended RCODE.
//
// - Extended RCODE (RFC 6891 §6.1.3): the OPT TTL's top octet holds the upper 8 bits of the
//   12-bit RCODE; the header keeps the lower 4.
// - Extended DNS Errors (RFC 8914 §2): INFO-CODE u16 then UTF-8 EXTRA-TEXT; a message may carry
//   several EDE options.
// - DNS Cookies (RFC 7873 §4): an 8-octet client cookie, optionally followed by an 8..32-octet
//   server cookie; any other length is malformed (§5.2.2: answer FORMERR).
// - Padding (RFC 7830 §3, block sizes from RFC 8467 §4.1: queries to 128, responses to 468).
// - Key tags (RFC 8145 §4.1): a list of u16 key tags.
// - Client subnet (RFC 7871) is carried as raw octets.

import { TextDecoder, TextEncoder } from 'node:util';
import { WireError } from '../core/errors.js';
import { EdnsOption } from './constants.js';

/** One EDNS option as carried in the OPT RDATA (RFC 6891 §6.1.2). */
export interface EdnsOptionData {
  readonly code: number;
  readonly data: Uint8Array;
}

/** The OPT pseudo-record, decoded (RFC 6891 §6.1.2-§6.1.4). */
export interface Edns {
  /** Requestor's UDP payload size (the OPT CLASS). */
  readonly udpSize: number;
  readonly version: number;
  /** The DO bit (RFC 3225 §3), also present in `flags`; on encode this one wins. */
  readonly dnssecOk: boolean;
  /** The raw 16 flag bits of the OPT TTL. */
  readonly flags: number;
  readonly options: readonly EdnsOptionData[];
}

/** The DO bit inside the 16 OPT flag bits (RFC 3225 §3). */
export const EDNS_DO = 0x8000;

/** RFC 8467 §4.1 recommended padding block sizes. */
export const PAD_QUERY_BLOCK = 128;
export const PAD_RESPONSE_BLOCK = 468;

/** A 12-bit RCODE from the header's 4 bits and the OPT's 8 extended bits. */
export function mergeRcode(header: number, extended: number): number {
  return ((extended & 0xff) << 4) | (header & 0x0f);
}

/** Splits a 12-bit RCODE into the header part and the OPT extended part. */
export function splitRcode(rcode: number): { header: number; extended: number } {
  return { header: rcode & 0x0f, extended: (rcode >>> 4) & 0xff };
}

/** First option with the given code. */
export function findOption(options: readonly EdnsOptionData[], code: number): EdnsOptionData | undefined {
  for (const o of options) if (o.code === code) return o;
  return undefined;
}

// ---- Extended DNS Errors ---------------------------------------------------------------------

export interface ExtendedError {
  readonly infoCode: number;
  readonly extraText: string;
}

let utf8Decoder: TextDecoder | undefined;
let utf8Encoder: TextEncoder | undefined;

export function encodeEde(infoCode: number, extraText = ''): EdnsOptionData {
  if (!Number.isInteger(infoCode) || infoCode < 0 || infoCode > 0xffff) throw new RangeError(`EDE info-code ${infoCode}`);
  utf8Encoder ??= new TextEncoder();
  const text = utf8Encoder.encode(extraText);
  const data = new Uint8Array(2 + text.length);
  data[0] = infoCode >>> 8;
  data[1] = infoCode & 0xff;
  data.set(text, 2);
  return { code: EdnsOption.EDE, data };
}

/**
 * Parses one EDE option. Invalid UTF-8 becomes U+FFFD; a trailing NUL some servers send is dropped
 * (RFC 8914 §2: the text SHOULD NOT be NUL-terminated).
 */
export function parseEde(data: Uint8Array): ExtendedError {
  if (data.length < 2) throw new WireError('EDE option shorter than 2 octets', 0);
  let end = data.length;
  if (end > 2 && data[end - 1] === 0) end--;
  utf8Decoder ??= new TextDecoder('utf-8', { fatal: false });
  return { infoCode: (data[0]! << 8) | data[1]!, extraText: utf8Decoder.decode(data.subarray(2, end)) };
}

/** Every well-formed EDE option in a list, in order. */
export function extendedErrors(options: readonly EdnsOptionData[]): ExtendedError[] {
  const out: ExtendedError[] = [];
  for (const o of options) if (o.code === EdnsOption.EDE && o.data.length >= 2) out.push(parseEde(o.data));
  return out;
}

// ---- Cookies ---------------------------------------------------------------------------------

export interface Cookie {
  readonly client: Uint8Array;
  readonly server?: Uint8Array;
}

export function encodeCookie(client: Uint8Array, server?: Uint8Array): EdnsOptionData {
  if (client.length !== 8) throw new RangeError('client cookie must be 8 octets');
  if (server === undefined) return { code: EdnsOption.COOKIE, data: client.slice() };
  if (server.length < 8 || server.length > 32) throw new RangeError('server cookie must be 8..32 octets');
  const data = new Uint8Array(8 + server.length);
  data.set(client);
  data.set(server, 8);
  return { code: EdnsOption.COOKIE, data };
}

/** Parses a COOKIE option; throws WireError on a length RFC 7873 §4 does not allow. */
export function parseCookie(data: Uint8Array): Cookie {
  const n = data.length;
  if (n === 8) return { client: data.subarray(0, 8) };
  if (n < 16 || n > 40) throw new WireError(`COOKIE option of ${n} octets`, 0);
  return { client: data.subarray(0, 8), server: data.subarray(8) };
}

// ---- Padding ---------------------------------------------------------------------------------

/**
 * Length of the PADDING option data that brings a message of `size` octets (OPT included, this
 * option not yet) to a multiple of `block`, counting the option's own 4-octet header.
 */
export function paddingLength(size: number, block: number): number {
  if (!Number.isInteger(block) || block < 1) throw new RangeError(`padding block ${block}`);
  return (block - ((size + 4) % block)) % block;
}

/** A PADDING option of `length` zero octets (RFC 7830 §3: senders use zeros). */
export function encodePadding(length: number): EdnsOptionData {
  return { code: EdnsOption.PADDING, data: new Uint8Array(length) };
}

// ---- Key tags --------------------------------------------------------------------------------

export function encodeKeyTags(tags: readonly number[]): EdnsOptionData {
  const data = new Uint8Array(tags.length * 2);
  tags.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t > 0xffff) throw new RangeError(`key tag ${t}`);
    data[2 * i] = t >>> 8;
    data[2 * i + 1] = t & 0xff;
  });
  return { code: EdnsOption.KEY_TAG, data };
}

/** Parses an edns-key-tag option; an odd or empty length is malformed (RFC 8145 §4.1). */
export function parseKeyTags(data: Uint8Array): number[] {
  if (data.length === 0 || data.length % 2 !== 0) throw new WireError(`edns-key-tag option of ${data.length} octets`, 0);
  const out: number[] = [];
  for (let i = 0; i < data.length; i += 2) out.push((data[i]! << 8) | data[i + 1]!);
  return out;
}
