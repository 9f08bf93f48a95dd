// The parsed form of a `.rpl` replay scenario (the Deckard and Unbound testbound format, as
// ../shared/scenarios/FORMAT.md describes it): config block, scripted-server ranges, entries
// (one DNS message plus how to match and adjust it) and steps. The parser (rpl-parser.ts) builds
// these values; the runner (runner.ts) executes them. Plain data, no behaviour.

import type { Question } from '../../wire/message.js';
import type { ResourceRecord } from '../../wire/record.js';

/** D: Deckard (`scenarios/deckard/`); U: Unbound testbound (`scenarios/unbound/`). FORMAT.md intro. */
export const Dialect = { deckard: 'deckard', unbound: 'unbound' } as const;
export type Dialect = (typeof Dialect)[keyof typeof Dialect];

/** Header flags an entry sets in REPLY (FORMAT.md §3.1). */
export interface EntryFlags {
  readonly qr: boolean;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  readonly ad: boolean;
  readonly cd: boolean;
}

/** One ENTRY_BEGIN … ENTRY_END block (FORMAT.md §3). */
export interface Entry {
  /** Line of ENTRY_BEGIN. */
  readonly line: number;
  /** MATCH keywords as written (lower case except `TCP`, `UDP`, `DO`, `CO`); `ede=N` kept whole. */
  readonly match: ReadonlySet<string>;
  /** True when the entry had at least one MATCH line. */
  readonly hasMatch: boolean;
  /** ADJUST keywords as written. */
  readonly adjust: ReadonlySet<string>;
  readonly opcode: number;
  readonly rcode: number;
  readonly flags: EntryFlags;
  /** EDNS DO bit requested by REPLY DO. */
  readonly do: boolean;
  /** U: CO bit (REPLY CO). */
  readonly co: boolean;
  readonly question: readonly Question[];
  readonly answer: readonly ResourceRecord[];
  readonly authority: readonly ResourceRecord[];
  readonly additional: readonly ResourceRecord[];
  /** D `RAW` or U `HEX_ANSWER_BEGIN` bytes: the message as sent, replacing the sections. */
  readonly raw?: Uint8Array | undefined;
  /** U `HEX_EDNSDATA_BEGIN` bytes: OPT option data. */
  readonly ednsData?: Uint8Array | undefined;
  /** D `MANDATORY`: the entry must be used at least once. */
  readonly mandatory: boolean;
  /** `MATCH ede=N` (a number) or `ede=any`. */
  readonly ede?: number | 'any' | undefined;
  /** U `EXTRA_PACKET`: further answer messages (not used by the public set; kept for completeness). */
  readonly extraPackets: number;
}

/** RANGE_BEGIN from to [address] … RANGE_END (FORMAT.md §4). */
export interface Range {
  readonly line: number;
  readonly from: number;
  readonly to: number;
  /** D: a set; U: at most one (a later ADDRESS replaces it); empty: every address (U). */
  readonly addresses: readonly string[];
  readonly entries: readonly Entry[];
}

/** STEP lines (FORMAT.md §8.1). */
export type Step =
  | { readonly kind: 'QUERY'; readonly id: number; readonly line: number; readonly entry: Entry; readonly address?: string | undefined }
  | { readonly kind: 'CHECK_ANSWER'; readonly id: number; readonly line: number; readonly entry: Entry }
  | { readonly kind: 'CHECK_OUT_QUERY'; readonly id: number; readonly line: number; readonly entry: Entry; readonly address?: string | undefined }
  | { readonly kind: 'REPLY'; readonly id: number; readonly line: number; readonly entry: Entry }
  | { readonly kind: 'TIME_PASSES'; readonly id: number; readonly line: number; readonly elapse?: number | undefined; readonly evalExpr?: string | undefined }
  | { readonly kind: 'TIMEOUT' | 'ERROR' | 'NOTHING' | 'TRAFFIC'; readonly id: number; readonly line: number }
  | { readonly kind: 'ASSIGN'; readonly id: number; readonly line: number; readonly variable: string; readonly expr: string }
  | {
      readonly kind: 'CHECK_AUTOTRUST' | 'CHECK_TEMPFILE';
      readonly id: number;
      readonly line: number;
      readonly target: string;
      readonly lines: readonly string[];
    }
  | { readonly kind: 'INFRA_RTT'; readonly id: number; readonly line: number; readonly address: string; readonly zone: string; readonly rtt: number }
  | {
      readonly kind: 'FLUSH_MESSAGE' | 'EXPIRE_MESSAGE';
      readonly id: number;
      readonly line: number;
      readonly name: string;
      readonly type: string;
      readonly class: string;
    };

export type StepKind = Step['kind'];

/** One `key: value` of the config block, with its place. */
export interface ConfigOption {
  readonly key: string;
  /** Value with surrounding quotes removed. */
  readonly value: string;
  readonly line: number;
}

/** U: one unbound.conf clause (`server:`, `stub-zone:`, …) and its options in order. */
export interface ConfigClause {
  readonly name: string;
  readonly line: number;
  readonly options: readonly ConfigOption[];
}

/** U testbound files: AUTOTRUST_FILE and TEMPFILE_CONTENTS blocks (FORMAT.md §2.2). */
export interface ConfigFile {
  readonly id: string;
  readonly line: number;
  readonly lines: readonly string[];
}

export interface ScenarioConfig {
  /** D: the key/value lines in order. U: empty (see `clauses`). */
  readonly options: readonly ConfigOption[];
  /** U: unbound.conf clauses in order. D: empty. */
  readonly clauses: readonly ConfigClause[];
  readonly autotrust: readonly ConfigFile[];
  readonly tempfiles: readonly ConfigFile[];
  /** U COMMANDLINE arguments. */
  readonly commandLine: readonly string[];
}

export interface Scenario {
  readonly file: string;
  readonly dialect: Dialect;
  readonly title: string;
  readonly config: ScenarioConfig;
  readonly ranges: readonly Range[];
  /** Steps in file order. */
  readonly steps: readonly Step[];
  /** Lines skipped as the original tool skips them (file:line: text). */
  readonly warnings: readonly string[];
}
