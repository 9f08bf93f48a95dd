// Typed access to parsed yargs arguments, so commands read options without casts.

import { AnchordError, ErrorCode } from '../core/errors.js';
import { Name } from '../wire/name.js';

export type Args = Readonly<Record<string, unknown>>;

export function optString(args: Args, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return optString({ [key]: v[v.length - 1] as unknown }, key);
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new AnchordError(ErrorCode.Usage, `--${key} takes a value`);
}

export function reqString(args: Args, key: string): string {
  const v = optString(args, key);
  if (v === undefined) throw new AnchordError(ErrorCode.Usage, `missing --${key}`);
  return v;
}

export function optStrings(args: Args, key: string): string[] {
  const v = args[key];
  if (v === undefined || v === null) return [];
  const list: unknown[] = Array.isArray(v) ? v : [v];
  return list.map((x) => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number') return String(x);
    throw new AnchordError(ErrorCode.Usage, `--${key} takes values`);
  });
}

export function optNumber(args: Args, key: string): number | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new AnchordError(ErrorCode.Usage, `--${key} takes a number`);
  return n;
}

export function flag(args: Args, key: string): boolean {
  return args[key] === true;
}

/** A zone name argument; a missing final dot is added (`example` is `example.`). */
export function zoneName(text: string): Name {
  return Name.parse(text.endsWith('.') ? text : `${text}.`);
}
