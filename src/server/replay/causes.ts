// Groups scenario failures by likely cause, for the conformance report and the CLI summary: so the
// resolver and validator authors see which behaviour to fix first. The rules look only at the
// failure itself (the check that failed, the resolver's rcode, AD bit and EDE tag, the scenario
// config anchord cannot express, and the signature audit); no scenario is named.

import { EdeTag } from '../../dnssec/ede-tags.js';
import { Rcode, rcodeToString } from '../../wire/constants.js';
import type { FileResult } from './replay-files.js';
import type { SignatureAudit } from './signature-audit.js';

export interface Cause {
  /** Stable short id, e.g. `servfail:R-NOREACH`. */
  readonly id: string;
  readonly title: string;
}

/** The anchord EDE tag (`R-…`, `V-…`) at the start of an EDE text `code: TAG detail`. */
export function edeTag(text: string): string | undefined {
  return /^[0-9]+: ([A-Z]-[A-Z0-9-]+)/.exec(text)?.[1];
}

const INFORMATIONAL = 'no root server in the config';

/** The cause of a file's relaxed failure (undefined when it passes). */
export function failureCause(r: FileResult, audit?: SignatureAudit): Cause | undefined {
  if (r.outcome === undefined) return { id: 'not-runnable', title: 'the scenario could not be parsed or mapped' };
  const o = r.outcome;
  if (o.relaxed.pass) return undefined;
  const missing = o.setup.unsupported.filter((u) => !u.startsWith(INFORMATIONAL));
  if (missing.length > 0) {
    const what = missing[0]!.replace(/ for .*$/, '').replace(/:.*$/, '');
    return { id: `option:${what}`, title: `needs a setting anchord's resolver does not have: ${what}` };
  }
  const f = o.relaxed.failure;
  if (f?.reason.startsWith('CHECK_AUTOTRUST') === true) return { id: 'rfc5011:state', title: "RFC 5011 trust-point state differs from the scenario's (key states, hold-down start)" };
  const c = f?.check;
  if (f === undefined || c === undefined) {
    const head = (f?.reason ?? 'unknown').replace(/\(.*$/, '').replace(/[0-9]+/g, 'N').slice(0, 60).trim();
    return { id: `step:${head}`, title: `step failure: ${head}` };
  }
  if (audit !== undefined && audit.entriesWithBad.has(c.entryLine)) {
    return { id: 'expects-bad-signature', title: 'the expected answer carries RRSIGs that do not verify (the scenario relied on fake-sha1 or on data it did not check)' };
  }
  const tag = c.ede.map(edeTag).find((t) => t !== undefined);
  if (c.gotRcode === Rcode.SERVFAIL && c.expectedRcode !== Rcode.SERVFAIL) {
    const bad = audit !== undefined && audit.bad > 0 && tag?.startsWith('V-') === true;
    if (bad) return { id: 'bogus:scenario-has-bad-signatures', title: 'SERVFAIL (validation) in a scenario whose data holds RRSIGs that do not verify; expected a non-SERVFAIL answer' };
    const notCrypto = tag === undefined || tag.startsWith('R-') || tag === EdeTag.RRSIG_NONE;
    if (audit !== undefined && audit.crossSection > 0 && notCrypto) {
      return {
        id: 'rrsig-other-section',
        title: "SERVFAIL where the servers put an RRSIG in another section than its RRset (Unbound's parser pairs them; anchord's does not)",
      };
    }
    const variant = o.variants.find((v) => !v.relaxed.pass);
    const first = variant?.unscripted[0];
    if (tag === 'R-NOREACH' || tag === 'R-NOADDR' || tag === 'R-NOANSWER') {
      if (first === undefined) {
        return { id: `servfail:${tag}:answers-refused`, title: `SERVFAIL (${tag}) although every query was answered by the script: the resolver found the answers unusable` };
      }
      const qtype = /: \S+ (\S+) to /.exec(first)?.[1] ?? 'other';
      return { id: `servfail:${tag}:unscripted-${qtype}`, title: `SERVFAIL (${tag}) after asking ${qtype} queries the scenario does not script` };
    }
    return { id: `servfail:${tag ?? 'no-EDE'}`, title: `SERVFAIL with ${tag ?? 'no EDE'}, expected ${rcodeToString(c.expectedRcode)}` };
  }
  if (c.expectedRcode === Rcode.SERVFAIL && c.gotRcode !== Rcode.SERVFAIL) {
    return { id: `not-bogus:${rcodeToString(c.gotRcode)}${c.gotAd ? '+AD' : ''}`, title: `expected SERVFAIL (bogus), got ${rcodeToString(c.gotRcode)}${c.gotAd ? ' with AD' : ''}` };
  }
  if (c.expectedRcode !== c.gotRcode) {
    return { id: `rcode:${rcodeToString(c.expectedRcode)}->${rcodeToString(c.gotRcode)}`, title: `expected ${rcodeToString(c.expectedRcode)}, got ${rcodeToString(c.gotRcode)}` };
  }
  if (c.expectedAd && !c.gotAd) return { id: 'ad:missing', title: 'AD expected (secure) but not set' };
  if (!c.expectedAd && c.gotAd) return { id: 'ad:unexpected', title: 'AD set where the scenario expects insecure data (no AD)' };
  const section = /^([a-z]+):/.exec(f.reason)?.[1] ?? 'other';
  return { id: `differs:${section}`, title: `same rcode and AD, ${section} differs` };
}
