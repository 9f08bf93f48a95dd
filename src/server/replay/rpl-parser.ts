// Parser for `.rpl` replay scenarios in both dialects, Deckard (D) and Unbound testbound (U), as
// ../shared/scenarios/FORMAT.md specifies them:
// - §1 lexical rules: line oriented, keywords start the line after optional white space, `;`
//   comments outside double quotes, empty lines ignored; U step ids strictly increase, D ids are
//   distinct; U SCENARIO_BEGIN needs a title;
// - §2 config block up to CONFIG_END: D `key: value` lines (`#` comments, quoted values); U
//   unbound.conf clauses plus the testbound directives AUTOTRUST_FILE … AUTOTRUST_END,
//   TEMPFILE_NAME, TEMPFILE_CONTENTS … TEMPFILE_END and COMMANDLINE;
// - §3 entries: MATCH, ADJUST, REPLY (opcode, rcode, header flags, DO/CO; D rejects a second
//   opcode or rcode, in U a later one wins), SECTION QUESTION/ANSWER/AUTHORITY/ADDITIONAL with one
//   RR per line in zone-file syntax (default TTL 3600, class IN, names relative to the root or to
//   U `$ORIGIN`), D `RAW` hex, U `HEX_ANSWER_BEGIN/END` and `HEX_EDNSDATA_BEGIN/END`, D
//   `MANDATORY` and `TSIG`, U `EXTRA_PACKET`;
// - §4 ranges with ADDRESS lines (D: a set; U: the last one);
// - §8.1 every step type either dialect uses.
// RR text goes through the zone parser (src/zone/parser.ts), so RDATA is read exactly as in zone
// files. Every problem is a FileError (ErrorCode.Scenario) naming file:line; work is bounded by the
// file size (each line is looked at once, each RR parsed once).

import { ErrorCode, FileError } from '../../core/errors.js';
import { classFromString, Opcode, Rcode, RRClass } from '../../wire/constants.js';
import type { Question } from '../../wire/message.js';
import { Name } from '../../wire/name.js';
import { parseNameText } from '../../wire/rdata-text.js';
import type { ResourceRecord } from '../../wire/record.js';
import { parseZone } from '../../zone/parser.js';
import { lenientRecord, normaliseRRText, scenarioType } from './rr-text.js';
import {
  Dialect,
  type ConfigFile,
  type ConfigOption,
  type Entry,
  type Range,
  type Scenario,
  type Step,
} from './scenario.js';

/** Largest scenario text accepted (the public files are at most a few hundred KiB). */
export const MAX_SCENARIO_CHARS = 32 << 20;
/** Longest line accepted. */
export const MAX_LINE_CHARS = 1 << 16;

export interface ParseScenarioOptions {
  /** Name used in errors and in the result (default `<scenario>`). */
  readonly file?: string;
  readonly dialect: Dialect;
}

/** The dialect a path implies: its folder `deckard` or `unbound` (FORMAT.md: decide by folder). */
export function dialectFromPath(path: string): Dialect | undefined {
  const parts = path.split(/[\\/]/);
  for (let i = parts.length - 2; i >= 0; i--) {
    const p = parts[i]!.toLowerCase();
    if (p === 'deckard') return Dialect.deckard;
    if (p === 'unbound') return Dialect.unbound;
  }
  return undefined;
}

/** Removes a `;` comment that is outside double quotes (backslash escapes honoured). */
export function stripComment(line: string, hashToo = false): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ';' || (hashToo && c === '#'))) return line.slice(0, i);
  }
  return line;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) return t.slice(1, -1);
  return t;
}

function hexBytes(text: string): Uint8Array | undefined {
  const h = text.replace(/\s+/g, '');
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) return undefined;
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

const MATCH_KEYWORDS = new Set([
  'opcode',
  'qtype',
  'qname',
  'qcase',
  'subdomain',
  'question',
  'flags',
  'rcode',
  'answer',
  'authority',
  'additional',
  'all',
  'all_noedns',
  'ttl',
  'edns',
  'nsid',
  'DO',
  'CO',
  'noedns',
  'ednsdata',
  'UDP',
  'TCP',
  'client_cookie',
  'server_cookie',
]);

const ADJUST_KEYWORDS = new Set([
  'copy_id',
  'copy_query',
  'raw_id',
  'do_not_answer',
  'copy_ednsdata_assume_clientsubnet',
  'increment_ecs_scope',
]);

const FLAG_NAMES = new Set(['QR', 'AA', 'TC', 'RD', 'RA', 'AD', 'CD']);
const OPCODES: Readonly<Record<string, number>> = {
  QUERY: Opcode.QUERY,
  IQUERY: Opcode.IQUERY,
  STATUS: Opcode.STATUS,
  NOTIFY: Opcode.NOTIFY,
  UPDATE: Opcode.UPDATE,
};
const RCODES: Readonly<Record<string, number>> = {
  NOERROR: Rcode.NOERROR,
  FORMERR: Rcode.FORMERR,
  SERVFAIL: Rcode.SERVFAIL,
  NXDOMAIN: Rcode.NXDOMAIN,
  REFUSED: Rcode.REFUSED,
  YXDOMAIN: Rcode.YXDOMAIN,
  YXRRSET: Rcode.YXRRSET,
  NXRRSET: Rcode.NXRRSET,
  NOTAUTH: Rcode.NOTAUTH,
  NOTZONE: Rcode.NOTZONE,
};
/** D spellings only (FORMAT.md §3.1). */
const RCODES_D: Readonly<Record<string, number>> = {
  NOTIMP: 4,
  BADVERS: 16,
  BADSIG: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADMODE: 19,
  BADNAME: 20,
  BADALG: 21,
  BADTRUNC: 22,
  BADCOOKIE: 23,
};
const RCODES_U: Readonly<Record<string, number>> = { NOTIMPL: 4 };

/** Unbound clause names (unbound.conf(5)); a `name:` token that is one of these opens a clause. */
const UNBOUND_CLAUSES = new Set([
  'server',
  'stub-zone',
  'forward-zone',
  'auth-zone',
  'view',
  'remote-control',
  'python',
  'dynlib',
  'dnscrypt',
  'cachedb',
  'rpz',
  'dnstap',
]);

/** Keywords that cannot start an RR line: seeing one inside an entry means ENTRY_END is missing. */
const STRUCTURE = new Set(['ENTRY_BEGIN', 'RANGE_BEGIN', 'RANGE_END', 'STEP', 'SCENARIO_BEGIN', 'SCENARIO_END', 'CONFIG_END', 'ADDRESS']);

type SectionName = 'question' | 'answer' | 'authority' | 'additional';

interface EntryBuilder {
  line: number;
  match: Set<string>;
  hasMatch: boolean;
  adjust: Set<string>;
  opcode: number | undefined;
  rcode: number | undefined;
  flags: { qr: boolean; aa: boolean; tc: boolean; rd: boolean; ra: boolean; ad: boolean; cd: boolean };
  do: boolean;
  co: boolean;
  section: SectionName | undefined;
  question: Question[];
  answer: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  raw: Uint8Array | undefined;
  ednsData: Uint8Array | undefined;
  mandatory: boolean;
  ede: number | 'any' | undefined;
  extraPackets: number;
}

class Parser {
  private readonly file: string;
  private readonly dialect: Dialect;
  private readonly lines: string[];
  private i = 0;
  private origin: Name = Name.ROOT;
  private defaultTtl = 3600;
  private readonly warnings: string[] = [];

  constructor(text: string, file: string, dialect: Dialect) {
    this.file = file;
    this.dialect = dialect;
    this.lines = text.split('\n');
  }

  private fail(line: number, msg: string): never {
    throw new FileError(ErrorCode.Scenario, this.file, line, 0, msg);
  }

  /** The next line (1-based number and text without CR), or undefined at the end. */
  private next(): { n: number; text: string } | undefined {
    if (this.i >= this.lines.length) return undefined;
    const n = this.i + 1;
    let text = this.lines[this.i++]!;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.length > MAX_LINE_CHARS) this.fail(n, `line longer than ${MAX_LINE_CHARS} characters`);
    return { n, text };
  }

  /** Next meaningful line: comment removed, trimmed, non-empty. */
  private nextContent(): { n: number; text: string } | undefined {
    for (;;) {
      const l = this.next();
      if (l === undefined) return undefined;
      const t = stripComment(l.text).trim();
      if (t === '') continue;
      if (this.dialect === Dialect.unbound && t.startsWith('#')) continue;
      return { n: l.n, text: t };
    }
  }

  parse(): Scenario {
    const config = this.parseConfig();
    let title: string | undefined;
    for (;;) {
      const l = this.nextContent();
      if (l === undefined) this.fail(this.lines.length, 'no SCENARIO_BEGIN');
      const [kw] = l.text.split(/\s+/, 1);
      if (kw === 'SCENARIO_BEGIN') {
        title = l.text.slice('SCENARIO_BEGIN'.length).trim();
        if (this.dialect === Dialect.unbound && title === '') this.fail(l.n, 'SCENARIO_BEGIN needs a title');
        break;
      }
      this.fail(l.n, `expected SCENARIO_BEGIN, found "${l.text}"`);
    }
    const ranges: Range[] = [];
    const steps: Step[] = [];
    const ids = new Set<number>();
    let ended = false;
    for (;;) {
      const l = this.nextContent();
      if (l === undefined) break;
      const words = l.text.split(/\s+/);
      const kw = words[0]!;
      if (kw === 'SCENARIO_END') {
        ended = true;
        break;
      }
      if (kw === 'RANGE_BEGIN') {
        ranges.push(this.parseRange(l.n, words));
      } else if (kw === 'STEP') {
        const step = this.parseStep(l.n, words, l.text);
        if (this.dialect === Dialect.unbound) {
          const last = steps[steps.length - 1];
          if (last !== undefined && step.id <= last.id) this.fail(l.n, `step ${step.id} after step ${last.id}: time goes backwards`);
        } else if (ids.has(step.id)) {
          this.fail(l.n, `step id ${step.id} used twice`);
        }
        ids.add(step.id);
        steps.push(step);
      } else if (this.dialect === Dialect.unbound && (kw === '$ORIGIN' || kw === '$TTL')) {
        this.directive(l.n, words);
      } else if (this.dialect === Dialect.unbound) {
        // testbound skips lines it does not know at this level (a stray RANGE_END, say).
        this.warnings.push(`${this.file}:${l.n}: ignored "${l.text}"`);
      } else {
        this.fail(l.n, `unexpected "${kw}" in the scenario (RANGE_BEGIN, STEP or SCENARIO_END expected)`);
      }
    }
    if (!ended) this.fail(this.lines.length, 'no SCENARIO_END');
    return { file: this.file, dialect: this.dialect, title, config, ranges, steps, warnings: this.warnings };
  }

  // ---- Config -----------------------------------------------------------------------------------

  private parseConfig(): Scenario['config'] {
    const options: ConfigOption[] = [];
    const clauses: { name: string; line: number; options: ConfigOption[] }[] = [];
    const autotrust: ConfigFile[] = [];
    const tempfiles: ConfigFile[] = [];
    const commandLine: string[] = [];
    for (;;) {
      const l = this.next();
      if (l === undefined) this.fail(this.lines.length, 'no CONFIG_END');
      const raw = l.text.trim();
      if (raw === 'CONFIG_END' || raw.startsWith('CONFIG_END ') || raw.startsWith('CONFIG_END\t')) break;
      if (this.dialect === Dialect.deckard) {
        const t = stripComment(raw, true).trim();
        if (t === '') continue;
        const colon = t.indexOf(':');
        if (colon <= 0) this.fail(l.n, `config line "${t}" is not "key: value"`);
        options.push({ key: t.slice(0, colon).trim(), value: unquote(t.slice(colon + 1)), line: l.n });
        continue;
      }
      // U: testbound directives first, then unbound.conf text.
      const words = raw.split(/\s+/);
      const kw = words[0] ?? '';
      if (kw === 'AUTOTRUST_FILE' || kw === 'TEMPFILE_CONTENTS') {
        const id = words[1];
        if (id === undefined) this.fail(l.n, `${kw} needs an id`);
        const end = kw === 'AUTOTRUST_FILE' ? 'AUTOTRUST_END' : 'TEMPFILE_END';
        const body: string[] = [];
        for (;;) {
          const b = this.next();
          if (b === undefined) this.fail(l.n, `${kw} without ${end}`);
          if (b.text.trim() === end) break;
          body.push(b.text);
        }
        (kw === 'AUTOTRUST_FILE' ? autotrust : tempfiles).push({ id, line: l.n, lines: body });
        continue;
      }
      if (kw === 'COMMANDLINE') {
        commandLine.push(...words.slice(1));
        continue;
      }
      this.unboundConfLine(l.n, raw, clauses);
    }
    return { options, clauses, autotrust, tempfiles, commandLine };
  }

  /** One line of unbound.conf text: tokens `key:` value… with `#` comments and quotes. */
  private unboundConfLine(n: number, raw: string, clauses: { name: string; line: number; options: ConfigOption[] }[]): void {
    const text = stripComment(raw, true).trim();
    if (text === '') return;
    const tokens: { text: string; quoted: boolean }[] = [];
    const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      tokens.push(m[3] === undefined ? { text: m[1] ?? m[2] ?? '', quoted: true } : { text: m[3], quoted: false });
    }
    const isKey = (t: { text: string; quoted: boolean }): boolean => !t.quoted && t.text.length > 1 && t.text.endsWith(':');
    let k = 0;
    while (k < tokens.length) {
      const t = tokens[k]!;
      if (!isKey(t)) this.fail(n, `config token "${t.text}" is not "key:"`);
      const key = t.text.slice(0, -1);
      k++;
      if (UNBOUND_CLAUSES.has(key)) {
        clauses.push({ name: key, line: n, options: [] });
        continue;
      }
      const values: string[] = [];
      while (k < tokens.length && !isKey(tokens[k]!)) values.push(tokens[k++]!.text);
      let clause = clauses[clauses.length - 1];
      if (clause === undefined) clauses.push((clause = { name: 'server', line: n, options: [] }));
      clause.options.push({ key, value: values.join(' '), line: n });
    }
  }

  // ---- Ranges and steps -------------------------------------------------------------------------

  private int(n: number, text: string | undefined, what: string): number {
    if (text === undefined || !/^-?[0-9]+$/.test(text)) this.fail(n, `${what}: "${text ?? ''}" is not an integer`);
    const v = Number(text);
    if (!Number.isSafeInteger(v)) this.fail(n, `${what} out of range`);
    return v;
  }

  private parseRange(n: number, words: string[]): Range {
    const from = this.int(n, words[1], 'RANGE_BEGIN start');
    const to = this.int(n, words[2], 'RANGE_BEGIN end');
    let addresses: string[] = [];
    if (words[3] !== undefined) addresses.push(words[3]);
    const entries: Entry[] = [];
    for (;;) {
      const l = this.nextContent();
      if (l === undefined) this.fail(n, 'RANGE_BEGIN without RANGE_END');
      const w = l.text.split(/\s+/);
      switch (w[0]) {
        case 'RANGE_END':
          return { line: n, from, to, addresses, entries };
        case 'ADDRESS': {
          const a = w[1];
          if (a === undefined) this.fail(l.n, 'ADDRESS needs an address');
          if (this.dialect === Dialect.unbound) addresses = [a];
          else if (!addresses.includes(a)) addresses.push(a);
          break;
        }
        case 'ENTRY_BEGIN':
          entries.push(this.parseEntry(l.n));
          break;
        case '$ORIGIN':
        case '$TTL':
          if (this.dialect === Dialect.unbound) {
            this.directive(l.n, w);
            break;
          }
          this.fail(l.n, `unexpected "${w[0]}" in a range`);
          break;
        default:
          this.fail(l.n, `unexpected "${w[0] ?? ''}" in a range (ADDRESS, ENTRY_BEGIN or RANGE_END expected)`);
      }
    }
  }

  private directive(n: number, words: string[]): void {
    const arg = words[1];
    if (arg === undefined) this.fail(n, `${words[0]!} needs an argument`);
    if (words[0] === '$ORIGIN') {
      try {
        this.origin = parseNameText(arg, Name.ROOT);
      } catch (err) {
        this.fail(n, `$ORIGIN: ${(err as Error).message}`);
      }
    } else {
      this.defaultTtl = this.int(n, arg, '$TTL');
    }
  }

  private expectEntry(n: number, kind: string): Entry {
    const l = this.nextContent();
    if (l?.text.split(/\s+/)[0] !== 'ENTRY_BEGIN') this.fail(l?.n ?? n, `STEP ${kind} must be followed by ENTRY_BEGIN`);
    return this.parseEntry(l.n);
  }

  private parseStep(n: number, words: string[], text: string): Step {
    const id = this.int(n, words[1], 'STEP id');
    const kind = words[2];
    const rest = words.slice(3);
    const addressArg = (): string | undefined => {
      const k = rest.indexOf('ADDRESS');
      if (k < 0) return undefined;
      const a = rest[k + 1];
      if (a === undefined) this.fail(n, 'ADDRESS needs an address');
      return a;
    };
    switch (kind) {
      case 'QUERY': {
        const address = addressArg();
        return { kind, id, line: n, entry: this.expectEntry(n, kind), ...(address === undefined ? {} : { address }) };
      }
      case 'CHECK_OUT_QUERY': {
        const address = addressArg();
        return { kind, id, line: n, entry: this.expectEntry(n, kind), ...(address === undefined ? {} : { address }) };
      }
      case 'CHECK_ANSWER':
      case 'REPLY':
        return { kind, id, line: n, entry: this.expectEntry(n, kind) };
      case 'TIME_PASSES': {
        if (rest[0] === 'ELAPSE') {
          const v = rest[1] === undefined ? NaN : Number(rest[1]);
          if (!Number.isFinite(v) || v < 0) this.fail(n, `TIME_PASSES ELAPSE: "${rest[1] ?? ''}" is not a number of seconds`);
          if (this.dialect === Dialect.deckard && !Number.isInteger(v)) this.fail(n, 'TIME_PASSES ELAPSE must be an integer in Deckard files');
          return { kind, id, line: n, elapse: v };
        }
        if (rest[0] === 'EVAL' && this.dialect === Dialect.unbound) {
          const expr = text.slice(text.indexOf('EVAL') + 4).trim();
          if (expr === '') this.fail(n, 'TIME_PASSES EVAL needs an expression');
          return { kind, id, line: n, evalExpr: expr };
        }
        this.fail(n, 'TIME_PASSES needs ELAPSE <seconds>' + (this.dialect === Dialect.unbound ? ' or EVAL <expr>' : ''));
        break;
      }
      case 'TIMEOUT':
      case 'ERROR':
      case 'NOTHING':
      case 'TRAFFIC':
        return { kind, id, line: n };
      case 'ASSIGN': {
        const body = text.slice(text.indexOf('ASSIGN') + 6);
        const eq = body.indexOf('=');
        if (eq < 0) this.fail(n, 'ASSIGN needs "variable = expression"');
        const variable = body.slice(0, eq).trim();
        const expr = body.slice(eq + 1).trim();
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable) || expr === '') this.fail(n, 'ASSIGN needs "variable = expression"');
        return { kind, id, line: n, variable, expr };
      }
      case 'CHECK_AUTOTRUST':
      case 'CHECK_TEMPFILE': {
        const target = rest[0];
        if (target === undefined) this.fail(n, `${kind} needs an id`);
        const begin = this.nextContent();
        if (begin?.text !== 'FILE_BEGIN') this.fail(begin?.n ?? n, `${kind} must be followed by FILE_BEGIN`);
        const lines: string[] = [];
        for (;;) {
          const l = this.next();
          if (l === undefined) this.fail(begin.n, 'FILE_BEGIN without FILE_END');
          if (l.text.trim() === 'FILE_END') break;
          lines.push(l.text);
        }
        return { kind, id, line: n, target, lines };
      }
      case 'INFRA_RTT': {
        const [address, zone, rtt] = rest;
        if (address === undefined || zone === undefined) this.fail(n, 'INFRA_RTT needs <address> <zone> <rtt>');
        return { kind, id, line: n, address, zone, rtt: this.int(n, rtt, 'INFRA_RTT rtt') };
      }
      case 'FLUSH_MESSAGE':
      case 'EXPIRE_MESSAGE': {
        const [name, type, cls] = rest;
        if (name === undefined || type === undefined || cls === undefined) this.fail(n, `${kind} needs <name> <type> <class>`);
        return { kind, id, line: n, name, type, class: cls };
      }
      default:
        this.fail(n, `unknown step type "${kind ?? ''}"`);
    }
  }

  // ---- Entries ----------------------------------------------------------------------------------

  private parseEntry(begin: number): Entry {
    const b: EntryBuilder = {
      line: begin,
      match: new Set(),
      hasMatch: false,
      adjust: new Set(),
      opcode: undefined,
      rcode: undefined,
      flags: { qr: false, aa: false, tc: false, rd: false, ra: false, ad: false, cd: false },
      do: false,
      co: false,
      section: undefined,
      question: [],
      answer: [],
      authority: [],
      additional: [],
      raw: undefined,
      ednsData: undefined,
      mandatory: false,
      ede: undefined,
      extraPackets: 0,
    };
    for (;;) {
      const l = this.nextContent();
      if (l === undefined) this.fail(begin, 'ENTRY_BEGIN without ENTRY_END');
      const words = l.text.split(/\s+/);
      const kw = words[0]!;
      switch (kw) {
        case 'ENTRY_END':
          return this.finishEntry(b);
        case 'MATCH':
          b.hasMatch = true;
          for (const w of words.slice(1)) this.matchKeyword(l.n, w, b);
          break;
        case 'ADJUST':
          for (const w of words.slice(1)) {
            if (!ADJUST_KEYWORDS.has(w) && !/^(packet_)?sleep=[0-9]+$/.test(w)) this.fail(l.n, `unknown ADJUST keyword "${w}"`);
            b.adjust.add(w);
          }
          break;
        case 'REPLY':
        case 'FLAGS':
          if (kw === 'FLAGS' && this.dialect !== Dialect.deckard) this.fail(l.n, 'FLAGS is a Deckard keyword; use REPLY');
          for (const w of words.slice(1)) this.replyToken(l.n, w, b);
          break;
        case 'SECTION': {
          const s = words[1]?.toLowerCase();
          if (s !== 'question' && s !== 'answer' && s !== 'authority' && s !== 'additional') {
            this.fail(l.n, `unknown SECTION "${words[1] ?? ''}"`);
          }
          b.section = s;
          break;
        }
        case 'RAW': {
          if (this.dialect !== Dialect.deckard) this.fail(l.n, 'RAW is a Deckard keyword; use HEX_ANSWER_BEGIN');
          const h = this.nextContent();
          const bytes = h === undefined ? undefined : hexBytes(h.text);
          if (bytes === undefined) this.fail(h?.n ?? l.n, 'RAW must be followed by one line of hex digits');
          b.raw = bytes;
          break;
        }
        case 'HEX_ANSWER_BEGIN':
        case 'HEX_EDNSDATA_BEGIN': {
          const end = kw === 'HEX_ANSWER_BEGIN' ? 'HEX_ANSWER_END' : 'HEX_EDNSDATA_END';
          let hex = '';
          for (;;) {
            const h = this.next();
            if (h === undefined) this.fail(l.n, `${kw} without ${end}`);
            const t = stripComment(h.text).trim();
            if (t === end) break;
            hex += t;
          }
          const bytes = hexBytes(hex);
          if (bytes === undefined) this.fail(l.n, `${kw}: not hex digits`);
          if (kw === 'HEX_ANSWER_BEGIN') b.raw = bytes;
          else b.ednsData = bytes;
          break;
        }
        case 'MANDATORY':
          b.mandatory = true;
          break;
        case 'TSIG':
          if (words.length < 3) this.fail(l.n, 'TSIG needs <keyname> <secret>');
          break;
        case 'EXTRA_PACKET':
          b.extraPackets++;
          b.section = undefined;
          break;
        case '$ORIGIN':
        case '$TTL':
          if (this.dialect !== Dialect.unbound) this.fail(l.n, `${kw} is not allowed in a Deckard entry`);
          this.directive(l.n, words);
          break;
        default:
          if (STRUCTURE.has(kw)) this.fail(l.n, `"${kw}" inside an entry (ENTRY_END missing?)`);
          if (b.section === undefined) this.fail(l.n, `unexpected "${kw}" in an entry (no SECTION yet)`);
          if (b.extraPackets > 0) break;
          if (b.section === 'question') b.question.push(this.questionLine(l.n, words));
          else b[b.section].push(this.rrLine(l.n, l.text));
      }
    }
  }

  private finishEntry(b: EntryBuilder): Entry {
    return {
      line: b.line,
      match: b.match,
      hasMatch: b.hasMatch,
      adjust: b.adjust,
      opcode: b.opcode ?? Opcode.QUERY,
      rcode: b.rcode ?? Rcode.NOERROR,
      flags: b.flags,
      do: b.do,
      co: b.co,
      question: b.question,
      answer: b.answer,
      authority: b.authority,
      additional: b.additional,
      raw: b.raw,
      ednsData: b.ednsData,
      mandatory: b.mandatory,
      ede: b.ede,
      extraPackets: b.extraPackets,
    };
  }

  private matchKeyword(n: number, w: string, b: EntryBuilder): void {
    const ede = /^ede=(any|[0-9]+)$/.exec(w);
    if (ede !== null) {
      b.ede = ede[1] === 'any' ? 'any' : Number(ede[1]);
      b.match.add('ede');
      return;
    }
    if (/^serial=[0-9]+$/.test(w)) {
      b.match.add(w);
      return;
    }
    if (!MATCH_KEYWORDS.has(w)) this.fail(n, `unknown MATCH keyword "${w}"`);
    b.match.add(w);
  }

  private replyToken(n: number, w: string, b: EntryBuilder): void {
    const up = w.toUpperCase();
    if (FLAG_NAMES.has(up)) {
      b.flags[up.toLowerCase() as keyof EntryBuilder['flags']] = true;
      return;
    }
    if (up === 'DO') {
      b.do = true;
      return;
    }
    if (up === 'CO' && this.dialect === Dialect.unbound) {
      b.co = true;
      return;
    }
    const op = OPCODES[up];
    if (op !== undefined) {
      if (b.opcode !== undefined && this.dialect === Dialect.deckard) this.fail(n, `second opcode "${w}"`);
      b.opcode = op;
      return;
    }
    const rc = RCODES[up] ?? (this.dialect === Dialect.deckard ? RCODES_D[up] : RCODES_U[up]);
    if (rc !== undefined) {
      if (b.rcode !== undefined && this.dialect === Dialect.deckard) this.fail(n, `second rcode "${w}"`);
      b.rcode = rc;
      return;
    }
    this.fail(n, `unknown REPLY token "${w}"`);
  }

  private questionLine(n: number, words: string[]): Question {
    if (words.length < 2 || words.length > 3) this.fail(n, 'a question is "<name> [class] <type>"');
    let name: Name;
    try {
      name = parseNameText(words[0]!, this.origin);
    } catch (err) {
      this.fail(n, `question name: ${(err as Error).message}`);
    }
    const typeText = words[words.length - 1]!;
    const type = scenarioType(typeText);
    if (type === undefined) this.fail(n, `unknown type "${typeText}"`);
    let cls: number = RRClass.IN;
    if (words.length === 3) {
      const c = classFromString(words[1]!);
      if (c === undefined) this.fail(n, `unknown class "${words[1]!}"`);
      cls = c;
    }
    return { name, type, class: cls };
  }

  private rrLine(n: number, text: string): ResourceRecord {
    const fixed = normaliseRRText(text);
    const first = this.zoneRecord(fixed);
    if (first.record !== undefined) return first.record;
    // Test data that is malformed on purpose (FORMAT.md §10): keep the bytes as written.
    const raw = lenientRecord(fixed, this.origin, this.defaultTtl, (t) => this.zoneRecord(t).record);
    if (raw !== undefined) return raw;
    this.fail(n, first.error);
  }

  private zoneRecord(text: string): { record?: ResourceRecord; error: string } {
    const records: ResourceRecord[] = [];
    try {
      for (const r of parseZone(text, { file: this.file, origin: this.origin, defaultTtl: this.defaultTtl, class: RRClass.IN })) {
        records.push({ name: r.name, type: r.type, class: r.class, ttl: r.ttl, rdata: r.rdata });
      }
    } catch (err) {
      return { error: err instanceof FileError ? err.detail : (err as Error).message };
    }
    if (records.length !== 1) return { error: 'expected one resource record' };
    return { record: records[0]!, error: '' };
  }
}

/**
 * Parses scenario text. Throws FileError (ErrorCode.Scenario) with file:line for anything
 * malformed; never anything else for bad input.
 */
export function parseScenario(text: string, options: ParseScenarioOptions): Scenario {
  const file = options.file ?? '<scenario>';
  if (text.length > MAX_SCENARIO_CHARS) throw new FileError(ErrorCode.Scenario, file, 0, 0, `larger than ${MAX_SCENARIO_CHARS} characters`);
  try {
    return new Parser(text, file, options.dialect).parse();
  } catch (err) {
    if (err instanceof FileError && err.code === ErrorCode.Scenario) throw err;
    // Anything else is a parser bug; still report it at the file, not as a crash.
    throw new FileError(ErrorCode.Scenario, file, 0, 0, `cannot parse: ${(err as Error).message}`);
  }
}
