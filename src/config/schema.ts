// A small schema language for the YAML configuration (DESIGN.md convention 9: raw → validated →
// normalised). A schema walks the YAML syntax tree, so every error names the file, line and
// column of the offending node; unknown keys are errors; defaults fill what is absent.

import { isMap, isScalar, isSeq, type Node as YamlNode, type LineCounter, type Pair } from 'yaml';

export interface SchemaContext {
  readonly file: string;
  readonly lines: LineCounter;
  readonly errors: ConfigIssue[];
}

export interface ConfigIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** A schema turns a YAML node (undefined when absent) into a normalised value, or records issues. */
export interface Schema<T> {
  readonly describe: string;
  parse(node: YamlNode | null | undefined, ctx: SchemaContext, path: string): T | undefined;
  /** The value when the key is absent; undefined means "required". */
  readonly fallback?: () => T;
}

export function issueAt(ctx: SchemaContext, node: YamlNode | null | undefined, message: string): void {
  const offset = node?.range?.[0] ?? 0;
  const pos = ctx.lines.linePos(offset);
  ctx.errors.push({ file: ctx.file, line: pos.line, column: pos.col, message });
}

function scalarValue(node: YamlNode | null | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}

export function withDefault<T>(schema: Schema<T>, value: T | (() => T)): Schema<T> {
  const fallback = typeof value === 'function' ? (value as () => T) : () => value;
  return { describe: schema.describe, parse: schema.parse.bind(schema), fallback };
}

export function optional<T>(schema: Schema<T>): Schema<T | undefined> {
  return { describe: schema.describe, parse: schema.parse.bind(schema), fallback: () => undefined };
}

export function str(check?: (v: string) => string | undefined): Schema<string> {
  return {
    describe: 'a string',
    parse(node, ctx, path) {
      const v = scalarValue(node);
      if (typeof v !== 'string' && typeof v !== 'number') {
        issueAt(ctx, node, `${path}: expected a string`);
        return undefined;
      }
      const s = String(v);
      const problem = check?.(s);
      if (problem !== undefined) {
        issueAt(ctx, node, `${path}: ${problem}`);
        return undefined;
      }
      return s;
    },
  };
}

export function bool(): Schema<boolean> {
  return {
    describe: 'yes or no',
    parse(node, ctx, path) {
      const v = scalarValue(node);
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(yes|no|on|off)$/i.test(v)) return /^(yes|on)$/i.test(v);
      issueAt(ctx, node, `${path}: expected yes/no (true/false)`);
      return undefined;
    },
  };
}

export function int(min: number, max: number): Schema<number> {
  return {
    describe: `an integer from ${min} to ${max}`,
    parse(node, ctx, path) {
      const v = scalarValue(node);
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?[0-9]+$/.test(v) ? Number(v) : NaN;
      if (!Number.isInteger(n) || n < min || n > max) {
        issueAt(ctx, node, `${path}: expected an integer from ${min} to ${max}`);
        return undefined;
      }
      return n;
    },
  };
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration in milliseconds: a plain number means seconds; or `500ms`, `10s`, `5m`, `1h`, `30d`, `2w`. */
export function duration(minMs: number, maxMs: number): Schema<number> {
  return {
    describe: 'a duration (e.g. 10s, 5m, 1h, 30d)',
    parse(node, ctx, path) {
      const v = scalarValue(node);
      let ms = NaN;
      if (typeof v === 'number') ms = v * 1000;
      else if (typeof v === 'string') {
        const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d|w)?$/.exec(v.trim());
        if (m) ms = Number(m[1]) * DURATION_UNITS[m[2] ?? 's']!;
      }
      if (!Number.isFinite(ms) || ms < minMs || ms > maxMs) {
        issueAt(ctx, node, `${path}: expected a duration from ${minMs / 1000}s to ${maxMs / 1000}s (e.g. 10s, 5m, 1h)`);
        return undefined;
      }
      return Math.round(ms);
    },
  };
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A size in bytes: a number, or with a k/m/g suffix (powers of 1024), as Unbound writes them. */
export function size(min: number, max: number): Schema<number> {
  return {
    describe: 'a size (e.g. 64m)',
    parse(node, ctx, path) {
      const v = scalarValue(node);
      let n = NaN;
      if (typeof v === 'number') n = v;
      else if (typeof v === 'string') {
        const m = /^([0-9]+)\s*([kmg]?)b?$/i.exec(v.trim());
        if (m) n = Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
      }
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        issueAt(ctx, node, `${path}: expected a size from ${min} to ${max} bytes (e.g. 64m)`);
        return undefined;
      }
      return n;
    },
  };
}

export function oneOf<const T extends string>(choices: readonly T[]): Schema<T> {
  return {
    describe: `one of ${choices.join(', ')}`,
    parse(node, ctx, path) {
      const v = scalarValue(node);
      if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
      issueAt(ctx, node, `${path}: expected one of ${choices.join(', ')}`);
      return undefined;
    },
  };
}

/** A list; a single scalar is accepted as a one-element list. */
export function list<T>(item: Schema<T>, maxItems = 10_000): Schema<T[]> {
  return {
    describe: `a list of ${item.describe}`,
    parse(node, ctx, path) {
      const items = isSeq(node) ? node.items : isScalar(node) || isMap(node) ? [node] : undefined;
      if (items === undefined) {
        issueAt(ctx, node, `${path}: expected a list`);
        return undefined;
      }
      if (items.length > maxItems) {
        issueAt(ctx, node, `${path}: more than ${maxItems} items`);
        return undefined;
      }
      const out: T[] = [];
      items.forEach((it, i) => {
        const v = item.parse(it as YamlNode, ctx, `${path}[${i}]`);
        if (v !== undefined) out.push(v);
      });
      return out;
    },
  };
}

type Fields = Record<string, Schema<unknown>>;
type Out<F extends Fields> = { [K in keyof F]: F[K] extends Schema<infer T> ? T : never };

/** A mapping with known keys (kebab-case in YAML); unknown keys and missing required keys are errors. */
export function obj<F extends Fields>(fields: F): Schema<Out<F>> {
  const schema: Schema<Out<F>> = {
    describe: 'a mapping',
    parse(node, ctx, path) {
      if (node !== undefined && node !== null && !isMap(node)) {
        if (!(isScalar(node) && node.value === null)) {
          issueAt(ctx, node, `${path}: expected a mapping`);
          return undefined;
        }
      }
      const pairs = isMap(node) ? (node.items as Pair<YamlNode, YamlNode>[]) : [];
      const seen = new Map<string, YamlNode | null>();
      for (const pair of pairs) {
        const key = scalarValue(pair.key);
        if (typeof key !== 'string') {
          issueAt(ctx, pair.key, `${path}: keys must be strings`);
          continue;
        }
        if (!(key in fields)) {
          const known = Object.keys(fields).join(', ');
          issueAt(ctx, pair.key, `${path === '' ? '' : path + ': '}unknown key "${key}" (known: ${known})`);
          continue;
        }
        if (seen.has(key)) {
          issueAt(ctx, pair.key, `${path}: duplicate key "${key}"`);
          continue;
        }
        seen.set(key, pair.value);
      }
      const out: Record<string, unknown> = {};
      let complete = true;
      for (const [key, field] of Object.entries(fields)) {
        const sub = path === '' ? key : `${path}.${key}`;
        if (seen.has(key)) {
          const v = field.parse(seen.get(key), ctx, sub);
          if (v === undefined && field.fallback === undefined) complete = false;
          out[key] = v ?? field.fallback?.();
        } else if (field.fallback !== undefined) {
          out[key] = field.fallback();
        } else {
          issueAt(ctx, node, `${path === '' ? '' : path + ': '}missing required key "${key}"`);
          complete = false;
        }
      }
      return complete ? (out as Out<F>) : undefined;
    },
  };
  return schema;
}

/** Applies a normalising function after validation; it may report a problem instead. */
export function map<A, B>(schema: Schema<A>, fn: (a: A) => B | { problem: string }): Schema<B> {
  return {
    describe: schema.describe,
    parse(node, ctx, path) {
      const a = schema.parse(node, ctx, path);
      if (a === undefined) return undefined;
      const b = fn(a);
      if (typeof b === 'object' && b !== null && 'problem' in b) {
        issueAt(ctx, node, `${path}: ${b.problem}`);
        return undefined;
      }
      return b;
    },
  };
}
