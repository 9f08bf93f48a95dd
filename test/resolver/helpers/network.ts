// A scripted in-process network for the resolver tests: each address is a server that answers
// from its zones (authority.ts) or misbehaves on purpose (timeouts, REFUSED, FORMERR to EDNS,
// truncation over UDP, endless referrals). Replies are encoded and sized as a real server would:
// over UDP no larger than the query's EDNS size (512 without EDNS), with TC when cut. Every query
// is logged, so a test can say "no upstream traffic".
import { Rcode, RRType } from '../../../src/wire/constants.js';
import { decodeMessage, encodeMessage, makeResponse, type MessageInit } from '../../../src/wire/message.js';
import type { Name } from '../../../src/wire/name.js';
import { encodeRdata } from '../../../src/wire/rdata.js';
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
    const resp = zone.answer(q);
    if (spec.extraAdditional !== undefined && resp.answer.length === 0 && resp.authority.some((r) => r.type === RRType.NS)) {
      return reply({ ...resp, additional: [...resp.additional, ...spec.extraAdditional] });
    }
    return reply(resp);
  }
}
