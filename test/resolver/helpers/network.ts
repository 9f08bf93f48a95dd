// A scripted in-process network for the resolver tests: each address is a server that answers
// from its zones (authority.ts) or misbehaves on purpose (timeouts, REFUSED, FORMERR to EDNS,
// truncation over UDP, endless referrals). A server may follow a CNAME chain into another zone it
// serves, as NSD and BIND do: the target's records, rcode and authority (that zone's SOA and
// proofs) then come in the same reply. Replies are encoded and sized as a real server would:
// over UDP no larger than the query's EDNS size (512 without EDNS), with TC when cut. Every query
// is logged, so a test can say "no upstream traffic".
import { Rcode, RRType } from '../../../src/wire/constants.js';
import { decodeMessage, encodeMessage, makeResponse, type Message, type MessageInit } from '../../../src/wire/message.js';
import type { Name } from '../../../src/wire/name.js';
import { decodeTyped, encodeRdata } from '../../../src/wire/rdata.js';
import type { ResourceRecord } from '../../../src/wire/record.js';
import type { Transport, TransportQueryOptions, TransportReply, UpstreamServer } from '../../../src/resolver/transport.js';
import { pickZone, type AuthZone } from './authority.js';

export type ServerMode = 'ok' | 'timeout' | 'refused' | 'servfail' | 'formerr-edns' | 'tc-udp' | 'refer-deeper' | 'upward';

export interface ServerSpec {
  readonly zones: AuthZone[];
  mode: ServerMode;
  /** Extra additional records put into every referral (to test glue scrubbing). */
  readonly extraAdditional?: readonly ResourceRecord[];
  /** For refer-deeper: the NS name and address to refer to. */
  readonly referTo?: { readonly ns: Name; readonly address: string };
  /** Round-trip time reported, ms. */
  readonly rttMs?: number;
  /** Follow a chain that leaves a zone into another zone of this server (module header). */
  readonly followChains?: boolean;
}

export interface LoggedQuery {
  readonly address: string;
  readonly qname: string;
  readonly qtype: number;
  readonly tcp: boolean;
  readonly edns: boolean;
  readonly dnssecOk: boolean;
}

export class FakeNetwork implements Transport {
  readonly servers = new Map<string, ServerSpec>();
  readonly log: LoggedQuery[] = [];

  add(address: string, zones: AuthZone[], mode: ServerMode = 'ok', extra: Partial<ServerSpec> = {}): ServerSpec {
    const spec: ServerSpec = { zones, mode, ...extra };
    this.servers.set(address, spec);
    return spec;
  }

  /** Queries logged since `mark` (an index into the log). */
  since(mark: number): LoggedQuery[] {
    return this.log.slice(mark);
  }

  query(server: UpstreamServer, bytes: Uint8Array, options: TransportQueryOptions): Promise<TransportReply> {
    return Promise.resolve(this.answer(server, bytes, options));
  }

  private answer(server: UpstreamServer, bytes: Uint8Array, options: TransportQueryOptions): TransportReply {
    const q = decodeMessage(bytes);
    const question = q.question[0]!;
    const tcp = options.tcp === true;
    this.log.push({
      address: server.address,
      qname: question.name.toString().toLowerCase(),
      qtype: question.type,
      tcp,
      edns: q.edns !== undefined,
      dnssecOk: q.edns?.dnssecOk === true,
    });
    const spec = this.servers.get(server.address);
    if (spec === undefined || spec.mode === 'timeout') return { kind: 'timeout' };
    const rttMs = spec.rttMs ?? 10;
    const reply = (m: MessageInit): TransportReply => {
      const maxSize = tcp ? 65535 : q.edns === undefined ? 512 : Math.max(512, q.edns.udpSize);
      return { kind: 'reply', bytes: encodeMessage(m, { maxSize }).bytes, rttMs, tcp };
    };
    switch (spec.mode) {
      case 'refused':
        return reply(makeResponse(q, { rcode: Rcode.REFUSED }));
      case 'servfail':
        return reply(makeResponse(q, { rcode: Rcode.SERVFAIL }));
      case 'formerr-edns':
        if (q.edns !== undefined) {
          const { edns: _edns, ...plain } = q;
          return reply(makeResponse(plain, { rcode: Rcode.FORMERR }));
        }
        break;
      case 'tc-udp':
        if (!tcp) return reply(makeResponse(q, { tc: true, aa: true }));
        break;
      case 'refer-deeper': {
        const to = spec.referTo!;
        return reply(
          makeResponse(q, {
            authority: [{ name: question.name, type: RRType.NS, class: 1, ttl: 300, rdata: to.ns.wire.slice() }],
            additional: [{ name: to.ns, type: RRType.A, class: 1, ttl: 300, rdata: encodeRdata(RRType.A, { address: to.address }) }],
          }),
        );
      }
      case 'upward': {
        const to = spec.referTo!;
        return reply(makeResponse(q, { authority: [{ name: to.ns.suffix(1), type: RRType.NS, class: 1, ttl: 300, rdata: to.ns.wire.slice() }] }));
      }
      default:
        break;
    }
    const zone = pickZone(spec.zones, q);
    if (zone === undefined) return reply(makeResponse(q, { rcode: Rcode.REFUSED }));
    const resp = spec.followChains === true ? follow(spec.zones, q, zone.answer(q)) : zone.answer(q);
    if (spec.extraAdditional !== undefined && resp.answer.length === 0 && resp.authority.some((r) => r.type === RRType.NS)) {
      return reply({ ...resp, additional: [...resp.additional, ...spec.extraAdditional] });
    }
    return reply(resp);
  }
}

/**
 * Continues a reply whose CNAME chain leaves the answering zone into another zone of `zones`:
 * appends the target's answer, and takes its rcode and authority section.
 */
function follow(zones: readonly AuthZone[], q: Message, resp: MessageInit): MessageInit {
  let out = resp;
  for (let hops = 0; hops < 8; hops++) {
    if (out.rcode !== Rcode.NOERROR || out.authority.length > 0) return out;
    const last = out.answer.filter((r) => r.type === RRType.CNAME).at(-1);
    if (last === undefined) return out;
    const target = decodeTyped(RRType.CNAME, last.rdata).target;
    if (out.answer.some((r) => r.name.equals(target))) return out;
    const sub: Message = { ...q, question: [{ ...q.question[0]!, name: target }] };
    const zone = pickZone(zones, sub);
    if (zone === undefined) return out;
    const next = zone.answer(sub);
    out = { ...out, rcode: next.rcode, answer: [...out.answer, ...next.answer], authority: next.authority };
  }
  return out;
}
