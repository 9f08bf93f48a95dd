// Signed test zones for the answering tests: a zone text signed in memory by the zone signer with
// fixed Ed25519 keys (deterministic), NSEC or NSEC3 (optionally opt-out).
import { SeededRandom } from '../../src/core/random.js';
import { DnskeyFlag, makeDnskeyRdata } from '../../src/auth/key-file-text.js';
import { AuthZone } from '../../src/auth/auth-zone.js';
import { signZone, type DenialOptions, type SigningKey } from '../../src/auth/signer.js';
import { createSigner, generatePrivateKey } from '../../src/crypto/signer.js';
import { decodeMessage, encodeMessage, makeQuery, type Message } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { parseZoneText } from '../../src/zone/parser.js';
import { Zone } from '../../src/zone/zone.js';

export const NOW = Date.UTC(2027, 0, 1) / 1000;

/** Two Ed25519 keys (KSK, ZSK) derived from a seed. */
export function testKeys(seed: number): SigningKey[] {
  const rnd = new SeededRandom(seed);
  return [DnskeyFlag.ZONE | DnskeyFlag.SEP, DnskeyFlag.ZONE].map((flags) => {
    const key = generatePrivateKey(15, { random: rnd });
    const signer = createSigner(key);
    return { dnskey: makeDnskeyRdata(flags, 15, signer.publicKey), sign: (d: Uint8Array) => signer.sign(d) };
  });
}

/** Signs zone text for `origin` and returns its records. */
export async function signText(origin: string, text: string, denial: DenialOptions, seed = 1): Promise<{ records: ResourceRecord[]; keys: SigningKey[] }> {
  const o = Name.parse(origin);
  const parsed = parseZoneText(text, { origin: o });
  const keys = testKeys(seed);
  const signed = await signZone(Zone.fromRecords(o, parsed.records), keys, { now: NOW, inception: NOW - 86400, expiration: NOW + 30 * 86400, denial });
  return { records: [...signed.records()], keys };
}

export async function signedAuthZone(origin: string, text: string, denial: DenialOptions, seed = 1): Promise<AuthZone> {
  const { records } = await signText(origin, text, denial, seed);
  return AuthZone.fromRecords(Name.parse(origin), records);
}

/** A query message as the server receives it (encoded and decoded again). */
export function query(name: string, type: number, opts: { do?: boolean; udpSize?: number; edns?: boolean } = {}): Message {
  const q = makeQuery(Name.parse(name), type, { id: 4242, do: opts.do ?? true, ...(opts.udpSize === undefined ? {} : { udpSize: opts.udpSize }), ...(opts.edns === undefined ? {} : { edns: opts.edns }) });
  return decodeMessage(encodeMessage(q).bytes);
}

export const EXAMPLE_ZONE = `$TTL 3600
@        SOA   ns1 hostmaster 2024010101 7200 3600 1209600 300
@        NS    ns1
@        MX    10 mail
ns1      A     192.0.2.1
mail     A     192.0.2.25
www      A     192.0.2.80
www      AAAA  2001:db8::80
alias    CNAME www
chain    CNAME alias
ext      CNAME www.example.net.
loop1    CNAME loop2
loop2    CNAME loop1
*.wild   TXT   "wildcard"
*.wc     CNAME www
a.b.ent  A     192.0.2.100
dn       DNAME target
x.target A     192.0.2.7
secure   NS    ns.secure
secure   DS    12345 15 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ns.secure A    192.0.2.53
insecure NS    ns.insecure
ns.insecure A  192.0.2.54
child    NS    ns1
`;
