// Runs scenario files and directories and reports them (issue 6 output contract): one line per
// scenario, `PASS <file>` or `FAIL <file> step N: why`, then the totals, strict and relaxed.
// The PASS/FAIL word is the relaxed verdict (or the strict one with `strict: true`); when the
// other verdict differs the line says so in brackets. Files run one after another in-process.
// The dialect comes from the folder (`deckard`/`unbound`) unless one is forced.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnchordError, ErrorCode, FileError } from '../../core/errors.js';
import type { CryptoBackend } from '../../crypto/backend.js';
import { createNodeBackend } from '../../crypto/node-backend.js';
import type { ResourceRecord } from '../../wire/record.js';
import { readRootHints } from '../anchor-files.js';
import { dialectFromPath, parseScenario } from './rpl-parser.js';
import { runScenario, type ScenarioOutcome, type Verdict } from './runner.js';
import type { Dialect } from './scenario.js';

export interface ReplayOptions {
  /** Default: a node:crypto backend shared by the files of one call. */
  readonly crypto?: CryptoBackend | undefined;
  readonly dialect?: Dialect | undefined;
  /** Judge PASS/FAIL by the strict verdict. */
  readonly strict?: boolean;
  /** Receives every upstream exchange and client answer (debugging). */
  readonly trace?: ((line: string) => void) | undefined;
}

export interface FileResult {
  readonly file: string;
  /** Undefined when the file could not be parsed or mapped (`error` says why). */
  readonly outcome?: ScenarioOutcome;
  readonly error?: string;
  readonly ms: number;
}

let ianaHints: readonly ResourceRecord[] | undefined;

/** IANA's root hints from the package's trust-anchors/ (for scenarios that name no root server). */
export function packagedRootHints(): readonly ResourceRecord[] {
  ianaHints ??= readRootHints(fileURLToPath(new URL('../../../trust-anchors/root.hints', import.meta.url)));
  return ianaHints;
}

/** Scenario files under the given files and directories (directories recursively, sorted). */
export function collectScenarioFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new AnchordError(ErrorCode.Usage, `no such file or directory: ${p}`);
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) {
        const child = join(p, e);
        if (statSync(child).isDirectory() || /\.c?rpl$/.test(e)) walk(child);
      }
    } else {
      out.push(p);
    }
  };
  for (const p of paths) walk(p);
  return out;
}

/** Parses and runs one file; never throws for a bad scenario (the error is in the result). */
export async function replayFile(path: string, options: ReplayOptions, label = path): Promise<FileResult> {
  const t0 = performance.now();
  const dialect = options.dialect ?? dialectFromPath(path);
  if (dialect === undefined) {
    return { file: label, error: 'cannot tell the dialect: the file is not under deckard/ or unbound/ (use --dialect)', ms: 0 };
  }
  try {
    const scenario = parseScenario(readFileSync(path, 'utf8'), { file: label, dialect });
    const outcome = await runScenario(scenario, {
      crypto: options.crypto ?? createNodeBackend(),
      defaultRootHints: packagedRootHints(),
      trace: options.trace,
    });
    return { file: label, outcome, ms: performance.now() - t0 };
  } catch (err) {
    if (err instanceof FileError) return { file: label, error: err.message, ms: performance.now() - t0 };
    const e = err as Error;
    return { file: label, error: `harness error: ${e.message}`, ms: performance.now() - t0 };
  }
}

function verdictText(o: ScenarioOutcome, v: Verdict, which: 'strict' | 'relaxed'): string {
  const f = v.failure;
  if (f === undefined) return '';
  const variant = o.variants.length > 1 ? o.variants.find((x) => !x[which].pass) : undefined;
  const qmin = variant === undefined ? '' : ` (qname minimisation ${variant.qnameMinimisation ? 'on' : 'off'})`;
  return f.step > 0 ? `step ${f.step}${qmin}: ${f.reason}` : `${qmin.trim()}${qmin === '' ? '' : ': '}${f.reason}`;
}

/** The report line of one file. */
export function resultLine(r: FileResult, strict = false): string {
  if (r.outcome === undefined) return `FAIL ${r.file} ${r.error ?? 'unknown error'}`;
  const o = r.outcome;
  const main = strict ? o.strict : o.relaxed;
  const other = strict ? o.relaxed : o.strict;
  const mainName = strict ? 'strict' : 'relaxed';
  const otherName = strict ? 'relaxed' : 'strict';
  let line = main.pass ? `PASS ${r.file}` : `FAIL ${r.file} ${verdictText(o, main, mainName)}`;
  if (!other.pass && main.pass) line += ` [${otherName}: ${verdictText(o, other, otherName)}]`;
  if (other.pass && !main.pass) line += ` [${otherName}: pass]`;
  if (!main.pass && o.setup.unsupported.length > 0) line += ` [needs: ${o.setup.unsupported.join('; ')}]`;
  return line;
}

export interface Totals {
  readonly files: number;
  readonly strict: number;
  readonly relaxed: number;
  readonly errors: number;
}

export function totals(results: readonly FileResult[]): Totals {
  let strict = 0;
  let relaxed = 0;
  let errors = 0;
  for (const r of results) {
    if (r.outcome === undefined) errors++;
    else {
      if (r.outcome.strict.pass) strict++;
      if (r.outcome.relaxed.pass) relaxed++;
    }
  }
  return { files: results.length, strict, relaxed, errors };
}

function pct(n: number, d: number): string {
  return d === 0 ? '0.0' : ((100 * n) / d).toFixed(1);
}

export function totalsLine(t: Totals): string {
  const err = t.errors > 0 ? `, ${t.errors} not runnable` : '';
  return `${t.files} scenarios: strict ${t.strict} pass (${pct(t.strict, t.files)}%), relaxed ${t.relaxed} pass (${pct(t.relaxed, t.files)}%)${err}`;
}
