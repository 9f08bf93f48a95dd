// The shape of every RDATA format anchord knows, as data. One table drives the binary codec
// (rdata.ts), the presentation codec (rdata-text.ts) and canonical form (dnssec/canonical.ts), so
// the three can never disagree about where a type keeps its domain names.
//
// Sources: RFC 1035 §3.3 (classic types), RFC 3596 (AAAA), RFC 2782 (SRV), RFC 3403 (NAPTR),
// RFC 6672 (DNAME), RFC 4034 §2-§5 (DNSKEY RRSIG NSEC DS), RFC 5155 §3-§4 (NSEC3 NSEC3PARAM),
// RFC 7344 (CDS CDNSKEY), RFC 6698 (TLSA), RFC 4255 (SSHFP), RFC 8659 (CAA), RFC 9460 (SVCB HTTPS),
// RFC 8976 (ZONEMD), RFC 7477 (CSYNC), RFC 7929 (OPENPGPKEY), RFC 7553 (URI), RFC 4701 (DHCID).
// Types not listed are RFC 3597 unknown types: opaque octets, `\# len hex` in presentation.

import { RRType } from './constants.js';
import type { Name } from './name.js';

/**
 * Field kinds. Every kind except the "rest" kinds has a self-delimiting wire form; a rest kind
 * takes the octets up to RDLENGTH and may only be the last field.
 */
export type FieldKind =
  | 'u8'
  | 'u16'
  | 'u32'
  /** u32 seconds since the epoch; presentation YYYYMMDDHHmmSS (RFC 4034 §3.2) or decimal. */
  | 'time'
  /** u32 seconds; presentation decimal, or BIND-style units (1w2d3h4m5s) when parsing. */
  | 'ttl'
  /** u16 RR type; presentation mnemonic (RFC 3597 TYPEnnn for unknown ones). */
  | 'type'
  /** A domain name; see NameFlags. */
  | 'name'
  /** 4 octets, dotted quad. */
  | 'ipv4'
  /** 16 octets, RFC 4291 §2.2 text form. */
  | 'ipv6'
  /** One <character-string>: a length octet and up to 255 octets; quoted in presentation. */
  | 'string'
  /** rest: one or more <character-string>s (TXT, SPF). */
  | 'strings'
  /** rest: octets, hexadecimal in presentation (may be split by white space). */
  | 'hex'
  /** rest: octets, base64 in presentation (may be split by white space). */
  | 'base64'
  /** A length octet then octets; hexadecimal, `-` when empty (NSEC3 salt, RFC 5155 §3.3). */
  | 'hex8'
  /** A length octet then octets; base32hex without padding (RFC 5155 §3.3, RFC 4648 §7). */
  | 'base32hex8'
  /** rest: a type bitmap (RFC 4034 §4.1.2); presentation: type mnemonics. */
  | 'bitmap'
  /** rest: SvcParams (RFC 9460 §2.2); presentation key=value pairs. */
  | 'svcparams'
  /** A length octet then an unquoted alphanumeric tag (CAA tag, RFC 8659 §4.1). */
  | 'tag'
  /** rest: octets presented as one quoted string (CAA value, URI target). */
  | 'text';

/** Flags on `name` fields. */
export const NameFlag = {
  /** May be compressed when writing (RFC 1035 types only, RFC 3597 §4). */
  compress: 1,
  /** May arrive compressed and must be decompressed when reading (RFC 3597 §4 and older types). */
  decompress: 2,
  /** Lower-cased in canonical form (RFC 4034 §6.2 item 3, as narrowed by RFC 6840 §5.1). */
  lower: 4,
} as const;

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  /** Bitwise NameFlag values; only for kind 'name'. */
  readonly flags?: number;
}

export interface RdataSchema {
  readonly type: number;
  readonly fields: readonly FieldSpec[];
}

const C = NameFlag.compress | NameFlag.decompress | NameFlag.lower;
const DL = NameFlag.decompress | NameFlag.lower;
const L = NameFlag.lower;

const f = (name: string, kind: FieldKind, flags?: number): FieldSpec =>
  flags === undefined ? { name, kind } : { name, kind, flags };

const DS_FIELDS = [f('keyTag', 'u16'), f('algorithm', 'u8'), f('digestType', 'u8'), f('digest', 'hex')];
const DNSKEY_FIELDS = [f('flags', 'u16'), f('protocol', 'u8'), f('algorithm', 'u8'), f('publicKey', 'base64')];

const TABLE: readonly RdataSchema[] = [
  { type: RRType.A, fields: [f('address', 'ipv4')] },
  { type: RRType.NS, fields: [f('host', 'name', C)] },
  { type: RRType.MD, fields: [f('host', 'name', C)] },
  { type: RRType.MF, fields: [f('host', 'name', C)] },
  { type: RRType.CNAME, fields: [f('target', 'name', C)] },
  {
    type: RRType.SOA,
    fields: [
      f('mname', 'name', C),
      f('rname', 'name', C),
      f('serial', 'u32'),
      f('refresh', 'ttl'),
      f('retry', 'ttl'),
      f('expire', 'ttl'),
      f('minimum', 'ttl'),
    ],
  },
  { type: RRType.MB, fields: [f('host', 'name', C)] },
  { type: RRType.MG, fields: [f('host', 'name', C)] },
  { type: RRType.MR, fields: [f('host', 'name', C)] },
  { type: RRType.PTR, fields: [f('target', 'name', C)] },
  { type: RRType.HINFO, fields: [f('cpu', 'string'), f('os', 'string')] },
  { type: RRType.MINFO, fields: [f('rmailbx', 'name', C), f('emailbx', 'name', C)] },
  { type: RRType.MX, fields: [f('preference', 'u16'), f('exchange', 'name', C)] },
  { type: RRType.TXT, fields: [f('strings', 'strings')] },
  { type: RRType.RP, fields: [f('mbox', 'name', DL), f('txt', 'name', DL)] },
  { type: RRType.AFSDB, fields: [f('subtype', 'u16'), f('host', 'name', DL)] },
  { type: RRType.AAAA, fields: [f('address', 'ipv6')] },
  { type: RRType.SRV, fields: [f('priority', 'u16'), f('weight', 'u16'), f('port', 'u16'), f('target', 'name', DL)] },
  {
    type: RRType.NAPTR,
    fields: [
      f('order', 'u16'),
      f('preference', 'u16'),
      f('flags', 'string'),
      f('services', 'string'),
      f('regexp', 'string'),
      f('replacement', 'name', DL),
    ],
  },
  { type: RRType.KX, fields: [f('preference', 'u16'), f('exchanger', 'name', DL)] },
  { type: RRType.DNAME, fields: [f('target', 'name', DL)] },
  { type: RRType.DS, fields: DS_FIELDS },
  { type: RRType.CDS, fields: DS_FIELDS },
  { type: RRType.TA, fields: DS_FIELDS },
  { type: RRType.DLV, fields: DS_FIELDS },
  { type: RRType.SSHFP, fields: [f('algorithm', 'u8'), f('fpType', 'u8'), f('fingerprint', 'hex')] },
  {
    type: RRType.RRSIG,
    fields: [
      f('typeCovered', 'type'),
      f('algorithm', 'u8'),
      f('labels', 'u8'),
      f('originalTtl', 'u32'),
      f('expiration', 'time'),
      f('inception', 'time'),
      f('keyTag', 'u16'),
      f('signerName', 'name', L),
      f('signature', 'base64'),
    ],
  },
  // RFC 6840 §5.1: the NSEC next owner name is NOT lower-cased in canonical form.
  { type: RRType.NSEC, fields: [f('next', 'name', 0), f('types', 'bitmap')] },
  { type: RRType.DNSKEY, fields: DNSKEY_FIELDS },
  { type: RRType.CDNSKEY, fields: DNSKEY_FIELDS },
  { type: RRType.DHCID, fields: [f('data', 'base64')] },
  {
    type: RRType.NSEC3,
    fields: [
      f('hashAlgorithm', 'u8'),
      f('flags', 'u8'),
      f('iterations', 'u16'),
      f('salt', 'hex8'),
      f('nextHashed', 'base32hex8'),
      f('types', 'bitmap'),
    ],
  },
  {
    type: RRType.NSEC3PARAM,
    fields: [f('hashAlgorithm', 'u8'), f('flags', 'u8'), f('iterations', 'u16'), f('salt', 'hex8')],
  },
  { type: RRType.TLSA, fields: [f('usage', 'u8'), f('selector', 'u8'), f('matchingType', 'u8'), f('data', 'hex')] },
  { type: RRType.SMIMEA, fields: [f('usage', 'u8'), f('selector', 'u8'), f('matchingType', 'u8'), f('data', 'hex')] },
  { type: RRType.OPENPGPKEY, fields: [f('key', 'base64')] },
  { type: RRType.CSYNC, fields: [f('serial', 'u32'), f('flags', 'u16'), f('types', 'bitmap')] },
  { type: RRType.ZONEMD, fields: [f('serial', 'u32'), f('scheme', 'u8'), f('hashAlgorithm', 'u8'), f('digest', 'hex')] },
  { type: RRType.SVCB, fields: [f('priority', 'u16'), f('target', 'name', 0), f('params', 'svcparams')] },
  { type: RRType.HTTPS, fields: [f('priority', 'u16'), f('target', 'name', 0), f('params', 'svcparams')] },
  { type: RRType.SPF, fields: [f('strings', 'strings')] },
  { type: RRType.URI, fields: [f('priority', 'u16'), f('weight', 'u16'), f('target', 'text')] },
  { type: RRType.CAA, fields: [f('flags', 'u8'), f('tag', 'tag'), f('value', 'text')] },
];

const BY_TYPE = new Map<number, RdataSchema>(TABLE.map((s) => [s.type, s]));

/** The schema for a type, or undefined for an RFC 3597 unknown type. */
export function schemaFor(type: number): RdataSchema | undefined {
  return BY_TYPE.get(type);
}

/** All known schemas (for tests and tools). */
export function allSchemas(): readonly RdataSchema[] {
  return TABLE;
}

/** True when some name field of this type may arrive compressed (RFC 3597 §4). */
export function hasDecompressibleName(type: number): boolean {
  const s = BY_TYPE.get(type);
  return s !== undefined && s.fields.some((x) => x.kind === 'name' && ((x.flags ?? 0) & NameFlag.decompress) !== 0);
}

/** True when canonical form lower-cases some embedded name of this type (RFC 4034 §6.2). */
export function hasCanonicalLowerName(type: number): boolean {
  const s = BY_TYPE.get(type);
  return s !== undefined && s.fields.some((x) => x.kind === 'name' && ((x.flags ?? 0) & NameFlag.lower) !== 0);
}

// ---- Typed views ---------------------------------------------------------------------------

/** One SvcParam (RFC 9460 §2.2): key number and raw value octets. */
export interface SvcParam {
  readonly key: number;
  readonly value: Uint8Array;
}

/**
 * Decoded field values by kind: u8/u16/u32/time/ttl/type → number; name → Name; ipv4/ipv6 →
 * presentation string; string/tag/text/hex/base64/hex8/base32hex8 → Uint8Array (the raw octets,
 * without length prefix); strings → Uint8Array[]; bitmap → sorted type numbers; svcparams →
 * SvcParam[] in wire order.
 */
export type FieldValue = number | string | Name | Uint8Array | readonly Uint8Array[] | readonly number[] | readonly SvcParam[];

export type RdataFields = Readonly<Record<string, FieldValue>>;

export interface SoaData {
  readonly mname: Name;
  readonly rname: Name;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minimum: number;
}
export interface DsData {
  readonly keyTag: number;
  readonly algorithm: number;
  readonly digestType: number;
  readonly digest: Uint8Array;
}
export interface DnskeyData {
  readonly flags: number;
  readonly protocol: number;
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
}
export interface RrsigData {
  readonly typeCovered: number;
  readonly algorithm: number;
  readonly labels: number;
  readonly originalTtl: number;
  readonly expiration: number;
  readonly inception: number;
  readonly keyTag: number;
  readonly signerName: Name;
  readonly signature: Uint8Array;
}
export interface NsecData {
  readonly next: Name;
  readonly types: readonly number[];
}
export interface Nsec3Data {
  readonly hashAlgorithm: number;
  readonly flags: number;
  readonly iterations: number;
  readonly salt: Uint8Array;
  readonly nextHashed: Uint8Array;
  readonly types: readonly number[];
}
export interface Nsec3ParamData {
  readonly hashAlgorithm: number;
  readonly flags: number;
  readonly iterations: number;
  readonly salt: Uint8Array;
}
export interface MxData {
  readonly preference: number;
  readonly exchange: Name;
}
export interface TargetData {
  readonly target: Name;
}
export interface HostData {
  readonly host: Name;
}
export interface AddressData {
  readonly address: string;
}

/** Typed views for the types the resolver, validator and signer read most. */
export interface RdataTypeMap {
  1: AddressData;
  2: HostData;
  5: TargetData;
  6: SoaData;
  12: TargetData;
  15: MxData;
  28: AddressData;
  39: TargetData;
  43: DsData;
  46: RrsigData;
  47: NsecData;
  48: DnskeyData;
  50: Nsec3Data;
  51: Nsec3ParamData;
  59: DsData;
  60: DnskeyData;
}
