// A deterministic test zone of about `records` records for the signing benchmark: hosts with A
// and AAAA, mail exchangers, TXT, CNAMEs, SRV under `_tcp` labels (empty non-terminals), and
// delegations with glue, a third of them with DS (secure), the rest insecure.
import { writeFileSync } from 'node:fs';

/** Zone text for `origin` with about `records` records (the count is exact to within 10). */
export function makeZoneText(origin: string, records: number): string {
  const out: string[] = [`$TTL 3600\n$ORIGIN ${origin}\n@ SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n@ MX 10 mail\nmail A 192.0.2.25\n`];
  let n = 7;
  let i = 0;
  const hex = (v: number): string => v.toString(16).padStart(4, '0');
  while (n < records) {
    const k = i % 20;
    const a = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    if (k < 10) {
      out.push(`h${i} A ${a}\n`);
      n += 1;
    } else if (k < 12) {
      out.push(`h${i} A ${a}\nh${i} AAAA 2001:db8::${hex(i & 0xffff)}\n`);
      n += 2;
    } else if (k === 12) {
      out.push(`m${i} MX 10 h${i - 1}\n`);
      n += 1;
    } else if (k === 13) {
      out.push(`t${i} TXT "v=spf1 ip4:${a} -all"\n`);
      n += 1;
    } else if (k === 14) {
      out.push(`www${i} CNAME h${i - 4}\n`);
      n += 1;
    } else if (k === 15) {
      out.push(`_sip._tcp.s${i} SRV 10 60 5060 h${i - 5}\n`);
      n += 1;
    } else if (k === 16 || k === 17) {
      out.push(`d${i} NS ns.d${i}\nns.d${i} A ${a}\n`);
      n += 2;
    } else if (k === 18) {
      out.push(`d${i} NS ns.d${i}\nns.d${i} A ${a}\nd${i} DS ${(i * 7) & 0xffff} 13 2 ${hex(i & 0xffff).repeat(16)}\n`);
      n += 3;
    } else {
      out.push(`h${i} A ${a}\n`);
      n += 1;
    }
    i++;
  }
  return out.join('');
}

/** Writes the zone to `file`; returns the number of records written. */
export function writeZone(file: string, origin: string, records: number): number {
  const text = makeZoneText(origin, records);
  writeFileSync(file, text);
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('$') && !l.startsWith(';')).length;
}
