// A plain command line read without yargs, for commands whose peak memory is a benchmark figure
// (`signzone`): importing yargs costs about 10 MiB of RSS (its help formatter's string-width
// creates an Intl.Segmenter at load, which pages in ICU data), a tenth of what signing 100k
// records takes in all. The options are the command's own yargs builder, recorded; only simple
// command lines are read here: `--name value`, `--name=value`, `-x value`, `-x=value` for options
// with a value, `--name`/`-x` alone for booleans, positionals anywhere.
// Anything else (help, `--`, an unknown or repeated boolean option, combined flags, a value that looks
// like an option, `--no-x`, a boolean given `true`/`false`) returns undefined, and main.ts
// parses the line with yargs as before; for a line read here the result has what yargs gives the
// command (values by type, repeated values as an array, defaults).

import type { Argv } from 'yargs';
import type { Args } from './args.js';
import type { CommandModule } from './command.js';

interface OptionSpec {
  readonly type: 'string' | 'number' | 'boolean';
  readonly default?: unknown;
}

interface Recorded {
  readonly options: Map<string, OptionSpec>;
  readonly positionals: { name: string; variadic: boolean; required: boolean }[];
}

/** The options and positionals the builder declares; undefined when it uses anything else. */
function record(cmd: CommandModule): Recorded | undefined {
  const options = new Map<string, OptionSpec>();
  const positionals: { name: string; variadic: boolean; required: boolean }[] = [];
  // The command string names the positionals in order: `<zonefile>`, `[keys..]`.
  for (const word of cmd.command.split(' ').slice(1)) {
    const m = /^[<[]([a-z0-9-]+)(\.\.)?[>\]]$/.exec(word);
    if (m === null) return undefined;
    positionals.push({ name: m[1]!, variadic: m[2] !== undefined, required: word.startsWith('<') });
  }
  const recorder = {
    positional(name: string, spec: { type?: string }): unknown {
      if (spec.type !== 'string') throw new Error(`positional ${name} of type ${String(spec.type)}`);
      return recorder;
    },
    option(name: string, spec: { type?: string; default?: unknown; alias?: unknown; choices?: unknown; coerce?: unknown }): unknown {
      if (spec.type !== 'string' && spec.type !== 'number' && spec.type !== 'boolean') throw new Error(`option ${name} of type ${String(spec.type)}`);
      if (spec.alias !== undefined || spec.choices !== undefined || spec.coerce !== undefined) throw new Error(`option ${name} needs yargs`);
      options.set(name, { type: spec.type, ...(spec.default === undefined ? {} : { default: spec.default }) });
      return recorder;
    },
  };
  try {
    cmd.builder(recorder as unknown as Argv);
  } catch {
    return undefined;
  }
  return { options, positionals };
}

/** The command's arguments from `words` (the words after the command name), or undefined (see above). */
export function parsePlainArgs(cmd: CommandModule, words: readonly string[]): Args | undefined {
  const rec = record(cmd);
  if (rec === undefined) return undefined;
  const out: Record<string, unknown> = {};
  const rest: string[] = [];
  const set = (name: string, spec: OptionSpec, text: string): boolean => {
    let value: unknown = text;
    if (spec.type === 'number') value = Number(text);
    const prev = out[name];
    // Repeated values make an array, as yargs does.
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...(prev as unknown[]), value] : [prev, value];
    return true;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    // What follows `--` yargs keeps apart from the positionals; let it.
    if (w === '--') return undefined;
    if (!w.startsWith('-') || w === '-') {
      rest.push(w);
      continue;
    }
    const m = /^(?:--([a-zA-Z0-9][a-zA-Z0-9-]*)|-([a-zA-Z0-9]))(?:=(.*))?$/s.exec(w);
    if (m === null) return undefined;
    const name = m[1] ?? m[2]!;
    // One-letter options are spelt `-x`, longer ones `--name` (yargs takes `--x` too; not here).
    if ((m[1] !== undefined && name.length === 1) || name.startsWith('no-')) return undefined;
    const spec = rec.options.get(name);
    if (spec === undefined) return undefined;
    if (spec.type === 'boolean') {
      if (m[3] !== undefined || out[name] !== undefined) return undefined;
      const next = words[i + 1];
      if (next === 'true' || next === 'false') return undefined;
      out[name] = true;
      continue;
    }
    let text = m[3];
    if (text === undefined) {
      text = words[i + 1];
      if (text === undefined || (text.startsWith('-') && text !== '-')) return undefined;
      i++;
    }
    set(name, spec, text);
  }
  for (const [name, spec] of rec.options) if (out[name] === undefined && spec.default !== undefined) out[name] = spec.default;
  let p = 0;
  for (const pos of rec.positionals) {
    if (pos.variadic) {
      out[pos.name] = rest.slice(p);
      p = rest.length;
    } else if (p < rest.length) {
      out[pos.name] = rest[p++];
    } else if (pos.required) {
      // yargs says what is missing.
      return undefined;
    }
  }
  // More positionals than the command takes: yargs (strict) refuses the line; let it say so.
  if (p < rest.length) return undefined;
  out._ = [];
  return out;
}
